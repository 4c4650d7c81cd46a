//! Service-name resolution, as the real tools do it but against the registry.
//!
//! nft resolves a name with getaddrinfo and no protocol hint, so `udp dport ssh` works wherever
//! `ssh` names any port; portlint prefers the rule's own protocol and falls back the same way.

use crate::model::{ProtoSet, L4};
use crate::registry::services::Services;
use crate::registry::{Proto, Registry};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The port used, and every port the name has for that protocol (several: ambiguous).
    Port {
        port: u16,
        candidates: Vec<u16>,
    },
    /// Resolved through `--services`, as the host would; `registry` is what IANA assigns the
    /// name (empty when it is not an IANA name).
    Host {
        port: u16,
        registry: Vec<u16>,
    },
    /// `--services` was given and the name is not in it: the host refuses the rule.
    NotOnHost {
        registry: Vec<u16>,
    },
    /// The name is registered, but without a port (DNS-SD/SRV names).
    NameOnly,
    Unknown,
}

pub struct Resolver<'r> {
    registry: &'r Registry,
    services: Option<&'r Services>,
}

/// The registry protocol a layer-4 protocol's ports are looked up as. UDP-Lite shares UDP's
/// port numbers (RFC 3828 §3.1).
pub fn registry_proto(l4: L4) -> Proto {
    match l4 {
        L4::Tcp => Proto::Tcp,
        L4::Udp | L4::UdpLite => Proto::Udp,
        L4::Sctp => Proto::Sctp,
        L4::Dccp => Proto::Dccp,
    }
}

impl<'r> Resolver<'r> {
    pub fn new(registry: &'r Registry) -> Resolver<'r> {
        Resolver {
            registry,
            services: None,
        }
    }

    /// Resolve names as a host with this services file would.
    pub fn with_services(mut self, services: Option<&'r Services>) -> Resolver<'r> {
        self.services = services;
        self
    }

    pub fn registry(&self) -> &'r Registry {
        self.registry
    }

    /// The services file names are resolved through, if any.
    pub fn services(&self) -> Option<&'r Services> {
        self.services
    }

    pub fn resolve(&self, name: &str, protos: ProtoSet) -> Resolution {
        let registry = self.resolve_in_registry(name, protos);
        let Some(services) = self.services else {
            return registry;
        };
        let assigned = match registry {
            Resolution::Port { candidates, .. } => candidates,
            _ => Vec::new(),
        };
        let preferred = protos.iter().map(|l4| registry_proto(l4).as_str());
        match services.lookup(name, preferred) {
            Some(port) => Resolution::Host {
                port,
                registry: assigned,
            },
            None => Resolution::NotOnHost { registry: assigned },
        }
    }

    /// [`Resolver::resolve`] for one protocol and no other, as `getservbyname(name, proto)`
    /// answers (iptables): no fallback to a port the name has for another protocol.
    pub fn resolve_strict(&self, name: &str, l4: L4) -> Resolution {
        let proto = registry_proto(l4);
        let ports = self.registry.resolve_name(name, proto);
        let mut candidates: Vec<u16> = ports.iter().map(|&(lo, _)| lo).collect();
        candidates.dedup();
        let Some(services) = self.services else {
            return match candidates.first() {
                Some(&port) => Resolution::Port { port, candidates },
                None if self.registry.records_named(name).is_empty() => Resolution::Unknown,
                None => Resolution::NameOnly,
            };
        };
        match services.lookup_only(name, proto.as_str()) {
            Some(port) => Resolution::Host {
                port,
                registry: candidates,
            },
            None => Resolution::NotOnHost {
                registry: candidates,
            },
        }
    }

    fn resolve_in_registry(&self, name: &str, protos: ProtoSet) -> Resolution {
        let preferred = protos.iter().map(registry_proto);
        for proto in preferred.chain(Proto::ALL) {
            let ports = self.registry.resolve_name(name, proto);
            if let Some(&(first, _)) = ports.first() {
                let mut candidates: Vec<u16> = ports.iter().map(|&(lo, _)| lo).collect();
                candidates.dedup();
                return Resolution::Port {
                    port: first,
                    candidates,
                };
            }
        }
        if self.registry.records_named(name).is_empty() {
            Resolution::Unknown
        } else {
            Resolution::NameOnly
        }
    }

    /// A registered name one edit away from `name`, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<&'r str> {
        let lower = name.to_ascii_lowercase();
        self.registry
            .records()
            .iter()
            .filter(|r| r.ports.is_some() && !r.name.is_empty())
            .map(|r| r.name)
            .find(|candidate| within_one_edit(&lower, &candidate.to_ascii_lowercase()))
    }
}

/// Whether `a` becomes `b` with at most one insertion, deletion or substitution.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    ra.is_empty() && rb.is_empty()
        || ra.get(1..) == rb.get(1..)
        || ra.get(1..) == Some(rb)
        || Some(ra) == rb.get(1..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        assert!(within_one_edit("htps", "https"));
        assert!(within_one_edit("sssh", "ssh"));
        assert!(!within_one_edit("smpt", "smtp"));
        assert!(within_one_edit("snmq", "snmp"));
        assert!(!within_one_edit("foo", "barbaz"));
    }

    #[test]
    fn resolves_for_the_rule_protocol_first() {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        assert_eq!(
            resolver.resolve("ssh", ProtoSet::one(L4::Tcp)),
            Resolution::Port {
                port: 22,
                candidates: vec![22]
            }
        );
        match resolver.resolve("http-alt", ProtoSet::one(L4::Tcp)) {
            Resolution::Port { port, candidates } => {
                assert_eq!(port, 591);
                assert_eq!(candidates, vec![591, 8008, 8080]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            resolver.resolve("no-such-service", ProtoSet::ANY),
            Resolution::Unknown
        );
    }
}
