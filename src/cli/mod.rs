//! The command line: the clap definitions (`args`) and one module per
//! subcommand. This is the only code that sees clap. Each command turns its
//! arguments into domain values, calls the core, and writes its product to
//! `out`; main prints it only when the whole command succeeded.

mod args;
pub mod options;
pub mod pick;
mod shell_names;

pub mod accounts;
pub mod assume;
pub mod cache;
pub mod complete;
pub mod completions;
pub mod console;
pub mod exec;
pub mod generate;
pub mod init;
pub mod login;
pub mod man;
pub mod serve;
pub mod unset;
pub mod url;
pub mod usage;
pub mod whoami;

use std::io::Write;

use anyhow::Result;

use crate::app::Context;
pub use args::*;
/// clap's parse error, for main to show (see [`usage::outcome`]).
pub use clap::Error as ClapError;

/// The command line of this process.
pub fn parse() -> Result<Cli, ClapError> {
    use clap::Parser;
    Cli::try_parse()
}

/// Runs `command`; returns the exit status to end with (non-zero only when a
/// command run by `xacct exec` says so).
pub fn run(command: &Command, out: &mut impl Write) -> Result<i32> {
    // These read no file: a broken config must not break the
    // `eval "$(xacct init bash)"` in someone's .bashrc, nor `xacct unset`.
    match command {
        Command::Init(args) => return init::run(args, out).map(|()| 0),
        Command::Unset(args) => return unset::run(args, out).map(|()| 0),
        Command::Completions(args) => return completions::run(args, out).map(|()| 0),
        Command::Man => return man::run(out).map(|()| 0),
        _ => {}
    }
    let ctx = Context::load()?;
    match command {
        Command::Accounts(args) => accounts::run(args, &ctx, out)?,
        Command::Assume(args) => assume::run(args, &ctx, out)?,
        // These two may serve credentials until the process ends, from
        // threads that use the context: it lives as long as the process.
        Command::Exec(args) => return exec::run(args, Box::leak(Box::new(ctx))),
        Command::Serve(args) => return serve::run(args, Box::leak(Box::new(ctx))).map(|()| 0),
        Command::Url(args) => url::run(args, &ctx, out)?,
        Command::Cache(command) => cache::run(command, &ctx, out)?,
        Command::Generate(command) => generate::run(command, &ctx, out)?,
        Command::Whoami(args) => whoami::run(args, &ctx, out)?,
        Command::Login(args) => login::run(args, &ctx)?,
        Command::Console(args) => console::run(args, &ctx, out)?,
        Command::Init(_) | Command::Unset(_) | Command::Completions(_) | Command::Man => {
            unreachable!("run above without the context")
        }
    }
    Ok(0)
}
