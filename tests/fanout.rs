//! `xacct exec` across many accounts, against moto.

mod common;

use common::{Home, Sandbox};

#[test]
fn runs_once_per_account_in_an_ou_with_each_accounts_credentials() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    // Through a shell, so that the command finds xacct on PATH.
    let out = home.shell(
        "sh",
        "xacct exec --ou Root/Workloads/Prod -- sh -c 'xacct whoami | head -n1'",
    );
    let stdout = out.ok();
    let prod = sandbox.accounts_in("Root/Workloads/Prod");
    assert_eq!(prod.len(), 5);
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    for account in prod {
        let want = format!(
            "{} | arn:aws:sts::{}:assumed-role/OrganizationAccountAccessRole/alice",
            account.name, account.id
        );
        assert!(stdout.lines().any(|l| l == want), "{want} in {stdout}");
    }
    assert_eq!(out.stderr.trim(), "xacct: ran in 5 accounts, all succeeded");
    // The sessions went to the cache: a second run asks STS for nothing.
    sandbox.clear_requests();
    home.run(&["exec", "--ou", "Workloads/Prod", "-j", "1", "--", "true"])
        .ok();
    assert_eq!(sandbox.count("AssumeRole"), 0);
}

#[test]
fn a_failing_account_is_reported_and_does_not_stop_the_others() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let script = "echo ran; case \"$XACCT_EXEC\" in dev-02*) echo broken >&2; exit 3;; esac";
    let out = home.run(&[
        "exec",
        "--accounts",
        "dev-*",
        "--role",
        "MemberReadOnlyAccess",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout.lines().filter(|l| l.ends_with(" | ran")).count(),
        5,
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("dev-02 | broken"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("xacct: ran in 5 accounts, 1 failed:\nxacct:   dev-02: exit status 3"),
        "{}",
        out.stderr
    );
    let roles: Vec<String> = sandbox
        .calls("AssumeRole")
        .into_iter()
        .map(|r| r.params["RoleArn"].clone())
        .collect();
    assert_eq!(roles.len(), 5);
    assert!(
        roles.iter().all(|r| r.ends_with(":role/MemberReadOnlyAccess")),
        "{roles:?}"
    );
}

#[test]
fn access_denied_in_every_account_is_summarised() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    home.run(&["accounts"]).ok();
    sandbox.enforce_auth();
    let out = home.run(&["exec", "--accounts", "sandbox-0?", "-j", "2", "--", "true"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("xacct: ran in 4 accounts, 4 failed:"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches("AccessDenied").count(),
        8,
        "a line as it happens and one in the summary each: {}",
        out.stderr
    );
}

#[test]
fn grouped_output_and_selection_errors() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.run(&[
        "exec",
        "--ou",
        "Security",
        "--group",
        "--",
        "sh",
        "-c",
        "echo one; echo two",
    ]);
    let stdout = out.ok();
    for name in ["security", "log-archive", "audit"] {
        let id = sandbox.account_id(name);
        assert!(stdout.contains(&format!("== {name} ({id}) ==\none\ntwo\n")), "{stdout}");
    }
    home.run(&["exec", "--accounts", "nomatch-*", "--", "true"])
        .fails_with("no ACTIVE account matches");
    home.run(&["exec", "demo", "--group", "--", "true"])
        .fails_with("--role and --group go with --all");
    home.run(&["exec", "--all", "demo", "--", "true"])
        .fails_with("cannot be used with");
}

#[test]
fn accounts_really_run_side_by_side() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let barrier = home.path().join("barrier");
    std::fs::create_dir(&barrier).unwrap();
    // Each account's command arrives at a barrier and waits (a bounded number
    // of times) until all five are there: only five commands running at once get through.
    let script = format!(
        "touch '{dir}'/\"$$\"; i=0; while [ \"$(ls '{dir}' | wc -l)\" -lt 5 ]; do \
         i=$((i+1)); [ $i -gt 400 ] && exit 9; sleep 0.05; done; echo through",
        dir = barrier.display()
    );
    let out = home.run(&["exec", "--ou", "Workloads/Prod", "-j", "5", "--", "sh", "-c", &script]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().filter(|l| l.ends_with(" | through")).count(), 5);
}
