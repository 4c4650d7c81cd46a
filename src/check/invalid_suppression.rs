//! PL902 invalid-suppression: reported by the suppression stage (`suppress.rs`).
super::rule_info!(
    "PL902",
    "invalid-suppression",
    Warning,
    "a suppression comment names no rule portlint has, or is not one"
);
