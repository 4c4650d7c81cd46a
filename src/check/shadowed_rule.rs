//! PL201 shadowed-rule: earlier rules decide every packet of this rule, at least one of them
//! differently. The sweep (`analysis/sweep.rs`) finds it; this says it.
use super::rule_flow::covering_labels;
use crate::analysis::chains::Analysis;
use crate::analysis::sweep::Finding;
use crate::diagnostic::Diagnostic;
use crate::model::Ruleset;

super::rule_info!(
    "PL201",
    "shadowed-rule",
    Warning,
    "earlier rules (one or several together) match every packet of this rule, with another verdict"
);

pub fn check(ruleset: &Ruleset, analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    super::rule_flow::for_each_covered(ruleset, analysis, |flow| {
        let Finding::Shadowed { covering, .. } = flow.finding else {
            return;
        };
        let message = format!(
            "this rule never matches: every packet it could match is matched first by {}",
            super::rule_flow::covering_text(&flow, covering)
        );
        let d = Diagnostic::new(&RULE, flow.rule.span, message)
            .with_span_label("never matches")
            .with_help("delete the rule, or move it above the rules labelled here if it was meant to decide these packets");
        out.push(covering_labels(d, &flow, covering, false));
    });
}
