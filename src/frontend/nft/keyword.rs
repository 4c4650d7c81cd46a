//! The words of the nft language that the passes after the lexer compare. The lexer looks each
//! word up once ([`super::lexer::Token::keyword`]); lowering and the rule grammar then compare
//! one byte where they compared strings, for every word of every rule.

macro_rules! keywords {
    ($($variant:ident = $text:literal,)*) => {
        /// A word the passes after the lexer look for; `None` for every other token.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Keyword {
            #[default]
            None,
            $($variant,)*
        }

        impl Keyword {
            /// Every keyword with its text.
            pub const ALL: &'static [(Keyword, &'static str)] = &[$((Keyword::$variant, $text),)*];

            /// The keyword's text ("" for `None`).
            pub fn text(self) -> &'static str {
                match self {
                    Keyword::None => "",
                    $(Keyword::$variant => $text,)*
                }
            }
        }
    };
}

keywords! {
    Tcp = "tcp",
    Udp = "udp",
    Sctp = "sctp",
    Dccp = "dccp",
    Udplite = "udplite",
    Th = "th",
    Meta = "meta",
    Ip = "ip",
    Ip6 = "ip6",
    Ct = "ct",
    Iif = "iif",
    Oif = "oif",
    Iifname = "iifname",
    Oifname = "oifname",
    Iiftype = "iiftype",
    Oiftype = "oiftype",
    Mark = "mark",
    Ether = "ether",
    Vlan = "vlan",
    Arp = "arp",
    Icmp = "icmp",
    Icmpv6 = "icmpv6",
    Ah = "ah",
    Esp = "esp",
    Comp = "comp",
    Fib = "fib",
    Rt = "rt",
    Socket = "socket",
    Osf = "osf",
    Numgen = "numgen",
    Counter = "counter",
    Log = "log",
    Limit = "limit",
    Quota = "quota",
    Comment = "comment",
    Notrack = "notrack",
    Accept = "accept",
    Drop = "drop",
    Reject = "reject",
    Return = "return",
    Continue = "continue",
    Queue = "queue",
    Jump = "jump",
    Goto = "goto",
    Redirect = "redirect",
    Dnat = "dnat",
    Snat = "snat",
    Masquerade = "masquerade",
    Tproxy = "tproxy",
    Synproxy = "synproxy",
    Dup = "dup",
    Fwd = "fwd",
    Flow = "flow",
    Nftrace = "nftrace",
    Pkttype = "pkttype",
    L4proto = "l4proto",
    Skuid = "skuid",
    Skgid = "skgid",
    Cpu = "cpu",
    Iifgroup = "iifgroup",
    Oifgroup = "oifgroup",
    Cgroup = "cgroup",
    Ipsec = "ipsec",
    Exthdr = "exthdr",
    Hbh = "hbh",
    Rt0 = "rt0",
    Rt2 = "rt2",
    Srh = "srh",
    Frag = "frag",
    Dst = "dst",
    Mh = "mh",
    Cluster = "cluster",
    Meter = "meter",
    Add = "add",
    Update = "update",
    Delete = "delete",
    Set = "set",
    Reset = "reset",
    Last = "last",
    Xt = "xt",
    Protocol = "protocol",
    Ttl = "ttl",
    Nexthdr = "nexthdr",
    Hoplimit = "hoplimit",
    Version = "version",
    Hdrlength = "hdrlength",
    Dscp = "dscp",
    Ecn = "ecn",
    Flowlabel = "flowlabel",
    Id = "id",
    Pcp = "pcp",
    Dei = "dei",
    Cfi = "cfi",
    Zone = "zone",
    Tag = "tag",
    LastEntry = "last-entry",
    Flags = "flags",
    Label = "label",
    Day = "day",
    Transparent = "transparent",
    Wildcard = "wildcard",
    Direction = "direction",
    State = "state",
    Helper = "helper",
    Name = "name",
    Jhash = "jhash",
    Symhash = "symhash",
    Tunnel = "tunnel",
    Igmp = "igmp",
    Gre = "gre",
    Gretap = "gretap",
    Vxlan = "vxlan",
    Geneve = "geneve",
    Rtclassid = "rtclassid",
    Ibriport = "ibriport",
    Obriport = "obriport",
    Ibrname = "ibrname",
    Obrname = "obrname",
    Ibridgename = "ibridgename",
    Obridgename = "obridgename",
    Time = "time",
    Hour = "hour",
    Dot = ".",
    Map = "map",
    Vmap = "vmap",
    Minus = "-",
    Slash = "/",
    Colon = ":",
    And = "and",
    Or = "or",
    Xor = "xor",
    Lshift = "lshift",
    Rshift = "rshift",
    Eq = "eq",
    Ne = "ne",
    Lt = "lt",
    Gt = "gt",
    Le = "le",
    Ge = "ge",
    Not = "not",
    Saddr = "saddr",
    Daddr = "daddr",
    Sport = "sport",
    Dport = "dport",
    With = "with",
    To = "to",
    Option = "option",
    Used = "used",
    In = "in",
    Out = "out",
    Chunk = "chunk",
    Include = "include",
    Status = "status",
}

impl Keyword {
    /// The keyword a word is, if any: for words that come from inside another token (`:tcp`).
    pub fn of(word: &str) -> Keyword {
        super::lexer::keyword_of(word)
    }

    /// `and`, `or`, `xor`, `lshift`, `rshift`: bit operators written as words.
    pub fn is_binop_word(self) -> bool {
        matches!(
            self,
            Keyword::And | Keyword::Or | Keyword::Xor | Keyword::Lshift | Keyword::Rshift
        )
    }

    /// `eq`, `ne`, `lt`, `gt`, `le`, `ge`, `not`: comparisons written as words.
    pub fn is_relational_word(self) -> bool {
        matches!(
            self,
            Keyword::Eq
                | Keyword::Ne
                | Keyword::Lt
                | Keyword::Gt
                | Keyword::Le
                | Keyword::Ge
                | Keyword::Not
        )
    }
}

/// A set of keywords, a bit each: asking whether a word is in a list is a shift and a mask.
#[derive(Clone, Copy, Debug)]
pub struct KeywordSet([u64; 4]);

impl KeywordSet {
    /// The keywords among `words`, computed in a constant (a word that is no keyword is not in
    /// the set; the tests of each list check that every word of it is one).
    pub const fn of_words(words: &[&str]) -> KeywordSet {
        let mut bits = [0u64; 4];
        let mut i = 0;
        while i < words.len() {
            let index = Keyword::of_const(words[i]) as usize;
            if index != Keyword::None as usize {
                bits[index / 64] |= 1 << (index % 64);
            }
            i += 1;
        }
        KeywordSet(bits)
    }

    pub fn contains(&self, keyword: Keyword) -> bool {
        let index = keyword as usize;
        self.0[index / 64] >> (index % 64) & 1 != 0
    }
}

impl Keyword {
    /// [`Keyword::of`] for constants: a linear search, done by the compiler.
    pub const fn of_const(word: &str) -> Keyword {
        let mut i = 0;
        while i < Keyword::ALL.len() {
            if bytes_equal(Keyword::ALL[i].1.as_bytes(), word.as_bytes()) {
                return Keyword::ALL[i].0;
            }
            i += 1;
        }
        Keyword::None
    }
}

/// `a == b` for byte strings, in a constant.
pub const fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_found_by_its_text_and_only_by_it() {
        for &(keyword, text) in Keyword::ALL {
            assert_eq!(Keyword::of(text), keyword, "{text}");
            assert_eq!(Keyword::of_const(text), keyword, "{text}");
            assert_eq!(keyword.text(), text);
        }
        for near in ["tcpx", "Tcp", "dpor", "dports", "ip66", "", "22", "acceptt"] {
            assert_eq!(Keyword::of(near), Keyword::None, "{near}");
            assert_eq!(Keyword::of_const(near), Keyword::None, "{near}");
        }
        // A token keeps its keyword in one byte of padding.
        assert!(Keyword::ALL.len() < 256);
    }

    #[test]
    fn a_keyword_set_holds_its_words_only() {
        let set = KeywordSet::of_words(&["tcp", "dport", "not-a-keyword"]);
        assert!(set.contains(Keyword::Tcp) && set.contains(Keyword::Dport));
        assert!(!set.contains(Keyword::Udp) && !set.contains(Keyword::None));
        let last = Keyword::ALL[Keyword::ALL.len() - 1];
        assert!(KeywordSet::of_words(&[last.1]).contains(last.0));
    }
}
