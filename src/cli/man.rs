//! `xacct man`: the manual page, in roff, generated from the clap definitions
//! (one source of truth with `--help`). The page describes xacct as a whole,
//! then each subcommand with its synopsis, options and examples.

use std::io::Write;

use anyhow::{Context as _, Result};
use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::Cli;

pub fn run(out: &mut impl Write) -> Result<()> {
    page(out).context("cannot write the manual page")
}

fn page(out: &mut impl Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut top = Vec::new();
    Man::new(cmd.clone()).render(&mut top)?;
    let mut top = String::from_utf8_lossy(&top).replace("\n.SH EXTRA", "\n.SH EXAMPLES");
    // The subcommands are described in this page, not in pages of their own.
    for sub in visible_subcommands(&cmd) {
        top = top.replace(
            &format!("xacct\\-{}(1)", sub.get_name()),
            &format!("xacct {}", sub.get_name()),
        );
    }
    out.write_all(top.as_bytes())?;
    for sub in visible_subcommands(&cmd) {
        section(sub, out)?;
        for nested in visible_subcommands(sub) {
            section(nested, out)?;
        }
    }
    Ok(())
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// `XACCT ASSUME` with the subcommand's synopsis, description, options and
/// examples as its subsections.
fn section(sub: &clap::Command, out: &mut impl Write) -> std::io::Result<()> {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name()).to_uppercase();
    writeln!(out, ".SH \"{}\"", name.replace('"', ""))?;
    let man = Man::new(sub.clone());
    let mut body = Vec::new();
    man.render_synopsis_section(&mut body)?;
    man.render_description_section(&mut body)?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut body)?;
    }
    if sub.get_after_help().is_some() {
        man.render_extra_section(&mut body)?;
    }
    // Each part renders as a section of its own; here they are parts of one.
    let body = String::from_utf8_lossy(&body)
        .replace("\n.SH EXTRA", "\n.SS EXAMPLES")
        .replace("\n.SH ", "\n.SS ");
    let body = body.strip_prefix(".SH ").map(|b| format!(".SS {b}")).unwrap_or(body);
    out.write_all(body.as_bytes())
}
