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
