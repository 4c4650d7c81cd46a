//! One iptables command — `-A INPUT -p tcp --dport 22 -j ACCEPT` — read the way iptables'
//! getopt loop reads it, and its rule lowered into the model.
//!
//! Options are taken from left to right. A long option is looked up among iptables' own, then
//! the loaded match modules and target, then the module `-p PROTO` loads implicitly, and last
//! as the unique abbreviation getopt accepts. Port options are lowered once the whole line is
//! read: `-m tcp --dport 22 -p tcp` is valid, and a service name resolves for the protocol.

use super::options::{self, Generic, Meaning, Module};
use super::words::Word;
use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::ports::Atoms;
use crate::model::{
    AddressRange, AddressSet, CtStates, Direction, InterfaceName, Match, Nat, NatKind,
    PortDirection, PortElement, PortOp, PortOrigin, PortSet, ProtoSet, Rule, Verdict, L4,
};
use crate::source::{FileId, Span};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::ops::Range;
use thin_vec::ThinVec;

/// What a command does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<'t> {
    Append,
    /// `-I CHAIN [N]`: at position N (1-based), or first.
    Insert(Option<usize>),
    /// `-R CHAIN N`.
    Replace(usize),
    /// `-D CHAIN N` or `-D CHAIN RULE`.
    Delete(Option<usize>),
    Check,
    NewChain,
    DeleteChain,
    Flush,
    Zero,
    Policy {
        target: Cow<'t, str>,
        span: Range<usize>,
    },
    Rename {
        to: Cow<'t, str>,
        span: Range<usize>,
    },
    List,
    Help,
}

/// A `-j`/`-g` target.
#[derive(Clone, Debug)]
pub struct Target<'t> {
    pub name: Cow<'t, str>,
    /// `-j NAME`, as written.
    pub span: Range<usize>,
    /// NAME alone.
    pub name_span: Range<usize>,
    pub goto: bool,
}

/// A command, read.
#[derive(Debug)]
pub struct Command<'t> {
    pub action: Action<'t>,
    pub action_span: Range<usize>,
    pub chain: Option<(Cow<'t, str>, Range<usize>)>,
    /// `-t TABLE` (scripts only; a restore file names the table in its `*table` line).
    pub table: Option<(Cow<'t, str>, Range<usize>)>,
    /// The rule, for commands that carry one (`-A`, `-I`, `-R`, `-C`, `-D` with a rule).
    pub rule: Option<Rule>,
    pub target: Option<Target<'t>>,
    /// `-4` or `-6`: iptables-restore skips the line in the other family's file.
    pub only: Option<crate::model::Family>,
    /// An address written with a colon: an IPv6 rule.
    pub ipv6_address: bool,
}

/// What reading a command needs.
pub struct Env<'e, 'r> {
    pub file: FileId,
    /// Read from an iptables-restore file (where `-t` is refused).
    pub restore: bool,
    /// The tool name messages use (`iptables`, `ip6tables`).
    pub tool: &'static str,
    /// The family the file or the program says the rules are for (`None`: not known; an
    /// address then decides).
    pub family: Option<crate::model::Family>,
    pub atoms: &'e mut Atoms<'r>,
    /// What is read but not analysed (PL006), once per kind and file.
    pub unanalysed: &'e mut crate::frontend::unanalysed::Unanalysed,
}

/// A port option, lowered once the protocol is known.
struct PendingPort {
    meaning: Meaning,
    module: &'static Module,
    negated: bool,
    option: Range<usize>,
    value: usize,
    /// The inline `=value`, when the option was written `--dport=22`.
    inline: Option<Box<Word<'static>>>,
}

/// An address value (`-s`, `-d`, `--src-range`), checked once the line's family is known
/// (`-6` may come after it).
struct PendingAddress {
    /// The index of its word, or the inline value (`-s10.0.0.1`, `--src-range=…`).
    value: Result<usize, Box<Word<'static>>>,
    /// `! -s …`: with several addresses, iptables refuses it.
    negated: bool,
    option: Range<usize>,
    /// An `-m iprange` range rather than an address list.
    range: bool,
    /// `-s`/`-d`: the index of its opaque match in the rule, typed once the value is read.
    placeholder: Option<(usize, Direction)>,
}

/// A NAT target option, lowered once the protocol is known.
struct PendingNat {
    meaning: Meaning,
    option: Range<usize>,
    value: usize,
}

/// A loaded match module: one portlint knows, or one it reads as opaque.
#[derive(Clone, Copy)]
enum Loaded {
    Known(&'static Module),
    Unknown,
}

struct Protocol<'t> {
    name: Cow<'t, str>,
    span: Range<usize>,
    negated: bool,
    opaque: bool,
}

/// PL001 with its help.
pub(super) fn syntax_error(
    file: FileId,
    span: Range<usize>,
    message: impl Into<String>,
    help: impl Into<std::borrow::Cow<'static, str>>,
) -> Diagnostic {
    Diagnostic::new(
        &check::syntax_error::RULE,
        Span::new(file, span),
        message.into(),
    )
    .with_help(help)
}

/// Reads `words` (the command's arguments, without the program name) into a command; reports
/// what iptables would refuse into `out`. `None` when no command could be read.
pub fn read<'t>(
    words: &[Word<'t>],
    env: &mut Env<'_, '_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Command<'t>> {
    let mut reader = Reader {
        words,
        env,
        out,
        pos: 0,
        action: None,
        chain: None,
        table: None,
        protocol: None,
        loaded: SmallVec::new(),
        target: None,
        target_module: None,
        target_unknown: false,
        ports: SmallVec::new(),
        nats: SmallVec::new(),
        addresses: SmallVec::new(),
        family_modules: SmallVec::new(),
        matches: SmallVec::new(),
        rule_number: None,
        second: None,
        only: None,
        ipv6_address: false,
        failed: false,
        shell_options: false,
        second_opaque: false,
    };
    reader.run();
    reader.finish()
}

struct Reader<'w, 't, 'e, 'r, 'o> {
    words: &'w [Word<'t>],
    env: &'w mut Env<'e, 'r>,
    out: &'o mut Vec<Diagnostic>,
    pos: usize,
    action: Option<(Generic, Range<usize>)>,
    chain: Option<(Cow<'t, str>, Range<usize>)>,
    table: Option<(Cow<'t, str>, Range<usize>)>,
    protocol: Option<Protocol<'t>>,
    loaded: SmallVec<[Loaded; 4]>,
    target: Option<Target<'t>>,
    target_module: Option<&'static Module>,
    target_unknown: bool,
    ports: SmallVec<[PendingPort; 2]>,
    nats: SmallVec<[PendingNat; 1]>,
    addresses: SmallVec<[PendingAddress; 2]>,
    /// `-m NAME` of one family only, checked once the line's family is known.
    family_modules: SmallVec<[(&'static str, options::ModuleFamily, Range<usize>); 1]>,
    matches: SmallVec<[Match; crate::model::INLINE_MATCHES]>,
    /// `-I CHAIN 3`, `-D CHAIN 3`, `-R CHAIN 3`.
    rule_number: Option<usize>,
    /// `-P CHAIN POLICY`, `-E OLD NEW`: the second word.
    second: Option<(Cow<'t, str>, Range<usize>)>,
    only: Option<crate::model::Family>,
    ipv6_address: bool,
    failed: bool,
    /// A `$VARIABLE` the script does not set stood where options belong: the words after it
    /// that no known option takes are its, unknown.
    shell_options: bool,
    /// `-P CHAIN $POLICY`.
    second_opaque: bool,
}

/// An option as written: where it starts (its `!` included), its name, and an inline value.
struct Written<'a> {
    start: usize,
    span: Range<usize>,
    negated: bool,
    inline: Option<(&'a str, Range<usize>)>,
}

impl<'w, 't, 'e, 'r, 'o> Reader<'w, 't, 'e, 'r, 'o> {
    fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        self.failed = true;
        self.out
            .push(syntax_error(self.env.file, span, message, help));
    }

    fn word(&self, index: usize) -> Option<&'w Word<'t>> {
        self.words.get(index)
    }

    fn run(&mut self) {
        let mut negation: Option<Range<usize>> = None;
        while let Some(word) = self.word(self.pos) {
            let text: &str = &word.text;
            if text == "!" && !word.opaque {
                if let Some(earlier) = negation.take() {
                    self.error(
                        earlier.start..word.span.end,
                        "`!` twice",
                        "write one `!` before the option it negates",
                    );
                }
                negation = Some(word.span.clone());
                self.pos += 1;
                continue;
            }
            let start = negation.as_ref().map_or(word.span.start, |n| n.start);
            let negated = negation.take().is_some();
            self.pos += 1;
            if let Some(long) = text.strip_prefix("--").filter(|l| !l.is_empty()) {
                // (A byte search: a `memchr` call costs more than these few bytes.)
                let equals = long.bytes().position(|b| b == b'=');
                let (name, inline) = match equals.map(|at| (&long[..at], &long[at + 1..])) {
                    Some((name, value)) => {
                        let value_start = 2 + name.len() + 1;
                        (name, Some((value, word.sub_span(value_start..text.len()))))
                    }
                    None => (long, None),
                };
                let written = Written {
                    start,
                    span: word.span.clone(),
                    negated,
                    inline,
                };
                self.long_option(name, written);
            } else if text.len() >= 2
                && text.starts_with('-')
                && (!text[1..].starts_with(|c: char| c.is_ascii_digit())
                    || matches!(text, "-4" | "-6"))
            {
                self.short_options(word, start, negated);
            } else {
                if negated {
                    self.error(
                        start..word.span.end,
                        format!("`!` before `{text}`, which is not an option"),
                        "put `!` right before the option it negates, e.g. `! -s 10.0.0.0/8`",
                    );
                }
                self.positional(word);
            }
        }
        if let Some(n) = negation {
            self.error(
                n,
                "`!` at the end of the command negates nothing",
                "put `!` right before the option it negates, or remove it",
            );
        }
    }

    /// `-A`, `-ptcp`, `-nvL`: one or several short options in a word.
    fn short_options(&mut self, word: &'w Word<'t>, start: usize, negated: bool) {
        let text: &str = &word.text;
        // Options are ASCII letters: a byte at a time (a non-ASCII byte is no option).
        for (i, &byte) in text.as_bytes().iter().enumerate().skip(1) {
            let letter = match text.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) if !byte.is_ascii() => c,
                _ => byte as char,
            };
            if !byte.is_ascii() && !text.is_char_boundary(i) {
                continue;
            }
            let letter_span = word.sub_span(i..i + letter.len_utf8());
            let Some(option) = Generic::short(letter) else {
                if self.shell_options {
                    self.matches.push(Match::Opaque {
                        span: Span::new(self.env.file, word.span.clone()),
                    });
                    return;
                }
                self.error(
                    letter_span,
                    format!("unknown option `-{letter}`"),
                    "see `iptables --help` for the options; match options need `-m MODULE` before them",
                );
                return;
            };
            if option.takes_argument() {
                let rest = &text[i + letter.len_utf8()..];
                let inline = (!rest.is_empty())
                    .then(|| (rest, word.sub_span(i + letter.len_utf8()..text.len())));
                let written = Written {
                    start: if i == 1 { start } else { letter_span.start },
                    span: word.span.start..word.span.start.max(letter_span.end),
                    negated: negated && i == 1,
                    inline,
                };
                self.generic(option, written);
                return;
            }
            let written = Written {
                start: if i == 1 { start } else { letter_span.start },
                span: letter_span,
                negated: negated && i == 1,
                inline: None,
            };
            self.generic(option, written);
        }
    }

    fn long_option(&mut self, name: &str, written: Written<'_>) {
        if let Some(option) = Generic::long_exact(name) {
            return self.generic(option, written);
        }
        if let Some((module, option)) = self.module_option(name) {
            return self.module_option_value(module, option, written);
        }
        // Unknown to every loaded module: iptables loads the protocol's own module.
        if let Some(module) = self
            .protocol
            .as_ref()
            .filter(|p| !p.opaque)
            .and_then(|p| options::implicit_module(&options::protocol_name(&p.name)))
        {
            if let Some(option) = module.options.iter().find(|o| o.name == name) {
                self.loaded.push(Loaded::Known(module));
                return self.module_option_value(module, option, written);
            }
        }
        // An option of a module or target portlint does not know (`-m policy --pol ipsec`):
        // kept as opaque. Before abbreviations: such a module's own `--pol` is exact to
        // iptables, not short for `--policy`.
        let is_port = matches!(
            name,
            "dport" | "sport" | "destination-port" | "source-port" | "dports" | "sports" | "ports"
        );
        let unknown_module = self.loaded.iter().any(|l| matches!(l, Loaded::Unknown));
        // `-p esp --espspi 500`, `-p mh --mh-type 1`: iptables loads the match named after any
        // protocol; those portlint does not know are read as opaque too.
        let unknown_implicit = !is_port
            && self.protocol.as_ref().is_some_and(|p| {
                !p.opaque
                    && !options::is_any_protocol(&p.name)
                    && options::implicit_module(&options::protocol_name(&p.name)).is_none()
            });
        if unknown_module || self.target_unknown || unknown_implicit || self.shell_options {
            let end = self.heuristic_arguments(name, &written);
            self.opaque_option(written.start..end, !self.after_target());
            return;
        }
        if let Some(resolved) = self.abbreviation(name) {
            return match resolved {
                Abbreviation::Generic(option) => self.generic(option, written),
                Abbreviation::Module(module, option) => {
                    self.module_option_value(module, option, written)
                }
            };
        }
        if is_port {
            let end = self.required_argument_end(&written);
            self.failed = true;
            let help = if name.ends_with('s') {
                "a port list needs its protocol and module: write `-p tcp -m multiport --dports 22,80`"
            } else {
                "a port match needs its protocol first: write `-p tcp --dport 22` (or `-p udp …`)"
            };
            self.env.atoms.invalid_port(
                Span::new(self.env.file, written.start..end),
                &[],
                format!(
                    "`--{name}` without a protocol: {} refuses a port match that has no `-p tcp`, `-p udp`, `-p sctp` or `-p dccp` before it",
                    self.env.tool
                ),
                help,
            );
            return;
        }
        let suggestion = self.suggest(name);
        let help = match suggestion {
            Some(s) => format!("did you mean `--{s}`?"),
            None => "load the module that has the option first (`-m MODULE --option`), or see `iptables -m MODULE --help`".to_string(),
        };
        self.error(
            written.span.clone(),
            format!("unknown option `--{name}`"),
            help,
        );
        // Skip what looks like its arguments, so they are not read as more mistakes.
        let end = self.heuristic_arguments(name, &written);
        let _ = end;
    }

    /// Whether the target was given: options after `-j TARGET` belong to it.
    fn after_target(&self) -> bool {
        self.target.is_some()
    }

    /// The loaded module or target with option `name`, the latest loaded first.
    fn module_option(
        &self,
        name: &str,
    ) -> Option<(&'static Module, &'static options::ModuleOption)> {
        let target = self.target_module.into_iter();
        let matches = self.loaded.iter().rev().filter_map(|l| match l {
            Loaded::Known(m) => Some(*m),
            Loaded::Unknown => None,
        });
        target
            .chain(matches)
            .find_map(|m| m.options.iter().find(|o| o.name == name).map(|o| (m, o)))
    }

    /// getopt's unique abbreviation among the options available here.
    fn abbreviation(&self, prefix: &str) -> Option<Abbreviation> {
        let mut found: Option<Abbreviation> = None;
        let mut count = 0;
        for (_, longs, option) in options::GENERIC {
            if longs.iter().any(|l| l.starts_with(prefix)) {
                count += 1;
                found = Some(Abbreviation::Generic(*option));
            }
        }
        let modules = self
            .target_module
            .into_iter()
            .chain(self.loaded.iter().filter_map(|l| match l {
                Loaded::Known(m) => Some(*m),
                Loaded::Unknown => None,
            }));
        for module in modules {
            for option in module.options.iter().filter(|o| o.name.starts_with(prefix)) {
                count += 1;
                found = Some(Abbreviation::Module(module, option));
            }
        }
        (count == 1).then_some(found).flatten()
    }

    /// A known option one edit (or a prefix) away, for "did you mean".
    fn suggest(&self, name: &str) -> Option<&'static str> {
        let modules = options::MATCHES.iter().chain(options::TARGETS);
        let module_names = modules.flat_map(|m| m.options.iter().map(|o| o.name));
        let generic = options::GENERIC
            .iter()
            .flat_map(|(_, longs, _)| longs.iter().copied());
        generic
            .chain(module_names)
            .find(|candidate| close(name, candidate))
    }

    /// The end of an option's arguments when its arity is unknown: the words that follow and
    /// are not options.
    fn heuristic_arguments(&mut self, name: &str, written: &Written<'_>) -> usize {
        let mut end = written.span.end;
        if written.inline.is_some() {
            return end;
        }
        if options::takes_any_argument(name) {
            if let Some(word) = self.word(self.pos) {
                end = word.span.end;
                self.pos += 1;
            }
            return end;
        }
        while let Some(word) = self.word(self.pos) {
            let text: &str = &word.text;
            if text == "!" {
                // `--option ! value` (the old, intrapositioned negation).
                match self.word(self.pos + 1) {
                    Some(next) if !next.text.starts_with('-') => {
                        self.intrapositioned(word, &format!("--{name}"));
                        end = next.span.end;
                        self.pos += 2;
                        continue;
                    }
                    _ => break,
                }
            }
            if text.starts_with('-') && text.len() > 1 && !word.opaque {
                break;
            }
            end = word.span.end;
            self.pos += 1;
        }
        end
    }

    /// Where a required argument ends (taken whatever it looks like, as getopt does).
    fn required_argument_end(&mut self, written: &Written<'_>) -> usize {
        if written.inline.is_some() {
            return written.span.end;
        }
        match self.word(self.pos) {
            Some(word) => {
                self.pos += 1;
                word.span.end
            }
            None => written.span.end,
        }
    }

    /// The argument of an option that takes one: inline, or the next word (after an
    /// intrapositioned `!`). `None` (reported) when the line ends.
    fn argument(&mut self, what: &str, written: &Written<'_>) -> Option<(Argument<'w, 't>, bool)> {
        if let Some((text, span)) = &written.inline {
            return Some((Argument::Inline(text.to_string(), span.clone()), false));
        }
        let mut negated = false;
        if let Some(word) = self.word(self.pos) {
            if word.text == "!" && self.word(self.pos + 1).is_some() {
                negated = true;
                let option = self.written_text(written);
                self.intrapositioned(word, &option);
                self.pos += 1;
            }
        }
        match self.word(self.pos) {
            Some(word) => {
                self.pos += 1;
                Some((Argument::Word(word), negated))
            }
            None => {
                self.error(
                    written.span.clone(),
                    format!("`{}` needs {what} after it", self.written_text(written)),
                    format!("write {what} after the option"),
                );
                None
            }
        }
    }

    /// `--option ! value`: iptables 1.4.3 deprecated this intrapositioned negation, and the
    /// 1.8 releases no longer read it for ip(6)tables (1.8.9 takes the `!` as the option's value
    /// and refuses the rule: "Bad argument"; checked with iptables-restore --test, both nft and
    /// legacy).
    fn intrapositioned(&mut self, bang: &Word<'_>, option: &str) {
        self.error(
            bang.span.clone(),
            format!("`{option} !`: iptables 1.8 no longer reads a `!` after the option"),
            format!("write the negation before the option: `! {option} …`"),
        );
    }

    fn written_text(&self, written: &Written<'_>) -> String {
        self.words
            .iter()
            .find(|w| w.span.start <= written.span.start && written.span.start < w.span.end)
            .map(|w| w.text.to_string())
            .unwrap_or_default()
    }

    fn generic(&mut self, option: Generic, written: Written<'_>) {
        if written.negated && !option.negatable() {
            self.error(
                written.start..written.span.end,
                format!("`{}` cannot be negated", self.written_text(&written)),
                "remove the `!`",
            );
        }
        if option.is_command() {
            return self.command(option, written);
        }
        match option {
            Generic::Protocol => {
                let Some((arg, inner_negated)) = self.argument("a protocol", &written) else {
                    return;
                };
                let span = written.start..arg.span().end;
                if self.protocol.is_some() {
                    self.error(
                        span,
                        "a second `-p`",
                        "a rule has one protocol: remove one `-p`",
                    );
                    return;
                }
                let opaque = arg.opaque();
                if opaque {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, arg.span()),
                    );
                }
                if (written.negated || inner_negated) && options::is_any_protocol(arg.text()) {
                    self.error(
                        span.clone(),
                        format!("`! -p {}` matches no packet", arg.text()),
                        "iptables refuses a rule that can never match: remove the `!` or the rule",
                    );
                }
                self.protocol = Some(Protocol {
                    name: arg.cow(),
                    span,
                    negated: written.negated || inner_negated,
                    opaque,
                });
            }
            Generic::Source | Generic::Destination => {
                let Some((arg, inner_negated)) = self.argument("an address", &written) else {
                    return;
                };
                if arg.text().bytes().any(|b| b == b':') {
                    self.ipv6_address = true;
                }
                let span = written.start..arg.span().end;
                self.note_address(&arg, written.negated || inner_negated, span.clone(), false);
                // Opaque until `check_addresses` reads the value; then typed when it can be.
                if let Some(pending) = self.addresses.last_mut() {
                    pending.placeholder = Some((
                        self.matches.len(),
                        match option {
                            Generic::Source => Direction::Source,
                            _ => Direction::Destination,
                        },
                    ));
                }
                self.matches.push(Match::Opaque {
                    span: Span::new(self.env.file, span),
                });
            }
            Generic::InInterface | Generic::OutInterface => {
                let Some((arg, inner_negated)) = self.argument("an interface", &written) else {
                    return;
                };
                // IFNAMSIZ is 16, with the terminating NUL.
                if arg.text().len() > 15 && !arg.opaque() {
                    self.error(
                        arg.span(),
                        format!("interface name `{}` is longer than 15 characters", arg.text()),
                        "Linux interface names have at most 15 characters; use `+` for a prefix, e.g. `eth+`",
                    );
                }
                let span = written.start..arg.span().end;
                let direction = match option {
                    Generic::InInterface => Direction::Source,
                    _ => Direction::Destination,
                };
                let text = arg.text();
                let span = Span::new(self.env.file, span);
                if arg.opaque() || text.is_empty() {
                    self.matches.push(Match::Opaque { span });
                    return;
                }
                // `eth+` is every name that starts with `eth`.
                let (name, wildcard) = match text.strip_suffix('+') {
                    Some(prefix) => (prefix, true),
                    None => (text, false),
                };
                let mut names = ThinVec::with_capacity(1);
                names.push(InterfaceName {
                    name: name.to_string(),
                    wildcard,
                    span: Span::new(self.env.file, arg.span()),
                });
                self.matches.push(Match::Interface {
                    direction,
                    negated: written.negated || inner_negated,
                    names: Box::new(names),
                    span,
                });
            }
            Generic::Fragment => self.matches.push(Match::Opaque {
                span: Span::new(self.env.file, written.start..written.span.end),
            }),
            Generic::Jump | Generic::Goto => {
                let Some((arg, _)) = self.argument("a target", &written) else {
                    return;
                };
                let span = written.start..arg.span().end;
                if self.target.is_some() {
                    self.error(
                        span,
                        "a second target",
                        "a rule has one target (`-j` or `-g`): remove one",
                    );
                    return;
                }
                let name = arg.cow();
                if arg.opaque() {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, arg.span()),
                    );
                    self.target_unknown = true;
                    return;
                }
                self.target_module = if option == Generic::Jump {
                    options::target_module(&name)
                } else {
                    None
                };
                self.target_unknown =
                    self.target_module.is_none() && options::is_known_target(&name);
                self.target = Some(Target {
                    name,
                    span,
                    name_span: arg.span(),
                    goto: option == Generic::Goto,
                });
            }
            Generic::Match => {
                let Some((arg, _)) = self.argument("a match module", &written) else {
                    return;
                };
                if arg.opaque() {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, arg.span()),
                    );
                } else {
                    self.check_module(arg.text(), arg.span());
                    if let Some(kind) = crate::frontend::unanalysed::iptables_kind(arg.text()) {
                        let span = Span::new(self.env.file, written.start..arg.span().end);
                        self.env.unanalysed.saw(kind, span);
                    }
                }
                let loaded = match options::match_module(arg.text()) {
                    Some(module) => Loaded::Known(module),
                    None => Loaded::Unknown,
                };
                self.loaded.push(loaded);
            }
            Generic::Table => {
                let Some((arg, _)) = self.argument("a table", &written) else {
                    return;
                };
                let span = written.start..arg.span().end;
                if self.env.restore {
                    self.error(
                        span,
                        "`-t` in an iptables-restore file",
                        "the `*table` line before the rules names their table: remove `-t` (iptables-restore refuses it)",
                    );
                    return;
                }
                let name = arg.cow();
                if !options::TABLES.contains(&name.as_ref()) && !arg.opaque() {
                    self.error(
                        arg.span(),
                        format!("unknown table `{name}`"),
                        "the tables are filter, nat, mangle, raw and security",
                    );
                    return;
                }
                self.table = Some((name, arg.span()));
            }
            Generic::SetCounters => {
                let Some((arg, _)) = self.argument("packet and byte counters", &written) else {
                    return;
                };
                let text = arg.text();
                let pair = text
                    .split_once(',')
                    .is_some_and(|(p, b)| is_count(p) && is_count(b));
                if pair {
                    return;
                }
                // `-c PACKETS BYTES`, the older form.
                let next_is_count = self.word(self.pos).is_some_and(|w| is_count(&w.text));
                if is_count(text) && next_is_count {
                    self.pos += 1;
                    return;
                }
                self.error(
                    written.start..arg.span().end,
                    format!("`{text}` is not packet and byte counters"),
                    "write `-c PACKETS,BYTES`, e.g. `-c 0,0`",
                );
            }
            Generic::Ipv4 => self.only = Some(crate::model::Family::Ip),
            Generic::Ipv6 => self.only = Some(crate::model::Family::Ip6),
            Generic::Wait if self.word(self.pos).is_some_and(|w| is_count(&w.text)) => {
                self.pos += 1;
            }
            Generic::WaitInterval | Generic::Modprobe => {
                self.argument("a value", &written);
            }
            _ => {}
        }
    }

    fn command(&mut self, option: Generic, written: Written<'_>) {
        let span = written.start..written.span.end;
        if let Some((_, earlier)) = &self.action {
            let earlier = earlier.clone();
            self.error(
                span,
                "a second command",
                format!(
                    "one line runs one command; the first is at byte {}: split the line in two",
                    earlier.start
                ),
            );
            return;
        }
        self.action = Some((option, span.clone()));
        // The commands that take an argument take a chain (`-A CHAIN`, `-P CHAIN …`); the others
        // may name one (`-F [CHAIN]`).
        if option.takes_argument() {
            if let Some((arg, _)) = self.argument("a chain name", &written) {
                if arg.opaque() {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, arg.span()),
                    );
                }
                self.chain = Some((arg.cow(), arg.span()));
            }
        } else if written.inline.is_some() {
            if let Some((arg, _)) = self.argument("a chain name", &written) {
                self.chain = Some((arg.cow(), arg.span()));
            }
        }
    }

    /// A word that is not an option: a command's second argument.
    fn positional(&mut self, word: &'w Word<'t>) {
        let taken = match &self.action {
            Some((
                Generic::List
                | Generic::ListRules
                | Generic::Flush
                | Generic::Zero
                | Generic::DeleteChain,
                _,
            )) if self.chain.is_none() => {
                self.chain = Some((cow(word), word.span.clone()));
                true
            }
            Some((Generic::Insert | Generic::Delete | Generic::Replace | Generic::Zero, _))
                if self.chain.is_some() && self.rule_number.is_none() =>
            {
                match word.text.parse::<usize>() {
                    Ok(n) if n >= 1 => {
                        self.rule_number = Some(n);
                        true
                    }
                    _ => false,
                }
            }
            Some((Generic::Policy, _)) if self.chain.is_some() && self.second.is_none() => {
                if word.opaque {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, word.span.clone()),
                    );
                    self.second_opaque = true;
                }
                self.second = Some((cow(word), word.span.clone()));
                true
            }
            Some((Generic::Rename, _)) if self.chain.is_some() && self.second.is_none() => {
                self.second = Some((cow(word), word.span.clone()));
                true
            }
            _ => false,
        };
        if !taken && (word.opaque || self.shell_options) {
            // `iptables -A X $STATE ESTABLISHED -j ACCEPT`: what the variable expands to is
            // unknown, so are the words after it that no option takes. The rule may or may not
            // match.
            if !self.shell_options {
                self.shell_options = true;
                self.env.unanalysed.saw(
                    crate::frontend::unanalysed::SHELL_OPTIONS,
                    Span::new(self.env.file, word.span.clone()),
                );
            }
            self.matches.push(Match::Opaque {
                span: Span::new(self.env.file, word.span.clone()),
            });
            return;
        }
        if !taken {
            let text: &str = &word.text;
            self.error(
                word.span.clone(),
                format!("unexpected `{text}`"),
                "an argument belongs after its option; check the option before it for a missing `-` or a value in two words (quote `\"a b\"`)",
            );
        }
    }

    /// A known module's option, with its arguments.
    fn module_option_value(
        &mut self,
        module: &'static Module,
        option: &'static options::ModuleOption,
        written: Written<'_>,
    ) {
        match option.meaning {
            Meaning::SourcePort | Meaning::DestinationPort | Meaning::EitherPort => {
                let inline = written.inline.as_ref().map(|(text, span)| Word {
                    text: std::borrow::Cow::Owned(text.to_string()),
                    span: span.clone(),
                    verbatim: false,
                    opaque: false,
                });
                let mut negated = written.negated;
                let value = if inline.is_some() {
                    usize::MAX
                } else {
                    if let Some(bang) = self
                        .word(self.pos)
                        .filter(|w| w.text == "!" && self.word(self.pos + 1).is_some())
                    {
                        negated = true;
                        self.intrapositioned(bang, &format!("--{}", option.name));
                        self.pos += 1;
                    }
                    if self.word(self.pos).is_none() {
                        self.error(
                            written.span.clone(),
                            format!("`--{}` needs ports after it", option.name),
                            "write a port, a range such as `1024:65535`, or a service name",
                        );
                        return;
                    }
                    self.pos += 1;
                    self.pos - 1
                };
                let end = inline
                    .as_ref()
                    .map_or_else(|| self.words[value].span.end, |w| w.span.end);
                self.ports.push(PendingPort {
                    meaning: option.meaning,
                    module,
                    negated,
                    option: written.start..end,
                    value,
                    inline: inline.map(|w| {
                        Box::new(Word {
                            text: std::borrow::Cow::Owned(w.text.into_owned()),
                            span: w.span,
                            verbatim: false,
                            opaque: false,
                        })
                    }),
                });
            }
            Meaning::NatTarget | Meaning::NatPorts => {
                if written.inline.is_some() {
                    // Rare; read as opaque rather than lowered.
                    return;
                }
                if self.word(self.pos).is_none() {
                    self.error(
                        written.span.clone(),
                        format!("`--{}` needs a value after it", option.name),
                        "write the address and port, e.g. `--to-destination 10.0.0.1:8080`",
                    );
                    return;
                }
                self.nats.push(PendingNat {
                    meaning: option.meaning,
                    option: written.start..self.words[self.pos].span.end,
                    value: self.pos,
                });
                self.pos += 1;
            }
            Meaning::CtState => {
                let Some((arg, inner_negated)) = self.argument("conntrack states", &written) else {
                    return;
                };
                let span = written.start..arg.span().end;
                let states = (!arg.opaque()).then(|| ct_states(arg.text())).flatten();
                match states {
                    Some(states) => {
                        let negated = written.negated || inner_negated;
                        self.matches.push(Match::CtState {
                            states: if negated { states.complement() } else { states },
                            span: Span::new(self.env.file, span),
                        });
                    }
                    // SNAT and DNAT are conntrack's virtual states, not the packet model's.
                    None => self.opaque_option(span, true),
                }
            }
            Meaning::AddressRange => {
                let Some((arg, inner_negated)) = self.argument("an address range", &written) else {
                    return;
                };
                let span = written.start..arg.span().end;
                self.note_address(&arg, written.negated || inner_negated, span.clone(), true);
                // Opaque until `check_addresses` reads the range; then typed when it can be.
                if let Some(pending) = self.addresses.last_mut() {
                    let direction = if option.name == "src-range" {
                        Direction::Source
                    } else {
                        Direction::Destination
                    };
                    pending.placeholder = Some((self.matches.len(), direction));
                }
                self.opaque_option(span, true);
            }
            Meaning::Other => {
                let end = match option.arguments {
                    Some(n) => {
                        let mut end = written.span.end;
                        let needed =
                            usize::from(n).saturating_sub(usize::from(written.inline.is_some()));
                        for _ in 0..needed {
                            if let Some(bang) = self.word(self.pos).filter(|w| w.text == "!") {
                                self.intrapositioned(bang, &format!("--{}", option.name));
                                self.pos += 1;
                            }
                            match self.word(self.pos) {
                                Some(word) => {
                                    end = word.span.end;
                                    self.pos += 1;
                                }
                                None => {
                                    self.error(
                                        written.span.clone(),
                                        format!("`--{}` needs a value after it", option.name),
                                        "see `iptables -m MODULE --help` for what it takes",
                                    );
                                    return;
                                }
                            }
                        }
                        end
                    }
                    None => self.heuristic_arguments(option.name, &written),
                };
                let is_target = self.target_module.is_some_and(|t| std::ptr::eq(t, module));
                self.opaque_option(written.start..end, !is_target);
            }
        }
    }

    /// `-m NAME`: a module iptables ships (or xtables-addons'), else PL001 with the nearest
    /// name. A module of one family only is checked in `finish`, once the family is known.
    fn check_module(&mut self, name: &str, span: Range<usize>) {
        match options::shipped_match(name) {
            Some(options::ModuleFamily::Both) => {}
            Some(family) => {
                if let Some(name) = options::SHIPPED_MATCHES
                    .iter()
                    .map(|(m, _)| *m)
                    .find(|m| *m == name)
                {
                    self.family_modules.push((name, family, span));
                }
            }
            None if options::ADDON_MATCHES.contains(&name) => {}
            None => {
                let lower = name.to_ascii_lowercase();
                let near = options::SHIPPED_MATCHES
                    .iter()
                    .map(|(m, _)| *m)
                    .find(|m| *m == lower)
                    .or_else(|| {
                        options::SHIPPED_MATCHES
                            .iter()
                            .map(|(m, _)| *m)
                            .find(|m| close(name, m))
                    });
                let is_target = options::is_known_target(name);
                let help = match near {
                    Some(near) => format!("did you mean `-m {near}`?"),
                    None if is_target => format!(
                        "`{name}` is a target: write `-j {name}`, not `-m {name}`"
                    ),
                    None => "see `iptables -m help` or the iptables-extensions man page for the match modules; if it comes from a kernel module of your own, this is a false alarm: suppress it".to_string(),
                };
                self.error(
                    span,
                    format!(
                        "unknown match module `{name}`: {} has no such match (\"Couldn't load match\")",
                        self.env.tool
                    ),
                    help,
                );
            }
        }
    }

    /// A module of one family in the other family's rules.
    fn check_module_families(&mut self) {
        use crate::model::Family;
        let family = self.only.or(self.env.family);
        let pending = std::mem::take(&mut self.family_modules);
        for (name, wanted, span) in pending {
            let (tool, other, hint) = match (wanted, family) {
                (options::ModuleFamily::Ipv6, Some(Family::Ip)) => (
                    "iptables",
                    "ip6tables",
                    match name {
                        "icmp6" => " (iptables' is `-m icmp --icmp-type`)",
                        "hl" => " (iptables' is `-m ttl`)",
                        _ => "",
                    },
                ),
                (options::ModuleFamily::Ipv4, Some(Family::Ip6)) => (
                    "ip6tables",
                    "iptables",
                    match name {
                        "icmp" => " (ip6tables' is `-m icmp6 --icmpv6-type`)",
                        "ttl" => " (ip6tables' is `-m hl`)",
                        _ => "",
                    },
                ),
                _ => continue,
            };
            self.error(
                span,
                format!("`-m {name}` is an {other} match: {tool} has no such match"),
                format!("write this rule for {other}, or use the match of this family{hint}"),
            );
        }
    }

    /// Keeps an address value to check in `finish`.
    fn note_address(
        &mut self,
        arg: &Argument<'_, '_>,
        negated: bool,
        option: Range<usize>,
        range: bool,
    ) {
        if arg.opaque() {
            return;
        }
        let value = match arg {
            // The argument was the word just taken.
            Argument::Word(_) => Ok(self.pos.saturating_sub(1)),
            Argument::Inline(text, span) => Err(Box::new(Word {
                text: Cow::Owned(text.clone()),
                span: span.clone(),
                verbatim: span.len() == text.len(),
                opaque: false,
            })),
        };
        self.addresses.push(PendingAddress {
            value,
            negated,
            option,
            range,
            placeholder: None,
        });
    }

    /// Checks the address values as the tool of the line's family reads them.
    fn check_addresses(&mut self) {
        use crate::frontend::addresses::{self, Version};
        use crate::model::Family;
        let version = match self.only.or(self.env.family) {
            Some(Family::Ip) => Some(Version::V4),
            Some(Family::Ip6) => Some(Version::V6),
            _ => None,
        };
        let tool = match version {
            Some(Version::V4) => "iptables",
            Some(Version::V6) => "ip6tables",
            None => self.env.tool,
        };
        let pending = std::mem::take(&mut self.addresses);
        for address in pending {
            let word: &Word<'_> = match &address.value {
                Ok(index) => match self.words.get(*index) {
                    Some(word) => word,
                    None => continue,
                },
                Err(inline) => inline,
            };
            let text: &str = &word.text;
            let checked = if address.range {
                addresses::iprange(text, version, tool).map(|range| {
                    if let (Some((v6, lo, hi)), Some((index, direction))) =
                        (range, address.placeholder)
                    {
                        let span = Span::new(self.env.file, word.sub_span(0..text.len()));
                        let typed = Match::Addresses {
                            direction,
                            negated: address.negated,
                            set: Box::new(AddressSet {
                                ranges: vec![AddressRange { v6, lo, hi, span }],
                                span,
                            }),
                            span,
                        };
                        fill_placeholder(&mut self.matches, index, typed);
                    }
                    1
                })
            } else {
                addresses::iptables_list(text, version, tool).map(|list| {
                    if let Some((index, direction)) = address.placeholder {
                        let file = self.env.file;
                        let typed = typed_addresses(&list, direction, address.negated, |r| {
                            Span::new(file, word.sub_span(r))
                        });
                        if let Some(typed) = typed {
                            fill_placeholder(&mut self.matches, index, typed);
                        }
                    }
                    list.len()
                })
            };
            match checked {
                Err(e) => {
                    let span = word.sub_span(e.range);
                    self.error(span, e.message, e.help);
                }
                Ok(count) if count > 1 && address.negated && !address.range => {
                    self.error(
                        address.option.clone(),
                        format!("`!` before a list of {count} addresses: {tool} refuses to negate several addresses"),
                        "negate one address or network per option, or jump to a chain that RETURNs for each address and drops the rest",
                    );
                }
                Ok(_) => {}
            }
        }
    }

    fn opaque_option(&mut self, span: Range<usize>, is_match: bool) {
        if is_match {
            self.matches.push(Match::Opaque {
                span: Span::new(self.env.file, span),
            });
        }
    }

    fn finish(&mut self) -> Option<Command<'t>> {
        self.check_addresses();
        self.check_module_families();
        let Some((option, action_span)) = self.action.clone() else {
            let span = match (self.words.first(), self.words.last()) {
                (Some(first), Some(last)) => first.span.start..last.span.end,
                _ => return None,
            };
            self.error(
                span,
                "no command",
                "a rule line starts with a command such as `-A CHAIN` (append), `-I CHAIN` (insert) or `-N CHAIN` (new chain)",
            );
            return None;
        };
        let action = match option {
            Generic::Append => Action::Append,
            Generic::Insert => Action::Insert(self.rule_number),
            Generic::Replace => match self.rule_number {
                Some(n) => Action::Replace(n),
                None => {
                    self.error(
                        action_span.clone(),
                        "`-R` needs a rule number",
                        "write `-R CHAIN NUMBER RULE`, numbers counting from 1",
                    );
                    return None;
                }
            },
            Generic::Delete => Action::Delete(self.rule_number),
            Generic::Check => Action::Check,
            Generic::NewChain => Action::NewChain,
            Generic::DeleteChain => Action::DeleteChain,
            Generic::Flush => Action::Flush,
            Generic::Zero => Action::Zero,
            Generic::Policy => match self.second.take() {
                Some((target, span)) => {
                    if !matches!(target.as_ref(), "ACCEPT" | "DROP") && !self.second_opaque {
                        self.error(
                            span.clone(),
                            format!("`{target}` is not a policy"),
                            "a built-in chain's policy is ACCEPT or DROP",
                        );
                    }
                    Action::Policy { target, span }
                }
                None => {
                    self.error(
                        action_span.clone(),
                        "`-P` needs a policy",
                        "write `-P CHAIN DROP` or `-P CHAIN ACCEPT`",
                    );
                    return None;
                }
            },
            Generic::Rename => match self.second.take() {
                Some((to, span)) => Action::Rename { to, span },
                None => {
                    self.error(
                        action_span.clone(),
                        "`-E` needs the new name",
                        "write `-E OLD NEW`",
                    );
                    return None;
                }
            },
            Generic::List | Generic::ListRules => Action::List,
            _ => Action::Help,
        };
        if let Some(target) = self
            .target
            .as_ref()
            .map(|t| (t.name.clone(), t.span.clone()))
        {
            let target = Target {
                name: target.0,
                span: target.1,
                name_span: 0..0,
                goto: false,
            };
            let option = match target.name.as_ref() {
                "DNAT" => Some("--to-destination"),
                "SNAT" => Some("--to-source"),
                _ => None,
            };
            if let Some(option) = option {
                if self.nats.is_empty() {
                    self.error(
                        target.span.clone(),
                        format!("`-j {}` without `{option}`", target.name),
                        format!(
                            "write where to: `-j {} {option} 10.0.0.1[:PORT]`",
                            target.name
                        ),
                    );
                } else if self.nats.len() > 1 {
                    let second = self.nats[1].option.clone();
                    self.error(
                        second,
                        format!("a second `{option}`"),
                        "iptables takes one target address or range: write `10.0.0.1-10.0.0.9` for several",
                    );
                    self.nats.truncate(1);
                }
            }
        }
        let carries_rule = matches!(
            action,
            Action::Append | Action::Insert(_) | Action::Replace(_) | Action::Check
        ) || matches!(action, Action::Delete(None));
        let rule = carries_rule.then(|| self.lower_rule());
        Some(Command {
            action,
            action_span,
            chain: self.chain.take(),
            table: self.table.take(),
            rule,
            target: self.target.take(),
            only: self.only,
            ipv6_address: self.ipv6_address,
        })
    }

    fn lower_rule(&mut self) -> Rule {
        let file = self.env.file;
        let span = match (self.words.first(), self.words.last()) {
            (Some(first), Some(last)) => Span::new(file, first.span.start..last.span.end),
            _ => Span::new(file, 0..0),
        };
        let mut matches = std::mem::take(&mut self.matches);
        let protocol_l4 = self.protocol_l4();
        if let Some(protocol) = &self.protocol {
            let protocol_span = Span::new(file, protocol.span.clone());
            match protocol_l4 {
                Some(l4) if !protocol.negated => matches.insert(
                    0,
                    Match::L4Proto {
                        protos: ProtoSet::one(l4),
                        span: protocol_span,
                    },
                ),
                _ if options::is_any_protocol(&protocol.name) && !protocol.negated => {}
                _ => matches.insert(
                    0,
                    Match::Opaque {
                        span: protocol_span,
                    },
                ),
            }
        }
        let pending = std::mem::take(&mut self.ports);
        for port in pending {
            self.lower_port(port, &mut matches);
        }
        let mut nat = ThinVec::new();
        let pending = std::mem::take(&mut self.nats);
        for pending in pending {
            if let Some(n) = self.lower_nat(pending) {
                nat.push(n);
            }
        }
        // `-j MASQUERADE`, `-j REDIRECT` without `--to-ports`: NAT to the packet's own port.
        if nat.is_empty() {
            if let Some(target) = &self.target {
                let kind = match target.name.as_ref() {
                    "MASQUERADE" => Some(NatKind::Masquerade),
                    "REDIRECT" => Some(NatKind::Redirect),
                    "TPROXY" => Some(NatKind::Tproxy),
                    _ => None,
                };
                if let Some(kind) = kind {
                    nat.push(Nat {
                        kind,
                        address: None,
                        ports: None,
                        span: Span::new(file, target.span.clone()),
                    });
                }
            }
        }
        let verdict = self.target.as_ref().and_then(|target| {
            let verdict = match target.name.as_ref() {
                _ if target.goto => Verdict::Goto(target.name.as_ref().into()),
                "ACCEPT" => Verdict::Accept,
                "DROP" => Verdict::Drop,
                "REJECT" => Verdict::Reject,
                "RETURN" => Verdict::Return,
                "QUEUE" | "NFQUEUE" => Verdict::Queue,
                // TPROXY ends the rule: it accepts into a transparent socket, or drops.
                "TPROXY" => Verdict::Accept,
                name if options::is_known_target(name) => return None,
                name => Verdict::Jump(name.into()),
            };
            Some((verdict, Span::new(file, target.span.clone())))
        });
        Rule {
            span,
            matches,
            nat,
            verdict,
            rewrites: false,
        }
    }

    /// The rule's `-p` as a protocol with ports, when it is one and not negated.
    fn protocol_l4(&self) -> Option<L4> {
        let protocol = self.protocol.as_ref().filter(|p| !p.opaque)?;
        options::protocol_l4(&protocol.name)
    }

    fn lower_port(
        &mut self,
        port: PendingPort,
        matches: &mut SmallVec<[Match; crate::model::INLINE_MATCHES]>,
    ) {
        let file = self.env.file;
        let option_span = Span::new(file, port.option.clone());
        let words = self.words;
        let word: &Word<'_> = match &port.inline {
            Some(inline) => inline,
            None => match words.get(port.value) {
                Some(word) => word,
                None => return,
            },
        };
        let protocol = self.protocol.as_ref();
        let negated_protocol = protocol.is_some_and(|p| p.negated);
        let protocol_opaque = protocol.is_some_and(|p| p.opaque);
        let rule_l4 = self.protocol_l4();
        // The protocol the port belongs to, or why iptables refuses the match.
        let l4 = match (port.module.ports_of, rule_l4) {
            _ if protocol_opaque || word.opaque => {
                if word.opaque {
                    self.env.unanalysed.saw(
                        crate::frontend::unanalysed::SHELL_VALUE,
                        Span::new(self.env.file, word.span.clone()),
                    );
                }
                matches.push(Match::Opaque { span: option_span });
                return;
            }
            (Some(module_l4), Some(l4)) if module_l4 == l4 && !negated_protocol => l4,
            (None, Some(l4)) if !negated_protocol => l4,
            (module_l4, _) => {
                let wanted = match module_l4 {
                    Some(l4) => format!("`-p {}`", l4.as_str()),
                    None => "`-p tcp`, `-p udp`, `-p udplite`, `-p sctp` or `-p dccp`".to_string(),
                };
                let written = match protocol {
                    Some(p) if p.negated => format!("the rule says `! -p {}`", p.name),
                    Some(p) => format!("the rule's protocol is `-p {}`", p.name),
                    None => "the rule has no `-p`".to_string(),
                };
                let module = if port.module.is_multiport {
                    "`-m multiport`".to_string()
                } else {
                    format!("`-m {}`", port.module.name)
                };
                self.env.atoms.invalid_port(
                    option_span,
                    &[],
                    format!(
                        "{module} ports need {wanted}, but {written}: {} refuses the rule",
                        self.env.tool
                    ),
                    format!("write {wanted} before the port match"),
                );
                return;
            }
        };
        let Some(set) = self.port_value(word, l4, port.module.is_multiport) else {
            return;
        };
        let direction = match port.meaning {
            Meaning::SourcePort => PortDirection::Source,
            Meaning::EitherPort => PortDirection::Either,
            _ => PortDirection::Destination,
        };
        matches.push(Match::Ports {
            direction,
            conntrack: false,
            op: if port.negated { PortOp::Ne } else { PortOp::Eq },
            protos: ProtoSet::one(l4),
            ports: Box::new(set),
            span: option_span,
        });
    }

    /// A port value: `22`, `ssh`, `1024:65535`, `:1023`, `1024:`; with `multiport`, a comma
    /// list of ports and ranges (at most 15, a range counting twice).
    fn port_value(&mut self, word: &Word<'_>, l4: L4, multiport: bool) -> Option<PortSet> {
        let text: &str = &word.text;
        // A list is allocated once at its size, not grown element by element.
        let mut elements = if multiport {
            SmallVec::with_capacity(1 + text.bytes().filter(|&b| b == b',').count())
        } else {
            SmallVec::new()
        };
        let mut ok = true;
        let mut slots = 0;
        // One pass over the bytes: every port of a dump comes through here, and most values
        // are one short number.
        let bytes = text.as_bytes();
        let mut start = 0;
        loop {
            let mut end = start;
            let mut colon = None;
            while let Some(&b) = bytes.get(end) {
                match b {
                    b',' if multiport => break,
                    b':' if colon.is_none() => colon = Some(end - start),
                    _ => {}
                }
                end += 1;
            }
            let part = text.get(start..end).unwrap_or("");
            let span = Span::new(self.env.file, word.sub_span(start..end));
            slots += if colon.is_some() { 2 } else { 1 };
            match self.port_element(part, colon, span, l4, multiport) {
                Some(element) => elements.push(element),
                None => ok = false,
            }
            if end >= bytes.len() {
                break;
            }
            start = end + 1;
        }
        if multiport && slots > 15 {
            self.env.atoms.invalid_port(
                Span::new(self.env.file, word.span.clone()),
                &[],
                format!("{slots} ports in one `multiport` match: {} takes at most 15 (a range counts as two)", self.env.tool),
                "split the list over two rules",
            );
            return None;
        }
        ok.then(|| PortSet {
            elements,
            span: Span::new(self.env.file, word.span.clone()),
            is_list: multiport,
        })
    }

    /// One port or range of a value; `colon` is where its `:` is, if it has one.
    fn port_element(
        &mut self,
        text: &str,
        colon: Option<usize>,
        span: Span,
        l4: L4,
        multiport: bool,
    ) -> Option<PortElement> {
        let Some((lo_text, hi_text)) = colon.map(|at| (&text[..at], &text[at + 1..])) else {
            let port = self.one_port(text, span, l4)?;
            let origin = if text.starts_with(|c: char| c.is_ascii_digit()) {
                PortOrigin::Number
            } else {
                PortOrigin::ServiceName
            };
            return Some(PortElement::new(port, port, span, origin, Vec::new()));
        };
        if multiport && (lo_text.is_empty() || hi_text.is_empty()) {
            self.env.atoms.invalid_port(
                span,
                &[],
                format!("`{text}` has no port on one side"),
                "a multiport range names both ends, e.g. `1024:65535`",
            );
            return None;
        }
        let lo = if lo_text.is_empty() {
            Some(0)
        } else {
            self.one_port(lo_text, span, l4)
        };
        let hi = if hi_text.is_empty() {
            Some(u16::MAX)
        } else {
            self.one_port(hi_text, span, l4)
        };
        let (lo, hi) = (lo?, hi?);
        if lo > hi || (multiport && lo == hi) {
            let help = if lo > hi {
                format!("write the lower port first: `{hi}:{lo}`")
            } else {
                format!("write the single port `{lo}`")
            };
            self.env.atoms.invalid_port(
                span,
                &[],
                format!(
                    "port range `{text}` is {}",
                    if lo > hi {
                        "inverted"
                    } else {
                        "empty to multiport (both ends equal)"
                    }
                ),
                help,
            );
            return None;
        }
        Some(PortElement::new(
            lo,
            hi,
            span,
            PortOrigin::Range,
            Vec::new(),
        ))
    }

    /// One port as iptables reads it: a number (C's `strtoul` with base 0: `0x16` is hex,
    /// `022` octal) or a service name for the protocol (`getservbyname(name, proto)`).
    fn one_port(&mut self, text: &str, span: Span, l4: L4) -> Option<u16> {
        match number(text) {
            Some(Number { value, octal }) => {
                let Ok(port) = u16::try_from(value) else {
                    // What iptables 1.8.9 does with it (checked with iptables-restore and
                    // `iptables -S`): the udp match keeps the low 16 bits; tcp, sctp and
                    // multiport refuse it.
                    let wrapped = value & 0xffff;
                    self.env.atoms.invalid_port(
                        span,
                        &[],
                        format!("port {text} is out of range"),
                        format!("a port is a number from 0 to 65535; for udp, iptables does not refuse {text} but reads it as port {wrapped} (its low 16 bits), and for tcp, sctp and multiport it refuses it"),
                    );
                    return None;
                };
                if octal {
                    let decimal = text.trim_start_matches('0');
                    self.env.atoms.invalid_port(
                        span,
                        &[],
                        format!("`{text}` is octal to {}: port {port}, not {decimal}", self.env.tool),
                        format!("iptables reads a number with a leading 0 as octal; write `{decimal}` if that is the port you mean, or `{port}`"),
                    );
                    return None;
                }
                Some(port)
            }
            None if text.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                self.env.atoms.service(text, span, l4).map(|e| e.lo)
            }
            None => {
                self.env.atoms.invalid_port(
                    span,
                    &[],
                    format!("`{text}` is not a port or a service name"),
                    "write a number from 0 to 65535, a range such as `1024:65535`, or a service name such as `ssh`",
                );
                None
            }
        }
    }

    /// `--to-destination [ADDR][:PORT[-PORT]]`, `--to-ports PORT[-PORT]`, `--on-port PORT`.
    fn lower_nat(&mut self, pending: PendingNat) -> Option<Nat> {
        let file = self.env.file;
        let word = self.words.get(pending.value)?;
        let kind = match self.target.as_ref().map(|t| t.name.as_ref()) {
            Some("DNAT") => NatKind::Dnat,
            Some("SNAT") => NatKind::Snat,
            Some("REDIRECT") => NatKind::Redirect,
            Some("TPROXY") => NatKind::Tproxy,
            _ => NatKind::Masquerade,
        };
        let text: &str = &word.text;
        let (address, port_part): (Option<&str>, Option<(usize, &str)>) = match pending.meaning {
            Meaning::NatPorts => (None, Some((0, text))),
            _ => split_nat_target(text),
        };
        let mut nat = Nat {
            kind,
            address: address
                .filter(|a| !a.is_empty())
                .map(crate::frontend::addresses::nat_address),
            ports: None,
            span: Span::new(file, pending.option.clone()),
        };
        if word.opaque {
            return Some(nat);
        }
        let Some((offset, ports)) = port_part else {
            return Some(nat);
        };
        let l4 = match self.protocol_l4() {
            Some(l4) if !self.protocol.as_ref().is_some_and(|p| p.negated) && l4 != L4::UdpLite => {
                l4
            }
            _ => {
                self.env.atoms.invalid_port(
                    Span::new(file, word.span.clone()),
                    &[],
                    format!("a NAT port needs `-p tcp`, `-p udp`, `-p sctp` or `-p dccp`: {} refuses the rule without one", self.env.tool),
                    "match the protocol first, e.g. `-p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080`",
                );
                return Some(nat);
            }
        };
        // DNAT and SNAT take `PORTS/BASE` (a shifted range); the base is checked, not modelled.
        let shifts = matches!(kind, NatKind::Dnat | NatKind::Snat);
        let ports = match ports.split_once('/') {
            Some((ports, base)) if shifts => {
                let base_offset = offset + ports.len() + 1;
                let base_span =
                    Span::new(file, word.sub_span(base_offset..base_offset + base.len()));
                let valid = match number(base) {
                    Some(n) => (1..=65535).contains(&n.value),
                    None => self.one_port(base, base_span, l4).is_some(),
                };
                if !valid && number(base).is_some() {
                    self.env.atoms.invalid_port(
                        base_span,
                        &[],
                        format!("base port {base} is out of range"),
                        "the base after `/` is a port from 1 to 65535",
                    );
                }
                if !valid {
                    return Some(nat);
                }
                ports
            }
            _ => ports,
        };
        let span = Span::new(file, word.sub_span(offset..offset + ports.len()));
        if ports.contains('/') {
            self.env.atoms.invalid_port(
                span,
                &[],
                format!("`{ports}` is not a port or a port range"),
                "write a port or a range such as `8000-8080`",
            );
            return Some(nat);
        }
        // A service name (which may hold a dash: `ftp-data`), or numbers `LO[-HI]`: a range of
        // names is refused.
        let (lo, hi, lo_text) = if ports.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let port = self.one_port(ports, span, l4)?;
            (port, port, ports)
        } else {
            let (lo_text, hi_text) = ports.split_once('-').unwrap_or((ports, ports));
            let numbers = (number(lo_text), number(hi_text));
            if numbers.0.is_none() || numbers.1.is_none() {
                self.env.atoms.invalid_port(
                    span,
                    &[],
                    format!("`{ports}` is not a port or a port range"),
                    "a NAT port range is two numbers, e.g. `8000-8080` (a service name is taken alone)",
                );
                return Some(nat);
            }
            let lo = self.one_port(lo_text, span, l4)?;
            let hi = if hi_text == lo_text {
                lo
            } else {
                self.one_port(hi_text, span, l4)?
            };
            (lo, hi, lo_text)
        };
        if lo > hi {
            self.env.atoms.invalid_port(
                span,
                &[],
                format!("port range `{ports}` is inverted"),
                format!("write the lower port first: `{hi}-{lo}`"),
            );
            return Some(nat);
        }

        let origin = if lo != hi {
            PortOrigin::Range
        } else if number(lo_text).is_some() {
            PortOrigin::Number
        } else {
            PortOrigin::ServiceName
        };
        let mut elements = SmallVec::new();
        elements.push(PortElement::new(lo, hi, span, origin, Vec::new()));
        nat.ports = Some(PortSet {
            elements,
            span,
            is_list: false,
        });
        Some(nat.without_own_port())
    }
}

enum Abbreviation {
    Generic(Generic),
    Module(&'static Module, &'static options::ModuleOption),
}

/// An option's argument: a word, or the part after `=`/the letter.
enum Argument<'w, 't> {
    Word(&'w Word<'t>),
    Inline(String, Range<usize>),
}

/// A word's text for keeping: borrowed from the file when the word is written plainly.
fn cow<'t>(word: &Word<'t>) -> Cow<'t, str> {
    match &word.text {
        Cow::Borrowed(text) => Cow::Borrowed(text),
        Cow::Owned(text) => Cow::Owned(text.clone()),
    }
}

impl<'t> Argument<'_, 't> {
    fn cow(&self) -> Cow<'t, str> {
        match self {
            Argument::Word(w) => cow(w),
            Argument::Inline(t, _) => Cow::Owned(t.clone()),
        }
    }

    fn text(&self) -> &str {
        match self {
            Argument::Word(w) => &w.text,
            Argument::Inline(t, _) => t,
        }
    }

    fn span(&self) -> Range<usize> {
        match self {
            Argument::Word(w) => w.span.clone(),
            Argument::Inline(_, s) => s.clone(),
        }
    }

    fn opaque(&self) -> bool {
        matches!(self, Argument::Word(w) if w.opaque)
    }
}

/// `ADDR:PORT`, `[ADDR]:PORT`, `ADDR`, `:PORT`, `ADDR-ADDR:PORT-PORT`: the address and, with its
/// offset in `text`, the port part.
fn split_nat_target(text: &str) -> (Option<&str>, Option<(usize, &str)>) {
    if let Some(rest) = text.strip_prefix('[') {
        return match rest.split_once("]:") {
            Some((address, ports)) => (Some(address), Some((text.len() - ports.len(), ports))),
            None => (Some(rest.trim_end_matches(']')), None),
        };
    }
    match text.matches(':').count() {
        1 => {
            let (address, ports) = text.split_once(':').unwrap_or((text, ""));
            (Some(address), Some((address.len() + 1, ports)))
        }
        // No colon, or an IPv6 address without brackets (and so without a port).
        _ => (Some(text), None),
    }
}

struct Number {
    value: u64,
    /// Written with a leading 0 and read as octal.
    octal: bool,
}

/// A number as C's `strtoul(s, NULL, 0)` reads a whole word: decimal, `0x` hex, or `0` octal.
/// Past 12 digits the value is cut (it is out of range for a port anyway).
fn number(text: &str) -> Option<Number> {
    let bytes = text.as_bytes();
    let (digits, radix, octal) = match bytes {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16, false),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8, true),
        _ => (bytes, 10, false),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for (i, &b) in digits.iter().enumerate() {
        let digit = (b as char).to_digit(radix)?;
        if i < 12 {
            value = value * u64::from(radix) + u64::from(digit);
        }
    }
    Some(Number { value, octal })
}

fn is_count(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `a` is a prefix of `b` or one edit away from it (a swap of two neighbours counts as
/// one).
pub(super) fn close(a: &str, b: &str) -> bool {
    if a.len() >= 3 && b.starts_with(a) {
        return true;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 || a.len() < 3 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let swapped = ra.len() >= 2
        && ra.len() == rb.len()
        && ra[0] == rb[1]
        && ra[1] == rb[0]
        && ra[2..] == rb[2..];
    swapped || ra.get(1..) == rb.get(1..) || ra.get(1..) == Some(rb) || Some(ra) == rb.get(1..)
}

/// `NEW,ESTABLISHED`: the states of a `--ctstate`/`--state` list, or `None` when one is not
/// the packet model's (`SNAT`, `DNAT`) or not a state at all.
fn ct_states(text: &str) -> Option<CtStates> {
    text.split(',')
        .try_fold(CtStates(0), |acc, word| {
            Some(acc.union(CtStates::parse(word)?))
        })
        .filter(|states| states.0 != 0)
}

/// An address list as a typed match (its span filled in by the caller), or `None` when an
/// element is a host name (resolved when the rule loads) or a mask that is not a prefix.
/// Puts the typed match of an address option where its opaque placeholder stands; the match
/// keeps the placeholder's span, the option's (`-s`, `--src-range` included).
fn fill_placeholder(matches: &mut [Match], index: usize, mut typed: Match) {
    if let Some(slot) = matches.get_mut(index) {
        if let Match::Addresses { span, .. } = &mut typed {
            *span = slot.span();
        }
        *slot = typed;
    }
}

fn typed_addresses(
    list: &[crate::frontend::addresses::Element],
    direction: Direction,
    negated: bool,
    span_of: impl Fn(Range<usize>) -> Span,
) -> Option<Match> {
    let mut ranges = Vec::with_capacity(list.len());
    for element in list {
        let (v6, lo, hi) = element.range()?;
        ranges.push(AddressRange {
            v6,
            lo,
            hi,
            span: span_of(element.start..element.end),
        });
    }
    let span = span_of(list.first().map_or(0, |e| e.start)..list.last().map_or(0, |e| e.end));
    Some(Match::Addresses {
        direction,
        negated,
        set: Box::new(AddressSet { ranges, span }),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_strtoul_reads_them() {
        let n = |t: &str| number(t).map(|n| (n.value, n.octal));
        assert_eq!(n("22"), Some((22, false)));
        assert_eq!(n("0"), Some((0, false)));
        assert_eq!(n("0x16"), Some((22, false)));
        assert_eq!(n("022"), Some((18, true)));
        assert_eq!(n("08"), None);
        assert_eq!(n("-1"), None);
        assert_eq!(n("ssh"), None);
    }

    #[test]
    fn nat_targets_split() {
        assert_eq!(
            split_nat_target("10.0.0.1:8080"),
            (Some("10.0.0.1"), Some((9, "8080")))
        );
        assert_eq!(
            split_nat_target("[2001:db8::1]:80-81"),
            (Some("2001:db8::1"), Some((14, "80-81")))
        );
        assert_eq!(split_nat_target("2001:db8::1"), (Some("2001:db8::1"), None));
        assert_eq!(split_nat_target(":80"), (Some(""), Some((1, "80"))));
    }
}
