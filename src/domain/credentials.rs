//! Temporary AWS credentials and the environment variables that carry them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::clock;
use crate::domain::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
}

/// Variables to set and to remove, in order.
#[derive(Debug, Default)]
pub struct EnvChange {
    pub set: Vec<(&'static str, String)>,
    pub unset: Vec<&'static str>,
}

/// Variables that would override or confuse freshly exported credentials.
pub const VARS_TO_UNSET: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// Every variable that carries temporary credentials, and nothing else: the
/// region and the profile are settings of the shell, not credentials.
pub const CREDENTIAL_VARS: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_SECURITY_TOKEN",
];

/// The environment change that removes every credential variable (`xacct unset`).
pub fn clear_change() -> EnvChange {
    EnvChange {
        set: Vec::new(),
        unset: CREDENTIAL_VARS.to_vec(),
    }
}

/// Where the SDKs find a credential endpoint, and the token they send it.
pub const CONTAINER_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const CONTAINER_TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// What the SDKs' credential chains try before a credential endpoint: keys
/// in the environment, a profile, web identity, another endpoint. Removed for
/// a command given an endpoint, so that it uses the endpoint.
pub const VARS_BEFORE_AN_ENDPOINT: [&str; 13] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The file that reads as empty: what a hidden AWS config or credentials file points at.
#[cfg(unix)]
pub const EMPTY_FILE: &str = "/dev/null";
#[cfg(not(unix))]
pub const EMPTY_FILE: &str = "NUL";

/// The environment that sends AWS tools to the credential endpoint at `uri`
/// (with `token`) and to nothing else: the variables that would win over it
/// removed, and each file variable in `hidden` (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, whose `[default]` profile would win over it)
/// pointed at an empty file.
pub fn served_env_change(uri: &str, token: &str, region: Option<&str>, hidden: &[&'static str]) -> EnvChange {
    let mut set = vec![
        (CONTAINER_URI_VAR, uri.to_owned()),
        (CONTAINER_TOKEN_VAR, token.to_owned()),
    ];
    if let Some(region) = region {
        set.push(("AWS_REGION", region.to_owned()));
        set.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    set.extend(hidden.iter().map(|name| (*name, EMPTY_FILE.to_owned())));
    EnvChange {
        set,
        unset: VARS_BEFORE_AN_ENDPOINT.to_vec(),
    }
}

impl Credentials {
    /// Seconds left before expiry at `now` (negative once expired).
    pub fn secs_left(&self, now: OffsetDateTime) -> i64 {
        (self.expiration - now).whole_seconds()
    }

    /// The environment that hands these credentials (and the region, when known) to AWS tools.
    pub fn env_change(&self, region: Option<&str>) -> EnvChange {
        let expiration = clock::rfc3339(self.expiration);
        let mut set = vec![
            ("AWS_ACCESS_KEY_ID", self.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_access_key.expose().to_owned()),
            ("AWS_SESSION_TOKEN", self.session_token.expose().to_owned()),
            ("AWS_CREDENTIAL_EXPIRATION", expiration.clone()),
            ("AWS_SESSION_EXPIRATION", expiration),
        ];
        if let Some(region) = region {
            set.push(("AWS_REGION", region.to_owned()));
            set.push(("AWS_DEFAULT_REGION", region.to_owned()));
        }
        EnvChange {
            set,
            unset: VARS_TO_UNSET.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_removes_every_credential_set_by_assume_but_not_the_region() {
        let credentials = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret"),
            session_token: Secret::new("token"),
            expiration: clock::now(),
        };
        let assumed = credentials.env_change(Some("eu-west-1"));
        let cleared = clear_change();
        assert!(cleared.set.is_empty());
        for (name, _) in &assumed.set {
            let is_region = name.contains("REGION");
            assert_eq!(cleared.unset.contains(name), !is_region, "{name}");
        }
        assert!(cleared.unset.contains(&"AWS_SECURITY_TOKEN"));
    }
}
