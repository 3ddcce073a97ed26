//! `xacct completions SHELL`: the shell code that completes xacct's commands,
//! flags, account names and roles (see `crate::cli::complete`).

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::complete;
use crate::cli::CompletionsArgs;

pub fn run(args: &CompletionsArgs, out: &mut impl Write) -> Result<()> {
    complete::script(args.shell, out).context("cannot write the completion script")
}
