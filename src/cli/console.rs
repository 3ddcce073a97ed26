//! `xacct console`: a console session for a role, without a browser
//! extension. The role session comes from the same pipeline as `xacct assume`
//! (cache, MFA, chaining); the federation endpoint turns it into a sign-in link,
//! which is opened in the browser (through a private page, never on a command
//! line), or printed with `--print`. The link grants console access, so it is
//! never printed otherwise, nor logged.

use std::io::Write;

use anyhow::{anyhow, Result};

use crate::app::Context;
use crate::aws::federation::{self, SigninError};
use crate::cli::pick;
use crate::cli::ConsoleArgs;
use crate::console;
use crate::console::browser;
use crate::console::signin;
use crate::console::signin_page;
use crate::session::output_region;
use crate::session::{SessionPlan, Sessions};

pub fn run(args: &ConsoleArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let (target_args, plan) = pick::planned_target(&args.target, &args.session, ctx)?;
    let target = &plan.target;
    console::check_switchable(
        &target.role.console_name(),
        target.options.session.external_id.is_some(),
        target.options.session.source_identity.is_some(),
    )?;
    // Bad input fails before any call.
    let endpoint = signin::endpoint(target.partition, ctx.config.federation_endpoint.as_deref())?;
    let destination = args
        .destination
        .as_deref()
        .map(|url| console::check_destination(url, target.partition))
        .transpose()?;
    console::landing_page(
        target.partition,
        target.partition.home_region(),
        args.service.as_deref(),
    )?;

    let sessions = Sessions::new(ctx, args.session.token_code.clone(), args.session.refresh);
    let entry = sessions.obtain(&plan)?;
    pick::remember(ctx, &target_args, target);
    let region = output_region(target, &entry).unwrap_or_else(|| target.partition.home_region().to_owned());
    let destination = match destination {
        Some(url) => url,
        None => console::landing_page(target.partition, &region, args.service.as_deref())?,
    };
    let session_duration = console_session_secs(&plan)?;
    let request = signin::token_request_url(&endpoint, &entry.credentials, session_duration);
    tracing::debug!(
        endpoint,
        session_duration,
        "asking the federation endpoint for a sign-in token"
    );
    let token = federation::signin_token(&endpoint, &request, &ctx.aws).map_err(|e| match e {
        SigninError::Refused { .. } => anyhow!("{e}: {}", refused_hint(session_duration)),
        // Offline, or a network that blocks AWS's sign-in host: say where another one is named.
        SigninError::Unreachable { .. } => anyhow!(
            "{e}: check the network, or name another federation endpoint in {} (or `federation_endpoint` \
             in the config, for AWS sign-in hosts)",
            crate::domain::console::ENDPOINT_VAR
        ),
        e => e.into(),
    })?;
    let link = signin::login_url(&endpoint, &destination, &token);
    if args.print {
        writeln!(out, "{}", link.expose())?;
        return Ok(());
    }
    // Not the link itself: it would be on the browser's command line, in `ps`.
    let page = signin_page::write(&ctx.cache, &link)?;
    let page_url =
        url::Url::from_file_path(&page).map_err(|()| anyhow!("cannot make a file URL of {}", page.display()))?;
    if let Err(e) = browser::open(page_url.as_str()) {
        signin_page::remove(&page);
        return Err(e.into());
    }
    eprintln!(
        "xacct: {}",
        crate::domain::text::message(&format!(
            "opened the console as {} in {} ({destination})",
            target.role.console_name(),
            crate::domain::validate::shown(target.account_label())
        ))
    );
    Ok(())
}

/// What to try when the federation endpoint refuses the credentials.
fn refused_hint(session_duration: Option<u64>) -> &'static str {
    if session_duration.is_some() {
        "the credentials may have expired (try --refresh), or the role's maximum session is shorter than --duration"
    } else {
        "the credentials may have expired: try --refresh"
    }
}

/// How long the console session lasts: as long as the role session asked
/// for (`--duration`, the profile, `[defaults]`, else 1h), so one setting
/// governs both. For role-chained credentials AWS refuses SessionDuration, so
/// none is sent and AWS's default applies.
fn console_session_secs(plan: &SessionPlan) -> Result<Option<u64>> {
    Ok((!plan.is_chained()?).then_some(plan.request.duration_secs))
}
