//! The names the command line takes for the shells xacct prints code for.
//! The shells themselves are `crate::shell`'s; only the command line knows clap.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::shell::init::InitShell;
use crate::shell::Shell;

impl ValueEnum for Shell {
    fn value_variants<'a>() -> &'a [Self] {
        &[Shell::Posix, Shell::Fish, Shell::Powershell]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Shell::Posix => PossibleValue::new("posix")
                .aliases(["sh", "bash", "zsh", "dash"])
                .help("sh, bash, zsh, dash, ksh"),
            Shell::Fish => PossibleValue::new("fish"),
            Shell::Powershell => PossibleValue::new("powershell").alias("pwsh"),
        })
    }
}

impl ValueEnum for InitShell {
    fn value_variants<'a>() -> &'a [Self] {
        &[InitShell::Bash, InitShell::Zsh, InitShell::Fish, InitShell::Powershell]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            InitShell::Bash => PossibleValue::new("bash"),
            InitShell::Zsh => PossibleValue::new("zsh"),
            InitShell::Fish => PossibleValue::new("fish"),
            InitShell::Powershell => PossibleValue::new("powershell").alias("pwsh"),
        })
    }
}
