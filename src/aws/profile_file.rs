//! Settings xacct reads from `~/.aws/config` itself (the SDK does not act on
//! them): a profile's `mfa_serial`. The file is read with the SDK's own
//! parser, so it means to xacct what it means to the SDK that connects with
//! it: `AWS_CONFIG_FILE`, `~` expansion, `[default]` and `[profile NAME]`
//! sections, comments and continuation lines.

use aws_config::profile::{ProfileFileLoadError, ProfileSet};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use crate::aws::source::Source;
use crate::domain::error::{Error, Result};

/// `mfa_serial` of the profile `source` acts as (see [`Source::profile_name`]).
/// A config file that cannot be read is an error, not "no MFA": MFA that the
/// file asks for is never skipped silently.
pub fn mfa_serial(source: &Source) -> Result<Option<String>> {
    let profile = source.profile_name();
    let profiles = load(&Env::real(), &Fs::real())?;
    Ok(setting(&profiles, &profile, "mfa_serial"))
}

/// The profiles of the config file only: `mfa_serial` has always been read
/// from there (the credentials file holds keys).
fn load(env: &Env, fs: &Fs) -> Result<ProfileSet> {
    let files = EnvConfigFiles::builder().include_default_config_file(true).build();
    // The SDK's loader is async; it reads the file without any I/O driver, so
    // a bare current-thread runtime is enough.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::msg(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(aws_config::profile::load(fs, env, &files, None))
        .map_err(|e| Error::msg(format!("cannot read the AWS config file: {}", describe(&e))))
}

/// The error and its cause on one line (the parse error spans two).
fn describe(error: &ProfileFileLoadError) -> String {
    let text = match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    };
    text.replace(":\n  ", ": ")
}

/// `key` in `profile`, when set to something.
fn setting(profiles: &ProfileSet, profile: &str, key: &str) -> Option<String> {
    profiles
        .get_profile(profile)?
        .get(key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(text: &str) -> ProfileSet {
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "/cfg")]);
        load(&env, &Fs::from_slice(&[("/cfg", text)])).unwrap()
    }

    #[test]
    fn finds_the_profile_setting() {
        let text = "[default]\nmfa_serial = arn:default\n\n[profile mgmt]\n# comment\nregion=eu-west-1\nmfa_serial=arn:aws:iam::1:mfa/a\n[sso-session x]\nmfa_serial = no\n";
        let set = profiles(text);
        assert_eq!(setting(&set, "default", "mfa_serial").as_deref(), Some("arn:default"));
        assert_eq!(
            setting(&set, "mgmt", "mfa_serial").as_deref(),
            Some("arn:aws:iam::1:mfa/a")
        );
        assert_eq!(setting(&set, "x", "mfa_serial"), None);
        assert_eq!(setting(&set, "other", "mfa_serial"), None);
    }

    #[test]
    fn reads_the_file_the_way_the_sdk_does() {
        // `[mgmt]` without `profile ` is not a profile in the config file;
        // `[profile default]` is the default profile; an empty value is unset.
        let set = profiles(
            "[mgmt]\nmfa_serial = arn:bare\n[profile default]\nmfa_serial = arn:d\n[profile e]\nmfa_serial =\n",
        );
        assert_eq!(setting(&set, "mgmt", "mfa_serial"), None);
        assert_eq!(setting(&set, "default", "mfa_serial").as_deref(), Some("arn:d"));
        assert_eq!(setting(&set, "e", "mfa_serial"), None);
    }

    #[test]
    fn a_missing_file_has_no_profiles_and_a_broken_one_is_an_error() {
        let env = Env::from_slice(&[("HOME", "/home/u")]);
        let none = load(&env, &Fs::from_slice(&[])).unwrap();
        assert_eq!(setting(&none, "default", "mfa_serial"), None);
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "/cfg")]);
        let err = load(&env, &Fs::from_slice(&[("/cfg", "mfa_serial = x\n")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read the AWS config file: could not parse profile file: \
             error parsing /cfg on line 1: Expected a profile definition"
        );
    }
}
