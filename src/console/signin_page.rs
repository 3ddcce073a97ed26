//! The page that hands the console sign-in link to the browser. The link
//! grants the console session, and every user of the machine can read a
//! program's command line (`ps -eo args`), so the browser is never given the
//! link itself: it opens a private page (0600, in the cache's 0700 `signin`
//! directory) that redirects to it. The page is left for the browser to read
//! (it may start slowly) and removed by a later `xacct console`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::domain::error::{ErrorContext as _, Result};
use crate::domain::secret::Secret;
use crate::domain::text;
use crate::store::file::PrivateDir;

const DIR: &str = "signin";
const PREFIX: &str = "signin-";
const SUFFIX: &str = ".html";
/// Long enough for a browser to start and read its page.
const KEEP_FOR: Duration = Duration::from_secs(120);

/// Writes the page that leads to `link`; returns its absolute path.
pub fn write(cache: &PrivateDir, link: &Secret) -> Result<PathBuf> {
    cache.ensure()?;
    let dir = PrivateDir::at(cache.file(DIR));
    dir.ensure()?;
    remove_stale(dir.path(), SystemTime::now());
    // tempfile creates the file exclusively, with mode 0600.
    let mut file = tempfile::Builder::new()
        .prefix(PREFIX)
        .suffix(SUFFIX)
        .tempfile_in(dir.path())
        .with_context(|| format!("cannot create a sign-in page in {}", dir.path().display()))?;
    file.write_all(page(link).as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write a sign-in page in {}", dir.path().display()))?;
    let path = file
        .into_temp_path()
        .keep()
        .map_err(|e| e.error)
        .with_context(|| format!("cannot keep the sign-in page in {}", dir.path().display()))?;
    Ok(std::path::absolute(&path).unwrap_or(path))
}

/// Removes the page at `path` (when the browser could not be started).
pub fn remove(path: &Path) {
    let _ = fs::remove_file(path);
}

/// The page: a meta refresh to the link, and the link to click should the
/// browser not follow it. HTML-escaped, as every value xacct writes in HTML.
fn page(link: &Secret) -> String {
    let href = text::html(link.expose());
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0; url={href}">
<title>Opening the AWS console</title>
</head>
<body>
<p><a href="{href}">Open the AWS console</a></p>
</body>
</html>
"#
    )
}

/// Pages older than [`KEEP_FOR`]: their browser has long read them.
fn remove_stale(dir: &Path, now: SystemTime) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified());
        if modified.is_ok_and(|t| now.duration_since(t).unwrap_or_default() > KEEP_FOR) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_private_page_that_leads_to_the_link() {
        let root = tempfile::tempdir().unwrap();
        let cache = PrivateDir::at(root.path().join("xacct"));
        let link = Secret::new("https://signin.aws.amazon.com/federation?Action=login&SigninToken=a%2Bb\"<");
        let path = write(&cache, &link).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let text = fs::read_to_string(&path).unwrap();
        let href = "https://signin.aws.amazon.com/federation?Action=login&amp;SigninToken=a%2Bb&quot;&lt;";
        assert!(text.contains(&format!("content=\"0; url={href}\"")), "{text}");
        assert!(text.contains(&format!("<a href=\"{href}\">")), "{text}");
    }

    #[test]
    fn old_pages_are_removed_and_others_left() {
        let root = tempfile::tempdir().unwrap();
        let cache = PrivateDir::at(root.path().join("xacct"));
        let first = write(&cache, &Secret::new("https://a/")).unwrap();
        let other = first.with_file_name("notes.txt");
        fs::write(&other, "").unwrap();
        let dir = first.parent().unwrap();
        remove_stale(dir, SystemTime::now());
        assert!(first.exists(), "a fresh page stays for the browser");
        remove_stale(dir, SystemTime::now() + KEEP_FOR + Duration::from_secs(1));
        assert!(!first.exists());
        assert!(other.exists(), "only sign-in pages are removed");
    }
}
