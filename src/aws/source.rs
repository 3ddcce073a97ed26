//! Where the source credentials come from, named without resolving them, so
//! that a cache lookup needs no AWS configuration at all.

use std::env;

use crate::domain::validate::Invalid;
use crate::store::config::Options;

/// How [`Source::cache_name`] names a profile, and keys in the environment.
const PROFILE_PREFIX: &str = "profile:";
const ENV_PREFIX: &str = "env:";
const SSO_PREFIX: &str = "sso:";

/// The access key ID of a source named `env:KEY` (keys in the environment).
pub fn env_key_id(cache_name: &str) -> Option<&str> {
    cache_name.strip_prefix(ENV_PREFIX)
}

#[derive(Debug, Clone, Default)]
pub struct Source {
    /// A profile named on the command line or in the config file.
    pub profile: Option<String>,
    /// An IAM Identity Center sso-session whose sign-in is the source: it wins
    /// over any profile (the portal, not the SDK, gives the credentials).
    pub sso_session: Option<String>,
}

impl Source {
    /// The source the options name (`sso_session`, else `source_profile`).
    pub fn of(options: &Options) -> Source {
        Source {
            profile: options.source_profile.clone(),
            sso_session: options.sso_session.clone(),
        }
    }

    /// `sso:NAME`, `profile:NAME` or `env:ACCESS_KEY_ID`, in the SDK's order
    /// of precedence (an explicit profile wins over the environment in xacct).
    pub fn cache_name(&self) -> String {
        if let Some(session) = &self.sso_session {
            return format!("{SSO_PREFIX}{session}");
        }
        if let Some(profile) = &self.profile {
            return format!("{PROFILE_PREFIX}{profile}");
        }
        if let Some(key) = non_empty("AWS_ACCESS_KEY_ID") {
            return format!("{ENV_PREFIX}{key}");
        }
        let profile = non_empty("AWS_PROFILE").or_else(|| non_empty("AWS_DEFAULT_PROFILE"));
        format!("{PROFILE_PREFIX}{}", profile.as_deref().unwrap_or("default"))
    }

    /// The profile whose settings apply, worked out as the SDK does: the one
    /// named (`--profile` or the config), else `AWS_PROFILE`, else `default`.
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| non_empty("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The source a [`Source::cache_name`] names, when xacct can act as it
    /// again whatever the environment holds: a profile or an sso-session.
    pub fn of_cache_name(name: &str) -> Option<Source> {
        if let Some(session) = name.strip_prefix(SSO_PREFIX) {
            return Some(Source {
                profile: None,
                sso_session: Some(session.to_owned()),
            });
        }
        name.strip_prefix(PROFILE_PREFIX).map(|profile| Source {
            profile: Some(profile.to_owned()),
            sso_session: None,
        })
    }

    /// True when the source is temporary credentials in the environment (for
    /// example from an earlier `eval "$(xacct assume ...)"`): assuming a role
    /// from them is role chaining.
    pub fn is_temporary(&self) -> bool {
        self.sso_session.is_none()
            && self.profile.is_none()
            && non_empty("AWS_ACCESS_KEY_ID").is_some()
            && non_empty("AWS_SESSION_TOKEN").is_some()
    }

    /// A custom STS endpoint, which makes credentials differ from AWS's own.
    pub fn sts_endpoint() -> Option<String> {
        non_empty("AWS_ENDPOINT_URL_STS").or_else(|| non_empty("AWS_ENDPOINT_URL"))
    }
}

/// The variables that choose the source credentials, read as text here and
/// by the AWS SDK, which both take one that is not UTF-8 for unset: a
/// silent fall back to another profile or to `default`, where the AWS CLI
/// errors. Their values are not shown: some are secrets.
const SOURCE_VARS: [&str; 5] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Refuses a source variable that is set but not valid UTF-8.
pub fn check_environment() -> Result<(), Invalid> {
    for var in SOURCE_VARS {
        if let Err(env::VarError::NotUnicode(_)) = env::var(var) {
            return Err(Invalid(format!("{var} is not valid UTF-8: fix it or unset it")));
        }
    }
    Ok(())
}

fn non_empty(var: &str) -> Option<String> {
    env::var(var).ok().filter(|v| !v.is_empty())
}

/// A session name that says who is acting: the local user name with every
/// character AWS does not allow replaced, 2-64 characters.
pub fn default_session_name() -> String {
    session_name_for(&user_name(non_empty, login_name))
}

/// The local user's name: USER, LOGNAME or USERNAME, and only when none is
/// set the password database. The name is part of the cache key, so a cache
/// hit needs it; asking the environment first keeps the password database
/// (NSS: nscd's socket, /etc/passwd, perhaps LDAP) off a hit in any login shell.
fn user_name(var: impl Fn(&str) -> Option<String>, password_database: impl FnOnce() -> Option<String>) -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .find_map(var)
        .or_else(password_database)
        .unwrap_or_default()
}

/// The name of the effective user from the password database.
#[cfg(unix)]
fn login_name() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and `buf` outlives the use of `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so pw_name points to a NUL-terminated string in `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(not(unix))]
fn login_name() -> Option<String> {
    None
}

fn session_name_for(user: &str) -> String {
    let cleaned: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
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
    use crate::domain::validate;

    #[test]
    fn the_password_database_is_asked_only_when_no_variable_names_the_user() {
        let never = || -> Option<String> { panic!("the password database was asked") };
        let only = |name: &'static str, value: &'static str| move |var: &str| (var == name).then(|| value.to_owned());
        assert_eq!(user_name(only("USER", "alice"), never), "alice");
        assert_eq!(user_name(only("LOGNAME", "bob"), never), "bob");
        assert_eq!(user_name(only("USERNAME", "carol"), never), "carol");
        assert_eq!(user_name(|_| None, || Some("dave".to_owned())), "dave");
        assert_eq!(user_name(|_| None, || None), "");
    }

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
