//! What PL201, PL202 and PL203 share: the sweep's findings, rule by rule, and the labels that
//! name the earlier rules which decide a rule's packets.
use crate::analysis::chains::{self, Analysis};
use crate::analysis::sweep::{Decision, Finding, MAX_COVERING};
use crate::diagnostic::Diagnostic;
use crate::model::{Chain, Rule, Ruleset};

/// One finding of the sweep, with the chain and the rule it is about.
pub struct Flow<'a> {
    pub chain: &'a Chain,
    pub rule: &'a Rule,
    pub id: usize,
    pub finding: &'a Finding,
}

impl Flow<'_> {
    /// What rule `index` of the chain does with its packets.
    pub fn decision_of(&self, index: usize) -> Option<Decision> {
        self.chain.rules.get(index).and_then(chains::decision)
    }
}

/// Every shadowed, redundant or unreachable rule of the ruleset, in chain order.
pub fn for_each_covered(ruleset: &Ruleset, analysis: &Analysis, mut visit: impl FnMut(Flow<'_>)) {
    for (chain, _, model) in analysis.with_models(ruleset) {
        for finding in &chain.findings {
            let id = match finding {
                Finding::Shadowed { id, .. }
                | Finding::Redundant { id, .. }
                | Finding::Unreachable { id, .. } => *id,
            };
            if let Some(rule) = model.rules.get(id) {
                visit(Flow {
                    chain: model,
                    rule,
                    id,
                    finding,
                });
            }
        }
    }
}

/// "accepts", "drops", "jumps to web and may decide", for a label or a message.
pub fn decision_verb(decision: &Decision) -> String {
    match decision {
        Decision::Accept => "accepts".into(),
        Decision::Drop => "drops".into(),
        Decision::Reject => "rejects".into(),
        Decision::Queue => "queues".into(),
        Decision::Return => "returns".into(),
        Decision::Goto(chain) => format!("sends to `{chain}` (goto)"),
        Decision::Nat(text) => format!("translates (`{text}`)"),
    }
}

/// `jump web`, for a rule that jumps (its target's decisions cover the rule).
fn jump_text(flow: &Flow<'_>, index: usize) -> String {
    match flow.chain.rules.get(index).and_then(|r| r.verdict.as_ref()) {
        Some((crate::model::Verdict::Jump(target), _)) => format!("jump {target}"),
        _ => "jump".to_string(),
    }
}

/// "jumps to `web`".
fn jumps_to(flow: &Flow<'_>, index: usize) -> String {
    match flow.chain.rules.get(index).and_then(|r| r.verdict.as_ref()) {
        Some((crate::model::Verdict::Jump(target), _)) => format!("jumps to `{target}`"),
        _ => "jumps".to_string(),
    }
}

/// "an earlier `accept` rule", "3 earlier rules together (`accept`, `drop`)", "earlier rules".
pub fn covering_text(flow: &Flow<'_>, covering: &[usize]) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for &index in covering {
        let kind = flow
            .decision_of(index)
            .map_or_else(|| jump_text(flow, index), |d| d.describe());
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    match (covering.len(), kinds.as_slice()) {
        (0, _) => "earlier rules (too many to name in a chain this large)".to_string(),
        (1, [kind]) => format!("an earlier `{kind}` rule"),
        (n, kinds) => format!(
            "{n} earlier rules together ({})",
            kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Label each rule of the covering set (at most [`MAX_COVERING`]), first the largest share.
/// `same_verdict`: the rule is redundant ("already accepts its packets"), not shadowed
/// ("drops its packets first").
pub fn covering_labels(
    mut d: Diagnostic,
    flow: &Flow<'_>,
    covering: &[usize],
    same_verdict: bool,
) -> Diagnostic {
    let several = covering.len() > 1;
    for &index in covering.iter().take(MAX_COVERING) {
        let Some(rule) = flow.chain.rules.get(index) else {
            continue;
        };
        let verb = flow.decision_of(index).map_or_else(
            || format!("{}, which decides", jumps_to(flow, index)),
            |d| decision_verb(&d),
        );
        let what = if several {
            "some of its packets"
        } else {
            "its packets"
        };
        let label = if same_verdict {
            format!("already {verb} {what}")
        } else {
            format!("{verb} {what} first")
        };
        d = d.with_label(rule.span, label);
    }
    if covering.len() > MAX_COVERING {
        let more = covering.len() - MAX_COVERING;
        let help = d.help.take().unwrap_or_default();
        d = d.with_help(format!(
            "{help} ({more} more earlier rules take part, not labelled)"
        ));
    }
    d
}
