//! The user-written config file: defaults, account aliases and named profiles.
//!
//! ```toml
//! [defaults]
//! role = "MemberReadOnlyAccess"
//! region = "eu-west-1"
//! duration = "1h"
//! refresh_margin = "15m"
//!
//! [aliases]
//! demo = "111122223333"
//!
//! [profiles.prod-ro]
//! account = "prod"
//! role = "ReadOnly"
//!
//! # Signing in through IAM Identity Center (`sso_session` in [defaults] or a profile):
//! [sso_sessions.corp]
//! start_url = "https://d-1234567890.awsapps.com/start"
//! region = "eu-west-1"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::account_id::AccountId;
use crate::domain::console::{self, Origin};
use crate::domain::error::{fail, Error, ErrorContext as _, Result};
use crate::domain::partition::Partition;
use crate::domain::regular_file::{self, size_in_words, Refused};
use crate::domain::role::RoleSpec;
use crate::domain::session_params::{self, ConfigSpot, Param, SessionParams};
use crate::domain::sso_session::SsoSession;
use crate::domain::validate::{self, Invalid};

use super::file::{self, Owners};

pub const DEFAULT_REFRESH_MARGIN_SECS: u64 = 15 * 60;
pub const DEFAULT_ACCOUNTS_TTL_SECS: u64 = 60 * 60;
/// A working day on one MFA code.
pub const DEFAULT_MFA_DURATION_SECS: u64 = 8 * 60 * 60;
pub const DEFAULT_HTTP_TIMEOUT_SECS: u64 = 30;
/// How long an `mfa_process` may take (a hardware key may wait for a touch).
pub const DEFAULT_MFA_PROCESS_TIMEOUT_SECS: u64 = 60;

/// Options that the command line, a named profile and the defaults can each set;
/// the first one set wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub role: Option<RoleSpec>,
    pub region: Option<String>,
    pub source_profile: Option<String>,
    pub partition: Option<Partition>,
    pub display_name: Option<String>,
    pub color: Option<String>,
    /// The MFA device to start an MFA session with, from which the role is assumed.
    pub mfa_serial: Option<String>,
    /// A command (run with `sh -c`) that prints the MFA code, instead of asking on the terminal.
    pub mfa_process: Option<String>,
    /// Another named profile whose credentials are the source (role chaining).
    pub assume_from: Option<String>,
    /// An IAM Identity Center sso-session whose sign-in is the source: the
    /// accounts come from its portal, and the roles are its permission sets.
    pub sso_session: Option<String>,
    /// What AssumeRole is asked for.
    pub session: SessionParams,
}

impl Options {
    /// `self`, with every unset option taken from `fallback`.
    pub fn or(self, fallback: &Options) -> Options {
        // The source is one choice: a profile named here wins over a fallback's sso-session.
        let (source_profile, sso_session) = if self.source_profile.is_some() || self.sso_session.is_some() {
            (self.source_profile, self.sso_session)
        } else {
            (fallback.source_profile.clone(), fallback.sso_session.clone())
        };
        Options {
            role: self.role.or_else(|| fallback.role.clone()),
            region: self.region.or_else(|| fallback.region.clone()),
            source_profile,
            partition: self.partition.or(fallback.partition),
            display_name: self.display_name.or_else(|| fallback.display_name.clone()),
            color: self.color.or_else(|| fallback.color.clone()),
            mfa_serial: self.mfa_serial.or_else(|| fallback.mfa_serial.clone()),
            mfa_process: self.mfa_process.or_else(|| fallback.mfa_process.clone()),
            assume_from: self.assume_from.or_else(|| fallback.assume_from.clone()),
            sso_session,
            session: self.session.or(&fallback.session),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// An account ID, alias or name, resolved like the command-line argument.
    pub account: String,
    pub options: Options,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub path: PathBuf,
    pub defaults: Options,
    pub refresh_margin_secs: u64,
    /// Whether `refresh_margin` was set in the file (a lowered one is then worth a word).
    pub refresh_margin_configured: bool,
    pub accounts_ttl_secs: u64,
    /// How long an MFA session (GetSessionToken) lasts.
    pub mfa_duration_secs: u64,
    /// How long one HTTP attempt to AWS may take.
    pub http_timeout_secs: u64,
    /// How long an `mfa_process` may run before it is stopped.
    pub mfa_process_timeout_secs: u64,
    /// The console sign-in federation endpoint, instead of the partition's own.
    pub federation_endpoint: Option<String>,
    pub aliases: BTreeMap<String, String>,
    pub profiles: BTreeMap<String, Profile>,
    /// `[sso_sessions.NAME]`: sign-in settings for people without an
    /// `[sso-session NAME]` in `~/.aws/config` (which wins when both exist).
    pub sso_sessions: BTreeMap<String, SsoSession>,
}

impl Config {
    pub fn empty(path: PathBuf) -> Self {
        Config {
            path,
            defaults: Options::default(),
            refresh_margin_secs: DEFAULT_REFRESH_MARGIN_SECS,
            refresh_margin_configured: false,
            accounts_ttl_secs: DEFAULT_ACCOUNTS_TTL_SECS,
            mfa_duration_secs: DEFAULT_MFA_DURATION_SECS,
            http_timeout_secs: DEFAULT_HTTP_TIMEOUT_SECS,
            mfa_process_timeout_secs: DEFAULT_MFA_PROCESS_TIMEOUT_SECS,
            federation_endpoint: None,
            aliases: BTreeMap::new(),
            profiles: BTreeMap::new(),
            sso_sessions: BTreeMap::new(),
        }
    }

    /// The config at `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self> {
        match read_trusted(path)? {
            Some(text) => Self::parse(path, &text),
            None => Ok(Self::empty(path.to_owned())),
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let file_error = |msg: String| Error::msg(format!("config file {}: {msg}", path.display()));
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| text[..span.start].matches('\n').count() + 1);
            let msg = e.message().trim().replace('\n', " ");
            match line {
                Some(line) => file_error(format!("line {line}: {msg}")),
                None => file_error(msg),
            }
        })?;
        let mut config = Self::empty(path.to_owned());
        let defaults = &raw.defaults;
        if defaults.account.is_some() || defaults.assume_from.is_some() {
            return Err(file_error(
                "defaults: account and assume_from name one account; put them in [profiles.NAME]".into(),
            ));
        }
        config.defaults = defaults.options("defaults", path).map_err(file_error)?;
        if let Some(v) = &defaults.refresh_margin {
            config.refresh_margin_secs = secs(v, "defaults.refresh_margin").map_err(file_error)?;
            config.refresh_margin_configured = true;
            if config.refresh_margin_secs >= validate::MAX_DURATION_SECS {
                return Err(file_error("defaults.refresh_margin: must be shorter than 12h".into()));
            }
        }
        if let Some(v) = &defaults.accounts_ttl {
            config.accounts_ttl_secs = secs(v, "defaults.accounts_ttl").map_err(file_error)?;
        }
        if let Some(v) = &defaults.http_timeout {
            config.http_timeout_secs = secs(v, "defaults.http_timeout").map_err(file_error)?;
            if !(1..=600).contains(&config.http_timeout_secs) {
                return Err(file_error("defaults.http_timeout: use 1s to 10m".into()));
            }
        }
        if let Some(v) = &defaults.mfa_process_timeout {
            config.mfa_process_timeout_secs = secs(v, "defaults.mfa_process_timeout").map_err(file_error)?;
            if !(1..=600).contains(&config.mfa_process_timeout_secs) {
                return Err(file_error("defaults.mfa_process_timeout: use 1s to 10m".into()));
            }
        }
        if let Some(v) = &defaults.federation_endpoint {
            let url = console::check_endpoint(v, Origin::ConfigFile)
                .map_err(|e| file_error(format!("defaults.federation_endpoint: {e}")))?;
            config.federation_endpoint = Some(url);
        }
        if let Some(v) = &defaults.mfa_duration {
            config.mfa_duration_secs = secs(v, "defaults.mfa_duration").map_err(file_error)?;
            validate::mfa_session_secs(config.mfa_duration_secs)
                .map_err(|e| file_error(format!("defaults.mfa_duration: {e}")))?;
        }
        for (alias, target) in raw.aliases {
            if alias.is_empty() || AccountId::is_valid(&alias) {
                return Err(file_error(format!(
                    "aliases.{alias}: an alias must be a name, not empty or an account ID"
                )));
            }
            if target.is_empty() {
                return Err(file_error(format!(
                    "aliases.{alias}: give an account ID or account name"
                )));
            }
            config.aliases.insert(alias, target);
        }
        for (name, section) in raw.profiles {
            let key = format!("profiles.{name}");
            if section.refresh_margin.is_some()
                || section.accounts_ttl.is_some()
                || section.mfa_duration.is_some()
                || section.http_timeout.is_some()
                || section.mfa_process_timeout.is_some()
                || section.federation_endpoint.is_some()
            {
                return Err(file_error(format!(
                    "{key}: refresh_margin, accounts_ttl, mfa_duration, http_timeout, mfa_process_timeout and \
                     federation_endpoint belong in [defaults]"
                )));
            }
            let Some(account) = section.account.clone().filter(|a| !a.is_empty()) else {
                return Err(file_error(format!(
                    "{key}.account is missing: say which account the profile is for"
                )));
            };
            let options = section.options(&key, path).map_err(file_error)?;
            config.profiles.insert(name, Profile { account, options });
        }
        for name in config.profiles.keys() {
            config.chain(name).map_err(|e| file_error(e.to_string()))?;
        }
        for (name, raw) in raw.sso_sessions {
            let session = raw.checked(&name).map_err(file_error)?;
            config.sso_sessions.insert(name, session);
        }
        Ok(config)
    }

    /// The profiles `name` takes its credentials from, nearest first
    /// (`assume_from`), refusing loops and unknown names.
    pub fn chain(&self, name: &str) -> Result<Vec<&str>, Invalid> {
        let mut chain: Vec<&str> = Vec::new();
        let mut current = name;
        while let Some(next) = self
            .profiles
            .get(current)
            .and_then(|p| p.options.assume_from.as_deref())
        {
            if next == name || chain.contains(&next) {
                let path: Vec<&str> = std::iter::once(name)
                    .chain(chain.iter().copied())
                    .chain([next])
                    .collect();
                return Err(Invalid(format!(
                    "profiles.{name}.assume_from makes a loop: {}",
                    path.join(" -> ")
                )));
            }
            if !self.profiles.contains_key(next) {
                return Err(Invalid(format!(
                    "profiles.{current}.assume_from names `{next}`, which is not a profile in this file"
                )));
            }
            chain.push(next);
            current = next;
        }
        Ok(chain)
    }
}

/// Far more than any config; a bound so that a device cannot exhaust memory.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The text of the config file at `path` (`None` when there is none), refused
/// when someone else could have written it or its directory: the config
/// chooses the credentials and where they are sent. A symlinked config (a
/// dotfiles repository) is read through the link, and the rules apply to the
/// file it leads to and to both directories.
fn read_trusted(path: &Path) -> Result<Option<String>> {
    let shown = path.display();
    let (bytes, meta) = match regular_file::read(path, MAX_CONFIG_BYTES) {
        Ok(read) => read,
        Err(Refused::NotFound) => return Ok(None),
        Err(Refused::NotRegular) => fail!("config file {shown} is not a regular file: move it away"),
        Err(Refused::TooLarge(max)) => fail!("config file {shown} is larger than {}", size_in_words(max)),
        Err(Refused::Io(e)) => fail!("cannot read config file {shown}: {e}"),
    };
    file::check_owner_and_mode(path, &meta, "config file", Owners::YouOrRoot)?;
    let dir_of = |p: &Path| match p.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut dirs = vec![dir_of(path)];
    if let Ok(real) = std::fs::canonicalize(path) {
        dirs.push(dir_of(&real));
    }
    for dir in dirs {
        let meta = std::fs::metadata(&dir).with_context(|| format!("cannot inspect {}", dir.display()))?;
        file::check_owner_and_mode(&dir, &meta, "directory", Owners::YouOrRoot)?;
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::msg(format!("config file {shown} is not UTF-8 text")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    defaults: RawSection,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
    #[serde(default)]
    profiles: BTreeMap<String, RawSection>,
    #[serde(default)]
    sso_sessions: BTreeMap<String, RawSsoSession>,
}

/// `[sso_sessions.NAME]`, the keys of an `[sso-session NAME]` of `~/.aws/config`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSsoSession {
    start_url: Option<String>,
    region: Option<String>,
    #[serde(default)]
    registration_scopes: Vec<String>,
}

impl RawSsoSession {
    fn checked(self, name: &str) -> Result<SsoSession, String> {
        let key = format!("sso_sessions.{name}");
        if name.is_empty() || name.chars().any(|c| c.is_control() || c.is_whitespace() || c == ']') {
            return Err(format!(
                "{key}: an sso-session name is a word without spaces or brackets"
            ));
        }
        let start_url = self
            .start_url
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .ok_or_else(|| format!("{key}.start_url: give the AWS access portal URL, https://..."))?;
        let region = self
            .region
            .ok_or_else(|| format!("{key}.region: give the Identity Center region, such as us-east-1"))?;
        validate::region(&region).map_err(|e| format!("{key}.region: {e}"))?;
        Ok(SsoSession::new(
            name.to_owned(),
            start_url,
            region,
            self.registration_scopes,
        ))
    }
}

/// Defines [`RawSection`]: the keys below, with one per AssumeRole option
/// (see [`session_params::for_each_session_param!`]), each as the config writes it.
macro_rules! define_raw_section {
    ($($field:ident : $rule:ty = $key:literal),* $(,)?) => {
        /// `[defaults]` and each `[profiles.NAME]` share their keys; which keys a section
        /// may use is checked after parsing, so the error can name the section.
        #[derive(Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct RawSection {
            account: Option<String>,
            role: Option<String>,
            region: Option<String>,
            $(
                #[serde(rename = $key)]
                $field: Option<<$rule as Param>::Written>,
            )*
            source_profile: Option<String>,
            partition: Option<String>,
            display_name: Option<String>,
            color: Option<String>,
            mfa_serial: Option<String>,
            mfa_process: Option<String>,
            assume_from: Option<String>,
            sso_session: Option<String>,
            refresh_margin: Option<toml::Value>,
            accounts_ttl: Option<toml::Value>,
            mfa_duration: Option<toml::Value>,
            http_timeout: Option<toml::Value>,
            mfa_process_timeout: Option<toml::Value>,
            federation_endpoint: Option<String>,
        }

        impl RawSection {
            /// The AssumeRole options of the section at `spot`, each read by its rule.
            fn session_params(&self, spot: &ConfigSpot) -> Result<SessionParams, String> {
                Ok(SessionParams {
                    $($field: self
                        .$field
                        .clone()
                        .map(|written| <$rule as Param>::from_config(written, spot))
                        .transpose()
                        .map_err(|e| format!("{}.{}: {e}", spot.section, $key))?,)*
                })
            }
        }
    };
}

session_params::for_each_session_param!(define_raw_section);

impl RawSection {
    /// The options of `section` of the config file at `path`.
    fn options(&self, section: &str, path: &Path) -> Result<Options, String> {
        let at = |key: &'static str| move |e: Invalid| format!("{section}.{key}: {e}");
        let session = self.session_params(&ConfigSpot { path, section })?;
        Ok(Options {
            role: self
                .role
                .as_deref()
                .map(RoleSpec::parse)
                .transpose()
                .map_err(at("role"))?,
            region: checked(&self.region, validate::region).map_err(at("region"))?,
            source_profile: self.source_profile.clone(),
            partition: self
                .partition
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(at("partition"))?,
            display_name: checked(&self.display_name, console::check_display_name).map_err(at("display_name"))?,
            color: self
                .color
                .as_deref()
                .map(console::parse_color)
                .transpose()
                .map_err(at("color"))?,
            mfa_serial: checked(&self.mfa_serial, validate::mfa_serial).map_err(at("mfa_serial"))?,
            mfa_process: checked(&self.mfa_process, validate::mfa_process).map_err(at("mfa_process"))?,
            assume_from: self.assume_from.clone(),
            sso_session: self.sso_session.clone().filter(|s| !s.is_empty()),
            session: session.checked().map_err(|e| format!("{section}: {e}"))?,
        })
    }
}

fn checked(value: &Option<String>, check: impl Fn(&str) -> Result<&str, Invalid>) -> Result<Option<String>, Invalid> {
    value.as_deref().map(check).transpose().map(|v| v.map(str::to_owned))
}

/// A duration written as seconds (`3600`) or with units (`"1h"`).
fn secs(value: &toml::Value, key: &str) -> Result<u64, String> {
    session_params::written_secs(value).map_err(|e| format!("{key}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sso_session::DEFAULT_SSO_SCOPE;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("/x/config.toml"), text)
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
            [defaults]
            role = "MemberReadOnlyAccess"
            region = "eu-west-1"
            duration = "1h"
            refresh_margin = 600
            accounts_ttl = "2h"
            [aliases]
            demo = "111122223333"
            [profiles.prod-ro]
            account = "prod"
            role = "team/ReadOnly"
            color = "red"
            duration = 7200
            "#,
        )
        .unwrap();
        assert_eq!(c.defaults.session.duration_secs, Some(3600));
        assert_eq!(c.refresh_margin_secs, 600);
        assert_eq!(c.accounts_ttl_secs, 7200);
        assert_eq!(c.aliases["demo"], "111122223333");
        let p = &c.profiles["prod-ro"];
        assert_eq!(p.account, "prod");
        assert_eq!(p.options.color.as_deref(), Some("f2b0a9"));
        assert_eq!(p.options.role.as_ref().unwrap().console_name(), "team/ReadOnly");
    }

    #[test]
    fn an_sso_session_is_read_and_the_source_is_one_choice() {
        let c = parse(
            "[defaults]\nsso_session = \"corp\"\n[sso_sessions.corp]\nstart_url = \"https://d-1.awsapps.com/start\"\n\
             region = \"eu-west-1\"\n[profiles.p]\naccount = \"a\"\nsource_profile = \"mgmt\"\n",
        )
        .unwrap();
        let corp = &c.sso_sessions["corp"];
        assert_eq!(
            (corp.start_url.as_str(), corp.region.as_str()),
            ("https://d-1.awsapps.com/start", "eu-west-1")
        );
        assert_eq!(corp.scopes, vec![DEFAULT_SSO_SCOPE]);
        // A profile (or the command line) naming a source profile is not turned into the default sso-session.
        let p = c.profiles["p"].options.clone().or(&c.defaults);
        assert_eq!((p.source_profile.as_deref(), p.sso_session), (Some("mgmt"), None));
        let plain = Options::default().or(&c.defaults);
        assert_eq!(
            (plain.source_profile, plain.sso_session.as_deref()),
            (None, Some("corp"))
        );
    }

    #[test]
    fn errors_name_the_file_the_key_and_the_problem() {
        let cases = [
            ("[defaults]\nrol = \"x\"\n", "line 2: unknown field `rol`"),
            (
                "[defaults]\nduration = 60\n",
                "defaults.duration: duration 60s is out of range",
            ),
            ("[profiles.p]\nrole = \"R\"\n", "profiles.p.account is missing"),
            (
                "[profiles.p]\naccount = \"a\"\nsession_name = \"a b\"\n",
                "profiles.p.session_name: invalid session name",
            ),
            (
                "[defaults]\naccount = \"a\"\n",
                "defaults: account and assume_from name one account",
            ),
            ("[defaults]\nduration = true\n", "defaults.duration: expected seconds"),
            ("[aliases]\n\"123456789012\" = \"x\"\n", "aliases.123456789012"),
            ("not toml", "line 1"),
            (
                "[defaults]\nfederation_endpoint = \"http://example.com/federation\"\n",
                "defaults.federation_endpoint: invalid federation endpoint",
            ),
            (
                "[profiles.p]\naccount = \"a\"\nfederation_endpoint = \"https://x/federation\"\n",
                "belong in [defaults]",
            ),
            (
                "[sso_sessions.corp]\nregion = \"eu-west-1\"\n",
                "sso_sessions.corp.start_url: give the AWS access portal URL",
            ),
            (
                "[sso_sessions.corp]\nstart_url = \"https://d-1.awsapps.com/start\"\nregion = \"eu west\"\n",
                "sso_sessions.corp.region",
            ),
            (
                "[sso_sessions.\"a b\"]\nstart_url = \"https://d-1.awsapps.com/start\"\nregion = \"eu-west-1\"\n",
                "an sso-session name is a word",
            ),
            ("[sso_sessions.corp]\nstart = \"x\"\n", "unknown field `start`"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with("config file /x/config.toml: "), "{err}");
            assert!(err.contains(want), "{err} should contain {want}");
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
