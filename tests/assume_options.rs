//! Every way of assuming a role, end to end against moto: MFA sessions,
//! external IDs, source identity, session tags and policies, chaining,
//! output formats, exec and whoami. moto accepts any value, so xacct's own
//! validation is what rejects bad ones; the sandbox's request log shows what
//! reached the endpoint.

mod common;

use common::{exported, Home, Sandbox};

const MFA: &str = "arn:aws:iam::123456789012:mfa/demo1";

#[test]
fn mfa_session_serves_many_roles_with_one_code() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let code = home
        .run(&[
            "assume",
            "demo",
            "MemberReadOnlyAccess",
            "--mfa-serial",
            MFA,
            "--token-code",
            "123456",
        ])
        .ok()
        .to_owned();
    let sessions = sandbox.calls("GetSessionToken");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].params["SerialNumber"], MFA);
    assert_eq!(sessions[0].params["TokenCode"], "123456");
    assert_eq!(
        sessions[0].access_key_id.as_deref(),
        Some(sandbox.info.demo1.access_key_id.as_str())
    );
    // The role is assumed with the MFA session's credentials, not demo1's keys.
    let assumed = sandbox.calls("AssumeRole");
    assert_eq!(assumed.len(), 1);
    assert_ne!(
        assumed[0].access_key_id.as_deref(),
        Some(sandbox.info.demo1.access_key_id.as_str())
    );
    assert!(exported(&home, &code, "AWS_ACCESS_KEY_ID").starts_with("ASIA"));
    // Another role: no code, no terminal, and yet no prompt: the MFA session is cached.
    home.run(&["assume", "demo", "--mfa-serial", MFA]).ok();
    assert_eq!(sandbox.count("GetSessionToken"), 1);
    assert_eq!(sandbox.count("AssumeRole"), 2);
}

#[test]
fn mfa_serial_from_the_config_and_from_the_aws_profile() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    home.write_config(&format!(
        "[profiles.ro]\naccount = \"DEMO\"\nrole = \"MemberReadOnlyAccess\"\nmfa_serial = \"{MFA}\"\n"
    ));
    home.run(&["assume", "ro", "--token-code", "111111"]).ok();
    assert_eq!(sandbox.count("GetSessionToken"), 1);

    // A source profile with mfa_serial in ~/.aws/config, as the AWS CLI has it.
    let keys = &sandbox.info.demo1;
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "[mgmt]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            keys.access_key_id, keys.secret_access_key
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!("[profile mgmt]\nmfa_serial = {MFA}\n"),
    )
    .unwrap();
    home.unset("AWS_ACCESS_KEY_ID");
    home.unset("AWS_SECRET_ACCESS_KEY");
    home.run(&["assume", "demo", "--profile", "mgmt", "--token-code", "222222"])
        .ok();
    let sessions = sandbox.calls("GetSessionToken");
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1].params["TokenCode"], "222222");
}

/// A home whose only source is profile `mgmt`: demo1's keys in
/// ~/.aws/credentials and `mfa_serial` in ~/.aws/config.
fn home_with_mfa_profile(sandbox: &Sandbox) -> Home {
    let mut home = Home::with_sandbox(sandbox);
    let keys = &sandbox.info.demo1;
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "[mgmt]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            keys.access_key_id, keys.secret_access_key
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!("[default]\nregion = us-east-1\n\n[profile mgmt]\nmfa_serial = {MFA}\n"),
    )
    .unwrap();
    home.unset("AWS_ACCESS_KEY_ID");
    home.unset("AWS_SECRET_ACCESS_KEY");
    home
}

/// One call that reached STS: its action, MFA device, code and caller's key.
type StsCall = (String, Option<String>, Option<String>, Option<String>);

fn sts_calls(sandbox: &Sandbox) -> Vec<StsCall> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.action == "GetSessionToken" || r.action == "AssumeRole")
        .map(|r| {
            (
                r.action,
                r.params.get("SerialNumber").cloned(),
                r.params.get("TokenCode").cloned(),
                r.access_key_id,
            )
        })
        .collect()
}

/// AWS_PROFILE names the profile whose `mfa_serial` applies, as `--profile`
/// does: the MFA session is started with its serial either way.
#[test]
fn mfa_serial_of_the_profile_aws_profile_names() {
    let sandbox = Sandbox::start();
    let demo1 = Some(sandbox.info.demo1.access_key_id.clone());

    let mut by_env = home_with_mfa_profile(&sandbox);
    by_env.set("AWS_PROFILE", "mgmt");
    let code = by_env
        .run(&["assume", "demo", "--token-code", "123456"])
        .ok()
        .to_owned();
    let calls = sts_calls(&sandbox);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[0],
        (
            "GetSessionToken".to_owned(),
            Some(MFA.to_owned()),
            Some("123456".to_owned()),
            demo1.clone()
        )
    );
    // The role is assumed with the MFA session's credentials, not demo1's keys.
    assert_eq!(calls[1].0, "AssumeRole");
    assert_ne!(calls[1].3, demo1);
    assert!(exported(&by_env, &code, "AWS_ACCESS_KEY_ID").starts_with("ASIA"));

    sandbox.clear_requests();
    let by_flag = home_with_mfa_profile(&sandbox);
    by_flag
        .run(&["assume", "demo", "--profile", "mgmt", "--token-code", "123456"])
        .ok();
    let by_flag_calls = sts_calls(&sandbox);
    let without_keys = |calls: &[StsCall]| {
        calls
            .iter()
            .map(|(action, serial, code, _)| (action.clone(), serial.clone(), code.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(without_keys(&by_flag_calls), without_keys(&calls));
    assert_eq!(by_flag_calls[0].3, demo1);
}

#[test]
fn mfa_without_a_code_or_terminal_and_too_long_sessions_fail_clearly() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["assume", "demo", "--mfa-serial", MFA])
        .fails_with("an MFA code is needed for arn:aws:iam::123456789012:mfa/demo1 and there is no terminal to ask on: pass --token-code");
    home.run(&["assume", "demo", "--mfa-serial", MFA, "--token-code", "12345"])
        .fails_with("invalid MFA code: an MFA code is exactly 6 digits");
    home.run(&[
        "assume",
        "demo",
        "--mfa-serial",
        MFA,
        "--token-code",
        "123456",
        "--duration",
        "2h",
    ])
    .fails_with("AWS caps chained sessions at 1h: pass --duration 1h or less");
    home.run(&["assume", "demo", "--mfa-serial", "mfa"])
        .fails_with("invalid MFA serial");
    assert_eq!(sandbox.count("GetSessionToken") + sandbox.count("AssumeRole"), 0);
}

#[test]
fn the_mfa_prompt_uses_the_terminal_never_stdout() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out_file = home.path().join("out.sh");
    // `script` gives xacct a pseudo-terminal; the code is typed into it.
    let inner = format!("xacct assume demo --mfa-serial {MFA} > {}", out_file.display());
    let script = format!("printf '654321\\n' | script -qec '{inner}' /dev/null");
    let out = home.shell("bash", &script);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!("MFA code for {MFA}: ")),
        "the prompt is on the terminal: {:?}",
        out.stdout
    );
    let code = std::fs::read_to_string(&out_file).unwrap();
    assert!(!code.contains("MFA code"), "the prompt must not reach stdout: {code}");
    assert!(exported(&home, &code, "AWS_ACCESS_KEY_ID").starts_with("ASIA"));
    assert_eq!(sandbox.calls("GetSessionToken")[0].params["TokenCode"], "654321");
}

#[test]
fn session_options_reach_sts_and_key_the_cache() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}"#;
    std::fs::write(home.path().join("policy.json"), policy).unwrap();
    let policy_file = home.path().join("policy.json").display().to_string();
    let args = [
        "assume",
        "demo",
        "MemberReadOnlyAccess",
        "--external-id",
        "ext:id/42",
        "--source-identity",
        "alice@example.com",
        "--tag",
        "Project=Blue Sky",
        "--tag",
        "cost-centre=",
        "--transitive-tag",
        "Project",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--policy",
        &policy_file,
    ];
    home.run(&args).ok();
    let calls = sandbox.calls("AssumeRole");
    assert_eq!(calls.len(), 1);
    let p = &calls[0].params;
    assert_eq!(p["ExternalId"], "ext:id/42");
    assert_eq!(p["SourceIdentity"], "alice@example.com");
    assert_eq!(p["Tags.member.1.Key"], "Project");
    assert_eq!(p["Tags.member.1.Value"], "Blue Sky");
    assert_eq!(p["Tags.member.2.Key"], "cost-centre");
    assert_eq!(p["Tags.member.2.Value"], "");
    assert_eq!(p["TransitiveTagKeys.member.1"], "Project");
    assert_eq!(p["PolicyArns.member.1.arn"], "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_eq!(p["Policy"], policy);
    // The same options hit the cache; any change is a new session.
    home.run(&args).ok();
    assert_eq!(sandbox.count("AssumeRole"), 1);
    let mut other = args.to_vec();
    other[4] = "ext:id/43";
    home.run(&other).ok();
    let mut inline = args.to_vec();
    inline[args.len() - 1] = policy;
    home.run(&inline).ok();
    assert_eq!(
        sandbox.count("AssumeRole"),
        2,
        "an inline policy equal to the file's is the same session"
    );
    let mut tags = args.to_vec();
    tags[8] = "Project=Red";
    home.run(&tags).ok();
    assert_eq!(sandbox.count("AssumeRole"), 3);
}

#[test]
fn session_options_are_validated_before_any_call() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let eleven: Vec<String> = (0..11)
        .flat_map(|i| ["--policy-arn".to_owned(), format!("arn:aws:iam::aws:policy/P{i}")])
        .collect();
    let big_policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[],\"x\":\"{}\"}}",
        "y".repeat(2048)
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--external-id".into(), "x".into()], "invalid external ID `x`"),
        (vec!["--external-id".into(), "has space".into()], "invalid external ID"),
        (
            vec!["--source-identity".into(), "aws:me".into()],
            "may not start with aws:",
        ),
        (
            vec!["--tag".into(), "novalue".into()],
            "invalid --tag `novalue`: write KEY=VALUE",
        ),
        (vec!["--tag".into(), "k=semi;colon".into()], "invalid value for tag `k`"),
        (vec!["--tag".into(), "=v".into()], "invalid tag key ``"),
        (
            vec!["--tag".into(), "A=1".into(), "--tag".into(), "a=2".into()],
            "tag `a` is given twice",
        ),
        (
            vec!["--transitive-tag".into(), "Nope".into()],
            "transitive tag key `Nope` is not among the tags",
        ),
        (
            vec!["--policy-arn".into(), "arn:aws:iam::aws:role/X".into()],
            "invalid policy ARN",
        ),
        (eleven, "11 policy ARNs given: AWS takes at most 10"),
        (
            vec!["--policy".into(), "{not json".into()],
            "the session policy is not valid JSON",
        ),
        (vec!["--policy".into(), big_policy], "AWS takes at most 2048"),
        (
            vec!["--policy".into(), "/nonexistent/policy.json".into()],
            "cannot read policy file /nonexistent/policy.json",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["assume".to_owned(), "demo".to_owned()];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        home.run(&args).fails_with(needle);
    }
    assert_eq!(sandbox.count("AssumeRole"), 0);
}

#[test]
fn profiles_chain_role_to_role_and_loops_are_refused() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let prod = sandbox.account_id("prod-01").to_owned();
    home.write_config(
        "[profiles.hub]\naccount = \"DEMO\"\n\n[profiles.spoke]\naccount = \"prod-01\"\nrole = \"Deployer\"\nassume_from = \"hub\"\n",
    );
    let out = home.shell("bash", "eval \"$(xacct assume spoke)\" && xacct whoami | head -n1");
    assert_eq!(
        out.ok().trim(),
        format!("arn:aws:sts::{prod}:assumed-role/Deployer/alice")
    );
    let calls = sandbox.calls("AssumeRole");
    assert_eq!(calls.len(), 2);
    assert!(calls[0].params["RoleArn"].ends_with(":role/OrganizationAccountAccessRole"));
    assert_eq!(calls[1].params["RoleArn"], format!("arn:aws:iam::{prod}:role/Deployer"));
    assert_ne!(
        calls[1].access_key_id, calls[0].access_key_id,
        "the second hop acts as the first hop's session"
    );
    // Both hops are cached.
    home.run(&["assume", "spoke"]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 2);
    home.run(&["assume", "spoke", "--duration", "2h"])
        .fails_with("AWS caps chained sessions at 1h");

    home.write_config(
        "[profiles.a]\naccount = \"DEMO\"\nassume_from = \"b\"\n[profiles.b]\naccount = \"DEMO\"\nassume_from = \"a\"\n",
    );
    home.run(&["assume", "a"])
        .fails_with("assume_from makes a loop: a -> b -> a");
    home.write_config("[profiles.a]\naccount = \"DEMO\"\nassume_from = \"ghost\"\n");
    home.run(&["assume", "a"])
        .fails_with("names `ghost`, which is not a profile");
}

#[test]
fn output_formats() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let shell = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    let key = exported(&home, &shell, "AWS_ACCESS_KEY_ID");

    let process: serde_json::Value = serde_json::from_str(
        home.run(&[
            "assume",
            "demo",
            "MemberReadOnlyAccess",
            "--format",
            "credential-process",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(process["Version"], 1);
    assert_eq!(process["AccessKeyId"], key.as_str());
    assert_eq!(
        process["SecretAccessKey"],
        exported(&home, &shell, "AWS_SECRET_ACCESS_KEY").as_str()
    );
    assert_eq!(
        process["SessionToken"],
        exported(&home, &shell, "AWS_SESSION_TOKEN").as_str()
    );
    assert_eq!(
        process["Expiration"],
        exported(&home, &shell, "AWS_CREDENTIAL_EXPIRATION").as_str()
    );

    let json: serde_json::Value = serde_json::from_str(
        home.run(&["assume", "demo", "MemberReadOnlyAccess", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(json["AccessKeyId"], key.as_str());
    assert_eq!(json["AccountId"], sandbox.info.demo_account_id.as_str());
    assert_eq!(
        json["RoleArn"],
        format!(
            "arn:aws:iam::{}:role/MemberReadOnlyAccess",
            sandbox.info.demo_account_id
        )
    );
    assert_eq!(json["Region"], "us-east-1");

    let env = home
        .run(&["assume", "demo", "MemberReadOnlyAccess", "--format", "env"])
        .ok()
        .to_owned();
    assert!(env.lines().any(|l| l == format!("AWS_ACCESS_KEY_ID={key}")), "{env}");
    assert!(env.lines().all(|l| l.starts_with("AWS_") && l.contains('=')), "{env}");
    assert_eq!(sandbox.count("AssumeRole"), 1);
}

#[test]
fn boto3_uses_xacct_as_its_credential_process() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let xacct = assert_cmd::cargo::cargo_bin("xacct");
    let aws_config = home.path().join("aws-config");
    std::fs::write(
        &aws_config,
        format!(
            "[profile demo-ro]\ncredential_process = {} assume demo MemberReadOnlyAccess --format credential-process\nregion = us-east-1\n",
            xacct.display()
        ),
    )
    .unwrap();
    home.set("AWS_CONFIG_FILE", aws_config.to_str().unwrap());
    let python = common::repo_root().join(".venv/bin/python");
    // xacct itself gets demo1's keys from the environment; boto3 must use the profile.
    let script = format!(
        "import boto3; s = boto3.Session(profile_name='demo-ro'); \
         print(s.client('sts', endpoint_url='{}').get_caller_identity()['Arn'])",
        sandbox.info.endpoint
    );
    let out = home.shell("sh", &format!("{} -c \"{script}\"", python.display()));
    assert_eq!(
        out.ok().trim(),
        format!(
            "arn:aws:sts::{}:assumed-role/MemberReadOnlyAccess/alice",
            sandbox.info.demo_account_id
        )
    );
}

#[test]
fn exec_runs_the_command_with_the_credentials_and_passes_its_status() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.shell(
        "sh",
        "export AWS_PROFILE=ignored; xacct exec demo MemberReadOnlyAccess -- sh -c 'echo \"${AWS_PROFILE-unset}\"; xacct whoami | head -n1; exit 7'",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "unset\narn:aws:sts::{}:assumed-role/MemberReadOnlyAccess/alice\n",
            sandbox.info.demo_account_id
        )
    );
    home.run(&["exec", "demo", "--", "/nonexistent/program"])
        .fails_with("cannot run `/nonexistent/program`");
}

#[test]
fn exec_refuses_to_nest_unless_asked() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.shell("sh", "xacct exec demo -- xacct exec demo -- true");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("already inside `xacct exec` for DEMO OrganizationAccountAccessRole"),
        "{}",
        out.stderr
    );
    // Inside the first exec the source is the first session: chaining, so 1h at most.
    home.shell("sh", "xacct exec demo -- xacct exec demo --nested -- true")
        .ok();
}

#[test]
fn whoami_tells_how_long_xacct_credentials_have_left() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.shell(
        "bash",
        "eval \"$(xacct assume demo --duration 30m)\" && xacct whoami && xacct whoami --json",
    );
    let stdout = out.ok();
    let mut lines = stdout.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(":assumed-role/OrganizationAccountAccessRole/alice"));
    let expires = lines.next().unwrap();
    assert!(
        expires.starts_with("expires in 29m") || expires.starts_with("expires in 30m"),
        "{expires}"
    );
    let json: serde_json::Value = serde_json::from_str(&lines.collect::<Vec<_>>().join("\n")).unwrap();
    assert_eq!(json["Account"], sandbox.info.demo_account_id.as_str());
    assert!((1700..=1800).contains(&json["SecondsLeft"].as_i64().unwrap()));
}
