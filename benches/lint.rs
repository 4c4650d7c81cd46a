//! Parse + check throughput on the generated rulesets of ../shared/bench/gen-rulesets.py
//! (DESIGN budget: at least 100 MB/s per core). Run with `cargo bench --bench lint`.
//!
//! The rulesets are generated into target/bench-data on first use; without ../shared the bench
//! says so and measures nothing. Whole-process timings (`portlint ports 22`, the 100,000-rule
//! file end to end) are taken by benches/whole-process.sh with hyperfine.

mod common;

use common::{bench_data, read_and_check};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use portlint::frontend::resolve::Resolver;
use portlint::registry::Registry;
use portlint::source::FileId;
use std::time::{Duration, Instant};

fn parse_and_check(c: &mut Criterion) {
    let Some(dir) = bench_data() else { return };
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let mut group = c.benchmark_group("parse+check");
    group.sample_size(10);
    for n in [1_000, 10_000, 100_000] {
        let text = std::fs::read_to_string(dir.join(format!("rules-{n}.nft"))).expect("ruleset");
        group.throughput(Throughput::Bytes(text.len() as u64));
        // The front end alone (lex, parse, lower, grammar, PL207), to see where the time goes.
        group.bench_function(format!("read-only/rules-{n}.nft"), |b| {
            b.iter(|| {
                portlint::frontend::nft::read(FileId(0), &text, &resolver)
                    .1
                    .len()
            })
        });
        // Parse + check (the budget): each iteration's model and findings are freed before the
        // next, untimed, as when portlint lints file after file (glibc's malloc may still give
        // freed pages back to the kernel, and the next iteration faults them in again). Freeing
        // is timed in `with-free/`.
        group.bench_function(format!("rules-{n}.nft"), |b| {
            b.iter_custom(|iterations| {
                let mut timed = Duration::ZERO;
                for _ in 0..iterations {
                    let start = Instant::now();
                    let output = read_and_check(&text, &registry, &resolver);
                    timed += start.elapsed();
                    drop(black_box(output));
                }
                timed
            })
        });
        group.bench_function(format!("with-free/rules-{n}.nft"), |b| {
            b.iter(|| read_and_check(&text, &registry, &resolver).1.len())
        });
        // The same on fresh memory: criterion keeps several iterations' outputs alive, so each
        // runs on pages the kernel has yet to fault in, as a single `portlint` process does.
        group.bench_function(format!("fresh-memory/rules-{n}.nft"), |b| {
            b.iter_with_large_drop(|| read_and_check(&text, &registry, &resolver))
        });
    }
    group.finish();
}

fn registry_lookups(c: &mut Criterion) {
    let registry = Registry::embedded();
    c.bench_function("status(port, tcp) for every port", |b| {
        b.iter(|| {
            (0..=u16::MAX)
                .map(|p| registry.status(p, portlint::registry::Proto::Tcp).state as u32)
                .sum::<u32>()
        })
    });
}

/// Each pass of the nft front end and the checks on their own, on the 100,000-rule file: where
/// the time goes (`cargo bench --bench lint -- phase/`).
fn phases(c: &mut Criterion) {
    use portlint::frontend::nft::{grammar, include::Segments, lexer, lower, parser, unused};
    let Some(dir) = bench_data() else { return };
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let text = std::fs::read_to_string(dir.join("rules-100000.nft")).expect("ruleset");
    let segments = Segments::single(FileId(0), text.len());
    let lexed = lexer::tokenize(&text);
    let (tokens, marked) = (lexed.tokens, lexed.marked);
    let parsed = parser::parse(&text, &tokens);
    let lowered = lower::lower(
        &segments, &text, &tokens, &marked, &parsed, &resolver, false,
    );
    let mut group = c.benchmark_group("phase");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("lex", |b| b.iter_with_large_drop(|| lexer::tokenize(&text)));
    group.bench_function("parse", |b| {
        b.iter_with_large_drop(|| parser::parse(&text, &tokens))
    });
    group.bench_function("lower", |b| {
        b.iter_with_large_drop(|| {
            lower::lower(
                &segments, &text, &tokens, &marked, &parsed, &resolver, false,
            )
        })
    });
    group.bench_function("grammar", |b| {
        b.iter(|| {
            let mut errors = 0;
            grammar::for_each_rule(&parsed.items, |rule| {
                errors += usize::from(grammar::check_rule(&text, &tokens, rule).is_some());
            });
            errors
        })
    });
    group.bench_function("unused", |b| {
        b.iter_with_large_drop(|| unused::unused(&text, &tokens, &marked, &parsed.items, &segments))
    });
    group.bench_function("checks", |b| {
        b.iter_with_large_drop(|| {
            let mut out = Vec::new();
            portlint::check::run(
                &portlint::check::Context {
                    registry: &registry,
                    ruleset: &lowered.ruleset,
                },
                &mut out,
            );
            out
        })
    });
    group.finish();
}

criterion_group!(benches, parse_and_check, phases, registry_lookups);
criterion_main!(benches);
