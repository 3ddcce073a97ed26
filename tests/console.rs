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

#[test]
fn the_link_opens_in_the_browser_and_nowhere_else() {
    let sandbox = Sandbox::start();
    let standin = FederationStandin::start();
    let mut home = home_with(&sandbox, &standin);
    let opened = home.path().join("opened.txt");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$OPENED\"\necho 'browser noise' \n",
    )
    .unwrap();
    make_executable(&browser);
    home.set("BROWSER", browser.to_str().unwrap());
    home.set("OPENED", opened.to_str().unwrap());
    let out = home.run(&["console", "demo", "MemberReadOnlyAccess", "--region", "eu-west-1", "-v"]);
    assert_eq!(out.ok(), "", "the link is a secret: not on stdout without --print");
    let link = std::fs::read_to_string(&opened).expect("the browser was run");
    assert_eq!(
        link,
        login_link(
            &standin.endpoint,
            "https://console.aws.amazon.com/console/home?region=eu-west-1",
            "standin-token-1"
        )
    );
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
    home.write_config(&format!("[defaults]\nfederation_endpoint = \"{}\"\n", standin.endpoint));
    home.run(&["console", "demo", "--print"]).ok();
    assert_eq!(standin.requests().len(), 1);
    // Credentials never travel over plain http to another machine.
    home.set("XACCT_FEDERATION_ENDPOINT", "http://example.com/federation");
    home.run(&["console", "demo", "--print"])
        .fails_with("plain http is allowed only to 127.0.0.1 or localhost");
    assert_eq!(standin.requests().len(), 1);
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
