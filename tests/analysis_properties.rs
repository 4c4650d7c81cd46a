//! The chain analyses (PL201, PL202, PL203, PL205) checked against the packet simulator
//! (`tests/simulator`) on generated rulesets: nft text built from a vocabulary of matches that
//! overlap on purpose (ports and their ranges, nested prefixes, interfaces, conntrack states,
//! protocols) and of verdicts (accept, drop, reject, queue, jump, goto, return, none), with
//! exact duplicates, verdict maps and opaque matches (`limit`, `meta mark`, wildcards). Each
//! ruleset is read by the real front end, analysed, and simulated on its boundary packets under
//! several assignments of its opaque matches.
//!
//! The property: every finding holds in the simulation, whatever the opaque matches do. And the
//! run is not vacuous: it reports how many findings were checked and which share of the rules
//! without a finding some packet matched (a share near zero would mean the packets miss the
//! rules, and a finding could not be contradicted).

mod simulator;

use portlint::analysis::chains::Refused;
use portlint::frontend::resolve::Resolver;
use portlint::registry::Registry;
use portlint::source::FileId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::sync::Mutex;

const MATCHES: &[&str] = &[
    "tcp dport 22",
    "tcp dport 80",
    "tcp dport { 22, 80 }",
    "tcp dport 1-1024",
    "tcp dport 1-1023",
    "tcp dport 1023",
    "tcp dport 1024-65535",
    "tcp dport != 22",
    "tcp dport < 1024",
    "tcp dport >= 8080",
    "tcp sport 1024-65535",
    "udp dport 53",
    "udp dport { 53, 123 }",
    "th dport 53",
    "meta l4proto tcp",
    "meta l4proto { tcp, udp }",
    "meta l4proto udp",
    "ip protocol tcp",
    "ip6 nexthdr udp",
    "ip saddr 10.0.0.0/8",
    "ip saddr 10.1.0.0/16",
    "ip saddr != 10.0.0.0/8",
    "ip saddr { 10.0.0.0/8, 192.168.0.0/16 }",
    "ip saddr 10.0.0.1-10.0.0.9",
    "ip saddr 10.0.0.0/29",
    "ip saddr 10.0.0.8/31",
    "ip saddr 10.0.0.9",
    "ip daddr 192.168.1.1",
    "ip6 saddr 2001:db8::/32",
    "ip6 saddr != 2001:db8::/32",
    "ip6 daddr ::1",
    "iifname \"eth0\"",
    "iifname != \"eth0\"",
    "iifname { \"eth0\", \"eth1\" }",
    "iif \"lo\"",
    "oifname \"eth1\"",
    "iifname \"eth*\"",
    "ct state new",
    "ct state established,related",
    "ct state != new",
    "ct state invalid",
    "limit rate 10/second",
    "meta mark 0x1",
    "icmp type echo-request",
];

const VERDICTS: &[&str] = &[
    "accept",
    "drop",
    "reject",
    "queue",
    "counter",
    "counter accept",
    "log",
    "jump sub",
    "goto sub",
];

/// A rule: up to three matches and a verdict, or a verdict map.
fn rule(in_sub: bool) -> impl Strategy<Value = String> {
    let verdicts: Vec<&'static str> = if in_sub {
        // The regular chain may return but not jump (no loops).
        ["accept", "drop", "return", "counter", "reject"].to_vec()
    } else {
        VERDICTS.to_vec()
    };
    let plain = (
        prop::collection::vec(prop::sample::select(MATCHES), 0..=3),
        prop::sample::select(verdicts),
    )
        .prop_map(|(matches, verdict)| {
            let mut text = matches.join(" ");
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(verdict);
            text
        });
    let maps = prop::sample::select(vec![
        "tcp dport vmap { 22 : accept, 80 : drop }",
        "tcp dport vmap { 1-1024 : drop, 8080 : accept }",
        "ip saddr vmap { 10.0.0.0/8 : accept, 192.168.0.0/16 : drop }",
        "meta l4proto vmap { tcp : accept, udp : drop }",
    ])
    .prop_map(str::to_string);
    // In the regular chain, returns that may or may not happen: a jump to it must not be
    // taken as deciding what such a rule may hand back.
    let maybe_returns = prop::sample::select(if in_sub {
        vec![
            "limit rate 10/second return",
            "meta mark 0x1 return",
            "tcp dport 22 meta mark 0x1 return",
        ]
    } else {
        vec!["tcp dport 22 limit rate 10/second accept"]
    })
    .prop_map(str::to_string);
    prop_oneof![8 => plain, 1 => maps, 1 => maybe_returns]
}

/// Rules, some written again later (a policy compiler in mixed mode writes each twice).
fn rules(in_sub: bool, max: usize) -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec(rule(in_sub), 0..max),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..3,
        ),
    )
        .prop_map(|(mut rules, repeats)| {
            for (from, to) in repeats {
                if rules.is_empty() {
                    break;
                }
                let copy = rules[from.index(rules.len())].clone();
                let at = to.index(rules.len() + 1);
                rules.insert(at, copy);
            }
            rules
        })
}

fn ruleset() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["inet", "ip", "ip6"]),
        prop::sample::select(vec!["accept", "drop"]),
        rules(false, 12),
        rules(true, 5),
    )
        .prop_map(|(family, policy, input, sub)| {
            let mut text = format!(
                "table {family} t {{\n\tchain input {{\n\t\ttype filter hook input priority 0; policy {policy};\n"
            );
            for r in &input {
                text.push_str(&format!("\t\t{r}\n"));
            }
            text.push_str("\t}\n\tchain sub {\n");
            for r in &sub {
                text.push_str(&format!("\t\t{r}\n"));
            }
            text.push_str("\t}\n}\n");
            text
        })
}

/// The refusals a file's reading reported, as the lint run passes them to the analysis.
fn refusals(diagnostics: &[portlint::diagnostic::Diagnostic]) -> Refused {
    Refused::new(
        diagnostics
            .iter()
            .filter(|d| ["PL001", "PL002", "PL003", "PL005"].contains(&d.rule.code))
            .map(|d| d.span)
            .collect(),
    )
}

static TOTALS: Mutex<Option<simulator::Stats>> = Mutex::new(None);

const CASES: u32 = 2_000;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn findings_hold_in_the_simulator(text in ruleset()) {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        let (model, diagnostics) = portlint::frontend::nft::read(FileId(0), &text, &resolver);
        let disagreements = portlint::analysis::chains::footprint_disagreements(&model);
        prop_assert!(disagreements.is_empty(), "{}\n{text}", disagreements.join("\n"));
        // A long chain's fall-through is made from widened boxes: it must hold only packets
        // the exact one holds.
        let (_, escapes) = portlint::analysis::chains::widened_fall_through_escapes(
            &model,
            &refusals(&diagnostics),
        );
        prop_assert!(escapes.is_empty(), "{}\n{text}", escapes.join("\n"));
        let packets = simulator::packets(&model, 300, text.len() as u64);
        let stats = simulator::check(&model, &refusals(&diagnostics), &packets, &[1, 2, 3])
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
        let mut sum = totals.unwrap_or_default();
        sum.add(stats);
        *totals = Some(sum);
    }
}

/// Runs after the property (tests of one binary share the process; the property runs first by
/// name order only if the harness runs them in order, so this checks its own sample too).
#[test]
fn the_property_is_not_vacuous() {
    // A sample of its own, so that it does not depend on the order the harness runs tests in.
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let mut sum = simulator::Stats::default();
    let mut widened_nonempty = 0;
    let strategy = ruleset();
    for _ in 0..200 {
        let text = strategy.new_tree(&mut runner).expect("a ruleset").current();
        let (model, diagnostics) = portlint::frontend::nft::read(FileId(0), &text, &resolver);
        widened_nonempty += portlint::analysis::chains::widened_fall_through_escapes(
            &model,
            &refusals(&diagnostics),
        )
        .0;
        let packets = simulator::packets(&model, 300, text.len() as u64);
        if let Ok(stats) = simulator::check(&model, &refusals(&diagnostics), &packets, &[1, 2, 3]) {
            sum.add(stats);
        }
    }
    let share = sum.unflagged_matched as f64 / sum.unflagged.max(1) as f64;
    eprintln!(
        "200 generated rulesets: {} PL201, {} PL202, {} PL203, {} PL205 findings checked; {} of {} rules without a finding ({:.1}%) matched by a simulated packet",
        sum.shadowed,
        sum.redundant,
        sum.unreachable,
        sum.contradictory,
        sum.unflagged_matched,
        sum.unflagged,
        share * 100.0
    );
    if let Some(totals) = *TOTALS.lock().unwrap_or_else(|e| e.into_inner()) {
        eprintln!(
            "property run so far: {} findings checked over {} packets per ruleset",
            totals.findings(),
            totals.packets
        );
    }
    eprintln!("{widened_nonempty} chains with a widened fall-through that holds a packet");
    assert!(
        widened_nonempty > 20,
        "too few widened fall-throughs hold a packet to compare: {widened_nonempty}"
    );
    assert!(
        sum.shadowed > 20,
        "too few PL201 findings to check: {sum:?}"
    );
    assert!(
        sum.redundant > 20,
        "too few PL202 findings to check: {sum:?}"
    );
    assert!(
        sum.unreachable > 20,
        "too few PL203 findings to check: {sum:?}"
    );
    assert!(
        sum.contradictory > 20,
        "too few PL205 findings to check: {sum:?}"
    );
    assert!(share > 0.6, "the packets miss the rules: {sum:?}");
}
