//! Registry revisions other than the embedded one: IANA's XML (checked against the CSV) and the
//! legacy `port-numbers` text (the flattened 2007-02-15 seed, and the full 2006-11-13 and
//! 2008-02-29 files). The data lives in `../shared/data/iana/` (see its README); without it,
//! these tests skip with a message.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use portlint::registry::legacy::{parse_legacy, LegacyRegistry, Origin};
use portlint::registry::{PortState, Proto, Record, RecordKind, Registry};
use proptest::prelude::*;

const SEED: &str = "port-numbers-2007-02-15.txt";
const FULL_2006: &str = "port-numbers-2006-11-13.txt";
const FULL_2008: &str = "port-numbers-2008-02-29.txt";
const XML: &str = "service-names-port-numbers-2025-12-15.xml.gz";
const CSV: &str = "service-names-port-numbers.csv";

// ---------------------------------------------------------------------------------------------
// Helpers

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/iana");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

/// The shared data directory, or return from the test (skipping it).
macro_rules! shared_or_skip {
    () => {
        match shared_dir() {
            Some(dir) => dir,
            None => return,
        }
    };
}

/// The legacy files are ASCII, Latin-1 (2006) or UTF-8 with mojibake (2008): read them as
/// `Registry::load` does.
fn read_text(dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn read_gz(dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    text
}

fn parse(text: &str) -> Registry {
    Registry::parse(text, Cow::Borrowed("x")).unwrap_or_else(|e| panic!("{e}"))
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

fn legacy(text: &str) -> LegacyRegistry {
    parse_legacy(text, &mut leak).unwrap_or_else(|e| panic!("{e}"))
}

/// The rows that are real entries (not commented pseudo-entries or rows made for notes).
fn entries(reg: &LegacyRegistry) -> impl Iterator<Item = &Record> {
    reg.records
        .iter()
        .zip(&reg.origins)
        .filter(|(_, o)| **o == Origin::Entry)
        .map(|(r, _)| r)
}

fn count_origin(reg: &LegacyRegistry, origin: Origin) -> usize {
    reg.origins.iter().filter(|o| **o == origin).count()
}

/// Entries per written protocol (`None`: no protocol, e.g. `active-net 3322-3325`).
fn entries_per_proto(reg: &LegacyRegistry) -> BTreeMap<Option<Proto>, usize> {
    let mut counts = BTreeMap::new();
    for r in entries(reg) {
        *counts.entry(r.proto).or_default() += 1;
    }
    counts
}

/// (keyword lower-cased, ports, protocol).
type EntryKey = (String, Option<(u16, u16)>, Option<Proto>);

/// (keyword lower-cased, ports, protocol) of the entries on System ports, sorted.
fn system_port_entries(reg: &LegacyRegistry) -> Vec<EntryKey> {
    let mut keys: Vec<_> = entries(reg)
        .filter(|r| r.ports.is_some_and(|(_, hi)| hi <= 1023))
        .map(|r| (r.name.to_ascii_lowercase(), r.ports, r.proto))
        .collect();
    keys.sort();
    keys
}

fn fields(r: &Record) -> [&'static str; 10] {
    [
        r.name,
        r.description,
        r.assignee,
        r.contact,
        r.registration_date,
        r.modification_date,
        r.reference,
        r.service_code,
        r.unauthorized,
        r.notes,
    ]
}

/// The e-mail addresses written in a legacy file: `<user@host>` and `user&host.domain` tokens.
fn addresses_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for token in text.split_whitespace() {
        let token = token.trim_matches(|c: char| "<>(),;#".contains(c));
        let obfuscated = token
            .split_once('&')
            .is_some_and(|(user, host)| user.len() > 1 && host.contains('.'));
        if token.contains('@') || obfuscated {
            found.push(token.to_ascii_lowercase());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// No field of any record holds an address of the file (nor anything with `@`).
fn assert_no_addresses(text: &str, records: &[Record]) {
    let addresses = addresses_in(text);
    assert!(addresses.len() > 100, "expected the file to hold addresses");
    let mut tokens = std::collections::HashSet::new();
    for r in records {
        for field in fields(r) {
            assert!(!field.contains('@'), "address in {r:?}");
            for token in field.split_whitespace() {
                tokens.insert(
                    token
                        .trim_matches(|c: char| "<>(),;#".contains(c))
                        .to_ascii_lowercase(),
                );
            }
        }
    }
    let leaked: Vec<&String> = addresses.iter().filter(|a| tokens.contains(*a)).collect();
    assert!(leaked.is_empty(), "addresses in records: {leaked:?}");
}

// ---------------------------------------------------------------------------------------------
// XML

#[test]
fn xml_imports_every_record() {
    let dir = shared_or_skip!();
    let xml = parse(&read_gz(&dir, XML));
    assert_eq!(xml.meta.format, "xml");
    assert_eq!(xml.meta.date, "2025-12-15");
    assert_eq!(xml.records().len(), 14_496);
    let count = |f: &dyn Fn(&Record) -> bool| xml.records().iter().filter(|r| f(r)).count();
    // README §2: 1,463 records without <protocol>, 1,055 without <number>, 1,709 without <name>
    // (and 9 with an empty `<name/>`).
    assert_eq!(count(&|r| r.proto.is_none()), 1_463);
    assert_eq!(count(&|r| r.ports.is_none()), 1_055);
    assert_eq!(count(&|r| r.name.is_empty()), 1_709 + 9);
}

#[test]
fn xml_fields_render_like_the_csv() {
    let dir = shared_or_skip!();
    let xml = parse(&read_gz(&dir, XML));
    let tcpmux = &xml.status(1, Proto::Tcp).records[0];
    assert_eq!(
        (tcpmux.name, tcpmux.assignee, tcpmux.contact),
        ("tcpmux", "[Mark_Lottor]", "[Mark_Lottor]")
    );

    let exp1 = xml.status(1021, Proto::Tcp);
    assert_eq!(exp1.state, PortState::Experimental);
    let exp1 = exp1.records[0];
    assert_eq!((exp1.assignee, exp1.contact), ("[IESG]", "[IETF_Chair]"));
    assert_eq!(exp1.reference, "[1][RFC4727][RFC6335]");

    // `<br/><br/>` and the line break after them are one line break.
    let whoispp = xml.records_named("whoispp")[0];
    assert_eq!(
        whoispp.description,
        "whois++\nIANA assigned this well-formed service name as a replacement for \"whois++\"."
    );
    // An inline xref in a description.
    let brski = xml.records_named("brski-reg-cmp")[0];
    assert!(
        brski.description.ends_with("Profile (LCMPP) [RFC9483]"),
        "{}",
        brski.description
    );

    let finger = xml.status(79, Proto::Tcp);
    assert_eq!(
        finger.unauthorized[0].unauthorized,
        "Unauthorized use by some mail users (see [RFC4146] for details)"
    );
    let x11 = xml.status(6003, Proto::Tcp);
    assert_eq!(x11.names(), ["x11"]);
    assert!(!x11.unauthorized.is_empty());
    assert!(xml.status(6004, Proto::Tcp).unauthorized.is_empty());

    let discard = xml.status(9, Proto::Dccp).records[0];
    assert_eq!(discard.service_code, "1145656131");
    let deassigned = xml.status(2, Proto::Tcp).records[0];
    assert_eq!(
        deassigned.notes,
        "De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]"
    );
    assert_eq!(deassigned.modification_date, "2025-02-13");

    // The <people> section (with `mailto:` addresses) is never read.
    for r in xml.records() {
        for field in fields(r) {
            assert!(!field.contains("mailto:"), "{r:?}");
        }
    }
}

/// The XML (IANA revision 2025-12-15) and the CSV (2026-02-25 or a little later) agree on
/// (name, ports, protocol, kind) for all records but the ones IANA changed in between:
/// - `ollama` got 11434/tcp (2026-01-23): the CSV splits the unassigned block 11431-11488 into
///   11431-11433, 11434/tcp `ollama`, 11434/udp reserved and 11435-11488;
/// - `wchr` (name-only, udp) was registered on 2026-02-25.
///
/// Comparing every field, the XML records without an identical CSV record are those same
/// updates (3GPP assignee ids renamed, RFC 9915 and a new pkix-cmc reference replacing drafts,
/// new contacts with 2026-01-23 modification dates) plus two ways IANA's CSV renders the XML
/// that the importer does not copy: the indentation between `<paragraph>`s (`wot`, 2 rows) and an
/// xref glued to the word before it (`previous contact was[Christopher_Allen]`, 994/tcp).
#[test]
fn xml_agrees_with_the_csv() {
    let dir = shared_or_skip!();
    let xml = parse(&read_gz(&dir, XML));
    let csv = parse(&read_text(&dir, CSV));
    assert_eq!(csv.records().len(), 14_500);

    let key = |r: &Record| (r.name.to_string(), r.ports, r.proto, r.kind);
    let (xml_only, csv_only) = multiset_difference(xml.records(), csv.records(), key);
    let late = |k: &(String, Option<(u16, u16)>, Option<Proto>, RecordKind)| {
        k.1.is_some_and(|(lo, hi)| lo >= 11431 && hi <= 11488) || k.0 == "wchr"
    };
    assert!(
        xml_only.len() <= 1 && xml_only.iter().all(late),
        "{xml_only:?}"
    );
    assert!(
        csv_only.len() <= 5 && csv_only.iter().all(late),
        "{csv_only:?}"
    );

    let (xml_only, _) = multiset_difference(xml.records(), csv.records(), |r| format!("{r:?}"));
    assert!(
        xml_only.len() <= 20,
        "{} XML records differ from the CSV: {xml_only:#?}",
        xml_only.len()
    );
}

/// The keys of `a` missing from `b` and of `b` missing from `a`, counting repeats.
fn multiset_difference<K: std::hash::Hash + Eq + Clone>(
    a: &[Record],
    b: &[Record],
    key: impl Fn(&Record) -> K,
) -> (Vec<K>, Vec<K>) {
    let mut balance: HashMap<K, i64> = HashMap::new();
    for r in a {
        *balance.entry(key(r)).or_default() += 1;
    }
    for r in b {
        *balance.entry(key(r)).or_default() -= 1;
    }
    let (mut a_only, mut b_only) = (Vec::new(), Vec::new());
    for (k, n) in balance {
        let side = if n > 0 { &mut a_only } else { &mut b_only };
        for _ in 0..n.unsigned_abs() {
            side.push(k.clone());
        }
    }
    (a_only, b_only)
}

#[test]
fn xml_errors_are_reported_not_panics() {
    for text in [
        "<?xml version='1.0'?>",
        "<?xml version='1.0'?><registry id='service-names-port-numbers'><record><number>80-</number></record></registry>",
        "<?xml version='1.0'?><registry id='service-names-port-numbers'><record><protocol>ddp</protocol></record></registry>",
        "<?xml version='1.0'?><registry id='protocol-numbers'/>",
        "<?xml version='1.0'?><foo/>",
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'>]><registry>&a;</registry>",
    ] {
        assert!(Registry::parse(text, Cow::Borrowed("x")).is_err(), "{text}");
    }
    // A record per port is fine; ten thousand records covering every port are not a registry
    // (the index holds one entry per covered port).
    let huge = format!(
        "<?xml version='1.0'?><registry>{}</registry>",
        "<record><number>0-65535</number></record>".repeat(10_000)
    );
    assert!(Registry::parse(&huge, Cow::Borrowed("x")).is_err());
    let minimal = "<?xml version='1.0'?><registry xmlns='http://www.iana.org/assignments'>\
                   <updated>2025-12-15</updated><record><name>a</name><number>7</number>\
                   <protocol>tcp</protocol><description>x</description></record></registry>";
    let reg = parse(minimal);
    assert_eq!(reg.status(7, Proto::Tcp).names(), ["a"]);
}

// ---------------------------------------------------------------------------------------------
// Legacy text: the flattened seed

#[test]
fn seed_and_2006_list_the_same_system_port_entries() {
    let dir = shared_or_skip!();
    let seed = legacy(&read_text(&dir, SEED));
    let full = legacy(&read_text(&dir, FULL_2006));
    let (seed_keys, full_keys) = (system_port_entries(&seed), system_port_entries(&full));
    assert_eq!(seed_keys.len(), 1_400);
    assert_eq!(seed_keys, full_keys);
}

#[test]
fn seed_counts_match_the_readme() {
    let dir = shared_or_skip!();
    let seed = legacy(&read_text(&dir, SEED));
    assert_eq!(seed.date, "2007-02-15");
    assert_eq!(seed.coverage_end, 1023);
    let expected = BTreeMap::from([
        (Some(Proto::Tcp), 700),
        (Some(Proto::Udp), 699),
        (Some(Proto::Dccp), 1),
    ]);
    assert_eq!(entries_per_proto(&seed), expected);
    // README: 69 commented pseudo-entries; two of them are the commented-out `#unitary 126/…`
    // assignments, which are kept as a note on port 126 rather than as rows.
    assert_eq!(count_origin(&seed, Origin::Commented), 67);
    assert_eq!(count_origin(&seed, Origin::NoteOnly), 0);
    assert_eq!(entries(&seed).filter(|r| r.name.is_empty()).count(), 20);
}

#[test]
fn seed_states() {
    let dir = shared_or_skip!();
    let seed = parse(&read_text(&dir, SEED));
    assert_eq!(seed.meta.format, "legacy-text");
    assert_eq!(seed.meta.date, "2007-02-15");
    assert_eq!(seed.meta.coverage_end, 1023);
    let state = |port, proto| seed.status(port, proto).state;

    let compressnet = seed.status(2, Proto::Tcp);
    assert_eq!(compressnet.state, PortState::Assigned);
    assert_eq!(compressnet.names(), ["compressnet"]);
    assert_eq!(
        seed.status(80, Proto::Tcp).names(),
        ["http", "www", "www-http"]
    );
    assert_eq!(seed.status(512, Proto::Tcp).names(), ["exec"]);
    assert_eq!(seed.status(512, Proto::Udp).names(), ["comsat", "biff"]);
    assert_eq!(
        seed.status(24, Proto::Tcp).records[0].description,
        "any private mail system"
    );

    assert_eq!(state(0, Proto::Tcp), PortState::Reserved);
    assert_eq!(state(1023, Proto::Udp), PortState::Reserved);
    assert_eq!(state(225, Proto::Tcp), PortState::Reserved); // `# 225-241 Reserved`
    assert_eq!(state(4, Proto::Tcp), PortState::Unassigned); // `# 4/tcp Unassigned`
    assert_eq!(state(713, Proto::Udp), PortState::Unassigned); // `# 713-728 Unassigned`
    assert_eq!(state(853, Proto::Tcp), PortState::Unassigned);
    assert_eq!(state(1008, Proto::Udp), PortState::Unassigned); // "Possibly used by Sun Solaris????"
    assert_eq!(state(114, Proto::Tcp), PortState::Deassigned); // `# 114 Deprecated June 2004`
    assert_eq!(state(585, Proto::Udp), PortState::Deassigned); // `# 585 De-registered (25 April 2006)`
    assert_eq!(state(659, Proto::Tcp), PortState::Deassigned); // `# 659 Removed (2001-06-06)`
    assert_eq!(
        seed.status(585, Proto::Tcp).records[0].modification_date,
        "2006-04-25"
    );
    assert_eq!(state(9, Proto::Dccp), PortState::Assigned);
    assert_eq!(state(9, Proto::Sctp), PortState::OtherProtocolOnly);
    assert_eq!(state(8080, Proto::Tcp), PortState::Unknown);
    assert_eq!(state(50000, Proto::Tcp), PortState::Dynamic);

    let exp1 = seed.status(1021, Proto::Tcp);
    assert_eq!(exp1.state, PortState::Experimental);
    assert_eq!(exp1.names(), ["exp1"]);
    assert!(exp1.records[0]
        .notes
        .contains("explicitly-configured experiments; they MUST NOT be shipped as defaults"));
    assert!(exp1.records[0].notes.contains("RFC 3692"));
    assert_eq!(exp1.records[0].reference, "[RFC4727]");
    assert_eq!(state(1022, Proto::Udp), PortState::Experimental);
}

#[test]
fn seed_keeps_the_notes_on_unassigned_but_widespread_uses() {
    let dir = shared_or_skip!();
    let seed = parse(&read_text(&dir, SEED));
    // As the CSV keeps them in the rows' notes ("This entry records an unassigned but
    // widespread use"): cddbp 888/tcp, bhoetty 351, bhoedap4 352, and only those rows.
    let noted = |port, proto, name: &str| {
        seed.status(port, proto)
            .records
            .iter()
            .filter(|r| r.name == name)
            .all(|r| r.notes.contains("records an unassigned but widespread use"))
    };
    assert!(noted(888, Proto::Tcp, "cddbp"));
    for proto in [Proto::Tcp, Proto::Udp] {
        assert!(noted(351, proto, "bhoetty"));
        assert!(noted(352, proto, "bhoedap4"));
    }
    let widespread: Vec<(Option<(u16, u16)>, &str)> = seed
        .records()
        .iter()
        .filter(|r| r.notes.contains("widespread"))
        .map(|r| (r.ports, r.name))
        .collect();
    assert_eq!(widespread.len(), 5, "{widespread:?}");
    // The entries before the note and after its group keep none.
    assert!(noted(888, Proto::Tcp, "cddbp") && !noted(888, Proto::Tcp, "accessbuilder"));
    assert!(!noted(352, Proto::Tcp, "dtag-ste-sb"));
}

#[test]
fn a_removed_unassigned_entry_reads_as_the_csv_s_removal_notes() {
    let dir = shared_or_skip!();
    let full = parse(&read_text(&dir, "port-numbers-2006-11-13.txt"));
    let status = full.status(786, Proto::Tcp);
    assert_eq!(status.state, PortState::Deassigned);
    let words: Vec<String> = status
        .records
        .iter()
        .filter_map(|r| r.status_with_history())
        .collect();
    assert_eq!(words, ["unassigned — removed on 2002-05-08"]);
}

#[test]
fn seed_unauthorized_use_notes() {
    let dir = shared_or_skip!();
    let seed = parse(&read_text(&dir, SEED));
    let unauthorized = |port| -> Vec<&str> {
        seed.status(port, Proto::Tcp)
            .unauthorized
            .iter()
            .map(|r| r.unauthorized)
            .collect()
    };
    assert_eq!(
        unauthorized(90),
        ["PORT 90 also being used unofficially by Pointcast"]
    );
    assert_eq!(
        unauthorized(106),
        ["106 Unauthorized use by insecure poppassd protocol"]
    );
    // `newacct 100/tcp [unauthorized use]`: the keyword names the unauthorized user; the port
    // is not assigned (today's registry: `,100,,Unassigned,…,Known Unauthorized Use on 100`).
    assert_eq!(unauthorized(100), ["[unauthorized use]"]);
    assert_eq!(seed.status(100, Proto::Tcp).state, PortState::Unassigned);
    assert!(unauthorized(107).is_empty());
    // Other banner notes are assignment notes.
    let rsh_spx = seed.status(222, Proto::Tcp);
    assert!(rsh_spx.unauthorized.is_empty());
    assert!(rsh_spx.records[0]
        .notes
        .starts_with("Possible Conflict of Port 222 with \"Masqdialer\""));
    assert!(seed.status(126, Proto::Tcp).records[0]
        .notes
        .contains("unitary 126/tcp Unisys Unitary Login"));
}

#[test]
fn seed_contacts_without_addresses() {
    let dir = shared_or_skip!();
    let text = read_text(&dir, SEED);
    let seed = parse(&text);
    assert_eq!(seed.status(1, Proto::Tcp).records[0].contact, "Mark Lottor");
    // A contact line applies to all the entries above it, up to the previous contact line.
    assert_eq!(seed.status(3, Proto::Udp).records[0].contact, "Bernie Volz");
    assert_eq!(seed.status(19, Proto::Tcp).records[0].contact, "Jon Postel");
    assert_eq!(
        seed.status(9, Proto::Dccp).records[0].contact,
        "IETF dccp WG, Eddie Kohler, [RFC4340]"
    );
    assert_eq!(
        seed.status(18, Proto::Tcp).records[0].contact,
        "Rina Nethaniel"
    ); // <---none--->
    assert_eq!(
        seed.status(97, Proto::Tcp).records[0].contact,
        "Maurice R. Turcotte"
    ); // UUCP path
    assert_no_addresses(&text, seed.records());
}

// ---------------------------------------------------------------------------------------------
// Legacy text: the full files

#[test]
fn full_2006_counts() {
    let dir = shared_or_skip!();
    let reg = legacy(&read_text(&dir, FULL_2006));
    assert_eq!(reg.date, "2006-11-13");
    assert_eq!(reg.coverage_end, 49151);
    // README: 9,841 entries (tcp 4,913, udp 4,904, sctp 23, dccp 1), counting the well-formed
    // `N/proto` tokens. The misspelt `ipfixs 4740/stcp` is read as SCTP, hence 24 here; 17
    // entries have no protocol (`active-net 3322-3325`, `info-aps 6400`, `* 10108-10112`, …).
    let expected = BTreeMap::from([
        (None, 17),
        (Some(Proto::Tcp), 4_913),
        (Some(Proto::Udp), 4_904),
        (Some(Proto::Sctp), 24),
        (Some(Proto::Dccp), 1),
    ]);
    assert_eq!(entries_per_proto(&reg), expected);
    // README: 587 commented pseudo-entries; two are `#unitary` (a note), and `# 24322-24248
    // Unassigned` is an inverted range (a typo for 24322-24348) that cannot be read.
    assert_eq!(count_origin(&reg, Origin::Commented), 584);
    // `##### Microsoft (unoffically) using 1232 #####`, … 1895, `3300-3301 Unauthorized Use by
    // SAP R/3`: the banner replaces the entry, so a nameless row carries the note.
    assert_eq!(count_origin(&reg, Origin::NoteOnly), 3);
}

#[test]
fn full_2008_counts() {
    let dir = shared_or_skip!();
    let reg = legacy(&read_text(&dir, FULL_2008));
    assert_eq!(reg.date, "2008-02-29");
    assert_eq!(reg.coverage_end, 49151);
    // README: 10,332 entries (tcp 5,157, udp 5,140, sctp 32, dccp 3).
    let expected = BTreeMap::from([
        (None, 16),
        (Some(Proto::Tcp), 5_157),
        (Some(Proto::Udp), 5_140),
        (Some(Proto::Sctp), 32),
        (Some(Proto::Dccp), 3),
    ]);
    assert_eq!(entries_per_proto(&reg), expected);
    assert_eq!(count_origin(&reg, Origin::Commented), 629); // README 631, less the two `#unitary`
}

#[test]
fn full_files_states() {
    let dir = shared_or_skip!();
    let r2006 = parse(&read_text(&dir, FULL_2006));
    let r2008 = parse(&read_text(&dir, FULL_2008));
    for reg in [&r2006, &r2008] {
        assert_eq!(reg.meta.coverage_end, 49151);
        assert_eq!(reg.status(49151, Proto::Tcp).state, PortState::Reserved); // `# 49151 IANA Reserved`
        assert_eq!(reg.status(6003, Proto::Tcp).names(), ["x11"]);
        assert_eq!(reg.resolve_name("swx", Proto::Sctp), [(7300, 7359)]);
        assert_eq!(reg.status(1232, Proto::Tcp).state, PortState::Unassigned);
        for port in [
            90, 100, 106, 1232, 1895, 2370, 3300, 3301, 4000, 4144, 5555, 6588,
        ] {
            assert!(
                !reg.status(port, Proto::Tcp).unauthorized.is_empty(),
                "{port}"
            );
        }
        assert!(reg.status(3302, Proto::Tcp).unauthorized.is_empty());
        assert_eq!(reg.status(1783, Proto::Tcp).state, PortState::Deassigned); // "Decomissioned Port"
        assert_eq!(reg.status(9006, Proto::Tcp).state, PortState::Deassigned); // "De-Commissioned Port"
        assert_eq!(reg.status(11970, Proto::Tcp).state, PortState::Unassigned); // "Unassiged"
        assert_eq!(reg.status(14001, Proto::Udp).state, PortState::Deassigned); // `sua … De-Registered`
        let pdl = reg.status(9100, Proto::Tcp);
        assert!(pdl
            .records
            .iter()
            .all(|r| r.notes.contains("default port for this protocol is 9100")));
        // A contact continued on a line without `#`.
        assert_eq!(
            reg.status(3749, Proto::Tcp).records[0].contact,
            "Robert E. Johnson, III April 2003"
        );
    }
    assert_eq!(r2006.status(4740, Proto::Sctp).names(), ["ipfixs"]); // written `4740/stcp`

    // 2008: names registered with port 0 have no port.
    assert_eq!(r2008.status(0, Proto::Tcp).names(), Vec::<&str>::new());
    assert_eq!(r2008.status(0, Proto::Tcp).state, PortState::Reserved);
    let itunes = r2008.records_named("spr-itunes");
    assert_eq!(itunes.len(), 1);
    assert_eq!(itunes[0].ports, None);
    assert!(r2008.resolve_name("spr-itunes", Proto::Tcp).is_empty());
    // `# 81 Unassigned (Removed on 2007-09-06)` reads as the CSV's Reserved rows with a removal
    // note do: de-assigned, and said with both words.
    let removed = r2008.status(81, Proto::Tcp);
    assert_eq!(removed.state, PortState::Deassigned);
    assert_eq!(removed.records[0].modification_date, "2007-09-06");
    assert_eq!(
        removed.records[0].status_with_history().as_deref(),
        Some("unassigned — removed on 2007-09-06")
    );
    assert_eq!(r2006.status(81, Proto::Tcp).names(), ["hosts2-ns"]);
    assert_eq!(r2008.status(80, Proto::Sctp).names(), ["http"]);
}

#[test]
fn full_files_contain_no_addresses() {
    let dir = shared_or_skip!();
    for name in [FULL_2006, FULL_2008] {
        let text = read_text(&dir, name);
        assert_no_addresses(&text, parse(&text).records());
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness

#[test]
fn truncated_files_do_not_panic() {
    let dir = shared_or_skip!();
    for (name, cuts) in [(SEED, 60), (FULL_2006, 8), (FULL_2008, 8)] {
        let text = read_text(&dir, name);
        for i in 1..cuts {
            let mut at = text.len() * i / cuts;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if let Ok(reg) = Registry::parse(&text[..at], Cow::Borrowed("x")) {
                assert!(reg.meta.coverage_end <= 49151);
                let _ = reg.status(80, Proto::Tcp);
            }
        }
    }
    let xml = read_gz(&dir, XML);
    for i in 1..10 {
        let mut at = xml.len() * i / 10;
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        assert!(Registry::parse(&xml[..at], Cow::Borrowed("x")).is_err());
    }
}

#[test]
fn other_files_are_refused() {
    let dir = shared_or_skip!();
    // An /etc/services file has `name port/proto` lines, but it is not a registry.
    let err = Registry::parse(&read_text(&dir, "services"), Cow::Borrowed("x")).err();
    assert!(err.is_some_and(|e| e.contains("Port Assignments")));
    assert!(Registry::parse("", Cow::Borrowed("x")).is_err());
    assert!(Registry::parse("PORT NUMBERS\nPort Assignments:\n", Cow::Borrowed("x")).is_err());
}

#[test]
fn implausible_coverage_is_refused() {
    let text = format!(
        "PORT NUMBERS\nPort Assignments:\n{}",
        "# 0-65535 Unassigned\n".repeat(100)
    );
    let err = Registry::parse(&text, Cow::Borrowed("x")).err();
    assert!(err.is_some_and(|e| e.contains("is this a registry file")));
}

#[test]
fn a_long_flattened_list_parses() {
    let mut text = String::from("PORT NUMBERS (last updated 2007-02-15) Port Assignments: ");
    for port in 0..40_000u32 {
        text.push_str(&format!(
            "svc{port} {port}/tcp Service {port} # Someone <a{port}@example.org> "
        ));
    }
    let reg = parse(&text);
    assert_eq!(reg.records().len(), 40_000);
    assert_eq!(reg.meta.coverage_end, 39_999);
    assert_eq!(reg.status(12_345, Proto::Tcp).names(), ["svc12345"]);
    assert_eq!(reg.status(12_345, Proto::Tcp).records[0].contact, "Someone");
}

/// Pieces of registry text, valid and broken, for the property tests.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "PORT NUMBERS (last updated 2007-02-15)\n",
        "Port Assignments:\n",
        "REGISTERED PORT NUMBERS\n",
        "REFERENCES\n",
        "\n",
        " ",
        "\t",
        "#",
        "# ",
        "###### ",
        "#unitary ",
        "(*) ",
        "[unauthorized use] ",
        "[RFC4727] ",
        "<postel@isi.edu> ",
        "<--none---> ",
        "<",
        ">",
        "a&b.com ",
        "Unassigned ",
        "Reserved ",
        "Removed (2004-2-6) ",
        "De-registered (25 April 2006) ",
        "unofficially used by 1232 ",
        "0/tcp ",
        "65535/udp ",
        "1-65535 ",
        "0-65535/sctp ",
        "99999/tcp ",
        "9-3/tcp ",
        "80/stcp ",
        "80/ddp ",
        "80/ ",
        "/tcp ",
        "* ",
        "<?xml version='1.0'?>",
        "<registry>",
        "<record>",
        "<number>6000-6063</number>",
        "<xref type=\"rfc\" data=\"rfc1\"/>",
        "<br/>",
        "</record>",
        "</registry>",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        1 => "[a-z0-9*+./_-]{1,8} ",
        1 => (0u32..70_000).prop_map(|n| format!("{n}/tcp ")),
        1 => (0u32..70_000, 0u32..70_000).prop_map(|(a, b)| format!("# {a}-{b} Unassigned\n")),
        1 => "\\PC{0,12}",
    ]
}

fn exercise(text: &str) {
    if let Ok(reg) = Registry::parse(text, Cow::Borrowed("x")) {
        for port in [0, 1, 90, 1023, 1232, 49151, 65535] {
            for proto in Proto::ALL {
                let _ = reg.status(port, proto).names();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn registry_text_never_panics(pieces in prop::collection::vec(piece(), 0..80)) {
        exercise(&pieces.concat());
    }

    #[test]
    fn legacy_text_never_panics(pieces in prop::collection::vec(piece(), 0..80)) {
        let text = format!("PORT NUMBERS\n(last updated 2008-02-29)\nPort Assignments:\n{}", pieces.concat());
        exercise(&text);
        // The same text flattened onto one line, as the seed is.
        exercise(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        exercise(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// The fact table

/// A port's state for a protocol, read from its rows the slow way (the definition the fact
/// table built by `model::port_facts` must agree with).
fn state_from_rows(reg: &Registry, port: u16, proto: Proto) -> PortState {
    if port >= 49152 {
        return PortState::Dynamic;
    }
    if port > reg.meta.coverage_end {
        return PortState::Unknown;
    }
    let rows: Vec<&Record> = reg.records_at(port).collect();
    let has = |kind: RecordKind| {
        rows.iter()
            .any(|r| r.kind == kind && r.proto.is_none_or(|p| p == proto))
    };
    if has(RecordKind::Experimental) {
        PortState::Experimental
    } else if has(RecordKind::Assigned) {
        PortState::Assigned
    } else if has(RecordKind::Deassigned) {
        PortState::Deassigned
    } else if has(RecordKind::Reserved) {
        PortState::Reserved
    } else if has(RecordKind::Unassigned) {
        PortState::Unassigned
    } else if rows
        .iter()
        .any(|r| matches!(r.kind, RecordKind::Assigned | RecordKind::Experimental))
    {
        PortState::OtherProtocolOnly
    } else {
        PortState::Unassigned
    }
}

fn assert_facts_agree_with_rows(reg: &Registry) {
    for port in 0..=u16::MAX {
        for proto in Proto::ALL {
            assert_eq!(
                reg.state(port, proto),
                state_from_rows(reg, port, proto),
                "{port}/{proto:?} in {}",
                reg.meta.source
            );
            let reported = port < 49152
                && port <= reg.meta.coverage_end
                && reg
                    .records_at(port)
                    .any(|r| r.applies_to(proto) && r.unauthorized_applies_to(port));
            assert_eq!(
                reg.unauthorized_reported(port, proto),
                reported,
                "{port}/{proto:?} in {}",
                reg.meta.source
            );
        }
    }
}

#[test]
fn the_fact_table_agrees_with_the_rows() {
    assert_facts_agree_with_rows(&Registry::embedded());
    let dir = shared_or_skip!();
    assert_facts_agree_with_rows(&parse(&read_gz(&dir, XML)));
    assert_facts_agree_with_rows(&parse(&read_text(&dir, SEED)));
    assert_facts_agree_with_rows(&parse(&read_text(&dir, FULL_2006)));
}
