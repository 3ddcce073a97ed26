//! The versioned TOML document both cache files share:
//! `version = 1` and a table of named entries.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::file::{PrivateDir, WriteLock};
use crate::domain::clock;
use crate::domain::error::{Error, Result};

pub const FORMAT_VERSION: i64 = 1;

/// The entries of a store file as TOML values, each parsed only when used.
pub type Entries = toml::Table;

/// Why a store file cannot be used as it is.
#[derive(Debug)]
pub struct Unusable(pub String);

/// Entries under `section` in `text`; an error when the file is not a store of
/// this format (garbage, truncated, wrong types, a newer version).
pub fn parse(bytes: &[u8], section: &str) -> Result<Entries, Unusable> {
    let text = std::str::from_utf8(bytes).map_err(|_| Unusable("it is not UTF-8 text".into()))?;
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Unusable(e.message().to_owned()))?;
    match doc.get("version") {
        Some(toml::Value::Integer(FORMAT_VERSION)) => {}
        Some(toml::Value::Integer(v)) => {
            return Err(Unusable(format!(
                "format version {v} is not one this xacct reads (it reads {FORMAT_VERSION})"
            )))
        }
        _ => return Err(Unusable("no format version".into())),
    }
    match doc.remove(section) {
        None => Ok(Entries::new()),
        Some(toml::Value::Table(entries)) => Ok(entries),
        Some(_) => Err(Unusable(format!("`{section}` is not a table"))),
    }
}

/// One entry, or `None` when it is missing or does not parse (a neighbour's
/// damage never spoils the others).
pub fn entry<T: DeserializeOwned>(entries: &Entries, key: &str) -> Option<T> {
    entries.get(key).cloned().and_then(|v| v.try_into().ok())
}

/// Every entry that parses.
pub fn all<T: DeserializeOwned>(entries: &Entries) -> Vec<(String, T)> {
    entries
        .iter()
        .filter_map(|(k, v)| v.clone().try_into().ok().map(|t| (k.clone(), t)))
        .collect()
}

/// Reads the store for a read-modify-write under `lock`. A file that does not
/// parse is moved aside with a warning, and the caller starts afresh.
pub fn load_for_update(dir: &PrivateDir, lock: &WriteLock, name: &str, section: &str) -> Result<Entries> {
    let Some(text) = dir.read(name)? else {
        return Ok(Entries::new());
    };
    match parse(&text, section) {
        Ok(entries) => Ok(entries),
        Err(Unusable(why)) => {
            let stamp = clock::now().unix_timestamp().to_string();
            let aside = dir.set_aside(lock, name, &stamp)?;
            let warning = format!(
                "{} could not be read ({why}); moved it to {} and starting with an empty cache",
                dir.file(name).display(),
                aside.display()
            );
            eprintln!("xacct: warning: {}", crate::domain::text::message(&warning));
            Ok(Entries::new())
        }
    }
}

/// Writes `entries` under `section` as a whole new file.
pub fn save<T: Serialize>(
    dir: &PrivateDir,
    lock: &WriteLock,
    name: &str,
    section: &str,
    entries: &std::collections::BTreeMap<String, T>,
) -> Result<()> {
    dir.write_atomic(lock, name, &to_text(section, entries)?)
}

/// The text of a store file holding `entries` under `section`.
pub fn to_text<T: Serialize>(section: &str, entries: &std::collections::BTreeMap<String, T>) -> Result<String> {
    #[derive(Serialize)]
    struct Doc<'a, T> {
        version: i64,
        #[serde(flatten)]
        body: std::collections::BTreeMap<&'a str, &'a std::collections::BTreeMap<String, T>>,
    }
    let doc = Doc {
        version: FORMAT_VERSION,
        body: [(section, entries)].into_iter().collect(),
    };
    toml::to_string(&doc).map_err(|e| Error::msg(e.to_string()))
}
