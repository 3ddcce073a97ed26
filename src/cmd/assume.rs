//! `xacct assume`: credentials for a role, from the cache or from STS, as shell code.

use std::io::Write;

use anyhow::{anyhow, Context as _, Result};

use crate::app::{self, Context};
use crate::aws::sts::{self, AssumeRoleRequest};
use crate::aws::Aws;
use crate::cli::AssumeArgs;
use crate::clock;
use crate::duration;
use crate::shell;
use crate::source::{self, Source};
use crate::store::credentials::{self as cache, CacheKey, Entry};
use crate::validate;

pub fn run(args: &AssumeArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let mut cli = app::source_options(&args.source)?;
    cli.session_name = args
        .session_name
        .as_deref()
        .map(validate::session_name)
        .transpose()?
        .map(str::to_owned);
    cli.duration_secs = match &args.duration {
        Some(text) => Some(validate::duration_secs(
            duration::parse_secs(text).map_err(anyhow::Error::msg)?,
        )?),
        None => None,
    };
    let (target, source) = ctx.resolve_target(&args.target, cli)?;
    let options = &target.options;
    let request = AssumeRoleRequest {
        role_arn: target.role_arn(),
        session_name: options
            .session_name
            .clone()
            .unwrap_or_else(source::default_session_name),
        duration_secs: options
            .duration_secs
            .unwrap_or(validate::DEFAULT_DURATION_SECS),
    };
    let key = CacheKey {
        source: source.cache_name(),
        endpoint: Source::sts_endpoint(),
        role_arn: request.role_arn.clone(),
        session_name: request.session_name.clone(),
        duration_secs: request.duration_secs,
    };
    let now = clock::now();
    let cached = if args.refresh {
        None
    } else {
        cache::lookup(&ctx.cache, &key, now, ctx.config.refresh_margin_secs)?
    };
    let entry = match cached {
        Some(entry) => entry,
        None => {
            let aws = Aws::connect(source.profile.as_deref(), options.region.as_deref())?;
            let credentials = aws.block_on(sts::assume_role(&aws.config, &request))?;
            let entry = Entry {
                role_arn: request.role_arn.clone(),
                session_name: request.session_name.clone(),
                source: key.source.clone(),
                region: aws.region.clone(),
                credentials,
            };
            if let Err(e) = cache::store(&ctx.cache, &key, &entry, clock::now()) {
                eprintln!("xacct: warning: could not cache the credentials: {e:#}");
            }
            entry
        }
    };
    // An explicit region wins; then the environment; then what the SDK resolved.
    let region = options
        .region
        .clone()
        .or_else(env_region)
        .or_else(|| entry.region.clone());
    let code = shell::render(args.shell, &entry.credentials.env_change(region.as_deref()))
        .map_err(|e| anyhow!(e))?;
    out.write_all(code.as_bytes())
        .context("cannot write the shell code")?;
    Ok(())
}

fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|v| {
            std::env::var(v)
                .ok()
                .filter(|r| validate::region(r).is_ok())
        })
}
