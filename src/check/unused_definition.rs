//! PL207 unused-definition: reported by the nft front end (frontend/nft/unused.rs).
super::rule_info!(
    "PL207",
    "unused-definition",
    Info,
    "a `define`, named set or map, or regular chain is never used"
);
