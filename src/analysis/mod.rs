//! What a ruleset does (DESIGN "Analysis"): one packet-set engine ([`packets`]), the rules of
//! the model as packet sets ([`lower`]), and the first-match sweep of a chain ([`sweep`]).
//! Checks read the sweep's results; they never build packet sets themselves.

pub mod chains;
pub mod describe;
pub mod footprint;
pub mod lower;
pub mod packets;
pub mod sweep;
