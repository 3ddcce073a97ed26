//! `xacct serve`: the credential endpoint of `exec --server` on its own, for
//! AWS tools started elsewhere (an IDE, `docker run --network host`). It
//! prints the two variables that send a tool there, in the shell's syntax,
//! then serves one role until SIGINT or SIGTERM.
//!
//! One role per `serve`: a tool reads one endpoint from its environment, and
//! a token that unlocks only one role is all a leaked token can give away.
//! Several roles are several `serve`s (each with its own port and token).

use std::io::Write;
use std::sync::Arc;

use anyhow::Result;

use crate::app::Context;
use crate::cli::pick;
use crate::cli::ServeArgs;
use crate::exec::signals;
use crate::server::{self, CredentialServer};
use crate::session::{output_region, Sessions};
use crate::shell;

/// `ctx` lives as long as the process: the endpoint's threads use it.
pub fn run(args: &ServeArgs, ctx: &'static Context) -> Result<()> {
    let (target_args, plan) = pick::planned_target(&args.target, &args.session, ctx)?;
    let sessions = Sessions::new(ctx, args.session.token_code.clone(), args.session.refresh);
    // Obtained first: a failure, or an MFA prompt, comes before anything is printed.
    let entry = sessions.obtain(&plan)?;
    pick::remember(ctx, &target_args, &plan.target);
    let region = output_region(&plan.target, &entry);
    let label = format!("{}/{}", plan.target.account_label(), plan.target.role.name);
    let hidden = server::files_to_hide()?;
    let mut endpoint_server = CredentialServer::start()?;
    let handler = server::session_handler(Arc::new(sessions), Arc::new(plan));
    let endpoint = endpoint_server.add(&label, handler)?;
    let code = shell::render(args.shell, &endpoint.env_change(region.as_deref(), &hidden))?;
    let label = crate::domain::text::terminal(&label);
    for name in &hidden {
        eprintln!(
            "xacct: {name} is set to an empty file: its [default] profile holds credentials, which AWS tools \
             would use before the endpoint"
        );
    }
    eprintln!(
        "xacct: serving {label} at {} until interrupted (Ctrl-C)",
        endpoint_server.address()
    );
    // Printed now (the command ends only when stopped), then stdout is
    // closed, so that whoever reads it sees the end.
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(code.as_bytes())?;
    stdout.flush()?;
    drop(stdout);
    close_stdout();
    let signal = signals::wait_for_termination()?;
    tracing::debug!(signal, "stopping the credential server");
    endpoint_server.stop();
    eprintln!("xacct: stopped serving {label}");
    Ok(())
}

/// Points stdout at /dev/null, so that a pipe or `$(...)` reading it ends.
fn close_stdout() {
    #[cfg(unix)]
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2(2) onto stdout; the Rust handle is flushed and unlocked.
        unsafe { libc::dup2(null.as_raw_fd(), libc::STDOUT_FILENO) };
    }
}
