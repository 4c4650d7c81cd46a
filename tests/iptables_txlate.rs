//! Differential test of the two front ends that read the same rule in two languages: every
//! `iptables-translate` / `ip6tables-translate` pair of upstream iptables' `extensions/*.txlate`
//! (an iptables command and the nft commands it translates to) must lower to the same model,
//! compared rule by rule (in order across chains) through a normalised projection — the layer-4
//! protocols the rule narrows to, its port matches (direction, op, the protocols they apply to
//! within the rule, sorted intervals), its verdict, its NAT statements (kind, ports) and its
//! typed address, interface and conntrack-state matches (`-s`, `-m iprange`, `-i`, `--ctstate`
//! against `ip saddr`, `iifname`, `ct state`).
//!
//! The iptables side is the command run as a script line (`iptables-translate -A …` becomes
//! `iptables -A …`); the nft side is the text inside the quotes of the pair's `nft '…'` lines,
//! read together as one nft file. Only what is the same packet for packet is normalised: a port
//! match over 0-65535 is no condition (`--sport 0:65535` is translated to `meta l4proto tcp`);
//! a TPROXY port 0 is the packet's own port (`--on-port 0` may be translated to no port); and
//! every address (`-s 0.0.0.0/0`) or every interface (`-i +`) is no condition either, and
//! `! -i +` is the name with a `/` nft writes for it: no interface.
//!
//! A pair is skipped, and counted with its reason, when either side gets PL001/PL002, when the
//! two sides lower to different numbers of rules, or when the only difference is what an opaque
//! match of one side holds and the other side models: the iptables options listed in
//! [`OPAQUE_IN_IPTABLES`], and `-m multiport --ports` against the nft concatenation it is
//! translated to. A pair is never skipped merely because the two sides disagree.
//!
//! Skipped with a message when ../shared is absent. Set PORTLINT_TXLATE_VERBOSE=1 to print every
//! pair with both summaries.

mod common;

use portlint::frontend::iptables::{self, Format};
use portlint::frontend::resolve::Resolver;
use portlint::model::*;
use portlint::registry::Registry;
use portlint::source::FileId;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn txlate_root() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/iptables/extensions");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus is absent (it comes with the portlint workspace)");
        None
    }
}

/// One translation pair: the command line and the nft commands it translates to.
struct Pair {
    /// `file:line` of the command line.
    at: String,
    command: String,
    nft: Vec<String>,
}

/// The text an `nft` line runs: inside its single or double quotes, or the rest of the line.
fn nft_command(line: &str) -> Option<String> {
    let rest = line.strip_prefix("nft ")?.trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = rest.strip_prefix(quote) {
            let inner = inner.strip_suffix(quote).unwrap_or(inner);
            return Some(inner.to_string());
        }
    }
    Some(rest.to_string())
}

/// The pairs of one `.txlate` file: a command line, its `nft` lines, a blank line.
fn pairs_of(name: &str, text: &str) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            open = false;
        } else if line.starts_with('#') {
            continue;
        } else if let Some(command) = nft_command(line) {
            if let (true, Some(pair)) = (open, pairs.last_mut()) {
                pair.nft.push(command);
            }
        } else {
            pairs.push(Pair {
                at: format!("{name}:{}", index + 1),
                command: line.to_string(),
                nft: Vec::new(),
            });
            open = true;
        }
    }
    pairs
}

/// Every pair of every `*.txlate` file, in file order.
fn all_pairs(root: &Path) -> Vec<Pair> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("readable extensions directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txlate"))
        .collect();
    files.sort();
    let mut pairs = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable .txlate file");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        pairs.extend(pairs_of(&name, &text));
    }
    pairs
}

/// What the comparison looks at in one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RuleView {
    /// The layer-4 protocols the rule narrows to.
    l4: String,
    /// `direction op protocols {intervals}`, sorted: the matches are a conjunction.
    ports: Vec<String>,
    verdict: String,
    /// `kind {intervals}`, in order.
    nat: Vec<String>,
    /// The typed address, interface and conntrack matches, `direction negated values`, sorted.
    typed: Vec<String>,
}

impl std::fmt::Display for RuleView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "l4 {} ports {:?} verdict {} nat {:?} typed {:?}",
            self.l4, self.ports, self.verdict, self.nat, self.typed
        )
    }
}

fn protos(p: ProtoSet) -> String {
    if p.is_any() {
        return "any".to_string();
    }
    if p.is_empty() {
        return "none".to_string();
    }
    p.iter().map(L4::as_str).collect::<Vec<_>>().join("/")
}

fn intervals(set: &PortSet) -> Vec<(u16, u16)> {
    let mut pairs: Vec<(u16, u16)> = set.elements.iter().map(|e| (e.lo, e.hi)).collect();
    pairs.sort();
    pairs
}

fn elements(pairs: &[(u16, u16)]) -> String {
    common::show_intervals(pairs)
}

fn verdict(rule: &Rule) -> String {
    match &rule.verdict {
        None => "none".to_string(),
        Some((v, _)) => match v {
            Verdict::Accept => "accept".to_string(),
            Verdict::Drop => "drop".to_string(),
            Verdict::Reject => "reject".to_string(),
            Verdict::Queue => "queue".to_string(),
            Verdict::Return => "return".to_string(),
            Verdict::Continue => "continue".to_string(),
            Verdict::Jump(name) => format!("jump {name}"),
            Verdict::Goto(name) => format!("goto {name}"),
        },
    }
}

fn rule_view(rule: &Rule) -> RuleView {
    let mut ports = Vec::new();
    for m in &rule.matches {
        if let Match::Ports {
            direction,
            op,
            protos: p,
            ports: set,
            ..
        } = m
        {
            let pairs = intervals(set);
            // `--sport 0:65535` and `meta l4proto tcp`: a match on every port of the rule's
            // protocols is no condition at all (the protocol itself is kept in `l4`).
            if *op == PortOp::Eq && pairs.first() == Some(&(0, 65535)) {
                continue;
            }
            ports.push(format!(
                "{direction:?} {op:?} {} {}",
                protos(rule.protocols_of(*p)),
                elements(&pairs)
            ));
        }
    }
    ports.sort();
    let nat = rule
        .nat
        .iter()
        .map(|n| {
            let ports = n
                .ports
                .as_ref()
                .map_or("-".to_string(), |p| elements(&intervals(p)));
            // A TPROXY port of 0 is the packet's own destination port, in xt_TPROXY and in
            // nft_tproxy alike: iptables-translate writes `--on-ip A --on-port 0` as `tproxy to A`.
            let ports = if n.kind == NatKind::Tproxy && ports == "{0}" {
                "-".to_string()
            } else {
                ports
            };
            format!("{:?} {ports}", n.kind)
        })
        .collect();
    RuleView {
        l4: protos(rule.l4_protocols()),
        ports,
        verdict: verdict(rule),
        nat,
        typed: typed_matches(rule),
    }
}

/// The rule's address, interface and conntrack-state matches, each as one line: what the two
/// tools' readers must agree on where both model them.
fn typed_matches(rule: &Rule) -> Vec<String> {
    let mut out: Vec<String> = rule
        .matches
        .iter()
        .filter_map(|m| match m {
            Match::Addresses {
                direction,
                negated,
                set,
                ..
            } => {
                // `-s 0.0.0.0/0`, which nft writes as no match: every address is no condition.
                let every = |r: &AddressRange| {
                    r.lo == 0
                        && r.hi
                            == if r.v6 {
                                u128::MAX
                            } else {
                                u128::from(u32::MAX)
                            }
                };
                if !negated && set.ranges.iter().any(every) {
                    return None;
                }
                let mut ranges: Vec<String> = set
                    .ranges
                    .iter()
                    .map(|r| format!("{}{:x}-{:x}", if r.v6 { "v6:" } else { "" }, r.lo, r.hi))
                    .collect();
                ranges.sort();
                Some(format!("address {direction:?} !{negated} {ranges:?}"))
            }
            Match::Interface {
                direction,
                negated,
                names,
                ..
            } => {
                // `-i +`, which nft writes as no match: every interface is no condition.
                let every = names.iter().any(|n| n.wildcard && n.name.is_empty());
                if every && !negated {
                    return None;
                }
                // `! -i +`, which nft writes as a name no interface can have (a `/` in it):
                // no interface.
                let impossible = names.iter().all(|n| !n.wildcard && n.name.contains('/'));
                if (every && *negated) || (impossible && !negated) {
                    return Some(format!("interface {direction:?} none"));
                }
                let mut names: Vec<String> = names
                    .iter()
                    .map(|n| format!("{}{}", n.name, if n.wildcard { "*" } else { "" }))
                    .collect();
                names.sort();
                Some(format!("interface {direction:?} !{negated} {names:?}"))
            }
            Match::CtState { states, .. } => Some(format!("ct state {:05b}", states.0)),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// One side of a pair, lowered.
struct Side {
    ruleset: Ruleset,
    /// The text that was read (the rules' spans point into it).
    text: String,
    /// Codes of the findings, in order.
    codes: Vec<&'static str>,
}

impl Side {
    fn rules(&self) -> Vec<&Rule> {
        self.ruleset
            .chains()
            .flat_map(|(_, c)| c.rules.iter())
            .collect()
    }

    fn refused(&self) -> Option<&'static str> {
        self.codes
            .iter()
            .copied()
            .find(|c| *c == "PL001" || *c == "PL002")
    }

    /// The opaque matches of `rule`, as written.
    fn opaque(&self, rule: &Rule) -> Vec<String> {
        rule.matches
            .iter()
            .filter_map(|m| match m {
                Match::Opaque { span } => {
                    Some(self.text.get(span.range()).unwrap_or("?").to_string())
                }
                _ => None,
            })
            .collect()
    }
}

fn read_iptables(command: &str, resolver: &Resolver) -> Side {
    let program = if command.starts_with("ip6tables-translate ") {
        "ip6tables"
    } else {
        "iptables"
    };
    let rest = command.split_once(' ').map_or("", |(_, rest)| rest);
    let text = format!("{program} {rest}\n");
    let (ruleset, diagnostics) = iptables::read(FileId(0), &text, resolver, Format::Script, None);
    Side {
        ruleset,
        codes: diagnostics.iter().map(|d| d.rule.code).collect(),
        text,
    }
}

fn read_nft(commands: &[String], resolver: &Resolver) -> Side {
    let mut text = commands.join("\n");
    text.push('\n');
    let (ruleset, diagnostics) = portlint::frontend::nft::read(FileId(0), &text, resolver);
    Side {
        ruleset,
        codes: diagnostics.iter().map(|d| d.rule.code).collect(),
        text,
    }
}

/// Whether `extra` says everything `base` says and more: its protocols are a subset and its port
/// matches a superset, with the same verdict and NAT.
fn narrower(extra: &RuleView, base: &RuleView) -> bool {
    let l4_within = extra.l4 == base.l4
        || base.l4 == "any"
        || extra
            .l4
            .split('/')
            .all(|p| base.l4.split('/').any(|q| q == p));
    let mut remaining = extra.ports.clone();
    let ports_within = base
        .ports
        .iter()
        .all(|p| match remaining.iter().position(|q| q == p) {
            Some(i) => {
                remaining.remove(i);
                true
            }
            None => false,
        });
    // A typed match of the base the other lacks is not narrower.
    let typed_within = base.typed.iter().all(|t| extra.typed.contains(t));
    l4_within
        && ports_within
        && typed_within
        && extra.verdict == base.verdict
        && extra.nat == base.nat
        && extra != base
}

/// What the nft translation of an option says that the nft front end models.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Modelled {
    /// The translation matches a TCP header field (`tcp option maxseg size 42`, `tcp flags cwr`):
    /// the rule narrows to TCP.
    Tcp,
    /// The translation is a conntrack port (`ct original proto-src 443-444`): a port match.
    Ports,
}

/// Options that the iptables front end leaves opaque and whose nft translation the nft front end
/// models, with what it models. Only these explain a difference; any other is a disagreement.
const OPAQUE_IN_IPTABLES: &[(&str, Modelled)] = &[
    ("--mss", Modelled::Tcp),
    ("--ecn-tcp-ece", Modelled::Tcp),
    ("--ecn-tcp-cwr", Modelled::Tcp),
    ("--ctorigsrcport", Modelled::Ports),
    ("--ctorigdstport", Modelled::Ports),
    ("--ctreplsrcport", Modelled::Ports),
    ("--ctrepldstport", Modelled::Ports),
];

/// Whether the nft rule differs from the iptables rule only by conditions that an opaque match
/// of the iptables rule holds (per [`OPAQUE_IN_IPTABLES`]).
fn opaque_in_iptables(ipt: &RuleView, nft: &RuleView, opaque: &[String]) -> bool {
    let modelled: Vec<Modelled> = opaque
        .iter()
        .filter_map(|written| {
            let option = written.trim_start_matches("! ").split_whitespace().next()?;
            OPAQUE_IN_IPTABLES
                .iter()
                .find(|(name, _)| *name == option)
                .map(|(_, what)| *what)
        })
        .collect();
    narrower(nft, ipt)
        && (nft.l4 == ipt.l4 || (modelled.contains(&Modelled::Tcp) && nft.l4 == "tcp"))
        && (nft.ports == ipt.ports || modelled.contains(&Modelled::Ports))
}

/// Whether the rules differ only by `-m multiport --ports` (source or destination port), which
/// nft writes as a concatenation `tcp sport . tcp dport { 0-65535 . 10, 10 . 0-65535 }`: the nft
/// front end models a concatenation by the projection of each port component, which for this
/// one is every port.
fn either_port_as_concatenation(
    ipt: &RuleView,
    nft: &RuleView,
    nft_side: &Side,
    rule: &Rule,
) -> bool {
    let concatenation = rule.matches.iter().any(|m| {
        matches!(m, Match::Ports { span, .. }
            if nft_side.text.get(span.range()).is_some_and(|t| t.contains(" . ")))
    });
    let without_either = RuleView {
        ports: ipt
            .ports
            .iter()
            .filter(|p| !p.starts_with("Either "))
            .cloned()
            .collect(),
        ..ipt.clone()
    };
    concatenation && without_either != *ipt && without_either == *nft
}

/// Why a pair is not compared, or `None` when it is.
fn skip_reason(pair: &Pair, ipt: Option<&Side>, nft: Option<&Side>) -> Option<String> {
    let word = pair.command.split_whitespace().next().unwrap_or("");
    match word {
        "iptables-translate" | "ip6tables-translate" => {}
        "ebtables-translate" | "arptables-translate" => {
            return Some(format!("{word} (not read by portlint)"));
        }
        _ => return Some("the command is not an iptables-translate line".to_string()),
    }
    if pair.nft.is_empty() {
        return Some("no nft line".to_string());
    }
    let (ipt, nft) = (ipt?, nft?);
    if let Some(code) = ipt.refused() {
        return Some(format!("{code} on the iptables side"));
    }
    if let Some(code) = nft.refused() {
        return Some(format!("{code} on the nft side"));
    }
    let (ipt_rules, nft_rules) = (ipt.rules(), nft.rules());
    if ipt_rules.is_empty() && nft_rules.is_empty() {
        return Some("no rule on either side".to_string());
    }
    if ipt_rules.len() != nft_rules.len() {
        return Some("different numbers of rules".to_string());
    }
    for (i, n) in ipt_rules.iter().zip(&nft_rules) {
        let (iv, nv) = (rule_view(i), rule_view(n));
        if opaque_in_iptables(&iv, &nv, &ipt.opaque(i)) {
            return Some("opaque on the iptables side, modelled on the nft side".to_string());
        }
        if either_port_as_concatenation(&iv, &nv, nft, n) {
            return Some("multiport --ports against an nft concatenation".to_string());
        }
    }
    None
}

#[test]
fn translations_lower_alike() {
    let Some(root) = txlate_root() else {
        return;
    };
    let verbose = std::env::var_os("PORTLINT_TXLATE_VERBOSE").is_some();
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let pairs = all_pairs(&root);
    let mut compared = 0;
    // Reason → where (`file:line`) each pair skipped for it was.
    let mut skipped: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut report = String::new();
    let mut disagreements = 0;
    for pair in &pairs {
        let translated = matches!(
            pair.command.split_whitespace().next(),
            Some("iptables-translate" | "ip6tables-translate")
        );
        let (ipt, nft) = if translated && !pair.nft.is_empty() {
            (
                Some(read_iptables(&pair.command, &resolver)),
                Some(read_nft(&pair.nft, &resolver)),
            )
        } else {
            (None, None)
        };
        let views = |side: &Option<Side>| -> Vec<RuleView> {
            side.as_ref()
                .map(|s| s.rules().into_iter().map(rule_view).collect())
                .unwrap_or_default()
        };
        let (ipt_views, nft_views) = (views(&ipt), views(&nft));
        let reason = skip_reason(pair, ipt.as_ref(), nft.as_ref());
        if verbose {
            eprintln!("{}: {}", pair.at, pair.command);
            for line in &pair.nft {
                eprintln!("    nft '{line}'");
            }
            for (what, side, views) in [("ipt", &ipt, &ipt_views), ("nft", &nft, &nft_views)] {
                if let Some(side) = side {
                    eprintln!("    {what} codes {:?}", side.codes);
                    for (rule, view) in side.rules().into_iter().zip(views) {
                        eprintln!("    {what} {view} opaque {:?}", side.opaque(rule));
                    }
                }
            }
            eprintln!("    => {}", reason.as_deref().unwrap_or("compared"));
        }
        if let Some(reason) = reason {
            skipped.entry(reason).or_default().push(&pair.at);
            continue;
        }
        compared += 1;
        if ipt_views != nft_views {
            disagreements += 1;
            let _ = writeln!(report, "{}:", pair.at);
            let _ = writeln!(report, "    {}", pair.command);
            for line in &pair.nft {
                let _ = writeln!(report, "    nft '{line}'");
            }
            for (index, (i, n)) in ipt_views.iter().zip(&nft_views).enumerate() {
                if i != n {
                    let _ = writeln!(report, "    rule {}:", index + 1);
                    let _ = writeln!(report, "        iptables: {i}");
                    let _ = writeln!(report, "        nft:      {n}");
                }
            }
        }
    }
    eprintln!("{} pairs read, {compared} compared", pairs.len());
    for (reason, at) in &skipped {
        eprintln!("    {:3} skipped: {reason}", at.len());
        if !reason.contains("not read by portlint") {
            for at in at {
                eprintln!("            {at}");
            }
        }
    }
    eprintln!("{disagreements} disagreements");
    // Measured: 364 of the 451 pairs are compared (iptables 1.8.x extensions, 85 files; 72
    // pairs are ebtables/arptables).
    assert!(
        compared >= 350,
        "only {compared} pairs compared (364 were measured)"
    );
    assert!(
        disagreements == 0,
        "{disagreements} of {compared} compared pairs lower differently:\n{report}"
    );
}
