//! PL104 unauthorized-use.
use super::port_facts::{port_with_protocols, Judged};
use crate::diagnostic::Diagnostic;

super::rule_info!(
    "PL104",
    "unauthorized-use",
    Warning,
    "the registry reports unauthorized use of the port"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding(|s| s.unauthorized);
    let Some(l4) = hits.iter().next() else {
        return;
    };
    let status = judged.status(l4);
    let note = status
        .unauthorized
        .first()
        .map(|r| r.unauthorized)
        .unwrap_or_default();
    let port = judged.element.lo;
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!(
                    "IANA reports unauthorized use of {}: \"{}\"",
                    port_with_protocols(port, hits),
                    note.trim()
                ),
                "software squats on this port without an assignment, so traffic to it may not be the service you expect. Make sure this rule means the service you run, and prefer a port without such reports",
            )
            .with_span_label("unauthorized use reported"),
    );
}
