//! `xacct generate aws-config`: ~/.aws/config profiles whose credentials come
//! from xacct, written between markers so that a later run replaces them and
//! never touches the profiles around them.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use super::{profile_name, Selection};
use crate::domain::error::Result;
use crate::domain::sso_session::SsoSession;
use crate::domain::text;
use crate::domain::validate::Invalid;
use crate::shell::command;

const BEGIN: &str = "# >>> xacct generated profiles (xacct generate aws-config): this block is rewritten >>>";
const END: &str = "# <<< xacct generated profiles <<<";

/// The block of generated profiles, leaving out the names in `taken`
/// (profiles the user wrote themselves). `xacct` is the path of the binary.
/// Foreign text (account names, OU paths) goes only into comments, through
/// the INI comment rule; every value passes the INI value rule.
pub fn block(selection: &Selection, xacct: &str, taken: &HashSet<String>) -> Result<(String, Vec<String>), Invalid> {
    let mut out = format!("{BEGIN}\n");
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    if let Some(session) = &selection.sso_session {
        // A session ~/.aws/config defines is already there, whether the block
        // is merged (--write) or printed to be appended: a second section
        // with its name would make a file botocore refuses.
        if !session.in_aws_config && !taken.contains(&format!("sso-session {}", session.name)) {
            sso_session_section(&mut out, session)?;
        }
    }
    for (account, role) in selection.pairs() {
        let mut name = profile_name(account, &role);
        if !seen.insert(name.clone()) {
            // Two accounts with the same name: the ID tells them apart.
            name = format!("{name}.{}", account.id);
            seen.insert(name.clone());
        }
        if taken.contains(&name) {
            skipped.push(name);
            continue;
        }
        let role_arn = role.arn(selection.partition, account.id);
        let _ = writeln!(out, "\n[profile {name}]");
        let ou = account.ou.as_deref().map(|ou| format!(", {ou}")).unwrap_or_default();
        let comment = text::ini_comment(&format!("{} ({}){ou}", account.name, account.id));
        let _ = writeln!(out, "# {comment}");
        if let Some(session) = &selection.sso_session {
            // The AWS CLI and the SDKs get these from the portal themselves, with xacct's sign-in.
            let _ = writeln!(out, "sso_session = {}", text::ini_value("sso_session", &session.name)?);
            let _ = writeln!(out, "sso_account_id = {}", account.id);
            let _ = writeln!(out, "sso_role_name = {}", text::ini_value("sso_role_name", &role.name)?);
            if let Some(region) = &selection.region {
                let _ = writeln!(out, "region = {}", text::ini_value("region", region)?);
            }
            continue;
        }
        let mut words = vec![xacct, "assume", &role_arn, "--format", "credential-process"];
        if let Some(profile) = &selection.source_profile {
            words.extend(["--profile", profile]);
        }
        let command = command::line(&words);
        let _ = writeln!(
            out,
            "credential_process = {}",
            text::ini_value("credential_process", &command)?
        );
        if let Some(region) = &selection.region {
            let _ = writeln!(out, "region = {}", text::ini_value("region", region)?);
        }
    }
    out.push_str(END);
    out.push('\n');
    Ok((out, skipped))
}

/// `[sso-session NAME]` for a session the file does not define yet (one from
/// xacct's config), so that the AWS CLI and the SDKs can use the profiles.
fn sso_session_section(out: &mut String, session: &SsoSession) -> Result<(), Invalid> {
    let _ = writeln!(
        out,
        "\n[sso-session {}]",
        text::ini_value("sso-session", &session.name)?
    );
    let _ = writeln!(
        out,
        "sso_start_url = {}",
        text::ini_value("sso_start_url", &session.start_url)?
    );
    let _ = writeln!(out, "sso_region = {}", text::ini_value("sso_region", &session.region)?);
    let scopes = session.scopes.join(", ");
    let _ = writeln!(
        out,
        "sso_registration_scopes = {}",
        text::ini_value("sso_registration_scopes", &scopes)?
    );
    Ok(())
}

/// Where the generated block is in `existing`: from the start of its BEGIN
/// line to past the end of its END line. Markers count only as whole lines: a
/// comment holding an account name may read like one.
fn block_span(existing: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut start = None;
    for line in existing.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        match start {
            None if bare == BEGIN => start = Some(offset),
            Some(begin) if bare == END => return Some((begin, offset + line.len())),
            _ => {}
        }
        offset += line.len();
    }
    None
}

/// `existing` with its generated block replaced by `block` (or `block`
/// appended when there was none), and everything else kept byte for byte.
pub fn merge(existing: &str, block: &str) -> String {
    match block_span(existing) {
        Some((start, end)) => format!("{}{block}{}", &existing[..start], &existing[end..]),
        _ if existing.is_empty() => block.to_owned(),
        _ => {
            let sep = if existing.ends_with("\n\n") {
                ""
            } else if existing.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{existing}{sep}{block}")
        }
    }
}

/// Profile names defined outside the generated block.
pub fn user_profiles(existing: &str) -> HashSet<String> {
    let outside = match block_span(existing) {
        Some((start, end)) => format!("{}{}", &existing[..start], &existing[end..]),
        None => existing.to_owned(),
    };
    outside
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('[')?
                .strip_suffix(']')
                .map(str::trim)
                .map(str::to_owned)
        })
        .map(|section| {
            section
                .strip_prefix("profile ")
                .map(|n| n.trim().to_owned())
                .unwrap_or(section)
        })
        .collect()
}

/// Writes `contents` to `path` through a temporary file and a rename, keeping
/// the file's permissions, and through a symlink to where it leads.
pub fn write_file(path: &Path, contents: &str) -> Result<()> {
    super::user_file::replace(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_replaces_only_the_generated_block() {
        let block_v1 = format!("{BEGIN}\n[profile a.R]\n{END}\n");
        let block_v2 = format!("{BEGIN}\n[profile b.R]\n{END}\n");
        let mine = "[default]\nregion = eu-west-1\n";
        let once = merge(mine, &block_v1);
        assert_eq!(once, format!("{mine}\n{block_v1}"));
        let with_tail = format!("{once}\n[profile mine]\nregion = x\n");
        let twice = merge(&with_tail, &block_v2);
        assert_eq!(twice, format!("{mine}\n{block_v2}\n[profile mine]\nregion = x\n"));
        assert_eq!(merge("", &block_v1), block_v1);
        let users = user_profiles(&twice);
        assert!(users.contains("default") && users.contains("mine") && !users.contains("b.R"));
    }
}
