//! Replacing a file the user owns, such as `~/.aws/config`: atomically (a
//! temporary file next to it, renamed into place), through symlinks (dotfiles
//! setups keep it as a link into a repository; the link stays), and keeping
//! the file's mode. A new file is 0600, in directories created 0700.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::domain::error::{fail, ErrorContext as _, Result};
use crate::store::file::create_private_dir;

/// As many links as Linux follows before it says ELOOP.
const MAX_LINKS: usize = 40;

/// Writes `contents` to the file `path` leads to.
pub fn replace(path: &Path, contents: &str) -> Result<()> {
    let target = follow_links(path)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // tempfile creates the file exclusively with mode 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", target.display()))?;
    if let Ok(meta) = fs::metadata(&target) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}

/// Where `path` leads once every symlink is followed; the last one may point
/// at a file that does not exist yet.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link =
                    fs::read_link(&current).with_context(|| format!("cannot read link {}", current.display()))?;
                // A relative target is relative to the link's directory; an absolute one replaces it.
                current = match current.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(current),
        }
    }
    fail!(
        "{} goes through more than {MAX_LINKS} symlinks: point it at a file",
        path.display()
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn follows_relative_absolute_and_dangling_links() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        fs::create_dir_all(r.join("dotfiles/aws")).unwrap();
        fs::create_dir_all(r.join(".aws")).unwrap();
        std::os::unix::fs::symlink("../dotfiles/aws/config", r.join(".aws/config")).unwrap();
        std::os::unix::fs::symlink(r.join(".aws/config"), r.join("via")).unwrap();
        assert_eq!(
            follow_links(&r.join("via")).unwrap(),
            r.join(".aws/../dotfiles/aws/config")
        );
        std::os::unix::fs::symlink("loop", r.join("loop")).unwrap();
        assert!(follow_links(&r.join("loop")).is_err());
        assert_eq!(follow_links(&r.join("plain")).unwrap(), r.join("plain"));
    }
}
