//! The picker: a fuzzy list on the terminal to choose one line from.
//!
//! It draws on stderr and reads keys from the terminal, never stdout:
//! `eval "$(xacct assume)"` captures stdout, and only the shell code belongs there.

use std::io::IsTerminal;

use crate::domain::error::{Error, Result};
use dialoguer::theme::ColorfulTheme;
use dialoguer::FuzzySelect;

/// How many lines of choices the picker shows at once.
const PICKER_ROWS: usize = 15;

/// True when a person can be asked: keys come from stdin, the picker draws on stderr.
pub fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The index of the line picked among `labels`; Esc or q picks nothing.
pub fn pick(prompt: &str, labels: &[String]) -> Result<usize> {
    let term = console::Term::stderr();
    // Drawn on the terminal: the terminal rule applies to every line.
    let labels: Vec<String> = labels.iter().map(|l| crate::domain::text::terminal(l)).collect();
    let chosen = FuzzySelect::with_theme(&ColorfulTheme::default())
        .with_prompt(format!("{prompt} (type to filter, Enter to pick, Esc to cancel)"))
        .items(&labels)
        .default(0)
        .max_length(PICKER_ROWS)
        .interact_on_opt(&term);
    // The picker hides the cursor while it draws; an interrupted pick must not leave it hidden.
    let _ = term.show_cursor();
    match chosen {
        Ok(Some(index)) => Ok(index),
        Ok(None) => Err(Error::msg(format!(
            "no {} picked: pass it on the command line (under `eval \"$(xacct ...)\"` the shell reports eval's \
             status, 0, not xacct's: the `xacct init` wrapper keeps it)",
            prompt.to_lowercase()
        ))),
        Err(e) => Err(Error::msg(format!("the {} picker stopped: {e}", prompt.to_lowercase()))),
    }
}
