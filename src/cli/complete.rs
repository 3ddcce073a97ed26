//! Dynamic shell completion of account names and roles.
//!
//! The scripts `xacct completions SHELL` prints (clap_complete's environment
//! mode) run `XACCT_COMPLETE=SHELL xacct -- WORDS...` on every Tab; clap parses
//! the words, so subcommands, flags and their values complete from the same
//! definitions as `--help`, and the ACCOUNT and ROLE arguments come here. Only
//! local files are read (cache and config): a Tab never waits on the network.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::domain::text;
use crate::org::choices::{self, RolesOf};
use crate::shell::quote;
use crate::store::{self, config::Config, recent};

/// The variable that switches xacct into completion mode.
pub const ENV_VAR: &str = "XACCT_COMPLETE";

/// The shell asking for completions, as [`ENV_VAR`] names it.
static SHELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Notes which shell asks for completions, before clap_complete takes over:
/// it removes [`ENV_VAR`] before the candidates are asked for, and how a
/// candidate must be quoted depends on the shell.
/// Answers a completion request from the shell (`xacct completions`) and
/// exits; otherwise costs two environment lookups.
pub fn answer_if_asked() {
    note_shell();
    clap_complete::CompleteEnv::with_factory(<crate::cli::Cli as clap::CommandFactory>::command)
        .var(ENV_VAR)
        .complete();
}

fn note_shell() {
    let shell = std::env::var_os(ENV_VAR).unwrap_or_default();
    // Named as clap_complete matches it: by file stem (`/bin/bash`, `pwsh.exe`).
    let name = std::path::Path::new(&shell)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = SHELL.set(name);
}

/// Profiles, aliases and account names (and IDs, once a digit is typed) that start with `current`.
pub fn accounts(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some((config, cache)) = local_state() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let mut accounts = choices::cached_names_unsorted(&cache);
    // bash, zsh and fish sort what they show: sorting 10,000 names for them is wasted.
    let shell = SHELL.get().map(String::as_str).unwrap_or_default();
    if !matches!(shell, "bash" | "zsh" | "fish") {
        accounts.sort_by_cached_key(|(id, name)| (name.to_lowercase(), *id));
    }
    let recent = recent::load(&cache);
    let mut candidates: Vec<(String, String)> = Vec::new();
    // Recently used first, as in the picker.
    for used in &recent {
        if let Some(profile) = &used.profile {
            candidates.push((profile.clone(), "profile (recent)".into()));
        } else if let Some((id, name)) = accounts.iter().find(|(id, _)| *id == used.account_id) {
            candidates.push((name.clone(), format!("{id} (recent)")));
        }
    }
    for (name, profile) in &config.profiles {
        candidates.push((name.clone(), format!("profile: {}", profile.account)));
    }
    for (alias, target) in &config.aliases {
        candidates.push((alias.clone(), format!("alias: {target}")));
    }
    let typing_an_id = current.starts_with(|c: char| c.is_ascii_digit());
    let wanted = current.to_lowercase();
    // bash shows no descriptions: none are made for it.
    let described = shell != "bash";
    for (id, name) in accounts {
        // Most of 10,000 accounts do not match: skip them before copying anything.
        let word = if typing_an_id { id.as_str() } else { name.as_str() };
        if !starts_with_ignoring_case(word, &wanted) {
            continue;
        }
        let (value, help) = if typing_an_id {
            (id.to_string(), name)
        } else {
            (name, id.to_string())
        };
        candidates.push((value, if described { help } else { String::new() }));
    }
    to_candidates(candidates, &current)
}

/// Roles known from recent use and the config, then OrganizationAccountAccessRole.
pub fn roles(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some((config, cache)) = local_state() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let accounts = choices::cached_accounts(&cache);
    let recent = recent::load(&cache);
    let roles = choices::roles_for(RolesOf::AnyAccount, &config, &accounts, &recent);
    to_candidates(roles.into_iter().map(|r| (r, String::new())).collect(), &current)
}

fn local_state() -> Option<(Config, store::file::PrivateDir)> {
    let config = Config::load(&store::config_path().ok()?).ok()?;
    Some((config, store::cache_dir().ok()?))
}

/// Candidates starting with `current` (ignoring case), each once, in order,
/// as words for the shell that asked ([`shell_word`]). Names with characters
/// that the terminal rule would change are left out: they could be neither
/// shown nor typed as they are.
fn to_candidates(candidates: Vec<(String, String)>, current: &str) -> Vec<CompletionCandidate> {
    let wanted = current.to_lowercase();
    let shell = SHELL.get().map(String::as_str).unwrap_or_default();
    // bash shows no descriptions: none are made for it (10,000 fewer copies).
    let described = shell != "bash";
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (value, help) in &candidates {
        let usable = !value.is_empty() && !value.chars().any(text::is_unsafe_for_terminal);
        if !usable || !starts_with_ignoring_case(value, &wanted) || !seen.insert(value.as_str()) {
            continue;
        }
        let Some(word) = shell_word(shell, value) else {
            continue;
        };
        let help = (described && !help.is_empty()).then(|| text::terminal(help).into());
        out.push(CompletionCandidate::new(word).help(help));
    }
    out
}

/// Whether `value` starts with `lowercase` when lowercased (checked without
/// a lowercase copy of every one of 10,000 names).
fn starts_with_ignoring_case(value: &str, lowercase: &str) -> bool {
    if value.is_ascii() && lowercase.is_ascii() {
        let n = lowercase.len();
        return value.len() >= n && value.as_bytes()[..n].eq_ignore_ascii_case(lowercase.as_bytes());
    }
    let mut value = value.chars().flat_map(char::to_lowercase);
    lowercase.chars().all(|c| value.next() == Some(c))
}

/// `value` as `shell` must receive a completion to put it on the command line
/// as one word that runs nothing. bash and PowerShell insert what they get as
/// typed, so it comes quoted; zsh and fish quote what they insert themselves
/// (quoting it here would quote it twice). For any other shell a value that
/// needs quoting is left out.
fn shell_word(shell: &str, value: &str) -> Option<String> {
    match shell {
        "bash" => Some(quote::bash_completion(value)),
        "powershell" | "pwsh" | "powershell_ise" => Some(quote::powershell_word(value)),
        "zsh" | "fish" => Some(value.to_owned()),
        _ => quote::needs_no_quotes(value).then(|| value.to_owned()),
    }
}

/// The registration script for `shell`: completion functions that call back
/// into `xacct` (found on PATH when completing) for the candidates.
pub fn script(shell: clap_complete::Shell, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        clap_complete::Shell::Elvish => &Elvish,
        // A shell clap_complete adds later: no dynamic mode for it yet.
        _ => return Err(std::io::Error::other("no completions for this shell")),
    };
    completer.write_registration(ENV_VAR, "xacct", "xacct", "xacct", out)
}

#[cfg(test)]
mod tests {
    use super::starts_with_ignoring_case;

    #[test]
    fn prefixes_match_ignoring_case() {
        assert!(starts_with_ignoring_case("Prod-EU", "prod-"));
        assert!(starts_with_ignoring_case("ÜBER", "üb"));
        assert!(starts_with_ignoring_case("x", ""));
        assert!(!starts_with_ignoring_case("pr", "prod"));
        assert!(!starts_with_ignoring_case("staging", "prod"));
    }
}
