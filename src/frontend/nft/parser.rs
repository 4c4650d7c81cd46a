//! The nftables parser: tokens to a syntax tree of statements.
//!
//! The tree keeps the structure nft gives a file (top-level commands, table and chain blocks,
//! chain declarations) and leaves each rule as a token range for `lower.rs`, which reads rules
//! with the defines in scope. Errors are collected, never fatal: after an error the parser skips
//! to the end of the statement and goes on, so every error of a file is reported.

use super::lexer::{Token, TokenKind};
use smallvec::SmallVec;
use std::ops::Range;

/// A syntax error: the byte range and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    /// Another place the error involves, with what it is (the first of a duplicate).
    pub label: Option<(Range<usize>, String)>,
}

/// A name as written (a word or a quoted string) with its byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `add set|map|flowtable [family] table name [{ … }]`: declares a name `@name` refers to.
    AddNamed {
        family: Option<Name>,
        table: Name,
        name: Name,
        /// The tokens between the braces, when there are braces.
        body: Option<Range<usize>>,
    },
    /// `add|create element [family] table set { … }`: more elements for a named set or map.
    AddElement {
        family: Option<Name>,
        table: Name,
        name: Name,
        /// The tokens between the braces.
        body: Range<usize>,
    },
    Define {
        name: Name,
        /// The value's tokens (indexes into the token list).
        value: Range<usize>,
    },
    Undefine {
        name: Name,
    },
    Include {
        path: String,
        range: Range<usize>,
    },
    Table(TableBlock),
    /// `add chain [family] table chain [{ … }]`
    AddChain {
        family: Option<Name>,
        table: Name,
        chain: ChainBlock,
    },
    /// `add rule [family] table chain RULE` (also `insert`).
    AddRule {
        family: Option<Name>,
        table: Name,
        chain: Name,
        rule: Range<usize>,
        /// `insert`, `replace`, or a `position`/`handle`/`index`: the rule is not simply
        /// appended to its chain.
        placed: bool,
    },
    /// `flush`, `delete`, `destroy` or `rename` something: what the file added before may be
    /// gone.
    Removal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableBlock {
    pub family: Option<Name>,
    pub name: Name,
    pub range: Range<usize>,
    pub body: Vec<TableEntry>,
}

/// What a table block holds, in order. (A handful per file: their size does not matter.)
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum TableEntry {
    Chain(ChainBlock),
    /// A named set, map or flowtable.
    Named(NamedBlock),
    /// A `define`, `redefine`, `undefine` or `include` inside the block.
    Definition(Box<Item>),
}

/// `set NAME { … }`, `map NAME { … }` or `flowtable NAME { … }` in a table block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedBlock {
    pub name: Name,
    pub is_set: bool,
    /// The tokens between the braces, when the block is closed.
    pub body: Option<Range<usize>>,
}

/// What a chain block holds besides its declaration, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainEntry {
    /// A rule's tokens.
    Rule(Range<usize>),
    /// A `define`, `redefine`, `undefine` or `include` inside the block.
    Definition(Box<Item>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBlock {
    pub name: Name,
    pub range: Range<usize>,
    pub spec: Option<ChainSpec>,
    pub policy: Option<Name>,
    pub body: Vec<ChainEntry>,
}

/// `type filter hook input priority 0;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSpec {
    pub chain_type: Name,
    pub hook: Option<Name>,
    pub priority: Option<String>,
}

pub struct Parsed {
    pub items: Vec<Item>,
    pub errors: Vec<SyntaxError>,
}

/// How deep `{` may nest before the parser refuses the file (nft's own limit is lower).
const MAX_DEPTH: usize = 64;

/// Words that open a top-level command nft accepts; portlint models `add`/`insert` of tables,
/// chains and rules, and reads past the others.
const SKIPPED_COMMANDS: &[&str] = &[
    "flush", "delete", "destroy", "list", "reset", "rename", "monitor", "describe", "export",
    "import",
];

/// Objects a top-level command adds; nft accepts each without `add` (`chain ip t c`). `table`
/// is read on its own.
pub(crate) const ADDED_OBJECTS: &[&str] = &[
    "chain",
    "rule",
    "set",
    "map",
    "element",
    "flowtable",
    "counter",
    "quota",
    "limit",
    "secmark",
    "synproxy",
    "ct",
];

/// Words that never start a line of set elements but often start a rule or a block.
const LINE_STARTS_OUTSIDE_SETS: &[&str] = &[
    "chain",
    "table",
    "type",
    "policy",
    "tcp",
    "udp",
    "sctp",
    "dccp",
    "th",
    "meta",
    "ip",
    "ip6",
    "ct",
    "iif",
    "oif",
    "iifname",
    "oifname",
    "counter",
    "log",
    "accept",
    "drop",
    "reject",
    "jump",
    "goto",
    "return",
    "redirect",
    "dnat",
    "snat",
    "masquerade",
];

pub fn parse(text: &str, tokens: &[Token]) -> Parsed {
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        errors: Vec::new(),
        braces_balanced: braces_balanced(tokens),
    };
    let items = parser.file();
    Parsed {
        items,
        errors: parser.errors,
    }
}

/// Whether every `{` of the file has its `}` and no `}` comes first: then braces are matched by
/// tokens alone, as nft matches them, and no recovery guess is needed.
fn braces_balanced(tokens: &[Token]) -> bool {
    let mut depth = 0usize;
    for token in tokens {
        match token.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Token],
    pos: usize,
    errors: Vec<SyntaxError>,
    /// See [`braces_balanced`]: when false, a rule's set left open is closed by guess.
    braces_balanced: bool,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    fn peek_word(&self) -> Option<&'a str> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Word => Some(t.text(self.text)),
            _ => None,
        }
    }

    /// The byte range of the current token, or an empty range at the end of the file.
    fn here(&self) -> Range<usize> {
        match self.peek() {
            Some(t) => t.range(),
            None => self.text.len()..self.text.len(),
        }
    }

    fn error(&mut self, range: Range<usize>, message: impl Into<String>, help: Option<&str>) {
        self.errors.push(SyntaxError {
            range,
            message: message.into(),
            help: help.map(str::to_string),
            label: None,
        });
    }

    fn at_statement_end(&self) -> bool {
        matches!(
            self.peek_kind(),
            None | Some(TokenKind::Newline | TokenKind::Semicolon | TokenKind::RBrace)
        )
    }

    fn skip_separators(&mut self) {
        while matches!(
            self.peek_kind(),
            Some(TokenKind::Newline | TokenKind::Semicolon)
        ) {
            self.pos += 1;
        }
    }

    /// Consume to the end of the statement: a newline or `;` outside braces, or the `}` that
    /// closes the enclosing block (not consumed). Reports a `{` that is never closed.
    fn skip_statement(&mut self) -> Range<usize> {
        self.skip_statement_as(false)
    }

    /// A rule: like [`Self::skip_statement`], but a set left open is noticed at the next line
    /// that starts like a rule or a block, so one missing `}` does not swallow the chain.
    fn skip_rule(&mut self) -> Range<usize> {
        self.skip_statement_as(true)
    }

    fn skip_statement_as(&mut self, rule: bool) -> Range<usize> {
        let start = self.pos;
        // Every rule with a set opens a bracket: keep the few open ones off the heap.
        let mut open: SmallVec<[usize; 4]> = SmallVec::new();
        loop {
            // Most of a rule is words, values and commas, which change nothing here: pass them
            // in a tight loop, and look closer only at brackets, line ends and bad tokens.
            while self.peek().is_some_and(|t| {
                matches!(
                    t.kind,
                    TokenKind::Word
                        | TokenKind::String
                        | TokenKind::Variable
                        | TokenKind::SetRef
                        | TokenKind::Comma
                        | TokenKind::Operator
                )
            }) {
                self.pos += 1;
            }
            let Some(token) = self.peek() else {
                break;
            };
            if rule && token.kind == TokenKind::Newline && self.set_left_open(&open) {
                break;
            }
            match token.kind {
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => {
                    if open.len() >= MAX_DEPTH {
                        self.error(
                            token.range(),
                            "nesting is too deep",
                            Some("portlint reads 64 levels of brackets; this file nests deeper than any ruleset needs"),
                        );
                        self.pos = self.tokens.len();
                        return start..self.pos;
                    }
                    open.push(self.pos);
                }
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    if open.is_empty() {
                        if token.kind == TokenKind::RBrace {
                            break;
                        }
                        self.error(
                            token.range(),
                            "unmatched closing bracket",
                            Some("remove it, or add the opening bracket it closes"),
                        );
                    } else {
                        open.pop();
                    }
                }
                TokenKind::Newline | TokenKind::Semicolon if open.is_empty() => break,
                TokenKind::UnterminatedString => {
                    self.error(
                        token.range(),
                        "unterminated string",
                        Some("close the string with `\"` on the same line"),
                    );
                }
                TokenKind::Invalid => {
                    let what = token.text(self.text);
                    let message = match what {
                        "$" => "`$` must be followed by a variable name".to_string(),
                        "@" => "`@` must be followed by a set name".to_string(),
                        _ => format!("unexpected character {what:?}"),
                    };
                    self.error(
                        token.range(),
                        message,
                        Some("remove the character; nft accepts no control characters outside strings"),
                    );
                }
                _ => {}
            }
            self.pos += 1;
        }
        for index in open {
            let token = self.tokens[index];
            let closing = match token.kind {
                TokenKind::LBrace => "}",
                TokenKind::LParen => ")",
                _ => "]",
            };
            self.error(
                token.range(),
                format!("this `{}` is never closed", token.text(self.text)),
                Some(&format!("add the matching `{closing}`")),
            );
        }
        start..self.pos
    }

    /// At a line break inside a rule's open `{`: whether the next line starts like a new rule
    /// or block rather than more set elements. Anonymous chains (`jump { … }`) hold rules.
    ///
    /// Only a file whose braces do not balance is guessed at: in any other file each `{` is
    /// closed by its matching `}`, wherever lines break and however they are indented.
    fn set_left_open(&self, open: &[usize]) -> bool {
        let Some(&innermost) = open.last() else {
            return false;
        };
        if self.braces_balanced {
            return false;
        }
        let binds_chain = innermost > 0
            && matches!(self.tokens[innermost - 1].kind, TokenKind::Word)
            && matches!(self.tokens[innermost - 1].text(self.text), "jump" | "goto");
        if binds_chain || self.tokens[innermost].kind != TokenKind::LBrace {
            return false;
        }
        let Some(next) = self
            .tokens
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .find(|t| t.kind != TokenKind::Newline)
        else {
            return false;
        };
        match next.kind {
            TokenKind::Word => LINE_STARTS_OUTSIDE_SETS.contains(&next.text(self.text)),
            // A set whose `{` ends its line is written one element a line, and a `}` at a line
            // start closes it; a set with elements after its `{` that runs past the line end
            // lost its `}`, and the `}` closes an outer block.
            TokenKind::RBrace => !self.ends_line(innermost),
            _ => false,
        }
    }

    /// Whether the token at `index` is the last of its line (a comment does not count).
    fn ends_line(&self, index: usize) -> bool {
        self.tokens
            .get(index + 1)
            .is_none_or(|t| t.kind == TokenKind::Newline)
    }

    /// Report what follows a statement that should have ended, and skip it.
    fn expect_statement_end(&mut self, after: &str) {
        if !self.at_statement_end() {
            let range = self.here();
            self.error(
                range,
                format!("unexpected `{}` after {after}", self.token_text()),
                Some("end the statement with a newline or `;`"),
            );
            self.skip_statement();
        }
    }

    fn token_text(&self) -> &'a str {
        self.peek().map_or("end of file", |t| t.text(self.text))
    }

    fn name(&mut self, what: &str) -> Option<Name> {
        let token = self.peek();
        match token {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::String) => {
                self.pos += 1;
                let raw = t.text(self.text);
                Some(Name {
                    text: raw.trim_matches('"').to_string(),
                    range: t.range(),
                })
            }
            _ => {
                let range = self.here();
                let found = self.token_text().replace('\n', "a line break");
                let help = format!("write {what} here");
                self.error(
                    range,
                    format!("expected {what}, found `{found}`"),
                    Some(&help),
                );
                None
            }
        }
    }

    /// `[family] name`: the family is there when two names follow.
    fn family_and_name(&mut self, what: &str) -> Option<(Option<Name>, Name)> {
        let has_family = self
            .peek_word()
            .is_some_and(|w| crate::model::Family::parse(w).is_some())
            && matches!(
                self.tokens.get(self.pos + 1).map(|t| t.kind),
                Some(TokenKind::Word | TokenKind::String)
            );
        let family = if has_family {
            self.name("a family")
        } else {
            None
        };
        let name = self.name(what)?;
        Some((family, name))
    }

    fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            let Some(token) = self.peek() else { break };
            if token.kind == TokenKind::RBrace {
                self.error(
                    token.range(),
                    "unmatched `}`",
                    Some("remove it, or open the block it closes"),
                );
                self.pos += 1;
                continue;
            }
            if let Some(item) = self.top_level_statement() {
                items.push(item);
            }
        }
        items
    }

    fn top_level_statement(&mut self) -> Option<Item> {
        let Some(word) = self.peek_word() else {
            let range = self.here();
            self.error(
                range,
                format!("unexpected `{}` at the top level", self.token_text()),
                Some("a ruleset file holds `table` blocks, `define`, `include` and commands such as `add rule` or `chain`"),
            );
            self.skip_statement();
            return None;
        };
        let start = self.pos;
        self.pos += 1;
        match word {
            "table" => self.table(start).map(Item::Table),
            "define" | "redefine" | "undefine" => self.definition(word),
            "include" => self.include(start),
            // `replace rule … handle N RULE` puts a rule in place of another: read like `add`.
            "add" | "create" => self.add_command(start, false),
            "insert" | "replace" => self.add_command(start, true),
            // nft reads `chain ip t c { … }` as `add chain ip t c { … }`, and so on: `add` is
            // optional before what it adds.
            w if ADDED_OBJECTS.contains(&w) => {
                self.pos = start;
                self.add_command(start, false)
            }
            w if SKIPPED_COMMANDS.contains(&w) => {
                self.skip_statement();
                matches!(w, "flush" | "delete" | "destroy" | "rename").then_some(Item::Removal)
            }
            _ => {
                let range = self.tokens[start].range();
                self.error(
                    range,
                    format!("unknown statement `{word}`"),
                    Some("expected `table`, `define`, `include`, or a command such as `add rule` or `flush ruleset`"),
                );
                self.skip_statement();
                None
            }
        }
    }

    /// After `define`, `redefine` or `undefine`.
    fn definition(&mut self, keyword: &str) -> Option<Item> {
        if keyword == "include" {
            return self.include(self.pos - 1);
        }
        if keyword == "undefine" {
            let name = self.name("a variable name");
            self.expect_statement_end("the variable name");
            return name.map(|name| Item::Undefine { name });
        }
        self.define()
    }

    /// The index of the `}` closing the `{` at `open`, if the file closes it.
    fn matching_close(&self, open: usize) -> Option<usize> {
        super::lexer::matching_brace(self.tokens, open, self.tokens.len())
    }

    /// Whether the current word is `define`, `redefine`, `undefine` or `include`: statements
    /// nft allows in any block.
    fn peek_definition(&self) -> Option<&'a str> {
        self.peek_word()
            .filter(|w| matches!(*w, "define" | "redefine" | "undefine" | "include"))
    }

    fn define(&mut self) -> Option<Item> {
        let name = self.name("a variable name after `define`")?;
        match self.peek() {
            Some(t) if t.kind == TokenKind::Operator && t.text(self.text) == "=" => self.pos += 1,
            _ => {
                let range = self.here();
                self.error(
                    range,
                    format!("expected `=` after `define {}`", name.text),
                    Some("write `define NAME = VALUE`"),
                );
                self.skip_statement();
                return None;
            }
        }
        let value = self.skip_statement();
        if value.is_empty() {
            let range = self.here();
            self.error(
                range,
                format!("`define {}` has no value", name.text),
                Some("write `define NAME = VALUE`, e.g. `define web_ports = { 80, 443 }`"),
            );
            return None;
        }
        Some(Item::Define { name, value })
    }

    fn include(&mut self, start: usize) -> Option<Item> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::String => {
                self.pos += 1;
                let path = t.text(self.text).trim_matches('"').to_string();
                let range = self.tokens[start].start as usize..t.end as usize;
                self.expect_statement_end("the include path");
                Some(Item::Include { path, range })
            }
            _ => {
                let range = self.here();
                self.error(
                    range,
                    "expected a quoted path after `include`",
                    Some("write `include \"file.nft\"`"),
                );
                self.skip_statement();
                None
            }
        }
    }

    fn add_command(&mut self, start: usize, mut placed: bool) -> Option<Item> {
        match self.peek_word() {
            Some("table") => {
                self.pos += 1;
                self.table(start).map(Item::Table)
            }
            Some("chain") => {
                self.pos += 1;
                let (family, table) = self.family_and_name("a table name")?;
                let chain = self.chain_header_and_body(start)?;
                Some(Item::AddChain {
                    family,
                    table,
                    chain,
                })
            }
            Some("rule") => {
                self.pos += 1;
                let (family, table) = self.family_and_name("a table name")?;
                let chain = self.name("a chain name")?;
                // `position N`, `handle N`, `index N` place the rule; they are not part of it.
                while matches!(self.peek_word(), Some("position" | "handle" | "index")) {
                    self.pos += 2;
                    placed = true;
                }
                let rule = self.skip_rule();
                if rule.is_empty() {
                    let range = self.here();
                    self.error(
                        range,
                        "`add rule` without a rule",
                        Some("write `add rule FAMILY TABLE CHAIN RULE`, e.g. `add rule inet filter input tcp dport 22 accept`"),
                    );
                    return None;
                }
                Some(Item::AddRule {
                    family,
                    table,
                    chain,
                    rule,
                    placed,
                })
            }
            Some(kind @ ("set" | "map" | "flowtable" | "element")) => {
                self.pos += 1;
                let (family, table) = self.family_and_name("a table name")?;
                let name = self.name("a name")?;
                let open = self.pos;
                self.skip_statement();
                let body = (self.tokens.get(open).map(|t| t.kind) == Some(TokenKind::LBrace))
                    .then(|| self.matching_close(open).map(|close| open + 1..close))
                    .flatten();
                if kind == "element" {
                    // `add element` needs its `{ … }`; without one the parser has reported it
                    // or nft would.
                    return body.map(|body| Item::AddElement {
                        family,
                        table,
                        name,
                        body,
                    });
                }
                Some(Item::AddNamed {
                    family,
                    table,
                    name,
                    body,
                })
            }
            _ => {
                // add element / counter / quota …: read past them.
                self.skip_statement();
                None
            }
        }
    }

    /// After `table`: `[family] name [{ … }]`.
    fn table(&mut self, start: usize) -> Option<TableBlock> {
        let (family, name) = self.family_and_name("a table name")?;
        let mut block = TableBlock {
            family,
            name,
            range: self.tokens[start].range(),
            body: Vec::new(),
        };
        if self.peek_kind() == Some(TokenKind::LBrace) {
            let open = self.pos;
            self.pos += 1;
            self.table_body(&mut block);
            block.range =
                self.tokens[start].start as usize..self.close_block(open, &block.name.text);
        } else {
            self.expect_statement_end("the table name");
        }
        Some(block)
    }

    /// Expect the `}` that closes the block opened at token `open`; returns the block's end.
    fn close_block(&mut self, open: usize, name: &str) -> usize {
        match self.peek() {
            Some(t) if t.kind == TokenKind::RBrace => {
                self.pos += 1;
                t.end as usize
            }
            _ => {
                let range = self.tokens[open].range();
                self.error(
                    range,
                    format!("the block of `{name}` is never closed"),
                    Some("add the matching `}`"),
                );
                self.text.len()
            }
        }
    }

    fn table_body(&mut self, block: &mut TableBlock) {
        let mut first_comment = None;
        loop {
            self.skip_separators();
            match self.peek_kind() {
                None | Some(TokenKind::RBrace) => return,
                _ => {}
            }
            let start = self.pos;
            match self.peek_word() {
                Some("chain") => {
                    self.pos += 1;
                    if let Some(chain) = self.chain_header_and_body(start) {
                        block.body.push(TableEntry::Chain(chain));
                    }
                }
                Some(word) if self.peek_definition().is_some() => {
                    self.pos += 1;
                    if let Some(item) = self.definition(word) {
                        block.body.push(TableEntry::Definition(Box::new(item)));
                    }
                }
                // Named sets, maps and flowtables: their names are what `@name` refers to; a
                // set's declaration is kept for the ports it may hold.
                Some(kind @ ("set" | "map" | "flowtable")) => {
                    self.pos += 1;
                    if let Some(name) = self.name("a name") {
                        let open = self.pos;
                        self.skip_statement();
                        let opens_block =
                            self.tokens.get(open).map(|t| t.kind) == Some(TokenKind::LBrace);
                        let body = opens_block
                            .then(|| self.matching_close(open).map(|close| open + 1..close))
                            .flatten();
                        if let Some(body) = &body {
                            self.once_only_comment_in(body.clone());
                        }
                        block.body.push(TableEntry::Named(NamedBlock {
                            name,
                            is_set: kind == "set",
                            body,
                        }));
                    } else {
                        self.skip_statement();
                    }
                }
                Some("comment") => {
                    self.once_only(&mut first_comment, "comment");
                    self.skip_statement();
                }
                // counter, quota, ct helper, flags …: read past, braces balanced.
                _ => {
                    let start = self.pos;
                    self.skip_statement();
                    // A named object's block (`counter c { comment "a" … }`) has one comment.
                    let open = (start..self.pos)
                        .find(|&i| self.tokens.get(i).map(|t| t.kind) == Some(TokenKind::LBrace));
                    if let Some((open, close)) =
                        open.and_then(|open| Some((open, self.matching_close(open)?)))
                    {
                        self.once_only_comment_in(open + 1..close);
                    }
                }
            }
        }
    }

    /// After `chain`: `name [{ … }]`.
    fn chain_header_and_body(&mut self, start: usize) -> Option<ChainBlock> {
        let name = self.name("a chain name")?;
        let mut chain = ChainBlock {
            name,
            range: self.tokens[start].range(),
            spec: None,
            policy: None,
            body: Vec::new(),
        };
        if self.peek_kind() == Some(TokenKind::LBrace) {
            let open = self.pos;
            self.pos += 1;
            self.chain_body(&mut chain);
            chain.range =
                self.tokens[start].start as usize..self.close_block(open, &chain.name.text);
        } else {
            self.expect_statement_end("the chain name");
        }
        Some(chain)
    }

    /// Report a chain or table property given a second time (nft: "You can only specify this
    /// once"), at the second with a label at the first; otherwise remember it.
    fn once_only(&mut self, first: &mut Option<Range<usize>>, what: &str) {
        let here = self.here();
        self.once_only_at(first, what, here);
    }

    /// A second `comment` statement among the tokens `body` of a set, map or object block
    /// (nft: "You can only specify this once"). Comments of elements, inside the block's
    /// inner braces, are each their own.
    fn once_only_comment_in(&mut self, body: Range<usize>) {
        let mut first = None;
        let mut depth = 0usize;
        let mut statement_start = true;
        for index in body {
            let Some(token) = self.tokens.get(index) else {
                break;
            };
            match token.kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth = depth.saturating_sub(1),
                TokenKind::Newline | TokenKind::Semicolon if depth == 0 => {
                    statement_start = true;
                    continue;
                }
                TokenKind::Comment => continue,
                TokenKind::Word
                    if depth == 0 && statement_start && token.text(self.text) == "comment" =>
                {
                    self.once_only_at(&mut first, "comment", token.range());
                }
                _ => {}
            }
            statement_start = false;
        }
    }

    fn once_only_at(&mut self, first: &mut Option<Range<usize>>, what: &str, here: Range<usize>) {
        let Some(earlier) = first.clone() else {
            *first = Some(here);
            return;
        };
        self.errors.push(SyntaxError {
            range: here,
            message: format!("a second `{what}`: nft allows one per block"),
            help: Some(format!(
                "keep one `{what}` and remove the other; nft refuses the file otherwise"
            )),
            label: Some((earlier, format!("the first `{what}` is here"))),
        });
    }

    fn chain_body(&mut self, chain: &mut ChainBlock) {
        let mut first_comment = None;
        let mut first_policy = None;
        loop {
            self.skip_separators();
            match self.peek_kind() {
                None | Some(TokenKind::RBrace) => return,
                _ => {}
            }
            match self.peek_word() {
                Some("type") => {
                    self.pos += 1;
                    chain.spec = self.chain_spec();
                }
                Some("policy") => {
                    self.once_only(&mut first_policy, "policy");
                    self.pos += 1;
                    let token = self.peek();
                    match token {
                        Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::Variable) => {
                            self.pos += 1;
                            chain.policy = Some(Name {
                                text: t.text(self.text).to_string(),
                                range: t.range(),
                            });
                            self.expect_statement_end("the policy");
                        }
                        _ => {
                            let range = self.here();
                            self.error(
                                range,
                                "expected `accept` or `drop` after `policy`",
                                Some("write `policy drop;` or `policy accept;`"),
                            );
                            self.skip_statement();
                        }
                    }
                }
                Some("comment") => {
                    self.once_only(&mut first_comment, "comment");
                    self.skip_statement();
                }
                Some("devices" | "device" | "flags") => {
                    self.skip_statement();
                }
                Some(word) if self.peek_definition().is_some() => {
                    self.pos += 1;
                    if let Some(item) = self.definition(word) {
                        chain.body.push(ChainEntry::Definition(Box::new(item)));
                    }
                }
                _ => {
                    let rule = self.skip_rule();
                    if !rule.is_empty() {
                        chain.body.push(ChainEntry::Rule(rule));
                    }
                }
            }
        }
    }

    /// After `type`: `T hook H [device D] priority P` up to the end of the statement.
    fn chain_spec(&mut self) -> Option<ChainSpec> {
        let chain_type = self.name("a chain type (filter, nat or route)")?;
        let mut spec = ChainSpec {
            chain_type,
            hook: None,
            priority: None,
        };
        while !self.at_statement_end() {
            match self.peek_word() {
                Some("hook") => {
                    self.pos += 1;
                    spec.hook = self.name("a hook name");
                }
                Some("priority") => {
                    self.pos += 1;
                    let expr = self.skip_statement();
                    let text: Vec<&str> = self.tokens[expr]
                        .iter()
                        .map(|t| t.text(self.text))
                        .collect();
                    if text.is_empty() {
                        let range = self.here();
                        self.error(
                            range,
                            "expected a priority after `priority`",
                            Some("write a number or a name such as `filter`, `dstnat` or `srcnat`"),
                        );
                    }
                    spec.priority = Some(text.join(" "));
                }
                Some("device" | "devices") => {
                    self.pos += 1;
                    if self.peek().is_some_and(|t| t.kind == TokenKind::Operator) {
                        self.pos += 1;
                    }
                    if self.peek_kind() == Some(TokenKind::LBrace) {
                        // Skip the braced device list only.
                        let mut depth = 0;
                        while let Some(t) = self.peek() {
                            self.pos += 1;
                            match t.kind {
                                TokenKind::LBrace => depth += 1,
                                TokenKind::RBrace => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                    } else {
                        self.pos += 1;
                    }
                }
                _ => {
                    let range = self.here();
                    self.error(
                        range,
                        format!(
                            "unexpected `{}` in the chain declaration",
                            self.token_text()
                        ),
                        Some("write `type filter hook input priority filter;`"),
                    );
                    self.skip_statement();
                }
            }
        }
        if spec.hook.is_none() {
            let range = spec.chain_type.range.clone();
            self.error(
                range,
                "a base chain declaration needs a `hook`",
                Some("write `type filter hook input priority filter;`"),
            );
        }
        Some(spec)
    }
}
