//! The nftables lexer: bytes to tokens with byte spans.
//!
//! nft's own scanner decides many tokens by context (an IPv6 address, a MAC address, a range
//! `22-80`, `10.0.0.1:8080`); this lexer keeps such runs together as one [`TokenKind::Word`] and
//! lets the parser read a word by where it stands.

use super::keyword::Keyword;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A run of characters without whitespace or punctuation: keywords, numbers, names,
    /// addresses, ranges (`22-80`), NAT targets (`10.0.0.1:8080`).
    Word,
    /// `"..."` (the span includes the quotes).
    String,
    /// `$name` (the span includes the `$`).
    Variable,
    /// `@name` (the span includes the `@`).
    SetRef,
    /// `# ...` to the end of the line.
    Comment,
    /// A line break: ends a statement outside braces.
    Newline,
    Semicolon,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// `=`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `!`, `&`, `|`, `^`, `<<`, `>>`.
    Operator,
    /// A string without its closing quote.
    UnterminatedString,
    /// A character nft does not accept here (a control character).
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: u32,
    pub end: u32,
    /// Whether whitespace (or a comment) separates this token from the previous one: `1.2.3.4:80`
    /// is one target, `1.2.3.4 :80` is not.
    pub spaced: bool,
    /// What a word is to the passes after the lexer (empty for other tokens).
    pub class: WordClass,
    /// Which keyword a word is (`None` for other words and tokens).
    pub keyword: Keyword,
}

/// What a word is to lowering and to the rule grammar, decided once per word here: both look at
/// every word of every rule, and comparing each with their keyword lists again was a good part
/// of their time. (The field sits in the token's padding: a token is 12 bytes with or without
/// it.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordClass(u8);

impl WordClass {
    pub const NONE: WordClass = WordClass(0);
    /// Starts a new expression or statement inside a rule: an opaque run ends before it.
    pub const STARTER: WordClass = WordClass(1);
    /// `.`, `map`, `vmap` or `ct`: the rule may hold a concatenation, a map or a conntrack port.
    pub const COMPOUND: WordClass = WordClass(2);
    /// `jump` or `goto`: the next word names a chain.
    pub const JUMP: WordClass = WordClass(4);
    /// Starts a statement in the rule grammar (`counter`, `accept`, `set`, …).
    pub const STATEMENT: WordClass = WordClass(8);
    /// Starts a selector in the rule grammar (`ip`, `meta`, `ct`, `iifname`, …).
    pub const SELECTOR: WordClass = WordClass(16);
    /// A field whose values the rule grammar checks (`protocol`, `ttl`, `state`, …).
    pub const FIELD: WordClass = WordClass(32);

    /// The class of a word token's text.
    pub fn of(word: &str) -> WordClass {
        // Numbers, addresses and ranges, most of a ruleset's words, are no keyword.
        if word.as_bytes().first().is_none_or(u8::is_ascii_digit) {
            return WordClass::NONE;
        }
        keyword_classes().get(word).0
    }

    /// The class of a keyword, by the keyword lists (the table is built from this).
    fn of_keyword(word: &str) -> WordClass {
        let mut class = WordClass::NONE;
        if is_starter(word) {
            class.0 |= WordClass::STARTER.0;
        }
        match word {
            "." | "map" | "vmap" | "ct" => class.0 |= WordClass::COMPOUND.0,
            "jump" | "goto" => class.0 |= WordClass::JUMP.0,
            _ => {}
        }
        if super::grammar::STATEMENT_WORDS.contains(&word) {
            class.0 |= WordClass::STATEMENT.0;
        }
        if super::grammar::selector_words().any(|w| w == word) {
            class.0 |= WordClass::SELECTOR.0;
        }
        if super::grammar::FIELD_WORDS.contains(&word) {
            class.0 |= WordClass::FIELD.0;
        }
        class
    }

    pub fn has(self, other: WordClass) -> bool {
        self.0 & other.0 != 0
    }
}

/// Words that start a new expression or statement inside a rule. An opaque run ends before one.
pub fn is_starter(word: &str) -> bool {
    STARTERS.contains(&word)
}

/// See [`is_starter`].
pub(crate) const STARTERS: &[&str] = &[
    "tcp",
    "udp",
    "sctp",
    "dccp",
    "udplite",
    "th",
    "meta",
    "ip",
    "ip6",
    "ct",
    "iif",
    "oif",
    "iifname",
    "oifname",
    "iiftype",
    "oiftype",
    "mark",
    "ether",
    "vlan",
    "arp",
    "icmp",
    "icmpv6",
    "ah",
    "esp",
    "comp",
    "fib",
    "rt",
    "socket",
    "osf",
    "numgen",
    "counter",
    "log",
    "limit",
    "quota",
    "comment",
    "notrack",
    "accept",
    "drop",
    "reject",
    "return",
    "continue",
    "queue",
    "jump",
    "goto",
    "redirect",
    "dnat",
    "snat",
    "masquerade",
    "tproxy",
    "synproxy",
    "dup",
    "fwd",
    "flow",
    "nftrace",
    "pkttype",
    "l4proto",
    "skuid",
    "skgid",
    "cpu",
    "iifgroup",
    "oifgroup",
    "cgroup",
    "ipsec",
    "exthdr",
    "hbh",
    "rt0",
    "rt2",
    "srh",
    "frag",
    "dst",
    "mh",
    "cluster",
];

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The token's text in `source`; empty if `source` is not the text it was read from (a
    /// token never indexes past a text, whatever reaches here).
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.range()).unwrap_or_default()
    }
}

/// Every word with a class, by a hash of its first bytes: one multiplication and one comparison
/// of eight bytes per word, where a `match` on strings compares a word with each keyword of its
/// length.
struct KeywordTable {
    slots: [Slot; KeywordTable::SIZE],
}

#[derive(Clone, Copy)]
struct Slot {
    /// The word's first eight bytes (zero-padded); 0 for an empty slot.
    head: u64,
    word: &'static str,
    class: WordClass,
    keyword: Keyword,
}

impl KeywordTable {
    const BITS: u32 = 9;
    const SIZE: usize = 1 << KeywordTable::BITS;

    fn build() -> KeywordTable {
        let empty = Slot {
            head: 0,
            word: "",
            class: WordClass::NONE,
            keyword: Keyword::None,
        };
        let mut table = KeywordTable {
            slots: [empty; KeywordTable::SIZE],
        };
        // Every word of the class lists is a keyword (checked by `words_are_classed_once`), so
        // the table holds the keywords and takes their classes from the lists.
        for &(keyword, word) in Keyword::ALL {
            let head = Self::head(word.as_bytes());
            let mut slot = Self::slot(head, word.len());
            while table.slots[slot].head != 0 && table.slots[slot].word != word {
                slot = (slot + 1) % Self::SIZE;
            }
            table.slots[slot] = Slot {
                head,
                word,
                class: WordClass::of_keyword(word),
                keyword,
            };
        }
        table
    }

    /// The first eight bytes, zero-padded (a word is never empty and has no NUL byte).
    fn head(bytes: &[u8]) -> u64 {
        match bytes.first_chunk::<8>() {
            Some(chunk) => u64::from_le_bytes(*chunk),
            None => bytes
                .iter()
                .rev()
                .fold(0u64, |head, &b| (head << 8) | u64::from(b)),
        }
    }

    fn slot(head: u64, len: usize) -> usize {
        let key = head ^ (len as u64).rotate_right(7);
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }

    fn get(&self, word: &str) -> (WordClass, Keyword) {
        self.get_with_head(word.as_bytes(), Self::head(word.as_bytes()))
    }

    /// [`KeywordTable::get`] for the word at `start..end` of `text`. The lexer's case: where
    /// eight bytes follow the word's start, its head is one load and a mask.
    fn get_in(&self, bytes: &[u8], start: usize, end: usize) -> (WordClass, Keyword) {
        let Some(word) = bytes.get(start..end) else {
            return (WordClass::NONE, Keyword::None);
        };
        let head = match bytes.get(start..).and_then(|rest| rest.first_chunk::<8>()) {
            Some(chunk) => {
                let mask = if word.len() >= 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * word.len())) - 1
                };
                u64::from_le_bytes(*chunk) & mask
            }
            None => Self::head(word),
        };
        self.get_with_head(word, head)
    }

    fn get_with_head(&self, word: &[u8], head: u64) -> (WordClass, Keyword) {
        let mut slot = Self::slot(head, word.len());
        // The table is about a quarter full, so a probe ends at an empty slot soon (half full,
        // the probes for words that are no keyword cost the lexer a fifth of its time).
        loop {
            let entry = &self.slots[slot];
            if entry.head == 0 {
                return (WordClass::NONE, Keyword::None);
            }
            if entry.head == head
                && (word.len() <= 8 && entry.word.len() <= 8 || entry.word.as_bytes() == word)
            {
                return (entry.class, entry.keyword);
            }
            slot = (slot + 1) % Self::SIZE;
        }
    }
}

/// The keyword `word` is, if any.
pub(super) fn keyword_of(word: &str) -> Keyword {
    keyword_classes().get(word).1
}

fn keyword_classes() -> &'static KeywordTable {
    static TABLE: std::sync::OnceLock<KeywordTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(KeywordTable::build)
}

/// Characters that are tokens of their own (or start one) and so end a word.
const fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '{' | '}'
            | '('
            | ')'
            | '['
            | ']'
            | ';'
            | ','
            | '"'
            | '#'
            | '$'
            | '@'
            | '='
            | '!'
            | '<'
            | '>'
            | '&'
            | '|'
            | '^'
    )
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || is_punctuation(c) || c.is_control())
}

/// Characters of a `$variable` or `@set` name after the sigil, as nft's scanner reads them
/// (`{letter}|{digit}|[/\-_\.]`): `@sticky-set-svc-1` is one name.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// For each byte, whether a word's run of ASCII word bytes stops at it: an ASCII byte that ends
/// a word, or a non-ASCII byte, where [`word_end`] decodes the character to decide.
const STOPS_WORD_RUN: [bool; 256] = {
    let mut table = [true; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8 as char;
        // ASCII whitespace nft knows (space, \t, \n, \r, \x0c) and \x0b are control or
        // whitespace; `word_end_table_agrees` checks this against `is_word_char`.
        table[b] = c.is_ascii_whitespace() || c.is_ascii_control() || is_punctuation(c);
        b += 1;
    }
    table
};

/// The end of the word starting at `from`: the first character that is not a word character.
fn word_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut pos = from;
    while let Some(&b) = bytes.get(pos) {
        if !STOPS_WORD_RUN[b as usize] {
            pos += 1;
        } else if b.is_ascii() {
            return pos;
        } else {
            match text.get(pos..).and_then(|r| r.chars().next()) {
                Some(c) if is_word_char(c) => pos += c.len_utf8(),
                _ => return pos,
            }
        }
    }
    pos
}

/// The end of a `$variable` or `@set` name starting at `from` (names are ASCII).
fn name_end(bytes: &[u8], from: usize) -> usize {
    let len = bytes[from..]
        .iter()
        .take_while(|&&b| is_name_char(b as char))
        .count();
    from + len
}

/// A file's tokens, and its comments apart from them.
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Token>,
    /// The indices of the [marked](is_marked) tokens, in order.
    pub marked: Vec<u32>,
}

/// Whether later passes look for this token across a whole ruleset: a `$variable`, an `@set`,
/// `jump`/`goto`, a word that may start a concatenation or map (`.`, `map`, `vmap`, `ct`), or
/// `include`. The lexer lists where they are ([`Lexed::marked`]), so that those passes visit
/// the few marked tokens instead of every token of a large file.
pub fn is_marked(token: &Token) -> bool {
    match token.kind {
        TokenKind::Variable | TokenKind::SetRef => true,
        TokenKind::Word => {
            token.class.0 & (WordClass::COMPOUND.0 | WordClass::JUMP.0) != 0
                || token.keyword == Keyword::Include
        }
        _ => false,
    }
}

/// The index of the `}` that closes the `{` at `open`, if it comes before `end`.
pub fn matching_brace(tokens: &[Token], open: usize, end: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().take(end).skip(open) {
        match token.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// Split `text` into tokens. Never fails: problems become `Invalid` / `UnterminatedString`
/// tokens that the parser reports.
pub fn tokenize(text: &str) -> Lexed {
    // Rulesets run at five to six bytes a token: reserve once, so a large file is not copied
    // while it grows.
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut comments = Vec::new();
    let mut marked = Vec::new();
    let keywords = keyword_classes();
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    let mut spaced = true;
    while pos < text.len() {
        // ASCII is nearly all of a ruleset: decode a character only where a byte is not.
        let c = match bytes[pos] {
            b if b.is_ascii() => b as char,
            _ => match text[pos..].chars().next() {
                Some(c) => c,
                None => break,
            },
        };
        let start = pos;
        let kind = match c {
            '\n' => {
                pos += 1;
                TokenKind::Newline
            }
            // A backslash before a line break continues the line, as in nft.
            '\\' if text[pos + 1..].starts_with('\n') || text[pos + 1..].starts_with("\r\n") => {
                pos += if bytes.get(pos + 1) == Some(&b'\r') {
                    3
                } else {
                    2
                };
                spaced = true;
                continue;
            }
            c if c.is_whitespace() || c == '\u{feff}' => {
                pos += c.len_utf8();
                spaced = true;
                continue;
            }
            '#' => {
                pos += text[pos..].find('\n').unwrap_or(text.len() - pos);
                TokenKind::Comment
            }
            '"' => match text[pos + 1..].find(['"', '\n']) {
                Some(i) if bytes[pos + 1 + i] == b'"' => {
                    pos += i + 2;
                    TokenKind::String
                }
                _ => {
                    pos += text[pos..].find('\n').unwrap_or(text.len() - pos);
                    TokenKind::UnterminatedString
                }
            },
            '$' | '@' => {
                pos += 1;
                let name_len = name_end(bytes, pos) - pos;
                pos += name_len;
                match (c, name_len) {
                    (_, 0) => TokenKind::Invalid,
                    ('$', _) => TokenKind::Variable,
                    _ => TokenKind::SetRef,
                }
            }
            '{' | '}' | '(' | ')' | '[' | ']' | ';' | ',' => {
                pos += 1;
                match c {
                    '{' => TokenKind::LBrace,
                    '}' => TokenKind::RBrace,
                    '(' => TokenKind::LParen,
                    ')' => TokenKind::RParen,
                    '[' => TokenKind::LBracket,
                    ']' => TokenKind::RBracket,
                    ';' => TokenKind::Semicolon,
                    _ => TokenKind::Comma,
                }
            }
            '=' | '!' | '<' | '>' | '&' | '|' | '^' => {
                pos += 1;
                let two = matches!(
                    (c, bytes.get(pos)),
                    ('=', Some(b'='))
                        | ('!', Some(b'='))
                        | ('<', Some(b'=' | b'<'))
                        | ('>', Some(b'=' | b'>'))
                );
                if two {
                    pos += 1;
                }
                TokenKind::Operator
            }
            c if c.is_control() => {
                pos += c.len_utf8();
                TokenKind::Invalid
            }
            _ => {
                pos = word_end(text, pos);
                TokenKind::Word
            }
        };
        let (class, keyword) = match kind {
            TokenKind::Word if !bytes[start].is_ascii_digit() => keywords.get_in(bytes, start, pos),
            _ => (WordClass::NONE, Keyword::None),
        };
        let token = Token {
            kind,
            start: start as u32,
            end: pos as u32,
            spaced,
            class,
            keyword,
        };
        // Comments never change what a rule means; they are kept apart for suppressions.
        if kind == TokenKind::Comment {
            comments.push(token);
        } else {
            if is_marked(&token) {
                // (`start` is a u32 too: a text and its token count fit one.)
                marked.push(tokens.len() as u32);
            }
            tokens.push(token);
        }
        spaced = matches!(kind, TokenKind::Newline | TokenKind::Comment);
    }
    Lexed {
        tokens,
        comments,
        marked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let lexed = tokenize(text);
        let mut all: Vec<Token> = lexed.tokens.into_iter().chain(lexed.comments).collect();
        all.sort_by_key(|t| t.start);
        all.iter().map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn words_keep_ranges_addresses_and_targets_together() {
        use TokenKind::*;
        assert_eq!(
            kinds("tcp dport 22-80 dnat to 10.0.0.1:8080"),
            vec![
                (Word, "tcp"),
                (Word, "dport"),
                (Word, "22-80"),
                (Word, "dnat"),
                (Word, "to"),
                (Word, "10.0.0.1:8080")
            ]
        );
    }

    #[test]
    fn punctuation_variables_strings_and_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds("define p = { $a, @s } # c\n\"x y\" != \"open"),
            vec![
                (Word, "define"),
                (Word, "p"),
                (Operator, "="),
                (LBrace, "{"),
                (Variable, "$a"),
                (Comma, ","),
                (SetRef, "@s"),
                (RBrace, "}"),
                (Comment, "# c"),
                (Newline, "\n"),
                (String, "\"x y\""),
                (Operator, "!="),
                (UnterminatedString, "\"open"),
            ]
        );
    }

    #[test]
    fn the_keyword_table_stays_sparse() {
        let used = keyword_classes()
            .slots
            .iter()
            .filter(|slot| slot.head != 0)
            .count();
        assert!(
            used * 3 < KeywordTable::SIZE,
            "{used} of {} slots",
            KeywordTable::SIZE
        );
    }

    #[test]
    fn a_token_stays_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Token>(), 12);
    }

    #[test]
    fn the_lexer_classes_words_as_the_table_does() {
        // Keywords at the end of the text (no eight bytes after them), before punctuation, and
        // longer than eight bytes.
        let text = "masquerade;ct . map{vmap}tcp udplite\ncounter\tredirect accept";
        let lexed = tokenize(text);
        for token in lexed.tokens.iter().filter(|t| t.kind == TokenKind::Word) {
            assert_eq!(
                token.class,
                WordClass::of(token.text(text)),
                "{}",
                token.text(text)
            );
            assert_ne!(token.class, WordClass::NONE, "{}", token.text(text));
            assert_eq!(token.keyword.text(), token.text(text));
        }
    }

    #[test]
    fn words_are_classed_once() {
        let text = "tcp dport 22 ct state . map vmap jump goto x 10.0.0.1 accept";
        let classes: Vec<(&str, WordClass)> = tokenize(text)
            .tokens
            .iter()
            .map(|t| (t.text(text), t.class))
            .collect();
        let class = |word: &str| classes.iter().find(|(w, _)| *w == word).map(|(_, c)| *c);
        assert!(class("tcp").is_some_and(|c| c.has(WordClass::STARTER)));
        assert!(
            class("ct").is_some_and(|c| c.has(WordClass::STARTER) && c.has(WordClass::COMPOUND))
        );
        assert!(class("jump").is_some_and(|c| c.has(WordClass::JUMP)));
        assert!(class(".").is_some_and(|c| c.has(WordClass::COMPOUND)));
        assert_eq!(class("22"), Some(WordClass::NONE));
        assert_eq!(class("x"), Some(WordClass::NONE));
        assert_eq!(class("dport"), Some(WordClass::NONE));
        // The table agrees with the lists for every keyword and for near misses; a word of the
        // lists that were no `Keyword` would have no class.
        let keywords = STARTERS
            .iter()
            .chain(&[".", "map", "vmap", "ct", "jump", "goto"])
            .chain(crate::frontend::nft::grammar::STATEMENT_WORDS)
            .chain(crate::frontend::nft::grammar::FIELD_WORDS)
            .copied()
            .chain(crate::frontend::nft::grammar::selector_words());
        for word in keywords {
            assert_eq!(WordClass::of(word), WordClass::of_keyword(word), "{word}");
            assert_ne!(WordClass::of(word), WordClass::NONE, "{word}");
            assert_eq!(Keyword::of(word).text(), word);
            for near in [
                format!("{word}x"),
                word[1..].to_string(),
                word.to_uppercase(),
            ] {
                assert_eq!(WordClass::of(&near), WordClass::of_keyword(&near), "{near}");
            }
        }
    }

    #[test]
    fn marked_lists_every_marked_token_and_no_other() {
        let text =
            "include \"x\"\nip saddr . tcp dport @s ct state $v jump c map vmap { goto d } 22";
        let lexed = tokenize(text);
        let expected: Vec<u32> = (0..lexed.tokens.len() as u32)
            .filter(|&i| is_marked(&lexed.tokens[i as usize]))
            .collect();
        assert_eq!(lexed.marked, expected);
        let words: Vec<&str> = expected
            .iter()
            .map(|&i| lexed.tokens[i as usize].text(text))
            .collect();
        assert_eq!(
            words,
            ["include", ".", "@s", "ct", "$v", "jump", "map", "vmap", "goto"]
        );
    }

    #[test]
    fn word_end_table_agrees() {
        for b in 0u8..128 {
            assert_eq!(
                STOPS_WORD_RUN[b as usize],
                !is_word_char(b as char),
                "byte {b}"
            );
        }
        // Every non-ASCII byte stops the run, so that `word_end` decodes its character.
        assert!((128..=255).all(|b| STOPS_WORD_RUN[b]));
    }

    #[test]
    fn spacing_is_recorded() {
        let tokens = tokenize("to 1.2.3.4:$p").tokens;
        assert!(tokens[1].spaced);
        assert_eq!(tokens[2].kind, TokenKind::Variable);
        assert!(!tokens[2].spaced);
    }
}
