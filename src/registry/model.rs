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

    /// Whether the unauthorized-use note applies to `port`. A note on a range row that names a
    /// port inside the range ("Known Unauthorized Use on port 6003" on x11 6000-6063) applies to
    /// the ports it names only.
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
        let named: Vec<u16> = numbers_in(self.unauthorized)
            .into_iter()
            .filter(|n| (lo..=hi).contains(n))
            .collect();
        named.is_empty() || named.contains(&port)
    }
}

/// The decimal numbers that fit a port, in the order they appear in `text`.
fn numbers_in(text: &str) -> Vec<u16> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty() && s.len() <= 5)
        .filter_map(|s| s.parse().ok())
        .collect()
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
    if nameless && status_word && history.iter().any(|h| notes.contains(h)) {
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
