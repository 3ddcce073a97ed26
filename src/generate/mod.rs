//! Configuration generated for every (matching) account of the organization.

pub mod aws_config;
pub mod links;
pub mod switch_roles;
mod user_file;

use crate::app::Context;
use crate::aws::profile_file;
use crate::aws::source::Source;
use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::console::PALETTE;
use crate::domain::error::{fail, Result};
use crate::domain::partition::Partition;
use crate::domain::role::{RoleSpec, DEFAULT_ROLE};
use crate::domain::sso_session::SsoSession;
use crate::org::directory;
use crate::org::filter::AccountFilter;
use crate::store::config::Options;

/// What to generate for, as the command line asks.
pub struct Wanted {
    /// Roles to generate for (none: the config's role, else the default role).
    pub roles: Vec<RoleSpec>,
    pub filter: AccountFilter,
    /// Include accounts in every state, not only ACTIVE ones.
    pub all_states: bool,
    /// The source options from the command line.
    pub source: Options,
    /// Fetch the account list again instead of using the cached one.
    pub refresh: bool,
}

/// The accounts and roles to generate for.
pub struct Selection {
    /// Sorted by OU path, then name.
    pub accounts: Vec<Account>,
    pub roles: Vec<RoleSpec>,
    pub partition: Partition,
    pub region: Option<String>,
    /// The source profile to name in generated commands, if any.
    pub source_profile: Option<String>,
    /// The IAM Identity Center sign-in the accounts were listed with: each
    /// account's own roles (permission sets) are generated, from the portal.
    pub sso_session: Option<SsoSession>,
}

impl Selection {
    pub fn load(wanted: &Wanted, ctx: &Context) -> Result<Self> {
        let mut filter = wanted.filter.clone();
        if filter.state.is_none() && !wanted.all_states {
            filter.state = Some("ACTIVE".into());
        }
        let options = wanted.source.clone().or(&ctx.config.defaults);
        let sso_session = match &Source::of(&options).sso_session {
            Some(name) => Some(profile_file::sso_session(Some(name), &ctx.config.sso_sessions)?),
            None => None,
        };
        // OU paths always (they group the links and color the extension's
        // entries), except from the portal, which has none but knows the roles.
        let detail = Detail {
            ou_paths: sso_session.is_none(),
            roles: sso_session.is_some(),
            ..filter.detail()
        };
        let list = directory::account_list(ctx, &wanted.source, wanted.refresh, detail)?;
        let mut accounts: Vec<Account> = list.accounts.into_iter().filter(|a| filter.matches(a)).collect();
        if accounts.is_empty() {
            fail!("no account matches: see `xacct accounts --ou-paths`");
        }
        if sso_session.is_some() {
            // Only the roles asked for, where the person has them.
            let asked: Vec<&str> = wanted.roles.iter().map(|r| r.name.as_str()).collect();
            for account in &mut accounts {
                if let Some(roles) = &mut account.roles {
                    roles.retain(|r| asked.is_empty() || asked.contains(&r.as_str()));
                }
            }
            accounts.retain(|a| a.roles.as_ref().is_some_and(|r| !r.is_empty()));
            if accounts.is_empty() {
                fail!("none of your accounts has those roles: see `xacct accounts --roles`");
            }
        }
        accounts
            .sort_by(|a, b| (a.ou.as_deref(), a.name.to_lowercase()).cmp(&(b.ou.as_deref(), b.name.to_lowercase())));
        let roles = if wanted.roles.is_empty() {
            vec![options
                .role
                .clone()
                .unwrap_or_else(|| RoleSpec::parse(DEFAULT_ROLE).expect("valid"))]
        } else {
            wanted.roles.clone()
        };
        Ok(Self {
            accounts,
            roles,
            partition: options.partition.unwrap_or_default(),
            region: options.region.clone().or_else(crate::session::env_region),
            source_profile: options.source_profile.clone(),
            sso_session,
        })
    }

    /// Every (account, role) pair, in order: the roles asked for in every
    /// account, or from the portal each account's own.
    pub fn pairs(&self) -> Vec<(&Account, RoleSpec)> {
        let mut pairs = Vec::new();
        for account in &self.accounts {
            match (&self.sso_session, &account.roles) {
                (Some(_), Some(roles)) => pairs.extend(
                    roles
                        .iter()
                        .filter_map(|r| RoleSpec::parse(r).ok())
                        .map(|r| (account, r)),
                ),
                _ => pairs.extend(self.roles.iter().map(|r| (account, r.clone()))),
            }
        }
        pairs
    }

    /// Refuses what only IAM roles can be used for: the console's switch-role
    /// needs a role's IAM name, and a permission set's is not its name.
    pub fn check_iam_roles(&self, what: &str) -> Result<()> {
        if let Some(session) = &self.sso_session {
            fail!(
                "{what} switches to IAM roles by name; IAM Identity Center's permission sets are reached through \
                 the access portal ({}): use `xacct console` or pass --profile for an Organizations source",
                crate::domain::text::terminal(&session.start_url)
            );
        }
        Ok(())
    }
}

/// A profile name made of the account name and role name: letters, digits
/// and `._-` only, so it is a valid name for every tool that reads it.
pub fn profile_name(account: &Account, role: &RoleSpec) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}.{}", safe(&account.name), safe(&role.name))
}

impl Selection {
    /// The console color of an OU: the OUs in path order take the palette's
    /// colors in turn, so up to five OUs never share one, and an OU keeps its
    /// color while the set of OUs stays the same.
    pub fn color_of_ou(&self, ou: Option<&str>) -> &'static str {
        let mut ous: Vec<&str> = self
            .accounts
            .iter()
            .map(|a| a.ou.as_deref().unwrap_or("Root"))
            .collect();
        ous.dedup();
        let index = ous.iter().position(|o| *o == ou.unwrap_or("Root")).unwrap_or(0);
        PALETTE[index % PALETTE.len()].1
    }
}
