//! `portlint ports`, `portlint registry` and `portlint rule`.

use crate::check::{self, RuleInfo};
use crate::cli::{PortsArgs, ProtoArg, RuleArgs, TextFormat};
use crate::registry::{self, PortState, Proto, Record, Registry};
use serde::Serialize;
use std::fmt::Write;

/// What a `ports` query asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Query {
    Port(u16),
    Range(u16, u16),
    Name(String),
}

pub fn parse_query(text: &str) -> Result<Query, String> {
    let text = text.trim();
    let number = |s: &str| -> Result<u16, String> {
        s.trim()
            .parse::<u16>()
            .map_err(|_| format!("`{s}` is not a port: ports are numbers from 0 to 65535"))
    };
    if text.is_empty() {
        return Err("give a port, a range or a service name".to_string());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return number(text).map(Query::Port);
    }
    if let Some((lo, hi)) = text.split_once(['-', ':']) {
        if lo.trim().bytes().all(|b| b.is_ascii_digit()) && !lo.trim().is_empty() {
            let (lo, hi) = (number(lo)?, number(hi)?);
            if lo > hi {
                return Err(format!("the range {text} is inverted: write {hi}-{lo}"));
            }
            return Ok(Query::Range(lo, hi));
        }
    }
    Ok(Query::Name(text.to_string()))
}

fn proto_of(arg: Option<ProtoArg>) -> Vec<Proto> {
    match arg {
        None => Proto::ALL.to_vec(),
        Some(ProtoArg::Tcp) => vec![Proto::Tcp],
        Some(ProtoArg::Udp) => vec![Proto::Udp],
        Some(ProtoArg::Sctp) => vec![Proto::Sctp],
        Some(ProtoArg::Dccp) => vec![Proto::Dccp],
    }
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    name: &'a str,
    port: Option<String>,
    protocol: Option<&'static str>,
    kind: &'static str,
    description: &'a str,
    assignee: &'a str,
    contact: &'a str,
    reference: &'a str,
    registration_date: &'a str,
    modification_date: &'a str,
    unauthorized_use: &'a str,
    notes: &'a str,
}

fn json_record(r: &Record) -> JsonRecord<'_> {
    JsonRecord {
        name: r.name,
        port: r.ports.map(|(lo, hi)| port_text(lo, hi)),
        protocol: r.proto.map(Proto::as_str),
        kind: r.kind.as_str(),
        description: r.description,
        assignee: r.assignee,
        contact: r.contact,
        reference: r.reference,
        registration_date: r.registration_date,
        modification_date: r.modification_date,
        unauthorized_use: r.unauthorized,
        notes: r.notes,
    }
}

fn port_text(lo: u16, hi: u16) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

#[derive(Serialize)]
struct JsonPortStatus<'a> {
    port: u16,
    protocol: &'static str,
    state: &'static str,
    range: &'static str,
    names: Vec<&'a str>,
    records: Vec<JsonRecord<'a>>,
    unauthorized_use: Vec<&'a str>,
    known_in_practice: Vec<JsonKnownUse>,
}

/// A row of `data/de-facto-ports.tsv`.
#[derive(Serialize)]
struct JsonKnownUse {
    name: &'static str,
    project: &'static str,
    source: &'static str,
}

fn known_in_practice(port: u16, proto: Proto) -> Vec<JsonKnownUse> {
    registry::known_uses(port, proto)
        .into_iter()
        .map(|row| JsonKnownUse {
            name: row.name,
            project: row.project,
            source: row.source,
        })
        .collect()
}

#[derive(Serialize)]
struct JsonPorts<'a> {
    query: &'a str,
    registry: JsonMeta<'a>,
    ports: Vec<JsonPortStatus<'a>>,
    records: Vec<JsonRecord<'a>>,
}

#[derive(Serialize)]
struct JsonMeta<'a> {
    source: &'a str,
    date: &'a str,
    format: &'static str,
}

fn meta(registry: &Registry) -> JsonMeta<'_> {
    JsonMeta {
        source: &registry.meta.source,
        date: &registry.meta.date,
        format: registry.meta.format,
    }
}

/// `portlint ports QUERY`: returns the text to print, or an error for exit code 2.
pub fn ports(args: &PortsArgs, registry: &Registry) -> Result<(String, bool), String> {
    let query = parse_query(&args.query)?;
    let protos = proto_of(args.proto);
    let mut statuses = Vec::new();
    let mut records: Vec<&Record> = Vec::new();
    match &query {
        Query::Port(port) => {
            for &proto in &protos {
                statuses.push(registry.status(*port, proto));
            }
        }
        Query::Range(lo, hi) => {
            records = registry
                .records_in_range(*lo, *hi)
                .into_iter()
                .filter(|r| protos.iter().any(|&p| r.applies_to(p)))
                .collect();
        }
        Query::Name(name) => {
            records = registry
                .records_named(name)
                .into_iter()
                .filter(|r| protos.iter().any(|&p| r.applies_to(p)))
                .collect();
        }
    }
    let found = !statuses.is_empty() || !records.is_empty();
    if args.format == TextFormat::Json {
        let output = JsonPorts {
            query: &args.query,
            registry: meta(registry),
            ports: statuses
                .iter()
                .map(|s| JsonPortStatus {
                    port: s.port,
                    protocol: s.proto.as_str(),
                    state: s.state.as_str(),
                    range: registry::range_name(s.port),
                    names: s.names(),
                    records: s.records.iter().map(|r| json_record(r)).collect(),
                    unauthorized_use: s.unauthorized.iter().map(|r| r.unauthorized).collect(),
                    known_in_practice: known_in_practice(s.port, s.proto),
                })
                .collect(),
            records: records.iter().map(|r| json_record(r)).collect(),
        };
        let text = serde_json::to_string_pretty(&output).map_err(|e| e.to_string())?;
        return Ok((text + "\n", found));
    }
    let mut out = String::new();
    match &query {
        Query::Port(port) => {
            let _ = writeln!(out, "port {port}: {} range", registry::range_name(*port));
            for status in &statuses {
                write_status(&mut out, status);
            }
        }
        Query::Range(lo, hi) => {
            let _ = writeln!(
                out,
                "ports {lo}-{hi}: {} row(s) in the registry",
                records.len()
            );
            for r in &records {
                write_record(&mut out, r, "  ");
            }
        }
        Query::Name(name) => {
            if records.is_empty() {
                let _ = writeln!(out, "`{name}` is not a service name in the registry");
            }
            if let Some(note) = ambiguity_note(name, &records) {
                let _ = writeln!(out, "{note}");
            }
            for r in &records {
                write_record(&mut out, r, "");
            }
        }
    }
    let _ = writeln!(
        out,
        "(IANA registry {}, {})",
        registry.meta.date, registry.meta.source
    );
    Ok((out, found))
}

/// `` `http-alt` is ambiguous: it names several tcp ports (591, 8008, 8080) ``, when a name has
/// more than one port for a protocol: nft and iptables take the first that /etc/services lists,
/// which need not be the one meant.
fn ambiguity_note(name: &str, records: &[&Record]) -> Option<String> {
    let mut ambiguous = Vec::new();
    for proto in [Proto::Tcp, Proto::Udp, Proto::Sctp, Proto::Dccp] {
        let mut ports: Vec<String> = Vec::new();
        for r in records.iter().filter(|r| r.proto == Some(proto)) {
            if let Some((lo, hi)) = r.ports {
                let text = port_text(lo, hi);
                if !ports.contains(&text) {
                    ports.push(text);
                }
            }
        }
        if ports.len() > 1 {
            ambiguous.push(format!("{} ports ({})", proto.as_str(), ports.join(", ")));
        }
    }
    if ambiguous.is_empty() {
        return None;
    }
    Some(format!(
        "`{name}` is ambiguous: it names several {}; a rule that writes the name gets the port the host's /etc/services lists first — write the number you mean",
        ambiguous.join(" and several ")
    ))
}

fn write_status(out: &mut String, status: &registry::PortStatus<'_>) {
    let head = format!("{}/{}", status.port, status.proto.as_str());
    let state = match status.state {
        PortState::OtherProtocolOnly => format!("not registered for {}", status.proto.as_str()),
        PortState::Unknown => "unknown (this registry revision does not list it)".to_string(),
        // A Reserved or Unassigned row that was once assigned says both.
        PortState::Deassigned => status
            .records
            .iter()
            .find_map(|r| r.status_with_history())
            .unwrap_or_else(|| PortState::Deassigned.as_str().to_string()),
        s => s.as_str().to_string(),
    };
    let names = status.names();
    let _ = writeln!(
        out,
        "  {head:<10} {state}{}",
        if names.is_empty() || status.state == PortState::OtherProtocolOnly {
            String::new()
        } else {
            format!(": {}", names.join(", "))
        }
    );
    for r in &status.records {
        write_record(out, r, "      ");
    }
    for r in &status.unauthorized {
        let _ = writeln!(
            out,
            "      unauthorized use reported: {}",
            r.unauthorized.trim()
        );
    }
    if let Some(note) = state_note(status.state) {
        let _ = writeln!(out, "      {note}");
    }
    for row in registry::known_uses(status.port, status.proto) {
        let _ = writeln!(
            out,
            "      known in practice: {} ({}; source: {})",
            row.name, row.project, row.source
        );
    }
}

/// What a state means, in the registry's and the RFCs' words.
fn state_note(state: PortState) -> Option<&'static str> {
    Some(match state {
        PortState::Experimental => "an RFC 3692-style experiment port: \"MUST NOT be shipped as defaults\" (RFC 4727; [1] is the registry's footnote on RFC 3692)",
        PortState::Unassigned => "IANA: \"UNASSIGNED PORT NUMBERS SHOULD NOT BE USED\"",
        PortState::Reserved => "reserved by IANA: no service may be assigned this port",
        PortState::Dynamic => "RFC 6335: dynamic/private ports (49152-65535) are never assigned",
        PortState::Unknown => "this registry revision does not list this port",
        PortState::OtherProtocolOnly => "IANA assigns ports per transport protocol; the rows above are for other protocols",
        PortState::Assigned | PortState::Deassigned => return None,
    })
}

fn write_record(out: &mut String, r: &Record, indent: &str) {
    let port = r
        .ports
        .map_or("(no port)".to_string(), |(lo, hi)| port_text(lo, hi));
    let proto = r.proto.map_or("all", Proto::as_str);
    let name = if r.name.is_empty() { "-" } else { r.name };
    let description = r.description.replace('\n', " ");
    let _ = writeln!(
        out,
        "{indent}{name} {port}/{proto} [{}] {description}",
        r.kind.as_str()
    );
    if !r.reference.is_empty() {
        let _ = writeln!(out, "{indent}    reference: {}", r.reference);
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out, "{indent}    note: {}", r.notes.replace('\n', " "));
    }
    if !r.unauthorized.is_empty() && r.ports.is_some_and(|(lo, hi)| lo != hi) {
        let _ = writeln!(
            out,
            "{indent}    unauthorized use reported: {}",
            r.unauthorized.trim()
        );
    }
}

#[derive(Serialize)]
struct RegistryInfo<'a> {
    source: &'a str,
    date: &'a str,
    format: &'static str,
    coverage_end: u16,
    records: usize,
    by_protocol: Vec<(&'static str, usize)>,
    by_kind: Vec<(&'static str, usize)>,
    names: usize,
    unauthorized_use_notes: usize,
}

fn registry_info(registry: &Registry) -> RegistryInfo<'_> {
    let records = registry.records();
    let count = |f: &dyn Fn(&Record) -> bool| records.iter().filter(|r| f(r)).count();
    let mut names: Vec<String> = records
        .iter()
        .filter(|r| !r.name.is_empty())
        .map(|r| r.name.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let mut by_protocol: Vec<(&'static str, usize)> = Proto::ALL
        .iter()
        .map(|&p| (p.as_str(), count(&|r: &Record| r.proto == Some(p))))
        .collect();
    by_protocol.push(("all protocols", count(&|r: &Record| r.proto.is_none())));
    let kinds = [
        registry::RecordKind::Assigned,
        registry::RecordKind::Experimental,
        registry::RecordKind::Deassigned,
        registry::RecordKind::Reserved,
        registry::RecordKind::Unassigned,
    ];
    RegistryInfo {
        source: &registry.meta.source,
        date: &registry.meta.date,
        format: registry.meta.format,
        coverage_end: registry.meta.coverage_end,
        records: records.len(),
        by_protocol,
        by_kind: kinds
            .iter()
            .map(|&k| (k.as_str(), count(&|r: &Record| r.kind == k)))
            .collect(),
        names: names.len(),
        unauthorized_use_notes: count(&|r: &Record| !r.unauthorized.is_empty()),
    }
}

pub fn registry(format: TextFormat, registry: &Registry) -> Result<String, String> {
    let info = registry_info(registry);
    if format == TextFormat::Json {
        return serde_json::to_string_pretty(&info)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string());
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "IANA Service Name and Transport Protocol Port Number Registry"
    );
    let _ = writeln!(
        out,
        "revision: {} ({}, {})",
        info.date, info.source, info.format
    );
    let _ = writeln!(out, "covers:   ports 0-{}", info.coverage_end);
    let _ = writeln!(out, "records:  {}", info.records);
    for (proto, n) in &info.by_protocol {
        let _ = writeln!(out, "  {proto:<14} {n}");
    }
    let _ = writeln!(out, "kinds:");
    for (kind, n) in &info.by_kind {
        let _ = writeln!(out, "  {kind:<14} {n}");
    }
    let _ = writeln!(out, "service names: {}", info.names);
    let _ = writeln!(
        out,
        "unauthorized-use notes: {}",
        info.unauthorized_use_notes
    );
    Ok(out)
}

#[derive(Serialize)]
struct JsonRule {
    code: &'static str,
    slug: &'static str,
    severity: &'static str,
    summary: &'static str,
    doc: &'static str,
}

fn json_rule(r: &RuleInfo) -> JsonRule {
    JsonRule {
        code: r.code,
        slug: r.slug,
        severity: r.severity.as_str(),
        summary: r.summary,
        doc: r.doc,
    }
}

pub fn rule(args: &RuleArgs) -> Result<String, String> {
    let rules: Vec<&'static RuleInfo> = match (&args.rule, args.all) {
        (Some(name), _) => vec![check::lookup(name).ok_or_else(|| {
            format!("no rule is named `{name}`; `portlint rule --all` lists them")
        })?],
        (None, _) => check::RULES.to_vec(),
    };
    if args.format == TextFormat::Json {
        let out: Vec<JsonRule> = rules.iter().map(|r| json_rule(r)).collect();
        return serde_json::to_string_pretty(&out)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string());
    }
    let mut out = String::new();
    if args.rule.is_some() {
        for r in &rules {
            out.push_str(r.doc);
        }
    } else {
        for r in &rules {
            let _ = writeln!(
                out,
                "{} {:<24} {:<8} {}",
                r.code,
                r.slug,
                r.severity.as_str(),
                r.summary
            );
        }
    }
    Ok(out)
}
