use super::{AnyElement, XmlComplex, XmlElement, XmlValue, XSI_NS};

/// Writes XML text into a `String`, escaping values as it goes.
#[derive(Debug, Default, Clone)]
pub struct XmlWriter {
    out: String,
    /// Nesting of complex values being written (the root's fields are at depth 1).
    depth: usize,
    fill: Option<Fill>,
}

/// A value written for an optional element left unset (see [`XmlWriter::fill_unset`]).
#[derive(Debug, Clone)]
struct Fill {
    name: &'static str,
    depth: usize,
    value: String,
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// From now on, writes `value` as the text of every optional element `name` that is left
    /// unset (`None`) in a complex value at nesting `depth` (the fields of the root element are
    /// at depth 1, those of its children at depth 2, ...). A value that is set is written as is.
    ///
    /// The client uses this to give every `Definition` of a Perform request a `CorrelationID`
    /// in its schema position, whatever the definition's type.
    pub(crate) fn fill_unset(&mut self, name: &'static str, depth: usize, value: String) {
        self.fill = Some(Fill { name, depth, value });
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The text written.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Appends markup as is (the caller guarantees it is well-formed).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Appends `text` escaped for element content (`<`, `>` and `&`, so `]]>` cannot occur).
    pub fn escaped(&mut self, text: &str) {
        push_escaped(&mut self.out, text, false);
    }

    /// Writes `<name>text</name>` (or `<name/>` for empty text).
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.out.push('<');
        self.out.push_str(name);
        if text.is_empty() {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        push_escaped(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes a complex value as element `name`, with `xsi:type` when given.
    pub fn complex<T: XmlComplex>(&mut self, name: &str, xsi_type: Option<&str>, value: &T) {
        self.complex_typed(name, xsi_type, None, value);
    }

    /// [`complex`](Self::complex), declaring `xmlns:PREFIX="NAMESPACE"` for the prefix of the
    /// `xsi:type` when `declare` gives one (a type of another namespace, kept as read). A prefix
    /// that is not a plain name (or is `xml`, `xmlns` or `xsi`) is not declared.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn complex_typed<T: XmlComplex>(
        &mut self,
        name: &str,
        xsi_type: Option<&str>,
        declare: Option<(&str, &str)>,
        value: &T,
    ) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some(t) = xsi_type {
            self.out.push_str(" xsi:type=\"");
            push_escaped(&mut self.out, t, true);
            self.out.push('"');
        }
        if let Some((prefix, ns)) = declare.filter(|(p, _)| declarable(p)) {
            self.out.push_str(" xmlns:");
            self.out.push_str(prefix);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, ns, true);
            self.out.push('"');
        }
        let mark = self.out.len();
        self.out.push('>');
        self.depth += 1;
        value.write_fields(self);
        self.depth -= 1;
        if self.out.len() == mark + 1 {
            self.out.truncate(mark);
            self.out.push_str("/>");
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// Writes a top-level element with its namespace as the default namespace and `xsi` bound.
    pub fn root<T: XmlElement>(&mut self, value: &T) {
        let mut inner = XmlWriter::with_capacity(256);
        inner.depth = self.depth;
        inner.fill = self.fill.take();
        value.write_element(&mut inner, T::NAME);
        self.fill = inner.fill.take();
        let body = inner.into_string();
        // Declare the namespaces on the element's own start tag.
        let tag_end = T::NAME.len() + 1;
        self.out.push_str(&body[..tag_end]);
        self.out.push_str(" xmlns=\"");
        push_escaped(&mut self.out, T::NAMESPACE, true);
        self.out.push_str("\" xmlns:xsi=\"");
        self.out.push_str(XSI_NS);
        self.out.push('"');
        self.out.push_str(&body[tag_end..]);
    }

    /// Writes a required field.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn req<T: XmlValue>(&mut self, name: &str, value: &T) {
        value.write_element(self, name);
    }

    /// Writes an optional field; nothing when unset (unless `fill_unset` asked for a value).
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn opt<T: XmlValue>(&mut self, name: &str, value: &Option<T>) {
        match value {
            Some(v) => v.write_element(self, name),
            None => {
                let wanted = self
                    .fill
                    .as_ref()
                    .is_some_and(|f| f.depth == self.depth && f.name == name);
                if wanted {
                    if let Some(fill) = self.fill.take() {
                        self.text_element(name, &fill.value);
                        self.fill = Some(fill);
                    }
                }
            }
        }
    }

    /// Writes the elements of a wildcard field (`xs:any`) back as they were read.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn any(&mut self, values: &[AnyElement]) {
        for v in values {
            self.out.push_str(v.as_str());
        }
    }

    /// Writes each item of a repeated field.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn many<T: XmlValue>(&mut self, name: &str, values: &[T]) {
        for v in values {
            v.write_element(self, name);
        }
    }

    /// Writes a list inside its wrapper element; an empty list writes no wrapper unless it is
    /// `required`.
    #[doc(hidden)] // called by generated code only (see the module docs)
    pub fn wrapped<T: XmlValue>(&mut self, name: &str, item: &str, values: &[T], required: bool) {
        if values.is_empty() {
            if required {
                self.text_element(name, "");
            }
            return;
        }
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        for v in values {
            v.write_element(self, item);
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

/// A prefix that can be declared: a name without `:`, and not `xml`, `xmlns` or the writer's
/// own `xsi`.
fn declarable(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !matches!(prefix, "xml" | "xmlns" | "xsi")
}

fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' if attribute => "&quot;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}
