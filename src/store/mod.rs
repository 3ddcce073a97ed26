//! Where xacct keeps things on disk: the user's config file and the
//! machine-written cache (credentials and the account list).

mod account_rows;
pub mod accounts;
pub mod config;
pub mod credential_cache;
mod document;
pub mod fetch_once;
pub mod file;
pub mod flight;
pub mod names;
pub mod recent;
pub mod sso_token;

use std::path::PathBuf;

use crate::domain::error::{Error, Result};

use file::PrivateDir;

/// `$XACCT_CONFIG_DIR/config.toml`, else `<config dir>/xacct/config.toml`.
pub fn config_path() -> Result<PathBuf> {
    let dir = match std::env::var_os("XACCT_CONFIG_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::config_dir()
            .ok_or_else(|| Error::msg("cannot find a config directory: set XACCT_CONFIG_DIR or HOME"))?
            .join("xacct"),
    };
    Ok(dir.join("config.toml"))
}

/// `$XACCT_CACHE_DIR`, else `<cache dir>/xacct`.
pub fn cache_dir() -> Result<PrivateDir> {
    let dir = match std::env::var_os("XACCT_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::cache_dir()
            .ok_or_else(|| Error::msg("cannot find a cache directory: set XACCT_CACHE_DIR or HOME"))?
            .join("xacct"),
    };
    Ok(PrivateDir::at(dir))
}
