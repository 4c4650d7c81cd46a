//! PL004 include-error: reported while includes are spliced in (frontend/nft/include.rs). An
//! include that is not followed (outside the directories portlint reads) is a PL004 at info
//! severity: the host's nft may read it, so it never fails a default run.
super::rule_info!(
    "PL004",
    "include-error",
    Error,
    "an include is missing, unreadable, not a regular file, or part of a cycle; one outside the linted directories is not followed (info)"
);
