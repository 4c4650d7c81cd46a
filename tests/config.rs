//! `.portlint.yaml` as users meet it: found in the current directory or above, or named with
//! `--config`; an invalid one stops the run with exit code 2; what it sets, and the command line
//! winning over it.

use std::path::Path;
use std::process::{Command, Output};

/// An nft ruleset with one warning: PL105 for the de-assigned 2/tcp (a warning an admin can act
/// on; the registry facts PL101, PL102, PL104 and PL108 are infos).
const DEASSIGNED: &str = "table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        tcp dport 2 accept
    }
}
";

/// PL105 (warning) for the de-assigned 2/tcp and PL108 (info) for 50000/tcp.
const DEASSIGNED_AND_DYNAMIC: &str = "table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        tcp dport 2 accept
        tcp dport 50000 accept
    }
}
";

/// A temporary directory with no `.portlint.yaml` in it or above it (one above would be read by
/// every run here).
fn tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let parent = dir.path().parent().expect("a parent");
    assert_eq!(
        portlint::config::find(parent),
        None,
        "a .portlint.yaml above the temporary directory would be read by these tests"
    );
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the directory");
    }
    std::fs::write(path, text).expect("write the file");
}

fn portlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run portlint")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code")
}

/// (path, code, severity) of each finding of a `--format json` run.
fn findings(output: &Output) -> Vec<(String, String, String)> {
    let json: serde_json::Value = serde_json::from_str(&stdout(output)).expect("JSON output");
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().expect("path").to_string(),
                d["code"].as_str().expect("code").to_string(),
                d["severity"].as_str().expect("severity").to_string(),
            )
        })
        .collect()
}

fn codes(output: &Output) -> Vec<String> {
    findings(output).into_iter().map(|(_, c, _)| c).collect()
}

fn json_run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    portlint(dir, &all)
}

#[test]
fn without_a_configuration_the_warning_fails_the_run() {
    // The baseline the other tests change.
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        findings(&out),
        [("rules.nft".into(), "PL105".into(), "warning".into())]
    );
}

#[test]
fn an_unknown_key_exits_2_naming_the_key_and_its_line() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    write(
        dir.path(),
        ".portlint.yaml",
        "fail-on: error\nignroe: [PL105]\n",
    );
    let out = portlint(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "", "nothing is linted");
    let err = stderr(&out);
    assert!(err.contains("unknown key `ignroe`"), "{err}");
    assert!(err.contains("[.portlint.yaml:2:1]"), "{err}");
    assert!(err.contains("did you mean `ignore`?"), "{err}");
    assert!(
        err.ends_with(
            "portlint: .portlint.yaml: invalid configuration (1 problem); fix it or name another with --config\n"
        ),
        "{err}"
    );
    insta::assert_snapshot!("unknown_key", err);
}

#[test]
fn several_mistakes_are_all_reported_in_file_order() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    write(
        dir.path(),
        ".portlint.yaml",
        "fail-on: errors
ignore: PL105
severity:
  PL105: fatal
per-file-ignores:
  \"legacy/[*.nft\": [PL105]
registry:
  local: [2/tcp]
  files: registry.csv
servics: /etc/services
",
    );
    let out = portlint(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let expected = [
        ("`errors` is not a `fail-on` level", ".portlint.yaml:1:"),
        ("expected `ignore` (a list)", ".portlint.yaml:2:"),
        ("`fatal` is not a severity", ".portlint.yaml:4:"),
        ("`legacy/[*.nft` is not a glob pattern", ".portlint.yaml:6:"),
        ("`2/tcp` names no service", ".portlint.yaml:8:"),
        ("unknown key `files` in `registry`", ".portlint.yaml:9:"),
        (
            "unknown key `servics` in the configuration",
            ".portlint.yaml:10:",
        ),
    ];
    let mut from = 0;
    for (message, place) in expected {
        let at = err[from..]
            .find(message)
            .unwrap_or_else(|| panic!("`{message}` missing or out of order:\n{err}"));
        let shown_at = err[from + at..]
            .find(place)
            .unwrap_or_else(|| panic!("`{message}` is not shown at {place}:\n{err}"));
        from += at + shown_at;
    }
    assert!(err.contains("invalid configuration (7 problems)"), "{err}");
    insta::assert_snapshot!("several_mistakes", err);
}

#[test]
fn fail_on_from_the_configuration_and_the_command_line_over_it() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    write(dir.path(), ".portlint.yaml", "fail-on: error\n");
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(codes(&out), ["PL105"], "still reported");
    assert_eq!(code(&out), 0, "a warning does not fail the run");
    let out = json_run(dir.path(), &["rules.nft", "--fail-on", "warning"]);
    assert_eq!(code(&out), 1, "--fail-on wins over the configuration");

    write(dir.path(), ".portlint.yaml", "fail-on: info\n");
    write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
    assert_eq!(
        code(&json_run(dir.path(), &["rules.nft", "--ignore", "PL105"])),
        1,
        "an info fails with fail-on: info"
    );
    write(dir.path(), ".portlint.yaml", "fail-on: never\n");
    assert_eq!(code(&json_run(dir.path(), &["rules.nft"])), 0);
}

#[test]
fn ignore_and_select_and_the_command_line_over_them() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);

    write(dir.path(), ".portlint.yaml", "ignore: [PL105]\n");
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(codes(&out), ["PL108"]);
    assert_eq!(code(&out), 0, "only an info is left");
    // `--ignore` replaces the configuration's list.
    let out = json_run(dir.path(), &["rules.nft", "--ignore", "PL108"]);
    assert_eq!(codes(&out), ["PL105"]);
    assert_eq!(code(&out), 1);

    // By slug too.
    write(dir.path(), ".portlint.yaml", "ignore: [deassigned-port]\n");
    assert_eq!(codes(&json_run(dir.path(), &["rules.nft"])), ["PL108"]);

    write(dir.path(), ".portlint.yaml", "select: [PL108]\n");
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(codes(&out), ["PL108"]);
    // `--select` replaces the configuration's list.
    let out = json_run(dir.path(), &["rules.nft", "--select", "PL105"]);
    assert_eq!(codes(&out), ["PL105"]);
    assert_eq!(code(&out), 1);
}

#[test]
fn severity_changes_what_a_finding_is_reported_as() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
    write(
        dir.path(),
        ".portlint.yaml",
        "fail-on: error\nseverity: {PL105: error, dynamic-port: warning}\n",
    );
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(
        findings(&out),
        [
            ("rules.nft".into(), "PL105".into(), "error".into()),
            ("rules.nft".into(), "PL108".into(), "warning".into()),
        ]
    );
    assert_eq!(code(&out), 1, "PL105 is an error now: fail-on error fails");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["summary"]["errors"], 1, "{}", json["summary"]);
    assert_eq!(json["summary"]["warnings"], 1, "{}", json["summary"]);

    write(dir.path(), ".portlint.yaml", "severity: {PL105: info}\n");
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(
        findings(&out)[0],
        ("rules.nft".into(), "PL105".into(), "info".into())
    );
    assert_eq!(code(&out), 0, "no warning left");
}

#[test]
fn per_file_ignores_drop_a_rule_only_in_matching_files() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
    write(dir.path(), "legacy/old.nft", DEASSIGNED_AND_DYNAMIC);
    write(
        dir.path(),
        "legacy/deeper/older.nft",
        DEASSIGNED_AND_DYNAMIC,
    );
    write(
        dir.path(),
        ".portlint.yaml",
        "per-file-ignores:\n  \"legacy/*.nft\": [PL105]\n",
    );
    let expected: Vec<(String, String, String)> = [
        ("legacy/deeper/older.nft", "PL105", "warning"),
        ("legacy/deeper/older.nft", "PL108", "info"),
        ("legacy/old.nft", "PL108", "info"),
        ("rules.nft", "PL105", "warning"),
        ("rules.nft", "PL108", "info"),
    ]
    .iter()
    .map(|(p, c, s)| (p.to_string(), c.to_string(), s.to_string()))
    .collect();
    // Named one by one, and found by walking the directory.
    let named = json_run(
        dir.path(),
        &["rules.nft", "legacy/old.nft", "legacy/deeper/older.nft"],
    );
    assert_eq!(findings(&named), expected);
    let walked = json_run(dir.path(), &["."]);
    assert_eq!(findings(&walked), expected);
}

#[test]
fn registry_local_assignments_count_as_assigned() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    write(
        dir.path(),
        ".portlint.yaml",
        "registry: {local: [2/tcp my-service]}\n",
    );
    let out = json_run(dir.path(), &["rules.nft"]);
    assert_eq!(findings(&out), []);
    assert_eq!(code(&out), 0);

    // Only for the protocol assigned.
    write(
        dir.path(),
        "udp.nft",
        &DEASSIGNED.replace("tcp dport", "udp dport"),
    );
    let out = json_run(dir.path(), &["udp.nft"]);
    assert_eq!(codes(&out), ["PL105"]);

    // The mapping form.
    write(
        dir.path(),
        ".portlint.yaml",
        "registry:\n  local:\n    - {port: 2/tcp, name: my-service, description: ours}\n",
    );
    assert_eq!(findings(&json_run(dir.path(), &["rules.nft"])), []);
}

#[test]
fn the_configuration_is_found_from_a_subdirectory() {
    let dir = tempdir();
    write(dir.path(), ".portlint.yaml", "ignore: [PL105]\n");
    write(dir.path(), "sub/deeper/rules.nft", DEASSIGNED);
    let sub = dir.path().join("sub/deeper");
    let out = json_run(&sub, &["rules.nft"]);
    assert_eq!(findings(&out), []);
    assert_eq!(code(&out), 0);

    // An invalid one found above stops the run too, and is named so that it can be found.
    write(dir.path(), ".portlint.yaml", "ignroe: [PL105]\n");
    let out = portlint(&sub, &["rules.nft"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("unknown key `ignroe`"), "{err}");
    let config = dir.path().join(".portlint.yaml");
    assert!(
        err.contains(&format!("{}:1:1]", config.display()))
            || err.contains("../../.portlint.yaml:1:1]"),
        "{err}"
    );

    // The nearest one wins.
    write(dir.path(), ".portlint.yaml", "ignore: [PL105]\n");
    write(dir.path(), "sub/.portlint.yaml", "fail-on: never\n");
    let out = json_run(&sub, &["rules.nft"]);
    assert_eq!(codes(&out), ["PL105"]);
    assert_eq!(code(&out), 0);
}

#[test]
fn config_names_another_file_instead_of_the_found_one() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", DEASSIGNED);
    // The found one is invalid: with --config it is not read at all.
    write(dir.path(), ".portlint.yaml", "ignroe: [PL105]\n");
    write(dir.path(), "other.yaml", "ignore: [PL105]\n");
    let out = json_run(dir.path(), &["--config", "other.yaml", "rules.nft"]);
    assert_eq!(stderr(&out), "");
    assert_eq!(findings(&out), []);
    assert_eq!(code(&out), 0);

    // Mistakes in the named one are shown under its name.
    write(dir.path(), "other.yaml", "selcet: [PL105]\n");
    let out = portlint(dir.path(), &["--config", "other.yaml", "rules.nft"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("[other.yaml:1:1]"), "{err}");
    assert!(err.contains("did you mean `select`?"), "{err}");

    // A named file that does not exist is an error, not the defaults.
    let out = portlint(dir.path(), &["--config", "missing.yaml", "rules.nft"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));
}

#[test]
fn an_empty_configuration_is_the_defaults() {
    let without = tempdir();
    write(without.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
    let baseline = portlint(without.path(), &["rules.nft"]);
    assert_eq!(code(&baseline), 1);

    for config in ["", "\n", "# nothing set yet\n", "---\n"] {
        let dir = tempdir();
        write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
        write(dir.path(), ".portlint.yaml", config);
        let out = portlint(dir.path(), &["rules.nft"]);
        assert_eq!(code(&out), code(&baseline), "{config:?}");
        assert_eq!(stdout(&out), stdout(&baseline), "{config:?}");
        assert_eq!(stderr(&out), "", "{config:?}");
    }
}

#[test]
fn paths_in_the_configuration_are_relative_to_its_directory() {
    let dir = tempdir();
    write(
        dir.path(),
        "sub/rules.nft",
        &DEASSIGNED.replace("dport 2", "dport my-service"),
    );
    write(dir.path(), "services/site", "my-service\t2/tcp\n");
    let sub = dir.path().join("sub");
    // Without the services file the name is unknown.
    assert_eq!(codes(&json_run(&sub, &["rules.nft"])), ["PL005"]);
    // Run from the subdirectory: `services/site` is the configuration's, not the cwd's.
    write(dir.path(), ".portlint.yaml", "services: services/site\n");
    let out = json_run(&sub, &["rules.nft"]);
    assert_eq!(stderr(&out), "");
    assert_eq!(codes(&out), ["PL105"], "my-service is 2/tcp");

    write(dir.path(), ".portlint.yaml", "services: no/such/file\n");
    let out = portlint(&sub, &["rules.nft"]);
    assert_eq!(code(&out), 2);
    let missing = dir.path().join("no/such/file");
    assert!(
        stderr(&out).contains(&missing.display().to_string()),
        "{}",
        stderr(&out)
    );
}

#[test]
fn per_file_ignores_are_relative_to_the_configuration_not_the_current_directory() {
    let dir = tempdir();
    write(
        dir.path(),
        ".portlint.yaml",
        "per-file-ignores:\n  \"legacy/*.nft\": [PL105]\n",
    );
    write(dir.path(), "legacy/old.nft", DEASSIGNED);
    write(dir.path(), "sub/new.nft", DEASSIGNED);
    // Run from a subdirectory: the file is `../legacy/old.nft` there, `legacy/old.nft` to the
    // configuration.
    let out = json_run(&dir.path().join("sub"), &["../legacy/old.nft", "new.nft"]);
    assert_eq!(
        findings(&out),
        [("new.nft".into(), "PL105".into(), "warning".into())]
    );
}

#[test]
fn select_on_the_command_line_is_not_undone_by_the_configurations_ignore() {
    let dir = tempdir();
    write(dir.path(), ".portlint.yaml", "ignore: [PL105]\n");
    write(dir.path(), "rules.nft", DEASSIGNED_AND_DYNAMIC);
    assert_eq!(codes(&json_run(dir.path(), &["rules.nft"])), ["PL108"]);
    let out = json_run(dir.path(), &["--select", "PL105", "rules.nft"]);
    assert_eq!(codes(&out), ["PL105"]);
    assert_eq!(code(&out), 1);
}

#[test]
fn a_rule_code_that_does_not_exist_gets_no_far_fetched_suggestion() {
    let dir = tempdir();
    write(
        dir.path(),
        ".portlint.yaml",
        "ignore: [PL999, unasigned-port]\n",
    );
    write(dir.path(), "rules.nft", DEASSIGNED);
    let out = portlint(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("no rule is named `PL999`"), "{err}");
    assert!(!err.contains("did you mean `PL109`"), "{err}");
    assert!(err.contains("did you mean `unassigned-port`"), "{err}");
}

#[test]
fn target_judges_version_dependent_syntax_and_the_command_line_wins() {
    let dir = tempdir();
    write(dir.path(), "rules.nft", "destroy table ip docker\n");
    write(dir.path(), "crlf.nft", "table ip t {\r\n}\r\n");
    // Without a target: the newest nft, which has `destroy`; CRLF is said as info.
    let out = portlint(
        dir.path(),
        &["rules.nft", "crlf.nft", "--format", "concise"],
    );
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "crlf.nft:1:13: PL007 [info] a carriage return (2 lines have one): nft before 1.0.7 refuses CRLF line endings\n"
    );
    write(
        dir.path(),
        ".portlint.yaml",
        "target: nft=1.0.6,iptables=1.8.9\n",
    );
    let out = portlint(
        dir.path(),
        &["rules.nft", "crlf.nft", "--format", "concise"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "crlf.nft:1:13: PL007 [warning] nft 1.0.6 (the target) refuses a carriage return (CRLF line endings); nft 1.0.7 and later accept it (2 lines have one)\n\
         rules.nft:1:1: PL007 [warning] nft 1.0.6 (the target) refuses the `destroy` command; nft 1.0.7 and later accept it\n"
    );
    // The command line replaces the configuration's target.
    let out = portlint(dir.path(), &["rules.nft", "--target", "nft=1.1.0"]);
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "No problems found in 1 file.\n")
    );
    // A bad value is a bad argument, or a bad configuration: exit 2 with what is wrong.
    let out = portlint(dir.path(), &["rules.nft", "--target", "nft=one"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`one` is not a release number"),
        "{}",
        stderr(&out)
    );
    write(
        dir.path(),
        ".portlint.yaml",
        "target: nft=1.0.6,nft=1.0.7\n",
    );
    let out = portlint(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("`nft` is named twice"), "{err}");
    assert!(err.contains("[.portlint.yaml:1:9]"), "{err}");
}
