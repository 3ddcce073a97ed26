//! The credential cache: temporary credentials keyed by everything that
//! changes what AssumeRole returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::document;
use super::file::{self, PrivateDir, WriteLock};
use crate::domain::account_id::AccountId;
use crate::domain::clock;
use crate::domain::credentials::Credentials;
use crate::domain::error::Result;
use crate::domain::role::RoleSpec;
use crate::domain::session_params::RoleRequest;

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
        crate::domain::text::hex(&digest[..16])
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
    /// The account's name when the session was asked for by it or it was
    /// known then: what a prompt shows without reading the account list.
    pub account_name: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_name: Option<String>,
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
            account_name: stored.account_name,
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
            account_name: entry.account_name,
            region: entry.region,
            credentials: entry.credentials,
        }
    }
}

/// Credentials for `key` that still have more than its refresh margin left at
/// `now` (see [`CacheKey::refresh_margin`]; `margin_secs` is the configured one).
/// Reads only the key's own file, whatever else is cached. A file that cannot
/// be read is a miss here; the next write of that key sets it aside.
pub fn lookup(dir: &PrivateDir, key: &CacheKey, now: OffsetDateTime, margin_secs: u64) -> Result<Option<Entry>> {
    let sessions = dir.subdir(DIR)?;
    let id = key.id();
    let mut text = sessions.read(&file_name(&id))?;
    // Only a miss looks for the old single-file store (one stat when there is none).
    if text.is_none() && migrate(dir)? {
        text = sessions.read(&file_name(&id))?;
    }
    Ok(text
        .and_then(|text| parse_one(&text, &id))
        .filter(|e| key.names(&e.kind) && is_fresh(e, key, now, margin_secs)))
}

/// Whether `entry` may be served for `key`: more than the key's refresh margin left.
pub fn is_fresh(entry: &Entry, key: &CacheKey, now: OffsetDateTime, margin_secs: u64) -> bool {
    entry.credentials.secs_left(now) > key.refresh_margin(margin_secs) as i64
}

/// Every cached entry that parses, by key id (for listings and for finding
/// which session a key ID belongs to): reads every session file.
pub fn all(dir: &PrivateDir) -> Result<Vec<(String, Entry)>> {
    migrate(dir)?;
    let sessions = dir.subdir(DIR)?;
    let mut found = Vec::new();
    for id in key_ids(&sessions.names()?) {
        if let Some(entry) = sessions.read(&file_name(&id))?.and_then(|text| parse_one(&text, &id)) {
            found.push((id, entry));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// The session whose access key ID is `access_key_id`, if xacct issued it and
/// it is still on record (for a prompt, and for following the environment's
/// session back to its source): one small file, however many are cached.
pub fn issued(dir: &PrivateDir, access_key_id: &str) -> Result<Option<Entry>> {
    if !is_key_id(access_key_id) {
        return Ok(None);
    }
    let sessions = dir.subdir(DIR)?;
    let index = sessions.subdir(BY_ACCESS_KEY)?;
    let name = file_name(access_key_id);
    let mut text = index.read(&name)?;
    // Only a miss looks for a store from before the index (one stat).
    if text.is_none() && !index.path().exists() && sessions.path().exists() {
        build_index(&sessions)?;
        text = index.read(&name)?;
    }
    Ok(text
        .and_then(|text| only_entry(&text))
        .filter(|e| e.credentials.access_key_id == access_key_id))
}

/// Links every session file into the index, once: sessions cached by a
/// version without the index are found too. Writes keep it up to date after.
fn build_index(sessions: &PrivateDir) -> Result<()> {
    let index = sessions.subdir(BY_ACCESS_KEY)?;
    index.ensure()?;
    for id in key_ids(&sessions.names()?) {
        let name = file_name(&id);
        let Some(entry) = sessions.read(&name)?.and_then(|text| parse_one(&text, &id)) else {
            continue;
        };
        let key_id = &entry.credentials.access_key_id;
        if is_key_id(key_id) {
            // Another process building it at the same time made the same link.
            let _ = std::fs::hard_link(sessions.file(&name), index.file(&file_name(key_id)));
        }
    }
    Ok(())
}

/// The one entry of a session file, whatever its key id.
fn only_entry(text: &[u8]) -> Option<Entry> {
    let entries = document::parse(text, SECTION).ok()?;
    let id = entries.keys().next()?;
    document::entry(&entries, id)
}

/// Removes the entries `doomed` picks; returns how many went. Under each
/// key's lock it also removes the copies that killed writers of it left
/// behind, even when the key has no file.
pub fn remove(dir: &PrivateDir, doomed: impl Fn(&Entry) -> bool) -> Result<usize> {
    if !dir.path().exists() {
        return Ok(0);
    }
    migrate(dir)?;
    let sessions = dir.subdir(DIR)?;
    let names = sessions.names()?;
    let mut ids: BTreeMap<String, Vec<&String>> = key_ids(&names).into_iter().map(|id| (id, Vec::new())).collect();
    for name in &names {
        let id = file::store_of_temp_file(name).and_then(|store| store.strip_suffix(EXTENSION));
        if let Some(id) = id.filter(|id| is_key_id(id)) {
            ids.entry(id.to_owned()).or_default().push(name);
        }
    }
    let mut removed = 0;
    for (id, leftovers) in ids {
        let name = file_name(&id);
        let lock = sessions.lock(&name)?;
        for leftover in leftovers {
            sessions.remove(&lock, leftover)?;
        }
        let entry = sessions.read(&name)?.and_then(|text| parse_one(&text, &id));
        if entry.is_some_and(|e| doomed(&e)) {
            sessions.remove(&lock, &name)?;
            removed += 1;
        }
    }
    sweep_index(&sessions, |entry| entry.is_none_or(&doomed))?;
    Ok(removed)
}

/// Removes the index links whose entry `gone` picks (`None`: a link that
/// does not parse) and returns when the earliest of the others expires.
/// A link is never rewritten, only made once and removed, so this needs
/// no lock: at worst a link just made for a live session is read here as
/// that session, which `gone` keeps.
fn sweep_index(sessions: &PrivateDir, gone: impl Fn(Option<&Entry>) -> bool) -> Result<Option<i64>> {
    let index = sessions.subdir(BY_ACCESS_KEY)?;
    let mut earliest = None::<i64>;
    for name in index.names()? {
        let entry = index.read(&name)?.and_then(|text| only_entry(&text));
        if gone(entry.as_ref()) {
            let _ = std::fs::remove_file(index.file(&name));
        } else if let Some(entry) = entry {
            let at = entry.credentials.expiration.unix_timestamp();
            earliest = Some(earliest.map_or(at, |e| e.min(at)));
        }
    }
    Ok(earliest)
}

/// Saves `entry` as the file of `key`, under that key's lock only: writes of
/// other keys never wait for it. Then, when an entry may have expired,
/// removes the files of other keys' expired entries.
pub fn store(dir: &PrivateDir, key: &CacheKey, entry: &Entry, now: OffsetDateTime) -> Result<()> {
    let sessions = dir.subdir(DIR)?;
    let id = key.id();
    write_entry(&sessions, &id, entry)?;
    prune(&sessions, &id, entry, now)
}

/// Where the sessions are, one file per cache key: `sessions/<key id>.toml`.
pub const DIR: &str = "sessions";
const EXTENSION: &str = ".toml";
/// The single file earlier versions kept every session in, in the cache
/// directory itself; migrated to per-key files on first use.
pub const LEGACY_FILE: &str = "credentials.toml";
/// The sessions by access key ID: `sessions/by-access-key/<key ID>.toml` is a
/// hard link to the file a session was written as (the same bytes, no second
/// copy), kept until that session expires even after its key moves on to a
/// newer session. It answers "which session is in my environment?" with one
/// read.
const BY_ACCESS_KEY: &str = "by-access-key";
/// When the next entry expires (unix seconds): until then a write prunes nothing.
const NEXT_EXPIRY: &str = ".next-expiry";

/// The file of the entry with key id `id`.
pub fn file_name(id: &str) -> String {
    format!("{id}{EXTENSION}")
}

/// The key ids of the session files among `names` (not locks, temporary
/// files, files set aside or the expiry marker).
fn key_ids(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|name| name.strip_suffix(EXTENSION))
        .filter(|id| is_key_id(id))
        .map(str::to_owned)
        .collect()
}

/// Whether `id` can name a session file: letters and digits only (a hand-made
/// or damaged store never names a path outside the directory).
fn is_key_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The entry `id` of a session file, or `None` when the file is not a
/// store of this format or does not hold that entry as it should.
fn parse_one(text: &[u8], id: &str) -> Option<Entry> {
    document::entry::<Entry>(&document::parse(text, SECTION).ok()?, id)
}

/// Writes the file of `id` atomically under its own lock; a file there that
/// does not parse is set aside first, with one warning (only that key is lost).
fn write_entry(sessions: &PrivateDir, id: &str, entry: &Entry) -> Result<()> {
    let lock = sessions.lock(&file_name(id))?;
    write_locked(sessions, &lock, id, entry)
}

/// [`write_entry`] for a caller that holds the key's lock.
fn write_locked(sessions: &PrivateDir, lock: &WriteLock, id: &str, entry: &Entry) -> Result<()> {
    let name = file_name(id);
    document::load_for_update(sessions, lock, &name, SECTION)?;
    let one: BTreeMap<String, &Entry> = [(id.to_owned(), entry)].into_iter().collect();
    let text = document::to_text(SECTION, &one)?;
    let key_id = &entry.credentials.access_key_id;
    let link = if is_key_id(key_id) {
        let index = sessions.subdir(BY_ACCESS_KEY)?;
        index.ensure()?;
        Some(index.file(&file_name(key_id)))
    } else {
        None
    };
    sessions.write_atomic_linked(lock, &name, &text, link.as_deref())
}

/// Removes the files of entries that have expired by `now`, but only once
/// the earliest expiry on record has passed, so that most writes (a fan-out's
/// thousand, all expiring later) cost one small read here. The record is
/// kept under its own lock, taken only to prune or to move the record
/// earlier; a lost update only delays pruning, which is housekeeping.
fn prune(sessions: &PrivateDir, written_id: &str, written: &Entry, now: OffsetDateTime) -> Result<()> {
    let expires = written.credentials.expiration.unix_timestamp();
    let next = |sessions: &PrivateDir| -> Result<Option<i64>> {
        Ok(sessions
            .read(NEXT_EXPIRY)?
            .and_then(|text| String::from_utf8(text).ok()?.trim().parse().ok()))
    };
    let due = |next: Option<i64>| next.is_none_or(|at| at <= now.unix_timestamp());
    let recorded = next(sessions)?;
    if !due(recorded) && recorded.is_some_and(|at| at <= expires) {
        return Ok(());
    }
    let lock = sessions.lock(NEXT_EXPIRY)?;
    let recorded = next(sessions)?;
    let earliest = if due(recorded) {
        let mut earliest = expires;
        // The entry just written stays, whatever the clock says.
        for id in key_ids(&sessions.names()?).iter().filter(|id| *id != written_id) {
            earliest = earliest.min(prune_one(sessions, id, now)?.unwrap_or(i64::MAX));
        }
        let expired = |e: Option<&Entry>| e.is_none_or(|e| e.credentials.expiration <= now);
        earliest.min(sweep_index(sessions, expired)?.unwrap_or(i64::MAX))
    } else {
        recorded.map_or(expires, |at| at.min(expires))
    };
    sessions.write_atomic(&lock, NEXT_EXPIRY, &format!("{earliest}\n"))
}

/// Removes the file of `id` if its entry has expired by `now` (checked again
/// under the key's lock: it may have just been renewed); otherwise returns
/// when it expires. A file that does not parse is left for its key's next
/// write to set aside.
fn prune_one(sessions: &PrivateDir, id: &str, now: OffsetDateTime) -> Result<Option<i64>> {
    let name = file_name(id);
    let expiration = |sessions: &PrivateDir| -> Result<Option<OffsetDateTime>> {
        Ok(sessions
            .read(&name)?
            .and_then(|text| parse_one(&text, id))
            .map(|e| e.credentials.expiration))
    };
    match expiration(sessions)? {
        Some(at) if at <= now => {
            let lock = sessions.lock(&name)?;
            match expiration(sessions)? {
                Some(at) if at <= now => {
                    sessions.remove(&lock, &name)?;
                    Ok(None)
                }
                other => Ok(other.map(OffsetDateTime::unix_timestamp)),
            }
        }
        other => Ok(other.map(OffsetDateTime::unix_timestamp)),
    }
}

/// Moves the sessions of the single-file store of earlier versions into
/// per-key files, then removes it; returns whether there was one. Expired
/// entries are dropped; a per-key file already there is newer and is kept.
/// A file that does not parse is set aside with one warning, as ever.
fn migrate(dir: &PrivateDir) -> Result<bool> {
    if std::fs::symlink_metadata(dir.file(LEGACY_FILE)).is_err() {
        return Ok(false);
    }
    let lock = dir.lock(LEGACY_FILE)?;
    if dir.read(LEGACY_FILE)?.is_none() {
        // Another process migrated it while this one waited for the lock.
        return Ok(false);
    }
    let entries = document::load_for_update(dir, &lock, LEGACY_FILE, SECTION)?;
    let now = clock::now();
    let sessions = dir.subdir(DIR)?;
    for (id, entry) in document::all::<Entry>(&entries) {
        let fresh = entry.credentials.secs_left(now) > 0;
        if fresh && is_key_id(&id) {
            let name = file_name(&id);
            let key_lock = sessions.lock(&name)?;
            if sessions.read(&name)?.and_then(|text| parse_one(&text, &id)).is_none() {
                write_locked(&sessions, &key_lock, &id, &entry)?;
            }
        }
    }
    dir.remove(&lock, LEGACY_FILE)?;
    dir.remove(&lock, &format!("{LEGACY_FILE}.lock"))?;
    Ok(true)
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
            account_name: None,
            region: Some("eu-west-1".into()),
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("secret"),
                session_token: Secret::new("token"),
                expiration: expiration.replace_nanosecond(0).unwrap(),
            },
        }
    }

    fn session_file(dir: &PrivateDir, id: &str) -> std::path::PathBuf {
        dir.file(DIR).join(file_name(id))
    }

    /// Every session file, one after the other.
    fn stored_text(dir: &PrivateDir) -> String {
        let sessions = PrivateDir::at(dir.file(DIR));
        key_ids(&sessions.names().unwrap())
            .iter()
            .map(|id| String::from_utf8(sessions.read(&file_name(id)).unwrap().unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn a_hit_reads_only_its_own_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b, c) = (key("A"), key("B"), key("C"));
        for k in [&a, &b] {
            store(&dir, k, &entry(k, now + Duration::hours(1)), now).unwrap();
        }
        // Reading any other file would fail: B's is a symlink (refused), C's
        // and the old single-file store are symlinks too.
        let elsewhere = root.path().join("elsewhere");
        std::fs::write(&elsewhere, "x").unwrap();
        std::fs::remove_file(session_file(&dir, &b.id())).unwrap();
        for path in [
            session_file(&dir, &b.id()),
            session_file(&dir, &c.id()),
            dir.file(LEGACY_FILE),
        ] {
            std::os::unix::fs::symlink(&elsewhere, path).unwrap();
        }
        assert_eq!(
            lookup(&dir, &a, now, 900).unwrap(),
            Some(entry(&a, now + Duration::hours(1)))
        );
        assert!(lookup(&dir, &b, now, 900).is_err(), "the check does bite");
    }

    #[test]
    fn writes_of_other_keys_do_not_wait_for_a_held_key() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let a = key("A");
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        let sessions = PrivateDir::at(dir.file(DIR));
        let held = sessions.lock(&file_name(&a.id())).unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        let writer = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                for k in [key("B"), key("C")] {
                    store(&dir, &k, &entry(&k, now + Duration::hours(1)), now).unwrap();
                }
                done.send(()).unwrap();
            })
        };
        // A shared lock would block the writer until `held` is dropped.
        let waited = finished.recv_timeout(std::time::Duration::from_secs(20));
        drop(held);
        writer.join().unwrap();
        assert!(waited.is_ok(), "writes of B and C waited for A's lock");
        assert_eq!(all(&dir).unwrap().len(), 3);
    }

    #[test]
    fn the_single_file_store_is_migrated_on_first_use() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        dir.ensure().unwrap();
        let now = crate::domain::clock::now();
        let (a, b, c) = (key("A"), key("B"), key("C"));
        let old: BTreeMap<String, Entry> = [
            (a.id(), entry(&a, now + Duration::hours(1))),
            (b.id(), entry(&b, now - Duration::hours(1))),
        ]
        .into_iter()
        .collect();
        let lock = dir.lock(LEGACY_FILE).unwrap();
        document::save(&dir, &lock, LEGACY_FILE, SECTION, &old).unwrap();
        drop(lock);
        // A miss of another key migrates: the live entry is served from its own file.
        assert_eq!(lookup(&dir, &c, now, 900).unwrap(), None);
        assert!(!dir.file(LEGACY_FILE).exists());
        assert!(!dir.file(&format!("{LEGACY_FILE}.lock")).exists());
        assert!(session_file(&dir, &a.id()).exists());
        assert!(!session_file(&dir, &b.id()).exists(), "expired entries are dropped");
        assert_eq!(
            lookup(&dir, &a, now, 900).unwrap(),
            Some(entry(&a, now + Duration::hours(1)))
        );
        // So does a listing.
        let lock = dir.lock(LEGACY_FILE).unwrap();
        let newer: BTreeMap<String, Entry> = [(c.id(), entry(&c, now + Duration::hours(2)))].into_iter().collect();
        document::save(&dir, &lock, LEGACY_FILE, SECTION, &newer).unwrap();
        drop(lock);
        let ids: Vec<String> = all(&dir).unwrap().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&c.id()) && ids.contains(&a.id()));
        // One that does not parse is set aside (with its one warning), never a crash.
        std::fs::write(dir.file(LEGACY_FILE), "version = 1\n[credentials\n").unwrap();
        assert_eq!(all(&dir).unwrap().len(), 2);
        assert!(!dir.file(LEGACY_FILE).exists());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("credentials.toml.corrupt-")
            })
            .count();
        assert_eq!(aside, 1);
    }

    #[test]
    fn a_corrupt_file_costs_only_its_key() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b) = (key("A"), key("B"));
        for k in [&a, &b] {
            store(&dir, k, &entry(k, now + Duration::hours(1)), now).unwrap();
        }
        std::fs::write(session_file(&dir, &b.id()), "garbage").unwrap();
        assert!(lookup(&dir, &a, now, 900).unwrap().is_some());
        assert_eq!(lookup(&dir, &b, now, 900).unwrap(), None);
        assert_eq!(all(&dir).unwrap().len(), 1);
        // Writing A leaves B's file alone; writing B sets it aside.
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        assert_eq!(std::fs::read(session_file(&dir, &b.id())).unwrap(), b"garbage");
        store(&dir, &b, &entry(&b, now + Duration::hours(1)), now).unwrap();
        assert_eq!(all(&dir).unwrap().len(), 2);
    }

    #[test]
    fn clear_removes_what_it_picks_and_copies_of_killed_writers() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b, c) = (key("A"), key("B"), key("C"));
        for k in [&a, &b] {
            store(&dir, k, &entry(k, now + Duration::hours(1)), now).unwrap();
        }
        // What killed writers leave: this version's name, and an earlier one's.
        let orphans = [
            dir.file(DIR).join(format!(".{}.tmp", file_name(&c.id()))),
            dir.file(DIR).join(format!(".{}.aB3dE9.tmp", file_name(&b.id()))),
        ];
        for orphan in &orphans {
            std::fs::write(orphan, "x").unwrap();
        }
        assert!(issued(&dir, "ASIAEXAMPLE").unwrap().is_some());
        assert_eq!(remove(&dir, |e| e.kind.name() == "A").unwrap(), 1);
        for orphan in &orphans {
            assert!(!orphan.exists(), "{} is left", orphan.display());
        }
        assert_eq!(lookup(&dir, &a, now, 900).unwrap(), None);
        assert!(lookup(&dir, &b, now, 900).unwrap().is_some());
        assert_eq!(remove(&dir, |_| true).unwrap(), 1);
        assert!(all(&dir).unwrap().is_empty());
        assert_eq!(issued(&dir, "ASIAEXAMPLE").unwrap(), None, "the index goes too");
        assert!(PrivateDir::at(dir.file(DIR).join(BY_ACCESS_KEY))
            .names()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_session_is_found_by_its_access_key_until_it_expires() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let (a, b) = (key("A"), key("B"));
        let issue = |k: &CacheKey, key_id: &str, expires: OffsetDateTime, at: OffsetDateTime| {
            let mut e = entry(k, expires);
            e.credentials.access_key_id = key_id.into();
            store(&dir, k, &e, at).unwrap();
            e
        };
        let first = issue(&a, "ASIAFIRST", now + Duration::minutes(20), now);
        issue(&b, "ASIAOTHER", now + Duration::hours(2), now);
        assert_eq!(issued(&dir, "ASIAFIRST").unwrap(), Some(first.clone()));
        // A's key moves on to a new session: the old one is still found.
        let second = issue(&a, "ASIASECOND", now + Duration::hours(1), now);
        assert_eq!(issued(&dir, "ASIAFIRST").unwrap(), Some(first));
        assert_eq!(issued(&dir, "ASIASECOND").unwrap(), Some(second));
        assert_eq!(issued(&dir, "ASIAUNKNOWN").unwrap(), None);
        assert_eq!(issued(&dir, "../../etc/passwd").unwrap(), None);
        // Once it has expired, the next write's pruning removes its link.
        let later = now + Duration::minutes(30);
        issue(&b, "ASIATHIRD", later + Duration::hours(1), later);
        assert_eq!(issued(&dir, "ASIAFIRST").unwrap(), None);
        assert!(issued(&dir, "ASIASECOND").unwrap().is_some());
        // Sessions cached before the index existed are indexed on first use.
        std::fs::remove_dir_all(dir.file(DIR).join(BY_ACCESS_KEY)).unwrap();
        assert!(issued(&dir, "ASIASECOND").unwrap().is_some());
        assert!(issued(&dir, "ASIATHIRD").unwrap().is_some());
        // A link whose name and contents disagree (hand-made) is no answer.
        let index = dir.file(DIR).join(BY_ACCESS_KEY);
        std::fs::copy(index.join("ASIASECOND.toml"), index.join("ASIAFORGED.toml")).unwrap();
        assert_eq!(issued(&dir, "ASIAFORGED").unwrap(), None);
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
        let text = stored_text(&dir);
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
        std::fs::write(session_file(&dir, &a.id()), "version = 1\n[credentials\ngarbage").unwrap();
        assert_eq!(lookup(&dir, &a, now, 900).unwrap(), None);
        store(&dir, &a, &entry(&a, now + Duration::hours(1)), now).unwrap();
        assert!(lookup(&dir, &a, now, 900).unwrap().is_some());
        let aside = std::fs::read_dir(dir.file(DIR))
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
        let sessions = PrivateDir::at(dir.file(DIR));
        sessions.ensure().unwrap();
        let files = [
            (a.id(), "role_arn = \"not-an-arn\"\nsession_name = \"alice\"\n"),
            (
                "m".to_owned(),
                "role_arn = \"arn:aws:iam::123456789012:mfa/alice\"\nmfa_session = true\nsession_name = \"\"\n",
            ),
            (
                "h".to_owned(),
                "role_arn = \"GAHT12345678\"\nmfa_session = true\nsession_name = \"\"\n",
            ),
        ];
        for (id, fields) in files {
            let text = format!("version = 1\n[credentials.{id}]\n{fields}source = \"profile:default\"\n{credentials}");
            std::fs::write(session_file(&dir, &id), text).unwrap();
        }
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
