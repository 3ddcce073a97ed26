//! Account names already looked up, so that `xacct assume prod` on a cache
//! hit reads a few lines instead of the whole account list (which for a
//! 1,000-account organization is most of the cost of a hit). A name is
//! remembered for the credential source it was typed with (two sources may be
//! two organizations), and serves as long as the account list it came from
//! would; saving that list again forgets it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::document;
use super::file::PrivateDir;
use crate::domain::account_id::AccountId;
use crate::domain::error::Result;

pub const FILE: &str = "names.toml";
const SECTION: &str = "names";
/// Enough for everyone's daily accounts; the oldest go first.
const KEEP: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub id: AccountId,
    /// The organization's spelling of the name.
    pub name: String,
    /// When the account list this came from was fetched.
    #[serde(with = "time::serde::rfc3339")]
    pub listed_at: OffsetDateTime,
    /// The source whose cached account list this came from.
    pub list: String,
}

/// The entry of `typed` for `source`: `["profile:orgA","demo"]`. Names are
/// matched without regard to case.
fn key(source: &str, typed: &str) -> String {
    serde_json::to_string(&(source, typed.to_lowercase())).expect("strings always serialize")
}

/// The account `typed` named for `source`, if looked up from a list still within `ttl_secs`.
pub fn lookup(dir: &PrivateDir, source: &str, typed: &str, now: OffsetDateTime, ttl_secs: u64) -> Option<Resolved> {
    let bytes = dir.read(FILE).ok()??;
    let entries = document::parse(&bytes, SECTION).ok()?;
    document::entry::<Resolved>(&entries, &key(source, typed))
        .filter(|r| (0..ttl_secs as i64).contains(&(now - r.listed_at).whole_seconds()))
}

/// Notes that `typed` named `resolved` for `source` (best effort: the caller ignores errors).
pub fn remember(dir: &PrivateDir, source: &str, typed: &str, resolved: Resolved) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut all: BTreeMap<String, Resolved> = document::all(&entries).into_iter().collect();
    all.insert(key(source, typed), resolved);
    if all.len() > KEEP {
        let mut by_age: Vec<(String, OffsetDateTime)> = all.iter().map(|(k, r)| (k.clone(), r.listed_at)).collect();
        by_age.sort_by_key(|(_, at)| *at);
        for (old, _) in by_age.into_iter().take(all.len() - KEEP) {
            all.remove(&old);
        }
    }
    document::save(dir, &lock, FILE, SECTION, &all)
}

/// Forgets every name looked up in `list`'s account list: the new list may
/// have renamed or removed accounts.
pub fn forget_from(dir: &PrivateDir, list: &str) -> Result<()> {
    if dir.read(FILE)?.is_none() {
        return Ok(());
    }
    let lock = dir.lock(FILE)?;
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let kept: BTreeMap<String, Resolved> = document::all::<Resolved>(&entries)
        .into_iter()
        .filter(|(_, r)| r.list != list)
        .collect();
    document::save(dir, &lock, FILE, SECTION, &kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_names_serve_their_source_within_the_ttl_until_their_list_is_saved() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now().replace_nanosecond(0).unwrap();
        let resolved = |id: &str, list: &str| Resolved {
            id: id.parse().unwrap(),
            name: "DEMO".into(),
            listed_at: now,
            list: list.into(),
        };
        remember(&dir, "profile:orgA", "demo", resolved("111111111111", "profile:orgA")).unwrap();
        remember(&dir, "profile:orgB", "demo", resolved("222222222222", "profile:orgB")).unwrap();
        remember(&dir, "env:ASIAX", "demo", resolved("111111111111", "profile:orgA")).unwrap();
        let id = |source: &str| lookup(&dir, source, "Demo", now, 3600).map(|r| r.id.to_string());
        assert_eq!(id("profile:orgA").as_deref(), Some("111111111111"));
        assert_eq!(id("profile:orgB").as_deref(), Some("222222222222"));
        assert_eq!(id("env:ASIAX").as_deref(), Some("111111111111"));
        assert_eq!(id("profile:orgC"), None);
        assert_eq!(
            lookup(&dir, "profile:orgA", "demo", now + time::Duration::hours(2), 3600),
            None
        );
        forget_from(&dir, "profile:orgA").unwrap();
        assert_eq!(id("profile:orgA"), None);
        assert_eq!(id("env:ASIAX"), None);
        assert_eq!(id("profile:orgB").as_deref(), Some("222222222222"));
    }
}
