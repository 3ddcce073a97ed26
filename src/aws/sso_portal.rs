//! The IAM Identity Center portal (`portal.sso.<region>.amazonaws.com`): the
//! accounts and permission sets a signed-in person may use, and role
//! credentials in one of them. Its calls carry the access token of
//! `xacct login` instead of a signature (see [`crate::aws::Aws::connect_unsigned`]).

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use time::OffsetDateTime;
use tokio::task::JoinSet;

use super::connections::Connections;
use super::error::describe;
use super::sso_access;
use super::throttle::Window;
use super::Aws;
use crate::domain::account::Account;
use crate::domain::credentials::Credentials;
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;
use crate::domain::sso_session::SsoSession;
use crate::domain::validate;
use crate::ui::progress::Progress;

/// The most ListAccounts and ListAccountRoles return in one page.
const PAGE_SIZE: i32 = 100;
/// ListAccountRoles calls in flight at once: the portal answers 429 to a
/// burst (fewer while it does, see [`Window`]).
pub const FAN_OUT: usize = 8;
/// The state the portal's accounts are listed in: it lists only those the
/// person can use.
const ACTIVE: &str = "ACTIVE";

/// Every account `session`'s sign-in may use, with their roles when `with_roles`.
pub fn list_accounts(connections: &Connections, session: &SsoSession, with_roles: bool) -> Result<Vec<Account>> {
    let (aws, portal) = connect(connections, session)?;
    aws.block_on(portal.accounts(with_roles))
}

/// Credentials of the permission set `role_name` in `account_id`, as
/// `session`'s sign-in.
pub fn role_credentials(
    connections: &Connections,
    session: &SsoSession,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials> {
    let (aws, portal) = connect(connections, session)?;
    aws.block_on(portal.role_credentials(account_id, role_name))
}

/// The run's connection to `session`'s region and its portal, acting with
/// the sign-in's token (refreshed first when it is due).
fn connect(connections: &Connections, session: &SsoSession) -> Result<(Arc<Aws>, Portal)> {
    let token = sso_access::access_token(connections, session)?;
    let aws = connections.unsigned(&session.region)?;
    let portal = Portal::new(&aws.config, &session.name, token);
    Ok((aws, portal))
}

/// The portal of one sso-session, acting with its access token (cheap to
/// clone: the client is shared).
#[derive(Clone)]
pub struct Portal {
    client: aws_sdk_sso::Client,
    token: Secret,
    /// Who to tell the person to sign in as, when the token is refused.
    session_name: String,
}

impl Portal {
    /// The portal, as the sign-in of `session_name` whose token is `token`.
    /// The client's own retries of a 429 come quickly; the longer waits are
    /// [`Window::call`]'s.
    pub fn new(config: &SdkConfig, session_name: &str, token: Secret) -> Self {
        let retries = config
            .retry_config()
            .cloned()
            .unwrap_or_else(RetryConfig::standard)
            .with_initial_backoff(Duration::from_millis(100));
        let client =
            aws_sdk_sso::Client::from_conf(aws_sdk_sso::config::Builder::from(config).retry_config(retries).build());
        Self {
            client,
            token,
            session_name: session_name.to_owned(),
        }
    }

    /// Every account the person may use (ListAccounts, every page), with the
    /// roles of each (ListAccountRoles) when `with_roles`, in the portal's order.
    pub async fn accounts(&self, with_roles: bool) -> Result<Vec<Account>> {
        let window = Arc::new(Window::new(FAN_OUT));
        let progress = Progress::new("accounts");
        let mut accounts = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = window
                .call(|| {
                    self.client
                        .list_accounts()
                        .access_token(self.token.expose())
                        .max_results(PAGE_SIZE)
                        .set_next_token(next_token.clone())
                        .send()
                })
                .await
                .map_err(|e| self.error("cannot list your accounts in IAM Identity Center", &e))?;
            for account in page.account_list() {
                accounts.push(portal_account(
                    account.account_id(),
                    account.account_name(),
                    account.email_address(),
                )?);
            }
            progress.set(accounts.len());
            next_token = page.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
        if with_roles {
            self.add_roles(&mut accounts, &window, &progress).await?;
        }
        progress.finish();
        tracing::debug!(accounts = accounts.len(), with_roles, "listed the portal's accounts");
        Ok(accounts)
    }

    /// The roles of every account, a window of accounts at once.
    async fn add_roles(&self, accounts: &mut [Account], window: &Arc<Window>, progress: &Progress) -> Result<()> {
        let mut tasks = JoinSet::new();
        for (n, account) in accounts.iter().enumerate() {
            let (portal, window, id) = (self.clone(), window.clone(), account.id.to_string());
            tasks.spawn(async move { portal.roles_of(&window, &id).await.map(|roles| (n, roles)) });
        }
        let mut done = 0;
        while let Some(joined) = tasks.join_next().await {
            let (n, roles) = joined.map_err(|e| Error::msg(format!("a role listing failed: {e}")))??;
            accounts[n].roles = Some(roles);
            done += 1;
            progress.note(done, "with roles listed");
        }
        Ok(())
    }

    /// The roles the person may use in `account_id`, sorted; names xacct
    /// could not pass back on a command line are left out.
    async fn roles_of(&self, window: &Window, account_id: &str) -> Result<Vec<String>> {
        let mut roles = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = window
                .call(|| {
                    self.client
                        .list_account_roles()
                        .access_token(self.token.expose())
                        .account_id(account_id)
                        .max_results(PAGE_SIZE)
                        .set_next_token(next_token.clone())
                        .send()
                })
                .await
                .map_err(|e| self.error(&format!("cannot list your roles in account {account_id}"), &e))?;
            for name in page.role_list().iter().filter_map(|r| r.role_name()) {
                match validate::role_name(name) {
                    Ok(_) => roles.push(name.to_owned()),
                    Err(e) => tracing::warn!(account_id, "leaving out a role the portal listed: {e}"),
                }
            }
            next_token = page.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
        roles.sort_unstable();
        roles.dedup();
        Ok(roles)
    }

    /// GetRoleCredentials: a session of the permission set `role_name` in `account_id`.
    pub async fn role_credentials(&self, account_id: &str, role_name: &str) -> Result<Credentials> {
        let output = self
            .client
            .get_role_credentials()
            .access_token(self.token.expose())
            .account_id(account_id)
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| {
                if e.code() == Some("ForbiddenException") {
                    return Error::aws(format!(
                        "IAM Identity Center gives you no role {role_name} in account {account_id}: \
                         `xacct accounts --roles` lists the roles you have"
                    ));
                }
                self.error(
                    &format!("cannot get credentials for {role_name} in account {account_id}"),
                    &e,
                )
            })?;
        let creds = output
            .role_credentials()
            .ok_or_else(|| Error::aws("GetRoleCredentials answered without credentials"))?;
        let (Some(access_key_id), Some(secret), Some(token)) =
            (creds.access_key_id(), creds.secret_access_key(), creds.session_token())
        else {
            return Err(Error::aws("GetRoleCredentials answered incomplete credentials"));
        };
        // The portal gives the expiry in milliseconds since the epoch.
        let expiration = OffsetDateTime::from_unix_timestamp(creds.expiration().div_euclid(1000))
            .map_err(|_| Error::aws("GetRoleCredentials answered an impossible expiration"))?;
        Ok(Credentials {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: Secret::new(token),
            expiration,
        })
    }

    /// An error of a portal call: a refused token says how to sign in again.
    fn error<E: ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        what: &str,
        e: &SdkError<E, HttpResponse>,
    ) -> Error {
        if e.code() == Some("UnauthorizedException") {
            return Error::aws(sign_in_again(&self.session_name));
        }
        Error::aws(format!("{what}: {}", describe(e)))
    }
}

/// What to do when the sign-in of `session_name` is gone or refused.
pub fn sign_in_again(session_name: &str) -> String {
    format!(
        "the IAM Identity Center sign-in of sso-session {session_name} has expired or was revoked: \
         run `xacct login --sso-session {session_name}`"
    )
}

/// An account as the portal lists it. An ID that is not 12 digits is
/// refused rather than half used; the name and email are untrusted text.
fn portal_account(id: Option<&str>, name: Option<&str>, email: Option<&str>) -> Result<Account> {
    let id = id.unwrap_or_default();
    let id = id.parse().map_err(|e| {
        Error::aws(format!(
            "IAM Identity Center answered with an account that xacct cannot use: {e}"
        ))
    })?;
    Ok(Account {
        id,
        name: name.unwrap_or_default().to_owned(),
        email: email.unwrap_or_default().to_owned(),
        state: ACTIVE.to_owned(),
        joined: None,
        ou: None,
        tags: None,
        roles: None,
    })
}
