//! Console sign-in through the AWS federation endpoint: temporary credentials
//! become a sign-in token (`getSigninToken`, sent by `crate::aws::federation`),
//! and the token a login link that opens a console session. Token and link are
//! secrets: neither is ever logged or put in an error message; only the
//! endpoint's address is.

use crate::console::encode;
use crate::domain::console::{check_endpoint, Origin, ENDPOINT_VAR};
use crate::domain::credentials::Credentials;
use crate::domain::error::{Error, Result};
use crate::domain::partition::Partition;
use crate::domain::secret::Secret;

/// Shown in the login link; the console names it when the session ends.
const ISSUER: &str = "xacct";

/// The federation endpoint: `XACCT_FEDERATION_ENDPOINT`, else the config's
/// `federation_endpoint` (checked when the config was read), else the
/// sign-in host of the partition.
pub fn endpoint(partition: Partition, configured: Option<&str>) -> Result<String> {
    endpoint_from(std::env::var(ENDPOINT_VAR).ok(), partition, configured)
}

fn endpoint_from(from_env: Option<String>, partition: Partition, configured: Option<&str>) -> Result<String> {
    match from_env.filter(|v| !v.is_empty()) {
        Some(url) => check_endpoint(&url, Origin::Environment)
            .map_err(|e| Error::Invalid(crate::domain::validate::Invalid(format!("{ENDPOINT_VAR}: {e}")))),
        None => Ok(configured
            .map(str::to_owned)
            .unwrap_or_else(|| format!("https://{}/federation", partition.signin_host()))),
    }
}

/// The `getSigninToken` request for `credentials`. `session_duration` sets the
/// console session's length; AWS refuses it for role-chained credentials.
pub fn token_request_url(endpoint: &str, credentials: &Credentials, session_duration: Option<u64>) -> Secret {
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.expose(),
    });
    let mut url = format!("{endpoint}?Action=getSigninToken");
    if let Some(secs) = session_duration {
        url.push_str(&format!("&SessionDuration={secs}"));
    }
    url.push_str("&Session=");
    url.push_str(&encode(&session.to_string()));
    Secret::new(url)
}

/// The link that signs in with `token` and lands on `destination` (valid for 15 minutes).
pub fn login_url(endpoint: &str, destination: &str, token: &Secret) -> Secret {
    Secret::new(format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        encode(ISSUER),
        encode(destination),
        encode(token.expose())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("se/cr+et"),
            session_token: Secret::new("to=ken"),
            expiration: crate::domain::clock::now(),
        }
    }

    #[test]
    fn the_token_request_carries_the_session_json_encoded() {
        let url = token_request_url("https://signin.aws.amazon.com/federation", &credentials(), Some(3600));
        assert_eq!(
            url.expose(),
            "https://signin.aws.amazon.com/federation?Action=getSigninToken&SessionDuration=3600&Session=\
             %7B%22sessionId%22%3A%22ASIAEXAMPLE%22%2C%22sessionKey%22%3A%22se%2Fcr%2Bet%22%2C\
             %22sessionToken%22%3A%22to%3Dken%22%7D"
        );
        let chained = token_request_url("https://x/federation", &credentials(), None);
        assert!(!chained.expose().contains("SessionDuration"));
    }

    #[test]
    fn the_login_link_encodes_the_destination_and_token() {
        let url = login_url(
            "https://signin.aws.amazon.com/federation",
            "https://console.aws.amazon.com/s3/home?region=eu-west-1",
            &Secret::new("tok+/="),
        );
        assert_eq!(
            url.expose(),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=xacct&Destination=\
             https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1&SigninToken=tok%2B%2F%3D"
        );
    }

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        for good in [
            "https://signin.aws.amazon.com/federation",
            "https://proxy.example/federation",
            "http://127.0.0.1:8080/federation",
            "http://localhost:1/federation",
            "http://[::1]:1/federation",
        ] {
            assert_eq!(check_endpoint(good, Origin::Environment).unwrap(), good);
        }
        for bad in [
            "http://example.com/federation",
            "ftp://127.0.0.1/x",
            "signin.aws.amazon.com",
            "https://u@signin.aws.amazon.com/federation",
            "https://signin.aws.amazon.com/federation?x=1",
            "https://signin.aws.amazon.com/federation#x",
            "http://127.0.0.1.evil.example/federation",
            "http://127.0.0.1@evil.example/federation",
            "https://signin.aws.amazon.com/fed\neration",
        ] {
            assert!(check_endpoint(bad, Origin::Environment).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_config_file_names_only_aws_sign_in_hosts() {
        for good in [
            "https://signin.aws.amazon.com/federation",
            "https://us-east-1.signin.aws.amazon.com/federation",
            "https://signin.amazonaws-us-gov.com/federation",
            "https://signin.amazonaws.cn/federation",
        ] {
            assert_eq!(check_endpoint(good, Origin::ConfigFile).unwrap(), good);
        }
        // Uppercase is the same host, given back in the form that is used.
        assert_eq!(
            check_endpoint("https://SIGNIN.aws.amazon.com/federation", Origin::ConfigFile).unwrap(),
            "https://signin.aws.amazon.com/federation"
        );
        for bad in [
            "https://signin.aws.amazon.com.evil.example/federation",
            "https://evilsignin.aws.amazon.com/federation",
            "https://signin.aws.amazon.com./federation",
            "https://aws.amazon.com/federation",
            "https://evil.example/signin.aws.amazon.com",
            "https://signin.aws.amazon.com:8443/federation",
            "http://signin.aws.amazon.com/federation",
            "http://127.0.0.1:8080/federation",
            "https://localhost/federation",
            "https://signin%2eaws.amazon.com.evil.example/federation",
        ] {
            let err = check_endpoint(bad, Origin::ConfigFile).unwrap_err().0;
            assert!(err.contains(ENDPOINT_VAR), "{bad}: {err}");
        }
    }

    #[test]
    fn default_endpoints_by_partition() {
        assert_eq!(
            endpoint_from(None, Partition::Aws, None).unwrap(),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            endpoint_from(None, Partition::AwsUsGov, None).unwrap(),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            endpoint_from(None, Partition::AwsCn, None).unwrap(),
            "https://signin.amazonaws.cn/federation"
        );
        let configured = Some("https://us-east-1.signin.aws.amazon.com/federation");
        assert_eq!(
            endpoint_from(None, Partition::Aws, configured).unwrap(),
            "https://us-east-1.signin.aws.amazon.com/federation"
        );
        // The environment wins over the config, and is checked like it.
        let from_env = Some("http://localhost:7/federation".to_owned());
        assert_eq!(
            endpoint_from(from_env, Partition::Aws, configured).unwrap(),
            "http://localhost:7/federation"
        );
        assert!(endpoint_from(Some("http://example.com/f".into()), Partition::Aws, None).is_err());
    }
}
