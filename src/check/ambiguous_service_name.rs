//! PL110 ambiguous-service-name: reported by the front ends while service names are resolved.
super::rule_info!(
    "PL110",
    "ambiguous-service-name",
    Warning,
    "a service name maps to several ports"
);
