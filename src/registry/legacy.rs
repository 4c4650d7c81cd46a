//! Import of the legacy IANA `port-numbers` text format (the registry's form until 2008).
//!
//! The text is a column layout written for people, and every state the current registry keeps
//! in columns is prose here:
//! - entries `Keyword  Decimal  Description  References` (`tcpmux 1/tcp TCP Port Service
//!   Multiplexer`); 20 System-port entries have no keyword (`0/tcp Reserved`), some have no
//!   description, and a keyword on port 0 (`spr-itunes 0/tcp`, 2008) means "no port";
//! - `#` contact lines after the entries they belong to;
//! - commented pseudo-entries for unassigned, reserved and withdrawn ports (`# 4/tcp
//!   Unassigned`, `# 713-728 Unassigned`, `# 114 Deprecated June 2004`, `# 585 De-registered (25
//!   April 2006)`), which become nameless rows that `classify` maps onto those states;
//! - `###` banner notes (`PORT 90 also being used unofficially by Pointcast`), which become the
//!   "Unauthorized Use Reported" text (or an assignment note) of the rows of the ports they name;
//! - `[unauthorized use]` marks and the `(*)` footnote of the RFC 3692 experiment ports.
//!
//! The header boxes (the IESG statement, "PLEASE NOTE") and the DCCP paragraphs are prose, not
//! entries: only the `Port Assignments:` sections are read for entries.
//!
//! The project's seed revision (2007-02-15) is a wiki copy in which every line break became a
//! space. `unflatten` restores the lines from the `N/proto` tokens first, so that one line
//! parser reads both forms; the 2006-11-13 file, whose System ports hold exactly the seed's
//! entries, checks that heuristic in the tests.
//!
//! The old files carry registrants' e-mail addresses (`<user@host>`, in 2008 obfuscated as
//! `user&host`). They are removed from every field: portlint must never show them.

use super::model::{classify, Proto, Record, RecordKind};

/// A legacy text revision.
pub struct LegacyRegistry {
    pub records: Vec<Record>,
    /// From the header `PORT NUMBERS (last updated 2007-02-15)`; empty if the header has none.
    pub date: String,
    /// The highest port the file lists: 1023 for the truncated seed, 49151 for full files.
    pub coverage_end: u16,
    /// Where each row of `records` came from (same length and order as `records`).
    pub origins: Vec<Origin>,
}

/// What a row was in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A port entry, with or without keyword: `tcpmux 1/tcp …`, `0/tcp Reserved`.
    Entry,
    /// A commented pseudo-entry: `# 4/tcp Unassigned`, `# 114 Deprecated June 2004`.
    Commented,
    /// No line lists the port, but a note reports unauthorized use of it: a nameless unassigned
    /// row carries the note, so that `Registry::status` can report it.
    NoteOnly,
}

use super::MAX_COVERED_PORTS;

/// A note names ranges this wide at most (`3300-3301`); wider "ranges" are prose, not ports.
const MAX_NOTE_RANGE: u32 = 1_024;

pub fn parse_legacy(
    text: &str,
    leak: &mut dyn FnMut(&str) -> &'static str,
) -> Result<LegacyRegistry, String> {
    let lines = logical_lines(text);
    let date = header_date(&lines);
    let mut parser = Parser::default();
    for line in &lines {
        parser.line(line);
    }
    parser.finish();
    if !parser.seen_section {
        // The legacy parser is the fallback for any text that is neither XML nor CSV: say what
        // was expected rather than "no entries" (an /etc/services file has entries of a kind).
        return Err(
            "not a registry file: neither IANA XML, IANA CSV (header \"Service Name,…\") \
                    nor the legacy port-numbers text (no \"Port Assignments:\" section)"
                .into(),
        );
    }
    let coverage_end = coverage_end(&parser.rows).ok_or("no port entries found")?;
    let covered: u64 = parser.rows.iter().map(Row::width).sum();
    if covered > MAX_COVERED_PORTS {
        return Err(format!(
            "the entries cover {covered} ports; is this a registry file?"
        ));
    }
    let mut rows = parser.rows;
    attach_notes(&mut rows, &parser.notes);
    if let Some(footnote) = &parser.footnote {
        attach_footnote(&mut rows, footnote);
    }
    let origins = rows.iter().map(|r| r.origin).collect();
    let records = rows.into_iter().map(|r| r.into_record(leak)).collect();
    Ok(LegacyRegistry {
        records,
        date,
        coverage_end,
        origins,
    })
}

// ---------------------------------------------------------------------------------------------
// Lines

/// The text as lines, with flattened lines (the seed) split back into their original lines.
fn logical_lines(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if is_flattened(line) {
            lines.extend(unflatten(line));
        } else {
            lines.push(line.to_string());
        }
    }
    lines
}

/// An original line holds one `N/proto` token; a flattened one holds a whole list of them.
fn is_flattened(line: &str) -> bool {
    line.split_whitespace()
        .filter(|t| PortSpec::parse(t).is_some_and(|s| s.written_proto))
        .nth(2)
        .is_some()
}

/// The phrases that start a line of their own: section headings.
const HEADINGS: [&[&str]; 5] = [
    &["Port", "Assignments:"],
    &["WELL", "KNOWN", "PORT", "NUMBERS"],
    &["REGISTERED", "PORT", "NUMBERS"],
    &["DYNAMIC", "AND/OR", "PRIVATE", "PORTS"],
    &["REFERENCES"],
];

/// The headings that end a `Port Assignments:` section (as lines; see [`HEADINGS`]).
const SECTION_ENDS: [&str; 4] = [
    "WELL KNOWN PORT NUMBERS",
    "REGISTERED PORT NUMBERS",
    "DYNAMIC AND/OR PRIVATE PORTS",
    "REFERENCES",
];

/// The last `N/proto` token seen while unflattening.
#[derive(Clone, Copy)]
struct LastEntry {
    index: usize,
    lo: u16,
    hi: u16,
    keyword: bool,
    commented: bool,
}

/// Split a flattened line back into lines. A line starts at a `#` token (a comment), at a
/// heading, at the `(*)` footnote after a contact line, and at each entry: the token before an
/// `N/proto` token is its keyword, unless
/// - it cannot be a keyword (`<postel@isi.edu>`, `[RFC4727]`, `----------`);
/// - the previous entry was the keyword-less partner of this one (`24/tcp any private mail
///   system 24/udp …`: `system` ends the tcp description);
/// - taking it would leave a commented pseudo-entry without description (`# 34/udp Unassigned
///   35/tcp …`: `Unassigned` is the description, 35/tcp has no keyword).
///
/// `N/proto` right after `#` or `#keyword` is part of a comment, not an entry.
fn unflatten(line: &str) -> Vec<String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut starts = vec![false; tokens.len()];
    let mut line_start = 0;
    let mut last: Option<LastEntry> = None;
    for i in 0..tokens.len() {
        let token = tokens[i];
        let footnote = token == "(*)" && tokens[line_start].starts_with('#');
        if token.starts_with('#') || heading_at(&tokens[i..]) || footnote {
            starts[i] = true;
            line_start = i;
            continue;
        }
        let Some(spec) = PortSpec::parse(token).filter(|s| s.written_proto) else {
            continue;
        };
        let commented = i > 0 && is_comment_lead(tokens[i - 1])
            || i > 1 && tokens[i - 2] == "#" && is_keyword(tokens[i - 1]);
        let keyword =
            !commented && i > 0 && !starts[i - 1] && keyword_before(&tokens, i, spec, last);
        if !commented {
            line_start = if keyword { i - 1 } else { i };
            starts[line_start] = true;
        }
        last = Some(LastEntry {
            index: i,
            lo: spec.lo,
            hi: spec.hi,
            keyword,
            commented,
        });
    }
    let mut lines: Vec<String> = Vec::new();
    for (token, start) in tokens.iter().zip(&starts) {
        match lines.last_mut() {
            Some(line) if !start => {
                line.push(' ');
                line.push_str(token);
            }
            _ => lines.push((*token).to_string()),
        }
    }
    lines
}

fn heading_at(tokens: &[&str]) -> bool {
    HEADINGS.iter().any(|h| tokens.starts_with(h))
}

/// `#` or `#unitary` (a commented-out entry), but not a `#########` banner.
fn is_comment_lead(token: &str) -> bool {
    token.starts_with('#') && !token[1..].starts_with('#')
}

/// Whether the token before the `N/proto` token at `i` is the entry's keyword.
fn keyword_before(tokens: &[&str], i: usize, spec: PortSpec, last: Option<LastEntry>) -> bool {
    let candidate = tokens[i - 1];
    if !is_keyword(candidate) || PortSpec::parse(candidate).is_some() {
        return false;
    }
    match last {
        Some(l) if !l.commented && !l.keyword && (l.lo, l.hi) == (spec.lo, spec.hi) => false,
        Some(l) if l.commented && l.index + 2 == i => false,
        _ => true,
    }
}

/// A service keyword as the old registry wrote them: `[A-Za-z0-9]` plus `-_*+/.`, at least one
/// letter or digit (`----------` under the column titles is not one), or the `*` placeholder.
fn is_keyword(token: &str) -> bool {
    let charset = |c: char| c.is_ascii_alphanumeric() || "-_*+/.".contains(c);
    token == "*"
        || (token.len() <= 32
            && token.chars().all(charset)
            && token.chars().any(|c| c.is_ascii_alphanumeric()))
}

// ---------------------------------------------------------------------------------------------
// Header

/// The revision date from the header: `PORT NUMBERS (last updated 2007-02-15)`, or the line
/// `(last updated 2008-02-29)` on its own (the 2008 file has no `PORT NUMBERS` heading). Empty
/// when the header has none.
fn header_date(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| l.trim())
        .take_while(|l| !l.starts_with("Port Assignments:"))
        .find_map(|l| {
            let at = l.to_ascii_lowercase().find("last updated")?;
            let rest = l[at + "last updated".len()..].trim_start();
            let date: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            (date.len() >= 7 && date.as_bytes()[4] == b'-').then_some(date)
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Port specifications

/// `80/tcp`, `6000-6063/tcp`, `114` or `713-728` (the last two: no protocol written).
#[derive(Clone, Copy, Debug)]
struct PortSpec {
    lo: u16,
    hi: u16,
    /// `None` when no protocol is written (the row applies to all) or it is unknown.
    proto: Option<Proto>,
    written_proto: bool,
}

impl PortSpec {
    fn parse(token: &str) -> Option<PortSpec> {
        let (range, proto) = match token.split_once('/') {
            Some((range, proto)) => (range, Some(proto)),
            None => (token, None),
        };
        let (lo, hi) = match range.split_once('-') {
            Some((lo, hi)) => (port_number(lo)?, port_number(hi)?),
            None => (port_number(range)?, port_number(range)?),
        };
        if lo > hi {
            return None;
        }
        if let Some(p) = proto {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
        }
        Some(PortSpec {
            lo,
            hi,
            proto: proto.and_then(legacy_proto),
            written_proto: proto.is_some(),
        })
    }

    /// A protocol was written but is not one the registry knows (the entry is skipped rather
    /// than read as "all protocols").
    fn unknown_proto(&self) -> bool {
        self.written_proto && self.proto.is_none()
    }
}

fn port_number(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The 2006-11-13 file misspells one protocol (`ipfixs 4740/stcp`); IANA meant SCTP.
fn legacy_proto(text: &str) -> Option<Proto> {
    if text.eq_ignore_ascii_case("stcp") {
        return Some(Proto::Sctp);
    }
    Proto::parse(text)
}

// ---------------------------------------------------------------------------------------------
// Line classification

enum Line<'a> {
    Blank,
    SectionStart,
    SectionEnd,
    /// A port entry; `keyword` is `None` for the keyword-less ones (`0/tcp Reserved`).
    Entry {
        keyword: Option<&'a str>,
        spec: PortSpec,
        rest: Vec<&'a str>,
    },
    /// `# 4/tcp Unassigned`, `# 713-728 Unassigned`, `# 114 Deprecated June 2004`.
    Pseudo {
        spec: PortSpec,
        rest: Vec<&'a str>,
    },
    /// A `###` banner line, or a commented-out historic entry (`#unitary 126/tcp …`).
    Note(&'a str),
    /// A `#` line with a contact (or a person's name and address).
    Contact(&'a str),
    /// `# The following entry records an unassigned but widespread use`: a note on the entries
    /// after it (cddbp 888/tcp, bhoetty 351, bhoedap4 352), as the CSV keeps it in their notes.
    NextEntryNote(&'a str),
    /// `(*) It is only appropriate …`: the footnote of the experiment ports.
    Footnote(&'a str),
    /// Anything else: column titles, prose. Indented lines may continue a contact or footnote.
    Other {
        indented: bool,
        text: &'a str,
    },
}

fn classify_line(line: &str) -> Line<'_> {
    let text = line.trim();
    if text.is_empty() {
        return Line::Blank;
    }
    if text.starts_with("Port Assignments:") {
        return Line::SectionStart;
    }
    if SECTION_ENDS.iter().any(|h| text.starts_with(h)) {
        return Line::SectionEnd;
    }
    if let Some(comment) = text.strip_prefix('#') {
        return classify_comment(comment);
    }
    if let Some(footnote) = text.strip_prefix("(*)") {
        return Line::Footnote(footnote.trim());
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if let Some(spec) = PortSpec::parse(tokens[0]) {
        let rest = tokens[1..].to_vec();
        return Line::Entry {
            keyword: None,
            spec,
            rest,
        };
    }
    let keyword_spec = tokens
        .get(1)
        .and_then(|t| PortSpec::parse(t))
        .filter(|_| is_keyword(tokens[0]));
    if let Some(spec) = keyword_spec {
        return Line::Entry {
            keyword: Some(tokens[0]),
            spec,
            rest: tokens[2..].to_vec(),
        };
    }
    Line::Other {
        indented: line.starts_with([' ', '\t']),
        text,
    }
}

/// A comment line, after its first `#`.
fn classify_comment(comment: &str) -> Line<'_> {
    if comment.starts_with('#') {
        return Line::Note(comment.trim_matches(|c: char| c == '#' || c.is_whitespace()));
    }
    let tokens: Vec<&str> = comment.split_whitespace().collect();
    if let Some(spec) = tokens.first().and_then(|t| PortSpec::parse(t)) {
        return Line::Pseudo {
            spec,
            rest: tokens[1..].to_vec(),
        };
    }
    if comment.trim_start().starts_with("The following entry") {
        return Line::NextEntryNote(comment.trim());
    }
    let commented_entry = tokens.len() >= 2
        && is_keyword(tokens[0])
        && PortSpec::parse(tokens[1]).is_some_and(|s| s.written_proto);
    if commented_entry {
        return Line::Note(comment.trim());
    }
    Line::Contact(comment.trim())
}

// ---------------------------------------------------------------------------------------------
// The parser

/// A row while the text is read; turned into a `Record` at the end.
struct Row {
    name: String,
    ports: Option<(u16, u16)>,
    proto: Option<Proto>,
    description: String,
    contact: String,
    reference: String,
    modification_date: String,
    unauthorized: Vec<String>,
    notes: Vec<String>,
    origin: Origin,
    /// The description is only the `[unauthorized use]` mark (`newacct 100/tcp [unauthorized
    /// use]`): the keyword names who uses the port, it is not an assignment.
    unauthorized_only: bool,
}

impl Row {
    fn new(origin: Origin, spec: PortSpec) -> Row {
        Row {
            name: String::new(),
            ports: Some((spec.lo, spec.hi)),
            proto: spec.proto,
            description: String::new(),
            contact: String::new(),
            reference: String::new(),
            modification_date: String::new(),
            unauthorized: Vec::new(),
            notes: Vec::new(),
            origin,
            unauthorized_only: false,
        }
    }

    fn width(&self) -> u64 {
        self.ports
            .map_or(0, |(lo, hi)| u64::from(hi) - u64::from(lo) + 1)
    }

    fn covers(&self, lo: u16, hi: u16) -> bool {
        matches!(self.ports, Some((a, b)) if a <= hi && lo <= b)
    }

    fn into_record(self, leak: &mut dyn FnMut(&str) -> &'static str) -> Record {
        let notes = self.notes.join("\n");
        let unauthorized = self.unauthorized.join("\n");
        let kind = self.kind(&notes);
        // Like IANA's CSV, which repeats the contact as assignee when there is no other.
        let contact = leak(&self.contact);
        Record {
            name: leak(&self.name),
            ports: self.ports,
            proto: self.proto,
            description: leak(&self.description),
            assignee: contact,
            contact,
            registration_date: "",
            modification_date: leak(&self.modification_date),
            reference: leak(&self.reference),
            service_code: "",
            unauthorized: leak(&unauthorized),
            notes: leak(&notes),
            kind,
        }
    }

    /// `classify` decides, except where the text's layout says more than its words: a commented
    /// line is never an assignment, whatever it says (`# 1008/udp Possibly used by Sun
    /// Solaris????`, `# 1783 Decomissioned Port 04/14/00, ms`, `# 11968-11996 Unassiged`).
    fn kind(&self, notes: &str) -> RecordKind {
        let kind = classify(&self.name, &self.description, notes);
        match self.origin {
            Origin::Entry if self.unauthorized_only => RecordKind::Unassigned,
            Origin::Commented
                if matches!(kind, RecordKind::Assigned | RecordKind::Experimental) =>
            {
                commented_kind(&self.description)
            }
            Origin::NoteOnly => RecordKind::Unassigned,
            _ => kind,
        }
    }
}

/// The state of a commented pseudo-entry whose words `classify` does not know (misspellings,
/// "De-Commissioned", "IANA Reserved", or no words at all).
fn commented_kind(description: &str) -> RecordKind {
    let d = description.to_ascii_lowercase();
    let history = [
        "commission",
        "removed",
        "deprecated",
        "de-regist",
        "deregist",
        "de-assign",
    ];
    if history.iter().any(|h| d.contains(h)) {
        RecordKind::Deassigned
    } else if d.contains("reserved") {
        RecordKind::Reserved
    } else {
        RecordKind::Unassigned
    }
}

#[derive(Default)]
struct Parser {
    rows: Vec<Row>,
    seen_section: bool,
    in_section: bool,
    /// The entries the next contact line belongs to: those since the last contact line.
    pending: Vec<usize>,
    /// A contact line was read: the next entry starts a new group.
    contact_seen: bool,
    /// Consecutive `###` lines, joined into one note when the run ends.
    note_lines: Vec<String>,
    notes: Vec<String>,
    footnote: Option<String>,
    in_footnote: bool,
    /// A "The following entry records …" note, for the entries up to the next contact line.
    next_entry_note: Option<String>,
}

impl Parser {
    fn line(&mut self, line: &str) {
        let parsed = classify_line(line);
        if !matches!(parsed, Line::Note(_)) {
            self.flush_note();
        }
        if self.in_footnote {
            if let Line::Other {
                indented: true,
                text,
            } = parsed
            {
                self.extend_footnote(text);
                return;
            }
            self.in_footnote = false;
        }
        match parsed {
            Line::SectionStart => {
                self.in_section = true;
                self.seen_section = true;
            }
            Line::SectionEnd => self.in_section = false,
            _ if !self.in_section => {}
            Line::Blank => self.pending.clear(),
            Line::Entry {
                keyword,
                spec,
                rest,
            } => self.entry(keyword, spec, &rest),
            Line::Pseudo { spec, rest } => self.pseudo(spec, &rest),
            Line::Note(text) => {
                self.pending.clear();
                self.note_lines.push(scrub_addresses(&note_text(text)));
            }
            Line::NextEntryNote(text) => {
                // It opens the next group: the previous group's contact line is behind it.
                self.pending.clear();
                self.contact_seen = false;
                self.next_entry_note = Some(text.to_string());
            }
            Line::Contact(text)
            | Line::Other {
                indented: true,
                text,
            } => self.contact(text),
            Line::Footnote(text) => {
                self.footnote = Some(String::new());
                self.in_footnote = true;
                self.extend_footnote(text);
            }
            Line::Other { .. } => {}
        }
    }

    fn finish(&mut self) {
        self.flush_note();
    }

    fn entry(&mut self, keyword: Option<&str>, spec: PortSpec, rest: &[&str]) {
        if spec.unknown_proto() {
            return;
        }
        let mut row = Row::new(Origin::Entry, spec);
        // The placeholder keyword `*` (`* 10108-10112 Unassigned`) names nothing.
        row.name = keyword.filter(|k| *k != "*").unwrap_or("").to_string();
        // A keyword on port 0 registers a name without a port (2008: `spr-itunes 0/tcp`; the
        // header says "A value of 0 … indicates that no port has been allocated").
        if spec.lo == 0 && spec.hi == 0 && !row.name.is_empty() {
            row.ports = None;
        }
        let (description, reference) = split_references(rest);
        row.description = scrub_addresses(&description);
        row.reference = reference;
        if let Some(mark) = unauthorized_mark(&row.description) {
            row.unauthorized_only = row.description.trim() == mark;
            row.unauthorized.push(mark.to_string());
        }
        if self.contact_seen {
            self.pending.clear();
            self.contact_seen = false;
            // The note was for the entries of the group before that contact.
            self.next_entry_note = None;
        }
        if let Some(note) = &self.next_entry_note {
            row.notes.push(note.clone());
        }
        self.pending.push(self.rows.len());
        self.rows.push(row);
    }

    fn pseudo(&mut self, spec: PortSpec, rest: &[&str]) {
        self.pending.clear();
        if spec.unknown_proto() {
            return;
        }
        let mut row = Row::new(Origin::Commented, spec);
        row.description = scrub_addresses(&rest.join(" "));
        row.modification_date = history_date(&row.description);
        self.rows.push(row);
    }

    fn contact(&mut self, text: &str) {
        self.contact_seen = true;
        let contact = clean_contact(text);
        if contact.is_empty() {
            return;
        }
        for &i in &self.pending {
            let row = &mut self.rows[i];
            if !row.contact.is_empty() {
                row.contact.push_str("; ");
            }
            row.contact.push_str(&contact);
        }
    }

    fn flush_note(&mut self) {
        let lines: Vec<String> = self
            .note_lines
            .drain(..)
            .filter(|l| !l.is_empty())
            .collect();
        if !lines.is_empty() {
            self.notes.push(lines.join("\n"));
        }
    }

    /// The footnote's lines are joined; a line ending in a hyphen continues the word
    /// (`explicitly-` / `configured`).
    fn extend_footnote(&mut self, text: &str) {
        let Some(footnote) = self.footnote.as_mut() else {
            return;
        };
        let text = scrub_addresses(text);
        if !footnote.is_empty() && !footnote.ends_with('-') {
            footnote.push(' ');
        }
        footnote.push_str(&text);
    }
}

/// A banner line without its `#` runs: `###########Port 126 Previously assigned …#######`,
/// `… the default port for this protocol is 9100 ####.`
fn note_text(line: &str) -> String {
    line.split_whitespace()
        .map(|t| t.trim_matches('#'))
        .filter(|t| t.chars().any(|c| c.is_alphanumeric()) || t.contains(['<', '>', '"']))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The highest port any entry or pseudo-entry lists (name-only rows list none).
fn coverage_end(rows: &[Row]) -> Option<u16> {
    rows.iter().filter_map(|r| r.ports).map(|(_, hi)| hi).max()
}

/// Trailing `[RFC4727]`-style tokens are the References column; `[Default Data]` in `File
/// Transfer [Default Data]` is part of the description.
fn split_references(tokens: &[&str]) -> (String, String) {
    let is_reference = |t: &&&str| {
        let lower = t.to_ascii_lowercase();
        t.ends_with(']') && (lower.starts_with("[rfc") || lower.starts_with("[draft"))
    };
    let keep = tokens.len() - tokens.iter().rev().take_while(is_reference).count();
    (tokens[..keep].join(" "), tokens[keep..].concat())
}

/// The `[unauthorized use]` mark, as written.
fn unauthorized_mark(description: &str) -> Option<&str> {
    const MARK: &str = "[unauthorized use]";
    let at = description.to_ascii_lowercase().find(MARK)?;
    description.get(at..at + MARK.len())
}

/// The date in a history note: `(Removed 2006-09-13)`, `(Removed 2004-2-6)`, `(25 April
/// 2006)`, `(2001 June 07)`, `June 2004` (month precision). Empty when there is none.
fn history_date(text: &str) -> String {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "(),".contains(c))
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(date) = tokens.iter().find_map(|t| iso_date(t)) {
        return date;
    }
    let month = tokens.iter().find_map(|t| month_number(t));
    let year = tokens
        .iter()
        .find(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()));
    let day = tokens
        .iter()
        .filter(|t| t.len() <= 2)
        .find_map(|t| t.parse::<u8>().ok().filter(|d| (1..=31).contains(d)));
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m:02}-{d:02}"),
        (Some(y), Some(m), None) => format!("{y}-{m:02}"),
        _ => String::new(),
    }
}

/// `2006-09-13` or `2004-2-6`, written back as `YYYY-MM-DD`.
fn iso_date(token: &str) -> Option<String> {
    let mut parts = token.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let y: u16 = y.parse().ok()?;
    let m: u8 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    let d: u8 = d.parse().ok().filter(|d| (1..=31).contains(d))?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn month_number(token: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = token.to_ascii_lowercase();
    let index = MONTHS.iter().position(|m| *m == lower)?;
    u8::try_from(index + 1).ok()
}

// ---------------------------------------------------------------------------------------------
// Notes and footnotes

/// Attach each `###` note to the rows of the ports it names: reports of unofficial use become
/// the rows' "unauthorized use" text, other notes (`Possible Conflict of Port 222 …`, `Port 126
/// Previously assigned …`) their assignment notes. A reported port that no line lists gets a
/// nameless unassigned row to carry the report.
fn attach_notes(rows: &mut Vec<Row>, notes: &[String]) {
    let index = PortIndex::new(rows);
    let mut orphans = Vec::new();
    for note in notes {
        let unauthorized = is_unauthorized_note(note);
        for (lo, hi) in port_mentions(note) {
            let targets = index.rows_covering(lo, hi, rows);
            if targets.is_empty() && unauthorized {
                orphans.push((lo, hi, note.clone()));
            }
            for i in targets {
                let row = &mut rows[i];
                let list = if unauthorized {
                    &mut row.unauthorized
                } else {
                    &mut row.notes
                };
                if !list.contains(note) {
                    list.push(note.clone());
                }
            }
        }
    }
    for (lo, hi, note) in orphans {
        let spec = PortSpec {
            lo,
            hi,
            proto: None,
            written_proto: false,
        };
        let mut row = Row::new(Origin::NoteOnly, spec);
        row.unauthorized.push(note);
        rows.push(row);
    }
}

/// The words the old registry used for a port used without (or beyond) an assignment.
fn is_unauthorized_note(note: &str) -> bool {
    let lower = note.to_ascii_lowercase();
    ["unauthori", "unoffic", "also used", "also being used"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The ports a note names: `90`, `3300-3301`, `126/tcp`; not RFC numbers (`RFC 2782`) or parts
/// of other words (`R/3`).
fn port_mentions(note: &str) -> Vec<(u16, u16)> {
    let trim = |t: &str| -> String {
        t.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '-')
            .to_string()
    };
    let tokens: Vec<String> = note.split_whitespace().map(trim).collect();
    let mut mentions = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let after_rfc = i > 0 && tokens[i - 1].eq_ignore_ascii_case("rfc");
        let Some(spec) = PortSpec::parse(token).filter(|_| !after_rfc) else {
            continue;
        };
        let narrow = u32::from(spec.hi) - u32::from(spec.lo) < MAX_NOTE_RANGE;
        if narrow && !mentions.contains(&(spec.lo, spec.hi)) {
            mentions.push((spec.lo, spec.hi));
        }
    }
    mentions
}

/// The rows that cover each port (like the registry's own index), to attach notes without
/// scanning every row for every note.
struct PortIndex {
    offsets: Vec<u32>,
    postings: Vec<u32>,
}

impl PortIndex {
    fn new(rows: &[Row]) -> PortIndex {
        let mut counts = vec![0u32; 65_537];
        for (lo, hi) in rows.iter().filter_map(|r| r.ports) {
            for port in lo..=hi {
                counts[usize::from(port) + 1] += 1;
            }
        }
        for p in 1..counts.len() {
            counts[p] += counts[p - 1];
        }
        let offsets = counts;
        let mut fill: Vec<u32> = offsets[..65_536].to_vec();
        let mut postings = vec![0u32; offsets[65_536] as usize];
        for (id, (lo, hi)) in rows
            .iter()
            .enumerate()
            .filter_map(|(id, r)| Some((id, r.ports?)))
        {
            for port in lo..=hi {
                let slot = &mut fill[usize::from(port)];
                postings[*slot as usize] = id as u32;
                *slot += 1;
            }
        }
        PortIndex { offsets, postings }
    }

    /// The rows covering any port of `lo..=hi`, each once, in row order.
    fn rows_covering(&self, lo: u16, hi: u16, rows: &[Row]) -> Vec<usize> {
        let start = self.offsets[usize::from(lo)] as usize;
        let end = self.offsets[usize::from(hi) + 1] as usize;
        let mut ids: Vec<usize> = self.postings[start..end]
            .iter()
            .map(|&id| id as usize)
            .filter(|&id| rows[id].covers(lo, hi))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The `(*)` footnote ("… MUST NOT be shipped as defaults … See RFC 3692") becomes the note of
/// the rows it marks, so that the advice can be quoted where the port is used.
fn attach_footnote(rows: &mut [Row], footnote: &str) {
    if footnote.is_empty() {
        return;
    }
    let footnote = &rejoin_hyphenation(footnote);
    for row in rows.iter_mut().filter(|r| r.description.contains("(*)")) {
        row.notes.push(footnote.to_string());
    }
}

/// The seed's flattening turned the footnote's `explicitly-` / `configured` line break into
/// `explicitly- configured`; join such words again (a hyphen ending a word, then a lower-case
/// word).
fn rejoin_hyphenation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut tokens = text.split(' ').peekable();
    while let Some(token) = tokens.next() {
        out.push_str(token);
        let hyphenated = token.len() > 1
            && token.ends_with('-')
            && token[..token.len() - 1].ends_with(|c: char| c.is_ascii_alphabetic());
        let continues = tokens
            .peek()
            .is_some_and(|next| next.starts_with(|c: char| c.is_ascii_lowercase()));
        if tokens.peek().is_some() && !(hyphenated && continues) {
            out.push(' ');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses

/// Remove e-mail addresses: `<user@host>` (also UUCP `<a!b%c@d>`), bare `user@host`, and the
/// 2008 obfuscation `user&host.domain` — but not `R&D`, `C&S` or `AT&T`. Whitespace is
/// collapsed to single spaces (the columns were aligned with runs of spaces and tabs).
fn scrub_addresses(text: &str) -> String {
    let without_brackets = remove_angle_spans(text, |inner| {
        inner.contains(['@', '!', '%']) || is_obfuscated_address(inner)
    });
    let mut out = String::with_capacity(without_brackets.len());
    for token in without_brackets
        .split_whitespace()
        .filter(|t| !is_address(t))
    {
        // A removed address leaves its comma behind: `Kohler <…>, [RFC4340]`.
        if !out.is_empty() && !token.starts_with([',', ';']) {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// A contact without addresses or other `<…>` placeholders (`<---none--->`).
fn clean_contact(text: &str) -> String {
    let without_brackets = remove_angle_spans(text, |_| true);
    scrub_addresses(&without_brackets)
        .trim_matches(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .to_string()
}

/// Remove the `<…>` spans for which `drop` says so.
fn remove_angle_spans(text: &str, drop: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        if !drop(&rest[open + 1..close]) {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn is_address(token: &str) -> bool {
    token.contains('@')
        || token.to_ascii_lowercase().starts_with("mailto:")
        || is_obfuscated_address(token)
}

/// `kohler&cs.ucla.edu`: a local part, `&`, and a domain with a dot and a top-level label of
/// two letters or more.
fn is_obfuscated_address(token: &str) -> bool {
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let Some((local, domain)) = token.split_once('&') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unflatten_finds_keywordless_entries() {
        let flat = "# Jon Postel <postel@isi.edu> 24/tcp any private mail system \
                    24/udp any private mail system # Rick Adams <rick@UUNET.UU.NET> \
                    smtp 25/tcp Simple Mail Transfer # 34/udp Unassigned 35/tcp any private \
                    printer server 35/udp any private printer server";
        let lines = unflatten(flat);
        assert_eq!(
            lines,
            [
                "# Jon Postel <postel@isi.edu>",
                "24/tcp any private mail system",
                "24/udp any private mail system",
                "# Rick Adams <rick@UUNET.UU.NET>",
                "smtp 25/tcp Simple Mail Transfer",
                "# 34/udp Unassigned",
                "35/tcp any private printer server",
                "35/udp any private printer server",
            ]
        );
    }

    #[test]
    fn unflatten_keeps_entries_without_description() {
        let lines = unflatten("maitrd 997/tcp maitrd 997/udp busboy 998/tcp puparp 998/udp");
        assert_eq!(
            lines,
            [
                "maitrd 997/tcp",
                "maitrd 997/udp",
                "busboy 998/tcp",
                "puparp 998/udp"
            ]
        );
    }

    #[test]
    fn addresses_are_scrubbed() {
        assert_eq!(clean_contact("Jon Postel <postel@isi.edu>"), "Jon Postel");
        assert_eq!(
            clean_contact("Rina Nethaniel <---none--->"),
            "Rina Nethaniel"
        );
        assert_eq!(
            clean_contact("Eddie Kohler <kohler&cs.ucla.edu>, [RFC4340]"),
            "Eddie Kohler, [RFC4340]"
        );
        assert_eq!(clean_contact("(rmc@sni.ca>"), "");
        assert_eq!(scrub_addresses("dasp      tommy&inlab.m.eunet.de"), "dasp");
        assert_eq!(scrub_addresses("SNI R&D network"), "SNI R&D network");
        assert_eq!(scrub_addresses("AT&T. C&S Web"), "AT&T. C&S Web");
        assert_eq!(
            scrub_addresses("PORT 4000 also used by ICQ <www.icq.com>"),
            "PORT 4000 also used by ICQ <www.icq.com>"
        );
    }

    #[test]
    fn history_dates() {
        assert_eq!(
            history_date("Unassigned (Removed on 2007-09-06)"),
            "2007-09-06"
        );
        assert_eq!(history_date("Unassigned (Removed 2004-2-6)"), "2004-02-06");
        assert_eq!(history_date("De-registered (25 April 2006)"), "2006-04-25");
        assert_eq!(history_date("De-registered (2001 June 07)"), "2001-06-07");
        assert_eq!(history_date("Deprecated June 2004"), "2004-06");
        assert_eq!(history_date("Decomissioned Port 04/14/00, ms"), "");
    }

    #[test]
    fn note_ports() {
        assert_eq!(
            port_mentions("106 Unauthorized use by insecure poppassd protocol"),
            [(106, 106)]
        );
        assert_eq!(
            port_mentions("3300-3301 Unauthorized Use by SAP R/3"),
            [(3300, 3301)]
        );
        assert_eq!(
            port_mentions(
                "in DNS SRV records (RFC 2782). … the default port for this protocol is 9100 ."
            ),
            [(9100, 9100)]
        );
    }
}
