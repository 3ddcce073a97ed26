//! Console links: the switch-role link, and where a federated sign-in lands.

pub mod browser;
pub mod signin;
pub mod signin_page;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::console::MAX_DISPLAY_NAME;
use crate::domain::validate::{shown, Invalid};

/// Everything but the unreserved characters of RFC 3986 is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn signin_host(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "signin.amazonaws-us-gov.com",
        "aws-cn" => "signin.amazonaws.cn",
        _ => "signin.aws.amazon.com",
    }
}

pub fn console_host(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "console.amazonaws-us-gov.com",
        "aws-cn" => "console.amazonaws.cn",
        _ => "console.aws.amazon.com",
    }
}

/// The region a console page opens in when none is known.
pub fn home_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => "us-east-1",
    }
}

/// The console page to land on after sign-in: the console home, or a
/// service's home (`https://<console host>/<service>/home?region=<region>`, the
/// pattern the console's own service links follow).
pub fn landing_page(partition: &str, region: &str, service: Option<&str>) -> Result<String, Invalid> {
    let host = console_host(partition);
    let service = match service {
        None => "console",
        Some(s)
            if !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            s
        }
        Some(s) => {
            return Err(Invalid(format!(
                "invalid service {}: give the name in the console's URLs, such as s3, ec2, iam, cloudwatch",
                shown(s)
            )))
        }
    };
    Ok(format!("https://{host}/{service}/home?region={}", encode(region)))
}

/// A `--destination` URL, checked to be an https page on the partition's console
/// host (or one of its regional hosts): the sign-in link must not lead elsewhere.
pub fn check_destination<'a>(url: &'a str, partition: &str) -> Result<&'a str, Invalid> {
    let host = console_host(partition);
    let bad = || {
        Invalid(format!(
            "invalid destination {}: give an https URL on {host}, such as https://{host}/s3/home",
            shown(url)
        ))
    };
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let plain_host = authority
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let on_console =
        plain_host && (authority == host || authority.strip_suffix(host).is_some_and(|sub| sub.ends_with('.')));
    if !on_console || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    Ok(url)
}

/// Refuses roles the console cannot switch into: those used with an external
/// ID or a source identity (from the flags, the profile or `[defaults]`), which
/// the console's switch-role has no way to pass.
pub fn check_switchable(role_name: &str, external_id: bool, source_identity: bool) -> Result<(), Invalid> {
    let needs = match (external_id, source_identity) {
        (true, true) => "an external ID and a source identity",
        (true, false) => "an external ID",
        (false, true) => "a source identity",
        (false, false) => return Ok(()),
    };
    Err(Invalid(format!(
        "the console cannot switch into role {role_name}: it is used with {needs}, which the console cannot pass, \
         so xacct gives console access only to roles without them: use `xacct assume` or `xacct exec` for this one"
    )))
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
        assert_eq!(console_host("aws"), "console.aws.amazon.com");
        assert_eq!(console_host("aws-cn"), "console.amazonaws.cn");
        assert_eq!(console_host("aws-us-gov"), "console.amazonaws-us-gov.com");
    }

    #[test]
    fn landing_pages() {
        assert_eq!(
            landing_page("aws", "eu-west-1", None).unwrap(),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            landing_page("aws-us-gov", "us-gov-east-1", Some("s3")).unwrap(),
            "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-east-1"
        );
        for bad in ["", "S3", "s3/../x", "a b", "ec2?x"] {
            assert!(landing_page("aws", "us-east-1", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn destinations_stay_on_the_console() {
        for good in [
            "https://console.aws.amazon.com/s3/home",
            "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:",
        ] {
            assert!(check_destination(good, "aws").is_ok(), "{good}");
        }
        for bad in [
            "http://console.aws.amazon.com/",
            "https://evil.example/console.aws.amazon.com",
            "https://console.aws.amazon.com.evil.example/",
            "https://evilconsole.aws.amazon.com/",
            "https://user@console.aws.amazon.com/",
            "https://console.amazonaws.cn/",
            "https://a@b.console.aws.amazon.com/",
            "https://console.aws.amazon.com:8443/",
        ] {
            assert!(check_destination(bad, "aws").is_err(), "{bad}");
        }
        assert!(check_destination("https://console.amazonaws.cn/iam/home", "aws-cn").is_ok());
    }

    #[test]
    fn default_display_name_is_cut_to_64() {
        let name = default_display_name("R", &"x".repeat(100));
        assert_eq!(name.chars().count(), 64);
    }
}
