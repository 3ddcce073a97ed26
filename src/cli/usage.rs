//! Usage errors: clap's own, as one line that keeps clap's tips, and those
//! found after parsing (such as a missing account with no terminal to pick
//! one on). Both end with exit status 2.

use clap::error::{ContextKind, ContextValue, ErrorKind};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What to do with a clap error: help and the version are the product (stdout,
/// status 0); a usage error is one line for stderr.
pub enum ClapOutcome {
    Print,
    PrintAndFail,
    Line(String),
}

pub fn outcome(e: &clap::Error) -> ClapOutcome {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ClapOutcome::Print,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ClapOutcome::PrintAndFail,
        _ => ClapOutcome::Line(one_line(e)),
    }
}

/// clap's message, what it lists (missing arguments, possible values), its
/// tips (`a similar subcommand exists: 'assume'`), and the help to read.
fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid usage");
    let mut line = first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .trim_end_matches(':')
        .to_owned();
    let mut tips = Vec::new();
    for (kind, value) in e.context() {
        match (kind, value) {
            (ContextKind::InvalidArg, ContextValue::Strings(missing))
                if e.kind() == ErrorKind::MissingRequiredArgument =>
            {
                line = format!("{line}: {}", missing.join(" "));
            }
            (ContextKind::ValidValue, ContextValue::Strings(values)) if !values.is_empty() => {
                line = format!("{line} (possible values: {})", values.join(", "));
            }
            (ContextKind::SuggestedSubcommand, ContextValue::String(s)) => {
                tips.push(format!("a similar subcommand exists: '{s}'"))
            }
            (ContextKind::SuggestedSubcommand, ContextValue::Strings(s)) if s.len() == 1 => {
                tips.push(format!("a similar subcommand exists: '{}'", s[0]))
            }
            (ContextKind::SuggestedSubcommand, ContextValue::Strings(s)) => {
                tips.push(format!("similar subcommands exist: '{}'", s.join("', '")))
            }
            (ContextKind::SuggestedArg, ContextValue::String(s)) => {
                tips.push(format!("a similar argument exists: '{s}'"))
            }
            (ContextKind::SuggestedValue, ContextValue::String(s)) => {
                tips.push(format!("a similar value exists: '{s}'"))
            }
            (ContextKind::Suggested, ContextValue::StyledStrs(styled)) => {
                tips.extend(styled.iter().map(|s| s.to_string()))
            }
            _ => {}
        }
    }
    for tip in tips {
        line = format!("{line}; tip: {tip}");
    }
    format!("{line}: see `{} --help`", command_of(e))
}

/// The command whose help to read, from clap's usage line
/// (`Usage: xacct assume --shell <SHELL> <ACCOUNT>` names `xacct assume`).
fn command_of(e: &clap::Error) -> String {
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(usage)) => usage.to_string(),
        _ => String::new(),
    };
    let usage = usage.trim_start();
    let usage = usage.strip_prefix("Usage:").unwrap_or(usage);
    let words: Vec<&str> = usage
        .split_whitespace()
        .take_while(|w| !w.starts_with(['-', '<', '[']) && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    if words.is_empty() {
        "xacct".to_owned()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    fn line_for(args: &[&str]) -> String {
        let e = crate::cli::Cli::try_parse_from(args).unwrap_err();
        match outcome(&e) {
            ClapOutcome::Line(line) => line,
            _ => panic!("{args:?} is not a usage error"),
        }
    }

    /// main prints `{e:#}` of an anyhow error: a core error keeps its whole
    /// chain through `?`, and a usage error is still found by its type.
    #[test]
    fn core_errors_print_their_chain_at_the_edge_and_usage_errors_stay_typed() {
        use crate::domain::error::Error;
        let core = Error::from(std::io::Error::other("disk full")).context("cannot write /x");
        let chain = format!("{core:#}");
        let edge = anyhow::Error::from(core);
        assert_eq!(format!("{edge:#}"), chain);
        assert_eq!(chain, "cannot write /x: disk full");
        assert_eq!(edge.to_string(), "cannot write /x");
        let usage = anyhow::Error::from(UsageError("no account given".into()));
        assert!(usage.downcast_ref::<UsageError>().is_some());
        assert!(edge.downcast_ref::<UsageError>().is_none());
    }

    #[test]
    fn usage_errors_keep_clap_tips_and_name_the_help_to_read() {
        crate::cli::Cli::command().debug_assert();
        let typo = line_for(&["xacct", "asume", "demo"]);
        assert!(typo.contains("unrecognized subcommand 'asume'"), "{typo}");
        assert!(typo.contains("tip: a similar subcommand exists: 'assume'"), "{typo}");
        assert!(typo.ends_with("see `xacct --help`"), "{typo}");
        let flag = line_for(&["xacct", "assume", "demo", "--shel", "fish"]);
        assert!(flag.contains("tip: a similar argument exists: '--shell'"), "{flag}");
        assert!(flag.ends_with("see `xacct assume --help`"), "{flag}");
        let missing = line_for(&["xacct", "init"]);
        assert!(
            missing.contains("<SHELL>") && missing.ends_with("see `xacct init --help`"),
            "{missing}"
        );
        let value = line_for(&["xacct", "assume", "demo", "--shell", "fsh"]);
        assert!(
            value.contains("invalid value 'fsh'") && value.contains("posix, fish, powershell"),
            "{value}"
        );
    }
}
