//! The AWS federation endpoint's `getSigninToken` call: the one request xacct
//! makes outside the SDK (see `crate::console::signin` for the request and the
//! login link). The request URL and the token are secrets: neither is ever
//! logged or put in an error message; only the endpoint's address is.

use serde::Deserialize;

use crate::aws::AwsSettings;
use crate::domain::secret::Secret;

/// Why no sign-in token came back; the endpoint is named, never the request.
#[derive(Debug, thiserror::Error)]
pub enum SigninError {
    #[error("cannot reach the sign-in endpoint {endpoint}: {cause}")]
    Unreachable { endpoint: String, cause: String },
    /// Any answer but 200: the credentials were refused.
    #[error("the sign-in endpoint {endpoint} refused the credentials (HTTP {status})")]
    Refused { endpoint: String, status: u16 },
    #[error("cannot read the answer of the sign-in endpoint {endpoint}: {cause}")]
    Unreadable { endpoint: String, cause: String },
    #[error("the sign-in endpoint {endpoint} answered without a SigninToken")]
    NoToken { endpoint: String },
    #[error("the sign-in endpoint {endpoint} answered with an empty SigninToken")]
    EmptyToken { endpoint: String },
}

/// A sign-in endpoint that gives no token is a failed call, like one to AWS.
impl From<SigninError> for crate::domain::error::Error {
    fn from(e: SigninError) -> Self {
        crate::domain::error::Error::Aws(e.to_string())
    }
}

/// Sends `request` (a `getSigninToken` URL on `endpoint`) and returns the
/// sign-in token, within the configured attempt timeout.
pub fn signin_token(endpoint: &str, request: &Secret, settings: &AwsSettings) -> Result<Secret, SigninError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.attempt_timeout))
        .http_status_as_error(false)
        .proxy(proxy_from_env(endpoint))
        .build()
        .into();
    let mut response = agent
        .get(request.expose())
        .call()
        .map_err(|e| SigninError::Unreachable {
            endpoint: endpoint.to_owned(),
            cause: describe(&e),
        })?;
    let status = response.status().as_u16();
    tracing::debug!(status, "the federation endpoint answered");
    if status != 200 {
        return Err(SigninError::Refused {
            endpoint: endpoint.to_owned(),
            status,
        });
    }
    #[derive(Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| SigninError::Unreadable {
            endpoint: endpoint.to_owned(),
            cause: describe(&e),
        })?;
    let answer: Answer = serde_json::from_str(&body).map_err(|_| SigninError::NoToken {
        endpoint: endpoint.to_owned(),
    })?;
    if answer.signin_token.is_empty() {
        return Err(SigninError::EmptyToken {
            endpoint: endpoint.to_owned(),
        });
    }
    Ok(Secret::new(answer.signin_token))
}

/// The proxy for a request to `endpoint`. Plain http goes only to this
/// machine (see `check_endpoint`): never through a proxy from
/// HTTP_PROXY/ALL_PROXY, which would see the credentials in clear. Over
/// https a proxy sees only the host, so the usual variables (and NO_PROXY)
/// apply.
fn proxy_from_env(endpoint: &str) -> Option<ureq::Proxy> {
    if may_use_a_proxy(endpoint) {
        ureq::Proxy::try_from_env()
    } else {
        None
    }
}

fn may_use_a_proxy(endpoint: &str) -> bool {
    endpoint.starts_with("https://")
}

/// An HTTP error in words, without the URL (which holds the credentials).
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        ureq::Error::Tls(e) => format!("TLS: {e}"),
        ureq::Error::BodyExceedsLimit(_) => "the answer is too large".into(),
        _ => "the request failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_requests_may_go_through_a_proxy() {
        assert!(may_use_a_proxy("https://signin.aws.amazon.com/federation"));
        for plain in [
            "http://127.0.0.1:8080/federation",
            "http://localhost:1/federation",
            "http://[::1]:1/federation",
        ] {
            assert!(!may_use_a_proxy(plain), "{plain}");
            assert!(proxy_from_env(plain).is_none(), "{plain}");
        }
    }

    #[test]
    fn errors_name_the_endpoint_and_never_the_request() {
        let request = Secret::new("http://127.0.0.1:1/federation?Action=getSigninToken&Session=SECRET");
        let settings = AwsSettings {
            attempt_timeout: std::time::Duration::from_secs(2),
        };
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let err = signin_token("http://127.0.0.1:1/federation", &request, &settings).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cannot reach the sign-in endpoint http://127.0.0.1:1/federation: "),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");
        let refused = SigninError::Refused {
            endpoint: "https://e/federation".into(),
            status: 400,
        };
        assert_eq!(
            refused.to_string(),
            "the sign-in endpoint https://e/federation refused the credentials (HTTP 400)"
        );
    }
}
