//! One escaper per shell. Each returns a single-quoted word that the shell
//! reads back as exactly `value`.

/// POSIX sh, bash, zsh, dash: nothing is special inside single quotes, so a
/// quote is closed, written escaped, and reopened: `'` -> `'\''`.
pub fn posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
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
    fn fish_escapes_backslash_and_quote() {
        assert_eq!(fish(r"a\'b"), r"'a\\\'b'");
    }

    #[test]
    fn powershell_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell("it's ‘x’"), "'it''s ‘‘x’’'");
    }
}
