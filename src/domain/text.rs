//! Text that others control (account names, emails, OU paths, tags, values
//! typed on the command line), made safe for each format xacct writes it in:
//! one rule per format, all in this file, so that no call site invents its own.
//!
//! | where the text goes                           | rule                |
//! |-----------------------------------------------|---------------------|
//! | a terminal: tables, prefixes, prompt, picker  | [`terminal`]        |
//! | a value quoted in a message                   | [`quoted`]          |
//! | a whole message line on stderr                | [`message`]         |
//! | a comment in ~/.aws/config (INI)              | [`ini_comment`]     |
//! | a value in ~/.aws/config (INI)                | [`ini_value`]       |
//! | an entry name for aws-extend-switch-roles     | [`switch_roles_name`] |
//! | HTML text and double-quoted attributes        | [`html`]            |
//!
//! Shell code and completion words are quoted in `crate::shell::quote`.

use crate::domain::validate::Invalid;

/// What a terminal must never be sent from foreign text: control characters
/// (C0, DEL, C1: ESC and CSI start escape sequences, BEL rings, CR and LF
/// break lines) and the invisible format characters (Unicode category Cf:
/// bidirectional controls that reverse the text around them, zero-width
/// characters that hide text or make two names look alike), and the line and
/// paragraph separators U+2028/U+2029.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{890}'..='\u{891}'
                | '\u{8e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Terminal: `text` with every unsafe character shown as `?`, so it cannot
/// move the cursor, retitle or clear the screen, reorder or hide text, or
/// break a line or a table's alignment, and the reader still sees that
/// something was there.
pub fn terminal(text: &str) -> String {
    // Most text is safe ASCII: copied as it is (tables of 10,000 names).
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if is_unsafe_for_terminal(c) { '?' } else { c })
        .collect()
}

/// `bytes` as lowercase hexadecimal: file names from digests and other
/// bytes, random tokens.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// How much of a value a message quotes.
const QUOTED_CHARS: usize = 80;

/// A value quoted in a message: in backticks, unsafe characters (and the
/// backslash) written as escapes so the reader sees exactly what was given,
/// cut after 80 characters.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("`");
    for c in text.chars().take(QUOTED_CHARS) {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_for_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    if text.chars().nth(QUOTED_CHARS).is_some() {
        out.push_str("...");
    }
    out.push('`');
    out
}

/// The longest message line printed whole; longer ones lose their middle.
const MESSAGE_CHARS: usize = 1000;

/// A whole message for stderr: one line (line breaks become spaces), the
/// terminal rule, and at most 1000 characters, cut in the middle so that
/// both what went wrong and what to do stay. The last line of defence for
/// text that reached a message without [`quoted`] (an error from a library
/// that repeats what it was given).
pub fn message(text: &str) -> String {
    let line = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let line = terminal(&line);
    let count = line.chars().count();
    if count <= MESSAGE_CHARS {
        return line;
    }
    let head: String = line.chars().take(MESSAGE_CHARS / 2).collect();
    let tail: String = line.chars().skip(count - MESSAGE_CHARS / 2).collect();
    format!("{head} ... {tail}")
}

/// INI comment (~/.aws/config): a comment is a whole line from `#` to the line
/// end, so the text must be one line whatever the reader counts as a line end
/// (`\r` for Python, U+2028 and U+0085 for others); the terminal rule does
/// that, and the comment is read by people in terminals and editors too.
pub fn ini_comment(text: &str) -> String {
    terminal(text)
}

/// INI value (~/.aws/config): one line of visible text, or an error. A value
/// is never rewritten: a changed region or command would be a different one.
pub fn ini_value<'a>(key: &str, value: &'a str) -> Result<&'a str, Invalid> {
    if value.chars().any(is_unsafe_for_terminal) || value.trim() != value {
        return Err(Invalid(format!(
            "cannot write {key} = {} into an AWS config file: a value there is one line of visible text",
            quoted(value)
        )));
    }
    Ok(value)
}

/// An entry name for aws-extend-switch-roles, written as `[NAME]`. The
/// extension reads a line from the first `;` or `#` on as a comment (anywhere,
/// not only at the start), takes `[`...`]` as the name's ends, breaks lines at
/// `\r` and `\n`, and drops a leading `profile ` from the name: those
/// characters become `?` (after the terminal rule: the name is shown in a
/// browser menu), and a name starting with `profile ` gets a second one.
pub fn switch_roles_name(text: &str) -> String {
    let name: String = terminal(text)
        .chars()
        .map(|c| if matches!(c, ';' | '#' | '[' | ']') { '?' } else { c })
        .collect();
    let start = name.trim_start();
    let first_word_is_profile = start.is_char_boundary(7)
        && start[..7].eq_ignore_ascii_case("profile")
        && start[7..].starts_with(char::is_whitespace);
    if first_word_is_profile {
        format!("profile {name}")
    } else {
        name
    }
}

/// HTML text and double-quoted attribute values: markup characters as
/// entities, after the terminal rule (a page is read by people too, and
/// bidirectional controls would reorder a name there as well).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in terminal(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\u{1b}[2J\u{7}\u{9b}\u{202e}b\u{2066}\u{200e}\u{61c}\u{2028}\u{2029}\u{200b}\u{200d}\u{2060}\u{feff}\u{85}\r\nc";

    #[test]
    fn terminal_shows_controls_and_invisible_characters_as_question_marks() {
        assert_eq!(terminal(HOSTILE), "a?[2J???b????????????c");
        assert_eq!(terminal("日本 ü é-x_y.z@w"), "日本 ü é-x_y.z@w");
    }

    #[test]
    fn quoted_escapes_and_cuts() {
        assert_eq!(quoted("a\u{1b}[31m\\b\n\u{202e}"), r"`a\u{1b}[31m\\b\n\u{202e}`");
        let long = quoted(&"p".repeat(100_000));
        assert_eq!(long, format!("`{}...`", "p".repeat(80)));
    }

    #[test]
    fn messages_are_one_safe_line_cut_in_the_middle() {
        assert_eq!(message("what\nwent \u{1b}wrong\r\n: do"), "what went ?wrong : do");
        let long = message(&format!("start {} end: do this", "x".repeat(5000)));
        assert!(long.starts_with("start xxx") && long.ends_with("xxx end: do this"));
        assert_eq!(long.chars().count(), 1005);
    }

    #[test]
    fn ini_comments_are_one_line_and_values_are_checked() {
        let comment = ini_comment("Sandbox\n[profile x]\rcredential_process = sh\u{85}\u{2028}[y]");
        assert_eq!(comment, "Sandbox?[profile x]?credential_process = sh??[y]");
        assert_eq!(ini_value("region", "eu-west-1"), Ok("eu-west-1"));
        for bad in ["a\nb", "a\rb", "a\u{2028}b", " a", "a "] {
            assert!(ini_value("region", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn switch_roles_names_keep_no_comment_bracket_or_line_break() {
        assert_eq!(switch_roles_name("a;b#c[d]e\nf"), "a?b?c?d?e?f");
        assert_eq!(switch_roles_name("Profile  prod | R"), "profile Profile  prod | R");
        assert_eq!(switch_roles_name("profiles | R"), "profiles | R");
        assert_eq!(switch_roles_name("日本"), "日本");
    }

    #[test]
    fn html_escapes_markup_after_the_terminal_rule() {
        assert_eq!(
            html("<script>\"a\"&'b'\u{1b}\u{202e}</script>"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;??&lt;/script&gt;"
        );
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(super::hex(&[]), "");
    }
}
