//! `xacct url`: the console switch-role link. Needs no credentials when the
//! account is given by ID or its name is in the cached account list.

use std::io::Write;

use anyhow::{bail, Result};

use crate::app::Context;
use crate::cli::options;
use crate::cli::pick;
use crate::cli::UrlArgs;
use crate::console::{self, SwitchRole};
use crate::domain;
use crate::session::target;

/// The console's limit on path + name in its switch-role form.
const MAX_CONSOLE_ROLE_NAME: usize = 64;

pub fn run(args: &UrlArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let cli_source = options::source_options(&args.source)?;
    let mut cli = cli_source.clone();
    cli.display_name = args
        .display_name
        .as_deref()
        .map(domain::console::check_display_name)
        .transpose()?
        .map(str::to_owned);
    cli.color = args.color.as_deref().map(domain::console::parse_color).transpose()?;
    let target_args = pick::target_args(&args.target, ctx, &cli_source)?;
    let (target, source) = target::resolve_named(ctx, &target_args, cli)?;
    if source.sso_session.is_some() {
        bail!(
            "the console's switch-role link needs an IAM role name, and a permission set's is not its name: \
             `xacct console {} {}` signs in to the console with the permission set's session",
            domain::text::terminal(&target_args.account),
            target.role.name
        );
    }
    let role_name = target.role.console_name();
    console::check_switchable(
        &role_name,
        target.options.session.external_id.is_some(),
        target.options.session.source_identity.is_some(),
    )?;
    if role_name.len() > MAX_CONSOLE_ROLE_NAME {
        bail!(
            "the console cannot switch to role {role_name}: its path and name are {} characters, \
             the console takes at most {MAX_CONSOLE_ROLE_NAME}; use `xacct assume` instead",
            role_name.len()
        );
    }
    let display_name = target
        .options
        .display_name
        .clone()
        .unwrap_or_else(|| console::default_display_name(&target.role.name, target.account_label()));
    let url = SwitchRole {
        partition: target.partition,
        account: target.account_id,
        role_name: &role_name,
        display_name: Some(&display_name),
        color: target.options.color.as_deref(),
    }
    .url();
    writeln!(out, "{url}")?;
    pick::remember(ctx, &target_args, &target);
    Ok(())
}
