//! `include`: files are spliced in where they are included, found beside the including file or
//! in `-I` directories, globbed in C-locale order — and never read when they lie outside the
//! linted directories (a pull request must not print `/etc/passwd` into a CI log).

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn portlint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the portlint binary")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// Every output format, with their stdout and stderr joined.
fn all_outputs(dir: &Path, target: &str) -> Vec<(String, String)> {
    ["human", "concise", "json"]
        .iter()
        .map(|format| {
            let out = portlint_in(dir, &[target, "--format", format]);
            let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
            (format.to_string(), text)
        })
        .collect()
}

const SECRET: &str = "SECRET-7f3a9c-do-not-print";

/// A linted directory `repo/` and, beside it, a file it must not be able to read: the file is
/// not valid nft, so if portlint ever read it, its text would be quoted in a syntax error.
fn repo_with_secret_outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "outside/secret.nft",
        &format!("{SECRET} {SECRET}\n"),
    );
    std::fs::create_dir_all(dir.path().join("repo")).expect("mkdir");
    dir
}

#[test]
fn includes_outside_the_linted_directories_are_refused_unread() {
    let dir = repo_with_secret_outside();
    let repo = dir.path().join("repo");
    let secret = dir.path().join("outside/secret.nft");
    std::os::unix::fs::symlink(&secret, repo.join("link.inc")).expect("symlink");
    write(
        &repo,
        "main.nft",
        &format!(
            "include \"/etc/passwd\"\ninclude \"../outside/secret.nft\"\ninclude \"link.inc\"\ninclude \"{}\"\ninclude \"../outside/*.nft\"\n",
            secret.display()
        ),
    );
    for (format, text) in all_outputs(&repo, "main.nft") {
        assert!(
            !text.contains(SECRET),
            "{format} output shows the secret:\n{text}"
        );
        assert!(
            !text.contains("root:x:"),
            "{format} output shows /etc/passwd:\n{text}"
        );
    }
    // Not followed is info: the host's nft may read the file, so a default run passes.
    let out = portlint_in(&repo, &["main.nft", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0));
    let not_followed = "is not followed: it is outside the directories portlint reads";
    assert_eq!(
        stdout(&out),
        format!(
            "main.nft:1:1: PL004 [info] `include \"/etc/passwd\"` {not_followed}\n\
             main.nft:2:1: PL004 [info] `include \"../outside/secret.nft\"` {not_followed}\n\
             main.nft:3:1: PL004 [info] `include \"link.inc\"` {not_followed}\n\
             main.nft:4:1: PL004 [info] `include \"{}\"` {not_followed}\n\
             main.nft:5:1: PL004 [info] `include \"../outside/*.nft\"` {not_followed}\n",
            secret.display()
        )
    );
    // JSON and SARIF carry the finding's own severity, not the rule's default.
    let json = stdout(&portlint_in(&repo, &["main.nft", "--format", "json"]));
    assert!(json.contains("\"severity\": \"info\""), "{json}");
    assert!(!json.contains("\"severity\": \"error\""), "{json}");
    let sarif = stdout(&portlint_in(&repo, &["main.nft", "--format", "sarif"]));
    // (Each result's level; the rules' default configurations are written without a comma.)
    assert_eq!(sarif.matches("\"level\": \"note\",").count(), 5, "{sarif}");
    // The help says how to have it read.
    let human = stdout(&portlint_in(&repo, &["main.nft"]));
    assert!(human.contains("-I DIR"), "{human}");
    assert!(human.contains("include-path:"), "{human}");
}

#[test]
fn an_absolute_glob_is_not_followed_unless_its_directory_is_named() {
    // OpenWrt fw4 writes `include "/etc/nftables.d/*.nft"` in every ruleset.
    let dir = repo_with_secret_outside();
    let repo = dir.path().join("repo");
    let outside = dir.path().join("outside");
    write(&outside, "ports.nft", "define p = 1021\n");
    write(
        &repo,
        "fw4.nft",
        &format!(
            "include \"{}/*.nft\"\ntable inet fw4 {{\n\tchain input {{\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport $p accept\n\t}}\n}}\n",
            outside.display()
        ),
    );
    let out = portlint_in(&repo, &["fw4.nft", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("PL004 [info]") && !stdout(&out).contains(SECRET),
        "{}",
        stdout(&out)
    );
    // Named with -I, the directory is read: its port is judged.
    let out = portlint_in(
        &repo,
        &[
            "fw4.nft",
            "-I",
            &outside.display().to_string(),
            "--format",
            "concise",
        ],
    );
    assert!(
        stdout(&out).contains("ports.nft:1:12: PL103"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_directory_named_with_an_include_path_may_be_included() {
    let dir = repo_with_secret_outside();
    let repo = dir.path().join("repo");
    write(
        &dir.path().join("shared"),
        "ports.nft",
        "define web = { 80, 1021 }\n",
    );
    write(
        &repo,
        "main.nft",
        "include \"ports.nft\"\ntable inet f {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport $web accept\n\t}\n}\n",
    );
    let out = portlint_in(
        &repo,
        &["main.nft", "-I", "../shared", "--format", "concise"],
    );
    assert_eq!(
        stdout(&out),
        "../shared/ports.nft:1:20: PL103 [error] port 1021/tcp is an RFC 3692-style experiment port (exp1)\n"
    );
    // Without -I the same include is not found (and is not looked for outside).
    let out = portlint_in(&repo, &["main.nft", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "main.nft:1:1: PL004 [error] included file `ports.nft` is not found\n"
    );
}

#[test]
fn includes_that_are_not_regular_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe.nft");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    std::fs::create_dir_all(dir.path().join("adir")).expect("mkdir");
    write(
        dir.path(),
        "main.nft",
        "include \"pipe.nft\"\ninclude \"adir\"\n",
    );
    // Would hang for ever if portlint opened the FIFO.
    let out = portlint_in(dir.path(), &["main.nft", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "main.nft:1:1: PL004 [error] `pipe.nft` is not a regular file\n\
         main.nft:2:1: PL004 [error] `adir` is not a regular file\n"
    );
}

#[test]
fn included_files_are_spliced_in_place_with_their_defines_and_blocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "defines.nft",
        "define ssh = 22\ndefine experiment = 1021\n",
    );
    write(
        dir.path(),
        "input.rules",
        "tcp dport $ssh accept\ntcp dport $experiment accept\njump undefined_chain\n",
    );
    write(
        dir.path(),
        "main.nft",
        "include \"defines.nft\"\ntable inet f {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\tinclude \"input.rules\"\n\t}\n}\n",
    );
    let out = portlint_in(dir.path(), &[".", "--format", "concise"]);
    // The define is reported where it is written, with the use in the included rules; the
    // included files are linted as part of main.nft only (defines.nft alone defines nothing
    // wrong, and input.rules alone would be full of syntax errors).
    assert_eq!(
        stdout(&out),
        "defines.nft:2:21: PL103 [error] port 1021/tcp is an RFC 3692-style experiment port (exp1)\n\
         input.rules:3:6: PL003 [error] table `inet f` has no chain `undefined_chain`\n"
    );
}

#[test]
fn globs_include_in_c_locale_order_skip_dotfiles_and_may_match_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Each file redefines `p`; the last one read wins, so the order shows in the finding.
    write(dir.path(), "conf.d/B.nft", "redefine p = 1021\n");
    write(dir.path(), "conf.d/a.nft", "redefine p = 1022\n");
    write(dir.path(), "conf.d/.hidden.nft", "this is not nft\n");
    write(
        dir.path(),
        "main.nft",
        "define p = 22\ninclude \"conf.d/*.nft\"\ninclude \"empty.d/*.nft\"\ntable inet f {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport $p accept\n\t}\n}\n",
    );
    let out = portlint_in(dir.path(), &["main.nft", "--format", "concise"]);
    // C locale: `B` (0x42) sorts before `a` (0x61), so a.nft is read last: 1022.
    assert_eq!(
        stdout(&out),
        "conf.d/a.nft:1:14: PL103 [error] port 1022/tcp is an RFC 3692-style experiment port (exp2)\n"
    );
}

#[test]
fn include_cycles_are_reported_with_both_includes() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.nft", "include \"b.nft\"\n");
    write(dir.path(), "b.nft", "define x = 1\ninclude \"a.nft\"\n");
    let out = portlint_in(dir.path(), &["a.nft", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "b.nft:2:1: PL004 [error] include cycle: `a.nft` → `b.nft` → `a.nft`\n"
    );
    // A file that includes itself: both spans are in one file, so both are drawn.
    write(dir.path(), "self.nft", "include \"self.nft\"\n");
    let out = portlint_in(dir.path(), &["self.nft"]);
    let text = stdout(&out);
    assert!(
        text.contains("include cycle: `self.nft` → `self.nft`"),
        "{text}"
    );
    assert!(text.contains("this include closes the cycle"), "{text}");
    // Two files: the other include is named in the help, with its place.
    write(dir.path(), "c.nft", "include \"d.nft\"\n");
    write(dir.path(), "d.nft", "include \"e.nft\"\n");
    write(dir.path(), "e.nft", "\ninclude \"d.nft\"\n");
    let out = portlint_in(dir.path(), &["c.nft"]);
    let text = stdout(&out);
    assert!(
        text.contains("`d.nft` is included first at c.nft:1:1"),
        "{text}"
    );
    assert!(text.contains("e.nft:2:1"), "{text}");
}

#[test]
fn deep_and_exploding_includes_stop() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 20 levels: nft stops at 16.
    for level in 0..20 {
        write(
            dir.path(),
            &format!("l{level}.nft"),
            &format!("include \"l{}.nft\"\n", level + 1),
        );
    }
    write(dir.path(), "l20.nft", "");
    let out = portlint_in(dir.path(), &["l0.nft", "--format", "concise"]);
    assert!(
        stdout(&out).contains("PL004 [error] includes nest deeper than 16 levels"),
        "{}",
        stdout(&out)
    );
    // Each level includes the next twice: 2^15 inclusions unless portlint stops.
    let dir = tempfile::tempdir().expect("tempdir");
    for level in 0..15 {
        let next = format!("include \"x{}.nft\"\n", level + 1);
        write(dir.path(), &format!("x{level}.nft"), &next.repeat(2));
    }
    write(dir.path(), "x15.nft", "define y = 1\n");
    let out = portlint_in(dir.path(), &["x0.nft", "--format", "concise"]);
    assert!(
        stdout(&out).contains("PL004 [error] the includes expand to more text than portlint reads"),
        "{}",
        stdout(&out)
    );
}

/// An include is spliced in as text, so an included file may close the block it is included in
/// and open another that the including file closes (issue 15: this panicked). Each variant
/// runs through portlint without a crash, and, where nft can run, portlint reports an error
/// exactly when `nft -c` refuses the file.
#[test]
fn an_include_may_close_the_block_it_is_included_in() {
    let variants: &[(&str, &str)] = &[
        // Closes the chain, opens a base chain the including file closes.
        (
            "}\nchain z {\n type filter hook input priority 0;\n",
            "table inet t {\n chain c {\n  include \"b.nft\"\n }\n}\n",
        ),
        // Closes the chain and the table, opens another table.
        (
            "}\n}\ntable ip u {\n chain z {\n  tcp dport 22 accept\n",
            "table inet t {\n chain c {\n  include \"b.nft\"\n }\n}\n",
        ),
        // Opens a chain the including file closes.
        (
            "chain z {\n tcp dport 22 accept\n",
            "table inet t {\n include \"b.nft\"\n }\n}\n",
        ),
        // Closes one block too many: refused.
        (
            "}\n}\n}\n",
            "table inet t {\n chain c {\n  include \"b.nft\"\n }\n}\n",
        ),
    ];
    let oracle = common::nft_available();
    for (included, including) in variants {
        let dir = tempfile::tempdir().expect("a temporary directory");
        write(dir.path(), "b.nft", included);
        write(dir.path(), "a.nft", including);
        let out = portlint_in(dir.path(), &["a.nft", "--format", "concise"]);
        let text = stdout(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{including} / {included}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if oracle {
            let (accepted, says) = common::nft_check(dir.path(), "a.nft");
            let errors = text.lines().any(|l| l.contains("[error]"));
            assert_eq!(
                accepted, !errors,
                "{including} / {included}:\nnft: {says}\nportlint: {text}"
            );
        }
    }
}
