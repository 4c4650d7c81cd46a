//! PL001 syntax-error: reported by the front ends while a file is read.
super::rule_info!("PL001", "syntax-error", Error, "the file does not parse");
