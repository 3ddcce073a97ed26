//! Which accounts and roles were used lately, newest first, so that the picker
//! and completions offer them first. Machine-written, like the other caches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::document;
use super::file::PrivateDir;
use crate::domain::account_id::AccountId;
use crate::domain::error::Result;

pub const FILE: &str = "recent.toml";
const SECTION: &str = "recent";
/// Enough for a day's work across an organization; older uses are forgotten.
const KEEP: usize = 50;

/// One use of a role in an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentUse {
    pub account_id: AccountId,
    /// `path/Name`, as it would be typed.
    pub role: String,
    /// The config profile it was reached through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub used_at: OffsetDateTime,
}

impl RecentUse {
    fn key(&self) -> String {
        format!("{}/{}", self.account_id, self.role)
    }

    fn same_choice(&self, other: &RecentUse) -> bool {
        self.key() == other.key() && self.profile == other.profile
    }
}

/// Every recorded use, newest first. An unreadable file counts as empty.
pub fn load(dir: &PrivateDir) -> Vec<RecentUse> {
    let Ok(Some(text)) = dir.read(FILE) else {
        return Vec::new();
    };
    let mut uses: Vec<RecentUse> = document::parse(&text, SECTION)
        .map(|entries| document::all(&entries).into_iter().map(|(_, u)| u).collect())
        .unwrap_or_default();
    uses.sort_by_key(|u| std::cmp::Reverse(u.used_at));
    uses
}

/// Records `used` as the newest use. Writes nothing when it already is the
/// newest, so that repeating the same `xacct assume` stays a read-only cache hit.
pub fn record(dir: &PrivateDir, used: RecentUse) -> Result<()> {
    if load(dir).first().is_some_and(|newest| newest.same_choice(&used)) {
        return Ok(());
    }
    let lock = dir.lock(FILE)?;
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut uses: Vec<RecentUse> = document::all::<RecentUse>(&entries)
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    uses.retain(|u| u.key() != used.key());
    uses.push(used);
    uses.sort_by_key(|u| std::cmp::Reverse(u.used_at));
    uses.truncate(KEEP);
    let kept: BTreeMap<String, RecentUse> = uses.into_iter().map(|u| (u.key(), u)).collect();
    document::save(dir, &lock, FILE, SECTION, &kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(account: &str, role: &str, at: OffsetDateTime) -> RecentUse {
        RecentUse {
            account_id: account.parse().unwrap(),
            role: role.into(),
            profile: None,
            used_at: at.replace_nanosecond(0).unwrap(),
        }
    }

    #[test]
    fn newest_first_and_one_entry_per_account_and_role() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        let minute = time::Duration::minutes(1);
        record(&dir, used("111111111111", "A", now)).unwrap();
        record(&dir, used("222222222222", "team/B", now + minute)).unwrap();
        record(&dir, used("111111111111", "A", now + minute * 2)).unwrap();
        let uses = load(&dir);
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[0].account_id, "111111111111");
        assert_eq!(uses[1].role, "team/B");
    }

    #[test]
    fn keeps_only_the_newest() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now();
        for i in 0..(KEEP + 5) {
            record(
                &dir,
                used(
                    "111111111111",
                    &format!("R{i}"),
                    now + time::Duration::seconds(i as i64),
                ),
            )
            .unwrap();
        }
        let uses = load(&dir);
        assert_eq!(uses.len(), KEEP);
        assert_eq!(uses[0].role, format!("R{}", KEEP + 4));
    }
}
