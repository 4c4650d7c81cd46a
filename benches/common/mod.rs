//! What the benches share: the generated rulesets, and one read + check.

use portlint::diagnostic::Diagnostic;
use portlint::frontend::resolve::Resolver;
use portlint::model::Ruleset;
use portlint::registry::Registry;
use portlint::source::FileId;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The rulesets of ../shared/bench/gen-rulesets.py in target/bench-data, generated on first
/// use; `None` (said on stderr) without ../shared.
pub fn bench_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generator = root.join("../shared/bench/gen-rulesets.py");
    let dir = root.join("target/bench-data");
    if dir.join("rules-100000.nft").is_file() {
        return Some(dir);
    }
    if !generator.is_file() {
        eprintln!("skipped: ../shared/bench/gen-rulesets.py is absent");
        return None;
    }
    let status = Command::new("python3")
        .arg(&generator)
        .arg(&dir)
        .args(["1000", "10000", "100000"])
        .status()
        .expect("run gen-rulesets.py");
    assert!(status.success(), "gen-rulesets.py failed");
    Some(dir)
}

/// Parse + check `text` as nft: the model and every finding.
pub fn read_and_check(
    text: &str,
    registry: &Registry,
    resolver: &Resolver<'_>,
) -> (Ruleset, Vec<Diagnostic>) {
    let (ruleset, diagnostics) = portlint::frontend::nft::read(FileId(0), text, resolver);
    check(ruleset, diagnostics, registry)
}

/// Every check over a front end's model, after its own findings.
fn check(
    ruleset: Ruleset,
    mut diagnostics: Vec<Diagnostic>,
    registry: &Registry,
) -> (Ruleset, Vec<Diagnostic>) {
    portlint::check::run(
        &portlint::check::Context {
            registry,
            ruleset: &ruleset,
        },
        &mut diagnostics,
    );
    (ruleset, diagnostics)
}

/// Parse + check `text` as iptables-save output (`rules-N.iptables`).
#[allow(dead_code)] // each bench binary uses a part
pub fn read_and_check_iptables(
    text: &str,
    registry: &Registry,
    resolver: &Resolver<'_>,
) -> (Ruleset, Vec<Diagnostic>) {
    use portlint::frontend::iptables::{self, Format};
    let (ruleset, diagnostics) = iptables::read(FileId(0), text, resolver, Format::Save, None);
    check(ruleset, diagnostics, registry)
}
