//! What iptables knows: its commands and options, the match modules and targets portlint reads,
//! and the built-in chains of each table.

use crate::model::{Hook, L4};

/// An option of iptables itself (not of a match or target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generic {
    Append,
    Check,
    Delete,
    Insert,
    Replace,
    List,
    ListRules,
    Flush,
    Zero,
    NewChain,
    DeleteChain,
    Policy,
    Rename,
    Help,
    Version,
    Protocol,
    Source,
    Destination,
    InInterface,
    OutInterface,
    Jump,
    Goto,
    Match,
    Table,
    SetCounters,
    Fragment,
    Ipv4,
    Ipv6,
    Verbose,
    Numeric,
    Exact,
    Wait,
    WaitInterval,
    LineNumbers,
    Modprobe,
}

/// (short letter, long names, option): the long names as getopt knows them.
pub const GENERIC: &[(Option<char>, &[&str], Generic)] = &[
    (Some('A'), &["append"], Generic::Append),
    (Some('C'), &["check"], Generic::Check),
    (Some('D'), &["delete"], Generic::Delete),
    (Some('I'), &["insert"], Generic::Insert),
    (Some('R'), &["replace"], Generic::Replace),
    (Some('L'), &["list"], Generic::List),
    (Some('S'), &["list-rules"], Generic::ListRules),
    (Some('F'), &["flush"], Generic::Flush),
    (Some('Z'), &["zero"], Generic::Zero),
    (Some('N'), &["new-chain", "new"], Generic::NewChain),
    (Some('X'), &["delete-chain"], Generic::DeleteChain),
    (Some('P'), &["policy"], Generic::Policy),
    (Some('E'), &["rename-chain"], Generic::Rename),
    (Some('h'), &["help"], Generic::Help),
    (Some('V'), &["version"], Generic::Version),
    (Some('p'), &["protocol"], Generic::Protocol),
    (Some('s'), &["source", "src"], Generic::Source),
    (Some('d'), &["destination", "dst"], Generic::Destination),
    (Some('i'), &["in-interface"], Generic::InInterface),
    (Some('o'), &["out-interface"], Generic::OutInterface),
    (Some('j'), &["jump"], Generic::Jump),
    (Some('g'), &["goto"], Generic::Goto),
    (Some('m'), &["match"], Generic::Match),
    (Some('t'), &["table"], Generic::Table),
    (Some('c'), &["set-counters"], Generic::SetCounters),
    (Some('f'), &["fragment", "fragments"], Generic::Fragment),
    (Some('4'), &["ipv4"], Generic::Ipv4),
    (Some('6'), &["ipv6"], Generic::Ipv6),
    (Some('v'), &["verbose"], Generic::Verbose),
    (Some('n'), &["numeric"], Generic::Numeric),
    (Some('x'), &["exact"], Generic::Exact),
    (Some('w'), &["wait"], Generic::Wait),
    (Some('W'), &["wait-interval"], Generic::WaitInterval),
    (None, &["line-numbers"], Generic::LineNumbers),
    (None, &["modprobe"], Generic::Modprobe),
];

impl Generic {
    /// Runs for every option of every rule: a `match` rather than a search of [`GENERIC`]
    /// (`every_generic_option_agrees_with_the_table` checks that the two agree).
    pub fn short(letter: char) -> Option<Generic> {
        Some(match letter {
            'A' => Generic::Append,
            'C' => Generic::Check,
            'D' => Generic::Delete,
            'I' => Generic::Insert,
            'R' => Generic::Replace,
            'L' => Generic::List,
            'S' => Generic::ListRules,
            'F' => Generic::Flush,
            'Z' => Generic::Zero,
            'N' => Generic::NewChain,
            'X' => Generic::DeleteChain,
            'P' => Generic::Policy,
            'E' => Generic::Rename,
            'h' => Generic::Help,
            'V' => Generic::Version,
            'p' => Generic::Protocol,
            's' => Generic::Source,
            'd' => Generic::Destination,
            'i' => Generic::InInterface,
            'o' => Generic::OutInterface,
            'j' => Generic::Jump,
            'g' => Generic::Goto,
            'm' => Generic::Match,
            't' => Generic::Table,
            'c' => Generic::SetCounters,
            'f' => Generic::Fragment,
            '4' => Generic::Ipv4,
            '6' => Generic::Ipv6,
            'v' => Generic::Verbose,
            'n' => Generic::Numeric,
            'x' => Generic::Exact,
            'w' => Generic::Wait,
            'W' => Generic::WaitInterval,
            _ => return None,
        })
    }

    pub fn long_exact(name: &str) -> Option<Generic> {
        Some(match name {
            "append" => Generic::Append,
            "check" => Generic::Check,
            "delete" => Generic::Delete,
            "insert" => Generic::Insert,
            "replace" => Generic::Replace,
            "list" => Generic::List,
            "list-rules" => Generic::ListRules,
            "flush" => Generic::Flush,
            "zero" => Generic::Zero,
            "new-chain" | "new" => Generic::NewChain,
            "delete-chain" => Generic::DeleteChain,
            "policy" => Generic::Policy,
            "rename-chain" => Generic::Rename,
            "help" => Generic::Help,
            "version" => Generic::Version,
            "protocol" => Generic::Protocol,
            "source" | "src" => Generic::Source,
            "destination" | "dst" => Generic::Destination,
            "in-interface" => Generic::InInterface,
            "out-interface" => Generic::OutInterface,
            "jump" => Generic::Jump,
            "goto" => Generic::Goto,
            "match" => Generic::Match,
            "table" => Generic::Table,
            "set-counters" => Generic::SetCounters,
            "fragment" | "fragments" => Generic::Fragment,
            "ipv4" => Generic::Ipv4,
            "ipv6" => Generic::Ipv6,
            "verbose" => Generic::Verbose,
            "numeric" => Generic::Numeric,
            "exact" => Generic::Exact,
            "wait" => Generic::Wait,
            "wait-interval" => Generic::WaitInterval,
            "line-numbers" => Generic::LineNumbers,
            "modprobe" => Generic::Modprobe,
            _ => return None,
        })
    }

    /// Whether the option takes an argument (`-L`, `-F`, `-Z`, `-X` and `-w` take an optional one,
    /// read by the command itself).
    pub fn takes_argument(self) -> bool {
        matches!(
            self,
            Generic::Append
                | Generic::Check
                | Generic::Delete
                | Generic::Insert
                | Generic::Replace
                | Generic::NewChain
                | Generic::Policy
                | Generic::Rename
                | Generic::Protocol
                | Generic::Source
                | Generic::Destination
                | Generic::InInterface
                | Generic::OutInterface
                | Generic::Jump
                | Generic::Goto
                | Generic::Match
                | Generic::Table
                | Generic::SetCounters
                | Generic::WaitInterval
                | Generic::Modprobe
        )
    }

    /// The commands: what a line does with its chain.
    pub fn is_command(self) -> bool {
        matches!(
            self,
            Generic::Append
                | Generic::Check
                | Generic::Delete
                | Generic::Insert
                | Generic::Replace
                | Generic::List
                | Generic::ListRules
                | Generic::Flush
                | Generic::Zero
                | Generic::NewChain
                | Generic::DeleteChain
                | Generic::Policy
                | Generic::Rename
                | Generic::Help
                | Generic::Version
        )
    }

    /// The options `!` may negate.
    pub fn negatable(self) -> bool {
        matches!(
            self,
            Generic::Protocol
                | Generic::Source
                | Generic::Destination
                | Generic::InInterface
                | Generic::OutInterface
                | Generic::Fragment
        )
    }
}

/// What portlint does with a match module's or a target's option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    SourcePort,
    DestinationPort,
    /// multiport `--ports`: the source or the destination port.
    EitherPort,
    /// A NAT target address and port (`--to-destination`, `--to-source`).
    NatTarget,
    /// NAT target ports only (`--to-ports`, `--on-port`).
    NatPorts,
    /// An `-m iprange` address range (`--src-range`, `--dst-range`): checked, and typed as the
    /// addresses of that side.
    AddressRange,
    /// `-m conntrack --ctstate`, `-m state --state`: a list of conntrack states.
    CtState,
    /// Read and kept as an opaque match or ignored (a target's option).
    Other,
}

/// One option of a module: its long name, how many arguments it takes (`None`: as many as
/// follow that are not options), and what portlint does with it.
pub struct ModuleOption {
    pub name: &'static str,
    pub arguments: Option<u8>,
    pub meaning: Meaning,
}

const fn opt(name: &'static str, arguments: u8) -> ModuleOption {
    ModuleOption {
        name,
        arguments: Some(arguments),
        meaning: Meaning::Other,
    }
}

const fn port(name: &'static str, meaning: Meaning) -> ModuleOption {
    ModuleOption {
        name,
        arguments: Some(1),
        meaning,
    }
}

/// A match module or target whose options portlint knows.
pub struct Module {
    pub name: &'static str,
    pub options: &'static [ModuleOption],
    /// The protocol whose ports its port options match (tcp, udp, sctp, dccp); for multiport the
    /// rule's `-p`.
    pub ports_of: Option<L4>,
    pub is_multiport: bool,
}

const TCP_OPTIONS: &[ModuleOption] = &[
    port("sport", Meaning::SourcePort),
    port("source-port", Meaning::SourcePort),
    port("dport", Meaning::DestinationPort),
    port("destination-port", Meaning::DestinationPort),
    opt("syn", 0),
    opt("tcp-flags", 2),
    opt("tcp-option", 1),
];

const UDP_OPTIONS: &[ModuleOption] = &[
    port("sport", Meaning::SourcePort),
    port("source-port", Meaning::SourcePort),
    port("dport", Meaning::DestinationPort),
    port("destination-port", Meaning::DestinationPort),
];

const SCTP_OPTIONS: &[ModuleOption] = &[
    port("sport", Meaning::SourcePort),
    port("source-port", Meaning::SourcePort),
    port("dport", Meaning::DestinationPort),
    port("destination-port", Meaning::DestinationPort),
    ModuleOption {
        name: "chunk-types",
        arguments: None,
        meaning: Meaning::Other,
    },
];

const DCCP_OPTIONS: &[ModuleOption] = &[
    port("sport", Meaning::SourcePort),
    port("source-port", Meaning::SourcePort),
    port("dport", Meaning::DestinationPort),
    port("destination-port", Meaning::DestinationPort),
    opt("dccp-types", 1),
    opt("dccp-option", 1),
];

const MULTIPORT_OPTIONS: &[ModuleOption] = &[
    port("sports", Meaning::SourcePort),
    port("source-ports", Meaning::SourcePort),
    port("dports", Meaning::DestinationPort),
    port("destination-ports", Meaning::DestinationPort),
    port("ports", Meaning::EitherPort),
];

const CONNTRACK_OPTIONS: &[ModuleOption] = &[
    ModuleOption {
        name: "ctstate",
        arguments: Some(1),
        meaning: Meaning::CtState,
    },
    opt("ctproto", 1),
    opt("ctorigsrc", 1),
    opt("ctorigdst", 1),
    opt("ctreplsrc", 1),
    opt("ctrepldst", 1),
    opt("ctorigsrcport", 1),
    opt("ctorigdstport", 1),
    opt("ctreplsrcport", 1),
    opt("ctrepldstport", 1),
    opt("ctstatus", 1),
    opt("ctexpire", 1),
    opt("ctdir", 1),
];

macro_rules! module {
    ($name:literal, [$($option:literal : $n:literal),* $(,)?]) => {
        Module {
            name: $name,
            options: &[$(opt($option, $n)),*],
            ports_of: None,
            is_multiport: false,
        }
    };
}

/// The match modules portlint knows the options of. A module not listed is read as opaque: its
/// options are whatever words follow `-m NAME`.
pub const MATCHES: &[Module] = &[
    Module {
        name: "tcp",
        options: TCP_OPTIONS,
        ports_of: Some(L4::Tcp),
        is_multiport: false,
    },
    Module {
        name: "udp",
        options: UDP_OPTIONS,
        ports_of: Some(L4::Udp),
        is_multiport: false,
    },
    Module {
        name: "sctp",
        options: SCTP_OPTIONS,
        ports_of: Some(L4::Sctp),
        is_multiport: false,
    },
    Module {
        name: "dccp",
        options: DCCP_OPTIONS,
        ports_of: Some(L4::Dccp),
        is_multiport: false,
    },
    Module {
        name: "multiport",
        options: MULTIPORT_OPTIONS,
        ports_of: None,
        is_multiport: true,
    },
    Module {
        name: "conntrack",
        options: CONNTRACK_OPTIONS,
        ports_of: None,
        is_multiport: false,
    },
    Module {
        name: "state",
        options: &[ModuleOption {
            name: "state",
            arguments: Some(1),
            meaning: Meaning::CtState,
        }],
        ports_of: None,
        is_multiport: false,
    },
    module!("comment", ["comment": 1]),
    module!("set", [
        "match-set": 2, "set": 2, "return-nomatch": 0, "update-counters": 0,
        "update-subcounters": 0, "packets-eq": 1, "packets-lt": 1, "packets-gt": 1,
        "bytes-eq": 1, "bytes-lt": 1, "bytes-gt": 1,
    ]),
    module!("limit", ["limit": 1, "limit-burst": 1]),
    module!("recent", [
        "name": 1, "set": 0, "rsource": 0, "rdest": 0, "mask": 1, "rcheck": 0, "update": 0,
        "remove": 0, "seconds": 1, "reap": 0, "hitcount": 1, "rttl": 0,
    ]),
    module!("owner", ["uid-owner": 1, "gid-owner": 1, "socket-exists": 0, "suppl-groups": 0]),
    module!("mark", ["mark": 1]),
    module!("addrtype", [
        "src-type": 1, "dst-type": 1, "limit-iface-in": 0, "limit-iface-out": 0,
    ]),
    Module {
        name: "iprange",
        options: &[
            port("src-range", Meaning::AddressRange),
            port("dst-range", Meaning::AddressRange),
        ],
        ports_of: None,
        is_multiport: false,
    },
    module!("icmp", ["icmp-type": 1]),
    module!("icmp6", ["icmpv6-type": 1]),
];

/// The targets portlint knows the options of.
pub const TARGETS: &[Module] = &[
    module!("ACCEPT", []),
    module!("DROP", []),
    module!("RETURN", []),
    module!("QUEUE", []),
    module!("REJECT", ["reject-with": 1]),
    module!("LOG", [
        "log-level": 1, "log-prefix": 1, "log-tcp-sequence": 0, "log-tcp-options": 0,
        "log-ip-options": 0, "log-uid": 0, "log-macdecode": 0,
    ]),
    Module {
        name: "DNAT",
        options: &[
            port("to-destination", Meaning::NatTarget),
            opt("random", 0),
            opt("random-fully", 0),
            opt("persistent", 0),
        ],
        ports_of: None,
        is_multiport: false,
    },
    Module {
        name: "SNAT",
        options: &[
            port("to-source", Meaning::NatTarget),
            opt("random", 0),
            opt("random-fully", 0),
            opt("persistent", 0),
        ],
        ports_of: None,
        is_multiport: false,
    },
    Module {
        name: "MASQUERADE",
        options: &[
            port("to-ports", Meaning::NatPorts),
            opt("random", 0),
            opt("random-fully", 0),
        ],
        ports_of: None,
        is_multiport: false,
    },
    Module {
        name: "REDIRECT",
        options: &[port("to-ports", Meaning::NatPorts), opt("random", 0)],
        ports_of: None,
        is_multiport: false,
    },
    Module {
        name: "TPROXY",
        options: &[
            port("on-port", Meaning::NatPorts),
            opt("on-ip", 1),
            opt("tproxy-mark", 1),
        ],
        ports_of: None,
        is_multiport: false,
    },
];

/// Target extensions that exist besides [`TARGETS`] (iptables' own and xtables-addons'): a
/// `-j` to one of them is not a jump to an undeclared chain.
pub const OTHER_TARGETS: &[&str] = &[
    "AUDIT",
    "CHECKSUM",
    "CLASSIFY",
    "CLUSTERIP",
    "CONNMARK",
    "CONNSECMARK",
    "CT",
    "DNPT",
    "DSCP",
    "ECN",
    "HL",
    "HMARK",
    "IDLETIMER",
    "LED",
    "MARK",
    "MIRROR",
    "NETMAP",
    "NFLOG",
    "NFQUEUE",
    "NOTRACK",
    "RATEEST",
    "SAME",
    "SECMARK",
    "SET",
    "SNPT",
    "SYNPROXY",
    "TCPMSS",
    "TCPOPTSTRIP",
    "TEE",
    "TOS",
    "TRACE",
    "TTL",
    "ULOG",
    // xtables-addons
    "ACCOUNT",
    "CHAOS",
    "DELUDE",
    "DHCPMAC",
    "DNETMAP",
    "ECHO",
    "IPMARK",
    "LOGMARK",
    "PROTO",
    "STEAL",
    "SYSRQ",
    "TARPIT",
];

pub fn match_module(name: &str) -> Option<&'static Module> {
    MATCHES.iter().find(|m| m.name == name)
}

pub fn target_module(name: &str) -> Option<&'static Module> {
    TARGETS.iter().find(|m| m.name == name)
}

pub fn is_known_target(name: &str) -> bool {
    target_module(name).is_some() || OTHER_TARGETS.contains(&name)
}

/// The module iptables loads for an option it does not know when the rule has `-p PROTO`.
pub fn implicit_module(protocol: &str) -> Option<&'static Module> {
    let name = match protocol {
        "tcp" => "tcp",
        "udp" => "udp",
        "sctp" => "sctp",
        "dccp" => "dccp",
        "icmp" => "icmp",
        "icmpv6" | "ipv6-icmp" | "icmp6" => "icmp6",
        _ => return None,
    };
    match_module(name)
}

/// Options whose single argument may look like an option (`--comment "-- managed --"`).
pub fn takes_any_argument(name: &str) -> bool {
    matches!(name, "comment" | "log-prefix" | "nflog-prefix")
}

/// The tables iptables has.
pub const TABLES: &[&str] = &["filter", "nat", "mangle", "raw", "security"];

/// The built-in chains of a table.
pub fn builtin_chains(table: &str) -> &'static [&'static str] {
    match table {
        "filter" | "security" => &["INPUT", "FORWARD", "OUTPUT"],
        "nat" => &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        "mangle" => &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        "raw" => &["PREROUTING", "OUTPUT"],
        _ => &[],
    }
}

pub fn is_builtin_chain(table: &str, chain: &str) -> bool {
    builtin_chains(table).contains(&chain)
}

/// The hook of a built-in chain.
pub fn hook_of(chain: &str) -> Option<Hook> {
    Some(match chain {
        "PREROUTING" => Hook::Prerouting,
        "INPUT" => Hook::Input,
        "FORWARD" => Hook::Forward,
        "OUTPUT" => Hook::Output,
        "POSTROUTING" => Hook::Postrouting,
        _ => return None,
    })
}

/// The layer-4 protocol `-p` names, if it has ports: a name (any case) or a number.
pub fn protocol_l4(protocol: &str) -> Option<L4> {
    L4::parse(protocol)
}

/// `-p all` and `-p 0` match every protocol.
pub fn is_any_protocol(protocol: &str) -> bool {
    protocol.eq_ignore_ascii_case("all") || protocol == "0"
}

/// A protocol number `-p` names, for names iptables knows without /etc/protocols.
pub fn protocol_name(protocol: &str) -> String {
    let lower = protocol.to_ascii_lowercase();
    match lower.as_str() {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "132" => "sctp".into(),
        "33" => "dccp".into(),
        "136" => "udplite".into(),
        "1" => "icmp".into(),
        "58" => "ipv6-icmp".into(),
        _ => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generic_option_has_one_entry() {
        let mut seen = std::collections::HashSet::new();
        for (short, longs, _) in GENERIC {
            if let Some(s) = short {
                assert!(seen.insert(s.to_string()), "-{s} twice");
            }
            for long in *longs {
                assert!(seen.insert(long.to_string()), "--{long} twice");
            }
        }
    }

    #[test]
    fn every_generic_option_agrees_with_the_table() {
        for (short, longs, option) in GENERIC {
            if let Some(letter) = short {
                assert_eq!(Generic::short(*letter), Some(*option), "-{letter}");
            }
            for long in *longs {
                assert_eq!(Generic::long_exact(long), Some(*option), "--{long}");
            }
        }
        assert_eq!(Generic::short('q'), None);
        assert_eq!(Generic::long_exact("dport"), None);
    }

    #[test]
    fn port_modules_name_their_protocol() {
        for name in ["tcp", "udp", "sctp", "dccp"] {
            let module = match_module(name).expect("module");
            assert_eq!(module.ports_of.map(L4::as_str), Some(name));
        }
    }
}

/// Which family's tool has a match module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleFamily {
    Both,
    Ipv4,
    Ipv6,
}

/// The match modules iptables 1.8.9 ships, from `ls /usr/lib/x86_64-linux-gnu/xtables/` on
/// Debian's iptables 1.8.9: the lower-case `libxt_*.so` (both families; `standard` is a target),
/// `libipt_*.so` (iptables only) and `libip6t_*.so` (ip6tables only). Each was loaded with
/// `unshare -n iptables-restore --test` and `ip6tables-restore --test`: `osf` is a libxt module
/// that only iptables loads. `-m NAME` with any other name is refused ("Couldn't load match").
pub const SHIPPED_MATCHES: &[(&str, ModuleFamily)] = &[
    ("addrtype", ModuleFamily::Both),
    ("ah", ModuleFamily::Both),
    ("bpf", ModuleFamily::Both),
    ("cgroup", ModuleFamily::Both),
    ("cluster", ModuleFamily::Both),
    ("comment", ModuleFamily::Both),
    ("connbytes", ModuleFamily::Both),
    ("connlabel", ModuleFamily::Both),
    ("connlimit", ModuleFamily::Both),
    ("connmark", ModuleFamily::Both),
    ("conntrack", ModuleFamily::Both),
    ("cpu", ModuleFamily::Both),
    ("dccp", ModuleFamily::Both),
    ("devgroup", ModuleFamily::Both),
    ("dscp", ModuleFamily::Both),
    ("dst", ModuleFamily::Ipv6),
    ("ecn", ModuleFamily::Both),
    ("esp", ModuleFamily::Both),
    ("eui64", ModuleFamily::Ipv6),
    ("frag", ModuleFamily::Ipv6),
    ("hashlimit", ModuleFamily::Both),
    ("hbh", ModuleFamily::Ipv6),
    ("helper", ModuleFamily::Both),
    ("hl", ModuleFamily::Ipv6),
    ("icmp", ModuleFamily::Ipv4),
    ("icmp6", ModuleFamily::Ipv6),
    ("ipcomp", ModuleFamily::Both),
    ("iprange", ModuleFamily::Both),
    ("ipv6header", ModuleFamily::Ipv6),
    ("ipvs", ModuleFamily::Both),
    ("length", ModuleFamily::Both),
    ("limit", ModuleFamily::Both),
    ("mac", ModuleFamily::Both),
    ("mark", ModuleFamily::Both),
    ("mh", ModuleFamily::Ipv6),
    ("multiport", ModuleFamily::Both),
    ("nfacct", ModuleFamily::Both),
    ("osf", ModuleFamily::Ipv4),
    ("owner", ModuleFamily::Both),
    ("physdev", ModuleFamily::Both),
    ("pkttype", ModuleFamily::Both),
    ("policy", ModuleFamily::Both),
    ("quota", ModuleFamily::Both),
    ("rateest", ModuleFamily::Both),
    ("realm", ModuleFamily::Ipv4),
    ("recent", ModuleFamily::Both),
    ("rpfilter", ModuleFamily::Both),
    ("rt", ModuleFamily::Ipv6),
    ("sctp", ModuleFamily::Both),
    ("set", ModuleFamily::Both),
    ("socket", ModuleFamily::Both),
    ("srh", ModuleFamily::Ipv6),
    ("state", ModuleFamily::Both),
    ("statistic", ModuleFamily::Both),
    ("string", ModuleFamily::Both),
    ("tcp", ModuleFamily::Both),
    ("tcpmss", ModuleFamily::Both),
    ("time", ModuleFamily::Both),
    ("tos", ModuleFamily::Both),
    ("ttl", ModuleFamily::Ipv4),
    ("u32", ModuleFamily::Both),
    ("udp", ModuleFamily::Both),
];

/// Match modules of xtables-addons, which distributions package apart from iptables (Debian's
/// `xtables-addons-common`): a host that has them loads them, so they are read as opaque, not
/// refused.
pub const ADDON_MATCHES: &[&str] = &[
    "account",
    "condition",
    "dhcpmac",
    "fuzzy",
    "geoip",
    "gradm",
    "iface",
    "ipp2p",
    "ipv4options",
    "length2",
    "lscan",
    "pknock",
    "psd",
    "quota2",
    "asn",
];

/// The family a shipped match module is for; `None` when iptables ships no such match.
pub fn shipped_match(name: &str) -> Option<ModuleFamily> {
    SHIPPED_MATCHES
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, family)| *family)
}
