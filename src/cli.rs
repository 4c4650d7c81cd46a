//! The command line (clap derive). See DESIGN.md "Command line".

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "portlint",
    version,
    about = "Lint firewall rules against the IANA port registry",
    long_about = "Lint firewall rules and policies: nftables rulesets (text and `nft -j` JSON), iptables-save dumps, iptables scripts and portlint's YAML policies. Every port and service name is resolved against the IANA Service Name and Transport Protocol Port Number Registry, and findings are reported with the exact characters they are about.\n\nSettings come from the nearest .portlint.yaml (or --config); the command line overrides them.\n\nExit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 portlint could not do its job (bad arguments, an unreadable path, an invalid configuration)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Use another registry revision: an IANA CSV or XML file (optionally gzipped), or the
    /// legacy `port-numbers` text format
    #[arg(long, value_name = "FILE", global = true)]
    pub registry: Option<PathBuf>,

    /// Resolve service names as a host with this /etc/services would (nft and iptables resolve
    /// names through it, not through IANA)
    #[arg(long, value_name = "FILE", global = true)]
    pub services: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories (walked, .gitignore-aware) and glob patterns to lint
    #[arg(value_name = "PATHS", default_value = ".")]
    pub paths: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When the human format uses colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The lowest severity that makes portlint exit with 1 [default: warning, or the
    /// configuration's `fail-on`]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Read settings from FILE instead of the nearest `.portlint.yaml` (in the current
    /// directory or above)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report only these rules (codes or slugs, comma separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Do not report these rules (codes or slugs, comma separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Look for included files in DIR too, like `nft -I` (repeatable). Includes resolve only
    /// inside the linted directories and these
    #[arg(short = 'I', long = "include-path", value_name = "DIR")]
    pub include_path: Vec<PathBuf>,

    /// Print the number of findings per rule after the report (to stderr with --format json,
    /// sarif or github, so that stdout stays one document)
    #[arg(long)]
    pub statistics: bool,

    /// Judge version-dependent syntax against these releases (PL007), as `nft=1.0.6` or
    /// `nft=1.0.6,iptables=1.8.9` [default: the newest releases, or the configuration's
    /// `target`]
    #[arg(long, value_name = "TOOL=VERSION,...")]
    pub target: Option<crate::check::version_dependent_syntax::Target>,

    /// How to read the files: by their content and name, or as the format named
    #[arg(long, value_enum, default_value_t = InputFormat::Auto, value_name = "FORMAT")]
    pub input_format: InputFormat,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// By content: `nft -j` JSON, iptables-save output (`*filter` …), rule-spec listings
    /// (`-A INPUT …`), a shell script that runs iptables, a YAML policy (`portlint-policy: 1`), or nft text; IPv6 iptables files by their header, name (`rules.v6`) or addresses
    #[default]
    Auto,
    /// nftables text (`nft -f`, `nft list ruleset`)
    Nft,
    /// libnftables JSON (`nft -j list ruleset`, `nft -j -f`)
    NftJson,
    /// iptables-save output, as iptables-restore reads it (IPv4 unless the content says IPv6)
    Iptables,
    /// ip6tables-save output
    Ip6tables,
    /// Rule specifications without tables, one command per line, as `iptables -S` prints them
    /// (`-P INPUT DROP`, `-N web`, `-A INPUT …`; the filter table unless `-t` says otherwise)
    IptablesListing,
    /// Rule specifications as `ip6tables -S` prints them
    Ip6tablesListing,
    /// A shell script of iptables / ip6tables commands
    IptablesScript,
    /// A shell script of ip6tables commands (`iptables` lines count as IPv6 too)
    Ip6tablesScript,
    /// A shell script of nft commands (`nft add rule …` lines, `nft -f - <<EOF` here-documents)
    NftScript,
    /// A portlint YAML policy (`portlint-policy: 1`; docs/policy.md)
    Policy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's graphical report with the source underlined
    Human,
    /// One line per finding: path:line:column: CODE [severity] message
    Concise,
    /// The versioned JSON contract (schemas/portlint-output.schema.json)
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps)
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request
    Github,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look up a port, a port range or a service name in the registry
    Ports(PortsArgs),
    /// Show the registry revision in use, its date and its counts
    Registry(OutputArgs),
    /// Explain a rule, or list every rule
    Rule(RuleArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print the man page (roff): `portlint man > portlint.1`
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: `portlint completions bash > /etc/bash_completion.d/portlint`
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    /// A port (`22`), a range (`6000-6010`) or a service name (`ssh`)
    pub query: String,
    /// Only this transport protocol
    #[arg(long, value_enum)]
    pub proto: Option<ProtoArg>,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`PL101`) or slug (`unassigned-port`)
    pub rule: Option<String>,
    /// List every rule
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProtoArg {
    Tcp,
    Udp,
    Sctp,
    Dccp,
}
