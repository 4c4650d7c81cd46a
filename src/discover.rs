//! Which files to lint: the paths given, directories walked (.gitignore-aware), globs expanded.

use std::path::{Path, PathBuf};

/// File endings portlint lints when it walks a directory.
const LINTED_EXTENSIONS: &[&str] = &["nft"];

/// File endings that are iptables-save files when their content says so (`.rules` is also
/// udev's ending): iptables-persistent's `rules.v4`/`rules.v6`, ufw's `before.rules`, dumps
/// saved as `*.save` / `*.dump`.
const IPTABLES_EXTENSIONS: &[&str] = &["rules", "v4", "v6", "save", "dump"];

/// File names that are iptables-save files when their content says so: RHEL's
/// `/etc/sysconfig/iptables` and `ip6tables`.
const IPTABLES_NAMES: &[&str] = &["iptables", "ip6tables"];

/// Whether a walk lints `path`: an nft file by its name, an iptables-save file by its name and
/// its first lines.
fn is_linted(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if LINTED_EXTENSIONS.contains(&extension) || name == "nftables.conf" {
        return true;
    }
    if IPTABLES_EXTENSIONS.contains(&extension) || IPTABLES_NAMES.contains(&name) {
        return head_says(path, crate::frontend::iptables::looks_like_save);
    }
    // A repository holds much YAML; a policy says it is one.
    matches!(extension, "yaml" | "yml")
        && head_says(path, crate::frontend::policy::looks_like_policy)
}

/// Whether the first 4 KiB of the file pass `looks_like` (as much as either sniffer reads).
fn head_says(path: &Path, looks_like: fn(&str) -> bool) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    read.is_ok() && looks_like(&String::from_utf8_lossy(&head))
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
