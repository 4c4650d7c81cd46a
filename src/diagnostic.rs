//! One dynamic diagnostic type for every rule (as oxc does), rendered by `report/`.

use crate::check::RuleInfo;
use crate::source::Span;
use std::borrow::Cow;
use thin_vec::ThinVec;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary span with its own message: where a `$variable` was used, an earlier element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A large ruleset can have a finding for most of its ports, so this is kept small (96 bytes):
/// the message is exactly as long as its text, and the labels, which most findings lack, are a
/// thin vector (one pointer) until there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: Box<str>,
    /// Most help texts are fixed: borrowed, they cost nothing per finding.
    pub help: Option<Cow<'static, str>>,
    /// The exact characters the finding is about.
    pub span: Span,
    /// The message under the primary span (defaults to a short form of the message).
    pub span_label: Option<Cow<'static, str>>,
    pub labels: ThinVec<Label>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleInfo, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            // `format!` reserves more than the text; a run may keep 100,000 messages.
            message: message.into().into_boxed_str(),
            help: None,
            span,
            span_label: None,
            labels: ThinVec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_span_label(mut self, label: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.span_label = Some(label.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_diagnostic_stays_small() {
        assert_eq!(std::mem::size_of::<super::Diagnostic>(), 96);
    }
}
