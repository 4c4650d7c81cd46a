//! The pipeline: discover → read → front end → checks → filter → sort.

use crate::check::{self, Context, RuleInfo};
use crate::cli::InputFormat;
use crate::diagnostic::Diagnostic;
use crate::discover::{discover, PathError};
use crate::frontend::resolve::Resolver;
use crate::registry::Registry;
use crate::source::{Sources, Span};
use std::io::Read;
use std::path::Path;

/// The largest file portlint reads (the 100,000-rule benchmark file is about 6 MB).
pub const MAX_FILE_SIZE: u64 = 256 << 20;

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
    lint_as(patterns, resolver, filter, InputFormat::Auto)
}

/// [`lint_with`], reading every file as `input` says (`--input-format`).
pub fn lint_as(
    patterns: &[String],
    resolver: &Resolver<'_>,
    filter: &RuleFilter,
    input: InputFormat,
) -> Outcome {
    let registry = resolver.registry();
    let (files, mut path_errors) = discover(patterns);
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    for path in files {
        let shown = display_path(&path);
        match read_file(&path) {
            Ok((text, invalid_utf8_at)) => {
                // A format named on the command line is the user's word: no guessing then.
                let refused = match input {
                    InputFormat::Auto => not_nft(&text),
                    InputFormat::Nft | InputFormat::NftJson => None,
                };
                if let Some(why) = refused {
                    path_errors.push(PathError {
                        path: path.display().to_string(),
                        message: why.to_string(),
                    });
                    continue;
                }
                let file = sources.add(shown, text);
                let text = &sources.get(file).text;
                if let Some(offset) = invalid_utf8_at {
                    diagnostics.push(
                        Diagnostic::new(
                            &check::syntax_error::RULE,
                            // The bad byte became U+FFFD (3 bytes) in the text portlint reads.
                            Span::new(file, offset..offset + 3),
                            format!("invalid UTF-8 at byte {offset}"),
                        )
                        .with_help("nft reads UTF-8 text; re-encode the file or remove the byte"),
                    );
                }
                let json = match input {
                    InputFormat::Auto => crate::frontend::nft::json::looks_like_json(text),
                    InputFormat::Nft => false,
                    InputFormat::NftJson => true,
                };
                let (ruleset, mut found) = if json {
                    crate::frontend::nft::json::read(file, text, resolver)
                } else {
                    crate::frontend::nft::read(file, text, resolver)
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
            Err(message) => path_errors.push(PathError {
                path: path.display().to_string(),
                message,
            }),
        }
    }
    diagnostics.retain(|d| filter.allows(d.rule));
    sort_and_dedup(&sources, &mut diagnostics);
    Outcome {
        sources,
        diagnostics,
        path_errors,
    }
}

/// Why a named file is not an nft ruleset, for the formats portlint does not read yet (they
/// would otherwise drown the user in syntax errors). `nft -j` JSON is read: see
/// [`crate::frontend::nft::json::looks_like_json`].
fn not_nft(text: &str) -> Option<&'static str> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let table_header = ["*filter", "*nat", "*mangle", "*raw", "*security"]
        .iter()
        .any(|t| first.starts_with(t));
    if table_header || first.starts_with("-A ") || first.starts_with("iptables ") {
        return Some("this looks like iptables rules; portlint reads nftables rulesets so far (iptables support is coming)");
    }
    None
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
        let pa = &sources.get(a.span.file).path;
        let pb = &sources.get(b.span.file).path;
        pa.cmp(pb)
            .then(a.span.start.cmp(&b.span.start))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.rule.code.cmp(b.rule.code))
            .then(a.message.cmp(&b.message))
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

/// Read a regular file of bounded size; invalid UTF-8 is replaced and its first offset returned.
fn read_file(path: &Path) -> Result<(String, Option<usize>), String> {
    let metadata = std::fs::metadata(path).map_err(describe_io)?;
    if !metadata.is_file() {
        return Err("not a regular file".to_string());
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(format!(
            "the file is {} MiB, more than the {} MiB portlint reads",
            metadata.len() >> 20,
            MAX_FILE_SIZE >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(describe_io)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            Ok((
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Some(offset),
            ))
        }
    }
}

fn describe_io(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
