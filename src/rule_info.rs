//! A rule's identity, apart from the checks: diagnostics and reports name rules without
//! depending on `check/`.

use crate::diagnostic::Severity;

/// A rule's identity. Codes never change meaning and are never reused.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// The rule's page (`rules/CODE.md`).
    pub doc: &'static str,
}
