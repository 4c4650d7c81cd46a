//! A policy (portlint's YAML, version 1) as read: what each role — a kind of host — exposes,
//! reaches, forbids and requires. The registry rules judge its ports; the compliance checks
//! (PL401–PL403) hold rulesets against it, per direction and source.

use super::{PortSet, L4};
use crate::registry::LocalAssignment;
use crate::source::{FileId, Span};
use std::net::IpAddr;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub file: FileId,
    pub roles: Vec<Role>,
    /// The site's own port assignments (`local-ports`): they count as assigned in this policy.
    pub local_ports: Vec<LocalAssignment>,
}

/// What to do with traffic no entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stance {
    Allow,
    Deny,
}

/// Which way the traffic goes, seen from the role's hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// To the host: the ports are the host's own (it listens on them).
    Inbound,
    /// From the host: the ports are the peers'.
    Outbound,
    /// Either way (forbidden entries only).
    Both,
}

impl Direction {
    pub fn includes_inbound(self) -> bool {
        matches!(self, Direction::Inbound | Direction::Both)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub name: String,
    /// The role's key.
    pub span: Span,
    /// Host names or patterns the role applies to (free-form; for readers and later tooling).
    pub hosts: Vec<String>,
    pub default_inbound: Stance,
    pub default_outbound: Stance,
    pub services: Vec<Service>,
    pub forbidden: Vec<Forbidden>,
}

/// Ports of one protocol, as one list entry wrote them (`[443/tcp, 8443/tcp]` is one set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolPorts {
    pub l4: L4,
    pub ports: PortSet,
}

/// Peers of a service or a forbidden entry: everyone, or these prefixes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Peers {
    /// `any`: every address, IPv4 and IPv6.
    pub any: bool,
    pub prefixes: Vec<Prefix>,
}

/// An address prefix, written or from a named group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefix {
    pub address: IpAddr,
    pub length: u8,
    /// Where it was written (in the group, when it came from one).
    pub span: Span,
}

/// A service the role's hosts offer (inbound) or use (outbound).
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// The declared name (`https`), compared with its ports (PL109).
    pub name: String,
    pub name_span: Span,
    /// The whole entry.
    pub span: Span,
    pub direction: Direction,
    /// The ports clients use, one set per protocol.
    pub ports: Vec<ProtocolPorts>,
    /// Who may connect (inbound) or be connected to (outbound).
    pub peers: Peers,
    /// The ports must be open: a ruleset that closes them breaks the service (PL403).
    pub required: bool,
    /// The ports the service's process binds, when they differ from `ports` (a redirect or a
    /// proxy in front of it). Empty: it binds `ports` itself (inbound).
    pub listen: Vec<ProtocolPorts>,
}

impl Service {
    /// The ports a process on the host binds: `listen` if given, else an inbound service's
    /// own ports; an outbound service binds none.
    pub fn listener_ports(&self) -> &[ProtocolPorts] {
        if !self.listen.is_empty() {
            &self.listen
        } else if self.direction == Direction::Inbound {
            &self.ports
        } else {
            &[]
        }
    }
}

/// Ports the role's hosts must never have open, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Forbidden {
    pub span: Span,
    pub ports: Vec<ProtocolPorts>,
    pub direction: Direction,
    pub peers: Peers,
    pub reason: String,
}

impl Policy {
    pub fn new(file: FileId) -> Policy {
        Policy {
            file,
            roles: Vec::new(),
            local_ports: Vec::new(),
        }
    }
}
