//! Organizations: the account list.

use anyhow::{anyhow, Result};
use aws_config::SdkConfig;

use super::error::describe;
use super::sts::to_offset;
use crate::account::Account;
use crate::clock;

/// The most ListAccounts returns in one page.
const PAGE_SIZE: i32 = 20;

/// Every account of the organization, following NextToken until it is absent
/// (a page may be empty and still carry a token).
pub async fn list_accounts(config: &SdkConfig) -> Result<Vec<Account>> {
    let client = aws_sdk_organizations::Client::new(config);
    let mut pages = client.list_accounts().max_results(PAGE_SIZE).into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| anyhow!("cannot list the organization's accounts: {}", describe(&e)))?;
        for a in page.accounts() {
            let state = a
                .state()
                .map(|s| s.as_str().to_owned())
                .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                .unwrap_or_default();
            let joined = a.joined_timestamp().map(to_offset).transpose()?.map(clock::rfc3339);
            accounts.push(Account {
                id: a.id().unwrap_or_default().to_owned(),
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                state,
                joined,
            });
        }
    }
    Ok(accounts)
}
