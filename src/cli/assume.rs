//! `xacct assume`: a role session, from the cache or from STS, printed as
//! shell code, JSON, dotenv lines or `credential_process` output.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use crate::app::Context;
use crate::cli::pick;
use crate::cli::{AssumeArgs, Format};
use crate::domain::clock;
use crate::session::{self, Sessions};
use crate::shell;

/// The sessions that the xacct processes above this one (started through
/// `credential_process`) are fetching, by cache key id.
const FETCHING_VAR: &str = "XACCT_CREDENTIAL_PROCESS_KEYS";

pub fn run(args: &AssumeArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let (target_args, plan) = pick::planned_target(&args.target, &args.session, ctx)?;
    if args.format == Format::CredentialProcess {
        guard_against_loops(&plan.key.id())?;
    }
    let sessions = Sessions::new(ctx, args.session.token_code.clone(), args.session.refresh);
    let entry = sessions.obtain(&plan)?;
    pick::remember(ctx, &target_args, &plan.target);
    let region = session::output_region(&plan.target, &entry);
    let creds = &entry.credentials;
    match args.format {
        Format::Shell => {
            let code = shell::render(args.shell, &creds.env_change(region.as_deref()))?;
            out.write_all(code.as_bytes())?;
        }
        Format::Env => {
            for (name, value) in creds.env_change(region.as_deref()).set {
                writeln!(out, "{name}={value}")?;
            }
        }
        Format::Json => {
            let mut doc = json!({
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key.expose(),
                "SessionToken": creds.session_token.expose(),
                "Expiration": clock::rfc3339(creds.expiration),
                "AccountId": plan.target.account_id,
                "RoleArn": entry.kind.arn(),
                "SessionName": entry.session_name,
            });
            if let Some(region) = &region {
                doc["Region"] = json!(region);
            }
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::CredentialProcess => {
            let doc = json!({
                "Version": 1,
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key.expose(),
                "SessionToken": creds.session_token.expose(),
                "Expiration": clock::rfc3339(creds.expiration),
            });
            serde_json::to_writer(&mut *out, &doc)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// A profile whose source is itself (say AWS_PROFILE names the profile that
/// runs xacct) would start xacct through credential_process forever, each
/// waiting for the one above. A process asked for a session that a process
/// above it is already fetching is in such a loop: stop, and explain.
fn guard_against_loops(key_id: &str) -> Result<()> {
    let above = std::env::var(FETCHING_VAR).unwrap_or_default();
    if above.split(',').any(|k| k == key_id) {
        anyhow::bail!(
            "credential_process loop: the profile xacct takes its source credentials from runs this same \
             `xacct assume`; name the source with --profile in the credential_process line, or unset AWS_PROFILE"
        );
    }
    // Read by any xacct the SDK starts to get this one's source credentials.
    // Set while this process has no other thread.
    let keys = if above.is_empty() {
        key_id.to_owned()
    } else {
        format!("{above},{key_id}")
    };
    std::env::set_var(FETCHING_VAR, keys);
    Ok(())
}
