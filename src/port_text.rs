//! The text of the registry's findings on one port (`port 22/tcp is …`, `ports 22/tcp and
//! 22/udp are …`), written when a finding is shown: the diagnostics keep the parts.

use crate::model::ProtoSet;

/// The text of a port finding kept in parts (`crate::check::port_facts::port_message`):
/// `{before}port 22/tcp is {after}`.
pub fn port_message_text(before: &str, port: u16, hits: ProtoSet, after: &str) -> String {
    // Nearly every finding names one protocol: the short way for it.
    if let (1, Some(l4)) = (hits.len(), hits.iter().next()) {
        let protocol = l4.as_str();
        let length =
            before.len() + "port ".len() + decimal_len(port) + 1 + protocol.len() + 4 + after.len();
        let mut message = String::with_capacity(length);
        message.push_str(before);
        message.push_str("port ");
        push_decimal(&mut message, port);
        message.push('/');
        message.push_str(protocol);
        message.push_str(" is ");
        message.push_str(after);
        return message;
    }
    let count = hits.len();
    // The exact length, so that the finding keeps this allocation as it is (no shrinking copy).
    let ports: usize = hits
        .iter()
        .map(|l4| decimal_len(port) + 1 + l4.as_str().len())
        .sum();
    let separators = match count {
        0 | 1 => 0,
        n => " and ".len() + ", ".len() * (n - 2),
    };
    let words = if count == 1 { "port " } else { "ports " };
    let length =
        before.len() + words.len() + ports + separators + 2 + is_are(hits).len() + after.len();
    let mut message = String::with_capacity(length);
    message.push_str(before);
    message.push_str(words);
    // As `join_and` joins: `a`, `a and b`, `a, b and c`.
    for (i, l4) in hits.iter().enumerate() {
        if i > 0 {
            message.push_str(if i + 1 == count { " and " } else { ", " });
        }
        push_decimal(&mut message, port);
        message.push('/');
        message.push_str(l4.as_str());
    }
    message.push(' ');
    message.push_str(is_are(hits));
    message.push(' ');
    message.push_str(after);
    message
}

/// How many digits `port` has in decimal.
fn decimal_len(port: u16) -> usize {
    match port {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        _ => 5,
    }
}

/// `port` in decimal, appended.
pub fn push_decimal(text: &mut String, port: u16) {
    let mut digits = [0u8; 5];
    let mut first = digits.len();
    let mut rest = port;
    loop {
        first -= 1;
        digits[first] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[first..] {
        text.push(char::from(digit));
    }
}

/// `is` for one port/protocol, `are` for several.
pub fn is_are(hits: ProtoSet) -> &'static str {
    if hits.len() == 1 {
        "is"
    } else {
        "are"
    }
}
