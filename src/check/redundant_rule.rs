//! PL202 redundant-rule: earlier rules decide every packet of this rule as it would.
use super::rule_flow::covering_labels;
use crate::analysis::chains::Analysis;
use crate::analysis::sweep::Finding;
use crate::diagnostic::Diagnostic;
use crate::model::Ruleset;

super::rule_info!(
    "PL202",
    "redundant-rule",
    Warning,
    "earlier rules match every packet of this rule with the same verdict: removing it changes nothing"
);

pub fn check(ruleset: &Ruleset, analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    super::rule_flow::for_each_covered(ruleset, analysis, |flow| {
        let Finding::Redundant { covering, .. } = flow.finding else {
            return;
        };
        let message = format!(
            "this rule is redundant: every packet it could match is already matched by {}, so removing it changes nothing",
            super::rule_flow::covering_text(&flow, covering)
        );
        let d = Diagnostic::new(&RULE, flow.rule.span, message)
            .with_span_label("redundant")
            .with_help(
                "delete the rule (a policy compiler writing every rule twice is the usual cause)",
            );
        out.push(covering_labels(d, &flow, covering, true));
    });
}
