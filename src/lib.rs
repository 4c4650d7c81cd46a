//! portlint: a firewall rule linter and policy checker.
//!
//! The pipeline of DESIGN.md: [`discover`] → [`frontend`] → [`check`] → [`report`], driven by
//! [`lint`]; the [`registry`] answers what IANA says about every port.

pub mod analysis;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod files;
pub mod frontend;
pub mod lint;
pub mod memory;
pub mod model;
pub mod port_text;
pub mod registry;
pub mod report;
pub mod rule_info;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod yaml;

use cli::{Cli, Command, FailOn, Format};
use diagnostic::Severity;
use std::io::{IsTerminal, Write};

/// Exit codes (DESIGN.md): nothing at or above `--fail-on`; findings at or above it; portlint
/// could not do its job.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

/// Run the command line; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    // Only a lint run reads the configuration.
    let config = if cli.command.is_none() {
        match load_config(&cli) {
            Ok(config) => config,
            Err(code) => return code,
        }
    } else {
        config::Config::default()
    };
    let registry_file = cli
        .registry
        .registry
        .as_ref()
        .or(config.registry_file.as_ref());
    let registry = match registry_file {
        Some(path) => match registry::Registry::load(path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("portlint: {e}");
                eprintln!("  --registry takes IANA's service-names-port-numbers CSV or XML (optionally gzipped) or a legacy port-numbers text file");
                return EXIT_TROUBLE;
            }
        },
        None => registry::Registry::embedded(),
    };
    let mut registry = registry;
    registry.extend_local(&config.local);
    let result = match &cli.command {
        Some(Command::Ports(args)) => commands::ports(args, &registry).map(|(text, found)| {
            print(&text);
            if found {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            }
        }),
        Some(Command::Registry(args)) => commands::registry(args.format, &registry).map(|text| {
            print(&text);
            EXIT_OK
        }),
        Some(Command::Rule(args)) => commands::rule(args).map(|text| {
            print(&text);
            EXIT_OK
        }),
        Some(Command::Completions(args)) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut command, "portlint", &mut out);
            print(&String::from_utf8_lossy(&out));
            Ok(EXIT_OK)
        }
        Some(Command::Man) => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(|e| format!("cannot write the man page: {e}"))
                .map(|()| {
                    print(&String::from_utf8_lossy(&out));
                    EXIT_OK
                })
        }
        None => run_lint(&cli, &config, &registry),
    };
    result.unwrap_or_else(|message| {
        eprintln!("portlint: {message}");
        EXIT_TROUBLE
    })
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`portlint … | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn rules_named(names: &[String]) -> Result<Vec<&'static check::RuleInfo>, String> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            check::lookup(n.trim()).ok_or_else(|| {
                format!(
                    "no rule is named `{}`; `portlint rule --all` lists them",
                    n.trim()
                )
            })
        })
        .collect()
}

/// `--config FILE`, or the nearest `.portlint.yaml`, or the defaults. An invalid file is
/// rendered on stderr and ends the run with exit code 2.
fn load_config(cli: &Cli) -> Result<config::Config, u8> {
    let path = match &cli.lint.config {
        Some(path) => Some(path.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| config::find(&dir))
            .map(|found| relative_to_cwd(&found)),
    };
    let Some(path) = path else {
        return Ok(config::Config::default());
    };
    config::load(&path).map_err(|error| {
        if !error.diagnostics.is_empty() {
            let meta = registry::Registry::embedded().meta;
            let report = report::Report {
                sources: &error.sources,
                diagnostics: &error.diagnostics,
                summary: report::Summary::of(error.sources.len(), &error.diagnostics),
                registry: &meta,
                path_errors: &[],
            };
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let style = if color {
                report::human::Style::Color
            } else {
                report::human::Style::Plain
            };
            let text = report::human::render(&report, style, terminal_width());
            eprint!("{text}");
        }
        eprintln!("portlint: {}", error.message);
        EXIT_TROUBLE
    })
}

/// A path found above the current directory, shown relative to it where it is inside it.
fn relative_to_cwd(path: &std::path::Path) -> std::path::PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

fn run_lint(
    cli: &Cli,
    config: &config::Config,
    registry: &registry::Registry,
) -> Result<u8, String> {
    let args = &cli.lint;
    // The command line replaces what the configuration says.
    let filter = lint::RuleFilter {
        select: if args.select.is_empty() {
            config.select.clone()
        } else {
            rules_named(&args.select)?
        },
        // A selection on the command line is the user's word for this run: the configuration's
        // `ignore` does not take its rules away again.
        ignore: if args.ignore.is_empty() && args.select.is_empty() {
            config.ignore.clone()
        } else if args.ignore.is_empty() {
            Vec::new()
        } else {
            rules_named(&args.ignore)?
        },
    };
    let services_file = cli.registry.services.as_ref().or(config.services.as_ref());
    let services = match services_file {
        Some(path) => Some(registry::services::Services::load(path)?),
        None => None,
    };
    let resolver = frontend::resolve::Resolver::new(registry).with_services(services.as_ref());
    let options = lint::LintOptions {
        include_paths: if args.include_path.is_empty() {
            config.include_path.clone()
        } else {
            args.include_path.clone()
        },
        input: args.input_format,
        target: args.target.or(config.target).unwrap_or_default(),
    };
    let mut outcome = lint::lint_files(&args.paths, &resolver, &filter, &options);
    apply_config(config, &mut outcome);
    let summary = report::Summary::of(outcome.sources.len(), &outcome.diagnostics);
    let report = report::Report {
        sources: &outcome.sources,
        diagnostics: &outcome.diagnostics,
        summary,
        registry: &registry.meta,
        path_errors: &outcome.path_errors,
    };
    let stdout = std::io::stdout();
    let color = match args.color {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match args.format {
        Format::Json => report::json::write(&report, &mut out),
        Format::Concise => report::concise::write(&report, &mut out),
        Format::Sarif => report::sarif::write(&report, &mut out),
        Format::Github => report::github::write(&report, &mut out),
        Format::Human => {
            let style = if color {
                report::human::Style::Color
            } else {
                report::human::Style::Plain
            };
            report::human::write(&report, style, terminal_width(), &mut out)
        }
    }
    .and_then(|()| out.flush());
    drop(out);
    // A closed pipe (`portlint … | head`) ends the output early; that is not a failure.
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(format!("cannot write the report: {e}"));
        }
    }
    if args.statistics {
        // A machine format's stdout stays one document: its table goes to stderr.
        match args.format {
            Format::Json | Format::Sarif | Format::Github => {
                eprint!("{}", statistics(&outcome.diagnostics));
            }
            Format::Human | Format::Concise => print(&statistics(&outcome.diagnostics)),
        }
    }
    for error in &outcome.path_errors {
        eprintln!("portlint: {}: {}", error.path, error.message);
    }
    if !outcome.path_errors.is_empty() {
        return Ok(EXIT_TROUBLE);
    }
    let threshold = match args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// The configuration's `per-file-ignores` and `severity`, applied to a run's findings.
fn apply_config(config: &config::Config, outcome: &mut lint::Outcome) {
    if !config.per_file_ignores.is_empty() {
        let sources = &outcome.sources;
        outcome
            .diagnostics
            .retain(|d| !config.ignored_in(&sources.get(d.span.file).path, d.rule));
    }
    for d in &mut outcome.diagnostics {
        if let Some(severity) = config.severity_of(d.rule) {
            d.severity = severity;
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

fn statistics(diagnostics: &[diagnostic::Diagnostic]) -> String {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for d in diagnostics {
        match counts.iter_mut().find(|(code, _, _)| *code == d.rule.code) {
            Some(entry) => entry.2 += 1,
            None => counts.push((d.rule.code, d.rule.slug, 1)),
        }
    }
    counts.sort();
    counts
        .iter()
        .map(|(code, slug, n)| format!("{n:>7}  {code}  {slug}\n"))
        .collect()
}
