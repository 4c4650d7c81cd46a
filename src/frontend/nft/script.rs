//! Shell scripts that run nft: `nft add rule inet filter input tcp dport 22 accept` command
//! lines, and `nft -f - <<EOF` here-documents. The script is turned into nft text of the same
//! length — each command's arguments and each here-document's body where they stand, shell
//! quotes and every other byte blanked — and read by the nft text reader, so that findings
//! point at the script's own bytes.
//!
//! What the shell would change is not guessed: a command or an unquoted here-document with a
//! `$` expansion is left out, and said once per file (PL006).

use crate::frontend::unanalysed::Kind;

/// A command or here-document left out because the shell expands something in it.
pub const SHELL_EXPANSION: Kind = Kind {
    name: "an nft command with a shell expansion (`$VAR`, `$(…)`)",
    why: "what the shell makes of it is known only where the script runs, so the command is not read (write the value in the script, or keep the rules in an nft file and run `nft -f` on it)",
};

/// The nft commands that build a ruleset; others (`list`, `monitor`, …) read or watch one.
const RULESET_COMMANDS: &[&str] = &[
    "add",
    "create",
    "insert",
    "replace",
    "delete",
    "destroy",
    "flush",
    "rename",
    "table",
    "chain",
    "rule",
    "set",
    "map",
    "element",
    "flowtable",
    "define",
    "include",
];

/// Whether `word` runs nft: `nft`, `/usr/sbin/nft`.
fn is_nft(word: &str) -> bool {
    word.rsplit('/').next() == Some("nft")
}

/// Words before a command that do not change it.
fn is_prefix(word: &str) -> bool {
    matches!(
        word,
        "sudo" | "doas" | "command" | "exec" | "if" | "then" | "else" | "elif" | "do" | "!" | "{"
    )
}

/// Whether some line of `text` runs nft (for format detection).
pub fn has_nft_command(text: &str) -> bool {
    text.contains("nft")
        && text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .any(|line| command_start(line).is_some())
}

/// Where the nft program word of `line` starts and ends, when the line runs nft.
fn command_start(line: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for word in line.split([' ', '\t']) {
        let start = offset;
        offset += word.len() + 1;
        if word.is_empty() || is_prefix(word) {
            continue;
        }
        return is_nft(word).then_some((start, start + word.len()));
    }
    None
}

/// The script `text` as nft text of the same length, and the byte offsets of the commands
/// left out for a shell expansion.
pub fn nft_text(text: &str) -> (String, Vec<usize>) {
    let mut out: Vec<u8> = blank(text).into_bytes();
    let mut skipped = Vec::new();
    let mut lines = LineStarts::new(text);
    while let Some((start, end)) = lines.next() {
        let line = &text[start..end];
        let Some((_, program_end)) = command_start(line) else {
            continue;
        };
        let rest_start = start + program_end;
        match options(text, rest_start, end) {
            Options::Heredoc { quoted, delimiter } => {
                let body_start = end + 1;
                let mut body_end = body_start;
                for (s, e) in lines.by_ref() {
                    if text[s..e].trim() == delimiter {
                        break;
                    }
                    body_end = e;
                }
                if body_end <= body_start {
                    continue;
                }
                let body = &text[body_start..body_end];
                if !quoted && body.contains('$') {
                    skipped.push(body_start);
                    continue;
                }
                if let Some(slots) = out.get_mut(body_start..body_end) {
                    slots.copy_from_slice(body.as_bytes());
                }
            }
            Options::Command(at) => {
                let mut continued_end = end;
                // A command continued with `\` at the end of its lines.
                while text[..continued_end].ends_with('\\') {
                    match lines.next() {
                        Some((_, e)) => continued_end = e,
                        None => break,
                    }
                }
                if !copy_command(text, at, continued_end, &mut out) {
                    skipped.push(at);
                }
            }
            Options::Other => {}
        }
    }
    // Every byte copied is the script's own byte at the same offset, whole characters with
    // all their bytes; blanks and `;` are ASCII. So this holds UTF-8 (else: nothing is read).
    let out = String::from_utf8(out).unwrap_or_else(|_| blank(text));
    (out, skipped)
}

/// `text` with every byte but line breaks blanked.
fn blank(text: &str) -> String {
    text.bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect()
}

/// What follows `nft` on a line.
enum Options<'t> {
    /// `nft [options] COMMAND …`: the command starts at this offset.
    Command(usize),
    /// `nft -f - <<EOF`: a here-document with the ruleset.
    Heredoc { quoted: bool, delimiter: &'t str },
    /// Anything else: `nft -f FILE`, `nft -j …`, `nft list ruleset`.
    Other,
}

fn options(text: &str, mut pos: usize, end: usize) -> Options<'_> {
    let line = &text[pos..end];
    if let Some(at) = line.find("<<") {
        let spec = line[at + 2..].trim_start_matches('-').trim();
        let word = spec.split([' ', '\t', ';', '|', '&']).next().unwrap_or("");
        let quoted = word.starts_with(['\'', '"']) || word.starts_with('\\');
        let delimiter = word.trim_matches(|c| c == '\'' || c == '"' || c == '\\');
        let reads_stdin = line
            .split_whitespace()
            .any(|w| w == "-" || w == "/dev/stdin");
        if !delimiter.is_empty() && reads_stdin && !line.contains("-j") {
            return Options::Heredoc { quoted, delimiter };
        }
        return Options::Other;
    }
    loop {
        let rest = &text[pos..end];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        pos += rest.len() - trimmed.len();
        let word = trimmed.split([' ', '\t']).next().unwrap_or("");
        match word {
            "" => return Options::Other,
            "-f" | "--file" | "-j" | "--json" | "-i" | "--interactive" => return Options::Other,
            // Options with a value: the value is the next word.
            "-I" | "--includepath" | "-D" | "--define" => {
                pos += word.len();
                let rest = text[pos..end].trim_start_matches([' ', '\t']);
                let value = rest.split([' ', '\t']).next().unwrap_or("");
                pos = end - rest.len() + value.len();
            }
            w if w.starts_with('-') => pos += w.len(),
            w => {
                let command = w.trim_matches(|c| c == '\'' || c == '"');
                return if RULESET_COMMANDS.contains(&command) {
                    Options::Command(pos)
                } else {
                    Options::Other
                };
            }
        }
    }
}

/// Copy the command from `start` to the end of the shell command (an unquoted `;`, `&`, `|`,
/// `>`, `<`, `#` or the line's end) into `out` with its shell quoting blanked; a `;` stands
/// where the shell command ends, so the next nft command is a statement of its own. `false`
/// when the command has a shell expansion (nothing is copied then).
fn copy_command(text: &str, start: usize, end: usize, out: &mut [u8]) -> bool {
    let bytes = text.as_bytes();
    let mut copied: Vec<(usize, u8)> = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = start;
    let mut stop = end;
    while i < end {
        let Some(&b) = bytes.get(i) else {
            break;
        };
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(b'\''), _) => copied.push((i, b)),
            (Some(_), b'$' | b'`') => return false,
            (Some(_), b'\\') => {
                // `\"` inside double quotes is a `"` for nft.
                if let Some(&next) = bytes.get(i + 1) {
                    copied.push((i + 1, next));
                }
                i += 1;
            }
            (Some(_), _) => copied.push((i, b)),
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'$' | b'`') => return false,
            (None, b'\\') => {
                // `\` and a line break continue the command on the next line: one statement.
                match bytes.get(i + 1) {
                    Some(b'\n') => copied.push((i + 1, b' ')),
                    Some(&next) => copied.push((i + 1, next)),
                    None => {}
                }
                i += 1;
            }
            (None, b';' | b'&' | b'|' | b'>' | b'<' | b'#') => {
                stop = i;
                break;
            }
            (None, b'\n') => {}
            (None, _) => copied.push((i, b)),
        }
        i += 1;
    }
    if quote.is_some() {
        return false;
    }
    for (at, b) in copied {
        if let Some(slot) = out.get_mut(at) {
            *slot = b;
        }
    }
    if let Some(slot) = out.get_mut(stop).filter(|s| **s == b' ') {
        *slot = b';';
    }
    true
}

/// The lines of a text as byte ranges without their `\n`.
struct LineStarts<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> LineStarts<'t> {
    fn new(text: &'t str) -> Self {
        LineStarts { text, pos: 0 }
    }
}

impl Iterator for LineStarts<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        self.pos = end + 1;
        Some((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_keep_their_offsets_and_lose_their_quotes() {
        let script = "#!/bin/sh\nnft add chain inet f input '{ type filter hook input priority 0; }'\nsudo nft add rule inet f input tcp dport 22 accept || true\n";
        let (text, skipped) = nft_text(script);
        assert_eq!(text.len(), script.len());
        assert!(skipped.is_empty());
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        assert_eq!(lines[0], "");
        assert_eq!(
            lines[1],
            "    add chain inet f input  { type filter hook input priority 0; }"
        );
        assert_eq!(
            lines[2],
            "         add rule inet f input tcp dport 22 accept ;"
        );
    }

    #[test]
    fn heredocs_are_copied_and_expansions_left_out() {
        let script = "nft -f - <<'EOF'\ntable inet f {\n}\nEOF\nnft add rule inet f input tcp dport $PORT accept\nnft list ruleset\n";
        let (text, skipped) = nft_text(script);
        assert_eq!(text.len(), script.len());
        assert!(text.contains("table inet f {\n}\n"));
        assert!(!text.contains("PORT"));
        assert!(!text.contains("list"));
        assert_eq!(skipped, [script.find("add rule").unwrap_or(0)]);
    }

    #[test]
    fn scripts_that_run_nft_are_told_apart() {
        assert!(has_nft_command("#!/bin/sh\nnft flush ruleset\n"));
        assert!(has_nft_command("if /usr/sbin/nft list tables; then\n"));
        assert!(!has_nft_command("#!/bin/sh\necho nft\n# nft add rule\n"));
        assert!(!has_nft_command("#!/usr/sbin/nft -f\ntable inet f {\n}\n"));
    }
}
