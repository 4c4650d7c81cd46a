//! The embedded registry is the CSV in data/, row for row, with the counts the data README
//! gives; and the lookups answer what the registry says.

use portlint::registry::{PortState, Proto, Record, RecordKind, Registry};
use std::path::Path;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/service-names-port-numbers.csv"
);

/// The CSV read with the csv crate directly, as plain strings.
fn csv_rows() -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(CSV).expect("data CSV");
    reader
        .records()
        .map(|r| {
            r.expect("CSV row")
                .iter()
                .map(|f| f.trim().to_string())
                .collect()
        })
        .collect()
}

fn port_field(r: &Record) -> String {
    match r.ports {
        None => String::new(),
        Some((lo, hi)) => format!("{lo}-{hi}"),
    }
}

/// The CSV's port field in the same form: `80` → `80-80` (the CSV also writes `4748-4748`).
fn normalized(field: &str) -> String {
    match field.split_once('-') {
        _ if field.is_empty() => String::new(),
        Some((lo, hi)) => format!("{lo}-{hi}"),
        None => format!("{field}-{field}"),
    }
}

#[test]
fn embedded_table_matches_the_csv_row_for_row() {
    let rows = csv_rows();
    let registry = Registry::embedded();
    let records = registry.records();
    assert_eq!(records.len(), rows.len());
    for (index, (row, r)) in rows.iter().zip(records).enumerate() {
        let embedded = [
            r.name.to_string(),
            port_field(r),
            r.proto.map_or(String::new(), |p| p.as_str().to_string()),
            r.description.to_string(),
            r.assignee.to_string(),
            r.contact.to_string(),
            r.registration_date.to_string(),
            r.modification_date.to_string(),
            r.reference.to_string(),
            r.service_code.to_string(),
            r.unauthorized.to_string(),
            r.notes.to_string(),
        ];
        let mut row = row.clone();
        row[1] = normalized(&row[1]);
        assert_eq!(&embedded[..], &row[..], "record {index}");
    }
}

#[test]
fn counts_match_the_data_readme() {
    let registry = Registry::embedded();
    let records = registry.records();
    assert_eq!(records.len(), 14_500);
    let count = |f: &dyn Fn(&Record) -> bool| records.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| r.proto == Some(Proto::Tcp)), 6_586);
    assert_eq!(count(&|r| r.proto == Some(Proto::Udp)), 6_346);
    assert_eq!(count(&|r| r.proto == Some(Proto::Sctp)), 93);
    assert_eq!(count(&|r| r.proto == Some(Proto::Dccp)), 11);
    assert_eq!(count(&|r| r.proto.is_none()), 1_464);
    // 762 rows write a range, 6 of them of one port (`4748-4748`).
    let written_ranges = csv_rows().iter().filter(|row| row[1].contains('-')).count();
    assert_eq!(written_ranges, 762);
    assert_eq!(count(&|r| r.ports.is_some_and(|(lo, hi)| lo != hi)), 756);
    assert_eq!(count(&|r| r.ports.is_none()), 1_056);
    assert_eq!(count(&|r| r.name.is_empty()), 1_720);
    assert_eq!(count(&|r| !r.unauthorized.is_empty()), 112);
    assert_eq!(count(&|r| !r.notes.is_empty()), 1_319);
    assert_eq!(count(&|r| !r.service_code.is_empty()), 4);
    assert_eq!(registry.meta.date, "2026-02-25");
    assert!(records
        .iter()
        .all(|r| r.ports.is_none_or(|(_, hi)| hi < 49_152)));
}

#[test]
fn the_repository_copy_is_the_shared_copy() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/iana/service-names-port-numbers.csv");
    if !shared.is_file() {
        eprintln!("skipped: ../shared/data/iana is absent");
        return;
    }
    let ours = std::fs::read(CSV).expect("data CSV");
    let theirs = std::fs::read(shared).expect("shared CSV");
    assert!(
        ours == theirs,
        "data/service-names-port-numbers.csv differs from ../shared's copy"
    );
}

#[test]
fn lookups_answer_what_the_registry_says() {
    let r = Registry::embedded();
    let state = |port, proto| r.status(port, proto).state;
    assert_eq!(state(22, Proto::Tcp), PortState::Assigned);
    assert_eq!(r.status(22, Proto::Tcp).names(), ["ssh"]);
    assert_eq!(
        r.status(80, Proto::Tcp).names(),
        ["http", "www", "www-http"]
    );
    assert_eq!(state(1021, Proto::Tcp), PortState::Experimental);
    assert_eq!(state(1022, Proto::Dccp), PortState::Experimental);
    assert_eq!(state(0, Proto::Tcp), PortState::Reserved);
    assert_eq!(state(1023, Proto::Udp), PortState::Reserved);
    assert_eq!(state(4, Proto::Tcp), PortState::Unassigned);
    assert_eq!(state(2, Proto::Tcp), PortState::Deassigned);
    assert_eq!(state(1783, Proto::Tcp), PortState::Deassigned); // "Decomissioned Port"
    assert_eq!(state(1008, Proto::Udp), PortState::Unassigned); // "Possibly used by …"
    assert_eq!(state(716, Proto::Tcp), PortState::OtherProtocolOnly); // pana is udp only
    assert_eq!(state(22, Proto::Dccp), PortState::OtherProtocolOnly);
    assert_eq!(state(9, Proto::Dccp), PortState::Assigned); // discard has a DCCP row
    assert_eq!(state(49_152, Proto::Udp), PortState::Dynamic);
    assert_eq!(state(65_535, Proto::Tcp), PortState::Dynamic);
    // Unauthorized use: on a nameless unassigned row, and on one port of a named range only.
    assert!(!r.status(100, Proto::Tcp).unauthorized.is_empty());
    assert!(!r.status(6003, Proto::Tcp).unauthorized.is_empty());
    assert!(r.status(6000, Proto::Tcp).unauthorized.is_empty());
    // Names: case-insensitive, several ports, ranges, aliases, name-only rows.
    assert_eq!(r.resolve_name("SSH", Proto::Tcp), [(22, 22)]);
    assert_eq!(
        r.resolve_name("http-alt", Proto::Tcp),
        [(591, 591), (8008, 8008), (8080, 8080)]
    );
    assert_eq!(r.resolve_name("x11", Proto::Tcp), [(6000, 6063)]);
    assert_eq!(
        r.resolve_name("whois++", Proto::Tcp),
        r.resolve_name("whoispp", Proto::Tcp)
    );
    assert!(r.resolve_name("compressnet", Proto::Tcp).is_empty());
    assert!(!r.records_named("compressnet").is_empty());
    assert_eq!(r.records_in_range(6000, 6010).len(), 2); // x11 tcp and udp
    let kinds: Vec<RecordKind> = r.records_at(1021).map(|rec| rec.kind).collect();
    assert_eq!(kinds, [RecordKind::Experimental; 4]);
}

/// The ports an "Unauthorized Use Reported" note applies to, read from the CSV itself: a
/// single-port row's port; on a range row, the ports and ranges the note names inside the range,
/// or the whole range when it names none.
fn csv_unauthorized_ports() -> std::collections::BTreeSet<u16> {
    let mut ports = std::collections::BTreeSet::new();
    for row in csv_rows() {
        let (port, note) = (&row[1], &row[10]);
        if note.is_empty() || port.is_empty() {
            continue;
        }
        let (lo, hi) = match port.split_once('-') {
            Some((lo, hi)) => (lo.parse::<u16>().unwrap(), hi.parse::<u16>().unwrap()),
            None => (port.parse().unwrap(), port.parse().unwrap()),
        };
        let named: Vec<(u16, u16)> = note
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .filter_map(|token| {
                let token = token.trim_matches('-');
                match token.split_once('-') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => token.parse().ok().map(|n| (n, n)),
                }
            })
            .filter(|&(a, b)| a <= hi && lo <= b)
            .collect();
        if lo == hi || named.is_empty() {
            ports.extend(lo..=hi);
        } else {
            for (a, b) in named {
                ports.extend(a.max(lo)..=b.min(hi));
            }
        }
    }
    ports
}

#[test]
fn unauthorized_use_notes_apply_to_every_port_they_name() {
    let r = Registry::embedded();
    let protos = [Proto::Tcp, Proto::Udp, Proto::Sctp, Proto::Dccp];
    let reported: std::collections::BTreeSet<u16> = (0..=49151u16)
        .filter(|&port| protos.iter().any(|&p| r.unauthorized_reported(port, p)))
        .collect();
    assert_eq!(reported, csv_unauthorized_ports());
    assert_eq!(reported.len(), 177, "the CSV's notes cover 177 ports");
    // 98 of them only through a range a note names, not by a number written out: 2195
    // ("Unauthorized Use Known on ports 2194-2196") and 33437-33533 ("… on ports 33436-33534").
    let inside: Vec<u16> = reported
        .iter()
        .copied()
        .filter(|&p| p == 2195 || (33437..=33533).contains(&p))
        .collect();
    assert_eq!(inside.len(), 98);
    for port in 2194..=2196 {
        assert!(r.unauthorized_reported(port, Proto::Tcp), "{port}");
    }
    // A note naming one port of a block still names only that one.
    assert!(r.unauthorized_reported(796, Proto::Tcp));
    assert!(!r.unauthorized_reported(790, Proto::Tcp));
}

#[test]
fn a_reserved_row_with_a_removal_note_says_both() {
    let r = Registry::embedded();
    let status = r.status(2, Proto::Tcp);
    let words: Vec<String> = status
        .records
        .iter()
        .filter_map(|rec| rec.status_with_history())
        .collect();
    assert_eq!(words, ["reserved — de-assigned on 2025-02-13"]);
    // An assigned row has no such words.
    assert!(r.status(22, Proto::Tcp).records[0]
        .status_with_history()
        .is_none());
}
