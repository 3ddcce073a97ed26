//! `xacct console` end to end: the role session from moto, the sign-in token
//! from a loopback stand-in for the federation endpoint (which checks each
//! request exactly), and the login link opened in a stand-in browser or
//! printed. The real federation endpoint is never contacted: every test points
//! XACCT_FEDERATION_ENDPOINT (or the config) at the stand-in.

mod common;

use common::{FederationStandin, Home, Sandbox};

const MFA: &str = "arn:aws:iam::123456789012:mfa/demo1";

fn home_with(sandbox: &Sandbox, standin: &FederationStandin) -> Home {
    let mut home = Home::with_sandbox(sandbox);
    home.set("XACCT_FEDERATION_ENDPOINT", &standin.endpoint);
    home
}

/// The credentials `xacct assume ARGS --format json` hands out (from the cache
/// when the console command already assumed the same session).
fn assumed(home: &Home, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["assume"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(home.run(&all).ok()).unwrap()
}

fn login_link(endpoint: &str, destination: &str, token: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer=xacct&Destination={}&SigninToken={token}",
        xacct::console::encode(destination)
    )
}

#[track_caller]
fn assert_session_is(request: &common::FederationRequest, creds: &serde_json::Value) {
    assert_eq!(request.error, None);
    let session = request.session.as_ref().expect("a Session");
    assert_eq!(session["sessionId"], creds["AccessKeyId"].as_str().unwrap());
    assert_eq!(session["sessionKey"], creds["SecretAccessKey"].as_str().unwrap());
    assert_eq!(session["sessionToken"], creds["SessionToken"].as_str().unwrap());
}

#[test]
fn print_signs_in_with_the_assumed_role_session() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    let out = home.run(&[
        "console",
        "demo",
        "MemberReadOnlyAccess",
        "--print",
        "--region",
        "eu-west-1",
    ]);
    let link = login_link(
        &standin.endpoint,
        "https://console.aws.amazon.com/console/home?region=eu-west-1",
        "standin-token-1",
    );
    assert_eq!(out.ok(), format!("{link}\n"));
    assert_eq!(out.stderr, "");

    let requests = standin.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request.path, "/federation");
    assert_eq!(request.params["Action"], "getSigninToken");
    // Not chained: the console session is as long as the role session (1h by default).
    assert_eq!(request.session_duration, Some(3600));
    // The same session as `xacct assume` gives: served from the cache, no second AssumeRole.
    let creds = assumed(&home, &["demo", "MemberReadOnlyAccess"]);
    assert_session_is(request, &creds);
    assert_eq!(sandbox.count("AssumeRole"), 1);
    assert!(creds["RoleArn"]
        .as_str()
        .unwrap()
        .ends_with(":role/MemberReadOnlyAccess"));
}

#[test]
fn duration_sets_the_console_session_and_service_the_landing_page() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    let out = home.run(&["console", "demo", "--duration", "2h", "--service", "s3", "--print"]);
    // The region comes from the environment (AWS_REGION in the test home).
    let region = &sandbox.info.region;
    let link = login_link(
        &standin.endpoint,
        &format!("https://console.aws.amazon.com/s3/home?region={region}"),
        "standin-token-1",
    );
    assert_eq!(out.ok().trim_end(), link);
    assert_eq!(standin.requests()[0].session_duration, Some(7200));
    let out = home.run(&[
        "console",
        "demo",
        "--print",
        "--destination",
        "https://us-east-1.console.aws.amazon.com/iam/home#/roles",
    ]);
    let link = login_link(
        &standin.endpoint,
        "https://us-east-1.console.aws.amazon.com/iam/home#/roles",
        "standin-token-2",
    );
    assert_eq!(out.ok().trim_end(), link);
}

#[test]
fn chained_sessions_send_no_session_duration() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = home_with(&sandbox, &standin);
    // Through an MFA session.
    home.run(&[
        "console",
        "demo",
        "MemberReadOnlyAccess",
        "--mfa-serial",
        MFA,
        "--token-code",
        "123456",
        "--print",
    ])
    .ok();
    // From another profile's role session (assume_from).
    home.write_config(
        "[profiles.hub]\naccount = \"DEMO\"\nrole = \"OrganizationAccountAccessRole\"\n\
         [profiles.spoke]\naccount = \"DEMO\"\nrole = \"MemberReadOnlyAccess\"\nassume_from = \"hub\"\n",
    );
    home.run(&["console", "spoke", "--print"]).ok();
    // From temporary credentials in the environment (an earlier `xacct assume`).
    let creds = assumed(&home, &["demo"]);
    home.set("AWS_ACCESS_KEY_ID", creds["AccessKeyId"].as_str().unwrap());
    home.set("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"].as_str().unwrap());
    home.set("AWS_SESSION_TOKEN", creds["SessionToken"].as_str().unwrap());
    home.run(&["console", "demo", "MemberReadOnlyAccess", "--print"]).ok();

    let requests = standin.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    for request in &requests {
        assert_eq!(request.error, None);
        assert_eq!(request.session_duration, None, "{request:?}");
        assert!(!request.params.contains_key("SessionDuration"));
    }
}

/// The page the browser was pointed at, as Python's html.parser reads it:
/// the meta refresh target and the link's href (each must be the sign-in link).
fn redirect_targets(page: &str) -> (String, String) {
    let script = r#"
import sys
from html.parser import HTMLParser
class Page(HTMLParser):
    refresh = href = None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            content = attrs["content"]
            self.refresh = content.split(";", 1)[1].strip()[len("url="):]
        if tag == "a":
            self.href = attrs["href"]
page = Page()
page.feed(sys.stdin.read())
print(page.refresh)
print(page.href)
"#;
    let mut child = std::process::Command::new(common::repo_root().join(".venv/bin/python"))
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines().map(str::to_owned);
    (lines.next().unwrap(), lines.next().unwrap())
}

/// A stand-in browser that records its arguments, a copy of the page it was
/// pointed at, and every process's command line (`ps -eo args`) while it runs.
fn recording_browser(home: &mut Home) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let argv = home.path().join("argv.txt");
    let page = home.path().join("page.html");
    let ps = home.path().join("ps.txt");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGV\"\ncp \"${1#file://}\" \"$PAGE\"\nps -eo args > \"$PS\"\necho 'browser noise'\n",
    )
    .unwrap();
    make_executable(&browser);
    home.set("BROWSER", browser.to_str().unwrap());
    home.set("ARGV", argv.to_str().unwrap());
    home.set("PAGE", page.to_str().unwrap());
    home.set("PS", ps.to_str().unwrap());
    (argv, page, ps)
}

#[test]
fn the_link_opens_in_the_browser_and_nowhere_else() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = home_with(&sandbox, &standin);
    let (argv, page, _) = recording_browser(&mut home);
    let out = home.run(&["console", "demo", "MemberReadOnlyAccess", "--region", "eu-west-1", "-v"]);
    assert_eq!(out.ok(), "", "the link is a secret: not on stdout without --print");
    std::fs::read_to_string(&argv).expect("the browser was run");
    let (refresh, href) = redirect_targets(&std::fs::read_to_string(&page).unwrap());
    let link = login_link(
        &standin.endpoint,
        "https://console.aws.amazon.com/console/home?region=eu-west-1",
        "standin-token-1",
    );
    assert_eq!(refresh, link);
    assert_eq!(href, link);
    assert!(out.stderr.contains("opened the console"), "{}", out.stderr);
    assert!(!out.stderr.contains("standin-token"), "{}", out.stderr);
    assert!(!out.stderr.contains("browser noise"), "{}", out.stderr);
    let creds = assumed(&home, &["demo", "MemberReadOnlyAccess"]);
    for secret in ["SecretAccessKey", "SessionToken"] {
        assert!(!out.stderr.contains(creds[secret].as_str().unwrap()), "{secret} leaked");
    }

    // A browser that fails is an error, still without the link.
    home.set("BROWSER", "false");
    let out = home.run(&["console", "demo", "MemberReadOnlyAccess"]);
    out.fails_with("set BROWSER, or pass --print");
    assert!(!out.stderr.contains("standin-token"));
    // Its page is removed at once; the first one stays for its browser.
    let pages = std::fs::read_dir(home.cache_dir().join("signin")).unwrap().count();
    assert_eq!(pages, 1);
}

/// Other users on the machine see every command line (`ps -eo args`): the
/// browser gets a private page that leads to the link, never the link itself.
#[cfg(unix)]
#[test]
fn the_sign_in_link_never_reaches_a_command_line() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = home_with(&sandbox, &standin);
    let (argv, page, ps) = recording_browser(&mut home);
    // The `%s` form of BROWSER, too.
    let browser = home.path().join("browser.sh");
    home.set("BROWSER", &format!("{} %s", browser.display()));
    home.run(&["console", "demo", "--service", "s3"]).ok();

    let args: Vec<String> = std::fs::read_to_string(&argv)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(args.len(), 1, "{args:?}");
    for text in [&args[0], &std::fs::read_to_string(&ps).unwrap()] {
        assert!(!text.contains("SigninToken"), "{text}");
        assert!(!text.contains("standin-token"), "{text}");
    }
    assert!(
        std::fs::read_to_string(&ps).unwrap().contains("browser.sh"),
        "ps saw the browser running"
    );
    let file = std::path::PathBuf::from(args[0].strip_prefix("file://").expect("a file:// URL"));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600, "{}", file.display());
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let region = &sandbox.info.region;
    let link = login_link(
        &standin.endpoint,
        &format!("https://console.aws.amazon.com/s3/home?region={region}"),
        "standin-token-1",
    );
    let (refresh, href) = redirect_targets(&std::fs::read_to_string(&page).unwrap());
    assert_eq!((refresh.as_str(), href.as_str()), (link.as_str(), link.as_str()));
}

/// A proxy in the environment sees nothing of a sign-in to the loopback
/// endpoint: the credentials travel in that plain-http request.
#[test]
fn plain_http_sign_in_ignores_proxies() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = home_with(&sandbox, &standin);
    // The role session and the account list are cached first: the run under
    // the proxy variables asks nothing of AWS, only of the federation endpoint.
    home.run(&["console", "demo", "--print"]).ok();
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    std::thread::spawn(move || {
        for stream in proxy.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        home.set(var, &proxy_url);
    }
    home.set("NO_PROXY", "");
    home.set("no_proxy", "");
    let out = home.run(&["console", "demo", "--print"]);
    let link = login_link(
        &standin.endpoint,
        &format!(
            "https://console.aws.amazon.com/console/home?region={}",
            sandbox.info.region
        ),
        "standin-token-2",
    );
    assert_eq!(out.ok().trim_end(), link);
    assert_eq!(standin.requests().len(), 2);
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the proxy saw a connection");
}

#[test]
fn secrets_stay_out_of_debug_logs() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    let out = home.run(&["console", "demo", "--print", "-vv"]);
    let link = out.ok().trim_end().to_owned();
    let creds = assumed(&home, &["demo"]);
    assert!(out.stderr.contains("federation endpoint"), "-vv logs the sign-in steps");
    for secret in [
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
        "standin-token-1",
        &link,
    ] {
        assert!(!out.stderr.contains(secret), "a secret reached stderr");
    }
}

#[test]
fn a_refusal_by_the_endpoint_is_one_line_without_secrets() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    standin.refuse();
    let out = home.run(&["console", "demo", "--print"]);
    out.fails_with("refused the credentials (HTTP 400)");
    let creds = assumed(&home, &["demo"]);
    assert!(!out.stderr.contains(creds["SessionToken"].as_str().unwrap()));
    assert!(!out.stderr.contains("sessionKey"));
}

#[test]
fn the_endpoint_comes_from_the_config_too_and_is_checked() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = Home::with_sandbox(&sandbox);
    // The config may name an AWS sign-in host (a regional one here); the
    // environment wins over it, and is how a test or a proxy endpoint is named.
    home.write_config("[defaults]\nfederation_endpoint = \"https://us-east-1.signin.aws.amazon.com/federation\"\n");
    home.set("XACCT_FEDERATION_ENDPOINT", &standin.endpoint);
    home.run(&["console", "demo", "--print"]).ok();
    assert_eq!(standin.requests().len(), 1);
    // Credentials never travel over plain http to another machine.
    home.set("XACCT_FEDERATION_ENDPOINT", "http://example.com/federation");
    home.run(&["console", "demo", "--print"])
        .fails_with("plain http is allowed only to 127.0.0.1 or localhost");
    assert_eq!(standin.requests().len(), 1);
}

/// Offline (or a network that blocks AWS's sign-in host), the message says
/// where another federation endpoint is named.
#[test]
fn an_unreachable_endpoint_says_how_to_name_another() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    // Nothing listens on port 1 of this machine.
    home.set("XACCT_FEDERATION_ENDPOINT", "http://127.0.0.1:1/federation");
    let out = home.run(&["console", "demo", "--print"]);
    out.fails_with("cannot reach the sign-in endpoint http://127.0.0.1:1/federation");
    out.fails_with("name another federation endpoint in XACCT_FEDERATION_ENDPOINT");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// Whoever can write the config file must not be able to send the console
/// credentials elsewhere: there, only AWS sign-in hosts are taken.
#[test]
fn the_config_cannot_send_credentials_to_another_host() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = Home::with_sandbox(&sandbox);
    for hostile in [
        standin.endpoint.as_str(),
        "https://signin.aws.amazon.com.evil.example/federation",
        "https://evilsignin.aws.amazon.com/federation",
        "https://evil.example/signin.aws.amazon.com/federation",
        "https://signin.aws.amazon.com:8443/federation",
    ] {
        home.write_config(&format!("[defaults]\nfederation_endpoint = \"{hostile}\"\n"));
        let out = home.run(&["console", "demo", "--print"]);
        out.fails_with("defaults.federation_endpoint: invalid federation endpoint");
        assert!(
            out.stderr.contains("XACCT_FEDERATION_ENDPOINT"),
            "the message says how to use another endpoint: {}",
            out.stderr
        );
    }
    home.write_config("[defaults]\nfederation_endpoint = \"https://signin.aws.amazon.com@evil.example/federation\"\n");
    home.run(&["console", "demo", "--print"])
        .fails_with("defaults.federation_endpoint: invalid federation endpoint");
    assert!(standin.requests().is_empty());
    assert_eq!(sandbox.count("AssumeRole"), 0);
}

#[test]
fn bad_input_fails_before_any_call() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    home.run(&["console", "demo", "--print", "--service", "S3/../x"])
        .fails_with("invalid service");
    home.run(&["console", "demo", "--print", "--destination", "https://evil.example/"])
        .fails_with("invalid destination");
    home.run(&[
        "console",
        "demo",
        "--service",
        "s3",
        "--destination",
        "https://console.aws.amazon.com/",
    ])
    .fails_with("cannot be used with");
    assert_eq!(sandbox.count("AssumeRole"), 0);
    assert!(standin.requests().is_empty());
}

#[test]
fn url_and_console_refuse_roles_needing_an_external_id_or_source_identity() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    home.write_config(
        "[profiles.vendor]\naccount = \"DEMO\"\nrole = \"MemberReadOnlyAccess\"\nexternal_id = \"vendor-42\"\n\
         [profiles.traced]\naccount = \"DEMO\"\nrole = \"MemberReadOnlyAccess\"\nsource_identity = \"alice\"\n",
    );
    for args in [
        &["url", "vendor"][..],
        &["console", "vendor", "--print"],
        &["url", "traced"],
        &["console", "traced"],
        &["console", "demo", "--external-id", "x-1234", "--print"],
        &["console", "demo", "--source-identity", "alice", "--print"],
    ] {
        let out = home.run(args);
        out.fails_with("the console cannot switch into role ");
        assert!(out.stderr.contains("xacct assume"), "{}", out.stderr);
    }
    assert!(home.run(&["url", "vendor"]).stderr.contains("an external ID"));
    assert!(home.run(&["url", "traced"]).stderr.contains("a source identity"));
    assert_eq!(sandbox.count("AssumeRole"), 0);
    assert!(standin.requests().is_empty());
}

#[test]
fn other_partitions_land_on_their_own_console() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let home = home_with(&sandbox, &standin);
    let demo = &sandbox.info.demo_account_id;
    let arn = format!("arn:aws-us-gov:iam::{demo}:role/MemberReadOnlyAccess");
    let out = home.run(&[
        "console",
        &arn,
        "--print",
        "--region",
        "us-gov-west-1",
        "--service",
        "ec2",
    ]);
    let link = login_link(
        &standin.endpoint,
        "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1",
        "standin-token-1",
    );
    assert_eq!(out.ok().trim_end(), link);
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
