//! Parse, run, and turn any error into one line on stderr and a non-zero exit.

use std::io::{self, Write};
use std::process::ExitCode;

use xacct::cli::usage::ClapOutcome;

fn main() -> ExitCode {
    xacct::cli::complete::answer_if_asked();
    let cli = match xacct::cli::parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
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
fn usage_error(e: &xacct::cli::ClapError) -> ExitCode {
    match xacct::cli::usage::outcome(e) {
        ClapOutcome::Print => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ClapOutcome::PrintAndFail => {
            let _ = e.print();
            ExitCode::from(2)
        }
        ClapOutcome::Line(line) => {
            eprintln!("xacct: {}", xacct::domain::text::message(&line));
            ExitCode::from(2)
        }
    }
}
