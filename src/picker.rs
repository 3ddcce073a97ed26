//! Picking the account and role on the terminal when they are left out.
//!
//! The picker draws on stderr and reads keys from the terminal, never stdout:
//! `eval "$(xacct assume)"` captures stdout, and only the shell code belongs there.

use std::io::IsTerminal;

use anyhow::{anyhow, Result};
use dialoguer::theme::ColorfulTheme;
use dialoguer::FuzzySelect;

use crate::app::Context;
use crate::aws::org::Detail;
use crate::choices::{self, AccountChoice};
use crate::cli::{PickTargetArgs, SourceArgs, TargetArgs};
use crate::clock;
use crate::store::recent::{self, RecentUse};
use crate::target::Target;
use crate::usage::UsageError;

/// How many lines of choices the picker shows at once.
const PICKER_ROWS: usize = 15;

/// True when a person can be asked: keys come from stdin, the picker draws on stderr.
pub fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The account and role to act on: as typed, with what is missing picked on
/// the terminal. Without a terminal a missing account is a usage error and a
/// missing role is the default role, as before.
pub fn target_args(args: &PickTargetArgs, ctx: &Context, source: &SourceArgs) -> Result<TargetArgs> {
    match &args.account {
        Some(account) => {
            let role = match &args.role {
                Some(role) => Some(role.clone()),
                None if on_terminal() && role_is_open(account, ctx) => pick_role_for(account, ctx)?,
                None => None,
            };
            Ok(TargetArgs {
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

fn pick_target(role: Option<&str>, ctx: &Context, source: &SourceArgs) -> Result<TargetArgs> {
    let accounts = known_accounts(ctx, source)?;
    let recent = recent::load(&ctx.cache);
    let choices = choices::account_choices(&ctx.config, &accounts, &recent);
    if choices.is_empty() {
        return Err(anyhow!(
            "there are no accounts to pick from: pass ACCOUNT, or add profiles to the config file"
        ));
    }
    let labels: Vec<String> = choices.iter().map(AccountChoice::label).collect();
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
                account.id.clone()
            };
            let role = match role {
                Some(role) => Some(role.to_owned()),
                None => pick_role(Some(&account.id), &accounts, &recent, ctx)?,
            };
            (text, role)
        }
        AccountChoice::Id(id) => {
            let role = match role {
                Some(role) => Some(role.to_owned()),
                None => pick_role(Some(id), &accounts, &recent, ctx)?,
            };
            (id.clone(), role)
        }
    };
    Ok(TargetArgs { account, role })
}

fn pick_role_for(account: &str, ctx: &Context) -> Result<Option<String>> {
    let accounts = choices::cached_accounts(&ctx.cache);
    let recent = recent::load(&ctx.cache);
    let account_id = choices::offline_account_id(account, &ctx.config, &accounts);
    pick_role(account_id.as_deref(), &accounts, &recent, ctx)
}

/// A role for the account, picked when more than one is known (else the default).
fn pick_role(
    account_id: Option<&str>,
    accounts: &[crate::account::Account],
    recent: &[recent::RecentUse],
    ctx: &Context,
) -> Result<Option<String>> {
    // Without an account ID only the roles known everywhere apply.
    let roles = choices::roles_for(account_id.or(Some("")), &ctx.config, accounts, recent);
    if roles.len() < 2 {
        return Ok(None);
    }
    tracing::debug!(roles = roles.len(), "picking a role on the terminal");
    let chosen = pick("Role", &roles)?;
    Ok(Some(roles[chosen].clone()))
}

/// The cached accounts; when none are cached yet, the list is fetched (and cached).
fn known_accounts(ctx: &Context, source: &SourceArgs) -> Result<Vec<crate::account::Account>> {
    let cached = choices::cached_accounts(&ctx.cache);
    if !cached.is_empty() {
        return Ok(cached);
    }
    tracing::debug!("no cached account list to pick from; fetching it");
    let detail = Detail {
        ou_paths: true,
        tags: false,
    };
    let list = ctx
        .account_list(source, false, detail)
        .map_err(|e| e.context("cannot list the accounts to pick from"))?;
    Ok(list.accounts)
}

/// The index of the line picked among `labels`; Esc or q picks nothing.
fn pick(prompt: &str, labels: &[String]) -> Result<usize> {
    let term = console::Term::stderr();
    // Drawn on the terminal: the terminal rule applies to every line.
    let labels: Vec<String> = labels.iter().map(|l| crate::text::terminal(l)).collect();
    let chosen = FuzzySelect::with_theme(&ColorfulTheme::default())
        .with_prompt(format!("{prompt} (type to filter, Enter to pick, Esc to cancel)"))
        .items(&labels)
        .default(0)
        .max_length(PICKER_ROWS)
        .interact_on_opt(&term);
    // The picker hides the cursor while it draws; an interrupted pick must not leave it hidden.
    let _ = term.show_cursor();
    match chosen {
        Ok(Some(index)) => Ok(index),
        Ok(None) => Err(anyhow!(
            "no {} picked: pass it on the command line",
            prompt.to_lowercase()
        )),
        Err(e) => Err(anyhow!("the {} picker stopped: {e}", prompt.to_lowercase())),
    }
}

/// Notes that `target` was used (through `args`), for the picker and completions
/// to offer it first. Best effort: a cache that cannot be written costs nothing else.
pub fn remember(ctx: &Context, args: &TargetArgs, target: &Target) {
    let used = RecentUse {
        account_id: target.account_id.clone(),
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
