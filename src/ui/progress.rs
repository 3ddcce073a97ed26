//! A one-line progress indicator on stderr for long fetches, shown only
//! when stderr is a terminal (never in pipes, logs or CI output).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Progress {
    what: &'static str,
    shown: AtomicBool,
    enabled: bool,
}

impl Progress {
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            shown: AtomicBool::new(false),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// `n` of the main thing fetched so far.
    pub fn set(&self, n: usize) {
        self.note(n, "");
    }

    /// `n` things done in a later step (`placed in OUs`, `tagged`).
    pub fn note(&self, n: usize, step: &str) {
        // Small fetches finish before a line would be worth drawing.
        if !self.enabled || n < 100 {
            return;
        }
        self.shown.store(true, Ordering::Relaxed);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2Kxacct: {n} {} {step}", self.what);
        let _ = err.flush();
    }

    /// Clears the line, if one was drawn.
    pub fn finish(&self) {
        if self.shown.load(Ordering::Relaxed) {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
