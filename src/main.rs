//! Parse, run, and turn any error into one line on stderr and a non-zero exit.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use xacct::cli::Cli;

fn main() -> ExitCode {
    // Answers a completion request from the shell (`xacct completions`) and exits;
    // otherwise costs two environment lookups.
    xacct::cli::complete::note_shell();
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(xacct::cli::complete::ENV_VAR)
        .complete();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    xacct::ui::logging::init(cli.verbose);
    // The product is buffered and printed only once the command has succeeded,
    // so that `eval "$(xacct ...)"` never runs half an answer.
    let mut product = Vec::new();
    let status = match xacct::cli::run(&cli.command, &mut product) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("xacct: {}", xacct::domain::text::message(&format!("{e:#}")));
            if e.downcast_ref::<xacct::cli::usage::UsageError>().is_some() {
                return ExitCode::from(2);
            }
            return ExitCode::FAILURE;
        }
    };
    if status != 0 {
        return ExitCode::from(u8::try_from(status).unwrap_or(1));
    }
    let mut stdout = io::stdout().lock();
    match stdout.write_all(&product).and_then(|_| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`xacct accounts | head`) is not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xacct: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as usual; a usage error becomes one line.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return ExitCode::from(2);
    }
    let text = e.render().to_string();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("invalid usage");
    let mut message = first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .trim_end_matches(':')
        .to_owned();
    // The names of missing arguments follow on indented lines.
    let missing: Vec<&str> = lines
        .clone()
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    if !missing.is_empty() {
        message = format!("{message}: {}", missing.join(" "));
    }
    // `Usage: xacct init <SHELL>` names the command whose help to read.
    let command: Vec<&str> = lines
        .find_map(|l| l.strip_prefix("Usage: "))
        .map(|usage| {
            usage
                .split_whitespace()
                .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                .collect()
        })
        .unwrap_or_default();
    let command = if command.is_empty() {
        "xacct".to_owned()
    } else {
        command.join(" ")
    };
    eprintln!(
        "xacct: {}",
        xacct::domain::text::message(&format!("{message}: see `{command} --help`"))
    );
    ExitCode::from(2)
}
