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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Empty input.
    #[error("the response body is empty")]
    Empty,
    /// Not well-formed XML, too deep, truncated, or a value of the wrong type.
    #[error("{0}")]
    Xml(#[from] crate::xml::XmlError),
    /// The document is XML but not a SOAP envelope.
    #[error("not a SOAP envelope: the root element is <{0}>")]
    NotSoap(String),
    /// A SOAP 1.2 envelope; the partnerAPI speaks SOAP 1.1.
    #[error("a SOAP 1.2 envelope; the partnerAPI speaks SOAP 1.1 (check the endpoint URL)")]
    Soap12,
    /// The envelope has no Body, or an empty one.
    #[error("the SOAP envelope has no Body content")]
    NoBody,
    /// The Body holds another element than the one expected.
    #[error("expected <{expected}> in the SOAP Body, found <{found}>")]
    UnexpectedBody {
        /// The element the operation answers with.
        expected: String,
        /// What came instead.
        found: String,
    },
}

impl ProtocolError {
    /// Masks `secrets` in the texts the error quotes from the message.
    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        use crate::error::mask;
        match self {
            ProtocolError::Xml(e) => e.redact(secrets),
            ProtocolError::NotSoap(name) => mask(name, secrets),
            ProtocolError::UnexpectedBody { expected, found } => {
                mask(expected, secrets);
                mask(found, secrets);
            }
            ProtocolError::Empty | ProtocolError::Soap12 | ProtocolError::NoBody => {}
        }
    }
}
