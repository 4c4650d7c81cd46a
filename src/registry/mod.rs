//! The IANA Service Name and Transport Protocol Port Number Registry.
//!
//! The current revision is embedded (compiled into static tables by `build.rs`); other revisions
//! are loaded with `--registry FILE` from IANA's CSV or XML, or the legacy `port-numbers` text.
//! Lookups by port are O(1) (a per-port posting list), by name O(log n).

mod complete;
pub mod csv;
pub mod de_facto;
pub mod legacy;
pub mod model;
pub mod services;
pub mod xml;

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

pub use model::{Proto, Record, RecordKind};

mod embedded {
    use super::de_facto::DeFacto;
    use super::model::{Proto, Record, RecordKind};
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// What `port`/`protocol` is known for in practice (`data/de-facto-ports.tsv`), whatever the
/// registry revision: the defaults of deployed software do not change with `--registry`.
pub fn known_uses(port: u16, protocol: Proto) -> Vec<&'static de_facto::DeFacto> {
    de_facto::known_uses(&embedded::DE_FACTO, port, protocol.as_str())
}

/// Every row of the table of ports known in practice.
pub fn de_facto_table() -> &'static [de_facto::DeFacto] {
    &embedded::DE_FACTO
}

/// The first port of the Dynamic/Private range (RFC 6335): never assigned.
pub const DYNAMIC_START: u16 = 49152;
/// The first port of the User (registered) range; below it are the System (well-known) ports.
pub const USER_START: u16 = 1024;

/// Where a registry came from and what it covers.
#[derive(Clone, Debug)]
pub struct Meta {
    /// `"embedded"` or the path given with `--registry`.
    pub source: Cow<'static, str>,
    /// The revision's date (`YYYY-MM-DD`, or `YYYY-MM` when that is all the file says).
    pub date: String,
    /// `"csv"`, `"xml"` or `"legacy-text"`.
    pub format: &'static str,
    /// The highest port the revision lists. Ports above it (and below the dynamic range) are
    /// *unknown* under this revision, never "unassigned": the 2007 seed lists 0-1023 only.
    pub coverage_end: u16,
}

/// A registry revision with its indexes, and the site's own assignments.
#[derive(Clone)]
pub struct Registry {
    pub meta: Meta,
    records: Cow<'static, [Record]>,
    port_offsets: Cow<'static, [u32]>,
    port_postings: Cow<'static, [u32]>,
    names: Cow<'static, [(&'static str, u32)]>,
    /// [`model::port_facts`]: the state of every (port, protocol), one byte each.
    port_facts: Cow<'static, [u8]>,
    /// Site-local assignments (`.portlint.yaml` `registry.local`, a policy's `local-ports`):
    /// they count as assigned, whatever IANA says of the port.
    local: Vec<LocalAssignment>,
}

/// A port or range a site assigns to one of its services (`9100/tcp node-exporter`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalAssignment {
    pub lo: u16,
    pub hi: u16,
    pub proto: Proto,
    pub name: String,
}

/// What the registry says about one (port, protocol).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PortState {
    Assigned,
    Experimental,
    Deassigned,
    Reserved,
    Unassigned,
    /// No row for this protocol, but the port is assigned for another one.
    OtherProtocolOnly,
    /// 49152-65535: Dynamic and/or Private, never assigned.
    Dynamic,
    /// The revision does not cover this port (the 2007 seed stops at 1023).
    Unknown,
}

impl PortState {
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Assigned => "assigned",
            PortState::Experimental => "experimental",
            PortState::Deassigned => "de-assigned",
            PortState::Reserved => "reserved",
            PortState::Unassigned => "unassigned",
            PortState::OtherProtocolOnly => "not registered for this protocol",
            PortState::Dynamic => "dynamic/private",
            PortState::Unknown => "unknown",
        }
    }
}

/// The verdict on one (port, protocol), with the rows it rests on.
#[derive(Clone, Debug)]
pub struct PortStatus<'r> {
    pub port: u16,
    pub proto: Proto,
    pub state: PortState,
    /// The rows for this protocol, or, when `state` is `OtherProtocolOnly`, the rows of the
    /// protocols the port is assigned for.
    pub records: Vec<&'r Record>,
    /// Rows whose "Unauthorized Use Reported" note applies to this port.
    pub unauthorized: Vec<&'r Record>,
}

impl<'r> PortStatus<'r> {
    /// The names assigned on this (port, protocol), in registry order, without repeats.
    pub fn names(&self) -> Vec<&'r str> {
        let mut names: Vec<&str> = Vec::new();
        for r in &self.records {
            if !r.name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(r.name)) {
                names.push(r.name);
            }
        }
        names
    }
}

/// Errors loading a registry file.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read registry file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read registry file {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("registry file {path}: {message}")]
    Format { path: String, message: String },
}

/// Registry files are read once per process; their strings live as long as the process.
fn leak(text: &str) -> &'static str {
    if text.is_empty() {
        ""
    } else {
        Box::leak(text.to_string().into_boxed_str())
    }
}

/// Rows may cover at most this many (port, row) pairs in total. The registry indexes every
/// port a row covers; a real revision covers each port about once (the 2006 file: 66,000
/// pairs), so anything far beyond is not a registry and must not exhaust memory.
pub(crate) const MAX_COVERED_PORTS: u64 = 64 * 65_536;

/// Refuse rows that would make the per-port index unreasonably large.
pub(crate) fn check_covered(records: &[Record]) -> Result<(), String> {
    let covered: u64 = records
        .iter()
        .filter_map(|r| r.ports)
        .map(|(lo, hi)| u64::from(hi - lo) + 1)
        .sum();
    if covered > MAX_COVERED_PORTS {
        return Err(format!(
            "the rows cover {covered} ports; is this a registry file?"
        ));
    }
    Ok(())
}

/// The largest registry file `--registry` reads (the current XML is about 4 MB).
const MAX_REGISTRY_FILE: u64 = 64 << 20;

impl Registry {
    /// The revision compiled into the binary.
    pub fn embedded() -> Registry {
        Registry {
            meta: Meta {
                source: Cow::Borrowed("embedded"),
                date: embedded::DATE.to_string(),
                format: "csv",
                coverage_end: DYNAMIC_START - 1,
            },
            records: Cow::Borrowed(&embedded::RECORDS),
            port_offsets: Cow::Borrowed(&embedded::PORT_OFFSETS),
            port_postings: Cow::Borrowed(&embedded::PORT_POSTINGS),
            names: Cow::Borrowed(&embedded::NAMES),
            port_facts: Cow::Borrowed(embedded::PORT_FACTS),
            local: Vec::new(),
        }
    }

    /// A registry from imported rows.
    pub fn from_records(records: Vec<Record>, meta: Meta) -> Registry {
        let indexes = model::build_indexes(&records);
        let names = indexes
            .names
            .iter()
            .map(|(name, id)| (leak(name), *id))
            .collect::<Vec<_>>();
        Registry {
            meta,
            records: Cow::Owned(records),
            port_offsets: Cow::Owned(indexes.port_offsets),
            port_postings: Cow::Owned(indexes.port_postings),
            names: Cow::Owned(names),
            port_facts: Cow::Owned(indexes.port_facts),
            local: Vec::new(),
        }
    }

    /// Load `--registry FILE`: IANA CSV, IANA XML (optionally gzipped), or legacy text.
    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        let shown = path.display().to_string();
        let io = |source| RegistryError::Io {
            path: shown.clone(),
            source,
        };
        let mut bytes = crate::files::read_regular(path, MAX_REGISTRY_FILE).map_err(|message| {
            RegistryError::Unreadable {
                path: shown.clone(),
                message,
            }
        })?;
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut inflated = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .take(MAX_REGISTRY_FILE * 4)
                .read_to_end(&mut inflated)
                .map_err(io)?;
            bytes = inflated;
        }
        let format = |message: String| RegistryError::Format {
            path: shown.clone(),
            message,
        };
        if bytes.len() as u64 > MAX_REGISTRY_FILE {
            return Err(format(format!(
                "larger than {} MiB; is this a registry file?",
                MAX_REGISTRY_FILE >> 20
            )));
        }
        // The legacy files are ASCII with a few Latin-1 names (2006: "Stéphane"): read a file
        // that is not UTF-8 as ISO-8859-1, where every byte is one character.
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
        };
        let registry = Self::parse(&text, Cow::Owned(shown.clone())).map_err(&format)?;
        complete::check_complete(&registry).map_err(format)?;
        Ok(registry)
    }

    /// Parse registry text, detecting its format from its content.
    pub fn parse(text: &str, source: Cow<'static, str>) -> Result<Registry, String> {
        let head = text.trim_start_matches('\u{feff}').trim_start();
        let mut leak = leak;
        if head.starts_with("<?xml") || head.starts_with("<registry") {
            let parsed = xml::parse_xml(text, &mut leak)?;
            let meta = Meta {
                source,
                date: parsed.date,
                format: "xml",
                coverage_end: DYNAMIC_START - 1,
            };
            Ok(Registry::from_records(parsed.records, meta))
        } else if head.starts_with("Service Name,") {
            let parsed = csv::parse_csv(text, &mut leak)?;
            check_covered(&parsed.records)?;
            let meta = Meta {
                source,
                date: parsed.date,
                format: "csv",
                coverage_end: DYNAMIC_START - 1,
            };
            Ok(Registry::from_records(parsed.records, meta))
        } else {
            let parsed = legacy::parse_legacy(text, &mut leak)?;
            let meta = Meta {
                source,
                date: parsed.date,
                format: "legacy-text",
                coverage_end: parsed.coverage_end,
            };
            Ok(Registry::from_records(parsed.records, meta))
        }
    }

    /// Every row, in registry order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The rows that cover `port`, for any protocol, in registry order.
    pub fn records_at(&self, port: u16) -> impl Iterator<Item = &Record> + '_ {
        let p = port as usize;
        let (start, end) = (
            self.port_offsets[p] as usize,
            self.port_offsets[p + 1] as usize,
        );
        self.port_postings[start..end]
            .iter()
            .map(move |&id| &self.records[id as usize])
    }

    /// The rows that overlap `lo..=hi`, for any protocol, in registry order, each once.
    pub fn records_in_range(&self, lo: u16, hi: u16) -> Vec<&Record> {
        let p = |port: u16| port as usize;
        let (start, end) = (
            self.port_offsets[p(lo)] as usize,
            self.port_offsets[p(hi) + 1] as usize,
        );
        let mut ids: Vec<u32> = self.port_postings[start..end].to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| &self.records[id as usize])
            .collect()
    }

    /// Adds `assignments` to the site-local ones.
    pub fn extend_local(&mut self, assignments: &[LocalAssignment]) {
        self.local.extend_from_slice(assignments);
    }

    /// This registry with `assignments` added to its site-local ones: itself when there are
    /// none (most policies), so that a loaded `--registry` is not copied for each file.
    pub fn with_local(&self, assignments: &[LocalAssignment]) -> Cow<'_, Registry> {
        if assignments.is_empty() {
            return Cow::Borrowed(self);
        }
        let mut registry = self.clone();
        registry.extend_local(assignments);
        Cow::Owned(registry)
    }

    /// The site-local assignments.
    pub fn local(&self) -> &[LocalAssignment] {
        &self.local
    }

    /// The site-local assignment covering (`port`, `proto`), if any.
    pub fn local_at(&self, port: u16, proto: Proto) -> Option<&LocalAssignment> {
        self.local
            .iter()
            .find(|a| a.proto == proto && a.lo <= port && port <= a.hi)
    }

    /// The rows named `name` (case-insensitive), including name-only rows, in registry order.
    pub fn records_named(&self, name: &str) -> Vec<&Record> {
        self.name_entries(name)
            .iter()
            .map(|(_, id)| &self.records[*id as usize])
            .collect()
    }

    /// The name index's entries for `name` (case-insensitive). A name already in lower case, as
    /// nearly every name in a ruleset is, is looked up without a copy.
    fn name_entries(&self, name: &str) -> &[(&'static str, u32)] {
        let lowered;
        let key = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = name.to_ascii_lowercase();
            lowered.as_str()
        } else {
            name
        };
        let start = self.names.partition_point(|(n, _)| *n < key);
        let len = self.names[start..]
            .iter()
            .take_while(|(n, _)| *n == key)
            .count();
        &self.names[start..start + len]
    }

    /// The ports `name` names for `proto`, in registry order, without repeats. Name-only rows
    /// are skipped; a named range (x11 6000-6063) gives its range.
    pub fn resolve_name(&self, name: &str, proto: Proto) -> Vec<(u16, u16)> {
        let mut ports = Vec::new();
        // A site's own name comes first: it is what the site means by it.
        for local in &self.local {
            if local.proto == proto && local.name.eq_ignore_ascii_case(name) {
                ports.push((local.lo, local.hi));
            }
        }
        for (_, id) in self.name_entries(name) {
            let record = &self.records[*id as usize];
            if let Some(range) = record.ports {
                if record.applies_to(proto) && !ports.contains(&range) {
                    ports.push(range);
                }
            }
        }
        ports
    }

    /// What the registry says about (`port`, `proto`), without the rows: checks judge every
    /// port of a ruleset and need the rows only for the few they report on, so this allocates
    /// nothing. [`Registry::status`] gives the same state with its rows.
    #[inline]
    pub fn state(&self, port: u16, proto: Proto) -> PortState {
        if !self.local.is_empty() && self.local_at(port, proto).is_some() {
            return PortState::Assigned;
        }
        if port >= DYNAMIC_START {
            return PortState::Dynamic;
        }
        if port > self.meta.coverage_end {
            return PortState::Unknown;
        }
        match self.fact(port, proto) & !model::FACT_UNAUTHORIZED {
            model::FACT_OTHER_PROTOCOL_ONLY => PortState::OtherProtocolOnly,
            rank => RANKED_KINDS
                .get(usize::from(rank))
                .copied()
                .unwrap_or(PortState::Unassigned),
        }
    }

    /// Whether a row for (`port`, `proto`) reports unauthorized use of the port (the rows are
    /// in [`PortStatus::unauthorized`]).
    #[inline]
    pub fn unauthorized_reported(&self, port: u16, proto: Proto) -> bool {
        (self.local.is_empty() || self.local_at(port, proto).is_none())
            && port < DYNAMIC_START
            && port <= self.meta.coverage_end
            && self.fact(port, proto) & model::FACT_UNAUTHORIZED != 0
    }

    /// The fact byte of (`port`, `proto`), for a port below the dynamic range.
    #[inline]
    fn fact(&self, port: u16, proto: Proto) -> u8 {
        let slot = usize::from(port) * Proto::ALL.len() + proto as usize;
        self.port_facts.get(slot).copied().unwrap_or(0)
    }

    /// What the registry says about (`port`, `proto`), with the rows it rests on.
    pub fn status(&self, port: u16, proto: Proto) -> PortStatus<'_> {
        let state = self.state(port, proto);
        let records: Vec<&Record> = match state {
            PortState::Dynamic | PortState::Unknown => Vec::new(),
            PortState::OtherProtocolOnly => self.records_at(port).filter(|r| assigned(r)).collect(),
            _ => self
                .records_at(port)
                .filter(|r| r.applies_to(proto))
                .collect(),
        };
        // Only rows for this protocol carry a note that applies (none when the port is
        // assigned for other protocols only).
        let unauthorized = match state {
            PortState::OtherProtocolOnly => Vec::new(),
            _ => records
                .iter()
                .copied()
                .filter(|r| r.unauthorized_applies_to(port))
                .collect(),
        };
        PortStatus {
            port,
            proto,
            state,
            records,
            unauthorized,
        }
    }
}

/// Whether a row assigns its port to a service (an experiment assignment counts).
fn assigned(record: &Record) -> bool {
    matches!(record.kind, RecordKind::Assigned | RecordKind::Experimental)
}

/// The state of each [`model::kind_rank`]: when rows for one (port, protocol) disagree, the
/// first kind in this order decides.
const RANKED_KINDS: [PortState; 5] = [
    PortState::Experimental,
    PortState::Assigned,
    PortState::Deassigned,
    PortState::Reserved,
    PortState::Unassigned,
];

/// Range names as RFC 6335 defines them.
pub fn range_name(port: u16) -> &'static str {
    if port < USER_START {
        "system (well-known)"
    } else if port < DYNAMIC_START {
        "user (registered)"
    } else {
        "dynamic/private"
    }
}
