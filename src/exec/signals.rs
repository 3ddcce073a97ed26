//! Signals while xacct stays the parent of the commands it runs (`exec
//! --server`, the fan-out) or serves until stopped (`serve`).
//!
//! SIGINT, SIGTERM, SIGHUP and SIGQUIT do not end xacct while a command runs:
//! one sent to xacct by a process (`kill`) is passed on to the commands; one
//! the kernel sends (Ctrl-C, Ctrl-\ or a hangup on the terminal) went to the
//! whole foreground process group, the commands included, so it is not sent
//! twice. The commands decide: a shell or a REPL that handles Ctrl-C goes on,
//! and xacct with it. When a command dies of a signal, xacct dies of the same
//! one (see [`exit_code`]), as if it had not been in between.

use std::io;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
#[cfg(unix)]
use std::sync::Once;

/// The signals passed on to the commands.
#[cfg(unix)]
const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The commands running now (process IDs; 0 is a free slot). At most 256 run
/// at once (`-j`).
static CHILDREN: [AtomicI32; 256] = [const { AtomicI32::new(0) }; 256];
/// The last signal received, 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// The last signal a process sent, for a command registered after it: one
/// being started as it arrived (recorded before the commands are looked at,
/// so that it reaches the command either way). A fan-out starts no command
/// after a signal, so no later one gets it.
#[cfg(unix)]
static PENDING: AtomicI32 = AtomicI32::new(0);
/// The write end of the pipe [`wait_for_termination`] reads, -1 for none.
#[cfg(unix)]
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

#[cfg(unix)]
static INSTALL: Once = Once::new();

/// From now on, the signals above are caught (see the module's comment).
pub fn catch() {
    #[cfg(unix)]
    INSTALL.call_once(|| {
        for signal in FORWARDED {
            // SAFETY: a handler that only uses atomics, kill(2) and write(2),
            // all async-signal-safe, installed with sigaction(2).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    RECEIVED.store(signal, Ordering::SeqCst);
    // si_code <= 0: sent by a process (kill, sigqueue, tkill); > 0: by the kernel.
    // SAFETY: the kernel hands a valid siginfo_t to an SA_SIGINFO handler.
    let from_a_process = !info.is_null() && unsafe { (*info).si_code } <= 0;
    if from_a_process {
        PENDING.store(signal, Ordering::SeqCst);
        for slot in &CHILDREN {
            let pid = slot.load(Ordering::SeqCst);
            if pid > 0 {
                // SAFETY: kill(2) is async-signal-safe.
                unsafe { libc::kill(pid, signal) };
            }
        }
    }
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) of one byte from the stack is async-signal-safe.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

/// The last signal caught, if any: a fan-out starts no more commands after one.
pub fn received() -> Option<i32> {
    Some(RECEIVED.load(Ordering::SeqCst)).filter(|&s| s != 0)
}

/// A running command that signals are passed on to, until dropped.
pub struct Registered {
    slot: Option<&'static AtomicI32>,
}

/// Passes the caught signals on to `child` from now on, and the last one a
/// process sent, if any (it may have come while `child` was being started).
pub fn register(child: &Child) -> Registered {
    let Ok(pid) = i32::try_from(child.id()) else {
        return Registered { slot: None };
    };
    let slot = CHILDREN.iter().find(|slot| {
        slot.compare_exchange(0, pid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    });
    #[cfg(unix)]
    if slot.is_some() {
        let pending = PENDING.swap(0, Ordering::SeqCst);
        if pending != 0 {
            // SAFETY: kill(2) on a child not yet reaped.
            unsafe { libc::kill(pid, pending) };
        }
    }
    Registered { slot }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            slot.store(0, Ordering::SeqCst);
        }
    }
}

/// Runs `command` as xacct's child, passing signals on, and waits for it.
pub fn run(command: &mut Command) -> io::Result<ExitStatus> {
    catch();
    let mut child = command.spawn()?;
    let registered = register(&child);
    let status = child.wait();
    drop(registered);
    status
}

/// The exit status xacct ends with for a command that ended with `status`:
/// its code; for a signal, xacct raises the same signal on itself (so a shell
/// sees "interrupted" and stops a loop, as it would without xacct), and
/// returns 128 + the signal if it is still alive (a signal that would dump core).
pub fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let ends_quietly = [
                libc::SIGINT,
                libc::SIGTERM,
                libc::SIGHUP,
                libc::SIGKILL,
                libc::SIGPIPE,
                libc::SIGALRM,
                libc::SIGUSR1,
                libc::SIGUSR2,
            ];
            if ends_quietly.contains(&signal) {
                use std::io::Write;
                let _ = io::stdout().flush();
                // SAFETY: the default action back, then the signal on this process.
                unsafe {
                    libc::signal(signal, libc::SIG_DFL);
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, signal);
                    libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                    libc::raise(signal);
                }
            }
            return 128 + signal;
        }
    }
    1
}

/// Blocks until SIGINT, SIGTERM, SIGHUP or SIGQUIT arrives; returns it.
#[cfg(unix)]
pub fn wait_for_termination() -> io::Result<i32> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) into a two-element array.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    WAKE_FD.store(fds[1], Ordering::SeqCst);
    catch();
    loop {
        let mut byte = 0u8;
        // SAFETY: read(2) of one byte into a local.
        let n = unsafe { libc::read(fds[0], (&mut byte as *mut u8).cast(), 1) };
        if n == 1 {
            return Ok(i32::from(byte));
        }
        let error = io::Error::last_os_error();
        if n < 0 && error.kind() == io::ErrorKind::Interrupted {
            continue;
        }
        return Err(error);
    }
}

#[cfg(not(unix))]
pub fn wait_for_termination() -> io::Result<i32> {
    loop {
        std::thread::park();
    }
}
