//! Console links: the switch-role link, and where a federated sign-in lands.

pub mod browser;
pub mod signin;
pub mod signin_page;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::account_id::AccountId;
use crate::domain::console::{is_host_or_subdomain, MAX_DISPLAY_NAME};
use crate::domain::partition::Partition;
use crate::domain::validate::{shown, Invalid};

/// Everything but the unreserved characters of RFC 3986 is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The console page to land on after sign-in: the console home, or a
/// service's home (`https://<console host>/<service>/home?region=<region>`, the
/// pattern the console's own service links follow).
pub fn landing_page(partition: Partition, region: &str, service: Option<&str>) -> Result<String, Invalid> {
    let host = partition.console_host();
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
/// Given back in the form the URL parser wrote it (so what was checked is what
/// is sent).
///
/// The authority must be exactly the host: no user information (`a@`, even an
/// empty one), no port (not even `:443`), no percent-encoded or non-ASCII
/// (IDN) host, and no backslashes anywhere, so that no other URL parser (the
/// sign-in endpoint's, the browser's) can read another host out of it.
pub fn check_destination(text: &str, partition: Partition) -> Result<String, Invalid> {
    let host = partition.console_host();
    let bad = || {
        Invalid(format!(
            "invalid destination {}: give an https URL on {host}, such as https://{host}/s3/home",
            shown(text)
        ))
    };
    // The URL parser drops tabs and line breaks silently, and reads `\` as `/`.
    if text.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(bad());
    }
    let url = url::Url::parse(text).map_err(|_| bad())?;
    let Some(url::Host::Domain(parsed_host)) = url.host() else {
        return Err(bad());
    };
    let on_console = is_host_or_subdomain(parsed_host, host);
    let plain = url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none()
        && written_authority(text).is_some_and(|written| written.eq_ignore_ascii_case(parsed_host));
    if !(on_console && plain) {
        return Err(bad());
    }
    Ok(url.into())
}

/// The authority as written in `text` (after `https://`, up to the path,
/// query or fragment), before any decoding the URL parser does.
fn written_authority(text: &str) -> Option<&str> {
    let scheme = text.get(..8).filter(|s| s.eq_ignore_ascii_case("https://"))?;
    let rest = &text[scheme.len()..];
    rest.split(['/', '?', '#']).next()
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
    pub partition: Partition,
    pub account: AccountId,
    /// Role path without the leading slash, then the name.
    pub role_name: &'a str,
    pub display_name: Option<&'a str>,
    pub color: Option<&'a str>,
}

impl SwitchRole<'_> {
    pub fn url(&self) -> String {
        let mut url = format!(
            "https://{}/switchrole?roleName={}&account={}",
            self.partition.signin_host(),
            encode(self.role_name),
            encode(self.account.as_str())
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
            partition: Partition::Aws,
            account: "111122223333".parse().unwrap(),
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
    fn landing_pages() {
        assert_eq!(
            landing_page(Partition::Aws, "eu-west-1", None).unwrap(),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            landing_page(Partition::AwsUsGov, "us-gov-east-1", Some("s3")).unwrap(),
            "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-east-1"
        );
        for bad in ["", "S3", "s3/../x", "a b", "ec2?x"] {
            assert!(landing_page(Partition::Aws, "us-east-1", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn destinations_stay_on_the_console() {
        for good in [
            "https://console.aws.amazon.com/s3/home",
            "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:",
        ] {
            assert!(check_destination(good, Partition::Aws).is_ok(), "{good}");
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
            assert!(check_destination(bad, Partition::Aws).is_err(), "{bad}");
        }
        assert!(check_destination("https://console.amazonaws.cn/iam/home", Partition::AwsCn).is_ok());
    }

    #[test]
    fn destinations_are_given_back_as_parsed() {
        for (given, used) in [
            (
                "https://us-east-1.console.aws.amazon.com/iam/home#/roles",
                "https://us-east-1.console.aws.amazon.com/iam/home#/roles",
            ),
            // The host is case-insensitive; the path is not.
            (
                "HTTPS://CONSOLE.AWS.Amazon.COM/S3/home",
                "https://console.aws.amazon.com/S3/home",
            ),
            ("https://console.aws.amazon.com", "https://console.aws.amazon.com/"),
            (
                "https://console.aws.amazon.com/s3/home?x=a@b",
                "https://console.aws.amazon.com/s3/home?x=a@b",
            ),
            (
                "https://console.aws.amazon.com/s3/%C3%A9?q=é",
                "https://console.aws.amazon.com/s3/%C3%A9?q=%C3%A9",
            ),
        ] {
            assert_eq!(check_destination(given, Partition::Aws).unwrap(), used, "{given}");
        }
    }

    #[test]
    fn destinations_cannot_hide_another_host() {
        for bad in [
            // User information, even empty, and passwords.
            "https://@console.aws.amazon.com/",
            "https://:@console.aws.amazon.com/",
            "https://user:pass@console.aws.amazon.com/",
            "https://console.aws.amazon.com@evil.example/",
            "https://console.aws.amazon.com:443@evil.example/",
            "https://evil.example#@console.aws.amazon.com/",
            "https://evil.example?@console.aws.amazon.com/",
            // Ports, even the default one or an empty one.
            "https://console.aws.amazon.com:443/",
            "https://console.aws.amazon.com:/",
            "https://console.aws.amazon.com:0/",
            // Backslashes, which WHATWG parsers read as `/` and others do not.
            "https://console.aws.amazon.com\\@evil.example/",
            "https://evil.example\\.console.aws.amazon.com/",
            "https:\\\\console.aws.amazon.com/",
            "https://console.aws.amazon.com/s3\\home",
            // Scheme spellings the URL parser forgives.
            "https:console.aws.amazon.com/",
            "https:/console.aws.amazon.com/",
            "https:///console.aws.amazon.com/",
            "javascript://console.aws.amazon.com/%0aalert(1)",
            "file://console.aws.amazon.com/etc/passwd",
            // Hosts that decode or map to the console's.
            "https://console%2eaws.amazon.com/",
            "https://console.aws.amazon%2ecom/",
            "https://cönsole.aws.amazon.com/",
            "https://xn--cnsole-jua.aws.amazon.com/",
            "https://console．aws．amazon．com/",
            "https://CONSOLE.AWS.AMAZON.COM.evil.example/",
            "https://console.aws.amazon.com./",
            "https://.console.aws.amazon.com/",
            "https://x..console.aws.amazon.com/",
            "https://console.aws.amazon.com.:443/",
            // Addresses, and nothing.
            "https://127.0.0.1/",
            "https://[::1]/",
            "https:///",
            "",
            "console.aws.amazon.com/s3/home",
            // Whitespace and control characters the parser would drop.
            "https://console.aws.amazon.com/s3/\thome",
            "https://console.aws.amaz\non.com/",
            " https://console.aws.amazon.com/",
            "https://console.aws.amazon.com/\u{0}",
        ] {
            assert!(check_destination(bad, Partition::Aws).is_err(), "{bad}");
        }
        // Each partition has its own console.
        assert!(check_destination("https://console.aws.amazon.com/", Partition::AwsUsGov).is_err());
        assert!(check_destination(
            "https://us-gov-west-1.console.amazonaws-us-gov.com/",
            Partition::AwsUsGov
        )
        .is_ok());
    }

    #[test]
    fn a_bad_destination_says_where_to_go() {
        let err = check_destination("https://evil.example/", Partition::AwsCn).unwrap_err();
        assert_eq!(
            err.0,
            "invalid destination `https://evil.example/`: give an https URL on console.amazonaws.cn, \
             such as https://console.amazonaws.cn/s3/home"
        );
    }

    #[test]
    fn default_display_name_is_cut_to_64() {
        let name = default_display_name("R", &"x".repeat(100));
        assert_eq!(name.chars().count(), 64);
    }
}
