//! Names that whoever runs the organization controls, seeded into moto (which,
//! like the Organizations API, accepts any character in account and OU names),
//! read back by the real consumer of each format xacct writes: botocore for
//! ~/.aws/config, a parser that follows aws-extend-switch-roles' rules, Python's
//! html.parser, a real bash/zsh/fish completing in a terminal, and the terminal
//! itself for tables, prefixes, the prompt and error messages.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::tmux::Tmux;
use common::{Home, Sandbox};

/// An OU name that, written raw into an INI comment, adds a profile `x` whose
/// command runs on `aws --profile x`, and leaves the real profile empty.
const INJECTING_OU: &str = "Sandbox\n[profile x]\ncredential_process = sh -c 'touch /tmp/xacct-pwned'\n[y]";
/// Old Mac line ends: Python reads `\r` alone as a line end too.
const CR_NAME: &str = "cr\r[profile z]\rcredential_process = sh -c id\r";
/// The end marker of the generated block, as an account name.
const MARKER_NAME: &str = "# <<< xacct generated profiles <<<";
/// Everything that moves a terminal's cursor, retitles it, rings it, reverses
/// or hides text, or breaks a line.
const TERMINAL_NAME: &str =
    "evil\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}31m\u{202e}dorp\u{2066}\u{200f}\u{61c}\u{2028}next\u{2029}\u{200b}\u{200d}\u{2060}\u{feff}\u{85}\r\nend";

/// Creates accounts `(name, email, OU under Root)` in `sandbox`; returns their IDs.
fn seed(sandbox: &Sandbox, accounts: &[(&str, &str, Option<&str>)]) -> Vec<String> {
    let script = r#"
import json, sys
import boto3
from botocore.config import Config
endpoint, key, secret, wanted = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id=key, aws_secret_access_key=secret, config=Config(proxies={}))
root = org.list_roots()["Roots"][0]["Id"]
ous, ids = {}, []
for name, email, ou in wanted:
    status = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    if ou is not None:
        if ou not in ous:
            ous[ou] = org.create_organizational_unit(ParentId=root, Name=ou)["OrganizationalUnit"]["Id"]
        org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=ous[ou])
    ids.append(status["AccountId"])
print(json.dumps(ids))
"#;
    let wanted = serde_json::to_string(accounts).unwrap();
    let info = &sandbox.info;
    let out = Home::empty().program(
        python().as_str(),
        &[
            "-c",
            script,
            &info.endpoint,
            &info.demo1.access_key_id,
            &info.demo1.secret_access_key,
            &wanted,
        ],
    );
    serde_json::from_str(out.ok()).expect("the seeding script prints the IDs")
}

fn python() -> String {
    common::repo_root().join(".venv/bin/python").display().to_string()
}

/// Every account in `sandbox` (the seeded organization plus `extra`): ID -> name.
fn all_accounts(sandbox: &Sandbox, extra: &[(&str, String)]) -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> = sandbox
        .info
        .accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    all.extend(extra.iter().map(|(name, id)| (id.clone(), name.to_string())));
    all
}

/// The characters no terminal output of xacct may hold (besides line ends).
fn unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2060}'
                ..='\u{2069}' | '\u{feff}'
        )
}

#[track_caller]
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<String> = text
        .chars()
        .filter(|c| unsafe_for_terminal(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}: {text:?}");
}

// ---------------------------------------------------------------------------
// ~/.aws/config
// ---------------------------------------------------------------------------

/// The profiles botocore reads from `config`: name -> settings.
fn botocore_profiles(config: &std::path::Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let script = "import json, sys\nfrom botocore.configloader import load_config\n\
                  print(json.dumps(load_config(sys.argv[1])['profiles']))";
    let out = Home::empty().program(python().as_str(), &["-c", script, config.to_str().unwrap()]);
    assert_eq!(
        out.code,
        0,
        "botocore cannot read {}: {}\n{:?}",
        config.display(),
        out.stderr,
        std::fs::read_to_string(config)
    );
    serde_json::from_str(&out.stdout).expect("botocore's profiles as JSON")
}

/// Asserts that the generated profiles in `profiles` are exactly one per
/// account in `accounts`, each with the command for that account and nothing else.
#[track_caller]
fn assert_one_profile_per_account(
    profiles: &BTreeMap<String, BTreeMap<String, String>>,
    accounts: &BTreeMap<String, String>,
    region: &str,
) {
    let xacct = assert_cmd::cargo::cargo_bin("xacct");
    let mut seen = BTreeSet::new();
    for (name, settings) in profiles {
        let command = settings
            .get("credential_process")
            .unwrap_or_else(|| panic!("profile {name:?} has no credential_process: {settings:?}"));
        let id = command
            .strip_prefix(&format!("{} assume arn:aws:iam::", xacct.display()))
            .and_then(|rest| rest.strip_suffix(":role/OrganizationAccountAccessRole --format credential-process"))
            .unwrap_or_else(|| panic!("profile {name:?} runs an unexpected command: {command:?}"));
        assert!(
            accounts.contains_key(id),
            "profile {name:?} is for an unknown account {id}"
        );
        assert!(seen.insert(id.to_owned()), "two profiles for account {id}");
        let keys: BTreeSet<&str> = settings.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["credential_process", "region"]),
            "profile {name:?}"
        );
        assert_eq!(settings["region"], region, "profile {name:?}");
    }
    let all: BTreeSet<String> = accounts.keys().cloned().collect();
    assert_eq!(seen, all, "one profile per account");
}

#[test]
fn aws_config_names_and_ous_cannot_add_or_empty_profiles() {
    let sandbox = Sandbox::start();
    let ids = seed(
        &sandbox,
        &[
            ("victim", "victim@example.com", Some(INJECTING_OU)),
            (CR_NAME, "cr@example.com", Some(CR_NAME)),
            (MARKER_NAME, "marker@example.com", None),
            (
                TERMINAL_NAME,
                "t@example.com",
                Some("evil\u{85}[profile w]\u{2028}region = x"),
            ),
        ],
    );
    let accounts = all_accounts(
        &sandbox,
        &[
            ("victim", ids[0].clone()),
            (CR_NAME, ids[1].clone()),
            (MARKER_NAME, ids[2].clone()),
            (TERMINAL_NAME, ids[3].clone()),
        ],
    );
    let home = Home::with_sandbox(&sandbox);
    let region = &sandbox.info.region;

    // Printed to stdout.
    let printed = home.run(&["generate", "aws-config"]).ok().to_owned();
    let stdout_config = home.path().join("printed-config");
    std::fs::write(&stdout_config, &printed).unwrap();
    assert_one_profile_per_account(&botocore_profiles(&stdout_config), &accounts, region);
    assert_terminal_safe("the generated block", &printed.replace('\n', ""));

    // Written twice into a file with the user's own profiles around the block.
    let config = home.path().join("aws-config");
    let before = "[default]\nregion = eu-west-1\n";
    std::fs::write(&config, before).unwrap();
    let write = || {
        home.run(&["generate", "aws-config", "--write", config.to_str().unwrap()])
            .ok();
    };
    write();
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[profile mine]\nregion = us-west-2\n")).unwrap();
    // The second run finds its own block (not a marker in a comment) and replaces only it.
    write();
    let mut profiles = botocore_profiles(&config);
    assert_eq!(profiles.remove("default").unwrap()["region"], "eu-west-1");
    assert_eq!(profiles.remove("mine").unwrap()["region"], "us-west-2");
    assert_one_profile_per_account(&profiles, &accounts, region);
}

// ---------------------------------------------------------------------------
// aws-extend-switch-roles
// ---------------------------------------------------------------------------

/// ECMAScript's String.prototype.trim: WhiteSpace and LineTerminator.
fn js_trim(text: &str) -> &str {
    text.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// The entries aws-extend-switch-roles reads from `text`, by the extension's
/// own rules (tilfinltd/aws-extend-switch-roles, src/js/lib/load_aws_config.js):
/// lines end at `\r\n`, `\r` or `\n`; `;` or `#` starts a comment anywhere; a
/// trimmed line `[NAME]` (`.` matching no line terminator) starts an entry
/// named NAME less a leading `profile `; any other line is `key = value`,
/// split at `=` (a second `=` cuts the value); a key line outside an entry, a
/// line without `=`, a key given twice, or an entry without `aws_account_id`
/// makes the extension reject the whole configuration.
fn extension_entries(text: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut entries: Vec<BTreeMap<String, String>> = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    let finish = |entry: Option<BTreeMap<String, String>>, entries: &mut Vec<_>| -> Result<(), String> {
        if let Some(entry) = entry {
            if !entry.contains_key("aws_account_id") {
                return Err(format!("an entry without an AWS account id: {entry:?}"));
            }
            entries.push(entry);
        }
        Ok(())
    };
    for raw in text.replace("\r\n", "\n").split(['\r', '\n']) {
        let uncommented = raw.find([';', '#']).map_or(raw, |at| &raw[..at]);
        let line = js_trim(uncommented);
        if line.is_empty() {
            continue;
        }
        let header = line
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .filter(|name| !name.is_empty() && !name.contains(['\u{2028}', '\u{2029}']));
        if let Some(name) = header {
            finish(current.take(), &mut entries)?;
            let name = js_trim(name);
            let name = match name.get(..8) {
                Some(prefix) if prefix.eq_ignore_ascii_case("profile ") => js_trim(&name[8..]),
                _ => name,
            };
            current = Some(BTreeMap::from([("profile".to_owned(), name.to_owned())]));
            continue;
        }
        let entry = current
            .as_mut()
            .ok_or_else(|| format!("profile is not declared before {line:?}"))?;
        let mut parts = line.split('=');
        let key = js_trim(parts.next().unwrap()).to_owned();
        let value = parts
            .next()
            .map(js_trim)
            .ok_or_else(|| format!("invalid key property definition {line:?}"))?;
        if entry.insert(key.clone(), value.to_owned()).is_some() {
            return Err(format!("duplicate definition of {key}"));
        }
    }
    finish(current.take(), &mut entries)?;
    Ok(entries)
}

#[test]
fn switch_roles_entries_survive_the_extensions_parser() {
    let sandbox = Sandbox::start();
    let semicolon = "semi; colon # hash [bracket] | x=y";
    let profile_prefix = "Profile  prod";
    let ids = seed(
        &sandbox,
        &[
            (semicolon, "s@example.com", None),
            (TERMINAL_NAME, "t@example.com", Some("ou;#[]\n[evil]")),
            (profile_prefix, "p@example.com", None),
        ],
    );
    let accounts = all_accounts(
        &sandbox,
        &[
            (semicolon, ids[0].clone()),
            (TERMINAL_NAME, ids[1].clone()),
            (profile_prefix, ids[2].clone()),
        ],
    );
    let home = Home::with_sandbox(&sandbox);
    let text = home
        .run(&[
            "generate",
            "switch-roles",
            "--role",
            "ReadOnly",
            "--role",
            "team/Admin",
            "--color-rule",
            "semi*=red",
        ])
        .ok()
        .to_owned();
    let entries = extension_entries(&text).unwrap_or_else(|e| panic!("the extension rejects it: {e}\n{text}"));
    assert_eq!(entries.len(), accounts.len() * 2, "{text}");
    for (id, name) in &accounts {
        for role in ["ReadOnly", "team/Admin"] {
            let entry = entries
                .iter()
                .find(|e| e["aws_account_id"] == *id && e["role_name"] == role)
                .unwrap_or_else(|| panic!("no entry for {name:?} {role}:\n{text}"));
            let color = &entry["color"];
            assert!(
                color.len() == 6 && color.chars().all(|c| c.is_ascii_hexdigit()),
                "{entry:?}"
            );
            assert_eq!(entry["region"], sandbox.info.region);
            assert!(
                entry["profile"].ends_with(&format!(" | {}", role.rsplit('/').next().unwrap())),
                "{entry:?}"
            );
            assert_terminal_safe("an entry's name", &entry["profile"]);
        }
    }
    let semicolon_entry = entries.iter().find(|e| e["aws_account_id"] == ids[0]).unwrap();
    assert_eq!(
        semicolon_entry["profile"],
        "semi? colon ? hash ?bracket? | x=y | ReadOnly"
    );
    assert_eq!(semicolon_entry["color"], "f2b0a9", "the color rule matched the name");
    let prefixed = entries.iter().find(|e| e["aws_account_id"] == ids[2]).unwrap();
    assert_eq!(
        prefixed["profile"], "Profile  prod | ReadOnly",
        "the name keeps its first word"
    );
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

#[test]
fn links_page_keeps_hostile_names_as_text() {
    let sandbox = Sandbox::start();
    let markup = "\"><img src=x onerror=alert(1)></td></tr><script>alert(2)</script>&amp;'";
    let markup_ou = "<b>ou</b>\"&'";
    let email = "x\"y'<z>&@example.com";
    let ids = seed(
        &sandbox,
        &[
            (markup, email, Some(markup_ou)),
            (TERMINAL_NAME, "t@example.com", Some(INJECTING_OU)),
        ],
    );
    let home = Home::with_sandbox(&sandbox);
    let html = home.run(&["generate", "links", "--role", "ReadOnly"]).ok().to_owned();
    let page = home.path().join("links.html");
    std::fs::write(&page, &html).unwrap();
    // Every start tag with its attributes, and the text of each element, in order.
    let script = r#"
import json, sys
from html.parser import HTMLParser
class Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.stack, self.texts = [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append([tag, attrs])
        if tag not in ("meta", "input"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()
    def handle_data(self, data):
        if self.stack:
            self.texts.append([self.stack[-1], self.tags[-1][1], data])
p = Collect()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
assert not p.stack, p.stack
print(json.dumps({"tags": p.tags, "texts": p.texts}))
"#;
    let out = Home::empty().program(python().as_str(), &["-c", script, page.to_str().unwrap()]);
    let parsed: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let accounts = all_accounts(&sandbox, &[(markup, ids[0].clone()), (TERMINAL_NAME, ids[1].clone())]);

    // No element or attribute beyond the page's own.
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("html", &["lang"][..]),
        ("head", &[][..]),
        ("meta", &["charset", "name", "content"][..]),
        ("title", &[][..]),
        ("style", &[][..]),
        ("body", &[][..]),
        ("h1", &[][..]),
        ("input", &["id", "type", "placeholder", "autofocus"][..]),
        ("section", &["class", "style"][..]),
        ("h2", &[][..]),
        ("table", &[][..]),
        ("tr", &["data-search"][..]),
        ("td", &["class"][..]),
        ("a", &["href", "target", "rel"][..]),
        ("script", &[][..]),
    ]);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut searches = Vec::new();
    let mut hrefs = Vec::new();
    for tag in parsed["tags"].as_array().unwrap() {
        let name = tag[0].as_str().unwrap();
        let attrs = allowed.get(name).unwrap_or_else(|| panic!("unexpected element {tag}"));
        for attr in tag[1].as_array().unwrap() {
            let attr_name = attr[0].as_str().unwrap();
            assert!(attrs.contains(&attr_name), "unexpected attribute in {tag}");
            match attr_name {
                "data-search" => searches.push(attr[1].as_str().unwrap().to_owned()),
                "href" => hrefs.push(attr[1].as_str().unwrap().to_owned()),
                _ => {}
            }
        }
        *counts.entry(name.to_owned()).or_default() += 1;
    }
    assert_eq!(counts["tr"], accounts.len());
    assert_eq!(counts["a"], accounts.len());
    assert_eq!(counts["script"], 1, "only the page's own script");

    // Names and OUs come back as text: markup exactly, invisible and control
    // characters as `?` (the terminal rule: the page is read by people too).
    let texts: Vec<(String, String)> = parsed["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().to_owned(), t[2].as_str().unwrap().to_owned()))
        .collect();
    let names: BTreeSet<&str> = texts
        .iter()
        .filter(|(tag, _)| tag == "td")
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(names.contains(markup), "{names:?}");
    let shown = "evil?]0;title??[2J?31m?dorp????next????????end";
    assert!(names.contains(shown), "{names:?}");
    let headings: BTreeSet<&str> = texts
        .iter()
        .filter(|(tag, _)| tag == "h2")
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(headings.contains(format!("Root/{markup_ou}").as_str()), "{headings:?}");
    assert!(
        headings.contains("Root/Sandbox?[profile x]?credential_process = sh -c 'touch /tmp/xacct-pwned'?[y]"),
        "{headings:?}"
    );
    let search = format!("{} {} root/{} {}", markup, ids[0], markup_ou, email).to_lowercase();
    assert!(searches.contains(&search), "{searches:?}");
    for text in searches.iter().chain(&hrefs) {
        assert_terminal_safe("an attribute", text);
    }
    assert!(
        hrefs.iter().any(|h| h.contains(&format!("&account={}&", ids[0]))),
        "{hrefs:?}"
    );
}

// ---------------------------------------------------------------------------
// Shell completion
// ---------------------------------------------------------------------------

/// A sandbox with an account whose name runs a command when a shell reads it
/// unquoted; its list cached for completion. Returns the marker file it would
/// create and the account's ID.
fn completion_setup(sandbox: &Sandbox, home: &Home) -> (std::path::PathBuf, String) {
    let marker = home.path().join("pwned");
    let name = format!("pwn$(touch${{IFS}}{})", marker.display());
    let ids = seed(sandbox, &[(&name, "pwn@example.com", None)]);
    home.run(&["accounts"]).ok();
    (marker, ids[0].clone())
}

/// Types `xacct url pwn`, Tab, waits for the completion, then Enter, in an
/// interactive shell whose prompt ends in `prompt`.
fn complete_and_run(tmux: &Tmux, prompt: &str) -> String {
    tmux.wait_for(prompt);
    tmux.type_text("xacct url pwn");
    tmux.press("Tab");
    tmux.wait_for("touch");
    tmux.press("Enter");
    tmux.wait_until(|screen| screen.matches(prompt).count() >= 2, "the next prompt")
}

#[test]
fn bash_completion_inserts_a_name_that_runs_nothing() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let (marker, id) = completion_setup(&sandbox, &home);
    std::fs::write(
        home.path().join("bashrc"),
        "PS1='ready$ '\nsource <(xacct completions bash)\n",
    )
    .unwrap();
    let tmux = Tmux::start(&home, "exec bash --noprofile --rcfile bashrc -i");
    let screen = complete_and_run(&tmux, "ready$ ");
    assert!(!marker.exists(), "the completed name ran a command:\n{screen}");
    assert!(screen.contains(&format!("account={id}")), "{screen}");
}

#[test]
fn zsh_completion_inserts_a_name_that_runs_nothing() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let (marker, id) = completion_setup(&sandbox, &home);
    let dir = home.path().join("zdot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".zshrc"),
        "PS1='ready%% '\nautoload -U compinit && compinit -u\nsource <(xacct completions zsh)\n",
    )
    .unwrap();
    let tmux = Tmux::start(&home, &format!("ZDOTDIR='{}' exec zsh -i", dir.display()));
    let screen = complete_and_run(&tmux, "ready% ");
    assert!(!marker.exists(), "the completed name ran a command:\n{screen}");
    assert!(screen.contains(&format!("account={id}")), "{screen}");
}

#[test]
fn fish_completion_inserts_a_name_that_runs_nothing() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let (marker, id) = completion_setup(&sandbox, &home);
    let tmux = Tmux::start(
        &home,
        "exec fish --no-config -i -C 'function fish_prompt; echo -n \"ready> \"; end; set -g fish_autosuggestion_enabled 0; xacct completions fish | source'",
    );
    let screen = complete_and_run(&tmux, "ready> ");
    assert!(!marker.exists(), "the completed name ran a command:\n{screen}");
    assert!(screen.contains(&format!("account={id}")), "{screen}");
}

// ---------------------------------------------------------------------------
// Terminal
// ---------------------------------------------------------------------------

#[test]
fn tables_and_exec_prefixes_show_no_control_or_invisible_characters() {
    let sandbox = Sandbox::start();
    let ids = seed(
        &sandbox,
        &[(TERMINAL_NAME, "t\u{202e}@example.com", Some("ou\u{2028}\u{1b}[2J"))],
    );
    let home = Home::with_sandbox(&sandbox);
    let table = home.run(&["accounts", "--ou-paths"]).ok().to_owned();
    assert_terminal_safe("the accounts table", &table);
    assert_eq!(table.lines().count(), sandbox.info.accounts.len() + 2, "{table}");
    let row = table.lines().find(|l| l.starts_with(&ids[0])).unwrap();
    assert!(row.contains("evil?]0;title??[2J?31m?dorp????next????????end"), "{row}");

    let out = home.run(&["exec", "--accounts", "evil*", "--", "echo", "hi"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_terminal_safe("exec's output", &out.stdout);
    assert_terminal_safe("exec's messages", &out.stderr);
    assert_eq!(out.stdout, "evil?]0;title??[2J?31m?dorp????next????????end | hi\n");
}

#[test]
fn the_prompt_segment_shows_no_control_or_invisible_characters() {
    let sandbox = Sandbox::start();
    let ids = seed(&sandbox, &[(TERMINAL_NAME, "t@example.com", None)]);
    let mut home = Home::with_sandbox(&sandbox);
    home.run(&["accounts"]).ok();
    let code = home.run(&["assume", &ids[0]]).ok().to_owned();
    let key = common::exported(&home, &code, "AWS_ACCESS_KEY_ID");
    home.set("AWS_ACCESS_KEY_ID", &key);
    let short = home.run(&["whoami", "--short"]).ok().to_owned();
    assert_terminal_safe("whoami --short", &short);
    assert!(
        short.starts_with("evil?]0;title??[2J?31m?dorp????next????????end/OrganizationAccountAccessRole "),
        "{short:?}"
    );
}

#[test]
fn a_nested_exec_error_shows_no_control_characters_from_the_name() {
    let sandbox = Sandbox::start();
    seed(&sandbox, &[(TERMINAL_NAME, "t@example.com", None)]);
    let home = Home::with_sandbox(&sandbox);
    let xacct = assert_cmd::cargo::cargo_bin("xacct");
    let out = home.run(&[
        "exec",
        TERMINAL_NAME,
        "--",
        xacct.to_str().unwrap(),
        "exec",
        "demo",
        "--",
        "true",
    ]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.starts_with("xacct: already inside `xacct exec` for "),
        "{:?}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
    assert_terminal_safe("the nested exec error", &out.stderr);
}

#[test]
fn errors_cut_long_values_and_show_no_control_characters() {
    let home = Home::empty();
    let long = "p".repeat(100_000);
    let out = home.run(&["accounts", "--profile", &long]);
    out.fails_with("no credentials for profile `ppp");
    assert!(out.stderr.len() < 400, "{} bytes on stderr", out.stderr.len());

    let out = home.run(&["accounts", "--profile", "a\u{1b}]0;x\u{7}\u{202e}b"]);
    out.fails_with("no credentials for profile");
    assert_terminal_safe("the error", &out.stderr);

    // clap's own usage errors repeat the value too.
    let out = home.run(&["completions", &format!("{long}\u{1b}[2J")]);
    out.fails_with("invalid value");
    assert!(out.stderr.len() < 1100, "{} bytes on stderr", out.stderr.len());
    assert_terminal_safe("the usage error", &out.stderr);

    let out = home.run(&["url", "no\u{1b}[2J\u{2028}such"]);
    assert_ne!(out.code, 0);
    assert_terminal_safe("the error", &out.stderr);
}
