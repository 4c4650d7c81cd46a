//! PL007 version-dependent-syntax: syntax that the configured `target` release refuses although
//! newer releases accept it (DESIGN.md "Diagnostics").
//!
//! Without a target, portlint judges by the newest release, so only what every older release
//! refuses and a ruleset can carry unnoticed — CRLF line endings — is said, as info.

use crate::diagnostic::{Diagnostic, Severity};
use crate::frontend::nft::include::Segments;
use crate::frontend::nft::lexer::{Token, TokenKind};
use crate::source::FileId;
use std::fmt;

super::rule_info!(
    "PL007",
    "version-dependent-syntax",
    Warning,
    "the target nft release refuses syntax that newer releases accept"
);

/// A release number: `1.0.6`, `1.8` (read as `1.8.0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Two or three numbers joined by dots.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.split('.').map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse::<u16>().ok()
            } else {
                None
            }
        });
        let major = parts.next()??;
        let minor = parts.next()??;
        let patch = match parts.next() {
            Some(patch) => patch?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The releases a run judges against (`--target nft=1.0.6,iptables=1.8.9`, config `target`).
/// A tool without a release is judged by its newest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub nft: Option<Version>,
    /// Read and kept; no iptables syntax is known to depend on the 1.8 release yet.
    pub iptables: Option<Version>,
}

impl Target {
    /// `nft=1.0.6,iptables=1.8.9`: each tool at most once, in any order.
    pub fn parse(text: &str) -> Result<Target, String> {
        let mut target = Target::default();
        for item in text.split(',').map(str::trim) {
            let Some((tool, version)) = item.split_once('=') else {
                return Err(format!(
                    "`{item}` is not TOOL=VERSION; write `nft=1.0.6` or `nft=1.0.6,iptables=1.8.9`"
                ));
            };
            let slot = match tool.trim() {
                "nft" => &mut target.nft,
                "iptables" => &mut target.iptables,
                other => {
                    return Err(format!(
                        "no tool is named `{other}`; the target names `nft` and `iptables` releases"
                    ))
                }
            };
            let Some(parsed) = Version::parse(version.trim()) else {
                return Err(format!(
                    "`{}` is not a release number; write it as `1.0.6`",
                    version.trim()
                ));
            };
            if slot.replace(parsed).is_some() {
                return Err(format!("`{}` is named twice", tool.trim()));
            }
        }
        Ok(target)
    }

    /// Whether the target's nft is older than `release` (no target: the newest, never older).
    fn nft_before(&self, release: Version) -> bool {
        self.nft.is_some_and(|nft| nft < release)
    }
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(text: &str) -> Result<Target, String> {
        Target::parse(text)
    }
}

/// Syntax nft accepts from a release on. The refusal by 1.0.6 of each row is observed with the
/// installed nft and pinned by tests/oracle_nft.rs (tests/fixtures/versions/, with the fixed
/// forms in tests/fixtures/rules/PL007/clean.nft). The accepting release of each row comes from
/// issue 14's survey of real rulesets and DESIGN.md's catalogue; the nftables release notes
/// were not in the reference corpus portlint was built with, so a row whose release is found
/// to be wrong is corrected here, with its source.
struct Since {
    release: Version,
    /// What the syntax is, for the messages.
    what: &'static str,
}

/// CRLF line endings: nft 1.0.6's scanner has no rule for `\r` ("syntax error, unexpected
/// junk" at the first one); nft 1.0.7 reads it as white space (issue 14, DESIGN.md).
const CRLF: Since = Since {
    release: Version::new(1, 0, 7),
    what: "a carriage return (CRLF line endings)",
};

/// The `destroy` command (delete if it exists): nft 1.0.6 says "unexpected table, expecting
/// string"; nft 1.0.8 has the command (issue 14, DESIGN.md).
const DESTROY: Since = Since {
    release: Version::new(1, 0, 8),
    what: "the `destroy` command",
};

/// `priority dstnat` on a nat chain of hook output, as Docker's nftables rulesets write it:
/// nft 1.0.6 allows the `dstnat` name on hook prerouting only ("invalid priority expression
/// value in this context"). The release that allows it on output too is taken to be 1.0.7
/// (unconfirmed: no release note was found; see the report of issue 14).
const DSTNAT_OUTPUT: Since = Since {
    release: Version::new(1, 0, 7),
    what: "the `dstnat` priority on hook output",
};

/// The PL007 findings of one nft text (with its includes spliced in): `text` is the virtual
/// text of `segments`, `tokens` its tokens.
pub fn check_nft(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    carriage_returns(target, text, segments, out);
    if target.nft_before(DESTROY.release) {
        destroy_commands(target, text, tokens, segments, out);
    }
    if target.nft_before(DSTNAT_OUTPUT.release) {
        dstnat_on_output(target, text, tokens, segments, out);
    }
}

/// "nft 1.0.6 (the target) refuses …; nft 1.0.7 accepts it".
fn refused(target: &Target, since: &Since) -> String {
    let nft = target.nft.map(|v| v.to_string()).unwrap_or_default();
    format!(
        "nft {nft} (the target) refuses {}; nft {} and later accept it",
        since.what, since.release
    )
}

fn upgrade_help(since: &Since, rewrite: &str) -> String {
    format!(
        "{rewrite}, or raise the target (`--target nft={}` or `target:` in .portlint.yaml) if every host runs nft {} or later",
        since.release, since.release
    )
}

/// One finding per file that has a `\r`, at the first one, counting the lines that have one.
fn carriage_returns(target: &Target, text: &str, segments: &Segments, out: &mut Vec<Diagnostic>) {
    let refuses = target.nft_before(CRLF.release);
    if target.nft.is_some() && !refuses {
        return;
    }
    let mut first: Option<(FileId, usize, usize)> = None;
    let report = |found: Option<(FileId, usize, usize)>, out: &mut Vec<Diagnostic>| {
        let Some((file, start, lines)) = found else {
            return;
        };
        let span = crate::source::Span::new(file, start..start + 1);
        let count = if lines == 1 {
            "1 line has one".to_string()
        } else {
            format!("{lines} lines have one")
        };
        let help = upgrade_help(
            &CRLF,
            "convert the file to LF line endings (`dos2unix FILE`, or `sed -i 's/\\r$//' FILE`)",
        );
        let diagnostic = if refuses {
            Diagnostic::new(&RULE, span, format!("{} ({count})", refused(target, &CRLF)))
                .with_help(help)
        } else {
            let mut d = Diagnostic::new(
                &RULE,
                span,
                format!(
                    "a carriage return ({count}): nft before {} refuses CRLF line endings",
                    CRLF.release
                ),
            )
            .with_help(
                "convert the file to LF line endings (`dos2unix FILE`) if it may be loaded by nft 1.0.6 or older (Debian 12); set `target: nft=1.0.7` in .portlint.yaml to say every host runs a newer nft",
            );
            d.severity = Severity::Info;
            d
        };
        out.push(diagnostic.with_span_label("carriage return"));
    };
    for (offset, _) in text.match_indices('\r') {
        let span = segments.span(offset..offset + 1);
        match &mut first {
            Some((file, _, lines)) if *file == span.file => *lines += 1,
            _ => {
                report(first.take(), out);
                first = Some((span.file, span.start as usize, 1));
            }
        }
    }
    report(first, out);
}

/// Whether `tokens[index]` starts a command or statement.
fn at_statement_start(tokens: &[Token], index: usize) -> bool {
    index == 0
        || tokens.get(index - 1).is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::Newline | TokenKind::Semicolon | TokenKind::LBrace | TokenKind::RBrace
            )
        })
}

fn destroy_commands(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    for (index, token) in tokens.iter().enumerate() {
        if token.kind == TokenKind::Word
            && token.text(text) == "destroy"
            && at_statement_start(tokens, index)
        {
            out.push(
                Diagnostic::new(
                    &RULE,
                    segments.span(token.range()),
                    refused(target, &DESTROY),
                )
                .with_help(upgrade_help(
                    &DESTROY,
                    "write `delete` (it fails when the object is missing; `add` the object first to make it exist)",
                ))
                .with_span_label("`destroy` needs nft 1.0.8"),
            );
        }
    }
}

/// `type nat hook output … priority dstnat`: the `dstnat` word.
fn dstnat_on_output(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    let word = |index: usize| {
        tokens
            .get(index)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(text))
    };
    for (index, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Word
            || index == 0
            || token.text(text) != "dstnat"
            || word(index - 1) != Some("priority")
        {
            continue;
        }
        // The chain type's words, back to the start of the statement (`type T hook H [device
        // D] priority P` is at most eight words).
        let start = (index.saturating_sub(8)..index)
            .rev()
            .find(|&i| at_statement_start(tokens, i))
            .unwrap_or(index);
        let words: Vec<&str> = (start..index).filter_map(word).collect();
        let has = |pair: [&str; 2]| words.windows(2).any(|w| w == pair);
        if has(["type", "nat"]) && has(["hook", "output"]) {
            out.push(
                Diagnostic::new(
                    &RULE,
                    segments.span(token.range()),
                    refused(target, &DSTNAT_OUTPUT),
                )
                .with_help(upgrade_help(
                    &DSTNAT_OUTPUT,
                    "write the number it stands for, `priority -100`",
                ))
                .with_span_label("`dstnat` on hook output needs nft 1.0.7"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_with_clear_errors() {
        let both = Target::parse("nft=1.0.6,iptables=1.8").expect("a target");
        assert_eq!(both.nft, Some(Version::new(1, 0, 6)));
        assert_eq!(both.iptables, Some(Version::new(1, 8, 0)));
        for (text, error) in [
            ("nft", "`nft` is not TOOL=VERSION"),
            ("nftables=1.0.6", "no tool is named `nftables`"),
            ("nft=1.0.x", "`1.0.x` is not a release number"),
            ("nft=1", "`1` is not a release number"),
            ("nft=1.0.6.1", "`1.0.6.1` is not a release number"),
            ("nft=1.0.6,nft=1.0.7", "`nft` is named twice"),
        ] {
            let found = Target::parse(text).expect_err(text);
            assert!(found.starts_with(error), "{text}: {found}");
        }
    }

    #[test]
    fn releases_compare_by_number() {
        assert!(Version::new(1, 0, 10) > Version::new(1, 0, 7));
        assert!(Target::parse("nft=1.0.6").unwrap().nft_before(CRLF.release));
        assert!(!Target::parse("nft=1.0.7").unwrap().nft_before(CRLF.release));
        assert!(!Target::default().nft_before(CRLF.release));
    }
}
