//! `xacct whoami`: the identity behind the current credentials.

use std::io::Write;

use anyhow::Result;

use crate::app;
use crate::aws::{sts, Aws};
use crate::cli::WhoamiArgs;

pub fn run(args: &WhoamiArgs, out: &mut impl Write) -> Result<()> {
    let options = app::source_options(&args.source)?;
    let aws = Aws::connect(options.source_profile.as_deref(), options.region.as_deref())?;
    let identity = aws.block_on(sts::caller_identity(&aws.config))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &identity)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", identity.arn)?;
    }
    Ok(())
}
