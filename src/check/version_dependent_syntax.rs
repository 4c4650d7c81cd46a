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
/// the nftables release announcements (netfilter-announce, with their changelogs), named at
/// each row; CRLF's alone comes from issue 14's survey of real rulesets, as no announcement
/// mentions it.
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
/// string". The nftables 1.0.7 announcement (2023-03-13) lists "New destroy command" (commit
/// "src: add support to command \"destroy\"").
const DESTROY: Since = Since {
    release: Version::new(1, 0, 7),
    what: "the `destroy` command",
};

/// `priority dstnat` on a nat chain of hook output, as Docker's nftables rulesets write it, and
/// `priority srcnat` on hook input: nft 1.0.6 allows `dstnat` on hook prerouting only and
/// `srcnat` on postrouting only ("invalid priority expression value in this context"). nftables
/// commit 8beafab7 "rule: allow src/dstnat prios in input and output" (netfilter-devel,
/// 2023-07-28, closes netfilter bugzilla 1694) lifted that; the nftables 1.0.9 announcement
/// (2023-10-19) lists it in its changes.
const DSTNAT_OUTPUT: Since = Since {
    release: Version::new(1, 0, 9),
    what: "the `dstnat` priority on hook output",
};
const SRCNAT_INPUT: Since = Since {
    release: Version::new(1, 0, 9),
    what: "the `srcnat` priority on hook input",
};

/// `icmpv6 taddr`, the target address of a neighbour solicitation or advertisement: commit
/// "icmpv6: Allow matching target address in NS/NA, redirect and MLD", in the nftables 1.0.9
/// announcement (2023-10-19); nft 1.0.6 says "syntax error, unexpected string".
const ICMPV6_TADDR: Since = Since {
    release: Version::new(1, 0, 9),
    what: "`icmpv6 taddr`",
};

/// `gc-interval` in a map declaration (sets had it before): commit "parser: permit gc-interval
/// in map declarations", in the nftables 1.0.9 announcement (2023-10-19); nft 1.0.6 says
/// "syntax error, unexpected gc-interval".
const MAP_GC_INTERVAL: Since = Since {
    release: Version::new(1, 0, 9),
    what: "`gc-interval` in a map",
};

/// Matching inside a tunnel (`udp dport 4789 vxlan ip saddr 10.0.0.0/8`, and `geneve`,
/// `gretap`): the nftables 1.0.7 announcement (2023-03-13) lists "Support for
/// vxlan/geneve/gre/gretap matching"; nft 1.0.6 says "No symbol type information". (`gre` is
/// left out: it is also a protocol name, `meta l4proto gre`, that every release reads.)
const INNER_MATCH: Since = Since {
    release: Version::new(1, 0, 7),
    what: "matching inside a tunnel header (`vxlan`, `geneve`, `gretap`)",
};

/// `meta broute set 1` on a bridge: the nftables 1.0.8 announcement (2023-07-14) lists
/// "broute support" (commit "meta: introduce meta broute support"); nft 1.0.6 says "syntax
/// error, unexpected broute".
const META_BROUTE: Since = Since {
    release: Version::new(1, 0, 8),
    what: "`meta broute`",
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
        nat_priority_on_other_hook(target, text, tokens, segments, out);
    }
    if target.nft_before(INNER_MATCH.release) {
        inner_matches(target, text, tokens, segments, out);
    }
    if target.nft_before(META_BROUTE.release) {
        let rewrite = "use an ebtables `broute` table on hosts with an older nft";
        let pair = ["meta", "broute"];
        word_pair(
            target,
            text,
            tokens,
            segments,
            pair,
            &META_BROUTE,
            rewrite,
            out,
        );
    }
    if target.nft_before(ICMPV6_TADDR.release) {
        let rewrite = "match the target address by its offset, as a 128-bit number: `@th,64,128 0x20010db8000000000000000000000001`";
        let pair = ["icmpv6", "taddr"];
        word_pair(
            target,
            text,
            tokens,
            segments,
            pair,
            &ICMPV6_TADDR,
            rewrite,
            out,
        );
    }
    if target.nft_before(MAP_GC_INTERVAL.release) {
        map_gc_interval(target, text, tokens, segments, out);
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
                .with_span_label("`destroy` needs nft 1.0.7"),
            );
        }
    }
}

/// The word of the token at `index`, if it is a word.
fn word_at<'t>(text: &'t str, tokens: &[Token], index: usize) -> Option<&'t str> {
    tokens
        .get(index)
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(text))
}

/// A finding at `token` for syntax the target refuses: `rewrite` says what the target reads.
fn push_refused(
    target: &Target,
    since: &Since,
    token: &Token,
    segments: &Segments,
    rewrite: &str,
    out: &mut Vec<Diagnostic>,
) {
    out.push(
        Diagnostic::new(&RULE, segments.span(token.range()), refused(target, since))
            .with_help(upgrade_help(since, rewrite))
            .with_span_label(format!("needs nft {}", since.release)),
    );
}

/// `type nat hook output … priority dstnat` and `type nat hook input … priority srcnat`: the
/// priority word.
fn nat_priority_on_other_hook(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    for (index, token) in tokens.iter().enumerate() {
        let (since, hook, number) = match word_at(text, tokens, index) {
            Some("dstnat") => (&DSTNAT_OUTPUT, "output", "-100"),
            Some("srcnat") => (&SRCNAT_INPUT, "input", "100"),
            _ => continue,
        };
        if index == 0 || word_at(text, tokens, index - 1) != Some("priority") {
            continue;
        }
        // The chain type's words, back to the start of the statement (`type T hook H [device
        // D] priority P` is at most eight words).
        let start = (index.saturating_sub(8)..index)
            .rev()
            .find(|&i| at_statement_start(tokens, i))
            .unwrap_or(index);
        let words: Vec<&str> = (start..index)
            .filter_map(|i| word_at(text, tokens, i))
            .collect();
        let has = |pair: [&str; 2]| words.windows(2).any(|w| w == pair);
        if has(["type", "nat"]) && has(["hook", hook]) {
            let rewrite = format!("write the number it stands for, `priority {number}`");
            push_refused(target, since, token, segments, &rewrite, out);
        }
    }
}

/// `vxlan`, `geneve` or `gretap` followed by a header or one of its fields: the tunnel word.
/// (After `iifkind`/`oifkind` the word is an interface kind, read by every release.)
fn inner_matches(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    const HEADERS: &[&str] = &[
        "ip", "ip6", "ether", "tcp", "udp", "icmp", "icmpv6", "vlan", "arp", "vni", "flags", "type",
    ];
    for (index, token) in tokens.iter().enumerate() {
        if !matches!(
            word_at(text, tokens, index),
            Some("vxlan" | "geneve" | "gretap")
        ) {
            continue;
        }
        let before = index.checked_sub(1).and_then(|i| tokens.get(i));
        let is_value = before.is_some_and(|t| {
            t.kind == TokenKind::Operator
                || matches!(t.text(text), "iifkind" | "oifkind" | "," | "{")
        });
        let next = word_at(text, tokens, index + 1);
        if !is_value && next.is_some_and(|w| HEADERS.contains(&w)) {
            let rewrite = "match the inner header by raw payload offsets (`@th,…`), or decapsulate first and filter on the tunnel device";
            push_refused(target, &INNER_MATCH, token, segments, rewrite, out);
        }
    }
}

/// `FIRST SECOND` (`icmpv6 taddr`, `meta broute`): the second word.
#[allow(clippy::too_many_arguments)]
fn word_pair(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    [first, second]: [&str; 2],
    since: &Since,
    rewrite: &str,
    out: &mut Vec<Diagnostic>,
) {
    for (index, token) in tokens.iter().enumerate() {
        if index > 0
            && word_at(text, tokens, index) == Some(second)
            && word_at(text, tokens, index - 1) == Some(first)
        {
            push_refused(target, since, token, segments, rewrite, out);
        }
    }
}

/// `gc-interval` as a statement of a `map NAME { … }` block.
fn map_gc_interval(
    target: &Target,
    text: &str,
    tokens: &[Token],
    segments: &Segments,
    out: &mut Vec<Diagnostic>,
) {
    // The kind of each open block (`map`, `set`, `chain`, …: the word two before its `{`).
    let mut blocks: Vec<Option<&str>> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LBrace => {
                blocks.push(index.checked_sub(2).and_then(|i| word_at(text, tokens, i)))
            }
            TokenKind::RBrace => {
                blocks.pop();
            }
            TokenKind::Word
                if token.text(text) == "gc-interval"
                    && at_statement_start(tokens, index)
                    && blocks.last().copied().flatten() == Some("map") =>
            {
                let rewrite = "remove `gc-interval` from the map (the kernel's default applies)";
                push_refused(target, &MAP_GC_INTERVAL, token, segments, rewrite, out);
            }
            _ => {}
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
