//! `xacct unset`: shell code that removes the temporary credentials `xacct
//! assume` exported. The region and profile variables are left alone.

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::UnsetArgs;
use crate::domain::credentials;
use crate::shell;

pub fn run(args: &UnsetArgs, out: &mut impl Write) -> Result<()> {
    let code = shell::render(args.shell, &credentials::clear_change())?;
    out.write_all(code.as_bytes()).context("cannot write the shell code")
}
