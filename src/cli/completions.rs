//! `xacct completions SHELL`: the shell code that completes xacct's commands,
//! flags, account names and roles (see `crate::ui::complete`).

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::CompletionsArgs;
use crate::ui::complete;

pub fn run(args: &CompletionsArgs, out: &mut impl Write) -> Result<()> {
    complete::script(args.shell, out).context("cannot write the completion script")
}
