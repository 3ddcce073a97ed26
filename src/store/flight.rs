//! Single flight across processes: the one process fetching something (a
//! role session, an MFA session, the account list) holds a lock file that
//! names its PID; others missing at the same moment wait for its answer.
//! A waiter says on stderr whom it is waiting for, and stops waiting for a
//! holder that is stopped (Ctrl-Z), which would otherwise make every other
//! caller wait out the whole limit in silence.

use std::fs::{File, TryLockError};
use std::time::{Duration, Instant};

use super::file::PrivateDir;

/// How long a waiter keeps quiet: most fetches finish well within it.
const QUIET_WAIT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(25);
/// The PID, right-aligned so that every holder writes the same 11 bytes in
/// place and a reader never sees a half-rewritten number.
const PID_WIDTH: usize = 10;

/// How long a process waits for another that is fetching the same thing.
pub const FLIGHT_WAIT: Duration = Duration::from_secs(30);

/// Held by the one process fetching; released on drop.
pub struct Flight {
    _file: File,
}

/// Waits up to `wait` to become the one fetching what `name` names (a cache
/// key id); `what` says what that is in the messages ("the same session").
/// `None` when the wait runs out, the holder is stopped, or the lock cannot
/// be had: the caller then proceeds on its own.
pub fn single_flight(dir: &PrivateDir, name: &str, what: &str, wait: Duration) -> Option<Flight> {
    dir.ensure().ok()?;
    let flights = PrivateDir::at(dir.file("flights"));
    let file = flights.open_private(&format!("{name}.lock")).ok()?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                record_holder(&file);
                return Some(Flight { _file: file });
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(_)) => return None,
        }
        // Threads of this process wait for each other (say, at one MFA
        // prompt) without a word.
        let holder = read_holder(&file).filter(|&pid| pid != std::process::id());
        if let Some(pid) = holder {
            if state(pid) == State::Stopped {
                eprintln!("xacct: process {pid}, which is fetching {what}, is stopped; fetching it here instead");
                return None;
            }
            if !told && started.elapsed() >= QUIET_WAIT {
                eprintln!(
                    "xacct: waiting for process {pid} that is fetching {what} (up to {}s) ...",
                    wait.as_secs()
                );
                told = true;
            }
        }
        if started.elapsed() >= wait {
            if let Some(pid) = holder {
                eprintln!(
                    "xacct: process {pid} has been fetching {what} for {}s; fetching it here instead",
                    wait.as_secs()
                );
            }
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// Writes this process's PID into the flight file it holds (best effort:
/// without it, waiters merely cannot name the holder).
fn record_holder(file: &File) {
    let text = format!("{:>PID_WIDTH$}\n", std::process::id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let _ = file.write_all_at(text.as_bytes(), 0);
    }
    #[cfg(not(unix))]
    let _ = (file, text);
}

/// The PID the holder recorded. A holder that has just taken the lock may not
/// have written yet, so this can be its predecessor's, which has exited:
/// [`state`] then says `Gone`, and the waiter keeps waiting.
fn read_holder(file: &File) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; PID_WIDTH + 1];
        let n = file.read_at(&mut buf, 0).ok()?;
        std::str::from_utf8(&buf[..n]).ok()?.trim().parse().ok()
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    /// Running, sleeping, waiting for the network or a terminal.
    Alive,
    /// Stopped by a signal (Ctrl-Z, SIGSTOP) or by a debugger: it makes no
    /// progress until someone resumes it.
    Stopped,
    /// Exited. Its lock is released with it, so a waiter need not give up:
    /// the PID was only a stale record.
    Gone,
    /// Cannot tell (no /proc).
    Unknown,
}

/// What `pid` is doing, from the third field of `/proc/PID/stat` (after the
/// command name, which may itself hold spaces and parentheses).
fn state(pid: u32) -> State {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => match stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
        {
            Some('T' | 't') => State::Stopped,
            Some('Z' | 'X') => State::Gone,
            Some(_) => State::Alive,
            None => State::Unknown,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && std::path::Path::new("/proc/self/stat").exists() => {
            State::Gone
        }
        Err(_) => State::Unknown,
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn reads_the_state_of_a_process() {
        assert_eq!(state(std::process::id()), State::Alive);
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        // SAFETY: kill has no memory preconditions; pid is our own child.
        unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while state(pid) != State::Stopped && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        assert_eq!(state(pid), State::Stopped);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(state(pid), State::Gone);
    }

    #[test]
    fn the_holder_records_its_pid_and_a_second_taker_waits() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        let held = single_flight(&dir, "k", "it", Duration::from_secs(1)).expect("free");
        let file = PrivateDir::at(dir.file("flights")).open_private("k.lock").unwrap();
        assert_eq!(read_holder(&file), Some(std::process::id()));
        // Our own holder is waited for (quietly) until the limit.
        assert!(single_flight(&dir, "k", "it", Duration::from_millis(100)).is_none());
        drop(held);
        assert!(single_flight(&dir, "k", "it", Duration::from_millis(100)).is_some());
    }
}
