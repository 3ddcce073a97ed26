//! One escaper per shell. Each returns a single-quoted word that the shell
//! reads back as exactly `value`.

/// POSIX sh, bash, zsh, dash: nothing is special inside single quotes, so a
/// quote is closed, written escaped, and reopened: `'` -> `'\''`.
pub fn posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Whether `value` reads as itself, one word, in every shell xacct supports:
/// ASCII letters, digits and `_-./+` only (`:`/`=` split words for bash's
/// completion, `,` and `@` are operators to PowerShell).
pub fn needs_no_quotes(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "_-./+".contains(c))
}

/// A word for a POSIX shell (or Python's shlex): as is when it holds only
/// characters neither treats specially, else single-quoted by [`posix`].
pub fn posix_word(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@,+%".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        value.to_owned()
    } else {
        posix(value)
    }
}

/// A word for a program started on Windows, split by the C runtime's rules
/// (as botocore's `_windows_shell_split` does): as is when it holds no space,
/// tab or double quote, else in double quotes, where a run of backslashes is
/// doubled when a quote follows it (a quote of the word, or the closing one)
/// and a quote of the word is written `\"`.
pub fn windows_word(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\t', '"']) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut backslashes = 0;
    for c in value.chars() {
        if c == '\\' {
            backslashes += 1;
            continue;
        }
        // Backslashes before a quote escape each other; elsewhere they are literal.
        let written = if c == '"' { backslashes * 2 + 1 } else { backslashes };
        out.extend(std::iter::repeat_n('\\', written));
        backslashes = 0;
        out.push(c);
    }
    // The closing quote follows the trailing backslashes.
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

/// A completion for bash, which inserts what it is given as typed: every
/// character but letters, digits and `_-./+` behind a backslash, as bash's
/// own file-name completion writes them, so the word still starts with what
/// was typed. (A line break cannot be escaped this way: `\` + newline is a
/// line continuation; completions never hold one.)
pub fn bash_completion(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        if !(c.is_alphanumeric() || "_-./+".contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A word for PowerShell: as is when it needs no quotes, else single-quoted
/// by [`powershell`].
pub fn powershell_word(value: &str) -> String {
    if needs_no_quotes(value) {
        value.to_owned()
    } else {
        powershell(value)
    }
}

/// fish: inside single quotes `\\` and `\'` are escapes, so both the backslash
/// and the quote must be escaped (the POSIX escaper here is an injection bug).
pub fn fish(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// PowerShell: a quote inside single quotes is doubled. PowerShell also treats
/// the typographic single quotes U+2018..U+201B as quotes, so those are doubled too.
pub fn powershell(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quotes() {
        assert_eq!(posix("a'b"), r"'a'\''b'");
        assert_eq!(posix("$x `y` \\"), r"'$x `y` \'");
    }

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(posix_word("/usr/bin/xacct"), "/usr/bin/xacct");
        assert_eq!(posix_word("arn:aws:iam::1:role/a+=,.@-"), "arn:aws:iam::1:role/a+=,.@-");
        assert_eq!(posix_word("/opt/my apps/xacct"), "'/opt/my apps/xacct'");
        assert_eq!(posix_word(""), "''");
        assert_eq!(powershell_word("a,b"), "'a,b'");
        assert_eq!(bash_completion("pwn$(x${IFS}y) é"), r"pwn\$\(x\$\{IFS\}y\)\ é");
    }

    #[test]
    fn windows_words_follow_the_c_runtime() {
        assert_eq!(
            windows_word(r"C:\Program Files\xacct.exe"),
            r#""C:\Program Files\xacct.exe""#
        );
        assert_eq!(windows_word(r"C:\bin\xacct.exe"), r"C:\bin\xacct.exe");
        assert_eq!(windows_word(r#"a"b"#), r#""a\"b""#);
        assert_eq!(windows_word(r#"a\"b"#), r#""a\\\"b""#);
        assert_eq!(windows_word(r"a b\"), r#""a b\\""#);
        assert_eq!(windows_word(""), r#""""#);
    }

    #[test]
    fn fish_escapes_backslash_and_quote() {
        assert_eq!(fish(r"a\'b"), r"'a\\\'b'");
    }

    #[test]
    fn powershell_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell("it's ‘x’"), "'it''s ‘‘x’’'");
    }
}
