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
fn listing_calls_throttled_four_times_then_lists_every_account() {
    let rig = Rig::new("2s");
    // ListRoots passes; the next four calls (of the per-OU listing) are throttled.
    rig.proxy.plan(json!([{"kind": "pass"}, {"kind": "throttle"}, {"kind": "throttle"}, {"kind": "throttle"}, {"kind": "throttle"}]));
    let table = rig.home.run(&["accounts", "--refresh", "--ou-paths"]).ok().to_owned();
    assert_every_account_in_its_ou(&rig, &table);
    let log = rig.proxy.log();
    let throttled = log.iter().filter(|r| r.fault == "throttle").count();
    assert_eq!(throttled, 4);
    // Each throttled call was sent again: one pass per call of a clean listing.
    let passed = log.iter().filter(|r| r.fault == "pass").count();
    assert_eq!(passed, clean_listing_calls(&rig));
}

/// Every seeded account, once, on a line ending with its OU path.
#[track_caller]
fn assert_every_account_in_its_ou(rig: &Rig, table: &str) {
    assert_eq!(table.lines().count() - 1, rig.sandbox.info.accounts.len(), "{table}");
    for account in &rig.sandbox.info.accounts {
        let line = table.lines().find(|l| l.starts_with(&account.id)).unwrap();
        assert!(line.ends_with(&format!("  {}", account.ou)), "{line}");
    }
}

/// The calls a listing costs when nothing is throttled.
fn clean_listing_calls(rig: &Rig) -> usize {
    rig.proxy.reset();
    rig.home.run(&["accounts", "--refresh"]).ok();
    let calls = rig.proxy.log().len();
    assert!(rig.proxy.log().iter().all(|r| r.fault == "pass"));
    calls
}

#[test]
fn a_proxy_throttling_above_two_in_flight_slows_the_listing_but_it_completes() {
    let sandbox = Sandbox::start();
    let proxy = FaultProxy::start_with_max_in_flight(&sandbox, 2);
    let rig = Rig::with(sandbox, proxy, "10s");
    let table = rig.home.run(&["accounts", "--refresh", "--ou-paths"]).ok().to_owned();
    assert_every_account_in_its_ou(&rig, &table);
    let log = rig.proxy.log();
    let throttled = log.iter().filter(|r| r.fault == "throttle-busy").count();
    let passed = log.iter().filter(|r| r.fault == "pass").count();
    assert!(throttled > 0, "more than two calls were sent at once: {log:?}");
    // Every throttled call was retried until it passed: no call is missing.
    let per_parent = |action: &str| {
        log.iter()
            .filter(|r| r.fault == "pass" && r.action.as_deref() == Some(action))
            .count()
    };
    assert_eq!(
        per_parent("ListAccountsForParent"),
        per_parent("ListOrganizationalUnitsForParent")
    );
    assert_eq!(
        passed,
        1 + 2 * per_parent("ListAccountsForParent"),
        "ListRoots and two calls per parent"
    );
    eprintln!("{throttled} throttled, {passed} passed");
}

#[test]
fn listing_throttled_throughout_fails_in_one_line_and_keeps_the_cached_list() {
    let sandbox = Sandbox::start();
    let proxy = FaultProxy::start(&sandbox);
    let rig = Rig::with(sandbox, proxy, "2s");
    rig.home.run(&["accounts"]).ok();
    let cached = rig.home.cache_dir().join("accounts.toml");
    let before = std::fs::read(&cached).unwrap();
    rig.proxy.reset();
    // Every call from now on is throttled.
    rig.proxy.plan(json!(vec![json!({"kind": "throttle"}); 200]));
    let out = rig.home.run(&["accounts", "--refresh"]);
    out.fails_with(&format!(
        "cannot list the organization's accounts: TooManyRequestsException: {THROTTLE_ADVICE}"
    ));
    // The SDK's 3 attempts, in each of 1 + THROTTLED_ROUNDS rounds of backoff.
    let rounds = 1 + xacct::aws::throttle::THROTTLED_ROUNDS as usize;
    assert_eq!(rig.proxy.faults("ListRoots"), vec!["throttle".to_owned(); 3 * rounds]);
    assert_eq!(
        std::fs::read(&cached).unwrap(),
        before,
        "the cached list stays as it was"
    );
}

#[test]
fn list_accounts_throttled_throughout_fails_clearly() {
    let rig = Rig::always("throttle");
    rig.home.run(&["accounts", "--refresh"]).fails_with(&format!(
        "cannot list the organization's accounts: TooManyRequestsException: {THROTTLE_ADVICE}"
    ));
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
