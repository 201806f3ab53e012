//! [`AnyElement`]: what a schema wildcard (`xs:any`) matched, kept as written.

use super::{XmlError, XmlErrorKind, XmlReader};

/// One element matched by a schema wildcard (`xs:any`), such as the content of the vendor's
/// `AssetAnyProperty`: the element as received, with the namespace declarations in scope that it
/// relies on written onto its start tag, so that it reads back alone and means the same wherever
/// it is written. Reading keeps every such child; writing emits it back unchanged.
///
/// ```
/// use sfmc_partnerapi::xml::AnyElement;
///
/// let e = AnyElement::parse(r#"<x:Tag xmlns:x="urn:example" Kind="a">text</x:Tag>"#)?;
/// assert_eq!(e.local_name(), "Tag");
/// assert_eq!(e.namespace().as_deref(), Some("urn:example"));
/// assert!(AnyElement::parse("<a><b></a>").is_err());
/// # Ok::<(), sfmc_partnerapi::xml::XmlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct AnyElement {
    xml: String,
}

impl AnyElement {
    /// Wraps text the reader captured (one well-formed element, standalone).
    pub(super) fn captured(xml: String) -> Self {
        Self { xml }
    }

    /// Checks that `xml` is exactly one well-formed element (comments and white space around it
    /// allowed; no DOCTYPE, only the predefined entities) and keeps it as the text to write. A
    /// prefix it uses must be declared in it.
    pub fn parse(xml: &str) -> Result<Self, XmlError> {
        let mut r = XmlReader::new(xml.as_bytes());
        let Some(start) = r.next_child()? else {
            return Err(XmlError::new(
                XmlErrorKind::UnexpectedElement {
                    expected: "an element".to_string(),
                    found: "no element".to_string(),
                },
                0,
            ));
        };
        let prefix_unbound = start
            .qname()
            .iter()
            .position(|&b| b == b':')
            .is_some_and(|i| start.namespace().is_none() && i > 0);
        if prefix_unbound {
            return Err(XmlError::new(
                XmlErrorKind::Syntax(format!(
                    "the prefix of `{}` is not declared",
                    String::from_utf8_lossy(start.qname())
                )),
                start.position(),
            ));
        }
        let captured = r.capture(&start)?;
        if let Some(next) = r.next_child()? {
            return Err(r.unexpected("the end of the input after one element", &next));
        }
        // What the reader captured is the element itself (nothing was in scope to add).
        Ok(Self { xml: captured })
    }

    /// The element as XML text.
    pub fn as_str(&self) -> &str {
        &self.xml
    }

    /// The element as XML text, owned.
    pub fn into_string(self) -> String {
        self.xml
    }

    /// The element's name as written, with its prefix.
    pub fn name(&self) -> &str {
        let rest = self.xml.trim_start();
        let rest = rest.strip_prefix('<').unwrap_or(rest);
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(rest.len());
        &rest[..end]
    }

    /// The element's local name (without prefix).
    pub fn local_name(&self) -> &str {
        let name = self.name();
        name.rsplit_once(':').map_or(name, |(_, local)| local)
    }

    /// The namespace of the element, if it has one.
    pub fn namespace(&self) -> Option<String> {
        let mut r = XmlReader::new(self.xml.as_bytes());
        let start = r.next_child().ok()??;
        start
            .namespace()
            .map(|ns| String::from_utf8_lossy(ns).into_owned())
    }
}

impl std::fmt::Display for AnyElement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.xml)
    }
}

impl std::str::FromStr for AnyElement {
    type Err = XmlError;

    fn from_str(xml: &str) -> Result<Self, Self::Err> {
        Self::parse(xml)
    }
}

impl AsRef<str> for AnyElement {
    fn as_ref(&self) -> &str {
        &self.xml
    }
}
