//! The versioned TOML document both cache files share:
//! `version = 1` and a table of named entries.

use std::ops::RangeInclusive;

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
    parse_versions(bytes, section, FORMAT_VERSION..=FORMAT_VERSION).map(|(_, entries)| entries)
}

/// [`parse`] for a store whose format has had several versions: `readable`
/// are the ones this xacct reads. Returns the file's version with its entries.
pub fn parse_versions(bytes: &[u8], section: &str, readable: RangeInclusive<i64>) -> Result<(i64, Entries), Unusable> {
    let text = std::str::from_utf8(bytes).map_err(|_| Unusable("it is not UTF-8 text".into()))?;
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Unusable(e.message().to_owned()))?;
    let version = match doc.get("version") {
        Some(toml::Value::Integer(v)) if readable.contains(v) => *v,
        Some(toml::Value::Integer(v)) => {
            return Err(Unusable(format!(
                "format version {v} is not one this xacct reads (it reads {})",
                readable.end()
            )))
        }
        _ => return Err(Unusable("no format version".into())),
    };
    match doc.remove(section) {
        None => Ok((version, Entries::new())),
        Some(toml::Value::Table(entries)) => Ok((version, entries)),
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
    load_versions_for_update(dir, lock, name, section, FORMAT_VERSION..=FORMAT_VERSION).map(|(_, entries)| entries)
}

/// [`load_for_update`] for a store that reads several versions (see
/// [`parse_versions`]); an empty store is of the newest.
pub fn load_versions_for_update(
    dir: &PrivateDir,
    lock: &WriteLock,
    name: &str,
    section: &str,
    readable: RangeInclusive<i64>,
) -> Result<(i64, Entries)> {
    let newest = *readable.end();
    let Some(text) = dir.read(name)? else {
        return Ok((newest, Entries::new()));
    };
    match parse_versions(&text, section, readable) {
        Ok(found) => Ok(found),
        Err(Unusable(why)) => {
            let stamp = clock::now().unix_timestamp().to_string();
            let aside = dir.set_aside(lock, name, &stamp)?;
            let warning = format!(
                "{} could not be read ({why}); moved it to {} and starting with an empty cache",
                dir.file(name).display(),
                aside.display()
            );
            eprintln!("xacct: warning: {}", crate::domain::text::message(&warning));
            Ok((newest, Entries::new()))
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
    to_text_version(section, entries, FORMAT_VERSION)
}

/// [`to_text`] as format version `version`.
pub fn to_text_version<T: Serialize>(
    section: &str,
    entries: &std::collections::BTreeMap<String, T>,
    version: i64,
) -> Result<String> {
    #[derive(Serialize)]
    struct Doc<'a, T> {
        version: i64,
        #[serde(flatten)]
        body: std::collections::BTreeMap<&'a str, &'a std::collections::BTreeMap<String, T>>,
    }
    let doc = Doc {
        version,
        body: [(section, entries)].into_iter().collect(),
    };
    toml::to_string(&doc).map_err(|e| Error::msg(e.to_string()))
}
