//! AWS input rules (REFERENCE.md), checked before any call: the Rust SDK checks
//! none of them, and moto accepts anything.

use thiserror::Error;

use crate::domain::account_id::AccountId;
use crate::domain::partition::Partition;

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

/// `\w` in AWS's patterns is ASCII word characters.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters of `[\w+=,.@-]`, shared by role names, session names and source identities.
fn is_name_char(c: char) -> bool {
    is_word(c) || "+=,.@-".contains(c)
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

/// GetSessionToken for an IAM user: 900 seconds to 36 hours.
pub fn mfa_session_secs(secs: u64) -> Result<u64, Invalid> {
    if (MIN_DURATION_SECS..=129_600).contains(&secs) {
        Ok(secs)
    } else {
        Err(invalid(format!(
            "MFA session length {secs}s is out of range: 900s (15m) to 129600s (36h)"
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

pub fn external_id(s: &str) -> Result<&str, Invalid> {
    let ok = (2..=1224).contains(&s.chars().count()) && s.chars().all(|c| is_name_char(c) || c == ':' || c == '/');
    if ok {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid external ID {}: use 2-1224 characters of letters, digits and +=,.@:/_-",
            shown(s)
        )))
    }
}

pub fn source_identity(s: &str) -> Result<&str, Invalid> {
    if s.len() >= 4 && s[..4].eq_ignore_ascii_case("aws:") {
        return Err(invalid(format!(
            "invalid source identity {}: it may not start with aws:",
            shown(s)
        )));
    }
    if (2..=64).contains(&s.chars().count()) && s.chars().all(is_name_char) {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid source identity {}: use 2-64 characters of letters, digits and +=,.@_-",
            shown(s)
        )))
    }
}

pub fn mfa_serial(s: &str) -> Result<&str, Invalid> {
    let ok = (9..=256).contains(&s.chars().count()) && s.chars().all(|c| is_name_char(c) || c == '/' || c == ':');
    if ok {
        Ok(s)
    } else {
        Err(invalid(format!(
            "invalid MFA serial {}: give the MFA device ARN, such as arn:aws:iam::123456789012:mfa/alice",
            shown(s)
        )))
    }
}

pub fn token_code(s: &str) -> Result<&str, Invalid> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(invalid("invalid MFA code: an MFA code is exactly 6 digits"))
    }
}

/// A command that prints an MFA code (run with `sh -c`): any text a shell can
/// be given, not blank.
pub fn mfa_process(s: &str) -> Result<&str, Invalid> {
    if s.trim().is_empty() {
        Err(invalid(
            "empty MFA process: give the command that prints the code, such as `ykman oath accounts code --single aws`",
        ))
    } else if s.contains('\0') {
        Err(invalid("invalid MFA process: the command contains a NUL byte"))
    } else {
        Ok(s)
    }
}

pub const MAX_TAGS: usize = 50;
pub const MAX_POLICY_ARNS: usize = 10;
pub const MAX_POLICY_CHARS: usize = 2048;

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`: letters, separators, numbers and a few marks.
fn is_tag_char(c: char) -> bool {
    let separator = matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    );
    (c.is_alphanumeric() && !c.is_control()) || separator || "_.:/=+-@".contains(c)
}

/// Session tags: at most 50, keys 1-128 and values 0-256 characters, keys
/// unique regardless of case (AWS compares them so).
pub fn tags(tags: &[(String, String)]) -> Result<(), Invalid> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "{} session tags given: AWS takes at most {MAX_TAGS}",
            tags.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (key, value) in tags {
        if !(1..=128).contains(&key.chars().count()) || !key.chars().all(is_tag_char) {
            return Err(invalid(format!(
                "invalid tag key {}: use 1-128 letters, digits, spaces and _.:/=+-@",
                shown(key)
            )));
        }
        if value.chars().count() > 256 || !value.chars().all(is_tag_char) {
            return Err(invalid(format!(
                "invalid value for tag {}: use at most 256 letters, digits, spaces and _.:/=+-@",
                shown(key)
            )));
        }
        if !seen.insert(key.to_lowercase()) {
            return Err(invalid(format!(
                "tag {} is given twice (tag keys ignore case)",
                shown(key)
            )));
        }
    }
    Ok(())
}

/// Transitive tag keys: at most 50, each the key of a tag being set.
pub fn transitive_tag_keys(keys: &[String], tags: &[(String, String)]) -> Result<(), Invalid> {
    if keys.len() > MAX_TAGS {
        return Err(invalid(format!(
            "{} transitive tag keys given: AWS takes at most {MAX_TAGS}",
            keys.len()
        )));
    }
    for key in keys {
        if !tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(invalid(format!(
                "transitive tag key {} is not among the tags: add --tag {}=VALUE",
                shown(key),
                crate::domain::text::terminal(key)
            )));
        }
    }
    Ok(())
}

/// Managed policy ARNs for the session: at most 10, each an IAM policy ARN.
pub fn policy_arns(arns: &[String]) -> Result<(), Invalid> {
    if arns.len() > MAX_POLICY_ARNS {
        return Err(invalid(format!(
            "{} policy ARNs given: AWS takes at most {MAX_POLICY_ARNS}",
            arns.len()
        )));
    }
    for arn in arns {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ok = (20..=2048).contains(&arn.len())
            && parts.len() == 6
            && parts[0] == "arn"
            && parts[1].parse::<Partition>().is_ok()
            && parts[2] == "iam"
            && parts[3].is_empty()
            && (parts[4] == "aws" || AccountId::is_valid(parts[4]))
            && parts[5].starts_with("policy/")
            && parts[5].len() > "policy/".len()
            && arn.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if !ok {
            return Err(invalid(format!(
                "invalid policy ARN {}: expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME",
                shown(arn)
            )));
        }
    }
    Ok(())
}

/// An inline session policy: a JSON document of at most 2048 characters.
pub fn session_policy(text: &str) -> Result<&str, Invalid> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        return Err(invalid(format!("the session policy is not valid JSON: {e}")));
    }
    let len = text.chars().count();
    if len > MAX_POLICY_CHARS {
        return Err(invalid(format!(
            "the session policy is {len} characters: AWS takes at most {MAX_POLICY_CHARS}"
        )));
    }
    Ok(text)
}

/// A value quoted for an error message: the one rule for that is in `text`.
pub use crate::domain::text::quoted as shown;

#[cfg(test)]
mod tests {
    use super::*;

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
    fn external_ids_source_identities_and_mfa() {
        assert!(external_id("a:b/c").is_ok());
        assert!(external_id("a").is_err());
        assert!(external_id(&"x".repeat(1225)).is_err());
        assert!(source_identity("alice").is_ok());
        assert!(source_identity("AWS:alice").is_err());
        assert!(mfa_serial("arn:aws:iam::123456789012:mfa/alice").is_ok());
        assert!(mfa_serial("short").is_err());
        assert!(token_code("012345").is_ok());
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert!(token_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_tags() {
        let tag = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert!(tags(&[
            tag("Project", "Blue Sky"),
            tag("cost:centre", ""),
            tag("Ünïcode", "日本")
        ])
        .is_ok());
        assert!(tags(&[tag("", "x")]).is_err());
        assert!(tags(&[tag("a", "semi;colon")]).is_err());
        assert!(tags(&[tag("a", "tab\there")]).is_err());
        assert!(tags(&[tag("Team", "a"), tag("team", "b")]).is_err());
        assert!(tags(&[tag(&"k".repeat(129), "")]).is_err());
        assert!(tags(&[tag("k", &"v".repeat(257))]).is_err());
        let many: Vec<_> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(tags(&many).is_err());
        assert!(transitive_tag_keys(&["project".into()], &[tag("Project", "x")]).is_ok());
        assert!(transitive_tag_keys(&["Other".into()], &[tag("Project", "x")]).is_err());
    }

    #[test]
    fn policies() {
        assert!(policy_arns(&["arn:aws:iam::aws:policy/ReadOnlyAccess".into()]).is_ok());
        assert!(policy_arns(&["arn:aws:iam::123456789012:policy/team/Mine".into()]).is_ok());
        assert!(policy_arns(&["arn:aws:iam::aws:role/X".into()]).is_err());
        assert!(policy_arns(&vec!["arn:aws:iam::aws:policy/P".to_string(); 11]).is_err());
        assert!(session_policy(r#"{"Version":"2012-10-17","Statement":[]}"#).is_ok());
        assert!(session_policy("{not json").is_err());
        assert!(session_policy(&format!("\"{}\"", "x".repeat(2047))).is_err());
    }

    #[test]
    fn shown_escapes_control_characters() {
        assert_eq!(shown("a\u{1b}[31mb\n"), "`a\\u{1b}[31mb\\n`");
    }
}
