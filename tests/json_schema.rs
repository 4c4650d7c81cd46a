//! `--format json` matches the contract in schemas/portlint-output.schema.json, and the schema
//! still says what DESIGN.md's example says.

use std::process::Command;

fn schema() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/portlint-output.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("schema JSON")
}

fn lint_json(paths: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(paths)
        .args(["--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run portlint");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn assert_valid(instance: &serde_json::Value) {
    let validator = jsonschema::validator_for(&schema()).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn output_of_every_fixture_and_example_matches_the_schema() {
    let out = lint_json(&["tests/fixtures", "examples"]);
    assert!(out["diagnostics"].as_array().expect("array").len() > 40);
    assert_valid(&out);
}

#[test]
fn an_empty_report_matches_the_schema() {
    let out = lint_json(&["examples/web-server.nft"]);
    assert_eq!(out["diagnostics"], serde_json::json!([]));
    assert_valid(&out);
}

#[test]
fn the_design_example_matches_the_schema() {
    // DESIGN.md's example, with its elisions filled in.
    let example = serde_json::json!({ "version": 1,
      "tool": { "name": "portlint", "version": "0.1.0" },
      "registry": { "source": "embedded", "date": "2026-02-25" },
      "diagnostics": [
        { "code": "PL101", "rule": "unassigned-port", "severity": "warning",
          "message": "m", "help": "h",
          "path": "firewall.nft", "line": 12, "column": 19, "end_line": 12, "end_column": 23,
          "byte_start": 301, "byte_end": 305,
          "labels": [ { "message": "m", "path": "p", "line": 3, "column": 1, "end_line": 3, "end_column": 9 } ] } ],
      "summary": { "files": 1, "errors": 0, "warnings": 1, "infos": 0 } });
    assert_valid(&example);
}

#[test]
fn the_schema_rejects_a_drifted_field() {
    let mut out = lint_json(&["tests/fixtures/rules/PL101/fires.nft"]);
    out["diagnostics"][0]["col"] = serde_json::json!(1);
    let validator = jsonschema::validator_for(&schema()).expect("schema");
    assert!(!validator.is_valid(&out));
}
