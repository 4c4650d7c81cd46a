//! The two maintained BDD crates DESIGN names, measured on the work the analyses give them:
//! `cargo bench --bench engines -- biodivine` and `-- oxidd`, each in its own process so that
//! its peak memory is its own (`VmHWM`).
//!
//! Input: `rules-100000.nft` of ../shared/bench/gen-rulesets.py, read by portlint; each rule's
//! footprint (source prefix, protocols, destination ports) is its packet set, encoded as the
//! analysis encodes it (protocol 8 bits, then destination port 16, then the source address 128
//! with an IPv4 address in the last 32). Three phases, timed apart:
//! - build: every rule's set, a conjunction of per-field unions of prefix cubes;
//! - pairs: each rule intersected with and subtracted from the one before (the sweep's operations
//!   on small sets);
//! - union: all sets in one, pairwise in a balanced tree (PL206's fall-through).

#[allow(dead_code)] // this bench reads the rulesets only
mod common;

use portlint::analysis::footprint::{Footprint, DST_PORT, PROTOCOLS, SRC_ADDR};
use portlint::analysis::lower::Interfaces;
use portlint::analysis::packets::range_prefixes;
use portlint::frontend::resolve::Resolver;
use portlint::registry::Registry;
use std::time::Instant;

const L4_BITS: u16 = 8;
const PORT_BITS: u16 = 16;
const ADDR_BITS: u16 = 128;
const VARS: u16 = L4_BITS + PORT_BITS + ADDR_BITS;

/// One field's values as prefix cubes: (first variable, bits fixed as (variable, value)).
type Cube = Vec<(u16, bool)>;

/// The cubes of `lo..=hi` in the `width` bits starting at variable `first` (the field's last
/// `width` bits when `skip` > 0: an IPv4 address in the address field).
fn cubes(first: u16, skip: u16, width: u16, lo: u128, hi: u128) -> Vec<Cube> {
    range_prefixes(lo, hi, width)
        .into_iter()
        .map(|(value, len)| {
            (0..len)
                .map(|bit| (first + skip + bit, (value >> (width - 1 - bit)) & 1 == 1))
                .collect()
        })
        .collect()
}

/// A rule as a conjunction of fields, each a union of cubes (an empty list: any value).
fn fields_of(footprint: &Footprint) -> Vec<Vec<Cube>> {
    let mut fields = Vec::new();
    if footprint.l4 != PROTOCOLS {
        let bits = footprint.l4;
        let numbers = [6u128, 17, 132, 33, 136];
        let mut field = Vec::new();
        for (i, number) in numbers.iter().enumerate() {
            if bits & (1 << i) != 0 {
                field.extend(cubes(0, 0, L4_BITS, *number, *number));
            }
        }
        fields.push(field);
    }
    if let Some(ports) = footprint.dim(DST_PORT) {
        fields.push(
            ports
                .iter()
                .flat_map(|(lo, hi)| cubes(L4_BITS, 0, PORT_BITS, *lo, *hi))
                .collect(),
        );
    }
    if let Some(addresses) = footprint.dim(SRC_ADDR) {
        fields.push(
            addresses
                .iter()
                .flat_map(|(lo, hi)| cubes(L4_BITS + PORT_BITS, 96, 32, *lo, *hi))
                .collect(),
        );
    }
    fields
}

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn report(engine: &str, rules: usize, times: [f64; 3], nodes: usize, base_kb: u64) {
    println!(
        "{engine}: {rules} rules; build {:.3} s, pairs {:.3} s, union {:.3} s; union has {nodes} nodes; peak RSS {} MB ({} MB above the model)",
        times[0],
        times[1],
        times[2],
        peak_kb() / 1024,
        peak_kb().saturating_sub(base_kb) / 1024
    );
}

mod biodivine {
    use super::*;
    use biodivine_lib_bdd::{Bdd, BddPartialValuation, BddVariable, BddVariableSet};

    fn field(vars: &BddVariableSet, cubes: &[Cube]) -> Bdd {
        let cubes: Vec<BddPartialValuation> = cubes
            .iter()
            .map(|cube| {
                BddPartialValuation::from_values_iter(
                    cube.iter()
                        .map(|(v, b)| (BddVariable::from_index(usize::from(*v)), *b)),
                )
            })
            .collect();
        vars.mk_dnf(&cubes)
    }

    fn union(sets: &[Bdd], vars: &BddVariableSet) -> Bdd {
        match sets {
            [] => vars.mk_false(),
            [one] => one.clone(),
            _ => {
                let (l, r) = sets.split_at(sets.len() / 2);
                union(l, vars).or(&union(r, vars))
            }
        }
    }

    pub fn run(rules: &[Vec<Vec<Cube>>], base_kb: u64) {
        let vars = BddVariableSet::new_anonymous(VARS);
        let start = Instant::now();
        let sets: Vec<Bdd> = rules
            .iter()
            .map(|fields| {
                fields
                    .iter()
                    .fold(vars.mk_true(), |set, cubes| set.and(&field(&vars, cubes)))
            })
            .collect();
        let build = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let mut kept = 0usize;
        for pair in sets.windows(2) {
            let both = pair[1].and(&pair[0]);
            let rest = pair[1].and_not(&pair[0]);
            kept += usize::from(both.is_false()) + usize::from(rest.is_false());
        }
        std::hint::black_box(kept);
        let pairs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let all = union(&sets, &vars);
        let whole = start.elapsed().as_secs_f64();
        report(
            "biodivine-lib-bdd 0.5",
            rules.len(),
            [build, pairs, whole],
            all.size(),
            base_kb,
        );
    }
}

mod oxidd_engine {
    use super::*;
    use oxidd::bdd::BDDFunction;
    use oxidd::{BooleanFunction, Function, Manager, ManagerRef};

    fn cube_set(vars: &[BDDFunction], nots: &[BDDFunction], cube: &Cube) -> BDDFunction {
        // Conjoined from the last variable up, so each step adds one node.
        let mut set = vars[0].or(&nots[0]).expect("memory"); // true
        for (v, b) in cube.iter().rev() {
            let literal = if *b {
                &vars[usize::from(*v)]
            } else {
                &nots[usize::from(*v)]
            };
            set = literal.and(&set).expect("memory");
        }
        set
    }

    fn union(sets: &[BDDFunction], falsity: &BDDFunction) -> BDDFunction {
        match sets {
            [] => falsity.clone(),
            [one] => one.clone(),
            _ => {
                let (l, r) = sets.split_at(sets.len() / 2);
                union(l, falsity).or(&union(r, falsity)).expect("memory")
            }
        }
    }

    pub fn run(rules: &[Vec<Vec<Cube>>], base_kb: u64) {
        let manager_ref = oxidd::bdd::new_manager(1 << 23, 1 << 22, 1);
        let vars: Vec<BDDFunction> = manager_ref.with_manager_exclusive(|manager| {
            manager
                .add_vars(u32::from(VARS))
                .map(|i| BDDFunction::var(manager, i).expect("memory"))
                .collect()
        });
        let nots: Vec<BDDFunction> = vars.iter().map(|v| v.not().expect("memory")).collect();
        let falsity = vars[0].and(&nots[0]).expect("memory");
        let truth = vars[0].or(&nots[0]).expect("memory");
        let start = Instant::now();
        let sets: Vec<BDDFunction> = rules
            .iter()
            .map(|fields| {
                fields.iter().fold(truth.clone(), |set, cubes| {
                    let field = cubes.iter().fold(falsity.clone(), |f, cube| {
                        f.or(&cube_set(&vars, &nots, cube)).expect("memory")
                    });
                    set.and(&field).expect("memory")
                })
            })
            .collect();
        let build = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let mut kept = 0usize;
        for pair in sets.windows(2) {
            let both = pair[1].and(&pair[0]).expect("memory");
            let rest = pair[1].imp_strict(&pair[0]).expect("memory");
            kept += usize::from(!both.satisfiable()) + usize::from(!rest.satisfiable());
        }
        std::hint::black_box(kept);
        let pairs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let all = union(&sets, &falsity);
        let whole = start.elapsed().as_secs_f64();
        report(
            "oxidd 0.13 (BDD, one thread)",
            rules.len(),
            [build, pairs, whole],
            all.node_count(),
            base_kb,
        );
    }
}

fn main() {
    let Some(dir) = common::bench_data() else {
        return;
    };
    let engine = std::env::args()
        .skip(1)
        .find(|a| a == "biodivine" || a == "oxidd")
        .unwrap_or_else(|| "biodivine".to_string());
    let text = std::fs::read_to_string(dir.join("rules-100000.nft")).expect("the ruleset");
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let (ruleset, _) = portlint::frontend::nft::read(portlint::source::FileId(0), &text, &resolver);
    let mut interfaces = Interfaces::default();
    let rules: Vec<Vec<Vec<Cube>>> = ruleset
        .tables
        .iter()
        .flat_map(|t| t.chains.iter().map(move |c| (t.family, c)))
        .flat_map(|(family, c)| c.rules.iter().map(move |r| (family, r)))
        .map(|(family, r)| fields_of(&Footprint::of(r, family, &mut interfaces).0))
        // Rules with no port, protocol or address bound (`ct state … accept`, the final
        // `counter drop`) would make the union every packet at once.
        .filter(|fields| !fields.is_empty())
        .collect();
    drop(ruleset);
    let base_kb = peak_kb();
    match engine.as_str() {
        "oxidd" => oxidd_engine::run(&rules, base_kb),
        _ => biodivine::run(&rules, base_kb),
    }
}
