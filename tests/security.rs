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

const FORMATS: [&str; 5] = ["human", "concise", "github", "json", "sarif"];

/// A secret outside the linted tree: a line that, were it ever read, would show in a finding
/// (it is no nft, so every token of it would be quoted).
const SECRET: &str = "root:hunter2-s3cr3t:0:0:root:/root:/bin/bash\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn portlint(dir: &std::path::Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run portlint");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A repository (`repo/`) beside a secret (`secret`), both in a fresh directory.
fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("secret"), SECRET).expect("write the secret");
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("the repository");
    std::fs::write(
        repo.join("a.nft"),
        "table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n",
    )
    .expect("write a ruleset");
    (dir, repo)
}

fn assert_secret_unread(run: &Run, what: &str) {
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains("hunter2"),
            "{what}: the secret is quoted\n{text}"
        );
    }
}

#[test]
fn a_committed_configuration_cannot_widen_what_portlint_reads() {
    let (dir, repo) = repository();
    let secret = dir.path().join("secret");
    std::os::unix::fs::symlink(dir.path(), repo.join("up")).expect("symlink");
    std::fs::write(repo.join("b.nft"), "include \"secret\"\n").expect("write an include");
    for (config, spans) in [
        (
            "include-path: [/]\nservices: ../secret\nregistry: {file: /etc/passwd}\n".to_string(),
            vec!["1:16", "2:11", "3:18"],
        ),
        (
            format!("registry:\n  file: {}\n", secret.display()),
            vec!["2:9"],
        ),
        // Through a symlink inside the repository.
        (
            "include-path: [up]\nservices: up/secret\n".to_string(),
            vec!["1:16", "2:11"],
        ),
        ("services: sub/../../secret\n".to_string(), vec!["1:11"]),
    ] {
        std::fs::write(repo.join(".portlint.yaml"), &config).expect("write the configuration");
        for format in FORMATS {
            let run = portlint(&repo, &["a.nft", "b.nft", "--format", format]);
            assert_eq!(
                run.code,
                Some(2),
                "{config} {format}\n{}{}",
                run.stdout,
                run.stderr
            );
            assert_secret_unread(&run, &config);
            if format == "concise" {
                // A configuration's findings are rendered on its own, whatever the format.
                for at in &spans {
                    let place = format!(".portlint.yaml:{at}");
                    assert!(
                        run.stdout.contains(&place) || run.stderr.contains(&place),
                        "{config}: no finding at {at}\n{}{}",
                        run.stdout,
                        run.stderr
                    );
                }
            }
        }
    }
    // The command line may name what the configuration may not.
    std::fs::write(repo.join(".portlint.yaml"), "").expect("empty configuration");
    let services = dir.path().join("services");
    std::fs::write(&services, "ssh 22/tcp\n").expect("write a services file");
    let run = portlint(
        &repo,
        &[
            "a.nft",
            "--services",
            services.to_str().unwrap(),
            "--format",
            "concise",
        ],
    );
    assert_ne!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
}

#[test]
fn globs_and_named_paths_do_not_follow_symlinks_out_of_the_tree() {
    let (dir, repo) = repository();
    std::os::unix::fs::symlink(dir.path().join("secret"), repo.join("passwd.nft"))
        .expect("symlink");
    std::os::unix::fs::symlink(dir.path(), repo.join("etcdir")).expect("symlink");
    // A symlink inside the tree is read.
    std::os::unix::fs::symlink("a.nft", repo.join("current.nft")).expect("symlink");
    for args in [
        vec!["*.nft"],
        vec!["passwd.nft"],
        vec!["a.nft", "passwd.nft"],
        vec!["etcdir/*"],
        vec!["etcdir"],
        vec!["etcdir/secret"],
        vec!["./passwd.nft"],
    ] {
        for format in FORMATS {
            let mut all = args.clone();
            all.extend(["--format", format]);
            let run = portlint(&repo, &all);
            assert_eq!(
                run.code,
                Some(2),
                "{args:?} {format}\n{}{}",
                run.stdout,
                run.stderr
            );
            assert_secret_unread(&run, &format!("{args:?} {format}"));
            assert!(
                run.stderr
                    .contains("symbolic link to outside the working directory"),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
    let run = portlint(&repo, &["current.nft", "--format", "concise"]);
    assert!(run.stderr.is_empty(), "current.nft: {}", run.stderr);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    // Named outside the working directory, a file is the operator's word and is read.
    let run = portlint(&repo, &["../secret", "--format", "concise"]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_binary_file_is_one_finding() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let binary =
        std::fs::read(std::env::current_exe().expect("this test's executable")).expect("read it");
    std::fs::write(
        dir.path().join("x.nft"),
        &binary[..binary.len().min(1 << 20)],
    )
    .expect("write it");
    // Control characters without a NUL byte, too.
    let controls: Vec<u8> = (0..4000u32)
        .map(|i| [1u8, 2, 0x1b, b'a'][i as usize % 4])
        .collect();
    std::fs::write(dir.path().join("y.nft"), controls).expect("write it");
    for name in ["x.nft", "y.nft"] {
        let run = portlint(dir.path(), &[name, "--format", "json"]);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let found = json["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert!(
            found[0]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("not a text file")),
            "{found:?}"
        );
    }
    // A walk leaves it alone.
    let run = portlint(dir.path(), &[".", "--format", "concise"]);
    assert_eq!(
        run.code,
        Some(2),
        "nothing to lint: {}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn a_byte_order_mark_does_not_change_the_format() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dump =
        "\u{feff}*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n";
    std::fs::write(dir.path().join("rules.v4"), dump).expect("write it");
    let run = portlint(dir.path(), &["rules.v4", "--format", "concise"]);
    // iptables-restore refuses the mark ("line 1 failed"): one finding for it, and the dump
    // is read as iptables all the same.
    assert_eq!(
        run.stdout,
        "rules.v4:1:1: PL001 [error] the file starts with a byte-order mark (U+FEFF), which iptables-restore refuses\nrules.v4:3:25: PL002 [error] port 70000 is out of range\n",
        "{}",
        run.stderr
    );
}

#[test]
fn byte_offsets_index_the_file_on_disk() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // A BOM, a lone continuation byte, a truncated sequence and an overlong pair before the
    // findings: each is one U+FFFD (3 bytes) in the text portlint reads.
    let mut bytes = b"\xef\xbb\xbf# caf\x80 \xe2\x82 \xc0\xaf\n".to_vec();
    bytes.extend_from_slice(
        b"table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport 70000 accept\n\t\tudp dport 99999 accept\n\t}\n}\n",
    );
    std::fs::write(dir.path().join("a.nft"), &bytes).expect("write it");
    let run = portlint(dir.path(), &["a.nft", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut quoted = Vec::new();
    for found in json["diagnostics"].as_array().expect("diagnostics") {
        let start = found["byte_start"].as_u64().expect("byte_start") as usize;
        let end = found["byte_end"].as_u64().expect("byte_end") as usize;
        assert!(start <= end && end <= bytes.len(), "{found}");
        quoted.push((
            found["code"].as_str().unwrap_or_default().to_string(),
            bytes[start..end].to_vec(),
        ));
    }
    for wanted in [&b"70000"[..], b"99999", b"\xef\xbb\xbf", b"\x80"] {
        assert!(
            quoted.iter().any(|(_, q)| q == wanted),
            "no finding at {wanted:?}: {quoted:?}"
        );
    }
    // SARIF says the same.
    let run = portlint(dir.path(), &["a.nft", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let mut sarif_quoted = Vec::new();
    for result in results {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        let start = region["byteOffset"].as_u64().expect("byteOffset") as usize;
        let len = region["byteLength"].as_u64().expect("byteLength") as usize;
        sarif_quoted.push(bytes[start..start + len].to_vec());
    }
    assert!(
        sarif_quoted.iter().any(|q| q == b"99999"),
        "{sarif_quoted:?}"
    );
}

/// Run portlint in `dir` and wait for it at most `limit`; `None` when it was still running
/// (and has been killed).
fn portlint_within(
    dir: &std::path::Path,
    args: &[&str],
    limit: std::time::Duration,
) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run portlint");
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait for portlint") {
            return status.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn a_fifo_named_as_registry_or_services_is_refused_at_once() {
    let (_dir, repo) = repository();
    let fifo = repo.join("fifo");
    let path = std::ffi::CString::new(fifo.to_str().expect("a UTF-8 path")).expect("no NUL");
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    // Nobody ever writes to the FIFO: a reader that opened it blocking would wait forever.
    let second = std::time::Duration::from_secs(1);
    for args in [
        &["--registry", "fifo", "registry"][..],
        &["--registry", "fifo", "a.nft"][..],
        &["--services", "fifo", "a.nft"][..],
        &["--config", "fifo", "a.nft"][..],
        &["fifo"][..],
    ] {
        assert_eq!(portlint_within(&repo, args, second), Some(2), "{args:?}");
    }
}

/// The shared registry revisions, or `None` (the test skips) when they are absent.
fn registry_data() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/iana");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

#[test]
fn a_registry_file_cut_short_is_refused_not_read_as_unassigned() {
    let Some(data) = registry_data() else { return };
    let dir = tempfile::tempdir().expect("a temporary directory");
    // Every real revision is whole.
    for name in [
        "service-names-port-numbers.csv",
        "service-names-port-numbers-2025-12-15.xml.gz",
        "port-numbers-2006-11-13.txt",
        "port-numbers-2007-02-15.txt",
        "port-numbers-2008-02-29.txt",
    ] {
        let path = data.join(name);
        let run = portlint(
            dir.path(),
            &["--registry", path.to_str().unwrap(), "registry"],
        );
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
    }
    // The CSV cut at a line boundary part-way parses: its rows stop at some port, and every
    // port after would read as unassigned. (The last 12% of the file are name-only rows, which
    // no port check reads: a cut there loses no answer.)
    let csv = std::fs::read_to_string(data.join("service-names-port-numbers.csv")).expect("CSV");
    for share in [2, 9, 50, 87] {
        let cut = csv.len() * share / 100;
        let end = csv[..cut].rfind('\n').expect("a line");
        std::fs::write(dir.path().join("cut.csv"), &csv[..=end]).expect("write");
        let run = portlint(dir.path(), &["--registry", "cut.csv", "ports", "8080"]);
        assert_eq!(run.code, Some(2), "{share}%: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("incomplete"),
            "{share}%: {}",
            run.stderr
        );
        assert!(run.stderr.contains("row is for port"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{share}%: {}", run.stdout);
    }
    // A legacy text cut inside the system ports is refused too.
    let legacy = String::from_utf8_lossy(
        &std::fs::read(data.join("port-numbers-2006-11-13.txt")).expect("legacy"),
    )
    .into_owned();
    let at = legacy.find("\nhttp ").expect("the http entry");
    std::fs::write(dir.path().join("cut.txt"), &legacy[..at]).expect("write");
    let run = portlint(dir.path(), &["--registry", "cut.txt", "registry"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("from 0 to 1023"), "{}", run.stderr);
}
