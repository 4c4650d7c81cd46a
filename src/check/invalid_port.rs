//! PL002 invalid-port: reported by the front ends while ports are read.
super::rule_info!("PL002", "invalid-port", Error, "a port is out of 0-65535, a range is inverted, or a port match lacks a protocol the tool requires");
