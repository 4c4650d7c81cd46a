//! No input may panic, hang or exhaust memory; every span stays on the text's characters.
//! proptest stands in for cargo-fuzz (which needs nightly).

mod common;

use portlint::registry::{Registry, DYNAMIC_START};
use proptest::prelude::*;

/// Lint `text` as nft text through the front end, the checks and every emitter.
fn lint_text(text: &str) {
    common::read_through_everything(text, portlint::frontend::nft::read);
}

/// Pieces of nft text, so that random inputs reach deep into the parser.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("table inet t {".to_string()),
        Just("chain c {".to_string()),
        Just("type filter hook input priority 0;".to_string()),
        Just("policy drop;".to_string()),
        Just("tcp dport".to_string()),
        Just("udp sport".to_string()),
        Just("th dport".to_string()),
        Just("meta l4proto { tcp, udp }".to_string()),
        Just("define x =".to_string()),
        Just("redefine x =".to_string()),
        Just("$x".to_string()),
        Just("@s".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("accept".to_string()),
        Just("jump c".to_string()),
        Just("dnat ip to".to_string()),
        Just("redirect to :".to_string()),
        // Concatenations, maps, verdict maps, conntrack ports, named sets and maps of ports.
        Just(".".to_string()),
        Just(":".to_string()),
        Just("*".to_string()),
        Just("map".to_string()),
        Just("vmap".to_string()),
        Just("ip saddr .".to_string()),
        Just("ct original proto-dst".to_string()),
        Just("ct reply proto-src".to_string()),
        Just("tproxy to :".to_string()),
        Just("set s { type ipv4_addr . inet_service; elements = {".to_string()),
        Just("map m { type inet_service : verdict; elements = {".to_string()),
        Just("add element inet t s {".to_string()),
        Just("22 : accept".to_string()),
        Just("25:drop".to_string()),
        Just("include \"x.nft\"".to_string()),
        Just("10.0.0.1:".to_string()),
        Just("[::1]:".to_string()),
        Just("include \"x\"".to_string()),
        Just("\"str".to_string()),
        Just("# comment".to_string()),
        Just("-".to_string()),
        Just(":".to_string()),
        Just("é".to_string()),
        (0u32..70000).prop_map(|n| n.to_string()),
        (0u16..2000, 0u16..2000).prop_map(|(a, b)| format!("{a}-{b}")),
        "[a-z]{1,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn nft_like_input_never_panics(pieces in prop::collection::vec(piece(), 0..60)) {
        lint_text(&pieces.join(" "));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        lint_text(&text);
    }

    /// The same pieces as lines of a shell script that runs nft (commands, quotes, line
    /// continuations, here-documents): the nft text it becomes keeps every offset.
    #[test]
    fn nft_scripts_never_panic(
        pieces in prop::collection::vec(prop_oneof![
            piece(),
            Just("\nnft add rule inet t c".to_string()),
            Just("\nsudo nft -a insert rule inet t c".to_string()),
            Just("\nnft -f - <<'EOF'\n".to_string()),
            Just("\nnft -f - <<EOF\n".to_string()),
            Just("\nEOF\n".to_string()),
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("\\\n".to_string()),
            Just("|| true".to_string()),
            Just("> /dev/null 2>&1".to_string()),
        ], 0..60)
    ) {
        let text = pieces.join(" ");
        let (nft, _) = portlint::frontend::nft::script::nft_text(&text);
        prop_assert_eq!(nft.len(), text.len());
        common::read_through_everything(&text, portlint::frontend::nft::read_script);
    }

    #[test]
    fn every_port_has_a_status(port in any::<u16>()) {
        let registry = Registry::embedded();
        for proto in portlint::registry::Proto::ALL {
            let status = registry.status(port, proto);
            prop_assert_eq!(port >= DYNAMIC_START, status.state == portlint::registry::PortState::Dynamic);
        }
    }
}

#[test]
fn deep_nesting_and_long_lines_are_fine() {
    lint_text(&"{".repeat(100_000));
    lint_text(&format!(
        "table inet t {{ chain c {{ tcp dport {} accept }} }}",
        "{ ".repeat(50_000)
    ));
    let long_set: Vec<String> = (0..50_000).map(|p| p.to_string()).collect();
    lint_text(&format!(
        "table inet t {{\n chain c {{\n  tcp dport {{ {} }} accept\n }}\n}}\n",
        long_set.join(", ")
    ));
}

#[test]
fn long_variable_chains_stop() {
    let mut text = String::from("define v0 = 22\n");
    for i in 1..200 {
        text.push_str(&format!("define v{i} = $v{}\n", i - 1));
    }
    text.push_str("table inet t {\n chain c {\n  tcp dport $v199 accept\n }\n}\n");
    lint_text(&text);
}
