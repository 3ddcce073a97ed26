//! The cached account list of each credential source, with when it was fetched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::account_rows;
use super::document;
use super::file::PrivateDir;
use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::account_id::AccountId;
use crate::domain::error::Result;

pub const FILE: &str = "accounts.toml";
const SECTION: &str = "organizations";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// Whether the accounts carry their OU paths, tags and roles.
    #[serde(default)]
    pub with_ou_paths: bool,
    #[serde(default)]
    pub with_tags: bool,
    #[serde(default)]
    pub with_roles: bool,
    pub accounts: Vec<Account>,
}

impl AccountList {
    /// The detail this list carries.
    pub fn detail(&self) -> Detail {
        Detail {
            ou_paths: self.with_ou_paths,
            tags: self.with_tags,
            roles: self.with_roles,
        }
    }

    /// True when the list carries everything `needed` asks for.
    pub fn has(&self, needed: Detail) -> bool {
        (self.with_ou_paths || !needed.ou_paths)
            && (self.with_tags || !needed.tags)
            && (self.with_roles || !needed.roles)
    }

    pub fn age_secs(&self, now: OffsetDateTime) -> i64 {
        (now - self.fetched_at).whole_seconds()
    }

    pub fn is_fresh(&self, now: OffsetDateTime, ttl_secs: u64) -> bool {
        (0..ttl_secs as i64).contains(&self.age_secs(now))
    }
}

/// Version 2 keeps each account as one string (see `account_rows`);
/// version 1 kept one TOML table per account, and is still read (then
/// written as version 2 on the next save).
const FORMAT_VERSION: i64 = 2;
const READABLE: std::ops::RangeInclusive<i64> = 1..=FORMAT_VERSION;

/// A list as version 2 stores it; `R` holds a row (see [`Row`]).
#[derive(Serialize, Deserialize)]
struct StoredList<R> {
    #[serde(with = "time::serde::rfc3339")]
    fetched_at: OffsetDateTime,
    #[serde(default)]
    with_ou_paths: bool,
    #[serde(default)]
    with_tags: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    with_roles: bool,
    accounts: Vec<R>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// A row read in place from the file's text when it has no escapes (most
/// do): 10,000 fewer copies each time the list is read.
#[derive(Deserialize)]
struct Row<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

impl AsRef<str> for Row<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl StoredList<String> {
    fn of(list: &AccountList) -> Self {
        let detail = list.detail();
        StoredList {
            fetched_at: list.fetched_at,
            with_ou_paths: list.with_ou_paths,
            with_tags: list.with_tags,
            with_roles: list.with_roles,
            accounts: list.accounts.iter().map(|a| account_rows::encode(a, detail)).collect(),
        }
    }
}

impl<R: AsRef<str>> StoredList<R> {
    /// The account `id`, decoding only its row.
    fn find(self, id: AccountId) -> Option<Account> {
        let detail = self.detail();
        let row = self
            .accounts
            .iter()
            .find(|row| account_rows::decode_id_and_name(row.as_ref()).is_some_and(|(found, _)| found == id))?;
        account_rows::decode(row.as_ref(), detail)
    }

    fn detail(&self) -> Detail {
        Detail {
            ou_paths: self.with_ou_paths,
            tags: self.with_tags,
            roles: self.with_roles,
        }
    }

    /// The ID and name of each account, with when the list was fetched;
    /// `None` when a row is damaged.
    fn names(self) -> Option<NamesList> {
        let names = self.accounts.iter().map(|row| {
            let (id, name) = account_rows::decode_id_and_name(row.as_ref())?;
            Some((id, name.into_owned()))
        });
        Some((self.fetched_at, names.collect::<Option<_>>()?))
    }

    /// The list, or `None` when a row is damaged (the list is fetched again).
    fn read(self) -> Option<AccountList> {
        let detail = self.detail();
        // Each row is freed as it is read, so the accounts reuse its memory.
        let accounts = self
            .accounts
            .into_iter()
            .map(|row| account_rows::decode(row.as_ref(), detail));
        Some(AccountList {
            fetched_at: self.fetched_at,
            with_ou_paths: self.with_ou_paths,
            with_tags: self.with_tags,
            with_roles: self.with_roles,
            accounts: accounts.collect::<Option<_>>()?,
        })
    }
}

/// Every cached list that parses, by credential source. A store that cannot be
/// read counts as empty here; the next save sets it aside.
pub fn load_all(dir: &PrivateDir) -> Result<BTreeMap<String, AccountList>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(BTreeMap::new());
    };
    if let Some(lists) = parse_whole(&text, |list| list.read()) {
        return Ok(lists);
    }
    Ok(parse_lenient(&text))
}

/// One list's accounts as completion needs them: when it was fetched, and
/// each account's ID and name.
pub type NamesList = (OffsetDateTime, Vec<(AccountId, String)>);

/// The IDs and names of each cached list, with when it was fetched: what
/// completion needs, without building 10,000 whole accounts per Tab.
pub fn load_names(dir: &PrivateDir) -> Result<Vec<NamesList>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(Vec::new());
    };
    if let Some(lists) = parse_whole(&text, |list| list.names()) {
        return Ok(lists.into_values().collect());
    }
    let lists = parse_lenient(&text).into_values();
    let names = |list: AccountList| list.accounts.into_iter().map(|a| (a.id, a.name)).collect();
    Ok(lists.map(|list| (list.fetched_at, names(list))).collect())
}

/// The account `id` of the list cached for `source`, decoding no other row:
/// a cache hit may ask (an Identity Center source's roles, see
/// `session::target`), and it should not build the whole list for one account.
pub fn find_cached(dir: &PrivateDir, source: &str, id: AccountId) -> Result<Option<Account>> {
    let Some(text) = dir.read(FILE)? else {
        return Ok(None);
    };
    if let Some(mut found) = parse_whole(&text, |list| list.find(id)) {
        return Ok(found.remove(source));
    }
    let list = parse_lenient(&text).remove(source);
    Ok(list.and_then(|list| list.accounts.into_iter().find(|a| a.id == id)))
}

/// The lists of a store that [`parse_whole`] cannot read.
fn parse_lenient(text: &[u8]) -> BTreeMap<String, AccountList> {
    // An earlier version, or some part is damaged: what parses of the rest still serves.
    match document::parse_versions(text, SECTION, READABLE) {
        Ok((version, entries)) => lists_in(version, &entries),
        Err(_) => BTreeMap::new(),
    }
}

/// The whole store read straight into lists, as it is when nothing in it is
/// damaged: several times faster than reading it as TOML values first and
/// then each list from those (the lenient way).
fn parse_whole<T>(text: &[u8], read: impl Fn(StoredList<Row<'_>>) -> Option<T>) -> Option<BTreeMap<String, T>> {
    #[derive(Deserialize)]
    struct Whole<'a> {
        version: i64,
        // SECTION's name.
        #[serde(default, borrow)]
        organizations: BTreeMap<String, StoredList<Row<'a>>>,
    }
    let whole: Whole = toml::from_slice(text).ok()?;
    if whole.version != FORMAT_VERSION {
        return None;
    }
    let lists = whole.organizations.into_iter();
    Some(lists.filter_map(|(source, list)| Some((source, read(list)?))).collect())
}

/// The lists among `entries` of a file of format `version` that parse.
fn lists_in(version: i64, entries: &document::Entries) -> BTreeMap<String, AccountList> {
    if version == 1 {
        return document::all(entries).into_iter().collect();
    }
    let stored = document::all::<StoredList<String>>(entries).into_iter();
    stored
        .filter_map(|(source, list)| Some((source, list.read()?)))
        .collect()
}

/// Records `list` as what `source` sees, keeping other sources' lists.
pub fn save(dir: &PrivateDir, source: &str, list: &AccountList) -> Result<()> {
    let lock = dir.lock(FILE)?;
    let (version, entries) = document::load_versions_for_update(dir, &lock, FILE, SECTION, READABLE)?;
    let mut lists = lists_in(version, &entries);
    lists.insert(source.to_owned(), list.clone());
    let stored: BTreeMap<String, StoredList<String>> =
        lists.iter().map(|(s, l)| (s.clone(), StoredList::of(l))).collect();
    let text = document::to_text_version(SECTION, &stored, FORMAT_VERSION)?;
    dir.write_atomic(&lock, FILE, &text)?;
    // Names looked up in the old list may no longer hold.
    super::names::forget_from(dir, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_is_found_by_id_in_its_source_list() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let account = |id: &str, name: &str, roles: &[&str]| Account {
            id: id.parse().unwrap(),
            name: name.into(),
            email: String::new(),
            state: "ACTIVE".into(),
            joined: None,
            ou: None,
            tags: None,
            roles: Some(roles.iter().map(|r| r.to_string()).collect()),
        };
        let wanted = account("222222222222", "we|ird", &["AdministratorAccess", "ReadOnlyAccess"]);
        let list = AccountList {
            fetched_at: crate::domain::clock::now().replace_nanosecond(0).unwrap(),
            with_ou_paths: false,
            with_tags: false,
            with_roles: true,
            accounts: vec![account("111111111111", "a", &["ReadOnlyAccess"]), wanted.clone()],
        };
        save(&dir, "sso:corp", &list).unwrap();
        let id = wanted.id;
        assert_eq!(find_cached(&dir, "sso:corp", id).unwrap(), Some(wanted));
        assert_eq!(find_cached(&dir, "profile:other", id).unwrap(), None);
        assert_eq!(
            find_cached(&dir, "sso:corp", "333333333333".parse().unwrap()).unwrap(),
            None
        );
    }

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
            roles: None,
        };
        let list = AccountList {
            fetched_at: now,
            with_ou_paths: true,
            with_tags: false,
            with_roles: false,
            accounts: vec![account],
        };
        save(&dir, "profile:a", &list).unwrap();
        save(&dir, "profile:b", &list).unwrap();
        let all = load_all(&dir).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all["profile:a"], list);
        assert!(list.is_fresh(now, 3600));
        assert!(
            parse_whole(&dir.read(FILE).unwrap().unwrap(), |l| l.read()).is_some(),
            "read the fast way"
        );
        // A damaged list costs only its own source.
        let text = String::from_utf8(dir.read(FILE).unwrap().unwrap()).unwrap();
        let damaged = text.replacen("111111111111", "1111", 1);
        assert_ne!(damaged, text);
        std::fs::write(dir.file(FILE), damaged).unwrap();
        let all = load_all(&dir).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all["profile:b"], list);
        assert!(!list.is_fresh(now + time::Duration::hours(2), 3600));
    }

    #[test]
    fn a_list_cached_by_an_earlier_version_is_read_and_rewritten() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        dir.ensure().unwrap();
        let now = crate::domain::clock::now().replace_nanosecond(0).unwrap();
        let account = Account {
            id: "111111111111".parse().unwrap(),
            name: "old".into(),
            email: "a@example.com".into(),
            state: "ACTIVE".into(),
            joined: None,
            ou: None,
            tags: None,
            roles: None,
        };
        let list = AccountList {
            fetched_at: now,
            with_ou_paths: false,
            with_tags: false,
            with_roles: false,
            accounts: vec![account],
        };
        // Version 1: one table per account.
        let old: BTreeMap<String, AccountList> = [("profile:a".to_owned(), list.clone())].into();
        let lock = dir.lock(FILE).unwrap();
        dir.write_atomic(&lock, FILE, &document::to_text_version(SECTION, &old, 1).unwrap())
            .unwrap();
        drop(lock);
        assert!(String::from_utf8(dir.read(FILE).unwrap().unwrap())
            .unwrap()
            .contains("[[organizations"));
        assert_eq!(load_all(&dir).unwrap()["profile:a"], list);
        save(&dir, "profile:b", &list).unwrap();
        let text = String::from_utf8(dir.read(FILE).unwrap().unwrap()).unwrap();
        assert!(text.starts_with("version = 2\n"), "{text}");
        assert!(parse_whole(text.as_bytes(), |l| l.read()).is_some_and(|lists| lists.len() == 2));
    }
}
