//! Shell code proven by running it in the real shells: quoting round-trips
//! byte for byte (bash, dash, zsh, fish), generated POSIX code passes
//! shellcheck, and the `xacct init` wrappers change the current shell
//! (bash, zsh, dash, fish). pwsh cannot be installed here, so PowerShell is
//! covered by string-level tests only.

mod common;

use std::path::Path;
use std::process::Command;

use common::{output_of, Home, Sandbox};
use proptest::prelude::*;
use xacct::domain::credentials::EnvChange;
use xacct::domain::credentials::{self, Credentials};
use xacct::domain::secret::Secret;
use xacct::shell::{self, quote, Shell};

// ---------------------------------------------------------------------------
// Quoting: arbitrary values survive a trip through each shell.

/// Cases per shell for each round-trip property (bash, dash, zsh, fish, and
/// the PowerShell model): 256 each.
const ROUND_TRIP_CASES: u32 = 256;

/// Fragments that break naive quoting in at least one shell.
#[rustfmt::skip]
const NASTY_PIECES: &[&str] = &[
    "'", "\"", "$", "`", "\\", "\n", "\r", "\t", " ", "$(id)", "`id`", "${HOME}", "$HOME",
    "%", "%s", "%n", "!", "!!", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "😀", "👩‍💻",
    "\\'", "'\\''", "\\\\", "\\n", "*", "?", "~", "#", ";", "&", "|", "{a,b}", "[a]", "=",
    "-e", "--", "é", "日本", "\u{85}", "\u{a0}", "\u{2028}", "\u{7f}", "\u{1b}[31m",
    // Code points fish and zsh use internally for bytes and wildcards.
    "\u{fdd0}", "\u{f600}", "\u{83}",
];

/// Strings biased toward nasty content; never NUL, which no shell can hold.
fn nasty_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(NASTY_PIECES).prop_map(str::to_owned),
        2 => any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from),
        1 => "[ -~]{0,8}",
    ];
    prop_oneof![
        4 => prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat()),
        1 => any::<String>().prop_map(|s| s.replace('\0', "")),
    ]
}

/// How to run a script in each shell without reading any startup file.
fn shell_argv(shell: &str) -> &'static [&'static str] {
    match shell {
        "bash" => &["bash", "--norc", "--noprofile", "-c"],
        "dash" => &["dash", "-c"],
        "zsh" => &["zsh", "-f", "-c"],
        "fish" => &["fish", "--no-config", "-c"],
        other => panic!("no argv for {other}"),
    }
}

/// What `shell` holds in XACCT_PROBE after evaluating the code xacct renders
/// to set it to `value`, as raw bytes.
fn round_trip(home: &Home, shell: &str, value: &str) -> Vec<u8> {
    let code_shell = if shell == "fish" { Shell::Fish } else { Shell::Posix };
    let change = EnvChange {
        set: vec![("XACCT_PROBE", value.to_owned())],
        unset: vec![],
    };
    let code = shell::render(code_shell, &change).unwrap();
    let script = format!("{code}printf '%s' \"$XACCT_PROBE\"");
    let argv = shell_argv(shell);
    let mut cmd = Command::new(argv[0]);
    home.apply(&mut cmd);
    let out = cmd.args(&argv[1..]).arg(&script).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{shell} failed on {script:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn round_trip_config() -> ProptestConfig {
    ProptestConfig::with_cases(ROUND_TRIP_CASES)
}

proptest! {
    #![proptest_config(round_trip_config())]

    #[test]
    fn posix_quoting_round_trips_in_bash(value in nasty_value()) {
        let home = Home::empty();
        prop_assert_eq!(round_trip(&home, "bash", &value), value.as_bytes());
    }

    #[test]
    fn posix_quoting_round_trips_in_dash(value in nasty_value()) {
        let home = Home::empty();
        prop_assert_eq!(round_trip(&home, "dash", &value), value.as_bytes());
    }

    #[test]
    fn posix_quoting_round_trips_in_zsh(value in nasty_value()) {
        let home = Home::empty();
        prop_assert_eq!(round_trip(&home, "zsh", &value), value.as_bytes());
    }

    #[test]
    fn fish_quoting_round_trips_in_fish(value in nasty_value()) {
        let home = Home::empty();
        prop_assert_eq!(round_trip(&home, "fish", &value), value.as_bytes());
    }

    /// pwsh is not installable here: this checks the escaper against a model
    /// of PowerShell's tokenizer for single-quoted strings instead.
    #[test]
    fn powershell_quoting_round_trips_through_the_tokenizer_model(value in nasty_value()) {
        let quoted = quote::powershell(&value);
        prop_assert_eq!(read_powershell_single_quoted(&quoted), Some(value));
    }
}

/// The rule of PowerShell's tokenizer (ScanStringLiteral): a string opens at
/// any single-quote character (' U+2018 U+2019 U+201A U+201B); inside it, two
/// in a row stand for the second, and one alone closes the string. Returns the
/// value when `text` is exactly one such string.
fn read_powershell_single_quoted(text: &str) -> Option<String> {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}');
    let mut chars = text.chars().peekable();
    if !chars.next().is_some_and(is_quote) {
        return None;
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        if is_quote(c) {
            match chars.next() {
                Some(second) if is_quote(second) => value.push(second),
                Some(_) => return None,
                // The closing quote is the last character.
                None => return Some(value),
            }
        } else {
            value.push(c);
        }
    }
    None
}

#[test]
fn the_powershell_tokenizer_model_rejects_a_naive_escaper() {
    // Only `'` doubled: a typographic quote ends the string early.
    let naive = format!("'{}'", "it\u{2019}s; Remove-Item x".replace('\'', "''"));
    assert_eq!(read_powershell_single_quoted(&naive), None);
    assert_eq!(
        read_powershell_single_quoted(&quote::powershell("it\u{2019}s; Remove-Item x")).as_deref(),
        Some("it\u{2019}s; Remove-Item x")
    );
}

#[test]
fn powershell_code_sets_and_removes_variables_with_quoted_values() {
    let change = EnvChange {
        set: vec![("AWS_ACCESS_KEY_ID", "AKIA'\u{2018}$x`".into())],
        unset: vec!["AWS_PROFILE"],
    };
    let code = shell::render(Shell::Powershell, &change).unwrap();
    let mut lines = code.lines();
    let first = lines.next().unwrap();
    let quoted = first.strip_prefix("$Env:AWS_ACCESS_KEY_ID = ").unwrap();
    assert_eq!(
        read_powershell_single_quoted(quoted).as_deref(),
        Some("AKIA'\u{2018}$x`")
    );
    assert_eq!(
        lines.next(),
        Some("Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE")
    );
    assert_eq!(lines.next(), None);
}

// ---------------------------------------------------------------------------
// Command lines written into files (credential_process): botocore, which
// reads them from ~/.aws/config, splits them back into exactly the words.

/// Each of `lines` split by botocore's own splitter for `platform` (`linux`
/// for shlex, `win32` for its C-runtime rules), in one Python process.
fn botocore_split(lines: &[String], platform: &str) -> Vec<Vec<String>> {
    use std::io::Write as _;
    use std::process::Stdio;
    let script = "import json, sys\n\
                  from botocore.compat import compat_shell_split\n\
                  lines = json.load(sys.stdin)\n\
                  print(json.dumps([compat_shell_split(l, platform=sys.argv[1]) for l in lines]))";
    let mut child = Command::new(common::venv_python())
        .args(["-c", script, platform])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the venv's python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(lines).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn command_line(words: &[String], word: fn(&str) -> String) -> String {
    words.iter().map(|w| word(w)).collect::<Vec<_>>().join(" ")
}

proptest! {
    // Each case is a batch of command lines, split by one Python process.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn botocore_splits_posix_command_lines_back_into_the_words(
        batch in prop::collection::vec(prop::collection::vec(nasty_value(), 1..6), 64)
    ) {
        let lines: Vec<String> = batch.iter().map(|words| command_line(words, quote::posix_word)).collect();
        prop_assert_eq!(botocore_split(&lines, "linux"), batch);
    }

    #[test]
    fn botocore_splits_windows_command_lines_back_into_the_words(
        batch in prop::collection::vec(prop::collection::vec(nasty_value(), 1..6), 64)
    ) {
        let lines: Vec<String> = batch.iter().map(|words| command_line(words, quote::windows_word)).collect();
        prop_assert_eq!(botocore_split(&lines, "win32"), batch);
    }
}

#[test]
fn the_credential_process_line_of_this_platform_splits_back() {
    let words = [
        "/opt/my apps/it's \"x\" $HOME `id` \\ é/xacct",
        "assume",
        "arn:aws:iam::012345678901:role/team/R+=,.@-",
        "--format",
        "credential-process",
        "--profile",
        "",
    ];
    let line = shell::command::line(&words);
    let platform = if cfg!(windows) { "win32" } else { "linux" };
    assert_eq!(botocore_split(&[line], platform), [words.map(str::to_owned)]);
}

// ---------------------------------------------------------------------------
// shellcheck: generated POSIX code is clean sh.

/// Runs `shellcheck -s DIALECT -` on `code`, all checks on but `excluded`;
/// panics with its findings.
fn shellcheck(dialect: &str, excluded: &[&str], code: &str) {
    use std::io::Write;
    let mut child = Command::new("shellcheck")
        .args(["-s", dialect])
        .args(excluded.iter().flat_map(|code| ["--exclude", code]))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("shellcheck is required for these tests: run scripts/install-test-deps.sh");
    child.stdin.take().unwrap().write_all(code.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "shellcheck -s {dialect} found problems in:\n{code}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn realistic_credentials() -> Credentials {
    Credentials {
        access_key_id: "ASIAQEXAMPLEEXAMPLE7".into(),
        secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        session_token: Secret::new("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def=="),
        expiration: xacct::domain::clock::now(),
    }
}

#[test]
fn generated_posix_code_passes_shellcheck() {
    let assumed = realistic_credentials().env_change(Some("eu-west-1"));
    shellcheck("sh", &[], &shell::render(Shell::Posix, &assumed).unwrap());
    shellcheck(
        "sh",
        &[],
        &shell::render(Shell::Posix, &credentials::clear_change()).unwrap(),
    );
    // One variable per nasty value, as in real output (shellcheck warns when
    // one name is set twice).
    let names = (0..=NASTY_PIECES.len()).map(|i| &*Box::leak(format!("XACCT_PROBE_{i}").into_boxed_str()));
    let values = NASTY_PIECES
        .iter()
        .map(|piece| format!("a{piece}b"))
        .chain([NASTY_PIECES.concat()]);
    let nasty = EnvChange {
        set: names.zip(values).collect(),
        unset: credentials::VARS_TO_UNSET.to_vec(),
    };
    // These three ask whether `$x`, `\'` or a typographic quote inside single
    // quotes was meant literally. It was: that is what the quoting is for.
    let literal_by_design = ["SC2016", "SC1003", "SC1112"];
    shellcheck("sh", &literal_by_design, &shell::render(Shell::Posix, &nasty).unwrap());
}

#[test]
fn the_bash_and_zsh_wrapper_passes_shellcheck() {
    let home = Home::empty();
    let wrapper = home.run(&["init", "bash"]).ok().to_owned();
    assert_eq!(home.run(&["init", "zsh"]).ok(), wrapper, "one wrapper for both");
    shellcheck("bash", &[], &wrapper);
    // Beyond POSIX it uses only `local`, which dash (and ksh-likes) also have.
    shellcheck("dash", &[], &wrapper);
}

// ---------------------------------------------------------------------------
// The wrappers' decisions, against a stand-in binary that records its arguments.

/// Stands in for xacct: records its arguments (NUL-terminated), prints one
/// line of code setting XACCT_STUB_EVALED, says something on stderr, and
/// exits with XACCT_STUB_EXIT.
const STUB: &str = r#"#!/bin/sh
for arg in "$@"; do printf '%s\0' "$arg"; done >"$XACCT_STUB_LOG"
if [ "$XACCT_STUB_SHELL" = fish ]; then
    echo 'set -g XACCT_STUB_EVALED yes'
else
    echo 'XACCT_STUB_EVALED=yes'
fi
echo 'stub stderr' >&2
exit "${XACCT_STUB_EXIT:-0}"
"#;

struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    fn new() -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("xacct");
        std::fs::write(&path, STUB).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    fn log(&self) -> std::path::PathBuf {
        self.dir.path().join("argv")
    }

    fn recorded_args(&self) -> Vec<String> {
        let bytes = std::fs::read(self.log()).unwrap_or_default();
        String::from_utf8(bytes)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_owned)
            .collect()
    }
}

/// How one shell loads the wrapper and reports on a call.
struct WrapperShell {
    name: &'static str,
    init: &'static str,
    quote: fn(&str) -> String,
    /// Prints `LABEL=N`, N the status of the last command.
    show_status: fn(&str) -> String,
    /// Prints `LABEL=value` of variable NAME, or `LABEL=<unset>`.
    show_var: fn(&str, &str) -> String,
    /// The output of a one-line command, as a word.
    capture: fn(&str) -> String,
}

fn posix_show_status(label: &str) -> String {
    format!("echo \"{label}=$?\"")
}

fn posix_show_var(label: &str, name: &str) -> String {
    format!("echo \"{label}=${{{name}-<unset>}}\"")
}

fn posix_capture(command: &str) -> String {
    format!("\"$({command})\"")
}

fn fish_show_status(label: &str) -> String {
    format!("echo \"{label}=$status\"")
}

fn fish_show_var(label: &str, name: &str) -> String {
    format!("if set -q {name}; echo \"{label}=${name}\"; else; echo '{label}=<unset>'; end")
}

/// `(...)` rather than `"$(...)"`, which fish reads only from 3.4 on; the
/// output here is one line, so splitting does not matter.
fn fish_capture(command: &str) -> String {
    format!("({command})")
}

const BASH: WrapperShell = WrapperShell {
    name: "bash",
    init: r#"eval "$(xacct init bash)""#,
    quote: quote::posix,
    show_status: posix_show_status,
    show_var: posix_show_var,
    capture: posix_capture,
};
const ZSH: WrapperShell = WrapperShell {
    name: "zsh",
    init: r#"eval "$(xacct init zsh)""#,
    ..BASH
};
/// No `xacct init dash`: the bash wrapper is plain enough for dash too.
const DASH: WrapperShell = WrapperShell { name: "dash", ..BASH };
const FISH: WrapperShell = WrapperShell {
    name: "fish",
    init: "xacct init fish | source",
    quote: quote::fish,
    show_status: fish_show_status,
    show_var: fish_show_var,
    capture: fish_capture,
};

impl WrapperShell {
    fn code_shell(&self) -> &'static str {
        if self.name == "fish" {
            "fish"
        } else {
            "posix"
        }
    }

    /// `xacct ARGS` in this shell's syntax.
    fn call(&self, args: &[&str]) -> String {
        let mut line = String::from("xacct");
        for arg in args {
            line.push(' ');
            line.push_str(&(self.quote)(arg));
        }
        line
    }
}

/// What the wrapper should do with a call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Run `xacct SUB --shell X REST...` and evaluate the output on success.
    Eval,
    /// Run `xacct ARGS...` unchanged, output and all.
    PassThrough,
}

const DECISIONS: &[(&[&str], Expect)] = &[
    (&["assume", "demo", "ReadOnly"], Expect::Eval),
    (&["assume", "my account", "it's $(x) `y` \\ \"q\""], Expect::Eval),
    (&["assume", "demo", "--format", "shell"], Expect::Eval),
    (&["assume", "demo", "--format=shell"], Expect::Eval),
    (&["assume", "--", "--help"], Expect::Eval),
    (&["assume"], Expect::Eval),
    (&["unset"], Expect::Eval),
    (&["assume", "demo", "--format", "json"], Expect::PassThrough),
    (&["assume", "demo", "--format=env"], Expect::PassThrough),
    (
        &["assume", "demo", "--format", "credential-process"],
        Expect::PassThrough,
    ),
    (&["assume", "demo", "--format"], Expect::PassThrough),
    (&["assume", "demo", "-h"], Expect::PassThrough),
    (&["assume", "demo", "--help"], Expect::PassThrough),
    (&["assume", "--help"], Expect::PassThrough),
    (&["assume", "-V"], Expect::PassThrough),
    (&["assume", "demo", "--version"], Expect::PassThrough),
    (&["assume", "demo", "--shell", "fish"], Expect::PassThrough),
    (&["assume", "demo", "--shell=posix"], Expect::PassThrough),
    (&["unset", "--help"], Expect::PassThrough),
    (&["unset", "--shell", "fish"], Expect::PassThrough),
    (&["accounts", "--json"], Expect::PassThrough),
    (&["url", "demo", "--color", "blue"], Expect::PassThrough),
    (&["whoami"], Expect::PassThrough),
    (&["init", "bash"], Expect::PassThrough),
    (&["help", "assume"], Expect::PassThrough),
    (&["--version"], Expect::PassThrough),
    (&[], Expect::PassThrough),
];

/// Runs every call of DECISIONS in `shell` (one process each) against the
/// stand-in, with the stand-in exiting `exit_code`, and checks what reached
/// the binary, what was evaluated, what was printed and the status returned.
fn check_decisions(shell: &WrapperShell, exit_code: i32) {
    // The wrapper comes from the real binary; the calls then reach the stand-in.
    let home = Home::empty();
    let wrapper_source = match shell.name {
        "fish" => home.run(&["init", "fish"]).ok().to_owned(),
        _ => home.run(&["init", "bash"]).ok().to_owned(),
    };
    for &(args, expect) in DECISIONS {
        let stub = Stub::new();
        let script = format!(
            "{wrapper_source}\n{}\n{}\n{}\n",
            shell.call(args),
            (shell.show_status)("status"),
            (shell.show_var)("XACCT_STUB_EVALED", "XACCT_STUB_EVALED"),
        );
        let mut cmd = home.command_with_path_first(shell.name, stub.dir.path());
        cmd.env("XACCT_STUB_LOG", stub.log())
            .env("XACCT_STUB_SHELL", shell.code_shell())
            .env("XACCT_STUB_EXIT", exit_code.to_string())
            .arg("-c")
            .arg(&script);
        let out = output_of(&mut cmd);
        let context = format!("{} {args:?} (binary exits {exit_code})", shell.name);
        assert_eq!(out.stderr, "stub stderr\n", "stderr flows through: {context}");

        let want_args: Vec<String> = match expect {
            Expect::Eval => [args[0], "--shell", shell.code_shell()]
                .into_iter()
                .chain(args[1..].iter().copied())
                .map(str::to_owned)
                .collect(),
            Expect::PassThrough => args.iter().map(|a| a.to_string()).collect(),
        };
        assert_eq!(stub.recorded_args(), want_args, "{context}");

        let printed_code = match shell.code_shell() {
            "fish" => "set -g XACCT_STUB_EVALED yes\n",
            _ => "XACCT_STUB_EVALED=yes\n",
        };
        let (printed, evaluated) = match (expect, exit_code) {
            (Expect::Eval, 0) => ("", "yes"),
            (Expect::Eval, _) => ("", "<unset>"),
            (Expect::PassThrough, _) => (printed_code, "<unset>"),
        };
        assert_eq!(
            out.stdout,
            format!("{printed}status={exit_code}\nXACCT_STUB_EVALED={evaluated}\n"),
            "{context}"
        );
    }
}

#[test]
fn bash_wrapper_evaluates_only_shell_code_and_passes_the_rest_through() {
    check_decisions(&BASH, 0);
    check_decisions(&BASH, 3);
}

#[test]
fn zsh_wrapper_evaluates_only_shell_code_and_passes_the_rest_through() {
    check_decisions(&ZSH, 0);
    check_decisions(&ZSH, 3);
}

#[test]
fn dash_runs_the_bash_wrapper_the_same_way() {
    check_decisions(&DASH, 0);
    check_decisions(&DASH, 3);
}

#[test]
fn fish_wrapper_evaluates_only_shell_code_and_passes_the_rest_through() {
    check_decisions(&FISH, 0);
    check_decisions(&FISH, 3);
}

// ---------------------------------------------------------------------------
// The wrappers end to end, against the moto sandbox.

/// In one `shell` process: load the wrapper, fail an assume, assume for real
/// (no eval typed), check the identity, pass help and `accounts` through, and
/// unset. Each step prints `name=value` lines, checked here.
fn wrapper_end_to_end(shell: &WrapperShell) {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let demo1_key = sandbox.info.demo1.access_key_id.clone();
    let help_file = home.path().join("help.txt");
    let accounts_file = home.path().join("accounts.txt");
    let to_file =
        |args: &[&str], file: &Path| format!("{} >{}", shell.call(args), (shell.quote)(file.to_str().unwrap()));
    let (status, var) = (shell.show_status, shell.show_var);
    let steps = [
        // fish sets USER from the passwd entry at startup; the test home's
        // USER=alice is the default session name checked below.
        if shell.name == "fish" {
            "set -gx USER alice".to_owned()
        } else {
            String::new()
        },
        shell.init.to_owned(),
        shell.call(&["assume", "12345"]),
        status("failed"),
        var("key_after_failure", "AWS_ACCESS_KEY_ID"),
        // With the management account's keys, as the test compares below.
        to_file(&["accounts"], &accounts_file),
        status("accounts"),
        shell.call(&["assume", "demo", "MemberReadOnlyAccess"]),
        status("assumed"),
        var("key", "AWS_ACCESS_KEY_ID"),
        format!("echo whoami={}", (shell.capture)(&shell.call(&["whoami"]))),
        to_file(&["assume", "demo", "--help"], &help_file),
        status("help"),
        var("key_after_pass_through", "AWS_ACCESS_KEY_ID"),
        shell.call(&["unset"]),
        status("unset"),
        var("key_after_unset", "AWS_ACCESS_KEY_ID"),
        var("secret_after_unset", "AWS_SECRET_ACCESS_KEY"),
        var("token_after_unset", "AWS_SESSION_TOKEN"),
        var("expiration_after_unset", "AWS_CREDENTIAL_EXPIRATION"),
        var("region_after_unset", "AWS_REGION"),
    ];
    let out = home.shell(shell.name, &steps.join("\n"));
    let lines: Vec<&str> = out.stdout.lines().collect();
    let context = format!("{} printed:\n{}\nstderr:\n{}", shell.name, out.stdout, out.stderr);
    let value = |name: &str| -> Vec<&str> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(&format!("{name}=")))
            .collect()
    };

    // A failing assume returns xacct's status, says why on stderr, sets nothing.
    assert_eq!(value("failed"), ["1"], "{context}");
    assert_eq!(value("key_after_failure"), [demo1_key.as_str()], "{context}");
    let stderr: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(stderr.len(), 1, "{context}");
    assert!(stderr[0].starts_with("xacct: invalid account ID `12345`"), "{context}");

    // Assumed in this very shell: new keys, and the member role's identity.
    assert_eq!(value("assumed"), ["0"], "{context}");
    let key = value("key");
    assert_eq!(key.len(), 1, "{context}");
    assert!(key[0].starts_with("ASIA"), "{context}");
    let demo = &sandbox.info.demo_account_id;
    // whoami's first line is the identity (a second tells the time left).
    let whoami = value("whoami");
    assert_eq!(whoami.len(), 1, "{context}");
    assert!(
        whoami[0].starts_with(&format!("arn:aws:sts::{demo}:assumed-role/MemberReadOnlyAccess/alice")),
        "{context}"
    );

    // Help and `accounts` pass through: the binary's own output, nothing evaluated.
    assert_eq!(value("help"), ["0"], "{context}");
    let help = std::fs::read_to_string(&help_file).unwrap();
    assert_eq!(help, home.run(&["assume", "demo", "--help"]).ok(), "{context}");
    assert!(help.contains("Usage: xacct assume"), "{help}");
    assert_eq!(value("accounts"), ["0"], "{context}");
    let accounts = std::fs::read_to_string(&accounts_file).unwrap();
    assert_eq!(accounts, home.run(&["accounts"]).ok(), "{context}");
    assert!(accounts.starts_with("ID "), "{accounts}");
    assert!(accounts.contains(demo), "{accounts}");
    assert_eq!(value("key_after_pass_through"), key, "{context}");

    // Unset removes the credentials and leaves the region alone.
    assert_eq!(value("unset"), ["0"], "{context}");
    for label in [
        "key_after_unset",
        "secret_after_unset",
        "token_after_unset",
        "expiration_after_unset",
    ] {
        assert_eq!(value(label), ["<unset>"], "{label}: {context}");
    }
    assert_eq!(value("region_after_unset"), [sandbox.info.region.as_str()], "{context}");
}

#[test]
fn bash_wrapper_assumes_in_the_current_shell() {
    wrapper_end_to_end(&BASH);
}

#[test]
fn zsh_wrapper_assumes_in_the_current_shell() {
    wrapper_end_to_end(&ZSH);
}

#[test]
fn dash_wrapper_assumes_in_the_current_shell() {
    wrapper_end_to_end(&DASH);
}

#[test]
fn fish_wrapper_assumes_in_the_current_shell() {
    wrapper_end_to_end(&FISH);
}

// ---------------------------------------------------------------------------
// PowerShell (string level: pwsh cannot be installed here) and bad input.

#[test]
fn powershell_wrapper_calls_the_application_and_evaluates_only_on_success() {
    let home = Home::empty();
    let script = home.run(&["init", "powershell"]).ok().to_owned();
    assert_eq!(home.run(&["init", "pwsh"]).ok(), script);
    assert!(script.contains("function global:xacct {"));
    // The binary, never the function itself.
    assert!(script.contains("Get-Command -Name xacct -CommandType Application"));
    assert!(!script.contains("command xacct"));
    assert!(script.contains("$code = & $binary $args[0] --shell powershell @rest | Out-String"));
    assert!(script.contains("& $binary @args"));
    // Evaluated only after a zero exit code, and only there.
    assert_eq!(script.matches("Invoke-Expression").count(), 2, "usage line + one call");
    let check = script.find("if ($LASTEXITCODE -eq 0 -and $code) {").unwrap();
    let eval = script.rfind("Invoke-Expression $code").unwrap();
    assert!(check < eval);
    // Only assume and unset, and every pass-through flag is known.
    assert!(script.contains("$args[0] -cin @('assume', 'unset')"));
    for flag in ["'-h'", "'--help'", "'-V'", "'--version'", "'--shell'"] {
        assert!(script.contains(flag), "{flag}");
    }
    for pattern in [
        "'--shell=*'",
        "'--format'",
        "'--format=*'",
        "'--format=shell'",
        "'shell'",
    ] {
        assert!(script.contains(pattern), "{pattern}");
    }
    assert_balanced(&script);
}

/// Braces and parentheses pair up outside quoted strings and comments.
fn assert_balanced(script: &str) {
    let mut stack = Vec::new();
    for line in script.lines() {
        let mut in_quote = false;
        for c in line.chars() {
            match c {
                '\'' => in_quote = !in_quote,
                '#' if !in_quote => break,
                '{' | '(' if !in_quote => stack.push(c),
                '}' if !in_quote => assert_eq!(stack.pop(), Some('{'), "{line}"),
                ')' if !in_quote => assert_eq!(stack.pop(), Some('('), "{line}"),
                _ => {}
            }
        }
        assert!(!in_quote, "unterminated quote: {line}");
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn unset_prints_code_for_each_shell() {
    let home = Home::empty();
    let names = credentials::CREDENTIAL_VARS.join(" ");
    assert_eq!(home.run(&["unset"]).ok(), format!("unset {names}\n"));
    assert_eq!(
        home.run(&["unset", "--shell", "fish"]).ok(),
        format!("set -e {names}; or true;\n")
    );
    let ps = home.run(&["unset", "--shell", "powershell"]).ok().to_owned();
    assert!(ps.starts_with("Remove-Item -ErrorAction SilentlyContinue Env:AWS_ACCESS_KEY_ID,"));
    assert!(!names.contains("REGION") && !ps.contains("REGION"));
    // Run for real: dash and fish end up without the credentials, with the region.
    let set_all = "export AWS_ACCESS_KEY_ID=a AWS_SECRET_ACCESS_KEY=b AWS_SESSION_TOKEN=c \
                   AWS_SECURITY_TOKEN=d AWS_REGION=eu-west-1";
    let dash = home.shell(
        "dash",
        &format!("{set_all}\neval \"$(xacct unset)\"\necho \"$?${{AWS_ACCESS_KEY_ID-}}${{AWS_SECRET_ACCESS_KEY-}}${{AWS_SESSION_TOKEN-}}${{AWS_SECURITY_TOKEN-}} $AWS_REGION\""),
    );
    assert_eq!(dash.ok(), "0 eu-west-1\n");
    let fish = home.shell(
        "fish",
        "set -gx AWS_ACCESS_KEY_ID a; set -gx AWS_REGION eu-west-1\n\
         xacct unset --shell fish | source\n\
         echo $status (set -q AWS_ACCESS_KEY_ID; and echo set; or echo gone) $AWS_REGION",
    );
    assert_eq!(fish.ok(), "0 gone eu-west-1\n");
}

#[test]
fn init_for_an_unknown_shell_is_a_usage_error() {
    let home = Home::empty();
    let out = home.run(&["init", "tcsh"]);
    out.fails_with("tcsh");
    assert_eq!(out.code, 2);
}

#[test]
fn init_and_unset_ignore_a_broken_config() {
    let home = Home::empty();
    home.write_config("[defaults\nrole = ");
    home.run(&["accounts"]).fails_with("config.toml");
    assert!(home.run(&["init", "bash"]).ok().contains("xacct() {"));
    assert!(home.run(&["init", "fish"]).ok().contains("function xacct"));
    assert!(home.run(&["unset"]).ok().starts_with("unset AWS_ACCESS_KEY_ID "));
}
