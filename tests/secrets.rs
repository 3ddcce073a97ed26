//! Secrets never reach stderr, logs or listings: every subcommand is run at the
//! highest verbosity (and with RUST_LOG=trace, the SDK's own tracing) and all
//! of stderr is searched for every secret value involved.

mod common;

use common::{exported, Home, Sandbox};

const MFA: &str = "arn:aws:iam::123456789012:mfa/demo1";

/// Every secret key and session token in the credential cache.
fn cached_secrets(home: &Home) -> Vec<String> {
    let mut secrets = Vec::new();
    for file in home.session_files() {
        let text = std::fs::read_to_string(file).unwrap();
        let doc: toml::Table = text.parse().unwrap();
        secrets.extend(
            doc["credentials"]
                .as_table()
                .unwrap()
                .values()
                .flat_map(|e| ["secret_access_key", "session_token"].map(|k| e[k].as_str().unwrap().to_owned())),
        );
    }
    secrets
}

#[test]
fn no_secret_reaches_stderr_at_any_verbosity() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let demo = sandbox.info.demo_account_id.clone();
    let mut stderr = String::new();
    let mut secrets = vec![sandbox.info.demo1.secret_access_key.clone()];
    let commands: Vec<Vec<&str>> = vec![
        vec!["accounts", "--refresh"],
        vec!["accounts", "--json"],
        vec!["assume", "demo", "MemberReadOnlyAccess"],
        vec!["assume", "demo", "MemberReadOnlyAccess", "--format", "json"],
        vec!["assume", "demo", "MemberReadOnlyAccess", "--format", "env"],
        vec![
            "assume",
            "demo",
            "MemberReadOnlyAccess",
            "--format",
            "credential-process",
        ],
        vec![
            "assume",
            "demo",
            "--mfa-serial",
            MFA,
            "--token-code",
            "123456",
            "--tag",
            "k=v",
        ],
        vec!["assume", "demo", "--refresh", "--shell", "fish"],
        vec!["url", "demo", "MemberReadOnlyAccess"],
        vec!["whoami"],
        vec!["exec", "demo", "MemberReadOnlyAccess", "--", "true"],
        vec!["cache", "list"],
        vec!["cache", "list", "--json"],
        vec!["assume", "12345"],
    ];
    for verbosity in [vec!["-vv"], vec!["-vvv"], vec![]] {
        for (i, rust_log) in [None, Some("trace")].into_iter().enumerate() {
            match rust_log {
                Some(level) => home.set("RUST_LOG", level),
                None => home.unset("RUST_LOG"),
            }
            for command in &commands {
                let mut args = verbosity.clone();
                args.extend(command);
                let out = home.run(&args);
                if !out.stdout.is_empty() && command[0] == "assume" && command.len() == 3 {
                    secrets.push(exported(&home, &out.stdout, "AWS_SECRET_ACCESS_KEY"));
                    secrets.push(exported(&home, &out.stdout, "AWS_SESSION_TOKEN"));
                }
                stderr.push_str(&out.stderr);
                if command[0] == "cache" {
                    // Listings are not for secrets either.
                    stderr.push_str(&out.stdout);
                }
            }
            secrets.extend(cached_secrets(&home));
            if i == 1 {
                // Fresh sessions for the next round, so their secrets are new too.
                home.run(&["cache", "clear"]).ok();
            }
        }
    }
    // The credentials of an eval'd session are in the environment when whoami
    // and a failing call (AccessDenied) log at trace level.
    let code = home.run(&["assume", &demo]).ok().to_owned();
    secrets.extend(cached_secrets(&home));
    sandbox.enforce_auth();
    let out = home.shell(
        "sh",
        &format!("{code}\nRUST_LOG=trace xacct -vv whoami; RUST_LOG=trace xacct -vv accounts --refresh; true"),
    );
    stderr.push_str(&out.stderr);

    assert!(stderr.contains("TRACE"), "the SDK's tracing was on");
    assert!(stderr.contains("AccessDenied"), "the failure was logged");
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 10, "{} secrets checked", secrets.len());
    for secret in &secrets {
        assert!(!secret.is_empty());
        assert!(
            !stderr.contains(secret.as_str()),
            "a secret reached stderr: ...{}",
            &secret[..6]
        );
    }
}

#[test]
fn cache_list_and_clear() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let demo = sandbox.info.demo_account_id.clone();
    home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok();
    home.run(&["assume", "demo"]).ok();
    home.run(&["assume", "prod-01", "--mfa-serial", MFA, "--token-code", "123456"])
        .ok();
    let table = home.run(&["cache", "list"]).ok().to_owned();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["KEY", "KIND", "ACCOUNT", "ROLE", "SESSION", "LEFT"]
    );
    assert_eq!(lines.len(), 5, "{table}");
    assert!(lines
        .iter()
        .any(|l| l.contains(&demo) && l.contains("MemberReadOnlyAccess") && l.contains("alice")));
    assert!(
        lines.iter().any(|l| l.contains(" mfa ") && l.contains("demo1")),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(home.run(&["cache", "list", "--json"]).ok()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);
    for session in json.as_array().unwrap() {
        let left = session["SecondsLeft"].as_i64().unwrap();
        match session["Kind"].as_str().unwrap() {
            "role" => assert!((3000..=3600).contains(&left), "{session}"),
            _ => assert!((28000..=28800).contains(&left), "an 8h MFA session: {session}"),
        }
    }

    let out = home.run(&["cache", "clear", "demo", "MemberReadOnlyAccess"]);
    out.ok();
    assert_eq!(out.stderr.trim(), "xacct: removed 1 cached session");
    assert_eq!(
        home.run(&["cache", "clear", &demo]).stderr.trim(),
        "xacct: removed 1 cached session"
    );
    assert_eq!(
        home.run(&["cache", "clear"]).stderr.trim(),
        "xacct: removed 2 cached sessions"
    );
    assert_eq!(home.run(&["cache", "list"]).ok().lines().count(), 1);
    home.run(&["cache", "clear", "nosuchaccount"])
        .fails_with("no account named `nosuchaccount`");
}
