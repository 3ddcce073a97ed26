//! Inline session policies, given as JSON text or as a file holding it.

use std::path::Path;

use crate::domain::validate;

/// The policy JSON in `arg`: the text itself when it starts with `{`, else the
/// contents of the file it names (relative to `base_dir`).
pub fn load(arg: &str, base_dir: &Path) -> Result<String, String> {
    let text = if arg.trim_start().starts_with('{') {
        arg.to_owned()
    } else {
        let path = base_dir.join(arg);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read policy file {}: {e}", path.display()))?
    };
    validate::session_policy(&text).map(str::to_owned).map_err(|e| e.0)
}
