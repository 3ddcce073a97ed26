//! Organizations: the account list, the OU tree and account tags.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_sdk_organizations::Client;
use tokio::task::JoinSet;

use super::error::describe;
use super::sts::to_offset;
use super::throttle::Window;
use crate::domain::account::{Account, Detail};
use crate::domain::account_id::AccountId;
use crate::domain::clock;
use crate::domain::error::{Error, Result};
use crate::ui::progress::Progress;

/// The most ListAccountsForParent and ListOrganizationalUnitsForParent
/// return in one page.
const PAGE_SIZE: i32 = 20;
/// Calls in flight at once for the per-OU and per-account fan-out: enough to
/// hide latency, few enough to stay under Organizations' rate limits (and
/// fewer while it throttles, see [`Window`]).
pub const FAN_OUT: usize = 16;
/// What every failure of the listing says first.
const LISTING: &str = "cannot list the organization's accounts";

/// Every account of the organization, with the detail asked for, in the
/// order they joined (ties by ID), as ListAccounts lists them.
pub async fn accounts(config: &SdkConfig, detail: Detail) -> Result<Vec<Account>> {
    let client = client(config);
    let window = Arc::new(Window::new(FAN_OUT));
    let progress = Progress::new("accounts");
    let mut accounts = walk(&client, &window, &progress).await?;
    accounts.sort_by(|a, b| (&a.0, a.1.id.as_str()).cmp(&(&b.0, b.1.id.as_str())));
    let mut accounts: Vec<Account> = accounts.into_iter().map(|(_, account)| account).collect();
    if !detail.ou_paths {
        // The walk learns every path; a list is cached with what was asked.
        for account in &mut accounts {
            account.ou = None;
        }
    }
    if detail.tags {
        let ids = accounts.iter().map(|a| a.id.to_string()).collect();
        let mut tags = account_tags(&client, &window, ids, &progress).await?;
        for account in &mut accounts {
            account.tags = Some(tags.remove(account.id.as_str()).unwrap_or_default());
        }
    }
    progress.finish();
    tracing::debug!(accounts = accounts.len(), "listed the organization");
    Ok(accounts)
}

/// An Organizations client whose own retries of a throttled call come
/// quickly: the longer waits are [`Window::call`]'s, which also slows the
/// whole listing down.
fn client(config: &SdkConfig) -> Client {
    let retries = config
        .retry_config()
        .cloned()
        .unwrap_or_else(RetryConfig::standard)
        .with_initial_backoff(Duration::from_millis(100));
    Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .retry_config(retries)
            .build(),
    )
}

/// When an account joined, to sort by: (seconds, nanoseconds).
type Joined = Option<(i64, u32)>;

/// What one call of the walk found under a parent at `path`.
enum Found {
    Accounts(Vec<(Joined, Account)>),
    Ous(String, Vec<(String, String)>),
}

/// Every account with its OU path, listing the accounts of the root and of
/// every OU (ListAccountsForParent) while walking the OU tree top-down
/// (ListOrganizationalUnitsForParent), each parent's calls as soon as it is
/// known, a window of calls at once: pages of different OUs overlap, where
/// ListAccounts' single NextToken chain would send them one after another.
/// An account has exactly one parent, so the walk lists each once.
async fn walk(client: &Client, window: &Arc<Window>, progress: &Progress) -> Result<Vec<(Joined, Account)>> {
    let roots = window
        .call(|| client.list_roots().send())
        .await
        .map_err(|e| Error::aws(format!("{LISTING}: {}", describe(&e))))?;
    let mut tasks = JoinSet::new();
    let visit = |tasks: &mut JoinSet<Result<Found>>, id: String, path: String| {
        let (c, w, i, p) = (client.clone(), window.clone(), id.clone(), path.clone());
        tasks.spawn(async move { accounts_under(&c, &w, &i, &p).await.map(Found::Accounts) });
        let (c, w) = (client.clone(), window.clone());
        tasks.spawn(async move { ous_under(&c, &w, &id).await.map(|ous| Found::Ous(path, ous)) });
    };
    for root in roots.roots() {
        if let Some(id) = root.id() {
            visit(&mut tasks, id.to_owned(), "Root".to_owned());
        }
    }
    let mut accounts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| Error::msg(format!("{LISTING}: a task failed: {e}")))?? {
            Found::Accounts(found) => {
                accounts.extend(found);
                progress.set(accounts.len());
            }
            Found::Ous(path, ous) => {
                for (id, name) in ous {
                    visit(&mut tasks, id, format!("{path}/{name}"));
                }
            }
        }
    }
    Ok(accounts)
}

/// The accounts directly under `parent_id`, placed at `path`, following
/// NextToken until it is absent (a page may be empty and still carry one).
async fn accounts_under(
    client: &Client,
    window: &Window,
    parent_id: &str,
    path: &str,
) -> Result<Vec<(Joined, Account)>> {
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = window
            .call(|| {
                client
                    .list_accounts_for_parent()
                    .parent_id(parent_id)
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| Error::aws(format!("{LISTING}: {}", describe(&e))))?;
        for a in page.accounts() {
            let state = a
                .state()
                .map(|s| s.as_str().to_owned())
                .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                .unwrap_or_default();
            let joined = a.joined_timestamp().map(to_offset).transpose()?.map(clock::rfc3339);
            let order = a.joined_timestamp().map(|t| (t.secs(), t.subsec_nanos()));
            let account = Account {
                id: account_id(a.id())?,
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                state,
                joined,
                ou: Some(path.to_owned()),
                tags: None,
                roles: None,
            };
            accounts.push((order, account));
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(accounts);
        }
    }
}

/// The OUs (ID, name) directly under `parent_id`.
async fn ous_under(client: &Client, window: &Window, parent_id: &str) -> Result<Vec<(String, String)>> {
    let mut ous = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = window
            .call(|| {
                client
                    .list_organizational_units_for_parent()
                    .parent_id(parent_id)
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| Error::aws(format!("{LISTING}: {}", describe(&e))))?;
        ous.extend(
            page.organizational_units()
                .iter()
                .filter_map(|ou| Some((ou.id()?.to_owned(), ou.name().unwrap_or_default().to_owned()))),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(ous);
        }
    }
}

/// The ID of a listed account, checked: AWS always sends 12 digits, and a
/// list holding anything else is refused rather than half used.
fn account_id(id: Option<&str>) -> Result<AccountId> {
    let id = id.unwrap_or_default();
    id.parse().map_err(|e| {
        Error::aws(format!(
            "Organizations answered with an account that xacct cannot use: {e}"
        ))
    })
}

/// Tags of every account (ListTagsForResource), a bounded number at a time.
async fn account_tags(
    client: &Client,
    window: &Arc<Window>,
    ids: Vec<String>,
    progress: &Progress,
) -> Result<HashMap<String, BTreeMap<String, String>>> {
    let mut tasks = JoinSet::new();
    for id in ids {
        let (client, window) = (client.clone(), window.clone());
        tasks.spawn(async move {
            let mut tags = BTreeMap::new();
            let mut token: Option<String> = None;
            loop {
                let page = window
                    .call(|| {
                        client
                            .list_tags_for_resource()
                            .resource_id(&id)
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await
                    .map_err(|e| Error::aws(format!("cannot read the tags of {id}: {}", describe(&e))))?;
                tags.extend(page.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())));
                token = page.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
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
