//! Organizations: the account list, the OU tree and account tags.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_organizations::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::error::describe;
use super::sts::to_offset;
use crate::domain::account::{Account, Detail};
use crate::domain::account_id::AccountId;
use crate::domain::clock;
use crate::domain::error::{Error, Result};
use crate::ui::progress::Progress;

/// The most ListAccounts returns in one page.
const PAGE_SIZE: i32 = 20;
/// Calls in flight at once for the per-OU and per-account fan-out: enough to
/// hide latency, few enough to stay under Organizations' rate limits.
pub const FAN_OUT: usize = 8;

/// Every account of the organization, with the detail asked for.
pub async fn accounts(config: &SdkConfig, detail: Detail) -> Result<Vec<Account>> {
    let client = Client::new(config);
    let progress = Progress::new("accounts");
    let mut accounts = list_accounts(&client, &progress).await?;
    if detail.ou_paths {
        let paths = ou_paths(&client, &progress).await?;
        for account in &mut accounts {
            account.ou = paths.get(account.id.as_str()).cloned();
        }
    }
    if detail.tags {
        let mut tags = account_tags(&client, accounts.iter().map(|a| a.id.to_string()).collect(), &progress).await?;
        for account in &mut accounts {
            account.tags = Some(tags.remove(account.id.as_str()).unwrap_or_default());
        }
    }
    progress.finish();
    Ok(accounts)
}

/// ListAccounts, following NextToken until it is absent (a page may be
/// empty and still carry a token).
async fn list_accounts(client: &Client, progress: &Progress) -> Result<Vec<Account>> {
    let mut pages = client.list_accounts().max_results(PAGE_SIZE).into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| Error::aws(format!("cannot list the organization's accounts: {}", describe(&e))))?;
        for a in page.accounts() {
            let state = a
                .state()
                .map(|s| s.as_str().to_owned())
                .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                .unwrap_or_default();
            let joined = a.joined_timestamp().map(to_offset).transpose()?.map(clock::rfc3339);
            accounts.push(Account {
                id: account_id(a.id())?,
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                state,
                joined,
                ou: None,
                tags: None,
            });
        }
        progress.set(accounts.len());
    }
    Ok(accounts)
}

/// The ID of a listed account, checked: AWS always sends 12 digits, and a
/// list holding anything else is refused rather than half used.
fn account_id(id: Option<&str>) -> Result<AccountId> {
    let id = id.unwrap_or_default();
    id.parse().map_err(|e| {
        Error::aws(format!(
            "ListAccounts answered with an account that xacct cannot use: {e}"
        ))
    })
}

/// The OU path (`Root/Workloads/Prod`) of every account, walking the tree
/// from the root one level at a time: a call or two per OU rather than a
/// ListParents per account, so a 1,000-account organization in a few dozen
/// OUs costs a few dozen calls.
async fn ou_paths(client: &Client, progress: &Progress) -> Result<HashMap<String, String>> {
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(|e| Error::aws(format!("cannot read the organization's root: {}", describe(&e))))?;
    let mut level: Vec<(String, String)> = roots
        .roots()
        .iter()
        .filter_map(|r| Some((r.id()?.to_owned(), "Root".to_owned())))
        .collect();
    let mut paths = HashMap::new();
    let limit = Arc::new(Semaphore::new(FAN_OUT));
    while !level.is_empty() {
        let mut tasks = JoinSet::new();
        for (parent_id, parent_path) in level.drain(..) {
            let (client, limit) = (client.clone(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
                children(&client, &parent_id).await.map(|c| (parent_path, c))
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (parent_path, (accounts, ous)) =
                joined.map_err(|e| Error::msg(format!("an OU lookup failed: {e}")))??;
            for account_id in accounts {
                paths.insert(account_id, parent_path.clone());
            }
            level.extend(ous.into_iter().map(|(id, name)| (id, format!("{parent_path}/{name}"))));
            progress.note(paths.len(), "placed in OUs");
        }
    }
    Ok(paths)
}

/// Account IDs and child OUs (ID, name) directly under `parent_id`.
async fn children(client: &Client, parent_id: &str) -> Result<(Vec<String>, Vec<(String, String)>)> {
    let mut accounts = Vec::new();
    let mut pages = client
        .list_accounts_for_parent()
        .parent_id(parent_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| Error::aws(format!("cannot list the accounts in {parent_id}: {}", describe(&e))))?;
        accounts.extend(page.accounts().iter().filter_map(|a| a.id().map(str::to_owned)));
    }
    let mut ous = Vec::new();
    let mut pages = client
        .list_organizational_units_for_parent()
        .parent_id(parent_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Error::aws(format!("cannot list the OUs in {parent_id}: {}", describe(&e))))?;
        ous.extend(
            page.organizational_units()
                .iter()
                .filter_map(|ou| Some((ou.id()?.to_owned(), ou.name().unwrap_or_default().to_owned()))),
        );
    }
    Ok((accounts, ous))
}

/// Tags of every account (ListTagsForResource), a bounded number at a time.
async fn account_tags(
    client: &Client,
    ids: Vec<String>,
    progress: &Progress,
) -> Result<HashMap<String, BTreeMap<String, String>>> {
    let limit = Arc::new(Semaphore::new(FAN_OUT));
    let mut tasks = JoinSet::new();
    for id in ids {
        let (client, limit) = (client.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
            let mut tags = BTreeMap::new();
            let mut pages = client.list_tags_for_resource().resource_id(&id).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| Error::aws(format!("cannot read the tags of {id}: {}", describe(&e))))?;
                tags.extend(page.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())));
            }
            Ok::<_, Error>((id, tags))
        });
    }
    let mut all = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (id, tags) = joined.map_err(|e| Error::msg(format!("a tag lookup failed: {e}")))??;
        all.insert(id, tags);
        progress.note(all.len(), "tagged");
    }
    Ok(all)
}
