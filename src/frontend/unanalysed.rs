//! PL006: the constructs every front end reads but no analysis models, because what they match
//! depends on state only the running host has (rates, counters, marks set by other rules,
//! socket owners, routes). Analyses treat such a match as "may or may not match" (DESIGN,
//! ternary logic); PL006 says so once per construct kind and file, at its first use, so that a
//! clean run is not mistaken for a complete one.
//!
//! Header fields the model will type (addresses, interfaces, conntrack state, icmp types) are
//! not listed: they are the packet model's, not limits of it.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use std::collections::HashMap;

/// A kind of construct that is read but not analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kind {
    /// How the message names it: "`meter`", "`-m recent`".
    pub name: &'static str,
    /// Why no analysis can know what it matches.
    pub why: &'static str,
}

const RATE: &str = "it matches by a rate counted while the ruleset runs";
const MARK: &str = "a mark is set by other rules or programs at run time";

/// The kind of the nft construct whose first words are `words` (a match or statement, as the
/// rule writes it: `meter …`, `meta skuid 1000`, `ct helper "ftp"`), if it is one.
pub fn nft_kind<'w>(mut words: impl Iterator<Item = &'w str>) -> Option<Kind> {
    let first = words.next()?;
    let second = words.next().unwrap_or("");
    let third = words.next().unwrap_or("");
    let kind = |name, why| Some(Kind { name, why });
    match (first, second) {
        ("meter", _) => kind(
            "`meter`",
            "it matches by per-key rates kept while the ruleset runs",
        ),
        ("limit", _) => kind("`limit`", RATE),
        ("quota", _) => kind(
            "`quota`",
            "it matches by a byte count kept while the ruleset runs",
        ),
        ("ct", "helper") => kind(
            "`ct helper`",
            "it depends on the conntrack helper a connection is given at run time",
        ),
        ("ct", "count") => kind(
            "`ct count`",
            "it matches by the number of connections tracked at run time",
        ),
        ("ct", "mark") if third != "set" => kind("`ct mark`", MARK),
        ("meta", "mark") if third != "set" => kind("`meta mark`", MARK),
        ("mark", w) if w != "set" => kind("`meta mark`", MARK),
        ("meta", "skuid" | "skgid") | ("skuid" | "skgid", _) => kind(
            "`meta skuid`/`meta skgid`",
            "it matches the owner of the local socket, which only the host knows",
        ),
        ("meta", "cgroup") | ("cgroup", _) | ("socket", "cgroupv2") => kind(
            "cgroup matches",
            "it matches the control group of the local process, which only the host knows",
        ),
        ("socket", _) => kind(
            "`socket`",
            "it matches by the sockets open on the host at run time",
        ),
        ("osf", _) => kind(
            "`osf`",
            "it matches a passive operating-system fingerprint of the packet",
        ),
        ("numgen" | "jhash" | "symhash", _) => kind(
            "`numgen`/hash expressions",
            "it matches by a number generated or hashed per packet",
        ),
        ("flow", "add" | "offload") => kind(
            "flowtable offload (`flow add`)",
            "packets of an offloaded connection bypass the chains after its first packets",
        ),
        ("fib", _) => kind(
            "`fib`",
            "it matches the routing decision, which depends on the host's routes and addresses",
        ),
        _ => None,
    }
}

/// The kind of the iptables match module `module` (`-m recent`), if what it matches depends on
/// state only the running host has. Header fields (`-m length`, `-m ttl`, `-m tos`, …) and the
/// packet model's own (`-m conntrack`, `-m multiport`, `-m iprange`) are not listed.
pub fn iptables_kind(module: &str) -> Option<Kind> {
    let (name, why) = match module {
        "recent" => ("`-m recent`", "it matches by the addresses other packets put in a list while the ruleset runs"),
        "set" => ("`-m set`", "it matches membership of an ipset, whose contents `ipset` sets on the host at run time"),
        "owner" => ("`-m owner`", "it matches the owner of the local socket, which only the host knows"),
        "limit" => ("`-m limit`", RATE),
        "hashlimit" => ("`-m hashlimit`", "it matches by per-key rates kept while the ruleset runs"),
        "connlimit" => ("`-m connlimit`", "it matches by the number of connections tracked at run time"),
        "connbytes" => ("`-m connbytes`", "it matches by the bytes or packets a connection has carried so far"),
        "statistic" => ("`-m statistic`", "it matches a share of packets, at random or by a counter"),
        "string" => ("`-m string`", "it matches the packet's payload, which no analysis models"),
        "u32" => ("`-m u32`", "it matches arbitrary packet bytes, which no analysis models"),
        "bpf" => ("`-m bpf`", "it runs a BPF program on the packet, which no analysis models"),
        "time" => ("`-m time`", "it matches by the date and time a packet arrives"),
        "mark" => ("`-m mark`", MARK),
        "connmark" => ("`-m connmark`", MARK),
        "connlabel" => ("`-m connlabel`", "a connection label is set by other rules at run time"),
        "helper" => ("`-m helper`", "it depends on the conntrack helper a connection is given at run time"),
        "quota" => ("`-m quota`", "it matches by a byte count kept while the ruleset runs"),
        "socket" => ("`-m socket`", "it matches by the sockets open on the host at run time"),
        "cgroup" => ("`-m cgroup`", "it matches the control group of the local process, which only the host knows"),
        "nfacct" => ("`-m nfacct`", "it matches by an accounting object's counters, kept at run time"),
        "rateest" => ("`-m rateest`", "it matches by rates estimated while the ruleset runs"),
        "osf" => ("`-m osf`", "it matches a passive operating-system fingerprint of the packet"),
        "cluster" => ("`-m cluster`", "it matches by the cluster node a hash of the packet picks"),
        "cpu" => ("`-m cpu`", "it matches by the CPU that handles the packet"),
        "addrtype" => ("`-m addrtype`", "it matches by the type the host's routing table gives an address (local, broadcast, …)"),
        "policy" => ("`-m policy`", "it matches by the IPsec policy the host applied to the packet"),
        "rpfilter" => ("`-m rpfilter`", "it matches the reverse-path check, which depends on the host's routes"),
        "realm" => ("`-m realm`", "it matches the routing realm, which depends on the host's routes"),
        "devgroup" => ("`-m devgroup`", "it matches the group the host gives a network device"),
        "ipvs" => ("`-m ipvs`", "it matches by the IPVS state of the connection at run time"),
        "geoip" => ("`-m geoip`", "it matches by a country database installed on the host"),
        // The other matches of xtables-addons (packaged apart from iptables), one kind.
        "account" | "condition" | "dhcpmac" | "fuzzy" | "gradm" | "iface" | "ipp2p"
        | "ipv4options" | "length2" | "lscan" | "pknock" | "psd" | "quota2" | "asn" => (
            "an xtables-addons match (`-m psd`, `-m pknock`, …)",
            "xtables-addons' matches depend on kernel modules and state iptables does not ship",
        ),
        _ => return None,
    };
    Some(Kind { name, why })
}

/// A port compared after a bit operation (`tcp dport & 0xfc00 == 0`): which ports the mask
/// selects is not worked out, so none is judged against the registry.
pub const PORT_BIT_OPERATION: Kind = Kind {
    name: "a bit operation on a port",
    why: "portlint does not work out which ports the mask selects, so none is judged against the registry; compare the port with a value, range or set (`tcp dport 0-1023`) to have every port checked",
};

/// A `$VARIABLE` (or `$(…)`) an iptables script does not set, as an option's value.
pub const SHELL_VALUE: Kind = Kind {
    name: "a `$VARIABLE` the script does not set",
    why: "its value comes from where the script runs, so the port, protocol, chain or target it gives is not checked (set it in the script to have it checked)",
};

/// A `$VARIABLE` the script does not set where an option belongs: the words it expands to are
/// unknown, so the rest of the command is read as opaque.
pub const SHELL_OPTIONS: Kind = Kind {
    name: "an unknown `$VARIABLE` in place of options",
    why: "the options it expands to are unknown, so the rest of the command is not checked (set it in the script to have it read)",
};

/// The constructs read but not analysed so far, one entry per kind and file.
#[derive(Debug, Default)]
pub struct Unanalysed {
    /// The first use of each kind in each file, and how many uses there are.
    first: HashMap<(FileId, Kind), (Span, usize)>,
}

impl Unanalysed {
    /// Records a use of `kind` at `span`.
    pub fn saw(&mut self, kind: Kind, span: Span) {
        let entry = self.first.entry((span.file, kind)).or_insert((span, 0));
        if span.start < entry.0.start {
            entry.0 = span;
        }
        entry.1 += 1;
    }

    /// One PL006 info per kind and file, at its first use.
    pub fn findings(self) -> Vec<Diagnostic> {
        let mut found: Vec<Diagnostic> = self
            .first
            .into_iter()
            .map(|((_, kind), (span, count))| finding(kind, span, count))
            .collect();
        // The map's order is not the file's; the report sorts again, but keep this stable too.
        found.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
        found
    }
}

fn finding(kind: Kind, span: Span, count: usize) -> Diagnostic {
    let uses = if count > 1 {
        format!(" (the first of {count} uses in this file)")
    } else {
        String::new()
    };
    Diagnostic::new(
        &check::unsupported_syntax::RULE,
        span,
        format!(
            "{} is read but not analysed: analyses treat the rule as may-or-may-not-match{uses}",
            kind.name
        ),
    )
    .with_help(format!(
        "{}; findings about rules that use it hold whatever it matches. This is a limit of the lint, not a fault in the ruleset (`--ignore PL006` hides it)",
        kind.why
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(rule: &str) -> Option<&'static str> {
        nft_kind(rule.split_whitespace()).map(|k| k.name)
    }

    #[test]
    fn stateful_matches_are_named_and_statements_that_set_are_not() {
        assert_eq!(
            kind("meter ssh { ip saddr limit rate 3/minute }"),
            Some("`meter`")
        );
        assert_eq!(kind("limit rate 10/second"), Some("`limit`"));
        assert_eq!(kind("ct helper \"ftp\""), Some("`ct helper`"));
        assert_eq!(kind("meta skuid 1000"), Some("`meta skuid`/`meta skgid`"));
        assert_eq!(kind("skgid 100"), Some("`meta skuid`/`meta skgid`"));
        assert_eq!(kind("meta mark 0x1"), Some("`meta mark`"));
        assert_eq!(kind("meta mark set 0x1"), None);
        assert_eq!(kind("ct mark set meta mark"), None);
        assert_eq!(kind("flow add @ft"), Some("flowtable offload (`flow add`)"));
        assert_eq!(kind("ct state established"), None);
        assert_eq!(kind("iifname lo"), None);
    }

    #[test]
    fn iptables_modules_that_depend_on_run_time_state_are_named() {
        let kind = |m: &str| iptables_kind(m).map(|k| k.name);
        assert_eq!(kind("recent"), Some("`-m recent`"));
        assert_eq!(kind("set"), Some("`-m set`"));
        assert_eq!(kind("rpfilter"), Some("`-m rpfilter`"));
        assert_eq!(kind("conntrack"), None);
        assert_eq!(kind("multiport"), None);
        assert_eq!(kind("length"), None);
        assert_eq!(kind("comment"), None);
    }

    #[test]
    fn one_finding_per_kind_and_file_at_the_first_use() {
        let mut seen = Unanalysed::default();
        let limit = nft_kind(["limit"].into_iter()).expect("a kind");
        let meter = nft_kind(["meter"].into_iter()).expect("a kind");
        seen.saw(limit, Span::new(FileId(0), 50..60));
        seen.saw(limit, Span::new(FileId(0), 10..20));
        seen.saw(meter, Span::new(FileId(0), 30..40));
        seen.saw(limit, Span::new(FileId(1), 5..9));
        let found = seen.findings();
        let shown: Vec<(u32, String)> = found
            .iter()
            .map(|d| (d.span.start, d.message.text().into_owned()))
            .collect();
        assert_eq!(found.len(), 3, "{shown:?}");
        assert_eq!(shown[0].0, 10);
        assert!(shown[0].1.ends_with("(the first of 2 uses in this file)"));
        assert_eq!(shown[1].0, 30);
        assert_eq!(found[2].span.file, FileId(1));
    }
}
