//! The `nft -j` front end: libnftables JSON (`nft -j list ruleset`, and the command form
//! `{"add": {"rule": …}}` that `nft -j -f` reads), lowered into the same rule model as the text
//! front end.
//!
//! The JSON is parsed by `jsonc-parser` in strict mode (no comments, no trailing commas: nft's
//! jansson refuses them too), which keeps the byte range of every node, so every model node
//! points at the exact JSON characters that wrote it: a port element at its number or string, a
//! rule at its `{"rule": …}` object, a verdict at its verdict object. The parser bounds nesting
//! (512 levels) and this module bounds its own recursion ([`MAX_DEPTH`]); nothing here unwraps
//! input-derived data or indexes it unchecked.
//!
//! Decisions follow the text lowering (`lower.rs`), so that the same checks fire the same way:
//! `tcp dport` also matches the layer-4 protocol, a negated protocol match is opaque, a value
//! holding anything but ports makes the match opaque, NAT targets are read after the matches.
//! Where JSON says more than the text lowering models (concatenations, verdict maps,
//! `ct original proto-dst`, `tproxy`), this front end models it.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::lowering::{
    group_in_order, split_rule, undefined_references, Alternatives, Reference, ReferenceKind,
    Splits, VerdictGroup,
};
use crate::frontend::ports::Atoms;
use crate::frontend::resolve::Resolver;
use crate::model::*;
use crate::source::{FileId, Span};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::{Range as JsonRange, Ranged};
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};
use smallvec::SmallVec;
use std::collections::HashMap;
use thin_vec::ThinVec;

/// How deep expressions (`{"set": [{"elem": {"val": {"concat": …}}}]}`) are followed. nft's own
/// output nests a handful of levels; deeper values are opaque.
const MAX_DEPTH: usize = 32;

/// Whether `text` is a libnftables JSON document rather than nft text: an object whose first
/// key is `"nftables"`, as `nft -j` writes it. (nft text never starts with `{`; other JSON,
/// a `package.json` say, has other keys first.)
pub fn looks_like_json(text: &str) -> bool {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    body.strip_prefix('{')
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("\"nftables\""))
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// Read one `nft -j` file into the model, with every syntax error and resolution finding.
pub fn read(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    // A byte-order mark is not JSON; skip it and keep offsets into the whole text.
    let (base, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (text.len() - rest.len(), rest),
        None => (0, text),
    };
    let parsed = parse_to_ast(body, &CollectOptions::default(), &strict());
    let mut reader = Reader::new(file, base, resolver);
    match &parsed {
        Ok(parsed) => match &parsed.value {
            Some(root) => reader.document(root),
            None => {
                let span = reader.span_of(JsonRange::new(0, body.len()));
                reader.shape_error(
                    span,
                    "the file holds no JSON value".to_string(),
                    "an `nft -j` file is one object: `{\"nftables\": [ … ]}`",
                );
            }
        },
        Err(error) => reader.json_error(error, body),
    }
    reader.finish()
}

/// JSON as RFC 8259 has it, which is what nft reads and writes.
fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// What to do about each kind of JSON syntax error.
fn json_help(kind: &ParseErrorKind) -> &'static str {
    use ParseErrorKind::*;
    match kind {
        TrailingCommasNotAllowed => "JSON allows no comma before `]` or `}`: remove it",
        CommentsNotAllowed => {
            "JSON has no comments: remove it (nft -j neither writes nor reads them)"
        }
        UnterminatedObject => "close the object with `}` (is the file truncated?)",
        UnterminatedArray => "close the array with `]` (is the file truncated?)",
        ExpectedComma => "separate object members and array elements with commas",
        MultipleRootJsonValues => "an `nft -j` file is one object: `{\"nftables\": [ … ]}`",
        NestingDepthExceeded => {
            "nft -j output nests a few levels deep; this file nests more than 512"
        }
        String(_) => "JSON strings are double-quoted, with the escapes RFC 8259 allows",
        SingleQuotedStringsNotAllowed => "JSON strings are double-quoted",
        ExpectedStringObjectProperty | ExpectedColonAfterObjectKey => {
            "object members are written `\"name\": value`, with the name in double quotes"
        }
        _ => "write JSON as `nft -j list ruleset` does (RFC 8259)",
    }
}

/// A named set or map of the file: which of its key components are ports, and its elements.
struct NamedSet<'a> {
    shape: Shape,
    /// `None` when the set is listed without `elem`: filled at run time, so unknown.
    elements: Option<Vec<&'a Value<'a>>>,
}

/// The keys a lookup matches: values (concatenations for a concatenated lookup), the named set
/// use that brought them, and for a named set which key components its type says are ports.
struct Keys<'a> {
    values: Vec<&'a Value<'a>>,
    via: Vec<VariableUse>,
    ports: Option<Vec<bool>>,
}

/// Which components of a set's key are ports.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// `type inet_service`, `typeof tcp dport`.
    Ports,
    /// A concatenation: whether each component is a port.
    Concat(Vec<bool>),
    /// No ports in the key.
    Other,
}

#[derive(Default)]
struct TableFacts<'a> {
    /// Declared in this file (`{"table": …}`): then every set and chain it has is known, and a
    /// reference to another one is an error nft reports too.
    declared: bool,
    /// Named sets, maps, flowtables and stateful objects.
    named: Vec<String>,
    sets: HashMap<String, NamedSet<'a>>,
    /// Each chain's index in the table's chains: a rule or chain object names its chain by a
    /// lookup.
    chains_by_name: HashMap<String, usize>,
}

/// What a port value turned out to be.
enum PortValue {
    /// The elements and whether the value was a set (duplicates in it are worth reporting).
    Ports(SmallVec<[PortElement; 1]>, bool),
    /// A prefix, a map, a concatenation where none is expected…: not modelled.
    Opaque,
}

/// What a match's left-hand side looks at.
enum Field {
    /// A port: `tcp dport`, `th sport`, `ct original proto-dst`. `l4` is the protocol a
    /// `tcp …` payload also matches, with the span that names it.
    Ports {
        direction: PortDirection,
        protos: ProtoSet,
        l4: Option<(L4, Span)>,
        /// `ct original proto-dst`: conntrack's port, not the header's.
        conntrack: bool,
    },
    /// The layer-4 protocol: `meta l4proto`, `ip protocol`, `ip6 nexthdr`.
    /// `ip protocol` and `ip6 nexthdr` also match their family.
    Proto { family: Option<Family> },
    /// `ip saddr`, `ip6 daddr`.
    Address {
        direction: Direction,
        family: Family,
    },
    /// `meta iifname`, `meta oif` (nft -j writes `iif` as a name too).
    Interface { direction: Direction },
    /// `ct state`.
    CtState,
    /// Anything else; `tcp flags` still matches tcp.
    Other { l4: Option<(L4, Span)> },
}

/// The table and chain a rule or chain object names.
struct Place<'a> {
    family: Family,
    table: &'a str,
    table_span: Span,
}

struct Reader<'a> {
    file: FileId,
    /// Where the JSON text starts in the file (after a byte-order mark).
    base: usize,
    /// Reads port atoms and holds every diagnostic of the file.
    atoms: Atoms<'a>,
    ruleset: Ruleset,
    /// What the file says about each table beyond the model (parallel to `ruleset.tables`).
    tables: Vec<TableFacts<'a>>,
    /// Each table's index by family and name.
    tables_by_name: HashMap<Family, HashMap<String, usize>>,
    references: Vec<Reference>,
    /// The table whose rules are being read.
    current_table: Option<usize>,
    /// Constructs read but not analysed, for PL006.
    unanalysed: crate::frontend::unanalysed::Unanalysed,
}

/// The construct a statement is, in the words nft text writes it with (`{"limit": …}` is
/// `limit`, a match on `{"meta": {"key": "skuid"}}` is `meta skuid`), if it is one PL006 names.
/// Only what filters counts: a match's left side and a verdict map's key (each component of a
/// concatenation), not the value a statement sets.
fn unanalysed_kind(name: &str, body: &Value<'_>) -> Option<crate::frontend::unanalysed::Kind> {
    let object = body.as_object();
    let keyed = |key: &str| object.and_then(|o| get(o, key)).and_then(expression_kind);
    match name {
        "match" => keyed("left"),
        "vmap" => keyed("key"),
        // `ct helper set …` gives connections a helper: `related` then means more.
        "mangle" => keyed("key").filter(|k| k.name == "`ct helper`"),
        // `ct helper set …` as nft -j writes a helper object reference: `{"ct helper": …}`.
        "ct helper" => crate::frontend::unanalysed::nft_kind(["ct", "helper"].into_iter()),
        // `{"flow": {"op": "add", "flowtable": "@ft"}}`.
        "flow" => {
            let op = object.and_then(|o| string(get(o, "op")))?;
            crate::frontend::unanalysed::nft_kind(["flow", op].into_iter())
        }
        _ => crate::frontend::unanalysed::nft_kind([name].into_iter()),
    }
}

/// The kind of an expression (`{"meta": {"key": "mark"}}`), looking through bit operations and
/// into a concatenation's components.
fn expression_kind(value: &Value<'_>) -> Option<crate::frontend::unanalysed::Kind> {
    let (expression, inner) = single_member(value.as_object()?)?;
    match (expression, inner) {
        // `mark & 0xff == 0x10`: `{"&": [{"meta": {"key": "mark"}}, 255]}`.
        ("&" | "|" | "^" | "<<" | ">>", Value::Array(operands)) => {
            expression_kind(operands.elements.first()?)
        }
        ("concat", Value::Array(parts)) => parts.elements.iter().find_map(expression_kind),
        _ => {
            let key = inner
                .as_object()
                .and_then(|o| string(get(o, "key")))
                .unwrap_or("");
            crate::frontend::unanalysed::nft_kind([expression, key].into_iter())
        }
    }
}

/// The only member of a one-member object (`{"accept": null}`, `{"rule": {…}}`).
fn single_member<'o, 'a>(object: &'o Object<'a>) -> Option<(&'o str, &'o Value<'a>)> {
    match object.properties.as_slice() {
        [only] => Some((only.name.as_str(), &only.value)),
        _ => None,
    }
}

fn get<'o, 'a>(object: &'o Object<'a>, name: &str) -> Option<&'o Value<'a>> {
    object.get(name).map(|p| &p.value)
}

fn string<'o>(value: Option<&'o Value<'_>>) -> Option<&'o str> {
    match value {
        Some(Value::StringLit(s)) => Some(s.value.as_ref()),
        _ => None,
    }
}

/// A string or a number as text (`"prio": 0`, `"prio": "filter"`).
fn scalar_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::StringLit(s) => Some(s.value.to_string()),
        Value::NumberLit(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// `{"elem": {"val": X, "counter": …}}` is X with statements attached; `[key, data]` is a map
/// element, whose key is what a lookup matches.
fn element_key<'v, 'a>(mut value: &'v Value<'a>) -> &'v Value<'a> {
    for _ in 0..4 {
        match value {
            Value::Object(o) => match get(o, "elem").and_then(|e| e.as_object()) {
                Some(elem) => match get(elem, "val") {
                    Some(val) => value = val,
                    None => return value,
                },
                None => return value,
            },
            Value::Array(a) if a.elements.len() == 2 => value = &a.elements[0],
            _ => return value,
        }
    }
    value
}

/// The data of a map element `[key, data]` (inside `{"elem": {"val": …}}` if so written).
fn element_data<'v, 'a>(mut value: &'v Value<'a>) -> Option<&'v Value<'a>> {
    for _ in 0..4 {
        match value {
            Value::Object(o) => value = get(o.get_object("elem")?, "val")?,
            Value::Array(a) if a.elements.len() == 2 => return a.elements.get(1),
            _ => return None,
        }
    }
    None
}

/// Which component of a concatenation is the packet's protocol (`ip protocol`, `meta
/// l4proto`, `ip6 nexthdr`): each key's value there narrows the same key's ports.
fn protocol_component(parts: &[Value<'_>]) -> Option<usize> {
    parts.iter().position(|part| {
        let Some((name, inner)) = part.as_object().and_then(single_member) else {
            return false;
        };
        let inner = inner.as_object();
        match name {
            "meta" => inner.and_then(|o| string(get(o, "key"))) == Some("l4proto"),
            "payload" => matches!(
                (
                    inner.and_then(|o| string(get(o, "protocol"))),
                    inner.and_then(|o| string(get(o, "field")))
                ),
                (Some("ip"), Some("protocol")) | (Some("ip6"), Some("nexthdr"))
            ),
            _ => false,
        }
    })
}

/// The protocol a concatenated key names at component `index` (`"udp"`, `17`), if one.
fn key_protocol(key: &Value<'_>, index: usize) -> Option<ProtoSet> {
    let part = concat_parts(key)?.get(index)?;
    scalar_text(part)
        .as_deref()
        .and_then(L4::parse)
        .map(ProtoSet::one)
}

/// The protocols `keys` name at component `index`, when every key names one.
fn keyed_protocols(keys: &[&Value<'_>], index: Option<usize>) -> Option<ProtoSet> {
    let index = index?;
    keys.iter().try_fold(ProtoSet::EMPTY, |mut all, key| {
        key_protocol(key, index)?
            .iter()
            .for_each(|l4| all.insert(l4));
        Some(all)
    })
}

/// An empty rule beside `rule`, to collect matches in before they are placed.
fn scratch_rule(rule: &Rule) -> Rule {
    Rule {
        span: rule.span,
        matches: SmallVec::new(),
        nat: thin_vec::ThinVec::new(),
        verdict: None,
        rewrites: false,
    }
}

/// The components of `{"concat": [a, b, …]}`.
fn concat_parts<'v, 'a>(value: &'v Value<'a>) -> Option<&'v [Value<'a>]> {
    let object = value.as_object()?;
    let (name, inner) = single_member(object)?;
    match (name, inner) {
        ("concat", Value::Array(parts)) => Some(&parts.elements),
        _ => None,
    }
}

fn port_op(op: &str) -> Option<PortOp> {
    Some(match op {
        "==" | "in" | "eq" => PortOp::Eq,
        "!=" | "ne" => PortOp::Ne,
        "<" | "lt" => PortOp::Lt,
        ">" | "gt" => PortOp::Gt,
        "<=" | "le" => PortOp::Le,
        ">=" | "ge" => PortOp::Ge,
        _ => return None,
    })
}

/// The relational and bit operators libnftables knows.
fn is_known_op(op: &str) -> bool {
    // `!`: none of the flags (`ct state ! new`, as `nft -j` writes it).
    port_op(op).is_some() || matches!(op, "&" | "|" | "^" | "<<" | ">>" | "!")
}

/// Statement keys that are not verdicts, matches or NAT: kept as opaque matches. Anything else
/// is not a libnftables statement at all.
const OTHER_STATEMENTS: &[&str] = &[
    "counter",
    "mangle",
    "quota",
    "limit",
    "fwd",
    "notrack",
    "dup",
    "log",
    "ct helper",
    "ct timeout",
    "ct expectation",
    "meter",
    "set",
    "map",
    "secmark",
    "synproxy",
    "flow",
    "last",
    "inner",
    "ct count",
    "optstrip",
    "reset",
    "tunnel",
];

impl<'a> Reader<'a> {
    fn new(file: FileId, base: usize, resolver: &'a Resolver<'a>) -> Reader<'a> {
        Reader {
            file,
            base,
            atoms: Atoms::new(resolver),
            ruleset: Ruleset {
                file,
                tables: Vec::new(),
            },
            tables: Vec::new(),
            tables_by_name: HashMap::new(),
            references: Vec::new(),
            current_table: None,
            unanalysed: Default::default(),
        }
    }

    fn finish(mut self) -> (Ruleset, Vec<Diagnostic>) {
        self.check_references();
        let unanalysed = std::mem::take(&mut self.unanalysed);
        self.atoms.diagnostics.extend(unanalysed.findings());
        (self.ruleset, self.atoms.diagnostics)
    }

    fn span_of(&self, range: JsonRange) -> Span {
        Span::new(self.file, self.base + range.start..self.base + range.end)
    }

    fn span(&self, node: &impl Ranged) -> Span {
        self.span_of(node.range())
    }

    /// A string's characters without its quotes (what the text front end underlines).
    fn inner_span(&self, node: &impl Ranged) -> Span {
        let range = node.range();
        if range.end >= range.start + 2 {
            self.span_of(JsonRange::new(range.start + 1, range.end - 1))
        } else {
            self.span_of(range)
        }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.atoms.diagnostics.push(diagnostic);
    }

    /// PL001 for valid JSON that is not what libnftables reads.
    fn shape_error(&mut self, span: Span, message: String, help: &'static str) {
        self.push(Diagnostic::new(&check::syntax_error::RULE, span, message).with_help(help));
    }

    /// PL001 at the byte where the JSON stops being JSON.
    fn json_error(&mut self, error: &ParseError, body: &str) {
        let mut range = error.range();
        range.end = range.end.min(body.len());
        range.start = range.start.min(range.end);
        if range.start == range.end {
            // Point at the character there, if there is one, so that it is underlined.
            if let Some(c) = body.get(range.start..).and_then(|rest| rest.chars().next()) {
                range.end = range.start + c.len_utf8();
            }
        }
        let kind = error.kind().to_string();
        let mut chars = kind.chars();
        let kind = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => kind,
        };
        let span = self.span_of(range);
        let help = json_help(error.kind());
        self.shape_error(span, format!("invalid JSON: {kind}"), help);
    }

    // ---- the document ----

    fn document(&mut self, root: &'a Value<'a>) {
        let items = match root {
            Value::Object(object) => match get(object, "nftables") {
                Some(Value::Array(items)) => items,
                Some(other) => {
                    let span = self.span(other);
                    self.shape_error(
                        span,
                        "`nftables` must be an array of objects".to_string(),
                        "write `{\"nftables\": [{\"table\": …}, {\"chain\": …}, {\"rule\": …}]}`, as `nft -j list ruleset` does",
                    );
                    return;
                }
                None => {
                    let span = self.span(root);
                    self.shape_error(
                        span,
                        "expected an `nftables` member: this JSON is not a libnftables ruleset"
                            .to_string(),
                        "an `nft -j` file is one object: `{\"nftables\": [ … ]}`",
                    );
                    return;
                }
            },
            _ => {
                let span = self.span(root);
                self.shape_error(
                    span,
                    "expected an object with an `nftables` array".to_string(),
                    "an `nft -j` file is one object: `{\"nftables\": [ … ]}`",
                );
                return;
            }
        };
        // Declarations first: a rule may use a set or jump to a chain listed after it.
        let mut rules = Vec::new();
        // A command that places, replaces or removes rules leaves their order uncertain.
        let mut unordered = false;
        for item in &items.elements {
            let command = item
                .as_object()
                .and_then(single_member)
                .map(|(name, _)| name);
            unordered |= matches!(
                command,
                Some("insert" | "replace" | "delete" | "destroy" | "flush" | "rename")
            );
            if let Some((kind, object, outer)) = self.command(item) {
                let placed = ["position", "index", "handle"]
                    .iter()
                    .any(|key| get(object, key).is_some());
                unordered |= command == Some("add") && kind == "rule" && placed;
                if kind == "rule" {
                    rules.push((object, outer));
                } else {
                    self.declaration(kind, object, outer);
                }
            }
        }
        for (object, outer) in rules {
            self.rule(object, outer);
        }
        if unordered {
            self.ruleset.forget_sequence();
        }
        // A chain's rules grew by doubling; give back the unused tail.
        for table in &mut self.ruleset.tables {
            for chain in &mut table.chains {
                chain.rules.shrink_to_fit();
            }
        }
    }

    /// One element of the `nftables` array: `{"table": {…}}` or a command `{"add": {"table":
    /// {…}}}`. Returns the object kind, its body, and the `{"kind": …}` object around it.
    fn command(
        &mut self,
        item: &'a Value<'a>,
    ) -> Option<(&'a str, &'a Object<'a>, &'a Object<'a>)> {
        let span = self.span(item);
        let Some((name, value)) = item.as_object().and_then(single_member) else {
            self.shape_error(
                span,
                "expected an object with one member, such as `{\"rule\": {…}}`".to_string(),
                "each element of `nftables` is `{\"metainfo\"|\"table\"|\"chain\"|\"rule\"|\"set\"|\"map\"|…: {…}}` or a command such as `{\"add\": {\"rule\": {…}}}`",
            );
            return None;
        };
        match name {
            "add" | "create" | "insert" => {
                let Some((kind, object)) = value.as_object().and_then(single_member) else {
                    let span = self.span(value);
                    self.shape_error(
                        span,
                        format!("`{name}` takes an object with one member, such as `{{\"rule\": {{…}}}}`"),
                        "write `{\"add\": {\"rule\": {\"family\": …, \"table\": …, \"chain\": …, \"expr\": […]}}}`",
                    );
                    return None;
                };
                let outer = value.as_object()?;
                self.object_kind(kind, object, outer)
            }
            // Commands that change or show what the kernel has: nothing to lint in them.
            "flush" | "delete" | "destroy" | "list" | "reset" | "rename" | "replace"
            | "monitor" => None,
            "metainfo" => None,
            _ => self.object_kind(name, value, item.as_object()?),
        }
    }

    /// Check that `kind` is a libnftables object and its body an object.
    fn object_kind(
        &mut self,
        kind: &'a str,
        value: &'a Value<'a>,
        outer: &'a Object<'a>,
    ) -> Option<(&'a str, &'a Object<'a>, &'a Object<'a>)> {
        const KINDS: &[&str] = &[
            "table",
            "chain",
            "rule",
            "set",
            "map",
            "element",
            "flowtable",
            "counter",
            "quota",
            "limit",
            "secmark",
            "synproxy",
            "ct helper",
            "ct timeout",
            "ct expectation",
            "tunnel",
        ];
        if !KINDS.contains(&kind) {
            let span = self.span(outer);
            self.shape_error(
                span,
                format!("unknown libnftables object `{kind}`"),
                "expected `table`, `chain`, `rule`, `set`, `map`, `element`, `flowtable`, a stateful object, or a command `add`/`insert`/`create`/`flush`/`delete`",
            );
            return None;
        }
        match value {
            Value::Object(object) => Some((kind, object, outer)),
            _ => {
                let span = self.span(value);
                self.shape_error(
                    span,
                    format!("`{kind}` must be an object"),
                    "write it as `nft -j list ruleset` does, e.g. `{\"table\": {\"family\": \"inet\", \"name\": \"filter\"}}`",
                );
                None
            }
        }
    }

    /// A table, chain, set, map, element list or named object; `outer` is the `{"table": …}`
    /// object around it, the span of a table or chain.
    fn declaration(&mut self, kind: &str, object: &'a Object<'a>, outer: &'a Object<'a>) {
        match kind {
            "table" => self.table(object, outer),
            "chain" => self.chain(object, outer),
            "set" | "map" => self.set(object),
            "element" => self.elements(object),
            // Flowtables and stateful objects: only their names matter (for `@name`).
            _ => {
                let Some(place) = self.place(object) else {
                    return;
                };
                let table = self.table_index(&place);
                if let Some(name) = string(get(object, "name")) {
                    self.tables[table].named.push(name.to_string());
                }
            }
        }
    }

    /// The family and table an object names (`"family"` defaults to `ip`, as in nft).
    fn place(&mut self, object: &'a Object<'a>) -> Option<Place<'a>> {
        let family = self.family(object)?;
        let Some(table_value @ Value::StringLit(table)) = get(object, "table") else {
            let span = self.span(object);
            self.shape_error(
                span,
                "expected a `table` name".to_string(),
                "name the table the object belongs to: `\"table\": \"filter\"`",
            );
            return None;
        };
        Some(Place {
            family,
            table: table.value.as_ref(),
            table_span: self.inner_span(table_value),
        })
    }

    /// An object's `family`: `ip` when it has none (as nft defaults), PL001 when unknown.
    fn family(&mut self, object: &'a Object<'a>) -> Option<Family> {
        let Some(value) = get(object, "family") else {
            return Some(Family::Ip);
        };
        let family = string(Some(value)).and_then(Family::parse);
        if family.is_none() {
            let span = self.span(value);
            self.shape_error(
                span,
                "unknown address family".to_string(),
                "a family is one of \"ip\", \"ip6\", \"inet\", \"arp\", \"bridge\", \"netdev\"",
            );
        }
        family
    }

    fn table_index(&mut self, place: &Place<'_>) -> usize {
        let names = self.tables_by_name.entry(place.family).or_default();
        if let Some(&i) = names.get(place.table) {
            return i;
        }
        names.insert(place.table.to_string(), self.ruleset.tables.len());
        self.tables.push(TableFacts::default());
        self.ruleset.tables.push(Table {
            family: place.family,
            name: place.table.to_string(),
            span: place.table_span,
            chains: Vec::new(),
        });
        self.ruleset.tables.len() - 1
    }

    fn chain_index(&mut self, table: usize, name: &str, span: Span) -> usize {
        let chains = &mut self.ruleset.tables[table].chains;
        let by_name = &mut self.tables[table].chains_by_name;
        if let Some(&i) = by_name.get(name) {
            return i;
        }
        by_name.insert(name.to_string(), chains.len());
        chains.push(Chain {
            name: name.to_string(),
            span,
            base: None,
            rules: Vec::new(),
            sequence_known: true,
        });
        chains.len() - 1
    }

    /// A required string member, or PL001 saying which.
    fn required_name(
        &mut self,
        object: &'a Object<'a>,
        member: &str,
        what: &str,
    ) -> Option<&'a str> {
        match string(get(object, member)) {
            Some(name) => Some(name),
            None => {
                let span = self.span(object);
                self.shape_error(
                    span,
                    format!("{what} needs a `{member}` string"),
                    "write it as `nft -j list ruleset` does",
                );
                None
            }
        }
    }

    fn table(&mut self, object: &'a Object<'a>, outer: &'a Object<'a>) {
        let Some(name_value @ Value::StringLit(name)) = get(object, "name") else {
            let span = self.span(object);
            self.shape_error(
                span,
                "a table needs a `name` string".to_string(),
                "write `{\"table\": {\"family\": \"inet\", \"name\": \"filter\"}}`",
            );
            return;
        };
        // A table object names itself in `name` (other objects name their table in `table`).
        let Some(family) = self.family(object) else {
            return;
        };
        let place = Place {
            family,
            table: name.value.as_ref(),
            table_span: self.inner_span(name_value),
        };
        let index = self.table_index(&place);
        self.tables[index].declared = true;
        self.ruleset.tables[index].span = self.span(outer);
    }

    fn chain(&mut self, object: &'a Object<'a>, outer: &'a Object<'a>) {
        let Some(place) = self.place(object) else {
            return;
        };
        let Some(name) = self.required_name(object, "name", "a chain") else {
            return;
        };
        let table = self.table_index(&place);
        let span = self.span(outer);
        let index = self.chain_index(table, name, span);
        let base = match (get(object, "type"), get(object, "hook")) {
            (None, None) => None,
            (chain_type, hook) => Some(BaseChain {
                chain_type: string(chain_type).unwrap_or("filter").to_string(),
                hook: string(hook).and_then(Hook::parse),
                priority: get(object, "prio").and_then(scalar_text),
                policy: self.policy(get(object, "policy")),
                policy_span: Some(match get(object, "policy").or(get(object, "hook")) {
                    Some(value) => self.span(value),
                    None => span,
                }),
                whole: true,
            }),
        };
        let chain = &mut self.ruleset.tables[table].chains[index];
        chain.span = span;
        if base.is_some() {
            chain.base = base;
        }
    }

    fn policy(&mut self, value: Option<&'a Value<'a>>) -> Option<Verdict> {
        let value = value?;
        match string(Some(value)) {
            Some("accept") => Some(Verdict::Accept),
            Some("drop") => Some(Verdict::Drop),
            _ => {
                let span = self.span(value);
                self.shape_error(
                    span,
                    "a chain policy is \"accept\" or \"drop\"".to_string(),
                    "write `\"policy\": \"drop\"` or `\"policy\": \"accept\"`",
                );
                None
            }
        }
    }

    /// A named set or map: remember its name, which key components are ports, its elements.
    fn set(&mut self, object: &'a Object<'a>) {
        let Some(place) = self.place(object) else {
            return;
        };
        let Some(name) = self.required_name(object, "name", "a set") else {
            return;
        };
        let table = self.table_index(&place);
        let shape = get(object, "type").map_or(Shape::Other, |t| self.shape(t));
        let elements: Option<Vec<&'a Value<'a>>> = match get(object, "elem") {
            Some(Value::Array(elements)) => Some(elements.elements.iter().collect()),
            Some(single) => Some(vec![single]),
            None => None,
        };
        let facts = &mut self.tables[table];
        facts.named.push(name.to_string());
        facts
            .sets
            .insert(name.to_string(), NamedSet { shape, elements });
    }

    /// `{"element": {"family", "table", "name", "elem": […]}}`: elements added to a set.
    fn elements(&mut self, object: &'a Object<'a>) {
        let Some(place) = self.place(object) else {
            return;
        };
        let Some(name) = self.required_name(object, "name", "an element command") else {
            return;
        };
        let table = self.table_index(&place);
        let added: Vec<&'a Value<'a>> = match get(object, "elem") {
            Some(Value::Array(elements)) => elements.elements.iter().collect(),
            Some(single) => vec![single],
            None => Vec::new(),
        };
        if let Some(set) = self.tables[table].sets.get_mut(name) {
            set.elements.get_or_insert_with(Vec::new).extend(added);
        }
    }

    /// Which components of a set's `type` are ports: `"inet_service"`, `["ipv4_addr",
    /// "inet_service"]`, or a typeof expression (`{"payload": {"protocol": "tcp", "field":
    /// "dport"}}`, a `concat` of them).
    fn shape(&mut self, value: &'a Value<'a>) -> Shape {
        let is_port = |reader: &mut Reader<'a>, v: &'a Value<'a>| match v {
            Value::StringLit(s) => s.value == "inet_service",
            _ => matches!(reader.field(v), Field::Ports { .. }),
        };
        match value {
            Value::Array(parts) => {
                let flags: Vec<bool> = parts.elements.iter().map(|p| is_port(self, p)).collect();
                if flags.iter().any(|&f| f) {
                    Shape::Concat(flags)
                } else {
                    Shape::Other
                }
            }
            Value::Object(o) => {
                let inner = get(o, "typeof").unwrap_or(value);
                match concat_parts(inner) {
                    Some(parts) => {
                        let flags: Vec<bool> = parts.iter().map(|p| is_port(self, p)).collect();
                        if flags.iter().any(|&f| f) {
                            Shape::Concat(flags)
                        } else {
                            Shape::Other
                        }
                    }
                    None if is_port(self, inner) => Shape::Ports,
                    None => Shape::Other,
                }
            }
            _ if is_port(self, value) => Shape::Ports,
            _ => Shape::Other,
        }
    }

    /// Report `@set` and `jump`/`goto` targets that a table declared in this file lacks (the
    /// same findings and words as the text front end).
    fn check_references(&mut self) {
        let references = std::mem::take(&mut self.references);
        let tables = &self.tables;
        let found = undefined_references(references, &self.ruleset.tables, |i| {
            tables
                .get(i)
                .filter(|facts| facts.declared)
                .map(|facts| facts.named.as_slice())
        });
        for diagnostic in found {
            self.push(diagnostic);
        }
    }

    // ---- rules ----

    /// `{"rule": {"family", "table", "chain", "expr": […]}}`; `outer` is the `{"rule": …}`
    /// object, the rule's span.
    fn rule(&mut self, object: &'a Object<'a>, outer: &'a Object<'a>) {
        let Some(place) = self.place(object) else {
            return;
        };
        let Some(chain_value @ Value::StringLit(chain_name)) = get(object, "chain") else {
            let span = self.span(object);
            self.shape_error(
                span,
                "a rule needs a `chain` name".to_string(),
                "name the chain the rule belongs to: `\"chain\": \"input\"`",
            );
            return;
        };
        let table = self.table_index(&place);
        let chain_span = self.inner_span(chain_value);
        let chain = self.chain_index(table, chain_name.value.as_ref(), chain_span);
        let statements: &'a [Value<'a>] = match get(object, "expr") {
            Some(Value::Array(expr)) => &expr.elements,
            Some(other) => {
                let span = self.span(other);
                self.shape_error(
                    span,
                    "a rule's `expr` must be an array of statements".to_string(),
                    "write `\"expr\": [{\"match\": …}, {\"accept\": null}]`",
                );
                return;
            }
            None => &[],
        };
        self.current_table = Some(table);
        let mut rule = Rule {
            span: self.span(outer),
            matches: SmallVec::new(),
            nat: thin_vec::ThinVec::new(),
            verdict: None,
            rewrites: false,
        };
        let mut nat_pending = Vec::new();
        let mut groups = Splits::default();
        for statement in statements {
            self.statement(table, &mut rule, statement, &mut nat_pending, &mut groups);
        }
        // NAT targets are read last: their port protocol is the rule's, wherever it was matched.
        for (kind, body, span) in nat_pending {
            // `{"addr": {"map": …}}`: a packet whose key the map lacks is not translated, and
            // the rule does not match it (as in the text front end).
            let through_map = body.as_object().is_some_and(|object| {
                ["addr", "port"].iter().any(|key| {
                    get(object, key)
                        .and_then(Value::as_object)
                        .is_some_and(|value| get(value, "map").is_some())
                })
            });
            if through_map {
                rule.matches.push(Match::Opaque { span });
            }
            let nat = self.nat(&rule, kind, body, span);
            rule.nat.push(nat.without_own_port());
        }
        rule.matches.shrink_to_fit();
        split_rule(
            rule,
            groups,
            &mut self.ruleset.tables[table].chains[chain].rules,
        );
    }

    fn statement(
        &mut self,
        table: usize,
        rule: &mut Rule,
        statement: &'a Value<'a>,
        nat_pending: &mut Vec<(NatKind, &'a Value<'a>, Span)>,
        groups: &mut Splits,
    ) {
        let span = self.span(statement);
        let Some((name, body)) = statement.as_object().and_then(single_member) else {
            self.shape_error(
                span,
                "expected a statement: an object with one member, such as `{\"accept\": null}`".to_string(),
                "each element of `expr` is a statement such as `{\"match\": {…}}`, `{\"counter\": null}` or `{\"accept\": null}`",
            );
            return;
        };
        self.note_set_references(table, body, 0);
        if let Some(kind) = unanalysed_kind(name, body) {
            self.unanalysed.saw(kind, span);
        }
        match name {
            "match" => self.match_statement(rule, body, span, groups),
            "accept" | "drop" | "continue" | "return" => {
                let verdict = match name {
                    "accept" => Verdict::Accept,
                    "drop" => Verdict::Drop,
                    "return" => Verdict::Return,
                    _ => Verdict::Continue,
                };
                rule.verdict = Some((verdict, span));
            }
            "reject" => rule.verdict = Some((Verdict::Reject, span)),
            "queue" => rule.verdict = Some((Verdict::Queue, span)),
            "jump" | "goto" => self.jump(table, rule, name, body, span),
            "dnat" | "snat" | "redirect" | "masquerade" | "tproxy" => {
                let kind = match name {
                    "dnat" => NatKind::Dnat,
                    "snat" => NatKind::Snat,
                    "masquerade" => NatKind::Masquerade,
                    "tproxy" => NatKind::Tproxy,
                    _ => NatKind::Redirect,
                };
                self.implied_l4(rule, body, 0);
                self.map_lookups(rule, body, span, 0);
                nat_pending.push((kind, body, span));
            }
            "vmap" => self.verdict_map(rule, body, span, groups),
            // What iptables-nft wrote and nft cannot translate: nft 1.0.6 refuses to restore it
            // ("unsupported xtables compat expression").
            "xt" => self.shape_error(
                span,
                "an `xt` statement: nft cannot restore it (unsupported xtables compat expression)".to_string(),
                "iptables-nft added this rule with a match or target nft cannot translate; restore it with iptables-nft-restore, or write the rule in nft's own syntax",
            ),
            // Statements that filter nothing: a rule with them matches what its matches do.
            "counter" | "log" => {}
            "notrack" => rule.rewrites = true,
            "mangle" => {
                // `meta mark set …` changes nothing a match here tests; other fields may.
                let marks = body
                    .as_object()
                    .and_then(|o| get(o, "key"))
                    .and_then(|k| k.as_object().and_then(single_member))
                    .and_then(|(_, inner)| inner.as_object())
                    .and_then(|inner| string(get(inner, "key")))
                    .is_some_and(|key| {
                        matches!(key, "mark" | "priority" | "nftrace" | "secmark" | "label")
                    });
                rule.rewrites |= !marks;
                self.implied_l4(rule, body, 0);
                self.map_lookups(rule, body, span, 0);
            }
            _ if OTHER_STATEMENTS.contains(&name) => {
                self.implied_l4(rule, body, 0);
                self.map_lookups(rule, body, span, 0);
                rule.matches.push(Match::Opaque { span });
            }
            _ => {
                self.shape_error(
                    span,
                    format!("unknown statement `{name}`"),
                    "expected a libnftables statement such as `match`, `counter`, `accept`, `jump`, `dnat`, `vmap`",
                );
            }
        }
    }

    /// `{"jump": {"target": "name"}}`.
    fn jump(&mut self, table: usize, rule: &mut Rule, name: &str, body: &'a Value<'a>, span: Span) {
        let target = body.as_object().and_then(|o| get(o, "target"));
        let Some(target_value @ Value::StringLit(target)) = target else {
            self.shape_error(
                span,
                format!("`{name}` needs a target chain"),
                "write `{\"jump\": {\"target\": \"CHAIN\"}}` with the name of a chain in this table",
            );
            return;
        };
        let target_span = self.inner_span(target_value);
        self.references.push(Reference {
            table,
            kind: ReferenceKind::Chain,
            name: target.value.to_string(),
            span: target_span,
        });
        let verdict = if name == "jump" {
            Verdict::Jump(target.value.as_ref().into())
        } else {
            Verdict::Goto(target.value.as_ref().into())
        };
        rule.verdict = Some((verdict, span));
    }

    /// Every `"@name"` string in a statement is a set reference (checked at the end, as nft
    /// resolves them once the file is read). Comments are text, not references.
    fn note_set_references(&mut self, table: usize, value: &'a Value<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::StringLit(s) => {
                if let Some(name) = s.value.strip_prefix('@') {
                    let span = self.inner_span(value);
                    self.references.push(Reference {
                        table,
                        kind: ReferenceKind::Set,
                        name: name.to_string(),
                        span,
                    });
                }
            }
            Value::Array(a) => {
                for element in &a.elements {
                    self.note_set_references(table, element, depth + 1);
                }
            }
            Value::Object(o) => {
                for p in &o.properties {
                    if p.name.as_str() != "comment" {
                        self.note_set_references(table, &p.value, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// What a match's left-hand side looks at.
    fn field(&self, left: &'a Value<'a>) -> Field {
        let Some((kind, body)) = left.as_object().and_then(single_member) else {
            return Field::Other { l4: None };
        };
        let Some(body) = body.as_object() else {
            return Field::Other { l4: None };
        };
        match kind {
            // A tunnel's inner header (`vxlan ip saddr`): not the packet's own fields.
            "payload" if get(body, "tunnel").is_some() => Field::Other { l4: None },
            "payload" => {
                let protocol = string(get(body, "protocol")).unwrap_or("");
                let field = string(get(body, "field")).unwrap_or("");
                let direction = match field {
                    "dport" => Some(PortDirection::Destination),
                    "sport" => Some(PortDirection::Source),
                    _ => None,
                };
                let l4 = match protocol {
                    "tcp" | "udp" | "sctp" | "dccp" | "udplite" => {
                        L4::parse(protocol).map(|l4| (l4, self.span(left)))
                    }
                    _ => None,
                };
                match (protocol, field, direction, l4) {
                    ("ip" | "ip6", "saddr" | "daddr", ..) => Field::Address {
                        direction: if field == "saddr" {
                            Direction::Source
                        } else {
                            Direction::Destination
                        },
                        family: if protocol == "ip" {
                            Family::Ip
                        } else {
                            Family::Ip6
                        },
                    },
                    ("ip", "protocol", ..) => Field::Proto {
                        family: Some(Family::Ip),
                    },
                    ("ip6", "nexthdr", ..) => Field::Proto {
                        family: Some(Family::Ip6),
                    },
                    ("th", _, Some(direction), _) => Field::Ports {
                        direction,
                        protos: ProtoSet::ANY,
                        l4: None,
                        conntrack: false,
                    },
                    (_, _, Some(direction), Some((l4, span))) => Field::Ports {
                        direction,
                        protos: ProtoSet::one(l4),
                        l4: Some((l4, span)),
                        conntrack: false,
                    },
                    (_, _, _, l4) => Field::Other { l4 },
                }
            }
            "meta" => match string(get(body, "key")) {
                Some("l4proto") => Field::Proto { family: None },
                Some("iif" | "iifname") => Field::Interface {
                    direction: Direction::Source,
                },
                Some("oif" | "oifname") => Field::Interface {
                    direction: Direction::Destination,
                },
                _ => Field::Other { l4: None },
            },
            "ct" if string(get(body, "key")) == Some("state") && get(body, "dir").is_none() => {
                Field::CtState
            }
            "ct" => {
                // The reply direction's destination port is the original's source port.
                let reply = string(get(body, "dir")) == Some("reply");
                let direction = match (string(get(body, "key")), reply) {
                    (Some("proto-dst"), false) | (Some("proto-src"), true) => {
                        PortDirection::Destination
                    }
                    (Some("proto-src"), false) | (Some("proto-dst"), true) => PortDirection::Source,
                    _ => return Field::Other { l4: None },
                };
                Field::Ports {
                    direction,
                    protos: ProtoSet::ANY,
                    l4: None,
                    conntrack: true,
                }
            }
            _ => Field::Other { l4: None },
        }
    }

    /// `{"match": {"op", "left", "right"}}`.
    fn match_statement(
        &mut self,
        rule: &mut Rule,
        body: &'a Value<'a>,
        span: Span,
        groups: &mut Splits,
    ) {
        let parts = body
            .as_object()
            .and_then(|o| Some((o, get(o, "left")?, get(o, "right")?)));
        let Some((object, left, right)) = parts else {
            self.shape_error(
                span,
                "a `match` needs `left` and `right`".to_string(),
                "write `{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}}`",
            );
            return;
        };
        let op_text = match get(object, "op") {
            None => "==",
            Some(value) => match string(Some(value)).filter(|op| is_known_op(op)) {
                Some(op) => op,
                None => {
                    let span = self.span(value);
                    self.shape_error(
                        span,
                        "unknown match operator".to_string(),
                        "an operator is one of \"==\", \"!=\", \"<\", \">\", \"<=\", \">=\", \"in\", \"!\", \"&\", \"|\", \"^\", \"<<\", \">>\"",
                    );
                    return;
                }
            },
        };
        let op = port_op(op_text);
        if let Some(parts) = concat_parts(left) {
            self.concat_match(rule, parts, op, right, span, groups);
            return;
        }
        match self.field(left) {
            Field::Proto { family } => {
                if let Some(family) = family {
                    let span = self.span(left);
                    rule.matches.push(Match::Family { family, span });
                }
                self.proto_match(rule, op, right, span)
            }
            Field::Other { l4 } => {
                self.push_l4(rule, l4);
                rule.matches.push(Match::Opaque { span });
            }
            Field::Address { direction, family } => {
                rule.matches.push(Match::Family {
                    family,
                    span: self.span(left),
                });
                let typed = self
                    .address_set(right, family == Family::Ip6)
                    .filter(|_| matches!(op_text, "==" | "!=" | "in"));
                rule.matches.push(match typed {
                    Some(set) => Match::Addresses {
                        direction,
                        negated: op_text == "!=",
                        set: Box::new(set),
                        span,
                    },
                    None => Match::Opaque { span },
                });
            }
            Field::Interface { direction } => {
                let typed = self
                    .interface_names(right)
                    .filter(|_| matches!(op_text, "==" | "!=" | "in"));
                rule.matches.push(match typed {
                    Some(names) => Match::Interface {
                        direction,
                        negated: op_text == "!=",
                        names: Box::new(names),
                        span,
                    },
                    None => Match::Opaque { span },
                });
            }
            Field::CtState => {
                let typed =
                    Self::ct_states(right).filter(|_| matches!(op_text, "==" | "!=" | "in" | "!"));
                rule.matches.push(match typed {
                    // `!`: none of the flags. A packet has one state, so: any other state.
                    Some(states) if matches!(op_text, "!=" | "!") => Match::CtState {
                        states: states.complement(),
                        span,
                    },
                    Some(states) => Match::CtState { states, span },
                    None => Match::Opaque { span },
                });
            }
            Field::Ports {
                direction,
                protos,
                l4,
                conntrack,
            } => {
                self.push_l4(rule, l4);
                let Some(op) = op else {
                    // `tcp dport & 0xff00 == …`: a bit operation, not a port comparison.
                    rule.matches.push(Match::Opaque { span });
                    self.unanalysed
                        .saw(crate::frontend::unanalysed::PORT_BIT_OPERATION, span);
                    return;
                };
                match self.port_value(right, protos, &[], 0) {
                    PortValue::Ports(mut elements, is_list) => {
                        elements.shrink_to_fit();
                        rule.matches.push(Match::Ports {
                            direction,
                            conntrack,
                            op,
                            protos,
                            ports: Box::new(PortSet {
                                elements,
                                span: self.span(right),
                                is_list,
                            }),
                            span,
                        });
                    }
                    PortValue::Opaque => rule.matches.push(Match::Opaque { span }),
                }
            }
        }
    }

    /// The address set of a match's right side: an address, `{"prefix": {"addr", "len"}}`,
    /// `{"range": [a, b]}`, or a `{"set": […]}` of them. `None` for a named set (`"@name"`),
    /// anything else, or an address of the other family.
    fn address_set(&self, right: &'a Value<'a>, v6: bool) -> Option<AddressSet> {
        let mut ranges = Vec::new();
        match right.as_object().and_then(single_member) {
            Some(("set", Value::Array(items))) => {
                for item in &items.elements {
                    ranges.push(self.address_range(item, v6)?);
                }
            }
            _ => ranges.push(self.address_range(right, v6)?),
        }
        Some(AddressSet {
            ranges,
            span: self.span(right),
        })
    }

    fn address_range(&self, value: &'a Value<'a>, v6: bool) -> Option<AddressRange> {
        let text = match value {
            Value::StringLit(s) if !s.value.starts_with('@') => s.value.to_string(),
            _ => match value.as_object().and_then(single_member)? {
                ("prefix", Value::Object(prefix)) => {
                    let addr = string(get(prefix, "addr"))?;
                    let len = match get(prefix, "len")? {
                        Value::NumberLit(n) => n.value.parse::<u8>().ok()?,
                        _ => return None,
                    };
                    format!("{addr}/{len}")
                }
                ("range", Value::Array(ends)) => match ends.elements.as_slice() {
                    [Value::StringLit(a), Value::StringLit(b)] => {
                        format!("{}-{}", a.value, b.value)
                    }
                    _ => return None,
                },
                _ => return None,
            },
        };
        let (first, last) = crate::frontend::addresses::nft_value(&text, v6).ok()?;
        let (v6, lo, _) = first.range()?;
        let (_, _, hi) = last.as_ref().unwrap_or(&first).range()?;
        Some(AddressRange {
            v6,
            lo,
            hi,
            span: self.span(value),
        })
    }

    /// Interface names: a string or a `{"set": […]}` of strings; a name ending in `*` is a
    /// wildcard (as in the text).
    fn interface_names(&self, right: &'a Value<'a>) -> Option<ThinVec<InterfaceName>> {
        let items: &[Value<'a>] = match right.as_object().and_then(single_member) {
            Some(("set", Value::Array(items))) => &items.elements,
            _ => std::slice::from_ref(right),
        };
        let mut names = ThinVec::with_capacity(items.len());
        for item in items {
            let Value::StringLit(s) = item else {
                return None;
            };
            if s.value.starts_with('@') {
                return None;
            }
            let (name, wildcard) = super::interface_name(&s.value);
            names.push(InterfaceName {
                name,
                wildcard,
                span: self.inner_span(item),
            });
        }
        Some(names)
    }

    /// Conntrack states: a name, a `{"set": […]}` or `{"|": […]}` of names, or a JSON array
    /// of them (flags).
    fn ct_states(right: &Value<'_>) -> Option<CtStates> {
        let items: &[Value<'_>] = match right {
            Value::Array(items) => &items.elements,
            _ => match right.as_object().and_then(single_member) {
                Some(("set" | "|", Value::Array(items))) => &items.elements,
                _ => std::slice::from_ref(right),
            },
        };
        let mut states = CtStates(0);
        for item in items {
            let Value::StringLit(s) = item else {
                return None;
            };
            states = states.union(CtStates::parse(&s.value)?);
        }
        Some(states)
    }

    /// `tcp …` also matches the protocol (nft adds the dependency): as the text front end does.
    fn push_l4(&self, rule: &mut Rule, l4: Option<(L4, Span)>) {
        if let Some((l4, span)) = l4 {
            rule.matches.push(Match::L4Proto {
                protos: ProtoSet::one(l4),
                span,
            });
        }
    }

    /// `meta l4proto`, `ip protocol`, `ip6 nexthdr`: a name, number or set of them. A negated
    /// match, or one on protocols without ports (icmp…), is opaque, as in the text front end.
    fn proto_match(
        &mut self,
        rule: &mut Rule,
        op: Option<PortOp>,
        right: &'a Value<'a>,
        span: Span,
    ) {
        let values: Vec<&Value<'a>> = match right.as_object().and_then(|o| get(o, "set")) {
            Some(Value::Array(set)) => set.elements.iter().map(element_key).collect(),
            Some(single) => vec![single],
            None => vec![right],
        };
        let mut protos = ProtoSet::EMPTY;
        let mut opaque = op != Some(PortOp::Eq);
        for value in values {
            match scalar_text(value).as_deref().and_then(L4::parse) {
                Some(l4) => protos.insert(l4),
                None => opaque = true,
            }
        }
        if opaque {
            rule.matches.push(Match::Opaque { span });
        } else {
            rule.matches.push(Match::L4Proto { protos, span });
        }
    }

    /// `ip saddr . tcp dport { 10.0.0.1 . 22, … }`, `… @set`: each port component becomes a
    /// port match on that component's values (implied by the concatenation), and the whole
    /// match stays as an opaque one, since it constrains more than the ports. Only `==`
    /// projects: a negated concatenation says nothing about one component.
    fn concat_match(
        &mut self,
        rule: &mut Rule,
        parts: &'a [Value<'a>],
        op: Option<PortOp>,
        right: &'a Value<'a>,
        span: Span,
        groups: &mut Splits,
    ) {
        if op == Some(PortOp::Eq) {
            let keys = self.lookup_keys(right, true);
            let each = keys
                .as_ref()
                .and_then(|k| self.protocol_alternatives(parts, k, right, span));
            let keyed = keys
                .as_ref()
                .and_then(|k| keyed_protocols(&k.values, protocol_component(parts)));
            // project_concat gives the components' own protocols (`tcp dport`: tcp), which
            // hold in every alternative, and the port matches.
            let mut projected = scratch_rule(rule);
            self.project_concat(&mut projected, parts, keys, right, span);
            let (implied, ports): (Vec<Match>, Vec<Match>) = projected
                .matches
                .into_iter()
                .partition(|m| matches!(m, Match::L4Proto { .. }));
            let keyed = keyed.map(|protos| Match::L4Proto { protos, span });
            match each {
                Some(each) => {
                    rule.matches.extend(implied);
                    let merged = keyed.into_iter().chain(ports).collect();
                    groups.alternatives.push(Alternatives { each, merged });
                }
                None => {
                    rule.matches.extend(keyed);
                    rule.matches.extend(implied);
                    rule.matches.extend(ports);
                }
            }
        } else {
            self.project_concat(rule, parts, None, right, span);
        }
        rule.matches.push(Match::Opaque { span });
    }

    /// A set's keys by the protocol each names, when the key has a protocol component and the
    /// keys name more than one (`{ udp . 51820, tcp . 22 }`): each protocol's matches, as the
    /// text front end splits them.
    fn protocol_alternatives(
        &mut self,
        parts: &'a [Value<'a>],
        keys: &Keys<'a>,
        right: &'a Value<'a>,
        span: Span,
    ) -> Option<Vec<Vec<Match>>> {
        let at = protocol_component(parts)?;
        let keyed: Vec<_> = keys
            .values
            .iter()
            .map(|key| Some((key_protocol(key, at)?, (), *key)))
            .collect::<Option<_>>()?;
        let by_protocol = group_in_order(keyed);
        if by_protocol.len() < 2 {
            return None;
        }
        let mut each = Vec::new();
        for (protos, (), values) in by_protocol {
            let mut scratch = Rule {
                span,
                matches: SmallVec::new(),
                nat: thin_vec::ThinVec::new(),
                verdict: None,
                rewrites: false,
            };
            let keys = Keys {
                values,
                via: keys.via.clone(),
                ports: keys.ports.clone(),
            };
            self.project_concat(&mut scratch, parts, Some(keys), right, span);
            scratch.matches.retain(|m| matches!(m, Match::Ports { .. }));
            scratch.matches.insert(0, Match::L4Proto { protos, span });
            each.push(scratch.matches.into_vec());
        }
        Some(each)
    }

    /// The protocol each component implies, and a port match per port component on the
    /// values `keys` give it (none when `keys` is `None`).
    fn project_concat(
        &mut self,
        rule: &mut Rule,
        parts: &'a [Value<'a>],
        keys: Option<Keys<'a>>,
        written: &'a Value<'a>,
        span: Span,
    ) {
        let fields: Vec<Field> = parts.iter().map(|p| self.field(p)).collect();
        for field in &fields {
            if let Field::Ports { l4, .. } | Field::Other { l4 } = field {
                self.push_l4(rule, *l4);
            }
        }
        let Some(keys) = keys else {
            return;
        };
        let keyed = keyed_protocols(&keys.values, protocol_component(parts));
        for (index, field) in fields.iter().enumerate() {
            let Field::Ports {
                direction,
                protos,
                conntrack,
                ..
            } = field
            else {
                continue;
            };
            let protos = &match keyed {
                Some(keyed) => protos.intersect(keyed),
                None => *protos,
            };
            // A named set's type says which components are ports; trust nothing else.
            if keys
                .ports
                .as_ref()
                .is_some_and(|p| p.get(index) != Some(&true))
            {
                continue;
            }
            let components: Option<Vec<&'a Value<'a>>> = keys
                .values
                .iter()
                .map(|k| concat_parts(k).and_then(|p| p.get(index)))
                .collect();
            let Some(components) = components else {
                continue;
            };
            if let PortValue::Ports(elements, _) =
                self.port_elements(&components, *protos, &keys.via, 0)
            {
                rule.matches.push(Match::Ports {
                    direction: *direction,
                    conntrack: *conntrack,
                    op: PortOp::Eq,
                    protos: *protos,
                    // A projection: the same port in several tuples is no duplicate.
                    ports: Box::new(PortSet {
                        elements,
                        span: self.span(written),
                        is_list: false,
                    }),
                    span,
                });
            }
        }
    }

    /// The keys a lookup is matched against: an anonymous set's or map's elements (`[key,
    /// data]` pairs give their key), a named set's or map's (with the use that brought them), or
    /// one `concat` value. `concat` says whether concatenated keys are wanted.
    fn lookup_keys(&mut self, value: &'a Value<'a>, concat: bool) -> Option<Keys<'a>> {
        if let Some(name) = string(Some(value)).and_then(|s| s.strip_prefix('@')) {
            let table = self.current_table?;
            let set = self.tables.get(table)?.sets.get(name)?;
            let ports = match (&set.shape, concat) {
                (Shape::Ports, false) => None,
                (Shape::Concat(flags), true) => Some(flags.clone()),
                _ => return None,
            };
            // A set listed without elements is filled at run time (`add @set …`): unknown.
            let values = set
                .elements
                .as_ref()?
                .iter()
                .map(|v| element_key(v))
                .collect();
            let via = vec![VariableUse {
                name: name.to_string(),
                span: self.inner_span(value),
                is_set: true,
            }];
            return Some(Keys { values, via, ports });
        }
        if concat && concat_parts(value).is_some() {
            return Some(Keys {
                values: vec![value],
                via: Vec::new(),
                ports: None,
            });
        }
        match value.as_object().and_then(|o| get(o, "set")) {
            Some(Value::Array(set)) => Some(Keys {
                values: set.elements.iter().map(element_key).collect(),
                via: Vec::new(),
                ports: None,
            }),
            _ => None,
        }
    }

    /// Every layer-4 protocol a statement's payload expressions imply: nft makes `limit name
    /// tcp dport map { … }` or `dnat to tcp dport map { … }` match tcp only, as the text front
    /// end's `tcp` word does.
    fn implied_l4(&self, rule: &mut Rule, value: &'a Value<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Array(a) => {
                for element in &a.elements {
                    self.implied_l4(rule, element, depth + 1);
                }
            }
            Value::Object(o) => {
                if let Some(("payload", _)) = single_member(o) {
                    if let Field::Ports { l4, .. } | Field::Other { l4 } = self.field(value) {
                        self.push_l4(rule, l4);
                    }
                    return;
                }
                for p in &o.properties {
                    self.implied_l4(rule, &p.value, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// A port value: a number, a string (a port, `lo-hi`, a service name), a range, an
    /// anonymous set, or `@name` of a named set of ports.
    fn port_value(
        &mut self,
        value: &'a Value<'a>,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> PortValue {
        if string(Some(value)).is_some_and(|s| s.starts_with('@')) {
            return self.named_set_value(value, protos, via, depth);
        }
        let set = value
            .as_object()
            .and_then(single_member)
            .filter(|(kind, _)| *kind == "set");
        if let Some((_, set)) = set {
            let elements: Vec<&'a Value<'a>> = match set {
                Value::Array(a) => a.elements.iter().collect(),
                single => vec![single],
            };
            return match self.port_elements(&elements, protos, via, depth + 1) {
                PortValue::Ports(elements, _) => PortValue::Ports(elements, true),
                PortValue::Opaque => PortValue::Opaque,
            };
        }
        self.port_elements(&[value], protos, via, depth)
    }

    /// `@name` in a port position: the elements of the named set of ports, each keeping the
    /// span where the set declares it, with a label at the `@name` use (as in the text front
    /// end). Other sets (addresses, concatenations) are not modelled here.
    fn named_set_value(
        &mut self,
        value: &'a Value<'a>,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> PortValue {
        let Some(keys) = self.lookup_keys(value, false) else {
            return PortValue::Opaque;
        };
        let mut chain = via.to_vec();
        chain.extend(keys.via);
        match self.port_elements(&keys.values, protos, &chain, depth + 1) {
            PortValue::Ports(elements, _) => PortValue::Ports(elements, true),
            PortValue::Opaque => PortValue::Opaque,
        }
    }

    /// Port elements of a list of values. Every element is read (and reported) even when one
    /// of them makes the value opaque, as the text front end does.
    fn port_elements(
        &mut self,
        values: &[&'a Value<'a>],
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> PortValue {
        let mut elements = SmallVec::new();
        let mut opaque = false;
        for value in values {
            if !self.port_items(element_key(value), protos, via, depth, &mut elements) {
                opaque = true;
            }
        }
        if opaque {
            PortValue::Opaque
        } else {
            PortValue::Ports(elements, false)
        }
    }

    /// Read one element into `out`; false when it is not a port value (a prefix, a
    /// concatenation…). Invalid ports are reported and left out.
    fn port_items(
        &mut self,
        value: &'a Value<'a>,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
        out: &mut SmallVec<[PortElement; 1]>,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match value {
            Value::NumberLit(n) => {
                let span = self.span(value);
                out.extend(self.atoms.atom(n.value, span, protos, via));
                true
            }
            // `*`, the catch-all element of a set or map, stands for every port: no
            // port set says that better than "not modelled".
            Value::StringLit(s) if s.value == "*" => false,
            Value::StringLit(s) if !s.value.starts_with('@') => {
                let span = self.inner_span(value);
                out.extend(self.atoms.atom(&s.value, span, protos, via));
                true
            }
            Value::Object(o) => match single_member(o) {
                Some(("range", Value::Array(bounds))) => match bounds.elements.as_slice() {
                    [lo, hi] => {
                        out.extend(self.range_element(value, lo, hi, protos, via));
                        true
                    }
                    _ => false,
                },
                Some(("set", Value::Array(inner))) => inner
                    .elements
                    .iter()
                    .all(|v| self.port_items(element_key(v), protos, via, depth + 1, out)),
                _ => false,
            },
            _ => false,
        }
    }

    /// `{"range": [lo, hi]}`: each bound a number or a service name.
    fn range_element(
        &mut self,
        whole: &'a Value<'a>,
        lo: &'a Value<'a>,
        hi: &'a Value<'a>,
        protos: ProtoSet,
        via: &[VariableUse],
    ) -> Option<PortElement> {
        let bound = |reader: &mut Reader<'a>, v: &'a Value<'a>| -> Option<(u16, String)> {
            let (text, span) = match v {
                Value::NumberLit(n) => (n.value.to_string(), reader.span(v)),
                Value::StringLit(s) => (s.value.to_string(), reader.inner_span(v)),
                _ => {
                    let span = reader.span(v);
                    reader.atoms.invalid_port(
                        span,
                        via,
                        "a range bound must be a port number or a service name".to_string(),
                        "write `{\"range\": [1024, 65535]}`",
                    );
                    return None;
                }
            };
            let element = reader.atoms.atom(&text, span, protos, via)?;
            Some((element.lo, text))
        };
        let (lo, lo_text) = bound(self, lo)?;
        let (hi, hi_text) = bound(self, hi)?;
        let span = self.span(whole);
        if lo > hi {
            self.atoms.invalid_port(
                span,
                via,
                format!("port range {lo_text}-{hi_text} is inverted"),
                format!("write the lower port first: `[{hi}, {lo}]`"),
            );
            return None;
        }
        Some(PortElement::new(
            lo,
            hi,
            span,
            PortOrigin::Range,
            crate::frontend::ports::innermost_first(via),
        ))
    }

    /// `{"vmap": {"key": K, "data": {"set": [[k, verdict], …]} | "@map"}}`: as in the text
    /// front end, the rule becomes one rule per verdict, each matching the keys that lead to it
    /// (so `22 : accept` opens port 22 and `23 : drop` does not). The groups go to `groups`;
    /// the rule is split once all its statements are read.
    fn verdict_map(
        &mut self,
        rule: &mut Rule,
        body: &'a Value<'a>,
        span: Span,
        groups: &mut Splits,
    ) {
        let parts = body
            .as_object()
            .and_then(|o| Some((get(o, "key")?, get(o, "data")?)));
        let Some((key, data)) = parts else {
            self.shape_error(
                span,
                "a `vmap` needs `key` and `data`".to_string(),
                "write `{\"vmap\": {\"key\": {\"payload\": …}, \"data\": {\"set\": [[22, {\"accept\": null}]]}}}`",
            );
            return;
        };
        rule.matches.push(Match::Opaque { span });
        let concat = concat_parts(key);
        let single = match self.field(key) {
            Field::Ports {
                direction,
                protos,
                l4,
                conntrack,
            } => {
                self.push_l4(rule, l4);
                Some((direction, protos, conntrack))
            }
            _ => None,
        };
        let has_port = concat.is_some_and(|parts| {
            parts
                .iter()
                .any(|p| matches!(self.field(p), Field::Ports { .. }))
        });
        if !has_port && single.is_none() {
            // No port in the key: the verdict is unknown, as in the text front end.
            self.implied_l4(rule, key, 0);
            return;
        }
        if let Some(parts) = concat {
            // The protocols the components imply hold for every group.
            self.project_concat(rule, parts, None, data, span);
        }
        let Some((elements, via, ports)) = self.map_elements(data, concat.is_some()) else {
            return;
        };
        let protocol_at = concat.and_then(protocol_component);
        for (verdict, verdict_span, members) in self.group_by_verdict(&elements, protocol_at) {
            let mut scratch = Rule {
                span: rule.span,
                matches: SmallVec::new(),
                nat: thin_vec::ThinVec::new(),
                verdict: None,
                rewrites: false,
            };
            let wildcard = members.iter().any(|k| string(Some(k)) == Some("*"));
            if !wildcard {
                if let Some(parts) = concat {
                    let keys = Keys {
                        values: members,
                        via: via.clone(),
                        ports: ports.clone(),
                    };
                    let keyed = keyed_protocols(&keys.values, protocol_at);
                    self.project_concat(&mut scratch, parts, Some(keys), data, span);
                    scratch.matches.retain(|m| matches!(m, Match::Ports { .. }));
                    if let Some(protos) = keyed {
                        scratch.matches.insert(0, Match::L4Proto { protos, span });
                    }
                } else if let Some((direction, protos, conntrack)) = single {
                    if let PortValue::Ports(elements, _) =
                        self.port_elements(&members, protos, &via, 0)
                    {
                        scratch.matches.push(Match::Ports {
                            direction,
                            conntrack,
                            op: PortOp::Eq,
                            protos,
                            ports: Box::new(PortSet {
                                elements,
                                span: self.span(data),
                                is_list: true,
                            }),
                            span,
                        });
                    }
                }
            }
            groups.verdicts.push(VerdictGroup {
                verdict: (verdict, verdict_span),
                matches: scratch.matches.into_vec(),
            });
        }
    }

    /// `{"map": {"key": K, "data": D}}` anywhere in a statement (`limit name tcp dport map
    /// { … }`, `dnat to ip saddr . tcp dport map @m`): a packet whose key is not in the map
    /// stops the rule, so the keys' ports are a match, as in the text front end.
    fn map_lookups(&mut self, rule: &mut Rule, value: &'a Value<'a>, span: Span, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Array(a) => {
                for element in &a.elements {
                    self.map_lookups(rule, element, span, depth + 1);
                }
            }
            Value::Object(o) => {
                if let Some(("map", Value::Object(map))) = single_member(o) {
                    if let (Some(key), Some(data)) = (get(map, "key"), get(map, "data")) {
                        self.map_key_match(rule, key, data, span);
                    }
                    return;
                }
                for p in &o.properties {
                    self.map_lookups(rule, &p.value, span, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// The port matches a lookup of `key` in the map `data` makes.
    fn map_key_match(
        &mut self,
        rule: &mut Rule,
        key: &'a Value<'a>,
        data: &'a Value<'a>,
        span: Span,
    ) {
        if let Some(parts) = concat_parts(key) {
            let keys = self.lookup_keys(data, true);
            // A lookup that finds no key ends the rule, so the keys' protocols are matched.
            if let Some(protos) = keys
                .as_ref()
                .and_then(|k| keyed_protocols(&k.values, protocol_component(parts)))
            {
                rule.matches.push(Match::L4Proto { protos, span });
            }
            self.project_concat(rule, parts, keys, data, span);
            return;
        }
        let Field::Ports {
            direction,
            protos,
            conntrack,
            ..
        } = self.field(key)
        else {
            return;
        };
        let Some(keys) = self.lookup_keys(data, false) else {
            return;
        };
        if keys.values.iter().any(|k| string(Some(k)) == Some("*")) {
            return;
        }
        if let PortValue::Ports(elements, _) =
            self.port_elements(&keys.values, protos, &keys.via, 0)
        {
            rule.matches.push(Match::Ports {
                direction,
                conntrack,
                op: PortOp::Eq,
                protos,
                ports: Box::new(PortSet {
                    elements,
                    span: self.span(data),
                    is_list: false,
                }),
                span,
            });
        }
    }

    /// A map's `[key, data]` elements (anonymous or `@name`), with the use that brought a named
    /// map's, and which components its type says are ports.
    #[allow(clippy::type_complexity)]
    fn map_elements(
        &mut self,
        data: &'a Value<'a>,
        concat: bool,
    ) -> Option<(Vec<&'a Value<'a>>, Vec<VariableUse>, Option<Vec<bool>>)> {
        if let Some(name) = string(Some(data)).and_then(|s| s.strip_prefix('@')) {
            let table = self.current_table?;
            let set = self.tables.get(table)?.sets.get(name)?;
            let ports = match (&set.shape, concat) {
                (Shape::Ports, false) => None,
                (Shape::Concat(flags), true) => Some(flags.clone()),
                _ => return None,
            };
            // A map listed without elements is filled at run time: unknown.
            let elements = set.elements.clone()?;
            let via = vec![VariableUse {
                name: name.to_string(),
                span: self.inner_span(data),
                is_set: true,
            }];
            return Some((elements, via, ports));
        }
        match data.as_object().and_then(|o| get(o, "set")) {
            Some(Value::Array(set)) => Some((set.elements.iter().collect(), Vec::new(), None)),
            _ => None,
        }
    }

    /// A verdict map's elements grouped by verdict and, when the key has a protocol component
    /// at `protocol_at`, by the protocol each key names (as the text front end groups them), in
    /// the order the groups first appear: each group's verdict, where it is written first, and
    /// its keys.
    fn group_by_verdict(
        &mut self,
        elements: &[&'a Value<'a>],
        protocol_at: Option<usize>,
    ) -> Vec<(Verdict, Span, Vec<&'a Value<'a>>)> {
        let mut keyed = Vec::new();
        for element in elements {
            let Some(data) = element_data(element) else {
                continue;
            };
            let Some(verdict) = self.verdict_of(data) else {
                continue;
            };
            let key = element_key(element);
            let protocol = protocol_at.and_then(|index| key_protocol(key, index));
            keyed.push(((verdict, protocol), self.span(data), key));
        }
        group_in_order(keyed)
            .into_iter()
            .map(|((verdict, _), span, keys)| (verdict, span, keys))
            .collect()
    }

    /// The verdict a map's data writes: `{"accept": null}`, `{"jump": {"target": "c"}}`, ….
    fn verdict_of(&mut self, data: &'a Value<'a>) -> Option<Verdict> {
        let (name, body) = data.as_object().and_then(single_member)?;
        if let Some(verdict) = Verdict::from_word(name) {
            return Some(verdict);
        }
        Some(match name {
            "jump" | "goto" => {
                let target = body.as_object().and_then(|o| string(get(o, "target")))?;
                if name == "jump" {
                    Verdict::Jump(target.into())
                } else {
                    Verdict::Goto(target.into())
                }
            }
            _ => return None,
        })
    }

    /// Target ports a NAT statement takes from a map, as the text front end reads them:
    /// `"port": {"map": …}` (each value a port) or `"addr": {"map": …}` whose values are
    /// `{"concat": [address, port]}`. No PL002 here, as in the text front end.
    fn nat_map_ports(&mut self, rule: &Rule, object: &'a Object<'a>) -> Option<PortSet> {
        let (map, port_only) = match (get(object, "port"), get(object, "addr")) {
            (Some(port), _) => (port, true),
            (None, Some(addr)) => (addr, false),
            _ => return None,
        };
        let (_, Value::Object(map)) = map
            .as_object()
            .and_then(single_member)
            .filter(|(n, _)| *n == "map")?
        else {
            return None;
        };
        let data = get(map, "data")?;
        let Some(Value::Array(set)) = data.as_object().and_then(|o| get(o, "set")) else {
            return None;
        };
        let protos = match rule.l4_protocols() {
            p if p.is_any() || p.is_empty() => ProtoSet::one(L4::Tcp),
            p => p,
        };
        let values: Vec<&'a Value<'a>> = set
            .elements
            .iter()
            .filter_map(element_data)
            .filter_map(|value| match concat_parts(value) {
                Some(parts) => parts.last(),
                None if port_only => Some(value),
                None => None,
            })
            .collect();
        if values.is_empty() {
            return None;
        }
        let PortValue::Ports(elements, _) = self.port_elements(&values, protos, &[], 0) else {
            return None;
        };
        (!elements.is_empty()).then(|| PortSet {
            elements,
            span: self.span(data),
            is_list: false,
        })
    }

    /// `{"dnat": {"addr": …, "port": …}}` and friends (`null` for a bare `masquerade`). The
    /// port's protocol is the rule's: tcp and udp when the rule names none.
    fn nat(&mut self, rule: &Rule, kind: NatKind, body: &'a Value<'a>, span: Span) -> Nat {
        let mut nat = Nat {
            kind,
            address: None,
            ports: None,
            span,
        };
        let Some(object) = body.as_object() else {
            return nat;
        };
        nat.address = string(get(object, "addr")).map(crate::frontend::addresses::nat_address);
        if let Some(ports) = self.nat_map_ports(rule, object) {
            nat.ports = Some(ports);
            return nat;
        }
        let Some(port) = get(object, "port") else {
            return nat;
        };
        let protos = match rule.l4_protocols() {
            p if p.is_any() || p.is_empty() => {
                let mut p = ProtoSet::one(L4::Tcp);
                p.insert(L4::Udp);
                p
            }
            p => p,
        };
        // `{"port": {"map": …}}`: ports from a map are not modelled (nor in the text front end).
        let PortValue::Ports(elements, _) = self.port_elements(&[port], protos, &[], 0) else {
            return nat;
        };
        if elements.is_empty() {
            return nat;
        }
        let ports = PortSet {
            elements,
            span: self.span(port),
            is_list: false,
        };
        if rule.l4_protocols().is_any() {
            self.atoms.invalid_port(
                ports.span,
                &[],
                "a NAT target port needs a transport protocol match before it".to_string(),
                "match the protocol first, e.g. `meta l4proto { tcp, udp }` or `tcp dport 80`; nft refuses port mappings without one",
            );
        }
        nat.ports = Some(ports);
        nat
    }
}
