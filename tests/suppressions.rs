//! Inline suppressions in every format portlint reads, `ignore-file`, and how they meet
//! `--select`/`--ignore` (the rule fixtures of PL901 and PL902 pin the findings themselves).

use std::path::Path;
use std::process::Command;

/// `portlint --format concise ARGS` in `dir`: (exit code, output lines).
fn concise(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .arg("--format")
        .arg("concise")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run portlint");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (
        out.status.code().expect("exit code"),
        text.lines().map(str::to_string).collect(),
    )
}

fn with_files(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

const NFT: &str = "table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\ttcp dport 14740 accept # portlint: ignore[pl101] by code, any case
\t\t# portlint: ignore[unassigned-port] by name, for the next line
\t\ttcp dport 14741 accept
\t\ttcp dport 14742 accept
\t}
}
";

#[test]
fn a_suppression_hides_its_line_or_the_next_and_nothing_else() {
    let dir = with_files(&[("rules.nft", NFT)]);
    let (code, lines) = concise(dir.path(), &["rules.nft"]);
    assert_eq!(code, 0, "PL101 is an info: it fails no default run");
    assert_eq!(
        lines,
        ["rules.nft:7:13: PL101 [info] port 14742/tcp is unassigned in the IANA registry"]
    );
}

#[test]
fn ignore_file_hides_a_rule_in_the_whole_file() {
    let text = format!("# portlint: ignore-file[PL101] the sync services\n{NFT}");
    let dir = with_files(&[("rules.nft", &text)]);
    let (code, lines) = concise(dir.path(), &["rules.nft"]);
    // Every suppression that hides a finding counts as used, the line ones and the file one.
    assert_eq!(code, 0, "{lines:?}");
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn iptables_save_and_scripts_and_policies_take_suppressions() {
    let save = "*filter\n:INPUT DROP [0:0]\n# portlint: ignore[PL101] sync service\n-A INPUT -p tcp --dport 14740 -j ACCEPT\n-A INPUT -p tcp --dport 14741 -j ACCEPT\nCOMMIT\n";
    let script = "#!/bin/sh\niptables -A INPUT -p tcp --dport 14740 -j ACCEPT # portlint: ignore[PL101] sync\niptables -A INPUT -p tcp --dport 14741 -j ACCEPT\niptables -P INPUT DROP\n";
    let policy = "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: sync\n        ports: [14740/tcp] # portlint: ignore[unassigned-port] registration pending\n      - name: sync2\n        ports: [14741/tcp]\n";
    let dir = with_files(&[("rules.v4", save), ("fw.sh", script), ("web.yaml", policy)]);
    let (_, lines) = concise(dir.path(), &["fw.sh", "rules.v4", "web.yaml"]);
    assert_eq!(
        lines,
        [
            "fw.sh:3:34: PL101 [info] port 14741/tcp is unassigned in the IANA registry",
            "rules.v4:5:25: PL101 [info] port 14741/tcp is unassigned in the IANA registry",
            "web.yaml:9:17: PL101 [info] port 14741/tcp is unassigned in the IANA registry",
        ]
    );
}

#[test]
fn a_suppression_in_an_included_file_hides_findings_there() {
    let main = "include \"ports.nft\"\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport $sync accept\n\t}\n}\n";
    let ports = "define sync = 14740 # portlint: ignore[PL101] the sync service\n";
    let dir = with_files(&[("main.nft", main), ("ports.nft", ports)]);
    let (code, lines) = concise(dir.path(), &["main.nft"]);
    assert_eq!(code, 0, "{lines:?}");
}

#[test]
fn a_rule_left_out_of_the_run_does_not_make_its_suppression_unused() {
    let dir = with_files(&[("rules.nft", NFT)]);
    for args in [["--ignore", "PL101"], ["--select", "PL901"]] {
        let (code, lines) = concise(dir.path(), &[args[0], args[1], "rules.nft"]);
        assert_eq!(code, 0, "{args:?}: {lines:?}");
    }
}

#[test]
fn a_suppression_cannot_hide_an_invalid_suppression() {
    let text = "# portlint: ignore-file[PL902]\ntable inet t {\n\tchain c {\n\t\ttcp dport 22 accept # portlint: ignore[PL999]\n\t}\n}\n";
    let dir = with_files(&[("rules.nft", text)]);
    let (_, lines) = concise(dir.path(), &["rules.nft"]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("PL902") && l.contains("PL999")),
        "{lines:?}"
    );
}

#[test]
fn many_suppressions_and_findings_in_one_file_are_matched_by_place() {
    // 20,000 rules, each with a finding and its suppression: matched by line, not each against
    // each (which would be 400 million comparisons).
    let mut text = String::from("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n");
    // Each rule for its own host, so that none is redundant (PL202).
    for port in 0..20_000u32 {
        text.push_str(&format!(
            "\t\tip saddr 10.0.{}.{} tcp dport {} accept # portlint: ignore[PL101]\n",
            port / 256,
            port % 256,
            14740 + port % 10
        ));
    }
    text.push_str("\t}\n}\n");
    let dir = with_files(&[("many.nft", &text)]);
    let (code, lines) = concise(dir.path(), &["many.nft"]);
    assert_eq!(code, 0, "{:?}", &lines[..lines.len().min(5)]);
}
