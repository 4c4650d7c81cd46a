//! Import of IANA's `service-names-port-numbers.xml`.
//!
//! The XML is IANA's master copy; the CSV is rendered from it. Each field is rendered here the
//! way IANA's CSV renders it (bracketed ids run together, inline cross-references as `[RFC9483]`,
//! `<br/>` as a line break), so a revision loaded from either format answers `Registry::status`
//! and the help texts alike.
//!
//! The `<people>` section (names and `mailto:` addresses) is never read: portlint must not show
//! registrants' e-mail addresses.

use roxmltree::{Document, Node, ParsingOptions};

use super::check_covered;
use super::csv::parse_port_field;
use super::model::{classify, Proto, Record};

/// An XML revision.
pub struct XmlRegistry {
    pub records: Vec<Record>,
    /// The registry's `<updated>` date.
    pub date: String,
}

/// The `id` of the registry this importer understands.
const REGISTRY_ID: &str = "service-names-port-numbers";

pub fn parse_xml(
    text: &str,
    leak: &mut dyn FnMut(&str) -> &'static str,
) -> Result<XmlRegistry, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // No DTD: the registry has none, and refusing one rules out entity-expansion tricks.
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "registry" {
        return Err(format!(
            "not an IANA registry: the root element is <{}>, expected <registry>",
            root.tag_name().name()
        ));
    }
    if let Some(id) = root.attribute("id").filter(|id| *id != REGISTRY_ID) {
        return Err(format!(
            "the XML is IANA's {id:?} registry, not {REGISTRY_ID:?}"
        ));
    }
    let mut records = Vec::new();
    for node in root.descendants().filter(|n| n.has_tag_name("record")) {
        let fields = RecordFields::read(node).map_err(|message| {
            let pos = doc.text_pos_at(node.range().start);
            format!("line {}: {message}", pos.row)
        })?;
        records.push(fields.into_record(leak));
    }
    check_covered(&records)?;
    let date = child_text(root, "updated")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| newest_date(&records));
    Ok(XmlRegistry { records, date })
}

/// Without an `<updated>` element, date the revision by its newest record, as the CSV does.
fn newest_date(records: &[Record]) -> String {
    records
        .iter()
        .flat_map(|r| [r.registration_date, r.modification_date])
        .filter(|d| d.len() >= 7)
        .max()
        .unwrap_or("")
        .to_string()
}

/// One `<record>`, rendered to the CSV's column texts.
#[derive(Default)]
struct RecordFields {
    name: String,
    ports: Option<(u16, u16)>,
    proto: Option<Proto>,
    description: String,
    /// `None` when the record has no `<assignee>`: the CSV then repeats the contact.
    assignee: Option<String>,
    contact: String,
    registration_date: String,
    modification_date: String,
    reference: String,
    service_code: String,
    unauthorized: String,
    notes: String,
}

impl RecordFields {
    fn read(node: Node) -> Result<RecordFields, String> {
        let mut f = RecordFields {
            registration_date: node.attribute("date").unwrap_or("").trim().to_string(),
            modification_date: node.attribute("updated").unwrap_or("").trim().to_string(),
            ..RecordFields::default()
        };
        // The children come in no fixed order. Unknown elements are skipped: IANA has added
        // elements over the years, and a new one must not make a revision unreadable.
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "name" => f.name = plain_text(child),
                "protocol" => f.proto = parse_proto(&plain_text(child))?,
                "number" => f.ports = parse_port_field(&plain_text(child))?,
                "description" => f.description = render_mixed(child),
                "assignee" => f.assignee = Some(bracketed_ids(child)),
                "xref" if child.attribute("type") == Some("person") => {
                    f.contact.push_str(&xref_label(child))
                }
                "xref" => f.reference.push_str(&xref_label(child)),
                "note" => f.notes = render_mixed(child),
                "unauthorized" => f.unauthorized = render_mixed(child),
                "sc" => f.service_code = plain_text(child),
                _ => {}
            }
        }
        Ok(f)
    }

    fn into_record(self, leak: &mut dyn FnMut(&str) -> &'static str) -> Record {
        let assignee = self.assignee.unwrap_or_else(|| self.contact.clone());
        Record {
            name: leak(&self.name),
            ports: self.ports,
            proto: self.proto,
            description: leak(&self.description),
            assignee: leak(&assignee),
            contact: leak(&self.contact),
            registration_date: leak(&self.registration_date),
            modification_date: leak(&self.modification_date),
            reference: leak(&self.reference),
            service_code: leak(&self.service_code),
            unauthorized: leak(&self.unauthorized),
            notes: leak(&self.notes),
            kind: classify(&self.name, &self.description, &self.notes),
        }
    }
}

fn parse_proto(text: &str) -> Result<Option<Proto>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    Proto::parse(text)
        .map(Some)
        .ok_or_else(|| format!("unknown transport protocol {text:?}"))
}

/// The text of the first child element `name` of `node`.
fn child_text<'a>(node: Node<'a, 'a>, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .map(plain_text)
}

/// All text inside `node`, trimmed (for elements that hold a plain value).
fn plain_text(node: Node) -> String {
    let text: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    join_soft_wraps(text.trim())
}

/// A line that ends in a blank and continues indented was wrapped by the XML's author, not
/// broken on purpose: the CSV joins the two with one space (`enable \n      dynamic` → `enable
/// dynamic`) and keeps every other line break as it is.
fn join_soft_wraps(text: &str) -> String {
    let blank = [' ', '\t'];
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let soft =
            line.ends_with(blank) && lines.peek().is_some_and(|next| next.starts_with(blank));
        if soft {
            out.push_str(line.trim_end());
            out.push(' ');
            if let Some(next) = lines.peek_mut() {
                *next = next.trim_start();
            }
        } else {
            out.push_str(line);
            if lines.peek().is_some() {
                out.push('\n');
            }
        }
    }
    out
}

/// `<assignee><xref type="person" data="Jon_Postel"/></assignee>` → `[Jon_Postel]`.
fn bracketed_ids(node: Node) -> String {
    let mut out = String::new();
    for child in node.children() {
        if child.has_tag_name("xref") {
            out.push_str(&xref_label(child));
        } else if let Some(text) = child.text().map(str::trim).filter(|t| !t.is_empty()) {
            out.push_str(text);
        }
    }
    out
}

/// How the CSV writes a cross-reference: the element's text if it has one (`[TR-352]`,
/// `[RFC8765, Section 6.1]`), else its `data`: `[RFC9483]`, `[Jon_Postel]`, `[1]` (a footnote). A `mailto:` URI would
/// be a person's address, so it is left out.
fn xref_label(node: Node) -> String {
    let data = node.attribute("data").unwrap_or("").trim();
    let text = plain_text(node);
    let label = match node.attribute("type").unwrap_or("") {
        "uri" if data.to_ascii_lowercase().starts_with("mailto:") => String::new(),
        _ if !text.is_empty() => text,
        "rfc" => data.to_ascii_uppercase(),
        _ => data.to_string(),
    };
    if label.is_empty() {
        String::new()
    } else {
        format!("[{label}]")
    }
}

/// Render mixed content (`<description>`, `<note>`, `<unauthorized>`) as the CSV does.
fn render_mixed(node: Node) -> String {
    let mut out = Rendered::default();
    out.node(node);
    join_soft_wraps(out.text.trim())
}

/// Text being rendered, and whether it ends in a `<br/>`.
#[derive(Default)]
struct Rendered {
    text: String,
    after_break: bool,
}

impl Rendered {
    fn node(&mut self, node: Node) {
        for child in node.children() {
            if child.is_text() {
                self.text_node(child.text().unwrap_or(""));
            } else if child.is_element() {
                self.element(child);
            }
        }
    }

    /// The source puts a line break after each `<br/>`: together they are one line break, and a
    /// run of `<br/>`s is one line break too (the CSV writes `whois++<br/><br/>\nIANA …` as two
    /// lines, not four).
    fn text_node(&mut self, text: &str) {
        let text = if self.after_break {
            let blank = text.len() - text.trim_start().len();
            match text[..blank].find('\n') {
                Some(newline) => &text[newline + 1..],
                None => text,
            }
        } else {
            text
        };
        if !text.is_empty() {
            self.text.push_str(text);
            self.after_break = false;
        }
    }

    fn element(&mut self, node: Node) {
        match node.tag_name().name() {
            "br" => {
                if !self.after_break {
                    self.text.push('\n');
                }
                self.after_break = true;
            }
            "xref" => {
                let label = xref_label(node);
                let glued = self.text.is_empty()
                    || self.text.ends_with(char::is_whitespace)
                    || self.text.ends_with('(');
                if !glued && !label.is_empty() {
                    self.text.push(' ');
                }
                self.text.push_str(&label);
                self.after_break = false;
            }
            "paragraph" => {
                // Paragraphs are lines of their own; the indentation between them is layout.
                let paragraph = render_mixed(node);
                self.text.truncate(self.text.trim_end().len());
                if !self.text.is_empty() {
                    self.text.push('\n');
                }
                self.text.push_str(&paragraph);
                self.after_break = false;
            }
            _ => self.node(node),
        }
    }
}
