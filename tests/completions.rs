//! Shell completion, loaded in the real shells: bash (the completion function
//! called as bash calls it, and Tab pressed in an interactive bash in tmux),
//! zsh (compinit, then Tab in an interactive zsh in tmux), fish (`complete -C`).
//! Account names and roles come from the cache and the config, never the network.

mod common;

use common::tmux::Tmux;
use common::Home;

const DEMO_ID: &str = "386570327258";

/// A home with a cached account list (DEMO, network) and a profile, and no AWS endpoint at all.
fn home() -> Home {
    home_with(&[])
}

/// [`home`] with more cached accounts, `(id, name)`.
fn home_with(more: &[(&str, &str)]) -> Home {
    let home = Home::empty();
    let cache = home.cache_dir();
    std::fs::create_dir_all(&cache).unwrap();
    let now = xacct::domain::clock::rfc3339(xacct::domain::clock::now());
    let more: String = more
        .iter()
        .map(|(id, name)| {
            format!(
                "[[organizations.\"profile:default\".accounts]]\nid = \"{id}\"\nname = {}\n\
                 email = \"x@example.com\"\nstate = \"ACTIVE\"\n",
                toml::Value::String(name.to_string())
            )
        })
        .collect();
    std::fs::write(
        cache.join("accounts.toml"),
        format!(
            "version = 1\n[organizations.\"profile:default\"]\nfetched_at = \"{now}\"\n\
             [[organizations.\"profile:default\".accounts]]\nid = \"{DEMO_ID}\"\nname = \"DEMO\"\n\
             email = \"d@example.com\"\nstate = \"ACTIVE\"\n\
             [[organizations.\"profile:default\".accounts]]\nid = \"111122223333\"\nname = \"network\"\n\
             email = \"n@example.com\"\nstate = \"ACTIVE\"\n{more}"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(cache.join("accounts.toml"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    home.write_config("[profiles.prod-ro]\naccount = \"network\"\nrole = \"ReadOnlyAuditor\"\n");
    home
}

/// COMPREPLY for `words` (the last one being completed), from bash's own completion function.
fn bash_completions(home: &Home, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source <(xacct completions bash) || exit 1\n\
         COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _clap_complete_xacct xacct \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
        cword = words.len() - 1
    );
    let out = home.shell("bash", &script);
    assert_eq!(out.stderr, "", "loading and running the completion printed errors");
    out.ok().lines().map(str::to_owned).collect()
}

#[test]
fn bash_completes_subcommands_flags_accounts_and_roles() {
    let home = home();
    let subcommands = bash_completions(&home, &["xacct", ""]);
    for sub in [
        "accounts",
        "assume",
        "console",
        "exec",
        "url",
        "whoami",
        "completions",
        "man",
    ] {
        assert!(
            subcommands.contains(&sub.to_owned()),
            "{sub} missing from {subcommands:?}"
        );
    }
    assert_eq!(bash_completions(&home, &["xacct", "cons"]), ["console"]);
    assert_eq!(bash_completions(&home, &["xacct", "assume", "DE"]), ["DEMO"]);
    // Any case; profiles and account names alike.
    assert_eq!(bash_completions(&home, &["xacct", "console", "de"]), ["DEMO"]);
    assert_eq!(bash_completions(&home, &["xacct", "url", "prod"]), ["prod-ro"]);
    // After a flag that takes a value, the next word is still the account.
    assert_eq!(
        bash_completions(&home, &["xacct", "assume", "--duration", "1h", "net"]),
        ["network"]
    );
    assert_eq!(bash_completions(&home, &["xacct", "assume", "38"]), [DEMO_ID]);
    let roles = bash_completions(&home, &["xacct", "assume", "DEMO", ""]);
    assert!(roles.contains(&"ReadOnlyAuditor".to_owned()), "{roles:?}");
    assert!(roles.contains(&"OrganizationAccountAccessRole".to_owned()), "{roles:?}");
    assert!(bash_completions(&home, &["xacct", "console", "--ser"]).contains(&"--service".to_owned()));
    assert!(bash_completions(&home, &["xacct", "completions", ""]).contains(&"zsh".to_owned()));
}

#[test]
fn bash_gets_names_escaped_and_none_a_terminal_cannot_show() {
    let home = home_with(&[
        ("222233334444", "Prod Account"),
        ("333344445555", "a$(b)`c`;d'e\"f"),
        ("444455556666", "evil\u{202e}x"),
        ("555566667777", "evil\u{1b}[2Jy"),
    ]);
    // As bash's own file-name completion writes them: a backslash before each special character.
    assert_eq!(
        bash_completions(&home, &["xacct", "assume", "prod"]),
        ["prod-ro", r"Prod\ Account"]
    );
    assert_eq!(
        bash_completions(&home, &["xacct", "url", "a"]),
        [r#"a\$\(b\)\`c\`\;d\'e\"f"#]
    );
    // A name with invisible or control characters could be neither shown nor typed.
    let evil = bash_completions(&home, &["xacct", "url", "evil"]);
    assert!(evil.iter().all(|c| c.is_empty()), "{evil:?}");
}

#[test]
fn recently_used_accounts_complete_first() {
    let home = home();
    let cache = home.cache_dir();
    let now = xacct::domain::clock::rfc3339(xacct::domain::clock::now());
    std::fs::write(
        cache.join("recent.toml"),
        format!(
            "version = 1\n[recent.\"111122223333/Admin\"]\naccount_id = \"111122223333\"\nrole = \"Admin\"\n\
             used_at = \"{now}\"\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(cache.join("recent.toml"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let accounts = bash_completions(&home, &["xacct", "assume", ""]);
    assert_eq!(accounts.first().map(String::as_str), Some("network"), "{accounts:?}");
    let roles = bash_completions(&home, &["xacct", "assume", "network", ""]);
    assert_eq!(roles.first().map(String::as_str), Some("Admin"), "{roles:?}");
}

/// Starts an interactive `shell` in a terminal with `rc` as its startup file.
fn interactive(home: &Home, shell: &str, rc: &str) -> Tmux {
    let command = match shell {
        "bash" => {
            std::fs::write(home.path().join("bashrc"), rc).unwrap();
            "exec bash --noprofile --rcfile bashrc -i".to_owned()
        }
        "zsh" => {
            let dir = home.path().join("zdot");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(".zshrc"), rc).unwrap();
            format!("ZDOTDIR='{}' exec zsh -i", dir.display())
        }
        _ => unreachable!(),
    };
    Tmux::start(home, &command)
}

#[test]
fn tab_completes_in_an_interactive_bash() {
    let home = home();
    let tmux = interactive(&home, "bash", "PS1='ready$ '\nsource <(xacct completions bash)\n");
    tmux.wait_for("ready$");
    tmux.type_text("xacct assume DE");
    tmux.press("Tab");
    // Completing a whole word adds the space after it.
    tmux.wait_for("xacct assume DEMO ");
    tmux.type_text("ReadOnlyA");
    tmux.press("Tab");
    tmux.wait_for("xacct assume DEMO ReadOnlyAuditor");
}

#[test]
fn zsh_loads_the_script_and_tab_completes() {
    let home = home();
    // Loaded non-interactively with compinit: defines the completer, no errors.
    let out = home.shell(
        "zsh",
        "autoload -U compinit && compinit -u && source <(xacct completions zsh) && whence -w _clap_dynamic_completer_xacct",
    );
    assert_eq!(out.ok().trim(), "_clap_dynamic_completer_xacct: function");
    assert_eq!(out.stderr, "");

    let tmux = interactive(
        &home,
        "zsh",
        "PS1='ready%% '\nautoload -U compinit && compinit -u\nsource <(xacct completions zsh)\n",
    );
    tmux.wait_for("ready%");
    tmux.type_text("xacct con");
    tmux.press("Tab");
    tmux.wait_for("xacct console");
    tmux.type_text(" DE");
    tmux.press("Tab");
    tmux.wait_for("xacct console DEMO");
}

#[test]
fn fish_loads_the_script_and_completes() {
    let home = home();
    let out = home.shell(
        "fish",
        "xacct completions fish | source; and complete -C 'xacct assume DE'; and complete -C 'xacct whoa'",
    );
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.ok().lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("DEMO")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("whoami")), "{lines:?}");
}

#[test]
fn every_shell_gets_a_script() {
    let home = home();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = home.run(&["completions", shell]).ok().to_owned();
        assert!(script.contains("XACCT_COMPLETE"), "{shell}: {script}");
    }
    home.run(&["completions", "tcsh"]).fails_with("invalid value 'tcsh'");
}
