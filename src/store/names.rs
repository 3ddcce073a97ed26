//! Account names already looked up, so that `xacct assume prod` on a cache
//! hit reads a few lines instead of the whole account list (which for a
//! 1,000-account organization is most of the cost of a hit). An entry serves
//! as long as the account list it came from would; saving a list clears them.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::file::PrivateDir;
use super::table;

pub const FILE: &str = "names.toml";
const SECTION: &str = "names";
/// Enough for everyone's daily accounts; the oldest go first.
const KEEP: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub id: String,
    /// The organization's spelling of the name.
    pub name: String,
    /// When the account list this came from was fetched.
    #[serde(with = "time::serde::rfc3339")]
    pub listed_at: OffsetDateTime,
}

/// Names are matched without regard to case.
fn key(typed: &str) -> String {
    typed.to_lowercase()
}

/// The account `typed` named, if looked up from a list still within `ttl_secs`.
pub fn lookup(dir: &PrivateDir, typed: &str, now: OffsetDateTime, ttl_secs: u64) -> Option<Resolved> {
    let bytes = dir.read(FILE).ok()??;
    let entries = table::parse(&bytes, SECTION).ok()?;
    table::entry::<Resolved>(&entries, &key(typed))
        .filter(|r| (0..ttl_secs as i64).contains(&(now - r.listed_at).whole_seconds()))
}

/// Notes that `typed` named `resolved` (best effort: the caller ignores errors).
pub fn remember(dir: &PrivateDir, typed: &str, resolved: Resolved) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let entries = table::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut all: BTreeMap<String, Resolved> = table::all(&entries).into_iter().collect();
    all.insert(key(typed), resolved);
    if all.len() > KEEP {
        let mut by_age: Vec<(String, OffsetDateTime)> = all.iter().map(|(k, r)| (k.clone(), r.listed_at)).collect();
        by_age.sort_by_key(|(_, at)| *at);
        for (old, _) in by_age.into_iter().take(all.len() - KEEP) {
            all.remove(&old);
        }
    }
    table::save(dir, &lock, FILE, SECTION, &all)
}

/// Forgets every name: a new account list may have renamed or removed accounts.
pub fn forget_all(dir: &PrivateDir) -> Result<()> {
    if dir.read(FILE)?.is_none() {
        return Ok(());
    }
    let lock = dir.lock(FILE)?;
    table::save::<Resolved>(dir, &lock, FILE, SECTION, &BTreeMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_names_serve_within_the_ttl_and_are_forgotten_on_refresh() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now().replace_nanosecond(0).unwrap();
        let resolved = Resolved {
            id: "111111111111".into(),
            name: "DEMO".into(),
            listed_at: now,
        };
        remember(&dir, "demo", resolved.clone()).unwrap();
        assert_eq!(lookup(&dir, "Demo", now, 3600), Some(resolved));
        assert_eq!(lookup(&dir, "demo", now + time::Duration::hours(2), 3600), None);
        forget_all(&dir).unwrap();
        assert_eq!(lookup(&dir, "demo", now, 3600), None);
    }
}
