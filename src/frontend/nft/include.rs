//! Includes: `include "file"` splices another file's tokens into the stream, as nft's scanner
//! does, before the parser sees them.
//!
//! A ruleset is untrusted input (portlint runs on pull requests), so an include resolves only
//! inside the directories being linted and the `-I` directories. One that reaches elsewhere (an
//! absolute path, `..`, a symlink) is not followed — a PL004 at info severity, since the host's
//! nft may well read it — and the target is never opened: its content cannot reach any output. Targets that are not regular files (`/dev/zero`, a FIFO) are refused the
//! same way, before they are opened.
//!
//! The files of one expansion share a virtual offset space: each file's tokens are shifted by
//! the file's base, and the texts, joined by line breaks in base order, form the one text the
//! parser and lowering read. [`Segments`] maps a virtual range back to a file and its own
//! offsets. A file without includes is its own text: nothing is copied.

use super::lexer::{is_marked, tokenize, Token, TokenKind};
use crate::check;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Sources, Span};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// nft's own limit on nested includes.
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// How many times one expansion may include a file (counting repeats): a file that includes
/// another twice, sixteen levels deep, must not expand to 65,536 copies.
pub const MAX_INCLUSIONS: usize = 1024;

/// The most tokens an expansion may hold (about 400 MiB of tokens).
pub const MAX_TOKENS: usize = 1 << 25;

/// What the includes of a run may reach, and the files already loaded (a file included by
/// several rulesets is read, and reported, once).
#[derive(Debug, Default)]
pub struct Includes {
    /// Canonical directories an include may resolve into: the linted directories, the
    /// directories of the linted files, and the `-I` directories.
    roots: Vec<PathBuf>,
    /// The `-I` directories, canonical, in the order given, and as the user wrote them.
    search: Vec<(PathBuf, String)>,
    /// The working directory, canonical: included files under it are shown relative to it.
    cwd: Option<PathBuf>,
    /// Files loaded so far, by canonical path.
    loaded: HashMap<PathBuf, FileId>,
    /// The canonical path of each loaded or linted file (for "beside the including file").
    paths: HashMap<FileId, PathBuf>,
}

impl Includes {
    /// `roots` are the directories being linted; `include_paths` the `-I` directories (also
    /// roots). Paths that do not exist are left out (a missing `-I` directory is reported by
    /// the caller).
    pub fn new(roots: &[PathBuf], include_paths: &[PathBuf]) -> Includes {
        let mut includes = Includes {
            cwd: std::env::current_dir().and_then(|d| d.canonicalize()).ok(),
            ..Includes::default()
        };
        for root in roots.iter().chain(include_paths) {
            if let Ok(canonical) = root.canonicalize() {
                if !includes.roots.contains(&canonical) {
                    includes.roots.push(canonical);
                }
            }
        }
        for dir in include_paths {
            if let Ok(canonical) = dir.canonicalize() {
                includes.search.push((canonical, dir.display().to_string()));
            }
        }
        includes
    }

    /// Record a linted file (a root of an expansion) and where it is.
    pub fn linted(&mut self, file: FileId, path: &Path) {
        if let Ok(canonical) = path.canonicalize() {
            if let Some(parent) = canonical.parent() {
                if !self.roots.iter().any(|r| parent.starts_with(r)) {
                    self.roots.push(parent.to_path_buf());
                }
            }
            self.loaded.entry(canonical.clone()).or_insert(file);
            self.paths.insert(file, canonical);
        }
    }

    /// The id of a file already read as an include, by its path.
    pub fn loaded_as(&self, path: &Path) -> Option<FileId> {
        let canonical = path.canonicalize().ok()?;
        self.loaded.get(&canonical).copied()
    }

    fn within_roots(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }
}

/// Why an include is refused: the message and the help.
type Refusal = (String, Cow<'static, str>);

/// What `include "path"` resolves to.
enum Resolved {
    /// The files to splice in (none for a glob that matches nothing, as in nft).
    Files(Vec<(PathBuf, String)>),
    /// The include leads outside the directories portlint may read: not followed, and said as
    /// info (nft on the host may well read it).
    NotFollowed(Refusal),
}

/// One file's place in the virtual text.
#[derive(Clone, Copy, Debug)]
struct Segment {
    base: u32,
    len: u32,
    file: FileId,
}

/// Maps virtual offsets to files.
#[derive(Clone, Debug)]
pub struct Segments {
    /// Sorted by base.
    segments: Vec<Segment>,
}

impl Segments {
    /// One file, not shifted.
    pub fn single(file: FileId, len: usize) -> Segments {
        Segments {
            segments: vec![Segment {
                base: 0,
                len: len as u32,
                file,
            }],
        }
    }

    pub fn root(&self) -> FileId {
        self.segments[0].file
    }

    fn segment_of(&self, offset: usize) -> &Segment {
        // A file without includes is one segment: no search for each of its spans.
        if let [only] = self.segments.as_slice() {
            return only;
        }
        let index = self
            .segments
            .partition_point(|s| s.base as usize <= offset)
            .saturating_sub(1);
        &self.segments[index]
    }

    /// The file and its own byte range for a virtual range. A range that runs into another file
    /// (a table block with an include inside) is cut at the end of the file it starts in.
    pub fn span(&self, range: Range<usize>) -> Span {
        let segment = self.segment_of(range.start);
        let base = segment.base as usize;
        let len = segment.len as usize;
        let start = (range.start - base).min(len);
        let end = range.end.saturating_sub(base).clamp(start, len);
        Span::new(segment.file, start..end)
    }

    /// The virtual text: the one file's text, or every file's joined by line breaks.
    pub fn text<'s>(&self, sources: &'s Sources) -> Cow<'s, str> {
        if let [only] = self.segments.as_slice() {
            return Cow::Borrowed(&sources.get(only.file).text);
        }
        let total = self
            .segments
            .last()
            .map_or(0, |s| (s.base + s.len) as usize);
        let mut text = String::with_capacity(total + 1);
        for segment in &self.segments {
            text.push_str(&sources.get(segment.file).text);
            text.push('\n');
        }
        Cow::Owned(text)
    }
}

/// A file with its includes spliced in.
pub struct Expansion {
    pub tokens: Vec<Token>,
    /// The indices of the marked tokens ([`super::lexer::Lexed::marked`]).
    pub marked: Vec<u32>,
    pub segments: Segments,
    /// PL004 findings.
    pub diagnostics: Vec<Diagnostic>,
    /// An include could not be followed: names it might define are unknown.
    pub incomplete: bool,
    /// The files it included (not the root).
    pub included: Vec<FileId>,
}

/// A file being spliced, and the include that brought it in (for cycle reports).
struct Frame {
    file: FileId,
    included_at: Option<Span>,
}

struct Expander<'a> {
    sources: &'a mut Sources,
    includes: &'a mut Includes,
    tokens: Vec<Token>,
    marked: Vec<u32>,
    segments: Vec<Segment>,
    /// The base of each file already placed in the virtual text.
    bases: HashMap<FileId, u32>,
    stack: Vec<Frame>,
    inclusions: usize,
    diagnostics: Vec<Diagnostic>,
    incomplete: bool,
}

/// Splice the includes of `root` (already in `sources`) into one token stream.
pub fn expand(root: FileId, sources: &mut Sources, includes: &mut Includes) -> Expansion {
    let len = sources.get(root).text.len() as u32;
    let mut expander = Expander {
        sources,
        includes,
        tokens: Vec::new(),
        marked: Vec::new(),
        segments: vec![Segment {
            base: 0,
            len,
            file: root,
        }],
        bases: HashMap::from([(root, 0)]),
        stack: Vec::new(),
        inclusions: 0,
        diagnostics: Vec::new(),
        incomplete: false,
    };
    expander.splice(root, 0, None);
    let mut included: Vec<FileId> = expander
        .bases
        .keys()
        .copied()
        .filter(|f| *f != root)
        .collect();
    included.sort();
    Expansion {
        tokens: expander.tokens,
        marked: expander.marked,
        segments: Segments {
            segments: expander.segments,
        },
        diagnostics: expander.diagnostics,
        incomplete: expander.incomplete,
        included,
    }
}

/// Whether `tokens[index]` starts an `include "path"` statement.
fn include_at(tokens: &[Token], text: &str, index: usize) -> bool {
    let token = &tokens[index];
    let at_statement_start = index == 0
        || matches!(
            tokens[index - 1].kind,
            TokenKind::Newline | TokenKind::Semicolon | TokenKind::LBrace | TokenKind::RBrace
        );
    at_statement_start
        && token.kind == TokenKind::Word
        && token.text(text) == "include"
        && tokens.get(index + 1).map(|t| t.kind) == Some(TokenKind::String)
}

impl Expander<'_> {
    fn splice(&mut self, file: FileId, base: u32, included_at: Option<Span>) {
        let text = &self.sources.get(file).text;
        let lexed = tokenize(text);
        let tokens = lexed.tokens;
        // `include` is marked: only those words are looked at.
        let includes: Vec<(usize, String, Range<usize>)> = (lexed.marked.iter())
            .map(|&i| i as usize)
            .filter(|&i| include_at(&tokens, text, i))
            .map(|i| {
                let path = tokens[i + 1].text(text).trim_matches('"').to_string();
                (
                    i,
                    path,
                    tokens[i].start as usize..tokens[i + 1].end as usize,
                )
            })
            .collect();
        if includes.is_empty() && self.tokens.is_empty() && base == 0 {
            // The common case, a file without includes: its tokens as they are, not a copy
            // (for a large file that is tens of megabytes).
            self.tokens = tokens;
            self.marked = lexed.marked;
            return;
        }
        self.stack.push(Frame { file, included_at });
        self.tokens.reserve(tokens.len());
        let mut next_include = includes.into_iter().peekable();
        let mut index = 0;
        while index < tokens.len() {
            if let Some((_, path, range)) = next_include.next_if(|(i, _, _)| *i == index) {
                self.include(file, &path, Span::new(file, range));
                index += 2;
                continue;
            }
            if self.tokens.len() >= MAX_TOKENS {
                break;
            }
            let mut token = tokens[index];
            token.start += base;
            token.end += base;
            if is_marked(&token) {
                self.marked.push(self.tokens.len() as u32);
            }
            self.tokens.push(token);
            index += 1;
        }
        self.stack.pop();
    }

    fn refuse(&mut self, at: Span, message: String, help: Cow<'static, str>) {
        self.incomplete = true;
        self.diagnostics
            .push(Diagnostic::new(&check::include_error::RULE, at, message).with_help(help));
    }

    /// An include portlint may not read: info, never an error (the host's nft may read it).
    fn not_followed(&mut self, at: Span, message: String, help: Cow<'static, str>) {
        self.incomplete = true;
        let mut diagnostic =
            Diagnostic::new(&check::include_error::RULE, at, message).with_help(help);
        diagnostic.severity = Severity::Info;
        self.diagnostics
            .push(diagnostic.with_span_label("not read"));
    }

    /// `include "path"` written in `file` at `at`.
    fn include(&mut self, file: FileId, path: &str, at: Span) {
        let targets = match self.resolve(file, path) {
            Ok(Resolved::Files(targets)) => targets,
            Ok(Resolved::NotFollowed((message, help))) => {
                return self.not_followed(at, message, help)
            }
            Err((message, help)) => return self.refuse(at, message, help),
        };
        for (canonical, shown) in targets {
            self.include_one(&canonical, shown, at);
        }
    }

    fn include_one(&mut self, canonical: &Path, shown: String, at: Span) {
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            return self.refuse(
                at,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} levels"),
                "nft stops at 16 nested includes; include the files from one place instead".into(),
            );
        }
        if self.inclusions >= MAX_INCLUSIONS || self.tokens.len() >= MAX_TOKENS {
            return self.refuse(
                at,
                "the includes expand to more text than portlint reads".to_string(),
                format!("portlint follows at most {MAX_INCLUSIONS} includes per ruleset; a file included again and again usually means an include loop written out by hand").into(),
            );
        }
        let shown = match self
            .includes
            .cwd
            .as_ref()
            .and_then(|cwd| canonical.strip_prefix(cwd).ok())
        {
            // Under the working directory: as the walk would show it.
            Some(relative) if shown.starts_with("..") => relative.display().to_string(),
            _ => shown,
        };
        let file = match self.load(canonical, shown) {
            Ok(file) => file,
            Err((message, help)) => return self.refuse(at, message, help),
        };
        if let Some(position) = self.stack.iter().position(|frame| frame.file == file) {
            return self.cycle(file, position, at);
        }
        self.inclusions += 1;
        let base = match self.bases.get(&file) {
            Some(&base) => base,
            None => self.place(file),
        };
        // nft ends an included file's statements at its end; so does a line break here.
        let end = base + self.sources.get(file).text.len() as u32;
        self.splice(file, base, Some(at));
        self.tokens.push(Token {
            kind: TokenKind::Newline,
            start: end,
            end: end + 1,
            spaced: true,
            class: super::lexer::WordClass::NONE,
            keyword: super::keyword::Keyword::None,
        });
    }

    /// Give `file` its place in the virtual text, after the last file (and a line break).
    fn place(&mut self, file: FileId) -> u32 {
        let last = self.segments.last().map_or(0, |s| s.base + s.len + 1);
        let len = self.sources.get(file).text.len() as u32;
        self.segments.push(Segment {
            base: last,
            len,
            file,
        });
        self.bases.insert(file, last);
        last
    }

    fn cycle(&mut self, file: FileId, position: usize, at: Span) {
        let path = |f: FileId| format!("`{}`", self.sources.get(f).path);
        let mut chain: Vec<String> = self
            .stack
            .get(position..)
            .unwrap_or_default()
            .iter()
            .map(|f| path(f.file))
            .collect();
        chain.push(path(file));
        let mut diagnostic = Diagnostic::new(
            &check::include_error::RULE,
            at,
            format!("include cycle: {}", chain.join(" → ")),
        )
        .with_span_label("this include closes the cycle");
        let first = self.stack.get(position).and_then(|frame| frame.included_at);
        let help = match first {
            Some(first) if first.file == at.file => {
                diagnostic =
                    diagnostic.with_label(first, format!("{} is included here first", path(file)));
                Cow::Borrowed("nft refuses includes that loop; remove one of the two includes")
            }
            Some(first) => {
                let source = self.sources.get(first.file);
                let lc = source.line_col(first.start as usize);
                format!(
                    "{} is included first at {}:{}:{}; nft refuses includes that loop; remove one of the two includes",
                    path(file), source.path, lc.line, lc.column
                )
                .into()
            }
            None => Cow::Borrowed("nft refuses includes that loop; remove the include"),
        };
        self.incomplete = true;
        self.diagnostics.push(diagnostic.with_help(help));
    }

    /// Read a file the include may reach (already checked to be inside the roots).
    fn load(&mut self, canonical: &Path, shown: String) -> Result<FileId, Refusal> {
        if let Some(&file) = self.includes.loaded.get(canonical) {
            return Ok(file);
        }
        let metadata = std::fs::metadata(canonical).map_err(|e| {
            (
                format!("cannot read `{shown}`: {}", crate::lint::describe_io(&e)),
                Cow::from("check the file's permissions"),
            )
        })?;
        if !metadata.is_file() {
            return Err((
                format!("`{shown}` is not a regular file"),
                "an include must name a regular file; devices and pipes are never read".into(),
            ));
        }
        let decoded = crate::lint::read_file(canonical).map_err(|message| {
            (
                format!("cannot read `{shown}`: {message}"),
                Cow::from("check the file"),
            )
        })?;
        if crate::frontend::format::binary_at(&decoded.text).is_some() {
            return Err((
                format!("`{shown}` is not a text file"),
                "an include must name nft text; this file holds NUL bytes or many control characters, and nothing in it is read".into(),
            ));
        }
        let first_invalid = decoded.replaced.first().copied();
        let file = self.sources.add_decoded(shown, decoded);
        self.includes.loaded.insert(canonical.to_path_buf(), file);
        self.includes.paths.insert(file, canonical.to_path_buf());
        if let Some(replaced) = first_invalid {
            self.diagnostics
                .push(crate::lint::invalid_utf8(file, replaced));
        }
        let text = &self.sources.get(file).text;
        if let Some(found) =
            crate::lint::bom_refused(file, text, crate::frontend::format::Format::Nft)
        {
            self.diagnostics.push(found);
        }
        Ok(file)
    }

    /// The files `include "path"` in `file` names, canonical, in nft's order, each with the
    /// path to show for it.
    fn resolve(&self, file: FileId, path: &str) -> Result<Resolved, Refusal> {
        if path.is_empty() {
            return Err((
                "`include \"\"` names no file".to_string(),
                "write the path of the file to include".into(),
            ));
        }
        let including_dir = self
            .includes
            .paths
            .get(&file)
            .and_then(|p| p.parent())
            .map(Path::to_path_buf);
        let shown_dir = Path::new(&self.sources.get(file).path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // Where nft would look: an absolute path as it is; a relative one beside the including
        // file (nft's default include directory, for a ruleset in /etc), then in each -I
        // directory.
        let mut places: Vec<(PathBuf, PathBuf)> = Vec::new();
        if Path::new(path).is_absolute() {
            places.push((PathBuf::new(), PathBuf::new()));
        } else {
            if let Some(dir) = including_dir {
                places.push((dir, shown_dir));
            }
            for (dir, shown) in &self.includes.search {
                places.push((dir.clone(), PathBuf::from(shown)));
            }
        }
        let is_glob = path.contains(['*', '?', '[']);
        let mut escaped = false;
        let mut found = Vec::new();
        for (dir, shown) in &places {
            let candidate = normalize(&dir.join(path));
            if !self.includes.within_roots(&candidate) {
                escaped = true;
                continue;
            }
            let shown_path = shown_path(&shown.join(path));
            if is_glob {
                match self.glob(&candidate, &shown_path)? {
                    Resolved::Files(files) => found.extend(files),
                    not_followed => return Ok(not_followed),
                }
                continue;
            }
            match candidate.canonicalize() {
                Ok(canonical) if self.includes.within_roots(&canonical) => {
                    return Ok(Resolved::Files(vec![(canonical, shown_path)]));
                }
                // A symlink out of the roots: refused without reading it.
                Ok(_) => escaped = true,
                Err(_) => {}
            }
        }
        if is_glob && (!found.is_empty() || !escaped) {
            // A glob that matches nothing is no error, as in nft.
            return Ok(Resolved::Files(found));
        }
        if escaped {
            let help = if Path::new(path).is_absolute() {
                "portlint reads includes only inside the linted directories and the include directories, so that a ruleset cannot make it print other files; to have this one read, name its directory with `-I DIR` (or `include-path:` in .portlint.yaml), or include the file by a path relative to the ruleset"
            } else {
                "portlint reads includes only inside the linted directories and the include directories (`..` and symlinks out of them are not followed, so that a ruleset cannot make it print other files); to have this one read, lint the directory that holds the file, or name it with `-I DIR` (or `include-path:` in .portlint.yaml)"
            };
            return Ok(Resolved::NotFollowed((
                format!("`include \"{path}\"` is not followed: it is outside the directories portlint reads"),
                help.into(),
            )));
        }
        let searched = if self.includes.search.is_empty() {
            "beside the including file (add directories with -I DIR)".to_string()
        } else {
            let dirs: Vec<&str> = self
                .includes
                .search
                .iter()
                .map(|(_, s)| s.as_str())
                .collect();
            format!("beside the including file and in -I {}", dirs.join(", "))
        };
        Err((
            format!("included file `{path}` is not found"),
            format!("portlint looked for it {searched}; nft refuses a missing include (use a glob such as `*.nft` for optional files)").into(),
        ))
    }

    /// The files a glob include matches: C-locale order, dotfiles left out, each inside the
    /// roots (a match that is a symlink out of them is refused).
    fn glob(&self, pattern: &Path, shown_pattern: &str) -> Result<Resolved, Refusal> {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let pattern_text = pattern.to_string_lossy();
        let paths = glob::glob_with(&pattern_text, options).map_err(|e| {
            (
                format!("invalid glob `{shown_pattern}`: {}", e.msg),
                Cow::from("nft's include globs use `*`, `?` and `[…]`"),
            )
        })?;
        let mut matches: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        matches.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        let shown_dir = Path::new(shown_pattern)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut found = Vec::new();
        for path in matches {
            let Some(name) = path.file_name() else {
                continue;
            };
            if path.is_dir() {
                continue;
            }
            match path.canonicalize() {
                Ok(canonical) if self.includes.within_roots(&canonical) => {
                    found.push((canonical, shown_path(&shown_dir.join(name))));
                }
                _ => {
                    return Ok(Resolved::NotFollowed((
                        format!("`{}` (matched by the include) is not followed: it leads outside the directories portlint reads", shown_dir.join(name).display()),
                        "a symlink out of the linted directories is not read; to have it read, lint the directory it points into, or name that with `-I DIR` (or `include-path:` in .portlint.yaml)".into(),
                    )));
                }
            }
        }
        Ok(Resolved::Files(found))
    }
}

/// Resolve `.` and `..` without touching the file system, so that an escape is refused before
/// anything outside is looked at.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The path to show for an included file: as the include wrote it, joined to the including
/// file's directory as shown, without `.` and with `dir/..` folded (leading `..` stay).
fn shown_path(path: &Path) -> String {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    let mut absolute = false;
    for component in path.components() {
        match component {
            Component::RootDir | Component::Prefix(_) => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(last) if *last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push("..".as_ref()),
            },
            Component::Normal(part) => parts.push(part),
        }
    }
    let joined: PathBuf = parts.iter().collect();
    if absolute {
        Path::new("/").join(joined).display().to_string()
    } else {
        joined.display().to_string()
    }
}
