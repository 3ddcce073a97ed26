//! Where an MFA code comes from when an MFA session has to be started: the
//! code given on the command line (once: AWS takes each code only once), else
//! the `mfa_process` program, else the person at the terminal.
//!
//! `mfa_process` is run with `sh -c`, its stdin not connected, its stderr
//! passed through (a hardware key's "touch your key" reaches the person), and
//! stopped after a timeout; the first line of its stdout must be the 6 digits.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::duration::format_secs;
use crate::domain::error::{fail, Error, Result};
use crate::domain::text;
use crate::domain::validate;
use crate::store::config::DEFAULT_MFA_PROCESS_TIMEOUT_SECS;
use crate::ui::prompt;

/// The codes of one run.
pub struct MfaCodes {
    /// `--token-code`: taken by the first MFA session started.
    given: Mutex<Option<String>>,
    /// How long `mfa_process` may run.
    timeout: Duration,
}

impl MfaCodes {
    pub fn new(given: Option<String>) -> Self {
        Self {
            given: Mutex::new(given),
            timeout: Duration::from_secs(DEFAULT_MFA_PROCESS_TIMEOUT_SECS),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A code for `serial`: the given one (once), else from `program`, else typed at the terminal.
    pub fn code(&self, serial: &str, program: Option<&str>) -> Result<String> {
        if let Some(code) = self.given.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Ok(code);
        }
        match program {
            Some(program) => {
                tracing::debug!(serial, "running mfa_process for the MFA code");
                from_program(program, self.timeout)
            }
            None => prompt::token_code(serial),
        }
    }
}

/// The most of the program's output that is read; a code is one short line.
const MAX_LINE: u64 = 4096;

/// The code `program` prints on the first line of its stdout, within `timeout`.
pub fn from_program(program: &str, timeout: Duration) -> Result<String> {
    let shown = text::quoted(program);
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(program)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let own_group = own_process_group(&mut command);
    let mut child = command
        .spawn()
        .map_err(|e| Error::msg(format!("cannot run mfa_process {shown}: {e}")))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    // The first line as soon as it is written; the rest is drained, so that a
    // program that writes more never blocks on a full pipe.
    let (first_line, arrived) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout.take(MAX_LINE));
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = first_line.send(line);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            outcome => {
                stop(&mut child, own_group);
                if let Err(e) = outcome {
                    fail!("cannot wait for mfa_process {shown}: {e}");
                }
                fail!(
                    "mfa_process {shown} did not finish within {}: check that it runs on its own \
                     (or raise mfa_process_timeout in the config)",
                    format_secs(timeout.as_secs())
                );
            }
        }
    };
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_owned(),
        };
        fail!("mfa_process {shown} failed ({how}): run it yourself to see why");
    }
    // It has exited: its line is there, unless something it started still
    // holds the pipe without writing one.
    let line = arrived
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .unwrap_or_default();
    let code = line.trim();
    if validate::token_code(code).is_err() {
        fail!("mfa_process {shown} did not print a 6-digit MFA code on the first line of its output");
    }
    Ok(code.to_owned())
}

/// Without a terminal nothing can prompt, so the program gets a process group
/// of its own, and a timeout stops everything it started. With one, it stays in
/// the terminal's foreground group, where it may ask for a password on
/// /dev/tty (it would be stopped there from a group of its own); a timeout
/// then stops the shell only.
#[cfg(unix)]
fn own_process_group(command: &mut Command) -> bool {
    use std::os::unix::process::CommandExt;
    let terminal = std::fs::OpenOptions::new().read(true).open("/dev/tty").is_ok();
    if !terminal {
        command.process_group(0);
    }
    !terminal
}

#[cfg(not(unix))]
fn own_process_group(_: &mut Command) -> bool {
    false
}

fn stop(child: &mut std::process::Child, own_group: bool) {
    #[cfg(unix)]
    if own_group {
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) with the group the child leads; it has not been reaped.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
    }
    #[cfg(not(unix))]
    let _ = own_group;
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(5);

    #[test]
    fn the_first_line_is_the_code() {
        assert_eq!(from_program("printf ' 123456 \\nmore\\n'", SECOND).unwrap(), "123456");
        assert_eq!(from_program("echo 654321", SECOND).unwrap(), "654321");
    }

    #[test]
    fn failures_name_the_program() {
        let err = from_program("exit 3", SECOND).unwrap_err().to_string();
        assert_eq!(
            err,
            "mfa_process `exit 3` failed (exit status 3): run it yourself to see why"
        );
        let err = from_program("echo 12345", SECOND).unwrap_err().to_string();
        assert!(err.contains("`echo 12345` did not print a 6-digit MFA code"), "{err}");
        let err = from_program("echo; echo 123456", SECOND).unwrap_err().to_string();
        assert!(
            err.contains("did not print a 6-digit MFA code on the first line"),
            "{err}"
        );
        let err = from_program("exec sleep 10", Duration::from_secs(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`exec sleep 10` did not finish within 1s"), "{err}");
    }

    #[test]
    fn a_given_code_is_used_once() {
        let codes = MfaCodes::new(Some("111111".into()));
        assert_eq!(codes.code("arn", Some("echo 222222")).unwrap(), "111111");
        assert_eq!(codes.code("arn", Some("echo 222222")).unwrap(), "222222");
    }
}
