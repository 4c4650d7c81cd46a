//! Source files with a line index, so that spans map to lines and columns in O(log n) and miette
//! renders thousands of diagnostics without rescanning the file for each one.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;

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

/// One file's text and where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user wrote it (or as the walk found it), used in all output.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
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
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Clamp to the text and back to a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
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
        let first_line = self.line_index(start).saturating_sub(context_lines_before);
        let span_end_line = self.line_index(if end > start { end - 1 } else { end });
        let last_line = (span_end_line + context_lines_after).min(self.line_starts.len() - 1);
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
}
