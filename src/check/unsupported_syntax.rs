//! PL006 unsupported-syntax: something portlint parsed but does not follow or model.
super::rule_info!(
    "PL006",
    "unsupported-syntax",
    Info,
    "parsed but not modelled; analyses treat it as unknown"
);
