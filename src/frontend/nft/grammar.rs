//! The rule grammar: which words may start an expression or a statement, which fields each
//! selector has, and what each statement takes — as nft 1.1 reads a rule (`stmt_list` in
//! nftables' `src/parser_bison.y`, and nft(8)).
//!
//! The parser hands every rule over as a token range and lowering reads only what it models, so
//! without this module `tcp dprot 22` or `limit 10/second` would pass. The validator reads a rule
//! once, left to right, and reports the first place where nft's grammar cannot go on.
//!
//! Precision beats recall: a rule nft accepts must never get an error. So the vocabulary (the
//! words that start an item, the fields after a selector, the options of a statement) is judged,
//! while values (numbers, names, addresses, strings, `$vars`, sets, maps) are read loosely: any
//! word can be a value, and a value ends where nft's grammar says it must (one primary, joined to
//! more by `,`, `-`, `/`, `.` or a bit operator).

use super::keyword::{bytes_equal, Keyword, KeywordSet};
use super::lexer::{matching_brace, Token, TokenKind, WordClass};
use crate::suggest::did_you_mean;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// What is wrong with a rule, where, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrammarError {
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Check one rule (a token range from the parser): the first grammar error, if any.
pub fn check_rule(text: &str, tokens: &[Token], rule: Range<usize>) -> Option<GrammarError> {
    let end = rule.end.min(tokens.len());
    let mut reader = Reader {
        text,
        // Cut at the rule's end, so that looking a token up is one bounds check.
        tokens: &tokens[..end],
        pos: rule.start,
        end,
        terminal: None,
        comment: None,
    };
    reader.rule().err().map(|error| *error)
}

/// A boxed error keeps `Parse` one register wide: every step of the reader returns one.
type Parse = Result<(), Box<GrammarError>>;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// A protocol header and its fields (nft(8), PAYLOAD EXPRESSIONS and EXTENSION HEADER
/// EXPRESSIONS). Where nft versions differ, the union is listed: accepting a field an old nft
/// lacks is a missed error, refusing one a new nft has is a false one.
struct Header {
    name: &'static str,
    fields: &'static [&'static str],
    /// The fields that are keywords (`saddr`, `dport`, `protocol`, …): a field token with a
    /// keyword is looked up here, one bit, instead of among the field names.
    field_keywords: KeywordSet,
    /// Some of its fields take more words (`tcp option`, `sctp chunk`, `arp saddr ip`, `rt ip
    /// nexthop`): see [`Reader::field_suffix`].
    has_field_suffixes: bool,
}

const fn header(name: &'static str, fields: &'static [&'static str]) -> Header {
    let mut has_field_suffixes = false;
    let mut i = 0;
    let suffixed: [&str; 6] = ["tcp", "ip", "sctp", "dccp", "arp", "rt"];
    while i < suffixed.len() {
        if bytes_equal(name.as_bytes(), suffixed[i].as_bytes()) {
            has_field_suffixes = true;
        }
        i += 1;
    }
    Header {
        name,
        fields,
        field_keywords: KeywordSet::of_words(fields),
        has_field_suffixes,
    }
}

static ETHER: Header = header("ether", &["saddr", "daddr", "type"]);
static VLAN: Header = header("vlan", &["id", "cfi", "dei", "pcp", "type"]);
static ARP: Header = header(
    "arp",
    &[
        "htype",
        "ptype",
        "hlen",
        "plen",
        "operation",
        "saddr",
        "daddr",
    ],
);
static IP: Header = header(
    "ip",
    &[
        "version",
        "hdrlength",
        "dscp",
        "ecn",
        "length",
        "id",
        "frag-off",
        "ttl",
        "protocol",
        "checksum",
        "saddr",
        "daddr",
        "option",
    ],
);
static IP6: Header = header(
    "ip6",
    &[
        "version",
        "dscp",
        "ecn",
        "flowlabel",
        "length",
        "nexthdr",
        "hoplimit",
        "saddr",
        "daddr",
    ],
);
static ICMP: Header = header(
    "icmp",
    &[
        "type", "code", "checksum", "id", "sequence", "gateway", "mtu",
    ],
);
static ICMPV6: Header = header(
    "icmpv6",
    &[
        "type",
        "code",
        "checksum",
        "param-problem",
        "mtu",
        "id",
        "sequence",
        "max-delay",
        "taddr",
        "daddr",
    ],
);
static IGMP: Header = header("igmp", &["type", "mrt", "checksum", "group"]);
static TCP: Header = header(
    "tcp",
    &[
        "sport", "dport", "sequence", "seq", "ackseq", "doff", "reserved", "flags", "window",
        "checksum", "urgptr", "option",
    ],
);
static UDP: Header = header("udp", &["sport", "dport", "length", "checksum"]);
static UDPLITE: Header = header("udplite", &["sport", "dport", "csumcov", "checksum"]);
static SCTP: Header = header("sctp", &["sport", "dport", "vtag", "checksum", "chunk"]);
static DCCP: Header = header("dccp", &["sport", "dport", "type", "option"]);
static TH: Header = header("th", &["sport", "dport"]);
static AH: Header = header(
    "ah",
    &["nexthdr", "hdrlength", "reserved", "spi", "sequence"],
);
static ESP: Header = header("esp", &["spi", "sequence"]);
static COMP: Header = header("comp", &["nexthdr", "flags", "cpi"]);
static GRE: Header = header("gre", &["version", "flags", "protocol", "key"]);
static GRETAP: Header = header("gretap", &[]);
static VXLAN: Header = header("vxlan", &["flags", "vni"]);
static GENEVE: Header = header("geneve", &["flags", "vni", "type", "protocol"]);
static HBH: Header = header("hbh", &["nexthdr", "hdrlength"]);
/// `rt` is both the IPv6 routing header and the routing expression (`rt classid`, `rt mtu`).
static RT: Header = header(
    "rt",
    &[
        "nexthdr",
        "hdrlength",
        "type",
        "seg-left",
        "classid",
        "nexthop",
        "mtu",
        "ipsec",
        "ip",
        "ip6",
    ],
);
static RT0: Header = header("rt0", &["addr", "reserved"]);
static RT2: Header = header("rt2", &["addr"]);
static SRH: Header = header("srh", &["flags", "tag", "sid", "last-entry"]);
static FRAG: Header = header(
    "frag",
    &[
        "nexthdr",
        "reserved",
        "frag-off",
        "reserved2",
        "more-fragments",
        "id",
    ],
);
static DST: Header = header("dst", &["nexthdr", "hdrlength"]);
static MH: Header = header(
    "mh",
    &["nexthdr", "hdrlength", "type", "reserved", "checksum"],
);

/// The header a selector word names.
fn header_of(word: &str) -> Option<&'static Header> {
    header_named(Keyword::of(word))
}

/// The header a selector keyword names (`the_headers_are_named_by_their_keywords`).
fn header_named(keyword: Keyword) -> Option<&'static Header> {
    Some(match keyword {
        Keyword::Ether => &ETHER,
        Keyword::Vlan => &VLAN,
        Keyword::Arp => &ARP,
        Keyword::Ip => &IP,
        Keyword::Ip6 => &IP6,
        Keyword::Icmp => &ICMP,
        Keyword::Icmpv6 => &ICMPV6,
        Keyword::Igmp => &IGMP,
        Keyword::Tcp => &TCP,
        Keyword::Udp => &UDP,
        Keyword::Udplite => &UDPLITE,
        Keyword::Sctp => &SCTP,
        Keyword::Dccp => &DCCP,
        Keyword::Th => &TH,
        Keyword::Ah => &AH,
        Keyword::Esp => &ESP,
        Keyword::Comp => &COMP,
        Keyword::Gre => &GRE,
        Keyword::Gretap => &GRETAP,
        Keyword::Vxlan => &VXLAN,
        Keyword::Geneve => &GENEVE,
        Keyword::Hbh => &HBH,
        Keyword::Rt => &RT,
        Keyword::Rt0 => &RT0,
        Keyword::Rt2 => &RT2,
        Keyword::Srh => &SRH,
        Keyword::Frag => &FRAG,
        Keyword::Dst => &DST,
        Keyword::Mh => &MH,
        _ => return None,
    })
}

/// Tunnel headers may be followed by the inner packet's headers: `vxlan ip saddr 10.0.0.1`.
fn carries_inner_headers(header: &Header) -> bool {
    matches!(header.name, "gre" | "gretap" | "vxlan" | "geneve")
}

/// Fields of `tcp option NAME …` (`tcp option maxseg size`, `tcp option sack0 left`).
const TCP_OPTION_FIELDS: &[&str] = &[
    "kind", "length", "size", "count", "left", "right", "tsval", "tsecr", "subtype", "value",
];

/// The fields of each named tcp option; an unknown name (a number, a newer option) gets the
/// whole list.
fn tcp_option_fields(option: &str) -> &'static [&'static str] {
    match option {
        "eol" | "nop" => &["kind"],
        "maxseg" => &["kind", "length", "size"],
        "window" => &["kind", "length", "count"],
        "sack-perm" | "sack-permitted" | "fastopen" | "md5sig" => &["kind", "length"],
        "sack" | "sack0" | "sack1" | "sack2" | "sack3" => &["kind", "length", "left", "right"],
        "timestamp" => &["kind", "length", "tsval", "tsecr"],
        "mptcp" => &["kind", "length", "subtype"],
        _ => TCP_OPTION_FIELDS,
    }
}

/// The named tcp options (`tcp option maxseg`); any other option is written by its kind number.
const TCP_OPTIONS: &[&str] = &[
    "eol",
    "nop",
    "maxseg",
    "window",
    "sack-perm",
    "sack-permitted",
    "sack",
    "sack0",
    "sack1",
    "sack2",
    "sack3",
    "timestamp",
    "fastopen",
    "md5sig",
    "mptcp",
];

/// Fields of `ip option NAME …`.
const IP_OPTION_FIELDS: &[&str] = &["type", "length", "value", "ptr", "addr"];

/// Fields of `sctp chunk TYPE …`.
const SCTP_CHUNK_FIELDS: &[&str] = &[
    "type",
    "flags",
    "length",
    "tsn",
    "stream",
    "ssn",
    "ppid",
    "init-tag",
    "a-rwnd",
    "num-outbound-streams",
    "num-inbound-streams",
    "initial-tsn",
    "cum-tsn-ack",
    "num-gap-ack-blocks",
    "num-dup-tsns",
    "lowest-tsn",
    "seqno",
    "new-cum-tsn",
];

/// Meta keys that need the `meta` keyword (`meta l4proto`).
const META_QUALIFIED_KEYS: &[&str] = &[
    "length",
    "nfproto",
    "l4proto",
    "protocol",
    "priority",
    "random",
    "secmark",
    "secpath",
    "iifkind",
    "oifkind",
    "ibrpvid",
    "ibrvproto",
    "time",
    "day",
    "hour",
    "sdif",
    "sdifname",
    "broute",
];

/// Meta keys the kernel can set (`nft_meta_set_init`, and the bridge's `broute`).
fn is_settable_meta_key(word: &str) -> bool {
    matches!(
        word,
        "mark" | "priority" | "pkttype" | "nftrace" | "secmark" | "broute"
    )
}

/// Meta keys that may be written with or without `meta` (`mark`, `meta mark`).
/// The words of [`is_unqualified_meta_key`], for the lexer's classes.
const UNQUALIFIED_META_KEYS: &[&str] = &[
    "mark",
    "iif",
    "iifname",
    "iiftype",
    "oif",
    "oifname",
    "oiftype",
    "skuid",
    "skgid",
    "nftrace",
    "rtclassid",
    "ibriport",
    "obriport",
    "ibrname",
    "obrname",
    "ibridgename",
    "obridgename",
    "pkttype",
    "cpu",
    "iifgroup",
    "oifgroup",
    "cgroup",
    "ipsec",
    "time",
    "day",
    "hour",
];

/// [`UNQUALIFIED_META_KEYS`] as keywords.
fn unqualified_meta_keywords() -> &'static KeywordSet {
    static SET: KeywordSet = KeywordSet::of_words(UNQUALIFIED_META_KEYS);
    &SET
}

fn is_unqualified_meta_key(word: &str) -> bool {
    matches!(
        word,
        "mark"
            | "iif"
            | "iifname"
            | "iiftype"
            | "oif"
            | "oifname"
            | "oiftype"
            | "skuid"
            | "skgid"
            | "nftrace"
            | "rtclassid"
            | "ibriport"
            | "obriport"
            | "ibrname"
            | "obrname"
            | "ibridgename"
            | "obridgename"
            | "pkttype"
            | "cpu"
            | "iifgroup"
            | "oifgroup"
            | "cgroup"
            | "ipsec"
            | "time"
            | "day"
            | "hour"
    )
}

fn is_meta_key(word: &str) -> bool {
    is_unqualified_meta_key(word) || META_QUALIFIED_KEYS.contains(&word)
}

/// Conntrack keys (`ct state`, `ct original saddr`, `ct count over 2`, `ct helper set "ftp"`).
const CT_KEYS: &[&str] = &[
    "state",
    "direction",
    "status",
    "mark",
    "expiration",
    "helper",
    "l3proto",
    "saddr",
    "daddr",
    "protocol",
    "proto-src",
    "proto-dst",
    "label",
    "bytes",
    "packets",
    "avgpkt",
    "zone",
    "event",
    "secmark",
    "id",
    "count",
    "timeout",
    "expectation",
];

/// Conntrack keys of one direction (`ct original saddr`, `ct reply bytes`).
const CT_DIRECTION_KEYS: &[&str] = &[
    "saddr",
    "daddr",
    "l3proto",
    "protocol",
    "proto-src",
    "proto-dst",
    "bytes",
    "packets",
    "avgpkt",
    "zone",
    "id",
];

/// The extension headers `exthdr NAME` may name.
const EXTHDR_NAMES: &[&str] = &[
    "hbh", "rt", "rt0", "rt2", "srh", "frag", "dst", "mh", "ah", "esp", "comp",
];

/// Words of a `fib` expression before its value: flags joined by `.`, then the result.
fn is_fib_word(word: &str) -> bool {
    matches!(
        word,
        "saddr" | "daddr" | "mark" | "iif" | "oif" | "oifname" | "type" | "check"
    )
}

/// Statements that end the rule's evaluation: nft refuses any statement after them ("Statement
/// after terminal statement has no effect"), a rule comment aside.
fn is_terminal(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::Accept
            | Keyword::Drop
            | Keyword::Return
            | Keyword::Jump
            | Keyword::Goto
            | Keyword::Queue
            | Keyword::Reject
            | Keyword::Dnat
            | Keyword::Snat
            | Keyword::Redirect
            | Keyword::Masquerade
    )
}

/// Statement keywords that nft 1.0.6 refuses where an interface name must be
/// (`oifname masquerade`: "syntax error, unexpected masquerade"; `redirect` is an ICMP type
/// there). `snat`, `dnat`, `reset` and `last` are read as names, so they are not here.
const NOT_INTERFACE_NAMES: &[&str] = &[
    "accept",
    "drop",
    "return",
    "continue",
    "notrack",
    "jump",
    "goto",
    "queue",
    "counter",
    "log",
    "limit",
    "quota",
    "reject",
    "masquerade",
    "redirect",
    "tproxy",
    "dup",
    "fwd",
    "synproxy",
    "flow",
    "meter",
    "add",
    "update",
    "delete",
    "xt",
    "comment",
];

/// Every word [`Reader::statement`] reads, and every word [`Reader::selector_named`] can read as
/// a selector (with the [`is_unqualified_meta_key`] words): the lexer marks them
/// ([`WordClass::STATEMENT`], [`WordClass::SELECTOR`]), so that a value is never compared with
/// these lists.
pub(super) const STATEMENT_WORDS: &[&str] = &[
    "accept",
    "drop",
    "return",
    "continue",
    "notrack",
    "jump",
    "goto",
    "queue",
    "counter",
    "log",
    "limit",
    "quota",
    "reject",
    "snat",
    "dnat",
    "masquerade",
    "redirect",
    "tproxy",
    "dup",
    "fwd",
    "synproxy",
    "flow",
    "meter",
    "add",
    "update",
    "delete",
    "set",
    "reset",
    "last",
    "xt",
    "comment",
];

/// See [`STATEMENT_WORDS`].
pub(super) fn selector_words() -> impl Iterator<Item = &'static str> {
    OTHER_SELECTORS
        .iter()
        .chain(HEADERS)
        .chain(UNQUALIFIED_META_KEYS)
        .copied()
}

/// Words that start a statement, for did-you-mean.
const STATEMENTS: &[&str] = &[
    "accept",
    "drop",
    "continue",
    "return",
    "jump",
    "goto",
    "queue",
    "counter",
    "log",
    "limit",
    "quota",
    "reject",
    "snat",
    "dnat",
    "masquerade",
    "redirect",
    "tproxy",
    "notrack",
    "synproxy",
    "dup",
    "fwd",
    "flow",
    "meter",
    "add",
    "update",
    "delete",
    "set",
    "reset",
    "last",
    "comment",
];

/// Selector words other than headers and meta keys, for did-you-mean.
const OTHER_SELECTORS: &[&str] = &[
    "meta", "ct", "fib", "socket", "osf", "ipsec", "numgen", "jhash", "symhash", "exthdr", "tunnel",
];

/// Every header, for did-you-mean.
const HEADERS: &[&str] = &[
    "ether", "vlan", "arp", "ip", "ip6", "icmp", "icmpv6", "igmp", "tcp", "udp", "udplite", "sctp",
    "dccp", "th", "ah", "esp", "comp", "gre", "gretap", "vxlan", "geneve", "hbh", "rt", "rt0",
    "rt2", "srh", "frag", "dst", "mh",
];

const UNQUALIFIED_META: &[&str] = &[
    "mark", "iif", "iifname", "iiftype", "oif", "oifname", "oiftype", "skuid", "skgid", "nftrace",
    "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup",
];

/// Verdict words: never a value, so `tcp dport accept` lacks its port.
fn is_verdict(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::Accept | Keyword::Drop | Keyword::Jump | Keyword::Goto | Keyword::Return
    )
}

/// The `.` of a concatenation (a word of its own).
fn is_dot(token: &Token) -> bool {
    token.keyword == Keyword::Dot
}

/// `&`, `|`, `^`, `<<`, `>>` and their word forms.
fn is_binop(token: &Token, text: &str) -> bool {
    // Asked of most tokens of a rule: look at the text only of operators.
    match token.kind {
        TokenKind::Operator => matches!(token.text(text), "&" | "|" | "^" | "<<" | ">>"),
        TokenKind::Word => token.keyword.is_binop_word(),
        _ => false,
    }
}

/// `==`, `!=`, `<`, `>`, `<=`, `>=`, `!` and their word forms.
fn is_relational(token: &Token, text: &str) -> bool {
    match token.kind {
        TokenKind::Operator => matches!(
            token.text(text),
            "==" | "!=" | "<" | ">" | "<=" | ">=" | "!"
        ),
        TokenKind::Word => token.keyword.is_relational_word(),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

/// What a selector word at a position turned out to be.
enum Selector {
    /// Not a selector: a statement, a value, or an unknown word.
    No,
    /// A selector ending before this token.
    Ends(usize),
    /// A selector whose field is missing or unknown.
    Bad(Box<GrammarError>),
}

struct Reader<'a> {
    text: &'a str,
    /// The file's tokens up to the rule's end.
    tokens: &'a [Token],
    pos: usize,
    end: usize,
    /// The token of the terminal statement read so far (`accept`, `jump`, `dnat` …).
    terminal: Option<usize>,
    /// The token of the rule's `comment`: nothing may follow it.
    comment: Option<usize>,
}

impl<'a> Reader<'a> {
    // ---- tokens --------------------------------------------------------------------------

    fn token(&self, at: usize) -> Option<&'a Token> {
        self.tokens.get(at)
    }

    fn kind(&self, at: usize) -> Option<TokenKind> {
        self.token(at).map(|t| t.kind)
    }

    fn word(&self, at: usize) -> Option<&'a str> {
        self.token(at)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.text))
    }

    fn peek_word(&self) -> Option<&'a str> {
        self.word(self.pos)
    }

    /// The keyword at `at` (`None` for any other token, and past the rule's end).
    fn keyword(&self, at: usize) -> Keyword {
        self.token(at).map_or(Keyword::None, |t| t.keyword)
    }

    fn peek_keyword(&self) -> Keyword {
        self.keyword(self.pos)
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.peek_word() == Some(word);
        if found {
            self.pos += 1;
        }
        found
    }

    fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    /// The bytes of the token at `at`, or the empty range after the rule's last token.
    fn range_at(&self, at: usize) -> Range<usize> {
        match self.token(at) {
            Some(t) => t.range(),
            None => {
                let last = self.end.min(self.tokens.len()).saturating_sub(1);
                let after = self.tokens.get(last).map_or(0, |t| t.end as usize);
                after..after
            }
        }
    }

    /// The bytes from the token at `from` to the one before `to`.
    fn span(&self, from: usize, to: usize) -> Range<usize> {
        let start = self.range_at(from).start;
        let end = self.range_at(to.saturating_sub(1).max(from)).end;
        start..end.max(start)
    }

    /// How the token at `at` reads in a message: "`foo`" or "the end of the rule".
    fn found(&self, at: usize) -> String {
        match self.token(at) {
            Some(t) => format!("`{}`", t.text(self.text)),
            None => "the end of the rule".to_string(),
        }
    }

    fn error(
        &self,
        range: Range<usize>,
        message: String,
        help: Option<String>,
    ) -> Box<GrammarError> {
        Box::new(GrammarError {
            range,
            message,
            help,
        })
    }

    /// An error at the token at `at`: expected `what`.
    fn expected(&self, at: usize, what: &str, help: &str) -> Box<GrammarError> {
        self.error(
            self.range_at(at),
            format!("expected {what}, found {}", self.found(at)),
            Some(help.to_string()),
        )
    }

    /// `@ll,0,8`, `@nh,16,16`, `@th,0,16`: a raw payload expression, when the `@` word is
    /// followed by `,OFFSET,LENGTH` without spaces. Returns its end.
    fn raw_payload_end(&self, at: usize) -> Option<usize> {
        let token = self.token(at)?;
        if token.kind != TokenKind::SetRef {
            return None;
        }
        let comma = self.token(at + 1)?;
        if comma.kind != TokenKind::Comma || comma.spaced {
            return None;
        }
        let mut pos = at + 1;
        // `,OFFSET,LENGTH`, and tolerate what nft may add (`@ih,…`).
        while self.kind(pos) == Some(TokenKind::Comma)
            && self.kind(pos + 1) == Some(TokenKind::Word)
        {
            pos += 2;
        }
        Some(pos)
    }

    /// The token after a bracketed group opened at `at` (`{…}`, `(…)`, `[…]`).
    fn after_group(&self, at: usize) -> usize {
        let Some(open) = self.token(at) else {
            return at;
        };
        if open.kind == TokenKind::LBrace {
            return matching_brace(self.tokens, at, self.end).map_or(self.end, |close| close + 1);
        }
        let (opening, closing) = match open.kind {
            TokenKind::LParen => (TokenKind::LParen, TokenKind::RParen),
            _ => (TokenKind::LBracket, TokenKind::RBracket),
        };
        let mut depth = 0usize;
        for pos in at..self.end {
            let kind = self.tokens[pos].kind;
            if kind == opening {
                depth += 1;
            } else if kind == closing {
                depth -= 1;
                if depth == 0 {
                    return pos + 1;
                }
            }
        }
        self.end
    }

    // ---- a rule --------------------------------------------------------------------------

    /// `stmt_list [comment_spec]`: items up to the end of the rule.
    fn rule(&mut self) -> Parse {
        self.token_checks()?;
        while !self.at_end() {
            if self.kind(self.pos) == Some(TokenKind::Newline) {
                self.pos += 1;
                continue;
            }
            if let Some(comment) = self.comment {
                return Err(self.error(
                    self.range_at(self.pos),
                    format!(
                        "unexpected {} after the rule's comment",
                        self.found(self.pos)
                    ),
                    Some(format!(
                        "a rule's `comment \"…\"` comes last: move `{}` before it",
                        self.tokens[comment].text(self.text)
                    )),
                ));
            }
            if let Some(terminal) = self.terminal {
                if self.peek_keyword() != Keyword::Comment {
                    return Err(self.after_terminal(terminal));
                }
            }
            let start = self.pos;
            self.item()?;
            // Every branch consumes a token; on untrusted input never loop in place.
            if self.pos <= start {
                self.pos = start + 1;
            }
        }
        Ok(())
    }

    /// Checks on single tokens anywhere in the rule, sets and maps included: raw payload
    /// lengths and shift amounts.
    fn token_checks(&self) -> Parse {
        // The bits of the raw payloads of the concatenation being read (`@th,0,64 . @th,64,64`).
        let mut concat_bits = 0u64;
        let mut concat_end = usize::MAX;
        for at in self.pos..self.end {
            let token = &self.tokens[at];
            // Runs over every token of every rule: only operators, words and `@` references
            // can be what is checked here.
            match token.kind {
                TokenKind::Operator | TokenKind::Word => {
                    if is_shift(token, self.text) {
                        self.check_shift(at)?;
                    }
                    continue;
                }
                TokenKind::SetRef => {}
                _ => continue,
            }
            let Some(end) = self.raw_payload_end(at) else {
                continue;
            };
            let Some((offset, length)) = self.raw_offset_length(at) else {
                continue;
            };
            let range = self.span(at, end);
            if length == 0 || length > MAX_EXPR_BITS {
                return Err(self.error(
                    range,
                    format!("raw payload length {length} is out of range"),
                    Some(format!(
                        "a raw payload `@base,offset,length` is 1 to {MAX_EXPR_BITS} bits long"
                    )),
                ));
            }
            let joined = at >= 2 && self.word(at - 1) == Some(".") && concat_end == at - 1;
            concat_bits = if joined { concat_bits + length } else { length };
            concat_end = end;
            if concat_bits > MAX_EXPR_BITS {
                return Err(self.error(
                    range,
                    format!("this concatenation is {concat_bits} bits long"),
                    Some(format!(
                        "nft's registers hold {MAX_EXPR_BITS} bits: shorten the raw payloads"
                    )),
                ));
            }
            // nft stores a raw payload through one 128-bit register, shifted to its bit offset.
            if self.word(end) == Some("set") && offset % 8 + length > 128 {
                return Err(self.error(
                    range,
                    format!("cannot store {length} bits at bit offset {offset}"),
                    Some("a raw payload store covers at most 128 bits, counted from the byte it starts in".to_string()),
                ));
            }
        }
        Ok(())
    }

    /// The offset and length of the raw payload `@base,OFFSET,LENGTH` at `at`.
    fn raw_offset_length(&self, at: usize) -> Option<(u64, u64)> {
        let offset = parse_number(self.word(at + 2)?)?;
        let length = parse_number(self.word(at + 4)?)?;
        Some((offset, length))
    }

    /// `<< N`, `>> N`: nft reads the amount as a 32-bit number.
    fn check_shift(&self, op: usize) -> Parse {
        let Some(amount) = self.word(op + 1) else {
            return Ok(());
        };
        let too_big = amount.bytes().all(|b| b.is_ascii_digit())
            && amount
                .parse::<u64>()
                .map_or(true, |n| n > u64::from(u32::MAX));
        if too_big {
            return Err(self.error(
                self.range_at(op + 1),
                format!("shift amount `{amount}` is out of range"),
                Some("shift by fewer bits than the value has".to_string()),
            ));
        }
        Ok(())
    }

    fn after_terminal(&self, terminal: usize) -> Box<GrammarError> {
        let verdict = self.tokens[terminal].text(self.text);
        let mut stop = self.pos + 1;
        while stop < self.end && self.kind(stop) != Some(TokenKind::Newline) {
            stop += 1;
        }
        self.error(
            self.span(self.pos, stop),
            format!("statement after `{verdict}` has no effect"),
            Some(format!(
                "nft refuses statements after a terminal `{verdict}`: move them before it, or remove them"
            )),
        )
    }

    /// One expression or statement.
    fn item(&mut self) -> Parse {
        let Some(token) = self.token(self.pos) else {
            return Ok(());
        };
        match token.kind {
            TokenKind::Word => {
                let word = token.text(self.text);
                // The lexer marked the words these lists hold: skip the lists for any other.
                if token.class.has(WordClass::STATEMENT) {
                    if let Some(result) = self.statement(token.keyword) {
                        return result;
                    }
                }
                let selector = if token.class.has(WordClass::SELECTOR) {
                    self.selector(self.pos)
                } else {
                    Selector::No
                };
                match selector {
                    Selector::Ends(end) => {
                        let start = self.pos;
                        self.pos = end;
                        self.expression_tail(start)
                    }
                    Selector::Bad(error) => Err(error),
                    Selector::No => Err(self.unknown_word(word)),
                }
            }
            TokenKind::SetRef => match self.raw_payload_end(self.pos) {
                Some(end) => {
                    let start = self.pos;
                    self.pos = end;
                    self.expression_tail(start)
                }
                // `@set` alone is no statement, but leave it to nft to say so.
                None => {
                    self.pos += 1;
                    Ok(())
                }
            },
            TokenKind::Variable => {
                // A `$variable` may hold anything; read a comparison if one follows.
                self.pos += 1;
                if self
                    .token(self.pos)
                    .is_some_and(|t| is_relational(t, self.text))
                {
                    self.pos += 1;
                    self.rhs(self.pos - 1)?;
                }
                Ok(())
            }
            // Anything else is left to the parser and to nft.
            _ => {
                self.pos = self.after_primary(self.pos);
                Ok(())
            }
        }
    }

    fn unknown_word(&self, word: &str) -> Box<GrammarError> {
        let range = self.range_at(self.pos);
        if word.starts_with(|c: char| c.is_ascii_digit()) || word.starts_with(['-', ':', '.']) {
            let previous = self.pos.checked_sub(1);
            let after = previous
                .and_then(|p| self.tokens.get(p))
                .map(|t| format!(" after `{}`", t.text(self.text)))
                .unwrap_or_default();
            return self.error(
                range,
                format!("unexpected value `{word}`{after}: expected an expression or a statement"),
                Some(
                    "a match takes one value; list several in a set, e.g. `tcp dport { 22, 80 }`"
                        .to_string(),
                ),
            );
        }
        let help = match did_you_mean(word, all_item_words()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "a rule is a list of matches such as `tcp dport 22` and statements such as `counter` or `accept`".to_string(),
        };
        self.error(
            range,
            format!("unknown expression or statement `{word}`"),
            Some(help),
        )
    }

    // ---- selectors -----------------------------------------------------------------------

    /// Read the selector (the left side of a match, or the target of `… set`) at `at`.
    fn selector(&self, at: usize) -> Selector {
        match self.token(at) {
            // Every word `selector_named` reads is marked by the lexer.
            Some(t) if t.class.has(WordClass::SELECTOR) => self.selector_named(t.keyword, at),
            _ => Selector::No,
        }
    }

    /// Read the selector at `at` as if its word were `keyword`.
    fn selector_named(&self, keyword: Keyword, at: usize) -> Selector {
        let next = at + 1;
        match keyword {
            Keyword::Meta => match self.word(next) {
                Some(key) if is_meta_key(key) => Selector::Ends(next + 1),
                _ => Selector::Bad(self.bad_field(
                    at,
                    next,
                    "a meta key (mark, l4proto, iifname, nfproto, …)",
                    &all_meta_keys(),
                )),
            },
            // `ipsec in reqid 1`; a bare `ipsec` is the meta key (`ipsec exists`).
            Keyword::Ipsec if matches!(self.keyword(next), Keyword::In | Keyword::Out) => {
                self.ipsec(at)
            }
            k if unqualified_meta_keywords().contains(k) => Selector::Ends(next),
            Keyword::Ct => self.ct(at),
            Keyword::Fib => self.fib(at),
            Keyword::Socket => self.socket(at),
            Keyword::Osf => self.osf(at),
            Keyword::Numgen => self.numgen(at),
            Keyword::Jhash | Keyword::Symhash => Selector::Ends(self.hash(next)),
            Keyword::Exthdr => match self.word(next) {
                // `exthdr hbh exists`, `exthdr hbh == missing`: the field is optional here.
                Some(name) if EXTHDR_NAMES.contains(&name) => match header_of(name) {
                    Some(h) if self.word(next + 1).is_some_and(|f| h.fields.contains(&f)) => {
                        self.payload(next, Some(h))
                    }
                    _ => Selector::Ends(next + 1),
                },
                _ => Selector::Bad(self.bad_field(
                    at,
                    next,
                    "an extension header (hbh, rt, frag, dst, mh, …)",
                    EXTHDR_NAMES,
                )),
            },
            // Tunnel metadata (nft 1.1+): read its key loosely.
            Keyword::Tunnel => Selector::Ends(if self.word(next).is_some() {
                next + 1
            } else {
                next
            }),
            k => match header_named(k) {
                Some(h) => self.payload(at, Some(h)),
                None => Selector::No,
            },
        }
    }

    /// `HEADER FIELD …` with the field's own suffixes.
    fn payload(&self, at: usize, header: Option<&'static Header>) -> Selector {
        let Some(header) = header else {
            return Selector::No;
        };
        let next = at + 1;
        let field_keyword = self.keyword(next);
        let is_field = |field: &str| {
            // A keyword field is one bit to test; only other words are compared by name.
            if field_keyword == Keyword::None {
                header.fields.contains(&field)
            } else {
                header.field_keywords.contains(field_keyword)
            }
        };
        match self.word(next) {
            Some(field) if is_field(field) => {
                match self.field_suffix(header, field, field_keyword, next + 1) {
                    Ok(end) => Selector::Ends(end),
                    Err(error) => Selector::Bad(error),
                }
            }
            Some(inner) if carries_inner_headers(header) && header_of(inner).is_some() => {
                self.selector(next)
            }
            _ if header.fields.is_empty() => Selector::Ends(next),
            _ => {
                let what = format!("{} {} field ({}, …)", article(header.name), header.name, {
                    let shown: Vec<&str> = header.fields.iter().take(4).copied().collect();
                    shown.join(", ")
                });
                Selector::Bad(self.bad_field(at, next, &what, header.fields))
            }
        }
    }

    /// What follows some fields: `tcp option maxseg size`, `ip option rr ptr`, `sctp chunk data
    /// flags`, `arp saddr ip`, `rt0 addr[1]`.
    fn field_suffix(
        &self,
        header: &Header,
        field: &str,
        field_keyword: Keyword,
        mut pos: usize,
    ) -> Result<usize, Box<GrammarError>> {
        // Every field a suffix follows is a keyword: most fields skip the comparisons below.
        let may_have_suffix = header.has_field_suffixes
            && matches!(
                field_keyword,
                Keyword::Option
                    | Keyword::Chunk
                    | Keyword::Saddr
                    | Keyword::Daddr
                    | Keyword::Ip
                    | Keyword::Ip6
            );
        let special = if may_have_suffix { header.name } else { "" };
        let option_fields: &[&str] = match (special, field) {
            ("tcp", "option") => TCP_OPTION_FIELDS,
            ("ip", "option") => IP_OPTION_FIELDS,
            ("sctp", "chunk") => SCTP_CHUNK_FIELDS,
            ("dccp", "option") => &[],
            ("arp", "saddr" | "daddr") => {
                if matches!(self.word(pos), Some("ip" | "ether")) {
                    pos += 1;
                }
                return Ok(pos);
            }
            ("rt", "ip" | "ip6") => {
                if self.word(pos) == Some("nexthop") {
                    pos += 1;
                }
                return Ok(pos);
            }
            _ => {
                // `rt0 addr[1]`, `srh sid[2]`.
                if self
                    .token(pos)
                    .is_some_and(|t| t.kind == TokenKind::LBracket && !t.spaced)
                {
                    pos = self.after_group(pos);
                }
                return Ok(pos);
            }
        };
        // The option or chunk: a name, a number, or raw `@kind,offset,length`.
        match self.kind(pos) {
            Some(TokenKind::Word) if header.name == "tcp" => {
                self.check_option_name(header.name, pos)?;
                let name = self.tokens[pos].text(self.text);
                let name_at = pos;
                pos += 1;
                let fields = tcp_option_fields(name);
                match self.word(pos) {
                    Some(f) if fields.contains(&f) => pos += 1,
                    // `tcp option nop length`: the option has no such field.
                    Some(f) if TCP_OPTION_FIELDS.contains(&f) && !fields.is_empty() => {
                        return Err(self.bad_option(name_at, pos));
                    }
                    _ => {}
                }
                return Ok(pos);
            }
            Some(TokenKind::Word) => {
                if matches!(header.name, "ip" | "dccp") {
                    self.check_option_name(header.name, pos)?;
                }
                pos += 1;
            }
            Some(TokenKind::SetRef) => pos = self.raw_payload_end(pos).unwrap_or(pos + 1),
            _ => return Ok(pos),
        }
        if self.word(pos).is_some_and(|f| option_fields.contains(&f)) {
            pos += 1;
        }
        Ok(pos)
    }

    /// `tcp option NAME`, `ip option NAME`, `dccp option N`: a known name, or a kind number
    /// that fits a byte.
    fn check_option_name(&self, header: &str, at: usize) -> Parse {
        let Some(name) = self.word(at) else {
            return Ok(());
        };
        let names: &[&str] = match header {
            "tcp" => TCP_OPTIONS,
            "ip" => &["lsrr", "rr", "ssrr", "ra"],
            _ => &[],
        };
        if let Some(kind) = parse_number(name) {
            if kind > 255 {
                return Err(self.error(
                    self.range_at(at),
                    format!("{header} option kind {kind} is out of range"),
                    Some("an option kind is a number from 0 to 255".to_string()),
                ));
            }
            return Ok(());
        }
        if header == "dccp" || names.contains(&name) {
            return Ok(());
        }
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "the {header} options are: {}, or a kind number",
                names.join(", ")
            ),
        };
        Err(self.error(
            self.range_at(at),
            format!("unknown {header} option `{name}`"),
            Some(help),
        ))
    }

    /// `tcp option NAME FIELD` where the option has no such field.
    fn bad_option(&self, name: usize, field: usize) -> Box<GrammarError> {
        let option = self.tokens[name].text(self.text);
        let fields = tcp_option_fields(option);
        self.error(
            self.span(name, field + 1),
            format!(
                "tcp option `{option}` has no field `{}`",
                self.tokens[field].text(self.text)
            ),
            Some(format!("its fields are: {}", fields.join(", "))),
        )
    }

    fn bad_field(
        &self,
        at: usize,
        next: usize,
        what: &str,
        candidates: &[&str],
    ) -> Box<GrammarError> {
        let selector = self.tokens[at].text(self.text);
        let help = match self
            .word(next)
            .and_then(|w| did_you_mean(w, candidates.iter().copied()))
        {
            Some(close) => format!("did you mean `{selector} {close}`?"),
            None => format!(
                "`{selector}` is followed by one of: {}",
                candidates.join(", ")
            ),
        };
        self.error(
            self.range_at(at).start..self.range_at(next).end.max(self.range_at(at).end),
            format!(
                "expected {what} after `{selector}`, found {}",
                self.found(next)
            ),
            Some(help),
        )
    }

    /// `ct [original|reply] [ip|ip6] KEY`, `ct count [over]`.
    fn ct(&self, at: usize) -> Selector {
        let mut pos = at + 1;
        let directed = matches!(self.word(pos), Some("original" | "reply"));
        if directed {
            pos += 1;
            if matches!(self.word(pos), Some("ip" | "ip6")) {
                pos += 1;
            }
        }
        match self.word(pos) {
            // `ct original mark`: mark, state, helper … belong to the connection, not a direction.
            Some(key) if directed && !CT_DIRECTION_KEYS.contains(&key) => {
                Selector::Bad(self.bad_field(
                    at,
                    pos,
                    "a key of one direction (saddr, daddr, protocol, proto-src, proto-dst, bytes, …)",
                    CT_DIRECTION_KEYS,
                ))
            }
            Some(key) if CT_KEYS.contains(&key) => {
                pos += 1;
                if key == "count" && self.word(pos) == Some("over") {
                    pos += 1;
                }
                Selector::Ends(pos)
            }
            _ => Selector::Bad(self.bad_field(
                at,
                pos,
                "a conntrack key (state, status, mark, helper, original, …)",
                CT_KEYS,
            )),
        }
    }

    /// `fib FLAG[ . FLAG …] RESULT`.
    fn fib(&self, at: usize) -> Selector {
        let mut pos = at + 1;
        loop {
            match self.word(pos) {
                Some(w) if is_fib_word(w) => pos += 1,
                Some(".") if self.word(pos + 1).is_some_and(is_fib_word) => pos += 1,
                _ => break,
            }
        }
        if pos == at + 1 {
            return Selector::Bad(self.bad_field(
                at,
                pos,
                "fib flags and a result (saddr, daddr, iif, oif, type, …)",
                &["saddr", "daddr", "mark", "iif", "oif", "oifname", "type"],
            ));
        }
        // The last word is the result; the words before it are the flags.
        let flags: Vec<&str> = (at + 1..pos.saturating_sub(1))
            .filter_map(|i| self.word(i))
            .filter(|w| *w != ".")
            .collect();
        let has = |f: &str| flags.contains(&f);
        let problem = if has("saddr") && has("daddr") {
            Some("`saddr` and `daddr` exclude each other")
        } else if !has("saddr") && !has("daddr") {
            Some("it needs `saddr` or `daddr`")
        } else if has("iif") && has("oif") {
            Some("`iif` and `oif` exclude each other")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Selector::Bad(self.error(
                self.span(at, pos),
                format!("invalid fib lookup: {problem}"),
                Some("write e.g. `fib saddr . iif oif` or `fib daddr type local`".to_string()),
            ));
        }
        Selector::Ends(pos)
    }

    /// `socket transparent|mark|wildcard`, `socket cgroupv2 level N`.
    fn socket(&self, at: usize) -> Selector {
        let keys = &["transparent", "mark", "wildcard", "cgroupv2"];
        match self.word(at + 1) {
            Some("cgroupv2") if self.word(at + 2) == Some("level") => Selector::Ends(at + 4),
            Some(key) if keys.contains(&key) => Selector::Ends(at + 2),
            _ => Selector::Bad(self.bad_field(at, at + 1, "a socket key", keys)),
        }
    }

    /// `osf [ttl loose|skip] name|version`.
    fn osf(&self, at: usize) -> Selector {
        let mut pos = at + 1;
        if self.word(pos) == Some("ttl") {
            if !matches!(self.word(pos + 1), Some("loose" | "skip")) {
                return Selector::Bad(self.bad_field(
                    pos,
                    pos + 1,
                    "`loose` or `skip`",
                    &["loose", "skip"],
                ));
            }
            pos += 2;
        }
        match self.word(pos) {
            Some("name" | "version") => Selector::Ends(pos + 1),
            _ => {
                Selector::Bad(self.bad_field(at, pos, "`name` or `version`", &["name", "version"]))
            }
        }
    }

    /// `ipsec in|out [spnum N] [ip|ip6] KEY`.
    fn ipsec(&self, at: usize) -> Selector {
        let mut pos = at + 2;
        if self.word(pos) == Some("spnum") {
            pos += 2;
        }
        if matches!(self.word(pos), Some("ip" | "ip6")) {
            pos += 1;
        }
        if matches!(self.word(pos), Some("saddr" | "daddr" | "reqid" | "spi")) {
            pos += 1;
        }
        Selector::Ends(pos)
    }

    /// `numgen inc|random mod N [offset N]`.
    fn numgen(&self, at: usize) -> Selector {
        if !matches!(self.word(at + 1), Some("inc" | "random")) {
            return Selector::Bad(self.bad_field(
                at,
                at + 1,
                "`inc` or `random`",
                &["inc", "random"],
            ));
        }
        Selector::Ends(self.hash_options(at + 2))
    }

    /// After `jhash`/`symhash`: `[EXPR] mod N [seed N] [offset N]`.
    fn hash(&self, mut pos: usize) -> usize {
        // jhash hashes an expression (often a concatenation) up to `mod`.
        while pos < self.end && self.word(pos) != Some("mod") {
            pos = match self.selector(pos) {
                Selector::Ends(end) => end,
                _ => self.after_primary(pos),
            };
            if self.word(pos) != Some(".") {
                break;
            }
            pos += 1;
        }
        self.hash_options(pos)
    }

    fn hash_options(&self, mut pos: usize) -> usize {
        while matches!(self.word(pos), Some("mod" | "seed" | "offset")) && pos + 1 < self.end {
            pos += 2;
        }
        pos
    }

    // ---- expressions ---------------------------------------------------------------------

    /// After a selector: bit operations and concatenations, then `set VALUE`, `vmap {…}`, or a
    /// comparison with its right side.
    fn expression_tail(&mut self, start: usize) -> Parse {
        let selector_end = self.pos;
        // How many expressions the left side concatenates (`ip saddr . tcp dport`: 2).
        let mut parts = 1;
        loop {
            match self.token(self.pos) {
                Some(t) if is_binop(t, self.text) || is_dot(t) => {
                    parts += usize::from(is_dot(t));
                    self.pos += 1;
                    self.operand()?;
                }
                _ => break,
            }
        }
        if self.pos == selector_end && selector_end <= start + 2 {
            let op = self
                .token(self.pos)
                .is_some_and(|t| is_relational(t, self.text));
            let value = if op { self.pos + 1 } else { self.pos };
            let value = if self.peek_keyword() == Keyword::Set {
                self.pos + 1
            } else {
                value
            };
            self.check_field_numbers(start, value)?;
        }
        match self.peek_keyword() {
            Keyword::Set => {
                if self.pos == selector_end {
                    self.check_settable(start)?;
                }
                self.pos += 1;
                self.stored_value("`set`")
            }
            Keyword::Vmap | Keyword::Map => {
                self.pos += 1;
                if parts > 1 {
                    self.check_element_parts(parts, true)?;
                }
                self.map_body()
            }
            _ => {
                let selector = self.pos - 1;
                let names_interface =
                    matches!(self.keyword(selector), Keyword::Iifname | Keyword::Oifname);
                match self.token(self.pos) {
                    Some(t) if is_relational(t, self.text) => {
                        self.pos += 1;
                        self.check_interface_name(names_interface, selector)?;
                        if parts > 1 {
                            self.check_element_parts(parts, false)?;
                        }
                        self.rhs(self.pos - 1)
                    }
                    _ => {
                        self.check_interface_name(names_interface, selector)?;
                        if parts > 1 {
                            self.check_element_parts(parts, false)?;
                        }
                        self.rhs_implicit(start)
                    }
                }
            }
        }
    }

    /// The numbers given to a narrow field (`ip protocol 256`, `vlan id { 1, 4096 }`) fit it.
    fn check_field_numbers(&self, selector: usize, value: usize) -> Parse {
        // `pkttype host` is `meta pkttype host`.
        let meta = value == selector + 1
            || (value == selector + 2 && self.word(selector + 1) == Some("set"));
        let field = if meta { selector } else { selector + 1 };
        // Most fields (`saddr`, `dport`) have no table here: the lexer marked those that do.
        if !self
            .token(field)
            .is_some_and(|t| t.class.has(WordClass::FIELD))
        {
            return Ok(());
        }
        let a = self.word(selector).unwrap_or("");
        let (a, b) = if meta {
            ("meta", a)
        } else {
            (a, self.word(selector + 1).unwrap_or(""))
        };
        // `ct state vmap { … }`: the values are the map's keys, read elsewhere.
        if matches!(self.word(value), Some("vmap" | "map")) {
            return Ok(());
        }
        if let Some(symbols) = field_symbols(a, b) {
            return self.check_field_symbols(a, b, symbols, value);
        }
        // `ct helper set "name"` names a ct helper object, not the kernel's helper.
        let stored = value > 0 && self.word(value - 1) == Some("set");
        if let Some(limit) = field_string_max(a, b).filter(|_| !stored) {
            return self.check_field_string(a, b, limit, value);
        }
        let Some(max) = field_max(a, b) else {
            return Ok(());
        };
        let (from, to) = match self.kind(value) {
            Some(TokenKind::Word) => (value, value + 1),
            Some(TokenKind::LBrace) => (value + 1, self.after_group(value).saturating_sub(1)),
            _ => return Ok(()),
        };
        let mut depth = 0usize;
        for at in from..to.min(self.end) {
            let token = &self.tokens[at];
            match token.kind {
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    depth = depth.saturating_sub(1)
                }
                TokenKind::Word if depth == 0 => {
                    let word = token.text(self.text);
                    let too_big = word.split('-').filter_map(parse_number).find(|n| *n > max);
                    if let Some(n) = too_big {
                        return Err(self.error(
                            token.range(),
                            format!("{n} is out of range for `{a} {b}`"),
                            Some(format!("`{a} {b}` holds values from 0 to {max}")),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The names given to a field with a closed set of names (`ct direction original`).
    fn check_field_symbols(&self, a: &str, b: &str, symbols: &[&str], value: usize) -> Parse {
        let (from, to) = match self.kind(value) {
            Some(TokenKind::Word) => (value, value + 1),
            Some(TokenKind::LBrace) => (value + 1, self.after_group(value).saturating_sub(1)),
            _ => return Ok(()),
        };
        for at in from..to.min(self.end) {
            let Some(word) = self.word(at) else { continue };
            if !word.starts_with(|c: char| c.is_ascii_alphabetic()) || symbols.contains(&word) {
                continue;
            }
            let help = match did_you_mean(word, symbols.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("`{a} {b}` is one of: {}", symbols.join(", ")),
            };
            return Err(self.error(
                self.range_at(at),
                format!("unknown `{a} {b}` value `{word}`"),
                Some(help),
            ));
        }
        Ok(())
    }

    /// A quoted name that must fit a fixed buffer (`ct helper "ftp"`).
    fn check_field_string(&self, a: &str, b: &str, limit: usize, value: usize) -> Parse {
        let Some(token) = self.token(value).filter(|t| t.kind == TokenKind::String) else {
            return Ok(());
        };
        let length = token.text(self.text).len() - 2;
        if length == 0 || length > limit {
            return Err(self.error(
                token.range(),
                format!("`{a} {b}` takes a name of 1 to {limit} bytes, this one has {length}"),
                Some("write the name as the kernel knows it".to_string()),
            ));
        }
        Ok(())
    }

    /// `meta KEY set …`: the kernel sets only some meta keys.
    fn check_settable(&self, start: usize) -> Parse {
        let key_at = if self.word(start) == Some("meta") {
            start + 1
        } else {
            start
        };
        let Some(key) = self.word(key_at) else {
            return Ok(());
        };
        let meta = key_at == start + 1 || is_unqualified_meta_key(key);
        if meta && key_at + 1 == self.pos && !is_settable_meta_key(key) {
            return Err(self.error(
                self.span(start, self.pos),
                format!("meta key `{key}` cannot be set"),
                Some("the kernel sets `meta mark`, `priority`, `pkttype`, `nftrace`, `secmark` and `broute`; match this key instead".to_string()),
            ));
        }
        Ok(())
    }

    /// In the set or map at the current token, matched against a concatenation of `parts`
    /// expressions: each element's key has as many parts (`1.2.3.4 . 22` for `ip saddr . tcp
    /// dport`). Elements written with variables or nested groups are left alone.
    fn check_element_parts(&self, parts: usize, map: bool) -> Parse {
        if self.kind(self.pos) != Some(TokenKind::LBrace) {
            return Ok(());
        }
        let Some(close) = matching_brace(self.tokens, self.pos, self.end) else {
            return Ok(());
        };
        let mut element = self.pos + 1;
        for at in self.pos + 1..=close {
            if at == close || self.kind(at) == Some(TokenKind::Comma) {
                self.check_element(element, at, parts, map)?;
                element = at + 1;
            } else if matches!(
                self.kind(at),
                Some(TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket)
            ) {
                // A nested group: commas inside it do not separate elements; give up.
                return Ok(());
            }
        }
        Ok(())
    }

    fn check_element(&self, start: usize, end: usize, parts: usize, map: bool) -> Parse {
        let mut dots = 0;
        let mut key_end = None;
        let mut first = None;
        for at in start..end {
            let token = &self.tokens[at];
            match token.kind {
                TokenKind::Newline => continue,
                TokenKind::Word => match token.text(self.text) {
                    "." if key_end.is_none() => dots += 1,
                    ":" if key_end.is_none() => key_end = Some(at),
                    "*" => return Ok(()),
                    _ => {}
                },
                TokenKind::Variable | TokenKind::SetRef => return Ok(()),
                _ => {}
            }
            first.get_or_insert(at);
        }
        let Some(first) = first else { return Ok(()) };
        // A map element's key ends at a spaced `:`; without one it cannot be told apart.
        if map && key_end.is_none() {
            return Ok(());
        }
        if dots + 1 == parts {
            return Ok(());
        }
        let range = self.span(first, key_end.unwrap_or(end));
        let element = self.text[range.clone()].trim_end().to_string();
        Err(self.error(
            range,
            format!(
                "element `{element}` has {} part(s), the key concatenates {parts}",
                dots + 1
            ),
            Some("write one value per part, joined with ` . `, e.g. `10.0.0.1 . 22`".to_string()),
        ))
    }

    /// `iifname ""`: an interface name has 1 to 15 bytes. `oifname masquerade`: a statement's
    /// keyword is no name (the name is missing), for `iif`/`oif` too.
    fn check_interface_name(&self, names_interface: bool, selector: usize) -> Parse {
        let Some(t) = self.token(self.pos) else {
            return Ok(());
        };
        if names_interface && is_empty_string(t, self.text) {
            return Err(self.error(
                t.range(),
                "empty interface name".to_string(),
                Some("write the interface's name, e.g. `iifname \"eth0\"`".to_string()),
            ));
        }
        let selects_interface = matches!(
            self.keyword(selector),
            Keyword::Iifname | Keyword::Oifname | Keyword::Iif | Keyword::Oif
        );
        let word = t.text(self.text);
        if selects_interface && t.kind == TokenKind::Word && NOT_INTERFACE_NAMES.contains(&word) {
            let selector = self.tokens[selector].text(self.text);
            return Err(self.error(
                t.range(),
                format!("`{selector}` needs an interface name, found the keyword `{word}`"),
                Some(format!(
                    "write the interface before the statement, e.g. `{selector} \"eth0\" {word}`; nft reads `{word}` as a keyword, never as a name (quote it, `\"{word}\"`, if an interface has that name)"
                )),
            ));
        }
        Ok(())
    }

    /// The right side after a selector with no operator: `tcp dport 22`.
    fn rhs_implicit(&mut self, start: usize) -> Parse {
        let missing = match self.token(self.pos) {
            None => true,
            Some(t) => is_verdict(t.keyword),
        };
        if missing {
            let lhs = self.span(start, self.pos);
            let written = &self.text[lhs.clone()];
            return Err(self.error(
                lhs.start..self.range_at(self.pos).end.max(lhs.end),
                format!(
                    "expected a value after `{written}`, found {}",
                    self.found(self.pos)
                ),
                Some(format!(
                    "write the value to match, e.g. `{written} VALUE`, or `{written} set VALUE` to change it"
                )),
            ));
        }
        self.rhs_value()
    }

    /// The right side after the operator token at `op`.
    fn rhs(&mut self, op: usize) -> Parse {
        let missing = match self.token(self.pos) {
            None => true,
            Some(t) => {
                matches!(t.kind, TokenKind::Operator | TokenKind::Comma) || is_verdict(t.keyword)
            }
        };
        if missing {
            let op_text = self.tokens[op].text(self.text);
            return Err(self.error(
                self.range_at(op).start..self.range_at(self.pos).end.max(self.range_at(op).end),
                format!(
                    "expected a value after `{op_text}`, found {}",
                    self.found(self.pos)
                ),
                Some(format!(
                    "write the value to compare with, e.g. `{op_text} 22`"
                )),
            ));
        }
        self.rhs_value()
    }

    /// A constant: one primary, joined to more by `,` (a list), `-` (a range), `/` (a prefix or
    /// a mask), `.` (a concatenation) or a bit operator.
    fn rhs_value(&mut self) -> Parse {
        self.primary()?;
        while let Some(token) = self.token(self.pos) {
            let joins = token.kind == TokenKind::Comma
                || is_binop(token, self.text)
                || matches!(
                    token.keyword,
                    Keyword::Minus | Keyword::Slash | Keyword::Dot
                );
            if joins {
                self.pos += 1;
                self.primary()?;
            } else if self.is_suffix(token) {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// A word glued to the value before it that continues it: `"10:00" -"12:00"`, `[::1]:80`.
    fn is_suffix(&self, token: &Token) -> bool {
        token.kind == TokenKind::Word
            && matches!(
                self.text.as_bytes().get(token.start as usize),
                Some(b':' | b'-' | b'/')
            )
    }

    /// A statement's argument or a `set` value: like a constant, but it may be an expression
    /// (`meta mark set ct mark`, `dnat to ip saddr map { … }`, `queue to numgen inc mod 2`).
    fn value_expr(&mut self, after: &str) -> Parse {
        if self.at_end() {
            return Err(self.error(
                self.range_at(self.pos),
                format!("expected a value after {after}, found the end of the rule"),
                Some(format!("write the value after {after}")),
            ));
        }
        self.operand()?;
        let mut parts = 1;
        while let Some(token) = self.token(self.pos) {
            // `to 127.0.0.1 : 22`: a spaced `:` joins an address and its port.
            if token.kind == TokenKind::Comma
                || is_binop(token, self.text)
                || matches!(
                    token.keyword,
                    Keyword::Minus | Keyword::Slash | Keyword::Dot | Keyword::Colon
                )
            {
                parts += usize::from(token.keyword == Keyword::Dot);
                self.pos += 1;
                self.operand()?;
            } else if matches!(token.keyword, Keyword::Map | Keyword::Vmap) {
                self.pos += 1;
                if parts > 1 {
                    self.check_element_parts(parts, true)?;
                }
                self.map_body()?;
            } else if self.is_suffix(token) {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// A value a statement stores (`… set VALUE`, `dup to VALUE`): a range or a prefix is no
    /// single value.
    fn stored_value(&mut self, after: &str) -> Parse {
        let start = self.pos;
        if self.kind(start) == Some(TokenKind::LBrace) {
            let end = self.after_group(start);
            return Err(self.error(
                self.span(start, end),
                "cannot store a set of values".to_string(),
                Some(format!("{after} takes one value; to pick one by key, write `… map {{ KEY : VALUE, … }}`")),
            ));
        }
        self.value_expr(after)?;
        if self.pos == start + 1 && self.word(start).is_some_and(is_range_or_prefix) {
            let word = self.tokens[start].text(self.text);
            return Err(self.error(
                self.range_at(start),
                format!("cannot store the range or prefix `{word}`"),
                Some(format!(
                    "{after} takes one value; a range or prefix can only be matched"
                )),
            ));
        }
        Ok(())
    }

    /// One operand of an expression: a selector if one starts here, else a primary.
    fn operand(&mut self) -> Parse {
        // `to :tcp dport map { … }`, `to 127.0.0.1:symhash mod 2 map { … }`: nft's scanner splits
        // at the `:`, so the expression after it is glued to the word.
        if let Some((_, after)) = self.peek_word().and_then(|w| w.rsplit_once(':')) {
            if is_expression_start(after) {
                self.pos = match self.selector_named(Keyword::of(after), self.pos) {
                    Selector::Ends(end) => end,
                    _ => self.pos + 1,
                };
                return Ok(());
            }
        }
        if let Selector::Ends(end) = self.selector(self.pos) {
            self.pos = end;
            return Ok(());
        }
        if let Some(end) = self.raw_payload_end(self.pos) {
            self.pos = end;
            return Ok(());
        }
        self.primary()
    }

    /// One value: a word, string, `$var`, `@set`, or a bracketed group.
    fn primary(&mut self) -> Parse {
        match self.kind(self.pos) {
            Some(TokenKind::Operator | TokenKind::Comma) | None => {
                let previous = self.pos.saturating_sub(1);
                let after = self.tokens[previous].text(self.text);
                Err(self.error(
                    self.range_at(self.pos),
                    format!(
                        "expected a value after `{after}`, found {}",
                        self.found(self.pos)
                    ),
                    Some(format!("write a value after `{after}`")),
                ))
            }
            _ => {
                self.pos = self.after_primary(self.pos);
                Ok(())
            }
        }
    }

    /// The token after the primary at `at` (at least `at + 1`).
    fn after_primary(&self, at: usize) -> usize {
        match self.kind(at) {
            Some(TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket) => {
                self.after_group(at).max(at + 1)
            }
            Some(TokenKind::SetRef) => self.raw_payload_end(at).unwrap_or(at + 1),
            _ => at + 1,
        }
    }

    /// After `map`/`vmap`: `{ … }`, `@map` or `$var`.
    fn check_chain_name(&self, at: usize) -> Parse {
        let name = self.tokens[at].text(self.text).trim_matches('"');
        if name.len() > MAX_NAME_LEN {
            return Err(self.error(
                self.range_at(at),
                format!("chain name is too long ({} bytes)", name.len()),
                Some(format!(
                    "nft allows chain names of up to {MAX_NAME_LEN} bytes"
                )),
            ));
        }
        Ok(())
    }

    /// In a map's braces: every element maps a key to a value (`KEY : VALUE`), and a verdict's
    /// chain name fits nft's limit.
    fn check_map_elements(&self, open: usize, close: usize, verdicts: bool) -> Parse {
        let (mut depth, mut element_start) = (0usize, open + 1);
        let mut has_colon = false;
        let mut opaque = false;
        for at in open + 1..close.min(self.end) {
            let token = &self.tokens[at];
            match token.kind {
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    depth = depth.saturating_sub(1)
                }
                TokenKind::Variable | TokenKind::SetRef => opaque = true,
                TokenKind::Word => {
                    let text = token.text(self.text);
                    has_colon |= text.contains(':');
                    if verdicts && depth == 0 && text == ":" {
                        self.check_verdict(at + 1)?;
                    }
                    if matches!(text, "jump" | "goto")
                        && matches!(self.kind(at + 1), Some(TokenKind::Word | TokenKind::String))
                    {
                        self.check_chain_name(at + 1)?;
                    }
                }
                TokenKind::Comma if depth == 0 => {
                    self.check_map_element(element_start, at, has_colon || opaque)?;
                    element_start = at + 1;
                    has_colon = false;
                    opaque = false;
                }
                _ => {}
            }
        }
        self.check_map_element(element_start, close.min(self.end), has_colon || opaque)
    }

    /// The data of a `vmap` element: a verdict.
    fn check_verdict(&self, at: usize) -> Parse {
        let at = (at..self.end)
            .find(|&i| self.kind(i) != Some(TokenKind::Newline))
            .unwrap_or(at);
        match self.token(at) {
            Some(t) if t.kind == TokenKind::Word && !is_verdict_word(t.text(self.text)) => {
                let written = t.text(self.text);
                Err(self.error(
                    t.range(),
                    format!("`{written}` is not a verdict"),
                    Some(format!("a vmap maps to accept, drop, continue, return, `jump CHAIN` or `goto CHAIN`; to jump to a chain, write `jump {written}`")),
                ))
            }
            _ => Ok(()),
        }
    }

    fn check_map_element(&self, start: usize, end: usize, fine: bool) -> Parse {
        let first = (start..end).find(|&at| self.kind(at) != Some(TokenKind::Newline));
        let Some(first) = first else { return Ok(()) };
        if fine {
            return Ok(());
        }
        let last = (first..end)
            .rev()
            .find(|&at| self.kind(at) != Some(TokenKind::Newline))
            .unwrap_or(first);
        let range = self.span(first, last + 1);
        let element = &self.text[range.clone()];
        Err(self.error(
            range,
            format!("map element `{element}` has no value"),
            Some(format!(
                "write `{element} : VALUE`: a map maps each key to a value"
            )),
        ))
    }

    fn map_body(&mut self) -> Parse {
        if self.kind(self.pos) == Some(TokenKind::LBrace) {
            if let Some(close) = matching_brace(self.tokens, self.pos, self.end) {
                let verdicts = self.word(self.pos - 1) == Some("vmap");
                self.check_map_elements(self.pos, close, verdicts)?;
            }
        }
        match self.kind(self.pos) {
            Some(TokenKind::LBrace | TokenKind::SetRef | TokenKind::Variable) => {
                self.pos = self.after_primary(self.pos);
                Ok(())
            }
            _ => Err(self.expected(
                self.pos,
                "a map: `{ KEY : VALUE, … }` or `@name`",
                "write the map's elements in braces, e.g. `vmap { 22 : accept, 80 : drop }`",
            )),
        }
    }

    // ---- statements ----------------------------------------------------------------------

    /// The statement `word` starts, if it starts one.
    fn statement(&mut self, keyword: Keyword) -> Option<Parse> {
        let at = self.pos;
        let result = match keyword {
            Keyword::Accept
            | Keyword::Drop
            | Keyword::Return
            | Keyword::Continue
            | Keyword::Notrack => {
                self.pos += 1;
                Ok(())
            }
            Keyword::Jump | Keyword::Goto => self.chain_target(keyword.text()),
            Keyword::Queue => {
                self.pos += 1;
                self.queue()
            }
            Keyword::Counter => {
                self.pos += 1;
                self.counter()
            }
            Keyword::Log => {
                self.pos += 1;
                self.log()
            }
            Keyword::Limit => {
                self.pos += 1;
                self.limit()
            }
            Keyword::Quota => {
                self.pos += 1;
                self.quota()
            }
            Keyword::Reject => {
                self.pos += 1;
                self.reject()
            }
            Keyword::Snat | Keyword::Dnat | Keyword::Masquerade | Keyword::Redirect => {
                self.pos += 1;
                self.nat(keyword.text())
            }
            Keyword::Tproxy | Keyword::Dup | Keyword::Fwd => {
                self.pos += 1;
                self.target_and_device(keyword.text())
            }
            Keyword::Synproxy => {
                self.pos += 1;
                self.synproxy()
            }
            Keyword::Flow | Keyword::Meter => {
                self.pos += 1;
                self.meter()
            }
            Keyword::Add | Keyword::Update | Keyword::Delete => {
                self.pos += 1;
                self.set_update(keyword.text())
            }
            Keyword::Set => {
                self.pos += 1;
                self.legacy_set_update()
            }
            Keyword::Reset => {
                // `reset tcp option NAME`: strip an option.
                self.pos += 1;
                if self.eat("tcp") && self.eat("option") && !self.at_end() {
                    let name = self.check_option_name("tcp", self.pos);
                    self.pos += 1;
                    name
                } else {
                    Ok(())
                }
            }
            Keyword::Last => {
                self.pos += 1;
                if self.eat("used") && !self.at_end() {
                    self.pos += 1;
                }
                Ok(())
            }
            // `xt match "name"`: what nft lists for iptables-nft rules.
            Keyword::Xt => {
                self.pos = (self.pos + 3).min(self.end);
                Ok(())
            }
            Keyword::Comment => {
                self.pos += 1;
                self.comment = Some(at);
                self.required_primary(
                    "a quoted comment after `comment`",
                    "write `comment \"why this rule exists\"`",
                )
            }
            _ => return None,
        };
        if result.is_ok() && is_terminal(keyword) {
            self.terminal = Some(at);
        }
        Some(result)
    }

    fn required_primary(&mut self, what: &str, help: &str) -> Parse {
        match self.kind(self.pos) {
            Some(TokenKind::Operator | TokenKind::Comma) | None => {
                Err(self.expected(self.pos, what, help))
            }
            _ => {
                self.pos = self.after_primary(self.pos);
                Ok(())
            }
        }
    }

    /// `jump CHAIN`, `goto $chain`, `jump { … }` (an anonymous chain).
    fn chain_target(&mut self, word: &str) -> Parse {
        self.pos += 1;
        match self.kind(self.pos) {
            Some(TokenKind::Word | TokenKind::String) => {
                self.check_chain_name(self.pos)?;
                self.pos += 1;
                Ok(())
            }
            Some(TokenKind::Variable | TokenKind::LBrace) => {
                self.pos = self.after_primary(self.pos);
                Ok(())
            }
            _ => Err(self.expected(
                self.pos,
                &format!("a chain name after `{word}`"),
                &format!("write `{word} CHAIN` with the name of a chain in this table"),
            )),
        }
    }

    /// `queue [num N] [to EXPR] [flags bypass,fanout] [bypass] [fanout]`.
    fn queue(&mut self) -> Parse {
        loop {
            match self.peek_word() {
                Some("num") => {
                    self.pos += 1;
                    if let Some(n) = self
                        .peek_word()
                        .and_then(|w| w.split('-').filter_map(parse_number).find(|n| *n > 65535))
                    {
                        return Err(self.error(
                            self.range_at(self.pos),
                            format!("queue number {n} is out of range"),
                            Some("queue numbers go from 0 to 65535".to_string()),
                        ));
                    }
                    self.required_primary(
                        "a queue number after `num`",
                        "write `queue num 1` or `queue num 0-3`",
                    )?;
                    while self.peek_word() == Some("-") {
                        self.pos += 1;
                        self.primary()?;
                    }
                }
                Some("to") => {
                    self.pos += 1;
                    self.value_expr("`queue to`")?;
                }
                Some("flags" | "bypass" | "fanout") => self.pos += 1,
                _ if self.kind(self.pos) == Some(TokenKind::Comma) => self.pos += 1,
                _ => return Ok(()),
            }
        }
    }

    /// `counter [packets N] [bytes N]`, `counter name EXPR`.
    fn counter(&mut self) -> Parse {
        if self.eat("name") {
            return self.value_expr("`counter name`");
        }
        while matches!(self.peek_word(), Some("packets" | "bytes")) {
            self.pos += 1;
            self.required_primary("a number", "write `counter packets 0 bytes 0`")?;
        }
        Ok(())
    }

    /// `log [prefix S] [level L] [group N] [snaplen N] [queue-threshold N] [flags F]`.
    fn log(&mut self) -> Parse {
        let keyword = self.pos - 1;
        // Where `level`, `group` and `flags` were written, and how many options there are.
        let (mut level, mut group, mut flags, mut options) = (None, None, None, 0);
        loop {
            let at = self.pos;
            match self.peek_word() {
                Some(option @ ("prefix" | "level" | "group" | "snaplen" | "queue-threshold")) => {
                    self.pos += 1;
                    if option == "level" {
                        self.check_log_level()?;
                        level = Some(at);
                    } else if option == "group" {
                        group = Some(at);
                    }
                    self.required_primary(
                        &format!("a value after `log {option}`"),
                        "e.g. `log prefix \"dropped: \" level warn`",
                    )?;
                }
                Some("flags") => {
                    self.pos += 1;
                    self.log_flags()?;
                    flags = Some(at);
                }
                _ => break,
            }
            options += 1;
        }
        // `level audit` logs to the audit subsystem, which takes no other option; `group` logs
        // to nflog, which has no level and no flags.
        if let Some(at) = level {
            if self.word(at + 1) == Some("audit") && options > 1 {
                return Err(self.error(
                    self.span(keyword, self.pos),
                    "`log level audit` takes no other option".to_string(),
                    Some("write `log level audit` alone".to_string()),
                ));
            }
        }
        if let (Some(_), Some(other)) = (group, level.or(flags)) {
            let what = self.tokens[other].text(self.text);
            return Err(self.error(
                self.span(keyword, self.pos),
                format!("`log group` cannot be combined with `{what}`"),
                Some(format!(
                    "`group` sends packets to nflog, which has no `{what}`: remove one of them"
                )),
            ));
        }
        Ok(())
    }

    /// After `log level`: one of syslog's levels, or `audit`.
    fn check_log_level(&self) -> Parse {
        const LEVELS: &[&str] = &[
            "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit",
        ];
        match self.token(self.pos) {
            Some(t) if t.kind == TokenKind::Word && !LEVELS.contains(&t.text(self.text)) => {
                let help = match did_you_mean(t.text(self.text), LEVELS.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("the levels are: {}", LEVELS.join(", ")),
                };
                Err(self.error(
                    t.range(),
                    format!("invalid log level `{}`", t.text(self.text)),
                    Some(help),
                ))
            }
            _ => Ok(()),
        }
    }

    /// `tcp sequence,options`, `ip options`, `skuid`, `ether`, `all`.
    fn log_flags(&mut self) -> Parse {
        match self.peek_word() {
            Some("tcp") => {
                self.pos += 1;
                self.required_primary(
                    "`sequence` or `options`",
                    "write `log flags tcp sequence,options`",
                )?;
                while self.kind(self.pos) == Some(TokenKind::Comma) {
                    self.pos += 1;
                    self.primary()?;
                }
                Ok(())
            }
            Some("ip") => {
                self.pos += 1;
                if self.eat("options") {
                    Ok(())
                } else {
                    Err(self.expected(
                        self.pos,
                        "`options` after `log flags ip`",
                        "write `log flags ip options`",
                    ))
                }
            }
            Some("skuid" | "ether" | "all") => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self.expected(
                self.pos,
                "log flags (all, tcp sequence,options, ip options, skuid, ether)",
                "write e.g. `log flags all`",
            )),
        }
    }

    /// `limit rate [over|until] N/UNIT [burst N packets|bytes]`, `limit name EXPR`.
    fn limit(&mut self) -> Parse {
        if self.eat("name") {
            return self.value_expr("`limit name`");
        }
        if !self.eat("rate") {
            return Err(self.expected(
                self.pos,
                "`rate` after `limit`",
                "write `limit rate 10/second` (or `limit name \"obj\"` for a named limit)",
            ));
        }
        let _ = self.eat("over") || self.eat("until");
        if self.peek_word().is_none() && self.kind(self.pos) != Some(TokenKind::Variable) {
            return Err(self.expected(
                self.pos,
                "a rate after `limit rate`",
                "write a rate such as `limit rate 10/second` or `limit rate 1 mbytes/second`",
            ));
        }
        let rate = self.pos;
        self.pos += 1;
        self.rate_rest();
        let in_bytes =
            (rate..self.pos).any(|at| self.word(at).is_some_and(|w| w.contains("bytes")));
        if self.eat("burst") {
            self.required_primary(
                "a number after `burst`",
                "write `burst 5 packets` or `burst 1 mbytes`",
            )?;
            if let Some(unit) = self
                .peek_word()
                .filter(|w| *w == "packets" || w.ends_with("bytes"))
            {
                // A rate in packets bursts in packets, a rate in bytes in bytes.
                if (unit == "packets") == in_bytes {
                    let expected = if in_bytes { "bytes" } else { "packets" };
                    let example = if in_bytes { "mbytes" } else { "packets" };
                    return Err(self.error(
                        self.range_at(self.pos),
                        format!("a rate in {expected} needs a burst in {expected}, found `{unit}`"),
                        Some(format!(
                            "write the burst in {expected}, e.g. `burst 5 {example}`"
                        )),
                    ));
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// The rest of a rate after its number: `/second`, `/ second`, `mbytes/second`,
    /// `mbytes / second`.
    fn rate_rest(&mut self) {
        if self
            .peek_word()
            .is_some_and(|w| w.ends_with("bytes") || w.contains("bytes/"))
        {
            self.pos += 1;
        }
        if self.peek_word() == Some("/") {
            self.pos += 2;
        } else if self.peek_word().is_some_and(|w| w.starts_with('/')) {
            self.pos += 1;
        }
        self.pos = self.pos.min(self.end);
    }

    /// `quota [over|until] N UNIT [used N UNIT]`, `quota name EXPR`.
    fn quota(&mut self) -> Parse {
        if self.eat("name") {
            return self.value_expr("`quota name`");
        }
        let _ = self.eat("over") || self.eat("until");
        self.required_primary(
            "an amount after `quota`",
            "write e.g. `quota 25 mbytes` or `quota over 1 gbytes`",
        )?;
        if self.peek_word().is_some_and(|w| w.ends_with("bytes")) {
            self.pos += 1;
        }
        if self.eat("used") {
            self.required_primary("an amount after `used`", "write e.g. `used 1 mbytes`")?;
            if self.peek_word().is_some_and(|w| w.ends_with("bytes")) {
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// `reject [with icmp|icmpv6|icmpx [type] CODE | with tcp reset]`.
    fn reject(&mut self) -> Parse {
        if !self.eat("with") {
            return Ok(());
        }
        match self.peek_word() {
            Some("icmp" | "icmpv6" | "icmpx") => {
                self.pos += 1;
                let _ = self.eat("type");
                // An icmp code is one byte: nft refuses `reject with icmp 512`.
                if self
                    .peek_word()
                    .and_then(|w| w.parse::<u64>().ok())
                    .is_some_and(|code| code > 255)
                {
                    return Err(self.expected(
                        self.pos,
                        "an icmp code from 0 to 255 after `reject with`",
                        "icmp codes are one byte; write e.g. `reject with icmpx type port-unreachable`",
                    ));
                }
                self.required_primary(
                    "an icmp code after `reject with`",
                    "write e.g. `reject with icmpx type port-unreachable`",
                )
            }
            Some("tcp") => {
                self.pos += 1;
                if self.eat("reset") {
                    Ok(())
                } else {
                    Err(self.expected(
                        self.pos,
                        "`reset` after `reject with tcp`",
                        "write `reject with tcp reset`",
                    ))
                }
            }
            _ => Err(self.expected(
                self.pos,
                "`icmp`, `icmpv6`, `icmpx` or `tcp reset` after `reject with`",
                "write e.g. `reject with icmpx type admin-prohibited` or `reject with tcp reset`",
            )),
        }
    }

    /// `snat|dnat [ip|ip6] [addr . port|prefix|interval] [to] EXPR [FLAGS]`,
    /// `masquerade|redirect [to EXPR] [FLAGS]`.
    fn nat(&mut self, word: &str) -> Parse {
        let family_follows = matches!(
            self.word(self.pos + 1),
            Some("to" | "addr" | "prefix" | "interval")
        );
        if family_follows && matches!(self.peek_word(), Some("ip" | "ip6")) {
            self.pos += 1;
        }
        if self.eat("addr") {
            // `addr . port`
            let _ = self.eat(".") && self.eat("port");
        }
        let _ = self.eat("prefix") || self.eat("interval");
        let to = self.eat("to");
        let has_value = !self.at_end() && !self.peek_word().is_some_and(is_nat_flag);
        if has_value && (to || matches!(word, "snat" | "dnat")) {
            self.value_expr(&format!("`{word} to`"))?;
        } else if to {
            return Err(self.expected(
                self.pos,
                &format!("an address or port after `{word} to`"),
                "write e.g. `dnat ip to 10.0.0.1:8080` or `redirect to :8080`",
            ));
        }
        while let Some(token) = self.token(self.pos) {
            let flag = token.kind == TokenKind::Word && is_nat_flag(token.text(self.text));
            if flag || token.kind == TokenKind::Comma {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// `tproxy [ip|ip6] to EXPR`, `dup [ip|ip6] to EXPR [device EXPR]`, `fwd [ip|ip6] to EXPR
    /// [device EXPR]`.
    fn target_and_device(&mut self, word: &str) -> Parse {
        if matches!(self.peek_word(), Some("ip" | "ip6")) && self.word(self.pos + 1) == Some("to") {
            self.pos += 1;
        }
        if self.eat("to") {
            self.stored_value(&format!("`{word} to`"))?;
        } else if word == "tproxy" {
            return Err(self.expected(
                self.pos,
                "`to` after `tproxy`",
                "write `tproxy to :50080` or `tproxy ip to 192.0.2.1:50080`",
            ));
        }
        if self.eat("device") {
            self.value_expr("`device`")?;
        }
        Ok(())
    }

    /// `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`, `synproxy name EXPR`.
    fn synproxy(&mut self) -> Parse {
        if self.eat("name") {
            return self.value_expr("`synproxy name`");
        }
        loop {
            match self.peek_word() {
                Some("mss" | "wscale") => {
                    self.pos += 1;
                    self.required_primary("a number", "write e.g. `synproxy mss 1460 wscale 7`")?;
                }
                Some("timestamp" | "sack-perm") => self.pos += 1,
                _ => return Ok(()),
            }
        }
    }

    /// `flow add @ft`, `flow offload @ft`, `meter NAME [size N] { … }`: read loosely.
    fn meter(&mut self) -> Parse {
        let _ = self.eat("add") || self.eat("offload") || self.eat("table");
        if !self.at_end() && self.kind(self.pos) != Some(TokenKind::LBrace) {
            self.pos = self.after_primary(self.pos);
        }
        if self.eat("size") && !self.at_end() {
            self.pos += 1;
        }
        if self.kind(self.pos) == Some(TokenKind::LBrace) {
            self.pos = self.after_group(self.pos);
        }
        Ok(())
    }

    /// `add @set { ELEMENT }`, `update @set { … }`, `delete @set { … }`.
    fn set_update(&mut self, word: &str) -> Parse {
        if !matches!(
            self.kind(self.pos),
            Some(TokenKind::SetRef | TokenKind::Variable)
        ) {
            return Err(self.expected(
                self.pos,
                &format!("a set after `{word}`, such as `@blocklist`"),
                &format!("write `{word} @set {{ ip saddr }}`"),
            ));
        }
        self.pos += 1;
        if self.kind(self.pos) == Some(TokenKind::LBrace) {
            self.pos = self.after_group(self.pos);
            Ok(())
        } else {
            Err(self.expected(
                self.pos,
                "the element in braces",
                &format!("write `{word} @set {{ ip saddr }}`"),
            ))
        }
    }

    /// The old `set add|update EXPR @set` form: read up to the set.
    fn legacy_set_update(&mut self) -> Parse {
        while !self.at_end() {
            let done = self.kind(self.pos) == Some(TokenKind::SetRef)
                && self.raw_payload_end(self.pos).is_none();
            self.pos = self.after_primary(self.pos);
            if done {
                break;
            }
        }
        Ok(())
    }
}

/// Words that start an expression (used where a word is glued after `:`).
fn is_expression_start(word: &str) -> bool {
    header_of(word).is_some() || is_meta_key(word) || OTHER_SELECTORS.contains(&word)
}

/// The largest value of a field narrower than its datatype's name suggests.
/// Every field [`field_max`], [`field_symbols`] or [`field_string_max`] knows: the lexer marks
/// them ([`WordClass::FIELD`]), and the others skip the three tables.
pub(super) const FIELD_WORDS: &[&str] = &[
    "protocol",
    "ttl",
    "nexthdr",
    "hoplimit",
    "version",
    "hdrlength",
    "dscp",
    "ecn",
    "flowlabel",
    "id",
    "pcp",
    "dei",
    "cfi",
    "zone",
    "tag",
    "last-entry",
    "flags",
    "label",
    "day",
    "transparent",
    "wildcard",
    "direction",
    "state",
    "pkttype",
    "helper",
    "name",
];

fn field_max(selector: &str, field: &str) -> Option<u64> {
    Some(match (selector, field) {
        ("ip", "protocol" | "ttl") | ("ip6", "nexthdr" | "hoplimit") => 255,
        ("ip", "version" | "hdrlength") | ("ip6", "version") => 15,
        ("ip" | "ip6", "dscp") => 63,
        ("ip" | "ip6", "ecn") => 3,
        ("ip6", "flowlabel") => 0xf_ffff,
        ("vlan", "id") => 4095,
        ("vlan", "pcp") => 7,
        ("vlan", "dei" | "cfi") => 1,
        ("ct", "zone") | ("srh", "tag") => 65535,
        ("srh", "last-entry" | "flags") => 255,
        ("ct", "label") => 127,
        ("meta", "day") => 6,
        ("socket", "transparent" | "wildcard") => 1,
        _ => return None,
    })
}

/// Fields whose values are a closed list of names (numbers are judged elsewhere).
fn field_symbols(selector: &str, field: &str) -> Option<&'static [&'static str]> {
    Some(match (selector, field) {
        ("ct", "direction") => &["original", "reply"],
        ("ct", "state") => &["invalid", "established", "related", "new", "untracked"],
        ("meta", "pkttype") => &["host", "unicast", "broadcast", "multicast", "other"],
        _ => return None,
    })
}

/// Quoted names that fill a fixed kernel buffer: the longest name that fits.
fn field_string_max(selector: &str, field: &str) -> Option<usize> {
    match (selector, field) {
        ("ct", "helper") | ("osf", "name" | "version") => Some(16),
        _ => None,
    }
}

/// The widest expression nft's registers hold (16 registers of 32 bits).
const MAX_EXPR_BITS: u64 = 512;

fn is_shift(token: &Token, text: &str) -> bool {
    // Runs on every token of every rule: look at the text only of operators.
    match token.kind {
        TokenKind::Operator => matches!(token.text(text), "<<" | ">>"),
        TokenKind::Word => matches!(token.keyword, Keyword::Lshift | Keyword::Rshift),
        _ => false,
    }
}

/// A decimal or `0x` hexadecimal number.
fn parse_number(word: &str) -> Option<u64> {
    match word.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => word.parse().ok(),
    }
}

/// A literal range (`1-3`, `0x1-0x3`, `10.0.0.1-10.0.0.9`) or an IPv4 prefix (`10.0.0.0/8`):
/// values a match may test but a statement cannot store.
fn is_range_or_prefix(word: &str) -> bool {
    let starts_with_digit = word.starts_with(|c: char| c.is_ascii_digit());
    let range = word.matches('-').count() == 1
        && word
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, 'x' | '.' | ':' | '-'));
    let prefix = word.contains('/')
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/'));
    starts_with_digit && (range || prefix)
}

/// Interface names are 1 to 15 bytes: `""` is none.
fn is_empty_string(token: &Token, text: &str) -> bool {
    token.kind == TokenKind::String && token.text(text) == "\"\""
}

/// nft's longest chain, set and table names: 255 bytes.
const MAX_NAME_LEN: usize = 255;

fn is_nat_flag(word: &str) -> bool {
    matches!(word, "random" | "fully-random" | "persistent" | "netmap")
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    }
}

fn all_meta_keys() -> Vec<&'static str> {
    UNQUALIFIED_META
        .iter()
        .chain(META_QUALIFIED_KEYS)
        .copied()
        .collect()
}

/// Every word that may start an item, for did-you-mean.
fn all_item_words() -> impl Iterator<Item = &'static str> {
    STATEMENTS
        .iter()
        .chain(HEADERS)
        .chain(OTHER_SELECTORS)
        .chain(UNQUALIFIED_META)
        .copied()
}

/// Chain declarations and named sets, maps and flowtables: what nft refuses in them.
pub fn check_declarations(
    text: &str,
    tokens: &[Token],
    items: &[super::parser::Item],
) -> Vec<GrammarError> {
    use super::parser::{Item, TableEntry};
    let mut errors = Vec::new();
    // Each name's last top-level define (a lookup per `jump $name`, not a scan of the defines).
    let defines: HashMap<&str, &Range<usize>> = items
        .iter()
        .filter_map(|item| match item {
            Item::Define { name, value } => Some((name.text.as_str(), value)),
            _ => None,
        })
        .collect();
    errors.extend(check_defines(text, tokens, items));
    errors.extend(check_backslashes(text, tokens));
    for item in items {
        match item {
            Item::Table(table) => {
                errors.extend(check_references(text, tokens, table, &defines));
                for entry in &table.body {
                    match entry {
                        TableEntry::Chain(chain) => {
                            errors.extend(check_chain_declaration(text, tokens, &chain.range))
                        }
                        TableEntry::Named(named) => errors.extend(check_named(text, tokens, named)),
                        TableEntry::Definition(_) => {}
                    }
                }
            }
            Item::AddChain { chain, .. } => {
                errors.extend(check_chain_declaration(text, tokens, &chain.range))
            }
            _ => {}
        }
    }
    errors
}

/// Top-level `define`s: a name is defined once (`redefine` replaces it), and `*` is no value.
fn check_defines(text: &str, tokens: &[Token], items: &[super::parser::Item]) -> Vec<GrammarError> {
    use super::parser::Item;
    let mut errors = Vec::new();
    // The names defined so far (a lookup, not a scan: a file may have 50,000 defines).
    let mut defined: HashSet<&str> = HashSet::new();
    for item in items {
        match item {
            Item::Define { name, value } => {
                let at = tokens.partition_point(|t| (t.start as usize) < name.range.start);
                let keyword = at.checked_sub(1).map(|k| tokens[k].text(text));
                if keyword == Some("define") && defined.contains(name.text.as_str()) {
                    errors.push(GrammarError {
                        range: name.range.clone(),
                        message: format!("`{}` is already defined", name.text),
                        help: Some(format!(
                            "write `redefine {} = …` to replace its value",
                            name.text
                        )),
                    });
                }
                defined.insert(name.text.as_str());
                if value.len() == 1 && tokens[value.start].text(text) == "*" {
                    errors.push(GrammarError {
                        range: tokens[value.start].range(),
                        message: format!("`*` is not a value for `define {}`", name.text),
                        help: Some(
                            "a define holds a value such as a number, an address, a name or a set"
                                .to_string(),
                        ),
                    });
                }
            }
            Item::Undefine { name } => {
                defined.remove(name.text.as_str());
            }
            _ => {}
        }
    }
    errors
}

/// nft reads a backslash only before a line break (a continued line) or inside a quoted string:
/// anywhere else (`{type ipv4_addr\;}`, a shell escape left in a file) it is junk.
fn check_backslashes(text: &str, tokens: &[Token]) -> Option<GrammarError> {
    if !text.contains('\\') {
        return None;
    }
    let token = tokens
        .iter()
        .find(|t| t.kind == TokenKind::Word && t.text(text).contains('\\'))?;
    let offset = token.start as usize + token.text(text).find('\\')?;
    Some(GrammarError {
        range: offset..offset + 1,
        message: "unexpected `\\`".to_string(),
        help: Some("a backslash may only end a line (to continue it) or stand in a quoted string; remove it".to_string()),
    })
}

/// What a table's rules refer to: `map @name` must name a map, not a set, and `jump $chain`
/// a chain name nft can hold.
fn check_references(
    text: &str,
    tokens: &[Token],
    table: &super::parser::TableBlock,
    defines: &HashMap<&str, &Range<usize>>,
) -> Option<GrammarError> {
    use super::parser::{ChainEntry, TableEntry};
    // Most tables have neither: then there is nothing to look up, and the rules are not read.
    let has_sets = table
        .body
        .iter()
        .any(|e| matches!(e, TableEntry::Named(n) if n.is_set));
    if !has_sets && defines.is_empty() {
        return None;
    }
    // A set counts only when its declaration says what it holds: `set s { }` tells nothing.
    let declares_key = |body: &Option<Range<usize>>| {
        body.clone().is_some_and(|body| {
            tokens[body]
                .iter()
                .any(|t| matches!(t.text(text), "type" | "typeof"))
        })
    };
    // The table's named sets (those whose declaration says what they hold) and maps, indexed
    // at the first `map @name`: a lookup per reference, not a scan of the table's entries.
    let mut named_index: Option<HashSet<(&str, bool)>> = None;
    let mut named = |name: &str, set: bool| {
        named_index
            .get_or_insert_with(|| {
                table
                    .body
                    .iter()
                    .filter_map(|e| match e {
                        TableEntry::Named(n) if !n.is_set || declares_key(&n.body) => {
                            Some((n.name.text.as_str(), n.is_set))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .contains(&(name, set))
    };
    for entry in &table.body {
        let TableEntry::Chain(chain) = entry else {
            continue;
        };
        for rule in chain.body.iter().filter_map(|e| match e {
            ChainEntry::Rule(range) => Some(range.clone()),
            _ => None,
        }) {
            for at in rule.start..rule.end.saturating_sub(1) {
                let (word, next) = (&tokens[at], &tokens[at + 1]);
                if word.kind != TokenKind::Word {
                    continue;
                }
                match (word.text(text), next.kind) {
                    ("map", TokenKind::SetRef) => {
                        let name = &next.text(text)[1..];
                        if named(name, true) && !named(name, false) {
                            return Some(GrammarError {
                                range: next.range(),
                                message: format!("`@{name}` is a set, not a map"),
                                help: Some(format!("`map` looks values up in a map: declare `map {name} {{ type KEY : VALUE; … }}`, or match the set with `@{name}`")),
                            });
                        }
                    }
                    ("jump" | "goto", TokenKind::Variable) => {
                        let name = &next.text(text)[1..];
                        if let Some(value) = defines.get(name) {
                            let long = value.len() == 1
                                && tokens[value.start].text(text).trim_matches('"').len()
                                    > MAX_NAME_LEN;
                            if long {
                                return Some(GrammarError {
                                    range: next.range(),
                                    message: format!("`${name}` names a chain that is too long"),
                                    help: Some(format!(
                                        "nft allows chain names of up to {MAX_NAME_LEN} bytes"
                                    )),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    None
}

/// The standard priority names (nft(8), CHAINS): `priority filter`, `priority srcnat + 10`.
const PRIORITY_NAMES: &[&str] = &[
    "raw", "mangle", "dstnat", "filter", "security", "srcnat", "out",
];

/// `type T hook H [device D] priority P`: the priority is a number, a `$variable` or a standard
/// name (± a number); a device name is not empty.
fn check_chain_declaration(
    text: &str,
    tokens: &[Token],
    bytes: &Range<usize>,
) -> Option<GrammarError> {
    let first = tokens.partition_point(|t| (t.start as usize) < bytes.start);
    let last = tokens.partition_point(|t| (t.start as usize) < bytes.end);
    // A chain an include closes and the including file's `}` seems to end before it starts
    // (issue 15): no declaration to check there.
    let chain_tokens = tokens.get(first..last).unwrap_or_default();
    let mut depth = 0usize;
    let mut statement_start = true;
    let mut in_declaration = false;
    let mut after_priority = false;
    for token in chain_tokens {
        let word = (token.kind == TokenKind::Word).then(|| token.text(text));
        match token.kind {
            TokenKind::LBrace => {
                depth += 1;
                statement_start = true;
                continue;
            }
            TokenKind::RBrace => depth = depth.saturating_sub(1),
            TokenKind::Newline | TokenKind::Semicolon => {
                statement_start = true;
                in_declaration = false;
                after_priority = false;
                continue;
            }
            _ => {}
        }
        if depth == 1 && statement_start {
            match word {
                Some("type") => in_declaration = true,
                // The declaration comes before the rules; the first rule ends the search.
                Some("policy" | "comment" | "device" | "devices" | "flags") => {}
                _ => return None,
            }
        }
        statement_start = false;
        if !in_declaration {
            continue;
        }
        if is_empty_string(token, text) {
            return Some(GrammarError {
                range: token.range(),
                message: "empty device name".to_string(),
                help: Some("write the device's name, e.g. `device \"eth0\"`".to_string()),
            });
        }
        match word {
            Some("priority") => after_priority = true,
            Some(w) if after_priority && w.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                let name = w.split(['+', '-']).next().unwrap_or(w);
                if !PRIORITY_NAMES.contains(&name) {
                    let help = match did_you_mean(name, PRIORITY_NAMES.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!(
                            "write a number or one of {}, optionally ± a number",
                            PRIORITY_NAMES.join(", ")
                        ),
                    };
                    return Some(GrammarError {
                        range: token.range(),
                        message: format!("unknown chain priority `{w}`"),
                        help: Some(help),
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// A named set or map needs its key type (`type ipv4_addr`, `typeof ip saddr`) before nft can
/// read its elements; a flowtable's device names are not empty.
fn check_named(
    text: &str,
    tokens: &[Token],
    named: &super::parser::NamedBlock,
) -> Option<GrammarError> {
    let body = named.body.clone()?;
    let keyword = body.start.checked_sub(3).and_then(|at| tokens.get(at))?;
    let kind = keyword.text(text);
    if kind == "flowtable" {
        let empty = tokens[body].iter().find(|t| is_empty_string(t, text))?;
        return Some(GrammarError {
            range: empty.range(),
            message: "empty device name".to_string(),
            help: Some("write the device's name, e.g. `devices = { \"eth0\" }`".to_string()),
        });
    }
    let mut depth = 0usize;
    let mut statement_start = true;
    let (mut has_key, mut has_elements) = (false, false);
    for token in &tokens[body.clone()] {
        match token.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => depth = depth.saturating_sub(1),
            TokenKind::Newline | TokenKind::Semicolon => {
                statement_start = true;
                continue;
            }
            TokenKind::Word if depth == 0 && statement_start => match token.text(text) {
                "type" | "typeof" => has_key = true,
                "elements" => has_elements = true,
                // Elements may carry a counter, quota or limit, never a named one.
                "counter" | "quota" | "limit" => {
                    let index = (token.start as usize, token.end as usize);
                    let next = tokens.iter().find(|t| t.start as usize >= index.1);
                    if next.is_some_and(|t| t.text(text) == "name") {
                        return Some(GrammarError {
                            range: index.0..next.map_or(index.1, |t| t.end as usize),
                            message: format!(
                                "a set declaration cannot use a named {}",
                                token.text(text)
                            ),
                            help: Some(format!(
                                "write `{}` alone: each element then gets its own",
                                token.text(text)
                            )),
                        });
                    }
                }
                _ => {}
            },
            _ => {}
        }
        statement_start = false;
    }
    if kind == "map" {
        if let Some(error) = check_verdict_map(text, &tokens[body.clone()]) {
            return Some(error);
        }
    }
    if has_elements && !has_key && matches!(kind, "set" | "map") {
        return Some(GrammarError {
            range: named.name.range.clone(),
            message: format!("{kind} `{}` does not declare its key type", named.name.text),
            help: Some(
                "declare it before the elements, e.g. `type ipv4_addr` or `typeof ip saddr`"
                    .to_string(),
            ),
        });
    }
    None
}

/// In a `type … : verdict` map, each element maps to a verdict (`192.168.0.1 : jump ber`, not
/// `192.168.0.1 : ber`).
fn check_verdict_map(text: &str, body: &[Token]) -> Option<GrammarError> {
    let words = |t: &Token| (t.kind == TokenKind::Word).then(|| t.text(text));
    let type_at = body.iter().position(|t| words(t) == Some("type"))?;
    let declares_verdicts = body[type_at..]
        .iter()
        .take_while(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Semicolon))
        .any(|t| words(t) == Some("verdict"));
    if !declares_verdicts {
        return None;
    }
    let elements = body.iter().position(|t| words(t) == Some("elements"))?;
    let mut depth = 0usize;
    for (i, token) in body.iter().enumerate().skip(elements) {
        match token.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => depth = depth.saturating_sub(1),
            TokenKind::Word if depth == 1 && token.text(text) == ":" => {
                let value = body[i + 1..]
                    .iter()
                    .find(|t| t.kind != TokenKind::Newline)?;
                let verdict = match value.kind {
                    TokenKind::Word => is_verdict_word(value.text(text)),
                    TokenKind::Variable => true,
                    _ => false,
                };
                if !verdict {
                    let written = value.text(text);
                    return Some(GrammarError {
                        range: value.range(),
                        message: format!("`{written}` is not a verdict"),
                        help: Some(format!("a verdict map maps to accept, drop, continue, return, `jump CHAIN` or `goto CHAIN`; to jump to a chain, write `jump {written}`")),
                    });
                }
            }
            _ => {}
        }
    }
    None
}

fn is_verdict_word(word: &str) -> bool {
    matches!(
        word,
        "accept" | "drop" | "continue" | "return" | "jump" | "goto" | "queue"
    )
}

/// Calls `visit` with the token range of each rule of a parsed file, in order (a visitor rather
/// than a list: a 100,000-rule file would otherwise build a 2.6 MB vector to walk it once).
pub fn for_each_rule(items: &[super::parser::Item], mut visit: impl FnMut(Range<usize>)) {
    use super::parser::{ChainBlock, ChainEntry, Item, TableEntry};
    fn chain(block: &ChainBlock, visit: &mut impl FnMut(Range<usize>)) {
        for entry in &block.body {
            if let ChainEntry::Rule(range) = entry {
                visit(range.clone());
            }
        }
    }
    for item in items {
        match item {
            Item::Table(table) => {
                for entry in &table.body {
                    if let TableEntry::Chain(block) = entry {
                        chain(block, &mut visit);
                    }
                }
            }
            Item::AddChain { chain: block, .. } => chain(block, &mut visit),
            Item::AddRule { rule, .. } => visit(rule.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nft::lexer::tokenize;

    /// `check_field_numbers` looks a field up only when the lexer marked it: every field the
    /// tables know must be marked.
    /// Every word the grammar's lists and tables hold.
    fn grammar_words() -> impl Iterator<Item = &'static str> {
        all_item_words()
            .chain(STATEMENT_WORDS.iter().copied())
            .chain(selector_words())
            .chain(META_QUALIFIED_KEYS.iter().copied())
            .chain(EXTHDR_NAMES.iter().copied())
            .chain(FIELD_WORDS.iter().copied())
            .chain(
                HEADERS
                    .iter()
                    .filter_map(|h| header_of(h))
                    .flat_map(|h| h.fields.iter().copied()),
            )
    }

    #[test]
    fn the_lexer_marks_every_field_the_tables_know() {
        let words: Vec<&str> = grammar_words().collect();
        for a in &words {
            for b in &words {
                let known = field_max(a, b).is_some()
                    || field_symbols(a, b).is_some()
                    || field_string_max(a, b).is_some();
                if known {
                    assert!(FIELD_WORDS.contains(b), "`{a} {b}` is in a table");
                    assert!(WordClass::of(b).has(WordClass::FIELD), "`{b}` is marked");
                }
            }
        }
        for &field in FIELD_WORDS {
            assert!(
                WordClass::of(field).has(WordClass::FIELD),
                "`{field}` is marked"
            );
        }
    }

    /// `item` reads a word as a statement or a selector only when the lexer marked it one: every
    /// keyword that `statement` or `selector_named` reads must be marked.
    #[test]
    fn the_lexer_marks_every_statement_and_selector_word() {
        for &(keyword, word) in Keyword::ALL {
            for text in [
                word.to_string(),
                format!("{word} in saddr"),
                format!("{word} mark"),
            ] {
                let tokens = tokenize(&text).tokens;
                let class = tokens[0].class;
                let mut reader = Reader {
                    text: &text,
                    tokens: &tokens,
                    pos: 0,
                    end: tokens.len(),
                    terminal: None,
                    comment: None,
                };
                if reader.statement(keyword).is_some() {
                    assert!(class.has(WordClass::STATEMENT), "`{text}` is a statement");
                }
                if !matches!(reader.selector_named(keyword, 0), Selector::No) {
                    assert!(class.has(WordClass::SELECTOR), "`{text}` is a selector");
                }
            }
        }
    }

    /// The keyword matches read what the word lists say.
    #[test]
    fn the_headers_are_named_by_their_keywords() {
        for &name in HEADERS {
            assert_eq!(header_of(name).map(|h| h.name), Some(name));
        }
        for &(keyword, word) in Keyword::ALL {
            assert_eq!(
                header_named(keyword).is_some(),
                HEADERS.contains(&word),
                "{word}"
            );
            assert_eq!(
                unqualified_meta_keywords().contains(keyword),
                is_unqualified_meta_key(word),
                "{word}"
            );
        }
        for &word in UNQUALIFIED_META_KEYS {
            assert!(is_unqualified_meta_key(word), "{word}");
            assert!(
                unqualified_meta_keywords().contains(Keyword::of(word)),
                "{word}"
            );
        }
        for &word in STATEMENT_WORDS {
            assert_ne!(Keyword::of(word), Keyword::None, "{word}");
        }
        // A field given by keyword is found as by name, in every header.
        for &name in HEADERS {
            let Some(header) = header_of(name) else {
                panic!("{name}")
            };
            for &(keyword, word) in Keyword::ALL {
                assert_eq!(
                    header.field_keywords.contains(keyword),
                    header.fields.contains(&word),
                    "{name} {word}"
                );
            }
        }
        // Each field `field_suffix` reads more words after passes its keyword gate.
        for (name, field) in [
            ("tcp", "option"),
            ("ip", "option"),
            ("sctp", "chunk"),
            ("dccp", "option"),
            ("arp", "saddr"),
            ("arp", "daddr"),
            ("rt", "ip"),
            ("rt", "ip6"),
        ] {
            let header = header_of(name).map(|h| (h.has_field_suffixes, h.fields.contains(&field)));
            assert_eq!(header, Some((true, true)), "{name} {field}");
            assert_ne!(Keyword::of(field), Keyword::None, "{field}");
        }
        accepts("sctp chunk data flags 2");
        accepts("arp saddr ip 10.0.0.1");
        accepts("rt ip nexthop 10.0.0.1");
        refuses("tcp option nop length 2", "nop length", "no field");
    }

    #[test]
    fn an_interface_match_needs_a_name_not_a_keyword() {
        // nft 1.0.6: "syntax error, unexpected masquerade" (tests/fixtures/nft-constructs).
        refuses(
            "oifname masquerade",
            "masquerade",
            "needs an interface name",
        );
        refuses("meta oifname masquerade", "masquerade", "found the keyword");
        refuses("oifname != counter accept", "counter", "`oifname` needs");
        refuses("iif log accept", "log", "`iif` needs");
        accepts("oifname \"eth0\" masquerade");
        accepts("oifname \"masquerade\" masquerade");
        accepts("oifname snat accept");
        accepts("oif lo accept");
    }

    fn check(rule: &str) -> Option<GrammarError> {
        let tokens = tokenize(rule).tokens;
        check_rule(rule, &tokens, 0..tokens.len())
    }

    fn accepts(rule: &str) {
        if let Some(e) = check(rule) {
            panic!(
                "`{rule}` refused: {} ({:?}) at {:?}",
                e.message,
                e.help,
                &rule[e.range.clone()]
            );
        }
    }

    /// The rule is refused, with the error on `at`, and the message contains `says`.
    fn refuses(rule: &str, at: &str, says: &str) {
        let Some(e) = check(rule) else {
            panic!("`{rule}` accepted");
        };
        assert_eq!(&rule[e.range.clone()], at, "{rule}: {}", e.message);
        assert!(e.message.contains(says), "{rule}: {}", e.message);
    }

    #[test]
    fn accepts_matches_and_statements() {
        for rule in [
            "tcp dport 22 accept",
            "tcp dport { 22, 80 } ct state new counter accept",
            "ip saddr 10.0.0.0/8 tcp dport != 22-80 drop",
            "ct state established,related accept",
            "meta l4proto tcp tcp flags & (syn|ack) == syn",
            "tcp flags syn / syn,ack",
            "ip protocol icmp icmp type echo-request limit rate 10/second burst 5 packets accept",
            "limit rate over 1 mbytes / second",
            "iifname \"eth0\" oif lo mark set 0x1 meta nftrace set 1",
            "ct mark set meta mark & 0xffff | 0x10",
            "meta mark set tcp dport map { 22 : 1, 80 : 2 }",
            "ip saddr . tcp dport vmap @m",
            "ip saddr . ip daddr . tcp dport { 1.1.1.1 . 2.2.2.2 . 22 }",
            "fib saddr . iif oif missing drop",
            "fib daddr type local accept",
            "exthdr hbh exists",
            "tcp option maxseg size set 1360",
            "redirect to :tcp dport map { 22 : 8000, 80 : 8080 }",
            "tproxy ip to 127.0.0.1:symhash mod 2 map { 0 : 23, 1 : 42 }",
            "exthdr hbh == exists",
            "time < \"2022-07-01 11:00:00\" accept",
            "tcp option sack-perm exists",
            "sctp chunk data flags 2",
            "ip option rr ptr 1",
            "@nh,8,8 0x3 @th,16,16 22",
            "ct original ip saddr 1.2.3.4 ct reply proto-dst 22",
            "ct count over 2 drop",
            "ct helper set \"ftp\"",
            "dnat ip to ip saddr map { 1.1.1.1 : 2.2.2.2 }",
            "dnat to 10.0.0.1:8080 persistent,random",
            "dnat ip to 127.0.0.1 : 22",
            "dnat ip6 to [dead::beef]:8080",
            "snat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.0.0/16 }",
            "masquerade to :1024-2048 fully-random",
            "redirect to :8080",
            "queue num 1-3 bypass,fanout",
            "queue flags bypass to numgen inc mod 2",
            "log prefix \"x\" level warn flags tcp sequence,options",
            "reject with icmpx type port-unreachable",
            "reject with tcp reset",
            "counter packets 1 bytes 2 accept comment \"c\"",
            "counter name tcp dport map { 22 : \"c\" }",
            "quota over 25 mbytes used 1 mbytes",
            "add @s { ip saddr timeout 10s } update @t { ip saddr counter }",
            "jump { counter }",
            "jhash ip saddr . tcp dport mod 2 seed 0xdead offset 1 0",
            "meta hour \"10:00\"-\"12:00\" meta day \"Monday\"",
            "socket cgroupv2 level 1 \"user.slice\"",
            "osf ttl skip name \"Linux\"",
            "ipsec in reqid 1",
            "vxlan ip saddr 1.2.3.4",
            "arp saddr ip 1.2.3.4",
            "rt0 addr[1] ::1",
            "rt ip nexthop 1.2.3.4",
            "synproxy mss 1460 wscale 7 timestamp sack-perm",
            "tproxy ip to 1.1.1.1:80",
            "dup to 1.2.3.4 device \"eth0\"",
            "flow add @ft",
            "meta pkttype set host ct event set new,related",
            "tcp dport $ports ip saddr $hosts accept",
            "xt match \"conntrack\"",
            "continue",
            "tcp flags not syn",
            "icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept",
            "meta l4proto { tcp, udp } th dport 53 accept",
            "ip dscp set cs1",
        ] {
            accepts(rule);
        }
    }

    #[test]
    fn refuses_unknown_words_with_a_suggestion() {
        refuses(
            "tcp dport 22 acept",
            "acept",
            "unknown expression or statement `acept`",
        );
        let e = check("tcp dport 22 acept").unwrap();
        assert_eq!(e.help.as_deref(), Some("did you mean `accept`?"));
        refuses("foo bar", "foo", "unknown expression or statement");
        refuses("ip saddr 1.1.1.1 22", "22", "unexpected value `22`");
    }

    #[test]
    fn refuses_missing_or_unknown_fields() {
        refuses("tcp dprot 22", "tcp dprot", "expected a tcp field");
        assert_eq!(
            check("tcp dprot 22").unwrap().help.as_deref(),
            Some("did you mean `tcp dport`?")
        );
        refuses("th checksum 1", "th checksum", "expected a th field");
        refuses("meta foo 1", "meta foo", "expected a meta key");
        refuses("ct foo 1", "ct foo", "expected a conntrack key");
        refuses("udp", "udp", "expected a udp field");
    }

    #[test]
    fn refuses_missing_values_and_arguments() {
        refuses(
            "tcp dport",
            "tcp dport",
            "expected a value after `tcp dport`",
        );
        refuses("tcp dport accept", "tcp dport accept", "found `accept`");
        refuses("tcp dport ==", "==", "expected a value after `==`");
        refuses("jump", "", "expected a chain name after `jump`");
        refuses("limit rate", "", "expected a rate");
        refuses("limit 10/second", "10/second", "expected `rate`");
        refuses("reject with foo", "foo", "after `reject with`");
        refuses("meta mark set", "", "expected a value after `set`");
        refuses("log flags foo", "foo", "expected log flags");
    }

    #[test]
    fn refuses_what_nft_cannot_store_or_encode() {
        refuses("@th,0,0 0", "@th,0,0", "raw payload length 0");
        refuses("@th,160,1272 gt 0", "@th,160,1272", "out of range");
        refuses(
            "udp length . @th,0,512 . @th,512,512 { 1 . 2 . 3 }",
            "@th,512,512",
            "1024 bits",
        );
        refuses("@th,1,128 set 1", "@th,1,128", "cannot store");
        refuses(
            "counter name meta mark >> 88888888888888888888",
            "88888888888888888888",
            "shift amount",
        );
        refuses("tcp dport set 1-3", "1-3", "cannot store the range");
        refuses("ip option ra set 0-1", "0-1", "cannot store the range");
        refuses("tproxy to 192.168.0.0/16", "192.168.0.0/16", "cannot store");
        refuses("tproxy", "", "expected `to` after `tproxy`");
        refuses(
            "snat ip prefix to ip saddr map { 10.0.0.0/24 : 192.168.2.0/24, 10.0.0.1 }",
            "10.0.0.1",
            "has no value",
        );
        refuses(
            "tcp option nop length 1",
            "nop length",
            "has no field `length`",
        );
        refuses(
            "ct original mark 42",
            "ct original mark",
            "a key of one direction",
        );
        refuses(
            "log level emerg group 2",
            "log level emerg group 2",
            "cannot be combined",
        );
        refuses(
            "log level audit prefix \"x\"",
            "log level audit prefix \"x\"",
            "takes no other option",
        );
        refuses("log level loud", "loud", "invalid log level");
        refuses(
            "limit rate 1023/second burst 10 bytes",
            "bytes",
            "burst in packets",
        );
        refuses(
            "limit rate 512 kbytes/second burst 5 packets",
            "packets",
            "burst in bytes",
        );
        refuses("iifname \"\"", "\"\"", "empty interface name");
        refuses(
            "osf ttl nottl name \"Linux\"",
            "ttl nottl",
            "`loose` or `skip`",
        );
        let long = "r".repeat(256);
        refuses(&format!("jump {long}"), &long, "chain name is too long");
        refuses(
            &format!("udp length vmap {{ 1 : goto {long} }}"),
            &long,
            "chain name is too long",
        );
        accepts("tcp dport 1-3 meta mark set 0x10 tcp option maxseg size set 1360");
        accepts("log group 2 prefix \"x\" queue-threshold 2 snaplen 33");
        accepts("limit rate 1 mbytes/second burst 2 mbytes limit rate 10/second burst 5 packets");
        accepts("dnat to 10.0.0.1-10.0.0.9");
        accepts("snat to 10.0.0.0/28");
        accepts("ct original ip saddr 1.2.3.4 ct reply bytes > 10");
        accepts("ip saddr vmap { 10.0.0.1 : accept, 10.0.0.2 : jump c }");
    }

    fn declarations(text: &str) -> Vec<String> {
        let tokens = tokenize(text).tokens;
        let parsed = crate::frontend::nft::parser::parse(text, &tokens);
        check_declarations(text, &tokens, &parsed.items)
            .into_iter()
            .map(|e| format!("{} [{}]", e.message, &text[e.range]))
            .collect()
    }

    #[test]
    fn checks_references_to_sets_and_defines() {
        assert_eq!(
            declarations("table inet x {\n set y { type ipv4_addr; }\n chain c {\n snat ip to ip saddr map @y\n }\n}"),
            ["`@y` is a set, not a map [@y]"]
        );
        let long = "r".repeat(300);
        assert_eq!(
            declarations(&format!(
                "define huge = {long}\ntable t {{\n chain d {{\n jump $huge\n }}\n}}"
            )),
            ["`$huge` names a chain that is too long [$huge]"]
        );
        assert!(declarations("table inet x {\n map y { type ipv4_addr : ipv4_addr; }\n chain c {\n snat ip to ip saddr map @y\n }\n}").is_empty());
    }

    #[test]
    fn checks_concatenations_and_settable_keys() {
        refuses(
            "ip protocol . th dport { tcp / 22, udp . 67 }",
            "tcp / 22",
            "has 1 part(s)",
        );
        refuses(
            "ip protocol . th dport vmap { tcp / 22 : accept, udp . 67 : drop }",
            "tcp / 22",
            "the key concatenates 2",
        );
        refuses("oifname set \"x\"", "oifname", "cannot be set");
        refuses(
            "meta mark set ip protocol . th dport map { tcp / 22 : 1, udp . 67 : 2 }",
            "tcp / 22",
            "has 1 part(s)",
        );
        refuses("meta iifname set \"x\"", "meta iifname", "cannot be set");
        accepts("meta mark set 1 meta priority set 1:2 mark set mark | 1 meta nftrace set 1");
        accepts("ip saddr . tcp dport { 1.1.1.1 . 22, 2.2.2.2 . 80 } accept");
        accepts("ip6 saddr . tcp dport vmap { dead::beef . 22 : accept, $x, @y }");
        assert!(declarations(
            "table t {\n map m {\n type mark : counter\n counter name meta mark\n }\n}"
        )[0]
        .contains("named counter"));
    }

    #[test]
    fn checks_defines_backslashes_and_verdict_maps() {
        assert_eq!(
            declarations("define var1 = lo\ndefine var1 = lo\n"),
            ["`var1` is already defined [var1]"]
        );
        assert!(
            declarations("define a = 1\nredefine a = 2\nundefine a\ndefine a = 3\n").is_empty()
        );
        assert_eq!(
            declarations("define pri = *\n"),
            ["`*` is not a value for `define pri` [*]"]
        );
        assert_eq!(
            declarations("add set t s {type ipv4_addr\\;}\n"),
            ["unexpected `\\` [\\]"]
        );
        assert!(
            declarations("table t {\n chain c {\n tcp dport 22 \\\n accept\n }\n}\n").is_empty()
        );
        assert_eq!(
            declarations("table ip foo {\n map bar {\n type ipv4_addr : verdict\n elements = {\n 192.168.0.1 : ber\n }\n }\n}"),
            ["`ber` is not a verdict [ber]"]
        );
        refuses("tcp dport vmap { 22 : ber }", "ber", "is not a verdict");
        accepts("tcp dport vmap { 22 : accept, 23 : jump c, 24 : goto d, 25 : $v }");
    }

    #[test]
    fn checks_options_sets_as_values_and_narrow_fields() {
        refuses("tcp option foo bar", "foo", "unknown tcp option `foo`");
        refuses("tcp option 256 exists", "256", "out of range");
        refuses("reset tcp option meh", "meh", "unknown tcp option");
        refuses("ip option xx exists", "xx", "unknown ip option");
        refuses(
            "meta mark set {0xffff, 0xcc}",
            "{0xffff, 0xcc}",
            "cannot store a set",
        );
        refuses("ip protocol 256", "256", "out of range for `ip protocol`");
        refuses("vlan id { 1, 2, 4096 }", "4096", "out of range");
        refuses("ip6 flowlabel set 1048576", "1048576", "out of range");
        refuses("queue num 65536", "65536", "out of range");
        accepts("ip protocol 255 vlan id 4095 ip6 flowlabel 0xfffff ct zone 1-65535 queue num 1-3");
        accepts("tcp option 254 exists tcp option @255,8,8 1 reset tcp option sack-perm");
    }

    #[test]
    fn checks_fib_flags_names_and_strings() {
        refuses(
            "fib saddr . daddr oif lo",
            "fib saddr . daddr oif",
            "exclude each other",
        );
        refuses(
            "fib mark oif lo",
            "fib mark oif",
            "needs `saddr` or `daddr`",
        );
        refuses(
            "fib iif . oif . daddr oif lo",
            "fib iif . oif . daddr oif",
            "`iif` and `oif`",
        );
        refuses("ct direction xxx", "xxx", "unknown `ct direction` value");
        refuses(
            "meta pkttype broadcastttt",
            "broadcastttt",
            "unknown `meta pkttype` value",
        );
        refuses(
            "ct state { new, establised }",
            "establised",
            "unknown `ct state` value",
        );
        refuses(
            "ct helper \"12345678901234567\"",
            "\"12345678901234567\"",
            "1 to 16 bytes",
        );
        refuses("ct helper \"\"", "\"\"", "1 to 16 bytes");
        refuses("meta day 7", "7", "out of range");
        accepts(
            "ct state established,related ct direction reply pkttype host meta pkttype set other",
        );
        accepts("ct state $s ct helper \"ftp\" ct helper set \"a-very-long-object-name-here\"");
        accepts("fib saddr . iif oif missing fib daddr oif 0 fib daddr . mark type local");
    }

    #[test]
    fn checks_chain_and_set_declarations() {
        assert_eq!(
            declarations("table t { chain c { type filter hook input priority srcnDDD; } }"),
            ["unknown chain priority `srcnDDD` [srcnDDD]"]
        );
        assert_eq!(
            declarations("table netdev t {\n chain c {\n type filter hook ingress device \"\" priority -1\n }\n}"),
            ["empty device name [\"\"]"]
        );
        assert_eq!(
            declarations("table t {\n set s {\n elements = { 1, 2 }\n }\n}"),
            ["set `s` does not declare its key type [s]"]
        );
        assert_eq!(
            declarations("table t { flowtable f { devices = { \"\" } } }"),
            ["empty device name [\"\"]"]
        );
        assert!(declarations(
            "table t {\n set s { type ipv4_addr; elements = { 1.1.1.1 } }\n set e { }\n chain c { type filter hook input priority filter + 10; policy drop; }\n chain d {\n type nat hook postrouting priority srcnat\n }\n chain e { type filter hook input priority $p; }\n}"
        )
        .is_empty());
    }

    #[test]
    fn refuses_statements_after_a_terminal_verdict() {
        refuses("accept counter", "counter", "statement after `accept`");
        refuses(
            "dnat to 1.2.3.4 counter",
            "counter",
            "statement after `dnat`",
        );
        accepts("accept comment \"ok\"");
        accepts("continue counter");
        refuses("comment \"x\" accept", "accept", "after the rule's comment");
    }
}
