//! AWS errors as one line a person can act on.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::DispatchFailure;
use aws_smithy_types::retry::ErrorKind;

/// `code: message` for a service error, with a hint for the common codes; a
/// short cause for failures before any answer (no credentials, no connection).
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let (code, message) = match inner.code() {
                Some(code) => (code.to_owned(), inner.message().unwrap_or("no message").to_owned()),
                None => code_from_body(service.raw()),
            };
            with_hint(&code, &message)
        }
        SdkError::TimeoutError(_) => "AWS did not answer in time: check your network and try again".into(),
        SdkError::DispatchFailure(failure) => {
            let cause = root_cause(err);
            if failure.is_io() || failure.is_timeout() {
                format!("cannot reach the AWS endpoint ({cause}): check your network, proxy or AWS_ENDPOINT_URL")
            } else if closed_without_answer(failure) {
                format!("the AWS endpoint closed the connection without answering ({cause}): check your network, proxy or AWS_ENDPOINT_URL and try again")
            } else {
                format!("the request could not be sent ({cause})")
            }
        }
        SdkError::ConstructionFailure(_) => {
            let cause = root_cause(err);
            if cause.to_lowercase().contains("credentials") || cause.to_lowercase().contains("profile") {
                format!(
                    "no usable source credentials ({cause}): set AWS_PROFILE or pass --profile, \
                     export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
                )
            } else {
                format!("the request could not be built ({cause})")
            }
        }
        SdkError::ResponseError(response)
            if response.raw().status().is_client_error() || response.raw().status().is_server_error() =>
        {
            let (code, message) = code_from_body(response.raw());
            with_hint(&code, &message)
        }
        SdkError::ResponseError(_) => {
            format!("AWS sent an answer xacct cannot read ({})", root_cause(err))
        }
        _ => root_cause(err),
    }
}

/// The connection ended after the request went out and before any answer
/// (hyper's "connection closed before message completed"): the SDK counts it
/// as transient and retries it, but the request *was* sent.
fn closed_without_answer(failure: &DispatchFailure) -> bool {
    failure.as_other() == Some(ErrorKind::TransientError)
}

fn with_hint(code: &str, message: &str) -> String {
    let message = message.replace('\n', " ");
    match with_hint_for(code, &message) {
        Some(hint) => format!("{code}: {message}: {hint}"),
        None => format!("{code}: {message}"),
    }
}

/// Code and message of an error body the SDK could not parse (some AWS
/// stand-ins answer in another protocol's format), else the HTTP status.
fn code_from_body(raw: &HttpResponse) -> (String, String) {
    let body = raw.body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
    let tag = |name: &str| {
        let start = body.find(&format!("<{name}>"))? + name.len() + 2;
        let end = body[start..].find(&format!("</{name}>"))? + start;
        Some(body[start..end].trim().to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), message) => (code, message.unwrap_or_else(|| "no message".into())),
        (None, _) => (
            format!("HTTP {}", raw.status().as_u16()),
            "no error code in the answer".into(),
        ),
    }
}

/// No source credentials anywhere the SDK looks: what it looked for, and what to do.
const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_PROFILE or pass --profile, export \
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login` (xacct looked for keys in the \
    environment, the `default` profile of ~/.aws/config and ~/.aws/credentials, and instance metadata; \
    note that `xacct unset` also removes source keys you had exported as AWS_ACCESS_KEY_ID)";

/// Why the source credentials could not be had, and what to do about it.
pub fn credentials(err: &CredentialsError, profile: Option<&str>) -> String {
    match (err, profile) {
        (CredentialsError::CredentialsNotLoaded(_), Some(profile)) => format!(
            "no credentials for profile {}: check that it exists in ~/.aws/config or ~/.aws/credentials",
            crate::domain::text::quoted(profile)
        ),
        (CredentialsError::CredentialsNotLoaded(_), None) => NO_CREDENTIALS.to_owned(),
        (CredentialsError::ProviderTimedOut(_), _) => {
            "loading the source credentials timed out: check your network and your profile's credential source".into()
        }
        // With nothing in the environment and no profile the chain ends at
        // instance metadata, whose own error ("IMDS is disabled") is a dead end.
        (_, None) if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() => {
            format!("{NO_CREDENTIALS} (instance metadata said: {})", root_cause(err))
        }
        _ => format!("cannot load the source credentials: {}", root_cause(err)),
    }
}

fn with_hint_for(code: &str, message: &str) -> Option<&'static str> {
    let lower = message.to_lowercase();
    if code == "AccessDenied" && (lower.contains("multifactorauthentication") || lower.contains("mfa")) {
        return Some(
            "the MFA code was rejected (wrong, expired or already used): wait for the next code and try again",
        );
    }
    if code == "ValidationError" && lower.contains("chaining") {
        return Some("role chaining limits sessions to 1h: pass --duration 1h or less");
    }
    hint(code)
}

fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "AccessDenied" | "AccessDeniedException" => {
            "check that the role exists and its trust policy allows your source identity"
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            "your source credentials have expired: refresh them (for SSO: `aws sso login`)"
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "SignatureDoesNotMatch" => {
            "the source credentials are not valid: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or your profile"
        }
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
            "AWS is throttling requests: wait a moment and try again"
        }
        "AWSOrganizationsNotInUseException" => "the source account is not in an organization",
        "InternalFailure" | "InternalError" | "ServiceUnavailable" | "ServiceUnavailableException" => {
            "AWS had a problem and xacct's retries did not get past it: try again in a moment"
        }
        "RegionDisabledException" => "STS is not activated in this region: pass another --region",
        _ => return None,
    })
}

/// The innermost error message: the part that says what actually happened.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_rejections_and_chaining_limits_get_their_own_advice() {
        let mfa = with_hint(
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        );
        assert!(mfa.ends_with("wait for the next code and try again"), "{mfa}");
        let chain = with_hint(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        );
        assert!(chain.ends_with("pass --duration 1h or less"), "{chain}");
        let denied = with_hint("AccessDenied", "User: x is not authorized to perform: sts:AssumeRole");
        assert!(denied.ends_with("trust policy allows your source identity"), "{denied}");
    }

    #[test]
    fn connections_that_end_without_an_answer_and_timeouts_read_as_such() {
        use aws_sdk_sts::operation::assume_role::AssumeRoleError;
        use aws_smithy_runtime_api::client::result::ConnectorError;

        let dropped: SdkError<AssumeRoleError, HttpResponse> = SdkError::dispatch_failure(ConnectorError::other(
            "connection closed before message completed".into(),
            Some(ErrorKind::TransientError),
        ));
        let text = describe(&dropped);
        assert!(
            text.starts_with(
                "the AWS endpoint closed the connection without answering (connection closed before message completed)"
            ),
            "{text}"
        );
        let refused: SdkError<AssumeRoleError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        assert!(
            describe(&refused).starts_with("cannot reach the AWS endpoint (connection refused)"),
            "{}",
            describe(&refused)
        );
        let slow: SdkError<AssumeRoleError, HttpResponse> = SdkError::timeout_error("timeout");
        assert!(describe(&slow).starts_with("AWS did not answer in time"));
    }
}
