//! `xacct generate aws-config|switch-roles|links`.

use std::io::Write;

use anyhow::{anyhow, Context as _, Result};

use crate::app::Context;
use crate::cli::accounts::filter_of;
use crate::cli::{options, GenerateArgs, GenerateCommand};
use crate::domain::role::RoleSpec;
use crate::domain::text;
use crate::generate::{aws_config, links, switch_roles, Selection, Wanted};

pub fn run(command: &GenerateCommand, ctx: &Context, out: &mut impl Write) -> Result<()> {
    match command {
        GenerateCommand::AwsConfig { common, write } => {
            let selection = Selection::load(&wanted(common)?, ctx)?;
            let xacct = xacct_command()?;
            match write {
                None => {
                    let (block, _) = aws_config::block(&selection, &xacct, &Default::default())?;
                    out.write_all(block.as_bytes())?;
                }
                Some(path) => {
                    let existing = match std::fs::read_to_string(path) {
                        Ok(text) => text,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
                    };
                    let (block, skipped) =
                        aws_config::block(&selection, &xacct, &aws_config::user_profiles(&existing))?;
                    aws_config::write_file(path, &aws_config::merge(&existing, &block))?;
                    for name in &skipped {
                        eprintln!(
                            "xacct: warning: left out profile {name}: {} already defines it",
                            text::terminal(&path.display().to_string())
                        );
                    }
                    let written = selection.pairs().len() - skipped.len();
                    eprintln!(
                        "xacct: wrote {written} profiles to {}",
                        text::terminal(&path.display().to_string())
                    );
                }
            }
        }
        GenerateCommand::SwitchRoles { common, color_rules } => {
            let rules = switch_roles::parse_rules(color_rules)?;
            let selection = Selection::load(&wanted(common)?, ctx)?;
            selection.check_iam_roles("generate switch-roles")?;
            out.write_all(switch_roles::render(&selection, &rules).as_bytes())?;
        }
        GenerateCommand::Links { common } => {
            let selection = Selection::load(&wanted(common)?, ctx)?;
            selection.check_iam_roles("generate links")?;
            out.write_all(links::render(&selection).as_bytes())?;
        }
    }
    Ok(())
}

/// What the flags ask to generate for, checked.
fn wanted(args: &GenerateArgs) -> Result<Wanted> {
    Ok(Wanted {
        roles: args
            .roles
            .iter()
            .map(|r| RoleSpec::parse(r))
            .collect::<Result<_, _>>()?,
        filter: filter_of(&args.filter)?,
        all_states: args.all_states,
        source: options::source_options(&args.source)?,
        refresh: args.refresh,
    })
}

/// How generated profiles call xacct: this very binary, by absolute path
/// (quoted where it is written: `aws_config::block`).
fn xacct_command() -> Result<String> {
    let exe = std::env::current_exe().context("cannot tell where xacct is installed")?;
    // A lossy path would name another file: refuse rather than guess.
    exe.into_os_string().into_string().map_err(|path| {
        anyhow!(
            "cannot write the path of xacct, {}, into a config file: it is not UTF-8 text",
            std::path::Path::new(&path).display()
        )
    })
}
