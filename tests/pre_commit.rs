//! The pre-commit hook of `.pre-commit-hooks.yaml`, run the way users run it: `pre-commit
//! try-repo` against this checkout, in a throw-away git repository, fails on a bad ruleset and
//! passes on a clean one. Needs `pre-commit` (PyPI) and git; CI installs pre-commit and sets
//! PORTLINT_REQUIRE_PRECOMMIT=1 so that the test cannot be skipped there.

use std::path::Path;
use std::process::{Command, Output};

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn hook_target(root: &Path) -> std::path::PathBuf {
    if cfg!(debug_assertions) {
        root.join("target")
    } else {
        root.join("target").join("pre-commit-hook")
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(program)
        .args(args)
        .current_dir(dir)
        // The hook builds portlint in release mode. Under `cargo test` (debug) this checkout's
        // target directory lets it reuse the release dependencies the main job builds anyway;
        // under `cargo test --release` it gets a directory of its own, so that its build of the
        // committed HEAD never replaces the binary the other tests run.
        .env("CARGO_TARGET_DIR", hook_target(root))
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn show(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The ```yaml block of the README's "pre-commit" section.
fn readme_configuration() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## pre-commit\n")
        .nth(1)
        .expect("a pre-commit section");
    let block = section.split("```yaml\n").nth(1).expect("a yaml block");
    let block = block.split("```").next().expect("the block's end");
    assert!(block.contains("id: portlint"), "{block}");
    block.to_string()
}

/// A warning (PL105, the de-assigned 2/tcp) fails the hook; registry facts such as an unassigned
/// port are infos and would not.
const BAD: &str = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 2 accept\n\t}\n}\n";
const CLEAN: &str = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 443 accept\n\t}\n}\n";

#[test]
fn the_hook_fails_on_a_bad_ruleset_and_passes_on_a_clean_one() {
    let required = std::env::var_os("PORTLINT_REQUIRE_PRECOMMIT").is_some();
    if !available("pre-commit") || !available("git") {
        assert!(
            !required,
            "PORTLINT_REQUIRE_PRECOMMIT is set, but pre-commit or git is missing"
        );
        eprintln!("skipped: pre-commit or git is not installed (pip install pre-commit)");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let repo = dir.path();
    std::fs::write(repo.join("bad.nft"), BAD).expect("write");
    std::fs::write(repo.join("clean.nft"), CLEAN).expect("write");
    // Not named as a policy: the hook's `files` pattern leaves it alone.
    std::fs::write(repo.join("docker-compose.yaml"), "services: {}\n").expect("write");
    for args in [
        &["init", "-q"][..],
        &["config", "user.email", "ci@example.invalid"],
        &["config", "user.name", "CI"],
        &["add", "."],
    ] {
        let out = run(repo, "git", args);
        assert!(out.status.success(), "git {args:?}: {}", show(&out));
    }
    let hook_repo = env!("CARGO_MANIFEST_DIR");
    let bad = run(
        repo,
        "pre-commit",
        &[
            "try-repo",
            hook_repo,
            "portlint",
            "--files",
            "bad.nft",
            "docker-compose.yaml",
        ],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", show(&bad));
    let output = show(&bad);
    assert!(
        output.contains("PL105") && output.contains("2/tcp"),
        "{output}"
    );
    assert!(!output.contains("docker-compose"), "{output}");
    // The README's configuration, pointed at this checkout's HEAD (pre-commit clones a commit:
    // uncommitted changes to the hook are not in it).
    let head = run(Path::new(hook_repo), "git", &["rev-parse", "HEAD"]);
    assert!(head.status.success(), "{}", show(&head));
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let config = readme_configuration()
        .replace("https://github.com/portlint/portlint", hook_repo)
        .replace("v0.1.0", &head);
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write");
    let clean = run(
        repo,
        "pre-commit",
        &["run", "--files", "clean.nft", "docker-compose.yaml"],
    );
    assert_eq!(clean.status.code(), Some(0), "{}", show(&clean));
    let output = show(&clean);
    assert!(
        output.contains("portlint") && output.contains("Passed"),
        "{output}"
    );
}
