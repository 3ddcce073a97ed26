//! `xacct assume`: a role session, from the cache or from STS, printed as
//! shell code, JSON, dotenv lines or `credential_process` output.

use std::io::Write;

use anyhow::{anyhow, Result};
use serde_json::json;

use crate::app::{self, Context};
use crate::cli::{AssumeArgs, Format};
use crate::clock;
use crate::picker;
use crate::session::{self, Sessions};
use crate::shell;
use crate::store::credentials::Entry;
use crate::target::Target;
use crate::validate;

pub fn run(args: &AssumeArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let target_args = picker::target_args(&args.target, ctx, &args.session.source)?;
    let options = app::session_options(&args.session)?;
    let plan = session::plan(ctx, &target_args, options)?;
    let sessions = Sessions {
        ctx,
        token_code: args.session.token_code.clone(),
        refresh: args.session.refresh,
    };
    let entry = sessions.obtain(&plan)?;
    picker::remember(ctx, &target_args, &plan.target);
    let region = output_region(&plan.target, &entry);
    let creds = &entry.credentials;
    match args.format {
        Format::Shell => {
            let code = shell::render(args.shell, &creds.env_change(region.as_deref())).map_err(|e| anyhow!(e))?;
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
                "RoleArn": entry.role_arn,
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

/// An explicit region wins; then the environment; then what the SDK resolved
/// when the credentials were fetched.
pub fn output_region(target: &Target, entry: &Entry) -> Option<String> {
    target
        .options
        .region
        .clone()
        .or_else(env_region)
        .or_else(|| entry.region.clone())
}

fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|r| validate::region(r).is_ok()))
}
