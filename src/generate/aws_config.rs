//! `xacct generate aws-config`: ~/.aws/config profiles whose credentials come
//! from xacct, written between markers so that a later run replaces them and
//! never touches the profiles around them.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use super::{profile_name, Selection};
use crate::ui::table;

const BEGIN: &str = "# >>> xacct generated profiles (xacct generate aws-config): this block is rewritten >>>";
const END: &str = "# <<< xacct generated profiles <<<";

/// The block of generated profiles, leaving out the names in `taken`
/// (profiles the user wrote themselves).
pub fn block(selection: &Selection, xacct: &str, taken: &HashSet<String>) -> (String, Vec<String>) {
    let mut out = format!("{BEGIN}\n");
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    for (account, role) in selection.pairs() {
        let mut name = profile_name(account, role);
        if !seen.insert(name.clone()) {
            // Two accounts with the same name: the ID tells them apart.
            name = format!("{name}.{}", account.id);
            seen.insert(name.clone());
        }
        if taken.contains(&name) {
            skipped.push(name);
            continue;
        }
        let role_arn = role.arn(&selection.partition, &account.id);
        let _ = writeln!(out, "\n[profile {name}]");
        let _ = writeln!(
            out,
            "# {} ({}){}",
            table::clean(&account.name),
            account.id,
            account.ou.as_deref().map(|ou| format!(", {ou}")).unwrap_or_default()
        );
        let mut command = format!("{xacct} assume {role_arn} --format credential-process");
        if let Some(profile) = &selection.source_profile {
            command.push_str(&format!(" --profile {profile}"));
        }
        let _ = writeln!(out, "credential_process = {command}");
        if let Some(region) = &selection.region {
            let _ = writeln!(out, "region = {region}");
        }
    }
    out.push_str(END);
    out.push('\n');
    (out, skipped)
}

/// `existing` with its generated block replaced by `block` (or `block`
/// appended when there was none), and everything else kept byte for byte.
pub fn merge(existing: &str, block: &str) -> String {
    match (existing.find(BEGIN), existing.find(END)) {
        (Some(start), Some(end)) if end > start => {
            let after = &existing[end + END.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            format!("{}{block}{after}", &existing[..start])
        }
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
    let outside = match (existing.find(BEGIN), existing.find(END)) {
        (Some(start), Some(end)) if end > start => format!("{}{}", &existing[..start], &existing[end..]),
        _ => existing.to_owned(),
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
