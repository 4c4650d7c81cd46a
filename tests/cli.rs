//! The binary as users run it: exit codes, stderr for unreadable paths, the lookup commands,
//! and snapshots of each output format.

use std::path::Path;
use std::process::{Command, Output};

fn portlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
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

#[test]
fn clean_ruleset_exits_0_with_no_findings() {
    let out = portlint(&["examples/web-server.nft"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(stdout(&out), "No problems found in 1 file.\n");
}

#[test]
fn findings_exit_1_and_fail_on_moves_the_threshold() {
    let file = "tests/fixtures/rules/PL108/fires.nft"; // infos only
    assert_eq!(code(&portlint(&[file])), 0);
    assert_eq!(code(&portlint(&[file, "--fail-on", "info"])), 1);
    let warnings = "tests/fixtures/rules/PL105/fires.nft";
    assert_eq!(code(&portlint(&[warnings])), 1);
    assert_eq!(code(&portlint(&[warnings, "--fail-on", "error"])), 0);
    assert_eq!(
        code(&portlint(&[
            "tests/fixtures/rules/PL001/fires.nft",
            "--fail-on",
            "error"
        ])),
        1
    );
    assert_eq!(code(&portlint(&[warnings, "--fail-on", "never"])), 0);
}

#[test]
fn unreadable_path_is_reported_and_the_others_are_still_linted() {
    let out = portlint(&[
        "no/such/file.nft",
        "tests/fixtures/rules/PL101/fires.nft",
        "--format",
        "concise",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no/such/file.nft: no such file or directory"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("PL101"), "{}", stdout(&out));
}

#[test]
fn a_directory_is_walked_for_nft_files() {
    let out = portlint(&["examples", "--format", "concise"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    for file in ["mistakes.nft", "nat-redirect.nft", "registry-ports.nft"] {
        assert!(text.contains(file), "{file} not linted:\n{text}");
    }
    assert!(!text.contains("web-server.nft"), "{text}");
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(code(&portlint(&["--format", "yaml"])), 2);
    let out = portlint(&["--select", "PL999", "examples"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no rule is named `PL999`"));
    assert_eq!(
        code(&portlint(&[
            "--registry",
            "no/such/registry.csv",
            "registry"
        ])),
        2
    );
}

#[test]
fn select_and_ignore_by_code_or_slug() {
    let file = "tests/fixtures/rules/PL104/fires.nft";
    let only = stdout(&portlint(&[
        file,
        "--format",
        "concise",
        "--select",
        "unauthorized-use",
    ]));
    assert!(
        only.contains(" PL104 [") && !only.contains(" PL101 ["),
        "{only}"
    );
    let without = stdout(&portlint(&[
        file, "--format", "concise", "--ignore", "PL104",
    ]));
    assert!(
        without.contains(" PL101 [") && !without.contains(" PL104 ["),
        "{without}"
    );
}

#[test]
fn output_is_deterministic_and_sorted() {
    let a = stdout(&portlint(&[
        "examples",
        "tests/fixtures/rules",
        "--format",
        "json",
    ]));
    let b = stdout(&portlint(&[
        "tests/fixtures/rules",
        "examples",
        "--format",
        "json",
    ]));
    assert_eq!(a, b);
    let json: serde_json::Value = serde_json::from_str(&a).expect("JSON");
    let keys: Vec<(String, u64, String)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["byte_start"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn ports_1021_shows_exp1_and_rfc_3692() {
    let out = portlint(&["ports", "1021"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("exp1"), "{text}");
    assert!(text.contains("RFC 3692"), "{text}");
    assert!(text.contains("MUST NOT be shipped as defaults"), "{text}");
    insta::assert_snapshot!("ports_1021", text);
}

#[test]
fn ports_ssh_shows_22() {
    let text = stdout(&portlint(&["ports", "ssh"]));
    assert!(text.contains("ssh 22/tcp"), "{text}");
    insta::assert_snapshot!("ports_ssh", text);
}

#[test]
fn ports_100_shows_the_unauthorized_use_note() {
    let text = stdout(&portlint(&["ports", "100"]));
    assert!(text.contains("Known Unauthorized Use on 100"), "{text}");
    insta::assert_snapshot!("ports_100", text);
}

#[test]
fn ports_range_and_json() {
    let text = stdout(&portlint(&["ports", "6000-6005", "--proto", "tcp"]));
    assert!(text.contains("x11 6000-6063/tcp"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&portlint(&[
        "ports", "22", "--proto", "dccp", "--format", "json",
    ])))
    .expect("JSON");
    assert_eq!(
        json["ports"][0]["state"],
        "not registered for this protocol"
    );
    assert_eq!(json["ports"][0]["records"][0]["name"], "ssh");
    let unknown = portlint(&["ports", "no-such-service"]);
    assert_eq!(code(&unknown), 1);
    assert_eq!(code(&portlint(&["ports", "70000"])), 2);
}

#[test]
fn registry_shows_the_revision_date_and_counts() {
    let text = stdout(&portlint(&["registry"]));
    assert!(
        text.contains("revision: 2026-02-25 (embedded, csv)"),
        "{text}"
    );
    assert!(text.contains("records:  14500"), "{text}");
    insta::assert_snapshot!("registry", text);
}

#[test]
fn rule_pages_and_list() {
    let list = stdout(&portlint(&["rule", "--all"]));
    for rule in portlint::check::RULES {
        assert!(
            list.contains(rule.code) && list.contains(rule.slug),
            "{list}"
        );
    }
    let page = portlint(&["rule", "unassigned-port"]);
    assert_eq!(code(&page), 0);
    assert!(stdout(&page).starts_with("# PL101"));
    assert_eq!(code(&portlint(&["rule", "PL999"])), 2);
}

#[test]
fn json_output_snapshot() {
    let text = stdout(&portlint(&[
        "tests/fixtures/rules/PL003/fires.nft",
        "--format",
        "json",
    ]));
    insta::assert_snapshot!("json_PL003", text);
    // The same contract for an iptables-save file and an iptables script.
    for (name, path) in [
        ("json_iptables_rules", "examples/rules.v4"),
        (
            "json_iptables_script",
            "tests/fixtures/rules/PL006/fires.sh",
        ),
    ] {
        let text = stdout(&portlint(&[path, "--format", "json"]));
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn invalid_utf8_is_reported_at_its_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.nft");
    std::fs::write(
        &path,
        b"table inet t {\n\tchain c {\n\t\ttcp dport 22 \xff accept\n\t}\n}\n",
    )
    .expect("write");
    let out = portlint(&[path.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let all = json["diagnostics"].as_array().expect("array");
    let d = all.iter().find(|d| d["code"] == "PL001").expect("a PL001");
    // "table inet t {\n" (15) + "\tchain c {\n" (11) + "\t\ttcp dport 22 " (15)
    assert_eq!(d["byte_start"], 41);
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 16);
    assert!(Path::new(&path).exists());
}

#[test]
fn crlf_and_bom_are_read_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crlf.nft");
    let text = "\u{feff}table inet t {\r\n\tchain c {\r\n\t\ttcp dport 4 accept\r\n\t}\r\n}\r\n";
    std::fs::write(&path, text).expect("write");
    // (The chain has no hook: PL207 would say so; that is not what this test is about.)
    let out = portlint(&[
        path.to_str().unwrap(),
        "--format",
        "json",
        "--ignore",
        "unused-definition",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let diagnostics = json["diagnostics"].as_array().expect("array");
    // Read through: the BOM is PL001 (nft refuses it: "syntax error, unexpected junk"), the
    // CRLF said as info (nft before 1.0.7 refuses it; PL007), and the rest read as if neither
    // were there.
    assert_eq!(diagnostics.len(), 3, "{json}");
    assert_eq!(diagnostics[0]["code"], "PL001");
    assert_eq!(
        (
            diagnostics[0]["byte_start"].as_u64(),
            diagnostics[0]["byte_end"].as_u64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(diagnostics[1]["code"], "PL007");
    assert_eq!(diagnostics[1]["severity"], "info");
    assert_eq!(diagnostics[1]["line"], 1);
    assert_eq!(diagnostics[2]["code"], "PL101");
    assert_eq!(diagnostics[2]["line"], 3);
    assert_eq!(diagnostics[2]["column"], 13);
}

#[test]
fn references_into_tables_the_file_does_not_declare_are_not_judged() {
    // An incremental file adds to a table that exists in the kernel: its sets and chains are
    // not in the file, and portlint must not call them undefined.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("incremental.nft");
    std::fs::write(
        &path,
        "add rule ip filter forward ip saddr @blocked jump drop_and_log\n",
    )
    .expect("write");
    let out = portlint(&[path.to_str().unwrap(), "--format", "concise"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_file_whose_include_is_missing_gets_no_undefined_names() {
    // What the missing file defines is unknown: PL004 for the include, no PL003.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("main.nft");
    std::fs::write(
        &path,
        "include \"vars.nft\"\ntable inet f {\n\tchain c {\n\t\ttcp dport $web accept\n\t\tip saddr @blocked drop\n\t\tjump from_include\n\t}\n}\n",
    )
    .expect("write");
    let out = portlint(&[path.to_str().unwrap(), "--format", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains(":1:1: PL004 [error] included file `vars.nft` is not found"),
        "{text}"
    );
    assert!(!text.contains(" PL003 ["), "{text}");
}

#[test]
fn the_seed_revision_judges_by_what_it_knew_in_2007() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/iana/port-numbers-2007-02-15.txt");
    if !seed.is_file() {
        eprintln!("skipped: ../shared/data/iana is absent");
        return;
    }
    let seed = seed.to_str().expect("UTF-8 path");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("seed.nft");
    std::fs::write(
        &path,
        "table inet f {\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 2 accept\n\t\ttcp dport 853 accept\n\t\ttcp dport 8080 accept\n\t}\n}\n",
    )
    .expect("write");
    let out = portlint(&[
        "--registry",
        seed,
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["registry"]["date"], "2007-02-15");
    let found: Vec<(u64, String)> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // 2 was compressnet's in 2007; 853 was unassigned; the seed stops at 1023, so 8080 is
    // unknown under it and not reported.
    assert_eq!(found, vec![(5, "PL101".to_string())], "{json}");
    let two = stdout(&portlint(&[
        "--registry",
        seed,
        "ports",
        "2",
        "--proto",
        "tcp",
    ]));
    assert!(two.contains("assigned: compressnet"), "{two}");
    let unknown = stdout(&portlint(&[
        "--registry",
        seed,
        "ports",
        "8080",
        "--proto",
        "tcp",
    ]));
    assert!(unknown.contains("unknown"), "{unknown}");
    let registry = stdout(&portlint(&["--registry", seed, "registry"]));
    assert!(registry.contains("revision: 2007-02-15"), "{registry}");
}

#[test]
fn a_device_is_not_read() {
    let out = portlint(&["/dev/zero"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("/dev/zero: a character device, not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn iptables_save_files_are_read_by_their_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rules.v4");
    std::fs::write(&path, "# Generated by iptables-save\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p udp -m udp --dport 1021 -j ACCEPT\nCOMMIT\n").expect("write");
    let out = portlint(&["--format", "concise", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // 1021 (an RFC 3692 experiment port) at its own characters: line 5, column 32.
    assert!(
        stdout(&out).contains("rules.v4:5:32: PL103"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stdout(&out).matches("PL").count(), 1, "{}", stdout(&out));
}

#[test]
fn iptables_scripts_are_read_by_their_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("firewall.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\nIPT=/sbin/iptables\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n$IPT -A INPUT -p tcp --dport \"$PORT\" -j ACCEPT\n$IPT -A INPUT -j nowhere\n",
    )
    .expect("write");
    let out = portlint(&["--format", "concise", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("firewall.sh:4:30: PL006"), "{text}");
    assert!(text.contains("firewall.sh:5:18: PL003"), "{text}");
}

#[test]
fn services_file_resolves_names_as_the_host_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    std::fs::write(
        &services,
        "# a host's services\nwhois\t43/tcp\tnicname\nhttp\t8080/tcp\n",
    )
    .expect("write");
    let rules = dir.path().join("rules.nft");
    std::fs::write(
        &rules,
        "table inet f {\n\tchain c {\n\t\ttcp dport whois accept\n\t\ttcp dport http accept\n\t\ttcp dport ssh accept\n\t}\n}\n",
    )
    .expect("write");
    let rules = rules.to_str().unwrap();
    // Without the file: `whois` is no IANA name.
    let plain = stdout(&portlint(&[rules, "--format", "concise"]));
    assert!(
        plain.contains(":3:13: PL005 [error] unknown service name `whois`"),
        "{plain}"
    );
    // With it: whois resolves; http resolves elsewhere than IANA says; ssh is missing.
    let out = portlint(&[
        "--services",
        services.to_str().unwrap(),
        rules,
        "--format",
        "concise",
        "--ignore",
        "PL207",
    ]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains(":4:13: PL110 [warning] service name `http` is 8080 in"),
        "{text}"
    );
    assert!(lines[0].ends_with("but IANA assigns it 80"), "{text}");
    assert!(
        lines[1].contains(":5:13: PL005 [error] service name `ssh` is not in"),
        "{text}"
    );
    let missing = portlint(&["--services", "no/such/services", rules]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cannot read services file"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn flat_commands_insert_and_replace_rules_are_lowered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("commands.nft");
    std::fs::write(
        &path,
        "add table inet t\nadd chain inet t c { type filter hook input priority 0; }\ninsert rule inet t c position 0 udp dport 1022 accept\nreplace rule inet t c handle 2 tcp dport 1021 accept\ndelete rule inet t c handle 3\nflush chain inet t c\n",
    )
    .expect("write");
    let out = portlint(&[path.to_str().unwrap(), "--format", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains(":3:43: PL103 [error] port 1022/udp"),
        "{text}"
    );
    assert!(
        text.contains(":4:42: PL103 [error] port 1021/tcp"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn json_beyond_the_size_cap_is_refused_with_a_way_out() {
    // The JSON syntax tree takes ~20x the file: past the cap portlint says so instead of
    // taking gigabytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.json");
    let mut text = String::from("{\"nftables\": [");
    text.push_str(
        &" ".repeat((portlint::frontend::format::Format::NftJson.size_cap() + 1) as usize),
    );
    text.push_str("]}");
    std::fs::write(&path, text).expect("write");
    let out = portlint(&[path.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("portlint reads JSON rulesets up to 48 MiB")
            && err.contains("nft list ruleset"),
        "{err}"
    );
}

#[test]
fn iptables_resolves_names_for_the_rule_protocol_as_getservbyname_does() {
    // Debian's netbase lists ntp for udp only: iptables -p tcp --dport ntp fails there, although
    // IANA assigns 123/tcp to ntp (so without --services the rule is fine).
    let netbase = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/iana/services");
    if !std::path::Path::new(netbase).is_file() {
        eprintln!("skipped: ../shared/data/iana/services is absent");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rules.v4");
    std::fs::write(
        &path,
        "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport ntp -j ACCEPT\n-A INPUT -p udp -m udp --dport ntp -j ACCEPT\nCOMMIT\n",
    )
    .expect("write");
    let path = path.to_str().unwrap();
    let out = portlint(&["--format", "concise", path]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = portlint(&["--format", "concise", "--services", netbase, path]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("rules.v4:3:32: PL005"), "{text}");
    assert!(text.contains("has no tcp entry"), "{text}");
    assert_eq!(text.matches("PL005").count(), 1, "{text}");
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = portlint(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        let script = stdout(&out);
        // Every subcommand and a lint option are offered.
        for word in [
            "ports",
            "registry",
            "rule",
            "completions",
            "format",
            "config",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // bash reads the bash script without a syntax error.
    let script = stdout(&portlint(&["completions", "bash"]));
    let checked = Command::new("bash")
        .args(["-n", "-c", &script])
        .output()
        .expect("bash");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let out = portlint(&["man"]);
    assert_eq!(code(&out), 0);
    let page = stdout(&out);
    assert!(page.contains(".TH portlint 1"), "{page}");
    for option in [
        "fail\\-on",
        "input\\-format",
        "config",
        "select",
        "Exit codes",
    ] {
        assert!(page.contains(option), "the man page lacks {option}");
    }
    assert_eq!(
        code(&portlint(&["completions", "tcsh"])),
        2,
        "an unknown shell is a usage error"
    );
}

#[test]
fn a_walk_picks_rulesets_by_content_under_any_name_leaves_look_alikes_and_respects_gitignore() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    let finding = "table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport 14740 accept\n\t}\n}\n";
    let save = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 14740 -j ACCEPT\nCOMMIT\n";
    let policy = "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: sync\n        ports: [14740/tcp]\n";
    let rule = "iptables -A INPUT -p tcp --dport 14740 -j ACCEPT\n";
    let script = format!("#!/bin/sh\nset -e\n{rule}");
    let unmarked_script = format!("IPT=/sbin/iptables\n$IPT{}", &rule[8..]);
    // The first command after 4 KiB of settings, as arno-iptables-firewall's plugins have.
    let late_script = format!("{}{rule}", "# settings\nPLUGIN_NAME=\"late\"\n".repeat(200));
    let flushing = format!("flush ruleset\n{finding}");
    let listing = "-P INPUT DROP\n-N web\n-A INPUT -p tcp --dport 14740 -j ACCEPT\n";
    let json = r#"{"nftables": [{"metainfo": {"json_schema_version": 1}}, {"table": {"family": "inet", "name": "t", "handle": 1}}, {"chain": {"family": "inet", "table": "t", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 14740}}, {"accept": null}]}}]}"#;
    let files: &[(&str, &str)] = &[
        ("a.nft", finding),
        ("etc/nftables.conf", finding),
        ("etc/iptables/rules.v4", save),
        ("etc/sysconfig/iptables", save),
        ("backup/fw.save", save),
        ("ufw/before.rules", save),
        ("policy/web.yaml", policy),
        // By content, under the names real repositories give them.
        ("scripts/firewall.sh", &script),
        ("rc.firewall.local", &unmarked_script),
        ("bin/fw", &script),
        ("plugins/zz-late.plugin", &late_script),
        ("nftables-home.conf", finding),
        ("router/firewall.rules", &flushing),
        // Shell scripts that run nft: commands, and a here-document.
        ("scripts/nft-firewall.sh", "nft add table inet t\nnft add chain inet t c '{ type filter hook input priority 0; }'\nnft add rule inet t c tcp dport 14740 accept\n"),
        ("bin/nft-setup", &format!("#!/bin/bash\nnft -f - <<'EOF'\n{finding}EOF\n")),
        ("aerleon/edge.ipt", listing),
        ("testdata/edge.golden", save),
        ("iptables.conf", save),
        ("dump/ruleset.json", json),
        // Not linted: udev rules, YAML that is no policy, text, and what .gitignore names.
        ("udev/99-net.rules", "SUBSYSTEM==\"net\", ACTION==\"add\"\n"),
        ("compose.yaml", "services: {}\n"),
        ("notes.txt", "tcp dport 14740 accept\n"),
        ("ignored/b.nft", finding),
        (".gitignore", "ignored/\n"),
        // Look-alikes: fail2ban's INI actions (one named nftables.conf), a README and a
        // Makefile that show iptables commands, a Python program that runs one, a shell script
        // that runs none, other daemons' configuration, JSON that is no nft -j.
        ("fail2ban/action.d/nftables.conf", "# Fail2Ban configuration file\n\n[INCLUDES]\nbefore = nftables-common.conf\n\n[Definition]\nactionstart = nft add table inet f2b\n"),
        ("fail2ban/action.d/iptables.conf", "[Definition]\nactionstart = <iptables> -N f2b-<name>\n              iptables -A f2b-<name> -j RETURN\n"),
        ("README.md", "# Firewall\n\n```\niptables -A INPUT -p tcp --dport 14740 -j ACCEPT\n```\n"),
        ("Makefile", "install:\n\tiptables -A INPUT -p tcp --dport 14740 -j ACCEPT\n"),
        ("tools/apply.py", "import os\nos.system('iptables -A INPUT -p tcp --dport 14740 -j ACCEPT')\n"),
        ("scripts/install.sh", "#!/bin/sh\nset -e\necho installing\n"),
        ("sysctl.conf", "net.ipv4.ip_forward = 1\n"),
        ("nginx.conf", "server {\n\tlisten 14740;\n}\n"),
        ("package.json", "{\"name\": \"nftables\"}\n"),
        ("docker-compose.yml", "services:\n  web:\n    ports: [\"14740:14740\"]\n"),
    ];
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    // The ignore crate honours .gitignore inside a git repository.
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .output();
    assert!(git.is_ok_and(|o| o.status.success()), "git init");
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(["--format", "concise"])
        .current_dir(root)
        .output()
        .expect("run portlint");
    let text = stdout(&out);
    let mut linted: Vec<&str> = text
        .lines()
        .map(|l| l.split(':').next().expect("a path"))
        .collect();
    linted.dedup();
    assert_eq!(
        linted,
        [
            "a.nft",
            "aerleon/edge.ipt",
            "backup/fw.save",
            "bin/fw",
            "bin/nft-setup",
            "dump/ruleset.json",
            "etc/iptables/rules.v4",
            "etc/nftables.conf",
            "etc/sysconfig/iptables",
            "iptables.conf",
            "nftables-home.conf",
            "plugins/zz-late.plugin",
            "policy/web.yaml",
            "rc.firewall.local",
            "router/firewall.rules",
            "scripts/firewall.sh",
            "scripts/nft-firewall.sh",
            "testdata/edge.golden",
            "ufw/before.rules",
        ],
        "{text}"
    );
}

#[test]
fn a_tree_with_nothing_to_lint_exits_2_and_says_so_in_every_format() {
    // A CI job pointed at a misnamed tree must not pass having checked nothing (DESIGN).
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "iptables -F\n").expect("write");
    std::fs::write(dir.path().join("nginx.conf"), "server { listen 80; }\n").expect("write");
    let tree = dir.path().to_str().expect("a UTF-8 path");
    let human = portlint(&[tree]);
    assert_eq!(code(&human), 2, "{}", stderr(&human));
    assert!(
        stderr(&human).contains("nothing to lint: no file here is a ruleset or policy"),
        "{}",
        stderr(&human)
    );
    // No "No problems found in 0 files.", which reads as a pass.
    assert_eq!(stdout(&human), "");
    let json = portlint(&["--format", "json", tree]);
    assert_eq!(code(&json), 2);
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(document["summary"]["files"], 0);
    let errors = document["path_errors"].as_array().expect("path_errors");
    assert_eq!(errors.len(), 1, "{document}");
    assert_eq!(errors[0]["path"], tree);
    assert!(errors[0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("nothing to lint")));
    // One ruleset anywhere among the paths is something to lint.
    let ruleset = dir.path().join("fw.nft");
    std::fs::write(&ruleset, "table inet t {\n}\n").expect("write");
    let out = portlint(&[tree]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "No problems found in 1 file.\n");
}

/// Issue 14: a script's `$VARIABLE` where options belong is read as the shell reads it — split
/// into words when the script sets it, opaque (one PL006, no syntax error) when it does not —
/// and an address placeholder left in the script is a syntax error at its bad part.
#[test]
fn issue_14_shell_variables_in_iptables_scripts() {
    let path = "tests/fixtures/iptables-constructs/shell-variables.sh";
    let out = portlint(&["--format", "concise", path]);
    let text = stdout(&out);
    let found: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(path)?.split(" [").next())
        .collect();
    assert_eq!(found, [":6:19: PL006", ":10:30: PL001"], "{text}");
    assert_eq!(code(&out), 1, "{text}");
}

/// `--statistics` keeps a machine format's stdout one document (issue 15): the table goes to
/// stderr for json, sarif and github, and after the report on stdout for the text formats.
#[test]
fn statistics_leave_machine_output_whole() {
    let fixture = "tests/fixtures/rules/PL103/fires.nft";
    for format in ["json", "sarif"] {
        let out = portlint(&[fixture, "--format", format, "--statistics"]);
        let json: Result<serde_json::Value, _> = serde_json::from_str(&stdout(&out));
        assert!(json.is_ok(), "{format}: {}", stdout(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("PL103"),
            "{format}"
        );
    }
    let out = portlint(&[fixture, "--format", "github", "--statistics"]);
    assert!(
        stdout(&out).lines().all(|l| l.starts_with("::")),
        "{}",
        stdout(&out)
    );
    // The report's last line is the statistics table's last row: `  count  code  name`.
    let out = portlint(&[fixture, "--format", "concise", "--statistics"]);
    let last = stdout(&out).lines().last().map(str::to_string);
    let row = last
        .as_deref()
        .map(|l| l.split_whitespace().collect::<Vec<_>>());
    assert!(
        row.as_deref()
            .is_some_and(|r| r.len() == 3 && r[0].parse::<u32>().is_ok() && r[1].starts_with("PL")),
        "{}",
        stdout(&out)
    );
}
