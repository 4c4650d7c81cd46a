//! Ports known in practice (`data/de-facto-ports.tsv`): the defaults of widely deployed software,
//! whatever the IANA registry says about the number, each with the project documentation that
//! says so. `build.rs` compiles the table in with this parser; registry findings and
//! `portlint ports` quote it, so that "port 25565/tcp is unassigned" also says it is Minecraft's.

/// One row of the table: a port or range, for tcp, udp or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeFacto {
    pub lo: u16,
    pub hi: u16,
    pub tcp: bool,
    pub udp: bool,
    /// What listens there: `Minecraft Java Edition server`.
    pub name: &'static str,
    pub project: &'static str,
    /// The project documentation that gives the port.
    pub source: &'static str,
}

impl DeFacto {
    fn covers(&self, port: u16, protocol: &str) -> bool {
        let by_protocol = match protocol {
            "tcp" => self.tcp,
            "udp" => self.udp,
            _ => false,
        };
        by_protocol && self.lo <= port && port <= self.hi
    }

    fn is_single(&self) -> bool {
        self.lo == self.hi
    }
}

/// The table's header line, checked so that a reordered column cannot go unnoticed.
pub const HEADER: &str = "port\tprotocol\tname\tproject\tsource";

/// Read the table: comment lines (`#`) and blank lines are skipped, the header must come first.
/// `keep` turns a borrowed field into a `'static` one (build.rs leaks them; tests may too).
pub fn parse(
    text: &str,
    keep: &mut impl FnMut(&str) -> &'static str,
) -> Result<Vec<DeFacto>, String> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != HEADER {
                return Err(format!("line {number}: expected the header `{HEADER}`"));
            }
            header_seen = true;
            continue;
        }
        rows.push(parse_row(line, keep).map_err(|e| format!("line {number}: {e}"))?);
    }
    Ok(rows)
}

fn parse_row(line: &str, keep: &mut impl FnMut(&str) -> &'static str) -> Result<DeFacto, String> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [port, protocol, name, project, source] = fields[..] else {
        return Err(format!(
            "expected 5 tab-separated fields, found {}",
            fields.len()
        ));
    };
    let (lo, hi) = parse_ports(port)?;
    let (mut tcp, mut udp) = (false, false);
    for word in protocol.split('/') {
        match word {
            "tcp" => tcp = true,
            "udp" => udp = true,
            other => return Err(format!("unknown protocol `{other}` (tcp, udp or tcp/udp)")),
        }
    }
    if name.trim().is_empty() || project.trim().is_empty() {
        return Err("the name and the project must be given".to_string());
    }
    if !source.starts_with("https://") || source.contains(char::is_whitespace) {
        return Err(format!(
            "the source must be one https URL, found `{source}`"
        ));
    }
    Ok(DeFacto {
        lo,
        hi,
        tcp,
        udp,
        name: keep(name),
        project: keep(project),
        source: keep(source),
    })
}

fn parse_ports(text: &str) -> Result<(u16, u16), String> {
    let number = |part: &str| {
        part.parse::<u16>()
            .map_err(|_| format!("`{part}` is not a port (0-65535)"))
    };
    let (lo, hi) = match text.split_once('-') {
        Some((lo, hi)) => (number(lo)?, number(hi)?),
        None => (number(text)?, number(text)?),
    };
    if lo > hi {
        return Err(format!("the range `{text}` is inverted"));
    }
    Ok((lo, hi))
}

/// The rows that say what `port`/`protocol` is known for: the rows for that very port when there
/// are any (`9100`: node_exporter), else the ranges that hold it (`30080`: a NodePort).
pub fn known_uses(table: &'static [DeFacto], port: u16, protocol: &str) -> Vec<&'static DeFacto> {
    let covering = || table.iter().filter(|row| row.covers(port, protocol));
    let exact = covering().any(DeFacto::is_single);
    covering().filter(|row| !exact || row.is_single()).collect()
}

/// `Minecraft Java Edition server (source: https://…)`, the rows joined with `; `.
pub fn describe<'a>(rows: impl Iterator<Item = &'a DeFacto>) -> Option<String> {
    let mut text = String::new();
    for row in rows {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(row.name);
        text.push_str(" (source: ");
        text.push_str(row.source);
        text.push(')');
    }
    (!text.is_empty()).then_some(text)
}

/// The names alone, joined with ` or `: for a finding's message (`Minecraft Java Edition server`).
pub fn names<'a>(rows: impl Iterator<Item = &'a DeFacto>) -> Option<String> {
    let names: Vec<&str> = rows.map(|row| row.name).collect();
    (!names.is_empty()).then(|| names.join(" or "))
}
