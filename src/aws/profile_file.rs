//! Settings xacct reads from `~/.aws/config` itself (the SDK does not expose
//! them): a profile's `mfa_serial`.

use std::path::PathBuf;

/// `mfa_serial` of `profile` (`default` when `None`) in the AWS config file.
pub fn mfa_serial(profile: Option<&str>) -> Option<String> {
    let text = std::fs::read_to_string(config_file()?).ok()?;
    setting(&text, profile.unwrap_or("default"), "mfa_serial")
}

fn config_file() -> Option<PathBuf> {
    match std::env::var_os("AWS_CONFIG_FILE") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::home_dir().map(|home| home.join(".aws").join("config")),
    }
}

/// `key` in the section of `profile`: `[default]` or `[profile NAME]`.
fn setting(text: &str, profile: &str, key: &str) -> Option<String> {
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = section.strip_prefix("profile ").map(str::trim).unwrap_or(section);
            in_profile = name == profile && (section == "default" || section.starts_with("profile "));
            continue;
        }
        if in_profile {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().to_owned()).filter(|v| !v.is_empty());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_profile_setting() {
        let text = "[default]\nmfa_serial = arn:default\n\n[profile mgmt]\n# comment\nregion=eu-west-1\nmfa_serial=arn:aws:iam::1:mfa/a\n[sso-session x]\nmfa_serial = no\n";
        assert_eq!(setting(text, "default", "mfa_serial").as_deref(), Some("arn:default"));
        assert_eq!(
            setting(text, "mgmt", "mfa_serial").as_deref(),
            Some("arn:aws:iam::1:mfa/a")
        );
        assert_eq!(setting(text, "x", "mfa_serial"), None);
        assert_eq!(setting(text, "other", "mfa_serial"), None);
    }
}
