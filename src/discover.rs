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
        let tree = Tree::of(pattern);
        let path = Path::new(pattern);
        let mut found = Vec::new();
        if path.is_dir() {
            walk(path, &tree, &mut found, &mut errors);
        } else if path.exists() || !is_glob(pattern) {
            // A named file is linted whatever its ending; reading reports what is wrong with it.
            found.push(path.to_path_buf());
        } else {
            expand_glob(pattern, &tree, &mut found, &mut errors);
        }
        for file in found {
            match tree.admits(&file) {
                Ok(()) => files.push(file),
                Err(message) => errors.push(PathError {
                    path: file.display().to_string(),
                    message,
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// The tree a path or glob on the command line may read in (DESIGN "Robustness"): a pull
/// request can commit `passwd.nft -> /etc/passwd` or `etcdir -> /etc`, and `portlint '*.nft'`,
/// a shell glob or `portlint 'etcdir/*'` must not read what they point at.
///
/// A path written inside the working directory (relative, not climbing out with `..`, or
/// absolute under it) may read only inside the working directory, symlinks resolved. A glob
/// elsewhere may read only inside its literal directory (`/srv/rules` for `/srv/rules/*.nft`).
/// A file named elsewhere (`portlint /etc/nftables.conf`) is the operator's word and is read
/// wherever it leads.
pub struct Tree {
    /// The directory, symlinks resolved; `None`: no limit.
    root: Option<PathBuf>,
    /// How the directory is named in a message.
    shown: String,
}

impl Tree {
    pub fn of(pattern: &str) -> Tree {
        let unlimited = Tree {
            root: None,
            shown: String::new(),
        };
        let Ok(cwd) = std::env::current_dir() else {
            return unlimited;
        };
        let path = Path::new(pattern);
        let written_inside = if path.is_absolute() {
            let path = crate::config::normalize(path);
            path.starts_with(&cwd)
                || cwd
                    .canonicalize()
                    .is_ok_and(|canonical| path.starts_with(canonical))
        } else {
            !crate::config::climbs_out(path)
        };
        if written_inside {
            return Tree {
                root: cwd.canonicalize().ok(),
                shown: "the working directory".to_string(),
            };
        }
        if !is_glob(pattern) {
            return unlimited;
        }
        let literal: PathBuf = path
            .components()
            .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
            .collect();
        Tree {
            root: literal.canonicalize().ok(),
            shown: format!("`{}`", literal.display()),
        }
    }

    /// Whether `file` (found for this tree's pattern) may be read: with its symlinks resolved,
    /// it must be inside the tree. A file that does not resolve is left to reading to report.
    pub fn admits(&self, file: &Path) -> Result<(), String> {
        let (Some(root), Ok(target)) = (&self.root, file.canonicalize()) else {
            return Ok(());
        };
        if target.starts_with(root) {
            return Ok(());
        }
        Err(format!(
            "leads through a symbolic link to outside {}: not read, as a pull request could point it at the CI host's files; name the target itself to lint it",
            self.shown
        ))
    }

    /// Whether `dir` (an include root derived from the pattern) is inside the tree.
    pub fn contains_dir(&self, dir: &Path) -> bool {
        match (&self.root, dir.canonicalize()) {
            (Some(root), Ok(target)) => target.starts_with(root),
            (Some(_), Err(_)) => false,
            (None, _) => true,
        }
    }
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn expand_glob(pattern: &str, tree: &Tree, files: &mut Vec<PathBuf>, errors: &mut Vec<PathError>) {
    // A glob under a symlinked directory (`etcdir/*`, `etcdir -> /etc`) is refused once.
    let literal: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
        .collect();
    if !literal.as_os_str().is_empty() {
        if let Err(message) = tree.admits(&literal) {
            errors.push(PathError {
                path: pattern.to_string(),
                message,
            });
            return;
        }
    }
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
            Ok(p) if p.is_dir() => walk(&p, tree, files, errors),
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

/// The rulesets under `dir`. Symlinks inside are not followed (the walk's default); `dir`
/// itself must be inside the tree, symlinks resolved, or nothing under it is read.
fn walk(dir: &Path, tree: &Tree, files: &mut Vec<PathBuf>, errors: &mut Vec<PathError>) {
    if let Err(message) = tree.admits(dir) {
        errors.push(PathError {
            path: dir.display().to_string(),
            message,
        });
        return;
    }
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
