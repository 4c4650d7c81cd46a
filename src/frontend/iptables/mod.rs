//! The iptables front end: `iptables-save` / `iptables-restore` files (`save`) and shell scripts
//! that call iptables (`script`), both read command by command (`command`, with the option
//! tables of `options`) into the same model as nft rulesets.

pub mod command;
pub mod listing;
pub mod options;
pub mod save;
pub mod script;
pub mod words;

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::model::{BaseChain, Chain, Family, Rule, Ruleset, Table, Verdict};
use crate::source::{FileId, Span};
use command::{Action, Command};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

/// Which kind of iptables input a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `iptables-save` output, read by `iptables-restore`.
    Save,
    /// A shell script with `iptables …` command lines.
    Script,
    /// Rule specifications without tables, as `iptables -S` prints them.
    Listing,
}

/// Whether `text` looks like iptables-save output: its first line that is not blank or a
/// comment is a `*table` line (or a chain, rule or COMMIT line of one).
pub fn looks_like_save(text: &str) -> bool {
    let Some(first) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    let table = first
        .strip_prefix('*')
        .map(|rest| rest.split([' ', '\t', '#']).next().unwrap_or(""));
    match table {
        Some(name) => {
            options::TABLES.contains(&name) || (!name.is_empty() && text.contains("\nCOMMIT"))
        }
        None => false,
    }
}

/// Whether `text` looks like a rule-spec listing (`iptables -S` output, rule files without
/// tables): its first lines that are not blank or comments are all `-P CHAIN POLICY`,
/// `-N CHAIN` or `-A CHAIN …` commands (or `-I`, or `-t TABLE` before one).
pub fn looks_like_listing(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(8)
        .peekable();
    lines.peek().is_some() && lines.all(is_listing_command)
}

/// `-A INPUT …`, `-P INPUT DROP`, `-N web`, `-t nat -A …`. (A head cut mid-line may end in
/// a fragment: a line of `-` and a word is enough.)
fn is_listing_command(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let mut command = words.next().unwrap_or("");
    if command == "-t" || command == "--table" {
        let _table = words.next();
        command = words.next().unwrap_or("");
    }
    let chain = words.next().unwrap_or("");
    let is_chain = !chain.is_empty() && !chain.starts_with('-');
    matches!(
        command,
        "-A" | "--append" | "-I" | "--insert" | "-N" | "--new-chain" | "-P" | "--policy"
    ) && is_chain
}

/// Whether `text` looks like a shell script that runs iptables: a line whose command is an
/// iptables program (or a variable the script sets to one).
pub fn looks_like_script(text: &str) -> bool {
    script::has_iptables_command(text)
}

/// The family a file's name points to: `rules.v6`, `ip6tables.rules`, `…-ip6tables…`.
pub fn family_from_name(path: &str) -> Option<Family> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.contains("ip6tables") || name.ends_with(".v6") || name.contains("ipv6") {
        Some(Family::Ip6)
    } else if name.ends_with(".v4") || name.contains("ipv4") {
        Some(Family::Ip)
    } else {
        None
    }
}

/// Read an iptables file into the model. `family` is the user's word (`--input-format
/// ip6tables`) or what the file name says; without it the content decides.
pub fn read(
    file: FileId,
    text: &str,
    resolver: &crate::frontend::resolve::Resolver<'_>,
    format: Format,
    family: Option<Family>,
) -> (Ruleset, Vec<Diagnostic>) {
    match format {
        Format::Save => save::read(file, text, resolver, family),
        Format::Script => script::read(file, text, resolver, family),
        Format::Listing => listing::read(file, text, resolver, family),
    }
}

/// A table being built.
struct TableState {
    table: Table,
    /// A restore file declares its chains (`:NAME`); a script may add to chains it did not create
    /// (another tool's, such as Docker's `DOCKER-USER`).
    strict: bool,
    /// The file holds the whole table: a restore section that declares a built-in chain
    /// (`:INPUT ACCEPT [0:0]`), as iptables-save writes it. A section without one is a fragment
    /// loaded into an existing table (`iptables-restore --noflush`, ufw's `before.rules`): its
    /// chains may be made and jumped to elsewhere, so neither PL003 nor PL207 is said of them.
    whole: bool,
    /// `-j`/`-g` targets that are not known targets, checked once the table is whole.
    jumps: Vec<(String, Span)>,
    /// Chains a script flushed (`-F`, `-F NAME`): their rules from then on are all the
    /// script's, so with a policy set (`-P`) the chain is whole (`BaseChain::whole`).
    flushed: HashSet<String>,
    /// Chains a script names in any command.
    mentioned: HashSet<String>,
    /// User chains the file itself creates (`:NAME - [0:0]`, `-N NAME`), for PL207.
    declared: HashSet<String>,
    /// Each chain's index in `table.chains` (the first of equal names): a command finds its
    /// chain by a lookup, not a scan (kube-proxy's dumps have tens of thousands of chains).
    chains_by_name: HashMap<String, usize>,
    /// `removed[i]`: chain `i` was deleted (`-X NAME`) and waits in `table.chains` until the
    /// next compaction, so that each of kube-proxy's many `-X` costs a lookup, not a rebuild of
    /// the index. A removed chain is in neither index.
    removed: Vec<bool>,
    removed_count: usize,
    /// Two chains share a name (a rename iptables refuses): `-X NAME` then compacts, to remove
    /// both.
    duplicates: bool,
    /// Each ASCII-lower-case name's chains, for "did you mean" in another case: built on the
    /// first miss, then kept up to date.
    folded: Option<HashMap<String, BTreeSet<usize>>>,
    /// What is left of the table's budget of name comparisons for "did you mean" a near chain
    /// name: a search costs a scan of the chains, so it is bounded, not done for each of
    /// 50,000 jumps to missing chains.
    near_budget: usize,
}

/// The name comparisons one table may spend on near chain names: every jump to a missing
/// chain in an ordinary file, about 60 full searches of 100,000 chains.
const NEAR_BUDGET: usize = 1 << 22;

impl TableState {
    fn new(table: Table, strict: bool) -> TableState {
        TableState {
            table,
            strict,
            whole: !strict,
            jumps: Vec::new(),
            flushed: HashSet::new(),
            mentioned: HashSet::new(),
            declared: HashSet::new(),
            chains_by_name: HashMap::new(),
            removed: Vec::new(),
            removed_count: 0,
            duplicates: false,
            folded: None,
            near_budget: NEAR_BUDGET,
        }
    }

    fn chain_index(&self, name: &str) -> Option<usize> {
        self.chains_by_name.get(name).copied()
    }

    fn push_chain(&mut self, chain: Chain) {
        let index = self.table.chains.len();
        self.chains_by_name
            .entry(chain.name.clone())
            .or_insert(index);
        if let Some(folded) = &mut self.folded {
            folded
                .entry(chain.name.to_ascii_lowercase())
                .or_default()
                .insert(index);
        }
        self.table.chains.push(chain);
        self.removed.push(false);
    }

    /// The first chain, in table order, whose name is `name` but for ASCII case.
    fn in_other_case(&mut self, name: &str) -> Option<&Chain> {
        let folded = self.folded.get_or_insert_with(|| {
            let mut folded: HashMap<String, BTreeSet<usize>> = HashMap::new();
            for (index, chain) in self.table.chains.iter().enumerate() {
                if !self.removed.get(index).copied().unwrap_or(false) {
                    folded
                        .entry(chain.name.to_ascii_lowercase())
                        .or_default()
                        .insert(index);
                }
            }
            folded
        });
        let index = *folded.get(&name.to_ascii_lowercase())?.first()?;
        self.table.chains.get(index)
    }

    /// The first chain, in table order, that [`command::close`] finds near `name`, while the
    /// table's budget lasts.
    fn near_chain(&mut self, name: &str) -> Option<&str> {
        if self.near_budget < self.table.chains.len() {
            return None;
        }
        let found = self
            .table
            .chains
            .iter()
            .position(|c| command::close(name, &c.name));
        self.near_budget -= found.map_or(self.table.chains.len(), |i| i + 1);
        found
            .and_then(|i| self.table.chains.get(i))
            .map(|c| c.name.as_str())
    }

    /// Deletes the user chain `name` (`-X NAME`); a built-in chain stays.
    fn delete_chain(&mut self, name: &str) {
        let Some(index) = self.chain_index(name) else {
            return;
        };
        if self.duplicates {
            self.retain_chains(|c| c.name != name || c.base.is_some());
            return;
        }
        let Some(chain) = self.table.chains.get(index) else {
            return;
        };
        if chain.base.is_some() {
            return;
        }
        if let Some(folded) = &mut self.folded {
            if let Some(indices) = folded.get_mut(&chain.name.to_ascii_lowercase()) {
                indices.remove(&index);
            }
        }
        self.chains_by_name.remove(name);
        if let Some(removed) = self.removed.get_mut(index) {
            *removed = true;
            self.removed_count += 1;
        }
    }

    /// Removes the chains deleted so far and those `keep` refuses; the others' indices move, so
    /// the index is rebuilt.
    fn retain_chains(&mut self, mut keep: impl FnMut(&Chain) -> bool) {
        let removed = std::mem::take(&mut self.removed);
        let mut index = 0;
        self.table.chains.retain(|chain| {
            let gone = removed.get(index).copied().unwrap_or(false);
            index += 1;
            !gone && keep(chain)
        });
        self.removed = vec![false; self.table.chains.len()];
        self.removed_count = 0;
        self.folded = None;
        self.duplicates = false;
        self.chains_by_name.clear();
        for (index, chain) in self.table.chains.iter().enumerate() {
            match self.chains_by_name.entry(chain.name.clone()) {
                Entry::Occupied(_) => self.duplicates = true,
                Entry::Vacant(entry) => {
                    entry.insert(index);
                }
            }
        }
    }

    /// Drops the deleted chains from `table.chains`.
    fn compact(&mut self) {
        if self.removed_count > 0 {
            self.retain_chains(|_| true);
        }
    }

    fn rename_chain(&mut self, index: usize, to: &str) {
        let Some(chain) = self.table.chains.get_mut(index) else {
            return;
        };
        let from = std::mem::replace(&mut chain.name, to.to_string());
        if self.chains_by_name.contains_key(to) {
            // Two chains of one name (iptables refuses the rename): the first is found, as
            // before the rename.
            self.retain_chains(|_| true);
            return;
        }
        if self.chains_by_name.get(&from) == Some(&index) {
            self.chains_by_name.remove(&from);
        }
        self.chains_by_name.insert(to.to_string(), index);
        if let Some(folded) = &mut self.folded {
            if let Some(indices) = folded.get_mut(&from.to_ascii_lowercase()) {
                indices.remove(&index);
            }
            folded
                .entry(to.to_ascii_lowercase())
                .or_default()
                .insert(index);
        }
    }
}

/// Tables and chains as the commands build them.
pub(crate) struct Builder {
    file: FileId,
    tables: Vec<TableState>,
    /// The first table of each family and name, which a command that may add to a table finds.
    tables_by_name: HashMap<(Family, String), usize>,
    pub diagnostics: Vec<Diagnostic>,
    /// An IPv6 address or protocol was seen.
    pub saw_ipv6: bool,
}

impl Builder {
    pub fn new(file: FileId) -> Builder {
        Builder {
            file,
            tables: Vec::new(),
            tables_by_name: HashMap::new(),
            diagnostics: Vec::new(),
            saw_ipv6: false,
        }
    }

    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    /// The table `(family, name)`, created when new.
    pub fn table(&mut self, family: Family, name: &str, span: Range<usize>, strict: bool) -> usize {
        let key = (family, name.to_string());
        match self.tables_by_name.get(&key) {
            Some(&index) if !strict => return index,
            Some(_) => {}
            None => {
                self.tables_by_name.insert(key, self.tables.len());
            }
        }
        let table = Table {
            family,
            name: name.to_string(),
            span: self.span(span),
            chains: Vec::new(),
        };
        self.tables.push(TableState::new(table, strict));
        self.tables.len() - 1
    }

    /// Declares a chain (`:NAME POLICY` or `-N NAME`); a built-in chain gets its hook and
    /// policy.
    pub fn declare_chain(
        &mut self,
        table: usize,
        name: &str,
        span: Range<usize>,
        policy: Option<Verdict>,
    ) {
        let span = self.span(span);
        let Some(state) = self.tables.get_mut(table) else {
            return;
        };
        // A restore section replaces the table, so a declared policy makes the chain whole; a
        // script's chain is whole once flushed and given a policy.
        let whole = policy.is_some()
            && (state.strict || state.flushed.contains(name) || state.flushed.contains(ALL_CHAINS));
        if let Some(index) = state.chain_index(name) {
            let chain = &mut state.table.chains[index];
            if let (Some(base), Some(policy)) = (chain.base.as_mut(), policy) {
                base.policy = Some(policy);
                base.policy_span = Some(span);
                base.whole |= whole;
            }
            return;
        }
        let base = options::is_builtin_chain(&state.table.name, name).then(|| BaseChain {
            whole,
            ..base_chain(&state.table.name, name, policy, span)
        });
        state.push_chain(Chain {
            name: name.to_string(),
            span,
            base,
            rules: Vec::new(),
            sequence_known: true,
        });
    }

    /// The policy's own word (`ACCEPT` of `-P INPUT ACCEPT` or `:INPUT ACCEPT`) is where a
    /// finding about it points.
    pub fn point_policy_at(&mut self, table: usize, chain_name: &str, span: Range<usize>) {
        let policy_span = self.span(span);
        if let Some(base) = self.tables.get_mut(table).and_then(|state| {
            let index = state.chain_index(chain_name)?;
            state.table.chains.get_mut(index)?.base.as_mut()
        }) {
            base.policy_span = Some(policy_span);
        }
    }

    /// A chain the file creates by name (`:NAME - [0:0]`, `-N NAME`): a user chain is reported
    /// (PL207) when nothing jumps to it.
    pub fn declare_user_chain(&mut self, table: usize, name: &str, span: Range<usize>) {
        self.declare_chain(table, name, span, None);
        if let Some(state) = self.tables.get_mut(table) {
            let builtin = options::is_builtin_chain(&state.table.name, name);
            if !builtin && !state.declared.contains(name) {
                state.declared.insert(name.to_string());
            }
        }
    }

    /// Marks a restore table as whole: it declares a built-in chain.
    pub fn mark_whole(&mut self, table: usize) {
        if let Some(state) = self.tables.get_mut(table) {
            state.whole = true;
        }
    }

    /// The chain a command changes: declared, built in (created on first use), or — in a
    /// script — any chain (another tool may have made it). PL003 when a restore file uses a
    /// chain it does not declare.
    fn chain_for(&mut self, table: usize, name: &str, span: Range<usize>) -> Option<usize> {
        let state = self.tables.get_mut(table)?;
        if let Some(index) = state.chain_index(name) {
            return Some(index);
        }
        let builtin = options::is_builtin_chain(&state.table.name, name);
        if builtin || !state.strict || !state.whole {
            state.mentioned.insert(name.to_string());
            self.declare_chain(table, name, span, None);
            return self.tables.get(table).map(|t| t.table.chains.len() - 1);
        }
        let table_name = state.table.name.clone();
        let help = match state.in_other_case(name) {
            Some(c) => format!("did you mean `{}`? Chain names are case-sensitive", c.name),
            None => format!("declare it at the top of the table with `:{name} - [0:0]`"),
        };
        let message = if options::builtin_chains("mangle").contains(&name) {
            format!("table `{table_name}` has no chain `{name}` (it is not one of this table's built-in chains)")
        } else {
            format!("table `{table_name}` has no chain `{name}`")
        };
        self.diagnostics.push(
            Diagnostic::new(&check::undefined_reference::RULE, self.span(span), message)
                .with_help(help),
        );
        None
    }

    /// Carries out a command on a table.
    /// (By reference: a command is a few hundred bytes, and this runs for every rule.)
    pub fn apply(&mut self, table: usize, command: &mut Command) {
        if command.ipv6_address {
            self.saw_ipv6 = true;
        }
        let Some((chain_name, chain_span)) = command.chain.take() else {
            match command.action {
                Action::Flush => {
                    if let Some(state) = self.tables.get_mut(table) {
                        state.flushed.insert(ALL_CHAINS.to_string());
                    }
                    self.each_chain(table, flush)
                }
                Action::DeleteChain => {
                    if let Some(state) = self.tables.get_mut(table) {
                        state.retain_chains(|c| c.base.is_some());
                    }
                }
                _ => {}
            }
            return;
        };
        if let Some(state) = self.tables.get_mut(table) {
            if !state.strict {
                state.mentioned.insert(chain_name.to_string());
            }
        }
        match &command.action {
            Action::NewChain => self.declare_user_chain(table, &chain_name, chain_span),
            Action::DeleteChain => {
                if let Some(state) = self.tables.get_mut(table) {
                    state.delete_chain(&chain_name);
                }
            }
            Action::Flush => {
                if let Some(state) = self.tables.get_mut(table) {
                    state.flushed.insert(chain_name.to_string());
                }
                if let Some(index) = self.existing_chain(table, &chain_name) {
                    flush(&mut self.tables[table].table.chains[index]);
                }
            }
            Action::Policy { target, span } => {
                let policy = Verdict::from_word(&target.to_ascii_lowercase());
                let builtin = self
                    .tables
                    .get(table)
                    .is_some_and(|t| options::is_builtin_chain(&t.table.name, &chain_name));
                if !builtin {
                    self.diagnostics.push(
                        Diagnostic::new(
                            &check::syntax_error::RULE,
                            self.span(chain_span),
                            format!("`{chain_name}` is not a built-in chain, so it has no policy"),
                        )
                        .with_help("only built-in chains (INPUT, FORWARD, OUTPUT, …) have a policy; end a user chain with a rule such as `-A CHAIN -j DROP`"),
                    );
                    return;
                }
                self.declare_chain(table, &chain_name, chain_span, policy);
                self.point_policy_at(table, &chain_name, span.clone());
            }
            Action::Rename { to, .. } => {
                if let Some(index) = self.existing_chain(table, &chain_name) {
                    let state = &mut self.tables[table];
                    state.rename_chain(index, to);
                    if state.declared.contains(&*chain_name) {
                        state.declared.insert(to.to_string());
                    }
                    state.mentioned.insert(to.to_string());
                }
            }
            Action::Append | Action::Insert(_) | Action::Replace(_) => {
                let Some(rule) = command.rule.take() else {
                    return;
                };
                let Some(index) = self.chain_for(table, &chain_name, chain_span) else {
                    return;
                };
                if let Some(target) = &command.target {
                    self.note_jump(table, &rule, target.name_span.clone());
                }
                let rules = &mut self.tables[table].table.chains[index].rules;
                match command.action {
                    Action::Insert(position) => {
                        let at = position.map_or(0, |n| (n - 1).min(rules.len()));
                        rules.insert(at, rule);
                    }
                    Action::Replace(n) => {
                        if let Some(slot) = rules.get_mut(n - 1) {
                            *slot = rule;
                        }
                    }
                    _ => rules.push(rule),
                }
            }
            &Action::Delete(Some(n)) => {
                if let Some(index) = self.existing_chain(table, &chain_name) {
                    let rules = &mut self.tables[table].table.chains[index].rules;
                    if n <= rules.len() {
                        rules.remove(n - 1);
                    }
                }
            }
            // `-D CHAIN RULE` (deletes a rule equal to RULE, which is not modelled), `-C`, `-Z`,
            // `-L`: nothing to build.
            _ => {}
        }
    }

    fn existing_chain(&self, table: usize, name: &str) -> Option<usize> {
        self.tables.get(table)?.chain_index(name)
    }

    fn each_chain(&mut self, table: usize, mut f: impl FnMut(&mut Chain)) {
        if let Some(state) = self.tables.get_mut(table) {
            state.table.chains.iter_mut().for_each(&mut f);
        }
    }

    /// Records a jump to a chain, checked when the table is whole.
    fn note_jump(&mut self, table: usize, rule: &Rule, name_span: Range<usize>) {
        if let Some((Verdict::Jump(name) | Verdict::Goto(name), _)) = &rule.verdict {
            let span = self.span(name_span);
            if let Some(state) = self.tables.get_mut(table) {
                state.jumps.push((name.to_string(), span));
            }
        }
    }

    /// The ruleset, with PL003 for every jump to a chain the table does not have and PL207 for
    /// every user chain the file creates that nothing jumps to.
    pub fn finish(mut self, family: Option<Family>) -> (Ruleset, Vec<Diagnostic>) {
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        let mut tables = Vec::with_capacity(self.tables.len());
        for mut state in self.tables {
            if let Some(family) = family {
                state.table.family = family;
            }
            state.compact();
            let jumps = if state.whole {
                std::mem::take(&mut state.jumps)
            } else {
                Vec::new()
            };
            for (name, span) in &jumps {
                let exists = state.chain_index(name).is_some()
                    || (!state.strict && state.mentioned.contains(name));
                if !exists {
                    diagnostics.push(undefined_chain(&mut state, name, *span));
                }
            }
            if state.whole {
                state.jumps = jumps;
            }
            let jumped_to: HashSet<&str> = state.jumps.iter().map(|(name, _)| &name[..]).collect();
            for chain in &state.table.chains {
                let declared = chain.base.is_none() && state.declared.contains(&chain.name);
                if state.whole && declared && !jumped_to.contains(chain.name.as_str()) {
                    diagnostics.push(unused_chain(&chain.name, chain.span));
                }
            }
            tables.push(state.table);
        }
        (
            Ruleset {
                file: self.file,
                tables,
            },
            diagnostics,
        )
    }
}

/// PL207 for a user chain nothing jumps to.
fn unused_chain(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &check::unused_definition::RULE,
        span,
        format!("chain `{name}` is never jumped to"),
    )
    .with_help(format!(
        "a user chain sees packets only through `-j {name}` or `-g {name}`; add the jump, or remove the chain"
    ))
}

/// PL003 for `-j NAME` where NAME is neither a chain of the table nor a target iptables has.
/// (Its near chain names are searched within the table's budget, [`NEAR_BUDGET`].)
fn undefined_chain(state: &mut TableState, name: &str, span: Span) -> Diagnostic {
    let upper = name.to_ascii_uppercase();
    let near_target = options::TARGETS
        .iter()
        .map(|t| t.name)
        .chain(options::OTHER_TARGETS.iter().copied())
        .find(|t| command::close(name, t));
    let help = if options::is_known_target(&upper) {
        format!("targets are upper case: did you mean `-j {upper}`?")
    } else if let Some(chain) = state.in_other_case(name) {
        format!(
            "did you mean `{}`? Chain names are case-sensitive",
            chain.name
        )
    } else if let Some(near) = near_target.or_else(|| state.near_chain(name)) {
        format!("did you mean `{near}`?")
    } else {
        format!("create the chain first (`:{name} - [0:0]` in a restore file, `iptables -N {name}` in a script), or fix the name; if {name} is a target extension portlint does not know, this is a false alarm: suppress it")
    };
    Diagnostic::new(
        &check::undefined_reference::RULE,
        span,
        format!(
            "`{name}` is neither a chain of table `{}` nor a target iptables knows",
            state.table.name
        ),
    )
    .with_help(help)
}

/// In `TableState::flushed`: `-F` with no chain, every chain of the table.
const ALL_CHAINS: &str = "*";

/// `-F`: the chain's rules are gone, and with a policy set it is now whole.
fn flush(chain: &mut Chain) {
    chain.rules.clear();
    if let Some(base) = chain.base.as_mut() {
        base.whole |= base.policy.is_some();
    }
}

/// A built-in chain as a base chain: its hook, its table's type and priority, and its policy.
fn base_chain(table: &str, chain: &str, policy: Option<Verdict>, declared: Span) -> BaseChain {
    let hook = options::hook_of(chain);
    let chain_type = match (table, chain) {
        ("nat", _) => "nat",
        ("mangle", "OUTPUT") => "route",
        _ => "filter",
    };
    let priority = match (table, chain) {
        ("nat", "PREROUTING" | "OUTPUT") => "dstnat",
        ("nat", _) => "srcnat",
        (other, _) => other,
    };
    BaseChain {
        chain_type: chain_type.to_string(),
        hook,
        priority: Some(priority.to_string()),
        policy,
        policy_span: Some(declared),
        // Set once the file shows the chain from its start (see `TableState::flushed`).
        whole: false,
    }
}
