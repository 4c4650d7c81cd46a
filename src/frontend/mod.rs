//! Front ends: each reads one input format and lowers it into the rule model.

pub mod addresses;
pub mod format;
pub mod iptables;
pub mod lowering;
pub mod nft;
pub mod policy;
pub mod ports;
pub mod resolve;
pub mod shell;
pub mod unanalysed;
