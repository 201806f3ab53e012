//! The small XML runtime the generated bindings are written against.
//!
//! **A runtime, not the client's API**: it exists for the code `sfmc-partnerapi-codegen`
//! generates, and changes with the generator. It stays public because that code is compiled
//! outside this crate too (the generator's golden output, in this crate's tests), and because
//! [`XmlReader`], [`XmlWriter`], [`XmlElement`] and [`AnyElement`] serve the sandbox, tests and
//! tools that read or write partnerAPI XML by hand. The helpers only generated code calls (field
//! readers and writers such as `XmlReader::opt` or `XmlWriter::wrapped`) are hidden from the
//! docs.
//!
//! Generated types implement [`XmlComplex`] (a complex type: its fields, read one child element
//! at a time and written in schema order) or [`XmlValue`] directly (enumerations and the
//! polymorphic `Any*` enums that dispatch on `xsi:type`). Reading is lenient (unknown children are
//! skipped, `xsi:nil` reads as absent, missing required elements keep their default) and bounded
//! in depth; writing is exact (schema order, no `xsi:nil` for unset fields, proper escaping).

mod any;
mod error;
mod reader;
mod writer;

pub use any::AnyElement;
pub use error::{XmlError, XmlErrorKind};
pub use reader::{Start, XmlReader, DEFAULT_MAX_DEPTH};
pub use writer::XmlWriter;

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A value that is the content of one element: a complex type, an enumeration, a number, a string.
pub trait XmlValue: Sized {
    /// Writes `self` as the element `name`: start tag, content, end tag.
    fn write_element(&self, w: &mut XmlWriter, name: &str);

    /// Reads a value from the element whose start tag `start` was just read, up to and including
    /// its end tag.
    fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError>;
}

/// A complex type of the schema, with its inherited fields flattened in.
pub trait XmlComplex: Default {
    /// The XSD type name, written as `xsi:type` where the type stands for one of its bases.
    const TYPE_NAME: &'static str;

    /// Writes the child elements, in schema order.
    fn write_fields(&self, w: &mut XmlWriter);

    /// Reads the child element `child` into its field; `Ok(false)` when no field has that name
    /// (the reader then skips the element).
    fn read_field(&mut self, r: &mut XmlReader<'_>, child: &Start<'_>) -> Result<bool, XmlError>;
}

/// A top-level element of the schema (a request or response message).
pub trait XmlElement: XmlValue {
    /// The element's local name.
    const NAME: &'static str;
    /// The element's namespace.
    const NAMESPACE: &'static str;
}

/// An enumeration of the schema: written and read as its text value.
pub trait XmlEnum: Sized {
    /// The value as written on the wire.
    fn as_str(&self) -> &str;
    /// The variant for a wire value (an unknown value is kept, not rejected).
    fn from_wire(value: &str) -> Self;
}

impl<T: XmlComplex> XmlValue for T {
    fn write_element(&self, w: &mut XmlWriter, name: &str) {
        w.complex(name, None, self);
    }

    fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
        r.complex(start)
    }
}

/// A boxed complex type (a field that breaks a cycle of types) reads and writes as the type.
impl<T: XmlComplex> XmlComplex for Box<T> {
    const TYPE_NAME: &'static str = T::TYPE_NAME;

    fn write_fields(&self, w: &mut XmlWriter) {
        (**self).write_fields(w);
    }

    fn read_field(&mut self, r: &mut XmlReader<'_>, child: &Start<'_>) -> Result<bool, XmlError> {
        (**self).read_field(r, child)
    }
}

impl XmlValue for String {
    fn write_element(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, self);
    }

    fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
        r.text(start).map(|t| t.into_owned())
    }
}

impl XmlValue for compact_str::CompactString {
    fn write_element(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, self);
    }

    fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
        r.text(start)
            .map(|t| compact_str::CompactString::from(t.as_ref()))
    }
}

impl XmlValue for bool {
    fn write_element(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, if *self { "true" } else { "false" });
    }

    fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
        let text = r.text(start)?;
        match text.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(r.value_error(start, other, "xs:boolean")),
        }
    }
}

macro_rules! number_value {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl XmlValue for $ty {
            fn write_element(&self, w: &mut XmlWriter, name: &str) {
                w.text_element(name, &self.to_string());
            }

            fn read_element(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
                let text = r.text(start)?;
                let trimmed = text.trim();
                trimmed.parse::<$ty>().map_err(|_| r.value_error(start, trimmed, $xsd))
            }
        }
    )*};
}

number_value! {
    i8 => "xs:byte", i16 => "xs:short", i32 => "xs:int", i64 => "xs:long",
    u8 => "xs:unsignedByte", u16 => "xs:unsignedShort", u32 => "xs:unsignedInt",
    u64 => "xs:unsignedLong", f32 => "xs:float", f64 => "xs:double",
}

/// Whether `ids`, the `CorrelationID`s of the objects a request carries, has at least one, and
/// each is either unset (the client's writer fills it in, see [`XmlWriter`]) or not blank: used
/// by the generated `Operation::every_object_correlated`.
pub fn all_correlated<'a, S: AsRef<str> + 'a>(ids: impl Iterator<Item = &'a Option<S>>) -> bool {
    let mut any = false;
    for id in ids {
        if id.as_ref().is_some_and(|s| s.as_ref().trim().is_empty()) {
            return false;
        }
        any = true;
    }
    any
}

/// The trait impls every generated enumeration has, from its [`XmlEnum`] impl: `FromStr`,
/// `From<&str>`, `AsRef<str>`, `Display` (the wire value) and [`XmlValue`]. One use per
/// generated file, listing its enumerations.
#[doc(hidden)]
#[macro_export]
macro_rules! __xml_enum_impls {
    ($($t:ident),* $(,)?) => {$(
        impl ::core::str::FromStr for $t {
            type Err = ::core::convert::Infallible;
            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok($crate::xml::XmlEnum::from_wire(value))
            }
        }
        impl ::core::convert::From<&str> for $t {
            fn from(value: &str) -> Self {
                $crate::xml::XmlEnum::from_wire(value)
            }
        }
        impl ::core::convert::AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                $crate::xml::XmlEnum::as_str(self)
            }
        }
        impl ::core::fmt::Display for $t {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::xml::XmlEnum::as_str(self))
            }
        }
        impl $crate::xml::XmlValue for $t {
            fn write_element(&self, w: &mut $crate::xml::XmlWriter, name: &str) {
                $crate::xml::write_enum(self, w, name);
            }
            fn read_element(
                r: &mut $crate::xml::XmlReader<'_>,
                start: &$crate::xml::Start<'_>,
            ) -> ::core::result::Result<Self, $crate::xml::XmlError> {
                $crate::xml::read_enum(r, start)
            }
        }
    )*};
}
#[doc(inline)]
pub use crate::__xml_enum_impls as enum_impls;

/// Writes an enumeration as text; used by the generated `XmlValue` impls of enumerations.
pub fn write_enum<T: XmlEnum>(value: &T, w: &mut XmlWriter, name: &str) {
    w.text_element(name, value.as_str());
}

/// Reads an enumeration from its text; an unknown value is kept by [`XmlEnum::from_wire`].
pub fn read_enum<T: XmlEnum>(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<T, XmlError> {
    let text = r.text(start)?;
    Ok(T::from_wire(text.trim()))
}

/// An element whose `xsi:type` names no type these bindings know (or that has none where its
/// declared type is abstract): the declared base type's fields as read, plus the raw element.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Untyped<T> {
    /// The `xsi:type` as written on the wire, if any.
    pub xsi_type: Option<String>,
    /// The namespace the `xsi:type`'s prefix was bound to, when it has a prefix: written back
    /// with it, so that the prefix stays bound.
    pub xsi_type_namespace: Option<String>,
    /// The fields of the declared base type, as far as they were present.
    pub base: T,
    /// The whole element as received, so nothing is lost.
    pub raw: String,
}

/// Reads the element `start` as a polymorphic value of declared base type `B`: used by the
/// generated `Any*` enums when `xsi:type` names no known type. Keeps the raw element.
pub fn read_untyped<B: XmlComplex>(
    r: &mut XmlReader<'_>,
    start: &Start<'_>,
) -> Result<Box<Untyped<B>>, XmlError> {
    let base = r.complex::<B>(start)?;
    let xsi_type = start.xsi_type();
    let prefixed = xsi_type.is_some_and(|t| t.contains(&b':'));
    Ok(Box::new(Untyped {
        xsi_type: xsi_type.map(attribute_text),
        xsi_type_namespace: start
            .xsi_type_namespace()
            .filter(|_| prefixed)
            .map(attribute_text),
        base,
        raw: r.raw_since(start).into_owned(),
    }))
}

/// An attribute's value as text: references resolved (the writer escapes it again); kept as
/// written when one cannot be resolved.
fn attribute_text(raw: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw);
    match quick_xml::escape::unescape(&raw) {
        Ok(text) => text.into_owned(),
        Err(_) => raw.into_owned(),
    }
}

/// Reads the element `start`, which has no `xsi:type`, as its declared type `B`. If it had
/// children `B` does not know, they would be lost: the value is then kept as [`Untyped`] instead.
pub fn read_declared<B: XmlComplex>(
    r: &mut XmlReader<'_>,
    start: &Start<'_>,
) -> Result<Result<Box<B>, Box<Untyped<B>>>, XmlError> {
    let skipped = r.skipped();
    let base = r.complex_boxed::<B>(start)?;
    if r.skipped() == skipped {
        return Ok(Ok(base));
    }
    Ok(Err(Box::new(Untyped {
        xsi_type: None,
        xsi_type_namespace: None,
        base: *base,
        raw: r.raw_since(start).into_owned(),
    })))
}

/// Writes an [`Untyped`] value back: its base fields, with the original `xsi:type` (and the
/// declaration of its prefix, when it had one bound).
pub fn write_untyped<B: XmlComplex>(value: &Untyped<B>, w: &mut XmlWriter, name: &str) {
    let declared = match (&value.xsi_type, &value.xsi_type_namespace) {
        (Some(t), Some(ns)) => t.split_once(':').map(|(prefix, _)| (prefix, ns.as_str())),
        _ => None,
    };
    w.complex_typed(name, value.xsi_type.as_deref(), declared, &value.base);
}

/// `value` read again as `T`, a type derived from `F` (or `F` itself): written as XML and read
/// back, so `T` gets the fields of `F` it has and the others empty. Used by the generated
/// `TryFrom<Any*>` conversions for a value read as a base type of the one wanted.
#[doc(hidden)] // called by generated code only (see the module docs)
pub fn read_as<F: XmlComplex, T: XmlComplex>(value: &F) -> Result<T, XmlError> {
    let mut w = XmlWriter::with_capacity(256);
    w.complex("V", None, value);
    let xml = w.into_string();
    let mut r = XmlReader::new(xml.as_bytes());
    let start = r.expect_child("V")?;
    r.complex(&start)
}

/// An [`Untyped`] value read again as `T` from its raw element (every field of `T` it holds);
/// from its base fields when the raw element cannot be read alone. Used by the generated
/// `TryFrom<Any*>` conversions.
#[doc(hidden)] // called by generated code only (see the module docs)
pub fn read_untyped_as<B: XmlComplex, T: XmlComplex>(value: &Untyped<B>) -> Result<T, XmlError> {
    let mut r = XmlReader::new(value.raw.as_bytes());
    if let Ok(Some(start)) = r.next_child() {
        if let Ok(read) = r.complex::<T>(&start) {
            return Ok(read);
        }
    }
    read_as(&value.base)
}

#[cfg(test)]
mod tests;
