//! Asking the person at the terminal. Prompts and answers go through the
//! terminal itself (`/dev/tty`), never stdout or stdin, so `eval "$(xacct ...)"`
//! and pipes keep working and a pipe's data is never taken for an answer.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use crate::domain::error::{Error, Result};
use crate::domain::validate;

/// A 6-digit MFA code for `serial`, typed at the terminal.
pub fn token_code(serial: &str) -> Result<String> {
    let no_terminal = || {
        Error::msg(format!(
            "an MFA code is needed for {serial} and there is no terminal to ask on: pass --token-code, \
             or name a program that prints codes with --mfa-process or mfa_process in the config"
        ))
    };
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_terminal())?;
    write!(tty, "MFA code for {serial}: ").map_err(|_| no_terminal())?;
    tty.flush().ok();
    let mut answer = String::new();
    BufReader::new(&tty).read_line(&mut answer).map_err(|_| no_terminal())?;
    let code = answer.trim();
    validate::token_code(code)?;
    Ok(code.to_owned())
}
