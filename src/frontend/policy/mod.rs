//! portlint's YAML policy, version 1 (`docs/policy.md`, `schemas/policy-v1.schema.json`): read
//! into [`crate::model::policy::Policy`], with a finding at the exact characters of every
//! mistake.
//!
//! Ports are written `PORT/PROTOCOL`: `443/tcp`, `60000-61000/udp`, or a service name,
//! `ssh/tcp`, resolved through the IANA registry and the policy's own `local-ports`.

mod ports;

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::model::policy::*;
use crate::registry::{LocalAssignment, Registry};
use crate::source::FileId;
use crate::suggest::did_you_mean;
use crate::yaml::read::{Fields, Reader};
use crate::yaml::{Node, Value};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The key that marks a file as a policy, and the version this reader knows.
pub const MARKER: &str = "portlint-policy";
pub const VERSION: i128 = 1;

/// The keys of each mapping of the format; `schemas/policy-v1.schema.json` has the same (a test
/// compares them).
pub const TOP_KEYS: &[&str] = &[MARKER, "description", "groups", "local-ports", "roles"];
pub const ROLE_KEYS: &[&str] = &[
    "description",
    "hosts",
    "default-inbound",
    "default-outbound",
    "services",
    "forbidden",
];
pub const SERVICE_KEYS: &[&str] = &[
    "name",
    "description",
    "direction",
    "ports",
    "from",
    "to",
    "required",
    "listen",
];
pub const FORBIDDEN_KEYS: &[&str] = &["ports", "reason", "direction", "from", "to"];
pub const LOCAL_PORT_KEYS: &[&str] = &["port", "name", "description"];

/// How far into a file the marker is looked for: the same whether the file is named or found
/// by a walk (which reads no more of a file it may skip).
pub const MARKER_WITHIN: usize = 4096;

/// Whether a file is a policy: a top-level `portlint-policy:` line in its first 4 KiB.
pub fn looks_like_policy(text: &str) -> bool {
    let mut end = text.len().min(MARKER_WITHIN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].lines().any(|line| {
        line.trim_start_matches('\u{feff}')
            .strip_prefix(MARKER)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Read a policy. `registry` resolves service names; the policy's `local-ports` are added to it
/// (the checks use [`Policy::local_ports`] the same way).
pub fn read(file: FileId, text: &str, registry: &Registry) -> (Policy, Vec<Diagnostic>) {
    let mut policy = Policy::new(file);
    let mut reader = Reader::new(file, text);
    let Some(root) =
        reader.parse("fix the YAML; `portlint` reads the rest of the policy once it parses")
    else {
        return (policy, reader.diagnostics);
    };
    let mut policy_reader = PolicyReader {
        reader,
        registry: Cow::Borrowed(registry),
        groups: HashMap::new(),
        used_groups: HashSet::new(),
        group_names: None,
        near_budget: NEAR_BUDGET,
    };
    policy_reader.policy(&root, &mut policy);
    (policy, policy_reader.reader.diagnostics)
}

struct PolicyReader<'t, 'r> {
    reader: Reader<'t>,
    /// The registry with the policy's local ports (borrowed until it has some).
    registry: Cow<'r, Registry>,
    /// Named groups of prefixes, with the span of each name.
    groups: HashMap<String, (std::ops::Range<usize>, Vec<Prefix>)>,
    used_groups: HashSet<String>,
    /// The group names in the order they are written, for "did you mean" (the first of equally
    /// near names is the one written first, whatever the map's order): made at the first
    /// unknown group.
    group_names: Option<Vec<String>>,
    /// What is left of the policy's budget of name comparisons for "did you mean": each
    /// unknown group costs a comparison with every group, so 50,000 of them among 50,000
    /// groups are not all searched.
    near_budget: usize,
}

/// The name comparisons a policy may spend on "did you mean" a group: every unknown group of
/// an ordinary policy.
const NEAR_BUDGET: usize = 1 << 18;

impl PolicyReader<'_, '_> {
    fn policy(&mut self, root: &Node, policy: &mut Policy) {
        if let Value::Null = root.value {
            self.reader.error(
                root.span.clone(),
                "the policy is empty",
                format!("a policy starts with `{MARKER}: {VERSION}` and lists its `roles`"),
            );
            return;
        }
        let Some(fields) = self.reader.map(root, "a policy", TOP_KEYS) else {
            return;
        };
        self.version(&fields, root);
        self.reader.description(&fields);
        if let Some(node) = fields.get("local-ports") {
            policy.local_ports = local_ports(&mut self.reader, node);
            let registry = self.registry.with_local(&policy.local_ports).into_owned();
            self.registry = Cow::Owned(registry);
        }
        if let Some(node) = fields.get("groups") {
            self.groups(node);
        }
        let roles = self.reader.require(
            &fields,
            "roles",
            "the policy",
            first_line(&root.span, self.reader.text),
            "list the roles (kinds of host) under `roles:`, each with the services it exposes",
        );
        if let Some(node) = roles {
            for (name, key, value) in self.reader.named_entries(node, "`roles`") {
                if let Some(role) = self.role(name, key, value) {
                    policy.roles.push(role);
                }
            }
        }
        self.unused_groups();
    }

    fn version(&mut self, fields: &Fields<'_>, root: &Node) {
        let Some(node) = fields.get(MARKER) else {
            self.reader.error(
                first_line(&root.span, self.reader.text),
                format!("the policy has no `{MARKER}` version"),
                format!("start the file with `{MARKER}: {VERSION}`"),
            );
            return;
        };
        let written = self.reader.text.get(node.span.clone()).unwrap_or("");
        match node.value {
            Value::Int(VERSION) if written.trim() == "1" => {}
            Value::Int(v) if v != VERSION => self.reader.error(
                node.span.clone(),
                format!("policy version {v} is not one this portlint reads"),
                format!("this portlint reads `{MARKER}: {VERSION}`"),
            ),
            _ => self.reader.wrong_type(
                node,
                &format!("the policy version, `{VERSION}`"),
                &format!("write `{MARKER}: {VERSION}`"),
            ),
        }
    }

    fn groups(&mut self, node: &Node) {
        for (name, key, value) in self.reader.named_entries(node, "`groups`") {
            let help = "a group is a list of addresses and prefixes, such as `[192.0.2.0/24, 2001:db8::/32]`";
            let Some(items) = self.reader.list(value, "a group's addresses", help) else {
                continue;
            };
            let mut prefixes = Vec::new();
            for item in items {
                let Some(text) = self.reader.string(item, "an address or prefix", help) else {
                    continue;
                };
                if let Some(prefix) = ports::prefix(&mut self.reader, item, text) {
                    prefixes.push(prefix);
                }
            }
            self.groups
                .insert(name.to_string(), (key.span.clone(), prefixes));
        }
    }

    /// The group `text` may be a typo of, while the budget lasts.
    fn near_group(&mut self, text: &str) -> Option<&str> {
        let groups = &self.groups;
        let names = self.group_names.get_or_insert_with(|| {
            let mut names: Vec<(&String, usize)> = groups
                .iter()
                .map(|(name, (span, _))| (name, span.start))
                .collect();
            names.sort_by_key(|&(name, start)| (start, name));
            names.into_iter().map(|(name, _)| name.clone()).collect()
        });
        self.near_budget = self.near_budget.checked_sub(names.len())?;
        did_you_mean(text, names.iter().map(String::as_str))
    }

    fn unused_groups(&mut self) {
        let mut unused: Vec<(&String, &std::ops::Range<usize>)> = self
            .groups
            .iter()
            .filter(|(name, _)| !self.used_groups.contains(name.as_str()))
            .map(|(name, (span, _))| (name, span))
            .collect();
        unused.sort_by_key(|(_, span)| span.start);
        let found: Vec<Diagnostic> = unused
            .into_iter()
            .map(|(name, span)| {
                Diagnostic::new(
                    &check::unused_definition::RULE,
                    self.reader.span(span.clone()),
                    format!("group `{name}` is never used"),
                )
                .with_help("name it in a `from:` or `to:` list, or remove it")
            })
            .collect();
        self.reader.diagnostics.extend(found);
    }

    fn role(&mut self, name: &str, key: &Node, node: &Node) -> Option<Role> {
        let fields = self
            .reader
            .map(node, &format!("role `{name}`"), ROLE_KEYS)?;
        let what = format!("role `{name}`");
        let default_inbound = self.reader.require(
            &fields,
            "default-inbound",
            &what,
            key.span.clone(),
            "say what happens to inbound traffic no service names: `default-inbound: deny` (or `allow`)",
        );
        let default_inbound = default_inbound.and_then(|n| self.stance(n));
        let default_outbound = match fields.get("default-outbound") {
            Some(n) => self.stance(n),
            None => Some(Stance::Allow),
        };
        self.reader.description(&fields);
        let mut hosts = Vec::new();
        if let Some(node) = fields.get("hosts") {
            let help = "list the host names or patterns the role applies to: `[web-*.example.com]`";
            for item in self.reader.list(node, "`hosts`", help).unwrap_or(&[]) {
                if let Some(host) = self.reader.string(item, "a host name or pattern", help) {
                    hosts.push(host.to_string());
                }
            }
        }
        let mut services = Vec::new();
        if let Some(node) = fields.get("services") {
            let help = "list the services as `- name: https` entries with their `ports`";
            for item in self.reader.list(node, "`services`", help).unwrap_or(&[]) {
                if let Some(service) = self.service(item) {
                    services.push(service);
                }
            }
        }
        let mut forbidden = Vec::new();
        if let Some(node) = fields.get("forbidden") {
            let help = "list forbidden ports as `- ports: [23/tcp]` entries with a `reason`";
            for item in self.reader.list(node, "`forbidden`", help).unwrap_or(&[]) {
                if let Some(entry) = self.forbidden(item) {
                    forbidden.push(entry);
                }
            }
        }
        Some(Role {
            name: name.to_string(),
            span: self.reader.span(key.span.clone()),
            hosts,
            // A stance that is missing or misspelt is reported; the role's services are still
            // checked.
            default_inbound: default_inbound.unwrap_or(Stance::Deny),
            default_outbound: default_outbound.unwrap_or(Stance::Allow),
            services,
            forbidden,
        })
    }

    fn stance(&mut self, node: &Node) -> Option<Stance> {
        match self
            .reader
            .choice(node, "a default stance", &["deny", "allow"])?
        {
            "deny" => Some(Stance::Deny),
            _ => Some(Stance::Allow),
        }
    }

    fn direction(&mut self, fields: &Fields<'_>, choices: &[&'static str]) -> Option<Direction> {
        let Some(node) = fields.get("direction") else {
            return Some(Direction::Inbound);
        };
        Some(match self.reader.choice(node, "a direction", choices)? {
            "inbound" => Direction::Inbound,
            "outbound" => Direction::Outbound,
            _ => Direction::Both,
        })
    }

    fn service(&mut self, node: &Node) -> Option<Service> {
        let fields = self.reader.map(node, "a service", SERVICE_KEYS)?;
        let at = first_line(&node.span, self.reader.text);
        let name_node = self.reader.require(
            &fields,
            "name",
            "the service",
            at.clone(),
            "name the service: `name: https`",
        );
        let name = name_node.and_then(|n| {
            self.reader
                .string(n, "a service name", "write the name as a word")
        });
        self.reader.description(&fields);
        let direction = self.direction(&fields, &["inbound", "outbound"]);
        let ports_node = self.reader.require(
            &fields,
            "ports",
            "the service",
            at,
            "list its ports: `ports: [443/tcp]`",
        );
        let ports = ports_node.map(|n| ports::list(&mut self.reader, &self.registry, n));
        let peers = self.peers(&fields, direction.unwrap_or(Direction::Inbound));
        let required = match fields.get("required") {
            Some(n) => self.reader.boolean(n, "`required`"),
            None => Some(false),
        };
        let listen = match fields.get("listen") {
            Some(n) => ports::list(&mut self.reader, &self.registry, n),
            None => Vec::new(),
        };
        let name_node = name_node?;
        Some(Service {
            name: name?.to_string(),
            name_span: self.reader.span(name_node.span.clone()),
            span: self.reader.span(node.span.clone()),
            direction: direction?,
            ports: ports?,
            peers,
            required: required?,
            listen,
        })
    }

    fn forbidden(&mut self, node: &Node) -> Option<Forbidden> {
        let fields = self.reader.map(node, "a forbidden entry", FORBIDDEN_KEYS)?;
        let at = first_line(&node.span, self.reader.text);
        let ports_node = self.reader.require(
            &fields,
            "ports",
            "the forbidden entry",
            at.clone(),
            "list the ports: `ports: [23/tcp]`",
        );
        let ports = ports_node.map(|n| ports::list(&mut self.reader, &self.registry, n));
        let reason = self.reader.require(
            &fields,
            "reason",
            "the forbidden entry",
            at,
            "say why, for whoever meets the finding: `reason: telnet sends passwords in clear text`",
        );
        let reason = reason.and_then(|n| {
            self.reader
                .string(n, "a reason (text)", "write the reason as text")
        });
        let direction = self.direction(&fields, &["inbound", "outbound", "both"]);
        let peers = self.peers(&fields, direction.unwrap_or(Direction::Inbound));
        Some(Forbidden {
            span: self.reader.span(node.span.clone()),
            ports: ports?,
            direction: direction?,
            peers,
            reason: reason?.to_string(),
        })
    }

    /// `from:` (inbound) or `to:` (outbound); both for `direction: both`. Nothing written: any.
    fn peers(&mut self, fields: &Fields<'_>, direction: Direction) -> Peers {
        let mut peers = Peers::default();
        let mut written = false;
        for (key, fits) in [
            ("from", direction != Direction::Outbound),
            ("to", direction != Direction::Inbound),
        ] {
            let Some(node) = fields.get(key) else {
                continue;
            };
            if !fits {
                let (other, way) = if key == "from" {
                    ("to", "outbound")
                } else {
                    ("from", "inbound")
                };
                let at = fields
                    .key(key)
                    .map_or(node.span.clone(), |k| k.span.clone());
                self.reader.error(
                    at,
                    format!("`{key}` does not apply to {way} traffic"),
                    format!("{way} traffic names its peers with `{other}`"),
                );
                continue;
            }
            written = true;
            self.peer_list(node, &mut peers);
        }
        if !written {
            peers.any = true;
        }
        peers
    }

    fn peer_list(&mut self, node: &Node, peers: &mut Peers) {
        let help = "list `any`, group names and addresses or prefixes: `[office, 192.0.2.0/24]`";
        let Some(items) = self.reader.list(node, "peers", help) else {
            return;
        };
        for item in items {
            let Some(text) = self
                .reader
                .string(item, "`any`, a group name or an address", help)
            else {
                continue;
            };
            if text == "any" {
                peers.any = true;
            } else if text.contains([':', '.']) || text.starts_with(|c: char| c.is_ascii_digit()) {
                if let Some(prefix) = ports::prefix(&mut self.reader, item, text) {
                    peers.prefixes.push(prefix);
                }
            } else if let Some((_, prefixes)) = self.groups.get(text) {
                peers.prefixes.extend(prefixes.iter().cloned());
                if !self.used_groups.contains(text) {
                    self.used_groups.insert(text.to_string());
                }
            } else {
                let help = match self.near_group(text) {
                    Some(near) => format!("did you mean `{near}`? Define groups under `groups:`"),
                    None => {
                        "define the group under `groups:`, or write `any` or an address".to_string()
                    }
                };
                self.reader.push(
                    Diagnostic::new(
                        &check::undefined_reference::RULE,
                        self.reader.span(item.span.clone()),
                        format!("the policy has no group `{text}`"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// The first line of a span, without a trailing comment (a mapping's span may run over many
/// lines; a "missing key" finding points at where it starts).
fn first_line(span: &std::ops::Range<usize>, text: &str) -> std::ops::Range<usize> {
    let start = span.start.min(text.len());
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = line_end.min(span.end.max(start));
    let line = &text[start..end];
    let line = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
    if line.is_empty() {
        return start..end;
    }
    start..start + line.len()
}

/// Site-local assignments: `- 9100/tcp node-exporter`, or `- {port: 9100/tcp, name: …}`. Read
/// the same way in a policy's `local-ports` and in `.portlint.yaml`'s `registry.local`.
pub fn local_ports(reader: &mut Reader<'_>, node: &Node) -> Vec<LocalAssignment> {
    let help = "list site-local assignments as `- 9100/tcp node-exporter` (a port and a name)";
    let Some(items) = reader.list(node, "local port assignments", help) else {
        return Vec::new();
    };
    let mut assignments = Vec::new();
    for item in items {
        let (port_node, name) = match &item.value {
            // `9100/tcp node-exporter`
            Value::String(text) => {
                let Some((port, name)) = text.trim().split_once(char::is_whitespace) else {
                    reader.error(
                        item.span.clone(),
                        format!("`{text}` names no service"),
                        "write the port and the service's name: `9100/tcp node-exporter`",
                    );
                    continue;
                };
                let offset = ports::value_start(reader.text, item, text);
                let port_node = Node {
                    span: offset..offset + port.len(),
                    value: Value::String(port.to_string()),
                };
                (port_node, name.trim().to_string())
            }
            // `{ port: 9100/tcp, name: node-exporter, description: … }`
            Value::Map(_) => {
                let Some(fields) = reader.map(item, "a local port", LOCAL_PORT_KEYS) else {
                    continue;
                };
                let at = item.span.clone();
                let port = reader.require(
                    &fields,
                    "port",
                    "the local port",
                    at.clone(),
                    "give the port as `port: 9100/tcp`",
                );
                let name = reader.require(
                    &fields,
                    "name",
                    "the local port",
                    at,
                    "give the service's name as `name: node-exporter`",
                );
                reader.description(&fields);
                let (Some(port), Some(name)) = (port, name) else {
                    continue;
                };
                let Some(name) = reader.string(name, "a service name", "write the name as a word")
                else {
                    continue;
                };
                (port.clone(), name.to_string())
            }
            _ => {
                reader.wrong_type(item, "a local port (`9100/tcp node-exporter`)", help);
                continue;
            }
        };
        // A local port is a number or range; a name would be circular.
        if let Some((l4, lo, hi)) = ports::numeric(reader, &port_node) {
            assignments.push(LocalAssignment {
                lo,
                hi,
                proto: crate::frontend::resolve::registry_proto(l4),
                name,
            });
        }
    }
    assignments
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Of equally near groups, "did you mean" names the one written first: the groups are a
    /// hash map, whose order must not reach the output.
    #[test]
    fn an_unknown_group_suggests_the_first_near_group() {
        let registry = Registry::embedded();
        let text = "portlint-policy: 1\ngroups:\n  zeta1: [192.0.2.1/32]\n  alpha1: [192.0.2.2/32]\n  beta1: [192.0.2.3/32]\n  zeta2: [192.0.2.4/32]\nroles:\n  web:\n    services:\n      - name: ssh\n        ports: [22/tcp]\n        from: [zeta1, alpha1, beta1, zeta2, zeta, zeta3, unknown]\n";
        let (_, diagnostics) = read(FileId(0), text, &registry);
        let helps: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.rule.code == "PL003")
            .filter_map(|d| d.help.clone())
            .map(String::from)
            .collect();
        assert_eq!(
            helps,
            [
                "did you mean `zeta1`? Define groups under `groups:`",
                "did you mean `zeta1`? Define groups under `groups:`",
                "define the group under `groups:`, or write `any` or an address",
            ],
            "{diagnostics:?}"
        );
    }
}
