//! PL204 overlapping-ports.
use crate::diagnostic::Diagnostic;
use crate::model::{PortElement, PortSet};
use smallvec::SmallVec;

super::rule_info!(
    "PL204",
    "overlapping-ports",
    Warning,
    "one port list or set holds the same port twice or overlapping ranges"
);

fn describe(e: &PortElement) -> String {
    if e.is_single() {
        e.lo.to_string()
    } else {
        format!("{}-{}", e.lo, e.hi)
    }
}

/// One port list or set of a match: sort by start and compare each element with the
/// furthest-reaching one before it, O(n log n).
pub fn check(set: &PortSet, out: &mut Vec<Diagnostic>) {
    if !set.is_list || set.elements.len() < 2 {
        return;
    }
    // Every set of a ruleset comes here, and most are written in order: then one pass shows
    // that nothing overlaps, without sorting.
    if set.elements.windows(2).all(|pair| pair[0].hi < pair[1].lo) {
        return;
    }
    let mut order: SmallVec<[&PortElement; 16]> = set.elements.iter().collect();
    order.sort_by_key(|e| (e.lo, e.hi, e.span.start));
    let mut reach: Option<&PortElement> = None;
    for element in order {
        if let Some(earlier) = reach {
            if element.lo <= earlier.hi {
                // Point at whichever was written later; label the other one.
                let (later, first) = if element.span.start >= earlier.span.start {
                    (element, earlier)
                } else {
                    (earlier, element)
                };
                let message = if later.lo == first.lo && later.hi == first.hi {
                    format!("port {} is listed twice in this set", describe(later))
                } else if first.lo <= later.lo && later.hi <= first.hi {
                    format!(
                        "{} is already covered by {}",
                        describe(later),
                        describe(first)
                    )
                } else {
                    format!("{} overlaps {}", describe(later), describe(first))
                };
                let mut d = Diagnostic::new(&RULE, later.span, message)
                    .with_help("remove the repeated port or merge the ranges: the repeat matches nothing more (and in an nft interval set, nft may refuse overlapping elements)")
                    .with_label(first.span, "first listed here");
                // Both elements may have come through variables: show where each was used.
                for used in later.via().iter().chain(first.via()) {
                    let label = used.label();
                    if !d.labels.iter().any(|l| l.span == used.span) {
                        d = d.with_label(used.span, label);
                    }
                }
                out.push(d);
            }
        }
        if reach.is_none_or(|r| element.hi > r.hi) {
            reach = Some(element);
        }
    }
}
