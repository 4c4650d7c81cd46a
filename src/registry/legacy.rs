//! Import of the legacy IANA `port-numbers` text format (to be written).

use super::model::Record;

/// A legacy text revision.
pub struct LegacyRegistry {
    pub records: Vec<Record>,
    /// From the header `PORT NUMBERS (last updated 2007-02-15)`.
    pub date: String,
    /// The highest port the file lists: 1023 for the truncated seed, 49151 for full files.
    pub coverage_end: u16,
}

pub fn parse_legacy(
    _text: &str,
    _leak: &mut dyn FnMut(&str) -> &'static str,
) -> Result<LegacyRegistry, String> {
    Err("the legacy port-numbers format is not supported yet".to_string())
}
