//! One dynamic diagnostic type for every rule (as oxc does), rendered by `report/`.

use crate::check::RuleInfo;
use crate::source::Span;
use std::borrow::Cow;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: String,
    /// Most help texts are fixed: borrowed, they cost nothing per finding.
    pub help: Option<Cow<'static, str>>,
    /// The exact characters the finding is about.
    pub span: Span,
    /// The message under the primary span (defaults to a short form of the message).
    pub span_label: Option<Cow<'static, str>>,
    pub labels: Vec<Label>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleInfo, span: Span, message: impl Into<String>) -> Diagnostic {
        let mut message = message.into();
        // `format!` reserves about twice the literal text; a run may keep 100,000 messages.
        message.shrink_to_fit();
        Diagnostic {
            rule,
            severity: rule.severity,
            message,
            help: None,
            span,
            span_label: None,
            labels: Vec::new(),
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
