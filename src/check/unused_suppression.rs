//! PL901 unused-suppression: reported by the suppression stage (`suppress.rs`).
super::rule_info!(
    "PL901",
    "unused-suppression",
    Warning,
    "a suppression comment hides no finding"
);
