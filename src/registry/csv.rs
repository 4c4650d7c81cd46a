//! Import of IANA's `service-names-port-numbers.csv`.
//!
//! Shared with `build.rs` (included with `#[path]`), which uses it to compile the embedded
//! registry; at run time it reads a CSV given with `--registry`.

use super::model::{classify, Proto, Record};

/// A CSV revision: its rows and the newest registration/modification date in it (the file has
/// no date of its own).
pub struct CsvRegistry {
    pub records: Vec<Record>,
    pub date: String,
}

const COLUMNS: [&str; 12] = [
    "Service Name",
    "Port Number",
    "Transport Protocol",
    "Description",
    "Assignee",
    "Contact",
    "Registration Date",
    "Modification Date",
    "Reference",
    "Service Code",
    "Unauthorized Use Reported",
    "Assignment Notes",
];

/// Parse the CSV text. Accepts CRLF or LF record terminators and bare LF inside quoted fields.
pub fn parse_csv(
    text: &str,
    leak: &mut dyn FnMut(&str) -> &'static str,
) -> Result<CsvRegistry, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the CSV header: {e}"))?
        .clone();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != COLUMNS {
        return Err(format!(
            "not an IANA service-names-port-numbers CSV: expected the columns {}, found {}",
            COLUMNS.join(", "),
            found.join(", ")
        ));
    }
    let mut records = Vec::new();
    let mut date = String::new();
    for (index, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("CSV record {}: {e}", index + 1))?;
        let field = |i: usize| row.get(i).unwrap_or("").trim();
        let line = row.position().map_or(index as u64 + 2, |p| p.line());
        let ports = parse_port_field(field(1)).map_err(|e| format!("line {line}: {e}"))?;
        let proto = match field(2) {
            "" => None,
            p => Some(
                Proto::parse(p)
                    .ok_or_else(|| format!("line {line}: unknown transport protocol {p:?}"))?,
            ),
        };
        for d in [field(6), field(7)] {
            if d.len() >= 7 && *d > *date.as_str() {
                date = d.to_string();
            }
        }
        let (name, description, notes) = (field(0), field(3), field(11));
        records.push(Record {
            name: leak(name),
            ports,
            proto,
            description: leak(description),
            assignee: leak(field(4)),
            contact: leak(field(5)),
            registration_date: leak(field(6)),
            modification_date: leak(field(7)),
            reference: leak(field(8)),
            service_code: leak(field(9)),
            unauthorized: leak(field(10)),
            notes: leak(notes),
            kind: classify(name, description, notes),
        });
    }
    Ok(CsvRegistry { records, date })
}

/// `""` (a name-only row), `"80"` or `"6000-6063"`.
pub fn parse_port_field(text: &str) -> Result<Option<(u16, u16)>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let number = |s: &str| {
        s.trim()
            .parse::<u16>()
            .map_err(|_| format!("invalid port number {text:?}"))
    };
    let (lo, hi) = match text.split_once('-') {
        Some((lo, hi)) => (number(lo)?, number(hi)?),
        None => {
            let n = number(text)?;
            (n, n)
        }
    };
    if lo > hi {
        return Err(format!("inverted port range {text:?}"));
    }
    Ok(Some((lo, hi)))
}
