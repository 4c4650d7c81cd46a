//! The one module that reads YAML (policies and `.portlint.yaml`).
//!
//! serde-saphyr parses the text into a tree of [`Node`]s, each with the byte range it was written
//! at; nothing is typed or coerced here. The readers in [`read`] then take the tree apart by
//! hand, so that every mistake in a file gets its own diagnostic at its own characters (serde's
//! derive stops at the first one), with what was expected and a suggestion for a near miss, and
//! so that what YAML 1.1 would coerce (`yes`, `0022`, `1_000`) is refused rather than read as
//! something the author did not mean. No other module sees a serde-saphyr type.

pub mod read;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::ops::Range;

/// A YAML value with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte offsets into the file. A scalar's range covers its text, quotes included; a
    /// collection's runs from its first to its last child (its own indicator when empty).
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in file order; repeated keys are kept, so that the reader can report them.
    Map(Vec<(Node, Node)>),
}

/// A file that is not well-formed YAML (or is more than one document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    /// What to do, where the parser's message does not say it.
    pub help: Option<&'static str>,
}

/// Parse one YAML document. An empty file is a null document.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        // Repeated keys reach the reader, which reports them with both places.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    };
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(text, options) {
        Ok(root) => Ok(to_node(text, root)),
        Err(error) => Err(syntax_error(text, &error)),
    }
}

/// What serde-saphyr hands over: a value with the span of each child.
enum Raw {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    String(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }
    fn visit_bool<E>(self, value: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Raw, E> {
        Ok(Raw::Int(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Raw, E> {
        Ok(Raw::Int(value.into()))
    }
    fn visit_i128<E>(self, value: i128) -> Result<Raw, E> {
        Ok(Raw::Int(value))
    }
    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Raw, E> {
        Ok(i128::try_from(value).map_or(Raw::Float(value as f64), Raw::Int))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Raw, E> {
        Ok(Raw::Float(value))
    }
    fn visit_str<E>(self, value: &str) -> Result<Raw, E> {
        Ok(Raw::String(value.to_string()))
    }
    fn visit_string<E>(self, value: String) -> Result<Raw, E> {
        Ok(Raw::String(value))
    }
    fn visit_bytes<E>(self, value: &[u8]) -> Result<Raw, E> {
        Ok(Raw::String(String::from_utf8_lossy(value).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

fn to_node(text: &str, raw: Spanned<Raw>) -> Node {
    let span = byte_range(text, &raw.referenced);
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::String(s) => Value::String(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|i| to_node(text, i)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (to_node(text, k), to_node(text, v)))
                .collect(),
        ),
    };
    let span = match &value {
        Value::Seq(items) => closing_bracket(text, covering(span, items.iter().map(|n| &n.span))),
        Value::Map(entries) => closing_bracket(
            text,
            covering(span, entries.iter().flat_map(|(k, v)| [&k.span, &v.span])),
        ),
        _ => span,
    };
    Node { span, value }
}

/// A collection's range: from its first child to its last (serde-saphyr gives only where it
/// starts).
fn covering<'a>(
    own: Range<usize>,
    children: impl Iterator<Item = &'a Range<usize>>,
) -> Range<usize> {
    let mut span = own;
    let mut first = true;
    for child in children {
        if first {
            span.start = span.start.min(child.start);
            first = false;
        }
        span.end = span.end.max(child.end);
    }
    span
}

/// A flow collection (`[a, b]`, `{k: v}`) ends at its closing bracket, after its last child.
fn closing_bracket(text: &str, span: Range<usize>) -> Range<usize> {
    let close = match text.as_bytes().get(span.start) {
        Some(b'[') => b']',
        Some(b'{') => b'}',
        _ => return span,
    };
    let rest = text.get(span.end..).unwrap_or("");
    let skipped = rest
        .bytes()
        .take_while(|b| b.is_ascii_whitespace() || *b == b',')
        .count();
    if rest.as_bytes().get(skipped) == Some(&close) {
        span.start..span.end + skipped + 1
    } else {
        span
    }
}

/// The byte range of a location: serde-saphyr gives byte offsets for string input; should it
/// not, its character offset is converted.
fn byte_range(text: &str, location: &serde_saphyr::Location) -> Range<usize> {
    let span = location.span();
    let clamp = |offset: u64| {
        usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(text.len())
    };
    match (span.byte_offset(), span.byte_len()) {
        (Some(start), Some(len)) => {
            let start = clamp(start);
            start..clamp(start as u64 + len)
        }
        _ => {
            let start = char_to_byte(text, span.offset());
            start..char_to_byte(text, span.offset() + span.len())
        }
    }
}

fn char_to_byte(text: &str, chars: u64) -> usize {
    let chars = usize::try_from(chars).unwrap_or(usize::MAX);
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// The byte offset of a 1-based line and character column.
fn line_column_to_byte(text: &str, line: u64, column: u64) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let column = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    start
        + line_text
            .char_indices()
            .nth(column)
            .map_or(line_text.len(), |(i, _)| i)
}

fn syntax_error(text: &str, error: &serde_saphyr::Error) -> SyntaxError {
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let rendered = error.render_with_options(options);
    // The plain rendering ends with " at line L, column C"; the span says that.
    let message = match rendered.find(" at line ") {
        Some(i) => rendered[..i].to_string(),
        None => rendered,
    };
    // serde-saphyr's limits against hostile input, said in words.
    let message = if !message.starts_with("budget breached") {
        message
    } else if message.contains("Depth") {
        "the YAML nests deeper than portlint reads (64 levels)".to_string()
    } else if message.contains("Nodes") || message.contains("Alias") {
        "the YAML's aliases expand to more values than portlint reads (a \"billion laughs\" file)"
            .to_string()
    } else {
        "the YAML is larger than portlint reads".to_string()
    };
    let second_document = message.starts_with("multiple YAML documents");
    let message = if second_document {
        "a second YAML document (`---`): portlint reads one document per file".to_string()
    } else {
        message
    };
    let start = match error.location() {
        Some(location) if location.line() > 0 => {
            line_column_to_byte(text, location.line(), location.column())
        }
        _ => text.len(),
    };
    if second_document {
        // The parser stops after the separator; point at the separator.
        if let Some(separator) = last_document_separator(&text[..start]) {
            return SyntaxError {
                span: separator..separator + 3,
                message,
                help: Some("remove the `---` and what follows, or move the second document into a file of its own"),
            };
        }
    }
    SyntaxError {
        span: one_character_at(text, start),
        message,
        help: None,
    }
}

/// Where the last `---` line before `end` starts.
fn last_document_separator(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut found = None;
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") {
            found = Some(offset);
        }
        offset += line.len();
    }
    found
}

/// The character at `start`; at a line's or the file's end, the last visible character before
/// it, so that the finding underlines something.
fn one_character_at(text: &str, start: usize) -> Range<usize> {
    if let Some(c) = text[start..].chars().next().filter(|c| !c.is_whitespace()) {
        return start..start + c.len_utf8();
    }
    match text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
    {
        Some((i, c)) => i..i + c.len_utf8(),
        None => start..start,
    }
}

/// The tree as JSON, for validating a YAML file against a JSON Schema (tests and `schemas/`).
/// Scalars are typed as YAML 1.2's core schema types them, as an editor's YAML language server
/// does: `yes` and `on` are text there, not booleans.
pub fn to_json(text: &str, node: &Node) -> serde_json::Value {
    use serde_json::Value as Json;
    let to_json = |node: &Node| to_json(text, node);
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => {
            let written = text.get(node.span.clone()).unwrap_or("").trim();
            if matches!(
                written,
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
            ) {
                Json::Bool(*b)
            } else {
                Json::String(written.to_string())
            }
        }
        Value::Int(i) => i64::try_from(*i)
            .map(Json::from)
            .unwrap_or_else(|_| Json::from(*i as f64)),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect(),
        ),
    }
}

fn key_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "null".to_string(),
        Value::Seq(_) | Value::Map(_) => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_byte_offsets_also_after_non_ascii_text() {
        let text = "# héllo ünïcode\nkey: välue\nport: 0022\n";
        let root = parse(text).unwrap();
        let Value::Map(entries) = &root.value else {
            panic!("a map")
        };
        let (key, value) = &entries[0];
        assert_eq!(&text[key.span.clone()], "key");
        assert_eq!(&text[value.span.clone()], "välue");
        assert_eq!(&text[entries[1].1.span.clone()], "0022");
    }

    #[test]
    fn repeated_keys_are_kept_for_the_reader() {
        let root = parse("a: 1\na: 2\n").unwrap();
        let Value::Map(entries) = &root.value else {
            panic!("a map")
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn a_syntax_error_points_at_its_character() {
        let text = "# ü\nroles:\n  web: [a, b\n  x: 1\n";
        let error = parse(text).unwrap_err();
        assert_eq!(&text[error.span.clone()], ":");
        assert_eq!(error.span.start, text.find("x: 1").unwrap() + 1);
        assert!(!error.message.contains("line"), "{}", error.message);
    }

    #[test]
    fn two_documents_are_refused() {
        let error = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(error.message.contains("one document"), "{}", error.message);
    }
}
