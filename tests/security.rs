//! Issue 15: a pull request's files are untrusted input. What a value in them can make the
//! report print: a newline must not start a line of its own in a CI log (`::error::…` is a
//! GitHub workflow command), nor a control character reach a terminal.

use std::process::Command;

/// A policy whose port value carries a newline, a forged workflow command and an escape
/// sequence.
const POLICY: &str = "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: x\n        ports: [\"14740/tcp\\n::error::pwned\\e[31m\"]\n";

#[test]
fn a_value_cannot_forge_a_workflow_command_or_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("web.yaml"), POLICY).expect("write the policy");
    for format in ["human", "concise", "github", "json", "sarif"] {
        let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
            .args(["web.yaml", "--format", format, "--color", "always"])
            .current_dir(dir.path())
            .output()
            .expect("run portlint");
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("pwned"),
            "{format}: the finding quotes the value\n{text}"
        );
        for line in text.lines() {
            let own = format == "github" && line.starts_with("::error file=web.yaml,");
            assert!(own || !line.starts_with("::"), "{format}: {line}");
        }
        if format != "human" {
            // The human report colours its own text (`--color always`); no other format
            // carries an escape character, and none carries the value's.
            assert!(!text.contains('\u{1b}'), "{format}: {text}");
        } else {
            assert!(!text.contains("pwned\u{1b}"), "{text}");
            assert!(
                text.contains("pwned\\u{1b}"),
                "the escape is written out\n{text}"
            );
        }
    }
}
