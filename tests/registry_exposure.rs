//! Where the registry facts an admin cannot change (PL101, PL102, PL104, PL108) are judged: only
//! on ports this host exposes or binds, each place once, as infos that fail no default run.

use std::process::Command;

/// The (line, code, severity) of every finding on `text` linted as `name`, and the exit code.
fn findings(name: &str, text: &str) -> (Vec<(u64, String, String)>, i32) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(name), text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(["--format", "json", name])
        .current_dir(dir.path())
        .output()
        .expect("run portlint");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let mut found = Vec::new();
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        found.push((
            d["line"].as_u64().expect("line"),
            d["code"].as_str().expect("code").to_string(),
            d["severity"].as_str().expect("severity").to_string(),
        ));
    }
    (found, out.status.code().expect("an exit code"))
}

fn codes_on(found: &[(u64, String, String)], line: u64) -> Vec<&str> {
    found
        .iter()
        .filter(|(l, ..)| *l == line)
        .map(|(_, code, _)| code.as_str())
        .collect()
}

const NAT: &str = "table ip nat {
\tchain prerouting {
\t\ttype nat hook prerouting priority dstnat; policy accept;
\t\tip saddr 192.0.2.0/24 tcp dport 9001 dnat to 10.0.0.5:9001
\t\ttcp dport 8080 dnat to 10.0.0.5:9030
\t\ttcp dport 9001 redirect to :9001
\t\ttcp dport 8443 dnat to [::ffff:127.0.0.1]:9030
\t\ttcp dport 8444 dnat to 127.0.0.2-127.0.0.9:25565
\t}
}
";

#[test]
fn a_dnat_is_judged_on_the_port_it_matches_and_a_local_target_once() {
    let (found, code) = findings("nat.nft", NAT);
    // The matched 9001 is what clients reach here; the backend's 9001 is not judged (one
    // PL104, not two).
    assert_eq!(codes_on(&found, 4), ["PL104"], "{found:?}");
    // A DNAT target on another host is that host's internal port.
    assert!(codes_on(&found, 5).is_empty(), "{found:?}");
    // A redirect to the port it matched: one finding for the line.
    assert_eq!(codes_on(&found, 6), ["PL104"], "{found:?}");
    // Loopback targets, as parsed addresses (a mapped IPv6 address, an iptables-style range).
    assert_eq!(codes_on(&found, 7), ["PL101"], "{found:?}");
    assert_eq!(codes_on(&found, 8), ["PL101"], "{found:?}");
    assert!(found.iter().all(|(.., severity)| severity == "info"));
    assert_eq!(code, 0, "infos fail no default run");
}

const OUTBOUND: &str = "table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\ttcp sport 9030 accept
\t\ttcp dport 9030 drop
\t\tjump peers
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\ttcp dport { 9001, 9030 } accept
\t\tjump relays
\t}
\tchain relays {
\t\ttcp dport 25565 accept
\t}
\tchain peers {
\t\ttcp dport 25565 accept
\t}
}
";

#[test]
fn peers_ports_source_ports_and_blocked_ports_are_not_judged() {
    let (found, _) = findings("out.nft", OUTBOUND);
    // Only the chain an inbound hook reaches (peers, line 17) exposes its port.
    let lines: Vec<u64> = found.iter().map(|(l, ..)| *l).collect();
    assert_eq!(lines, [17], "{found:?}");
}

const RULES_V4: &str = "*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp --dport 25565 -j DNAT --to-destination 10.0.0.5:9030
-A OUTPUT -p tcp -m owner --uid-owner 100 --dport 9030 -j ACCEPT
COMMIT
";

#[test]
fn iptables_dumps_are_judged_alike() {
    let (found, code) = findings("rules.v4", RULES_V4);
    assert_eq!(codes_on(&found, 4), ["PL101"], "{found:?}");
    // An OUTPUT port is not judged; `-m owner` is said once to be read but not analysed.
    assert_eq!(codes_on(&found, 5), ["PL006"], "{found:?}");
    assert_eq!(code, 0);
}
