//! `xacct accounts`: the organization's accounts as a table or JSON.

use std::io::Write;

use anyhow::Result;

use crate::app::{self, Context};
use crate::cli::AccountsArgs;
use crate::source::Source;
use crate::table;

pub fn run(args: &AccountsArgs, ctx: &Context, out: &mut impl Write) -> Result<()> {
    let options = app::source_options(&args.source)?.or(&ctx.config.defaults);
    let source = Source {
        profile: options.source_profile.clone(),
    };
    let list = ctx
        .directory(&source)
        .list(args.refresh, || app::fetch_accounts(&source, options.region.as_deref()))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &list.accounts)?;
        writeln!(out)?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .accounts
        .iter()
        .map(|a| {
            let joined = a.joined.as_deref().map(|j| j.get(..10).unwrap_or(j)).unwrap_or("-");
            vec![
                a.id.clone(),
                a.name.clone(),
                a.email.clone(),
                a.state.clone(),
                joined.to_owned(),
            ]
        })
        .collect();
    out.write_all(table::render(&["ID", "NAME", "EMAIL", "STATE", "JOINED"], &rows).as_bytes())?;
    Ok(())
}
