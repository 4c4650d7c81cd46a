//! Is a registry file whole? A file cut short (a download that stopped, a copy cut with `head`)
//! parses as a registry with fewer rows, and every port without a row would read as
//! "unassigned" — a silent, wrong answer for every check. IANA lists every port of the ranges
//! it covers, assigned or not (`Unassigned` and `Reserved` rows fill the gaps), so a whole file
//! covers its ranges almost without gaps: the revisions in `shared/data/iana` leave at most 2 of
//! the 1,024 system ports and 74 of the 48,128 user ports uncovered, per protocol.

use super::{Meta, Proto, Registry, DYNAMIC_START};

/// The share of a range a whole file may leave uncovered, in parts per thousand: ten times the
/// worst real revision's, and far below what a cut-off file leaves.
const MAX_GAP_PER_MILLE: u32 = 20;

/// The system ports, which every format has listed since RFC 1700.
const SYSTEM_END: u16 = 1023;

/// The protocols every revision lists in full. SCTP and DCCP have a few dozen rows only.
const LISTED_IN_FULL: [Proto; 2] = [Proto::Tcp, Proto::Udp];

/// Refuse a registry whose rows leave too much of the range its format must cover uncovered.
///
/// The IANA CSV and XML cover the system and user ports, 0–49151. A legacy `port-numbers`
/// text covers at least the system ports (the flattened 2007 seed stops at 1023) and, when it
/// goes further, every port up to its last entry.
pub fn check_complete(registry: &Registry) -> Result<(), String> {
    let end = required_end(&registry.meta);
    for proto in LISTED_IN_FULL {
        check_range(registry, proto, 0, SYSTEM_END)?;
        if end > SYSTEM_END {
            check_range(registry, proto, SYSTEM_END + 1, end)?;
        }
    }
    Ok(())
}

/// The last port the file must cover.
fn required_end(meta: &Meta) -> u16 {
    match meta.format {
        "csv" | "xml" => DYNAMIC_START - 1,
        _ => meta.coverage_end.max(SYSTEM_END),
    }
}

fn check_range(registry: &Registry, proto: Proto, lo: u16, hi: u16) -> Result<(), String> {
    let mut uncovered = 0u32;
    let mut last_covered = None;
    for port in lo..=hi {
        if covers(registry, port, proto) {
            last_covered = Some(port);
        } else {
            uncovered += 1;
        }
    }
    let size = u32::from(hi - lo) + 1;
    let ends_early = last_covered != Some(hi);
    if uncovered * 1000 <= size * MAX_GAP_PER_MILLE && !ends_early {
        return Ok(());
    }
    let stops = match last_covered {
        Some(last) => format!("its last {} row is for port {last}", proto.as_str()),
        None => format!("it has no {} row in that range", proto.as_str()),
    };
    Err(format!(
        "incomplete: a whole {} lists every {} port from {lo} to {hi}, but {uncovered} of these \
         {size} have no row ({stops}); a file cut short would report each missing port as \
         unassigned. Download the registry again (https://www.iana.org/assignments/\
         service-names-port-numbers/service-names-port-numbers.csv), or run without \
         --registry to use the embedded revision",
        format_name(registry),
        proto.as_str(),
    ))
}

/// Whether a row (for `proto` or for every protocol) covers `port`.
fn covers(registry: &Registry, port: u16, proto: Proto) -> bool {
    registry
        .records_at(port)
        .any(|record| record.proto.is_none_or(|p| p == proto))
}

fn format_name(registry: &Registry) -> &'static str {
    match registry.meta.format {
        "csv" => "IANA CSV",
        "xml" => "IANA XML",
        _ => "port-numbers text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_revision_is_complete() {
        assert_eq!(check_complete(&Registry::embedded()), Ok(()));
    }

    #[test]
    fn a_csv_cut_short_is_refused_and_says_where_it_stops() {
        let mut csv = String::from(
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,\
             Registration Date,Modification Date,Reference,Service Code,\
             Unauthorized Use Reported,Assignment Notes\n",
        );
        csv.push_str(",0-20000,,Unassigned,,,,,,,,\n");
        let registry = Registry::parse(&csv, "cut.csv".into()).expect("parses");
        let err = check_complete(&registry).expect_err("incomplete");
        assert!(err.contains("from 1024 to 49151"), "{err}");
        assert!(err.contains("its last tcp row is for port 20000"), "{err}");
        csv.push_str(",20001-49151,,Unassigned,,,,,,,,\n");
        let registry = Registry::parse(&csv, "whole.csv".into()).expect("parses");
        assert_eq!(check_complete(&registry), Ok(()));
    }
}
