//! scratch
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use portlint::registry::{Record, Registry};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/iana");
    dir.is_dir().then_some(dir)
}

#[test]
fn scratch_xml() {
    let dir = data_dir().unwrap();
    let gz = std::fs::read(dir.join("service-names-port-numbers-2025-12-15.xml.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    let xml = Registry::parse(&text, Cow::Borrowed("x")).unwrap();
    let csv_text = std::fs::read_to_string(dir.join("service-names-port-numbers.csv")).unwrap();
    let csv = Registry::parse(&csv_text, Cow::Borrowed("c")).unwrap();
    println!(
        "xml {} csv {} date {}",
        xml.records().len(),
        csv.records().len(),
        xml.meta.date
    );
    let key = |r: &Record| (r.name.to_string(), r.ports, r.proto, r.kind);
    let mut bag: HashMap<_, i32> = HashMap::new();
    for r in csv.records() {
        *bag.entry(key(r)).or_default() += 1;
    }
    for r in xml.records() {
        *bag.entry(key(r)).or_default() -= 1;
    }
    for (k, v) in &bag {
        if *v != 0 {
            println!("{v:+} {k:?}");
        }
    }
    // full-field comparison
    let full = |r: &Record| format!("{:?}", r);
    let mut bag2: HashMap<String, i32> = HashMap::new();
    for r in csv.records() {
        *bag2.entry(full(r)).or_default() += 1;
    }
    for r in xml.records() {
        *bag2.entry(full(r)).or_default() -= 1;
    }
    let mut n = 0;
    let mut diffs: Vec<_> = bag2.iter().filter(|(_, v)| **v != 0).collect();
    diffs.sort();
    for (k, v) in diffs {
        n += 1;
        if n < 400 {
            println!("F {v:+} {k}");
        }
    }
    println!("full diffs {n}");
}
