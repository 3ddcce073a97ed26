//! Reading a file a person names (a policy, the config file), safely whatever
//! it turns out to be: only a regular file (opened without blocking, so that
//! a FIFO with no writer cannot hang xacct), and at most a bound (so that
//! `/dev/zero` or a huge file cannot exhaust memory).

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

#[derive(Debug)]
pub enum Refused {
    NotFound,
    /// A directory, FIFO, device or socket.
    NotRegular,
    /// Larger than the bound, in bytes.
    TooLarge(u64),
    Io(io::Error),
}

/// The contents of the regular file at `path` (symlinks followed) when at
/// most `max_bytes` long, and the metadata of the file that was read.
pub fn read(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, Metadata), Refused> {
    let file = open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Refused::NotFound,
        _ => Refused::Io(e),
    })?;
    // The metadata of what was opened, not of the path (which could change).
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    let mut bytes = Vec::new();
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(Refused::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Refused::TooLarge(max_bytes));
    }
    Ok((bytes, meta))
}

/// `max_bytes` in words, as the messages give it.
pub fn size_in_words(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would wait for a writer. It has
    // no effect on the reads of a regular file.
    OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn regular_files_within_the_bound_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read(&file, 5).unwrap().0, b"12345");
        assert!(matches!(read(&file, 4), Err(Refused::TooLarge(4))));
        assert!(matches!(read(dir.path(), 5), Err(Refused::NotRegular)));
        assert!(matches!(read(Path::new("/dev/zero"), 5), Err(Refused::NotRegular)));
        assert!(matches!(read(&dir.path().join("none"), 5), Err(Refused::NotFound)));
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(size_in_words(64 * 1024), "64 KiB");
        assert_eq!(size_in_words(1 << 20), "1 MiB");
        assert_eq!(size_in_words(100), "100 bytes");
    }
}
