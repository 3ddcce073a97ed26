//! Console switch-role links.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::validate::{shown, Invalid};

/// Everything but the unreserved characters of RFC 3986 is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The console's own switch-role palette.
pub const PALETTE: [(&str, &str); 5] = [
    ("red", "f2b0a9"),
    ("orange", "fbc8aa"),
    ("yellow", "efda95"),
    ("green", "b7ca9d"),
    ("blue", "83d4e8"),
];

pub const MAX_DISPLAY_NAME: usize = 64;

pub fn signin_host(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "signin.amazonaws-us-gov.com",
        "aws-cn" => "signin.amazonaws.cn",
        _ => "signin.aws.amazon.com",
    }
}

/// A color as the console wants it: six lowercase hex digits. Accepts a
/// palette name, or hex digits with or without a leading `#`.
pub fn parse_color(text: &str) -> Result<String, Invalid> {
    if let Some((_, hex)) = PALETTE.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)) {
        return Ok((*hex).to_owned());
    }
    let hex = text.strip_prefix('#').unwrap_or(text);
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(Invalid(format!(
            "invalid color {}: use 6 hex digits such as 83d4e8, or red, orange, yellow, green, blue",
            shown(text)
        )))
    }
}

pub fn check_display_name(text: &str) -> Result<&str, Invalid> {
    let len = text.chars().count();
    if (1..=MAX_DISPLAY_NAME).contains(&len) && !text.chars().any(char::is_control) {
        Ok(text)
    } else {
        Err(Invalid(format!(
            "invalid display name {}: use 1-{MAX_DISPLAY_NAME} printable characters",
            shown(text)
        )))
    }
}

/// A display name derived from the account and role, cut to the console's limit.
pub fn default_display_name(role_name: &str, account_label: &str) -> String {
    let full = format!("{role_name} @ {account_label}");
    full.chars()
        .filter(|c| !c.is_control())
        .take(MAX_DISPLAY_NAME)
        .collect()
}

pub struct SwitchRole<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    /// Role path without the leading slash, then the name.
    pub role_name: &'a str,
    pub display_name: Option<&'a str>,
    pub color: Option<&'a str>,
}

impl SwitchRole<'_> {
    pub fn url(&self) -> String {
        let mut url = format!(
            "https://{}/switchrole?roleName={}&account={}",
            signin_host(self.partition),
            encode(self.role_name),
            encode(self.account)
        );
        if let Some(name) = self.display_name {
            url.push_str("&displayName=");
            url.push_str(&encode(name));
        }
        if let Some(color) = self.color {
            url.push_str("&color=");
            url.push_str(&encode(color));
        }
        url
    }
}

pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_role_url_encodes_every_value() {
        let url = SwitchRole {
            partition: "aws",
            account: "111122223333",
            role_name: "team/ops/Admin",
            display_name: Some("Ops & Co = 100%"),
            color: Some("83d4e8"),
        }
        .url();
        assert_eq!(
            url,
            "https://signin.aws.amazon.com/switchrole?roleName=team%2Fops%2FAdmin&account=111122223333\
             &displayName=Ops%20%26%20Co%20%3D%20100%25&color=83d4e8"
        );
    }

    #[test]
    fn hosts_by_partition() {
        assert_eq!(signin_host("aws-cn"), "signin.amazonaws.cn");
        assert_eq!(signin_host("aws-us-gov"), "signin.amazonaws-us-gov.com");
    }

    #[test]
    fn colors() {
        assert_eq!(parse_color("Blue").unwrap(), "83d4e8");
        assert_eq!(parse_color("#ABCDEF").unwrap(), "abcdef");
        for bad in ["", "purple", "12345", "1234567", "ghijkl"] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_display_name_is_cut_to_64() {
        let name = default_display_name("R", &"x".repeat(100));
        assert_eq!(name.chars().count(), 64);
    }
}
