//! The nftables lexer: bytes to tokens with byte spans.
//!
//! nft's own scanner decides many tokens by context (an IPv6 address, a MAC address, a range
//! `22-80`, `10.0.0.1:8080`); this lexer keeps such runs together as one [`TokenKind::Word`] and
//! lets the parser read a word by where it stands.

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
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.range()]
    }
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

/// For each ASCII byte, whether it ends a word: the lexer's hot loop looks bytes up here and
/// decodes a character only where a byte is not ASCII.
const ENDS_WORD: [bool; 128] = {
    let mut table = [false; 128];
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
        if b.is_ascii() {
            if ENDS_WORD[b as usize] {
                return pos;
            }
            pos += 1;
        } else {
            match text[pos..].chars().next() {
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
        let token = Token {
            kind,
            start: start as u32,
            end: pos as u32,
            spaced,
        };
        // Comments never change what a rule means; they are kept apart for suppressions.
        if kind == TokenKind::Comment {
            comments.push(token);
        } else {
            tokens.push(token);
        }
        spaced = matches!(kind, TokenKind::Newline | TokenKind::Comment);
    }
    Lexed { tokens, comments }
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
    fn word_end_table_agrees() {
        for b in 0u8..128 {
            assert_eq!(ENDS_WORD[b as usize], !is_word_char(b as char), "byte {b}");
        }
    }

    #[test]
    fn spacing_is_recorded() {
        let tokens = tokenize("to 1.2.3.4:$p").tokens;
        assert!(tokens[1].spaced);
        assert_eq!(tokens[2].kind, TokenKind::Variable);
        assert!(!tokens[2].spaced);
    }
}
