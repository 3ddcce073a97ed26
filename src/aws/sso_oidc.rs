//! IAM Identity Center's OIDC API (`oidc.<region>.amazonaws.com`): client
//! registration, the device-authorization grant and token refresh. Its calls
//! are unsigned: the client is built from an [`SdkConfig`] without
//! credentials (see [`crate::aws::Aws::connect_unsigned`]).

use aws_config::SdkConfig;
use aws_sdk_ssooidc::operation::create_token::CreateTokenError;
use time::OffsetDateTime;

use super::error::describe;
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_TOKEN_GRANT: &str = "refresh_token";
/// Said when a device authorization runs out before it is approved.
pub const SIGN_IN_EXPIRED: &str = "the sign-in request expired before it was approved: run `xacct login` again";

/// A registered OIDC client (valid for about 90 days).
#[derive(Debug, Clone)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    pub expires_at: OffsetDateTime,
}

/// A started device authorization: what the person must open and confirm.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in_secs: u64,
    pub interval_secs: u64,
}

/// An access token, with the refresh token when the client has scopes.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub refresh_token: Option<Secret>,
}

/// One poll of CreateToken for a device code.
#[derive(Debug)]
pub enum Poll {
    Token(Token),
    /// `authorization_pending`: the person has not confirmed yet.
    Pending,
    /// `slow_down`: poll less often (RFC 8628: 5 s more).
    SlowDown,
}

/// What a refresh came to.
#[derive(Debug)]
pub enum Refresh {
    Token(Token),
    /// The refresh token was refused; with `client_refused`, the registration too.
    Refused {
        client_refused: bool,
    },
}

pub struct Oidc {
    client: aws_sdk_ssooidc::Client,
}

impl Oidc {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_ssooidc::Client::new(config),
        }
    }

    /// RegisterClient as a public client named `client_name` with `scopes`.
    pub async fn register(&self, client_name: &str, scopes: &[String]) -> Result<Registration> {
        let output = self
            .client
            .register_client()
            .client_name(client_name)
            .client_type("public")
            .set_scopes(Some(scopes.to_vec()))
            .send()
            .await
            .map_err(|e| Error::aws(format!("cannot register with IAM Identity Center: {}", describe(&e))))?;
        let (Some(client_id), Some(client_secret)) = (output.client_id(), output.client_secret()) else {
            return Err(Error::aws("RegisterClient answered without a client id or secret"));
        };
        Ok(Registration {
            client_id: client_id.to_owned(),
            client_secret: Secret::new(client_secret),
            expires_at: OffsetDateTime::from_unix_timestamp(output.client_secret_expires_at())
                .map_err(|_| Error::aws("RegisterClient answered an invalid clientSecretExpiresAt"))?,
        })
    }

    /// StartDeviceAuthorization for `start_url`.
    pub async fn start_device_authorization(
        &self,
        registration: &Registration,
        start_url: &str,
    ) -> Result<DeviceAuthorization> {
        let output = self
            .client
            .start_device_authorization()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose())
            .start_url(start_url)
            .send()
            .await
            .map_err(|e| Error::aws(format!("cannot start the sign-in to {start_url}: {}", describe(&e))))?;
        let (Some(device_code), Some(user_code), Some(verification_uri)) =
            (output.device_code(), output.user_code(), output.verification_uri())
        else {
            return Err(Error::aws(
                "StartDeviceAuthorization answered without a device code, user code or verification URI",
            ));
        };
        Ok(DeviceAuthorization {
            device_code: Secret::new(device_code),
            user_code: user_code.to_owned(),
            verification_uri: verification_uri.to_owned(),
            verification_uri_complete: output.verification_uri_complete().map(str::to_owned),
            expires_in_secs: output.expires_in().max(0) as u64,
            // RFC 8628: 5 seconds when the server does not say.
            interval_secs: if output.interval() > 0 {
                output.interval() as u64
            } else {
                5
            },
        })
    }

    /// A CreateToken request as the registered client.
    fn create_token(
        &self,
        registration: &Registration,
    ) -> aws_sdk_ssooidc::operation::create_token::builders::CreateTokenFluentBuilder {
        self.client
            .create_token()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose())
    }

    /// One CreateToken for the device code: the token, or why to wait. An
    /// expired or denied authorization is an error that says so.
    pub async fn poll(&self, registration: &Registration, device_code: &Secret) -> Result<Poll> {
        let sent = self
            .create_token(registration)
            .grant_type(DEVICE_CODE_GRANT)
            .device_code(device_code.expose())
            .send()
            .await;
        let output = match sent {
            Ok(output) => output,
            Err(e) => {
                return match e.as_service_error() {
                    Some(CreateTokenError::AuthorizationPendingException(_)) => Ok(Poll::Pending),
                    Some(CreateTokenError::SlowDownException(_)) => Ok(Poll::SlowDown),
                    Some(CreateTokenError::ExpiredTokenException(_)) => Err(Error::aws(SIGN_IN_EXPIRED)),
                    Some(CreateTokenError::AccessDeniedException(_)) => Err(Error::aws(
                        "the sign-in request was denied in the browser: run `xacct login` again to retry",
                    )),
                    _ => Err(Error::aws(format!("cannot get a token: {}", describe(&e)))),
                };
            }
        };
        token(output, None).map(Poll::Token)
    }

    /// CreateToken with the refresh token. IAM Identity Center rotates it: the
    /// answer's replaces it (the old one stops working). `None` when the
    /// service refuses it (revoked, rotated, signed out, or the registration
    /// gone): only a new sign-in helps then. Any other failure is an error.
    pub async fn refresh(&self, registration: &Registration, refresh_token: &Secret) -> Result<Refresh> {
        let sent = self
            .create_token(registration)
            .grant_type(REFRESH_TOKEN_GRANT)
            .refresh_token(refresh_token.expose())
            .send()
            .await;
        match sent {
            Ok(output) => token(output, Some(refresh_token)).map(Refresh::Token),
            Err(e) => {
                let refused = match e.as_service_error() {
                    Some(
                        CreateTokenError::InvalidGrantException(_)
                        | CreateTokenError::ExpiredTokenException(_)
                        | CreateTokenError::AccessDeniedException(_),
                    ) => Refresh::Refused { client_refused: false },
                    Some(
                        CreateTokenError::InvalidClientException(_) | CreateTokenError::UnauthorizedClientException(_),
                    ) => Refresh::Refused { client_refused: true },
                    _ => return Err(Error::aws(format!("cannot refresh the token: {}", describe(&e)))),
                };
                tracing::debug!(error = %describe(&e), "the refresh token was refused");
                Ok(refused)
            }
        }
    }
}

fn token(
    output: aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
    previous_refresh: Option<&Secret>,
) -> Result<Token> {
    let access_token = output
        .access_token()
        .ok_or_else(|| Error::aws("CreateToken answered without an access token"))?;
    let expires_at = crate::domain::clock::now() + time::Duration::seconds(i64::from(output.expires_in().max(0)));
    Ok(Token {
        access_token: Secret::new(access_token),
        expires_at,
        refresh_token: output
            .refresh_token()
            .map(Secret::new)
            .or_else(|| previous_refresh.cloned()),
    })
}
