//! Where the source credentials come from, named without resolving them, so
//! that a cache lookup needs no AWS configuration at all.

use std::env;

#[derive(Debug, Clone, Default)]
pub struct Source {
    /// A profile named on the command line or in the config file.
    pub profile: Option<String>,
}

impl Source {
    /// `profile:NAME` or `env:ACCESS_KEY_ID`, in the SDK's order of precedence
    /// (an explicit profile wins over the environment in xacct).
    pub fn cache_name(&self) -> String {
        if let Some(profile) = &self.profile {
            return format!("profile:{profile}");
        }
        if let Some(key) = non_empty("AWS_ACCESS_KEY_ID") {
            return format!("env:{key}");
        }
        let profile = non_empty("AWS_PROFILE").or_else(|| non_empty("AWS_DEFAULT_PROFILE"));
        format!("profile:{}", profile.as_deref().unwrap_or("default"))
    }

    /// A custom STS endpoint, which makes credentials differ from AWS's own.
    pub fn sts_endpoint() -> Option<String> {
        non_empty("AWS_ENDPOINT_URL_STS").or_else(|| non_empty("AWS_ENDPOINT_URL"))
    }
}

fn non_empty(var: &str) -> Option<String> {
    env::var(var).ok().filter(|v| !v.is_empty())
}

/// A session name that says who is acting: the local user name with every
/// character AWS does not allow replaced, 2-64 characters.
pub fn default_session_name() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .find_map(non_empty)
        .unwrap_or_default();
    session_name_for(&user)
}

fn session_name_for(user: &str) -> String {
    let cleaned: String = user
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    if cleaned.len() < 2 {
        format!("xacct-{cleaned}").trim_end_matches('-').to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn session_names_are_valid_by_construction() {
        for user in ["alice", "", "a", "Jürgen Müller", "DOMAIN\\bob", &"x".repeat(100), "ü"] {
            let name = session_name_for(user);
            assert!(validate::session_name(&name).is_ok(), "{user:?} -> {name:?}");
        }
        assert_eq!(session_name_for("alice"), "alice");
        assert_eq!(session_name_for("DOMAIN\\bob"), "DOMAIN-bob");
    }
}
