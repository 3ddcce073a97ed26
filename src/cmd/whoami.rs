//! `xacct whoami`: the identity behind the current credentials and, when they
//! came from xacct, how long they have left.

use std::io::Write;

use anyhow::Result;
use serde_json::json;
use time::OffsetDateTime;

use crate::app::{self, Context};
use crate::aws::{sts, Aws};
use crate::cli::WhoamiArgs;
use crate::clock;
use crate::duration::format_secs;
use crate::store::credentials as cache;

pub fn run(args: &WhoamiArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let options = app::source_options(&args.source)?;
    let aws = Aws::connect(options.source_profile.as_deref(), options.region.as_deref())?;
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
        writeln!(out, "{}", identity.arn)?;
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

/// When the credentials in the environment expire: from xacct's cache if it
/// handed them out, else from AWS_CREDENTIAL_EXPIRATION.
fn env_expiration(ctx: &Context) -> Option<OffsetDateTime> {
    let key_id = std::env::var("AWS_ACCESS_KEY_ID").ok()?;
    let cached = cache::all(&ctx.cache).ok().and_then(|entries| {
        entries
            .into_iter()
            .find(|(_, entry)| entry.credentials.access_key_id == key_id)
            .map(|(_, entry)| entry.credentials.expiration)
    });
    cached.or_else(|| {
        ["AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION"]
            .into_iter()
            .find_map(|var| clock::parse_rfc3339(&std::env::var(var).ok()?))
    })
}
