//! What several test files share: the real nft as an oracle.
#![allow(dead_code)] // each test binary uses a part

use std::path::Path;
use std::process::Command;

/// Codes that claim "nft would refuse this file" (PL007: the target release would; oracle runs
/// pass [`NFT_TARGET`]).
pub const REFUSALS: &[&str] = &["PL001", "PL002", "PL003", "PL004", "PL005", "PL007"];

/// The release of the installed nft that the oracles run: `--target` for portlint's side.
pub const NFT_TARGET: &str = "nft=1.0.6";

/// `nft -c -f FILE` in a private network namespace (never against the host's firewall), run in
/// `dir` with `-I dir`: whether nft accepts the file, and what it said.
pub fn nft_check(dir: &Path, file: &str) -> (bool, String) {
    let output = Command::new("unshare")
        .args(["-n", "nft", "-c", "-I"])
        .arg(dir)
        .args(["-f", file])
        .current_dir(dir)
        .output()
        .expect("run nft");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_string(),
    )
}

/// Whether the oracle can run here. Without it a test skips with a message, unless
/// PORTLINT_REQUIRE_ORACLES is set (CI sets it, so a missing oracle fails there).
pub fn nft_available() -> bool {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("empty.nft"), "").expect("write empty.nft");
    let works = Command::new("unshare")
        .args(["-n", "nft", "-c", "-f", "empty.nft"])
        .current_dir(dir.path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        let message = "`unshare -n nft -c` is not available (apt-get install nftables; needs root)";
        assert!(
            std::env::var_os("PORTLINT_REQUIRE_ORACLES").is_none(),
            "{message}"
        );
        eprintln!("skipped: {message}");
    }
    works
}

/// `../shared/corpus/nft`, or `None` with a message when the workspace has no corpus.
pub fn nft_corpus() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/nft");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus/nft is absent (it comes with the portlint workspace)");
        None
    }
}

/// `VERDICTS.nft-1.0.6.tsv` of the corpus at `dir`: (file, verdict) pairs.
pub fn verdicts(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("VERDICTS.nft-1.0.6.tsv")).expect("verdicts");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((fields.next()?.to_string(), fields.next()?.to_string()))
        })
        .collect()
}

/// Every `.t` file under `dir` (nft's py tests), sorted.
pub fn py_test_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("t"))
        .collect();
    paths.sort();
    paths
}

/// How a front end reads one text: `portlint::frontend::nft::read` or its JSON twin.
pub type FrontEnd = fn(
    portlint::source::FileId,
    &str,
    &portlint::frontend::resolve::Resolver<'_>,
) -> (
    portlint::model::Ruleset,
    Vec<portlint::diagnostic::Diagnostic>,
);

/// Read `text` through `front_end`, the checks and every emitter, and check that every span
/// lies in the text on character boundaries (robustness tests: nothing may panic).
pub fn read_through_everything(text: &str, front_end: FrontEnd) {
    use portlint::report::{self, human::Style, Report, Summary};
    let registry = portlint::registry::Registry::embedded();
    let resolver = portlint::frontend::resolve::Resolver::new(&registry);
    let mut sources = portlint::source::Sources::default();
    let file = sources.add("input".to_string(), text.to_string());
    let (ruleset, mut diagnostics) = front_end(file, &sources.get(file).text, &resolver);
    portlint::check::run(
        &portlint::check::Context {
            registry: &registry,
            ruleset: &ruleset,
        },
        &mut diagnostics,
    );
    assert_spans_in(text, &diagnostics);
    let report = Report {
        sources: &sources,
        diagnostics: &diagnostics,
        summary: Summary::of(1, &diagnostics),
        registry: &registry.meta,
        path_errors: &[],
    };
    let _ = report::human::render(&report, Style::Plain, 80);
    let _ = report::json::render(&report);
    let _ = report::concise::render(&report);
}

/// Every span of every finding (and of its labels) lies in `text`, on character boundaries.
pub fn assert_spans_in(text: &str, diagnostics: &[portlint::diagnostic::Diagnostic]) {
    for d in diagnostics {
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            let range = span.range();
            assert!(range.start <= range.end && range.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
                "{d:?}"
            );
        }
    }
}

/// `../shared/corpus/iptables`, or `None` with a message when the workspace has no corpus.
pub fn iptables_corpus() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/iptables");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: ../shared/corpus/iptables is absent (it comes with the portlint workspace)"
        );
        None
    }
}

/// `iptables-restore --test FILE` (`ip6tables-restore` when `ipv6`) in a private network
/// namespace (never against the host's firewall): whether it accepts the file, and what it said.
pub fn iptables_check(file: &Path, ipv6: bool) -> (bool, String) {
    let tool = if ipv6 {
        "ip6tables-restore"
    } else {
        "iptables-restore"
    };
    let output = Command::new("unshare")
        .args(["-n", tool, "--test"])
        .arg(file)
        .output()
        .expect("run iptables-restore");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_string(),
    )
}

/// Whether `unshare -n iptables-restore --test` and its IPv6 twin can run here. Without them a
/// test skips with a message, unless PORTLINT_REQUIRE_ORACLES is set (CI sets it, so a missing
/// oracle fails there).
pub fn iptables_available() -> bool {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("empty.rules");
    std::fs::write(&file, "*filter\nCOMMIT\n").expect("write empty.rules");
    let works = [false, true].into_iter().all(|ipv6| {
        let tool = if ipv6 {
            "ip6tables-restore"
        } else {
            "iptables-restore"
        };
        Command::new("unshare")
            .args(["-n", tool, "--test"])
            .arg(&file)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !works {
        let message = "`unshare -n iptables-restore --test` is not available (apt-get install iptables; needs root)";
        assert!(
            std::env::var_os("PORTLINT_REQUIRE_ORACLES").is_none(),
            "{message}"
        );
        eprintln!("skipped: {message}");
    }
    works
}

/// Port intervals as `{22,1024-2048}`, for the differential tests' summaries.
pub fn show_intervals(pairs: &[(u16, u16)]) -> String {
    let shown: Vec<String> = pairs
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    format!("{{{}}}", shown.join(","))
}
