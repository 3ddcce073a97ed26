//! The organization's accounts as xacct knows them: from the cache while it is
//! fresh, otherwise fetched and cached again. Each credential source has its
//! own list (two profiles may be two organizations); see [`crate::org::origin`]
//! for the sessions xacct handed out, which use the list of their origin.

use anyhow::Result;
use time::OffsetDateTime;

use crate::app::Context;
use crate::aws::source::Source;
use crate::aws::{org, Aws, AwsSettings};
use crate::domain::account::{Account, Detail};
use crate::org::account;
use crate::org::origin::ListOwner;
use crate::store::accounts::{self, AccountList};
use crate::store::config::Options;
use crate::store::file::PrivateDir;
use crate::store::{flight, names};

/// The directory of `source`'s organization.
pub fn of_source<'a>(ctx: &'a Context, source: &Source) -> Directory<'a> {
    Directory {
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
    let source = Source {
        profile: options.source_profile.clone(),
    };
    of_source(ctx, &source).list(refresh, detail, |fetch_as, detail| {
        fetch_accounts(fetch_as, options.region.as_deref(), detail, &ctx.aws)
    })
}

/// The organization's accounts with `detail`, fetched with `source`'s credentials.
pub fn fetch_accounts(
    source: &Source,
    region: Option<&str>,
    detail: Detail,
    settings: &AwsSettings,
) -> Result<Vec<Account>> {
    let aws = Aws::connect(source.profile.as_deref(), region, settings)?;
    aws.block_on(org::accounts(&aws.config, detail))
}

pub struct Directory<'a> {
    pub cache: &'a PrivateDir,
    /// The credentials in use.
    pub source: Source,
    pub ttl_secs: u64,
    pub now: OffsetDateTime,
}

/// How the list was obtained, for a warning when it is old.
pub enum Freshness {
    /// From a list fetched at this time, within the TTL.
    Fresh(OffsetDateTime),
    /// The fetch failed; an older list serves, with the error that stopped the refresh.
    Stale(String),
}

impl Directory<'_> {
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
                return Ok(list.clone());
            }
            wanted.ou_paths |= list.with_ou_paths;
            wanted.tags |= list.with_tags;
        }
        self.fetch_and_save(&owner.fetch_as, refresh, wanted, fetch)
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
            let account = Account {
                id: known.id,
                name: known.name,
                ..Account::default()
            };
            return Ok((account, Freshness::Fresh(known.listed_at)));
        }
        let owner = ListOwner::of(&self.source, self.cache);
        let (account, freshness, list) = self.find_in_lists(&owner, name, fetch)?;
        if let Freshness::Fresh(listed_at) = freshness {
            let resolved = names::Resolved {
                id: account.id.clone(),
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
            let found = account::find_by_name(&list.accounts, name).map_err(anyhow::Error::msg)?;
            return Ok((found.clone(), Freshness::Fresh(list.fetched_at), owner.name.clone()));
        }
        match self.fetch_and_save(&owner.fetch_as, false, Detail::default(), fetch) {
            Ok(list) => {
                let found = account::find_by_name(&list.accounts, name).map_err(anyhow::Error::msg)?;
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
                let found = account::find_by_name(&stale.accounts, name).map_err(anyhow::Error::msg)?;
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
        let flight_name = format!("accounts-{}", hex(&name));
        let _flight = flight::single_flight(self.cache, &flight_name, "the account list", flight::FLIGHT_WAIT);
        if !refresh {
            if let Some(list) = accounts::load_all(self.cache)?.remove(&name) {
                if list.is_fresh(self.now, self.ttl_secs) && list.has(detail) {
                    return Ok(list);
                }
            }
        }
        let list = AccountList {
            fetched_at: self.now,
            with_ou_paths: detail.ou_paths,
            with_tags: detail.tags,
            accounts: fetch(source, detail)?,
        };
        if let Err(e) = accounts::save(self.cache, &name, &list) {
            eprintln!(
                "xacct: warning: {}",
                crate::domain::text::message(&format!("could not cache the account list: {e:#}"))
            );
        }
        Ok(list)
    }
}

/// A file-name-safe form of a source name.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
