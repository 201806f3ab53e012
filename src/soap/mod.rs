//! SOAP 1.1 around the generated bodies: the request envelope with its authentication header,
//! the response envelope, and faults (with the partnerAPI's `apifault` detail).

mod envelope;
mod fault;

pub(crate) use envelope::write_envelope_around;
pub use envelope::{
    write_envelope, write_masked_envelope, Envelope, HeaderInfo, RequestHeader, UsernameToken,
};
pub use fault::{ApiFault, Fault, FaultKind};

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace (recognized, to say clearly that it is not supported).
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Namespace of the `fueloauth` header element.
pub const FUELOAUTH_NS: &str = "http://exacttarget.com";
/// WS-Security extension namespace.
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility namespace.
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// The `Type` of a plain-text UsernameToken password.
pub const PASSWORD_TEXT: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
/// Namespace of the partnerAPI fault detail (`apifault`).
pub const FAULT_DETAIL_NS: &str = "urn:fault.partner.exacttarget.com";

/// Why a SOAP message could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Empty input.
    Empty,
    /// Not well-formed XML, too deep, truncated, or a value of the wrong type.
    Xml(crate::xml::XmlError),
    /// The document is XML but not a SOAP envelope.
    NotSoap(String),
    /// A SOAP 1.2 envelope; the partnerAPI speaks SOAP 1.1.
    Soap12,
    /// The envelope has no Body, or an empty one.
    NoBody,
    /// The Body holds another element than the one expected.
    UnexpectedBody {
        /// The element the operation answers with.
        expected: String,
        /// What came instead.
        found: String,
    },
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtocolError::Empty => f.write_str("the response body is empty"),
            // The XML error is the whole description (and so not also a `source()`).
            ProtocolError::Xml(e) => e.fmt(f),
            ProtocolError::NotSoap(root) => {
                write!(f, "not a SOAP envelope: the root element is <{root}>")
            }
            ProtocolError::Soap12 => {
                f.write_str("a SOAP 1.2 envelope; the partnerAPI speaks SOAP 1.1")
            }
            ProtocolError::NoBody => f.write_str("the SOAP envelope has no Body content"),
            ProtocolError::UnexpectedBody { expected, found } => {
                write!(f, "expected <{expected}> in the SOAP Body, found <{found}>")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

impl From<crate::xml::XmlError> for ProtocolError {
    fn from(e: crate::xml::XmlError) -> Self {
        ProtocolError::Xml(e)
    }
}
