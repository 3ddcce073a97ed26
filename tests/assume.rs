//! `xacct assume` end to end against moto: the identity really changes, and
//! the cache serves the second call without a request.

mod common;

use common::{exported, Home, Sandbox};

#[test]
fn eval_in_bash_switches_identity_to_the_member_role() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.shell(
        "bash",
        r#"set -e
        eval "$(xacct assume demo MemberReadOnlyAccess)"
        test -z "${AWS_PROFILE:-}"
        xacct whoami | head -n1"#,
    );
    let demo = &sandbox.info.demo_account_id;
    // The default session name is the local user name (USER=alice in the test home).
    assert_eq!(
        out.ok().trim(),
        format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess/alice")
    );
}

#[test]
fn exports_every_variable_tools_read_and_unsets_the_confusing_ones() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let code = home
        .run(&["assume", "DEMO", "MemberReadOnlyAccess", "--region", "eu-west-1"])
        .ok()
        .to_owned();
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_SESSION_EXPIRATION",
    ] {
        assert!(!exported(&home, &code, var).is_empty(), "{var} not exported");
    }
    assert_eq!(exported(&home, &code, "AWS_REGION"), "eu-west-1");
    assert_eq!(exported(&home, &code, "AWS_DEFAULT_REGION"), "eu-west-1");
    assert!(exported(&home, &code, "AWS_ACCESS_KEY_ID").starts_with("ASIA"));
    let script = format!("export AWS_PROFILE=p AWS_DEFAULT_PROFILE=p AWS_SECURITY_TOKEN=t\n{code}\necho \"${{AWS_PROFILE-unset}}${{AWS_DEFAULT_PROFILE-unset}}${{AWS_SECURITY_TOKEN-unset}}\"");
    assert_eq!(home.shell("dash", &script).ok().trim(), "unsetunsetunset");
}

#[test]
fn session_name_and_duration_reach_sts() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.shell(
        "bash",
        "eval \"$(xacct assume demo MemberReadOnlyAccess --session-name ops@example.com --duration 15m)\" && \
         xacct whoami | head -n1 && echo \"$AWS_CREDENTIAL_EXPIRATION\"",
    );
    let stdout = out.ok();
    let mut lines = stdout.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with("assumed-role/MemberReadOnlyAccess/ops@example.com"));
    let expiration = xacct::domain::clock::parse_rfc3339(lines.next().unwrap()).unwrap();
    let secs = (expiration - xacct::domain::clock::now()).whole_seconds();
    assert!((800..=900).contains(&secs), "a 15m session expires in {secs}s");
}

#[test]
fn second_call_is_served_from_the_cache_without_a_request() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let first = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    assert_eq!(sandbox.count("AssumeRole"), 1);
    sandbox.clear_requests();
    let second = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    assert_eq!(first, second, "same credentials from the cache");
    assert_eq!(sandbox.requests(), vec![], "a cache hit sends no request at all");
    // Even with the endpoint gone, the cached credentials are served.
    drop(sandbox);
    assert_eq!(home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok(), first);
}

#[test]
fn different_options_are_different_cache_entries() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let a = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    let b = home
        .run(&["assume", "demo", "MemberReadOnlyAccess", "--duration", "2h"])
        .ok()
        .to_owned();
    let c = home
        .run(&["assume", "demo", "MemberReadOnlyAccess", "--session-name", "bob"])
        .ok()
        .to_owned();
    let d = home.run(&["assume", "demo"]).ok().to_owned();
    let keys: std::collections::HashSet<String> = [&a, &b, &c, &d]
        .iter()
        .map(|code| exported(&home, code, "AWS_ACCESS_KEY_ID"))
        .collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(sandbox.count("AssumeRole"), 4);
    // --refresh skips the cache.
    home.run(&["assume", "demo", "--refresh"]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 5);
}

#[test]
fn entries_near_expiry_are_refreshed_not_served() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let first = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    // Ten minutes left is inside the default 15-minute refresh margin.
    let soon = xacct::domain::clock::rfc3339(xacct::domain::clock::now() + time::Duration::minutes(10));
    let text = std::fs::read_to_string(home.credentials_file()).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("expiration = ") {
                format!("expiration = \"{soon}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(home.credentials_file(), edited).unwrap();
    let second = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    assert_ne!(
        exported(&home, &first, "AWS_ACCESS_KEY_ID"),
        exported(&home, &second, "AWS_ACCESS_KEY_ID")
    );
    assert_eq!(sandbox.count("AssumeRole"), 2);
    // With a 5-minute margin in the config the (fresh) entry is served again.
    home.write_config("[defaults]\nrefresh_margin = \"5m\"\n");
    assert_eq!(home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok(), second);
    assert_eq!(sandbox.count("AssumeRole"), 2);
}

#[cfg(unix)]
#[test]
fn the_cache_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.cache_dir()), 0o700);
    assert_eq!(mode(&home.credentials_file()), 0o600);
    assert_eq!(mode(&home.cache_dir().join("accounts.toml")), 0o600);
}

#[test]
fn accounts_are_found_by_id_alias_profile_and_role_arn() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let demo = sandbox.info.demo_account_id.clone();
    let prod = sandbox.account_id("prod-01").to_owned();
    home.write_config(&format!(
        r#"
        [aliases]
        d = "{demo}"
        production = "prod-01"

        [profiles.demo-ro]
        account = "DEMO"
        role = "MemberReadOnlyAccess"
        session_name = "profiled"
        "#
    ));
    let whoami = |args: &str| {
        let script = format!("eval \"$(xacct assume {args})\" && xacct whoami | head -n1");
        home.shell("bash", &script).ok().trim().to_owned()
    };
    let ro = format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess");
    assert_eq!(whoami(&format!("{demo} MemberReadOnlyAccess")), format!("{ro}/alice"));
    assert_eq!(whoami("d MemberReadOnlyAccess"), format!("{ro}/alice"));
    assert_eq!(whoami("demo-ro"), format!("{ro}/profiled"));
    assert_eq!(
        whoami(&format!("arn:aws:iam::{demo}:role/MemberReadOnlyAccess")),
        format!("{ro}/alice")
    );
    assert_eq!(
        whoami("production"),
        format!("arn:aws:sts::{prod}:assumed-role/OrganizationAccountAccessRole/alice")
    );
    assert_eq!(
        whoami("demo team/ops/Deploy"),
        format!("arn:aws:sts::{demo}:assumed-role/Deploy/alice")
    );
}

#[test]
fn fish_and_powershell_code_carry_the_same_credentials() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let posix = home.run(&["assume", "demo"]).ok().to_owned();
    let fish = home.run(&["assume", "demo", "--shell", "fish"]).ok().to_owned();
    let pwsh = home.run(&["assume", "demo", "--shell", "powershell"]).ok().to_owned();
    let key = exported(&home, &posix, "AWS_ACCESS_KEY_ID");
    assert!(fish.contains(&format!("set -gx AWS_ACCESS_KEY_ID '{key}';")), "{fish}");
    assert!(pwsh.contains(&format!("$Env:AWS_ACCESS_KEY_ID = '{key}'")), "{pwsh}");
    assert_eq!(
        sandbox.count("AssumeRole"),
        1,
        "the shell does not change the cache key"
    );
}
