//! PL005 unknown-service-name: reported by the front ends while service names are resolved.
super::rule_info!(
    "PL005",
    "unknown-service-name",
    Error,
    "a service name resolves to no port"
);
