//! `xacct exec`: run a command with a role session in its environment, in
//! one account or (with --all, --ou or --accounts) in many; with --server,
//! served by a local credential endpoint that renews it, for as long as the
//! command runs.

use std::process::Command;
use std::sync::Arc;

use anyhow::{bail, Result};

use crate::app::Context;
use crate::cli::options;
use crate::cli::pick;
use crate::cli::ExecArgs;
use crate::exec::fanout::{self, FanOut};
use crate::exec::signals;
use crate::org::filter::AccountFilter;
use crate::server::{self, CredentialServer};
use crate::session::output_region;
use crate::session::Sessions;

/// Set in the command's environment, so that a nested `xacct exec` notices.
pub const EXEC_MARKER: &str = "XACCT_EXEC";

/// In one account, replaces xacct with the command on Unix (so signals and
/// the exit status are the command's own); elsewhere waits for it and passes
/// its status on. With --server, xacct stays the command's parent and serves
/// it. `ctx` lives as long as the process (the endpoint's threads use it).
pub fn run(args: &ExecArgs, ctx: &'static Context) -> Result<i32> {
    if let Some(outer) = std::env::var_os(EXEC_MARKER).filter(|_| !args.nested) {
        bail!(
            "already inside `xacct exec` for {}: exit that shell first, or pass --nested",
            crate::domain::text::terminal(&outer.to_string_lossy())
        );
    }
    let many = &args.many;
    if many.accounts.is_some() || many.ou.is_some() || many.all {
        let fan_out = FanOut {
            filter: AccountFilter {
                ou: many.ou.clone(),
                name: many.accounts.clone(),
                state: Some("ACTIVE".into()),
                tags: Vec::new(),
            },
            role: many.many_role.clone(),
            jobs: usize::from(many.jobs),
            group: many.group,
            command: args.command.clone(),
            options: options::session_options(&args.session)?,
            token_code: args.session.token_code.clone(),
            refresh: args.session.refresh,
            server: args.server,
        };
        return Ok(fanout::run(&fan_out, ctx, EXEC_MARKER)?);
    }
    if many.many_role.is_some() || many.group {
        bail!("--role and --group go with --all, --ou or --accounts; for one account give the role after it");
    }
    let (target_args, plan) = pick::planned_target(&args.target, &args.session, ctx)?;
    let sessions = Sessions::new(ctx, args.session.token_code.clone(), args.session.refresh);
    // Obtained first even when served: a failure, or an MFA prompt, comes
    // before the command starts.
    let entry = sessions.obtain(&plan)?;
    pick::remember(ctx, &target_args, &plan.target);
    let region = output_region(&plan.target, &entry);
    // Shown in prompts and messages: the terminal rule applies.
    let marker = crate::domain::text::terminal(&format!("{} {}", plan.target.account_label(), plan.target.role.name));
    if !args.server {
        let mut command = fanout::command_with(&args.command, &entry.credentials.env_change(region.as_deref()));
        command.env(EXEC_MARKER, marker);
        return exec(command, &args.command[0]);
    }
    let label = format!("{}/{}", plan.target.account_label(), plan.target.role.name);
    let hidden = server::files_to_hide()?;
    let mut endpoint_server = CredentialServer::start()?;
    let handler = server::session_handler(Arc::new(sessions), Arc::new(plan));
    let endpoint = endpoint_server.add(&label, handler)?;
    tracing::debug!(address = endpoint_server.address(), role = %label, "serving the command's credentials");
    let mut command = fanout::command_with(&args.command, &endpoint.env_change(region.as_deref(), &hidden));
    command.env(EXEC_MARKER, marker);
    let status = signals::run(&mut command);
    // The command has ended: nothing is served after it.
    endpoint_server.stop();
    match status {
        Ok(status) => Ok(signals::exit_code(status)),
        Err(e) => bail!("cannot run {}: {e}", crate::domain::validate::shown(&args.command[0])),
    }
}

#[cfg(unix)]
fn exec(mut command: Command, program: &str) -> Result<i32> {
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    bail!("cannot run {}: {error}", crate::domain::validate::shown(program))
}

#[cfg(not(unix))]
fn exec(mut command: Command, program: &str) -> Result<i32> {
    let status = command
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", crate::domain::validate::shown(program)))?;
    Ok(status.code().unwrap_or(1))
}
