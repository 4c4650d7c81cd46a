//! The real nft as an oracle: for every fixture and example, portlint reports a refusal
//! (PL001/PL002/PL003/PL005) exactly when `nft -c -f` rejects the file.
//!
//! nft runs only inside a private network namespace (`unshare -n`), never against the host's
//! firewall. Without nft or unshare the test skips with a message, unless
//! PORTLINT_REQUIRE_ORACLES is set (CI sets it, so a missing oracle fails there).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn portlint_refusals(path: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .arg(path)
        .args([
            "--format",
            "concise",
            "--target",
            common::NFT_TARGET,
            "--select",
            &common::REFUSALS.join(","),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run portlint");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        for entry in ignore::WalkBuilder::new(root.join(dir)).build() {
            let entry = entry.expect("walk");
            if entry.path().extension().and_then(|e| e.to_str()) == Some("nft") {
                files.push(
                    entry
                        .path()
                        .strip_prefix(root)
                        .expect("under root")
                        .to_path_buf(),
                );
            }
        }
    }
    files.sort();
    files
}

#[test]
fn portlint_refuses_exactly_what_nft_refuses() {
    if !common::nft_available() {
        return;
    }
    let mut disagreements = Vec::new();
    let files = files();
    assert!(files.len() >= 30, "{} files", files.len());
    for file in &files {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // nft runs in the file's directory with `-I` there: it finds includes beside the
        // file, as portlint does.
        let dir = root.join(file.parent().expect("a file in a directory"));
        let name = file.file_name().expect("a file name").to_string_lossy();
        let (accepted, nft_says) = common::nft_check(&dir, &name);
        let refusals = portlint_refusals(file);
        if accepted != refusals.is_empty() {
            disagreements.push(format!(
                "{}: nft {}, portlint reports {} refusal(s)\n  nft: {}\n  portlint: {}",
                file.display(),
                if accepted { "accepts" } else { "rejects" },
                refusals.len(),
                nft_says.trim(),
                refusals.join("\n            ")
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Issue 14's constructs (tests/fixtures/nft-constructs): what nft 1.0.6 says of each, and the
/// refusals portlint reports (`line:column: code`). portlint's side is checked without nft too.
const CONSTRUCTS: &[(&str, bool, &[&str])] = &[
    // A closing `}` indented less than its rule, a vmap whose lines start with `tcp`.
    ("braces-dedented.nft", true, &[]),
    // `chain ip t c { … }`, `rule ip t c …`, `set`, `map`, `element`, … without `add`.
    ("commands-without-add.nft", true, &[]),
    // "syntax error, unexpected masquerade"
    ("oifname-keyword.nft", false, &["4:11: PL001"]),
    // "You can only specify this once", "you cannot set chain policy twice"
    ("once-only-twice.nft", false, &["5:3: PL001", "6:3: PL001"]),
    // A set's or a named object's second `comment`: "You can only specify this once"
    (
        "once-only-set-comment.nft",
        false,
        &["5:3: PL001", "8:16: PL001"],
    ),
    // A set's comment beside its elements' comments.
    ("set-element-comments.nft", true, &[]),
    // `nft -j`: "unsupported xtables compat expression, use iptables-nft with this ruleset"
    ("xt-statement.json", false, &["1:176: PL001"]),
];

/// `nft -j -c -f FILE` in a private network namespace: whether nft accepts the JSON, and what
/// it says.
fn nft_json_check(dir: &Path, file: &str) -> (bool, String) {
    let output = Command::new("unshare")
        .args(["-n", "nft", "-j", "-c", "-f", file])
        .current_dir(dir)
        .output()
        .expect("run nft");
    let says = String::from_utf8_lossy(&output.stderr)
        .trim_end()
        .to_string();
    (output.status.success(), says)
}

#[test]
fn issue_14_constructs_are_read_as_nft_reads_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nft-constructs");
    let oracle = common::nft_available();
    for (name, nft_accepts, expected) in CONSTRUCTS {
        let file = Path::new("tests/fixtures/nft-constructs").join(name);
        let found: Vec<String> = portlint_refusals(&file)
            .iter()
            .filter_map(|line| {
                let rest = line.strip_prefix(&format!("{}:", file.display()))?;
                let (position, code) = rest.split_once(": ")?;
                Some(format!("{position}: {}", code.split(' ').next()?))
            })
            .collect();
        assert_eq!(&found, expected, "{name}");
        if oracle {
            let (accepted, nft_says) = if name.ends_with(".json") {
                nft_json_check(&dir, name)
            } else {
                common::nft_check(&dir, name)
            };
            assert_eq!(accepted, *nft_accepts, "{name}: nft says {nft_says}");
        }
    }
}

/// Shell scripts that run nft (tests/fixtures/nft-scripts): each runs under `sh` in a private
/// network namespace, with `set -e`, so it exits non-zero exactly when nft refuses one of its
/// commands; portlint reports a refusal exactly then, at the line the fixture names.
#[test]
fn nft_scripts_are_read_as_nft_runs_them() {
    if !common::nft_available() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fixtures/nft-scripts");
    let expected: &[(&str, &[&str])] = &[
        ("firewall.sh", &[]),
        ("heredoc.sh", &[]),
        // "Error: syntax error, unexpected string" at `acept`
        ("typo.sh", &["5:45: PL001"]),
    ];
    for (name, refusals) in expected {
        let ran = Command::new("unshare")
            .args(["-n", "sh", name])
            .current_dir(&dir)
            .output()
            .expect("run the script");
        assert_eq!(
            ran.status.success(),
            refusals.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&ran.stderr)
        );
        let file = Path::new("tests/fixtures/nft-scripts").join(name);
        let found: Vec<String> = portlint_refusals(&file)
            .iter()
            .filter_map(|line| {
                let (_, at) = line.split_once(".sh:")?;
                Some(at.split(" [").next()?.to_string())
            })
            .collect();
        assert_eq!(found, *refusals, "{name}");
    }
}
