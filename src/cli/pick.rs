//! The account and role to act on, as typed, with what is missing picked on
//! the terminal; and the record of what was used, which the picker and the
//! completions offer first.

use anyhow::{anyhow, Result};

use crate::app::Context;
use crate::aws::source::Source;
use crate::cli::options;
use crate::cli::usage::UsageError;
use crate::cli::{PickTargetArgs, SessionArgs};
use crate::domain::account::{Account, Detail};
use crate::domain::account_id::AccountId;
use crate::domain::clock;
use crate::org::choices::{self, AccountChoice, RolesOf};
use crate::org::directory;
use crate::session::target::{Target, TargetName};
use crate::session::SessionPlan;
use crate::store::config::Options;
use crate::store::recent::{self, RecentUse};
use crate::ui::picker::{on_terminal, pick};

/// The target a command for one session names (picked on the terminal when it
/// names none) and the plan for it, from its session flags.
pub fn planned_target(
    target: &PickTargetArgs,
    session: &SessionArgs,
    ctx: &Context,
) -> Result<(TargetName, SessionPlan)> {
    let named = target_args(target, ctx, &options::source_options(&session.source)?)?;
    let plan = crate::session::plan(ctx, &named, options::session_options(session)?)?;
    Ok((named, plan))
}

/// The account and role to act on: as typed, with what is missing picked on
/// the terminal. Without a terminal a missing account is a usage error and a
/// missing role is the default role, as before.
pub fn target_args(args: &PickTargetArgs, ctx: &Context, source: &Options) -> Result<TargetName> {
    match &args.account {
        Some(account) => {
            let role = match &args.role {
                Some(role) => Some(role.clone()),
                None if on_terminal() && role_is_open(account, ctx) => pick_role_for(account, ctx)?,
                None => None,
            };
            Ok(TargetName {
                account: account.clone(),
                role,
            })
        }
        None if !on_terminal() => Err(UsageError(
            "no account given and no terminal to pick one on: pass ACCOUNT (see `xacct accounts`)".into(),
        )
        .into()),
        None => pick_target(args.role.as_deref(), ctx, source),
    }
}

/// Whether nothing but the built-in default says which role to use: not a
/// profile, not a role ARN, no default role in the config.
fn role_is_open(account: &str, ctx: &Context) -> bool {
    !ctx.config.profiles.contains_key(account) && !account.starts_with("arn:") && ctx.config.defaults.role.is_none()
}

fn pick_target(role: Option<&str>, ctx: &Context, source: &Options) -> Result<TargetName> {
    let accounts = known_accounts(ctx, source)?;
    let recent = recent::load(&ctx.cache);
    let choices = choices::account_choices(&ctx.config, &accounts, &recent);
    if choices.is_empty() {
        return Err(anyhow!(
            "there are no accounts to pick from: pass ACCOUNT, or add profiles to the config file"
        ));
    }
    let labels = choices::labels(&choices);
    tracing::debug!(accounts = choices.len(), "picking an account on the terminal");
    let chosen = pick("Account", &labels)?;
    let (account, role) = match &choices[chosen] {
        // A profile names its own role; a role typed on the command line still wins.
        AccountChoice::Profile { name, .. } => (name.clone(), role.map(str::to_owned)),
        AccountChoice::Account(account) => {
            // The name reads better in messages; the ID is exact when names repeat.
            let unique = accounts.iter().filter(|a| a.name == account.name).count() == 1;
            let text = if unique {
                account.name.clone()
            } else {
                account.id.to_string()
            };
            let role = match role {
                Some(role) => Some(role.to_owned()),
                None => pick_role(Some(account.id), &accounts, &recent, ctx)?,
            };
            (text, role)
        }
        AccountChoice::Id(id) => {
            let role = match role {
                Some(role) => Some(role.to_owned()),
                None => pick_role(Some(*id), &accounts, &recent, ctx)?,
            };
            (id.to_string(), role)
        }
    };
    Ok(TargetName { account, role })
}

fn pick_role_for(account: &str, ctx: &Context) -> Result<Option<String>> {
    let accounts = choices::cached_accounts(&ctx.cache);
    let recent = recent::load(&ctx.cache);
    let account_id = choices::offline_account_id(account, &ctx.config, &accounts);
    pick_role(account_id, &accounts, &recent, ctx)
}

/// A role for the account, picked when more than one is known (else the default).
fn pick_role(
    account_id: Option<AccountId>,
    accounts: &[Account],
    recent: &[recent::RecentUse],
    ctx: &Context,
) -> Result<Option<String>> {
    // Without an account ID only the roles known everywhere apply.
    let roles = choices::roles_for(RolesOf::Account(account_id), &ctx.config, accounts, recent);
    if roles.len() < 2 {
        // The one role known (an only permission set, or the default role).
        return Ok(roles.into_iter().next());
    }
    tracing::debug!(roles = roles.len(), "picking a role on the terminal");
    let chosen = pick("Role", &roles)?;
    Ok(Some(roles[chosen].clone()))
}

/// The cached accounts; when none are cached yet, the list is fetched (and cached).
fn known_accounts(ctx: &Context, source: &Options) -> Result<Vec<Account>> {
    let cached = choices::cached_accounts(&ctx.cache);
    if !cached.is_empty() {
        return Ok(cached);
    }
    tracing::debug!("no cached account list to pick from; fetching it");
    // The picker shows OU paths; the portal has none, but it knows the roles.
    let portal = Source::of(&source.clone().or(&ctx.config.defaults))
        .sso_session
        .is_some();
    let detail = Detail {
        ou_paths: !portal,
        tags: false,
        roles: portal,
    };
    let list = directory::account_list(ctx, source, false, detail)
        .map_err(|e| e.context("cannot list the accounts to pick from"))?;
    Ok(list.accounts)
}

/// Notes that `target` was used (through `args`), for the picker and completions
/// to offer it first. Best effort: a cache that cannot be written costs nothing else.
pub fn remember(ctx: &Context, args: &TargetName, target: &Target) {
    let used = RecentUse {
        account_id: target.account_id,
        role: target.role.console_name(),
        profile: ctx
            .config
            .profiles
            .contains_key(&args.account)
            .then(|| args.account.clone()),
        used_at: clock::now(),
    };
    if let Err(e) = recent::record(&ctx.cache, used) {
        tracing::debug!("could not record the recent use: {e:#}");
    }
}
