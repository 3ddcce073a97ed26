//! `xacct accounts`: the organization's accounts as a table or JSON.

use std::io::Write;

use anyhow::Result;

use crate::app::Context;
use crate::aws::source::{self, Source};
use crate::cli::options;
use crate::cli::{AccountsArgs, FilterArgs};
use crate::domain::account::Account;
use crate::org::directory;
use crate::org::filter::AccountFilter;
use crate::store::config::Options;
use crate::ui::table;

pub fn run(args: &AccountsArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let filter = filter_of(&args.filter)?;
    let mut detail = filter.detail();
    detail.ou_paths |= args.ou_paths;
    detail.roles |= args.roles;
    let source_options = options::source_options(&args.source)?;
    let list = match directory::account_list(ctx, &source_options, args.refresh, detail) {
        Ok(list) => list,
        // A member account's credentials are refused (or, in some stand-ins, see
        // no root): say whose they are and who may list the organization.
        Err(e)
            if !is_sso(ctx, &source_options)
                && NOT_THE_ORGANIZATIONS.iter().any(|code| format!("{e:#}").contains(code)) =>
        {
            anyhow::bail!("{e:#}: {}", who_may_list(ctx, &source_options))
        }
        Err(e) => return Err(e.into()),
    };
    if list.accounts.is_empty() {
        let whose = if is_sso(ctx, &source_options) {
            "your"
        } else {
            "the organization's"
        };
        let why = format!(
            "no accounts: {whose} list is empty: {}",
            who_may_list(ctx, &source_options)
        );
        eprintln!("xacct: {}", crate::domain::text::message(&why));
    }
    let accounts: Vec<&Account> = list.accounts.iter().filter(|a| filter.matches(a)).collect();
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &accounts)?;
        writeln!(out)?;
        return Ok(());
    }
    let show_ou = list.with_ou_paths && (args.ou_paths || filter.ou.is_some());
    let show_tags = !filter.tags.is_empty();
    let show_roles = args.roles;
    let mut header = vec!["ID", "NAME", "EMAIL", "STATE", "JOINED"];
    header.extend(show_ou.then_some("OU"));
    header.extend(show_tags.then_some("TAGS"));
    header.extend(show_roles.then_some("ROLES"));
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            let joined = a.joined.as_deref().map(|j| j.get(..10).unwrap_or(j)).unwrap_or("-");
            let mut row = vec![
                a.id.to_string(),
                a.name.clone(),
                a.email.clone(),
                a.state.clone(),
                joined.to_owned(),
            ];
            if show_ou {
                row.push(a.ou.clone().unwrap_or_else(|| "-".into()));
            }
            if show_tags {
                let tags = a
                    .tags
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>();
                row.push(tags.join(","));
            }
            if show_roles {
                let roles = a.roles.as_deref().unwrap_or_default();
                row.push(if roles.is_empty() {
                    "-".to_owned()
                } else {
                    roles.join(" ")
                });
            }
            row
        })
        .collect();
    out.write_all(table::render(&header, &rows).as_bytes())?;
    Ok(())
}

/// Errors of credentials that cannot list the organization.
const NOT_THE_ORGANIZATIONS: [&str; 3] = ["AccessDenied", "ParentNotFound", "AWSOrganizationsNotInUse"];

/// Whether the source is an Identity Center sign-in (the portal lists the accounts).
fn is_sso(ctx: &Context, source_options: &Options) -> bool {
    Source::of(&source_options.clone().or(&ctx.config.defaults))
        .sso_session
        .is_some()
}

/// An empty or refused listing is almost always the wrong identity: which one
/// listed it, and why that may be.
fn who_may_list(ctx: &Context, source_options: &Options) -> String {
    let options = source_options.clone().or(&ctx.config.defaults);
    let source = Source::of(&options);
    if let Some(session) = &source.sso_session {
        return format!(
            "IAM Identity Center gives the person signed in to sso-session {session} no account: \
             ask an administrator for an assignment, or sign in as someone else with `xacct login --force`"
        );
    }
    let name = source.cache_name();
    let who = match source::env_key_id(&name) {
        Some(key) => format!("the keys in the environment (access key {key})"),
        None => format!("profile {}", crate::domain::text::quoted(&source.profile_name())),
    };
    let temporary = if source.is_temporary() {
        " These are temporary credentials, such as a role session from `eval \"$(xacct assume ...)\"`: \
         `eval \"$(xacct unset)\"` returns to your own, or pass --profile."
    } else {
        ""
    };
    format!(
        "these are the credentials of {who}. Only the management account or a delegated administrator may \
         list the organization; a member account's credentials see none.{temporary}"
    )
}

/// The filter the flags describe, checked.
pub fn filter_of(args: &FilterArgs) -> Result<AccountFilter> {
    Ok(AccountFilter {
        ou: args.ou.clone(),
        state: args.state.clone(),
        name: args.name.clone(),
        tags: AccountFilter::parse_tags(&args.tags)?,
    })
}
