use std::fmt;

/// What went wrong while reading XML, and where (a byte offset into the input).
///
/// One pointer wide: every step of a read returns a `Result` with it, and a small error keeps
/// those results in registers (the error itself is rare and may cost an allocation).
#[derive(Clone, PartialEq, Eq)]
pub struct XmlError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: XmlErrorKind,
    position: usize,
}

impl fmt::Debug for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XmlError")
            .field("kind", &self.0.kind)
            .field("position", &self.0.position)
            .finish()
    }
}

/// The kinds of [`XmlError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// The input is not well-formed XML (mismatched tags, bad syntax, bad attribute).
    Syntax(String),
    /// The input is not valid UTF-8.
    Encoding(String),
    /// A document type declaration: SOAP messages must not carry one (entity expansion attacks).
    Doctype,
    /// Elements nested deeper than the reader's limit.
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// The input ended inside an element.
    UnexpectedEof,
    /// An entity reference other than the five predefined ones and character references.
    UnknownEntity(String),
    /// An element's text is not a value of its schema type.
    Value {
        /// The element's name.
        element: String,
        /// The text found (cut to 64 characters).
        value: String,
        /// The schema type expected.
        expected: &'static str,
    },
    /// A different element than the one expected.
    UnexpectedElement {
        /// What the reader expected.
        expected: String,
        /// What it found.
        found: String,
    },
}

impl XmlError {
    /// An error of `kind` at byte offset `position`.
    pub fn new(kind: XmlErrorKind, position: usize) -> Self {
        Self(Box::new(Inner { kind, position }))
    }

    /// The kind of error.
    pub fn kind(&self) -> &XmlErrorKind {
        &self.0.kind
    }

    /// The byte offset in the input where the error was found.
    pub fn position(&self) -> usize {
        self.0.position
    }

    /// The kind, to mask the texts it quotes (see [`crate::secret`]).
    pub(crate) fn kind_mut(&mut self) -> &mut XmlErrorKind {
        &mut self.0.kind
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.0.position;
        match &self.0.kind {
            XmlErrorKind::Syntax(msg) => write!(f, "malformed XML at byte {at}: {msg}"),
            XmlErrorKind::Encoding(msg) => write!(f, "invalid text encoding at byte {at}: {msg}"),
            XmlErrorKind::Doctype => write!(
                f,
                "document type declaration at byte {at}: not allowed in a SOAP message"
            ),
            XmlErrorKind::TooDeep { limit } => {
                write!(f, "elements nested deeper than {limit} levels at byte {at}")
            }
            XmlErrorKind::UnexpectedEof => {
                write!(
                    f,
                    "the XML ends at byte {at} inside an element (truncated?)"
                )
            }
            XmlErrorKind::UnknownEntity(name) => {
                write!(f, "unknown entity reference &{name}; at byte {at}")
            }
            XmlErrorKind::Value {
                element,
                value,
                expected,
            } => write!(
                f,
                "element <{element}> at byte {at} holds {value:?}, which is not a valid {expected}"
            ),
            XmlErrorKind::UnexpectedElement { expected, found } => {
                write!(f, "expected {expected} at byte {at}, found <{found}>")
            }
        }
    }
}

impl std::error::Error for XmlError {}
