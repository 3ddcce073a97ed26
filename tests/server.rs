//! The local credential endpoint (`xacct exec --server`, `xacct serve`)
//! against moto, with real clients: the AWS CLI, boto3/botocore, and xacct's
//! own Rust SDK (`whoami`); the refresh of a session while a client runs;
//! refused requests; secrets kept out of process arguments and logs; exit
//! status and signals; fan-out; the AWS files' `[default]` profile.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::{Home, Sandbox};

const ROLE: &str = "MemberReadOnlyAccess";
/// A deadline for a slow machine, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(90);

fn aws_cli() -> String {
    common::venv_python();
    common::repo_root().join(".venv/bin/aws").display().to_string()
}

fn python() -> String {
    common::venv_python().display().to_string()
}

fn xacct_bin() -> String {
    assert_cmd::cargo::cargo_bin("xacct").display().to_string()
}

fn role_arn(sandbox: &Sandbox) -> String {
    format!(
        "arn:aws:sts::{}:assumed-role/{ROLE}/alice",
        sandbox.info.demo_account_id
    )
}

/// Prints the caller's ARN with boto3 (the default credential chain).
const BOTO3_WHOAMI: &str = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])";

/// Fails if the command's environment holds static credentials or a profile.
const NO_STATIC_KEYS: &str =
    "if env | grep -E '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)='; then exit 9; fi";

/// `xacct args...` started in `home`, with no controlling terminal (so no
/// prompt can be answered), stdin closed, stderr to `stderr_file`.
fn spawn(home: &Home, args: &[&str], stderr_file: &Path) -> Child {
    let mut cmd = home.xacct();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr_file).unwrap());
    detach(&mut cmd);
    cmd.spawn().expect("xacct starts")
}

/// No controlling terminal for `cmd`: /dev/tty cannot be opened.
fn detach(cmd: &mut Command) {
    // SAFETY: setsid(2) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

/// `cmd`'s output, run with no controlling terminal and stdin closed.
fn run_detached(mut cmd: Command) -> common::Output {
    detach(&mut cmd);
    cmd.stdin(Stdio::null());
    common::output_of(&mut cmd)
}

/// Waits for `child`, killing it and failing the test after a long while.
fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("xacct did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `path` holds a whole line, and returns the file's text.
fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A shell loop that waits (a bounded number of times) for `file` to exist.
fn wait_for(file: &Path) -> String {
    format!(
        "i=0; while [ ! -e '{}' ]; do i=$((i+1)); [ $i -gt 1800 ] && exit 8; sleep 0.05; done",
        file.display()
    )
}

/// The port and path of an endpoint URL `http://127.0.0.1:PORT/PATH`.
fn port_and_path(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://127.0.0.1:").expect("a loopback URL");
    let (port, path) = rest.split_once('/').unwrap();
    (port.parse().unwrap(), format!("/{path}"))
}

/// One raw HTTP exchange; returns the status and the body.
fn exchange(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the endpoint listens");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP answer");
    (head[9..12].parse().unwrap(), body.to_owned())
}

fn get(port: u16, path: &str, host: &str, authorization: Option<&str>) -> (u16, String) {
    let auth = authorization
        .map(|t| format!("Authorization: {t}\r\n"))
        .unwrap_or_default();
    exchange(port, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n"))
}

fn is_listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Whether `url` still answers `token` with credentials. (Not only "is the
/// port closed": another test's server may have been given the same port since.)
fn still_served(url: &str, token: &str) -> bool {
    let (port, path) = port_and_path(url);
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\n\r\n");
    let mut response = String::new();
    let _ = stream.write_all(request.as_bytes());
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200 ")
}

/// The value `name` is set to in POSIX or fish code printed by `serve`.
fn value_in(code: &str, name: &str) -> String {
    let line = code
        .lines()
        .find(|l| l.contains(&format!(" {name} ")) || l.contains(&format!(" {name}=")))
        .unwrap_or_else(|| panic!("{name} in {code}"));
    line.split('\'').nth(1).unwrap().to_owned()
}

/// Every secret key and session token in the credential cache.
fn cached_secrets(home: &Home) -> Vec<String> {
    let mut secrets = Vec::new();
    for file in home.session_files() {
        let doc: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
        for entry in doc["credentials"].as_table().unwrap().values() {
            for key in ["secret_access_key", "session_token"] {
                secrets.push(entry[key].as_str().unwrap().to_owned());
            }
        }
    }
    secrets
}

#[test]
fn the_aws_cli_boto3_and_the_rust_sdk_get_the_role_from_exec_server() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let script = format!(
        "{NO_STATIC_KEYS}; '{aws}' sts get-caller-identity --query Arn --output text && \
         '{py}' -c \"{BOTO3_WHOAMI}\" && '{xacct}' whoami | head -n1",
        aws = aws_cli(),
        py = python(),
        xacct = xacct_bin()
    );
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args(["exec", "--server", "demo", ROLE, "--", "sh", "-c", &script]);
        cmd
    });
    let arn = role_arn(&sandbox);
    assert_eq!(out.ok(), format!("{arn}\n{arn}\n{arn}\n"), "{}", out.stderr);
    // One session, served three times from the cache; every call signed with it.
    let assumed = sandbox.calls("AssumeRole");
    assert_eq!(assumed.len(), 1);
    let calls = sandbox.calls("GetCallerIdentity");
    assert_eq!(calls.len(), 3);
    let key = calls[0].access_key_id.clone().unwrap();
    assert!(key.starts_with("ASIA"), "{key}");
    assert!(calls.iter().all(|c| c.access_key_id.as_deref() == Some(key.as_str())));
}

#[test]
fn serve_prints_the_variables_for_each_shell_and_serves_until_interrupted() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let arn = role_arn(&sandbox);
    for (shell, runner) in [("posix", "sh"), ("fish", "fish")] {
        let log = home.path().join(format!("serve-{shell}.log"));
        let mut serve = spawn(&home, &["serve", "demo", ROLE, "--shell", shell], &log);
        // stdout is closed once the variables are printed: reading it ends.
        let mut code = String::new();
        serve.stdout.take().unwrap().read_to_string(&mut code).unwrap();
        assert!(code.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "{code}");
        assert!(code.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"), "{code}");
        let script = format!(
            "{code}\n'{aws}' sts get-caller-identity --query Arn --output text; '{py}' -c \"{BOTO3_WHOAMI}\"",
            aws = aws_cli(),
            py = python()
        );
        // The test home's environment has demo1's keys: the code removes them.
        let out = home.shell(runner, &script);
        assert_eq!(out.ok(), format!("{arn}\n{arn}\n"), "{shell}: {}", out.stderr);

        let said = std::fs::read_to_string(&log).unwrap();
        let address = said
            .split("at http://127.0.0.1:")
            .nth(1)
            .unwrap_or_else(|| panic!("no address on stderr: {said}"));
        let port: u16 = address.split_whitespace().next().unwrap().parse().unwrap();
        assert!(said.starts_with(&format!("xacct: serving DEMO/{ROLE} at http://127.0.0.1:{port} ")));
        // SIGINT or SIGTERM: a clean stop.
        let signal = if shell == "posix" { libc::SIGINT } else { libc::SIGTERM };
        unsafe { libc::kill(serve.id() as i32, signal) };
        let status = wait(&mut serve);
        assert_eq!(status.code(), Some(0), "{:?}", std::fs::read_to_string(&log));
        assert!(std::fs::read_to_string(&log)
            .unwrap()
            .ends_with(&format!("xacct: stopped serving DEMO/{ROLE}\n")));
        let url = value_in(&code, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
        assert_eq!(port_and_path(&url).0, port);
        assert!(!still_served(
            &url,
            &value_in(&code, "AWS_CONTAINER_AUTHORIZATION_TOKEN")
        ));
    }
    assert_eq!(
        sandbox.count("AssumeRole"),
        1,
        "the second serve used the cached session"
    );
}

/// `XACCT_NOW` a day ahead: every cached session looks expired to xacct,
/// so each request for credentials renews the session.
fn a_day_ahead(home: &mut Home) {
    let tomorrow = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    home.set(
        "XACCT_NOW",
        &tomorrow.format(&time::format_description::well_known::Rfc3339).unwrap(),
    );
}

/// The refresh proof: a botocore client that lives through several role
/// sessions. `XACCT_NOW` a day ahead makes every session look expired to
/// xacct, so each request for credentials assumes the role again; a 15-minute
/// session is within botocore's 15-minute advisory window, so botocore asks
/// again before each signed call, without restarting.
#[test]
fn a_running_client_gets_a_new_session_when_the_old_one_is_due() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    a_day_ahead(&mut home);
    let client = home.path().join("client.py");
    std::fs::write(
        &client,
        r#"import json, botocore.session
session = botocore.session.get_session()
sts = session.create_client("sts")
used = []
def record(request, **kwargs):
    auth = request.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    used.append(auth.split("Credential=")[1].split("/")[0])
sts.meta.events.register("before-send.sts.GetCallerIdentity", record)
arns = [sts.get_caller_identity()["Arn"] for _ in range(2)]
print(json.dumps({"keys": used, "arns": arns, "provider": session.get_credentials().method}))
"#,
    )
    .unwrap();
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args(["-v", "exec", "--server", "--duration", "15m", "demo", ROLE, "--"])
            .arg(python())
            .arg(&client);
        cmd
    });
    let seen: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(seen["provider"], "container-role", "botocore used the endpoint");
    let arn = role_arn(&sandbox);
    assert_eq!(seen["arns"], serde_json::json!([arn, arn]));
    let keys: Vec<&str> = seen["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "two sessions, one client process");
    // moto saw each call signed with the key the client says it used.
    let signed: Vec<String> = sandbox
        .calls("GetCallerIdentity")
        .into_iter()
        .map(|c| c.access_key_id.unwrap())
        .collect();
    assert_eq!(signed, keys);
    // One AssumeRole before the command started, then one per answer.
    let served = out.stderr.matches("served credentials").count();
    assert!(served >= 2, "{}", out.stderr);
    assert_eq!(sandbox.count("AssumeRole"), served + 1, "{}", out.stderr);
    eprintln!(
        "refresh proof: AssumeRole calls {}, answers {served}, keys seen by the client {keys:?}",
        served + 1
    );
}

#[test]
fn refused_requests_leak_nothing_and_nothing_is_served_after_the_command() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let (endpoint_file, go) = (home.path().join("endpoint"), home.path().join("go"));
    let script = format!(
        "printf '%s\\n%s\\n' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" \
         > '{file}.tmp' && mv '{file}.tmp' '{file}'; {wait}",
        file = endpoint_file.display(),
        wait = wait_for(&go)
    );
    let log = home.path().join("xacct.log");
    let mut xacct = spawn(
        &home,
        &["exec", "--server", "demo", ROLE, "--", "sh", "-c", &script],
        &log,
    );
    let endpoint = wait_for_file(&endpoint_file);
    let (url, token) = endpoint.trim_end().split_once('\n').unwrap();
    assert_eq!(token.len(), 64, "256 bits in hex");
    let (port, path) = port_and_path(url);
    let host = format!("127.0.0.1:{port}");

    let (status, body) = get(port, &path, &host, Some(token));
    assert_eq!(status, 200, "{body}");
    let good: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(good["AccountId"], sandbox.info.demo_account_id);
    assert!(good["Expiration"].as_str().unwrap().ends_with('Z'));
    let secrets = [
        good["SecretAccessKey"].as_str().unwrap().to_owned(),
        good["Token"].as_str().unwrap().to_owned(),
        good["AccessKeyId"].as_str().unwrap().to_owned(),
    ];

    let wrong = "0".repeat(64);
    let refused = [
        (get(port, &path, &host, None), 401, "Unauthorized"),
        (get(port, &path, &host, Some(&wrong)), 403, "AccessDenied"),
        (get(port, &path, &host, Some(&token[..63])), 403, "AccessDenied"),
        (
            get(port, &path, &format!("attacker.example:{port}"), Some(token)),
            403,
            "InvalidHost",
        ),
        (get(port, "/other", &host, Some(token)), 404, "NotFound"),
        (
            exchange(
                port,
                &format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nContent-Length: 0\r\n\r\n"),
            ),
            405,
            "MethodNotAllowed",
        ),
        (
            exchange(port, &format!("GET {path} HTTP/1.1\r\nAuthorization: {token}\r\n\r\n")),
            400,
            "BadRequest",
        ),
    ];
    for ((status, body), want_status, want_code) in refused {
        assert_eq!(status, want_status, "{body}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["code"], want_code, "{body}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()),
                "a refused answer holds a secret: {body}"
            );
        }
    }

    // While the command runs: no process's arguments show the token or a secret.
    let ps = common::output_of(Command::new("ps").args(["-eo", "args"]));
    let listing = ps.ok();
    assert!(
        listing.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "ps sees the command"
    );
    for secret in secrets.iter().chain([&token.to_owned()]) {
        assert!(!listing.contains(secret.as_str()), "a secret in a process's arguments");
    }

    // Nothing refused was fetched or cached: one session, one AssumeRole.
    assert_eq!(sandbox.count("AssumeRole"), 1);
    assert_eq!(home.session_files().len(), 1);

    std::fs::write(&go, "").unwrap();
    assert_eq!(wait(&mut xacct).code(), Some(0));
    assert!(!still_served(url, token), "nothing is served after the command ended");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        stderr.matches("xacct: credential server: refused a request").count(),
        7,
        "{stderr}"
    );
    assert!(
        stderr.contains("(403 InvalidHost)") && stderr.contains("(401 Unauthorized)"),
        "{stderr}"
    );
    assert!(!stderr.contains(token), "the token is never logged");
}

#[test]
fn verbose_logs_never_show_the_token_or_a_secret() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let token_file = home.path().join("token");
    let script = format!(
        "printf '%s\\n' \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" >> '{}'; '{}' whoami",
        token_file.display(),
        xacct_bin()
    );
    let mut stderr = String::new();
    for (verbosity, rust_log) in [("-vv", None), ("-vvv", Some("trace"))] {
        match rust_log {
            Some(level) => home.set("RUST_LOG", level),
            None => home.unset("RUST_LOG"),
        }
        let out = run_detached({
            let mut cmd = home.xacct();
            cmd.args([
                verbosity,
                "exec",
                "--server",
                "--refresh",
                "demo",
                ROLE,
                "--",
                "sh",
                "-c",
                &script,
            ]);
            cmd
        });
        out.ok();
        stderr.push_str(&out.stderr);
    }
    assert!(stderr.contains("served credentials"), "{stderr}");
    let tokens = std::fs::read_to_string(&token_file).unwrap();
    let mut secrets: Vec<String> = tokens.lines().map(str::to_owned).collect();
    assert_eq!(secrets.len(), 2);
    assert_ne!(secrets[0], secrets[1], "a new token for each run");
    secrets.extend(cached_secrets(&home));
    for secret in &secrets {
        assert!(
            !stderr.contains(secret.as_str()),
            "a secret reached stderr: ...{}",
            &secret[..6]
        );
    }
}

#[test]
fn the_exit_status_and_signals_are_the_commands() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let out = home.run(&["exec", "--server", "demo", "--", "sh", "-c", "exit 7"]);
    assert_eq!(out.code, 7, "{}", out.stderr);

    // A command killed by a signal: xacct ends by the same signal.
    let mut cmd = home.xacct();
    cmd.args(["exec", "--server", "demo", "--", "sh", "-c", "kill -USR1 $$"]);
    let status = cmd.stdin(Stdio::null()).status().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGUSR1), "{status:?}");

    // SIGTERM sent to xacct reaches the command, which decides how it ends.
    let (ready, marker) = (home.path().join("ready"), home.path().join("marker"));
    let script = format!(
        "trap 'echo term > \"{marker}\"; exit 5' TERM; \
         printf '%s\\n%s\\n' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > '{ready}.tmp'; \
         mv '{ready}.tmp' '{ready}'; \
         i=0; while [ $i -lt 1800 ]; do sleep 0.05; i=$((i+1)); done; exit 9",
        marker = marker.display(),
        ready = ready.display()
    );
    let log = home.path().join("xacct.log");
    let mut xacct = spawn(&home, &["exec", "--server", "demo", "--", "sh", "-c", &script], &log);
    let url = wait_for_file(&ready).lines().next().unwrap().to_owned();
    assert!(is_listening(port_and_path(&url).0));
    unsafe { libc::kill(xacct.id() as i32, libc::SIGTERM) };
    let status = wait(&mut xacct);
    assert_eq!(status.code(), Some(5), "{:?}", std::fs::read_to_string(&log));
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "term\n");
    let token = std::fs::read_to_string(&ready).unwrap();
    assert!(
        !still_served(&url, token.lines().nth(1).unwrap()),
        "no listener left behind"
    );
}

/// Ctrl-C on the terminal reaches the command once, from the terminal, and
/// xacct stays: the command's own handling decides, as without xacct.
#[test]
fn ctrl_c_in_an_interactive_command_behaves_as_without_xacct() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let child = home.path().join("child.py");
    std::fs::write(
        &child,
        r#"import sys
print("ready", flush=True)
try:
    sys.stdin.readline()
except KeyboardInterrupt:
    print("interrupted", flush=True)
print("read", sys.stdin.readline().strip(), flush=True)
sys.exit(3)
"#,
    )
    .unwrap();
    // The pane's shell survives Ctrl-C (a trap with a handler: its children get the default).
    let tmux = Tmux::start(
        &home,
        &format!(
            "trap 'echo shell-saw-int' INT; xacct exec --server demo -- '{}' '{}'; echo \"status=$?\"",
            python(),
            child.display()
        ),
    );
    tmux.wait_for("ready");
    tmux.press("C-c");
    tmux.wait_for("interrupted");
    tmux.type_text("go");
    tmux.press("Enter");
    let screen = tmux.wait_for("[pane done]");
    assert!(screen.contains("read go"), "{screen}");
    assert!(
        screen.contains("status=3"),
        "xacct waited and passed the status on:\n{screen}"
    );
    assert_eq!(screen.matches("interrupted").count(), 1, "{screen}");
}

#[test]
fn the_fan_out_serves_each_account_its_own_credentials() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let script = format!(
        "{NO_STATIC_KEYS}; echo \"endpoint $AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN\"; \
         '{}' sts get-caller-identity --query Arn --output text",
        aws_cli()
    );
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args([
            "exec",
            "--ou",
            "Root/Workloads/Prod",
            "--server",
            "--",
            "sh",
            "-c",
            &script,
        ]);
        cmd
    });
    let stdout = out.ok();
    let prod = sandbox.accounts_in("Root/Workloads/Prod");
    assert_eq!(prod.len(), 5);
    let (mut ports, mut paths, mut tokens, mut endpoints) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for account in &prod {
        let lines: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.split_once(" | ").filter(|(name, _)| name.trim_end() == account.name))
            .map(|(_, rest)| rest)
            .collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        let (url, token) = lines[0].strip_prefix("endpoint ").unwrap().split_once(' ').unwrap();
        let (port, path) = port_and_path(url);
        ports.push(port);
        paths.push(path);
        tokens.push(token.to_owned());
        endpoints.push((url.to_owned(), token.to_owned()));
        assert_eq!(
            lines[1],
            format!(
                "arn:aws:sts::{}:assumed-role/OrganizationAccountAccessRole/alice",
                account.id
            )
        );
    }
    ports.dedup();
    assert_eq!(ports.len(), 1, "one server for the run");
    for list in [&mut paths, &mut tokens] {
        list.sort();
        list.dedup();
        assert_eq!(list.len(), 5, "a path and a token per account");
    }
    assert_eq!(out.stderr.trim(), "xacct: ran in 5 accounts, all succeeded");
    assert_eq!(sandbox.count("AssumeRole"), 5);
    for (url, token) in &endpoints {
        assert!(!still_served(url, token));
    }
}

#[test]
fn a_default_profile_in_the_aws_files_does_not_shadow_the_endpoint() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    // The source credentials in ~/.aws/credentials, as many keep them.
    let keys = sandbox.info.demo1.clone();
    home.unset("AWS_ACCESS_KEY_ID");
    home.unset("AWS_SECRET_ACCESS_KEY");
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            keys.access_key_id, keys.secret_access_key
        ),
    )
    .unwrap();
    let script = format!(
        "echo \"$AWS_SHARED_CREDENTIALS_FILE\"; '{}' sts get-caller-identity --query Arn --output text",
        aws_cli()
    );
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args(["exec", "--server", "demo", ROLE, "--", "sh", "-c", &script]);
        cmd
    });
    assert_eq!(
        out.ok(),
        format!("/dev/null\n{}\n", role_arn(&sandbox)),
        "{}",
        out.stderr
    );
}

/// `xacct args` in a home whose config starts MFA sessions with a program
/// that counts its runs in `runs`.
fn mfa_home(sandbox: &Sandbox, extra: &str) -> Home {
    let home = Home::with_sandbox(sandbox);
    let program = home.path().join("code.sh");
    std::fs::write(
        &program,
        format!(
            "echo run >> '{}'\necho 'touch your key' >&2\necho 123456\n",
            home.path().join("runs").display()
        ),
    )
    .unwrap();
    home.write_config(&format!(
        "[defaults]\nmfa_serial = \"{MFA}\"\nmfa_process = \"sh '{}'\"\n{extra}",
        program.display()
    ));
    home
}

const MFA: &str = "arn:aws:iam::123456789012:mfa/demo1";

fn runs(home: &Home) -> usize {
    std::fs::read_to_string(home.path().join("runs"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn mfa_process_gives_one_code_for_many_roles_without_a_prompt() {
    let sandbox = Sandbox::start();
    let home = mfa_home(&sandbox, "");
    let run = |args: &[&str]| {
        let mut cmd = home.xacct();
        cmd.args(args);
        run_detached(cmd)
    };
    let out = run(&["assume", "demo", ROLE]);
    out.ok();
    assert_eq!(out.stderr, "touch your key\n", "the program's stderr passes through");
    run(&["assume", "demo"]).ok();
    let script = format!("'{}' sts get-caller-identity --query Arn --output text", aws_cli());
    let out = run(&["exec", "--server", "--accounts", "prod-0*", "--", "sh", "-c", &script]);
    assert_eq!(out.ok().lines().count(), 5, "{}", out.stderr);
    let sessions = sandbox.calls("GetSessionToken");
    assert_eq!(sessions.len(), 1, "one MFA session for every role");
    assert_eq!(sessions[0].params["TokenCode"], "123456");
    assert_eq!(runs(&home), 1);
    assert_eq!(sandbox.count("AssumeRole"), 7);
}

/// The endpoint renews an MFA session that has expired (here: the clock a
/// day ahead) with mfa_process, with no terminal.
#[test]
fn the_server_renews_the_mfa_session_with_mfa_process() {
    let sandbox = Sandbox::start();
    let mut home = mfa_home(&sandbox, "");
    a_day_ahead(&mut home);
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args(["exec", "--server", "demo", ROLE, "--"]).arg(aws_cli()).args([
            "sts",
            "get-caller-identity",
            "--query",
            "Arn",
            "--output",
            "text",
        ]);
        cmd
    });
    assert_eq!(out.ok(), format!("{}\n", role_arn(&sandbox)), "{}", out.stderr);
    assert_eq!(sandbox.count("GetSessionToken"), 2, "started, then renewed");
    assert_eq!(runs(&home), 2);
}

/// Without mfa_process and without a terminal, a renewal that needs a code
/// is an error answer naming the fix; the command goes on.
#[test]
fn without_mfa_process_or_a_terminal_the_server_answers_an_error_naming_the_fix() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    a_day_ahead(&mut home);
    let client = home.path().join("client.py");
    std::fs::write(
        &client,
        r#"import os, urllib.request, urllib.error
request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
try:
    urllib.request.urlopen(request)
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
"#,
    )
    .unwrap();
    let out = run_detached({
        let mut cmd = home.xacct();
        cmd.args([
            "exec",
            "--server",
            "--mfa-serial",
            MFA,
            "--token-code",
            "123456",
            "demo",
            "--",
        ])
        .arg(python())
        .arg(&client);
        cmd
    });
    let (status, body) = out.ok().split_once(' ').unwrap();
    assert_eq!(status, "500", "{body}");
    let error: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(error["code"], "CredentialsUnavailable");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("no terminal to ask on") && message.contains("mfa_process"),
        "{message}"
    );
    assert!(
        out.stderr
            .contains("xacct: credential server: cannot get credentials for DEMO/OrganizationAccountAccessRole"),
        "{}",
        out.stderr
    );
    assert_eq!(sandbox.count("GetSessionToken"), 1, "the given code was used once");
}

/// With a terminal and no mfa_process, the endpoint asks for the renewal's
/// code there.
#[test]
fn the_server_asks_on_the_terminal_when_there_is_one() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    a_day_ahead(&mut home);
    let client = home.path().join("client.py");
    std::fs::write(
        &client,
        r#"import os, json, urllib.request
request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
print("account", json.load(urllib.request.urlopen(request))["AccountId"], flush=True)
"#,
    )
    .unwrap();
    let tmux = Tmux::start(
        &home,
        &format!(
            "xacct exec --server --mfa-serial {MFA} --token-code 111111 demo -- '{}' '{}'; echo \"status=$?\"",
            python(),
            client.display()
        ),
    );
    tmux.wait_for(&format!("MFA code for {MFA}: "));
    tmux.type_text("222222");
    tmux.press("Enter");
    let screen = tmux.wait_for("[pane done]");
    assert!(
        screen.contains(&format!("account {}", sandbox.info.demo_account_id)),
        "{screen}"
    );
    assert!(screen.contains("status=0"), "{screen}");
    let codes: Vec<String> = sandbox
        .calls("GetSessionToken")
        .into_iter()
        .map(|c| c.params["TokenCode"].clone())
        .collect();
    assert_eq!(codes, ["111111", "222222"]);
}

#[test]
fn a_failing_or_hanging_mfa_process_is_a_clear_error() {
    let sandbox = Sandbox::start();
    let home = mfa_home(&sandbox, "mfa_process_timeout = \"1s\"\n");
    let run = |program: &str| {
        let mut cmd = home.xacct();
        cmd.args(["assume", "demo", "--mfa-process", program]);
        run_detached(cmd)
    };
    let out = run("echo 'no key found' >&2; exit 3");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "no key found\nxacct: mfa_process `echo 'no key found' >&2; exit 3` failed (exit status 3): \
         run it yourself to see why\n"
    );
    run("echo 12345").fails_with("mfa_process `echo 12345` did not print a 6-digit MFA code");
    // A program that never ends is stopped after mfa_process_timeout, with
    // whatever it started.
    run("sleep 60; echo 123456").fails_with(
        "mfa_process `sleep 60; echo 123456` did not finish within 1s: check that it runs on its own \
         (or raise mfa_process_timeout in the config)",
    );
    assert_eq!(sandbox.count("GetSessionToken"), 0);
    assert_eq!(runs(&home), 0, "--mfa-process wins over the config");
}
