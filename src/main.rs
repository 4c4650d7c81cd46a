//! The `portlint` binary: parse the arguments, run, exit with the code `run` returns.
use clap::Parser;

fn main() -> std::process::ExitCode {
    portlint::memory::keep_freed_pages();
    let cli = match portlint::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; bad arguments exit with 2 (DESIGN.md).
            return std::process::ExitCode::from(if e.use_stderr() {
                portlint::EXIT_TROUBLE
            } else {
                portlint::EXIT_OK
            });
        }
    };
    std::process::ExitCode::from(portlint::run(cli))
}
