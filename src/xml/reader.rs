use std::borrow::Cow;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{AnyElement, XmlComplex, XmlError, XmlErrorKind, XmlValue, XSI_NS};

/// The default bound on element nesting; SOAP responses of the partnerAPI nest about ten deep.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Below this much stack left, reading a nested complex value continues on a new segment.
const STACK_RED_ZONE: usize = 256 * 1024;
/// The size of such a segment.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The start tag of an element, as the reader saw it: names, `xsi:type`, `xsi:nil`.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    qname: &'a [u8],
    local: &'a [u8],
    namespace: Option<&'a [u8]>,
    xsi_type: Option<&'a [u8]>,
    xsi_type_ns: Option<&'a [u8]>,
    /// The attributes of the start tag as written (after its name).
    attributes: &'a [u8],
    nil: bool,
    empty: bool,
    position: usize,
}

impl<'a> Start<'a> {
    /// The name as written, with its prefix.
    pub fn qname(&self) -> &'a [u8] {
        self.qname
    }

    /// The local name (without prefix).
    pub fn local_name(&self) -> &'a [u8] {
        self.local
    }

    /// The namespace the element's prefix (or the default namespace) is bound to.
    pub fn namespace(&self) -> Option<&'a [u8]> {
        self.namespace
    }

    /// The `xsi:type` attribute as written (a QName), if present.
    pub fn xsi_type(&self) -> Option<&'a [u8]> {
        self.xsi_type
    }

    /// The local name of `xsi:type` if it names a type of namespace `ns` (its prefix is bound to
    /// `ns`, or it has no prefix, or its prefix is unbound). `None` when there is no `xsi:type`;
    /// the whole value (which matches no local name) when it names another namespace's type or
    /// is not a QName at all (`:Send`, `a:b:Send`).
    pub fn xsi_type_in(&self, ns: &str) -> Option<&'a [u8]> {
        let value = self.xsi_type?;
        let Some((_, local)) = split_qname(value) else {
            return Some(value);
        };
        match self.xsi_type_ns {
            Some(bound) if bound != ns.as_bytes() => Some(value),
            _ => Some(local),
        }
    }

    /// The namespace the `xsi:type`'s prefix is bound to (the default namespace when it has no
    /// prefix), if any.
    pub fn xsi_type_namespace(&self) -> Option<&'a [u8]> {
        self.xsi_type_ns
    }

    /// `xsi:nil="true"` (or `"1"`) was given.
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// The element was written as `<name/>`.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Byte offset of the start tag in the input.
    pub fn position(&self) -> usize {
        self.position
    }

    fn name_lossy(&self) -> String {
        String::from_utf8_lossy(self.qname).into_owned()
    }
}

fn local_part(qname: &[u8]) -> &[u8] {
    match qname.iter().rposition(|&b| b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// The text of an entity or character reference (only the five predefined entities exist in
/// a document without a DTD).
fn resolve_reference(
    r: &quick_xml::events::BytesRef<'_>,
    position: usize,
) -> Result<String, XmlError> {
    let resolved = if r.is_char_ref() {
        r.resolve_char_ref().ok().flatten().map(String::from)
    } else {
        let name = r.decode().unwrap_or_default();
        resolve_predefined_entity(&name).map(String::from)
    };
    resolved.ok_or_else(|| {
        XmlError::new(
            XmlErrorKind::UnknownEntity(String::from_utf8_lossy(r).into_owned()),
            position,
        )
    })
}

/// A QName as `(prefix, local part)`, the prefix empty when it has none; `None` when the value is
/// not a QName (an empty prefix or local part, or a second colon). An attribute value is split
/// only by this, so that reading and writing it back agree on what it names.
fn split_qname(qname: &[u8]) -> Option<(&[u8], &[u8])> {
    let Some(i) = qname.iter().position(|&b| b == b':') else {
        return (!qname.is_empty()).then_some((&[][..], qname));
    };
    let (prefix, local) = (&qname[..i], &qname[i + 1..]);
    (!prefix.is_empty() && !local.is_empty() && !local.contains(&b':')).then_some((prefix, local))
}

fn prefix_part(qname: &[u8]) -> &[u8] {
    match qname.iter().position(|&b| b == b':') {
        Some(i) => &qname[..i],
        None => &[],
    }
}

/// Whether the document may be read as UTF-8 as far as its start says: no UTF-16 or UTF-32
/// pattern (`<` next to a zero byte), and an XML declaration that names UTF-8 or no encoding.
pub(super) fn utf8_by_declaration(input: &[u8]) -> bool {
    if matches!(input, [0, ..] | [b'<', 0, ..]) {
        return false;
    }
    let Some(rest) = input.strip_prefix(b"<?xml") else {
        return true;
    };
    let head = &rest[..rest.len().min(512)];
    let decl = match find(head, b"?>") {
        Some(end) => &head[..end],
        None => return false,
    };
    let Some(at) = find(decl, b"encoding") else {
        return true;
    };
    let after = &decl[at + 8..];
    let Some(open) = after
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b'=')
    else {
        return false;
    };
    let quote = after[open];
    if quote != b'"' && quote != b'\'' {
        return false;
    }
    let quoted = &after[open + 1..];
    let Some(close) = quoted.iter().position(|b| *b == quote) else {
        return false;
    };
    let value = &quoted[..close];
    value.eq_ignore_ascii_case(b"utf-8") || value.eq_ignore_ascii_case(b"utf8")
}

/// Where `needle` first occurs in the short `hay` (a memmem searcher costs more to set up than
/// this takes on an XML declaration).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &hay[from..]) {
        let at = from + i;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The attributes of a start tag (what follows its name), as `(key, raw value)` pairs: the
/// value between its quotes, references not yet resolved.
///
/// quick-xml's attribute iterator is general (HTML-style unquoted values, key lists for its
/// own duplicate check) and was the largest single cost of reading a `<Result>` with an
/// `xsi:type`; this one knows only the XML form `S Name S? '=' S? ("..." | '...')`, which is all
/// the reader needs, and says what is wrong with anything else. It stops after an error.
struct RawAttributes<'a> {
    rest: &'a [u8],
}

/// One attribute, `(key, raw value)`, or what is wrong with the rest of the tag.
type RawAttribute<'a> = Result<(&'a [u8], &'a [u8]), String>;

impl<'a> RawAttributes<'a> {
    fn new(raw: &'a [u8]) -> Self {
        Self { rest: raw }
    }

    fn fail(&mut self, msg: String) -> Option<RawAttribute<'a>> {
        self.rest = &[];
        Some(Err(msg))
    }
}

fn skip_space(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .position(|b| !is_xml_space(*b))
        .unwrap_or(bytes.len());
    &bytes[n..]
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Iterator for RawAttributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = skip_space(self.rest);
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let key_len = rest
            .iter()
            .position(|&b| b == b'=' || is_xml_space(b))
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_len);
        let lossy = || String::from_utf8_lossy(key).into_owned();
        if key.is_empty() {
            return self.fail("an attribute without a name".to_string());
        }
        let Some(after) = skip_space(after).strip_prefix(b"=") else {
            return self.fail(format!("attribute `{}` without `=` and a value", lossy()));
        };
        let after = skip_space(after);
        let quote = match after.first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return self.fail(format!(
                    "the value of attribute `{}` is not quoted",
                    lossy()
                ))
            }
        };
        let Some(len) = memchr::memchr(quote, &after[1..]) else {
            return self.fail(format!(
                "the value of attribute `{}` is not closed",
                lossy()
            ));
        };
        let value = &after[1..1 + len];
        self.rest = &after[2 + len..];
        if self.rest.first().is_some_and(|b| !is_xml_space(*b)) {
            return self.fail(format!(
                "no white space after the value of attribute `{}`",
                lossy()
            ));
        }
        Some(Ok((key, value)))
    }
}

/// How many attributes of one start tag are tracked on the stack before [`Pending`] spills to the
/// heap.
const INLINE_ATTRIBUTES: usize = 4;

/// The attributes of one start tag while it is read: every key (for the uniqueness check) and
/// the prefixed attributes (resolved once the tag's own namespace declarations are known). Up
/// to [`INLINE_ATTRIBUTES`] stay on the stack; more spill to a hash set and a vector, so a tag
/// with very many attributes costs linear time.
#[derive(Default)]
struct Pending<'a> {
    keys: [&'a [u8]; INLINE_ATTRIBUTES],
    key_count: usize,
    more_keys: Option<std::collections::HashSet<&'a [u8]>>,
    prefixed: [(&'a [u8], &'a [u8]); INLINE_ATTRIBUTES],
    prefixed_count: usize,
    more_prefixed: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Pending<'a> {
    /// Records `key`; `false` if the tag already had it.
    fn insert_key(&mut self, key: &'a [u8]) -> bool {
        if self.keys[..self.key_count].contains(&key) {
            return false;
        }
        if self.key_count < INLINE_ATTRIBUTES {
            self.keys[self.key_count] = key;
            self.key_count += 1;
            return true;
        }
        self.more_keys
            .get_or_insert_with(Default::default)
            .insert(key)
    }

    fn push(&mut self, key: &'a [u8], value: &'a [u8]) {
        if self.prefixed_count < INLINE_ATTRIBUTES && self.more_prefixed.is_empty() {
            self.prefixed[self.prefixed_count] = (key, value);
            self.prefixed_count += 1;
        } else {
            if self.more_prefixed.is_empty() {
                self.more_prefixed
                    .extend_from_slice(&self.prefixed[..self.prefixed_count]);
            }
            self.more_prefixed.push((key, value));
        }
    }

    fn prefixed(&self) -> &[(&'a [u8], &'a [u8])] {
        if self.more_prefixed.is_empty() {
            &self.prefixed[..self.prefixed_count]
        } else {
            &self.more_prefixed
        }
    }
}

/// The namespace prefixes an element relies on (empty for the default namespace).
#[derive(Default)]
struct PrefixUse<'a> {
    /// The default namespace is used (kept apart: it is what most names use, and checking it
    /// costs no comparison of bytes).
    default: bool,
    prefixes: Vec<&'a [u8]>,
}

impl<'a> PrefixUse<'a> {
    fn add(&mut self, prefix: &'a [u8]) {
        if prefix.is_empty() {
            self.default = true;
        } else if !self.prefixes.contains(&prefix) {
            self.prefixes.push(prefix);
        }
    }

    fn uses(&self, prefix: &[u8]) -> bool {
        if prefix.is_empty() {
            self.default
        } else {
            self.prefixes.contains(&prefix)
        }
    }

    /// An element name: its prefix, or the default namespace.
    fn name(&mut self, qname: &'a [u8]) {
        self.add(prefix_part(qname));
    }

    /// An attribute: the prefix of its name (an unprefixed attribute is in no namespace), and
    /// of its value when that reads as a prefixed QName (`xsi:type="q:Send"`).
    fn attribute(&mut self, key: &'a [u8], value: &'a [u8]) {
        if key.contains(&b':') {
            self.add(prefix_part(key));
        }
        if let Some((prefix, _)) = split_qname(value).filter(|(p, _)| !p.is_empty()) {
            self.add(prefix);
        }
    }
}

/// A pull reader over a complete XML document in memory, borrowing from it.
pub struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    input: &'a [u8],
    /// In-scope namespace declarations: (depth, prefix, namespace); prefix empty for the default.
    namespaces: Vec<(usize, &'a [u8], &'a [u8])>,
    /// The default namespace in scope (kept in step with `namespaces`).
    default_ns: Option<&'a [u8]>,
    depth: usize,
    max_depth: usize,
    skipped: usize,
    /// The input as text, when it is UTF-8 (valid, and declared so or not declared at all):
    /// text is then borrowed from it as is.
    text_input: Option<&'a str>,
    /// The input has a carriage return somewhere (text then needs end-of-line normalization).
    has_cr: bool,
}

/// Where the reader is, not what it has read (the input may hold secrets).
impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader")
            .field("input_len", &self.input.len())
            .field("position", &self.reader.buffer_position())
            .field("depth", &self.depth)
            .field("max_depth", &self.max_depth)
            .finish_non_exhaustive()
    }
}

impl<'a> XmlReader<'a> {
    /// A reader over `input` (a leading UTF-8 byte order mark is ignored).
    pub fn new(input: &'a [u8]) -> Self {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        // A UTF-8 document is validated once here; quick-xml is then told its encoding (no
        // lookup of the declared one) and text is sliced from it without decoding each piece.
        let text_input = std::str::from_utf8(input)
            .ok()
            .filter(|_| utf8_by_declaration(input));
        let mut reader = match text_input {
            Some(text) => Reader::from_str(text),
            None => Reader::from_reader(input),
        };
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            input,
            namespaces: Vec::new(),
            default_ns: None,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            skipped: 0,
            text_input,
            has_cr: memchr::memchr(b'\r', input).is_some(),
        }
    }

    /// Sets the bound on element nesting (a clear error past it).
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// How many unknown elements were skipped so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The current byte offset in the input.
    pub fn position(&self) -> usize {
        self.reader.buffer_position() as usize
    }

    /// The input from the start tag of `start` up to the current position (after its end tag
    /// once it was read), as text.
    pub fn raw_since(&self, start: &Start<'_>) -> Cow<'a, str> {
        let end = self.position().min(self.input.len());
        let begin = start.position.min(end);
        String::from_utf8_lossy(&self.input[begin..end])
    }

    /// The namespace bound to `prefix` (empty for the default namespace) where the reader is.
    pub fn resolve_prefix(&self, prefix: &[u8]) -> Option<&'a [u8]> {
        self.namespaces
            .iter()
            .rev()
            .find(|(_, p, _)| *p == prefix)
            .map(|(_, _, ns)| *ns)
            .filter(|ns| !ns.is_empty())
    }

    fn error(&self, kind: XmlErrorKind) -> XmlError {
        XmlError::new(kind, self.position())
    }

    fn syntax(&self, err: quick_xml::Error) -> XmlError {
        let kind = match err {
            quick_xml::Error::Encoding(e) => XmlErrorKind::Encoding(e.to_string()),
            other => XmlErrorKind::Syntax(other.to_string()),
        };
        XmlError::new(kind, self.reader.error_position() as usize)
    }

    /// A value error for the text of element `start`.
    pub fn value_error(&self, start: &Start<'_>, value: &str, expected: &'static str) -> XmlError {
        let value: String = value.chars().take(64).collect();
        XmlError::new(
            XmlErrorKind::Value {
                element: start.name_lossy(),
                value,
                expected,
            },
            start.position,
        )
    }

    /// Re-borrows a slice of an event from the input itself, so it lives as long as the input.
    fn rebase(&self, part: &[u8]) -> &'a [u8] {
        let base = self.input.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        if at >= base && at + part.len() <= base + self.input.len() {
            &self.input[at - base..at - base + part.len()]
        } else {
            &[]
        }
    }

    fn open(
        &mut self,
        tag: &BytesStart<'a>,
        empty: bool,
        position: usize,
    ) -> Result<Start<'a>, XmlError> {
        if !empty {
            self.depth += 1;
            if self.depth > self.max_depth {
                return Err(self.error(XmlErrorKind::TooDeep {
                    limit: self.max_depth,
                }));
            }
        }
        let level = self.depth + usize::from(empty);
        let qname = self.rebase(tag.name().as_ref());
        let mut xsi_type = None;
        let mut nil = false;
        let raw = self.rebase(tag.attributes_raw());
        if raw.iter().any(|b| !b.is_ascii_whitespace()) {
            // Declarations first, so that attributes of this very tag resolve against them.
            // Prefixed attributes wait in a small buffer on the stack (a tag rarely has more
            // than a few); uniqueness is checked here rather than by quick-xml, which would
            // allocate a list of keys for every tag with attributes.
            let mut pending = Pending::default();
            for attr in RawAttributes::new(raw) {
                let (key, value) = attr.map_err(|msg| {
                    self.error(XmlErrorKind::Syntax(format!(
                        "{msg} in `{}`",
                        String::from_utf8_lossy(qname)
                    )))
                })?;
                if !pending.insert_key(key) {
                    return Err(self.error(XmlErrorKind::Syntax(format!(
                        "duplicate attribute `{}` in `{}`",
                        String::from_utf8_lossy(key),
                        String::from_utf8_lossy(qname)
                    ))));
                }
                if key == b"xmlns" {
                    self.namespaces.push((level, b"", value));
                    self.default_ns = Some(value).filter(|v| !v.is_empty());
                } else if let Some(prefix) = key.strip_prefix(b"xmlns:") {
                    self.namespaces.push((level, prefix, value));
                } else if key.contains(&b':') {
                    pending.push(key, value);
                }
            }
            for &(key, value) in pending.prefixed() {
                if self.resolve_prefix(prefix_part(key)) != Some(XSI_NS.as_bytes()) {
                    continue;
                }
                match local_part(key) {
                    b"type" => xsi_type = Some(value),
                    b"nil" => nil = matches!(value, b"true" | b"1"),
                    _ => {}
                }
            }
        }
        let (prefix, local) = match qname.iter().position(|&b| b == b':') {
            Some(i) => (&qname[..i], &qname[i + 1..]),
            None => (&qname[..0], qname),
        };
        let namespace = if prefix.is_empty() {
            self.default_ns
        } else {
            self.resolve_prefix(prefix)
        };
        let xsi_type_ns = xsi_type
            .and_then(split_qname)
            .and_then(|(prefix, _)| self.resolve_prefix(prefix));
        let start = Start {
            qname,
            local,
            namespace,
            xsi_type,
            xsi_type_ns,
            attributes: raw,
            nil,
            empty,
            position,
        };
        if empty {
            self.pop_namespaces(level);
        }
        Ok(start)
    }

    fn pop_namespaces(&mut self, level: usize) {
        let mut default_popped = false;
        while let Some((d, prefix, _)) = self.namespaces.last() {
            if *d < level {
                break;
            }
            default_popped |= prefix.is_empty();
            self.namespaces.pop();
        }
        if default_popped {
            self.default_ns = self.resolve_prefix(b"");
        }
    }

    fn close(&mut self) {
        self.pop_namespaces(self.depth);
        self.depth = self.depth.saturating_sub(1);
    }

    /// The next element start at the current level, or `None` at the end tag of the element
    /// being read (or at the end of the document at the top level). Text, comments and
    /// processing instructions between elements are passed over.
    pub fn next_child(&mut self) -> Result<Option<Start<'a>>, XmlError> {
        loop {
            let position = self.position();
            match self.reader.read_event() {
                Ok(Event::Start(tag)) => return self.open(&tag, false, position).map(Some),
                Ok(Event::Empty(tag)) => return self.open(&tag, true, position).map(Some),
                Ok(Event::End(_)) => {
                    self.close();
                    return Ok(None);
                }
                Ok(Event::Eof) => {
                    if self.depth == 0 {
                        return Ok(None);
                    }
                    return Err(self.error(XmlErrorKind::UnexpectedEof));
                }
                Ok(Event::DocType(_)) => return Err(self.error(XmlErrorKind::Doctype)),
                Ok(_) => {}
                Err(e) => return Err(self.syntax(e)),
            }
        }
    }

    /// Passes over the rest of element `start` (its content and end tag).
    pub fn skip(&mut self, start: &Start<'_>) -> Result<(), XmlError> {
        self.skipped += 1;
        self.finish(start)
    }

    fn finish(&mut self, start: &Start<'_>) -> Result<(), XmlError> {
        if start.empty {
            return Ok(());
        }
        let mut open = 0usize;
        loop {
            match self.reader.read_event() {
                Ok(Event::Start(_)) => open += 1,
                Ok(Event::End(_)) => {
                    if open == 0 {
                        self.close();
                        return Ok(());
                    }
                    open -= 1;
                }
                Ok(Event::Eof) => return Err(self.error(XmlErrorKind::UnexpectedEof)),
                Ok(Event::DocType(_)) => return Err(self.error(XmlErrorKind::Doctype)),
                Ok(_) => {}
                Err(e) => return Err(self.syntax(e)),
            }
        }
    }

    /// Reads the rest of element `start` (content and end tag) and returns the whole element as
    /// text that stands alone: the namespace declarations in scope that it relies on (the
    /// prefixes of its and its descendants' element and attribute names, and of attribute values
    /// written as QNames, such as `xsi:type`) and does not make itself are written onto its start
    /// tag, as is `xmlns=""` where it uses unprefixed names with no default namespace in scope. It
    /// then reads back the same anywhere, and capturing it again adds nothing.
    ///
    /// The element is checked on the way: well-formed, and only the predefined entities.
    pub(super) fn capture(&mut self, start: &Start<'_>) -> Result<String, XmlError> {
        let mut uses = PrefixUse::default();
        let mut own: Vec<&[u8]> = Vec::new();
        uses.name(start.qname);
        for (key, value) in RawAttributes::new(start.attributes).flatten() {
            if key == b"xmlns" {
                own.push(b"");
            } else if let Some(prefix) = key.strip_prefix(b"xmlns:") {
                own.push(prefix);
            } else {
                uses.attribute(key, value);
            }
        }
        // The element's own declarations are at its level (already gone for an empty element):
        // what the ancestors bind is below it.
        let own_level = self.depth + usize::from(start.empty);
        let mut inherited: Vec<(&'a [u8], &'a [u8])> = Vec::new();
        for &(level, prefix, ns) in self.namespaces.iter().rev() {
            if level < own_level
                && !own.contains(&prefix)
                && !inherited.iter().any(|(p, _)| *p == prefix)
            {
                inherited.push((prefix, ns));
            }
        }
        if !start.empty {
            let mut open = 0usize;
            loop {
                let position = self.position();
                let (tag, nested) = match self.reader.read_event() {
                    Ok(Event::Start(tag)) => (tag, true),
                    Ok(Event::Empty(tag)) => (tag, false),
                    Ok(Event::End(_)) => {
                        if open == 0 {
                            self.close();
                            break;
                        }
                        open -= 1;
                        continue;
                    }
                    Ok(Event::GeneralRef(r)) => {
                        resolve_reference(&r, position)?;
                        continue;
                    }
                    Ok(Event::Eof) => return Err(self.error(XmlErrorKind::UnexpectedEof)),
                    Ok(Event::DocType(_)) => return Err(self.error(XmlErrorKind::Doctype)),
                    Ok(_) => continue,
                    Err(e) => return Err(self.syntax(e)),
                };
                open += usize::from(nested);
                uses.name(self.rebase(tag.name().as_ref()));
                for attr in RawAttributes::new(self.rebase(tag.attributes_raw())) {
                    let (key, value) = attr.map_err(|msg| self.error(XmlErrorKind::Syntax(msg)))?;
                    if !key.starts_with(b"xmlns") {
                        uses.attribute(key, value);
                    }
                }
            }
        }
        let end = self.position().min(self.input.len());
        let begin = start.position.min(end);
        let raw = &self.input[begin..end];
        let text = match self.text_input {
            // Checked UTF-8 already, as a whole: sliced as is (the element starts and ends on a
            // tag, so on character boundaries; `get` checks it all the same).
            Some(text) => match text.get(begin..end) {
                Some(piece) => std::borrow::Cow::Borrowed(piece),
                None => String::from_utf8_lossy(raw),
            },
            None => self.reader.decoder().decode(raw).map_err(|e| {
                XmlError::new(XmlErrorKind::Encoding(e.to_string()), start.position)
            })?,
        };
        // The declarations go right after the element's name, outermost first.
        let name_end = text
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(text.len());
        let mut out = String::with_capacity(text.len() + 64);
        out.push_str(&text[..name_end]);
        for (prefix, ns) in inherited.iter().rev() {
            if !uses.uses(prefix) {
                continue;
            }
            if prefix.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                out.push_str(" xmlns:");
                out.push_str(&String::from_utf8_lossy(prefix));
                out.push_str("=\"");
            }
            // A value read between single quotes may hold a double quote.
            out.push_str(&String::from_utf8_lossy(ns).replace('"', "&quot;"));
            out.push('"');
        }
        let default_bound = own.contains(&&b""[..]) || inherited.iter().any(|(p, _)| p.is_empty());
        if uses.default && !default_bound {
            out.push_str(" xmlns=\"\"");
        }
        out.push_str(&text[name_end..]);
        Ok(out)
    }

    /// Reads the text content of element `start` up to its end tag: entity and character
    /// references resolved, CDATA taken as is, comments passed over. Child elements inside text
    /// are skipped.
    pub fn text(&mut self, start: &Start<'_>) -> Result<Cow<'a, str>, XmlError> {
        if start.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        let mut position = self.position();
        let mut event = self.reader.read_event();
        // The common case on its own branches: one text event, then the end tag.
        if let Ok(Event::Text(t)) = &event {
            text = self.decode_text(t, position)?;
            position = self.position();
            event = self.reader.read_event();
        }
        loop {
            let piece: Cow<'a, str> = match event {
                Ok(Event::End(_)) => {
                    self.close();
                    return Ok(text);
                }
                Ok(Event::Text(t)) => self.decode_text(&t, position)?,
                Ok(Event::CData(c)) => c
                    .decode()
                    .map_err(|e| XmlError::new(XmlErrorKind::Encoding(e.to_string()), position))?,
                Ok(Event::GeneralRef(r)) => Cow::Owned(resolve_reference(&r, position)?),
                Ok(Event::Start(tag)) => {
                    let child = self.open(&tag, false, position)?;
                    self.skip(&child)?;
                    Cow::Borrowed("")
                }
                Ok(Event::Eof) => return Err(self.error(XmlErrorKind::UnexpectedEof)),
                Ok(Event::DocType(_)) => return Err(self.error(XmlErrorKind::Doctype)),
                Ok(_) => Cow::Borrowed(""),
                Err(e) => return Err(self.syntax(e)),
            };
            if text.is_empty() {
                text = piece;
            } else if !piece.is_empty() {
                text.to_mut().push_str(&piece);
            }
            position = self.position();
            event = self.reader.read_event();
        }
    }

    /// The text of a text event: borrowed from the input when it is UTF-8 and the piece has no
    /// carriage return (the common case); otherwise decoded and end-of-line normalized by
    /// quick-xml.
    fn decode_text(
        &self,
        t: &quick_xml::events::BytesText<'_>,
        position: usize,
    ) -> Result<Cow<'a, str>, XmlError> {
        if let Some(text) = self.text_input {
            let bytes: &[u8] = t;
            let base = text.as_ptr() as usize;
            let at = (bytes.as_ptr() as usize).wrapping_sub(base);
            // Text events end at `<` or `&`, so the piece starts and ends on character
            // boundaries; `get` checks it all the same.
            if let Some(piece) = at
                .checked_add(bytes.len())
                .and_then(|end| text.get(at..end))
                .filter(|p| !self.has_cr || !p.as_bytes().contains(&b'\r'))
            {
                return Ok(Cow::Borrowed(piece));
            }
        }
        match t.xml10_content() {
            Ok(s) => Ok(Cow::Owned(s.into_owned())),
            Err(e) => Err(XmlError::new(
                XmlErrorKind::Encoding(e.to_string()),
                position,
            )),
        }
    }

    /// Reads element `start` as the complex type `T`, built in place on the heap.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn complex_boxed<T: XmlComplex>(&mut self, start: &Start<'_>) -> Result<Box<T>, XmlError> {
        let mut value = Box::<T>::default();
        self.fields_into(&mut *value, start)?;
        Ok(value)
    }

    fn fields_into<T: XmlComplex>(
        &mut self,
        value: &mut T,
        start: &Start<'_>,
    ) -> Result<(), XmlError> {
        if start.empty {
            return Ok(());
        }
        // Each level of nesting is a few frames of generated code, large ones in a debug build
        // of the vendor's WSDL (128 levels of Send/Sources/Source overflowed a 2 MiB thread
        // stack): when the stack runs low, it goes on in a segment on the heap, so that the
        // depth bound, not the caller's stack size, limits nesting.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            while let Some(child) = self.next_child()? {
                if !value.read_field(self, &child)? {
                    self.skip(&child)?;
                }
            }
            Ok(())
        })
    }

    /// Reads element `start` as the complex type `T`, skipping children it does not know.
    pub fn complex<T: XmlComplex>(&mut self, start: &Start<'_>) -> Result<T, XmlError> {
        let mut value = T::default();
        self.fields_into(&mut value, start)?;
        Ok(value)
    }

    /// Reads a required field (a nil element leaves the default).
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn req<T: XmlValue>(&mut self, start: &Start<'_>, slot: &mut T) -> Result<(), XmlError> {
        if start.nil {
            return self.finish(start);
        }
        *slot = T::read_element(self, start)?;
        Ok(())
    }

    /// Reads an optional field (a nil element reads as `None`).
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn opt<T: XmlValue>(
        &mut self,
        start: &Start<'_>,
        slot: &mut Option<T>,
    ) -> Result<(), XmlError> {
        if start.nil {
            *slot = None;
            return self.finish(start);
        }
        *slot = Some(T::read_element(self, start)?);
        Ok(())
    }

    /// Reads one more item of a repeated field (a nil item is passed over).
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn many<T: XmlValue>(
        &mut self,
        start: &Start<'_>,
        slot: &mut Vec<T>,
    ) -> Result<(), XmlError> {
        if start.nil {
            return self.finish(start);
        }
        slot.push(T::read_element(self, start)?);
        Ok(())
    }

    /// Reads a wrapper element whose children named `item` are the items of a list.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn wrapped<T: XmlValue>(
        &mut self,
        start: &Start<'_>,
        item: &[u8],
        slot: &mut Vec<T>,
    ) -> Result<(), XmlError> {
        if start.empty || start.nil {
            return self.finish(start);
        }
        while let Some(child) = self.next_child()? {
            if child.local_name() == item {
                self.many(&child, slot)?;
            } else {
                self.skip(&child)?;
            }
        }
        Ok(())
    }

    /// Reads element `start` whole into a wildcard field (`xs:any`): kept as written, with the
    /// namespace declarations it needs to stand alone (see [`AnyElement`]).
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn any(&mut self, start: &Start<'_>, slot: &mut Vec<AnyElement>) -> Result<(), XmlError> {
        let xml = self.capture(start)?;
        slot.push(AnyElement::captured(xml));
        Ok(())
    }

    /// Reads the next element at this level, failing on end of input or the end of the parent.
    pub fn expect_child(&mut self, expected: &str) -> Result<Start<'a>, XmlError> {
        match self.next_child()? {
            Some(start) => Ok(start),
            None => Err(self.error(XmlErrorKind::UnexpectedElement {
                expected: expected.to_string(),
                found: "end of element".to_string(),
            })),
        }
    }

    /// An error saying `expected` was wanted where `found` stands.
    pub fn unexpected(&self, expected: &str, found: &Start<'_>) -> XmlError {
        XmlError::new(
            XmlErrorKind::UnexpectedElement {
                expected: expected.to_string(),
                found: found.name_lossy(),
            },
            found.position,
        )
    }
}
