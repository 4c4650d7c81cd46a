//! Differential test of the two nft front ends: every upstream dump `X.nft` that has an
//! `X.json-nft` twin (`nft -j list ruleset` of the same ruleset) must lower to the same model,
//! compared through a normalised projection — tables, chains (name, hook, policy), and per rule
//! in order: its layer-4 protocol matches, its port matches (direction, op, protocols, sorted
//! elements), its verdict, its NAT statements (kind, ports) — and must get the same findings
//! (code and the characters they point at).
//!
//! Skipped with a message when ../shared is absent. On failure it lists every file and rule that
//! differs, with a hint at the construct behind it (concatenation, verdict map, …), so that the
//! front end that lags can be completed.

mod common;

use portlint::check::{self, Context};
use portlint::frontend::resolve::Resolver;
use portlint::model::*;
use portlint::registry::Registry;
use portlint::source::Sources;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn dumps_root() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/nft/tests/shell/testcases");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus is absent (it comes with the portlint workspace)");
        None
    }
}

/// Every `dumps/*.json-nft` under `root`, sorted.
fn json_dumps(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json-nft")
                && path.parent().is_some_and(|p| p.ends_with("dumps"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every `dumps/X.nft` with a `dumps/X.json-nft` twin, sorted.
fn pairs(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    json_dumps(root)
        .into_iter()
        .map(|json| (json.with_extension("nft"), json))
        .filter(|(text, _)| text.is_file())
        .collect()
}

/// What the comparison looks at in one rule.
#[derive(Debug, PartialEq, Eq)]
struct RuleView {
    l4: Vec<String>,
    ports: Vec<String>,
    /// Addresses, interfaces and conntrack states, in order.
    dims: Vec<String>,
    verdict: String,
    nat: Vec<String>,
}

/// A ruleset seen through the projection: chains by (family, table, chain).
#[derive(Debug, Default)]
struct View {
    tables: Vec<String>,
    chains: BTreeMap<String, (String, Vec<RuleView>)>,
    /// Findings as `CODE "text"`, sorted.
    findings: Vec<String>,
}

fn protos(p: ProtoSet) -> String {
    if p.is_any() {
        return "any".to_string();
    }
    p.iter().map(L4::as_str).collect::<Vec<_>>().join("/")
}

fn elements(set: &PortSet) -> String {
    let mut pairs: Vec<(u16, u16)> = set.elements.iter().map(|e| (e.lo, e.hi)).collect();
    pairs.sort();
    common::show_intervals(&pairs)
}

fn rule_view(rule: &Rule) -> RuleView {
    let mut view = RuleView {
        l4: Vec::new(),
        ports: Vec::new(),
        dims: Vec::new(),
        verdict: match &rule.verdict {
            Some((v, _)) => format!("{v:?}"),
            None => "-".to_string(),
        },
        nat: Vec::new(),
    };
    for m in &rule.matches {
        match m {
            Match::L4Proto { protos: p, .. } => view.l4.push(protos(*p)),
            Match::Ports {
                direction,
                op,
                protos: p,
                ports,
                ..
            } => view.ports.push(format!(
                "{} {direction:?} {op:?} {}",
                protos(*p),
                elements(ports)
            )),
            Match::Family { family, .. } => view.l4.push(format!("{family:?}")),
            Match::Addresses {
                direction,
                negated,
                set,
                ..
            } => {
                let mut ranges: Vec<String> = set
                    .ranges
                    .iter()
                    .map(|r| format!("{}:{:x}-{:x}", r.v6, r.lo, r.hi))
                    .collect();
                ranges.sort();
                view.dims.push(format!(
                    "addr {direction:?} !{negated} {}",
                    ranges.join(",")
                ));
            }
            Match::Interface {
                direction,
                negated,
                names,
                ..
            } => {
                let mut names: Vec<String> = names
                    .iter()
                    .map(|n| format!("{}{}", n.name, if n.wildcard { "*" } else { "" }))
                    .collect();
                names.sort();
                view.dims.push(format!(
                    "iface {direction:?} !{negated} {}",
                    names.join(",")
                ));
            }
            Match::CtState { states, .. } => view.dims.push(format!("ct {:05b}", states.0)),
            Match::Opaque { .. } => {}
        }
    }
    // Protocol matches intersect: how often one is written does not matter.
    view.l4.sort();
    view.l4.dedup();
    for nat in &rule.nat {
        let ports = nat.ports.as_ref().map_or("-".to_string(), elements);
        view.nat.push(format!("{:?} {ports}", nat.kind));
    }
    view
}

fn view(ruleset: &Ruleset, diagnostics: &[portlint::diagnostic::Diagnostic], text: &str) -> View {
    let mut v = View::default();
    for table in &ruleset.tables {
        let family = format!("{:?}", table.family).to_ascii_lowercase();
        v.tables.push(format!("{family} {}", table.name));
        for chain in &table.chains {
            let base = match &chain.base {
                Some(b) => format!("hook {:?} policy {:?}", b.hook, b.policy),
                None => "regular".to_string(),
            };
            let rules = chain.rules.iter().map(rule_view).collect();
            v.chains.insert(
                format!("{family} {} {}", table.name, chain.name),
                (base, rules),
            );
        }
    }
    v.tables.sort();
    // PL207 (unused definitions) is reported by the text front end only: a dump's sets and
    // chains are compared above, through the rules that use them.
    v.findings = diagnostics
        .iter()
        .filter(|d| d.rule.code != "PL207")
        .map(|d| {
            let message = d.message.text();
            // What is not analysed is said of a statement, which the two forms spell apart
            // (`flow add @f` / `{"flow": {"op": "add", …}}`): compared by what it names.
            if message.contains("is read but not analysed") {
                return format!("{} {message}", d.rule.code);
            }
            // The chain analyses point at whole rules and matches, which the two forms spell
            // apart: compared by rule and message.
            if ["PL201", "PL202", "PL203", "PL205", "PL206"].contains(&d.rule.code) {
                return format!("{} {message}", d.rule.code);
            }
            let quoted = text.get(d.span.range()).unwrap_or("?");
            format!("{} {:?}", d.rule.code, quoted.trim_matches('"'))
        })
        .collect();
    v.findings.sort();
    v
}

/// Lower a file with one front end, run the checks, and project.
fn lower(path: &Path, json: bool, registry: &Registry) -> (View, Ruleset, String) {
    let text = std::fs::read_to_string(path).expect("readable dump");
    let resolver = Resolver::new(registry);
    let mut sources = Sources::default();
    let file = sources.add(path.display().to_string(), text.clone());
    let (ruleset, mut diagnostics) = if json {
        portlint::frontend::nft::json::read(file, &text, &resolver)
    } else {
        portlint::frontend::nft::read(file, &text, &resolver)
    };
    check::run(
        &Context {
            registry,
            ruleset: &ruleset,
        },
        &mut diagnostics,
    );
    (view(&ruleset, &diagnostics, &text), ruleset, text)
}

/// What in a JSON rule explains a difference: the constructs the text front end models less.
fn hints(json_text: &str, rule: Option<&Rule>) -> String {
    let Some(rule) = rule else {
        return String::new();
    };
    let written = json_text.get(rule.span.range()).unwrap_or("");
    let mut found = Vec::new();
    for (needle, hint) in [
        ("\"concat\"", "concatenation"),
        ("\"vmap\"", "verdict map"),
        ("\"map\"", "map"),
        ("\"proto-dst\"", "ct proto-dst"),
        ("\"proto-src\"", "ct proto-src"),
        ("\"tproxy\"", "tproxy"),
        ("\"@", "named set"),
        ("\"range\"", "range"),
    ] {
        if written.contains(needle) {
            found.push(hint);
        }
    }
    if found.is_empty() {
        String::new()
    } else {
        format!(" [{}]", found.join(", "))
    }
}

/// The differences between the two views of one file, one line each.
fn differences(text: &View, json: &View, json_ruleset: &Ruleset, json_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if text.tables != json.tables {
        out.push(format!(
            "tables: text {:?} / json {:?}",
            text.tables, json.tables
        ));
    }
    let json_rule = |chain: &str, index: usize| -> Option<&Rule> {
        json_ruleset
            .chains()
            .find(|(t, c)| {
                let family = format!("{:?}", t.family).to_ascii_lowercase();
                format!("{family} {} {}", t.name, c.name) == chain
            })
            .and_then(|(_, c)| c.rules.get(index))
    };
    let names: std::collections::BTreeSet<&String> =
        text.chains.keys().chain(json.chains.keys()).collect();
    for name in names {
        let (Some((text_base, text_rules)), Some((json_base, json_rules))) =
            (text.chains.get(name), json.chains.get(name))
        else {
            out.push(format!(
                "chain {name}: only in {}",
                if text.chains.contains_key(name) {
                    "text"
                } else {
                    "json"
                }
            ));
            continue;
        };
        if text_base != json_base {
            out.push(format!("chain {name}: text {text_base} / json {json_base}"));
        }
        if text_rules.len() != json_rules.len() {
            out.push(format!(
                "chain {name}: text has {} rules, json {}",
                text_rules.len(),
                json_rules.len()
            ));
            continue;
        }
        for (index, (t, j)) in text_rules.iter().zip(json_rules).enumerate() {
            if t != j {
                let hint = hints(json_text, json_rule(name, index));
                let mut line = format!("chain {name} rule {}{hint}:", index + 1);
                for (what, a, b) in [
                    ("l4", format!("{:?}", t.l4), format!("{:?}", j.l4)),
                    ("ports", format!("{:?}", t.ports), format!("{:?}", j.ports)),
                    ("dims", format!("{:?}", t.dims), format!("{:?}", j.dims)),
                    ("verdict", t.verdict.clone(), j.verdict.clone()),
                    ("nat", format!("{:?}", t.nat), format!("{:?}", j.nat)),
                ] {
                    if a != b {
                        let _ = write!(line, "\n        {what}: text {a} / json {b}");
                    }
                }
                out.push(line);
            }
        }
    }
    if text.findings != json.findings {
        out.push(format!(
            "findings: text {:?} / json {:?}",
            text.findings, json.findings
        ));
    }
    out
}

/// How many differing rules each construct is behind, from the hints in `report`.
fn summary(report: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in report
        .lines()
        .filter(|l| l.trim_start().starts_with("chain "))
    {
        let hint = line
            .split_once(" [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map_or("no hint", |(hint, _)| hint);
        *counts.entry(hint).or_default() += 1;
    }
    let lines: Vec<String> = counts
        .iter()
        .map(|(hint, n)| format!("    {n:3} rules with: {hint}"))
        .collect();
    format!(
        "Differing rules by construct in the JSON rule:\n{}",
        lines.join("\n")
    )
}

#[test]
fn text_and_json_dumps_lower_alike() {
    let Some(root) = dumps_root() else {
        return;
    };
    let registry = Registry::embedded();
    let pairs = pairs(&root);
    assert!(pairs.len() >= 300, "only {} pairs found", pairs.len());
    let mut report = String::new();
    let mut differing = 0;
    for (text_path, json_path) in &pairs {
        let (text_view, _, _) = lower(text_path, false, &registry);
        let (json_view, json_ruleset, json_text) = lower(json_path, true, &registry);
        let diffs = differences(&text_view, &json_view, &json_ruleset, &json_text);
        if !diffs.is_empty() {
            differing += 1;
            let shown = json_path.strip_prefix(&root).unwrap_or(json_path);
            let _ = writeln!(report, "{}:", shown.display());
            for d in diffs {
                let _ = writeln!(report, "    {d}");
            }
        }
    }
    eprintln!(
        "{} pairs compared, {} match, {differing} differ",
        pairs.len(),
        pairs.len() - differing
    );
    assert!(
        differing == 0,
        "{differing} of {} text/JSON pairs lower differently.\n{}\n{report}",
        pairs.len(),
        summary(&report)
    );
}

/// Every `*.json-nft` dump is valid nft JSON: linted as users run portlint (the format found by
/// its content), none gets a syntax error.
#[test]
fn every_json_dump_lints_without_syntax_errors() {
    let Some(root) = dumps_root() else {
        return;
    };
    let files: Vec<String> = json_dumps(&root)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert!(files.len() >= 300, "only {} JSON dumps found", files.len());
    let outcome = portlint::lint::lint(
        &files,
        &Registry::embedded(),
        &portlint::lint::RuleFilter::default(),
    );
    assert!(outcome.path_errors.is_empty(), "{:?}", outcome.path_errors);
    assert_eq!(outcome.sources.len(), files.len());
    let failures: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "PL001")
        .map(|d| {
            let file = outcome.sources.get(d.span.file);
            let at = file.line_col(d.span.start as usize);
            format!("{}:{}:{}: {}", file.path, at.line, at.column, d.message)
        })
        .collect();
    eprintln!("{} JSON dumps linted", files.len());
    assert!(
        failures.is_empty(),
        "PL001 on valid nft JSON:\n{}",
        failures.join("\n")
    );
}
