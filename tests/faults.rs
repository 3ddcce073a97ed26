//! xacct under faults: throttling, server errors, dropped connections and
//! slow answers, injected by scripts/fault_proxy.py between xacct and moto.
//!
//! The SDK makes up to 3 attempts (standard retries, backoff with jitter), so
//! the proxy's log shows exactly how many requests each case cost. Nothing
//! here asserts how long anything took.

mod common;

use common::{FaultProxy, Home, Sandbox};
use serde_json::json;

/// A sandbox behind a fault proxy, and a home that talks to AWS through the
/// proxy with `http_timeout` (one attempt's limit) set to `timeout`.
struct Rig {
    sandbox: Sandbox,
    proxy: FaultProxy,
    home: Home,
}

impl Rig {
    fn new(timeout: &str) -> Self {
        let sandbox = Sandbox::start();
        let proxy = FaultProxy::start(&sandbox);
        Self::with(sandbox, proxy, timeout)
    }

    /// With `fault` for every request the plan does not cover.
    fn always(fault: &str) -> Self {
        let sandbox = Sandbox::start();
        let proxy = FaultProxy::start_with_default(&sandbox, fault);
        Self::with(sandbox, proxy, "2s")
    }

    fn with(sandbox: Sandbox, proxy: FaultProxy, timeout: &str) -> Self {
        let mut home = Home::with_sandbox(&sandbox);
        home.set("AWS_ENDPOINT_URL", &proxy.endpoint);
        home.write_config(&format!("[defaults]\nhttp_timeout = \"{timeout}\"\n"));
        Self { sandbox, proxy, home }
    }

    /// `xacct assume DEMO-ID MemberReadOnlyAccess`: by ID, so the only
    /// request is AssumeRole (a name would first cost ListAccounts calls).
    fn assume(&self) -> common::Output {
        let demo = &self.sandbox.info.demo_account_id;
        self.home.run(&["assume", demo, "MemberReadOnlyAccess"])
    }
}

fn faults(kinds: &[&str]) -> Vec<String> {
    kinds.iter().map(|k| k.to_string()).collect()
}

/// No session was cached: the credentials file is absent or holds no entry,
/// and `xacct cache list` shows none.
#[track_caller]
fn assert_nothing_cached(home: &Home) {
    for file in home.session_files() {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains("role_arn"), "a failure must not be cached: {text}");
    }
    assert_eq!(home.run(&["cache", "list", "--json"]).ok().trim(), "[]");
}

const THROTTLE_ADVICE: &str = "Rate exceeded: AWS is throttling requests: wait a moment and try again";

#[test]
fn two_throttles_are_retried_and_the_answer_is_cached() {
    let rig = Rig::new("2s");
    rig.proxy.plan(json!([{"kind": "throttle"}, {"kind": "throttle"}]));
    let first = rig.assume().ok().to_owned();
    assert!(first.contains("AWS_ACCESS_KEY_ID='ASIA"), "{first}");
    assert_eq!(
        rig.proxy.faults("AssumeRole"),
        faults(&["throttle", "throttle", "pass"])
    );
    assert_eq!(rig.proxy.log().len(), 3, "AssumeRole attempts only");
    // The second call is a cache hit: the same answer, no request at all.
    assert_eq!(rig.assume().ok(), first);
    assert_eq!(rig.proxy.log().len(), 3);
}

#[test]
fn a_server_error_then_a_dropped_connection_are_retried() {
    let rig = Rig::new("2s");
    rig.proxy.plan(json!([{"kind": "error500"}, {"kind": "drop"}]));
    rig.assume().ok();
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["error500", "drop", "pass"]));
}

#[test]
fn persistent_throttling_gives_up_after_three_attempts_and_caches_nothing() {
    let rig = Rig::new("2s");
    rig.proxy.plan(json!(vec![json!({"kind": "throttle"}); 5]));
    rig.assume().fails_with(&format!("Throttling: {THROTTLE_ADVICE}"));
    assert_eq!(
        rig.proxy.faults("AssumeRole"),
        faults(&["throttle", "throttle", "throttle"])
    );
    assert_nothing_cached(&rig.home);
    // With the faults gone the next call asks STS again: no failure was cached.
    rig.proxy.reset();
    rig.assume().ok();
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["pass"]));
}

#[test]
fn attempts_slower_than_http_timeout_time_out_and_cache_nothing() {
    let rig = Rig::new("1s");
    rig.proxy.plan(json!(vec![json!({"kind": "slow", "seconds": 5}); 3]));
    rig.assume()
        .fails_with("AWS did not answer in time: check your network and try again");
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["slow", "slow", "slow"]));
    assert_nothing_cached(&rig.home);
}

#[test]
fn slow_answers_within_http_timeout_succeed_at_once() {
    let rig = Rig::new("2s");
    rig.proxy.plan(json!([{"kind": "slow", "seconds": 0.5}]));
    rig.assume().ok();
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["slow"]));
}

#[test]
fn list_accounts_throttled_twice_then_lists_every_page() {
    let rig = Rig::new("2s");
    rig.proxy.plan(json!([{"kind": "throttle"}, {"kind": "throttle"}]));
    let table = rig.home.run(&["accounts", "--refresh"]).ok().to_owned();
    assert_eq!(table.lines().count() - 1, rig.sandbox.info.accounts.len());
    // Page 1 on its third attempt, then page 2 (26 accounts at 20 a page).
    assert_eq!(
        rig.proxy.faults("ListAccounts"),
        faults(&["throttle", "throttle", "pass", "pass"])
    );
}

#[test]
fn list_accounts_throttled_throughout_fails_clearly() {
    let rig = Rig::always("throttle");
    rig.home.run(&["accounts", "--refresh"]).fails_with(&format!(
        "cannot list the organization's accounts: TooManyRequestsException: {THROTTLE_ADVICE}"
    ));
    assert_eq!(
        rig.proxy.faults("ListAccounts"),
        faults(&["throttle", "throttle", "throttle"])
    );
    assert!(
        !rig.home.cache_dir().join("accounts.toml").exists(),
        "no account list cached"
    );
}

#[test]
fn connections_dropped_on_every_attempt_fail_clearly_and_cache_nothing() {
    let rig = Rig::always("drop");
    rig.assume()
        .fails_with("the AWS endpoint closed the connection without answering");
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["drop", "drop", "drop"]));
    assert_nothing_cached(&rig.home);
}

/// `xacct assume DEMO-ID MemberReadOnlyAccess` started in the background.
fn spawn_assume(rig: &Rig) -> std::process::Child {
    let demo = &rig.sandbox.info.demo_account_id;
    rig.home
        .xacct()
        .args(["assume", demo, "MemberReadOnlyAccess"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the proxy has seen `n` AssumeRole requests: the process that
/// sent the first one holds the single-flight lock of its session.
fn wait_for_assume_roles(rig: &Rig, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while rig.proxy.faults("AssumeRole").len() < n {
        assert!(std::time::Instant::now() < deadline, "no AssumeRole reached the proxy");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_stopped_process_fetching_a_session_holds_up_no_one() {
    let rig = Rig::new("60s");
    rig.proxy.plan(json!([{"kind": "slow", "seconds": 60}]));
    let mut first = spawn_assume(&rig);
    wait_for_assume_roles(&rig, 1);
    // Ctrl-Z while it waits for STS.
    signal(&first, "-STOP");
    let started = std::time::Instant::now();
    let second = rig.assume();
    second.ok();
    assert!(
        second.stderr.contains(&format!(
            "xacct: process {}, which is fetching the same session, is stopped; fetching it here instead",
            first.id()
        )),
        "{}",
        second.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "not held up until the flight wait runs out"
    );
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["slow", "pass"]));
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn a_process_waiting_for_another_says_which() {
    let rig = Rig::new("30s");
    rig.proxy.plan(json!([{"kind": "slow", "seconds": 5}]));
    let first = spawn_assume(&rig);
    wait_for_assume_roles(&rig, 1);
    let second = rig.assume();
    let first_pid = first.id();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(
        second.stderr.contains(&format!(
            "xacct: waiting for process {first_pid} that is fetching the same session (up to 30s)"
        )),
        "{}",
        second.stderr
    );
    // It waited for the answer and got it from the cache: one AssumeRole.
    assert_eq!(second.ok(), String::from_utf8(first.stdout).unwrap());
    assert_eq!(rig.proxy.faults("AssumeRole"), faults(&["slow"]));
}
