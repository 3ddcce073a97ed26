//! Getting a role session: what the person asked for → a plan (target,
//! request, source: the SDK's credentials, an MFA session, or another
//! profile's session) → the cache, around a fetcher that calls STS.

pub mod fetcher;
pub mod mfa_code;
pub mod plan;
pub mod sessions;
pub mod sso_login;
pub mod target;
#[cfg(test)]
mod tests;

use crate::domain::validate;
use crate::store::credential_cache::Entry;
pub use plan::{plan, SessionPlan, SourcePlan, CHAINED_MAX_DURATION_SECS};
pub use sessions::Sessions;
use target::Target;

/// An explicit region wins; then the environment; then what the SDK resolved
/// when the credentials were fetched.
pub fn output_region(target: &Target, entry: &Entry) -> Option<String> {
    target
        .options
        .region
        .clone()
        .or_else(env_region)
        .or_else(|| entry.region.clone())
}

/// AWS_REGION, else AWS_DEFAULT_REGION, when it is a valid region code.
pub fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|r| validate::region(r).is_ok()))
}
