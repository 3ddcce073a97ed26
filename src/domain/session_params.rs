//! The AssumeRole options a person can set (session name, duration, external
//! ID, source identity, tags, policies), in one type from the command line and
//! the config file to the STS request and the credential cache key.
//!
//! Each option is one line of [`for_each_session_param!`]: its field, the
//! [`Param`] rule that reads and checks it, and its config key (the flag's
//! field in `cli::SessionArgs` has the same name). Parsing the config file,
//! reading the flags, layering (`or`) and the cache key all derive from that
//! list. A new option is: its line there (with a rule), its flag, and its place
//! in the STS call (`aws::sts::assume_role`).

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::duration;
use crate::domain::policy::{self, Policy};
use crate::domain::validate::{self, Invalid};

/// How one option is read from the config file and from the command line,
/// and checked. The value it yields is valid by construction.
pub trait Param {
    /// The value in a [`SessionParams`].
    type Value: Clone + std::fmt::Debug + PartialEq + Eq + Serialize;
    /// How the config file writes it.
    type Written: DeserializeOwned + Clone;
    /// The value a config file wrote at `spot` (the message names no key:
    /// the caller puts `section.key: ` before it).
    fn from_config(written: Self::Written, spot: &ConfigSpot) -> Result<Self::Value, String>;
    /// The value given on the command line: the flag's text, once per
    /// occurrence (never empty).
    fn from_flag(values: Vec<String>) -> Result<Self::Value, String>;
}

/// Where in which config file a value was written.
pub struct ConfigSpot<'a> {
    pub path: &'a Path,
    /// `defaults` or `profiles.NAME`.
    pub section: &'a str,
}

/// Calls `$callback!` with the list of AssumeRole options, as
/// `field: Rule = "config key"`. The one list of them.
macro_rules! for_each_session_param {
    ($callback:ident) => {
        $callback! {
            session_name: $crate::domain::session_params::SessionName = "session_name",
            duration_secs: $crate::domain::session_params::Duration = "duration",
            external_id: $crate::domain::session_params::ExternalId = "external_id",
            source_identity: $crate::domain::session_params::SourceIdentity = "source_identity",
            tags: $crate::domain::session_params::Tags = "tags",
            transitive_tags: $crate::domain::session_params::TransitiveTags = "transitive_tags",
            policy_arns: $crate::domain::session_params::PolicyArns = "policy_arns",
            policy: $crate::domain::session_params::InlinePolicy = "policy",
        }
    };
}

macro_rules! define_session_params {
    ($($field:ident : $rule:ty = $key:literal),* $(,)?) => {
        /// The AssumeRole options; unset ones take their default (or are left
        /// out of the request). Serialized, the set ones make up part of the
        /// credential cache key.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
        pub struct SessionParams {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<<$rule as Param>::Value>,
            )*
        }

        impl SessionParams {
            /// The config keys (and flag names) of the options.
            pub const KEYS: &'static [&'static str] = &[$($key),*];

            /// `self`, with every unset option taken from `fallback`.
            pub fn or(self, fallback: &SessionParams) -> SessionParams {
                SessionParams {
                    $($field: self.$field.or_else(|| fallback.$field.clone()),)*
                }
            }

            /// The options the command line sets: `flag(key)` gives the text of
            /// the flag named like the config key, once per occurrence.
            pub fn from_flags(flag: impl Fn(&str) -> Vec<String>) -> Result<SessionParams, String> {
                Ok(SessionParams {
                    $($field: {
                        let values = flag($key);
                        if values.is_empty() {
                            None
                        } else {
                            Some(<$rule as Param>::from_flag(values)?)
                        }
                    },)*
                })
            }
        }
    };
}

pub(crate) use for_each_session_param;

for_each_session_param!(define_session_params);

impl SessionParams {
    /// Checks the options together (transitive keys must be tags).
    pub fn checked(self) -> Result<Self, Invalid> {
        let tags = self.tags.as_deref().unwrap_or_default();
        validate::tags(tags)?;
        validate::transitive_tag_keys(self.transitive_tags.as_deref().unwrap_or_default(), tags)?;
        validate::policy_arns(self.policy_arns.as_deref().unwrap_or_default())?;
        Ok(self)
    }
}

/// The role session's name: as given, or the local user's name, which is
/// looked up only when a session is fetched (the password database can mean
/// NSS sockets, /etc/passwd, LDAP): a cache hit names the default as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleSessionName {
    Given(String),
    OfUser,
}

impl RoleSessionName {
    /// The name to send, with `user` the default when none was given.
    pub fn resolve(&self, user: impl FnOnce() -> String) -> String {
        match self {
            RoleSessionName::Given(name) => name.clone(),
            RoleSessionName::OfUser => user(),
        }
    }
}

/// In the cache key the default is `(user)`, which no given name can be
/// (AWS allows no parentheses in session names).
impl Serialize for RoleSessionName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RoleSessionName::Given(name) => serializer.serialize_str(name),
            RoleSessionName::OfUser => serializer.serialize_str("(user)"),
        }
    }
}

/// One AssumeRole call, every value validated: the role, the session's name
/// and length, and the other options as set. It is also what the cache key
/// holds of a role session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRequest {
    pub role_arn: String,
    pub session_name: RoleSessionName,
    pub duration_secs: u64,
    /// The inline policy's JSON (a policy file, read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The other options; `session_name`, `duration_secs` and `policy` are
    /// taken out into the fields above.
    #[serde(flatten)]
    pub options: SessionParams,
}

impl RoleRequest {
    /// The request for `role_arn` with `params`, an unset length taken from
    /// the default, and a policy file read now (when a session needs it).
    pub fn new(role_arn: String, mut params: SessionParams) -> crate::domain::error::Result<Self> {
        Ok(Self {
            role_arn,
            session_name: params
                .session_name
                .take()
                .map_or(RoleSessionName::OfUser, RoleSessionName::Given),
            duration_secs: params.duration_secs.take().unwrap_or(validate::DEFAULT_DURATION_SECS),
            policy: params.policy.take().map(|p| p.text()).transpose()?,
            options: params,
        })
    }
}

/// A string option checked by `check`.
fn checked(text: String, check: fn(&str) -> Result<&str, Invalid>) -> Result<String, String> {
    check(&text).map_err(|e| e.0)?;
    Ok(text)
}

/// The only value of a single-valued flag (clap gives it once).
fn single(values: Vec<String>) -> String {
    values.into_iter().next_back().unwrap_or_default()
}

macro_rules! string_rule {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        pub struct $name;

        impl Param for $name {
            type Value = String;
            type Written = String;
            fn from_config(written: String, _: &ConfigSpot) -> Result<String, String> {
                checked(written, $check)
            }
            fn from_flag(values: Vec<String>) -> Result<String, String> {
                checked(single(values), $check)
            }
        }
    };
}

string_rule!(
    /// The role session name, shown in CloudTrail.
    SessionName,
    validate::session_name
);
string_rule!(
    /// The external ID the role's trust policy asks for.
    ExternalId,
    validate::external_id
);
string_rule!(
    /// The source identity set on the session.
    SourceIdentity,
    validate::source_identity
);

/// The session's length in seconds: seconds or `1h` in the config, `1h` on
/// the command line, within what AWS allows.
pub struct Duration;

impl Param for Duration {
    type Value = u64;
    type Written = toml::Value;
    fn from_config(written: toml::Value, _: &ConfigSpot) -> Result<u64, String> {
        validate::duration_secs(written_secs(&written)?).map_err(|e| e.0)
    }
    fn from_flag(values: Vec<String>) -> Result<u64, String> {
        validate::duration_secs(duration::parse_secs(&single(values)).map_err(|e| e.0)?).map_err(|e| e.0)
    }
}

/// A duration the config file writes as seconds (`3600`) or with units (`"1h"`).
pub fn written_secs(value: &toml::Value) -> Result<u64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::String(text) => duration::parse_secs(text).map_err(|e| e.0),
        other => Err(format!(
            "expected seconds or a string such as \"1h\", found {}",
            other.type_str()
        )),
    }
}

/// Session tags, in the order given: a table in the config, `KEY=VALUE` flags.
pub struct Tags;

impl Param for Tags {
    type Value = Vec<(String, String)>;
    type Written = std::collections::BTreeMap<String, String>;
    fn from_config(written: Self::Written, _: &ConfigSpot) -> Result<Self::Value, String> {
        Ok(written.into_iter().collect())
    }
    fn from_flag(values: Vec<String>) -> Result<Self::Value, String> {
        values
            .iter()
            .map(|t| match t.split_once('=') {
                Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
                None => Err(format!("invalid --tag {}: write KEY=VALUE", validate::shown(t))),
            })
            .collect()
    }
}

/// A list of strings, checked with the other options (see [`SessionParams::checked`]).
macro_rules! list_rule {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name;

        impl Param for $name {
            type Value = Vec<String>;
            type Written = Vec<String>;
            fn from_config(written: Vec<String>, _: &ConfigSpot) -> Result<Vec<String>, String> {
                Ok(written)
            }
            fn from_flag(values: Vec<String>) -> Result<Vec<String>, String> {
                Ok(values)
            }
        }
    };
}

list_rule!(
    /// Keys of the session tags that pass on to chained sessions.
    TransitiveTags
);
list_rule!(
    /// Managed policies that limit the session.
    PolicyArns
);

/// An inline session policy: JSON text, or a file holding it. A file named on
/// the command line is read at once; one named in the config file when a
/// session needs it (relative to the config's directory).
pub struct InlinePolicy;

impl Param for InlinePolicy {
    type Value = Policy;
    type Written = String;
    fn from_config(written: String, spot: &ConfigSpot) -> Result<Policy, String> {
        let base_dir = spot.path.parent().unwrap_or(Path::new("."));
        let origin = format!("config file {}: {}.policy", spot.path.display(), spot.section);
        Policy::named(&written, base_dir, origin).map_err(|e| e.0)
    }
    fn from_flag(values: Vec<String>) -> Result<Policy, String> {
        policy::load(&single(values), Path::new("."))
            .map(Policy::Text)
            .map_err(|e| e.0)
    }
}

impl Serialize for Policy {
    /// The policy's JSON. A file is not read here: [`RoleRequest::new`] reads
    /// it into its text, and only that goes into a cache key.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Policy::Text(text) => serializer.serialize_str(text),
            Policy::File { path, .. } => serializer.serialize_str(&format!("file:{}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_and_checked_by_their_rules() {
        let flags = |key: &str| match key {
            "session_name" => vec!["ops".to_owned()],
            "duration" => vec!["15m".to_owned()],
            "tags" => vec!["a=1".to_owned(), "b=".to_owned()],
            _ => vec![],
        };
        let params = SessionParams::from_flags(flags).unwrap();
        assert_eq!(params.session_name.as_deref(), Some("ops"));
        assert_eq!(params.duration_secs, Some(900));
        assert_eq!(
            params.tags,
            Some(vec![("a".into(), "1".into()), ("b".into(), String::new())])
        );
        assert_eq!(params.external_id, None);
        let bad = |key: &'static str, value: &'static str| {
            SessionParams::from_flags(move |k| if k == key { vec![value.to_owned()] } else { vec![] }).unwrap_err()
        };
        assert!(bad("session_name", "a").contains("invalid session name `a`"));
        assert!(bad("tags", "novalue").contains("invalid --tag `novalue`: write KEY=VALUE"));
    }

    #[test]
    fn layering_takes_each_unset_option_from_the_fallback() {
        let cli = SessionParams {
            external_id: Some("cli-1".into()),
            ..SessionParams::default()
        };
        let defaults = SessionParams {
            external_id: Some("default-1".into()),
            duration_secs: Some(7200),
            ..SessionParams::default()
        };
        let merged = cli.or(&defaults);
        assert_eq!(merged.external_id.as_deref(), Some("cli-1"));
        assert_eq!(merged.duration_secs, Some(7200));
    }

    #[test]
    fn a_request_takes_the_name_and_length_out_and_reads_the_policy() {
        let params = SessionParams {
            duration_secs: Some(900),
            policy: Some(Policy::Text("{}".into())),
            external_id: Some("x-1234".into()),
            ..SessionParams::default()
        };
        let request = RoleRequest::new("arn:aws:iam::111122223333:role/R".into(), params).unwrap();
        assert_eq!(
            (request.session_name.resolve(|| "alice".into()), request.duration_secs),
            ("alice".to_owned(), 900)
        );
        assert_eq!(
            (request.options.session_name.as_ref(), request.options.policy.as_ref()),
            (None, None)
        );
        assert_eq!(request.policy.as_deref(), Some("{}"));
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["external_id"], "x-1234");
        assert_eq!(json["policy"], "{}");
        assert!(json.get("tags").is_none());
    }

    #[test]
    fn an_unnamed_session_is_keyed_as_the_users_without_looking_the_user_up() {
        let request = RoleRequest::new("arn:aws:iam::111122223333:role/R".into(), SessionParams::default()).unwrap();
        assert_eq!(request.session_name, RoleSessionName::OfUser);
        let keyed = serde_json::to_value(&request).unwrap();
        assert_eq!(keyed["session_name"], "(user)");
        assert!(
            validate::session_name("(user)").is_err(),
            "no given name can be the default's key"
        );
        assert_eq!(request.session_name.resolve(|| "alice".into()), "alice");
    }
}
