//! Splitting a line into words, as iptables-restore and a shell do, keeping each word's span.
//!
//! iptables-restore splits a rule line at blanks and groups quoted text (`--comment "a b"`),
//! removing the quotes; a shell also expands `$variables`. A word that is written plainly keeps
//! the exact characters it came from ([`Word::verbatim`]), so a port inside it (`22` in
//! `--dports 22,80`) is pointed at exactly.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// One argument of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'t> {
    pub text: Cow<'t, str>,
    /// The characters that wrote it, quotes included.
    pub span: Range<usize>,
    /// `text` is exactly the source at `span`: a part of it can be pointed at by offset.
    pub verbatim: bool,
    /// It holds a shell expansion portlint cannot know (`$PORT`, `$(…)`, `` `…` ``).
    pub opaque: bool,
}

impl<'t> Word<'t> {
    /// The span of `text[range]`: exact when the word is verbatim, the whole word otherwise.
    pub fn sub_span(&self, range: Range<usize>) -> Range<usize> {
        if self.verbatim && range.end <= self.text.len() {
            self.span.start + range.start..self.span.start + range.end
        } else {
            self.span.clone()
        }
    }
}

/// A line that does not split: an unterminated quote.
#[derive(Debug, PartialEq, Eq)]
pub struct SplitError {
    pub span: Range<usize>,
    pub message: &'static str,
}

/// Byte classes of an iptables-restore line: 1 a blank, 2 a quote, 3 the line's end, 0 part
/// of a word.
const RESTORE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b' ' as usize] = 1;
    table[b'\t' as usize] = 1;
    table[b'\r' as usize] = 1;
    table[b'"' as usize] = 2;
    table[b'\'' as usize] = 2;
    table[b'\n' as usize] = 3;
    table
};

/// The words of the iptables-restore line that starts at byte `from` of `text`, up to its line
/// break; returns where the line ends (its `\n`, or the end of the text). Blanks separate words;
/// `"…"` and `'…'` group text and are removed; inside quotes a backslash keeps the next
/// character. (One pass over the line: finding its end first would read it twice.)
pub fn split_restore<'t>(
    text: &'t str,
    from: usize,
    out: &mut Vec<Word<'t>>,
) -> (Result<(), SplitError>, usize) {
    out.clear();
    let bytes = text.as_bytes();
    let mut pos = from;
    loop {
        // One table load a byte: this runs over every byte of a dump.
        let rest = bytes.get(pos..).unwrap_or_default();
        pos += rest
            .iter()
            .position(|&b| RESTORE_CLASS[b as usize] != 1)
            .unwrap_or(rest.len());
        if bytes
            .get(pos)
            .is_none_or(|&b| RESTORE_CLASS[b as usize] == 3)
        {
            return (Ok(()), pos);
        }
        let start = pos;
        // The common case: a plain word, borrowed as it is.
        let rest = bytes.get(pos..).unwrap_or_default();
        pos += rest
            .iter()
            .position(|&b| RESTORE_CLASS[b as usize] != 0)
            .unwrap_or(rest.len());
        if bytes
            .get(pos)
            .is_none_or(|&b| RESTORE_CLASS[b as usize] != 2)
        {
            out.push(Word {
                text: Cow::Borrowed(text.get(start..pos).unwrap_or_default()),
                span: start..pos,
                verbatim: true,
                opaque: false,
            });
            continue;
        }
        // A word with quotes in it: built up character by character.
        let mut word = String::from(text.get(start..pos).unwrap_or_default());
        let mut quote: Option<char> = None;
        let mut chars = text.get(pos..).unwrap_or_default().char_indices();
        let mut end = text.len();
        while let Some((i, c)) = chars.next() {
            match (quote, c) {
                (_, '\n') => {
                    end = pos + i;
                    break;
                }
                (None, ' ' | '\t' | '\r') => {
                    end = pos + i;
                    break;
                }
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => match chars.next() {
                    Some((j, '\n')) => {
                        end = pos + j;
                        break;
                    }
                    Some((_, next)) => word.push(next),
                    None => {}
                },
                (_, c) => word.push(c),
            }
        }
        if quote.is_some() {
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            return (
                Err(SplitError {
                    span: start..line_end,
                    message: "this quote is never closed",
                }),
                line_end,
            );
        }
        pos = end;
        out.push(Word {
            text: Cow::Owned(word),
            span: start..end,
            verbatim: false,
            opaque: false,
        });
    }
}

/// Where one shell command ends within a line: at `;`, `&&`, `||`, `|`, `&`, a redirection or a
/// comment, outside quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The line (or the text) ended.
    End,
    /// A control operator: another command may follow it.
    Operator,
}

/// The words of one shell command starting at byte `start` of `text`, with `variables`
/// expanded where the script set them; returns where the command stopped and the offset after
/// it. Backslash-newline continuations are taken as blanks (the caller hands in the joined
/// text's own offsets, so spans stay exact).
pub fn split_shell<'t>(
    text: &'t str,
    start: usize,
    variables: &HashMap<String, String>,
    out: &mut Vec<Word<'t>>,
) -> Result<(Stop, usize), SplitError> {
    out.clear();
    let bytes = text.as_bytes();
    let mut pos = start;
    loop {
        // Blanks, and backslash-newline continuations.
        loop {
            match bytes.get(pos) {
                Some(b' ' | b'\t' | b'\r') => pos += 1,
                Some(b'\\') if matches!(bytes.get(pos + 1), Some(b'\n')) => pos += 2,
                Some(b'\\')
                    if matches!(bytes.get(pos + 1), Some(b'\r'))
                        && matches!(bytes.get(pos + 2), Some(b'\n')) =>
                {
                    pos += 3
                }
                _ => break,
            }
        }
        match bytes.get(pos) {
            None | Some(b'\n') => return Ok((Stop::End, pos)),
            Some(b'#') => {
                let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                return Ok((Stop::End, end));
            }
            Some(b';' | b'&' | b'|') => {
                let mut end = pos + 1;
                while matches!(bytes.get(end), Some(b'&' | b'|' | b';')) {
                    end += 1;
                }
                return Ok((Stop::Operator, end));
            }
            // A redirection (`>/dev/null`, `2>&1`, `< file`): it and its target are not
            // arguments. Skip to the end of its target word.
            Some(b'>' | b'<') => {
                pos = skip_redirection(bytes, pos);
                continue;
            }
            Some(b'0'..=b'9')
                if {
                    let digits = bytes[pos..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    matches!(bytes.get(pos + digits), Some(b'>' | b'<'))
                } =>
            {
                let digits = bytes[pos..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                pos = skip_redirection(bytes, pos + digits);
                continue;
            }
            Some(b'$') => {
                if let Some(end) = split_expansion(text, pos, variables, out) {
                    pos = end;
                    continue;
                }
            }
            Some(_) => {}
        }
        let (word, end) = shell_word(text, pos, variables)?;
        out.push(word);
        pos = end;
    }
}

/// A word that is one unquoted `$NAME` or `${NAME}` of a variable the script set: its value is
/// split into words at blanks, as the shell's field splitting does (`STATE="-m state --state"`
/// … `$STATE NEW` is four words). Each word points at the expansion. Returns where the
/// expansion ends, or `None` when the word is anything else.
fn split_expansion<'t>(
    text: &'t str,
    pos: usize,
    variables: &HashMap<String, String>,
    out: &mut Vec<Word<'t>>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let (name, end) = match bytes.get(pos + 1) {
        Some(b'{') => {
            let len = bytes
                .get(pos + 2..)?
                .iter()
                .take_while(|b| is_name(b))
                .count();
            if bytes.get(pos + 2 + len) != Some(&b'}') {
                return None;
            }
            (text.get(pos + 2..pos + 2 + len)?, pos + 3 + len)
        }
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            let len = bytes
                .get(pos + 1..)?
                .iter()
                .take_while(|b| is_name(b))
                .count();
            (text.get(pos + 1..pos + 1 + len)?, pos + 1 + len)
        }
        _ => return None,
    };
    let word_ends = matches!(
        bytes.get(end),
        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>')
    );
    let value = variables.get(name).filter(|_| word_ends)?;
    if !value.is_empty() && !value.contains([' ', '\t', '\n']) {
        // One word: read as any other. (An empty value is no word at all.)
        return None;
    }
    for field in value.split([' ', '\t', '\n']).filter(|f| !f.is_empty()) {
        out.push(Word {
            text: Cow::Owned(field.to_string()),
            span: pos..end,
            verbatim: false,
            opaque: false,
        });
    }
    Some(end)
}

/// Past a redirection operator at `pos` and the word it redirects to.
fn skip_redirection(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b'>' | b'<' | b'&')) {
        pos += 1;
    }
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    while let Some(&b) = bytes.get(pos) {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|') {
            break;
        }
        pos += 1;
    }
    pos
}

/// One shell word at `start`: quotes removed, `$NAME`/`${NAME}` expanded when the script set
/// NAME, marked opaque when it holds an expansion that cannot be known.
fn shell_word<'t>(
    text: &'t str,
    start: usize,
    variables: &HashMap<String, String>,
) -> Result<(Word<'t>, usize), SplitError> {
    let bytes = text.as_bytes();
    // The common case: a plain word.
    let mut pos = start;
    while let Some(&b) = bytes.get(pos) {
        if matches!(
            b,
            b' ' | b'\t'
                | b'\r'
                | b'\n'
                | b';'
                | b'&'
                | b'|'
                | b'<'
                | b'>'
                | b'"'
                | b'\''
                | b'\\'
                | b'$'
                | b'`'
        ) {
            break;
        }
        pos += 1;
    }
    let plain_end = matches!(
        bytes.get(pos),
        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>')
    );
    if plain_end {
        return Ok((
            Word {
                text: Cow::Borrowed(&text[start..pos]),
                span: start..pos,
                verbatim: true,
                opaque: false,
            },
            pos,
        ));
    }
    let mut out = String::from(&text[start..pos]);
    let mut opaque = false;
    let mut quote: Option<u8> = None;
    while let Some(&b) = bytes.get(pos) {
        match (quote, b) {
            (None, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>') => break,
            (None, b'\'' | b'"') => {
                quote = Some(b);
                pos += 1;
            }
            (Some(q), b) if b == q => {
                quote = None;
                pos += 1;
            }
            (Some(b'\''), _) => {
                let c = next_char(text, pos);
                out.push(c);
                pos += c.len_utf8();
            }
            (_, b'\\') => {
                // Outside quotes a backslash keeps any next character; inside double quotes,
                // only `$`, `` ` ``, `"`, `\` and a newline.
                match bytes.get(pos + 1) {
                    Some(b'\n') => pos += 2,
                    Some(&n) if quote.is_none() || matches!(n, b'$' | b'`' | b'"' | b'\\') => {
                        let c = next_char(text, pos + 1);
                        out.push(c);
                        pos += 1 + c.len_utf8();
                    }
                    _ => {
                        out.push('\\');
                        pos += 1;
                    }
                }
            }
            (_, b'$') => {
                let (value, end) = expansion(text, pos, variables);
                match value {
                    Some(value) => out.push_str(&value),
                    None => {
                        opaque = true;
                        out.push_str(text.get(pos..end).unwrap_or("$"));
                    }
                }
                pos = end;
            }
            (_, b'`') => {
                let end = text[pos + 1..]
                    .find('`')
                    .map_or(text.len(), |i| pos + 1 + i + 1);
                opaque = true;
                out.push_str(text.get(pos..end).unwrap_or("`"));
                pos = end;
            }
            _ => {
                let c = next_char(text, pos);
                out.push(c);
                pos += c.len_utf8();
            }
        }
    }
    if quote.is_some() {
        return Err(SplitError {
            span: start..pos,
            message: "this quote is never closed",
        });
    }
    let verbatim = !opaque && out == text[start..pos];
    Ok((
        Word {
            text: Cow::Owned(out),
            span: start..pos,
            verbatim,
            opaque,
        },
        pos,
    ))
}

fn next_char(text: &str, pos: usize) -> char {
    text.get(pos..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('\u{fffd}')
}

/// A `$…` expansion at `pos`: its value when it is a variable the script set, and where it ends.
fn expansion(
    text: &str,
    pos: usize,
    variables: &HashMap<String, String>,
) -> (Option<String>, usize) {
    let bytes = text.as_bytes();
    match bytes.get(pos + 1) {
        Some(b'{') => {
            let Some(close) = text[pos + 2..].find('}') else {
                return (None, text.len());
            };
            let inner = &text[pos + 2..pos + 2 + close];
            let end = pos + 2 + close + 1;
            let is_name = !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            (
                is_name.then(|| variables.get(inner).cloned()).flatten(),
                end,
            )
        }
        Some(b'(') => {
            // `$(…)`: a command substitution, nested parentheses counted.
            let mut depth = 0usize;
            let mut end = text.len();
            for (i, b) in bytes.iter().enumerate().skip(pos + 1) {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            (None, end)
        }
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            let len = bytes[pos + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let name = &text[pos + 1..pos + 1 + len];
            (variables.get(name).cloned(), pos + 1 + len)
        }
        // `$1`, `$@`, `$?`…: positional and special parameters.
        Some(b) if b.is_ascii_graphic() => (None, pos + 2),
        // A `$` before anything else stays a `$`.
        Some(_) => (Some("$".to_string()), pos + 1),
        None => (Some("$".to_string()), pos + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restore(line: &str) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        let (split, end) = split_restore(line, 0, &mut out);
        split.expect("splits");
        assert_eq!(end, line.len());
        out.into_iter()
            .map(|w| (w.text.into_owned(), w.span))
            .collect()
    }

    #[test]
    fn restore_words_and_quotes() {
        assert_eq!(
            restore("-A INPUT  -p tcp"),
            vec![
                ("-A".into(), 0..2),
                ("INPUT".into(), 3..8),
                ("-p".into(), 10..12),
                ("tcp".into(), 13..16)
            ]
        );
        assert_eq!(
            restore(r#"-m comment --comment "a \"b\" c" -j X"#),
            vec![
                ("-m".into(), 0..2),
                ("comment".into(), 3..10),
                ("--comment".into(), 11..20),
                (r#"a "b" c"#.into(), 21..32),
                ("-j".into(), 33..35),
                ("X".into(), 36..37)
            ]
        );
        let mut out = Vec::new();
        assert!(split_restore(r#"--comment "open"#, 0, &mut out).0.is_err());
        // A line ends at its line break, also inside quotes.
        let text = "-A X -j Y\r\n-A Z \"a\nb\"\n";
        let (split, end) = split_restore(text, 0, &mut out);
        assert!(split.is_ok());
        assert_eq!((out.len(), end), (4, 10));
        let (split, end) = split_restore(text, 11, &mut out);
        assert!(split.is_err());
        assert_eq!(end, 18);
    }

    fn shell(text: &str, vars: &[(&str, &str)]) -> (Vec<(String, bool)>, Stop) {
        let variables = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = Vec::new();
        let (stop, _) = split_shell(text, 0, &variables, &mut out).expect("splits");
        (
            out.into_iter()
                .map(|w| (w.text.into_owned(), w.opaque))
                .collect(),
            stop,
        )
    }

    #[test]
    fn shell_words_quotes_variables_and_stops() {
        let (words, stop) = shell(
            "$IPT -A INPUT --dport \"$PORT\" -j ACCEPT 2>/dev/null || true",
            &[("IPT", "/sbin/iptables")],
        );
        assert_eq!(stop, Stop::Operator);
        assert_eq!(
            words,
            vec![
                ("/sbin/iptables".into(), false),
                ("-A".into(), false),
                ("INPUT".into(), false),
                ("--dport".into(), false),
                ("$PORT".into(), true),
                ("-j".into(), false),
                ("ACCEPT".into(), false),
            ]
        );
        let (words, stop) = shell("iptables -A X \\\n  -j DROP # done", &[]);
        assert_eq!(stop, Stop::End);
        assert_eq!(words.len(), 5);
        let (words, _) = shell("echo 'a b' ${X}y", &[("X", "1")]);
        assert_eq!(
            words,
            vec![
                ("echo".into(), false),
                ("a b".into(), false),
                ("1y".into(), false)
            ]
        );
    }

    #[test]
    fn an_unquoted_expansion_is_split_into_fields() {
        let vars = [("STATE", "-m state --state"), ("EMPTY", ""), ("ONE", "x")];
        let (words, _) = shell("iptables $STATE NEW \"$STATE\" ${STATE} $EMPTY $ONE", &vars);
        let texts: Vec<&str> = words.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "iptables",
                "-m",
                "state",
                "--state",
                "NEW",
                "-m state --state",
                "-m",
                "state",
                "--state",
                "x"
            ]
        );
        // Each field points at the expansion.
        let mut out = Vec::new();
        let variables = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        split_shell("a $STATE", 0, &variables, &mut out).expect("splits");
        assert!(out.iter().skip(1).all(|w| w.span == (2..8)), "{out:?}");
    }
}
