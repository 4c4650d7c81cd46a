//! The iptables front end never panics or hangs, whatever it reads: iptables-save-like lines,
//! shell-like scripts and arbitrary text are read through the front end, every check and every
//! emitter, and every span must lie in the text on character boundaries.

mod common;

use portlint::diagnostic::Diagnostic;
use portlint::frontend::iptables::{self, Format};
use portlint::frontend::resolve::Resolver;
use portlint::model::Ruleset;
use portlint::source::FileId;
use proptest::prelude::*;

fn save(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    iptables::read(file, text, resolver, Format::Save, None)
}

fn script(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    iptables::read(file, text, resolver, Format::Script, None)
}

/// Words and fragments iptables input is made of, well-formed or not.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*filter\n".to_string()),
        Just("*nat\n".to_string()),
        Just("COMMIT\n".to_string()),
        Just(":INPUT DROP [0:0]\n".to_string()),
        Just(":web - [0:0]\n".to_string()),
        Just("[1:2] ".to_string()),
        Just("-A INPUT ".to_string()),
        Just("-I INPUT 1 ".to_string()),
        Just("-R INPUT 2 ".to_string()),
        Just("-D INPUT 3\n".to_string()),
        Just("-N web\n".to_string()),
        Just("-X\n".to_string()),
        Just("-F web\n".to_string()),
        Just("-P INPUT ACCEPT\n".to_string()),
        Just("-E web www\n".to_string()),
        Just("-p tcp ".to_string()),
        Just("! -p udp ".to_string()),
        Just("-p ! 6 ".to_string()),
        Just("-ptcp ".to_string()),
        Just("--protocol=udp ".to_string()),
        Just("-m tcp ".to_string()),
        Just("-m multiport ".to_string()),
        Just("-m conntrack --ctstate NEW ".to_string()),
        Just("-m foo --bar baz ".to_string()),
        Just("--dport 22 ".to_string()),
        Just("--sport 1024: ".to_string()),
        Just("--dport :80 ".to_string()),
        Just("--dport 9:1 ".to_string()),
        Just("--dports 1,2,3:4,ssh ".to_string()),
        Just("--dport 0x16 ".to_string()),
        Just("--dport 022 ".to_string()),
        Just("--dport ".to_string()),
        Just("! ".to_string()),
        Just("-s 10.0.0.0/8 ".to_string()),
        Just("-d 2001:db8::1 ".to_string()),
        Just("-i eth0 ".to_string()),
        Just("-m comment --comment \"a \\\"b\\\" c\" ".to_string()),
        Just("\"unterminated ".to_string()),
        Just("-j ACCEPT\n".to_string()),
        Just("-j web\n".to_string()),
        Just("-g nowhere\n".to_string()),
        Just("-j DNAT --to-destination [::1]:80-90/5\n".to_string()),
        Just("-j REDIRECT --to-ports ftp-data\n".to_string()),
        Just("-j TPROXY --on-port 0\n".to_string()),
        Just("-j LOG --log-prefix \"-x\"\n".to_string()),
        Just("-t nat ".to_string()),
        Just("-4 ".to_string()),
        Just("-6 ".to_string()),
        Just("-c 1 2 ".to_string()),
        Just("iptables ".to_string()),
        Just("sudo ip6tables ".to_string()),
        Just("IPT=/sbin/iptables\n".to_string()),
        Just("$IPT ".to_string()),
        Just("${PORT} ".to_string()),
        Just("$(cat x) ".to_string()),
        Just("`date` ".to_string()),
        Just("\\\n".to_string()),
        Just(" || true\n".to_string()),
        Just("; ".to_string()),
        Just("2>/dev/null ".to_string()),
        Just("# comment\n".to_string()),
        Just("\n".to_string()),
        Just("é ".to_string()),
        Just("-\u{e9} ".to_string()),
        "[ -~]{0,12}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn save_like_input_never_panics(pieces in prop::collection::vec(piece(), 0..50)) {
        let text = pieces.concat();
        common::read_through_everything(&text, save);
    }

    #[test]
    fn script_like_input_never_panics(pieces in prop::collection::vec(piece(), 0..50)) {
        let text = pieces.concat();
        common::read_through_everything(&text, script);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        common::read_through_everything(&text, save);
        common::read_through_everything(&text, script);
    }
}

#[test]
fn long_lines_and_many_options_are_fine() {
    let long_rule = format!(
        "*filter\n-A INPUT {} -j ACCEPT\nCOMMIT\n",
        "-m foo --bar 1 ".repeat(20_000)
    );
    common::read_through_everything(&long_rule, save);
    let many_ports = format!(
        "*filter\n-A INPUT -p tcp -m multiport --dports {} -j ACCEPT\nCOMMIT\n",
        vec!["22"; 50_000].join(",")
    );
    common::read_through_everything(&many_ports, save);
    let continued = format!("iptables -A INPUT{}\n", " \\\n -p tcp".repeat(10_000));
    common::read_through_everything(&continued, script);
    let quotes = "\"".repeat(100_001);
    common::read_through_everything(&quotes, save);
    common::read_through_everything(&quotes, script);
}
