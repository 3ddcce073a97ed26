//! Settings xacct reads from `~/.aws/config` itself (the SDK does not act on
//! them): a profile's `mfa_serial`. The file is read with the SDK's own
//! parser, so it means to xacct what it means to the SDK that connects with
//! it: `AWS_CONFIG_FILE`, `~` expansion, `[default]` and `[profile NAME]`
//! sections, comments and continuation lines.

use aws_config::profile::{ProfileFileLoadError, ProfileSet};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use std::collections::BTreeMap;

use crate::aws::source::Source;
use crate::domain::error::{Error, Result};
use crate::domain::sso_session::SsoSession;

/// `mfa_serial` of the profile `source` acts as (see [`Source::profile_name`]).
/// A config file that cannot be read is an error, not "no MFA": MFA that the
/// file asks for is never skipped silently.
pub fn mfa_serial(source: &Source) -> Result<Option<String>> {
    let profile = source.profile_name();
    let profiles = load(&Env::real(), &Fs::real())?;
    Ok(setting(&profiles, &profile, "mfa_serial"))
}

/// The sso-session `name` (with no name, the only one there is): an
/// `[sso-session NAME]` of `~/.aws/config`, else one of xacct's config
/// (`configured`), which the AWS CLI does not see.
pub fn sso_session(name: Option<&str>, configured: &BTreeMap<String, SsoSession>) -> Result<SsoSession> {
    find_sso_session(&load(&Env::real(), &Fs::real())?, name, configured)
}

fn find_sso_session(
    profiles: &ProfileSet,
    name: Option<&str>,
    configured: &BTreeMap<String, SsoSession>,
) -> Result<SsoSession> {
    let mut known: Vec<&str> = profiles
        .sso_sessions()
        .chain(configured.keys().map(String::as_str))
        .collect();
    known.sort_unstable();
    known.dedup();
    let name = match (name, known.as_slice()) {
        (Some(name), _) => name.to_owned(),
        (None, [one]) => (*one).to_owned(),
        (None, []) => {
            return Err(Error::msg(
                "no sso-session is configured: add an [sso-session NAME] section with sso_start_url and \
                 sso_region to ~/.aws/config (or run `aws configure sso-session`), then run `xacct login`",
            ))
        }
        (None, several) => {
            return Err(Error::msg(format!(
                "there are several sso-sessions ({}): pass --sso-session NAME or set sso_session in xacct's config",
                several.join(", ")
            )))
        }
    };
    let Some(section) = profiles.sso_session(&name) else {
        if let Some(session) = configured.get(&name) {
            return Ok(session.clone());
        }
        let known = if known.is_empty() {
            "there is none".to_owned()
        } else {
            format!("there are: {}", known.join(", "))
        };
        return Err(Error::msg(format!(
            "no [sso-session {name}] section in ~/.aws/config or xacct's config ({known})"
        )));
    };
    let get = |key: &str| {
        section
            .get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let missing = |key: &str| Error::msg(format!("[sso-session {name}] in ~/.aws/config has no {key}: add it"));
    let start_url = get("sso_start_url").ok_or_else(|| missing("sso_start_url"))?;
    let region = get("sso_region").ok_or_else(|| missing("sso_region"))?;
    let scopes: Vec<String> = get("sso_registration_scopes")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(SsoSession::new(name, start_url, region, scopes).in_aws_config())
}

/// Settings that make a profile give credentials, in the SDKs and the AWS CLI.
const CREDENTIAL_SETTINGS: [&str; 8] = [
    "aws_access_key_id",
    "credential_process",
    "role_arn",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "login_session",
];

/// Of `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, the variables of
/// the files (those variables' or `~/.aws/config` and `~/.aws/credentials`)
/// whose `[default]` profile gives credentials. Every SDK tries that profile
/// before a credential endpoint, so a command sent to one (see
/// `crate::server`) must not see it.
pub fn files_with_default_credentials() -> Result<Vec<&'static str>> {
    let (env, fs) = (Env::real(), Fs::real());
    let mut found = Vec::new();
    if gives_credentials(&load(&env, &fs)?, "default") {
        found.push("AWS_CONFIG_FILE");
    }
    if gives_credentials(&load_credentials_file(&env, &fs)?, "default") {
        found.push("AWS_SHARED_CREDENTIALS_FILE");
    }
    Ok(found)
}

fn gives_credentials(profiles: &ProfileSet, profile: &str) -> bool {
    CREDENTIAL_SETTINGS
        .iter()
        .any(|key| setting(profiles, profile, key).is_some())
}

/// The profiles of the config file only: `mfa_serial` has always been read
/// from there (the credentials file holds keys).
fn load(env: &Env, fs: &Fs) -> Result<ProfileSet> {
    load_files(
        env,
        fs,
        EnvConfigFiles::builder().include_default_config_file(true).build(),
    )
}

/// The profiles of the credentials file only.
fn load_credentials_file(env: &Env, fs: &Fs) -> Result<ProfileSet> {
    load_files(
        env,
        fs,
        EnvConfigFiles::builder().include_default_credentials_file(true).build(),
    )
}

fn load_files(env: &Env, fs: &Fs, files: EnvConfigFiles) -> Result<ProfileSet> {
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
    use crate::domain::sso_session::DEFAULT_SSO_SCOPE;

    fn profiles(text: &str) -> ProfileSet {
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "/cfg")]);
        load(&env, &Fs::from_slice(&[("/cfg", text)])).unwrap()
    }

    #[test]
    fn finds_the_sso_session() {
        let none = BTreeMap::new();
        let one =
            profiles("[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n");
        let found = find_sso_session(&one, None, &none).unwrap();
        assert_eq!(found.name, "corp");
        assert_eq!(found.region, "eu-west-1");
        assert_eq!(found.scopes, vec![DEFAULT_SSO_SCOPE.to_owned()]);
        let two = profiles(
            "[sso-session a]\nsso_start_url = u\nsso_region = r\nsso_registration_scopes = x, y\n[sso-session b]\nsso_start_url = u\nsso_region = r\n",
        );
        let err = find_sso_session(&two, None, &none).unwrap_err().to_string();
        assert!(err.contains("several sso-sessions (a, b)"), "{err}");
        assert_eq!(find_sso_session(&two, Some("a"), &none).unwrap().scopes, vec!["x", "y"]);
        let err = find_sso_session(&profiles("[default]\n"), None, &none)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no sso-session is configured"), "{err}");
        let err = find_sso_session(&two, Some("c"), &none).unwrap_err().to_string();
        assert!(err.contains("there are: a, b"), "{err}");
        // xacct's own config serves where ~/.aws/config has no such section.
        let xacct = SsoSession {
            name: "own".into(),
            start_url: "https://d-2.awsapps.com/start".into(),
            region: "us-east-2".into(),
            scopes: vec![DEFAULT_SSO_SCOPE.into()],
            in_aws_config: false,
        };
        let configured = BTreeMap::from([("own".to_owned(), xacct.clone())]);
        let empty = profiles("[default]\n");
        assert_eq!(find_sso_session(&empty, None, &configured).unwrap(), xacct);
        assert_eq!(find_sso_session(&one, Some("own"), &configured).unwrap(), xacct);
        let err = find_sso_session(&one, None, &configured).unwrap_err().to_string();
        assert!(err.contains("several sso-sessions (corp, own)"), "{err}");
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
    fn a_default_profile_that_gives_credentials_is_found_in_either_file() {
        let env = Env::from_slice(&[
            ("HOME", "/home/u"),
            ("AWS_CONFIG_FILE", "/cfg"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/creds"),
        ]);
        let fs = Fs::from_slice(&[
            (
                "/cfg",
                "[default]\nregion = eu-west-1\n[profile sso]\nsso_session = x\n",
            ),
            (
                "/creds",
                "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
            ),
        ]);
        assert!(!gives_credentials(&load(&env, &fs).unwrap(), "default"));
        assert!(gives_credentials(&load(&env, &fs).unwrap(), "sso"));
        assert!(gives_credentials(&load_credentials_file(&env, &fs).unwrap(), "default"));
        let none = Fs::from_slice(&[]);
        assert!(!gives_credentials(
            &load_credentials_file(&env, &none).unwrap(),
            "default"
        ));
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
