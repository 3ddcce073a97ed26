//! The credential cache: temporary credentials keyed by everything that
//! changes what AssumeRole returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::document;
use super::file::PrivateDir;
use crate::domain::account_id::AccountId;
use crate::domain::credentials::Credentials;
use crate::domain::error::Result;
use crate::domain::role::RoleSpec;
use crate::domain::session_params::RoleRequest;

pub const FILE: &str = "credentials.toml";
const SECTION: &str = "credentials";

/// Everything that makes two STS calls return different credentials.
/// Optional parts are left out of the key when unset, so adding a part later
/// keeps existing keys valid.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CacheKey {
    /// Where the source credentials come from (`profile:NAME` or `env:AKID`).
    pub source: String,
    /// A custom AWS endpoint, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The MFA device of the MFA session a role session is assumed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// The cache key id of the session this one is assumed from (role chaining).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chained_from: Option<String>,
    #[serde(flatten)]
    pub session: KeyedSession,
}

/// The session a key names, with every part of its request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // a few keys live at a time, briefly
pub enum KeyedSession {
    /// AssumeRole: the request as sent (every AssumeRole option is in it).
    Role(RoleRequest),
    /// GetSessionToken with an MFA device.
    MfaSession { serial: String, duration_secs: u64 },
}

impl CacheKey {
    /// The key of the MFA session of `source` with the device `serial`.
    pub fn mfa_session(source: String, endpoint: Option<String>, serial: &str, duration_secs: u64) -> Self {
        CacheKey {
            source,
            endpoint,
            mfa_serial: None,
            chained_from: None,
            session: KeyedSession::MfaSession {
                serial: serial.to_owned(),
                duration_secs,
            },
        }
    }

    /// A short stable name for the entry: the start of the SHA-256 of the key's JSON.
    pub fn id(&self) -> String {
        let json = serde_json::to_string(self).expect("a cache key always serializes");
        let digest = Sha256::digest(json.as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn duration_secs(&self) -> u64 {
        match &self.session {
            KeyedSession::Role(request) => request.duration_secs,
            KeyedSession::MfaSession { duration_secs, .. } => *duration_secs,
        }
    }

    /// The refresh margin for this session: the configured one, but at most a
    /// third of the session's length. A 15-minute session (the shortest AWS
    /// allows) always starts inside the default 15-minute margin and would
    /// otherwise cost an AssumeRole per command; this way it is served for
    /// its first 10 minutes and handed out with at least 5 left.
    pub fn refresh_margin(&self, configured_secs: u64) -> u64 {
        configured_secs.min(self.duration_secs() / 3)
    }

    /// Whether `kind` is the session this key names (a check against a hash collision).
    fn names(&self, kind: &EntryKind) -> bool {
        match (&self.session, kind) {
            (KeyedSession::Role(request), EntryKind::Role { arn, .. }) => &request.role_arn == arn,
            (KeyedSession::MfaSession { serial, .. }, EntryKind::MfaSession { serial: held, .. }) => serial == held,
            _ => false,
        }
    }
}

/// A cached answer: the credentials plus what a listing shows of the request.
/// Stored as it always was (`role_arn`, and `mfa_session = true` for an MFA
/// session); an entry that does not read as one of its kinds is a miss.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(try_from = "StoredEntry", into = "StoredEntry")]
pub struct Entry {
    pub kind: EntryKind,
    pub session_name: String,
    pub source: String,
    /// For a session chained from another profile's session (whose `source`
    /// is `chain:...`): the source the chain starts from, whose organization
    /// the session's account names belong to.
    pub origin: Option<String>,
    pub region: Option<String>,
    pub credentials: Credentials,
}

/// Which session an entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A role session: the role's ARN and the account it is in.
    Role { arn: String, account_id: AccountId },
    /// An MFA session: the device, and its account when the serial is an ARN
    /// (a hardware device's serial is not).
    MfaSession {
        serial: String,
        account_id: Option<AccountId>,
    },
}

impl EntryKind {
    /// The session of the role `arn`; `None` unless it is a valid role ARN.
    pub fn role(arn: &str) -> Option<Self> {
        let account_id = RoleSpec::parse(arn).ok()?.arn_parts?.account_id;
        Some(EntryKind::Role {
            arn: arn.to_owned(),
            account_id,
        })
    }

    /// The MFA session of the device `serial`.
    pub fn mfa_session(serial: &str) -> Self {
        let account_id = serial
            .strip_prefix("arn:")
            .and_then(|rest| rest.split(':').nth(3))
            .and_then(|id| id.parse::<AccountId>().ok());
        EntryKind::MfaSession {
            serial: serial.to_owned(),
            account_id,
        }
    }

    /// The role ARN, or the MFA device's serial.
    pub fn arn(&self) -> &str {
        match self {
            EntryKind::Role { arn, .. } => arn,
            EntryKind::MfaSession { serial, .. } => serial,
        }
    }

    pub fn account_id(&self) -> Option<&str> {
        match self {
            EntryKind::Role { account_id, .. } => Some(account_id.as_str()),
            EntryKind::MfaSession { account_id, .. } => account_id.as_ref().map(AccountId::as_str),
        }
    }

    /// The role's ARN when this is a role session.
    pub fn role_arn(&self) -> Option<&str> {
        match self {
            EntryKind::Role { arn, .. } => Some(arn),
            EntryKind::MfaSession { .. } => None,
        }
    }

    /// `path/Name` of a role, or the device name of an MFA session.
    pub fn name(&self) -> &str {
        let arn = self.arn();
        arn.split_once(":role/")
            .or_else(|| arn.split_once(":mfa/"))
            .map_or(arn, |(_, name)| name)
    }
}

/// An entry as the store file holds it.
#[derive(Serialize, Deserialize)]
struct StoredEntry {
    /// The role ARN, or the MFA device's serial for an MFA session.
    role_arn: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    mfa_session: bool,
    session_name: String,
    source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(flatten)]
    credentials: Credentials,
}

impl TryFrom<StoredEntry> for Entry {
    type Error = String;
    fn try_from(stored: StoredEntry) -> Result<Self, String> {
        let kind = if stored.mfa_session {
            EntryKind::mfa_session(&stored.role_arn)
        } else {
            EntryKind::role(&stored.role_arn).ok_or("not a role ARN")?
        };
        Ok(Entry {
            kind,
            session_name: stored.session_name,
            source: stored.source,
            origin: stored.origin,
            region: stored.region,
            credentials: stored.credentials,
        })
    }
}

impl From<Entry> for StoredEntry {
    fn from(entry: Entry) -> Self {
        StoredEntry {
            mfa_session: matches!(entry.kind, EntryKind::MfaSession { .. }),
            role_arn: entry.kind.arn().to_owned(),
            session_name: entry.session_name,
            source: entry.source,
            origin: entry.origin,
            region: entry.region,
            credentials: entry.credentials,
        }
    }
}

/// Credentials for `key` that still have more than its refresh margin left at
/// `now` (see [`CacheKey::refresh_margin`]; `margin_secs` is the configured one).
/// A store that cannot be read is a miss here; the next write sets it aside.
pub fn lookup(dir: &PrivateDir, key: &CacheKey, now: OffsetDateTime, margin_secs: u64) -> Result<Option<Entry>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(None);
    };
    let Ok(entries) = document::parse(&text, SECTION) else {
        return Ok(None);
    };
    Ok(document::entry::<Entry>(&entries, &key.id())
        .filter(|e| key.names(&e.kind) && is_fresh(e, key, now, margin_secs)))
}

/// Whether `entry` may be served for `key`: more than the key's refresh margin left.
pub fn is_fresh(entry: &Entry, key: &CacheKey, now: OffsetDateTime, margin_secs: u64) -> bool {
    entry.credentials.secs_left(now) > key.refresh_margin(margin_secs) as i64
}

/// Every cached entry that parses, by key id (for listings and for finding
/// which session a key ID belongs to).
pub fn all(dir: &PrivateDir) -> Result<Vec<(String, Entry)>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(Vec::new());
    };
    Ok(document::parse(&text, SECTION)
        .map(|entries| document::all(&entries))
        .unwrap_or_default())
}

/// Removes the entries `doomed` picks; returns how many went. Taking the lock
/// also removes copies of the store that killed writers left behind, even
/// when there is no store yet.
pub fn remove(dir: &PrivateDir, doomed: impl Fn(&Entry) -> bool) -> Result<usize> {
    if !dir.path().exists() {
        return Ok(0);
    }
    let lock = dir.lock(FILE)?;
    if dir.read(FILE)?.is_none() {
        return Ok(0);
    }
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let all: BTreeMap<String, Entry> = document::all::<Entry>(&entries).into_iter().collect();
    let before = all.len();
    let kept: BTreeMap<String, Entry> = all.into_iter().filter(|(_, e)| !doomed(e)).collect();
    let removed = before - kept.len();
    if removed > 0 {
        document::save(dir, &lock, FILE, SECTION, &kept)?;
    }
    Ok(removed)
}

/// Adds `entry` under `key`, merging with what other processes wrote and
/// dropping entries that have expired.
pub fn store(dir: &PrivateDir, key: &CacheKey, entry: &Entry, now: OffsetDateTime) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut kept: BTreeMap<String, Entry> = document::all::<Entry>(&entries)
        .into_iter()
        .filter(|(_, e)| e.credentials.secs_left(now) > 0)
        .collect();
    kept.insert(key.id(), entry.clone());
    document::save(dir, &lock, FILE, SECTION, &kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;
    use crate::domain::session_params::SessionParams;
    use time::Duration;

    fn key(role: &str) -> CacheKey {
        CacheKey {
            source: "profile:default".into(),
            endpoint: None,
            mfa_serial: None,
            chained_from: None,
            session: KeyedSession::Role(RoleRequest {
                role_arn: format!("arn:aws:iam::111122223333:role/{role}"),
                session_name: crate::domain::session_params::RoleSessionName::Given("alice".into()),
                duration_secs: 3600,
                policy: None,
                options: SessionParams::default(),
            }),
        }
    }

    fn request(key: &mut CacheKey) -> &mut RoleRequest {
        match &mut key.session {
            KeyedSession::Role(request) => request,
            KeyedSession::MfaSession { .. } => unreachable!(),
        }
    }

    fn entry(key: &CacheKey, expiration: OffsetDateTime) -> Entry {
        let KeyedSession::Role(request) = &key.session else {
            unreachable!()
        };
        Entry {
            kind: EntryKind::role(&request.role_arn).unwrap(),
            session_name: request.session_name.resolve(String::new),
            source: key.source.clone(),
            origin: None,
            region: Some("eu-west-1".into()),
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("secret"),
                session_token: Secret::new("token"),
                expiration: expiration.replace_nanosecond(0).unwrap(),
            },
        }
    }

    #[test]
    fn stores_and_serves_until_the_margin() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b) = (key("A"), key("B"));
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        store(&dir, &b, &entry(&b, now + Duration::minutes(10)), now).unwrap();
        assert_eq!(
            lookup(&dir, &a, now, 900).unwrap(),
            Some(entry(&a, now + Duration::hours(1)))
        );
        // B has 10 minutes left: inside the 15-minute margin, so never served.
        assert_eq!(lookup(&dir, &b, now, 900).unwrap(), None);
        assert!(lookup(&dir, &b, now, 60).unwrap().is_some());
    }

    #[test]
    fn short_sessions_get_a_margin_of_a_third_of_their_length() {
        let mut short = key("A");
        request(&mut short).duration_secs = 900;
        assert_eq!(short.refresh_margin(900), 300);
        assert_eq!(short.refresh_margin(60), 60);
        assert_eq!(key("A").refresh_margin(900), 900);
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        store(&dir, &short, &entry(&short, now + Duration::minutes(15)), now).unwrap();
        assert!(lookup(&dir, &short, now, 900).unwrap().is_some());
        assert!(lookup(&dir, &short, now + Duration::minutes(9), 900).unwrap().is_some());
        assert_eq!(lookup(&dir, &short, now + Duration::minutes(11), 900).unwrap(), None);
    }

    #[test]
    fn expired_entries_are_pruned_on_write() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b) = (key("A"), key("B"));
        store(&dir, &a, &entry(&a, now + Duration::seconds(5)), now).unwrap();
        let later = now + Duration::minutes(1);
        store(&dir, &b, &entry(&b, later + Duration::hours(1)), later).unwrap();
        let text = String::from_utf8(dir.read(FILE).unwrap().unwrap()).unwrap();
        assert!(!text.contains("role/A"), "{text}");
        assert!(text.contains("role/B"));
    }

    #[test]
    fn a_corrupt_store_is_a_miss_and_is_set_aside_on_write() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let a = key("A");
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        std::fs::write(dir.file(FILE), "version = 1\n[credentials\ngarbage").unwrap();
        assert_eq!(lookup(&dir, &a, now, 900).unwrap(), None);
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        assert!(lookup(&dir, &a, now, 900).unwrap().is_some());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".corrupt-"))
            .count();
        assert_eq!(aside, 1);
    }

    #[test]
    fn keys_differ_by_every_part() {
        let a = key("A");
        let mut b = a.clone();
        request(&mut b).duration_secs = 900;
        let mut c = a.clone();
        c.source = "profile:other".into();
        let mut d = a.clone();
        request(&mut d).options.tags = Some(vec![("k".into(), "v".into())]);
        let mut e = a.clone();
        request(&mut e).options.external_id = Some("x1".into());
        let ids: std::collections::HashSet<String> = [&a, &b, &c, &d, &e].iter().map(|k| k.id()).collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(a.id(), key("A").id());
    }

    #[test]
    fn entries_read_as_their_kind_and_odd_ones_are_misses() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        dir.ensure().unwrap();
        let a = key("A");
        let credentials = "access_key_id = \"ASIA1\"\nsecret_access_key = \"s\"\nsession_token = \"t\"\n\
                           expiration = \"2099-01-01T00:00:00Z\"\n";
        let text = format!(
            "version = 1\n\
             [credentials.{}]\nrole_arn = \"not-an-arn\"\nsession_name = \"alice\"\nsource = \"profile:default\"\n{credentials}\
             [credentials.m]\nrole_arn = \"arn:aws:iam::123456789012:mfa/alice\"\nmfa_session = true\n\
             session_name = \"\"\nsource = \"profile:default\"\n{credentials}\
             [credentials.h]\nrole_arn = \"GAHT12345678\"\nmfa_session = true\n\
             session_name = \"\"\nsource = \"profile:default\"\n{credentials}",
            a.id()
        );
        std::fs::write(dir.file(FILE), text).unwrap();
        // An entry that is not a role session of a role ARN is a miss, never an error.
        assert_eq!(lookup(&dir, &a, crate::domain::clock::now(), 900).unwrap(), None);
        let all: BTreeMap<String, Entry> = all(&dir).unwrap().into_iter().collect();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all["m"].kind,
            EntryKind::mfa_session("arn:aws:iam::123456789012:mfa/alice")
        );
        assert_eq!(all["m"].kind.account_id(), Some("123456789012"));
        assert_eq!(all["m"].kind.name(), "alice");
        assert_eq!(all["h"].kind.account_id(), None);
        // Written back as it was read.
        let stored = toml::to_string(&all["m"]).unwrap();
        assert!(stored.contains("mfa_session = true"), "{stored}");
        assert!(
            stored.contains("role_arn = \"arn:aws:iam::123456789012:mfa/alice\""),
            "{stored}"
        );
    }
}
