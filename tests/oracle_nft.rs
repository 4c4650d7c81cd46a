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
