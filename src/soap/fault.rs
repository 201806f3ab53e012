use std::fmt;

use super::{ProtocolError, FAULT_DETAIL_NS, SOAP11_NS};
use crate::xml::{XmlReader, XmlWriter};

/// The partnerAPI's fault detail (`apifault` in `urn:fault.partner.exacttarget.com`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ApiFault {
    /// `Code`: 2 unexpected error, 13 database unavailable, 17 rate limited, ...
    pub code: Option<i32>,
    /// `Message`.
    pub message: Option<String>,
    /// `LogID`.
    pub log_id: Option<i64>,
}

/// A SOAP 1.1 fault.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Fault {
    /// `faultcode` as written (`soap:Client`, `q0:Security`, ...).
    pub code: String,
    /// `faultstring` (`Token Expired`, `Login Failed`, ...).
    pub string: String,
    /// `faultactor`, if any.
    pub actor: Option<String>,
    /// The `apifault` detail, if present.
    pub detail: Option<ApiFault>,
}

/// The class of a fault, from the local part of its `faultcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FaultKind {
    /// The request was wrong (`Client`): do not repeat it unchanged.
    Client,
    /// The service failed (`Server`).
    Server,
    /// Authentication failed (`Security`, `FailedAuthentication`, `InvalidSecurity`, ...).
    Security,
    /// `VersionMismatch`.
    VersionMismatch,
    /// `MustUnderstand`.
    MustUnderstand,
    /// Anything else.
    Other,
}

impl Fault {
    /// A fault of `code` (e.g. `soap:Client`) saying `string`.
    pub fn new(code: impl Into<String>, string: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            string: string.into(),
            ..Self::default()
        }
    }

    /// With the `apifault` detail.
    pub fn with_detail(mut self, code: i32, message: impl Into<String>) -> Self {
        self.detail = Some(ApiFault {
            code: Some(code),
            message: Some(message.into()),
            log_id: None,
        });
        self
    }

    /// The class of the fault.
    pub fn kind(&self) -> FaultKind {
        let local = self.code.rsplit(':').next().unwrap_or_default();
        let head = local.split('.').next().unwrap_or_default();
        match head {
            "Client" => FaultKind::Client,
            "Server" => FaultKind::Server,
            "VersionMismatch" => FaultKind::VersionMismatch,
            "MustUnderstand" => FaultKind::MustUnderstand,
            "Security"
            | "FailedAuthentication"
            | "InvalidSecurity"
            | "InvalidSecurityToken"
            | "SecurityTokenUnavailable"
            | "FailedCheck" => FaultKind::Security,
            _ => FaultKind::Other,
        }
    }

    /// The service's signal that the OAuth token ran out (`faultstring` `Token Expired`).
    pub fn is_token_expired(&self) -> bool {
        self.string.trim().eq_ignore_ascii_case("token expired")
    }

    /// An authentication failure: a Security fault or an expired token.
    pub fn is_authentication(&self) -> bool {
        self.kind() == FaultKind::Security || self.is_token_expired()
    }

    /// The `apifault` code, if any.
    pub fn api_code(&self) -> Option<i32> {
        self.detail.as_ref().and_then(|d| d.code)
    }

    /// Reads the `Fault` element `start` (its children in no namespace, as SOAP 1.1 has them).
    pub(crate) fn read(
        r: &mut XmlReader<'_>,
        start: &crate::xml::Start<'_>,
    ) -> Result<Self, ProtocolError> {
        let mut fault = Fault::default();
        if start.is_empty() {
            return Ok(fault);
        }
        while let Some(child) = r.next_child()? {
            match child.local_name() {
                b"faultcode" => fault.code = r.text(&child)?.trim().to_string(),
                b"faultstring" => fault.string = r.text(&child)?.trim().to_string(),
                b"faultactor" => fault.actor = Some(r.text(&child)?.trim().to_string()),
                b"detail" if !child.is_empty() => {
                    while let Some(d) = r.next_child()? {
                        if d.local_name() == b"apifault" {
                            fault.detail = Some(read_api_fault(r, &d)?);
                        } else {
                            r.skip(&d)?;
                        }
                    }
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(fault)
    }

    /// Writes this fault as a whole SOAP 1.1 envelope.
    pub fn to_envelope(&self) -> String {
        let mut w = XmlWriter::with_capacity(512);
        w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        w.raw(&format!(
            "<soap:Envelope xmlns:soap=\"{SOAP11_NS}\"><soap:Body><soap:Fault>"
        ));
        match self.code.split_once(':') {
            // A Security faultcode's prefix (`q0:Security`) is bound where it is used.
            Some((prefix, _))
                if prefix != "soap" && is_ncname(prefix) && self.kind() == FaultKind::Security =>
            {
                w.raw(&format!(
                    "<faultcode xmlns:{prefix}=\"{SECURITY_FAULT_NS}\">"
                ));
                w.escaped(&self.code);
                w.raw("</faultcode>");
            }
            _ => w.text_element("faultcode", &self.code),
        }
        w.text_element("faultstring", &self.string);
        if let Some(actor) = &self.actor {
            w.text_element("faultactor", actor);
        }
        if let Some(d) = &self.detail {
            w.raw(&format!("<detail><apifault xmlns=\"{FAULT_DETAIL_NS}\">"));
            if let Some(code) = d.code {
                w.text_element("Code", &code.to_string());
            }
            if let Some(m) = &d.message {
                w.text_element("Message", m);
            }
            if let Some(id) = d.log_id {
                w.text_element("LogID", &id.to_string());
            }
            w.raw("</apifault></detail>");
        }
        w.raw("</soap:Fault></soap:Body></soap:Envelope>");
        w.into_string()
    }
}

/// Namespace of the WS-Security (2002) `Security` faultcode.
const SECURITY_FAULT_NS: &str = "http://schemas.xmlsoap.org/ws/2002/04/secext";

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn read_api_fault(
    r: &mut XmlReader<'_>,
    start: &crate::xml::Start<'_>,
) -> Result<ApiFault, ProtocolError> {
    let mut out = ApiFault::default();
    if start.is_empty() {
        return Ok(out);
    }
    while let Some(c) = r.next_child()? {
        let text = r.text(&c)?;
        let text = text.trim();
        match c.local_name() {
            b"Code" => out.code = text.parse().ok(),
            b"Message" => out.message = Some(text.to_string()),
            b"LogID" => out.log_id = text.parse().ok(),
            _ => {}
        }
    }
    Ok(out)
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP fault {}: {}", self.code, self.string)?;
        if let Some(d) = &self.detail {
            if let Some(code) = d.code {
                write!(f, " (apifault Code {code}")?;
                if let Some(m) = &d.message {
                    write!(f, ": {m}")?;
                }
                write!(f, ")")?;
            }
            // What support asks for.
            if let Some(id) = d.log_id {
                write!(f, " [LogID {id}]")?;
            }
        }
        Ok(())
    }
}
