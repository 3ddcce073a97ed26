//! The IAM Identity Center token cache, in the AWS CLI v2's format and place:
//! `~/.aws/sso/cache/<SHA-1 hex of the sso-session name>.json`, 0600, so that
//! the AWS CLI and every SDK use xacct's sign-in, and xacct theirs.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use crate::domain::clock::{parse_rfc3339, rfc3339};
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;
use crate::domain::sso_session::SsoSession;
use crate::store::file::PrivateDir;

/// One cached token, with the client registration that can refresh it.
#[derive(Debug, Clone)]
pub struct SsoToken {
    pub start_url: String,
    pub region: Option<String>,
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub registration_expires_at: Option<OffsetDateTime>,
    pub refresh_token: Option<Secret>,
}

/// The file's JSON, as botocore writes and reads it (camelCase, times as
/// `2026-11-22T12:00:00Z`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    start_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    access_token: Secret,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registration_expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<Secret>,
}

/// `~/.aws/sso/cache`, where the AWS CLI v2 and the SDKs look.
pub fn cache_dir() -> Result<PrivateDir> {
    let home = dirs::home_dir().ok_or_else(|| Error::msg("cannot find the home directory: set HOME"))?;
    Ok(PrivateDir::at(home.join(".aws").join("sso").join("cache")))
}

/// The cache file's name for an sso-session: the SHA-1 of its name, in hex.
pub fn file_name(session_name: &str) -> String {
    let digest = Sha1::digest(session_name.as_bytes());
    let hex = crate::domain::text::hex(digest.as_ref());
    format!("{hex}.json")
}

/// Where the token of `session_name` is cached.
pub fn path(dir: &PrivateDir, session_name: &str) -> PathBuf {
    dir.file(&file_name(session_name))
}

/// The cached token of `session_name`, if there is one xacct can read. A file
/// that does not parse is as good as none: the sign-in writes a new one.
pub fn load(dir: &PrivateDir, session_name: &str) -> Result<Option<SsoToken>> {
    let name = file_name(session_name);
    let Some(bytes) = dir.read(&name)? else {
        return Ok(None);
    };
    let file: CacheFile = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) => {
            tracing::debug!(file = %dir.file(&name).display(), error = %e, "ignoring an unreadable token cache file");
            return Ok(None);
        }
    };
    let Some(expires_at) = parse_time(&file.expires_at) else {
        tracing::debug!(file = %dir.file(&name).display(), "ignoring a token cache file with an unreadable expiresAt");
        return Ok(None);
    };
    Ok(Some(SsoToken {
        start_url: file.start_url,
        region: file.region,
        access_token: file.access_token,
        expires_at,
        client_id: file.client_id,
        client_secret: file.client_secret,
        registration_expires_at: file.registration_expires_at.as_deref().and_then(parse_time),
        refresh_token: file.refresh_token,
    }))
}

/// The cached token of `session`, when it was issued for the session's start
/// URL (one of another portal under the same name is as good as none).
pub fn load_for(session: &SsoSession) -> Result<Option<SsoToken>> {
    Ok(load(&cache_dir()?, &session.name)?.filter(|t| t.start_url == session.start_url))
}

/// Writes the token of `session_name` (0600, atomically, the directory 0700
/// when created). The write lock is taken in `lock_dir` (xacct's cache), so
/// that the AWS CLI's directory holds nothing but its own kind of files.
pub fn save(dir: &PrivateDir, lock_dir: &PrivateDir, session_name: &str, token: &SsoToken) -> Result<PathBuf> {
    let name = file_name(session_name);
    let file = CacheFile {
        start_url: token.start_url.clone(),
        region: token.region.clone(),
        access_token: token.access_token.clone(),
        expires_at: rfc3339(token.expires_at),
        client_id: token.client_id.clone(),
        client_secret: token.client_secret.clone(),
        registration_expires_at: token.registration_expires_at.map(rfc3339),
        refresh_token: token.refresh_token.clone(),
    };
    let json = serde_json::to_string(&file).map_err(|e| Error::msg(format!("cannot encode the token: {e}")))?;
    let lock = lock_dir.lock(&format!("sso-cache-{name}"))?;
    dir.ensure()?;
    dir.write_atomic(&lock, &name, &json)?;
    Ok(dir.file(&name))
}

/// botocore writes `2026-11-22T12:00:00Z`; other tools have written
/// fractional seconds or an offset (`+00:00`, `UTC`): all parse.
fn parse_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    parse_rfc3339(text)
        .or_else(|| parse_rfc3339(&text.replace("UTC", "Z")))
        .or_else(|| parse_rfc3339(&format!("{text}Z")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_as_the_aws_cli_does() {
        // hashlib.sha1(b"my-sso").hexdigest()
        assert_eq!(file_name("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    }

    #[test]
    fn reads_the_times_tools_write() {
        for text in [
            "2026-11-22T12:00:00Z",
            "2026-11-22T12:00:00.123Z",
            "2026-11-22T12:00:00+00:00",
            "2026-11-22T12:00:00UTC",
        ] {
            assert_eq!(parse_time(text).unwrap().unix_timestamp(), 1_795_348_800, "{text}");
        }
    }
}
