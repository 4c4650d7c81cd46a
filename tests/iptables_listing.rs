//! Rule-spec listings (`iptables -S` output, generators' rule files without tables) are read as
//! the dump they list: each fixture `X.ipt` has a twin `X.rules` in iptables-save form, which the
//! real `iptables-restore --test` judges (it cannot read a listing itself), and portlint must say
//! the same of both: the same findings, and an error exactly when the oracle refuses the dump.

mod common;

use std::path::Path;

use std::process::Command;

/// `(code, severity, message)` of each finding, in order: what a listing and its dump share
/// (their positions differ by the dump's extra lines).
fn findings(path: &Path) -> Vec<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .arg(path)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run portlint");
    assert_eq!(out.status.code(), Some(0), "{}", path.display());
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).expect("portlint's JSON");
    document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let field = |name: &str| d[name].as_str().unwrap_or_default().to_string();
            (field("code"), field("severity"), field("message"))
        })
        .collect()
}

#[test]
fn a_listing_is_read_as_the_dump_it_lists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/listings");
    let mut listings: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/listings")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipt"))
        .collect();
    listings.sort();
    assert!(listings.len() >= 2, "{listings:?}");
    let oracle = common::iptables_available();
    for listing in &listings {
        let dump = listing.with_extension("rules");
        let from_listing = findings(listing);
        assert_eq!(
            from_listing,
            findings(&dump),
            "{}: a listing and its dump disagree",
            listing.display()
        );
        let has_error = from_listing
            .iter()
            .any(|(_, severity, _)| severity == "error");
        if oracle {
            let (accepted, says) = common::iptables_check(&dump, false);
            assert_eq!(
                !accepted,
                has_error,
                "{}: iptables-restore says {accepted} ({says}); portlint: {from_listing:?}",
                dump.display()
            );
        }
    }
}

#[test]
fn a_listing_is_detected_by_its_content_and_keeps_its_positions() {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .arg("tests/fixtures/listings/edge.ipt")
        .args(["--format", "concise", "--select", "PL002,PL003"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run portlint");
    let text = String::from_utf8_lossy(&out.stdout);
    let shown: Vec<&str> = text
        .lines()
        .map(|l| l.split(" [").next().unwrap_or(l))
        .collect();
    assert_eq!(
        shown,
        [
            "tests/fixtures/listings/edge.ipt:9:30: PL002",
            "tests/fixtures/listings/edge.ipt:10:11: PL003",
        ],
        "{text}"
    );
}
