//! PL104 unauthorized-use.
use super::port_facts::{port_with_protocols, with_known_uses, Judged};
use crate::diagnostic::Diagnostic;

super::rule_info!(
    "PL104",
    "unauthorized-use",
    Info,
    "the registry reports unauthorized use of the port"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding_exposed(|s| s.unauthorized);
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
    let message = format!(
        "IANA reports unauthorized use of {}: \"{}\"",
        port_with_protocols(port, hits),
        note.trim()
    );
    let (message, help) = with_known_uses(
        message.into(),
        "software uses this port without an assignment, so traffic to it may not be the service you expect. If this rule is for that software (a Tor relay on 9001), nothing is wrong; otherwise make sure this rule means the service you run",
        port,
        hits,
    );
    out.push(
        judged
            .diagnostic(&RULE, message, help)
            .with_span_label("unauthorized use reported"),
    );
}
