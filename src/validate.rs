//! AWS input rules (REFERENCE.md), checked before any call: the Rust SDK checks
//! none of them, and moto accepts anything.

use thiserror::Error;

/// A value that breaks an AWS rule. The message says what is wrong and how to fix it.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(msg: impl Into<String>) -> Invalid {
    Invalid(msg.into())
}

pub const MIN_DURATION_SECS: u64 = 900;
pub const MAX_DURATION_SECS: u64 = 43_200;
pub const DEFAULT_DURATION_SECS: u64 = 3600;

/// The partitions whose sign-in hosts xacct knows.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// `\w` in AWS's patterns is ASCII word characters.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters of `[\w+=,.@-]`, shared by role names, session names and source identities.
fn is_name_char(c: char) -> bool {
    is_word(c) || "+=,.@-".contains(c)
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn account_id(s: &str) -> Result<&str, Invalid> {
    if is_account_id(s) {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid account ID {}: an account ID is exactly 12 digits",
            shown(s)
        )))
    }
}

pub fn role_name(s: &str) -> Result<&str, Invalid> {
    if (1..=64).contains(&s.chars().count()) && s.chars().all(is_name_char) {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid role name {}: use 1-64 characters of letters, digits and +=,.@_-",
            shown(s)
        )))
    }
}

/// An IAM path: `/` or `/a/b/`, printable ASCII, at most 512 characters.
pub fn role_path(s: &str) -> Result<&str, Invalid> {
    let ok = s.len() <= 512
        && s.starts_with('/')
        && s.ends_with('/')
        && !s.contains("//")
        && s.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid role path {}: a path is `/` or `/team/ops/` (printable ASCII, no empty segments)",
            shown(s)
        )))
    }
}

pub fn session_name(s: &str) -> Result<&str, Invalid> {
    if (2..=64).contains(&s.chars().count()) && s.chars().all(is_name_char) {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid session name {}: use 2-64 characters of letters, digits and +=,.@_-",
            shown(s)
        )))
    }
}

pub fn duration_secs(secs: u64) -> Result<u64, Invalid> {
    if (MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(invalid(format!(
            "duration {secs}s is out of range: AssumeRole takes 900s (15m) to 43200s (12h)"
        )))
    }
}

pub fn region(s: &str) -> Result<&str, Invalid> {
    let ok = (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid region {}: expected a region code such as us-east-1",
            shown(s)
        )))
    }
}

pub fn partition(s: &str) -> Result<&str, Invalid> {
    if PARTITIONS.contains(&s) {
        Ok(s)
    } else {
        Err(invalid(format!(
            "unknown partition {}: expected one of aws, aws-cn, aws-us-gov",
            shown(s)
        )))
    }
}

/// A value quoted for an error message, with control characters escaped so
/// that hostile input cannot rewrite the terminal, and cut if very long.
pub fn shown(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s
        .chars()
        .take(MAX)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if s.chars().count() > MAX {
        out.push_str("...");
    }
    format!("`{out}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits_with_leading_zeros_kept() {
        assert!(account_id("012345678901").is_ok());
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "١٢٣٤٥٦٧٨٩٠١٢",
        ] {
            assert!(account_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_names() {
        assert!(role_name("MemberReadOnlyAccess").is_ok());
        assert!(role_name("a+=,.@_-").is_ok());
        assert!(role_name(&"a".repeat(64)).is_ok());
        for bad in ["", "has space", "slash/no", "ünï", &"a".repeat(65)] {
            assert!(role_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_paths() {
        assert!(role_path("/").is_ok());
        assert!(role_path("/team/ops/").is_ok());
        for bad in ["", "team/", "/team", "//", "/a b/"] {
            assert!(role_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_names_are_two_to_sixty_four() {
        assert!(session_name("ab").is_ok());
        assert!(session_name("alice@example.com").is_ok());
        for bad in ["a", "has space", "a:b", &"a".repeat(65)] {
            assert!(session_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn duration_bounds() {
        assert!(duration_secs(900).is_ok());
        assert!(duration_secs(43_200).is_ok());
        assert!(duration_secs(899).is_err());
        assert!(duration_secs(43_201).is_err());
    }

    #[test]
    fn shown_escapes_control_characters() {
        assert_eq!(shown("a\u{1b}[31mb\n"), "`a\\u{1b}[31mb\\n`");
    }
}
