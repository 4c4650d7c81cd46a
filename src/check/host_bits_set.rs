//! PL208 host-bits-set: reported by the front ends while an address prefix is read
//! (`frontend/addresses.rs` says what the tool makes of it).
super::rule_info!(
    "PL208",
    "host-bits-set",
    Warning,
    "an address prefix has bits set after its length, which the tool silently clears"
);
