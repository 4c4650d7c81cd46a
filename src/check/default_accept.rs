//! PL206 default-accept: an input or forward base chain whose policy accepts new connections
//! that no rule decides.
use crate::analysis::chains::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::{Hook, Ruleset};

super::rule_info!(
    "PL206",
    "default-accept",
    Warning,
    "an input or forward base chain accepts by default the new connections no rule decides"
);

/// Tables that iptables places before `filter` on a hook: their chains are not where a host
/// filters, so their accepting policies are counted (as passing packets on) but not reported.
const NOT_FILTERING_TABLES: [&str; 3] = ["raw", "mangle", "security"];

pub fn check(ruleset: &Ruleset, analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    for (chain, table, model) in analysis.with_models(ruleset) {
        let Some(base) = &model.base else {
            continue;
        };
        let hook = match base.hook {
            Some(hook @ (Hook::Input | Hook::Forward)) => hook,
            _ => continue,
        };
        if base.chain_type != "filter" || NOT_FILTERING_TABLES.contains(&table.name.as_str()) {
            continue;
        }
        let Some(open) = analysis.open_by_default(ruleset, chain.table, chain.chain) else {
            continue;
        };
        let span = base.policy_span.unwrap_or(model.span);
        let written = if base.policy.is_some() {
            "the policy accepts"
        } else {
            "with no policy written, the chain accepts"
        };
        let help = match hook {
            Hook::Forward => "set `policy drop` and accept the forwarded traffic you mean to route (`ct state established,related accept` first); on a host that routes nothing, `policy drop` costs nothing",
            _ => "set `policy drop` (or end the chain with a catch-all `drop`) after the rules that accept what should be open; keep `ct state established,related accept` and `iif lo accept` first",
        };
        out.push(
            Diagnostic::new(
                &RULE,
                span,
                format!("{written} new connections that no rule decides: {open}"),
            )
            .with_span_label("accepts what no rule decides")
            .with_help(help),
        );
    }
}
