//! Parse + check throughput as the DESIGN budget states it (at least 100 MB/s per core), on the
//! generated rulesets of ../shared/bench/gen-rulesets.py: `cargo bench --bench throughput`.
//!
//! Criterion (`--bench lint`) reports means, and on a shared virtual machine a mean carries the
//! neighbours' load: here its interval moves by a third between runs. This bench times many
//! single runs of the same work and reports the fastest, the median and the mean, so that what
//! the code costs on an idle core (the fastest) and what this machine gave (the median) are
//! both on record. Each run reads and checks the whole file (lex, parse, lower, rule grammar,
//! PL207, every check); its model and findings are freed after the clock stops, as when portlint
//! lints file after file.
//!
//! The bench runs with the allocator setting the binary uses ([`portlint::memory`]): glibc keeps
//! the pages a run frees for the next one, as when portlint lints file after file. With glibc's
//! defaults each run faults its pages in again (`perf stat -e page-faults`: about 77 a run at
//! 1,000 rules, some 2.4 µs each on this virtual machine); to see that cost, run with
//! `PORTLINT_BENCH_MALLOC_DEFAULTS=1`.
//!
//! Pin it to one core for a per-core figure: `taskset -c 1 cargo bench --bench throughput`.

mod common;

use common::{bench_data, read_and_check, read_and_check_iptables};
use portlint::diagnostic::Diagnostic;
use portlint::frontend::resolve::Resolver;
use portlint::model::Ruleset;
use portlint::registry::Registry;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A front end with the checks: nft text or iptables-save output.
type ReadAndCheck = fn(&str, &Registry, &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>);

/// One read + check of `text`, timed; the output is freed after the clock stops.
fn timed_run(
    read: ReadAndCheck,
    text: &str,
    registry: &Registry,
    resolver: &Resolver<'_>,
) -> (Duration, usize) {
    let start = Instant::now();
    let (ruleset, diagnostics) = read(text, registry, resolver);
    let elapsed = start.elapsed();
    let findings = diagnostics.len();
    drop(black_box((ruleset, diagnostics)));
    (elapsed, findings)
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: measure nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(dir) = bench_data() else { return };
    if std::env::var_os("PORTLINT_BENCH_MALLOC_DEFAULTS").is_none() {
        portlint::memory::keep_freed_pages();
    }
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    println!("parse + check, each run timed alone; MB = 10^6 bytes");
    let front_ends: [(&str, ReadAndCheck); 2] = [
        ("nft", read_and_check),
        ("iptables", read_and_check_iptables),
    ];
    for (extension, read) in front_ends {
        for (rules, runs) in [(1_000, 500), (10_000, 100), (100_000, 30)] {
            measure(
                &dir,
                &format!("rules-{rules}.{extension}"),
                runs,
                read,
                &registry,
                &resolver,
            );
        }
    }
}

/// Times `runs` single runs of `read` on one generated ruleset and prints the figures.
fn measure(
    dir: &std::path::Path,
    name: &str,
    runs: usize,
    read: ReadAndCheck,
    registry: &Registry,
    resolver: &Resolver<'_>,
) {
    let text = std::fs::read_to_string(dir.join(name)).expect("ruleset");
    for _ in 0..3 {
        timed_run(read, &text, registry, resolver);
    }
    let mut times = Vec::with_capacity(runs);
    let mut findings = 0;
    for _ in 0..runs {
        let (elapsed, found) = timed_run(read, &text, registry, resolver);
        times.push(elapsed.as_secs_f64());
        findings = found;
    }
    times.sort_by(f64::total_cmp);
    let fastest = times[0];
    let median = times[runs / 2];
    let mean = times.iter().sum::<f64>() / runs as f64;
    let mb = text.len() as f64 / 1e6;
    println!(
        "{name}: {} bytes, {findings} findings, {runs} runs: fastest {:.3} ms ({:.1} MB/s), median {:.3} ms ({:.1} MB/s), mean {:.3} ms",
        text.len(),
        fastest * 1e3,
        mb / fastest,
        median * 1e3,
        mb / median,
        mean * 1e3,
    );
}
