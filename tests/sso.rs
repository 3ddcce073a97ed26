//! IAM Identity Center as the source, end to end: `xacct login` against
//! scripts/sso_standin.py (OIDC and the portal on loopback), whose
//! GetRoleCredentials assumes the role in moto on the person's behalf, so the
//! credentials xacct hands out work against moto. The person has no AWS
//! credentials of their own: everything comes from the sign-in.

mod common;

use std::path::PathBuf;

use common::{venv_python, FederationStandin, Home, Output, Sandbox, SsoStandin};
use serde_json::{json, Value};

const SESSION: &str = "corp";
/// sha1("corp"), as botocore names the token cache file.
const TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

struct Fixture {
    sandbox: Sandbox,
    standin: SsoStandin,
    home: Home,
    _directory: tempfile::TempDir,
}

/// The person's assignments: AdministratorAccess and ReadOnlyAccess in DEMO,
/// ReadOnlyAccess in every other account of the moto organization.
fn assignments(sandbox: &Sandbox) -> Vec<Value> {
    sandbox
        .info
        .accounts
        .iter()
        .map(|a| {
            let roles = if a.name == "DEMO" {
                vec!["AdministratorAccess", "ReadOnlyAccess"]
            } else {
                vec!["ReadOnlyAccess"]
            };
            json!({"accountId": a.id, "accountName": a.name, "roles": roles})
        })
        .collect()
}

/// moto, the stand-in in front of it, and a home without AWS credentials
/// whose xacct config names the sso-session (start URL and region included).
fn fixture() -> Fixture {
    let sandbox = Sandbox::start();
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("directory.json");
    std::fs::write(&file, serde_json::to_string(&assignments(&sandbox)).unwrap()).unwrap();
    let standin = SsoStandin::start(&[
        "--directory",
        file.to_str().unwrap(),
        "--moto-endpoint",
        &sandbox.info.endpoint,
        "--moto-access-key-id",
        &sandbox.info.demo1.access_key_id,
        "--moto-secret-access-key",
        &sandbox.info.demo1.secret_access_key,
    ]);
    let mut home = Home::empty();
    // STS and everything else is moto; the portal and OIDC are the stand-in.
    home.set("AWS_ENDPOINT_URL", &sandbox.info.endpoint);
    home.set("AWS_ENDPOINT_URL_SSO", &standin.info.endpoint);
    home.set("AWS_ENDPOINT_URL_SSO_OIDC", &standin.info.endpoint);
    home.set("AWS_REGION", &sandbox.info.region);
    // boto3 reads this one.
    home.set("AWS_DEFAULT_REGION", &sandbox.info.region);
    home.write_config(&format!(
        "[defaults]\nsso_session = \"{SESSION}\"\n\n[sso_sessions.{SESSION}]\nstart_url = \"{}\"\nregion = \"{}\"\n",
        standin.info.start_url, standin.info.region
    ));
    approving_browser(&mut home);
    Fixture {
        sandbox,
        standin,
        home,
        _directory: directory,
    }
}

/// A browser that opens the verification page, which approves the code
/// (the stand-in's approve_on_visit), as a person clicking "Allow" would.
fn approving_browser(home: &mut Home) {
    use std::os::unix::fs::PermissionsExt;
    let browser = home.path().join("browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec '{}' -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \"$1\"\n",
            venv_python().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    home.set("BROWSER", browser.to_str().unwrap());
}

impl Fixture {
    fn login(&self) {
        let out = self.home.run(&["login"]);
        out.ok();
        assert!(out.stderr.contains("Signed in to"), "{}", out.stderr);
    }

    fn token_file(&self) -> PathBuf {
        self.home.path().join(".aws/sso/cache").join(TOKEN_FILE)
    }

    fn token_cache(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.token_file()).unwrap()).unwrap()
    }

    fn requests(&self, op: &str) -> u64 {
        self.standin.stats()["requests"][op].as_u64().unwrap_or(0)
    }

    fn demo_id(&self) -> &str {
        self.sandbox.account_id("DEMO")
    }

    /// What the session's credentials are to AWS: GetCallerIdentity's ARN in moto.
    fn arn_in(&self, credentials: &Value) -> String {
        let script = "import boto3, json, sys\n\
                      c = json.load(sys.stdin)\n\
                      sts = boto3.client('sts', aws_access_key_id=c['AccessKeyId'], \
                      aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])\n\
                      print(sts.get_caller_identity()['Arn'])\n";
        let mut cmd = std::process::Command::new(venv_python());
        self.home.apply(&mut cmd);
        cmd.args(["-c", script]).stdin(std::process::Stdio::piped());
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(credentials.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(out.ok()).unwrap()
}

#[track_caller]
fn assert_no_secret_in(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!text.contains(secret), "a secret reached the output: {text}");
    }
}

#[test]
fn login_then_accounts_assume_exec_whoami_and_console() {
    let f = fixture();
    f.login();

    // The portal is the account directory: every account the person may use.
    let listed = json_of(&f.home.run(&["accounts", "--json", "--roles"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), f.sandbox.info.accounts.len());
    let demo = listed.iter().find(|a| a["name"] == "DEMO").unwrap();
    assert_eq!(demo["id"], f.demo_id());
    assert_eq!(demo["roles"], json!(["AdministratorAccess", "ReadOnlyAccess"]));
    let table = f.home.run(&["accounts", "--roles"]);
    assert!(table.ok().contains("ROLES"), "{}", table.stdout);
    assert_eq!(f.requests("ListAccounts"), 1, "the second listing is the cached one");

    // A name resolves as it does against Organizations; the session comes from GetRoleCredentials.
    let creds = json_of(
        &f.home
            .run(&["assume", "demo", "AdministratorAccess", "--format", "json"]),
    );
    let arn = f.arn_in(&creds);
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{}:assumed-role/AdministratorAccess/",
            f.demo_id()
        )),
        "{arn}"
    );
    // Cached like any session: the second assume asks no one.
    let again = json_of(
        &f.home
            .run(&["assume", "demo", "AdministratorAccess", "--format", "json"]),
    );
    assert_eq!(again["AccessKeyId"], creds["AccessKeyId"]);
    assert_eq!(f.requests("GetRoleCredentials"), 1);

    // The shell code, evaluated in bash: whoami sees the permission set's session.
    let out = f.home.shell(
        "bash",
        "eval \"$(xacct assume demo AdministratorAccess)\" && xacct whoami && printf 'key=%s\\n' \"$AWS_ACCESS_KEY_ID\"",
    );
    let text = out.ok();
    assert!(text.contains(&arn), "{text}");
    assert!(
        text.contains(&format!("key={}", creds["AccessKeyId"].as_str().unwrap())),
        "{text}"
    );

    // exec runs a command with the session.
    let out = f.home.run(&[
        "exec",
        "demo",
        "ReadOnlyAccess",
        "--",
        venv_python().to_str().unwrap(),
        "-c",
        "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])",
    ]);
    assert!(
        out.ok()
            .starts_with(&format!("arn:aws:sts::{}:assumed-role/ReadOnlyAccess/", f.demo_id())),
        "{}",
        out.stdout
    );

    // console --print signs in to the console with the same (cached) session.
    let federation = FederationStandin::start();
    let out = f
        .home
        .xacct()
        .env("XACCT_FEDERATION_ENDPOINT", &federation.endpoint)
        .args(["console", "demo", "AdministratorAccess", "--print"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&federation.endpoint));
    let request = &federation.requests()[0];
    let session = request.session.as_ref().expect("a Session");
    assert_eq!(session["sessionId"], creds["AccessKeyId"].as_str().unwrap());
    assert_eq!(
        f.requests("GetRoleCredentials"),
        2,
        "one for ReadOnlyAccess; AdministratorAccess was cached"
    );

    // Fan-out: every account, one GetRoleCredentials each.
    f.standin.reset_stats();
    let out = f.home.run(&[
        "exec",
        "--accounts",
        "*",
        "--role",
        "ReadOnlyAccess",
        "-j",
        "4",
        "--",
        "sh",
        "-c",
        "test -n \"$AWS_SESSION_TOKEN\" && echo ok",
    ]);
    assert_eq!(
        out.ok().matches("ok").count(),
        f.sandbox.info.accounts.len(),
        "{}",
        out.stdout
    );
    assert_eq!(
        f.requests("GetRoleCredentials") as usize,
        f.sandbox.info.accounts.len() - 1,
        "DEMO's ReadOnlyAccess was cached"
    );

    // whoami --sso-session says who is signed in, without a secret.
    let out = f.home.run(&["whoami", "--sso-session", SESSION]);
    assert!(out.ok().contains(&f.standin.info.start_url), "{}", out.stdout);
    let cache = f.token_cache();
    assert_no_secret_in(
        &out.stdout,
        &[
            cache["accessToken"].as_str().unwrap(),
            cache["refreshToken"].as_str().unwrap(),
        ],
    );
}

#[test]
fn a_role_in_another_account_is_chained_from_a_permission_set() {
    let f = fixture();
    f.login();
    f.home.write_config(&format!(
        "[defaults]\nsso_session = \"{SESSION}\"\n\n[sso_sessions.{SESSION}]\nstart_url = \"{}\"\nregion = \"{}\"\n\n\
         [profiles.demo-admin]\naccount = \"DEMO\"\nrole = \"AdministratorAccess\"\n\n\
         [profiles.demo-member-ro]\naccount = \"{}\"\nrole = \"MemberReadOnlyAccess\"\nassume_from = \"demo-admin\"\n",
        f.standin.info.start_url,
        f.standin.info.region,
        f.demo_id()
    ));
    f.sandbox.clear_requests();
    let creds = json_of(&f.home.run(&["assume", "demo-member-ro", "--format", "json"]));
    assert!(
        f.arn_in(&creds).starts_with(&format!(
            "arn:aws:sts::{}:assumed-role/MemberReadOnlyAccess/",
            f.demo_id()
        )),
        "{creds}"
    );
    // The AssumeRole was signed with the portal's session of demo-admin.
    let admin = json_of(&f.home.run(&["assume", "demo-admin", "--format", "json"]));
    let assumed = f.sandbox.calls("AssumeRole");
    let chained: Vec<_> = assumed
        .iter()
        .filter(|r| {
            r.params
                .get("RoleArn")
                .is_some_and(|a| a.ends_with("/MemberReadOnlyAccess"))
        })
        .collect();
    assert_eq!(chained.len(), 1, "{assumed:?}");
    assert_eq!(chained[0].access_key_id.as_deref(), admin["AccessKeyId"].as_str());
    assert_eq!(f.requests("GetRoleCredentials"), 1);
}

#[test]
fn generate_aws_config_profiles_work_in_boto3_and_gone_ones_are_pruned() {
    let f = fixture();
    f.login();
    let config = f.home.path().join(".aws/config");
    std::fs::write(&config, "[profile mine]\nregion = eu-west-1\n").unwrap();
    let out = f
        .home
        .run(&["generate", "aws-config", "--write", config.to_str().unwrap()]);
    out.ok();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("[profile mine]\nregion = eu-west-1\n"), "{text}");
    // The sso-session came from xacct's config: the block defines it for the AWS CLI and SDKs.
    assert!(text.contains(&format!(
        "[sso-session {SESSION}]\nsso_start_url = {}",
        f.standin.info.start_url
    )));
    assert!(text.contains(&format!(
        "[profile DEMO.AdministratorAccess]\n# DEMO ({})\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = AdministratorAccess\n",
        f.demo_id(),
        f.demo_id()
    )), "{text}");
    let profiles = text.matches("\n[profile ").count();
    assert_eq!(
        profiles,
        f.sandbox.info.accounts.len() + 1,
        "one per account and role: {text}"
    );

    // boto3 uses a generated profile: the portal with xacct's token, then moto.
    let script = "import boto3\n\
                  s = boto3.Session(profile_name='DEMO.AdministratorAccess')\n\
                  print(s.client('sts').get_caller_identity()['Arn'])\n";
    let mut cmd = std::process::Command::new(venv_python());
    f.home.apply(&mut cmd);
    let out = cmd
        .env("AWS_CONFIG_FILE", &config)
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let arn = String::from_utf8(out.stdout).unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{}:assumed-role/AdministratorAccess/",
            f.demo_id()
        )),
        "{arn}"
    );

    // The person loses AdministratorAccess in DEMO and one account entirely.
    let mut now = assignments(&f.sandbox);
    let gone_at = now.iter().position(|e| e["accountName"] != "DEMO").unwrap();
    let gone = now.remove(gone_at);
    for entry in &mut now {
        if entry["accountName"] == "DEMO" {
            entry["roles"] = json!(["ReadOnlyAccess"]);
        }
    }
    f.standin.replace_directory(&Value::Array(now));
    f.home
        .run(&[
            "generate",
            "aws-config",
            "--refresh",
            "--write",
            config.to_str().unwrap(),
        ])
        .ok();
    let pruned = std::fs::read_to_string(&config).unwrap();
    assert!(pruned.starts_with("[profile mine]\nregion = eu-west-1\n"), "{pruned}");
    assert!(!pruned.contains("[profile DEMO.AdministratorAccess]"), "{pruned}");
    assert!(pruned.contains("[profile DEMO.ReadOnlyAccess]"), "{pruned}");
    assert!(
        !pruned.contains(&format!("sso_account_id = {}", gone["accountId"].as_str().unwrap())),
        "{pruned}"
    );
    assert_eq!(pruned.matches("\n[profile ").count(), f.sandbox.info.accounts.len() - 1);
}

#[test]
fn an_expired_token_is_refreshed_silently_and_without_a_refresh_token_says_login() {
    let f = fixture();
    f.login();
    let first = f.token_cache();
    f.standin.configure(json!({"expire_access_tokens": true}));
    // Within botocore's 15-minute window: xacct refreshes before using it.
    let mut cache = first.clone();
    cache["expiresAt"] = json!("2000-01-01T00:00:00Z");
    std::fs::write(f.token_file(), cache.to_string()).unwrap();
    let out = f
        .home
        .run(&["assume", "demo", "AdministratorAccess", "--format", "json"]);
    out.ok();
    assert_eq!(f.standin.stats()["grants"]["refresh_token"], 1);
    let refreshed = f.token_cache();
    assert_ne!(refreshed["accessToken"], first["accessToken"]);
    assert_ne!(
        refreshed["refreshToken"], first["refreshToken"],
        "the rotated refresh token is kept"
    );
    assert_no_secret_in(
        &format!("{}{}", out.stdout, out.stderr),
        &[
            refreshed["accessToken"].as_str().unwrap(),
            refreshed["refreshToken"].as_str().unwrap(),
        ],
    );

    // Expired, and nothing to refresh it with: one clear line, nothing on stdout.
    let mut cache = refreshed.clone();
    cache.as_object_mut().unwrap().remove("refreshToken");
    cache["expiresAt"] = json!("2000-01-01T00:00:00Z");
    std::fs::write(f.token_file(), cache.to_string()).unwrap();
    let out = f.home.run(&["assume", "demo", "ReadOnlyAccess"]);
    out.fails_with(&format!("run `xacct login --sso-session {SESSION}`"));
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    let out = f.home.run(&["accounts", "--refresh"]);
    out.fails_with("has expired or was revoked");
}

#[test]
fn xacct_uses_a_token_the_aws_cli_cached() {
    let f = fixture();
    // The AWS CLI v2's sign-in, done with boto3's own OIDC client, cached as the AWS CLI caches it.
    let script = format!(
        r#"
import boto3, datetime, json, os, urllib.request
oidc = boto3.client("sso-oidc", region_name="{region}", endpoint_url="{endpoint}")
reg = oidc.register_client(clientName="aws-cli", clientType="public", scopes=["sso:account:access"])
dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="{start_url}")
urllib.request.urlopen(dev["verificationUriComplete"]).read()
tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                        grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=dev["deviceCode"])
fmt = "%Y-%m-%dT%H:%M:%SZ"
now = datetime.datetime.now(datetime.timezone.utc)
doc = {{"startUrl": "{start_url}", "region": "{region}", "accessToken": tok["accessToken"],
       "expiresAt": (now + datetime.timedelta(seconds=tok["expiresIn"])).strftime(fmt),
       "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
       "registrationExpiresAt": datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"], datetime.timezone.utc).strftime(fmt),
       "refreshToken": tok["refreshToken"]}}
os.makedirs(os.path.dirname("{file}"), exist_ok=True)
with open("{file}", "w") as f:
    json.dump(doc, f)
"#,
        region = f.standin.info.region,
        endpoint = f.standin.info.endpoint,
        start_url = f.standin.info.start_url,
        file = f.token_file().display(),
    );
    let mut cmd = std::process::Command::new(venv_python());
    f.home.apply(&mut cmd);
    let out = cmd.args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // No `xacct login`: the AWS CLI's sign-in serves.
    let listed = json_of(&f.home.run(&["accounts", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), f.sandbox.info.accounts.len());
    let creds = json_of(&f.home.run(&["assume", "demo", "ReadOnlyAccess", "--format", "json"]));
    assert!(f.arn_in(&creds).contains(":assumed-role/ReadOnlyAccess/"));
    assert_eq!(
        f.standin.stats()["grants"]["device_code"],
        1,
        "only the AWS CLI's sign-in"
    );
}

#[test]
fn a_thousand_account_listing_completes_through_429s() {
    let standin = SsoStandin::start(&["--accounts", "1000", "--roles-per-account", "2"]);
    let mut home = Home::empty();
    home.set("AWS_ENDPOINT_URL_SSO", &standin.info.endpoint);
    home.set("AWS_ENDPOINT_URL_SSO_OIDC", &standin.info.endpoint);
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[sso-session {SESSION}]\nsso_start_url = {}\nsso_region = {}\n",
            standin.info.start_url, standin.info.region
        ),
    )
    .unwrap();
    approving_browser(&mut home);
    home.run(&["login"]).ok();
    // More than 4 requests in flight at once are answered 429, as the portal does to a burst.
    standin.configure(json!({"max_in_flight": 4, "latency_ms": 5}));
    let out = home.run(&["accounts", "--sso-session", SESSION, "--roles", "--json"]);
    let listed: Value = serde_json::from_str(out.ok()).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1000);
    assert!(listed.iter().all(|a| a["roles"].as_array().unwrap().len() == 2));
    let stats = standin.stats();
    let throttled: u64 = stats["throttled"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(throttled > 0, "the stand-in never throttled: {stats}");
    assert!(
        stats["requests"]["ListAccountRoles"].as_u64().unwrap() >= 1000,
        "{stats}"
    );
    // Names from the portal resolve offline now: the list is cached.
    let first = &listed[0];
    let out = home.run(&[
        "accounts",
        "--sso-session",
        SESSION,
        "--json",
        "--name",
        first["name"].as_str().unwrap(),
    ]);
    assert_eq!(json_of(&out)[0]["id"], first["id"]);
}

#[test]
fn bad_input_with_an_sso_source_is_one_clear_line() {
    let f = fixture();
    // Not signed in yet.
    let out = f.home.run(&["accounts"]);
    out.fails_with(&format!(
        "not signed in to IAM Identity Center (sso-session {SESSION}): run `xacct login"
    ));
    f.login();
    // A role the person does not have.
    let out = f.home.run(&["assume", "demo", "PowerUserAccess"]);
    out.fails_with("IAM Identity Center gives you no role PowerUserAccess in account");
    // AssumeRole options the portal cannot pass on.
    let out = f
        .home
        .run(&["assume", "demo", "AdministratorAccess", "--external-id", "x1234"]);
    out.fails_with("external_id cannot be passed to IAM Identity Center");
    let out = f.home.run(&["accounts", "--ou-paths"]);
    out.fails_with("IAM Identity Center lists no OU paths or tags");
    let out = f.home.run(&["generate", "switch-roles"]);
    out.fails_with("generate switch-roles switches to IAM roles by name");
    let out = f.home.run(&["url", "demo", "AdministratorAccess"]);
    out.fails_with("`xacct console demo AdministratorAccess` signs in");
    for out in [
        f.home.run(&["assume", "demo", "PowerUserAccess"]),
        f.home.run(&["accounts", "--ou-paths"]),
    ] {
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn the_token_and_credentials_never_reach_logs_or_the_process_list() {
    let f = fixture();
    f.login();
    let out = f.home.run(&["-vv", "accounts", "--roles"]);
    out.ok();
    let creds_out = f
        .home
        .run(&["-vv", "assume", "demo", "AdministratorAccess", "--format", "json"]);
    let creds = json_of(&creds_out);
    let cache = f.token_cache();
    let secrets = [
        cache["accessToken"].as_str().unwrap(),
        cache["refreshToken"].as_str().unwrap(),
        cache["clientSecret"].as_str().unwrap(),
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
    ];
    assert_no_secret_in(&out.stdout, &secrets);
    assert_no_secret_in(&out.stderr, &secrets);
    assert_no_secret_in(&creds_out.stderr, &secrets);
    // Neither the command xacct runs nor xacct itself (its parent, serving
    // the credentials) has a secret on its command line.
    f.home.run(&["cache", "clear"]).ok();
    let out = f.home.run(&[
        "-vv",
        "exec",
        "--server",
        "demo",
        "AdministratorAccess",
        "--",
        "sh",
        "-c",
        "tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline",
    ]);
    let secret_now = json_of(
        &f.home
            .run(&["assume", "demo", "AdministratorAccess", "--format", "json"]),
    );
    let all = [
        cache["accessToken"].as_str().unwrap(),
        secret_now["SecretAccessKey"].as_str().unwrap(),
        secret_now["SessionToken"].as_str().unwrap(),
    ];
    assert!(
        out.ok().contains("exec --server demo AdministratorAccess"),
        "{}",
        out.stdout
    );
    assert_no_secret_in(&out.stdout, &all);
    assert_no_secret_in(&out.stderr, &all);
}

#[test]
fn with_no_role_named_the_only_permission_set_serves_and_several_are_named() {
    let f = fixture();
    f.login();
    // The roles are known once a listing fetched them.
    f.home.run(&["accounts", "--roles"]).ok();
    let other = f.sandbox.info.accounts.iter().find(|a| a.name != "DEMO").unwrap();
    let creds = json_of(&f.home.run(&["assume", &other.name, "--format", "json"]));
    assert!(
        f.arn_in(&creds)
            .starts_with(&format!("arn:aws:sts::{}:assumed-role/ReadOnlyAccess/", other.id)),
        "{creds}"
    );
    let out = f.home.run(&["assume", "demo"]);
    out.fails_with("you have several roles in account `DEMO`: AdministratorAccess, ReadOnlyAccess; name one");
    // Nobody assigned the person anything: the listing says so, and why.
    f.standin.replace_directory(&json!([]));
    let out = f.home.run(&["accounts", "--refresh"]);
    out.ok();
    assert!(
        out.stderr.contains("no accounts: your list is empty: IAM Identity Center gives the person signed in to sso-session corp no account"),
        "{}",
        out.stderr
    );
}

/// Printed profiles are appended (`>> ~/.aws/config`): they define the
/// sso-session only when ~/.aws/config does not, so the file still parses.
#[test]
fn printed_aws_config_repeats_no_sso_session_the_file_defines() {
    let f = fixture();
    f.login();
    // From xacct's config only: the printed block carries the section.
    let printed = f.home.run(&["generate", "aws-config"]);
    assert_eq!(printed.ok().matches(&format!("[sso-session {SESSION}]")).count(), 1);

    let config = f.home.path().join(".aws/config");
    std::fs::write(
        &config,
        format!(
            "[sso-session {SESSION}]\nsso_start_url = {}\nsso_region = {}\n",
            f.standin.info.start_url, f.standin.info.region
        ),
    )
    .unwrap();
    let printed = f.home.run(&["generate", "aws-config"]);
    let block = printed.ok();
    assert!(!block.contains("[sso-session"), "{block}");
    assert!(block.contains("sso_session = corp"), "{block}");
    let mut file = std::fs::OpenOptions::new().append(true).open(&config).unwrap();
    std::io::Write::write_all(&mut file, block.as_bytes()).unwrap();
    drop(file);

    // botocore parses the appended file and signs in with the profile through xacct's token.
    let script = "import boto3\n\
                  s = boto3.Session(profile_name='DEMO.AdministratorAccess')\n\
                  print(s.client('sts').get_caller_identity()['Arn'])\n";
    let mut cmd = std::process::Command::new(venv_python());
    f.home.apply(&mut cmd);
    let out = cmd
        .env("AWS_CONFIG_FILE", &config)
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(":assumed-role/AdministratorAccess/"));
}
