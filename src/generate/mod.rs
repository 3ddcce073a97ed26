//! Configuration generated for every (matching) account of the organization.

pub mod aws_config;
pub mod links;
pub mod switch_roles;
mod user_file;

use crate::app::Context;
use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::console::PALETTE;
use crate::domain::error::{fail, Result};
use crate::domain::partition::Partition;
use crate::domain::role::{RoleSpec, DEFAULT_ROLE};
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
}

impl Selection {
    pub fn load(wanted: &Wanted, ctx: &Context) -> Result<Self> {
        let mut filter = wanted.filter.clone();
        if filter.state.is_none() && !wanted.all_states {
            filter.state = Some("ACTIVE".into());
        }
        let options = wanted.source.clone().or(&ctx.config.defaults);
        // OU paths always: they group the links and color the extension's entries.
        let detail = Detail {
            ou_paths: true,
            ..filter.detail()
        };
        let list = directory::account_list(ctx, &wanted.source, false, detail)?;
        let mut accounts: Vec<Account> = list.accounts.into_iter().filter(|a| filter.matches(a)).collect();
        if accounts.is_empty() {
            fail!("no account matches: see `xacct accounts --ou-paths`");
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
        })
    }

    /// Every (account, role) pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&Account, &RoleSpec)> {
        self.accounts
            .iter()
            .flat_map(move |a| self.roles.iter().map(move |r| (a, r)))
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
