//! `xacct accounts` against moto: every page, the cache, JSON.

mod common;

use common::{Home, Sandbox};

#[test]
fn lists_every_account_across_pages() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let table = home.run(&["accounts"]).ok().to_owned();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "NAME", "EMAIL", "STATE", "JOINED"]
    );
    assert_eq!(lines.len() - 1, sandbox.info.accounts.len());
    assert!(sandbox.info.accounts.len() > 20, "more accounts than one page holds");
    let demo = lines.iter().find(|l| l.contains(" DEMO ")).expect("DEMO listed");
    assert!(demo.starts_with(&sandbox.info.demo_account_id));
    assert!(demo.contains("demo@example.com") && demo.contains("ACTIVE"));
    assert_per_parent_listing(&sandbox);
}

/// The list came from the root and every OU, one page of accounts and one of
/// OUs per parent (none holds more than 20), never from ListAccounts.
#[track_caller]
fn assert_per_parent_listing(sandbox: &Sandbox) {
    let parents = sandbox.count("ListOrganizationalUnitsForParent");
    assert!(parents > 5, "the root and the seeded OUs: {parents}");
    assert_eq!(sandbox.count("ListAccountsForParent"), parents);
    assert_eq!(sandbox.count("ListRoots"), 1);
    assert_eq!(sandbox.count("ListAccounts"), 0);
}

#[test]
fn json_is_an_array_of_accounts() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let json: serde_json::Value = serde_json::from_str(home.run(&["accounts", "--json"]).ok()).unwrap();
    let accounts = json.as_array().unwrap();
    assert_eq!(accounts.len(), sandbox.info.accounts.len());
    let demo = accounts.iter().find(|a| a["name"] == "DEMO").unwrap();
    assert_eq!(demo["id"], sandbox.info.demo_account_id.as_str());
    assert_eq!(demo["email"], "demo@example.com");
    assert_eq!(demo["state"], "ACTIVE");
    assert!(xacct::domain::clock::parse_rfc3339(demo["joined"].as_str().unwrap()).is_some());
}

#[test]
fn the_list_is_cached_until_refresh_or_ttl() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let first = home.run(&["accounts"]).ok().to_owned();
    sandbox.clear_requests();
    assert_eq!(home.run(&["accounts"]).ok(), first);
    // Name lookups reuse it too.
    home.run(&["url", "demo"]).ok();
    assert_eq!(sandbox.requests(), vec![]);
    home.run(&["accounts", "--refresh"]).ok();
    assert_per_parent_listing(&sandbox);
    sandbox.clear_requests();
    home.write_config("[defaults]\naccounts_ttl = 0\n");
    home.run(&["accounts"]).ok();
    assert_per_parent_listing(&sandbox); // a zero TTL always fetches
}

#[test]
fn a_stale_list_still_serves_names_when_aws_is_unreachable() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    home.run(&["accounts"]).ok();
    home.write_config("[defaults]\naccounts_ttl = 0\n");
    home.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    let out = home.run(&["url", "demo", "MemberReadOnlyAccess"]);
    assert!(out.ok().contains(&format!("account={}", sandbox.info.demo_account_id)));
    assert!(
        out.stderr.contains("warning: using an old account list"),
        "{}",
        out.stderr
    );
}

#[test]
fn ou_paths_and_filters() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let table = home.run(&["accounts", "--ou-paths"]).ok().to_owned();
    assert!(table.lines().next().unwrap().ends_with("  OU"), "{table}");
    for account in &sandbox.info.accounts {
        let line = table.lines().find(|l| l.starts_with(&account.id)).unwrap();
        assert!(
            line.ends_with(&format!("  {}", account.ou)),
            "{line} should end with {}",
            account.ou
        );
    }
    let names = |args: &[&str]| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(home.run(args).ok()).unwrap();
        let mut names: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&["accounts", "--json", "--ou", "Root/Security"]),
        ["audit", "log-archive", "security"]
    );
    assert_eq!(names(&["accounts", "--json", "--ou", "workloads/prod"]).len(), 5);
    assert_eq!(
        names(&["accounts", "--json", "--ou", "Workloads"]).len(),
        16,
        "Prod, Dev and DEMO below Workloads"
    );
    assert_eq!(
        names(&["accounts", "--json", "--name", "PROD-0?", "--state", "active"]).len(),
        5
    );
    // Character classes, as shells write them.
    assert_eq!(
        names(&["accounts", "--json", "--name", "prod-0[1-3]"]),
        ["prod-01", "prod-02", "prod-03"]
    );
    assert_eq!(
        names(&["accounts", "--json", "--name", "prod-0[!1-3]"]),
        ["prod-04", "prod-05"]
    );
    assert_eq!(
        names(&["accounts", "--json", "--tag", "env=infrastructure"]),
        ["network", "shared-services"]
    );
    let json: serde_json::Value =
        serde_json::from_str(home.run(&["accounts", "--json", "--name", "demo"]).ok()).unwrap();
    assert_eq!(json[0]["ou"], "Root/Workloads/Dev");
    assert_eq!(json[0]["tags"]["env"], "dev");
    home.run(&["accounts", "--tag", "novalue"])
        .fails_with("invalid --tag `novalue`: write KEY=VALUE");
    // Tags and OU paths were fetched once each and then served from the cache.
    sandbox.clear_requests();
    names(&["accounts", "--json", "--tag", "env=dev", "--ou", "Workloads"]);
    assert_eq!(sandbox.requests(), vec![]);
}

#[test]
fn an_empty_or_refused_list_says_which_identity_listed_it() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let code = home.run(&["assume", "demo", "MemberReadOnlyAccess"]).ok().to_owned();
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        let value = common::exported(&home, &code, var);
        home.set(var, &value);
    }
    let key = common::exported(&home, &code, "AWS_ACCESS_KEY_ID");
    // A member account's role session cannot list the organization: AWS
    // refuses it (moto answers with an empty list or a missing root).
    let out = home.run(&["accounts", "--refresh"]);
    assert!(
        out.stderr
            .contains("these are the credentials of the keys in the environment")
            && out.stderr.contains(&key)
            && out
                .stderr
                .contains("Only the management account or a delegated administrator")
            && out.stderr.contains("temporary credentials"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn verbose_says_what_the_listing_does() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let fetched = home.run(&["-v", "accounts", "--refresh"]);
    fetched.ok();
    for said in [
        "fetching the account list from Organizations",
        "resolving the source credentials",
        "listed the organization",
    ] {
        assert!(
            fetched.stderr.contains(said),
            "{said:?} missing from {}",
            fetched.stderr
        );
    }
    let cached = home.run(&["-v", "accounts"]);
    cached.ok();
    assert!(
        cached.stderr.contains("the account list from the cache"),
        "{}",
        cached.stderr
    );
}
