//! Parse, run, and turn any error into one line on stderr and a non-zero exit.

use std::io::{self, Write};
use std::process::ExitCode;

use xacct::cli::usage::ClapOutcome;

fn main() -> ExitCode {
    keep_large_allocations_on_the_heap();
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

/// glibc gives every allocation of 128 KiB or more its own mapping, returned
/// on free: reading a list of 10,000 accounts then faults in fresh pages for
/// each of its large buffers in turn. A short-lived process does better
/// reusing the heap (a Tab completion over 10,000 names spends about a third
/// of its time in the kernel otherwise).
fn keep_large_allocations_on_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
    }
}
