//! Every ```text block of README.md that starts with `$ portlint …` is that command's real
//! output (a block ending in `…` shows the start of it). Run from the crate root, without color.

use std::process::Command;

struct Example {
    command: String,
    expected: Vec<String>,
    truncated: bool,
}

fn examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut examples = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line != "```text" {
            continue;
        }
        let block: Vec<String> = lines
            .by_ref()
            .take_while(|l| *l != "```")
            .map(str::to_string)
            .collect();
        let Some(command) = block.first().and_then(|l| l.strip_prefix("$ portlint")) else {
            continue;
        };
        let mut expected = block[1..].to_vec();
        let truncated = expected.last().is_some_and(|l| l == "…");
        if truncated {
            expected.pop();
        }
        examples.push(Example {
            command: command.trim().to_string(),
            expected,
            truncated,
        });
    }
    examples
}

#[test]
fn readme_examples_are_real_output() {
    let examples = examples();
    assert!(
        examples.len() >= 6,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in &examples {
        // `2>&1` at the end: the block shows stderr too, after stdout.
        let (command, with_stderr) = match example.command.strip_suffix("2>&1") {
            Some(command) => (command, true),
            None => (example.command.as_str(), false),
        };
        let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
            .args(command.split_whitespace())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .output()
            .expect("run portlint");
        let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if with_stderr {
            stdout.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        let mut actual: Vec<&str> = stdout.lines().collect();
        if example.truncated {
            actual.truncate(example.expected.len());
        }
        if actual != example.expected {
            failures.push(format!(
                "$ portlint {}\n--- README\n{}\n--- actual\n{}",
                example.command,
                example.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
