//! `xacct init SHELL`: the wrapper function for the user's shell startup file.

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::InitArgs;
use crate::shell::init;

pub fn run(args: &InitArgs, out: &mut impl Write) -> Result<()> {
    out.write_all(init::wrapper(args.shell).as_bytes())
        .context("cannot write the shell function")
}
