//! The checks: one file per rule, each with its code, slug, default severity and page.
//!
//! Rules whose findings arise while a file is read (syntax, invalid ports, undefined variables,
//! service names) are reported by the front ends; the others run here, on the model.

pub mod ambiguous_service_name;
pub mod contradictory_match;
pub mod deassigned_port;
pub mod default_accept;
pub mod dynamic_port;
pub mod experimental_port;
pub mod host_bits_set;
pub mod include_error;
pub mod invalid_port;
pub mod invalid_suppression;
pub mod overlapping_ports;
pub mod port_facts;
pub mod privileged_port;
pub mod redundant_rule;
pub mod reserved_port;
pub mod rule_flow;
pub mod service_name_mismatch;
pub mod shadowed_rule;
pub mod syntax_error;
pub mod unassigned_port;
pub mod unauthorized_use;
pub mod undefined_reference;
pub mod unknown_service_name;
pub mod unreachable_rule;
pub mod unregistered_protocol;
pub mod unsupported_syntax;
pub mod unused_definition;
pub mod unused_suppression;
pub mod version_dependent_syntax;

use crate::diagnostic::Diagnostic;
use crate::model::Ruleset;
use crate::registry::Registry;

pub use crate::rule_info::RuleInfo;

/// Every rule portlint has, in code order.
pub static RULES: &[&RuleInfo] = &[
    &syntax_error::RULE,
    &invalid_port::RULE,
    &undefined_reference::RULE,
    &include_error::RULE,
    &unknown_service_name::RULE,
    &unsupported_syntax::RULE,
    &version_dependent_syntax::RULE,
    &unassigned_port::RULE,
    &reserved_port::RULE,
    &experimental_port::RULE,
    &unauthorized_use::RULE,
    &deassigned_port::RULE,
    &unregistered_protocol::RULE,
    &privileged_port::RULE,
    &dynamic_port::RULE,
    &service_name_mismatch::RULE,
    &ambiguous_service_name::RULE,
    &shadowed_rule::RULE,
    &redundant_rule::RULE,
    &unreachable_rule::RULE,
    &overlapping_ports::RULE,
    &contradictory_match::RULE,
    &default_accept::RULE,
    &unused_definition::RULE,
    &host_bits_set::RULE,
    &unused_suppression::RULE,
    &invalid_suppression::RULE,
];

/// A rule by code (`PL101`, any case) or slug (`unassigned-port`).
pub fn lookup(name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(name) || r.slug == name)
}

/// What a check sees.
pub struct Context<'a> {
    pub registry: &'a Registry,
    pub ruleset: &'a Ruleset,
}

/// Run every model check on one ruleset.
pub fn run(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The chain analysis first: its packet sets and indexes are freed before the per-port
    // findings (one or more per port on a large ruleset) are made, so the two never take
    // memory at the same time.
    check_chains(ctx.ruleset, out);
    port_facts::for_each(ctx, |visit| check_ports(visit, out));
}

/// The rules whose findings say the tool refuses the rule.
const REFUSALS: [&str; 4] = ["PL001", "PL002", "PL003", "PL005"];

/// The checks of what the chains do: one analysis of the ruleset, read by each.
fn check_chains(ruleset: &Ruleset, out: &mut Vec<Diagnostic>) {
    if ruleset.tables.iter().all(|t| t.chains.is_empty()) {
        return;
    }
    let refused = crate::analysis::chains::Refused::new(
        out.iter()
            .filter(|d| REFUSALS.contains(&d.rule.code))
            .map(|d| d.span)
            .collect(),
    );
    let analysis = crate::analysis::chains::analyse(ruleset, &refused);
    shadowed_rule::check(ruleset, &analysis, out);
    redundant_rule::check(ruleset, &analysis, out);
    unreachable_rule::check(ruleset, &analysis, out);
    contradictory_match::check(ruleset, &analysis, out);
    default_accept::check(ruleset, &analysis, out);
}

/// The checks of one step of the walk over port sets and elements: the same for rulesets and
/// policies (a policy's elements are never NAT targets, so PL107's ruleset check passes them).
#[inline]
fn check_ports(visit: port_facts::Visit<'_, '_>, out: &mut Vec<Diagnostic>) {
    match visit {
        port_facts::Visit::Set(ports) => overlapping_ports::check(ports, out),
        port_facts::Visit::Element(judged) => {
            unassigned_port::check(judged, out);
            reserved_port::check(judged, out);
            experimental_port::check(judged, out);
            unauthorized_use::check(judged, out);
            deassigned_port::check(judged, out);
            unregistered_protocol::check(judged, out);
            privileged_port::check(judged, out);
            dynamic_port::check(judged, out);
        }
    }
}

/// Run every check that applies to a policy. `registry` holds the policy's local ports.
pub fn run_policy(
    registry: &Registry,
    policy: &crate::model::policy::Policy,
    out: &mut Vec<Diagnostic>,
) {
    port_facts::for_each_in_policy(registry, policy, |visit| check_ports(visit, out));
    for role in &policy.roles {
        for service in &role.services {
            privileged_port::check_listener(registry, service, out);
            service_name_mismatch::check(registry, service, out);
        }
    }
}

macro_rules! rule_info {
    ($code:literal, $slug:literal, $severity:ident, $summary:literal) => {
        pub static RULE: $crate::rule_info::RuleInfo = $crate::rule_info::RuleInfo {
            code: $code,
            slug: $slug,
            severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!("../../rules/", $code, ".md")),
        };
    };
}
pub(crate) use rule_info;
