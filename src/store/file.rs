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
    /// until it is free. Under it, the store's temporary file is ours alone.
    pub fn lock(&self, name: &str) -> Result<WriteLock> {
        let path = self.file(&format!("{name}.lock"));
        let file = self.open_private(&format!("{name}.lock"))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(WriteLock { _file: file })
    }

    /// Replaces `name` with `contents` so that readers see either the old or the new file.
    /// The caller holds the lock from [`PrivateDir::lock`].
    pub fn write_atomic(&self, lock: &WriteLock, name: &str, contents: &str) -> Result<()> {
        self.write_atomic_linked(lock, name, contents, None)
    }

    /// [`PrivateDir::write_atomic`], and also makes `also` (a path on the same
    /// file system) a hard link to the new file before it takes `name`'s place:
    /// a second name for the same contents that costs no second copy.
    pub fn write_atomic_linked(
        &self,
        _lock: &WriteLock,
        name: &str,
        contents: &str,
        also: Option<&Path>,
    ) -> Result<()> {
        let target = self.file(name);
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if meta.file_type().is_symlink() {
                fail!(
                    "{} is a symlink: xacct will not write through it; remove it",
                    target.display()
                );
            }
        }
        // One temporary name per store: every writer holds the store's lock
        // while its temporary file exists, so one found here was left by a
        // writer that was killed (a full copy, secrets included) and goes.
        // A fixed name costs no directory listing, whatever else is stored.
        let tmp = self.file(&temp_file_name(name));
        remove_if_there(&tmp).with_context(|| format!("cannot remove {}", tmp.display()))?;
        let mut file = private_options()
            .create_new(true)
            .write(true)
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let written = file
            .write_all(contents.as_bytes())
            .and_then(|_| file.sync_all())
            .with_context(|| format!("cannot write {}", target.display()))
            .and_then(|_| match also {
                Some(link) => remove_if_there(link)
                    .and_then(|_| fs::hard_link(&tmp, link))
                    .with_context(|| format!("cannot link {}", link.display())),
                None => Ok(()),
            })
            .and_then(|_| fs::rename(&tmp, &target).with_context(|| format!("cannot replace {}", target.display())));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        // No fsync of the directory: this is a cache, and a rename lost in a
        // crash loses one entry, which the next use fetches again.
        written
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
/// Earlier versions named temporary files `.NAME.XXXXXX.tmp` (random letters and digits).
const OLD_TEMP_RAND_CHARS: usize = 6;

/// The temporary file [`PrivateDir::write_atomic`] writes `name` through: `.NAME.tmp`.
fn temp_file_name(name: &str) -> String {
    format!(".{name}{TEMP_SUFFIX}")
}

/// The store whose temporary file `file_name` is: `NAME` of `.NAME.tmp`, or
/// of `.NAME.XXXXXX.tmp` as earlier versions named them.
pub fn store_of_temp_file(file_name: &str) -> Option<&str> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    if let Some((name, random)) = rest.rsplit_once('.') {
        let old = random.len() == OLD_TEMP_RAND_CHARS && random.chars().all(|c| c.is_ascii_alphanumeric());
        // `.NAME.toml.tmp` splits as (`NAME`, `toml`): the current form.
        if old && !name.is_empty() && name.contains('.') {
            return Some(name);
        }
    }
    (!rest.is_empty()).then_some(rest)
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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
    fn a_write_replaces_only_the_copy_a_killed_writer_of_that_store_left() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("xacct"));
        dir.ensure().unwrap();
        let names = [".cache.toml.tmp", ".cache.toml.notes", ".other.toml.tmp", "cache.toml"];
        for name in names {
            fs::write(dir.file(name), "x").unwrap();
        }
        let lock = dir.lock("cache.toml").unwrap();
        dir.write_atomic(&lock, "cache.toml", "a = 1\n").unwrap();
        let left: Vec<bool> = names.iter().map(|n| dir.file(n).exists()).collect();
        assert_eq!(left, [false, true, true, true]);
        assert_eq!(dir.read("cache.toml").unwrap().as_deref(), Some(&b"a = 1\n"[..]));
    }

    #[test]
    fn temporary_files_of_this_and_earlier_versions_name_their_store() {
        assert_eq!(store_of_temp_file(".ab12.toml.tmp"), Some("ab12.toml"));
        assert_eq!(store_of_temp_file(".ab12.toml.k1LLed.tmp"), Some("ab12.toml"));
        assert_eq!(store_of_temp_file("ab12.toml"), None);
        assert_eq!(store_of_temp_file(".ab12.toml.notes"), None);
    }

    #[test]
    fn a_linked_write_gives_the_new_file_a_second_name() {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("xacct"));
        dir.ensure().unwrap();
        let link = dir.file("by-other-name");
        let lock = dir.lock("cache.toml").unwrap();
        dir.write_atomic_linked(&lock, "cache.toml", "a = 1\n", Some(&link))
            .unwrap();
        dir.write_atomic(&lock, "cache.toml", "a = 2\n").unwrap();
        // The link keeps the contents it was made with.
        assert_eq!(fs::read_to_string(&link).unwrap(), "a = 1\n");
        assert_eq!(fs::metadata(&link).unwrap().permissions().mode() & 0o777, 0o600);
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
