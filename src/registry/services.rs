//! A host's `/etc/services`, for `--services FILE`: nft and iptables resolve service names
//! through it (getaddrinfo / getservbyname), and it does not always agree with IANA (Debian's
//! netbase has no `ntp/tcp`; it calls 43 `whois` where IANA says `nicname`).

use std::path::Path;

/// One name or alias on one port and protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    port: u16,
    proto: String,
}

/// The entries of a services file, in file order (the C library returns the first match).
#[derive(Clone, Debug, Default)]
pub struct Services {
    /// The path as given, for messages.
    pub path: String,
    entries: Vec<Entry>,
}

/// A services file is a few hundred lines; anything this large is not one.
const MAX_SERVICES_FILE: u64 = 16 << 20;

impl Services {
    pub fn load(path: &Path) -> Result<Services, String> {
        let shown = path.display().to_string();
        let bytes = crate::files::read_regular(path, MAX_SERVICES_FILE)
            .map_err(|e| format!("cannot read services file {shown}: {e}"))?;
        Services::parse(&String::from_utf8_lossy(&bytes), shown)
    }

    /// `name port/proto [aliases…] [# comment]`, one per line, as services(5) describes.
    pub fn parse(text: &str, path: String) -> Result<Services, String> {
        let mut entries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            let mut fields = line.split_whitespace();
            let (Some(name), Some(port_proto)) = (fields.next(), fields.next()) else {
                continue;
            };
            let parsed = port_proto
                .split_once('/')
                .and_then(|(port, proto)| Some((port.parse::<u16>().ok()?, proto)));
            let Some((port, proto)) = parsed else {
                return Err(format!(
                    "{path}:{}: `{port_proto}` is not `PORT/PROTOCOL`",
                    index + 1
                ));
            };
            for alias in std::iter::once(name).chain(fields) {
                entries.push(Entry {
                    name: alias.to_string(),
                    port,
                    proto: proto.to_ascii_lowercase(),
                });
            }
        }
        Ok(Services { path, entries })
    }

    /// The port `name` has, preferring the protocols in `preferred` (in that order), then any
    /// protocol, as getaddrinfo without a protocol hint answers. Names are case-sensitive, as the
    /// C library compares them.
    pub fn lookup<'a>(
        &self,
        name: &str,
        preferred: impl IntoIterator<Item = &'a str>,
    ) -> Option<u16> {
        let named = || self.entries.iter().filter(move |e| e.name == name);
        for proto in preferred {
            if let Some(entry) = named().find(|e| e.proto == proto) {
                return Some(entry.port);
            }
        }
        named().next().map(|e| e.port)
    }
}

impl Services {
    /// The port `name` has for `proto`, and no other protocol: what `getservbyname(name,
    /// proto)` answers.
    pub fn lookup_only(&self, name: &str, proto: &str) -> Option<u16> {
        self.entries
            .iter()
            .find(|e| e.name == name && e.proto == proto)
            .map(|e| e.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# comment\nssh\t\t22/tcp\t\t\t# SSH\nwhois\t\t43/tcp\t\tnicname\nntp\t\t123/udp\n\nbad line\n";

    #[test]
    fn names_aliases_and_protocols() {
        let s =
            Services::parse(TEXT.replace("bad line\n", "").as_str(), "s".into()).expect("parse");
        assert_eq!(s.lookup("ssh", ["tcp"]), Some(22));
        assert_eq!(s.lookup("nicname", ["tcp"]), Some(43));
        assert_eq!(s.lookup("ntp", ["tcp"]), Some(123)); // falls back to another protocol
        assert_eq!(s.lookup("SSH", ["tcp"]), None);
        assert_eq!(s.lookup("http", ["tcp"]), None);
    }

    #[test]
    fn a_malformed_line_is_an_error_with_its_line() {
        let e = Services::parse("ssh 22\n", "s".into()).expect_err("no protocol");
        assert!(e.contains("s:1"), "{e}");
    }
}
