//! One module per subcommand. Each writes its product to `out`; main prints
//! it only when the whole command succeeded.

pub mod accounts;
pub mod assume;
pub mod cache;
pub mod exec;
pub mod url;
pub mod whoami;

use std::io::Write;

use anyhow::Result;

use crate::app::Context;
use crate::cli::Command;

/// Runs `command`; returns the exit status to end with (non-zero only when a
/// command run by `xacct exec` says so).
pub fn run(command: &Command, out: &mut impl Write) -> Result<i32> {
    let ctx = Context::load()?;
    crate::aws::set_attempt_timeout(std::time::Duration::from_secs(ctx.config.http_timeout_secs));
    match command {
        Command::Accounts(args) => accounts::run(args, &ctx, out)?,
        Command::Assume(args) => assume::run(args, &ctx, out)?,
        Command::Exec(args) => return exec::run(args, &ctx),
        Command::Url(args) => url::run(args, &ctx, out)?,
        Command::Cache(command) => cache::run(command, &ctx, out)?,
        Command::Whoami(args) => whoami::run(args, &ctx, out)?,
    }
    Ok(0)
}
