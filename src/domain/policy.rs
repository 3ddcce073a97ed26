//! Inline session policies, given as JSON text or as a file holding it.

use std::path::{Path, PathBuf};

use crate::domain::error::{Error, Result};
use crate::domain::regular_file::{self, size_in_words, Refused};
use crate::domain::validate::{self, Invalid};

/// AWS takes 2,048 characters; a file may hold more whitespace than that
/// before it is plainly not a session policy.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A session policy as given: JSON text (already checked), or a file read and
/// checked only when a session needs it, so that commands which assume no
/// role (the prompt's `whoami --short`) never read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    Text(String),
    File {
        path: PathBuf,
        /// Where it was named, for messages (`config file F: profiles.p.policy`).
        origin: String,
    },
}

impl Policy {
    /// The policy `arg` names: the text itself when it starts with `{`, else
    /// the file it names (relative to `base_dir`), not read yet.
    pub fn named(arg: &str, base_dir: &Path, origin: String) -> Result<Self, Invalid> {
        if arg.trim_start().starts_with('{') {
            Ok(Policy::Text(validate::session_policy(arg)?.to_owned()))
        } else {
            Ok(Policy::File {
                path: base_dir.join(arg),
                origin,
            })
        }
    }

    /// The policy JSON.
    pub fn text(&self) -> Result<String> {
        match self {
            Policy::Text(text) => Ok(text.clone()),
            Policy::File { path, origin } => {
                read_file(path).map_err(|e| Error::Invalid(Invalid(format!("{origin}: {e}"))))
            }
        }
    }
}

/// The policy JSON in `arg` (see [`Policy::named`]), a file read at once: for
/// the command line, whose bad input fails before any call.
pub fn load(arg: &str, base_dir: &Path) -> Result<String, Invalid> {
    match Policy::named(arg, base_dir, String::new())? {
        Policy::Text(text) => Ok(text),
        Policy::File { path, .. } => read_file(&path),
    }
}

/// The policy in the regular file at `path`, checked.
fn read_file(path: &Path) -> Result<String, Invalid> {
    let shown = path.display();
    let bytes = match regular_file::read(path, MAX_FILE_BYTES) {
        Ok((bytes, _)) => bytes,
        Err(Refused::NotRegular) => {
            return Err(Invalid(format!(
                "policy file {shown} is not a regular file: give a file holding the policy JSON"
            )))
        }
        Err(Refused::TooLarge(max)) => {
            return Err(Invalid(format!(
                "policy file {shown} is larger than {}: AWS takes at most {} characters",
                size_in_words(max),
                validate::MAX_POLICY_CHARS
            )))
        }
        Err(Refused::NotFound) => return Err(Invalid(format!("cannot read policy file {shown}: no such file"))),
        Err(Refused::Io(e)) => return Err(Invalid(format!("cannot read policy file {shown}: {e}"))),
    };
    let text = String::from_utf8(bytes).map_err(|_| Invalid(format!("policy file {shown} is not UTF-8 text")))?;
    validate::session_policy(&text).map(str::to_owned)
}
