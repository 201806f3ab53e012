use std::fmt;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use super::{
    Fault, ProtocolError, FUELOAUTH_NS, PASSWORD_TEXT, SOAP11_NS, SOAP12_NS, WSSE_NS, WSU_NS,
};
use crate::secret::MASK;
use crate::xml::{Start, XmlElement, XmlReader, XmlWriter};

/// A WS-Security UsernameToken (legacy authentication), with its password kept secret.
#[derive(Clone)]
pub struct UsernameToken {
    /// `wsse:Username`.
    pub username: String,
    /// `wsse:Password` (`#PasswordText`).
    pub password: SecretString,
    /// `wsse:Nonce`, base64.
    pub nonce: String,
    /// `wsu:Created`, UTC, e.g. `2011-03-24T15:23:47Z`.
    pub created: String,
}

impl UsernameToken {
    /// A token for `username` with a fresh random nonce, created now.
    pub fn new(username: impl Into<String>, password: SecretString) -> Self {
        let nonce: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
        Self {
            username: username.into(),
            password,
            nonce: base64::engine::general_purpose::STANDARD.encode(nonce),
            created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        }
    }
}

impl fmt::Debug for UsernameToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsernameToken")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("nonce", &self.nonce)
            .field("created", &self.created)
            .finish()
    }
}

/// The authentication header a request carries.
#[derive(Debug, Clone, Copy)]
pub enum RequestHeader<'a> {
    /// No header.
    None,
    /// `<fueloauth xmlns="http://exacttarget.com">TOKEN</fueloauth>`.
    FuelOAuth(&'a SecretString),
    /// A WS-Security UsernameToken.
    UsernameToken(&'a UsernameToken),
    /// The header as it would be sent, with every secret replaced by `***` (for dry runs).
    Masked(&'a RequestHeader<'a>),
}

impl RequestHeader<'_> {
    fn write(&self, w: &mut XmlWriter, masked: bool) {
        match self {
            RequestHeader::None => {}
            RequestHeader::Masked(inner) => inner.write(w, true),
            RequestHeader::FuelOAuth(token) => {
                w.raw(&format!("<fueloauth xmlns=\"{FUELOAUTH_NS}\">"));
                w.escaped(if masked { MASK } else { token.expose_secret() });
                w.raw("</fueloauth>");
            }
            RequestHeader::UsernameToken(t) => {
                w.raw(&format!(
                    "<wsse:Security xmlns:wsse=\"{WSSE_NS}\" xmlns:wsu=\"{WSU_NS}\"><wsse:UsernameToken>"
                ));
                w.text_element("wsse:Username", &t.username);
                w.raw(&format!("<wsse:Password Type=\"{PASSWORD_TEXT}\">"));
                w.escaped(if masked {
                    MASK
                } else {
                    t.password.expose_secret()
                });
                w.raw("</wsse:Password>");
                w.text_element("wsse:Nonce", &t.nonce);
                w.text_element("wsu:Created", &t.created);
                w.raw("</wsse:UsernameToken></wsse:Security>");
            }
        }
    }
}

/// Writes a whole SOAP 1.1 request envelope: the header, then `body` as the Body's element.
pub fn write_envelope<T: XmlElement>(header: &RequestHeader<'_>, body: &T) -> String {
    let mut w = XmlWriter::with_capacity(512);
    w.root(body);
    write_envelope_around(header, &w.into_string())
}

/// Writes a whole SOAP 1.1 request envelope: the header, then `body_xml` (one element, already
/// written, e.g. by [`XmlWriter::root`]) as the Body's content. The client writes a request's
/// body once and puts it in a fresh envelope (new token, new nonce) on every attempt.
pub(crate) fn write_envelope_around(header: &RequestHeader<'_>, body_xml: &str) -> String {
    let mut w = XmlWriter::with_capacity(body_xml.len() + 512);
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.raw(&format!(
        "<soap:Envelope xmlns:soap=\"{SOAP11_NS}\"><soap:Header>"
    ));
    header.write(&mut w, false);
    w.raw("</soap:Header><soap:Body>");
    w.raw(body_xml);
    w.raw("</soap:Body></soap:Envelope>");
    w.into_string()
}

/// The authentication found in a request's SOAP Header (what a server reads).
#[derive(Debug, Clone, Default)]
pub struct HeaderInfo {
    /// The `fueloauth` token, if present.
    pub fueloauth: Option<SecretString>,
    /// The WS-Security UsernameToken, if present.
    pub username_token: Option<UsernameToken>,
}

/// A SOAP 1.1 envelope being read: its header, then its Body element on demand.
///
/// Reading accepts any prefixes, a byte order mark, comments, CDATA, and headers it does not
/// know (WS-Addressing, WS-Security timestamps, ...), which it passes over. A `Header` may stand
/// before or after the `Body` (some clients of the service write it last): one before is known
/// from [`parse`](Self::parse) on, one after once the Body is read
/// ([`read_request`](Self::read_request)).
pub struct Envelope<'a> {
    reader: XmlReader<'a>,
    header: HeaderInfo,
    body: Start<'a>,
}

impl fmt::Debug for Envelope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("header", &self.header)
            .field("body", &self.body)
            .field("reader", &self.reader)
            .finish()
    }
}

impl<'a> Envelope<'a> {
    /// Reads up to the first element of the Body.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ProtocolError> {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ProtocolError::Empty);
        }
        let mut r = XmlReader::new(bytes);
        let Some(root) = r.next_child()? else {
            return Err(ProtocolError::NotSoap(String::new()));
        };
        if root.local_name() != b"Envelope" {
            return Err(ProtocolError::NotSoap(
                String::from_utf8_lossy(root.local_name()).into_owned(),
            ));
        }
        match root.namespace() {
            Some(ns) if ns == SOAP11_NS.as_bytes() => {}
            Some(ns) if ns == SOAP12_NS.as_bytes() => return Err(ProtocolError::Soap12),
            _ => {
                return Err(ProtocolError::NotSoap(
                    "Envelope in another namespace".into(),
                ))
            }
        }
        let mut header = HeaderInfo::default();
        if root.is_empty() {
            return Err(ProtocolError::NoBody);
        }
        while let Some(part) = r.next_child()? {
            match part.local_name() {
                b"Header" if !part.is_empty() => read_header(&mut r, &mut header)?,
                b"Body" if !part.is_empty() => {
                    let Some(body) = r.next_child()? else {
                        return Err(ProtocolError::NoBody);
                    };
                    return Ok(Self {
                        reader: r,
                        header,
                        body,
                    });
                }
                b"Body" => return Err(ProtocolError::NoBody),
                _ => r.skip(&part)?,
            }
        }
        Err(ProtocolError::NoBody)
    }

    /// The authentication a Header before the Body carried (see
    /// [`read_request`](Self::read_request) for one after it).
    pub fn header(&self) -> &HeaderInfo {
        &self.header
    }

    /// Takes the header out (e.g. to keep the credentials after reading the body).
    pub fn take_header(&mut self) -> HeaderInfo {
        std::mem::take(&mut self.header)
    }

    /// The local name of the Body's element.
    pub fn body_name(&self) -> &'a [u8] {
        self.body.local_name()
    }

    /// Whether the Body holds a SOAP Fault.
    pub fn is_fault(&self) -> bool {
        self.body.local_name() == b"Fault" && self.body.namespace() == Some(SOAP11_NS.as_bytes())
    }

    /// Reads the Body's Fault.
    pub fn read_fault(mut self) -> Result<Fault, ProtocolError> {
        let fault = Fault::read(&mut self.reader, &self.body)?;
        self.finish()?;
        Ok(fault)
    }

    /// Reads the Body's element as `T`, which must be the element found there.
    pub fn read_body<T: XmlElement>(self) -> Result<T, ProtocolError> {
        self.read_request().map(|(_, value)| value)
    }

    /// Reads the Body's element as `T` (as [`read_body`](Self::read_body)) and the rest of the
    /// envelope, with the authentication of its Header wherever that stands among the
    /// Envelope's children, before or after the Body: what a server reads.
    pub fn read_request<T: XmlElement>(mut self) -> Result<(HeaderInfo, T), ProtocolError> {
        if self.body.local_name() != T::NAME.as_bytes() {
            return Err(ProtocolError::UnexpectedBody {
                expected: T::NAME.to_string(),
                found: String::from_utf8_lossy(self.body.qname()).into_owned(),
            });
        }
        let value = T::read_element(&mut self.reader, &self.body)?;
        self.finish()?;
        Ok((self.header, value))
    }

    /// Reads the rest of the document, so a truncated envelope is an error: the rest of the
    /// Body, the Envelope's children after it (a Header among them is read), the document's end.
    fn finish(&mut self) -> Result<(), ProtocolError> {
        for level in 0..3 {
            while let Some(next) = self.reader.next_child()? {
                if level == 1 && next.local_name() == b"Header" && !next.is_empty() {
                    read_header(&mut self.reader, &mut self.header)?;
                } else {
                    self.reader.skip(&next)?;
                }
            }
        }
        Ok(())
    }
}

fn read_header(r: &mut XmlReader<'_>, header: &mut HeaderInfo) -> Result<(), ProtocolError> {
    while let Some(h) = r.next_child()? {
        match h.local_name() {
            b"fueloauth" => {
                let token = r.text(&h)?.trim().to_string();
                header.fueloauth = Some(SecretString::from(token));
            }
            b"Security" if !h.is_empty() => {
                while let Some(s) = r.next_child()? {
                    if s.local_name() == b"UsernameToken" && !s.is_empty() {
                        header.username_token = Some(read_username_token(r)?);
                    } else {
                        r.skip(&s)?;
                    }
                }
            }
            _ => r.skip(&h)?,
        }
    }
    Ok(())
}

fn read_username_token(r: &mut XmlReader<'_>) -> Result<UsernameToken, ProtocolError> {
    let mut t = UsernameToken {
        username: String::new(),
        password: SecretString::from(String::new()),
        nonce: String::new(),
        created: String::new(),
    };
    while let Some(c) = r.next_child()? {
        let text = r.text(&c)?.trim().to_string();
        match c.local_name() {
            b"Username" => t.username = text,
            b"Password" => t.password = SecretString::from(text),
            b"Nonce" => t.nonce = text,
            b"Created" => t.created = text,
            _ => {}
        }
    }
    Ok(t)
}

/// Writes the request envelope with every secret masked: what `--dry-run` shows.
pub fn write_masked_envelope<T: XmlElement>(header: &RequestHeader<'_>, body: &T) -> String {
    write_envelope(&RequestHeader::Masked(header), body)
}
