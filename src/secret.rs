//! Secret masking, in one place: every text the client reports that came from the network (a
//! fault string, a status message, a value it could not read, an excerpt of an HTML page) passes
//! through [`mask`] (or a [`Redact`] impl built on it) with the secrets the client holds (the
//! client secret, the password, the access token given or issued), and every request shown
//! without being sent (a dry run) carries [`MASK`] where a secret would go.
//!
//! What is not masked here is kept free of secrets by construction: URLs are reported without
//! user info, query or fragment ([`crate::transport::redact_url`]), and the transport errors kept
//! as an [`Error`](crate::Error)'s `source()` are stripped of their URL and describe only the
//! connection (see [`crate::error`]).

use crate::error::{ApiError, Error, Repr, RetrieveError, RetrieveProblem};
use crate::soap::{Fault, ProtocolError};
use crate::xml::{XmlError, XmlErrorKind};

/// What a secret is replaced with.
pub(crate) const MASK: &str = "***";

/// A secret cut short shows from this many characters on (fewer are too likely a common word).
const MIN_CUT: usize = 8;

/// Replaces every occurrence of each (non-empty) secret in `text` with [`MASK`].
pub(crate) fn mask(text: &mut String, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            *text = text.replace(secret, MASK);
        }
    }
}

/// `text` with every secret masked (see [`mask`]).
pub(crate) fn masked(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_string();
    mask(&mut text, secrets);
    text
}

/// [`mask`] for a text that was cut short before it could be masked (a value quoted in an
/// [`XmlError`], a truncated excerpt): a cut that ends inside a secret leaves its first
/// characters, which are masked too (from [`MIN_CUT`] characters on).
pub(crate) fn mask_cut(text: &mut String, secrets: &[&str]) {
    mask(text, secrets);
    for secret in secrets {
        let longest = secret.len().min(text.len());
        let tail = (MIN_CUT..=longest)
            .rev()
            .filter(|&k| secret.is_char_boundary(k))
            .find(|&k| text.ends_with(&secret[..k]));
        if let Some(k) = tail {
            text.truncate(text.len() - k);
            text.push_str(MASK);
        }
    }
}

/// A value holding text from the network, whose secrets can be masked in place.
pub(crate) trait Redact {
    /// Masks `secrets` (as [`MASK`]) in every text the value holds.
    fn redact(&mut self, secrets: &[&str]);
}

impl Redact for String {
    fn redact(&mut self, secrets: &[&str]) {
        mask(self, secrets);
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redact(&mut self, secrets: &[&str]) {
        if let Some(value) = self {
            value.redact(secrets);
        }
    }
}

impl Redact for Fault {
    fn redact(&mut self, secrets: &[&str]) {
        self.code.redact(secrets);
        self.string.redact(secrets);
        self.actor.redact(secrets);
        if let Some(detail) = &mut self.detail {
            detail.message.redact(secrets);
        }
    }
}

impl Redact for ApiError {
    fn redact(&mut self, secrets: &[&str]) {
        self.operation.redact(secrets);
        self.overall_status.redact(secrets);
        self.message.redact(secrets);
        self.request_id.redact(secrets);
        for r in &mut self.results {
            r.status_code.redact(secrets);
            r.status_message.redact(secrets);
        }
    }
}

impl Redact for RetrieveError {
    fn redact(&mut self, secrets: &[&str]) {
        self.object_type.redact(secrets);
        self.request_id.redact(secrets);
        match &mut self.problem {
            RetrieveProblem::ContinuationRefused(api) => api.redact(secrets),
            RetrieveProblem::UnexpectedType { expected, found } => {
                mask(expected, secrets);
                mask(found, secrets);
            }
            RetrieveProblem::MissingRequestId
            | RetrieveProblem::TooManyPages { .. }
            | RetrieveProblem::EmptyPages { .. }
            | RetrieveProblem::TooManyRows { .. } => {}
        }
    }
}

impl Redact for XmlError {
    fn redact(&mut self, secrets: &[&str]) {
        match self.kind_mut() {
            XmlErrorKind::Syntax(text)
            | XmlErrorKind::Encoding(text)
            | XmlErrorKind::UnknownEntity(text) => mask(text, secrets),
            XmlErrorKind::Value { element, value, .. } => {
                mask(element, secrets);
                mask_cut(value, secrets);
            }
            XmlErrorKind::UnexpectedElement { expected, found } => {
                mask(expected, secrets);
                mask(found, secrets);
            }
            XmlErrorKind::Doctype | XmlErrorKind::TooDeep { .. } | XmlErrorKind::UnexpectedEof => {}
        }
    }
}

impl Redact for ProtocolError {
    fn redact(&mut self, secrets: &[&str]) {
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

/// Every text the error holds. Its `source()`, a transport error, is not masked: it is stripped
/// of its URL when the error is made and holds no request content (see [`crate::error`]).
impl Redact for Error {
    fn redact(&mut self, secrets: &[&str]) {
        if secrets.iter().all(|s| s.is_empty()) {
            return;
        }
        match self.repr_mut() {
            Repr::Connect { url, .. } => mask(url, secrets),
            Repr::Timeout { operation, .. } | Repr::BodyTooLarge { operation, .. } => {
                mask(operation, secrets);
            }
            Repr::Http { url, excerpt, .. } => {
                mask(url, secrets);
                excerpt.redact(secrets);
            }
            Repr::Fault(fault) => fault.redact(secrets),
            Repr::Auth { message, .. } | Repr::Config(message) => mask(message, secrets),
            Repr::Api(api) => api.redact(secrets),
            Repr::Protocol { operation, error } => {
                mask(operation, secrets);
                error.redact(secrets);
            }
            Repr::Retrieve(retrieve) => retrieve.redact(secrets),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_their_cut_starts() {
        let mut t = String::from("token abc-secret-123 and again abc-secret-123");
        mask(&mut t, &["abc-secret-123", ""]);
        assert_eq!(t, "token *** and again ***");
        assert_eq!(masked("x abc-secret-123", &["abc-secret-123"]), "x ***");
        let mut cut = String::from("value: abc-secre");
        mask_cut(&mut cut, &["abc-secret-123"]);
        assert_eq!(cut, "value: ***");
        // Fewer than 8 characters of it: left (too likely an ordinary word).
        let mut short = String::from("value: abc");
        mask_cut(&mut short, &["abc-secret-123"]);
        assert_eq!(short, "value: abc");
    }

    #[test]
    fn errors_are_masked_wherever_they_hold_text() {
        let secret = "abc-secret-123";
        let errors = [
            Error::from(
                Fault::new("soap:Client", "bad token abc-secret-123").with_detail(1, secret),
            ),
            Error::from(ApiError {
                operation: "Perform".into(),
                overall_status: "Error: abc-secret-123".into(),
                message: Some(secret.into()),
                request_id: Some(secret.into()),
                results: vec![crate::ResultStatus {
                    id: Some(1),
                    status_code: "Error".into(),
                    error_code: None,
                    status_message: format!("bad {secret}"),
                }],
            }),
            Error::http_status(
                500,
                "https://x/Service.asmx",
                Some("echo abc-secret-123".into()),
            ),
            Error::auth_failed(format!("invalid_client: {secret}"), Some(401)),
            Error::config(format!("the value {secret}")),
            Error::unreadable(
                "Perform",
                ProtocolError::UnexpectedBody {
                    expected: "PerformResponseMsg".into(),
                    found: secret.into(),
                },
            ),
            Error::unreadable(
                "Perform",
                ProtocolError::Xml(XmlError::new(
                    XmlErrorKind::Value {
                        element: "ID".into(),
                        value: "abc-secret-1".into(),
                        expected: "xs:int",
                    },
                    3,
                )),
            ),
        ];
        for mut e in errors {
            let kind = e.kind();
            e.redact(&[secret]);
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("abc-secret"), "{shown}");
            assert_eq!(e.kind(), kind, "masking keeps the kind");
        }
    }
}
