//! PL109 service-name-mismatch.
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::registry_proto;
use crate::model::policy::Service;
use crate::registry::Registry;

super::rule_info!(
    "PL109",
    "service-name-mismatch",
    Warning,
    "a declared service name and the port disagree"
);

/// A policy's service whose name the registry (or the policy's `local-ports`) assigns other
/// ports: `name: https` on `8443/tcp`. Judged per protocol, and only when none of the service's
/// ports of that protocol is the name's: `http` on `[80/tcp, 8080/tcp]` names its port. A name
/// the registry does not know (`app`) is the site's own and is not judged.
pub fn check(registry: &Registry, service: &Service, out: &mut Vec<Diagnostic>) {
    for list in &service.ports {
        let registered = registry.resolve_name(&service.name, registry_proto(list.l4));
        if registered.is_empty() {
            continue;
        }
        let is_registered = |port: u16| registered.iter().any(|&(lo, hi)| lo <= port && port <= hi);
        let singles = || list.ports.elements.iter().filter(|e| e.is_single());
        if singles().next().is_none() || singles().any(|e| is_registered(e.lo)) {
            continue;
        }
        let proto = list.l4.as_str();
        let local = registry
            .local()
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(&service.name));
        let source = if local {
            "`local-ports` assign"
        } else {
            "the IANA registry assigns"
        };
        let names: Vec<String> = registered
            .iter()
            .map(|&(lo, hi)| {
                if lo == hi {
                    format!("{lo}/{proto}")
                } else {
                    format!("{lo}-{hi}/{proto}")
                }
            })
            .collect();
        for element in singles() {
            out.push(
                Diagnostic::new(
                    &RULE,
                    element.span,
                    format!(
                        "service `{}` is on {}/{proto}, but {source} `{}` {}",
                        service.name,
                        element.lo,
                        service.name,
                        names.join(", ")
                    ),
                )
                .with_label(service.name_span, "declared here")
                .with_help(format!(
                    "readers and tools take `{}` to mean {}: name the service for what runs on {}/{proto} (a site-local name, or an entry in `local-ports`), or fix the port",
                    service.name,
                    names.join(", "),
                    element.lo
                )),
            );
        }
    }
}
