//! A small, defensive XML layer shared by the Atom and OAI-PMH parsers.
//!
//! The parsers walk a document's skeleton (root, list element) as a stream and read
//! each record (`<entry>`, `<record>`) into a small [`Node`] tree, so the field mapping
//! is plain code over a tree while memory stays bounded by one record.
//!
//! Hostile input is refused cheaply:
//! - no DTD is ever processed: entities a `<!DOCTYPE>` declares are not expanded (no
//!   "billion laughs"), external entities are never fetched; a reference to an entity
//!   other than the five XML ones makes its record unusable, nothing more;
//! - text is capped per element ([`MAX_TEXT_BYTES`]), nesting depth and element count
//!   per record are capped;
//! - a syntax error stops the stream with the line it happened on; records read
//!   before it are kept.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// The most text one element may hold; a longer one makes its record unusable.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The deepest nesting inside one record.
const MAX_DEPTH: usize = 32;

/// The most elements in one record (authors with names and affiliations included).
const MAX_NODES: usize = 100_000;

/// A syntax error, or the end of the document inside an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// 1-based line of the problem.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// An element: local name (namespace prefix dropped), attributes, text, children.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Local name, e.g. `entry` for `<atom:entry>`.
    pub name: String,
    /// Attributes by local name, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// The element's own text (character data and CDATA, references resolved).
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: u64,
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A record read with [`XmlStream::read_record`]: its tree, or why it cannot be used
/// although the document around it is fine.
pub type Record = Result<Node, String>;

/// A start tag met while walking a document's skeleton.
#[derive(Debug, Clone)]
pub struct Start {
    /// Local name.
    pub name: String,
    /// Attributes by local name.
    pub attrs: Vec<(String, String)>,
    /// 1-based line of the tag.
    pub line: u64,
    /// `<tag/>`: there is nothing inside.
    pub empty: bool,
}

/// A pull reader over a whole document held in memory.
pub struct XmlStream<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    /// Byte offset and line of the last position turned into a line number.
    line_pos: (usize, u64),
    /// Elements opened by `next_start` and not yet closed.
    depth: usize,
}

impl<'a> XmlStream<'a> {
    /// A stream over `text`.
    pub fn new(text: &'a str) -> Self {
        let mut reader = Reader::from_reader(text.as_bytes());
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            text,
            line_pos: (0, 1),
            depth: 0,
        }
    }

    /// The 1-based line of byte offset `pos` (offsets only move forward).
    fn line_at(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let (from, line) = self.line_pos;
        if pos < from {
            let line = 1 + count_newlines(&self.text.as_bytes()[..pos]);
            return line;
        }
        let line = line + count_newlines(&self.text.as_bytes()[from..pos]);
        self.line_pos = (pos, line);
        line
    }

    fn error(&mut self, pos: u64, reason: impl Into<String>) -> XmlError {
        XmlError {
            line: self.line_at(pos),
            reason: reason.into(),
        }
    }

    /// Reads the next event, turning reader errors into [`XmlError`]s. Returns the
    /// byte offset where the event starts too.
    fn next_event(&mut self) -> Result<(u64, Event<'a>), XmlError> {
        let pos = self.reader.buffer_position();
        match self.reader.read_event() {
            Ok(event) => Ok((pos, event)),
            Err(e) => {
                let at = self.reader.error_position();
                let reason = if ends_abruptly(&e) {
                    format!("the document ends abruptly (truncated download?): {e}")
                } else {
                    format!("malformed XML: {e}")
                };
                Err(self.error(at, reason))
            }
        }
    }

    /// The start tag at `pos`, and why its attributes are unusable, if they are.
    fn start(&mut self, pos: u64, tag: &BytesStart<'_>, empty: bool) -> (Start, Option<String>) {
        let line = self.line_at(pos);
        let (attrs, problem) = match attributes(tag) {
            Ok(attrs) => (attrs, None),
            Err(reason) => (Vec::new(), Some(reason)),
        };
        let start = Start {
            name: local_name(tag),
            attrs,
            line,
            empty,
        };
        (start, problem)
    }

    /// Like [`XmlStream::start`], but bad attributes stop the document.
    fn skeleton_start(
        &mut self,
        pos: u64,
        tag: &BytesStart<'_>,
        empty: bool,
    ) -> Result<Start, XmlError> {
        match self.start(pos, tag, empty) {
            (start, None) => Ok(start),
            (start, Some(reason)) => Err(XmlError {
                line: start.line,
                reason,
            }),
        }
    }

    /// The next start tag inside the element opened last (or at the top level), skipping
    /// text, comments and declarations. `None` when that element closes, or at the end
    /// of the document at the top level. A non-empty start opens a level: read it with
    /// [`XmlStream::read_record`], skip it with [`XmlStream::skip`], or descend with
    /// further calls.
    pub fn next_start(&mut self) -> Result<Option<Start>, XmlError> {
        loop {
            let (pos, event) = self.next_event()?;
            match event {
                Event::Start(tag) => {
                    let start = self.skeleton_start(pos, &tag, false)?;
                    self.depth += 1;
                    return Ok(Some(start));
                }
                Event::Empty(tag) => return self.skeleton_start(pos, &tag, true).map(Some),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(None);
                }
                Event::Eof if self.depth == 0 => return Ok(None),
                Event::Eof => {
                    return Err(self.error(
                        pos,
                        "the document ends inside an element (truncated download?)",
                    ));
                }
                _ => {}
            }
        }
    }

    /// Skips the rest of the element `start` opened.
    pub fn skip(&mut self, start: &Start) -> Result<(), XmlError> {
        if start.empty {
            return Ok(());
        }
        let mut open = 1usize;
        while open > 0 {
            let (pos, event) = self.next_event()?;
            match event {
                Event::Start(_) => open += 1,
                Event::End(_) => open -= 1,
                Event::Eof => {
                    return Err(self.error(
                        pos,
                        format!(
                            "the document ends inside <{}> (truncated download?)",
                            start.name
                        ),
                    ));
                }
                _ => {}
            }
        }
        self.depth = self.depth.saturating_sub(1);
        Ok(())
    }

    /// Reads the element `start` opened, with everything inside, as a tree.
    ///
    /// The outer `Err` is a syntax error: the document cannot be read further. The
    /// inner `Err` says why this record is unusable although the XML around it is
    /// fine (an undeclared entity, an oversized field, absurd nesting); once a record
    /// is known to be unusable, the rest of it is read without being kept.
    pub fn read_record(&mut self, start: Start) -> Result<Record, XmlError> {
        let root_name = start.name.clone();
        let empty = start.empty;
        let mut stack = vec![node_from(start)];
        if empty {
            return Ok(Ok(stack.swap_remove(0)));
        }
        let mut problem: Option<String> = None;
        let mut open = 1usize;
        let mut nodes = 1usize;
        loop {
            let (pos, event) = self.next_event()?;
            match event {
                Event::Start(tag) => {
                    open += 1;
                    if problem.is_none() {
                        problem = over_limits(stack.len(), nodes);
                    }
                    if problem.is_none() {
                        nodes += 1;
                        let (child, bad_attrs) = self.start(pos, &tag, false);
                        problem = bad_attrs;
                        stack.push(node_from(child));
                    }
                }
                Event::Empty(tag) => {
                    if problem.is_none() {
                        problem = over_limits(stack.len(), nodes);
                    }
                    if problem.is_none() {
                        nodes += 1;
                        let (child, bad_attrs) = self.start(pos, &tag, true);
                        problem = bad_attrs;
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(node_from(child));
                        }
                    }
                }
                Event::End(_) => {
                    open -= 1;
                    if open == 0 {
                        self.depth = self.depth.saturating_sub(1);
                        return Ok(match problem {
                            Some(p) => Err(p),
                            None => stack.pop().ok_or_else(|| "empty record".to_owned()),
                        });
                    }
                    if problem.is_none()
                        && let Some(done) = stack.pop()
                        && let Some(parent) = stack.last_mut()
                    {
                        parent.children.push(done);
                    }
                }
                Event::Text(text) if problem.is_none() => {
                    problem = append_text(&mut stack, &text.xml10_content());
                }
                Event::CData(data) if problem.is_none() => {
                    problem = append_text(&mut stack, &data.xml10_content());
                }
                Event::GeneralRef(reference) if problem.is_none() => {
                    problem = match resolve_reference(&reference) {
                        Ok(resolved) => append_text(&mut stack, &resolved),
                        Err(reason) => Some(reason),
                    };
                }
                Event::Eof => {
                    return Err(self.error(
                        pos,
                        format!("the document ends inside <{root_name}> (truncated download?)"),
                    ));
                }
                _ => {}
            }
        }
    }
}

/// True for the syntax errors that mean the input stopped in the middle of markup.
fn ends_abruptly(error: &quick_xml::Error) -> bool {
    use quick_xml::errors::SyntaxError as S;
    matches!(
        error,
        quick_xml::Error::Syntax(
            S::UnclosedPI
                | S::UnclosedXmlDecl
                | S::UnclosedComment
                | S::UnclosedDoctype
                | S::UnclosedCData
                | S::UnclosedTag
                | S::UnclosedSingleQuotedAttributeValue
                | S::UnclosedDoubleQuotedAttributeValue
        )
    )
}

/// Why a record may not grow by one more element, if it may not.
fn over_limits(depth: usize, nodes: usize) -> Option<String> {
    if depth >= MAX_DEPTH {
        Some(format!("elements nested deeper than {MAX_DEPTH} levels"))
    } else if nodes >= MAX_NODES {
        Some(format!("more than {MAX_NODES} elements in one record"))
    } else {
        None
    }
}

/// Appends text to the innermost open element; says why not when it grows too large.
fn append_text(stack: &mut [Node], text: &str) -> Option<String> {
    let node = stack.last_mut()?;
    if node.text.len() + text.len() > MAX_TEXT_BYTES {
        return Some(format!(
            "<{}> holds more than {} MiB of text",
            node.name,
            MAX_TEXT_BYTES >> 20
        ));
    }
    node.text.push_str(text);
    None
}

/// Resolves a character reference or one of the five predefined XML entities.
fn resolve_reference(reference: &str) -> Result<String, String> {
    if let Some(number) = reference.strip_prefix('#') {
        let code = match number.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return code
            .and_then(char::from_u32)
            .filter(|&c| c != '\0')
            .map(String::from)
            .ok_or_else(|| format!("`&{reference};` is not a valid character reference"));
    }
    quick_xml::escape::resolve_predefined_entity(reference)
        .map(str::to_owned)
        .ok_or_else(|| {
            let name: String = reference.chars().take(64).collect();
            format!(
                "reference to the undeclared entity `&{name};` (entities a DOCTYPE declares are never expanded)"
            )
        })
}

fn local_name(tag: &BytesStart<'_>) -> String {
    tag.local_name().as_ref().to_owned()
}

fn attributes(tag: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| format!("malformed attribute: {e}"))?;
        let key = attr.key.local_name().as_ref().to_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("attribute `{key}`: {e}"))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

fn node_from(start: Start) -> Node {
    Node {
        name: start.name,
        attrs: start.attrs,
        text: String::new(),
        children: Vec::new(),
        line: start.line,
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}
