//! `xacct url`: switch-role links, with and without credentials.

mod common;

use common::{Home, Sandbox};

#[test]
fn by_id_needs_no_credentials_and_no_endpoint() {
    let home = Home::empty();
    let url = home
        .run(&["url", "111122223333", "MemberReadOnlyAccess", "--color", "blue"])
        .ok()
        .trim()
        .to_owned();
    assert_eq!(
        url,
        "https://signin.aws.amazon.com/switchrole?roleName=MemberReadOnlyAccess&account=111122223333\
         &displayName=MemberReadOnlyAccess%20%40%20111122223333&color=83d4e8"
    );
}

#[test]
fn by_name_from_the_cached_list_without_credentials() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    home.run(&["accounts"]).ok();
    drop(sandbox);
    // The same source (the keys' ID) with its secret gone, as after an expired
    // login: its list serves. Another source's would not: it may be another
    // organization's (see names_resolve_in_the_organization_of_the_profile...).
    home.unset("AWS_SECRET_ACCESS_KEY");
    let url = home.run(&[
        "url",
        "demo",
        "MemberReadOnlyAccess",
        "--display-name",
        "demo-ro",
        "--color",
        "83D4E8",
    ]);
    let url = url.ok().trim().to_owned();
    assert!(url.contains("roleName=MemberReadOnlyAccess&account="), "{url}");
    assert!(url.ends_with("&displayName=demo-ro&color=83d4e8"), "{url}");
}

#[test]
fn role_paths_partitions_and_encoding() {
    let home = Home::empty();
    let url = home
        .run(&[
            "url",
            "111122223333",
            "team/ops/Admin",
            "--display-name",
            "Ops & Co 100%",
        ])
        .ok()
        .to_owned();
    assert!(url.contains("roleName=team%2Fops%2FAdmin&"), "{url}");
    assert!(url.contains("displayName=Ops%20%26%20Co%20100%25"), "{url}");
    let cn = home
        .run(&["url", "arn:aws-cn:iam::111122223333:role/R"])
        .ok()
        .to_owned();
    assert!(
        cn.starts_with("https://signin.amazonaws.cn/switchrole?roleName=R&account=111122223333"),
        "{cn}"
    );
    let gov = home
        .run(&["url", "111122223333", "arn:aws-us-gov:iam::111122223333:role/R"])
        .ok()
        .to_owned();
    assert!(
        gov.starts_with("https://signin.amazonaws-us-gov.com/switchrole?"),
        "{gov}"
    );
}

#[test]
fn profile_colors_and_names_come_from_the_config() {
    let home = Home::empty();
    home.write_config(
        "[profiles.prod]\naccount = \"111122223333\"\nrole = \"Admin\"\ncolor = \"red\"\ndisplay_name = \"PROD admin\"\n",
    );
    let url = home.run(&["url", "prod"]).ok().to_owned();
    assert!(
        url.contains("roleName=Admin&account=111122223333&displayName=PROD%20admin&color=f2b0a9"),
        "{url}"
    );
}

#[test]
fn roles_too_long_for_the_console_are_refused() {
    let home = Home::empty();
    let role = format!("{}/{}", "p".repeat(30), "n".repeat(40));
    home.run(&["url", "111122223333", &role])
        .fails_with("the console takes at most 64");
}

/// A home that reaches two organizations (two moto servers, `a` and `b`)
/// through the profiles `orgA` and `orgB` of ~/.aws/config, each with its own
/// endpoint and keys, as two AWS organizations are. The default profile points
/// at orgA's endpoint: that is where credentials assumed from orgA work.
fn home_for_two_organizations(a: &Sandbox, b: &Sandbox) -> Home {
    assert_ne!(a.info.demo_account_id, b.info.demo_account_id);
    let mut home = Home::empty();
    home.set("AWS_REGION", &a.info.region);
    let profile = |name: &str, sandbox: &Sandbox| {
        let keys = &sandbox.info.demo1;
        format!(
            "[profile {name}]\naws_access_key_id = {}\naws_secret_access_key = {}\nendpoint_url = {}\n",
            keys.access_key_id, keys.secret_access_key, sandbox.info.endpoint
        )
    };
    let config = format!(
        "[default]\nendpoint_url = {}\n{}{}",
        a.info.endpoint,
        profile("orgA", a),
        profile("orgB", b)
    );
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    home
}

/// The account ID of a switch-role link.
fn account_in(url: &str) -> String {
    url.split("&account=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn names_resolve_in_the_organization_of_the_profile_in_either_order() {
    let (a, b) = (Sandbox::start(), Sandbox::start());
    let demo_in = |profile: &str| match profile {
        "orgA" => a.info.demo_account_id.clone(),
        _ => b.info.demo_account_id.clone(),
    };
    let lookup = |home: &Home, profile: &str| {
        let url = home.run(&["url", "demo", "--profile", profile]).ok().to_owned();
        assert_eq!(account_in(&url), demo_in(profile), "--profile {profile}: {url}");
    };
    for [first, second] in [["orgA", "orgB"], ["orgB", "orgA"]] {
        let home = home_for_two_organizations(&a, &b);
        // The first lookup fetches its organization's list; the second finds
        // only the other organization's list and remembered name in the cache.
        lookup(&home, first);
        lookup(&home, second);
        let fetched = (a.count("ListAccountsForParent"), b.count("ListAccountsForParent"));
        assert!(
            fetched.0 > 0 && fetched.1 > 0,
            "each list from its own endpoint: {fetched:?}"
        );
        // Both lists cached, both names remembered: each profile keeps its own.
        for profile in [first, second, first, second] {
            lookup(&home, profile);
        }
        assert_eq!(
            (a.count("ListAccountsForParent"), b.count("ListAccountsForParent")),
            fetched
        );
        a.clear_requests();
        b.clear_requests();
    }
}

#[test]
fn after_eval_of_a_session_from_one_organization_names_resolve_in_it() {
    let (a, b) = (Sandbox::start(), Sandbox::start());
    let home = home_for_two_organizations(&a, &b);
    // Both lists cached, and the name looked up in orgB (so remembered there).
    home.run(&["accounts", "--profile", "orgA"]).ok();
    let url = home.run(&["url", "demo", "--profile", "orgB"]).ok().to_owned();
    assert_eq!(account_in(&url), b.info.demo_account_id);
    let out = home.shell(
        "bash",
        r#"set -e
        eval "$(xacct assume demo --profile orgA)"
        test -n "$AWS_SESSION_TOKEN"
        xacct url demo
        xacct url demo"#,
    );
    let stdout = out.ok();
    let urls: Vec<&str> = stdout.lines().collect();
    assert_eq!(urls.len(), 2, "{stdout}");
    for url in urls {
        assert_eq!(account_in(url), a.info.demo_account_id, "{url}");
    }

    // With no list cached, the session's list is fetched with the credentials
    // it was assumed from (orgA's profile), not with the session's own (a
    // member account's, which cannot list the organization in AWS).
    a.clear_requests();
    b.clear_requests();
    let out = home.shell(
        "bash",
        r#"set -e
        eval "$(xacct assume demo --profile orgA)"
        rm "$XDG_CACHE_HOME/xacct/accounts.toml" "$XDG_CACHE_HOME/xacct/names.toml"
        xacct url demo"#,
    );
    assert_eq!(account_in(out.ok()), a.info.demo_account_id);
    let lists = a.calls("ListAccountsForParent");
    assert!(!lists.is_empty());
    for call in lists {
        assert_eq!(call.access_key_id.as_ref(), Some(&a.info.demo1.access_key_id));
    }
    assert_eq!(b.requests(), vec![], "orgB is not asked");
}

#[test]
fn an_old_list_serves_only_its_own_organization_when_the_fetch_fails() {
    let (a, b) = (Sandbox::start(), Sandbox::start());
    let mut home = home_for_two_organizations(&a, &b);
    home.run(&["accounts", "--profile", "orgB"]).ok();
    // Two hours on, orgB's list is old, and neither organization answers.
    let later = xacct::domain::clock::rfc3339(xacct::domain::clock::now() + time::Duration::hours(2));
    home.set("XACCT_NOW", &later);
    a.enforce_auth();
    b.enforce_auth();
    // orgA has no list of its own: orgB's old one must not stand in for it.
    home.run(&["url", "demo", "--profile", "orgA"])
        .fails_with("cannot look up account name `demo`");
    // orgB's own old list does, with a warning.
    let out = home.run(&["url", "demo", "--profile", "orgB"]);
    assert_eq!(account_in(out.ok()), b.info.demo_account_id);
    assert!(
        out.stderr.contains("warning: using an old account list"),
        "{}",
        out.stderr
    );
}
