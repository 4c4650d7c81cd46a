//! PL107 privileged-port.
use super::port_facts::{Judged, PortUse};
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::registry_proto;
use crate::model::policy::Service;
use crate::model::NatKind;
use crate::registry::{Registry, USER_START};

super::rule_info!(
    "PL107",
    "privileged-port",
    Warning,
    "a listener on this host must bind a port below 1024"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let PortUse::NatTarget { kind, local: true } = judged.used_as else {
        return;
    };
    let element = judged.element;
    if element.lo >= USER_START {
        return;
    }
    let what = if element.is_single() {
        format!("port {} is a privileged port", element.lo)
    } else {
        format!(
            "port range {}-{} includes privileged ports",
            element.lo, element.hi
        )
    };
    let how = match kind {
        NatKind::Redirect => "redirect target",
        NatKind::Tproxy => "tproxy target",
        _ => "local NAT target",
    };
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!("{how} {what} (below 1024)"),
                "the local listener must run as root or hold CAP_NET_BIND_SERVICE to bind it. Redirect to an unprivileged port (1024 or above) and let an unprivileged service listen there",
            )
            .with_span_label("privileged"),
    );
}

/// A policy's service: the ports its process binds ([`Service::listener_ports`]) below 1024,
/// unless the registry assigns the port to the service's own name — `ssh` on 22 is the system
/// daemon every distribution starts with the right to bind it; a `metrics` service on 900 is a
/// process that needs root or CAP_NET_BIND_SERVICE only for its port.
pub fn check_listener(registry: &Registry, service: &Service, out: &mut Vec<Diagnostic>) {
    for list in service.listener_ports() {
        let proto = registry_proto(list.l4);
        let registered = registry.resolve_name(&service.name, proto);
        for element in &list.ports.elements {
            if element.lo >= USER_START {
                continue;
            }
            let own_port = element.is_single()
                && registered
                    .iter()
                    .any(|&(lo, hi)| lo <= element.lo && element.lo <= hi);
            if own_port {
                continue;
            }
            let proto = list.l4.as_str();
            let message = if element.is_single() {
                format!(
                    "service `{}` listens on port {}/{proto}, below 1024",
                    service.name, element.lo
                )
            } else {
                format!(
                    "service `{}` listens on ports {}-{}/{proto}, which include ports below 1024",
                    service.name, element.lo, element.hi
                )
            };
            out.push(
                Diagnostic::new(&RULE, element.span, message)
                .with_span_label("privileged")
                .with_help("its process must run as root or hold CAP_NET_BIND_SERVICE to bind it. Let it listen on a port of 1024 or above (`listen: [8443/tcp]`) behind a redirect, or, if it is the standard service of this port, name it by its IANA name"),
            );
        }
    }
}
