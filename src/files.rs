//! Opening the files portlint reads: regular files only, of bounded size, never blocking.
//!
//! Every path portlint opens — a linted file, an include, `--config`, `--registry`,
//! `--services` — goes through [`read_regular`]: a FIFO (`mkfifo`), a character device
//! (`/dev/zero`, `/dev/tty`), a directory or a socket is refused before a byte is read. A FIFO
//! is opened non-blocking, so that even one that appears between the check and the open cannot
//! stall a CI run waiting for a writer.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read, in words for a message after its path.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// What a path is, when it is not a regular file.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let not_regular = |file_type| {
        format!(
            "{}, not a regular file; portlint reads only regular files",
            kind_of(file_type)
        )
    };
    let metadata = std::fs::metadata(path).map_err(|e| describe_io(&e))?;
    if !metadata.is_file() {
        return Err(not_regular(metadata.file_type()));
    }
    let too_large = |len: u64| {
        format!(
            "the file is {} MiB, more than the {} MiB portlint reads",
            len >> 20,
            limit >> 20
        )
    };
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| describe_io(&e))?;
    // The path may have been replaced since: what was opened is what counts.
    let opened = file.metadata().map_err(|e| describe_io(&e))?;
    if !opened.is_file() {
        return Err(not_regular(opened.file_type()));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| describe_io(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let error = read_regular(&fifo, 1 << 20).unwrap_err();
        assert!(error.starts_with("a FIFO"), "{error}");
        let error = read_regular(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(error.starts_with("a character device"), "{error}");
        let error = read_regular(dir.path(), 1 << 20).unwrap_err();
        assert!(error.starts_with("a directory"), "{error}");
        let file = dir.path().join("f");
        std::fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"0123456789");
        assert!(read_regular(&file, 9).unwrap_err().contains("more than"));
    }
}
