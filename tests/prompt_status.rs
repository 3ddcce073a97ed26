//! `xacct whoami --short` for shell prompts: one line from the environment
//! and the local cache (no network), empty when the credentials are not
//! xacct's, colored only on a terminal and never with NO_COLOR.

mod common;

use common::tmux::Tmux;
use common::{Home, Sandbox};

/// `home` with the role session of `assume ARGS` in its environment.
fn with_session(home: &mut Home, args: &[&str]) {
    let mut all = vec!["assume"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let creds: serde_json::Value = serde_json::from_str(home.run(&all).ok()).unwrap();
    for (var, field) in [
        ("AWS_ACCESS_KEY_ID", "AccessKeyId"),
        ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
        ("AWS_SESSION_TOKEN", "SessionToken"),
    ] {
        home.set(var, creds[field].as_str().unwrap());
    }
}

#[test]
fn names_the_account_role_and_minutes_left_without_the_network() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    with_session(&mut home, &["demo", "MemberReadOnlyAccess"]);
    // The endpoint is gone: a prompt must never wait on the network.
    drop(sandbox);
    let out = home.run(&["whoami", "--short"]);
    let line = out.ok().trim_end().to_owned();
    assert_eq!(out.stderr, "");
    let (label, left) = line.rsplit_once(' ').expect("LABEL LEFT");
    assert_eq!(label, "DEMO/MemberReadOnlyAccess");
    assert!(matches!(left, "59m" | "1h00m"), "{left}");
    assert!(!line.contains('\x1b'), "no colors when stdout is not a terminal");
}

#[test]
fn prints_nothing_for_credentials_that_are_not_xacct_s() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    // demo1's long-term keys: not a session xacct handed out.
    let out = home.run(&["whoami", "--short"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
    home.unset("AWS_ACCESS_KEY_ID");
    let out = home.run(&["whoami", "--short"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    home.run(&["whoami", "--short", "--json"])
        .fails_with("cannot be used with");
}

#[test]
fn colors_on_a_terminal_unless_no_color() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    // 15 minutes: under half an hour left shows in yellow.
    with_session(&mut home, &["demo", "--duration", "15m"]);
    let tmux = Tmux::start(&home, "xacct whoami --short");
    tmux.wait_for("[pane done]");
    let screen = tmux.screen_with_colors();
    assert!(screen.contains("DEMO/OrganizationAccountAccessRole"), "{screen}");
    assert!(screen.contains("\x1b[33m"), "yellow minutes on a terminal: {screen:?}");

    home.set("NO_COLOR", "1");
    let tmux = Tmux::start(&home, "xacct whoami --short");
    tmux.wait_for("[pane done]");
    let screen = tmux.screen_with_colors();
    assert!(screen.contains("DEMO/OrganizationAccountAccessRole"), "{screen}");
    assert!(!screen.contains("\x1b[33m"), "NO_COLOR: {screen:?}");
}

/// A prompt runs on every command line: it reads the one file that holds the
/// environment's session, found by its access key ID, and neither the other
/// sessions nor the account list, however many there are.
#[test]
fn the_prompt_reads_only_the_environment_s_session() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    home.run(&["accounts"]).ok();
    let out = home.run(&["exec", "--all", "--", "true"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let others = home.session_files();
    assert!(others.len() > 20, "{}", others.len());
    with_session(&mut home, &["demo", "MemberReadOnlyAccess"]);
    // Every other file would now fail to read (xacct refuses symlinks).
    let elsewhere = home.path().join("elsewhere");
    std::fs::write(&elsewhere, "x").unwrap();
    for file in others.iter().chain([&home.cache_dir().join("accounts.toml")]) {
        std::fs::remove_file(file).unwrap();
        std::os::unix::fs::symlink(&elsewhere, file).unwrap();
    }
    let out = home.run(&["whoami", "--short"]);
    assert_eq!(out.stderr, "");
    assert!(out.ok().starts_with("DEMO/MemberReadOnlyAccess "), "{}", out.stdout);
}

/// Sessions a run over many accounts started show the account's name too,
/// though each was asked for by ID.
#[test]
fn sessions_of_a_fan_out_carry_their_account_name() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let out = home.run(&[
        "exec",
        "--accounts",
        "DEMO",
        "--",
        "sh",
        "-c",
        "echo $AWS_ACCESS_KEY_ID",
    ]);
    let key_id = out.ok().trim().rsplit(' ').next().unwrap().to_owned();
    home.set("AWS_ACCESS_KEY_ID", &key_id);
    std::fs::remove_file(home.cache_dir().join("accounts.toml")).unwrap();
    let out = home.run(&["whoami", "--short"]);
    assert!(
        out.ok().starts_with("DEMO/OrganizationAccountAccessRole "),
        "{}",
        out.stdout
    );
}
