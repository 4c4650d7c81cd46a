//! PL203 unreachable-rule: an earlier rule decides every packet that reaches it, so no packet
//! reaches this one.
use crate::analysis::chains::Analysis;
use crate::analysis::sweep::Finding;
use crate::diagnostic::Diagnostic;
use crate::model::Ruleset;

super::rule_info!(
    "PL203",
    "unreachable-rule",
    Warning,
    "an earlier rule decides every packet that reaches it, so no packet reaches this rule"
);

pub fn check(ruleset: &Ruleset, analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    super::rule_flow::for_each_covered(ruleset, analysis, |flow| {
        let Finding::Unreachable { after, .. } = flow.finding else {
            return;
        };
        let Some(earlier) = flow.chain.rules.get(*after) else {
            return;
        };
        let verb = flow.decision_of(*after).map_or_else(
            || "decides".to_string(),
            |d| super::rule_flow::decision_verb(&d),
        );
        out.push(
            Diagnostic::new(
                &RULE,
                flow.rule.span,
                "this rule is unreachable: no packet gets past an earlier rule of the chain",
            )
            .with_span_label("unreachable")
            .with_label(
                earlier.span,
                format!("{verb} every packet that gets this far"),
            )
            .with_help("move the rule above the one labelled, or delete it; a catch-all rule belongs at the end of its chain"),
        );
    });
}
