//! `xacct generate`: AWS CLI profiles (used for real by boto3 against moto),
//! browser-extension configuration and the links page.

mod common;

use common::{Home, Sandbox};

fn boto3_identity(home: &Home, sandbox: &Sandbox, config: &std::path::Path, profile: &str) -> common::Output {
    let python = common::repo_root().join(".venv/bin/python");
    let script = format!(
        "import boto3; s = boto3.Session(profile_name='{profile}'); \
         print(s.client('sts', endpoint_url='{}').get_caller_identity()['Arn'])",
        sandbox.info.endpoint
    );
    let mut home_env = Home::with_sandbox(sandbox);
    home_env.set("HOME", home.path().to_str().unwrap());
    home_env.set("XDG_CACHE_HOME", home.path().join(".cache").to_str().unwrap());
    home_env.set("XDG_CONFIG_HOME", home.path().join(".config").to_str().unwrap());
    home_env.set("AWS_CONFIG_FILE", config.to_str().unwrap());
    home_env.program(python.to_str().unwrap(), &["-c", &script])
}

#[test]
fn aws_config_profiles_work_and_merge_without_touching_the_users() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let config = home.path().join("aws-config");
    let mine = "[default]\nregion = eu-west-1\n\n[profile DEMO.MemberReadOnlyAccess]\nregion = mine\n";
    std::fs::write(&config, mine).unwrap();
    let out = home.run(&[
        "generate",
        "aws-config",
        "--ou",
        "Workloads",
        "--role",
        "MemberReadOnlyAccess",
        "--role",
        "OrganizationAccountAccessRole",
        "--write",
        config.to_str().unwrap(),
    ]);
    out.ok();
    // 15 accounts in Root/Workloads (5 prod, 5 dev, 5 staging... and DEMO) x 2 roles, less the one the user wrote.
    let workloads = sandbox
        .info
        .accounts
        .iter()
        .filter(|a| a.ou.starts_with("Root/Workloads"))
        .count();
    assert!(
        out.stderr.contains("left out profile DEMO.MemberReadOnlyAccess"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("wrote {} profiles", workloads * 2 - 1)),
        "{}",
        out.stderr
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.starts_with(mine),
        "the user's profiles stay first and intact:\n{written}"
    );
    assert_eq!(written.matches("[profile ").count(), workloads * 2);

    // boto3 gets credentials from xacct through a generated profile.
    let prod = sandbox.account_id("prod-01");
    let out = boto3_identity(&home, &sandbox, &config, "prod-01.OrganizationAccountAccessRole");
    assert_eq!(
        out.ok().trim(),
        format!("arn:aws:sts::{prod}:assumed-role/OrganizationAccountAccessRole/alice")
    );

    // A second run replaces the block and still keeps what is around it.
    std::fs::write(&config, format!("{written}\n[profile after]\nregion = x\n")).unwrap();
    home.run(&[
        "generate",
        "aws-config",
        "--name",
        "prod-0*",
        "--write",
        config.to_str().unwrap(),
    ])
    .ok();
    let rewritten = std::fs::read_to_string(&config).unwrap();
    assert!(rewritten.starts_with(mine));
    assert!(rewritten.ends_with("[profile after]\nregion = x\n"), "{rewritten}");
    assert_eq!(rewritten.matches("[profile ").count(), 1 + 5 + 1);
    assert_eq!(rewritten.matches(">>> xacct generated profiles").count(), 1);
}

#[test]
fn a_profile_that_is_its_own_source_stops_with_an_explanation() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let config = home.path().join("aws-config");
    let xacct = assert_cmd::cargo::cargo_bin("xacct");
    let demo = &sandbox.info.demo_account_id;
    std::fs::write(
        &config,
        format!(
            "[profile loop]\ncredential_process = {} assume {demo} --format credential-process\n",
            xacct.display()
        ),
    )
    .unwrap();
    home.set("AWS_CONFIG_FILE", config.to_str().unwrap());
    home.set("AWS_PROFILE", "loop");
    home.unset("AWS_ACCESS_KEY_ID");
    home.unset("AWS_SECRET_ACCESS_KEY");
    let out = home.run(&["assume", demo, "--format", "credential-process"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("credential_process loop"), "{}", out.stderr);
}

#[test]
fn switch_roles_config_colors_by_rule_or_ou() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let text = home
        .run(&[
            "generate",
            "switch-roles",
            "--role",
            "ReadOnly",
            "--role",
            "team/Admin",
            "--color-rule",
            "prod-*=red",
        ])
        .ok()
        .to_owned();
    let active = sandbox.info.accounts.len();
    assert_eq!(text.matches("\n[").count(), active * 2);
    let prod = sandbox.account_id("prod-03");
    let entry = format!("[prod-03 | Admin]\naws_account_id = {prod}\nrole_name = team/Admin\ncolor = f2b0a9\n");
    assert!(text.contains(&entry), "{text}");
    // Without a rule, the accounts of one OU share a color.
    let colors: std::collections::HashSet<&str> = text
        .split("\n[")
        .filter(|e| e.starts_with("dev-") || e.starts_with("staging-"))
        .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("color = ")))
        .collect();
    assert_eq!(colors.len(), 1, "{colors:?}");
    home.run(&["generate", "switch-roles", "--color-rule", "prod"])
        .fails_with("invalid --color-rule `prod`");
}

#[test]
fn links_page_groups_by_ou_and_escapes_names() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let html = home
        .run(&["generate", "links", "--role", "MemberReadOnlyAccess", "--role", "Admin"])
        .ok()
        .to_owned();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<input id=\"search\" type=\"search\""));
    for ou in [
        "Root/Security",
        "Root/Infrastructure",
        "Root/Workloads/Prod",
        "Root/Workloads/Dev",
        "Root/Sandbox",
    ] {
        assert!(html.contains(&format!("<h2>{ou}</h2>")), "{ou}");
    }
    let demo = &sandbox.info.demo_account_id;
    assert!(html.contains(&format!(
        "href=\"https://signin.aws.amazon.com/switchrole?roleName=MemberReadOnlyAccess&amp;account={demo}&amp;displayName=MemberReadOnlyAccess%20%40%20DEMO&amp;color="
    )));
    assert_eq!(html.matches("<tr ").count(), sandbox.info.accounts.len());

    // A hostile account name, as the cached list would hold it.
    let accounts = home.cache_dir().join("accounts.toml");
    let text = std::fs::read_to_string(&accounts).unwrap();
    std::fs::write(&accounts, text.replace("audit", "<script>alert(1)</script>")).unwrap();
    let html = home.run(&["generate", "links"]).ok().to_owned();
    assert!(!html.contains("<script>alert"), "names are escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn aws_config_write_goes_through_a_symlinked_config() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    // A dotfiles setup: ~/.aws/config links (relatively) into a repository.
    let dotfiles = home.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    let target = dotfiles.join("aws-config");
    let mine = "[default]\nregion = eu-west-1\n";
    std::fs::write(&target, mine).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = home.path().join(".aws/config");
    std::os::unix::fs::symlink("../dotfiles/aws-config", &link).unwrap();

    home.run(&[
        "generate",
        "aws-config",
        "--name",
        "prod-0*",
        "--role",
        "OrganizationAccountAccessRole",
        "--write",
        link.to_str().unwrap(),
    ])
    .ok();
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link stays a link");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        std::path::Path::new("../dotfiles/aws-config")
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with(mine), "{written}");
    assert_eq!(written.matches("[profile ").count(), 5, "{written}");
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640,
        "the target keeps its mode"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dotfiles)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("aws-config")]);

    // boto3, reading the config through the link, gets credentials from xacct.
    let prod = sandbox.account_id("prod-01");
    let out = boto3_identity(&home, &sandbox, &link, "prod-01.OrganizationAccountAccessRole");
    assert_eq!(
        out.ok().trim(),
        format!("arn:aws:sts::{prod}:assumed-role/OrganizationAccountAccessRole/alice")
    );
}

#[test]
fn credential_process_runs_xacct_from_a_path_with_spaces_quotes_and_dollars() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    // A copy of xacct in a directory whose name a shell would read otherwise.
    let odd_dir = home.path().join("my apps/it's \"odd\" $HOME $(id) `id` \\x");
    std::fs::create_dir_all(&odd_dir).unwrap();
    let copy = odd_dir.join("xacct");
    std::fs::copy(assert_cmd::cargo::cargo_bin("xacct"), &copy).unwrap();
    let config = home.path().join("aws-config");
    let mut cmd = std::process::Command::new(&copy);
    home.apply(&mut cmd);
    cmd.args([
        "generate",
        "aws-config",
        "--name",
        "prod-01",
        "--role",
        "OrganizationAccountAccessRole",
        "--write",
        config.to_str().unwrap(),
    ]);
    common::output_of(&mut cmd).ok();

    // botocore splits the line back into the copy's exact path and arguments.
    let written = std::fs::read_to_string(&config).unwrap();
    let line = written
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .unwrap_or_else(|| panic!("no credential_process in {written}"));
    let python = common::venv_python();
    let split = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys; from botocore.compat import compat_shell_split; \
             print(json.dumps(compat_shell_split(sys.argv[1])))",
            line,
        ])
        .output()
        .unwrap();
    assert!(split.status.success(), "{}", String::from_utf8_lossy(&split.stderr));
    let argv: Vec<String> = serde_json::from_slice(&split.stdout).unwrap();
    let prod = sandbox.account_id("prod-01");
    let role_arn = format!("arn:aws:iam::{prod}:role/OrganizationAccountAccessRole");
    assert_eq!(
        argv,
        [
            copy.to_str().unwrap(),
            "assume",
            &role_arn,
            "--format",
            "credential-process"
        ]
    );

    // And boto3 runs that copy for its credentials.
    let out = boto3_identity(&home, &sandbox, &config, "prod-01.OrganizationAccountAccessRole");
    assert_eq!(
        out.ok().trim(),
        format!("arn:aws:sts::{prod}:assumed-role/OrganizationAccountAccessRole/alice")
    );
}
