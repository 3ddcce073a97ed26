//! Every bad input: one `xacct: ...` line on stderr, non-zero exit, empty
//! stdout, no panic, and nothing lost from the stores.

mod common;

use common::{Home, Sandbox};

#[test]
fn malformed_values_are_rejected_before_any_call() {
    // No endpoint and no credentials: these must fail on validation alone.
    let home = Home::empty();
    let cases: &[(&[&str], &str)] = &[
        (
            &["assume", "12345"],
            "invalid account ID `12345`: an account ID is exactly 12 digits",
        ),
        (&["assume", "1234567890123"], "invalid account ID"),
        (&["assume", "111122223333", "bad role"], "invalid role name `bad role`"),
        (&["assume", "111122223333", "a//b"], "invalid role path"),
        (&["assume", "111122223333", "arn:aws:iam::1:role/R"], "invalid role ARN"),
        (
            &["assume", "111122223333", "arn:aws:iam::222233334444:role/R"],
            "is in account 222233334444, not in 111122223333",
        ),
        (
            &["assume", "arn:aws:iam::222233334444:role/R", "Other"],
            "give either a role ARN, or an account and a role",
        ),
        (
            &["assume", "111122223333", "--session-name", "a"],
            "invalid session name `a`",
        ),
        (
            &["assume", "111122223333", "--session-name", "has space"],
            "invalid session name",
        ),
        (
            &["assume", "111122223333", "--duration", "10m"],
            "duration 600s is out of range",
        ),
        (
            &["assume", "111122223333", "--duration", "13h"],
            "duration 46800s is out of range",
        ),
        (
            &["assume", "111122223333", "--duration", "soon"],
            "invalid duration `soon`",
        ),
        (
            &["assume", "111122223333", "--region", "us east"],
            "invalid region `us east`",
        ),
        (&["url", "111122223333", "--color", "purple"], "invalid color `purple`"),
        (
            &["url", "111122223333", "--display-name", &"x".repeat(65)],
            "invalid display name",
        ),
        (&["assume", "111122223333", "--shell", "tcsh"], "invalid value 'tcsh'"),
        // No account and no terminal to pick one on (stdin is not a terminal here).
        (&["assume"], "no account given and no terminal to pick one on"),
        (&["assume", "a", "b", "c"], "unexpected argument"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let out = home.run(args);
        out.fails_with(needle);
    }
}

#[test]
fn hostile_names_cannot_reach_the_terminal_raw() {
    let home = Home::empty();
    let out = home.run(&["assume", "111122223333", "\u{1b}[31mred"]);
    out.fails_with("invalid role name `\\u{1b}[31mred`");
    assert!(!out.stderr.contains('\u{1b}'));
}

#[test]
fn unknown_account_names_suggest_close_ones() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["assume", "demoo"])
        .fails_with("no account named `demoo` in the organization: did you mean `DEMO`?");
    home.run(&["url", "prod-1"]).fails_with("did you mean `prod-01`");
    home.run(&["assume", "zzzzzzzzzzzz-nothing"])
        .fails_with("xacct accounts --refresh");
}

#[test]
fn config_problems_name_the_file_the_key_and_the_problem() {
    let home = Home::empty();
    let file = home.path().join(".config/xacct/config.toml");
    let file = file.display().to_string();
    let cases = [
        ("[defaults\nrole = 1", "line 1"),
        ("[defaults]\nrol = \"x\"\n", "line 2: unknown field `rol`"),
        (
            "[defaults]\nduration = \"forever\"\n",
            "defaults.duration: invalid duration `forever`",
        ),
        ("[defaults]\nregion = 5\n", "invalid type"),
        (
            "[profiles.p]\naccount = \"111122223333\"\ncolor = \"mauve\"\n",
            "profiles.p.color: invalid color",
        ),
        ("[profiles.p]\nrole = \"R\"\n", "profiles.p.account is missing"),
    ];
    for (text, needle) in cases {
        home.write_config(text);
        let out = home.run(&["url", "111122223333"]);
        out.fails_with(needle);
        assert!(out.stderr.contains(&format!("config file {file}")), "{}", out.stderr);
    }
}

#[test]
fn missing_source_credentials() {
    let home = Home::empty();
    home.run(&["assume", "111122223333"])
        .fails_with("no AWS credentials found: set AWS_PROFILE or pass --profile");
    home.run(&["accounts"]).fails_with("no AWS credentials found");
    home.run(&["assume", "111122223333", "--profile", "nope"])
        .fails_with("no credentials for profile `nope`");
    home.run(&["assume", "demo"])
        .fails_with("cannot look up account name `demo`");
}

#[test]
fn unreachable_endpoint() {
    let home = {
        let mut home = Home::empty();
        home.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
        home.set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE");
        home.set("AWS_SECRET_ACCESS_KEY", "secret");
        home
    };
    home.run(&["assume", "111122223333"])
        .fails_with("cannot reach the AWS endpoint");
    home.run(&["accounts"]).fails_with("cannot reach the AWS endpoint");
}

#[test]
fn access_denied_is_reported_with_the_fix() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    // Warm the account list, then make moto enforce IAM: demo1 has no policies.
    home.run(&["accounts"]).ok();
    sandbox.enforce_auth();
    home.run(&["assume", "demo", "MemberReadOnlyAccess"])
        .fails_with("AccessDenied: ");
    home.run(&["accounts", "--refresh"]).fails_with("AccessDenied");
}

#[test]
fn failures_lose_nothing_from_the_stores() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok();
    let credentials = std::fs::read(home.credentials_file()).unwrap();
    let accounts = std::fs::read(home.cache_dir().join("accounts.toml")).unwrap();
    sandbox.enforce_auth();
    for args in [
        &["assume", "demo", "OtherRole"][..],
        &["assume", "demoo"],
        &["assume", "demo", "--duration", "1m"],
        &["accounts", "--refresh"],
    ] {
        assert_ne!(home.run(args).code, 0);
    }
    assert_eq!(std::fs::read(home.credentials_file()).unwrap(), credentials);
    assert_eq!(std::fs::read(home.cache_dir().join("accounts.toml")).unwrap(), accounts);
    // And the cached entry still serves.
    home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok();
}

#[test]
fn a_corrupt_cache_is_set_aside_with_one_warning() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["assume", "demo"]).ok();
    std::fs::write(
        home.credentials_file(),
        "version = 1\n[credentials.abc\nnot toml at all",
    )
    .unwrap();
    let out = home.run(&["assume", "demo"]);
    out.ok();
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("xacct: warning: ") && out.stderr.contains(".corrupt-"),
        "{}",
        out.stderr
    );
    // The fresh credentials were cached again.
    sandbox.clear_requests();
    home.run(&["assume", "demo"]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 0);
}
