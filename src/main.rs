//! Parse, run, and turn any error into one line on stderr and a non-zero exit.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use xacct::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    xacct::logging::init(cli.verbose);
    // The product is buffered and printed only once the command has succeeded,
    // so that `eval "$(xacct ...)"` never runs half an answer.
    let mut product = Vec::new();
    let status = match xacct::cmd::run(&cli.command, &mut product) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("xacct: {}", one_line(&format!("{e:#}")));
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
    let first = text.lines().next().unwrap_or("invalid usage");
    let message = first.strip_prefix("error: ").unwrap_or(first).trim_end_matches(':');
    eprintln!("xacct: {message}: see `xacct --help`");
    ExitCode::from(2)
}

fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
