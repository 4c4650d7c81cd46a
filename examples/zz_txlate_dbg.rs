fn main() {
    let text = std::env::args().nth(1).unwrap();
    let registry = portlint::registry::Registry::embedded();
    let resolver = portlint::frontend::resolve::Resolver::new(&registry);
    let (rs, d) = portlint::frontend::nft::read(portlint::source::FileId(0), &text, &resolver);
    for (_, c) in rs.chains() { for r in &c.rules { for m in &r.matches { match m {
        portlint::model::Match::Opaque{span} => println!("opaque {:?}", &text[span.range()]),
        portlint::model::Match::Ports{direction, op, protos, ports, span} => println!("ports {direction:?} {op:?} {protos:?} {:?} {:?}", ports.elements.iter().map(|e|(e.lo,e.hi)).collect::<Vec<_>>(), &text[span.range()]),
        portlint::model::Match::L4Proto{protos, span} => println!("l4 {protos:?} {:?}", &text[span.range()]),
    }}}}
    for x in d { println!("{} {}", x.rule.code, x.message.text()); }
}
