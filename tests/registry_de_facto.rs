//! The table of ports known in practice (`data/de-facto-ports.tsv`): every row parses, cites one
//! project-documentation URL (never nmap's services file nor Wikipedia), and is what the binary
//! embeds; the lookups prefer a port's own rows to the ranges that hold it.

use portlint::registry::de_facto::{self, DeFacto};
use portlint::registry::{self, Proto};

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/de-facto-ports.tsv");

fn parsed() -> Vec<DeFacto> {
    let text = std::fs::read_to_string(TABLE).expect("data/de-facto-ports.tsv");
    let mut keep = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    de_facto::parse(&text, &mut keep).unwrap_or_else(|e| panic!("{TABLE}: {e}"))
}

#[test]
fn every_row_parses_and_cites_project_documentation() {
    let rows = parsed();
    assert!(rows.len() >= 80, "at least 80 rows, found {}", rows.len());
    for row in &rows {
        assert!(row.tcp || row.udp, "{row:?}: a protocol");
        assert!(row.source.starts_with("https://"), "{row:?}: a source URL");
        for banned in ["nmap", "wikipedia.org", "speedguide", "adminsub"] {
            assert!(
                !row.source.contains(banned),
                "{row:?}: cite the project's documentation, not {banned}"
            );
        }
    }
    // The text has one row per line after the header: nothing was skipped.
    let text = std::fs::read_to_string(TABLE).expect("table");
    let data_lines = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(
        data_lines,
        rows.len() + 1,
        "every line is a row (plus the header)"
    );
}

#[test]
fn the_binary_embeds_the_table() {
    assert_eq!(registry::de_facto_table(), parsed().as_slice());
}

#[test]
fn the_issue_s_ports_are_known() {
    let known = |port, proto| {
        de_facto::names(registry::known_uses(port, proto).into_iter()).unwrap_or_default()
    };
    for (port, proto, expected) in [
        (25565, Proto::Tcp, "Minecraft"),
        (51820, Proto::Udp, "WireGuard"),
        (9001, Proto::Tcp, "Tor"),
        (9030, Proto::Tcp, "Tor"),
        (21027, Proto::Udp, "Syncthing"),
        (10250, Proto::Tcp, "kubelet"),
        (2457, Proto::Udp, "Valheim"),
        (9100, Proto::Tcp, "node_exporter"),
    ] {
        let names = known(port, proto);
        assert!(names.contains(expected), "{port}: {names:?}");
    }
    // A port's own rows win over the ranges that hold it: 9100 is node_exporter, not "an
    // exporter of the allocation range"; 9555 has only the range.
    assert!(!known(9100, Proto::Tcp).contains("allocation range"));
    assert!(known(9555, Proto::Tcp).contains("allocation range"));
    assert!(known(31000, Proto::Tcp).contains("NodePort"));
    // The protocol matters: 21027 is Syncthing's discovery over udp only.
    assert_eq!(known(21027, Proto::Tcp), "");
}

#[test]
fn malformed_rows_are_refused_with_their_line() {
    let mut keep = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    let header = de_facto::HEADER;
    for (row, error) in [
        ("70000\ttcp\tx\ty\thttps://example.org/", "not a port"),
        ("20-10\ttcp\tx\ty\thttps://example.org/", "inverted"),
        ("10\tsctp\tx\ty\thttps://example.org/", "unknown protocol"),
        ("10\ttcp\tx\ty\t", "source"),
        ("10\ttcp\tx\ty", "5 tab-separated fields"),
    ] {
        let text = format!("# comment\n{header}\n{row}\n");
        let message = de_facto::parse(&text, &mut keep).expect_err(row);
        assert!(
            message.starts_with("line 3: ") && message.contains(error),
            "{row}: {message}"
        );
    }
}

#[test]
fn portlint_ports_shows_what_a_port_is_known_for() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portlint"))
            .args(args)
            .output()
            .expect("run portlint");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let text = run(&["ports", "25565", "--proto", "tcp"]);
    assert!(
        text.contains("known in practice: Minecraft Java Edition server (Minecraft; source: https://minecraft.wiki/w/Server.properties)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["ports", "51820", "--format", "json"])).expect("JSON");
    let known = |protocol: &str| -> Vec<String> {
        json["ports"]
            .as_array()
            .expect("ports")
            .iter()
            .filter(|p| p["protocol"] == protocol)
            .flat_map(|p| {
                p["known_in_practice"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|k| k["project"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(known("udp").contains(&"WireGuard".to_string()), "{json}");
    assert!(known("tcp").is_empty(), "WireGuard is udp only: {json}");
    // A name with several ports says so in words.
    let text = run(&["ports", "http-alt", "--proto", "tcp"]);
    assert!(
        text.starts_with("`http-alt` is ambiguous: it names several tcp ports (591, 8008, 8080)"),
        "{text}"
    );
    assert!(!run(&["ports", "ssh", "--proto", "tcp"]).contains("ambiguous"));
}
