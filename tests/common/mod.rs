//! Shared test harness: a seeded moto server on 127.0.0.1 per test, and an
//! `xacct` command in a hermetic environment (temp HOME, no AWS_*/XACCT_* from outside).
#![allow(dead_code)]

pub mod tmux;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use assert_cmd::cargo::CommandCargoExt;
use serde::Deserialize;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Installs pinned moto into .venv once per test binary; panics loudly if it cannot.
pub fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/ensure-venv.sh"))
            .status()
            .expect("cannot run scripts/ensure-venv.sh (is bash installed?)");
        assert!(
            status.success(),
            "scripts/ensure-venv.sh failed: moto is required for these tests"
        );
        repo_root().join(".venv/bin/python")
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeededAccount {
    pub id: String,
    pub name: String,
    /// OU path, such as `Root/Workloads/Dev`.
    pub ou: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SandboxInfo {
    pub endpoint: String,
    pub port: u16,
    pub management_account_id: String,
    pub demo_account_id: String,
    pub accounts: Vec<SeededAccount>,
    pub demo1: Keys,
    pub region: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Request {
    pub action: String,
    pub access_key_id: Option<String>,
    /// Query-protocol parameters (STS, IAM), first value of each.
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, String>,
}

/// A moto server seeded with the organization (see scripts/moto_sandbox.py);
/// stopped when dropped.
pub struct Sandbox {
    _service: Service,
    pub info: SandboxInfo,
}

impl Sandbox {
    pub fn start() -> Self {
        let (service, info) = Service::start("moto_sandbox.py", &[]);
        Self {
            _service: service,
            info,
        }
    }

    /// Every request the endpoint has seen since start (or the last clear).
    pub fn requests(&self) -> Vec<Request> {
        let body = self.http("GET", "/_sandbox/requests", "");
        serde_json::from_str(&body).expect("request log is JSON")
    }

    pub fn count(&self, action: &str) -> usize {
        self.requests().iter().filter(|r| r.action == action).count()
    }

    /// The requests of one action, in order.
    pub fn calls(&self, action: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.action == action).collect()
    }

    pub fn clear_requests(&self) {
        self.http("POST", "/_sandbox/requests/clear", "");
    }

    /// Turns on moto's IAM authorization: callers need IAM policies from now on.
    pub fn enforce_auth(&self) {
        self.http("POST", "/moto-api/reset-auth", "0");
    }

    fn http(&self, method: &str, path: &str, body: &str) -> String {
        loopback_http(self.info.port, method, path, body)
    }

    /// The seeded accounts directly in the OU at `path`.
    pub fn accounts_in(&self, path: &str) -> Vec<&SeededAccount> {
        self.info.accounts.iter().filter(|a| a.ou == path).collect()
    }

    pub fn account_id(&self, name: &str) -> &str {
        &self
            .info
            .accounts
            .iter()
            .find(|a| a.name == name)
            .expect("seeded account")
            .id
    }
}

/// A private home for one test: config and cache directories, and the
/// environment that points xacct (and only xacct) at them.
pub struct Home {
    pub dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

impl Home {
    /// No AWS endpoint, no credentials.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap().to_owned();
        let vars = vec![
            ("HOME".to_owned(), root.clone()),
            ("XDG_CONFIG_HOME".to_owned(), format!("{root}/.config")),
            ("XDG_CACHE_HOME".to_owned(), format!("{root}/.cache")),
            ("USER".to_owned(), "alice".to_owned()),
            // Never fall back to the instance metadata service: it is not on loopback.
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        Self { dir, vars }
    }

    /// Credentials of the management account's user `demo1`, against `sandbox`.
    pub fn with_sandbox(sandbox: &Sandbox) -> Self {
        let mut home = Self::empty();
        home.set("AWS_ENDPOINT_URL", &sandbox.info.endpoint);
        home.set("AWS_ACCESS_KEY_ID", &sandbox.info.demo1.access_key_id);
        home.set("AWS_SECRET_ACCESS_KEY", &sandbox.info.demo1.secret_access_key);
        home.set("AWS_REGION", &sandbox.info.region);
        home
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    pub fn unset(&mut self, name: &str) {
        self.vars.retain(|(n, _)| n != name);
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.path().join(".cache/xacct")
    }

    /// The session files of the credential cache: one per cache key.
    pub fn session_files(&self) -> Vec<PathBuf> {
        let Ok(listing) = std::fs::read_dir(self.cache_dir().join("sessions")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = listing
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.ends_with(".toml") && !name.starts_with('.')
            })
            .collect();
        files.sort();
        files
    }

    /// The file of the one cached session.
    #[track_caller]
    pub fn credentials_file(&self) -> PathBuf {
        let files = self.session_files();
        assert_eq!(files.len(), 1, "one cached session: {files:?}");
        files[0].clone()
    }

    pub fn write_config(&self, text: &str) {
        let dir = self.path().join(".config/xacct");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    /// The environment for a process in this home, with nothing AWS- or
    /// xacct-related inherited from the machine.
    pub fn apply(&self, cmd: &mut Command) {
        for (name, _) in std::env::vars_os().filter_map(|(n, v)| Some((n.into_string().ok()?, v))) {
            if name.starts_with("AWS_") || name.starts_with("XACCT_") || name == "HTTP_PROXY" || name == "HTTPS_PROXY" {
                cmd.env_remove(&name);
            }
        }
        cmd.env("NO_PROXY", "127.0.0.1,localhost");
        for (name, value) in &self.vars {
            cmd.env(name, value);
        }
    }

    pub fn xacct(&self) -> Command {
        let mut cmd = Command::cargo_bin("xacct").unwrap();
        self.apply(&mut cmd);
        cmd
    }

    /// Runs `xacct args...` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        Output::of(self.xacct().args(args).stdin(Stdio::null()))
    }

    /// Runs `script` in `shell` with this home's environment and xacct on PATH.
    pub fn shell(&self, shell: &str, script: &str) -> Output {
        self.program(shell, &["-c", script])
    }

    /// Runs `program args...` with this home's environment and xacct on PATH.
    pub fn program(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        self.apply(&mut cmd);
        let bin_dir = assert_cmd::cargo::cargo_bin("xacct").parent().unwrap().to_owned();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        cmd.env("PATH", path).args(args).stdin(Stdio::null());
        Output::of(&mut cmd)
    }
}

impl Home {
    /// `program` with this home's environment and `first_on_path` (say, a
    /// stand-in for the binary) ahead of xacct's directory on PATH.
    pub fn command_with_path_first(&self, program: &str, first_on_path: &Path) -> Command {
        let mut cmd = Command::new(program);
        self.apply(&mut cmd);
        let bin_dir = assert_cmd::cargo::cargo_bin("xacct").parent().unwrap().to_owned();
        let path = format!(
            "{}:{}:{}",
            first_on_path.display(),
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path).stdin(Stdio::null());
        cmd
    }
}

/// Runs `cmd` and returns its output (exit code, stdout, stderr).
pub fn output_of(cmd: &mut Command) -> Output {
    Output::of(cmd)
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn of(cmd: &mut Command) -> Self {
        let out = cmd.output().expect("command runs");
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        &self.stdout
    }

    /// Asserts the bad-input contract: non-zero exit, empty stdout, and one
    /// `xacct: ...` line on stderr containing `needle`.
    #[track_caller]
    pub fn fails_with(&self, needle: &str) {
        assert_ne!(self.code, 0, "expected failure; stdout: {}", self.stdout);
        assert_eq!(self.stdout, "", "stdout must stay empty on error");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr, got: {}", self.stderr);
        assert!(lines[0].starts_with("xacct: "), "{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(
            self.stderr.contains(needle),
            "stderr {:?} should contain {needle:?}",
            self.stderr
        );
    }
}

/// The value `name` is exported as in POSIX shell code `code`, by running it in sh.
pub fn exported(home: &Home, code: &str, name: &str) -> String {
    let script = format!("{code}\nprintf '%s' \"${name}\"");
    home.shell("sh", &script).ok().to_owned()
}

/// One request the fault proxy saw, and what it did to it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FaultRecord {
    pub action: Option<String>,
    /// `throttle`, `error500`, `slow`, `drop` or `pass`, or `throttle-busy`
    /// (over `--max-in-flight`).
    pub fault: String,
}

/// scripts/fault_proxy.py in front of a sandbox: forwards every request to
/// it, except those given a fault by [`FaultProxy::plan`]; stopped when dropped.
pub struct FaultProxy {
    _service: Service,
    pub endpoint: String,
    pub port: u16,
}

impl FaultProxy {
    pub fn start(sandbox: &Sandbox) -> Self {
        Self::spawn(sandbox, &[])
    }

    /// With `fault` (e.g. "drop", "throttle", "slow:5") for every request once
    /// the plan is used up, instead of passing them.
    pub fn start_with_default(sandbox: &Sandbox, fault: &str) -> Self {
        Self::spawn(sandbox, &["--default-fault", fault])
    }

    /// Throttling every request that arrives while `n` others are answered.
    pub fn start_with_max_in_flight(sandbox: &Sandbox, n: usize) -> Self {
        Self::spawn(sandbox, &["--max-in-flight", &n.to_string()])
    }

    fn spawn(sandbox: &Sandbox, args: &[&str]) -> Self {
        let mut all = vec!["--upstream", sandbox.info.endpoint.as_str()];
        all.extend_from_slice(args);
        let (service, ready): (Service, Announced) = Service::start("fault_proxy.py", &all);
        Self {
            _service: service,
            endpoint: ready.endpoint,
            port: ready.port,
        }
    }

    /// The faults for the next requests, one each, in order, e.g.
    /// `json!([{"kind": "throttle"}, {"kind": "slow", "seconds": 0.5}])`.
    pub fn plan(&self, faults: serde_json::Value) {
        let body = serde_json::json!({ "plan": faults }).to_string();
        loopback_http(self.port, "POST", "/_faults", &body);
    }

    /// Every request seen since start (or the last reset), in order.
    pub fn log(&self) -> Vec<FaultRecord> {
        serde_json::from_str(&loopback_http(self.port, "GET", "/_faults/log", "")).expect("the fault log is JSON")
    }

    /// The faults given to the requests of one action, in order.
    pub fn faults(&self, action: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|r| r.action.as_deref() == Some(action))
            .map(|r| r.fault)
            .collect()
    }

    /// Clears the plan and the log.
    pub fn reset(&self) {
        loopback_http(self.port, "POST", "/_faults/reset", "");
    }
}

/// The announcement of a service that needs nothing but its address.
#[derive(Deserialize)]
struct Announced {
    endpoint: String,
    port: u16,
}

/// One of the scripts/ loopback services (see scripts/loopback_service.py):
/// started with the pinned venv's Python, its one-line JSON announcement read,
/// stopped (stdin closed, then killed) when dropped. What it says on stderr
/// is kept out of the test output, and shown only when the test fails.
struct Service {
    child: Child,
    stdin: Option<ChildStdin>,
    script: String,
    log: tempfile::NamedTempFile,
}

impl Service {
    fn start<T: serde::de::DeserializeOwned>(script: &str, args: &[&str]) -> (Self, T) {
        let log = tempfile::NamedTempFile::new().expect("a temporary file for the service's log");
        let mut child = Command::new(venv_python())
            .arg(repo_root().join("scripts").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log.reopen().expect("the service's log")))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start scripts/{script}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let service = Self {
            child,
            stdin,
            script: script.to_owned(),
            log,
        };
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("cannot read what scripts/{script} announced: {e}"));
        let announced =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("scripts/{script} did not start ({e}): {line:?}"));
        (service, announced)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let said = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            eprintln!(
                "--- scripts/{} said on stderr:\n{said}--- end of scripts/{}",
                self.script, self.script
            );
        }
    }
}

/// A bare HTTP/1.0 exchange with a service on 127.0.0.1:`port`; returns the
/// body of a 200 answer.
fn loopback_http(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("helper is listening");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.contains(" 200 "), "{method} {path} answered {head}: {body}");
    body.to_owned()
}

/// What the federation stand-in recorded of one request.
#[derive(Debug, Clone, Deserialize)]
pub struct FederationRequest {
    pub path: String,
    /// Every parameter but Session.
    pub params: std::collections::BTreeMap<String, String>,
    /// The Session JSON, parsed.
    pub session: Option<std::collections::BTreeMap<String, String>>,
    pub session_duration: Option<u64>,
    /// Why the stand-in refused the request, if it did.
    pub error: Option<String>,
}

/// A loopback stand-in for the sign-in federation endpoint (see
/// scripts/federation_standin.py); stopped when dropped.
pub struct FederationStandin {
    _service: Service,
    pub endpoint: String,
    port: u16,
}

impl FederationStandin {
    pub fn start() -> Self {
        let (service, ready): (Service, Announced) = Service::start("federation_standin.py", &[]);
        Self {
            _service: service,
            endpoint: ready.endpoint,
            port: ready.port,
        }
    }

    pub fn requests(&self) -> Vec<FederationRequest> {
        serde_json::from_str(&self.http("GET", "/_standin/requests")).expect("request log is JSON")
    }

    /// From now on the stand-in answers 400, as AWS does for unusable credentials.
    pub fn refuse(&self) {
        self.http("POST", "/_standin/refuse");
    }

    fn http(&self, method: &str, path: &str) -> String {
        loopback_http(self.port, method, path, "")
    }
}

/// What scripts/sso_standin.py announces when ready.
#[derive(Debug, Clone, Deserialize)]
pub struct SsoStandinInfo {
    pub endpoint: String,
    pub port: u16,
    pub region: String,
    pub start_url: String,
    pub first_account_id: String,
}

/// A loopback stand-in for IAM Identity Center's OIDC API and portal (see
/// scripts/sso_standin.py); stopped when dropped.
pub struct SsoStandin {
    _service: Service,
    pub info: SsoStandinInfo,
}

impl SsoStandin {
    pub fn start(args: &[&str]) -> Self {
        let (service, info) = Service::start("sso_standin.py", args);
        Self {
            _service: service,
            info,
        }
    }

    /// `GET /_standin/stats`.
    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.http("GET", "/_standin/stats", "")).expect("stats are JSON")
    }

    /// `GET /_standin/devices`, newest last.
    pub fn devices(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&self.http("GET", "/_standin/devices", "")).expect("devices are JSON")
    }

    /// Approves every pending device code; returns their user codes.
    pub fn approve_all(&self) -> Vec<String> {
        let answer: serde_json::Value =
            serde_json::from_str(&self.http("POST", "/_standin/approve", "{}")).expect("JSON");
        serde_json::from_value(answer["approved"].clone()).expect("a list of user codes")
    }

    /// Denies every pending device code.
    pub fn deny_all(&self) {
        self.http("POST", "/_standin/deny", "{}");
    }

    /// `POST /_standin/config` with `settings`.
    pub fn configure(&self, settings: serde_json::Value) {
        self.http("POST", "/_standin/config", &settings.to_string());
    }

    pub fn reset_stats(&self) {
        self.http("POST", "/_standin/reset", "");
    }

    /// `POST /_standin/directory`: the person's assignments change.
    pub fn replace_directory(&self, directory: &serde_json::Value) {
        self.http("POST", "/_standin/directory", &directory.to_string());
    }

    fn http(&self, method: &str, path: &str, body: &str) -> String {
        loopback_http(self.info.port, method, path, body)
    }
}
