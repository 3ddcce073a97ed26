//! One connection per credential source, made when first needed and shared
//! for the rest of the run, by every thread of a fan-out: `exec --all` over
//! 500 accounts resolves a `credential_process` or SSO source once, not 500
//! times. Nothing is made until a call needs the network, so a run served
//! from the cache starts no runtime and no client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Aws, AwsSettings};
use crate::domain::credentials::Credentials;
use crate::domain::error::{Error, Result};

/// Who a connection acts as, and in which region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Acting {
    who: Who,
    region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Who {
    /// The source credentials of a profile, or what the SDK finds without one.
    Source(Option<String>),
    /// Temporary credentials xacct holds (an MFA session, a role session to
    /// chain from), by access key ID.
    Session(String),
    /// No one: calls that carry their own token (IAM Identity Center).
    Unsigned,
}

/// A connection, or why it could not be made (kept, so that every account of
/// a run reports the same broken source without trying it again).
type Slot = Arc<OnceLock<Result<Arc<Aws>, String>>>;

pub struct Connections {
    settings: AwsSettings,
    made: Mutex<HashMap<Acting, Slot>>,
}

impl Connections {
    /// Connections made with `settings` (timeouts) from the config.
    pub fn new(settings: AwsSettings) -> Self {
        Self {
            settings,
            made: Mutex::default(),
        }
    }

    /// Acting as the source credentials of `profile` (see [`Aws::connect`]).
    pub fn source(&self, profile: Option<&str>, region: Option<&str>) -> Result<Arc<Aws>> {
        let acting = Acting {
            who: Who::Source(profile.map(str::to_owned)),
            region: region.map(str::to_owned),
        };
        self.get(acting, || {
            tracing::debug!(
                profile = profile.unwrap_or("(default chain)"),
                "resolving the source credentials"
            );
            Aws::connect(profile, region, &self.settings)
        })
    }

    /// Acting with temporary credentials xacct holds (see [`Aws::connect_as`]).
    pub fn session(&self, credentials: &Credentials, region: Option<&str>) -> Result<Arc<Aws>> {
        let acting = Acting {
            who: Who::Session(credentials.access_key_id.clone()),
            region: region.map(str::to_owned),
        };
        self.get(acting, || Aws::connect_as(credentials, region, &self.settings))
    }

    /// Unsigned, in `region`, for the IAM Identity Center portal and OIDC
    /// (see [`Aws::connect_unsigned`]).
    pub fn unsigned(&self, region: &str) -> Result<Arc<Aws>> {
        let acting = Acting {
            who: Who::Unsigned,
            region: Some(region.to_owned()),
        };
        self.get(acting, || Aws::connect_unsigned(region, &self.settings))
    }

    /// The connection for `acting`, made by the first caller; others asking
    /// for the same one meanwhile wait for it rather than make their own.
    fn get(&self, acting: Acting, connect: impl FnOnce() -> Result<Aws>) -> Result<Arc<Aws>> {
        let slot = self.made.lock().unwrap().entry(acting).or_default().clone();
        slot.get_or_init(|| connect().map(Arc::new).map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(Error::aws)
    }

    /// How many connections were made.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.made
            .lock()
            .unwrap()
            .values()
            .filter(|slot| slot.get().is_some())
            .count()
    }
}
