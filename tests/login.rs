//! `xacct login` against scripts/sso_standin.py (IAM Identity Center's OIDC
//! API and portal on loopback): the device flow with a fake browser, the token
//! cache in the AWS CLI v2's format (boto3 uses xacct's token; xacct refreshes
//! one written as the AWS CLI writes it), and no secret on stdout or stderr.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{venv_python, Home, Output, SsoStandin};
use serde_json::Value;

const SESSION: &str = "corp";
/// sha1("corp"), as botocore names the cache file.
const CACHE_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

struct Setup {
    standin: SsoStandin,
    home: Home,
    browser_log: PathBuf,
}

fn setup() -> Setup {
    let standin = SsoStandin::start(&[]);
    let mut home = Home::empty();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[sso-session {SESSION}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n\n\
             [profile dev]\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = AdministratorAccess\nregion = us-east-1\n",
            standin.info.start_url, standin.info.region, standin.info.first_account_id
        ),
    )
    .unwrap();
    home.set("AWS_ENDPOINT_URL_SSO_OIDC", &standin.info.endpoint);
    home.set("AWS_ENDPOINT_URL_SSO", &standin.info.endpoint);
    // A browser that only records what it was asked to open: the test
    // approves (or denies) the code through the stand-in's control API.
    let browser_log = home.path().join("browser.log");
    let browser = home.path().join("fake-browser");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", browser_log.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    home.set("BROWSER", browser.to_str().unwrap());
    Setup {
        standin,
        home,
        browser_log,
    }
}

fn cache_path(home: &Home) -> PathBuf {
    home.path().join(".aws/sso/cache").join(cache_file_name())
}

fn cache_file_name() -> String {
    CACHE_FILE.to_owned()
}

fn python_cache_file_name() -> String {
    let out = std::process::Command::new(venv_python())
        .args([
            "-c",
            &format!("import hashlib; print(hashlib.sha1(b'{SESSION}').hexdigest() + '.json')"),
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A running `xacct login`, its output read as it comes (a full pipe would
/// stop it).
struct Running {
    child: Child,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
}

fn spawn_login(home: &Home, args: &[&str]) -> Running {
    let mut child = home
        .xacct()
        .arg("login")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).unwrap();
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().unwrap()));
    let stderr = read_all(Box::new(child.stderr.take().unwrap()));
    Running { child, stdout, stderr }
}

fn finish(mut running: Running) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            return Output {
                code: status.code().unwrap_or(-1),
                stdout: running.stdout.join().unwrap(),
                stderr: running.stderr.join().unwrap(),
            };
        }
        if Instant::now() > deadline {
            let _ = running.child.kill();
            panic!("xacct login did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for xacct to start a device authorization; returns the device.
fn pending_device(standin: &SsoStandin) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(device) = standin.devices().into_iter().rev().find(|d| d["status"] == "pending") {
            return device;
        }
        assert!(Instant::now() < deadline, "xacct never started a device authorization");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_cache(home: &Home) -> Value {
    serde_json::from_str(&std::fs::read_to_string(cache_path(home)).unwrap()).unwrap()
}

/// Every secret of the cache file, none of which may be shown.
fn secrets(cache: &Value) -> Vec<String> {
    ["accessToken", "refreshToken", "clientSecret"]
        .iter()
        .filter_map(|k| cache[k].as_str().map(str::to_owned))
        .collect()
}

#[track_caller]
fn assert_no_secret(out: &Output, cache: &Value) {
    for secret in secrets(cache) {
        assert!(!out.stdout.contains(&secret), "a secret on stdout");
        assert!(!out.stderr.contains(&secret), "a secret on stderr: {}", out.stderr);
    }
}

/// Every value logged after `field` is redacted.
#[track_caller]
fn assert_redacted(stderr: &str, field: &str) {
    for (at, _) in stderr.match_indices(field) {
        let after: String = stderr[at + field.len()..].chars().take(40).collect();
        assert!(
            after.contains("(redacted)") || after.contains("Sensitive Data Redacted"),
            "{field} logged unredacted: {field}{after}"
        );
    }
}

fn requests(standin: &SsoStandin, op: &str) -> u64 {
    standin.stats()["requests"][op].as_u64().unwrap_or(0)
}

#[test]
fn the_cache_file_is_named_as_botocore_names_it() {
    assert_eq!(python_cache_file_name(), CACHE_FILE);
}

#[test]
fn signs_in_with_the_browser_and_boto3_uses_the_cached_token() {
    let Setup {
        standin,
        home,
        browser_log,
    } = setup();
    let child = spawn_login(&home, &["-vv"]);
    let device = pending_device(&standin);
    // The browser was given the complete verification address of this device.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser_log.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&browser_log).expect("the browser was opened");
    assert_eq!(opened.trim(), device["verificationUriComplete"].as_str().unwrap());
    assert_eq!(device["clientName"], "xacct");
    assert_eq!(device["startUrl"].as_str(), Some(standin.info.start_url.as_str()));
    standin.approve_all();
    let out = finish(child);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "login prints nothing on stdout");
    assert!(
        out.stderr.contains(device["userCode"].as_str().unwrap()),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Signed in to"), "{}", out.stderr);

    // The cache file, as the AWS CLI v2 writes it.
    let path = cache_path(&home);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let dir = path.parent().unwrap();
        assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let listing: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listing,
        vec![CACHE_FILE.to_owned()],
        "nothing else in the AWS CLI's cache"
    );
    let cache = read_cache(&home);
    assert_eq!(cache["startUrl"].as_str(), Some(standin.info.start_url.as_str()));
    assert_eq!(cache["region"].as_str(), Some(standin.info.region.as_str()));
    for key in ["accessToken", "clientId", "clientSecret", "refreshToken"] {
        assert!(cache[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {path:?}");
    }
    for key in ["expiresAt", "registrationExpiresAt"] {
        let text = cache[key].as_str().unwrap();
        assert!(
            text.len() == 20 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
            "{key} {text:?} is %Y-%m-%dT%H:%M:%SZ"
        );
    }
    assert_no_secret(&out, &cache);

    // boto3 with an sso_session profile uses xacct's token for the portal.
    let script = "import boto3\n\
                  c = boto3.Session(profile_name='dev').get_credentials().get_frozen_credentials()\n\
                  print('ok' if c.access_key and c.secret_key and c.token else 'no credentials')\n";
    let python = venv_python().to_str().unwrap().to_owned();
    let got = home.program(&python, &["-c", script]);
    assert_eq!(got.ok().trim(), "ok", "{}", got.stderr);
    assert_eq!(requests(&standin, "GetRoleCredentials"), 1);
    assert_eq!(standin.stats()["grants"]["device_code"], 1);
    // boto3 did not need to refresh it (nor to sign in).
    assert_eq!(standin.stats()["grants"]["refresh_token"], 0);

    // A token good for an hour is kept: no call at all.
    standin.reset_stats();
    let again = home.run(&["login", "-vv"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "");
    assert!(again.stderr.contains("Already signed in"), "{}", again.stderr);
    assert_eq!(standin.stats()["total"], 0, "{}", standin.stats());
    assert_no_secret(&again, &cache);
}

#[test]
fn refreshes_a_token_the_aws_cli_cached() {
    let Setup { standin, home, .. } = setup();
    // What `aws sso login` leaves behind, written with botocore (register,
    // device authorization approved, token) in the AWS CLI v2's format, and
    // expired since.
    let script = format!(
        r#"
import boto3, json, os, urllib.request, datetime
oidc = boto3.client("sso-oidc", region_name="{region}", endpoint_url="{endpoint}")
reg = oidc.register_client(clientName="botocore-client-corp", clientType="public", scopes=["sso:account:access"])
dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="{start_url}")
urllib.request.urlopen(urllib.request.Request("{endpoint}/_standin/approve", data=b"{{}}", method="POST")).read()
tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                        grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=dev["deviceCode"])
fmt = "%Y-%m-%dT%H:%M:%SZ"
past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
reg_exp = datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"], datetime.timezone.utc)
cache = {{"startUrl": "{start_url}", "region": "{region}", "accessToken": tok["accessToken"],
         "expiresAt": past.strftime(fmt), "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
         "registrationExpiresAt": reg_exp.strftime(fmt), "refreshToken": tok["refreshToken"]}}
d = os.path.expanduser("~/.aws/sso/cache")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "{file}"), "w") as f:
    json.dump(cache, f)
os.chmod(os.path.join(d, "{file}"), 0o600)
"#,
        region = standin.info.region,
        endpoint = standin.info.endpoint,
        start_url = standin.info.start_url,
        file = cache_file_name(),
    );
    let python = venv_python().to_str().unwrap().to_owned();
    home.program(&python, &["-c", &script]).ok();
    let before = read_cache(&home);
    standin.reset_stats();

    let out = home.run(&["login", "-vv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("Refreshed"), "{}", out.stderr);
    let stats = standin.stats();
    assert_eq!(stats["grants"]["refresh_token"], 1, "{stats}");
    assert_eq!(stats["grants"]["device_code"], 0, "{stats}");
    assert_eq!(requests(&standin, "StartDeviceAuthorization"), 0, "{stats}");
    assert_eq!(requests(&standin, "RegisterClient"), 0, "{stats}");

    let after = read_cache(&home);
    assert_ne!(after["accessToken"], before["accessToken"]);
    assert_ne!(
        after["refreshToken"], before["refreshToken"],
        "the rotated refresh token is saved"
    );
    assert_eq!(after["clientId"], before["clientId"], "the registration is kept");
    assert_eq!(after["registrationExpiresAt"], before["registrationExpiresAt"]);
    assert!(after["expiresAt"].as_str().unwrap() > before["expiresAt"].as_str().unwrap());
    assert_no_secret(&out, &before);
    assert_no_secret(&out, &after);

    // The rotated refresh token xacct saved works for botocore too: with the
    // access token expired again, botocore's token provider refreshes it.
    let mut expired = after.clone();
    expired["expiresAt"] = before["expiresAt"].clone();
    std::fs::write(cache_path(&home), expired.to_string()).unwrap();
    let refresh = "from botocore.session import Session\n\
                   from botocore.tokens import SSOTokenProvider\n\
                   t = SSOTokenProvider(Session(profile='dev'), profile_name='dev').load_token().get_frozen_token()\n\
                   print('ok' if t.token else 'none')\n";
    let got = home.program(&python, &["-c", refresh]);
    assert_eq!(got.ok().trim(), "ok", "{}", got.stderr);
    assert_eq!(
        standin.stats()["grants"]["refresh_token"],
        2,
        "botocore refreshed with xacct's refresh token"
    );
    assert_eq!(standin.stats()["grants"]["refresh_refused"], 0);
}

#[test]
fn signs_in_again_when_the_refresh_token_is_refused_or_with_force() {
    let Setup { standin, home, .. } = setup();
    let child = spawn_login(&home, &["--no-browser"]);
    pending_device(&standin);
    standin.approve_all();
    assert_eq!(finish(child).code, 0);
    let first = read_cache(&home);

    // Expired, and its refresh token revoked: the device flow again, with the
    // cached registration (no new RegisterClient).
    let mut expired = first.clone();
    expired["expiresAt"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(cache_path(&home), expired.to_string()).unwrap();
    standin.configure(serde_json::json!({"revoke_refresh_tokens": true}));
    standin.reset_stats();
    let child = spawn_login(&home, &["--no-browser"]);
    pending_device(&standin);
    standin.approve_all();
    let out = finish(child);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("Signed in to"), "{}", out.stderr);
    assert!(out.stderr.contains("can no longer be refreshed"), "{}", out.stderr);
    let stats = standin.stats();
    assert_eq!(stats["grants"]["refresh_refused"], 1, "{stats}");
    assert_eq!(stats["grants"]["device_code"], 1, "{stats}");
    assert_eq!(requests(&standin, "RegisterClient"), 0, "{stats}");
    let second = read_cache(&home);
    assert_ne!(second["accessToken"], first["accessToken"]);
    assert_eq!(second["clientId"], first["clientId"]);

    // A valid token, and --force: signs in again.
    standin.reset_stats();
    let child = spawn_login(&home, &["--no-browser", "--force"]);
    pending_device(&standin);
    standin.approve_all();
    let out = finish(child);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(standin.stats()["grants"]["device_code"], 1);
    assert_eq!(standin.stats()["grants"]["refresh_token"], 0);
    assert_ne!(read_cache(&home)["accessToken"], second["accessToken"]);
    assert_no_secret(&out, &read_cache(&home));
}

#[test]
fn waits_while_the_authorization_is_pending() {
    let Setup { standin, mut home, .. } = setup();
    // At trace level too, with the SDK's request and answer detail.
    home.set("RUST_LOG", "trace");
    let started = Instant::now();
    let child = spawn_login(&home, &["--no-browser"]);
    pending_device(&standin);
    // Approved after a few polls (the interval is 1 s; the stand-in answers
    // slow_down to a client that polls sooner).
    std::thread::sleep(Duration::from_millis(3500));
    standin.approve_all();
    let out = finish(child);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("Signed in to"), "{}", out.stderr);
    assert!(started.elapsed() >= Duration::from_millis(3500));
    let creates = requests(&standin, "CreateToken");
    // Pending polls every second, and no poll too soon (a slow_down would have
    // pushed the next one 5 s later: 3 to 5 polls before the approval).
    assert!((3..=6).contains(&creates), "{creates} CreateToken calls");
    assert_eq!(standin.stats()["grants"]["device_code"], 1);
    let device = standin.devices().pop().unwrap();
    assert_eq!(device["status"], "used");
    assert_eq!(device["interval"], 1, "no slow_down: {device}");
    assert_no_secret(&out, &read_cache(&home));
    for field in [
        "deviceCode",
        "device_code",
        "clientSecret",
        "client_secret",
        "accessToken",
        "access_token",
    ] {
        assert_redacted(&out.stderr, field);
    }
}

#[test]
fn a_denied_sign_in_is_one_clear_line() {
    let Setup { standin, home, .. } = setup();
    let child = spawn_login(&home, &["--no-browser"]);
    pending_device(&standin);
    standin.deny_all();
    let out = finish(child);
    // The prompt (address and code) is on stderr before the error line.
    let last = out.stderr.lines().last().unwrap_or_default().to_owned();
    assert_ne!(out.code, 0);
    assert_eq!(out.stdout, "");
    assert!(last.starts_with("xacct: ") && last.contains("denied"), "{}", out.stderr);
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("xacct: ")).collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(!cache_path(&home).exists());
}

#[test]
fn the_sso_session_comes_from_the_config() {
    let Setup { home, .. } = setup();
    home.run(&["login", "--sso-session", "other"])
        .fails_with("no [sso-session other] section in ~/.aws/config or xacct's config (there are: corp)");
    let config = home.path().join(".aws/config");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[sso-session second]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"),
    )
    .unwrap();
    home.run(&["login"])
        .fails_with("several sso-sessions (corp, second): pass --sso-session NAME");
    std::fs::write(&config, "[profile x]\nregion = eu-west-1\n").unwrap();
    home.run(&["login"])
        .fails_with("no sso-session is configured: add an [sso-session NAME] section");
}

#[test]
fn an_unreachable_endpoint_is_one_clear_line() {
    let Setup { mut home, .. } = setup();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    home.set("AWS_ENDPOINT_URL_SSO_OIDC", &format!("http://127.0.0.1:{port}"));
    home.run(&["login", "--no-browser"])
        .fails_with("cannot register with IAM Identity Center: cannot reach the AWS endpoint");
}

#[test]
fn login_help_has_examples() {
    let out = Home::empty().run(&["login", "--help"]);
    assert!(out.ok().contains("Examples:"));
}
