//! Private files on disk: a 0700 directory of 0600 files, written atomically
//! (temp file in the same directory, fsync, rename) under an exclusive lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::domain::error::{fail, ErrorContext as _, Result};

/// A directory xacct keeps private files in.
#[derive(Debug, Clone)]
pub struct PrivateDir {
    path: PathBuf,
}

/// Held while a read-modify-write is in progress; the lock is released on drop.
pub struct WriteLock {
    _file: File,
}

impl PrivateDir {
    /// The directory at `path`, without touching the disk.
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The private directory `name` inside this one, after refusing this one
    /// (when it exists) as [`PrivateDir::read`] would: a file in the inner
    /// directory is only as safe as every directory above it that xacct owns.
    pub fn subdir(&self, name: &str) -> Result<PrivateDir> {
        match fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            _ => check_private(&self.path, true)?,
        }
        Ok(PrivateDir::at(self.file(name)))
    }

    /// Names of the entries in the directory (none when it does not exist yet).
    pub fn names(&self) -> Result<Vec<String>> {
        match fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            _ => check_private(&self.path, true)?,
        }
        let listing = fs::read_dir(&self.path).with_context(|| format!("cannot list {}", self.path.display()))?;
        Ok(listing
            .flatten()
            .map(|found| found.file_name().to_string_lossy().into_owned())
            .collect())
    }

    /// Deletes `name` (already gone is fine). The caller holds its lock.
    pub fn remove(&self, _lock: &WriteLock, name: &str) -> Result<()> {
        let path = self.file(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }

    /// Contents of `name`, or `None` when it does not exist yet. Refuses a
    /// file or directory that others could have tampered with.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            _ => check_private(&self.path, true)?,
        }
        let path = self.file(name);
        match fs::read(&path) {
            Ok(bytes) => {
                check_private(&path, false)?;
                Ok(Some(bytes))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Creates the directory (0700) if needed and refuses one that others could tamper with.
    pub fn ensure(&self) -> Result<()> {
        match fs::symlink_metadata(&self.path) {
            Ok(_) => check_private(&self.path, true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&self.path).with_context(|| format!("cannot create {}", self.path.display()))
            }
            Err(e) => Err(e).with_context(|| format!("cannot inspect {}", self.path.display())),
        }
    }

    /// Opens (creating it 0600 whatever the umask) the file `name` for reading
    /// and writing in place, as lock files are used.
    pub fn open_private(&self, name: &str) -> Result<File> {
        self.ensure()?;
        let path = self.file(name);
        private_options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))
    }

    /// Takes the exclusive write lock of this directory's `name` store, blocking
    /// until it is free, and removes what killed writers of the store left behind.
    pub fn lock(&self, name: &str) -> Result<WriteLock> {
        let path = self.file(&format!("{name}.lock"));
        let file = self.open_private(&format!("{name}.lock"))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        let lock = WriteLock { _file: file };
        self.remove_orphans(&lock, name);
        Ok(lock)
    }

    /// Deletes the temporary files of `name` that a writer killed before its
    /// rename left behind: full copies of the store, secrets included. Every
    /// writer holds the lock while its temporary file exists, so under the
    /// lock any that is there is an orphan. Best effort: a leftover that
    /// cannot be removed now is tried again on the next write.
    fn remove_orphans(&self, _lock: &WriteLock, name: &str) {
        let Ok(listing) = fs::read_dir(&self.path) else {
            return;
        };
        for found in listing.flatten() {
            if is_temp_file_of(&found.file_name().to_string_lossy(), name) {
                let _ = fs::remove_file(found.path());
            }
        }
    }

    /// Replaces `name` with `contents` so that readers see either the old or the new file.
    /// The caller holds the lock from [`PrivateDir::lock`].
    pub fn write_atomic(&self, _lock: &WriteLock, name: &str, contents: &str) -> Result<()> {
        let target = self.file(name);
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if meta.file_type().is_symlink() {
                fail!(
                    "{} is a symlink: xacct will not write through it; remove it",
                    target.display()
                );
            }
        }
        // tempfile creates the file exclusively with mode 0600.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RAND_CHARS)
            .tempfile_in(&self.path)
            .with_context(|| format!("cannot create a temporary file in {}", self.path.display()))?;
        tmp.write_all(contents.as_bytes())
            .and_then(|_| tmp.as_file().sync_all())
            .with_context(|| format!("cannot write {}", target.display()))?;
        tmp.persist(&target)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        // Make the rename itself durable.
        if let Ok(dir) = File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Moves a store that does not parse out of the way, keeping it for inspection.
    pub fn set_aside(&self, _lock: &WriteLock, name: &str, stamp: &str) -> Result<PathBuf> {
        let from = self.file(name);
        let to = self.file(&format!("{name}.corrupt-{stamp}"));
        fs::rename(&from, &to).with_context(|| format!("cannot move {} aside", from.display()))?;
        Ok(to)
    }
}

const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RAND_CHARS: usize = 6;

/// Whether `file_name` is one of [`PrivateDir::write_atomic`]'s temporary
/// files for the store `name`: `.NAME.XXXXXX.tmp`.
fn is_temp_file_of(file_name: &str, name: &str) -> bool {
    file_name
        .strip_prefix(&format!(".{name}."))
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| random.len() == TEMP_RAND_CHARS && random.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The store whose temporary file `file_name` is, if it is one of
/// [`PrivateDir::write_atomic`]'s: `NAME` of `.NAME.XXXXXX.tmp`.
pub fn store_of_temp_file(file_name: &str) -> Option<&str> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (name, _) = rest.rsplit_once('.')?;
    is_temp_file_of(file_name, name).then_some(name)
}

/// Options that create a file 0600 whatever the umask.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates `path` 0700, and any missing parent (such as `~/.cache`) 0700 too,
/// as the XDG base directory spec asks, rather than as the umask would have it.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Refuses a store path that is a symlink, belongs to someone else, or that
/// group or others may write. Never chmods: what xacct did not create it leaves alone.
#[cfg(unix)]
fn check_private(path: &Path, is_dir: bool) -> Result<()> {
    let meta = fs::symlink_metadata(path).with_context(|| format!("cannot inspect {}", path.display()))?;
    let what = if is_dir { "directory" } else { "file" };
    if meta.file_type().is_symlink() {
        fail!(
            "{what} {} is a symlink: xacct keeps credentials only in real files; remove the link",
            path.display()
        );
    }
    if meta.is_dir() != is_dir {
        fail!("{} is not a {what}: move it away", path.display());
    }
    check_owner_and_mode(path, &meta, what, Owners::You)
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _is_dir: bool) -> Result<()> {
    Ok(())
}

/// Who may own a file xacct trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// The stores xacct writes.
    You,
    /// Files xacct only reads (the config): root, who could change them
    /// anyway, may provide them too.
    YouOrRoot,
}

/// Refuses `path` (described as `what`, with `meta` its metadata) when it
/// belongs to another user or group or others may write it: whoever could
/// write it could change what xacct does with credentials.
#[cfg(unix)]
pub fn check_owner_and_mode(path: &Path, meta: &fs::Metadata, what: &str, owners: Owners) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    if meta.uid() != uid && !(owners == Owners::YouOrRoot && meta.uid() == 0) {
        fail!(
            "{what} {} belongs to another user (uid {}): xacct will not use it",
            path.display(),
            meta.uid()
        );
    }
    if meta.mode() & 0o022 != 0 {
        fail!(
            "{what} {} is writable by group or others (mode {:o}): run `chmod go-w {}`",
            path.display(),
            meta.mode() & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_owner_and_mode(_path: &Path, _meta: &fs::Metadata, _what: &str, _owners: Owners) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_private_files_in_a_private_dir() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("xacct"));
        let lock = dir.lock("cache.toml").unwrap();
        dir.write_atomic(&lock, "cache.toml", "a = 1\n").unwrap();
        assert_eq!(dir.read("cache.toml").unwrap().as_deref(), Some(&b"a = 1\n"[..]));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.file("cache.toml")), 0o600);
    }

    #[test]
    fn taking_the_lock_removes_only_the_temporary_files_of_that_store() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("xacct"));
        dir.ensure().unwrap();
        let names = [
            ".cache.toml.aB3dE9.tmp",
            ".cache.toml.notes",
            ".other.toml.aB3dE9.tmp",
            "cache.toml",
        ];
        for name in names {
            fs::write(dir.file(name), "x").unwrap();
        }
        let _lock = dir.lock("cache.toml").unwrap();
        let left: Vec<bool> = names.iter().map(|n| dir.file(n).exists()).collect();
        assert_eq!(left, [false, true, true, true]);
    }

    #[test]
    fn refuses_a_group_writable_dir_and_a_symlinked_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("xacct"));
        dir.ensure().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o770)).unwrap();
        assert!(dir.ensure().is_err());
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.file("cache.toml")).unwrap();
        assert!(dir.read("cache.toml").is_err());
    }
}
