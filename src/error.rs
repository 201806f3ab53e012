//! One error type for every call, with kinds a caller can match on.

use std::time::Duration;

use crate::soap::{Fault, FaultKind, ProtocolError};

/// One result of a call that did not come back OK (see [`ApiError`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResultStatus {
    /// The object's ID, when the result names one.
    pub id: Option<i64>,
    /// `StatusCode` (`OK`, `Error`, ...).
    pub status_code: String,
    /// `ErrorCode`, if any.
    pub error_code: Option<i32>,
    /// `StatusMessage`.
    pub status_message: String,
}

/// The service answered, but `OverallStatus` is not OK.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ApiError {
    /// The operation.
    pub operation: String,
    /// `OverallStatus` as received (`Error`, `HasErrors`, `Has Errors`, `Error: ...`).
    pub overall_status: String,
    /// `OverallStatusMessage`, if any.
    pub message: Option<String>,
    /// `RequestID`, if any.
    pub request_id: Option<String>,
    /// Every result, with its status, error code and message.
    pub results: Vec<ResultStatus>,
}

/// Everything that can go wrong in a call.
///
/// Messages say what happened and what to check; they never contain a secret (client secret,
/// access token, password).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection could not be made or broke (DNS, refused, reset, TLS).
    #[error(
        "could not reach {url}: {message} (check the endpoint URL, the network and any proxy)"
    )]
    Connect {
        /// The URL (without credentials).
        url: String,
        /// What failed.
        message: String,
    },
    /// No answer within the configured timeout.
    #[error("{operation} timed out after {timeout:?} (raise the timeout, or check the service's status)")]
    Timeout {
        /// The operation (or `token`).
        operation: String,
        /// The timeout in force.
        timeout: Duration,
    },
    /// An HTTP error status without a SOAP body.
    #[error("HTTP {status} from {url} without a SOAP fault{} ({})", excerpt.as_deref().map(|e| format!(": {e}")).unwrap_or_default(), http_hint(*status))]
    Http {
        /// The status code.
        status: u16,
        /// The URL.
        url: String,
        /// The start of the body, if it was text.
        excerpt: Option<String>,
    },
    /// The service answered with a SOAP fault.
    #[error("{fault} ({})", fault_hint(fault))]
    Fault {
        /// The fault.
        fault: Fault,
    },
    /// The token endpoint refused the credentials, or authentication is impossible.
    #[error("authentication failed: {message} (check the client ID, the client secret and the account ID)")]
    Auth {
        /// What the token endpoint said.
        message: String,
    },
    /// `OverallStatus` was not OK.
    #[error("{} answered {}{}: {}", .0.operation, .0.overall_status, .0.message.as_deref().filter(|m| !m.is_empty()).map(|m| format!(" ({m})")).unwrap_or_default(), describe_results(&.0.results))]
    Api(Box<ApiError>),
    /// The response is not a SOAP 1.1 message the client can read.
    #[error("unreadable response to {operation}: {source} (check that the endpoint is the partnerAPI SOAP endpoint, .../Service.asmx)")]
    Protocol {
        /// The operation.
        operation: String,
        /// What is wrong with it.
        #[source]
        source: ProtocolError,
    },
    /// The response body is larger than the configured cap.
    #[error("the response to {operation} is larger than the {limit}-byte cap (raise max_response_bytes)")]
    BodyTooLarge {
        /// The operation.
        operation: String,
        /// The cap.
        limit: usize,
    },
    /// The client is configured wrongly.
    #[error("configuration: {0}")]
    Config(String),
}

fn fault_hint(fault: &Fault) -> String {
    if fault.is_authentication() {
        return "authentication failed: check the credentials, the account ID and the token".into();
    }
    let log_id = fault
        .detail
        .as_ref()
        .and_then(|d| d.log_id)
        .map(|id| format!(" and quote LogID {id}"))
        .unwrap_or_default();
    match fault.kind() {
        FaultKind::Client => {
            "the service refused the request: check the action, the IDs and the other fields".into()
        }
        FaultKind::Server => {
            format!("the service failed: try again later; if it persists, contact support{log_id}")
        }
        _ => format!("check the endpoint URL and the request{log_id}"),
    }
}

fn http_hint(status: u16) -> &'static str {
    match status {
        300..=399 => "the endpoint redirects: use the URL it points to",
        401 | 403 => "check the credentials and the endpoint URL",
        404 | 405 => "check the endpoint URL: it should end in /Service.asmx",
        408 | 429 => "the service is busy: try again later, or send fewer requests",
        500..=599 => "the service or a gateway failed: try again later, check the service's status",
        _ => "check the endpoint URL and any proxy",
    }
}

fn describe_results(results: &[ResultStatus]) -> String {
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.status_code.eq_ignore_ascii_case("OK"))
        .map(|r| {
            let id = r.id.map(|i| format!("ID {i}: ")).unwrap_or_default();
            let code = r
                .error_code
                .map(|c| format!(" [ErrorCode {c}]"))
                .unwrap_or_default();
            format!("{id}{} {}{code}", r.status_code, r.status_message)
        })
        .collect();
    if failed.is_empty() {
        format!("{} results, none of them failed", results.len())
    } else {
        format!(
            "{} of {} results failed: {}",
            failed.len(),
            results.len(),
            failed.join("; ")
        )
    }
}

/// Replaces every occurrence of each (non-empty) secret in `text` with `***`.
pub(crate) fn mask(text: &mut String, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            *text = text.replace(secret, "***");
        }
    }
}

/// [`mask`] for a text that was cut short before it could be masked (a value quoted in an
/// [`XmlError`](crate::xml::XmlError)): a cut that ends inside a secret leaves its first
/// characters, which are masked too (from 8 characters on).
pub(crate) fn mask_cut(text: &mut String, secrets: &[&str]) {
    mask(text, secrets);
    for secret in secrets {
        let longest = secret.len().min(text.len());
        let tail = (8..=longest)
            .rev()
            .filter(|&k| secret.is_char_boundary(k))
            .find(|&k| text.ends_with(&secret[..k]));
        if let Some(k) = tail {
            text.truncate(text.len() - k);
            text.push_str("***");
        }
    }
}

fn mask_opt(text: &mut Option<String>, secrets: &[&str]) {
    if let Some(t) = text {
        mask(t, secrets);
    }
}

impl ApiError {
    /// Masks `secrets` wherever the service's text is kept.
    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        mask(&mut self.overall_status, secrets);
        mask_opt(&mut self.message, secrets);
        mask_opt(&mut self.request_id, secrets);
        for r in &mut self.results {
            mask(&mut r.status_code, secrets);
            mask(&mut r.status_message, secrets);
        }
    }
}

/// The broad class of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Connection failures.
    Connect,
    /// Timeouts.
    Timeout,
    /// HTTP errors without a SOAP fault.
    Http,
    /// SOAP faults other than authentication failures.
    Fault,
    /// Authentication failures (token endpoint, Security faults, expired tokens).
    Auth,
    /// `OverallStatus` not OK.
    Api,
    /// Unreadable responses (including an oversized body).
    Protocol,
    /// Configuration errors.
    Config,
}

impl Error {
    /// Masks `secrets` (as `***`) in every text the error holds, so that a server repeating a
    /// credential (in a fault string, a status message, a value it could not read) cannot make
    /// it show in a message, a `Debug` print or a log.
    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        if secrets.iter().all(|s| s.is_empty()) {
            return;
        }
        match self {
            Error::Connect { url, message } => {
                mask(url, secrets);
                mask(message, secrets);
            }
            Error::Timeout { operation, .. } | Error::BodyTooLarge { operation, .. } => {
                mask(operation, secrets);
            }
            Error::Http { url, excerpt, .. } => {
                mask(url, secrets);
                mask_opt(excerpt, secrets);
            }
            Error::Fault { fault } => fault.redact(secrets),
            Error::Auth { message } | Error::Config(message) => mask(message, secrets),
            Error::Api(api) => api.redact(secrets),
            Error::Protocol { operation, source } => {
                mask(operation, secrets);
                source.redact(secrets);
            }
        }
    }

    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Connect { .. } => ErrorKind::Connect,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Http { .. } => ErrorKind::Http,
            Error::Fault { fault } if fault.is_authentication() => ErrorKind::Auth,
            Error::Fault { .. } => ErrorKind::Fault,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Api(_) => ErrorKind::Api,
            Error::Protocol { .. } | Error::BodyTooLarge { .. } => ErrorKind::Protocol,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// The SOAP fault, if this is one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Fault { fault } => Some(fault),
            _ => None,
        }
    }

    /// The API error, if `OverallStatus` was not OK.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether a Security fault (or a token failure) caused this.
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// Whether the fault is of the `Server` class.
    pub fn is_server_fault(&self) -> bool {
        self.fault().is_some_and(|f| f.kind() == FaultKind::Server)
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
        let mut cut = String::from("value: abc-secre");
        mask_cut(&mut cut, &["abc-secret-123"]);
        assert_eq!(cut, "value: ***");
        // Fewer than 8 characters of it: left (too likely an ordinary word).
        let mut short = String::from("value: abc");
        mask_cut(&mut short, &["abc-secret-123"]);
        assert_eq!(short, "value: abc");
        let mut e = Error::Fault {
            fault: crate::soap::Fault::new("soap:Client", "bad token abc-secret-123")
                .with_detail(1, "abc-secret-123"),
        };
        e.redact(&["abc-secret-123"]);
        assert!(!format!("{e} {e:?}").contains("abc-secret"), "{e:?}");
    }
}
