//! PL003 undefined-reference: reported by the front ends while variables are expanded.
super::rule_info!(
    "PL003",
    "undefined-reference",
    Error,
    "a `$variable` (or set, chain) is used but not defined"
);
