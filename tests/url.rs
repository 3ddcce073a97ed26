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
    home.unset("AWS_ACCESS_KEY_ID");
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
