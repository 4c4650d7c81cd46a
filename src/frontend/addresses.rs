//! Address values as the packet-filter tools read them, front-end independent: iptables'
//! `-s`/`-d` (`ADDR[/MASK][,…]`) and `-m iprange` ranges (`A[-B]`).
//!
//! What is an error here is what `iptables-restore --test` (1.8.9) refuses, checked against the
//! tool. A value that is not a numeric address is looked up as a host name by iptables, so a
//! name (`localhost`, `example.com`) is accepted and kept as a name. A value that can only be an
//! attempt at an IPv4 literal (`192.168.x.0`, `10.0.0.256`: a name's last label is never a
//! number, and such a value fails the lookup) is refused, and so is a bad prefix (`/33`, `/xx`).

use smallvec::SmallVec;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

/// Which addresses the tool reading the value takes: `iptables` IPv4, `ip6tables` IPv6;
/// `None` when the file does not say (both are accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V4,
    V6,
}

/// One address of a value, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    /// A host name, resolved by the tool when the rule is loaded.
    Name,
}

/// One element of an address list: the address and its prefix length, when a mask was written
/// as one (`/24`, `/255.255.255.0`); `None` for a full-length or non-contiguous mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Element {
    pub host: Host,
    pub prefix: Option<u8>,
    /// A mask was written that is not a prefix (`/255.0.255.0`): the element is not a range.
    pub noncontiguous: bool,
    /// Where the element is in the value.
    pub start: usize,
    pub end: usize,
}

/// Why a value is refused: the bytes (of the value) at fault, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressError {
    pub range: Range<usize>,
    pub message: String,
    pub help: String,
}

fn error(range: Range<usize>, message: String, help: impl Into<String>) -> AddressError {
    AddressError {
        range,
        message,
        help: help.into(),
    }
}

/// An iptables `-s`/`-d` value: `ADDR[/MASK]`, comma-separated. `tool` names the program in
/// messages. (`!` is the caller's: it is a word of its own.)
pub fn iptables_list(
    text: &str,
    version: Option<Version>,
    tool: &str,
) -> Result<SmallVec<[Element; 1]>, AddressError> {
    let mut elements = SmallVec::new();
    let mut start = 0;
    for part in text.split(',') {
        let end = start + part.len();
        if part.is_empty() {
            return Err(error(
                start.saturating_sub(1)..(end + 1).min(text.len()),
                format!("an empty address in the list `{text}`"),
                "remove the extra comma: a list is `ADDR,ADDR`, with no comma at either end",
            ));
        }
        elements.push(iptables_element(part, start, version, tool)?);
        start = end + 1;
    }
    Ok(elements)
}

fn iptables_element(
    part: &str,
    offset: usize,
    version: Option<Version>,
    tool: &str,
) -> Result<Element, AddressError> {
    // iptables splits at the last `/`.
    let (address, mask) = match part.rfind('/') {
        Some(at) => (&part[..at], Some((at + 1, &part[at + 1..]))),
        None => (part, None),
    };
    let host = host(address, offset, version, tool)?;
    let prefix = match mask {
        None => None,
        Some((at, mask)) => {
            // A name's family is the tool's; when the file does not say, either mask is taken.
            let v6 = match host {
                Host::V6(_) => Some(true),
                Host::V4(_) => Some(false),
                Host::Name => version.map(|v| v == Version::V6),
            };
            let range = if mask.is_empty() {
                offset + at - 1..offset + at
            } else {
                offset + at..offset + part.len()
            };
            match v6 {
                Some(v6) => mask_prefix(mask, v6, range)?,
                None => mask_prefix(mask, false, range.clone())
                    .or_else(|_| mask_prefix(mask, true, range))?,
            }
        }
    };
    let noncontiguous = mask.is_some() && prefix.is_none() && {
        let full = if matches!(host, Host::V6(_)) { 128 } else { 32 };
        mask.and_then(|(_, m)| strtoul(m)) != Some(full)
    };
    Ok(Element {
        host,
        prefix,
        noncontiguous,
        start: offset,
        end: offset + part.len(),
    })
}

/// The prefix a mask gives: a length (`24`, C's `strtoul` base 0: `010` is 8) or, for IPv4, a
/// dotted mask, for IPv6 an address mask.
fn mask_prefix(mask: &str, v6: bool, range: Range<usize>) -> Result<Option<u8>, AddressError> {
    let max = if v6 { 128 } else { 32 };
    if let Some(bits) = strtoul(mask).filter(|&b| b <= max) {
        return Ok(u8::try_from(bits).ok());
    }
    if v6 {
        if let Ok(m) = mask.parse::<Ipv6Addr>() {
            return Ok(contiguous(u128::from(m), 128));
        }
    } else if let Some(m) = dotted_quad(mask) {
        return Ok(contiguous(u128::from(u32::from(m)), 32));
    }
    let family = if v6 { "IPv6" } else { "IPv4" };
    let (message, help) = match strtoul(mask) {
        Some(bits) => (
            format!("prefix length {bits} is out of range for {family}: at most {max}"),
            format!("write a prefix length from 0 to {max}"),
        ),
        None if mask.is_empty() => (
            "a `/` with no prefix length after it".to_string(),
            format!("write the prefix length after `/` (0 to {max}), or remove the `/`"),
        ),
        None => (
            format!("`{mask}` is not a prefix length"),
            if v6 {
                "write a prefix length from 0 to 128, e.g. `/64`".to_string()
            } else {
                "write a prefix length from 0 to 32 (e.g. `/24`) or a dotted mask such as `/255.255.255.0`".to_string()
            },
        ),
    };
    Err(error(range, message, help))
}

/// The prefix length of a mask of `bits` bits, when it is contiguous.
fn contiguous(mask: u128, bits: u32) -> Option<u8> {
    let shifted = mask << (128 - bits);
    let ones = shifted.leading_ones();
    (shifted.checked_shl(ones).unwrap_or(0) == 0)
        .then(|| u8::try_from(ones).ok())
        .flatten()
}

/// One address of `-s`/`-d`: numeric, or a host name the tool resolves.
fn host(
    text: &str,
    offset: usize,
    version: Option<Version>,
    tool: &str,
) -> Result<Host, AddressError> {
    let range = offset..offset + text.len();
    if text.is_empty() {
        return Err(error(
            range,
            "an address is missing before `/`".to_string(),
            "write the address before its prefix, e.g. `10.0.0.0/8`",
        ));
    }
    if text.contains(':') {
        let Ok(address) = text.parse::<Ipv6Addr>() else {
            let help = if text.starts_with('[') {
                "write the address without brackets, e.g. `2001:db8::1`"
            } else {
                "an IPv6 address has up to 8 groups of 1 to 4 hex digits, with one `::` at most, e.g. `2001:db8::1`"
            };
            return Err(error(
                range,
                format!("`{text}` is not an IPv6 address"),
                help,
            ));
        };
        if version == Some(Version::V4) {
            return Err(error(
                range,
                format!("`{text}` is an IPv6 address, but {tool} takes IPv4 addresses"),
                "write this rule for ip6tables (or in the IPv6 rules file), or use an IPv4 address",
            ));
        }
        return Ok(Host::V6(address));
    }
    let v4 = xt_numeric(text).or_else(|| inet_aton(text));
    if let Some(address) = v4 {
        if version == Some(Version::V6) {
            return Err(error(
                range,
                format!("`{text}` is an IPv4 address, but {tool} takes IPv6 addresses"),
                "write this rule for iptables (or in the IPv4 rules file), or use an IPv6 address such as `::ffff:10.0.0.1`",
            ));
        }
        return Ok(Host::V4(address));
    }
    if let Some(bad) = attempted_ipv4(text) {
        return Err(bad_ipv4(text, offset, bad, tool));
    }
    Ok(Host::Name)
}

/// What is wrong with a value that can only be an IPv4 literal.
enum BadIpv4 {
    /// The label at this range (of the value) is not a number from 0 to 255.
    Part(Range<usize>),
    /// An empty label (two dots, or one at the start) at this offset.
    Empty(usize),
    /// More than four numbers.
    TooMany,
}

/// Whether `text` can only be meant as an IPv4 address (and is not one): it starts with a digit,
/// has only letters, digits and dots, and its last label is a number, or it is three numbers and
/// a placeholder (`192.168.1.x`, `10.0.0.xxx`). A DNS name's last label is never a number.
fn attempted_ipv4(text: &str) -> Option<BadIpv4> {
    let bytes = text.as_bytes();
    let plausible = bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'.');
    if !plausible {
        return None;
    }
    let labels: Vec<&str> = text.split('.').collect();
    let numeric = |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit());
    let numbers = labels.iter().filter(|l| numeric(l)).count();
    let last_is_number = labels.last().is_some_and(|l| numeric(l));
    // `192.168.1.x`: a placeholder where the last number belongs (`1.2.3.com` may be a name).
    let last_is_placeholder = labels.last().is_some_and(|l| {
        l.len() == 1 || (!l.is_empty() && l.bytes().all(|b| b.eq_ignore_ascii_case(&b'x')))
    });
    if !(last_is_number || (labels.len() == 4 && numbers == 3 && last_is_placeholder)) {
        return None;
    }
    let mut at = 0;
    for label in &labels {
        if label.is_empty() {
            return Some(BadIpv4::Empty(at));
        }
        if strtoul(label).is_none_or(|n| n > 255) {
            return Some(BadIpv4::Part(at..at + label.len()));
        }
        at += label.len() + 1;
    }
    Some(BadIpv4::TooMany)
}

fn bad_ipv4(text: &str, offset: usize, bad: BadIpv4, tool: &str) -> AddressError {
    let not_found = if tool == "nft" {
        "nft would look it up as a host name and refuse the rule (`Could not resolve hostname`)"
            .to_string()
    } else {
        format!(
            "{tool} would look it up as a host name and refuse the rule (`host/network not found`)"
        )
    };
    match bad {
        BadIpv4::Part(range) => {
            let part = text.get(range.clone()).unwrap_or("");
            let why = if part.bytes().all(|b| b.is_ascii_digit()) && part.starts_with('0') {
                "has a leading 0, which makes it octal, and a digit above 7".to_string()
            } else if part.bytes().all(|b| b.is_ascii_digit()) {
                "is above 255".to_string()
            } else {
                "is not a number from 0 to 255".to_string()
            };
            error(
                offset + range.start..offset + range.end,
                format!("`{text}` is not an IPv4 address: `{part}` {why}"),
                format!("write the address in full with numbers from 0 to 255, e.g. `192.168.1.0/24` (a placeholder left in?); {not_found}"),
            )
        }
        BadIpv4::Empty(at) => error(
            offset + at.saturating_sub(1)..offset + at.max(1),
            format!("`{text}` is not an IPv4 address: a number is missing between dots"),
            format!("write four numbers from 0 to 255 separated by single dots; {not_found}"),
        ),
        BadIpv4::TooMany => error(
            offset..offset + text.len(),
            format!("`{text}` is not an IPv4 address: it has more than four numbers"),
            format!("an IPv4 address is four numbers from 0 to 255, e.g. `10.0.0.1`; {not_found}"),
        ),
    }
}

/// A `-m iprange` value: `ADDR[-ADDR]`, numeric only (iprange does not resolve names). The
/// addresses it spans, `(v6, first, last)`; `None` when its first address is past its last
/// (the tool takes it; what the kernel makes of it is not modelled).
pub fn iprange(
    text: &str,
    version: Option<Version>,
    tool: &str,
) -> Result<Option<(bool, u128, u128)>, AddressError> {
    let (first, second) = match text.find('-') {
        Some(at) => (&text[..at], Some((at + 1, &text[at + 1..]))),
        None => (text, None),
    };
    let (a, lo) = range_end(first, 0, version, tool)?;
    let mut hi = lo;
    if let Some((at, second)) = second {
        let (b, last) = range_end(second, at, version, tool)?;
        hi = last;
        if a != b {
            let (v1, v2) = (family_name(a), family_name(b));
            return Err(error(
                0..text.len(),
                format!("`{text}` mixes an {v1} and an {v2} address"),
                "both ends of a range are of one family",
            ));
        }
    }
    Ok((lo <= hi).then_some((a == Version::V6, lo, hi)))
}

fn family_name(v: Version) -> &'static str {
    match v {
        Version::V4 => "IPv4",
        Version::V6 => "IPv6",
    }
}

fn range_end(
    text: &str,
    offset: usize,
    version: Option<Version>,
    tool: &str,
) -> Result<(Version, u128), AddressError> {
    let range = offset..offset + text.len();
    let found = if let Ok(v6) = text.parse::<Ipv6Addr>() {
        Some((Version::V6, u128::from(v6)))
    } else {
        xt_numeric(text).map(|v4| (Version::V4, u128::from(u32::from(v4))))
    };
    match (found, version) {
        (Some((found, _)), Some(wanted)) if found != wanted => Err(error(
            range,
            format!(
                "`{text}` is an {} address, but {tool} takes {} addresses",
                family_name(found),
                family_name(wanted)
            ),
            "write the range in the other family's rules, or use addresses of this one",
        )),
        (Some(found), _) => Ok(found),
        (None, _) if text.is_empty() => Err(error(
            offset.saturating_sub(1)..offset.max(1),
            "an end of the address range is missing".to_string(),
            "write `FIRST-LAST`, e.g. `10.0.0.1-10.0.0.9`, or one address",
        )),
        (None, _) => Err(error(
            range,
            format!("`{text}` is not a numeric address"),
            "`-m iprange` takes numeric addresses only (no host names, no `/prefix`), e.g. `--src-range 10.0.0.1-10.0.0.9`",
        )),
    }
}

/// xtables' numeric IPv4 reading: one to four numbers (each `strtoul` base 0, at most 255),
/// the missing ones zero.
fn xt_numeric(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    for (count, part) in text.split('.').enumerate() {
        let slot = octets.get_mut(count)?;
        *slot = u8::try_from(strtoul(part)?).ok()?;
    }
    Some(Ipv4Addr::from(octets))
}

/// Exactly four numbers of at most 255: a dotted mask.
fn dotted_quad(text: &str) -> Option<Ipv4Addr> {
    (text.split('.').count() == 4)
        .then(|| xt_numeric(text))
        .flatten()
}

/// glibc's `inet_aton` (which the host lookup tries first): `a`, `a.b`, `a.b.c` or `a.b.c.d`,
/// the last number filling the bytes left.
fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    for part in text.split('.') {
        if parts.len() == 4 || part.starts_with('+') {
            return None;
        }
        parts.push(strtoul(part)?);
    }
    let (last, head) = parts.split_last()?;
    let mut value: u64 = 0;
    for &p in head {
        if p > 255 {
            return None;
        }
        value = value << 8 | p;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if *last >= 1u64 << rest_bits {
        return None;
    }
    value = value << rest_bits | last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// C's `strtoul(s, &end, 0)` over the whole word: decimal, `0x` hex, `0` octal, an optional
/// `+`; `None` when a character is left over. (Past 12 digits the value is cut: it is out of
/// range for anything read here.)
fn strtoul(text: &str) -> Option<u64> {
    let text = text.strip_prefix('+').unwrap_or(text);
    let bytes = text.as_bytes();
    let (digits, radix) = match bytes {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (bytes, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for (i, &b) in digits.iter().enumerate() {
        let digit = char::from(b).to_digit(radix)?;
        if i < 12 {
            value = value * u64::from(radix) + u64::from(digit);
        } else {
            value = u64::MAX;
        }
    }
    Some(value)
}

impl Element {
    /// The addresses the element stands for (`v6`, first, last); `None` for a host name, which
    /// the tool resolves when the rule is loaded, and for a mask that is not a prefix.
    pub fn range(&self) -> Option<(bool, u128, u128)> {
        let (v6, address, width) = match self.host {
            Host::V4(a) => (false, u128::from(u32::from(a)), 32u32),
            Host::V6(a) => (true, u128::from(a), 128),
            Host::Name => return None,
        };
        if self.noncontiguous {
            return None;
        }
        let len = u32::from(self.prefix.unwrap_or(width as u8)).min(width);
        let host_mask = host_mask(len, width);
        Some((v6, address & !host_mask, address | host_mask))
    }

    /// When the address has bits set past its prefix (`10.0.0.1/8`), the network the tools
    /// widen it to, written as a prefix (`10.0.0.0/8`).
    pub fn widened(&self) -> Option<String> {
        let prefix = self.prefix?;
        let (v6, lo, _) = self.range()?;
        let address = match self.host {
            Host::V4(a) => u128::from(u32::from(a)),
            Host::V6(a) => u128::from(a),
            Host::Name => return None,
        };
        if address == lo {
            return None;
        }
        Some(if v6 {
            format!("{}/{prefix}", Ipv6Addr::from(lo))
        } else {
            format!("{}/{prefix}", Ipv4Addr::from(lo as u32))
        })
    }
}

/// The bits of a `width`-bit address past a prefix of `len` bits.
fn host_mask(len: u32, width: u32) -> u128 {
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    all.checked_shr(len).unwrap_or(0) & all
}

/// An nft address value: `ADDR`, `ADDR/LEN` or `FIRST-LAST`, of the family of the match
/// (`ip saddr`: IPv4, `ip6 saddr`: IPv6). A name is resolved by nft when the rule is loaded and
/// comes back as [`Host::Name`].
pub fn nft_value(text: &str, v6: bool) -> Result<(Element, Option<Element>), AddressError> {
    let family = if v6 { Version::V6 } else { Version::V4 };
    let version = Some(family);
    // IPv6 addresses hold no `-`; a name may (`my-host`), so only numeric ends make a range.
    if let Some(at) = text.find('-') {
        let (first, last) = (&text[..at], &text[at + 1..]);
        let numeric = |t: &str| t.parse::<Ipv6Addr>().is_ok() || t.parse::<Ipv4Addr>().is_ok();
        if numeric(first) || numeric(last) {
            let a = nft_host(first, 0, version)?;
            let b = nft_host(last, at + 1, version)?;
            if let (Some((_, lo, _)), Some((_, hi, _))) = (a.range(), b.range()) {
                if lo > hi {
                    return Err(error(
                        0..text.len(),
                        format!("the range `{text}` ends before it starts"),
                        "write the lower address first: `FIRST-LAST`",
                    ));
                }
            }
            return Ok((a, Some(b)));
        }
    }
    let (address, prefix) = match text.rfind('/') {
        Some(at) => (&text[..at], Some((at + 1, &text[at + 1..]))),
        None => (text, None),
    };
    let mut element = nft_host(address, 0, version)?;
    element.end = text.len();
    if let Some((at, len)) = prefix {
        let max = if v6 { 128 } else { 32 };
        let range = if len.is_empty() {
            at - 1..at
        } else {
            at..text.len()
        };
        match len.parse::<u8>() {
            Ok(bits) if bits <= max => element.prefix = Some(bits),
            Ok(bits) => {
                return Err(error(
                    range,
                    format!(
                        "prefix length {bits} is out of range for {}: at most {max}",
                        family_name(family)
                    ),
                    format!("write a prefix length from 0 to {max}"),
                ))
            }
            Err(_) => {
                return Err(error(
                    range,
                    format!("`{len}` is not a prefix length"),
                    format!(
                        "write the prefix length after `/` as a number from 0 to {max}, e.g. `/24`"
                    ),
                ))
            }
        }
    }
    Ok((element, None))
}

/// One address of an nft value: numeric (as nft's `inet_pton` reads it: four decimal numbers
/// for IPv4), or a name.
fn nft_host(text: &str, offset: usize, version: Option<Version>) -> Result<Element, AddressError> {
    let v4 = text.parse::<Ipv4Addr>().ok().map(Host::V4);
    let v6 = text.parse::<Ipv6Addr>().ok().map(Host::V6);
    let host = match v4.or(v6) {
        Some(host) => {
            let wanted_v6 = version == Some(Version::V6);
            if matches!(host, Host::V6(_)) != wanted_v6 {
                let (found, wanted) = if wanted_v6 {
                    ("IPv4", "ip6")
                } else {
                    ("IPv6", "ip")
                };
                return Err(error(
                    offset..offset + text.len(),
                    format!("`{text}` is an {found} address, but this is an `{wanted}` match"),
                    if wanted_v6 {
                        "match IPv4 addresses with `ip saddr`/`ip daddr`, IPv6 ones with `ip6 saddr`/`ip6 daddr`"
                    } else {
                        "match IPv6 addresses with `ip6 saddr`/`ip6 daddr`, IPv4 ones with `ip saddr`/`ip daddr`"
                    },
                ));
            }
            host
        }
        None => host(text, offset, version, "nft")?,
    };
    Ok(Element {
        host,
        prefix: None,
        noncontiguous: false,
        start: offset,
        end: offset + text.len(),
    })
}

/// A NAT statement's address as written (`10.0.0.1`, `10.0.0.1-10.0.0.9`, `[::1]`,
/// `localhost`, `$backend`), read by every front end the same way: a literal address or range
/// has its addresses, `localhost` is marked, anything else is kept as text only.
pub fn nat_address(text: &str) -> crate::model::NatAddress {
    let literal = |part: &str| {
        part.trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .ok()
    };
    let range = match text.split_once('-') {
        // A last address that does not read is nft's error to report; the first still says
        // where the translation goes.
        Some((first, last)) => literal(first).map(|f| (f, literal(last).unwrap_or(f))),
        None => literal(text).map(|ip| (ip, ip)),
    };
    crate::model::NatAddress {
        text: text.to_string(),
        range,
        localhost: text.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        text: &str,
        version: Option<Version>,
    ) -> Result<SmallVec<[Element; 1]>, (Range<usize>, String)> {
        iptables_list(text, version, "iptables").map_err(|e| (e.range, e.message))
    }

    fn refused(text: &str, version: Option<Version>) -> Range<usize> {
        match check(text, version) {
            Err((range, _)) => range,
            Ok(e) => panic!("`{text}` accepted: {e:?}"),
        }
    }

    #[test]
    fn addresses_iptables_accepts() {
        let v4 = Some(Version::V4);
        for ok in [
            "10.0.0.1",
            "10.0.0.0/8",
            "10.0.0.0/255.255.255.0",
            "10.0.0.0/255.0.255.0",
            "10.0.0.1,10.0.0.2/32",
            "10",
            "10.1",
            "10.1.2",
            "167772161",
            "0x0a.0.0.1",
            "010.0.0.1",
            "10.0.0.0/010",
            "10.0.0.0/0x8",
            "10.0.0.0/0",
            "localhost",
            "localhost/8",
            "example.com",
            "3com.com",
            "host-1",
            "256",
        ] {
            assert!(check(ok, v4).is_ok(), "{ok}: {:?}", check(ok, v4));
        }
        let v6 = Some(Version::V6);
        for ok in [
            "2001:db8::1",
            "2001:db8::/32",
            "2001:db8::/ffff:ffff::",
            "::ffff:1.2.3.4",
            "2001:db8::/064",
            "localhost",
        ] {
            assert!(check(ok, v6).is_ok(), "{ok}: {:?}", check(ok, v6));
        }
        let prefix = |t: &str| check(t, None).expect("accepted")[0].prefix;
        assert_eq!(prefix("10.0.0.0/255.255.255.0"), Some(24));
        assert_eq!(prefix("10.0.0.0/255.0.255.0"), None);
        assert_eq!(prefix("2001:db8::/ffff:ffff::"), Some(32));
        assert_eq!(prefix("10.0.0.0/0"), Some(0));
    }

    #[test]
    fn what_iptables_refuses_is_pointed_at() {
        let v4 = Some(Version::V4);
        assert_eq!(refused("192.168.x.0/24", v4), 8..9);
        assert_eq!(refused("192.168.1.0/xx", v4), 12..14);
        assert_eq!(refused("10.0.0.256", v4), 7..10);
        assert_eq!(refused("1.2.3.4/33", v4), 8..10);
        assert_eq!(refused("10.0.0.0/08", v4), 9..11);
        assert_eq!(refused("10.0.0.0/255.255", v4), 9..16);
        assert_eq!(refused("192.168.1.x", v4), 10..11);
        assert_eq!(refused("10.0.0.XXX", v4), 7..10);
        assert!(check("1.2.3.com", v4).is_ok());
        assert_eq!(refused("08.0.0.1", v4), 0..2);
        assert_eq!(refused("1.2.3.4.5", v4), 0..9);
        assert_eq!(refused("10..0.1", v4), 2..3);
        assert_eq!(refused("10.0.0.1,", v4), 8..9);
        assert_eq!(refused(",10.0.0.1", v4), 0..1);
        assert_eq!(refused("10.0.0.1/", v4), 8..9);
        assert!(check("localhost/64", None).is_ok());
        assert_eq!(refused("localhost/64", v4), 10..12);
        assert_eq!(refused("2001:db8::1", v4), 0..11);
        assert_eq!(refused("2001:db8::g", None), 0..11);
        assert_eq!(refused("[::1]", None), 0..5);
        let v6 = Some(Version::V6);
        assert_eq!(refused("10.0.0.1", v6), 0..8);
        assert_eq!(refused("2001:db8::/129", v6), 11..14);
        let (_, message) = check("192.168.x.0", v4).expect_err("refused");
        assert!(message.contains("`x`"), "{message}");
    }

    #[test]
    fn ranges_iprange_accepts() {
        let ok = |t: &str, v| iprange(t, v, "iptables").is_ok();
        assert!(ok("10.0.0.1-10.0.0.9", Some(Version::V4)));
        assert!(ok("10.0.0.9-10.0.0.1", Some(Version::V4)));
        assert!(ok("10.0.0.1", Some(Version::V4)));
        assert!(ok("10.1-10.2", None));
        assert!(ok("2001:db8::1-2001:db8::2", Some(Version::V6)));
        assert!(ok("2001:db8::1-2001:db8::2", None));
        assert!(!ok("10.0.0.1-", None));
        assert!(!ok("10.0.0.x-10.0.0.9", None));
        assert!(!ok("localhost-localhost", None));
        assert!(!ok("10.0.0.0/24-10.0.0.9", None));
        assert!(!ok("167772161", None));
        assert!(!ok("10.0.0.1-10.0.0.2-10.0.0.3", None));
        assert!(!ok("2001:db8::1-2001:db8::2", Some(Version::V4)));
        assert!(!ok("10.0.0.1-10.0.0.2", Some(Version::V6)));
        assert!(!ok("10.0.0.1-2001:db8::2", None));
        let range = iprange("10.0.0.x-10.0.0.9", None, "iptables").expect_err("refused");
        assert_eq!(range.range, 0..8);
    }

    #[test]
    fn nat_addresses_know_whether_they_are_this_host() {
        for local in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
            "127.0.0.1-127.0.0.9",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(nat_address(local).is_loopback(), "{local}");
        }
        for remote in [
            "10.0.0.1",
            "2001:db8::1",
            "10.0.0.1-127.0.0.1",
            "$backend",
            "backend.example",
        ] {
            assert!(!nat_address(remote).is_loopback(), "{remote}");
        }
        let range = nat_address("10.0.0.1-10.0.0.9").range;
        assert_eq!(
            range,
            Some((
                std::net::IpAddr::from([10, 0, 0, 1]),
                std::net::IpAddr::from([10, 0, 0, 9])
            ))
        );
        assert_eq!(nat_address("$backend").range, None);
        assert_eq!(nat_address("$backend").text, "$backend");
    }
}
