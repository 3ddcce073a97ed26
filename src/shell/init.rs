//! `xacct init SHELL`: the shell function that shadows the binary so that
//! `xacct assume` and `xacct unset` change the current shell (zoxide-style).
//!
//! Each wrapper runs `xacct assume --shell <its code shell> ARGS...`, evaluates
//! the output only when the binary exited 0, and returns the binary's exit
//! status. Help, the version, `--format` other than `shell` and an explicit
//! `--shell` pass through unchanged, as does every other subcommand.

use super::Shell;

/// A shell `xacct init` can print a wrapper for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl InitShell {
    /// The `--shell` the wrapper passes to `xacct assume` and `xacct unset`.
    pub fn code_shell(self) -> Shell {
        match self {
            InitShell::Bash | InitShell::Zsh => Shell::Posix,
            InitShell::Fish => Shell::Fish,
            InitShell::Powershell => Shell::Powershell,
        }
    }
}

/// bash and zsh share one wrapper: it sticks to what both (and dash) read alike.
const POSIX_WRAPPER: &str = include_str!("init.sh");
const FISH_WRAPPER: &str = include_str!("init.fish");
const POWERSHELL_WRAPPER: &str = include_str!("init.ps1");

/// The script that defines the `xacct` function for `shell`.
pub fn wrapper(shell: InitShell) -> &'static str {
    match shell {
        InitShell::Bash | InitShell::Zsh => POSIX_WRAPPER,
        InitShell::Fish => FISH_WRAPPER,
        InitShell::Powershell => POWERSHELL_WRAPPER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wrapper_asks_the_binary_for_its_own_shell() {
        for shell in [InitShell::Bash, InitShell::Zsh, InitShell::Fish, InitShell::Powershell] {
            let name = match shell.code_shell() {
                Shell::Posix => "posix",
                Shell::Fish => "fish",
                Shell::Powershell => "powershell",
            };
            assert!(wrapper(shell).contains(&format!("--shell {name}")), "{shell:?}");
        }
    }
}
