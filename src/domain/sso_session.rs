//! An IAM Identity Center sign-in configuration: an `[sso-session NAME]` of
//! `~/.aws/config`, or an `[sso_sessions.NAME]` of xacct's config.

/// Where and how to sign in to IAM Identity Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The name the AWS CLI and the SDKs key the token cache by.
    pub name: String,
    pub start_url: String,
    pub region: String,
    /// The scopes the client registers with; `sso:account:access` when unset.
    pub scopes: Vec<String>,
    /// Whether `~/.aws/config` defines it (else it comes from xacct's config,
    /// and a generated `~/.aws/config` must carry its section).
    pub in_aws_config: bool,
}

/// The scope a client needs to list accounts and get role credentials (and
/// to be given refresh tokens).
pub const DEFAULT_SSO_SCOPE: &str = "sso:account:access";

impl SsoSession {
    /// The session; no scopes given means [`DEFAULT_SSO_SCOPE`], as the AWS CLI does.
    pub fn new(name: String, start_url: String, region: String, mut scopes: Vec<String>) -> Self {
        if scopes.is_empty() {
            scopes.push(DEFAULT_SSO_SCOPE.to_owned());
        }
        Self {
            name,
            start_url,
            region,
            scopes,
            in_aws_config: false,
        }
    }

    /// The same session, as defined in `~/.aws/config`.
    pub fn in_aws_config(self) -> Self {
        Self {
            in_aws_config: true,
            ..self
        }
    }
}
