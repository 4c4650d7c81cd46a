//! PL004 include-error: reported while includes are spliced in (frontend/nft/include.rs).
super::rule_info!(
    "PL004",
    "include-error",
    Error,
    "an include is missing, unreadable, not a regular file, outside the linted directories, or part of a cycle"
);
