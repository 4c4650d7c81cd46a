//! Source files with a line index, so that spans map to lines and columns in O(log n) and miette
//! renders thousands of diagnostics without rescanning the file for each one.
//!
//! A column counts characters from the start of its line. On a long line (real `nft -j` output
//! is one line of megabytes) that count starts from the nearest checkpoint instead: every
//! [`CHECKPOINT_BYTES`] bytes the file's character count is kept, so a column costs at most that
//! many bytes of counting, whatever the line's length.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;
use std::sync::OnceLock;

/// How far apart the character-count checkpoints are: a column counts at most twice this many
/// bytes, and the checkpoints take 4 bytes per this many bytes of the file.
const CHECKPOINT_BYTES: usize = 4096;

/// Lines longer than this (in bytes) are not drawn in a snippet, neither as the span's line nor
/// as a context line around it: a snippet of a 50,000-character line helps nobody, drawing it
/// for each finding near it costs its length each time, and miette cannot underline beyond
/// column 65,535.
pub const MAX_DRAWN_LINE: usize = 1_000;

/// The characters that start in `bytes` (every byte but UTF-8's continuation bytes), so that a
/// count may start or stop inside a character.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// An index into [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both (same file).
    pub fn to(&self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A run of bytes that were not UTF-8, read as one U+FFFD (3 bytes) at `text` in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// Where the U+FFFD starts in the text.
    pub text: usize,
    /// Where the bytes it replaces start on disk, and how many there are.
    pub disk: usize,
    pub disk_len: usize,
}

/// A file's bytes as text: each run of bytes that is not UTF-8 becomes one U+FFFD, as
/// `String::from_utf8_lossy` does, and where that happened is kept, so that offsets into the
/// text can be given as offsets into the file on disk (JSON, SARIF).
#[derive(Debug, Default)]
pub struct Decoded {
    pub text: String,
    pub replaced: Vec<Replaced>,
}

impl Decoded {
    pub fn new(bytes: Vec<u8>) -> Decoded {
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => {
                return Decoded {
                    text,
                    replaced: Vec::new(),
                }
            }
            Err(e) => e.into_bytes(),
        };
        let mut text = String::with_capacity(bytes.len() + 16);
        let mut replaced = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    break;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    // The prefix is valid UTF-8: `valid_up_to` says so.
                    text.push_str(std::str::from_utf8(&rest[..valid]).unwrap_or_default());
                    let bad = e.error_len().unwrap_or(rest.len() - valid);
                    replaced.push(Replaced {
                        text: text.len(),
                        disk: at + valid,
                        disk_len: bad,
                    });
                    text.push('\u{fffd}');
                    at += valid + bad;
                }
            }
        }
        Decoded { text, replaced }
    }

    /// Where the first byte that is not UTF-8 is on disk.
    pub fn invalid_utf8_at(&self) -> Option<usize> {
        self.replaced.first().map(|r| r.disk)
    }
}

/// One file's text and where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user wrote it (or as the walk found it), used in all output.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// The bytes that were not UTF-8, in order (almost always none).
    replaced: Vec<Replaced>,
    /// `checkpoints[i]`: the characters before byte `i * CHECKPOINT_BYTES`; built on the first
    /// column asked for on a line longer than `CHECKPOINT_BYTES`.
    checkpoints: OnceLock<Vec<u32>>,
}

/// A 1-based line and column (columns count Unicode characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path,
            text,
            line_starts,
            replaced: Vec::new(),
            checkpoints: OnceLock::new(),
        }
    }

    /// A file read from disk, whose offsets map back to its bytes.
    pub fn decoded(path: String, decoded: Decoded) -> SourceFile {
        SourceFile {
            replaced: decoded.replaced,
            ..SourceFile::new(path, decoded.text)
        }
    }

    /// The offset in the file on disk of `offset` in the text: they differ after a byte that
    /// was not UTF-8 (one U+FFFD, 3 bytes, stands for 1 to 3 bytes). An offset inside a U+FFFD
    /// maps into the bytes it replaces.
    pub fn disk_offset(&self, offset: usize) -> usize {
        let before = self.replaced.partition_point(|r| r.text <= offset);
        let Some(last) = before.checked_sub(1).and_then(|i| self.replaced.get(i)) else {
            return offset;
        };
        let into = offset - last.text;
        let width = '\u{fffd}'.len_utf8();
        if into >= width {
            last.disk + last.disk_len + (into - width)
        } else {
            last.disk + into.min(last.disk_len)
        }
    }

    /// The 0-based line holding `offset` (a binary search: no counting of characters).
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let column = if offset - start <= CHECKPOINT_BYTES {
            count_chars(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The characters before byte `offset` (a character boundary), counted from the checkpoint
    /// at or before it.
    fn chars_before(&self, offset: usize) -> usize {
        let checkpoints = self.checkpoints.get_or_init(|| {
            let mut before = 0;
            let mut checkpoints = vec![0];
            for chunk in self.text.as_bytes().chunks(CHECKPOINT_BYTES) {
                before += count_chars(chunk) as u32;
                checkpoints.push(before);
            }
            checkpoints
        });
        let at = offset / CHECKPOINT_BYTES;
        let base = checkpoints.get(at).copied().unwrap_or(0) as usize;
        base + count_chars(&self.text.as_bytes()[at * CHECKPOINT_BYTES..offset])
    }

    /// Clamp to the text and back to a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The length in bytes of the 0-based `line`, without its line terminator.
    fn line_len(&self, line: usize) -> usize {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.line_text(start).len()
    }

    /// The text of the line holding `offset`, without its line terminator.
    pub fn line_text(&self, offset: usize) -> &str {
        let line = self.line_index(self.clamp(offset));
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        if context_lines_before == 0 && context_lines_after == 0 {
            // The span alone: miette asks for it to write the `[path:line:column]` header,
            // whose column is the span's own (counted in characters, as every column portlint
            // shows).
            let at = self.line_col(start);
            let lines = self.line_index(end.max(start)) - self.line_index(start) + 1;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.path.clone(),
                &self.text.as_bytes()[start..end],
                (start, end - start).into(),
                at.line - 1,
                at.column - 1,
                lines,
            )));
        }
        // Context lines too long to draw are left out (the span's own lines are the caller's
        // to judge).
        let drawn = |line: &usize| self.line_len(*line) <= MAX_DRAWN_LINE;
        let span_start_line = self.line_index(start);
        let first_line = (span_start_line.saturating_sub(context_lines_before)..span_start_line)
            .rev()
            .take_while(drawn)
            .last()
            .unwrap_or(span_start_line);
        let span_end_line = self.line_index(if end > start { end - 1 } else { end });
        let last_line = (span_end_line + 1
            ..=(span_end_line + context_lines_after).min(self.line_starts.len() - 1))
            .take_while(drawn)
            .last()
            .unwrap_or(span_end_line);
        let data_start = self.line_starts[first_line];
        let data_end = self
            .line_starts
            .get(last_line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let data = &self.text.as_bytes()[data_start..data_end];
        // miette expects the column of the span's own line start, which is column 0.
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.clone(),
            data,
            (data_start, data_end - data_start).into(),
            first_line,
            0,
            last_line - first_line + 1,
        )))
    }
}

/// All files of one run. Ids are dense and stable for the run.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: String, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId(self.files.len() as u32 - 1)
    }

    /// A file read from disk (offsets into it map back to its bytes).
    pub fn add_decoded(&mut self, path: String, decoded: Decoded) -> FileId {
        self.files.push(SourceFile::decoded(path, decoded));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_offsets_map_back_to_the_bytes_on_disk() {
        // A lone continuation byte, a truncated 3-byte sequence, an overlong pair, a valid
        // multi-byte character and a truncated sequence at the end.
        let bytes = b"a\x80b\xe2\x82c\xc0\xafd\xc3\xa9e\xf0\x9f".to_vec();
        let decoded = Decoded::new(bytes.clone());
        assert_eq!(decoded.text, String::from_utf8_lossy(&bytes));
        assert_eq!(decoded.invalid_utf8_at(), Some(1));
        let file = SourceFile::decoded("f".into(), decoded);
        for wanted in ["a", "b", "c", "d", "é", "e"] {
            let at = file.text.find(wanted).unwrap();
            let end = at + wanted.len();
            let (start, end) = (file.disk_offset(at), file.disk_offset(end));
            assert_eq!(&bytes[start..end], wanted.as_bytes(), "{wanted}");
        }
        // Each U+FFFD maps onto the bytes it stands for, the last one up to the end.
        let last = file.text.rfind('\u{fffd}').unwrap();
        assert_eq!(file.disk_offset(last), bytes.len() - 2);
        assert_eq!(file.disk_offset(file.text.len()), bytes.len());
        assert_eq!(file.disk_offset(1), 1);
        assert_eq!(file.disk_offset(2), 2);
        assert_eq!(file.disk_offset(3), 2);
    }

    #[test]
    fn the_span_alone_carries_its_line_and_character_column() {
        // miette reads the span with no context for the `[path:line:column]` header.
        let file = SourceFile::new("f".into(), "a\n# ü\n\tx é y\n".into());
        let offset = file.text.find('y').unwrap();
        let contents = file.read_span(&(offset, 1).into(), 0, 0).unwrap();
        assert_eq!(contents.data(), b"y");
        assert_eq!(contents.line(), 2);
        // Characters, not bytes: `\t`, `x`, ` `, `é`, ` ` come before it.
        assert_eq!(contents.column(), 5);
        assert_eq!(file.line_col(offset).column, contents.column() + 1);
    }

    #[test]
    fn a_column_on_a_long_line_counts_characters_from_the_line_start() {
        // A line of many checkpoints, with multi-byte characters across their boundaries.
        let line: String = "aé€𝄞 ".repeat(3 * CHECKPOINT_BYTES);
        let text = format!("first ü\n{line}\nlast\n");
        let file = SourceFile::new("f".into(), text);
        let start = file.text.find('\n').unwrap() + 1;
        for offset in (start..start + line.len())
            .step_by(997)
            .chain([start + line.len()])
        {
            let offset = (offset..).find(|&o| file.text.is_char_boundary(o)).unwrap();
            let expected = file.text[start..offset].chars().count() + 1;
            let at = file.line_col(offset);
            assert_eq!((at.line, at.column), (2, expected), "at byte {offset}");
        }
        let last = file.text.rfind("last").unwrap();
        assert_eq!(file.line_col(last), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn context_lines_too_long_to_draw_are_left_out_of_a_snippet() {
        let long = "#".repeat(MAX_DRAWN_LINE + 1);
        let file = SourceFile::new("f".into(), format!("{long}\nshort\n{long}\nnext\n"));
        let offset = file.text.find("short").unwrap();
        let contents = file.read_span(&(offset, 5).into(), 1, 1).unwrap();
        assert_eq!(contents.data(), b"short\n");
        assert_eq!((contents.line(), contents.line_count()), (1, 1));
        // Short context lines are kept.
        let offset = file.text.find("next").unwrap();
        let short = SourceFile::new("f".into(), "a\nb\nc\n".into());
        let contents = short.read_span(&(2, 1).into(), 1, 1).unwrap();
        assert_eq!(contents.data(), b"a\nb\nc\n");
        let contents = file.read_span(&(offset, 4).into(), 1, 1).unwrap();
        assert_eq!(contents.data(), b"next\n");
    }
}
