//! Taking a YAML tree apart by hand: every mistake is a diagnostic at its exact characters, with
//! what was expected, and reading goes on so that one run reports them all.
//!
//! Nothing is coerced. YAML 1.1 reads `yes`, `on` and `no` as booleans and `0022` as octal 18;
//! where portlint expects a word or a port, such a value is refused with a note on how YAML read
//! it and how to write what was meant.

use super::{Node, Value};
use crate::check;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::suggest::did_you_mean;
use std::collections::HashMap;
use std::ops::Range;

/// Reads one file's tree and collects what is wrong with it.
pub struct Reader<'t> {
    pub file: FileId,
    pub text: &'t str,
    pub diagnostics: Vec<Diagnostic>,
}

/// A mapping's entries by key, each key known (unknown and repeated keys are reported and left
/// out).
pub struct Fields<'n> {
    entries: Vec<(&'static str, &'n Node, &'n Node)>,
    /// Known keys an unknown one was taken for (`rolse` → `roles`): already reported, so a
    /// "missing key" finding for them would be noise.
    misspelt: Vec<&'static str>,
    /// Where the mapping is, for "missing key" findings.
    pub span: Range<usize>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, if written.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    /// The key node of `key`, if written (to point at the key rather than its value).
    pub fn key(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, _)| *k)
    }
}

/// What a value of the wrong type was, in words, with a note on YAML's reading where it is a
/// trap.
fn found(text: &str, node: &Node) -> String {
    let written = text.get(node.span.clone()).unwrap_or("").trim();
    match &node.value {
        Value::Null => "nothing (an empty value)".to_string(),
        Value::Bool(b) if !matches!(written, "true" | "false") => {
            format!("`{written}`, which YAML 1.1 tools read as the boolean {b}")
        }
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(_) | Value::Float(_) if leading_zero(written) => format!(
            "`{written}`, a number with a leading zero, which YAML 1.1 tools read as octal; write it without the zero, or quote it"
        ),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(_) => format!("the number `{written}`"),
        Value::String(s) => format!("the text \"{s}\""),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(_) => "a mapping".to_string(),
    }
}

/// `0022`, `-007`: a number written with a leading zero.
pub fn leading_zero(written: &str) -> bool {
    let digits = written.trim_start_matches(['-', '+']);
    digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit()
}

impl<'t> Reader<'t> {
    pub fn new(file: FileId, text: &'t str) -> Reader<'t> {
        Reader {
            file,
            text,
            diagnostics: Vec::new(),
        }
    }

    pub fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    /// The file's YAML tree; a syntax error is a PL001 finding (with `help` unless the parser
    /// knows better) and `None`.
    pub fn parse(&mut self, help: &'static str) -> Option<Node> {
        match super::parse(self.text) {
            Ok(root) => Some(root),
            Err(error) => {
                self.error(
                    error.span,
                    format!("YAML syntax: {}", error.message),
                    error.help.unwrap_or(help),
                );
                None
            }
        }
    }

    /// `description:` (any mapping may have one): text for readers, checked and not kept.
    pub fn description(&mut self, fields: &Fields<'_>) {
        if let Some(node) = fields.get("description") {
            self.string(
                node,
                "a description (text)",
                "write the description as text",
            );
        }
    }

    /// A PL001 finding: the file does not read as what it is meant to be.
    pub fn error(
        &mut self,
        range: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diagnostics.push(
            Diagnostic::new(&check::syntax_error::RULE, self.span(range), message.into())
                .with_help(help.into()),
        );
    }

    /// A finding of another rule.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Reports a value of the wrong type: "expected `what`, found …".
    pub fn wrong_type(&mut self, node: &Node, what: &str, help: &str) {
        let message = format!("expected {what}, found {}", found(self.text, node));
        self.error(node.span.clone(), message, help.to_string());
    }

    /// A mapping whose keys are among `keys`; an unknown key is reported with the nearest known
    /// one, and a repeated key with where it was first written.
    pub fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        keys: &[&'static str],
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            let help = format!(
                "{what} is a mapping of `key: value` lines; its keys are {}",
                key_list(keys)
            );
            self.wrong_type(node, &format!("{what} (a mapping)"), &help);
            return None;
        };
        let mut fields = Fields {
            entries: Vec::new(),
            misspelt: Vec::new(),
            span: node.span.clone(),
        };
        for (key, value) in entries {
            let Some(name) = self.key_name(key, what) else {
                continue;
            };
            let Some(known) = keys.iter().copied().find(|k| *k == name) else {
                let near = did_you_mean(name, keys.iter().copied());
                fields.misspelt.extend(near);
                let help = match near {
                    Some(near) => format!(
                        "did you mean `{near}`? The keys of {what} are {}",
                        key_list(keys)
                    ),
                    None => format!("the keys of {what} are {}", key_list(keys)),
                };
                self.error(
                    key.span.clone(),
                    format!("unknown key `{name}` in {what}"),
                    help,
                );
                continue;
            };
            if let Some(first) = fields.key(known) {
                let first = first.span.clone();
                let d = Diagnostic::new(
                    &check::syntax_error::RULE,
                    self.span(key.span.clone()),
                    format!("`{known}` is given twice in {what}"),
                )
                .with_help("YAML keys are unique, and tools differ on which value wins; keep one")
                .with_label(self.span(first), "first given here");
                self.push(d);
                continue;
            }
            fields.entries.push((known, key, value));
        }
        Some(fields)
    }

    /// A mapping with keys chosen by the author (role names, group names): each key must be a
    /// word; repeated keys are reported. Returns (key text, key node, value node).
    pub fn named_entries<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
    ) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                &format!("{what} (a mapping of names)"),
                "write one `name:` per line",
            );
            return Vec::new();
        };
        let mut named: Vec<(&'n str, &'n Node, &'n Node)> = Vec::new();
        // Each name's first key: a lookup per entry, not a scan of those before it.
        let mut firsts: HashMap<&'n str, &'n Node> = HashMap::new();
        for (key, value) in entries {
            let Some(name) = self.key_name(key, what) else {
                continue;
            };
            if let Some(first) = firsts.get(name) {
                let first = first.span.clone();
                let d = Diagnostic::new(
                    &check::syntax_error::RULE,
                    self.span(key.span.clone()),
                    format!("`{name}` is defined twice in {what}"),
                )
                .with_help("give each a name of its own, or merge them")
                .with_label(self.span(first), "first defined here");
                self.push(d);
                continue;
            }
            firsts.insert(name, key);
            named.push((name, key, value));
        }
        named
    }

    fn key_name<'n>(&mut self, key: &'n Node, what: &str) -> Option<&'n str> {
        match &key.value {
            Value::String(name) => Some(name),
            _ => {
                let message = format!(
                    "a key in {what} must be a name; found {}",
                    found(self.text, key)
                );
                self.error(
                    key.span.clone(),
                    message,
                    "write the key as a word (quote it if it looks like a number or a boolean)",
                );
                None
            }
        }
    }

    /// Reports every key of `required` that `fields` lacks, at `at` (the key that holds the
    /// mapping, or the mapping).
    pub fn require<'n>(
        &mut self,
        fields: &Fields<'n>,
        key: &str,
        what: &str,
        at: Range<usize>,
        help: &str,
    ) -> Option<&'n Node> {
        let value = fields.get(key);
        if value.is_none() && !fields.misspelt.contains(&key) {
            self.error(at, format!("{what} has no `{key}`"), help.to_string());
        }
        value
    }

    /// A word or text: a YAML string, never a boolean, number or null read from a plain scalar.
    pub fn string<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<&'n str> {
        match &node.value {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            Value::Bool(_) => {
                let written = self.text.get(node.span.clone()).unwrap_or("").trim();
                let help = format!("{help}; quote it (\"{written}\") if you mean the word");
                self.wrong_type(node, what, &help);
                None
            }
            _ => {
                self.wrong_type(node, what, help);
                None
            }
        }
    }

    /// `true` or `false`, as written; YAML 1.1's `yes`/`no`/`on`/`off` are refused.
    pub fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        let written = self.text.get(node.span.clone()).unwrap_or("").trim();
        match node.value {
            Value::Bool(b) if matches!(written, "true" | "false") => Some(b),
            _ => {
                self.wrong_type(
                    node,
                    &format!("{what}: `true` or `false`"),
                    "write `true` or `false`",
                );
                None
            }
        }
    }

    /// A list; each item is read by the caller.
    pub fn list<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                let what = if what.starts_with("a list") {
                    what.to_string()
                } else {
                    format!("{what} (a list)")
                };
                self.wrong_type(node, &what, help);
                None
            }
        }
    }

    /// One word of `choices`, with "did you mean" for a near miss.
    pub fn choice(
        &mut self,
        node: &Node,
        what: &str,
        choices: &[&'static str],
    ) -> Option<&'static str> {
        let help = format!("write {}", choice_list(choices));
        // Not `string`: quoting `no` would not make it one of the choices.
        let word = match &node.value {
            Value::String(word) => word.as_str(),
            _ => {
                self.wrong_type(node, &format!("{what} ({})", choice_list(choices)), &help);
                return None;
            }
        };
        if let Some(choice) = choices.iter().copied().find(|c| *c == word) {
            return Some(choice);
        }
        // `in` for `inbound`: too short for an edit distance, but a prefix of one choice.
        let prefix_of = || {
            let mut starting = choices.iter().copied().filter(|c| c.starts_with(word));
            match (starting.next(), starting.next()) {
                (Some(only), None) if !word.is_empty() => Some(only),
                _ => None,
            }
        };
        let near = did_you_mean(word, choices.iter().copied()).or_else(prefix_of);
        let help = match near {
            Some(near) => format!("did you mean `{near}`? Write {}", choice_list(choices)),
            None => help,
        };
        self.error(node.span.clone(), format!("`{word}` is not {what}"), help);
        None
    }
}

/// `a`, `b` and `c`, each in backticks: the keys a mapping has.
pub fn key_list(keys: &[&str]) -> String {
    joined(keys, "and")
}

/// `a`, `b` or `c`: the words a value may be.
pub fn choice_list(choices: &[&str]) -> String {
    joined(choices, "or")
}

fn joined(words: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = words.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}
