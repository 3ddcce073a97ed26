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
    home.run(&["accounts"])
        .fails_with("xacct looked for keys in the environment, the `default` profile");
    // Where instance metadata answers (or refuses), its error is no dead end either.
    let mut with_imds = Home::empty();
    with_imds.unset("AWS_EC2_METADATA_DISABLED");
    with_imds.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
    with_imds
        .run(&["accounts"])
        .fails_with("no AWS credentials found: set AWS_PROFILE or pass --profile");
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

/// Whoever can write the config file decides where credentials go (the
/// source profile, the federation endpoint): it is refused, with the fix,
/// when another user owns it or could have written it or its directory.
#[cfg(unix)]
#[test]
fn a_config_file_others_could_write_is_refused() {
    use std::os::unix::fs::{chown, symlink, PermissionsExt};
    use std::path::Path;
    let home = Home::empty();
    home.write_config("[aliases]\ndemo = \"111122223333\"\n");
    let file = home.path().join(".config/xacct/config.toml");
    let dir = file.parent().unwrap().to_owned();
    let set_mode =
        |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    // Readable by others is fine: only writing is refused.
    set_mode(&file, 0o644);
    set_mode(&dir, 0o755);
    assert!(home.run(&["url", "demo"]).ok().contains("account=111122223333"));
    for mode in [0o664, 0o646, 0o666] {
        set_mode(&file, mode);
        home.run(&["url", "demo"]).fails_with(&format!(
            "is writable by group or others (mode {mode:o}): run `chmod go-w {}`",
            file.display()
        ));
    }
    set_mode(&file, 0o644);
    set_mode(&dir, 0o777);
    home.run(&["url", "demo"])
        .fails_with(&format!("run `chmod go-w {}`", dir.display()));
    set_mode(&dir, 0o755);

    // Owned by another user (nobody): only root can set this up, and the tests run as root.
    let nobody = 65534;
    chown(&file, Some(nobody), Some(nobody)).expect("the tests run as root");
    home.run(&["url", "demo"]).fails_with(&format!(
        "config file {} belongs to another user (uid {nobody})",
        file.display()
    ));
    chown(&file, Some(0), Some(0)).unwrap();
    chown(&dir, Some(nobody), Some(nobody)).unwrap();
    home.run(&["url", "demo"]).fails_with("belongs to another user");
    chown(&dir, Some(0), Some(0)).unwrap();

    // A symlinked config (a dotfiles repository) is read through the link, and
    // the rules apply to the file it leads to.
    let real = home.path().join("dotfiles/xacct.toml");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(&file, &real).unwrap();
    symlink(&real, &file).unwrap();
    assert!(home.run(&["url", "demo"]).ok().contains("account=111122223333"));
    set_mode(&real, 0o666);
    home.run(&["url", "demo"]).fails_with("run `chmod go-w");
}

/// Runs `xacct args` in `home`, failing the test if it takes longer than 20
/// s (a hang) and capping its memory at 2 GiB (reading /dev/zero whole).
#[cfg(unix)]
fn run_bounded(home: &Home, args: &[&str]) -> common::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = home.xacct();
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("xacct {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    common::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn make_fifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// A policy "file" that never ends or never opens must not take xacct down.
#[cfg(unix)]
#[test]
fn policy_files_are_regular_files_of_bounded_size() {
    let home = Home::empty();
    let fifo = home.path().join("policy.fifo");
    make_fifo(&fifo);
    let big = home.path().join("big.json");
    // Valid JSON, but 70 KiB (AWS takes 2,048 characters packed).
    std::fs::write(&big, format!("{{{}}}", " ".repeat(70 * 1024))).unwrap();
    let cases = [
        ("/dev/zero".to_owned(), "policy file /dev/zero is not a regular file"),
        (fifo.display().to_string(), "is not a regular file"),
        (home.path().display().to_string(), "is not a regular file"),
        (big.display().to_string(), "is larger than 64 KiB"),
    ];
    for (policy, needle) in cases {
        run_bounded(&home, &["assume", "111122223333", "--policy", &policy]).fails_with(needle);
    }
}

/// The prompt command (`whoami --short`) reads no policy file; using a
/// profile does, and is refused like `--policy`.
#[cfg(unix)]
#[test]
fn the_prompt_never_reads_policy_files() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let creds: serde_json::Value =
        serde_json::from_str(home.run(&["assume", "demo", "--format", "json"]).ok()).unwrap();
    for (var, field) in [
        ("AWS_ACCESS_KEY_ID", "AccessKeyId"),
        ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
        ("AWS_SESSION_TOKEN", "SessionToken"),
    ] {
        home.set(var, creds[field].as_str().unwrap());
    }
    let fifo = home.path().join("policy.fifo");
    make_fifo(&fifo);
    for policy in ["/dev/zero".to_owned(), fifo.display().to_string()] {
        home.write_config(&format!(
            "[defaults]\npolicy = \"{policy}\"\n[profiles.p]\naccount = \"DEMO\"\npolicy = \"{policy}\"\n"
        ));
        let out = run_bounded(&home, &["whoami", "--short"]);
        assert!(
            out.ok().starts_with("DEMO/OrganizationAccountAccessRole "),
            "{}",
            out.stdout
        );
        run_bounded(&home, &["assume", "p"]).fails_with("profiles.p.policy: policy file");
    }
}

/// Values xacct cannot read are errors, not silently replaced by defaults
/// (the AWS CLI refuses such an AWS_PROFILE too).
#[cfg(unix)]
#[test]
fn unreadable_environment_values_are_errors() {
    use std::os::unix::ffi::OsStrExt;
    let home = Home::empty();
    for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID"] {
        let out = common::output_of(
            home.xacct()
                .args(["url", "111122223333"])
                .env(var, std::ffi::OsStr::from_bytes(b"prod\xff")),
        );
        out.fails_with(&format!("{var} is not valid UTF-8"));
    }
    let mut home = Home::empty();
    for bad in ["yesterday", "2026-11-22", "2026-11-22 12:00:00"] {
        home.set("XACCT_NOW", bad);
        home.run(&["url", "111122223333"]).fails_with(&format!(
            "invalid XACCT_NOW `{bad}`: give an RFC 3339 time such as 2026-11-22T12:00:00Z"
        ));
    }
    home.set("XACCT_NOW", "2026-11-22T12:00:00Z");
    home.run(&["url", "111122223333"]).ok();
}
