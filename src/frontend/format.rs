//! The input formats, each with one owner: how its content is recognised, which file names a
//! directory walk considers for it, how large a file of it portlint reads, and which reader
//! reads it. `lint.rs` and `discover.rs` ask this module; neither keeps a list of its own.
//!
//! A file named on the command line is always read: the first format whose content test
//! accepts it, else nft text (so a misnamed file gets nft's syntax errors rather than silence).
//! A walk is pickier: it reads a file only when its content says which format it is, so a
//! repository's fail2ban INI files, compose files and udev rules are left alone.

use crate::cli::InputFormat;
use crate::frontend::{iptables, nft, policy};
use crate::model::Family;
use std::path::Path;

/// One input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// nftables text, as `nft -f` reads it.
    Nft,
    /// libnftables JSON (`nft -j list ruleset`).
    NftJson,
    /// `iptables-save` output, as `iptables-restore` reads it.
    IptablesSave,
    /// Rule specifications without tables (`iptables -S` output: `-P INPUT DROP`, `-N web`,
    /// `-A INPUT …`): the filter table unless a line's `-t` says otherwise.
    IptablesListing,
    /// A shell script that runs iptables / ip6tables.
    IptablesScript,
    /// A shell script that runs nft (command lines and `nft -f - <<EOF` here-documents).
    NftScript,
    /// A portlint YAML policy.
    Policy,
}

/// The order content is tested in: the formats with an unmistakable mark first, nft (which has
/// no single mark and is the fallback for a named file) last.
const BY_CONTENT: [Format; 7] = [
    Format::Policy,
    Format::NftJson,
    Format::IptablesSave,
    Format::IptablesListing,
    Format::IptablesScript,
    Format::NftScript,
    Format::Nft,
];

/// The largest file portlint reads (the 100,000-rule benchmark file is about 6 MB).
pub const MAX_FILE_SIZE: u64 = 256 << 20;

/// How much of a file a walk reads to decide whether it is a ruleset.
pub const SNIFF_BYTES: usize = 4096;

/// How much of a shell script a walk reads to find an iptables command (scripts set variables
/// and define functions for a while before the first one).
pub const SCRIPT_SNIFF_BYTES: usize = 256 << 10;

impl Format {
    /// The format's name, as `--input-format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Nft => "nft",
            Format::NftJson => "nft-json",
            Format::IptablesSave => "iptables",
            Format::IptablesListing => "iptables-listing",
            Format::IptablesScript => "iptables-script",
            Format::NftScript => "nft-script",
            Format::Policy => "policy",
        }
    }

    /// The largest file of this format portlint reads.
    pub fn size_cap(self) -> u64 {
        match self {
            // The JSON syntax tree takes about 20 times the file (a 39 MB, 100,000-rule JSON
            // ruleset peaks at 833 MB), so the cap keeps a run near a gigabyte at most.
            Format::NftJson => 48 << 20,
            _ => MAX_FILE_SIZE,
        }
    }

    /// What to tell a user whose file is over [`Format::size_cap`].
    pub fn too_large(self, size: u64) -> String {
        match self {
            Format::NftJson => format!(
                "this `nft -j` JSON is {} MiB; portlint reads JSON rulesets up to {} MiB (its syntax tree takes some 20 times the file); lint the text form (`nft list ruleset`) instead",
                size >> 20,
                self.size_cap() >> 20
            ),
            _ => format!(
                "the file is {} MiB, more than the {} MiB portlint reads",
                size >> 20,
                self.size_cap() >> 20
            ),
        }
    }

    /// Whether `text` (a whole file, or its first [`SNIFF_BYTES`] in a walk) is of this format
    /// by its content alone.
    pub fn content_says(self, text: &str) -> bool {
        // A byte-order mark says nothing of the format: every test sees the text after it.
        let text = without_bom(text);
        match self {
            Format::Policy => policy::looks_like_policy(text),
            Format::NftJson => nft::json::looks_like_json(text),
            Format::IptablesSave => iptables::looks_like_save(text),
            Format::IptablesListing => iptables::looks_like_listing(text),
            Format::IptablesScript => iptables::looks_like_script(text),
            Format::NftScript => is_shell(text) && nft::script::has_nft_command(text),
            Format::Nft => nft::looks_like_ruleset(text),
        }
    }
}

/// How a file is read: its format and, for iptables, the family its name or the user gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub format: Format,
    pub family: Option<Family>,
}

/// How a file named or found is read: by `--input-format` when the user gives one (their word,
/// no guessing), else by its content, else as nft text.
pub fn detect(input: InputFormat, path: &Path, text: &str) -> Detected {
    let name_family = iptables::family_from_name(&path.to_string_lossy());
    let (format, family) = match input {
        InputFormat::Nft => (Format::Nft, None),
        InputFormat::NftJson => (Format::NftJson, None),
        InputFormat::Iptables => (Format::IptablesSave, name_family),
        InputFormat::Ip6tables => (Format::IptablesSave, Some(Family::Ip6)),
        InputFormat::IptablesListing => (Format::IptablesListing, name_family),
        InputFormat::Ip6tablesListing => (Format::IptablesListing, Some(Family::Ip6)),
        InputFormat::IptablesScript => (Format::IptablesScript, None),
        InputFormat::Ip6tablesScript => (Format::IptablesScript, Some(Family::Ip6)),
        InputFormat::NftScript => (Format::NftScript, None),
        InputFormat::Policy => (Format::Policy, None),
        // A YAML file is no nft ruleset: read as a policy, one without its marker is told so
        // (a walk only picks YAML files that have it).
        InputFormat::Auto if is_yaml(path) => (Format::Policy, None),
        InputFormat::Auto => {
            let format = BY_CONTENT
                .into_iter()
                .find(|f| f.content_says(text))
                .unwrap_or(Format::Nft);
            // `fw.sh` without a `#!` line that runs nft is a script all the same.
            let format = if format == Format::Nft
                && is_shell_name(path)
                && nft::script::has_nft_command(text)
            {
                Format::NftScript
            } else {
                format
            };
            let family = match format {
                Format::IptablesSave | Format::IptablesListing => name_family,
                _ => None,
            };
            (format, family)
        }
    };
    Detected { format, family }
}

/// What a walk does with a file, by its name, before reading any of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Candidate {
    /// Never a ruleset: source code, documents, images, archives, build files.
    Skip,
    /// Named for this format (`*.nft`): read unless its first bytes say it is something else
    /// altogether (binary, INI).
    Named(Format),
    /// Maybe one of these formats: the first bytes decide.
    Sniff(&'static [Format]),
}

/// Every format a file of unremarkable name may hold. A policy is only looked for in YAML
/// files, JSON only in `.json` files (neither is worth reading every file for).
const TEXT_FORMATS: &[Format] = &[
    Format::IptablesSave,
    Format::IptablesListing,
    Format::Nft,
    Format::IptablesScript,
    Format::NftScript,
];

/// Endings of files that hold something else: a shell line that runs iptables in a README's
/// code block, a Python string or a Makefile recipe is an example or a program, not a ruleset.
const OTHER_EXTENSIONS: &[&str] = &[
    // documents
    "md", "markdown", "rst", "txt", "adoc", "asciidoc", "org", "tex", "html", "htm", "xml", "pdf",
    "1", "5", "8", "man", "texi", "csv", "tsv", "log", "patch", "diff",
    // source code and build files
    "rs", "py", "pyc", "go", "c", "h", "cc", "cpp", "hpp", "java", "kt", "js", "mjs", "ts", "tsx",
    "jsx", "rb", "pl", "pm", "php", "lua", "tcl", "swift", "scala", "cs", "erl", "ex", "exs", "hs",
    "ml", "nix", "mk", "cmake", "toml", "lock", "ini", "cfg", "j2", "jinja", "jinja2", "tmpl",
    "tpl", "erb", "service", "socket", "timer", "desktop", "spec", "in",
    // data, images, archives, binaries
    "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "bmp", "zip", "gz", "tgz", "xz", "bz2",
    "zst", "tar", "deb", "rpm", "iso", "img", "qcow2", "so", "o", "a", "rlib", "exe", "dll",
    "class", "jar", "wasm", "woff", "woff2", "ttf", "otf", "db", "sqlite", "pcap", "bin",
];

/// Whole names of build and CI files that run iptables in recipes, not as a ruleset.
const OTHER_NAMES: &[&str] = &[
    "Makefile",
    "GNUmakefile",
    "Dockerfile",
    "Containerfile",
    "Vagrantfile",
    "Jenkinsfile",
    "PKGBUILD",
    "CMakeLists.txt",
];

/// What a walk does with `path`, by its name.
pub fn candidate(path: &Path) -> Candidate {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if name.starts_with('.') && extension.is_empty() && name != ".firewall" {
        // Dot files (`.gitignore`, `.bashrc`, `.portlint.yaml` has an ending) are settings.
        return Candidate::Skip;
    }
    if extension == "nft" {
        return Candidate::Named(Format::Nft);
    }
    if is_yaml(path) {
        return Candidate::Sniff(&[Format::Policy]);
    }
    if extension == "json" {
        return Candidate::Sniff(&[Format::NftJson]);
    }
    let lower = extension.to_ascii_lowercase();
    if OTHER_EXTENSIONS.contains(&lower.as_str()) || OTHER_NAMES.contains(&name) {
        return Candidate::Skip;
    }
    Candidate::Sniff(TEXT_FORMATS)
}

/// Whether a walk reads `path`, whose first bytes are `head`, as what [`candidate`] said; `rest`
/// reads more of a shell script when its first bytes run no iptables command yet.
pub fn walk_picks(
    path: &Path,
    candidate: Candidate,
    head: &str,
    rest: impl FnOnce() -> String,
) -> bool {
    let head = without_bom(head);
    if binary_at(head).is_some() || is_ini(head) {
        // A NUL byte is binary; `[Section]` is INI (fail2ban's `action.d/nftables.conf`).
        return false;
    }
    let formats = match candidate {
        Candidate::Skip => return false,
        Candidate::Named(_) => return true,
        Candidate::Sniff(formats) => formats,
    };
    // Only a file that says it is a shell script is worth reading further for commands; the
    // more it reads is read once, for both kinds of script.
    let is_script = is_shell(head) || is_shell_name(path);
    let mut rest = Some(rest);
    let mut longer: Option<String> = None;
    for &format in formats {
        let says = match format {
            Format::IptablesScript | Format::NftScript if !format.content_says(head) => {
                if !is_script {
                    continue;
                }
                if longer.is_none() {
                    longer = rest.take().map(|rest| rest());
                }
                let text = longer.as_deref().unwrap_or(head);
                match format {
                    Format::NftScript => nft::script::has_nft_command(text),
                    _ => format.content_says(text),
                }
            }
            _ => format.content_says(head),
        };
        if says {
            return true;
        }
    }
    false
}

/// Names shell scripts go by without a `#!` line: `*.sh`, arno-iptables-firewall's
/// `*.plugin`, Slackware's `rc.firewall`.
fn is_shell_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(extension, "sh" | "bash" | "ksh" | "zsh" | "plugin") || name.starts_with("rc.firewall")
}

/// `text` after its byte-order mark, if it has one. Each format's content test, and the walk's
/// tests for binary, INI and shell files, see this: a BOM must not make an iptables-save dump
/// read as nft, nor hide a `#!` line.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Evidence that a file is not text: the offset of its first NUL byte, or of the first of many
/// control characters and bytes that are not UTF-8 (more than one character in ten of its first
/// [`SNIFF_BYTES`]). Such a file (`/bin/ls` named `x.nft`) gets one finding, not one per
/// "token".
pub fn binary_at(text: &str) -> Option<usize> {
    let head = text
        .get(..floor_char_boundary(text, SNIFF_BYTES))
        .unwrap_or(text);
    if let Some(nul) = head.find('\0') {
        return Some(nul);
    }
    let not_text =
        |c: char| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    let (mut total, mut odd, mut first) = (0usize, 0usize, None);
    for (at, c) in head.char_indices() {
        total += 1;
        if not_text(c) {
            odd += 1;
            first.get_or_insert(at);
        }
    }
    (odd * 10 > total && odd >= 4).then_some(first).flatten()
}

/// The largest character boundary at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Whether `text` starts like an INI file: its first line that is not blank or a comment is a
/// `[section]` header. No ruleset format starts so (iptables counters `[0:0]` follow a word).
pub fn is_ini(text: &str) -> bool {
    first_line(text, &['#', ';']).is_some_and(|line| {
        line.starts_with('[')
            && line.ends_with(']')
            && !line[1..line.len() - 1].contains(':')
            && line.len() > 2
    })
}

/// Whether `text` says it is a shell script: a `#!` line naming a shell.
pub fn is_shell(text: &str) -> bool {
    let Some(shebang) = text.strip_prefix("#!") else {
        return false;
    };
    let line = shebang.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut program = words.next().unwrap_or("").rsplit('/').next().unwrap_or("");
    if program == "env" {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    matches!(
        program,
        "sh" | "bash" | "dash" | "ash" | "ksh" | "mksh" | "zsh" | "busybox"
    )
}

/// The first line of `text` that is not blank and does not start with one of `comments`,
/// trimmed.
pub fn first_line<'t>(text: &'t str, comments: &[char]) -> Option<&'t str> {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
        .find(|l| !l.is_empty() && !l.starts_with(comments))
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_files_are_told_from_rulesets() {
        assert!(is_ini(
            "# Fail2Ban configuration file\n\n[INCLUDES]\nbefore = iptables.conf\n"
        ));
        assert!(is_ini("[Definition]\nactionstart = nft add table\n"));
        assert!(!is_ini("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"));
        assert!(!is_ini("[0:0] -A INPUT -j ACCEPT\n"));
        assert!(!is_ini("table inet t {\n}\n"));
    }

    #[test]
    fn nft_text_is_told_by_its_first_command() {
        let nft = crate::frontend::nft::looks_like_ruleset;
        for ruleset in [
            "#!/usr/sbin/nft -f\nflush ruleset\n",
            "# home router\n\ntable inet filter {\n",
            "flush ruleset\n",
            "define WAN = eth0\n",
            "include \"/etc/nftables.d/*.nft\"\n",
            "add rule inet t c tcp dport 22 accept\n",
            "\u{feff}table ip nat {\n",
        ] {
            assert!(nft(ruleset), "{ruleset:?}");
        }
        for other in [
            "#!/bin/sh\nnft -f /etc/nftables.conf\n",
            "set -e\n",
            "server {\n\tlisten 80;\n}\n",
            "net.ipv4.ip_forward = 1\n",
            "SUBSYSTEM==\"net\", ACTION==\"add\"\n",
            "add_header X-Frame-Options DENY;\n",
            "",
        ] {
            assert!(!nft(other), "{other:?}");
        }
    }

    #[test]
    fn listings_are_told_from_dumps_and_diffs() {
        let listing = crate::frontend::iptables::looks_like_listing;
        assert!(listing("-P INPUT DROP\n-N web\n-A INPUT -j web\n"));
        assert!(listing(
            "# generated\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"
        ));
        assert!(listing("-t nat -A POSTROUTING -o eth0 -j MASQUERADE\n"));
        assert!(!listing("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n"));
        assert!(!listing("--- a/x\n+++ b/x\n"));
        assert!(!listing("-A INPUT -j ACCEPT\nCOMMIT\n"));
        assert!(!listing(""));
    }

    #[test]
    fn shells_are_named_by_their_shebang() {
        assert!(is_shell("#!/bin/sh\niptables -F\n"));
        assert!(is_shell("#!/usr/bin/env bash\n"));
        assert!(is_shell("#! /bin/bash -e\n"));
        assert!(!is_shell("#!/usr/sbin/nft -f\n"));
        assert!(!is_shell("#!/usr/bin/python3\n"));
        assert!(!is_shell("iptables -F\n"));
    }

    #[test]
    fn names_that_hold_something_else_are_skipped() {
        for skipped in [
            "README.md",
            "setup.py",
            "Makefile",
            "notes.txt",
            ".bashrc",
            "x.png",
        ] {
            assert_eq!(candidate(Path::new(skipped)), Candidate::Skip, "{skipped}");
        }
        for sniffed in [
            "firewall",
            "rc.firewall.sh",
            "nftables.conf",
            "x.ipt",
            "a.golden",
        ] {
            assert_ne!(candidate(Path::new(sniffed)), Candidate::Skip, "{sniffed}");
        }
    }
}
