//! Source credentials from ~/.aws/config profiles, as the AWS CLI reads them.

mod common;

use common::{Home, Sandbox};

/// A home whose only source of credentials is a `credential_process` profile
/// `mgmt` in ~/.aws/config that hands out demo1's keys.
fn home_with_profile(sandbox: &Sandbox) -> Home {
    let mut home = Home::with_sandbox(sandbox);
    home.unset("AWS_ACCESS_KEY_ID");
    home.unset("AWS_SECRET_ACCESS_KEY");
    let keys = &sandbox.info.demo1;
    let json = format!(
        r#"{{"Version": 1, "AccessKeyId": "{}", "SecretAccessKey": "{}"}}"#,
        keys.access_key_id, keys.secret_access_key
    );
    std::fs::write(home.path().join("creds.json"), json).unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile mgmt]\ncredential_process = cat {}\nregion = eu-central-1\n",
            home.path().join("creds.json").display()
        ),
    )
    .unwrap();
    home
}

#[test]
fn profile_flag_env_and_config_all_select_the_source() {
    let sandbox = Sandbox::start();
    let mut home = home_with_profile(&sandbox);
    let demo = &sandbox.info.demo_account_id;
    let want = format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess/alice");
    let whoami = |home: &Home, args: &str| {
        home.shell(
            "bash",
            &format!("eval \"$(xacct assume {args})\" && xacct whoami | head -n1 && echo $AWS_REGION"),
        )
        .ok()
        .to_owned()
    };
    home.unset("AWS_REGION");
    let out = whoami(&home, "demo MemberReadOnlyAccess --profile mgmt");
    // The region comes from the source profile when nothing else names one.
    assert_eq!(out, format!("{want}\neu-central-1\n"));

    home.set("AWS_PROFILE", "mgmt");
    assert!(whoami(&home, "demo MemberReadOnlyAccess --refresh").starts_with(&want));
    home.unset("AWS_PROFILE");

    home.write_config("[defaults]\nsource_profile = \"mgmt\"\n");
    assert!(whoami(&home, "demo MemberReadOnlyAccess --refresh").starts_with(&want));
}

#[test]
fn an_explicit_profile_wins_over_environment_credentials() {
    let sandbox = Sandbox::start();
    let mut home = home_with_profile(&sandbox);
    // Bogus keys in the environment would be used by the SDK's default chain.
    home.set("AWS_ACCESS_KEY_ID", "AKIABOGUSBOGUSBOGUS0");
    home.set("AWS_SECRET_ACCESS_KEY", "bogus");
    home.run(&["assume", "demo", "--profile", "mgmt"]).ok();
    let keys: Vec<_> = sandbox
        .requests()
        .into_iter()
        .map(|r| r.access_key_id.unwrap_or_default())
        .collect();
    assert!(keys.iter().all(|k| k == &sandbox.info.demo1.access_key_id), "{keys:?}");
}

/// A run over many accounts resolves its source once: one connection per
/// source serves the account list and every account's session.
#[test]
fn exec_over_every_account_runs_the_credential_process_once() {
    let sandbox = Sandbox::start();
    let home = home_with_profile(&sandbox);
    let counter = home.path().join("runs");
    let script = home.path().join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\ncat '{}'\n",
            counter.display(),
            home.path().join("creds.json").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile counted]\ncredential_process = {}\nregion = eu-central-1\n",
            script.display()
        ),
    )
    .unwrap();
    let out = home.run(&["exec", "--all", "-j", "4", "--profile", "counted", "--", "true"]);
    out.ok();
    let accounts = sandbox.info.accounts.len();
    assert!(
        out.stderr
            .contains(&format!("ran in {accounts} accounts, all succeeded")),
        "{}",
        out.stderr
    );
    let runs = std::fs::read_to_string(&counter).unwrap().lines().count();
    assert_eq!(runs, 1, "credential_process ran {runs} times for {accounts} accounts");
}
