//! Whose account list a credential source's names resolve in. Each source has
//! its own (two profiles may be two organizations), except temporary
//! credentials xacct handed out: after `eval "$(xacct assume ...)"` the
//! source is those credentials (`env:ASIA...`), which act in a member account
//! that cannot list the organization, and the names the user means are those
//! of the source the session was assumed from. The credential cache knows that
//! source: each entry records where it was assumed from.

use crate::aws::source::{self, Source};
use crate::store::credential_cache;
use crate::store::file::PrivateDir;

/// How many sessions deep a chain of `eval`s is followed (a backstop: a
/// session is always assumed from one that existed before it).
const MAX_DEPTH: usize = 16;

/// The source whose account list serves a source, and the credentials to
/// fetch that list with.
#[derive(Debug, Clone)]
pub struct ListOwner {
    /// The source the list is cached under (a [`Source::cache_name`]).
    pub name: String,
    /// The owner itself when xacct can act as it (the source in use, or a
    /// profile); otherwise the source in use, whose fetched list is then
    /// cached under its own name.
    pub fetch_as: Source,
}

impl ListOwner {
    /// The owner of `source`'s names (reads the credential cache only for
    /// keys in the environment).
    pub fn of(source: &Source, cache: &PrivateDir) -> Self {
        let own = source.cache_name();
        let name = origin_of(&own, cache);
        let fetch_as = match Source::of_cache_name(&name) {
            Some(profile) if name != own => profile,
            _ => source.clone(),
        };
        Self { name, fetch_as }
    }
}

/// The source that `own` was assumed from, followed back to the first one that
/// xacct did not hand out; `own` itself for anything else (keys xacct does not
/// know are their own organization's).
fn origin_of(own: &str, cache: &PrivateDir) -> String {
    let mut origin = own.to_owned();
    if source::env_key_id(own).is_none() {
        return origin;
    }
    for _ in 0..MAX_DEPTH {
        let Some(key_id) = source::env_key_id(&origin) else {
            break;
        };
        let Some(entry) = credential_cache::issued(cache, key_id).ok().flatten() else {
            break;
        };
        let from = entry.origin.as_ref().unwrap_or(&entry.source);
        if from.starts_with("chain:") {
            // A chained session cached before origins were recorded: its start is unknown.
            break;
        }
        origin = from.clone();
    }
    origin
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credentials::Credentials;
    use crate::domain::secret::Secret;
    use crate::domain::session_params::{RoleRequest, SessionParams};
    use crate::store::credential_cache::{CacheKey, Entry, EntryKind, KeyedSession};

    fn issue(dir: &PrivateDir, key_id: &str, source: &str, origin: Option<&str>) {
        let now = crate::domain::clock::now();
        let role_arn = format!("arn:aws:iam::111122223333:role/{key_id}");
        let key = CacheKey {
            source: source.into(),
            endpoint: None,
            mfa_serial: None,
            chained_from: None,
            session: KeyedSession::Role(RoleRequest {
                role_arn: role_arn.clone(),
                session_name: crate::domain::session_params::RoleSessionName::Given("alice".into()),
                duration_secs: 3600,
                policy: None,
                options: SessionParams::default(),
            }),
        };
        let entry = Entry {
            kind: EntryKind::role(&role_arn).unwrap(),
            session_name: "alice".into(),
            source: source.into(),
            origin: origin.map(str::to_owned),
            account_name: None,
            region: None,
            credentials: Credentials {
                access_key_id: key_id.into(),
                secret_access_key: Secret::new("secret"),
                session_token: Secret::new("token"),
                expiration: now + time::Duration::hours(1),
            },
        };
        credential_cache::store(dir, &key, &entry, now).unwrap();
    }

    #[test]
    fn sessions_xacct_issued_lead_back_to_the_source_they_came_from() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        issue(&dir, "ASIAFIRST", "profile:orgA", None);
        // Assumed from the first, once it was in the environment.
        issue(&dir, "ASIASECOND", "env:ASIAFIRST", None);
        // A profile chained from another (`assume_from`), started from long-term keys.
        issue(&dir, "ASIACHAINED", "chain:spoke", Some("env:AKIALONGTERM"));
        issue(&dir, "ASIAOLDCHAIN", "chain:spoke", None);
        assert_eq!(origin_of("env:ASIAFIRST", &dir), "profile:orgA");
        assert_eq!(origin_of("env:ASIASECOND", &dir), "profile:orgA");
        assert_eq!(origin_of("env:ASIACHAINED", &dir), "env:AKIALONGTERM");
        assert_eq!(origin_of("env:ASIAOLDCHAIN", &dir), "env:ASIAOLDCHAIN");
        // Keys xacct never handed out, and profiles, are their own.
        assert_eq!(origin_of("env:ASIAUNKNOWN", &dir), "env:ASIAUNKNOWN");
        assert_eq!(origin_of("profile:orgB", &dir), "profile:orgB");
    }
}
