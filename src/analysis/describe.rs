//! Packet sets in words, for messages: "TCP to every port but 22 and 443, UDP to port 53, and
//! every other protocol, over IPv4 and IPv6".

use super::packets::{Field, PacketSet, Space};

/// At most this many port ranges are named; the rest are counted.
const MAX_RANGES: usize = 6;

/// The destination port ranges some packet of `set` has (`set` tests only ports), in order,
/// and whether there were more than `limit`.
fn port_ranges(space: &Space, ports: &PacketSet, limit: usize) -> (Vec<(u16, u16)>, bool) {
    let mut out: Vec<(u16, u16)> = Vec::new();
    let mut more = false;
    // Depth-first over halves: a half that is empty or whole is settled at once, so the work
    // is some 32 set operations per range found.
    let mut stack = vec![(0u32, 65535u32)];
    while let Some((lo, hi)) = stack.pop() {
        let range = space.range(Field::DstPort, lo.into(), hi.into());
        if !ports.overlaps(&range) {
            continue;
        }
        if range.is_subset(ports) {
            let full = out.len() == limit;
            match out.last_mut() {
                Some(last) if u32::from(last.1) + 1 == lo => last.1 = hi as u16,
                _ if full => {
                    more = true;
                    break;
                }
                _ => out.push((lo as u16, hi as u16)),
            }
            continue;
        }
        let mid = lo + (hi - lo) / 2;
        // Pushed high half first so the low half is taken first: ranges come out in order.
        stack.push((mid + 1, hi));
        stack.push((lo, mid));
    }
    (out, more)
}

fn range_text((lo, hi): (u16, u16)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// "22", "22 and 443", "22, 80 and 443", "22, 80, … and 5 more".
fn list_text(ranges: &[(u16, u16)], more: bool) -> String {
    let words: Vec<String> = ranges.iter().copied().map(range_text).collect();
    match (words.as_slice(), more) {
        ([], _) => String::new(),
        (_, true) => format!("{}, …", words.join(", ")),
        ([one], false) => one.clone(),
        ([init @ .., last], false) => format!("{} and {last}", init.join(", ")),
    }
}

/// The ports of protocol `number` in `set`, in words ("every port but 22"), or `None` when
/// the set has no packet of the protocol.
fn ports_text(space: &Space, set: &PacketSet, number: u128) -> Option<String> {
    let of_protocol = set.intersect(&space.value(Field::L4, number));
    if of_protocol.is_empty() {
        return None;
    }
    let open = space.values_of(&of_protocol, Field::DstPort);
    let closed = space.complement(&open);
    if closed.is_empty() {
        return Some("every port".into());
    }
    let (closed_ranges, closed_more) = port_ranges(space, &closed, MAX_RANGES);
    let (open_ranges, open_more) = port_ranges(space, &open, MAX_RANGES);
    let count = |ranges: &[(u16, u16)]| -> u32 {
        ranges
            .iter()
            .map(|(lo, hi)| u32::from(*hi) - u32::from(*lo) + 1)
            .sum()
    };
    // Say whichever is shorter: the ports open, or the ports not.
    let open_is_short = !open_more && (closed_more || count(&open_ranges) <= count(&closed_ranges));
    Some(if open_is_short {
        let noun = if open_ranges.len() == 1 && open_ranges[0].0 == open_ranges[0].1 {
            "port"
        } else {
            "ports"
        };
        format!("{noun} {}", list_text(&open_ranges, false))
    } else {
        format!("every port but {}", list_text(&closed_ranges, closed_more))
    })
}

/// Whether every source address of each family in `set` sends some packet of it.
fn every_source(space: &Space, set: &PacketSet) -> bool {
    let every_v4 = space.v4_range(Field::SrcAddr, 0, u128::from(u32::MAX));
    [(0u128, every_v4), (1u128, space.all())]
        .into_iter()
        .all(|(family, every)| {
            let of_family = set.intersect(&space.value(Field::Family, family));
            of_family.is_empty() || every.is_subset(&space.values_of(&of_family, Field::SrcAddr))
        })
}

/// `set` in words, by protocol, source and family.
pub fn describe(space: &Space, set: &PacketSet) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut with_ports = space.none();
    for (name, number) in [("TCP", 6u128), ("UDP", 17u128)] {
        with_ports = with_ports.union(&space.value(Field::L4, number));
        if let Some(ports) = ports_text(space, set, number) {
            parts.push(format!("{name} to {ports}"));
        }
    }
    let others = set.minus(&with_ports);
    if !others.is_empty() {
        let all_others = space.complement(&with_ports);
        let every = space.values_of(&others, Field::L4).intersect(&all_others);
        parts.push(if all_others.is_subset(&every) {
            "every other protocol".into()
        } else {
            "other protocols".into()
        });
    }
    let mut text = match parts.as_slice() {
        [] => String::from("nothing"),
        [tcp, udp, other]
            if tcp == "TCP to every port"
                && udp == "UDP to every port"
                && other == "every other protocol" =>
        {
            String::from("every protocol and port")
        }
        [one] => one.clone(),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    };
    let v4 = set.overlaps(&space.value(Field::Family, 0));
    let v6 = set.overlaps(&space.value(Field::Family, 1));
    if v4 || v6 {
        text.push_str(if every_source(space, set) {
            ", from any source"
        } else {
            ", from some sources"
        });
    }
    text.push_str(match (v4, v6) {
        (true, true) => ", over IPv4 and IPv6",
        (true, false) => ", over IPv4",
        (false, true) => ", over IPv6",
        (false, false) => "",
    });
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_said_the_short_way() {
        let space = Space::new();
        let tcp = space.value(Field::L4, 6);
        let v4 = space.value(Field::Family, 0);
        let all_but_22 = tcp
            .minus(&space.value(Field::DstPort, 22))
            .minus(&space.value(Field::DstPort, 443))
            .intersect(&v4);
        assert_eq!(
            describe(&space, &all_but_22),
            "TCP to every port but 22 and 443, from any source, over IPv4"
        );
        let dns = space
            .value(Field::L4, 17)
            .intersect(&space.value(Field::DstPort, 53));
        let some = dns.union(&space.value(Field::L4, 1));
        assert_eq!(
            describe(&space, &some),
            "UDP to port 53, and other protocols, from any source, over IPv4 and IPv6"
        );
        let range = tcp.intersect(&space.range(Field::DstPort, 1000, 2000));
        assert_eq!(
            describe(&space, &range.intersect(&v4)),
            "TCP to ports 1000-2000, from any source, over IPv4"
        );
        let lan = space.v4_range(Field::SrcAddr, 10 << 24, (10 << 24) | 0xff_ffff);
        assert_eq!(
            describe(&space, &range.intersect(&v4).minus(&lan)),
            "TCP to ports 1000-2000, from some sources, over IPv4"
        );
    }
}
