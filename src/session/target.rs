//! From what the user typed (plus the config file) to one account and role.

use crate::app::Context;
use crate::aws::source::Source;
use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::account_id::AccountId;
use crate::domain::error::{fail, Result};
use crate::domain::partition::Partition;
use crate::domain::role::{RoleSpec, DEFAULT_ROLE};
use crate::domain::validate::{self, shown};
use crate::org::directory::{self, AccountDirectory, Freshness};
use crate::store::config::{Config, Options};

/// The account and role as the person named them: an account name, alias,
/// 12-digit ID, role ARN or config profile, and a role if given.
#[derive(Debug, Clone)]
pub struct TargetName {
    pub account: String,
    pub role: Option<String>,
}

/// The account and role `name` names, with the options that apply, and the
/// source of credentials to act with.
pub fn resolve_named(ctx: &Context, name: &TargetName, cli: Options) -> Result<(Target, Source)> {
    let (account_text, options) = options_for(name, cli, &ctx.config)?;
    let source = Source::of(&options);
    let region = options.region.clone();
    let role_named = options.role.is_some();
    let directory = directory::of_source(ctx, &source);
    let mut target = resolve(&account_text, options, &ctx.config, &directory, |fetch_as, detail| {
        directory::fetch_accounts(ctx, fetch_as, region.as_deref(), detail)
    })?;
    if !role_named && source.sso_session.is_some() {
        if let Some(role) = only_permission_set(&directory, &target, &name.account)? {
            target.role = role;
        }
    }
    Ok((target, source))
}

/// With no role named, an Identity Center source uses the account's one
/// permission set, as the cached list (`accounts --roles`) knows it; several
/// are an error that names them. `None` when the list does not know them.
fn only_permission_set(directory: &AccountDirectory, target: &Target, typed: &str) -> Result<Option<RoleSpec>> {
    let Some(roles) = directory.cached_roles(target.account_id) else {
        return Ok(None);
    };
    match roles.as_slice() {
        [only] => Ok(Some(RoleSpec::parse(only)?)),
        [] => fail!(
            "IAM Identity Center gives you no role in account {} ({})",
            validate::shown(target.account_label()),
            target.account_id
        ),
        several => fail!(
            "you have several roles in account {}: {}; name one, such as `xacct assume {} {}`",
            validate::shown(target.account_label()),
            several.join(", "),
            crate::domain::text::terminal(typed),
            several[0]
        ),
    }
}

/// The account and role to act on, with the options that apply to them.
#[derive(Debug, Clone)]
pub struct Target {
    pub account_id: AccountId,
    /// The organization's name for the account, when it was looked up by name.
    pub account_name: Option<String>,
    pub role: RoleSpec,
    pub partition: Partition,
    /// Command line, then named profile, then config defaults.
    pub options: Options,
}

impl Target {
    pub fn role_arn(&self) -> String {
        self.role.arn(self.partition, self.account_id)
    }

    /// The account's name if known, else its ID.
    pub fn account_label(&self) -> &str {
        self.account_name.as_deref().unwrap_or(self.account_id.as_str())
    }
}

/// The options of a named profile (if `args.account` names one) under the
/// command-line options, over the config defaults. Returns the account text to
/// resolve with them.
pub fn options_for(args: &TargetName, cli: Options, config: &Config) -> Result<(String, Options)> {
    let mut cli = cli;
    if args.account.starts_with("arn:") {
        if args.role.is_some() {
            fail!("give either a role ARN, or an account and a role, not both");
        }
        cli.role = Some(RoleSpec::parse(&args.account)?);
    } else if let Some(role) = &args.role {
        cli.role = Some(RoleSpec::parse(role)?);
    }
    Ok(match config.profiles.get(&args.account) {
        Some(profile) => (profile.account.clone(), cli.or(&profile.options).or(&config.defaults)),
        None => (args.account.clone(), cli.or(&config.defaults)),
    })
}

/// Resolves `account_text` (a role ARN, 12-digit ID, alias or account name) and
/// the role in `options`. Looking up a name may fetch the account list through
/// `fetch`, acting as the source it is given.
pub fn resolve(
    account_text: &str,
    options: Options,
    config: &Config,
    directory: &AccountDirectory,
    fetch: impl FnOnce(&Source, Detail) -> Result<Vec<Account>>,
) -> Result<Target> {
    let role = options
        .role
        .clone()
        .unwrap_or_else(|| RoleSpec::parse(DEFAULT_ROLE).expect("the default role is valid"));
    let text = config
        .aliases
        .get(account_text)
        .map(String::as_str)
        .unwrap_or(account_text);
    let (account_id, account_name) = match &role.arn_parts {
        Some(parts) if text.starts_with("arn:") => (parts.account_id, None),
        _ if text.is_empty() => {
            fail!("no account given: pass an account name, alias or 12-digit ID")
        }
        _ if text.chars().all(|c| c.is_ascii_digit()) => (text.parse::<AccountId>()?, None),
        _ => {
            let (account, freshness) = directory.find(text, fetch)?;
            if let Freshness::Stale(why) = freshness {
                eprintln!(
                    "xacct: warning: {}",
                    crate::domain::text::message(&format!("using an old account list; refreshing it failed: {why}"))
                );
            }
            (account.id, Some(account.name))
        }
    };
    if let Some(parts) = &role.arn_parts {
        if parts.account_id != account_id {
            fail!(
                "role ARN {} is in account {}, not in {} ({}): give one or the other",
                shown(&role.arn(parts.partition, parts.account_id)),
                parts.account_id,
                account_id,
                validate::shown(account_name.as_deref().unwrap_or(account_text))
            );
        }
    }
    let partition = role
        .arn_parts
        .as_ref()
        .map(|p| p.partition)
        .or(options.partition)
        .unwrap_or_default();
    Ok(Target {
        account_id,
        account_name,
        role,
        partition,
        options,
    })
}
