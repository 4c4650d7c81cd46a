//! What several test files share: the real nft as an oracle.
#![allow(dead_code)] // each test binary uses a part

use std::path::Path;
use std::process::Command;

/// Codes that claim "nft would refuse this file".
pub const REFUSALS: &[&str] = &["PL001", "PL002", "PL003", "PL004", "PL005"];

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
