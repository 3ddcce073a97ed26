//! The account and role pickers, through a real pseudo-terminal (tmux): the
//! picker draws on the terminal while stdout goes to a file, as with
//! `eval "$(xacct assume)"`, and recent choices come first next time.

mod common;

use common::tmux::Tmux;
use common::{Home, Sandbox};

/// Runs `xacct ARGS` in the terminal with stdout to `out.sh` and the exit status to `rc`.
fn start(home: &Home, args: &str) -> Tmux {
    let _ = std::fs::remove_file(home.path().join("rc"));
    Tmux::start(home, &format!("xacct {args} > out.sh; echo $? > rc"))
}

/// Waits for the command in the terminal to end; returns its exit status.
fn finished(home: &Home, tmux: &Tmux) -> i32 {
    tmux.wait_for("[pane done]");
    std::fs::read_to_string(home.path().join("rc"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The identity behind the shell code in `out.sh`.
fn identity_of_output(home: &Home) -> String {
    home.shell(
        "sh",
        &format!(". {}/out.sh && xacct whoami | head -n1", home.path().display()),
    )
    .ok()
    .trim()
    .to_owned()
}

fn home_with_accounts(sandbox: &Sandbox) -> Home {
    let home = Home::with_sandbox(sandbox);
    // Two roles known for every account: the config's default role and OrganizationAccountAccessRole.
    home.write_config("[defaults]\nrole = \"MemberReadOnlyAccess\"\n");
    home.run(&["accounts"]).ok();
    home
}

#[test]
fn typing_part_of_a_name_picks_the_account_then_the_role() {
    let sandbox = Sandbox::start();
    let home = home_with_accounts(&sandbox);
    let demo = &sandbox.info.demo_account_id;

    let tmux = start(&home, "assume");
    tmux.wait_for("? Account");
    tmux.type_text("demo");
    tmux.wait_until(
        |s| s.lines().any(|l| l.contains("DEMO") && l.contains(demo.as_str())),
        "DEMO listed",
    );
    tmux.press("Enter");
    let screen = tmux.wait_for("? Role");
    assert!(screen.contains("MemberReadOnlyAccess") && screen.contains("OrganizationAccountAccessRole"));
    tmux.type_text("orgacc");
    tmux.press("Enter");
    assert_eq!(finished(&home, &tmux), 0, "{}", tmux.screen());
    let code = std::fs::read_to_string(home.path().join("out.sh")).unwrap();
    assert!(
        code.contains("export AWS_ACCESS_KEY_ID="),
        "stdout holds only the shell code: {code}"
    );
    assert!(!code.contains("Account"), "the picker never draws on stdout: {code}");
    assert_eq!(
        identity_of_output(&home),
        format!("arn:aws:sts::{demo}:assumed-role/OrganizationAccountAccessRole/alice")
    );
}

#[test]
fn recent_choices_come_first_next_time() {
    let sandbox = Sandbox::start();
    let home = home_with_accounts(&sandbox);
    let demo = &sandbox.info.demo_account_id;
    // Used without the picker: recorded all the same.
    home.run(&["assume", "DEMO", "MemberReadOnlyAccess"]).ok();

    // Enter twice, typing nothing: the first line of each picker is taken.
    let tmux = start(&home, "assume");
    let screen = tmux.wait_for("? Account");
    let first = screen
        .lines()
        .skip_while(|l| !l.contains("? Account"))
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    assert!(first.contains("DEMO"), "the last account used comes first:\n{screen}");
    tmux.press("Enter");
    tmux.wait_for("? Role");
    tmux.press("Enter");
    assert_eq!(finished(&home, &tmux), 0, "{}", tmux.screen());
    assert_eq!(
        identity_of_output(&home),
        format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess/alice")
    );

    // Another account picked now comes first after that.
    let tmux = start(&home, "assume");
    tmux.wait_for("? Account");
    tmux.type_text("network");
    tmux.wait_until(
        |s| s.lines().filter(|l| l.contains("network")).count() >= 1,
        "network listed",
    );
    tmux.press("Enter");
    tmux.wait_for("? Role");
    tmux.press("Enter");
    assert_eq!(finished(&home, &tmux), 0, "{}", tmux.screen());
    drop(tmux);
    let tmux = start(&home, "url");
    let screen = tmux.wait_for("? Account");
    let order: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("? Account"))
        .skip(1)
        .take(2)
        .collect();
    assert!(order[0].contains("network") && order[1].contains("DEMO"), "{screen}");
}

#[test]
fn a_typed_account_with_an_open_role_picks_only_the_role() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let demo = &sandbox.info.demo_account_id;
    // Two roles used in DEMO before; no default role in the config.
    home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok();
    home.run(&["assume", "demo"]).ok();

    let tmux = start(&home, "exec demo -- sh -c 'xacct whoami | head -n1'");
    let screen = tmux.wait_for("? Role");
    assert!(!screen.contains("? Account"), "{screen}");
    tmux.type_text("member");
    tmux.press("Enter");
    assert_eq!(finished(&home, &tmux), 0, "{}", tmux.screen());
    let out = std::fs::read_to_string(home.path().join("out.sh")).unwrap();
    assert_eq!(
        out.trim(),
        format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess/alice")
    );
}

#[test]
fn escape_picks_nothing_and_prints_nothing() {
    let sandbox = Sandbox::start();
    let home = home_with_accounts(&sandbox);
    let tmux = start(&home, "assume");
    tmux.wait_for("? Account");
    tmux.press("Escape");
    assert_eq!(finished(&home, &tmux), 1);
    assert!(tmux.screen().contains("xacct: no account picked"));
    assert_eq!(std::fs::read_to_string(home.path().join("out.sh")).unwrap(), "");
}

#[test]
fn without_a_terminal_a_missing_account_is_a_usage_error() {
    let home = Home::empty();
    for args in [
        &["assume"][..],
        &["url"],
        &["console", "--print"],
        &["exec", "--", "true"],
    ] {
        let out = home.run(args);
        out.fails_with("no account given and no terminal to pick one on: pass ACCOUNT");
        assert_eq!(out.code, 2, "{args:?}");
    }
}
