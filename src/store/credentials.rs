//! The credential cache: temporary credentials keyed by everything that
//! changes what AssumeRole returns.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::file::PrivateDir;
use super::table;
use crate::domain::credentials::Credentials;

pub const FILE: &str = "credentials.toml";
const SECTION: &str = "credentials";

/// Everything that makes two AssumeRole calls return different credentials.
/// Optional parts are left out of the key when unset, so adding a part later
/// keeps existing keys valid.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CacheKey {
    /// Where the source credentials come from (`profile:NAME` or `env:AKID`).
    pub source: String,
    /// A custom AWS endpoint, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The role ARN, or the MFA device ARN for an MFA session.
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mfa_session: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// The cache key id of the session this one is assumed from (role chaining).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chained_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transitive_tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl CacheKey {
    /// A short stable name for the entry: the start of the SHA-256 of the key's JSON.
    pub fn id(&self) -> String {
        let json = serde_json::to_string(self).expect("a cache key always serializes");
        let digest = Sha256::digest(json.as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The refresh margin for this session: the configured one, but at most a
    /// third of the session's length. A 15-minute session (the shortest AWS
    /// allows) always starts inside the default 15-minute margin and would
    /// otherwise cost an AssumeRole per command; this way it is served for
    /// its first 10 minutes and handed out with at least 5 left.
    pub fn refresh_margin(&self, configured_secs: u64) -> u64 {
        configured_secs.min(self.duration_secs / 3)
    }
}

/// A cached answer: the credentials plus what a listing shows of the request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The role ARN, or the MFA device ARN for an MFA session.
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_session: bool,
    pub session_name: String,
    pub source: String,
    /// For a session chained from another profile's session (whose `source`
    /// is `chain:...`): the source the chain starts from, whose organization
    /// the session's account names belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(flatten)]
    pub credentials: Credentials,
}

/// Credentials for `key` that still have more than its refresh margin left at
/// `now` (see [`CacheKey::refresh_margin`]; `margin_secs` is the configured one).
/// A store that cannot be read is a miss here; the next write sets it aside.
pub fn lookup(dir: &PrivateDir, key: &CacheKey, now: OffsetDateTime, margin_secs: u64) -> Result<Option<Entry>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(None);
    };
    let Ok(entries) = table::parse(&text, SECTION) else {
        return Ok(None);
    };
    Ok(table::entry::<Entry>(&entries, &key.id())
        .filter(|e| e.role_arn == key.role_arn && is_fresh(e, key, now, margin_secs)))
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
    Ok(table::parse(&text, SECTION)
        .map(|entries| table::all(&entries))
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
    let entries = table::load_for_update(dir, &lock, FILE, SECTION)?;
    let all: BTreeMap<String, Entry> = table::all::<Entry>(&entries).into_iter().collect();
    let before = all.len();
    let kept: BTreeMap<String, Entry> = all.into_iter().filter(|(_, e)| !doomed(e)).collect();
    let removed = before - kept.len();
    if removed > 0 {
        table::save(dir, &lock, FILE, SECTION, &kept)?;
    }
    Ok(removed)
}

/// Adds `entry` under `key`, merging with what other processes wrote and
/// dropping entries that have expired.
pub fn store(dir: &PrivateDir, key: &CacheKey, entry: &Entry, now: OffsetDateTime) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let entries = table::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut kept: BTreeMap<String, Entry> = table::all::<Entry>(&entries)
        .into_iter()
        .filter(|(_, e)| e.credentials.secs_left(now) > 0)
        .collect();
    kept.insert(key.id(), entry.clone());
    table::save(dir, &lock, FILE, SECTION, &kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;
    use time::Duration;

    fn key(role: &str) -> CacheKey {
        CacheKey {
            source: "profile:default".into(),
            endpoint: None,
            role_arn: format!("arn:aws:iam::111122223333:role/{role}"),
            session_name: "alice".into(),
            duration_secs: 3600,
            mfa_session: false,
            mfa_serial: None,
            chained_from: None,
            external_id: None,
            source_identity: None,
            tags: vec![],
            transitive_tags: vec![],
            policy_arns: vec![],
            policy: None,
        }
    }

    fn entry(key: &CacheKey, expiration: OffsetDateTime) -> Entry {
        Entry {
            role_arn: key.role_arn.clone(),
            mfa_session: false,
            session_name: key.session_name.clone(),
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
        short.duration_secs = 900;
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
        b.duration_secs = 900;
        let mut c = a.clone();
        c.source = "profile:other".into();
        let mut d = a.clone();
        d.tags = vec![("k".into(), "v".into())];
        let mut e = a.clone();
        e.external_id = Some("x1".into());
        let ids: std::collections::HashSet<String> = [&a, &b, &c, &d, &e].iter().map(|k| k.id()).collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(a.id(), key("A").id());
    }
}
