//! Every byte of shell code xacct prints: setting and unsetting variables in
//! each supported shell, and the `xacct init` wrappers (init.rs).

pub mod command;
pub mod init;
pub mod quote;

use std::fmt::Write as _;

use thiserror::Error;

use crate::domain::credentials::EnvChange;
use crate::domain::text::quoted;

/// The shell syntax to print (the command line's names: `crate::cli::shell_names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// sh, bash, zsh, dash, ksh
    Posix,
    Fish,
    Powershell,
}

/// Why an environment change cannot be written as shell code.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    /// Names are validated, never escaped.
    #[error("{} is not a valid environment variable name", quoted(.0))]
    BadName(String),
    #[error("the value of {0} contains a NUL byte, which no shell can hold")]
    NulInValue(String),
}

/// A change no shell can hold is bad input, refused before anything is printed.
impl From<RenderError> for crate::domain::error::Error {
    fn from(e: RenderError) -> Self {
        crate::domain::error::Error::Invalid(crate::domain::validate::Invalid(e.to_string()))
    }
}

/// Shell code that applies `change` when evaluated by `shell`.
pub fn render(shell: Shell, change: &EnvChange) -> Result<String, RenderError> {
    let mut out = String::new();
    for (name, value) in &change.set {
        check_name(name)?;
        if value.contains('\0') {
            return Err(RenderError::NulInValue(name.to_string()));
        }
        // Writing to a String cannot fail.
        let _ = match shell {
            Shell::Posix => writeln!(out, "export {name}={}", quote::posix(value)),
            Shell::Fish => writeln!(out, "set -gx {name} {};", quote::fish(value)),
            Shell::Powershell => writeln!(out, "$Env:{name} = {}", quote::powershell(value)),
        };
    }
    for name in &change.unset {
        check_name(name)?;
    }
    if !change.unset.is_empty() {
        let names = change.unset.join(" ");
        let _ = match shell {
            Shell::Posix => writeln!(out, "unset {names}"),
            // fish's `set -e` fails (status 4) when a name was not set; that
            // is not an error here, and `... | source` should end with 0.
            Shell::Fish => writeln!(out, "set -e {names}; or true;"),
            Shell::Powershell => writeln!(
                out,
                "Remove-Item -ErrorAction SilentlyContinue {}",
                change
                    .unset
                    .iter()
                    .map(|n| format!("Env:{n}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
    }
    Ok(out)
}

/// Names are validated, never escaped: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_name(name: &str) -> Result<(), RenderError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RenderError::BadName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change() -> EnvChange {
        EnvChange {
            set: vec![("AWS_ACCESS_KEY_ID", "AKIA'1".into())],
            unset: vec!["AWS_PROFILE", "AWS_SECURITY_TOKEN"],
        }
    }

    #[test]
    fn posix_exports_then_unsets() {
        let code = render(Shell::Posix, &change()).unwrap();
        assert_eq!(
            code,
            "export AWS_ACCESS_KEY_ID='AKIA'\\''1'\nunset AWS_PROFILE AWS_SECURITY_TOKEN\n"
        );
    }

    #[test]
    fn fish_and_powershell_forms() {
        let fish = render(Shell::Fish, &change()).unwrap();
        assert!(fish.starts_with("set -gx AWS_ACCESS_KEY_ID 'AKIA\\'1';\n"));
        assert!(fish.ends_with("set -e AWS_PROFILE AWS_SECURITY_TOKEN; or true;\n"));
        let ps = render(Shell::Powershell, &change()).unwrap();
        assert!(ps.starts_with("$Env:AWS_ACCESS_KEY_ID = 'AKIA''1'\n"));
        assert!(ps.ends_with("Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE,Env:AWS_SECURITY_TOKEN\n"));
    }

    #[test]
    fn bad_names_and_nul_values_are_refused() {
        let bad_name = EnvChange {
            set: vec![("A B", "x".into())],
            unset: vec![],
        };
        assert!(render(Shell::Posix, &bad_name).is_err());
        assert_eq!(
            render(Shell::Posix, &bad_name).unwrap_err().to_string(),
            "`A B` is not a valid environment variable name"
        );
        let nul = EnvChange {
            set: vec![("A", "x\0y".into())],
            unset: vec![],
        };
        assert!(render(Shell::Posix, &nul).is_err());
        assert_eq!(
            render(Shell::Fish, &nul).unwrap_err(),
            RenderError::NulInValue("A".into())
        );
        assert_eq!(
            render(Shell::Posix, &nul).unwrap_err().to_string(),
            "the value of A contains a NUL byte, which no shell can hold"
        );
    }
}
