//! The session pipeline with a fake fetcher: hits, misses, the refresh
//! margin, single flight, MFA sessions, chaining and --refresh, without a server.

use std::sync::Mutex;
use std::time::Duration;

use super::fetcher::{Caller, Fetcher, Issued, Sts};
use super::plan::{SessionPlan, SourcePlan};
use super::sessions::{CacheRules, Sessions};
use super::target::Target;
use crate::aws::connections::Connections;
use crate::aws::source::Source;
use crate::domain::clock;
use crate::domain::credentials::Credentials;
use crate::domain::error::Result;
use crate::domain::partition::Partition;
use crate::domain::role::RoleSpec;
use crate::domain::secret::Secret;
use crate::domain::session_params::RoleRequest;
use crate::store::config::Options;
use crate::store::credential_cache::{self as cache, EntryKind};
use crate::store::file::PrivateDir;

const ACCOUNT: &str = "111122223333";
const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";
const RULES: CacheRules = CacheRules {
    refresh_margin_secs: 900,
    refresh_margin_configured: false,
    mfa_duration_secs: 8 * 3600,
};

/// Hands out credentials that expire `lifetime` from now (by default the
/// session's full length), recording every call.
#[derive(Default)]
struct Fake {
    calls: Mutex<Vec<String>>,
    lifetime: Option<time::Duration>,
    /// How long a call takes (for single flight).
    delay: Duration,
    /// `mfa_serial` of the source's AWS profile.
    profile_mfa: Option<String>,
}

impl Fake {
    fn issue(&self, call: String, duration_secs: u64) -> Result<Issued> {
        std::thread::sleep(self.delay);
        let mut calls = self.calls.lock().unwrap();
        calls.push(call);
        let lifetime = self.lifetime.unwrap_or(time::Duration::seconds(duration_secs as i64));
        Ok(Issued {
            credentials: Credentials {
                access_key_id: format!("ASIAFAKE{}", calls.len()),
                secret_access_key: Secret::new("secret"),
                session_token: Secret::new("token"),
                expiration: (clock::now() + lifetime).replace_nanosecond(0).unwrap(),
            },
            region: Some("eu-west-1".into()),
        })
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn count(&self, action: &str) -> usize {
        self.calls().iter().filter(|c| c.starts_with(action)).count()
    }
}

impl Fetcher for Fake {
    fn assume_role(&self, caller: Caller, _: Option<&str>, request: &RoleRequest, _: &str) -> Result<Issued> {
        let caller = match caller {
            Caller::Source(source) => source.cache_name(),
            Caller::Session(credentials) => credentials.access_key_id.clone(),
        };
        let role = request.role_arn.rsplit('/').next().unwrap();
        self.issue(format!("AssumeRole {role} as {caller}"), request.duration_secs)
    }

    fn mfa_session(&self, source: &Source, _: Option<&str>, serial: &str, code: &str, secs: u64) -> Result<Issued> {
        self.issue(
            format!("GetSessionToken {serial} {code} as {}", source.cache_name()),
            secs,
        )
    }

    fn portal_role(&self, source: &Source, account_id: &str, role_name: &str) -> Result<Issued> {
        self.issue(
            format!(
                "GetRoleCredentials {role_name} in {account_id} as {}",
                source.cache_name()
            ),
            3600,
        )
    }

    fn profile_mfa_serial(&self, _: &Source) -> Result<Option<String>> {
        Ok(self.profile_mfa.clone())
    }
}

fn source() -> Source {
    Source {
        profile: Some("mgmt".into()),
        sso_session: None,
    }
}

fn target(role: &str, duration_secs: u64) -> Target {
    let mut options = Options::default();
    options.session.session_name = Some("alice".into());
    options.session.duration_secs = Some(duration_secs);
    Target {
        account_id: ACCOUNT.parse().unwrap(),
        account_name: None,
        role: RoleSpec::parse(role).unwrap(),
        partition: Partition::Aws,
        options,
    }
}

fn direct(role: &str) -> SessionPlan {
    SessionPlan::new(target(role, 3600), SourcePlan::Sdk(source()), ACCOUNT).unwrap()
}

fn through_mfa(role: &str) -> SessionPlan {
    let mfa = SourcePlan::Mfa {
        source: source(),
        serial: MFA.into(),
    };
    SessionPlan::new(target(role, 3600), mfa, ACCOUNT).unwrap()
}

/// `role`, assumed from the session of the role `Hub` (profile `spoke` chained from `hub`).
fn chained(role: &str) -> SessionPlan {
    let parent = SessionPlan::new(target("Hub", 3600), SourcePlan::Sdk(source()), "hub").unwrap();
    SessionPlan::new(target(role, 3600), SourcePlan::Chained(Box::new(parent)), "spoke").unwrap()
}

struct Cache {
    _root: tempfile::TempDir,
    dir: PrivateDir,
}

fn cache() -> Cache {
    let root = tempfile::tempdir().unwrap();
    let dir = PrivateDir::at(root.path().join("cache"));
    Cache { _root: root, dir }
}

fn sessions<'a>(cache: &'a Cache, fake: &'a Fake, refresh: bool) -> Sessions<'a, &'a Fake> {
    Sessions::with_fetcher(&cache.dir, RULES, fake, Some("123456".into()), refresh)
}

#[test]
fn a_miss_asks_sts_and_a_hit_does_not() {
    let (cache, fake) = (cache(), Fake::default());
    let first = sessions(&cache, &fake, false).obtain(&direct("Admin")).unwrap();
    let again = sessions(&cache, &fake, false).obtain(&direct("Admin")).unwrap();
    assert_eq!(first, again);
    assert_eq!(fake.calls(), ["AssumeRole Admin as profile:mgmt"]);
    assert_eq!(first.kind.account_id(), Some(ACCOUNT));
    assert_eq!(first.region.as_deref(), Some("eu-west-1"));
    // Another role, or the same with other options, is another session.
    sessions(&cache, &fake, false).obtain(&direct("ReadOnly")).unwrap();
    let mut tagged = target("Admin", 3600);
    tagged.options.session.tags = Some(vec![("team".into(), "blue".into())]);
    let tagged = SessionPlan::new(tagged, SourcePlan::Sdk(source()), ACCOUNT).unwrap();
    sessions(&cache, &fake, false).obtain(&tagged).unwrap();
    assert_eq!(fake.count("AssumeRole"), 3);
}

#[test]
fn sessions_inside_the_refresh_margin_are_fetched_again() {
    let cache = cache();
    // An hour's session handed out with 10 minutes left: inside the 15-minute margin.
    let short_lived = Fake {
        lifetime: Some(time::Duration::minutes(10)),
        ..Fake::default()
    };
    sessions(&cache, &short_lived, false).obtain(&direct("Admin")).unwrap();
    sessions(&cache, &short_lived, false).obtain(&direct("Admin")).unwrap();
    assert_eq!(short_lived.count("AssumeRole"), 2);
    // With 20 minutes left it is served.
    let longer = Fake {
        lifetime: Some(time::Duration::minutes(20)),
        ..Fake::default()
    };
    sessions(&cache, &longer, false).obtain(&direct("Admin")).unwrap();
    sessions(&cache, &longer, false).obtain(&direct("Admin")).unwrap();
    assert_eq!(longer.count("AssumeRole"), 1);
}

#[test]
fn short_sessions_get_a_margin_of_a_third_of_their_length() {
    let plan = || SessionPlan::new(target("Admin", 900), SourcePlan::Sdk(source()), ACCOUNT).unwrap();
    assert_eq!(plan().key.refresh_margin(900), 300);
    let cache = cache();
    // A 15-minute session with 6 minutes left is still served (margin 5 minutes) ...
    let six_left = Fake {
        lifetime: Some(time::Duration::minutes(6)),
        ..Fake::default()
    };
    sessions(&cache, &six_left, false).obtain(&plan()).unwrap();
    sessions(&cache, &six_left, false).obtain(&plan()).unwrap();
    assert_eq!(six_left.count("AssumeRole"), 1);
    // ... one with 4 minutes left is not.
    let four_left = Fake {
        lifetime: Some(time::Duration::minutes(4)),
        ..Fake::default()
    };
    sessions(&cache, &four_left, true).obtain(&plan()).unwrap();
    sessions(&cache, &four_left, false).obtain(&plan()).unwrap();
    assert_eq!(four_left.count("AssumeRole"), 2);
}

#[test]
fn threads_missing_at_once_fetch_once() {
    let cache = cache();
    let fake = Fake {
        delay: Duration::from_millis(300),
        ..Fake::default()
    };
    let sessions = sessions(&cache, &fake, false);
    let plan = direct("Admin");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| sessions.obtain(&plan).unwrap());
        let b = s.spawn(|| sessions.obtain(&plan).unwrap());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a, b);
    assert_eq!(fake.count("AssumeRole"), 1);
}

#[test]
fn one_mfa_code_serves_several_roles() {
    let (cache, fake) = (cache(), Fake::default());
    let admin = sessions(&cache, &fake, false).obtain(&through_mfa("Admin")).unwrap();
    sessions(&cache, &fake, false).obtain(&through_mfa("ReadOnly")).unwrap();
    assert_eq!(
        fake.calls(),
        [
            format!("GetSessionToken {MFA} 123456 as profile:mgmt"),
            "AssumeRole Admin as ASIAFAKE1".into(),
            "AssumeRole ReadOnly as ASIAFAKE1".into(),
        ]
    );
    assert!(matches!(admin.kind, EntryKind::Role { .. }));
    // The MFA session is cached as one, with its device's account.
    let mfa: Vec<_> = cache::all(&cache.dir)
        .unwrap()
        .into_iter()
        .filter(|(_, e)| matches!(e.kind, EntryKind::MfaSession { .. }))
        .collect();
    assert_eq!(mfa.len(), 1);
    assert_eq!(mfa[0].1.kind.account_id(), Some("123456789012"));
}

#[test]
fn a_source_profile_asking_for_mfa_goes_through_an_mfa_session() {
    let cache = cache();
    let fake = Fake {
        profile_mfa: Some(MFA.into()),
        ..Fake::default()
    };
    sessions(&cache, &fake, false).obtain(&direct("Admin")).unwrap();
    sessions(&cache, &fake, false).obtain(&direct("ReadOnly")).unwrap();
    assert_eq!(fake.count("GetSessionToken"), 1);
    assert_eq!(fake.count("AssumeRole"), 2);
    // AWS caps chained sessions at an hour.
    let long = SessionPlan::new(target("Admin", 7200), SourcePlan::Sdk(source()), ACCOUNT).unwrap();
    let err = sessions(&cache, &fake, false).obtain(&long).unwrap_err();
    assert!(format!("{err}").contains("the source profile uses MFA"), "{err}");
}

#[test]
fn a_chained_session_fetches_its_parent_once() {
    let (cache, fake) = (cache(), Fake::default());
    let first = sessions(&cache, &fake, false).obtain(&chained("Spoke")).unwrap();
    sessions(&cache, &fake, false).obtain(&chained("Other")).unwrap();
    assert_eq!(
        fake.calls(),
        [
            "AssumeRole Hub as profile:mgmt",
            "AssumeRole Spoke as ASIAFAKE1",
            "AssumeRole Other as ASIAFAKE1",
        ]
    );
    // A chained session remembers where the chain starts.
    assert_eq!(first.source, "chain:spoke");
    assert_eq!(first.origin.as_deref(), Some("profile:mgmt"));
}

#[test]
fn refresh_fetches_the_session_again_but_not_its_parent() {
    let (cache, fake) = (cache(), Fake::default());
    let first = sessions(&cache, &fake, false).obtain(&chained("Spoke")).unwrap();
    let refreshed = sessions(&cache, &fake, true).obtain(&chained("Spoke")).unwrap();
    assert_ne!(first.credentials, refreshed.credentials);
    assert_eq!(fake.count("AssumeRole Hub"), 1);
    assert_eq!(fake.count("AssumeRole Spoke"), 2);
    // The refreshed session replaced the old one in the cache.
    let served = sessions(&cache, &fake, false).obtain(&chained("Spoke")).unwrap();
    assert_eq!(served, refreshed);
}

#[test]
fn a_hit_makes_no_connection() {
    let (cache, fake) = (cache(), Fake::default());
    sessions(&cache, &fake, false).obtain(&direct("Admin")).unwrap();
    let connections = Connections::new(crate::aws::AwsSettings {
        attempt_timeout: Duration::from_secs(30),
    });
    let sso_sessions = Default::default();
    let sts = Sts {
        connections: &connections,
        sso_sessions: &sso_sessions,
        found_sessions: Default::default(),
    };
    Sessions::with_fetcher(&cache.dir, RULES, sts, None, false)
        .obtain(&direct("Admin"))
        .unwrap();
    assert_eq!(connections.count(), 0);
}

fn sso_source() -> Source {
    Source {
        profile: None,
        sso_session: Some("corp".into()),
    }
}

fn from_portal(role: &str) -> SessionPlan {
    SessionPlan::new(target(role, 3600), SourcePlan::Portal(sso_source()), ACCOUNT).unwrap()
}

#[test]
fn a_permission_set_session_comes_from_the_portal_and_is_cached_apart() {
    let (cache, fake) = (cache(), Fake::default());
    let first = sessions(&cache, &fake, false).obtain(&from_portal("Admin")).unwrap();
    sessions(&cache, &fake, false).obtain(&from_portal("Admin")).unwrap();
    assert_eq!(
        fake.calls(),
        [format!("GetRoleCredentials Admin in {ACCOUNT} as sso:corp")]
    );
    assert_eq!(first.source, "sso:corp");
    // The same role from an Organizations source is another session.
    sessions(&cache, &fake, false).obtain(&direct("Admin")).unwrap();
    assert_eq!(fake.count("AssumeRole"), 1);
}

#[test]
fn a_role_chained_from_a_permission_set_is_assumed_with_the_portal_session() {
    let (cache, fake) = (cache(), Fake::default());
    let parent = from_portal("AdministratorAccess");
    let plan = SessionPlan::new(target("Deploy", 3600), SourcePlan::Chained(Box::new(parent)), "deploy").unwrap();
    let entry = sessions(&cache, &fake, false).obtain(&plan).unwrap();
    assert_eq!(
        fake.calls(),
        [
            format!("GetRoleCredentials AdministratorAccess in {ACCOUNT} as sso:corp"),
            "AssumeRole Deploy as ASIAFAKE1".to_owned(),
        ]
    );
    assert_eq!(entry.origin.as_deref(), Some("sso:corp"));
    // Chaining caps the session at an hour, as for any chain.
    let parent = from_portal("AdministratorAccess");
    let long = SessionPlan::new(target("Deploy", 7200), SourcePlan::Chained(Box::new(parent)), "deploy");
    assert!(long
        .unwrap_err()
        .to_string()
        .contains("AWS caps chained sessions at 1h"));
}

#[test]
fn the_portal_takes_a_permission_set_name_and_no_assume_role_options() {
    for role in ["team/Admin", "arn:aws:iam::111122223333:role/Admin"] {
        let err = SessionPlan::new(target(role, 3600), SourcePlan::Portal(sso_source()), ACCOUNT).unwrap_err();
        assert!(err.to_string().contains("give the permission set's name"), "{err}");
    }
    let mut with_external_id = target("Admin", 3600);
    with_external_id.options.session.external_id = Some("x1234".into());
    let err = SessionPlan::new(with_external_id, SourcePlan::Portal(sso_source()), ACCOUNT).unwrap_err();
    assert!(err.to_string().starts_with("external_id cannot be passed"), "{err}");
}
