//! `xacct cache list|clear`: what the credential cache holds, without secrets.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use crate::app::Context;
use crate::cli::CacheCommand;
use crate::domain::clock;
use crate::domain::duration::format_secs;
use crate::domain::role::RoleSpec;
use crate::session::target::{self, TargetName};
use crate::store::config::Options;
use crate::store::credential_cache::{self as cache, Entry, EntryKind};
use crate::ui::table;

pub fn run(command: &CacheCommand, ctx: &Context, out: &mut impl Write) -> Result<()> {
    match command {
        CacheCommand::List { json } => list(ctx, *json, out),
        CacheCommand::Clear { account, role } => clear(ctx, account.as_deref(), role.as_deref()),
    }
}

fn list(ctx: &Context, as_json: bool, out: &mut impl Write) -> Result<()> {
    let now = clock::now();
    let entries = cache::all(&ctx.cache)?;
    if as_json {
        let docs: Vec<_> = entries
            .iter()
            .map(|(key, e)| {
                json!({
                    "Key": key,
                    "Kind": kind(e),
                    "AccountId": account_of(e),
                    "Arn": e.kind.arn(),
                    "SessionName": e.session_name,
                    "Source": e.source,
                    "Expiration": clock::rfc3339(e.credentials.expiration),
                    "SecondsLeft": e.credentials.secs_left(now),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &docs)?;
        writeln!(out)?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(key, e)| {
            let left = e.credentials.secs_left(now);
            let left = if left > 0 {
                format_secs(left as u64)
            } else {
                "expired".into()
            };
            vec![
                key.clone(),
                kind(e).into(),
                account_of(e).into(),
                name_of(e).into(),
                e.session_name.clone(),
                left,
            ]
        })
        .collect();
    out.write_all(table::render(&["KEY", "KIND", "ACCOUNT", "ROLE", "SESSION", "LEFT"], &rows).as_bytes())?;
    Ok(())
}

fn clear(ctx: &Context, account: Option<&str>, role: Option<&str>) -> Result<()> {
    let removed = match account {
        None => cache::remove(&ctx.cache, |_| true)?,
        Some(account) => {
            let args = TargetName {
                account: account.to_owned(),
                role: None,
            };
            let (target, _) = target::resolve_named(ctx, &args, Options::default())?;
            let role = role.map(RoleSpec::parse).transpose()?;
            let role_arn = role.map(|r| r.arn(target.partition, target.account_id));
            cache::remove(&ctx.cache, |e| {
                e.kind.role_arn().is_some_and(|held| {
                    e.kind.account_id() == Some(target.account_id.as_str())
                        && role_arn.as_ref().is_none_or(|arn| held == arn)
                })
            })?
        }
    };
    eprintln!(
        "xacct: removed {removed} cached session{}",
        if removed == 1 { "" } else { "s" }
    );
    Ok(())
}

fn kind(e: &Entry) -> &'static str {
    match e.kind {
        EntryKind::Role { .. } => "role",
        EntryKind::MfaSession { .. } => "mfa",
    }
}

/// The account of the role, or of the MFA device when its serial is an ARN.
fn account_of(e: &Entry) -> &str {
    e.kind.account_id().unwrap_or("")
}

/// `path/Name` of a role, or the device name of an MFA session.
fn name_of(e: &Entry) -> &str {
    e.kind.name()
}
