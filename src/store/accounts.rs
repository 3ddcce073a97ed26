//! The cached account list of each credential source, with when it was fetched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::document;
use super::file::PrivateDir;
use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::error::Result;

pub const FILE: &str = "accounts.toml";
const SECTION: &str = "organizations";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// Whether the accounts carry their OU paths and tags.
    #[serde(default)]
    pub with_ou_paths: bool,
    #[serde(default)]
    pub with_tags: bool,
    pub accounts: Vec<Account>,
}

impl AccountList {
    /// The detail this list carries.
    pub fn detail(&self) -> Detail {
        Detail {
            ou_paths: self.with_ou_paths,
            tags: self.with_tags,
        }
    }

    /// True when the list carries everything `needed` asks for.
    pub fn has(&self, needed: Detail) -> bool {
        (self.with_ou_paths || !needed.ou_paths) && (self.with_tags || !needed.tags)
    }

    pub fn age_secs(&self, now: OffsetDateTime) -> i64 {
        (now - self.fetched_at).whole_seconds()
    }

    pub fn is_fresh(&self, now: OffsetDateTime, ttl_secs: u64) -> bool {
        (0..ttl_secs as i64).contains(&self.age_secs(now))
    }
}

/// Every cached list that parses, by credential source. A store that cannot be
/// read counts as empty here; the next save sets it aside.
pub fn load_all(dir: &PrivateDir) -> Result<BTreeMap<String, AccountList>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(BTreeMap::new());
    };
    if let Some(lists) = parse_whole(&text) {
        return Ok(lists);
    }
    // Some part is damaged: what parses of the rest still serves.
    Ok(match document::parse(&text, SECTION) {
        Ok(entries) => document::all(&entries).into_iter().collect(),
        Err(_) => BTreeMap::new(),
    })
}

/// The whole store read straight into lists, as it is when nothing in it is
/// damaged: at 10,000 accounts several times faster than reading it as TOML
/// values first and then each list from those (the lenient way above).
fn parse_whole(text: &[u8]) -> Option<BTreeMap<String, AccountList>> {
    #[derive(Deserialize)]
    struct Whole {
        version: i64,
        // SECTION's name.
        #[serde(default)]
        organizations: BTreeMap<String, AccountList>,
    }
    let whole: Whole = toml::from_slice(text).ok()?;
    (whole.version == document::FORMAT_VERSION).then_some(whole.organizations)
}

/// Records `list` as what `source` sees, keeping other sources' lists.
pub fn save(dir: &PrivateDir, source: &str, list: &AccountList) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let entries = document::load_for_update(dir, &lock, FILE, SECTION)?;
    let mut lists: BTreeMap<String, AccountList> = document::all(&entries).into_iter().collect();
    lists.insert(source.to_owned(), list.clone());
    document::save(dir, &lock, FILE, SECTION, &lists)?;
    // Names looked up in the old list may no longer hold.
    super::names::forget_from(dir, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_several_sources_live_side_by_side() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let now = crate::domain::clock::now().replace_nanosecond(0).unwrap();
        let account = Account {
            id: "111111111111".parse().unwrap(),
            name: "we\"ird\n[name]".into(),
            email: "a@example.com".into(),
            state: "ACTIVE".into(),
            joined: None,
            ou: Some("Root/Dev".into()),
            tags: None,
        };
        let list = AccountList {
            fetched_at: now,
            with_ou_paths: true,
            with_tags: false,
            accounts: vec![account],
        };
        save(&dir, "profile:a", &list).unwrap();
        save(&dir, "profile:b", &list).unwrap();
        let all = load_all(&dir).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all["profile:a"], list);
        assert!(list.is_fresh(now, 3600));
        assert!(
            parse_whole(&dir.read(FILE).unwrap().unwrap()).is_some(),
            "read the fast way"
        );
        // A damaged list costs only its own source.
        let text = String::from_utf8(dir.read(FILE).unwrap().unwrap()).unwrap();
        let damaged = text.replacen("id = \"111111111111\"", "id = 7", 1);
        assert_ne!(damaged, text);
        std::fs::write(dir.file(FILE), damaged).unwrap();
        let all = load_all(&dir).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all["profile:b"], list);
        assert!(!list.is_fresh(now + time::Duration::hours(2), 3600));
    }
}
