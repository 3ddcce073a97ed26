//! `xacct whoami`: the identity behind the current credentials and, when they
//! came from xacct, how long they have left.

use std::io::Write;

use anyhow::Result;
use serde_json::json;
use time::OffsetDateTime;

use crate::app::Context;
use crate::aws::{profile_file, sso_portal, sts, Aws};
use crate::cli::options;
use crate::cli::WhoamiArgs;
use crate::domain::clock;
use crate::domain::duration::format_secs;
use crate::org::choices;
use crate::store::credential_cache as cache;
use crate::store::sso_token;
use crate::ui::color::{self, Color};

pub fn run(args: &WhoamiArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    if args.short {
        return short(ctx, out);
    }
    let options = options::source_options(&args.source)?;
    if let Some(name) = &options.sso_session {
        return sso_sign_in(ctx, name, args.json, out);
    }
    let aws = Aws::connect(options.source_profile.as_deref(), options.region.as_deref(), &ctx.aws)?;
    let identity = aws.block_on(sts::caller_identity(&aws.config))?;
    let expiration = if options.source_profile.is_none() {
        env_expiration(ctx)
    } else {
        None
    };
    let now = clock::now();
    if args.json {
        let mut doc = json!({ "Account": identity.account, "Arn": identity.arn, "UserId": identity.user_id });
        if let Some(expiration) = expiration {
            doc["Expiration"] = json!(clock::rfc3339(expiration));
            doc["SecondsLeft"] = json!((expiration - now).whole_seconds());
        }
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", crate::domain::text::terminal(&identity.arn))?;
        if let Some(expiration) = expiration {
            let left = (expiration - now).whole_seconds();
            let when = clock::rfc3339(expiration);
            if left > 0 {
                writeln!(out, "expires in {} ({when})", format_secs(left as u64))?;
            } else {
                writeln!(out, "expired {} ago ({when})", format_secs(left.unsigned_abs()))?;
            }
        }
    }
    Ok(())
}

/// An sso-session is a sign-in, not an AWS identity: where, and until when.
fn sso_sign_in(ctx: &Context, name: &str, json: bool, out: &mut impl Write) -> Result<()> {
    let session = profile_file::sso_session(Some(name), &ctx.config.sso_sessions)?;
    let token = sso_token::load_for(&session)?
        .filter(|t| t.expires_at > clock::now())
        .ok_or_else(|| anyhow::anyhow!("{}", sso_portal::sign_in_again(&session.name)))?;
    let until = clock::rfc3339(token.expires_at);
    if json {
        let doc = json!({ "SsoSession": session.name, "StartUrl": session.start_url, "Expiration": until,
                          "Refreshable": token.refresh_token.is_some() });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
    } else {
        let start_url = crate::domain::text::terminal(&session.start_url);
        writeln!(
            out,
            "signed in to {start_url} (sso-session {}) until {until}",
            session.name
        )?;
    }
    Ok(())
}

/// When the credentials in the environment expire: from xacct's cache if it
/// handed them out, else from AWS_CREDENTIAL_EXPIRATION.
fn env_expiration(ctx: &Context) -> Option<OffsetDateTime> {
    let key_id = std::env::var("AWS_ACCESS_KEY_ID").ok()?;
    let cached = cache::issued(&ctx.cache, &key_id)
        .ok()
        .flatten()
        .map(|entry| entry.credentials.expiration);
    cached.or_else(|| {
        ["AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION"]
            .into_iter()
            .find_map(|var| clock::parse_rfc3339(&std::env::var(var).ok()?))
    })
}

/// Below this much time left the prompt shows it in red, then yellow.
const RED_BELOW_SECS: i64 = 10 * 60;
const YELLOW_BELOW_SECS: i64 = 30 * 60;

/// `ACCOUNT/ROLE 47m` for a shell prompt, from the environment and the local
/// cache only (a prompt cannot wait on the network). Prints nothing when the
/// credentials in the environment are not ones xacct handed out, so a prompt
/// segment can be `$(xacct whoami --short)` unconditionally.
fn short(ctx: &Context, out: &mut impl Write) -> Result<()> {
    let Some(key_id) = std::env::var("AWS_ACCESS_KEY_ID").ok().filter(|k| !k.is_empty()) else {
        return Ok(());
    };
    let Some(entry) = cache::issued(&ctx.cache, &key_id)?.filter(|e| e.kind.role_arn().is_some()) else {
        tracing::debug!("the environment's credentials are not in xacct's cache");
        return Ok(());
    };
    let account_id = entry.kind.account_id().unwrap_or_default();
    let role = entry.kind.arn().rsplit('/').next().unwrap_or_default();
    // The name the session was asked for by; the account list (its whole
    // file) is read only for a session asked for by ID.
    let account = match &entry.account_name {
        Some(name) => name.clone(),
        None => choices::cached_accounts_unsorted(&ctx.cache)
            .into_iter()
            .find(|a| a.id == account_id)
            .map_or_else(|| account_id.to_owned(), |a| a.name),
    };
    let left = entry.credentials.secs_left(clock::now());
    let colored = color::stdout_colored();
    let shown_left = match left {
        l if l <= 0 => color::paint("expired", Color::Red, colored),
        l if l < RED_BELOW_SECS => color::paint(&minutes(l), Color::Red, colored),
        l if l < YELLOW_BELOW_SECS => color::paint(&minutes(l), Color::Yellow, colored),
        l => minutes(l),
    };
    let label = crate::domain::text::terminal(&format!("{account}/{role}"));
    writeln!(out, "{label} {shown_left}")?;
    Ok(())
}

/// `47m`, or `2h05m` from an hour on (whole minutes, rounded down).
fn minutes(secs: i64) -> String {
    let minutes = secs / 60;
    if minutes < 60 {
        format!("{minutes}m")
    } else {
        format!("{}h{:02}m", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn minutes_left() {
        assert_eq!(super::minutes(59), "0m");
        assert_eq!(super::minutes(47 * 60 + 30), "47m");
        assert_eq!(super::minutes(2 * 3600 + 5 * 60), "2h05m");
    }
}
