//! The registry's record type and the classification of a record.
//!
//! This file is shared with `build.rs` (included with `#[path]`), which compiles the embedded CSV
//! into static tables. It must therefore depend on nothing but `core`/`std`.

/// A transport protocol as the IANA registry names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
    Dccp,
}

impl Proto {
    pub const ALL: [Proto; 4] = [Proto::Tcp, Proto::Udp, Proto::Sctp, Proto::Dccp];

    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
            Proto::Dccp => "dccp",
        }
    }

    pub fn parse(text: &str) -> Option<Proto> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tcp" => Some(Proto::Tcp),
            "udp" => Some(Proto::Udp),
            "sctp" => Some(Proto::Sctp),
            "dccp" => Some(Proto::Dccp),
            _ => None,
        }
    }
}

/// What a registry row says about its port(s), decided once when the row is imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// A service is assigned (with or without a service name).
    Assigned,
    /// An RFC 3692-style experiment port (RFC 4727): "MUST NOT be shipped as defaults".
    Experimental,
    /// The assignment was removed, de-assigned, de-registered or deprecated.
    Deassigned,
    /// Reserved by IANA.
    Reserved,
    /// Listed as unassigned.
    Unassigned,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Assigned => "assigned",
            RecordKind::Experimental => "experimental",
            RecordKind::Deassigned => "de-assigned",
            RecordKind::Reserved => "reserved",
            RecordKind::Unassigned => "unassigned",
        }
    }
}

/// One row of the registry. Strings are `'static`: the embedded registry is static data, and a
/// registry loaded with `--registry` is loaded once per process and deliberately leaked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The service name as written (case kept); empty for nameless rows.
    pub name: &'static str,
    /// The port range; `None` for name-only rows (DNS-SD/SRV names without a port).
    pub ports: Option<(u16, u16)>,
    /// The transport protocol; `None` means the row applies to every protocol.
    pub proto: Option<Proto>,
    pub description: &'static str,
    pub assignee: &'static str,
    pub contact: &'static str,
    pub registration_date: &'static str,
    pub modification_date: &'static str,
    pub reference: &'static str,
    pub service_code: &'static str,
    /// The "Unauthorized Use Reported" text, empty when none is reported.
    pub unauthorized: &'static str,
    pub notes: &'static str,
    pub kind: RecordKind,
}

impl Record {
    /// Whether this row covers `port` (for any protocol).
    pub fn covers_port(&self, port: u16) -> bool {
        matches!(self.ports, Some((lo, hi)) if lo <= port && port <= hi)
    }

    /// Whether this row applies to `proto` (a row without a protocol applies to all).
    pub fn applies_to(&self, proto: Proto) -> bool {
        self.proto.is_none_or(|p| p == proto)
    }

    /// Whether the unauthorized-use note applies to `port`. A note on a range row that names
    /// ports inside the range ("Known Unauthorized Use on port 6003" on x11 6000-6063) applies to
    /// the ports it names only; a range it names ("Unauthorized Use Known on ports 2194-2196")
    /// names every port of that range.
    pub fn unauthorized_applies_to(&self, port: u16) -> bool {
        if self.unauthorized.is_empty() {
            return false;
        }
        let Some((lo, hi)) = self.ports else {
            return false;
        };
        if lo == hi {
            return true;
        }
        let named: Vec<(u16, u16)> = port_ranges_in(self.unauthorized)
            .into_iter()
            .filter(|&(from, to)| from <= hi && lo <= to)
            .collect();
        named.is_empty() || named.iter().any(|&(from, to)| from <= port && port <= to)
    }
}

/// The history words of [`classify`], as a removal note writes them.
const HISTORY_WORDS: [&str; 5] = [
    "de-assigned",
    "deassigned",
    "removed",
    "de-registered",
    "deprecated",
];

impl Record {
    /// What a nameless Reserved or Unassigned row that was once assigned is, in both its words:
    /// `reserved — de-assigned on 2025-02-13` (CSV: description `Reserved`, note "De-assigned on
    /// 2025-02-13, …"), `unassigned — removed on 2002-05-08` (legacy text: `Unassigned (Removed
    /// 2002-05-08)`). `None` for every other row.
    pub fn status_with_history(&self) -> Option<String> {
        if self.kind != RecordKind::Deassigned || !self.name.trim().is_empty() {
            return None;
        }
        let description = self.description.trim().to_ascii_lowercase();
        let status = ["reserved", "unassigned"]
            .into_iter()
            .find(|w| description.starts_with(w))?;
        let text = format!("{description} {}", self.notes.to_ascii_lowercase());
        let (at, word) = HISTORY_WORDS
            .iter()
            .filter_map(|w| text.find(w).map(|at| (at, *w)))
            .min()?;
        Some(match first_date(&text[at..]) {
            Some(date) => format!("{status} — {word} on {date}"),
            None => format!("{status} — {word}"),
        })
    }
}

/// The first `YYYY-MM-DD` (or `YYYY-M-D`) date in `text`, written as `YYYY-MM-DD`.
fn first_date(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .find_map(|token| {
            let mut parts = token.split('-');
            let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
            let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            let shaped = year.len() == 4
                && month.len() <= 2
                && day.len() <= 2
                && [year, month, day].into_iter().all(all_digits)
                && parts.next().is_none();
            shaped.then(|| format!("{year}-{month:0>2}-{day:0>2}"))
        })
}

/// The port numbers and `N-M` ranges in `text`, in the order they appear (a single number is
/// the range `(n, n)`; an inverted range is read as its two numbers).
fn port_ranges_in(text: &str) -> Vec<(u16, u16)> {
    let mut ranges = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let (lo, after) = leading_number(&rest[start..]);
        rest = after;
        let Some(lo) = lo else { continue };
        if let Some(tail) = rest.strip_prefix('-') {
            if tail.starts_with(|c: char| c.is_ascii_digit()) {
                let (hi, after) = leading_number(tail);
                rest = after;
                match hi {
                    Some(hi) if lo <= hi => ranges.push((lo, hi)),
                    Some(hi) => ranges.extend([(lo, lo), (hi, hi)]),
                    None => ranges.push((lo, lo)),
                }
                continue;
            }
        }
        ranges.push((lo, lo));
    }
    ranges
}

/// The run of digits `text` starts with, as a port if it is one, and the text after the run.
fn leading_number(text: &str) -> (Option<u16>, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let digits = &text[..end];
    let port = (digits.len() <= 5).then(|| digits.parse().ok()).flatten();
    (port, &text[end..])
}

/// Decide a row's kind from its description and notes, the way the registry words them.
///
/// The registry marks states in prose: `Unassigned`/`Reserved` descriptions, `De-registered`,
/// `Removed`, `Deprecated` markers, "De-assigned on …" notes, and "RFC3692-style Experiment"
/// descriptions (the legacy text format marks experiments with `(*)` instead).
pub fn classify(name: &str, description: &str, notes: &str) -> RecordKind {
    let description = description.trim().to_ascii_lowercase();
    let notes = notes.to_ascii_lowercase();
    if description.contains("rfc3692-style experiment")
        || description.contains("rfc 3692-style experiment")
        || (description.contains("experiment") && description.contains("(*)"))
    {
        return RecordKind::Experimental;
    }
    let history = [
        "de-assigned",
        "deassigned",
        "deprecated",
        "removed",
        "de-registered",
        "decommissioned",
        "decomissioned",
        "de-commissioned",
    ];
    let marker = description.trim_end_matches('.');
    if history.iter().any(|h| marker.starts_with(h)) {
        return RecordKind::Deassigned;
    }
    let nameless = name.trim().is_empty();
    // Nameless guesses ("Possibly used by Sun Solaris????" on 1008/udp, "(unassigned) Possibly
    // assigned" on 2825) record hearsay, not an assignment.
    if nameless && (marker.starts_with("(unassigned)") || marker.starts_with("possibly")) {
        return RecordKind::Unassigned;
    }
    let status_word = marker.starts_with("unassigned") || marker.starts_with("reserved");
    // The history may be in the notes (CSV: "De-assigned on 2025-02-13, …") or after the status
    // word (legacy text: "Unassigned (Removed 2002-05-08)").
    let history_told = history
        .iter()
        .any(|h| notes.contains(h) || marker.contains(h));
    if nameless && status_word && history_told {
        return RecordKind::Deassigned;
    }
    if nameless && marker.starts_with("unassigned") {
        return RecordKind::Unassigned;
    }
    if nameless && (marker.starts_with("reserved") || marker.starts_with("iana reserved")) {
        return RecordKind::Reserved;
    }
    RecordKind::Assigned
}

/// The per-port and per-name indexes of a registry, built once (at build time for the embedded
/// registry): `port_offsets[p]..port_offsets[p + 1]` indexes `port_postings`, the ids of the rows
/// that cover port `p`; `names` is sorted by lower-case name.
pub struct Indexes {
    pub port_offsets: Vec<u32>,
    pub port_postings: Vec<u32>,
    pub names: Vec<(String, u32)>,
    /// See [`port_facts`].
    pub port_facts: Vec<u8>,
}

/// The ports a fact table covers: every port below the Dynamic/Private range (49152).
pub const FACT_PORTS: usize = 49152;

/// Set in a fact when a row for the (port, protocol) reports unauthorized use of the port.
pub const FACT_UNAUTHORIZED: u8 = 0x80;

/// A fact's state when the port has no row for the protocol but is assigned for another one.
pub const FACT_OTHER_PROTOCOL_ONLY: u8 = 5;

/// When rows for one (port, protocol) disagree, the lowest rank decides: an experiment
/// assignment is still an experiment; a current assignment outranks history. A fact's state is
/// this rank (or [`FACT_OTHER_PROTOCOL_ONLY`]).
pub fn kind_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Experimental => 0,
        RecordKind::Assigned => 1,
        RecordKind::Deassigned => 2,
        RecordKind::Reserved => 3,
        RecordKind::Unassigned => 4,
    }
}

/// What the registry says about every (port, protocol) below the dynamic range, one byte each
/// at `port * 4 + protocol`: the state (a [`kind_rank`], or [`FACT_OTHER_PROTOCOL_ONLY`]) and
/// [`FACT_UNAUTHORIZED`]. Judging every port of a large ruleset then reads one byte per port,
/// where walking the port's rows (scattered in memory) was most of the checks' time.
pub fn port_facts(records: &[Record], port_offsets: &[u32], port_postings: &[u32]) -> Vec<u8> {
    let mut facts = vec![0u8; FACT_PORTS * Proto::ALL.len()];
    for port in 0..FACT_PORTS {
        let (start, end) = (port_offsets[port] as usize, port_offsets[port + 1] as usize);
        let rows = || {
            port_postings[start..end]
                .iter()
                .map(|&id| &records[id as usize])
        };
        let assigned_for_some =
            rows().any(|r| matches!(r.kind, RecordKind::Assigned | RecordKind::Experimental));
        for proto in Proto::ALL {
            let rank = rows()
                .filter(|r| r.applies_to(proto))
                .map(|r| kind_rank(r.kind))
                .min();
            let mut fact = match rank {
                Some(rank) => rank,
                None if assigned_for_some => FACT_OTHER_PROTOCOL_ONLY,
                None => kind_rank(RecordKind::Unassigned),
            };
            let reported =
                rows().any(|r| r.applies_to(proto) && r.unauthorized_applies_to(port as u16));
            if reported {
                fact |= FACT_UNAUTHORIZED;
            }
            facts[port * Proto::ALL.len() + proto as usize] = fact;
        }
    }
    facts
}

pub fn build_indexes(records: &[Record]) -> Indexes {
    let mut counts = vec![0u32; 65536];
    for record in records {
        if let Some((lo, hi)) = record.ports {
            for port in lo..=hi {
                counts[port as usize] += 1;
            }
        }
    }
    let mut port_offsets = Vec::with_capacity(65537);
    let mut total = 0u32;
    port_offsets.push(0);
    for count in &counts {
        total += count;
        port_offsets.push(total);
    }
    let mut fill: Vec<u32> = port_offsets[..65536].to_vec();
    let mut port_postings = vec![0u32; total as usize];
    for (id, record) in records.iter().enumerate() {
        if let Some((lo, hi)) = record.ports {
            for port in lo..=hi {
                let slot = &mut fill[port as usize];
                port_postings[*slot as usize] = id as u32;
                *slot += 1;
            }
        }
    }
    let mut names: Vec<(String, u32)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.name.is_empty())
        .map(|(id, r)| (r.name.to_ascii_lowercase(), id as u32))
        .collect();
    names.sort();
    let port_facts = port_facts(records, &port_offsets, &port_postings);
    Indexes {
        port_offsets,
        port_postings,
        names,
        port_facts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_name_ports_and_ranges() {
        assert_eq!(
            port_ranges_in("Unauthorized Use Known on ports 2194-2196"),
            [(2194, 2196)]
        );
        assert_eq!(
            port_ranges_in("Known UNAUTHORIZED USE: Ports 4490 and 4491"),
            [(4490, 4490), (4491, 4491)]
        );
        assert_eq!(
            port_ranges_in("on ports 28017, 28018 and 28019"),
            [(28017, 28017), (28018, 28018), (28019, 28019)]
        );
        // An inverted range is its two numbers; a number too long for a port is none.
        assert_eq!(port_ranges_in("9-3 and 123456"), [(9, 9), (3, 3)]);
        assert_eq!(port_ranges_in("70000-70001"), []);
    }

    #[test]
    fn removal_dates_are_read_in_both_forms() {
        assert_eq!(
            first_date("de-assigned on 2025-02-13, previously"),
            Some("2025-02-13".into())
        );
        assert_eq!(first_date("(removed 2004-2-6)"), Some("2004-02-06".into()));
        assert_eq!(first_date("removed in june"), None);
    }
}
