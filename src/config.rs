//! `.portlint.yaml`: the project's settings (DESIGN.md "Configuration and suppressions";
//! `schemas/config.schema.json`).
//!
//! Found in the current directory or the nearest one above it, or named with `--config`. Paths
//! in it are relative to its directory. The command line wins over it: `--fail-on`, `--select`,
//! `--ignore`, `-I`, `--registry` and `--services` replace what it says.
//!
//! An invalid file stops the run (exit code 2) with every mistake rendered: a typo in the
//! configuration must never silently lint with defaults.

use crate::check::version_dependent_syntax::Target;
use crate::check::{self, RuleInfo};
use crate::cli::FailOn;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::LocalAssignment;
use crate::source::{FileId, Sources};
use crate::yaml::read::Reader;
use crate::yaml::{Node, Value};
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = ".portlint.yaml";

/// The keys; `schemas/config.schema.json` has the same (a test compares them).
pub const KEYS: &[&str] = &[
    "fail-on",
    "select",
    "ignore",
    "severity",
    "per-file-ignores",
    "include-path",
    "registry",
    "services",
    "target",
];
pub const REGISTRY_KEYS: &[&str] = &["file", "local"];

#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from (none: no file, the defaults).
    pub path: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub select: Vec<&'static RuleInfo>,
    pub ignore: Vec<&'static RuleInfo>,
    pub severity: Vec<(&'static RuleInfo, Severity)>,
    pub per_file_ignores: Vec<(glob::Pattern, Vec<&'static RuleInfo>)>,
    pub include_path: Vec<PathBuf>,
    pub registry_file: Option<PathBuf>,
    pub local: Vec<LocalAssignment>,
    pub services: Option<PathBuf>,
    /// The releases PL007 judges against (`target: nft=1.0.6,iptables=1.8.9`).
    pub target: Option<Target>,
}

/// A configuration that could not be used: its diagnostics, with the file to render them
/// against, or a message when the file could not be read.
pub struct ConfigError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    pub message: String,
}

/// The nearest `.portlint.yaml` from `start` upwards.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Read `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let shown = path.display().to_string();
    let text = match crate::lint::read_file(path) {
        Ok(decoded) if decoded.replaced.is_empty() => decoded.text,
        Ok(decoded) => {
            let offset = decoded.invalid_utf8_at().unwrap_or_default();
            return Err(ConfigError {
                sources: Sources::default(),
                diagnostics: Vec::new(),
                message: format!("{shown}: invalid UTF-8 at byte {offset}"),
            });
        }
        Err(message) => {
            return Err(ConfigError {
                sources: Sources::default(),
                diagnostics: Vec::new(),
                message: format!("{shown}: {message}"),
            })
        }
    };
    let mut sources = Sources::default();
    let file = sources.add(shown.clone(), text);
    let text = &sources.get(file).text;
    let base = path.parent().unwrap_or(Path::new("."));
    let (config, mut diagnostics) = parse(file, text, base);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    if diagnostics.is_empty() {
        Ok(Config {
            path: Some(path.to_path_buf()),
            ..config
        })
    } else {
        let count = diagnostics.len();
        Err(ConfigError {
            sources,
            diagnostics,
            message: format!(
                "{shown}: invalid configuration ({count} problem{}); fix it or name another with --config",
                if count == 1 { "" } else { "s" }
            ),
        })
    }
}

/// Where a committed configuration may point: inside the directory holding it (DESIGN
/// "Robustness"). A pull request can change `.portlint.yaml` as easily as a ruleset, so its
/// `include-path`, `registry: {file}` and `services` must not widen what portlint reads to the
/// CI host's `/` or `/etc/passwd`. The command line (`-I`, `--registry`, `--services`) is the
/// operator's and may name anything.
struct Repository {
    /// The configuration's directory, as written (paths are joined to it).
    base: PathBuf,
    /// The same, symlinks resolved, when it exists.
    canonical: Option<PathBuf>,
}

impl Repository {
    fn new(base: &Path) -> Repository {
        // `.portlint.yaml`'s parent is the empty path: the working directory.
        let dir = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        Repository {
            base: base.to_path_buf(),
            canonical: dir.canonicalize().ok(),
        }
    }

    /// `value` (a path in the configuration) joined to the configuration's directory, or why
    /// it may not be used. Written paths must stay inside (no absolute path, no `..` above
    /// it); a path that exists must stay inside with its symlinks resolved too. Nothing at the
    /// path is read here, and the message never says what is there.
    fn resolve(&self, value: &str) -> Result<PathBuf, String> {
        let written = Path::new(value);
        if written.is_absolute() {
            return Err(format!(
                "`{value}` is an absolute path: a configuration names only paths inside the directory holding it"
            ));
        }
        if climbs_out(written) {
            return Err(format!(
                "`{value}` leads out of the directory holding the configuration"
            ));
        }
        let joined = self.base.join(written);
        if let (Some(root), Ok(target)) = (&self.canonical, joined.canonicalize()) {
            if !target.starts_with(root) {
                return Err(format!(
                    "`{value}` leads out of the directory holding the configuration through a symbolic link"
                ));
            }
        }
        Ok(joined)
    }
}

/// Whether `path` (relative) climbs above its start with `..` at any point.
pub(crate) fn climbs_out(path: &Path) -> bool {
    let mut depth = 0i64;
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// The help for a path a configuration may not name.
fn outside_help(option: &str) -> String {
    format!(
        "a committed configuration is as untrusted as the rulesets beside it, so its paths stay inside its directory; copy the file into the repository, or name it on the command line (`{option}`), which may name anything"
    )
}

/// Read a configuration's text; paths resolve against `base`.
pub fn parse(file: FileId, text: &str, base: &Path) -> (Config, Vec<Diagnostic>) {
    let mut config = Config::default();
    let repository = Repository::new(base);
    let mut reader = Reader::new(file, text);
    let Some(root) = reader.parse("fix the YAML of the configuration") else {
        return (config, reader.diagnostics);
    };
    if root.value == Value::Null {
        // An empty file is the defaults.
        return (config, reader.diagnostics);
    }
    let Some(fields) = reader.map(&root, "the configuration", KEYS) else {
        return (config, reader.diagnostics);
    };
    if let Some(node) = fields.get("fail-on") {
        config.fail_on = match reader.choice(
            node,
            "a `fail-on` level",
            &["error", "warning", "info", "never"],
        ) {
            Some("error") => Some(FailOn::Error),
            Some("warning") => Some(FailOn::Warning),
            Some("info") => Some(FailOn::Info),
            Some(_) => Some(FailOn::Never),
            None => None,
        };
    }
    if let Some(node) = fields.get("select") {
        config.select = rule_list(&mut reader, node, "`select`");
    }
    if let Some(node) = fields.get("ignore") {
        config.ignore = rule_list(&mut reader, node, "`ignore`");
    }
    if let Some(node) = fields.get("severity") {
        for (name, key, value) in reader.named_entries(node, "`severity`") {
            let rule = rule_named(&mut reader, key, name);
            let level = reader.choice(value, "a severity", &["error", "warning", "info"]);
            if let (Some(rule), Some(level)) = (rule, level) {
                let level = match level {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    _ => Severity::Info,
                };
                config.severity.push((rule, level));
            }
        }
    }
    if let Some(node) = fields.get("per-file-ignores") {
        for (pattern, key, value) in reader.named_entries(node, "`per-file-ignores`") {
            let rules = rule_list(&mut reader, value, "a per-file ignore");
            match glob::Pattern::new(pattern) {
                Ok(glob) => config.per_file_ignores.push((glob, rules)),
                Err(e) => reader.error(
                    key.span.clone(),
                    format!("`{pattern}` is not a glob pattern: {}", e.msg),
                    "write a pattern such as `legacy/*.nft` or `**/rules.v4`, relative to the linted paths",
                ),
            }
        }
    }
    if let Some(node) = fields.get("include-path") {
        let help = "list directories, relative to this file: `include-path: [includes]`";
        for item in reader.list(node, "`include-path`", help).unwrap_or(&[]) {
            if let Some(dir) = reader.string(item, "a directory", help) {
                match repository.resolve(dir) {
                    Ok(dir) => config.include_path.push(dir),
                    Err(message) => {
                        reader.error(item.span.clone(), message, outside_help("-I DIR"))
                    }
                }
            }
        }
    }
    if let Some(node) = fields.get("registry") {
        if let Some(registry) = reader.map(node, "`registry`", REGISTRY_KEYS) {
            if let Some(file) = registry.get("file") {
                let help = "name an IANA CSV or XML file, or a legacy port-numbers file, relative to this file";
                if let Some(value) = reader.string(file, "a registry file", help) {
                    match repository.resolve(value) {
                        Ok(path) => config.registry_file = Some(path),
                        Err(message) => reader.error(
                            file.span.clone(),
                            message,
                            outside_help("--registry FILE"),
                        ),
                    }
                }
            }
            if let Some(local) = registry.get("local") {
                config.local = crate::frontend::policy::local_ports(&mut reader, local);
            }
        }
    }
    if let Some(node) = fields.get("services") {
        let help = "name a services(5) file, relative to this file: `services: ci/services`";
        if let Some(file) = reader.string(node, "a services file", help) {
            match repository.resolve(file) {
                Ok(path) => config.services = Some(path),
                Err(message) => reader.error(
                    node.span.clone(),
                    message,
                    outside_help("--services /etc/services"),
                ),
            }
        }
    }
    if let Some(node) = fields.get("target") {
        let help = "name releases as `nft=1.0.6` or `nft=1.0.6,iptables=1.8.9`";
        if let Some(text) = reader.string(node, "a target", help) {
            match Target::parse(text) {
                Ok(target) => config.target = Some(target),
                Err(message) => reader.error(node.span.clone(), message, help),
            }
        }
    }
    (config, reader.diagnostics)
}

fn rule_list(reader: &mut Reader<'_>, node: &Node, what: &str) -> Vec<&'static RuleInfo> {
    let help = "list rule codes or names: `[PL101, dynamic-port]`";
    let mut rules = Vec::new();
    for item in reader.list(node, what, help).unwrap_or(&[]) {
        if let Some(name) = reader.string(item, "a rule code or name", help) {
            if let Some(rule) = rule_named(reader, item, name) {
                rules.push(rule);
            }
        }
    }
    rules
}

fn rule_named(reader: &mut Reader<'_>, node: &Node, name: &str) -> Option<&'static RuleInfo> {
    if let Some(rule) = check::lookup(name) {
        return Some(rule);
    }
    // A code is a number: `PL999` is not a typo of `PL109`. Slugs are words.
    let is_code = name.len() == 5 && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("pl"));
    let near = if is_code {
        None
    } else {
        crate::suggest::did_you_mean(name, check::RULES.iter().map(|r| r.slug))
    };
    let help = match near {
        Some(near) => format!("did you mean `{near}`? `portlint rule --all` lists the rules"),
        None => "`portlint rule --all` lists the rules".to_string(),
    };
    reader.error(
        node.span.clone(),
        format!("no rule is named `{name}`"),
        help,
    );
    None
}

impl Config {
    /// The severity a finding of `rule` is reported with.
    pub fn severity_of(&self, rule: &RuleInfo) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(r, _)| r.code == rule.code)
            .map(|(_, s)| *s)
    }

    /// Whether `per-file-ignores` drops a finding of `rule` in the file shown as `path`.
    /// Patterns are relative to the configuration's directory, as every path in it is; a file
    /// outside that directory is matched by the path as shown.
    pub fn ignored_in(&self, path: &str, rule: &RuleInfo) -> bool {
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..glob::MatchOptions::new()
        };
        let relative = self.relative_to_config(Path::new(path));
        let shown = relative.as_deref().unwrap_or(path);
        self.per_file_ignores.iter().any(|(pattern, rules)| {
            pattern.matches_with(shown, options) && rules.iter().any(|r| r.code == rule.code)
        })
    }

    /// `path` (relative to the current directory, or absolute) relative to the configuration's
    /// directory, with `/` separators, if it is inside it.
    fn relative_to_config(&self, path: &Path) -> Option<String> {
        let cwd = std::env::current_dir().ok()?;
        let dir = normalize(&cwd.join(self.path.as_ref()?.parent()?));
        let file = normalize(&cwd.join(path));
        let relative = file.strip_prefix(&dir).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

/// `a/b/../c` as `a/c`, without asking the file system (the file may be a symlink's name).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
