//! Which files to lint: the paths given, directories walked (.gitignore-aware), globs expanded.

use crate::frontend::format;
use std::path::{Path, PathBuf};

/// Whether a walk lints `path`: what its name allows (`frontend::format::candidate`), decided
/// by its first bytes (and, for a shell script, as much more as finding a command takes).
fn is_linted(path: &Path) -> bool {
    let candidate = format::candidate(path);
    if candidate == format::Candidate::Skip {
        return false;
    }
    let head = read_head(path, format::SNIFF_BYTES);
    format::walk_picks(path, candidate, &head, || {
        read_head(path, format::SCRIPT_SNIFF_BYTES)
    })
}

/// The first `limit` bytes of the file as text (empty when it cannot be read: reading it
/// again to lint it would report why, but a walk only lints what it can tell is a ruleset).
fn read_head(path: &Path, limit: usize) -> String {
    use std::io::Read;
    let mut head = Vec::with_capacity(limit.min(1 << 16));
    let read = std::fs::File::open(path).and_then(|f| f.take(limit as u64).read_to_end(&mut head));
    match read {
        Ok(_) => String::from_utf8_lossy(&head).into_owned(),
        Err(_) => String::new(),
    }
}

/// A path that could not be used, with why.
#[derive(Debug)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

/// The files to lint, sorted and without repeats, and the paths that could not be used.
pub fn discover(patterns: &[String]) -> (Vec<PathBuf>, Vec<PathError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for pattern in patterns {
        let path = Path::new(pattern);
        if path.is_dir() {
            walk(path, &mut files, &mut errors);
        } else if path.exists() || !is_glob(pattern) {
            // A named file is linted whatever its ending; reading reports what is wrong with it.
            files.push(path.to_path_buf());
        } else {
            expand_glob(pattern, &mut files, &mut errors);
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn expand_glob(pattern: &str, files: &mut Vec<PathBuf>, errors: &mut Vec<PathError>) {
    let paths = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(e) => {
            errors.push(PathError {
                path: pattern.to_string(),
                message: format!("invalid glob pattern: {e}"),
            });
            return;
        }
    };
    let before = files.len();
    for entry in paths {
        match entry {
            Ok(p) if p.is_dir() => walk(&p, files, errors),
            Ok(p) => files.push(p),
            Err(e) => errors.push(PathError {
                path: e.path().display().to_string(),
                message: e.error().to_string(),
            }),
        }
    }
    if files.len() == before {
        errors.push(PathError {
            path: pattern.to_string(),
            message: "the pattern matches no file".to_string(),
        });
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<PathError>) {
    for entry in ignore::WalkBuilder::new(dir).build() {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if entry.file_type().is_some_and(|t| t.is_file()) && is_linted(path) {
                    files.push(path.to_path_buf());
                }
            }
            Err(e) => errors.push(PathError {
                path: dir.display().to_string(),
                message: e.to_string(),
            }),
        }
    }
}
