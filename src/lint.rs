//! The pipeline: discover → read → front end → checks → filter → sort.

use crate::check::{self, Context, RuleInfo};
use crate::cli::InputFormat;
use crate::diagnostic::Diagnostic;
use crate::discover::{discover, PathError};
use crate::frontend::format::{self, Detected, Format};
use crate::frontend::iptables;
use crate::frontend::nft::include::{self, Expansion, Includes};
use crate::frontend::resolve::Resolver;
use crate::registry::Registry;
use crate::source::{Decoded, FileId, Sources, Span};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use crate::frontend::format::MAX_FILE_SIZE;

/// Which rules a run reports.
#[derive(Debug, Default)]
pub struct RuleFilter {
    pub select: Vec<&'static RuleInfo>,
    pub ignore: Vec<&'static RuleInfo>,
}

impl RuleFilter {
    pub fn allows(&self, rule: &RuleInfo) -> bool {
        (self.select.is_empty() || self.select.iter().any(|r| r.code == rule.code))
            && !self.ignore.iter().any(|r| r.code == rule.code)
    }
}

pub struct Outcome {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Paths that could not be linted (reported on stderr; the run exits with 2).
    pub path_errors: Vec<PathError>,
}

pub fn lint(patterns: &[String], registry: &Registry, filter: &RuleFilter) -> Outcome {
    lint_with(patterns, &Resolver::new(registry), filter)
}

/// [`lint`] with names resolved by `resolver` (through `--services`, say).
pub fn lint_with(patterns: &[String], resolver: &Resolver<'_>, filter: &RuleFilter) -> Outcome {
    lint_files(patterns, resolver, filter, &LintOptions::default())
}

/// What a run reads besides the paths: `-I` directories and `--input-format`.
#[derive(Debug, Default)]
pub struct LintOptions {
    pub include_paths: Vec<PathBuf>,
    pub input: InputFormat,
    /// The releases PL007 judges against.
    pub target: crate::check::version_dependent_syntax::Target,
}

/// How a file was read.
enum Reading {
    /// nft text, with its includes spliced in.
    Nft(Expansion),
    /// Any other format: read whole, without includes.
    Whole(Detected),
}

/// A file given or found, read.
struct Unit {
    file: FileId,
    reading: Reading,
}

/// [`lint_with`] with `-I` directories and a named input format.
pub fn lint_files(
    patterns: &[String],
    resolver: &Resolver<'_>,
    filter: &RuleFilter,
    options: &LintOptions,
) -> Outcome {
    let registry = resolver.registry();
    let (files, mut path_errors) = discover(patterns);
    let input = options.input;
    let include_paths = &options.include_paths;
    for dir in include_paths.iter().filter(|d| !d.is_dir()) {
        path_errors.push(PathError {
            path: dir.display().to_string(),
            message: "-I: not a directory".to_string(),
        });
    }
    let mut includes = Includes::new(&linted_directories(patterns), include_paths);
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    // Read every file and follow its includes first: a file another one includes is linted as
    // part of it (with its defines and tables), not again on its own.
    let mut units = Vec::new();
    // A binary file is reported, not linted: the run still had something to say.
    let mut read_binary = false;
    for path in files {
        match read_file(&path) {
            Ok(decoded) => {
                if let Some(at) = format::binary_at(&decoded.text) {
                    let disk = decoded.replaced.first().map_or(at, |r| r.disk.min(at));
                    let file = sources.add_decoded(display_path(&path), decoded);
                    diagnostics.push(not_text(file, at, disk));
                    read_binary = true;
                    continue;
                }
                let detected = format::detect(input, &path, &decoded.text);
                let size = decoded.text.len() as u64;
                if size > detected.format.size_cap() {
                    path_errors.push(PathError {
                        path: path.display().to_string(),
                        message: detected.format.too_large(size),
                    });
                    continue;
                }
                // A file an earlier one included is in `sources` already: one id, one report.
                let file = match includes.loaded_as(&path) {
                    Some(file) => file,
                    None => {
                        let first_invalid = decoded.replaced.first().copied();
                        let file = sources.add_decoded(display_path(&path), decoded);
                        if let Some(replaced) = first_invalid {
                            diagnostics.push(invalid_utf8(file, replaced));
                        }
                        file
                    }
                };
                if let Some(found) = bom_refused(file, &sources.get(file).text, detected.format) {
                    diagnostics.push(found);
                }
                let reading = match detected.format {
                    Format::Nft => {
                        includes.linted(file, &path);
                        Reading::Nft(include::expand(file, &mut sources, &mut includes))
                    }
                    _ => Reading::Whole(detected),
                };
                units.push(Unit { file, reading });
            }
            Err(message) => path_errors.push(PathError {
                path: path.display().to_string(),
                message,
            }),
        }
    }
    if units.is_empty() && path_errors.is_empty() && !read_binary {
        path_errors.extend(patterns.iter().map(|pattern| nothing_to_lint(pattern)));
    }
    let included_elsewhere = included_by_others(&units);
    for unit in units {
        if included_elsewhere.contains(&unit.file) {
            continue;
        }
        let (ruleset, mut found) = match unit.reading {
            Reading::Whole(detected) => {
                let text = &sources.get(unit.file).text;
                match read_whole(unit.file, text, detected, resolver) {
                    Some(read) => read,
                    None => {
                        let (policy, mut found) =
                            crate::frontend::policy::read(unit.file, text, registry);
                        diagnostics.append(&mut found);
                        let registry = registry.with_local(&policy.local_ports);
                        check::run_policy(&registry, &policy, &mut diagnostics);
                        continue;
                    }
                }
            }
            Reading::Nft(expansion) => {
                let text = expansion.segments.text(&sources);
                let read = crate::frontend::nft::read_expanded(&expansion, &text, resolver);
                check::version_dependent_syntax::check_nft(
                    &options.target,
                    &text,
                    &expansion.tokens,
                    &expansion.segments,
                    &mut diagnostics,
                );
                // The tokens (16 bytes each, a million for a large file) are not needed by the
                // checks.
                diagnostics.extend(expansion.diagnostics);
                read
            }
        };
        diagnostics.append(&mut found);
        check::run(
            &Context {
                registry,
                ruleset: &ruleset,
            },
            &mut diagnostics,
        );
    }
    crate::suppress::apply(&sources, &mut diagnostics);
    diagnostics.retain(|d| filter.allows(d.rule));
    sort_and_dedup(&sources, &mut diagnostics);
    Outcome {
        sources,
        diagnostics,
        path_errors,
    }
}

/// Reads a file of a format without includes into the model; `None` for a policy, which is
/// no ruleset and is checked on its own.
pub fn read_whole(
    file: FileId,
    text: &str,
    detected: Detected,
    resolver: &Resolver<'_>,
) -> Option<(crate::model::Ruleset, Vec<Diagnostic>)> {
    let iptables = |format| iptables::read(file, text, resolver, format, detected.family);
    Some(match detected.format {
        Format::Policy => return None,
        Format::Nft => crate::frontend::nft::read(file, text, resolver),
        Format::NftJson => crate::frontend::nft::json::read(file, text, resolver),
        Format::IptablesSave => iptables(iptables::Format::Save),
        Format::IptablesListing => iptables(iptables::Format::Listing),
        Format::IptablesScript => iptables(iptables::Format::Script),
        Format::NftScript => crate::frontend::nft::read_script(file, text, resolver),
    })
}

/// A path that held no ruleset: a CI job that lints a misnamed tree must not pass checking
/// nothing (DESIGN: exit 2).
fn nothing_to_lint(pattern: &str) -> PathError {
    PathError {
        path: pattern.to_string(),
        message: "nothing to lint: no file here is a ruleset or policy portlint reads (nft text in `*.nft` or under any name when it starts like a ruleset, `nft -j` JSON, iptables-save output, `iptables -S` listings, shell scripts that run iptables or nft, YAML policies with `portlint-policy: 1`); name a file to lint it whatever its name, with --input-format if its content does not say what it is".to_string(),
    }
}

/// The directories includes may resolve into: each directory named (or `.`), and the directory
/// of each file or glob named, unless a symlink takes it out of the tree the pattern may read
/// (`etcdir/*` with `etcdir -> /etc`).
fn linted_directories(patterns: &[String]) -> Vec<PathBuf> {
    patterns
        .iter()
        .filter_map(|pattern| {
            let tree = crate::discover::Tree::of(pattern);
            let path = Path::new(pattern);
            if path.is_dir() {
                return tree.contains_dir(path).then(|| path.to_path_buf());
            }
            // A glob's directory is the part before its first wildcard.
            let literal: PathBuf = path
                .components()
                .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
                .collect();
            let dir = if literal == path {
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                literal
            };
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            tree.contains_dir(&dir).then_some(dir)
        })
        .collect()
}

/// Files some other linted file includes, unless they include it back (a cycle, reported as
/// PL004; both are linted then).
fn included_by_others(units: &[Unit]) -> HashSet<FileId> {
    let reaches = |from: &Unit, to: FileId| match &from.reading {
        Reading::Nft(expansion) => expansion.included.contains(&to),
        Reading::Whole(_) => false,
    };
    units
        .iter()
        .filter(|unit| {
            units.iter().any(|other| {
                other.file != unit.file && reaches(other, unit.file) && !reaches(unit, other.file)
            })
        })
        .map(|unit| unit.file)
        .collect()
}

/// PL001 for a byte-order mark at the start of a file the tool refuses it in: `nft -f` says
/// "syntax error, unexpected junk" and `iptables-restore` "line 1 failed" (checked with nft
/// 1.0.6 and iptables 1.8.9; neither's scanner has a rule for it). The rest of the file is read as if it were not there.
pub(crate) fn bom_refused(file: FileId, text: &str, format: Format) -> Option<Diagnostic> {
    let tool = match format {
        Format::Nft => "nft",
        Format::IptablesSave => "iptables-restore",
        Format::IptablesListing => "iptables",
        _ => return None,
    };
    let bom = '\u{feff}';
    text.starts_with(bom).then(|| {
        Diagnostic::new(
            &check::syntax_error::RULE,
            Span::new(file, 0..bom.len_utf8()),
            format!("the file starts with a byte-order mark (U+FEFF), which {tool} refuses"),
        )
        .with_help("save the file as UTF-8 without a BOM (in vim `:set nobomb`, then write it)")
    })
}

/// PL001 for a file that is binary, once: reading an executable as nft would yield a finding
/// per "token", tens of thousands.
pub(crate) fn not_text(file: FileId, at: usize, disk: usize) -> Diagnostic {
    Diagnostic::new(
        &check::syntax_error::RULE,
        Span::new(file, at..at),
        format!("not a text file: it holds NUL bytes or many control characters (from byte {disk}); nothing in it was read"),
    )
    .with_help("portlint reads nftables, iptables and YAML text; remove the file from the paths linted, or, if it is a ruleset saved in another encoding, convert it to UTF-8")
}

/// PL001 for a byte that is not UTF-8 (the text portlint reads has U+FFFD there).
pub(crate) fn invalid_utf8(file: FileId, replaced: crate::source::Replaced) -> Diagnostic {
    let offset = replaced.disk;
    Diagnostic::new(
        &check::syntax_error::RULE,
        // The bad bytes became U+FFFD (3 bytes) in the text portlint reads.
        Span::new(file, replaced.text..replaced.text + '\u{fffd}'.len_utf8()),
        format!("invalid UTF-8 at byte {offset}"),
    )
    .with_help("nft reads UTF-8 text; re-encode the file or remove the byte")
}

/// Paths are shown as given, without a leading `./`.
fn display_path(path: &Path) -> String {
    let shown = path.display().to_string();
    shown
        .strip_prefix("./")
        .map(str::to_string)
        .unwrap_or(shown)
}

/// Deterministic order: path, position, code, message. A define used in several places yields
/// the same finding at the same span once.
fn sort_and_dedup(sources: &Sources, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        // Most findings share their file with the one they are compared with: its path need
        // not be read.
        let by_path = if a.span.file == b.span.file {
            std::cmp::Ordering::Equal
        } else {
            sources
                .get(a.span.file)
                .path
                .cmp(&sources.get(b.span.file).path)
        };
        by_path
            .then(a.span.start.cmp(&b.span.start))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.rule.code.cmp(b.rule.code))
            // Written out only for findings equal in all else (a registry finding's message is
            // kept in parts).
            .then_with(|| a.message.text().cmp(&b.message.text()))
    });
    diagnostics.dedup_by(|later, earlier| {
        let same = later.span == earlier.span
            && later.rule.code == earlier.rule.code
            && later.message == earlier.message;
        if same {
            // Keep every `$variable` use that led to the one finding.
            for label in later.labels.drain(..) {
                if !earlier.labels.contains(&label) {
                    earlier.labels.push(label);
                }
            }
        }
        same
    });
}

/// Read a regular file of bounded size as text (invalid UTF-8 replaced, and where kept).
pub(crate) fn read_file(path: &Path) -> Result<Decoded, String> {
    crate::files::read_regular(path, MAX_FILE_SIZE).map(Decoded::new)
}

pub(crate) use crate::files::describe_io;
