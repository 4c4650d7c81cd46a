//! The chain analyses on the upstream corpus (../shared/corpus: nftables and iptables test
//! data, every file, read as the lint run reads it) checked against the packet simulator on
//! each file's boundary packets: no PL201, PL202, PL203 or PL205 finding is contradicted. The
//! counts per rule are printed (`--nocapture`) for the record.

mod simulator;

use portlint::analysis::chains::Refused;
use portlint::cli::InputFormat;
use portlint::frontend::format;
use portlint::frontend::resolve::Resolver;
use portlint::registry::Registry;
use portlint::source::FileId;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn corpus_findings_hold_in_the_simulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let mut all = Vec::new();
    files(&root, &mut all);
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let mut totals = simulator::Stats::default();
    let mut with_findings = 0;
    let mut failures = Vec::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let detected = format::detect(InputFormat::Auto, path, &text);
        let Some((model, diagnostics)) =
            portlint::lint::read_whole(FileId(0), &text, detected, &resolver)
        else {
            continue;
        };
        let refused = Refused::new(
            diagnostics
                .iter()
                .filter(|d| ["PL001", "PL002", "PL003", "PL005"].contains(&d.rule.code))
                .map(|d| d.span)
                .collect(),
        );
        if model.tables.iter().all(|t| t.chains.is_empty()) {
            continue;
        }
        for disagreement in portlint::analysis::chains::footprint_disagreements(&model) {
            failures.push(format!(
                "{}: {disagreement}",
                path.strip_prefix(&root).unwrap_or(path).display()
            ));
        }
        let packets = simulator::packets(&model, 1_000, text.len() as u64);
        match simulator::check(&model, &refused, &packets, &[1, 2]) {
            Ok(stats) => {
                if stats.findings() > 0 {
                    with_findings += 1;
                }
                totals.add(stats);
            }
            Err(e) => failures.push(format!(
                "{}: {e}",
                path.strip_prefix(&root).unwrap_or(path).display()
            )),
        }
    }
    eprintln!(
        "{} corpus files; {with_findings} with findings: {} PL201, {} PL202, {} PL203, {} PL205 checked against 1,000 packets each; {} of {} rules without a finding matched by a simulated packet",
        all.len(),
        totals.shadowed,
        totals.redundant,
        totals.unreachable,
        totals.contradictory,
        totals.unflagged_matched,
        totals.unflagged
    );
    assert!(
        failures.is_empty(),
        "{} findings the simulator contradicts:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(totals.findings() > 0, "no finding to check: {totals:?}");
}
