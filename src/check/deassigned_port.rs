//! PL105 deassigned-port.
use super::port_facts::{first_line, is_are, port_with_protocols, Judged};
use crate::diagnostic::Diagnostic;
use crate::registry::{PortState, RecordKind};

super::rule_info!(
    "PL105",
    "deassigned-port",
    Warning,
    "the port's assignment was removed, de-assigned or deprecated"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding(|s| s.state == PortState::Deassigned);
    let Some(l4) = hits.iter().next() else {
        return;
    };
    let status = judged.status(l4);
    let record = status
        .records
        .iter()
        .find(|r| r.kind == RecordKind::Deassigned);
    let words = record
        .map(|r| {
            let mut words = first_line(r.description).to_string();
            if !r.notes.is_empty() {
                words = format!("{words}: {}", first_line(r.notes));
            }
            if r.notes.is_empty() && !r.modification_date.is_empty() {
                words.push_str(&format!(" ({})", r.modification_date));
            }
            words
        })
        .unwrap_or_default();
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!(
                    "{} {} no longer assigned: \"{}\"",
                    port_with_protocols(judged.element.lo, hits),
                    is_are(hits),
                    words.trim_end_matches('.')
                ),
                "the service that held this port gave it up; whatever listens there now is not what the assignment said. Remove the rule if the old service is gone, or move the service to a registered port",
            )
            .with_span_label("de-assigned"),
    );
}
