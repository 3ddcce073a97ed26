//! The console's rules, checked wherever a value is read (flags, the config
//! file): its switch-role palette and display names, and which federation
//! endpoints may receive console credentials.

use crate::domain::partition::Partition;
use crate::domain::validate::{shown, Invalid};

/// The console's own switch-role palette.
pub const PALETTE: [(&str, &str); 5] = [
    ("red", "f2b0a9"),
    ("orange", "fbc8aa"),
    ("yellow", "efda95"),
    ("green", "b7ca9d"),
    ("blue", "83d4e8"),
];

pub const MAX_DISPLAY_NAME: usize = 64;

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

/// Overrides the federation endpoint (tests point it at a loopback stand-in).
pub const ENDPOINT_VAR: &str = "XACCT_FEDERATION_ENDPOINT";

/// Where an endpoint URL comes from. Whoever can write the config file must
/// not be able to send console credentials elsewhere, so the file may name
/// only AWS's sign-in hosts; another endpoint (a proxy, a test stand-in) is
/// named in the environment, which only the person running xacct controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Environment,
    ConfigFile,
}

/// AWS's sign-in hosts, one per partition; their subdomains (regional
/// sign-in, `us-east-1.signin.aws.amazon.com`) are AWS's too.
const AWS_SIGNIN_HOSTS: [&str; 3] = [
    Partition::Aws.signin_host(),
    Partition::AwsUsGov.signin_host(),
    Partition::AwsCn.signin_host(),
];

/// An endpoint URL, parsed and given back in the form it is then used in (so
/// that what was checked is what is contacted): https, or plain http to this
/// machine only (the credentials travel in it); from the config file, https to
/// an AWS sign-in host only.
pub fn check_endpoint(text: &str, origin: Origin) -> Result<String, Invalid> {
    let bad = |why: &str| Invalid(format!("invalid federation endpoint {}: {why}", shown(text)));
    let example = "give a URL such as https://signin.aws.amazon.com/federation, with no query";
    // The URL parser drops tabs and newlines silently: refuse them first.
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(example));
    }
    let url = url::Url::parse(text).map_err(|_| bad(example))?;
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(example));
    }
    let Some(host) = url.host() else {
        return Err(bad(example));
    };
    let loopback = match &host {
        url::Host::Domain(name) => *name == "localhost",
        url::Host::Ipv4(ip) => *ip == std::net::Ipv4Addr::LOCALHOST,
        url::Host::Ipv6(ip) => *ip == std::net::Ipv6Addr::LOCALHOST,
    };
    match url.scheme() {
        "https" | "http" if origin == Origin::ConfigFile => {
            let on_aws = url.scheme() == "https"
                && url.port().is_none()
                && matches!(&host, url::Host::Domain(name) if is_aws_signin_host(name));
            if !on_aws {
                return Err(bad(&format!(
                    "the config file may name only an AWS sign-in host over https ({}, or a regional one such as \
                     us-east-1.signin.aws.amazon.com): set {ENDPOINT_VAR} for another endpoint",
                    AWS_SIGNIN_HOSTS.join(", ")
                )));
            }
        }
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("plain http is allowed only to 127.0.0.1 or localhost; use https")),
        _ => return Err(bad("use https")),
    }
    Ok(url.into())
}

/// `host` is one of AWS's sign-in hosts, or a subdomain of one.
fn is_aws_signin_host(host: &str) -> bool {
    AWS_SIGNIN_HOSTS.iter().any(|aws| is_host_or_subdomain(host, aws))
}

/// `host` (as the URL parser gives it: lowercase, ASCII) is `base` or a
/// subdomain of it, with no empty label anywhere (`a..b`, a trailing dot).
pub fn is_host_or_subdomain(host: &str, base: &str) -> bool {
    !host.split('.').any(str::is_empty)
        && (host == base || host.strip_suffix(base).is_some_and(|sub| sub.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_their_subdomains() {
        let base = "console.aws.amazon.com";
        assert!(is_host_or_subdomain(base, base));
        assert!(is_host_or_subdomain("eu-west-1.console.aws.amazon.com", base));
        for bad in [
            "evilconsole.aws.amazon.com",
            "console.aws.amazon.com.evil.example",
            ".console.aws.amazon.com",
            "x..console.aws.amazon.com",
            "console.aws.amazon.com.",
            "aws.amazon.com",
            "",
        ] {
            assert!(!is_host_or_subdomain(bad, base), "{bad}");
        }
    }

    #[test]
    fn colors() {
        assert_eq!(parse_color("Blue").unwrap(), "83d4e8");
        assert_eq!(parse_color("#ABCDEF").unwrap(), "abcdef");
        for bad in ["", "purple", "12345", "1234567", "ghijkl"] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }
}
