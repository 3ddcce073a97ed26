//! The organization's accounts as xacct knows them: from the cache while it is
//! fresh, otherwise fetched and cached again.

use anyhow::Result;
use time::OffsetDateTime;

use crate::account::{self, Account};
use crate::aws::org::Detail;
use crate::store::accounts::{self, AccountList};
use crate::store::file::PrivateDir;
use crate::store::{credentials, names};

pub struct Directory<'a> {
    pub cache: &'a PrivateDir,
    /// Which source's list to fetch and save (see [`crate::source::Source::cache_name`]).
    pub source: String,
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
    /// The list for `xacct accounts`: this source's cached list while fresh
    /// and carrying the `detail` asked for, else fetched (always with `refresh`).
    /// A fetch keeps the detail the cached list had.
    pub fn list(
        &self,
        refresh: bool,
        detail: Detail,
        fetch: impl FnOnce(Detail) -> Result<Vec<Account>>,
    ) -> Result<AccountList> {
        let cached = accounts::load_all(self.cache)?.remove(&self.source);
        let mut wanted = detail;
        if let Some(list) = &cached {
            if !refresh && list.is_fresh(self.now, self.ttl_secs) && list.has(detail) {
                return Ok(list.clone());
            }
            wanted.ou_paths |= list.with_ou_paths;
            wanted.tags |= list.with_tags;
        }
        self.fetch_and_save(refresh, wanted, fetch)
    }

    /// The account named `name`. Any fresh cached list serves (after `eval` of
    /// assumed credentials the source differs, but the organization is the same);
    /// without one the list is fetched, and if that fails an old list still serves.
    pub fn find(&self, name: &str, fetch: impl FnOnce(Detail) -> Result<Vec<Account>>) -> Result<(Account, Freshness)> {
        if let Some(known) = names::lookup(self.cache, name, self.now, self.ttl_secs) {
            let account = Account {
                id: known.id,
                name: known.name,
                ..Account::default()
            };
            return Ok((account, Freshness::Fresh(known.listed_at)));
        }
        let (account, freshness) = self.find_in_lists(name, fetch)?;
        if let Freshness::Fresh(listed_at) = freshness {
            let resolved = names::Resolved {
                id: account.id.clone(),
                name: account.name.clone(),
                listed_at,
            };
            if let Err(e) = names::remember(self.cache, name, resolved) {
                tracing::debug!("could not remember the name lookup: {e:#}");
            }
        }
        Ok((account, freshness))
    }

    fn find_in_lists(
        &self,
        name: &str,
        fetch: impl FnOnce(Detail) -> Result<Vec<Account>>,
    ) -> Result<(Account, Freshness)> {
        let lists = accounts::load_all(self.cache)?;
        let fresh: Vec<&AccountList> = lists.values().filter(|l| l.is_fresh(self.now, self.ttl_secs)).collect();
        if !fresh.is_empty() {
            let all: Vec<Account> = fresh.iter().flat_map(|l| l.accounts.iter().cloned()).collect();
            let found = account::find_by_name(&all, name).map_err(anyhow::Error::msg)?;
            let listed_at = fresh
                .iter()
                .filter(|l| l.accounts.iter().any(|a| a.id == found.id))
                .map(|l| l.fetched_at)
                .max()
                .unwrap_or(self.now);
            return Ok((found.clone(), Freshness::Fresh(listed_at)));
        }
        match self.fetch_and_save(false, Detail::default(), fetch) {
            Ok(list) => {
                let found = account::find_by_name(&list.accounts, name).map_err(anyhow::Error::msg)?;
                Ok((found.clone(), Freshness::Fresh(list.fetched_at)))
            }
            Err(fetch_error) => {
                let stale: Vec<Account> = lists.into_values().flat_map(|l| l.accounts).collect();
                if stale.is_empty() {
                    return Err(
                        fetch_error.context(format!("cannot look up account name {}", crate::validate::shown(name)))
                    );
                }
                let found = account::find_by_name(&stale, name).map_err(anyhow::Error::msg)?;
                Ok((found.clone(), Freshness::Stale(format!("{fetch_error:#}"))))
            }
        }
    }

    fn fetch_and_save(
        &self,
        refresh: bool,
        detail: Detail,
        fetch: impl FnOnce(Detail) -> Result<Vec<Account>>,
    ) -> Result<AccountList> {
        let flight_name = format!("accounts-{}", hex(&self.source));
        let _flight = credentials::single_flight(self.cache, &flight_name, crate::session::FLIGHT_WAIT);
        if !refresh {
            if let Some(list) = accounts::load_all(self.cache)?.remove(&self.source) {
                if list.is_fresh(self.now, self.ttl_secs) && list.has(detail) {
                    return Ok(list);
                }
            }
        }
        let list = AccountList {
            fetched_at: self.now,
            with_ou_paths: detail.ou_paths,
            with_tags: detail.tags,
            accounts: fetch(detail)?,
        };
        if let Err(e) = accounts::save(self.cache, &self.source, &list) {
            eprintln!(
                "xacct: warning: {}",
                crate::text::message(&format!("could not cache the account list: {e:#}"))
            );
        }
        Ok(list)
    }
}

/// A file-name-safe form of a source name.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
