//! PL205 contradictory-match: a rule whose matches no packet can satisfy together.
use crate::analysis::chains::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::{Family, Ruleset};

super::rule_info!(
    "PL205",
    "contradictory-match",
    Warning,
    "the rule can match no packet at all: two of its matches contradict each other"
);

fn family_word(family: Family) -> &'static str {
    match family {
        Family::Ip => "ip",
        Family::Ip6 => "ip6",
        Family::Inet => "inet",
        Family::Arp => "arp",
        Family::Bridge => "bridge",
        Family::Netdev => "netdev",
    }
}

pub fn check(ruleset: &Ruleset, analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    for (chain, table, model) in analysis.with_models(ruleset) {
        for c in &chain.contradictions {
            let Some(rule) = model.rules.get(c.rule) else {
                continue;
            };
            let second = rule.matches.get(c.second).map(|m| m.span());
            let first = c.first.and_then(|i| rule.matches.get(i)).map(|m| m.span());
            let d = match (first, second) {
                (Some(first), Some(second)) => Diagnostic::new(
                    &RULE,
                    second,
                    "this rule can match no packet: this match contradicts an earlier one",
                )
                .with_span_label("no packet matches both")
                .with_label(first, "contradicted by this match"),
                (None, Some(second)) if c.second == 0 || c.family_alone => Diagnostic::new(
                    &RULE,
                    second,
                    format!(
                        "this rule can match no packet: no packet of a table of family {} matches this",
                        family_word(table.family)
                    ),
                )
                .with_span_label("never true here"),
                (None, Some(second)) => Diagnostic::new(
                    &RULE,
                    second,
                    "this rule can match no packet: this match contradicts the matches before it",
                )
                .with_span_label("no packet matches this and the matches before it")
                .with_label(rule.span, "in this rule"),
                (_, None) => Diagnostic::new(&RULE, rule.span, "this rule can match no packet"),
            };
            out.push(d.with_help(
                "a rule matches only packets that pass every one of its matches: fix the value that is wrong, or split the rule in two if either was meant",
            ));
        }
    }
}
