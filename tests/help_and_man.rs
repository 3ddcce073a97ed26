//! The man page and `--help` come from the clap definitions: the page renders
//! with man(1) without warnings and describes every subcommand, and every
//! subcommand's help ends with examples.

mod common;

use clap::CommandFactory;
use common::Home;

fn subcommands() -> Vec<String> {
    xacct::cli::Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .collect()
}

#[test]
fn the_man_page_renders_and_covers_every_subcommand() {
    let home = Home::empty();
    let page = home.run(&["man"]).ok().to_owned();
    let file = home.path().join("xacct.1");
    std::fs::write(&file, &page).unwrap();
    let mut man = std::process::Command::new("man");
    home.apply(&mut man);
    // --warnings makes groff report bad roff; MANWIDTH keeps lines predictable.
    man.args(["--warnings", "-l"])
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat");
    let out = common::output_of(&mut man);
    assert_eq!(out.code, 0, "man failed: {}", out.stderr);
    assert_eq!(out.stderr, "", "man reported problems");
    let text = out.stdout;
    for sub in subcommands() {
        let heading = format!("XACCT {}", sub.to_uppercase());
        assert!(text.contains(&heading), "no section {heading}");
    }
    for needle in ["--service", "--short", "OrganizationAccountAccessRole", "EXAMPLES"] {
        assert!(text.contains(needle), "the page lacks {needle}");
    }
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    let home = Home::empty();
    for sub in subcommands() {
        let help = home.run(&[&sub, "--help"]).ok().to_owned();
        assert!(
            help.contains("Examples:\n  "),
            "`xacct {sub} --help` has no examples:\n{help}"
        );
        assert!(help.contains("xacct "), "{sub}");
    }
    for (parent, nested) in [
        ("cache", "list"),
        ("cache", "clear"),
        ("generate", "aws-config"),
        ("generate", "switch-roles"),
        ("generate", "links"),
    ] {
        let help = home.run(&[parent, nested, "--help"]).ok().to_owned();
        assert!(help.contains("Examples:"), "{parent} {nested}");
    }
}

#[test]
fn the_example_config_parses_and_uses_every_key() {
    let path = common::repo_root().join("examples/config.toml");
    let text = std::fs::read_to_string(&path).expect("examples/config.toml exists");
    // Relative paths (the policy file) resolve next to the example.
    let config = xacct::store::config::Config::parse(&path, &text).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!config.profiles.is_empty() && !config.aliases.is_empty());
    assert!(config.federation_endpoint.is_some());
    assert_eq!(config.sso_sessions["corp"].region, "eu-west-1");
    // Policy files are read when a session needs them: read the example's now.
    let policies: Vec<_> = config
        .profiles
        .values()
        .filter_map(|p| p.options.session.policy.as_ref())
        .collect();
    assert!(!policies.is_empty());
    for policy in policies {
        policy.text().unwrap_or_else(|e| panic!("{e:#}"));
    }
    let keys = [
        "role",
        "region",
        "session_name",
        "duration",
        "source_profile",
        "partition",
        "refresh_margin",
        "accounts_ttl",
        "mfa_duration",
        "http_timeout",
        "federation_endpoint",
        "account",
        "color",
        "display_name",
        "mfa_serial",
        "mfa_process",
        "mfa_process_timeout",
        "external_id",
        "source_identity",
        "tags",
        "transitive_tags",
        "policy_arns",
        "policy",
        "assume_from",
        "sso_session",
        "start_url",
    ];
    for key in keys {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(&format!("{key} ="))),
            "examples/config.toml does not show {key}"
        );
    }
}

/// Every subcommand's description, as the top-level `--help` lists it.
fn listed_descriptions(home: &Home) -> Vec<(String, String)> {
    let help = home.run(&["--help"]).ok().to_owned();
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .expect("a command list")
        .split("\n\n")
        .next()
        .unwrap();
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in commands.lines() {
        // A description too long for the width goes on, indented, on the next lines.
        if line.starts_with("   ") {
            let last = listed.last_mut().expect("a command before its continuation");
            last.1 = one_line(&format!("{} {line}", last.1));
            continue;
        }
        let line = line.trim_start();
        let (name, description) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        listed.push((name.to_owned(), description.trim().to_owned()));
    }
    listed.retain(|(name, _)| name != "help");
    listed
}

/// The developer comments of src/cli/args.rs: none is help for the user.
fn developer_comments() -> Vec<String> {
    let source = include_str!("../src/cli/args.rs");
    source
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("// ") || l.starts_with("//! "))
        .map(|l| l.trim_start_matches('/').trim_start_matches('!').trim().to_owned())
        .filter(|l| l.len() > 20)
        .collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_subcommand_help_begins_with_its_own_description() {
    let home = Home::empty();
    let listed = listed_descriptions(&home);
    assert_eq!(listed.len(), subcommands().len(), "{listed:?}");
    for (name, description) in &listed {
        let help = home.run(&[name, "--help"]).ok().to_owned();
        let first = one_line(help.split("\n\n").next().unwrap_or_default());
        assert!(
            !description.is_empty() && first == *description,
            "`xacct {name} --help` begins with {first:?}, not with its description {description:?}"
        );
    }
}

#[test]
fn no_developer_comment_reaches_help_or_the_man_page() {
    let home = Home::empty();
    let mut pages = vec![("man".to_owned(), home.run(&["man"]).ok().to_owned())];
    for sub in subcommands() {
        pages.push((sub.clone(), home.run(&[&sub, "--help"]).ok().to_owned()));
    }
    let comments = developer_comments();
    assert!(comments
        .iter()
        .any(|c| c.starts_with("Everything that shapes the role session")));
    for (page, text) in &pages {
        let text = one_line(&text.replace("\\-", "-").replace("\\fB", "").replace("\\fR", ""));
        for comment in &comments {
            assert!(
                !text.contains(comment.as_str()),
                "`{page}` shows the developer comment {comment:?}"
            );
        }
        assert!(
            !text.contains("crate::") && !text.contains("cli::options"),
            "`{page}` shows a Rust path"
        );
    }
}
