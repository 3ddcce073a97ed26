//! The organization's accounts as xacct knows them: from the cache while it is
//! fresh, otherwise fetched and cached again. Each credential source has its
//! own list (two profiles may be two organizations); see [`crate::org::origin`]
//! for the sessions xacct handed out, which use the list of their origin.

use time::OffsetDateTime;

use crate::app::Context;
use crate::aws::source::Source;
use crate::aws::{org, profile_file, sso_portal};
use crate::domain::account::{Account, Detail};
use crate::domain::account_id::AccountId;
use crate::domain::error::{fail, Result};
use crate::org::account;
use crate::org::origin::ListOwner;
use crate::store::accounts::{self, AccountList};
use crate::store::config::Options;
use crate::store::fetch_once::FetchOnce;
use crate::store::file::PrivateDir;
use crate::store::names;

/// The directory of `source`'s organization.
pub fn of_source<'a>(ctx: &'a Context, source: &Source) -> AccountDirectory<'a> {
    AccountDirectory {
        cache: &ctx.cache,
        source: source.clone(),
        ttl_secs: ctx.config.accounts_ttl_secs,
        now: crate::domain::clock::now(),
    }
}

/// The organization's accounts carrying `detail`, as the source options
/// (over the config's defaults) see them: cached while fresh, else fetched.
pub fn account_list(ctx: &Context, source: &Options, refresh: bool, detail: Detail) -> Result<AccountList> {
    let options = source.clone().or(&ctx.config.defaults);
    let source = Source::of(&options);
    of_source(ctx, &source).list(refresh, detail, |fetch_as, detail| {
        fetch_accounts(ctx, fetch_as, options.region.as_deref(), detail)
    })
}

/// The accounts with `detail`, fetched with `source`'s credentials (through
/// the run's connection for that source): the organization's from
/// Organizations, or for an sso-session the person's from the portal.
pub fn fetch_accounts(ctx: &Context, source: &Source, region: Option<&str>, detail: Detail) -> Result<Vec<Account>> {
    if let Some(name) = &source.sso_session {
        if detail.ou_paths || detail.tags {
            fail!(
                "IAM Identity Center lists no OU paths or tags: use an Organizations source (--profile) \
                 for --ou-paths, --ou and --tag"
            );
        }
        let session = profile_file::sso_session(Some(name), &ctx.config.sso_sessions)?;
        return sso_portal::list_accounts(&ctx.connections, &session, detail.roles);
    }
    let aws = ctx.connections.source(source.profile.as_deref(), region)?;
    let mut accounts = aws.block_on(org::accounts(&aws.config, detail))?;
    if detail.roles {
        // Organizations does not know who may use which role: what the config names is all there is.
        for account in &mut accounts {
            account.roles = Some(Vec::new());
        }
    }
    Ok(accounts)
}

pub struct AccountDirectory<'a> {
    pub cache: &'a PrivateDir,
    /// The credentials in use.
    pub source: Source,
    pub ttl_secs: u64,
    pub now: OffsetDateTime,
}

/// How the list was obtained, for a warning when it is old.
#[derive(Debug)]
pub enum Freshness {
    /// From a list fetched at this time, within the TTL.
    Fresh(OffsetDateTime),
    /// The fetch failed; an older list serves, with the error that stopped the refresh.
    Stale(String),
}

impl AccountDirectory<'_> {
    /// The list for `xacct accounts`: the owner's cached list while fresh and
    /// carrying the `detail` asked for, else fetched (always with `refresh`).
    /// A fetch keeps the detail the cached list had.
    pub fn list(
        &self,
        refresh: bool,
        detail: Detail,
        fetch: impl FnOnce(&Source, Detail) -> Result<Vec<Account>>,
    ) -> Result<AccountList> {
        let owner = ListOwner::of(&self.source, self.cache);
        let cached = accounts::load_all(self.cache)?.remove(&owner.name);
        let mut wanted = detail;
        if let Some(list) = &cached {
            if !refresh && list.is_fresh(self.now, self.ttl_secs) && list.has(detail) {
                tracing::debug!(
                    list = %owner.name,
                    accounts = list.accounts.len(),
                    age_secs = list.age_secs(self.now),
                    "the account list from the cache"
                );
                return Ok(list.clone());
            }
            wanted.ou_paths |= list.with_ou_paths;
            wanted.tags |= list.with_tags;
            wanted.roles |= list.with_roles;
        }
        self.fetch_and_save(&owner.fetch_as, refresh, wanted, fetch)
    }

    /// The roles the owner's cached list names for `account_id` (Identity
    /// Center's permission sets), when it was fetched with them.
    pub fn cached_roles(&self, account_id: AccountId) -> Option<Vec<String>> {
        let owner = ListOwner::of(&self.source, self.cache);
        accounts::find_cached(self.cache, &owner.name, account_id).ok()??.roles
    }

    /// The account named `name` in the owner's list (see [`ListOwner`]): a name
    /// remembered for this source, else the owner's fresh cached list, else
    /// the list fetched; if that fails the owner's old list still serves.
    pub fn find(
        &self,
        name: &str,
        fetch: impl FnOnce(&Source, Detail) -> Result<Vec<Account>>,
    ) -> Result<(Account, Freshness)> {
        let source = self.source.cache_name();
        if let Some(known) = names::lookup(self.cache, &source, name, self.now, self.ttl_secs) {
            tracing::debug!(id = %known.id, "account name remembered from an earlier lookup");
            let account = Account {
                id: known.id,
                name: known.name,
                email: String::new(),
                state: String::new(),
                joined: None,
                ou: None,
                tags: None,
                roles: None,
            };
            return Ok((account, Freshness::Fresh(known.listed_at)));
        }
        let owner = ListOwner::of(&self.source, self.cache);
        let (account, freshness, list) = self.find_in_lists(&owner, name, fetch)?;
        if let Freshness::Fresh(listed_at) = freshness {
            let resolved = names::Resolved {
                id: account.id,
                name: account.name.clone(),
                listed_at,
                list,
            };
            if let Err(e) = names::remember(self.cache, &source, name, resolved) {
                tracing::debug!("could not remember the name lookup: {e:#}");
            }
        }
        Ok((account, freshness))
    }

    /// The account, how fresh its list is, and which source's list it is.
    fn find_in_lists(
        &self,
        owner: &ListOwner,
        name: &str,
        fetch: impl FnOnce(&Source, Detail) -> Result<Vec<Account>>,
    ) -> Result<(Account, Freshness, String)> {
        let mut lists = accounts::load_all(self.cache)?;
        if let Some(list) = lists.get(&owner.name).filter(|l| l.is_fresh(self.now, self.ttl_secs)) {
            let found = account::find_by_name(&list.accounts, name)?;
            return Ok((found.clone(), Freshness::Fresh(list.fetched_at), owner.name.clone()));
        }
        match self.fetch_and_save(&owner.fetch_as, false, Detail::default(), fetch) {
            Ok(list) => {
                let found = account::find_by_name(&list.accounts, name)?;
                Ok((
                    found.clone(),
                    Freshness::Fresh(list.fetched_at),
                    owner.fetch_as.cache_name(),
                ))
            }
            Err(fetch_error) => {
                let stale = lists
                    .remove(&owner.name)
                    .or_else(|| lists.remove(&owner.fetch_as.cache_name()));
                let Some(stale) = stale else {
                    return Err(fetch_error.context(format!(
                        "cannot look up account name {}",
                        crate::domain::validate::shown(name)
                    )));
                };
                let found = account::find_by_name(&stale.accounts, name)?;
                Ok((
                    found.clone(),
                    Freshness::Stale(format!("{fetch_error:#}")),
                    owner.name.clone(),
                ))
            }
        }
    }

    /// `source`'s list, fetched with its credentials and cached under its name
    /// (unless a process that fetched it meanwhile left a fresh one).
    fn fetch_and_save(
        &self,
        source: &Source,
        refresh: bool,
        detail: Detail,
        fetch: impl FnOnce(&Source, Detail) -> Result<Vec<Account>>,
    ) -> Result<AccountList> {
        let name = source.cache_name();
        let flight = format!("accounts-{}", hex(&name));
        let cached = || -> Result<Option<AccountList>> {
            let list = accounts::load_all(self.cache)?.remove(&name);
            Ok(list.filter(|l| l.is_fresh(self.now, self.ttl_secs) && l.has(detail)))
        };
        let fetch = || -> Result<AccountList> {
            tracing::debug!(
                source = %name,
                ou_paths = detail.ou_paths,
                tags = detail.tags,
                "fetching the account list from Organizations"
            );
            Ok(AccountList {
                fetched_at: self.now,
                with_ou_paths: detail.ou_paths,
                with_tags: detail.tags,
                with_roles: detail.roles,
                accounts: fetch(source, detail)?,
            })
        };
        let save = |list: &AccountList| {
            if let Err(e) = accounts::save(self.cache, &name, list) {
                eprintln!(
                    "xacct: warning: {}",
                    crate::domain::text::message(&format!("could not cache the account list: {e:#}"))
                );
            }
        };
        let once = FetchOnce {
            dir: self.cache,
            flight: &flight,
            what: "the account list",
        };
        once.get(refresh, cached, fetch, save)
    }
}

/// A file-name-safe form of a source name.
fn hex(text: &str) -> String {
    crate::domain::text::hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::domain::error::fail;

    fn account(id: &str, name: &str) -> Account {
        Account {
            id: id.parse().unwrap(),
            name: name.into(),
            email: format!("{name}@example.com"),
            state: "ACTIVE".into(),
            joined: None,
            ou: None,
            tags: None,
            roles: None,
        }
    }

    /// A directory of the `org` profile over a fresh cache, and a fake
    /// Organizations that counts its calls.
    struct Fixture {
        _root: tempfile::TempDir,
        cache: PrivateDir,
        fetches: Cell<usize>,
        now: OffsetDateTime,
    }

    impl Fixture {
        fn new() -> Self {
            let root = tempfile::tempdir().unwrap();
            let cache = PrivateDir::at(root.path().join("cache"));
            Self {
                _root: root,
                cache,
                fetches: Cell::new(0),
                now: crate::domain::clock::now().replace_nanosecond(0).unwrap(),
            }
        }

        fn directory(&self, profile: &str, later_secs: i64) -> AccountDirectory<'_> {
            AccountDirectory {
                cache: &self.cache,
                source: Source {
                    profile: Some(profile.into()),
                    sso_session: None,
                },
                ttl_secs: 3600,
                now: self.now + time::Duration::seconds(later_secs),
            }
        }

        /// The organization as the fake answers it, fetched as `expected`.
        fn fetch<'a>(&'a self, expected: &'a str) -> impl FnOnce(&Source, Detail) -> Result<Vec<Account>> + 'a {
            move |source, _detail| {
                assert_eq!(source.profile.as_deref(), Some(expected));
                self.fetches.set(self.fetches.get() + 1);
                Ok(vec![
                    account("111111111111", "DEMO"),
                    account("222222222222", "prod-01"),
                ])
            }
        }

        fn unreachable(&self) -> impl FnOnce(&Source, Detail) -> Result<Vec<Account>> + '_ {
            move |_, _| {
                self.fetches.set(self.fetches.get() + 1);
                fail!("cannot reach organizations.us-east-1.amazonaws.com")
            }
        }
    }

    #[test]
    fn a_list_is_fetched_once_per_ttl_and_again_on_refresh() {
        let f = Fixture::new();
        let dir = f.directory("org", 0);
        assert_eq!(
            dir.list(false, Detail::default(), f.fetch("org"))
                .unwrap()
                .accounts
                .len(),
            2
        );
        assert_eq!(
            dir.list(false, Detail::default(), f.fetch("org"))
                .unwrap()
                .accounts
                .len(),
            2
        );
        assert_eq!(f.fetches.get(), 1, "the second listing is served from the cache");
        dir.list(true, Detail::default(), f.fetch("org")).unwrap();
        assert_eq!(f.fetches.get(), 2, "--refresh fetches again");
        f.directory("org", 3599)
            .list(false, Detail::default(), f.fetch("org"))
            .unwrap();
        assert_eq!(f.fetches.get(), 2, "still within the TTL");
        f.directory("org", 3601)
            .list(false, Detail::default(), f.fetch("org"))
            .unwrap();
        assert_eq!(f.fetches.get(), 3, "past the TTL");
    }

    #[test]
    fn a_list_without_the_detail_asked_for_is_fetched_again_keeping_what_it_had() {
        let f = Fixture::new();
        let dir = f.directory("org", 0);
        let ou_paths = Detail {
            ou_paths: true,
            tags: false,
            roles: false,
        };
        dir.list(false, ou_paths, f.fetch("org")).unwrap();
        let tags = Detail {
            ou_paths: false,
            tags: true,
            roles: false,
        };
        let list = dir.list(false, tags, f.fetch("org")).unwrap();
        assert_eq!(f.fetches.get(), 2);
        assert!(list.with_ou_paths && list.with_tags, "the new list keeps the OU paths");
        dir.list(false, Detail::default(), f.fetch("org")).unwrap();
        assert_eq!(f.fetches.get(), 2, "a list with more detail serves a plain listing");
    }

    #[test]
    fn names_resolve_any_case_and_are_remembered() {
        let f = Fixture::new();
        let dir = f.directory("org", 0);
        let (found, freshness) = dir.find("demo", f.fetch("org")).unwrap();
        assert_eq!((found.id.as_str(), found.name.as_str()), ("111111111111", "DEMO"));
        assert!(matches!(freshness, Freshness::Fresh(at) if at == f.now));
        assert_eq!(f.fetches.get(), 1);
        // The list is gone, but the name was remembered for this source.
        std::fs::remove_file(f.cache.file(accounts::FILE)).unwrap();
        let (found, _) = dir.find("Demo", f.unreachable()).unwrap();
        assert_eq!(found.id, "111111111111");
        assert_eq!(f.fetches.get(), 1, "a remembered name needs no list");
    }

    #[test]
    fn an_unknown_name_suggests_close_ones() {
        let f = Fixture::new();
        let error = f.directory("org", 0).find("prod-1", f.fetch("org")).unwrap_err();
        assert!(format!("{error:#}").contains("did you mean `prod-01`"), "{error:#}");
    }

    #[test]
    fn an_old_list_serves_when_the_fetch_fails_and_says_why() {
        let f = Fixture::new();
        f.directory("org", 0)
            .list(false, Detail::default(), f.fetch("org"))
            .unwrap();
        let (found, freshness) = f.directory("org", 7200).find("prod-01", f.unreachable()).unwrap();
        assert_eq!(found.id, "222222222222");
        assert!(matches!(&freshness, Freshness::Stale(why) if why.contains("cannot reach")));
        let error = f.directory("other", 0).find("prod-01", f.unreachable()).unwrap_err();
        assert!(
            format!("{error:#}").starts_with("cannot look up account name `prod-01`: cannot reach"),
            "{error:#}"
        );
    }

    #[test]
    fn each_source_has_its_own_list() {
        let f = Fixture::new();
        f.directory("orgA", 0)
            .list(false, Detail::default(), f.fetch("orgA"))
            .unwrap();
        f.directory("orgB", 0).find("demo", f.fetch("orgB")).unwrap();
        assert_eq!(f.fetches.get(), 2, "orgB does not borrow orgA's list");
    }
}
