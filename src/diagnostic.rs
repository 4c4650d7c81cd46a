//! One dynamic diagnostic type for every rule (as oxc does), rendered by `report/`.

use crate::model::ProtoSet;
use crate::rule_info::RuleInfo;
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

/// What a finding says. Most findings of a large ruleset are the registry's verdict on one port
/// (`port 14740/tcp is unassigned in the IANA registry`): those keep their parts and are written
/// out when shown, so that finding them allocates nothing. (16 bytes either way.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Text(Box<str>),
    /// A registry finding on one port, kept in parts; shown by [`crate::port_text`].
    Port {
        template: PortTemplate,
        port: u16,
        hits: ProtoSet,
    },
}

impl Message {
    /// The message as it is shown.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Message::Text(text) => Cow::Borrowed(text),
            Message::Port {
                template,
                port,
                hits,
            } => Cow::Owned(crate::port_text::port_message_text(
                template.before(),
                *port,
                *hits,
                template.after(),
            )),
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        // `format!` reserves more than the text; a run may keep 100,000 messages.
        Message::Text(text.into_boxed_str())
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::Text(Box::from(text))
    }
}

/// The registry findings whose message is kept in parts: `{before}port 22/tcp is {after}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortTemplate {
    Unassigned,
    Dynamic,
}

impl PortTemplate {
    fn before(self) -> &'static str {
        match self {
            PortTemplate::Unassigned => "",
            PortTemplate::Dynamic => "inbound ",
        }
    }

    fn after(self) -> &'static str {
        match self {
            PortTemplate::Unassigned => "unassigned in the IANA registry",
            PortTemplate::Dynamic => "in the dynamic/private range 49152-65535",
        }
    }
}

/// A large ruleset can have a finding for most of its ports, so this is kept small (96 bytes,
/// and no allocation for a registry finding's message): the labels, which most findings lack,
/// are a thin vector (one pointer) until there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: Message,
    /// Most help texts are fixed: borrowed, they cost nothing per finding.
    pub help: Option<Cow<'static, str>>,
    /// The exact characters the finding is about.
    pub span: Span,
    /// The message under the primary span (defaults to a short form of the message).
    pub span_label: Option<Cow<'static, str>>,
    pub labels: ThinVec<Label>,
}

impl Diagnostic {
    #[inline]
    pub fn new(rule: &'static RuleInfo, span: Span, message: impl Into<Message>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            span,
            span_label: None,
            labels: ThinVec::new(),
        }
    }

    #[inline]
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
    fn a_message_is_a_boxed_text_or_its_parts_in_the_same_16_bytes() {
        assert_eq!(std::mem::size_of::<super::Message>(), 16);
    }

    #[test]
    fn a_diagnostic_stays_small() {
        assert_eq!(std::mem::size_of::<super::Diagnostic>(), 96);
    }
}
