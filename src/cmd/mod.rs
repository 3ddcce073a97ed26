//! One module per subcommand. Each writes its product to `out`; main prints
//! it only when the whole command succeeded.

pub mod accounts;
pub mod assume;
pub mod init;
pub mod unset;
pub mod url;
pub mod whoami;

use std::io::Write;

use anyhow::Result;

use crate::app::Context;
use crate::cli::Command;

pub fn run(command: &Command, out: &mut impl Write) -> Result<()> {
    // These read no file: a broken config must not break the
    // `eval "$(xacct init bash)"` in someone's .bashrc, nor `xacct unset`.
    match command {
        Command::Init(args) => return init::run(args, out),
        Command::Unset(args) => return unset::run(args, out),
        _ => {}
    }
    let ctx = Context::load()?;
    match command {
        Command::Accounts(args) => accounts::run(args, &ctx, out),
        Command::Assume(args) => assume::run(args, &ctx, out),
        Command::Url(args) => url::run(args, &ctx, out),
        Command::Whoami(args) => whoami::run(args, out),
        Command::Init(_) | Command::Unset(_) => unreachable!("run above without the context"),
    }
}
