//! Dynamic shell completion of account names and roles.
//!
//! The scripts `xacct completions SHELL` prints (clap_complete's environment
//! mode) run `XACCT_COMPLETE=SHELL xacct -- WORDS...` on every Tab; clap parses
//! the words, so subcommands, flags and their values complete from the same
//! definitions as `--help`, and the ACCOUNT and ROLE arguments come here. Only
//! local files are read (cache and config): a Tab never waits on the network.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::org::choices;
use crate::store::{self, config::Config, recent};

/// The variable that switches xacct into completion mode.
pub const ENV_VAR: &str = "XACCT_COMPLETE";

/// Profiles, aliases and account names (and IDs, once a digit is typed) that start with `current`.
pub fn accounts(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some((config, cache)) = local_state() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let accounts = choices::cached_accounts(&cache);
    let recent = recent::load(&cache);
    let mut candidates: Vec<(String, String)> = Vec::new();
    // Recently used first, as in the picker.
    for used in &recent {
        if let Some(profile) = &used.profile {
            candidates.push((profile.clone(), "profile (recent)".into()));
        } else if let Some(account) = accounts.iter().find(|a| a.id == used.account_id) {
            candidates.push((account.name.clone(), format!("{} (recent)", account.id)));
        }
    }
    for (name, profile) in &config.profiles {
        candidates.push((name.clone(), format!("profile: {}", profile.account)));
    }
    for (alias, target) in &config.aliases {
        candidates.push((alias.clone(), format!("alias: {target}")));
    }
    let typing_an_id = current.starts_with(|c: char| c.is_ascii_digit());
    for account in &accounts {
        if typing_an_id {
            candidates.push((account.id.clone(), account.name.clone()));
        } else {
            candidates.push((account.name.clone(), account.id.clone()));
        }
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
    let roles = choices::roles_for(None, &config, &accounts, &recent);
    to_candidates(roles.into_iter().map(|r| (r, String::new())).collect(), &current)
}

fn local_state() -> Option<(Config, store::file::PrivateDir)> {
    let config = Config::load(&store::config_path().ok()?).ok()?;
    Some((config, store::cache_dir().ok()?))
}

/// Candidates starting with `current` (ignoring case), each once, in order.
/// Names with control characters or whitespace are left out: a shell would
/// split or misprint them.
fn to_candidates(candidates: Vec<(String, String)>, current: &str) -> Vec<CompletionCandidate> {
    let wanted = current.to_lowercase();
    let mut seen = std::collections::HashSet::new();
    candidates
        .into_iter()
        .filter(|(value, _)| !value.chars().any(|c| c.is_control() || c.is_whitespace()))
        .filter(|(value, _)| value.to_lowercase().starts_with(&wanted))
        .filter(|(value, _)| seen.insert(value.clone()))
        .map(|(value, help)| {
            let help = (!help.is_empty()).then(|| help.chars().filter(|c| !c.is_control()).collect::<String>().into());
            CompletionCandidate::new(value).help(help)
        })
        .collect()
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
