//! One error type for every call: an opaque [`Error`] with an [`ErrorKind`] to match on,
//! predicates and accessors for what it carries, a terse message, a [`hint`](Error::hint) with
//! what to check, and the underlying transport error as its [`source`](std::error::Error::source).
//!
//! ```
//! use sfmc_partnerapi::{Error, ErrorKind};
//!
//! let e = Error::config("SFMC_ACCOUNT_ID \"x\" is not a number");
//! assert_eq!(e.kind(), ErrorKind::Config);
//! assert!(e.is_config());
//! assert_eq!(e.to_string(), "configuration: SFMC_ACCOUNT_ID \"x\" is not a number");
//! assert_eq!(e.hint(), None);
//! ```
//!
//! # Secrets
//!
//! Messages, `Debug` output and hints never contain a secret (client secret, access token,
//! password): every text that came from the network is masked by the client before the error is
//! returned (one module does it: `src/secret.rs`), and URLs are shown without user info, query
//! or fragment.
//!
//! The `source()` of a connection failure or a timeout is the [`reqwest::Error`] itself (its
//! causes below it: hyper, rustls, `std::io`). It is kept as it is, not masked, and is safe
//! because:
//!
//! - its URL is removed ([`reqwest::Error::without_url`]) when the error is made: the endpoint a
//!   caller or a token answer names could carry a query, and the error's `url()` would print it;
//! - the secrets travel only in request bodies (the client secret in the token request's JSON,
//!   the token or password in the SOAP header), never in a URL or an HTTP header the client
//!   builds, and the transport's errors describe the connection (DNS, TCP, TLS, HTTP framing),
//!   never a request's content.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
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

/// A paged Retrieve ([`Client::retrieve`](crate::Client::retrieve)) that could not go on, or a row
/// it could not give as the type asked for: where, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RetrieveError {
    /// The `ObjectType` asked for.
    pub object_type: String,
    /// The `RequestID` the page continued from (or, for the first page, the one it answered
    /// with), when there is one.
    pub request_id: Option<String>,
    /// The page, counted from 1 (the first answer).
    pub page: u32,
    /// The rows of the pages before it.
    pub rows_before: u64,
    /// What went wrong.
    pub problem: RetrieveProblem,
}

/// What went wrong in a paged Retrieve (see [`RetrieveError`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum RetrieveProblem {
    /// The service answered `MoreDataAvailable` without a `RequestID` to continue from.
    MissingRequestId,
    /// The service still had more after this many pages (the query's `max_pages`).
    TooManyPages {
        /// The limit in force.
        limit: u32,
    },
    /// This many `MoreDataAvailable` pages in a row held no row: a service that pages forever.
    EmptyPages {
        /// How many in a row.
        count: u32,
    },
    /// The service refused the `ContinueRequest` (its `OverallStatus` was not OK): the
    /// `RequestID` expired or is unknown to it. Nothing is restarted: start the Retrieve again.
    ContinuationRefused(ApiError),
    /// A row of another type than the one asked for: an error for that row only (the stream goes
    /// on with the next).
    UnexpectedType {
        /// The type asked for.
        expected: String,
        /// The `xsi:type` of the row.
        found: String,
    },
    /// More rows than the caller's cap (of `RetrieveStream::all`).
    TooManyRows {
        /// The cap.
        limit: usize,
    },
}

impl fmt::Display for RetrieveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stopped = !matches!(self.problem, RetrieveProblem::UnexpectedType { .. });
        write!(
            f,
            "Retrieve of {}{} page {} (",
            self.object_type,
            if stopped { " stopped at" } else { "," },
            self.page
        )?;
        if let Some(id) = &self.request_id {
            write!(f, "RequestID {id}, ")?;
        }
        write!(f, "{} rows before it): ", self.rows_before)?;
        match &self.problem {
            RetrieveProblem::MissingRequestId => f.write_str(
                "the service answered MoreDataAvailable without a RequestID to continue from",
            ),
            RetrieveProblem::TooManyPages { limit } => {
                write!(
                    f,
                    "the service still had more after {limit} pages (max_pages)"
                )
            }
            RetrieveProblem::EmptyPages { count } => write!(
                f,
                "{count} MoreDataAvailable pages in a row without a row (the service pages forever)"
            ),
            RetrieveProblem::ContinuationRefused(api) => {
                write!(
                    f,
                    "the service refused the continuation (expired or unknown RequestID): it answered {}",
                    api.overall_status
                )?;
                match api.message.as_deref().filter(|m| !m.is_empty()) {
                    Some(m) => write!(f, " ({m})"),
                    None => Ok(()),
                }
            }
            RetrieveProblem::UnexpectedType { expected, found } => {
                write!(f, "a row of type {found} where {expected} was asked for")
            }
            RetrieveProblem::TooManyRows { limit } => {
                write!(f, "more than {limit} rows (the cap given to all())")
            }
        }
    }
}

/// The broad class of an [`Error`], from [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The connection could not be made, or broke (DNS, refused, reset, TLS).
    Connect,
    /// No answer within the configured timeout.
    Timeout,
    /// An HTTP error status without a SOAP fault.
    Http,
    /// A SOAP fault other than an authentication failure.
    Fault,
    /// Authentication failed: the token endpoint refused, or a Security / `Token Expired` fault.
    Auth,
    /// `OverallStatus` not OK.
    Api,
    /// An unreadable response (including one larger than the body cap).
    Protocol,
    /// The client is configured wrongly.
    Config,
}

/// A transport error kept as the source of an [`Error`] (shared, so the error stays `Clone`).
type Source = Arc<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong in a call.
///
/// Opaque: [`kind`](Self::kind) classifies it, the `is_*` predicates test it, and accessors give
/// what it carries ([`fault`](Self::fault), [`api_error`](Self::api_error),
/// [`status`](Self::status), ...). The message says what happened; [`hint`](Self::hint) says
/// what to check; [`report`](Self::report) adds the chain of causes. See the
/// [module](self) docs for why no secret can show in any of them.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    repr: Repr,
    source: Option<Source>,
}

/// What an [`Error`] holds: its kind is derived from this, and from nothing else.
#[derive(Debug, Clone)]
pub(crate) enum Repr {
    Connect {
        /// The URL (without user info, query or fragment).
        url: String,
        /// What failed, in a few words (the details are in the source).
        reason: String,
    },
    Timeout {
        /// The operation (or `token request`).
        operation: String,
        timeout: Duration,
    },
    Http {
        status: u16,
        url: String,
        /// The start of the body, if it was text.
        excerpt: Option<String>,
    },
    Fault(Fault),
    Auth {
        message: String,
        /// The token endpoint's HTTP status, when it answered with an error status.
        status: Option<u16>,
    },
    Api(ApiError),
    Protocol {
        operation: String,
        error: ProtocolError,
    },
    BodyTooLarge {
        operation: String,
        limit: usize,
    },
    Config(String),
    Retrieve(RetrieveError),
}

impl Error {
    fn new(repr: Repr) -> Self {
        Self {
            inner: Box::new(Inner { repr, source: None }),
        }
    }

    /// A configuration error: a setting that is wrong or missing, found before anything is sent.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(Repr::Config(message.into()))
    }

    /// A connection to `url` (already stripped of user info and query) that could not be made or
    /// broke; `reason` in a few words.
    pub(crate) fn connect_failed(url: String, reason: impl Into<String>) -> Self {
        Self::new(Repr::Connect {
            url,
            reason: reason.into(),
        })
    }

    /// No answer to `operation` within `timeout`.
    pub(crate) fn timed_out(operation: impl Into<String>, timeout: Duration) -> Self {
        Self::new(Repr::Timeout {
            operation: operation.into(),
            timeout,
        })
    }

    /// HTTP `status` from `url`, without a SOAP fault.
    pub(crate) fn http_status(
        status: u16,
        url: impl Into<String>,
        excerpt: Option<String>,
    ) -> Self {
        Self::new(Repr::Http {
            status,
            url: url.into(),
            excerpt,
        })
    }

    /// The token endpoint refused, or authentication is impossible.
    pub(crate) fn auth_failed(message: impl Into<String>, status: Option<u16>) -> Self {
        Self::new(Repr::Auth {
            message: message.into(),
            status,
        })
    }

    /// An answer to `operation` the client cannot read.
    pub(crate) fn unreadable(operation: impl Into<String>, error: ProtocolError) -> Self {
        Self::new(Repr::Protocol {
            operation: operation.into(),
            error,
        })
    }

    /// An answer to `operation` larger than `limit` bytes.
    pub(crate) fn body_too_large(operation: impl Into<String>, limit: usize) -> Self {
        Self::new(Repr::BodyTooLarge {
            operation: operation.into(),
            limit,
        })
    }

    /// With `source` as the underlying cause. A [`reqwest::Error`] is given through
    /// [`with_reqwest`](Self::with_reqwest), which removes its URL.
    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// With the transport error `e` (its URL removed: see the [module](self) docs) as the source.
    pub(crate) fn with_reqwest(self, e: reqwest::Error) -> Self {
        self.with_source(e.without_url())
    }

    pub(crate) fn repr_mut(&mut self) -> &mut Repr {
        &mut self.inner.repr
    }

    /// The class of this error; always the one its value implies (a Security fault is
    /// [`ErrorKind::Auth`], an oversized body [`ErrorKind::Protocol`]).
    pub fn kind(&self) -> ErrorKind {
        match &self.inner.repr {
            Repr::Connect { .. } => ErrorKind::Connect,
            Repr::Timeout { .. } => ErrorKind::Timeout,
            Repr::Http { .. } => ErrorKind::Http,
            Repr::Fault(fault) if fault.is_authentication() => ErrorKind::Auth,
            Repr::Fault(_) => ErrorKind::Fault,
            Repr::Auth { .. } => ErrorKind::Auth,
            Repr::Api(_) => ErrorKind::Api,
            Repr::Protocol { .. } | Repr::BodyTooLarge { .. } => ErrorKind::Protocol,
            Repr::Config(_) => ErrorKind::Config,
            Repr::Retrieve(r) => match r.problem {
                RetrieveProblem::ContinuationRefused(_) => ErrorKind::Api,
                RetrieveProblem::TooManyRows { .. } => ErrorKind::Config,
                _ => ErrorKind::Protocol,
            },
        }
    }

    /// A connection failure ([`ErrorKind::Connect`]).
    pub fn is_connect(&self) -> bool {
        self.kind() == ErrorKind::Connect
    }

    /// A timeout ([`ErrorKind::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// An HTTP error status without a SOAP fault ([`ErrorKind::Http`]).
    pub fn is_http(&self) -> bool {
        self.kind() == ErrorKind::Http
    }

    /// A SOAP fault that is not an authentication failure ([`ErrorKind::Fault`]); any fault,
    /// authentication included, is given by [`fault`](Self::fault).
    pub fn is_fault(&self) -> bool {
        self.kind() == ErrorKind::Fault
    }

    /// An authentication failure: the token endpoint refused, or a Security or `Token Expired`
    /// fault ([`ErrorKind::Auth`]).
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// `OverallStatus` not OK ([`ErrorKind::Api`]).
    pub fn is_api(&self) -> bool {
        self.kind() == ErrorKind::Api
    }

    /// An unreadable or oversized response ([`ErrorKind::Protocol`]).
    pub fn is_protocol(&self) -> bool {
        self.kind() == ErrorKind::Protocol
    }

    /// A configuration error ([`ErrorKind::Config`]).
    pub fn is_config(&self) -> bool {
        self.kind() == ErrorKind::Config
    }

    /// Whether this is a fault of the `Server` class.
    pub fn is_server_fault(&self) -> bool {
        self.fault().is_some_and(|f| f.kind() == FaultKind::Server)
    }

    /// Whether the response was larger than the configured cap (then [`body_limit`] gives it).
    ///
    /// [`body_limit`]: Self::body_limit
    pub fn is_body_too_large(&self) -> bool {
        matches!(self.inner.repr, Repr::BodyTooLarge { .. })
    }

    /// The SOAP fault, if the service answered with one (of kind [`ErrorKind::Fault`] or, for a
    /// Security or `Token Expired` fault, [`ErrorKind::Auth`]).
    pub fn fault(&self) -> Option<&Fault> {
        match &self.inner.repr {
            Repr::Fault(fault) => Some(fault),
            _ => None,
        }
    }

    /// The API error, if `OverallStatus` was not OK: the status, its message and every result
    /// (for a refused continuation of a paged Retrieve, the answer that refused it).
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.inner.repr {
            Repr::Api(e) => Some(e),
            Repr::Retrieve(RetrieveError {
                problem: RetrieveProblem::ContinuationRefused(e),
                ..
            }) => Some(e),
            _ => None,
        }
    }

    /// Where and why a paged Retrieve stopped (or a row of it could not be read as the type
    /// asked for): the `RequestID`, the page, the rows before it and the problem.
    pub fn retrieve_error(&self) -> Option<&RetrieveError> {
        match &self.inner.repr {
            Repr::Retrieve(e) => Some(e),
            _ => None,
        }
    }

    /// What is wrong with an unreadable response.
    pub fn protocol_error(&self) -> Option<&ProtocolError> {
        match &self.inner.repr {
            Repr::Protocol { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of the answer: of an HTTP error, or of the token endpoint's refusal.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.repr {
            Repr::Http { status, .. } => Some(*status),
            Repr::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// The start of the body of an HTTP error, when it was text (tags removed, secrets masked).
    pub fn excerpt(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Http { excerpt, .. } => excerpt.as_deref(),
            _ => None,
        }
    }

    /// The URL of a connection failure or an HTTP error, without user info, query or fragment.
    pub fn url(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Connect { url, .. } | Repr::Http { url, .. } => Some(url),
            _ => None,
        }
    }

    /// The operation (or `token request`) that timed out, or whose response was unreadable or
    /// too large; for an API error, the operation that answered.
    pub fn operation(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Timeout { operation, .. }
            | Repr::Protocol { operation, .. }
            | Repr::BodyTooLarge { operation, .. } => Some(operation),
            Repr::Api(e) => Some(&e.operation),
            Repr::Retrieve(_) => Some("Retrieve"),
            _ => None,
        }
    }

    /// The timeout in force, for a timeout.
    pub fn timeout(&self) -> Option<Duration> {
        match &self.inner.repr {
            Repr::Timeout { timeout, .. } => Some(*timeout),
            _ => None,
        }
    }

    /// The cap on a response body, for a response that was larger.
    pub fn body_limit(&self) -> Option<usize> {
        match &self.inner.repr {
            Repr::BodyTooLarge { limit, .. } => Some(*limit),
            _ => None,
        }
    }

    /// What to check or do about this error, for a person (the `sfmc` command line prints it on
    /// its own line); `None` when the message says it all.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match &self.inner.repr {
            Repr::Connect { .. } => "check the endpoint URL, the network and any proxy",
            Repr::Timeout { .. } => "raise the timeout, or check the service's status",
            Repr::Http { status, .. } => http_hint(*status),
            Repr::Fault(fault) => fault_hint(fault),
            Repr::Auth { .. } => "check the client ID, the client secret and the account ID",
            Repr::Protocol { .. } => {
                "check that the endpoint is the partnerAPI SOAP endpoint, .../Service.asmx"
            }
            Repr::BodyTooLarge { .. } => "raise max_response_bytes",
            Repr::Retrieve(r) => retrieve_hint(&r.problem),
            Repr::Api(_) | Repr::Config(_) => return None,
        })
    }

    /// The message followed by every cause below it (`: `-separated, repeats left out): the
    /// whole story on one line, for a log or a person.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

fn fault_hint(fault: &Fault) -> &'static str {
    if fault.is_authentication() {
        return "check the credentials, the account ID and the token";
    }
    match fault.kind() {
        FaultKind::Client => {
            "the service refused the request: check the action, the IDs and the other fields"
        }
        FaultKind::Server => {
            "the service failed: try again later; if it persists, contact support with the LogID"
        }
        _ => "check the endpoint URL and the request",
    }
}

fn retrieve_hint(problem: &RetrieveProblem) -> &'static str {
    match problem {
        RetrieveProblem::ContinuationRefused(_) => {
            "a RequestID expires: read the pages sooner, or start the Retrieve again"
        }
        RetrieveProblem::TooManyPages { .. } => "narrow the filter, or raise max_pages",
        RetrieveProblem::TooManyRows { .. } => {
            "narrow the filter, raise the cap, or read the rows as a stream"
        }
        RetrieveProblem::UnexpectedType { .. } => {
            "retrieve as AnyApiObject to take every type the service answers with"
        }
        RetrieveProblem::MissingRequestId | RetrieveProblem::EmptyPages { .. } => {
            "check that the endpoint is the partnerAPI SOAP endpoint, .../Service.asmx"
        }
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

fn describe_results(f: &mut fmt::Formatter<'_>, results: &[ResultStatus]) -> fmt::Result {
    let failed: Vec<&ResultStatus> = results
        .iter()
        .filter(|r| !r.status_code.eq_ignore_ascii_case("OK"))
        .collect();
    if failed.is_empty() {
        return write!(f, "{} results, none of them failed", results.len());
    }
    write!(f, "{} of {} results failed: ", failed.len(), results.len())?;
    for (i, r) in failed.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        if let Some(id) = r.id {
            write!(f, "ID {id}: ")?;
        }
        write!(f, "{} {}", r.status_code, r.status_message)?;
        if let Some(code) = r.error_code {
            write!(f, " [ErrorCode {code}]")?;
        }
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.repr {
            Repr::Connect { url, reason } => write!(f, "could not reach {url}: {reason}"),
            Repr::Timeout { operation, timeout } => {
                write!(f, "{operation} timed out after {timeout:?}")
            }
            Repr::Http {
                status,
                url,
                excerpt,
            } => {
                write!(f, "HTTP {status} from {url} without a SOAP fault")?;
                match excerpt {
                    Some(e) => write!(f, ": {e}"),
                    None => Ok(()),
                }
            }
            Repr::Fault(fault) => fault.fmt(f),
            Repr::Auth { message, .. } => write!(f, "authentication failed: {message}"),
            Repr::Api(e) => {
                write!(f, "{} answered {}", e.operation, e.overall_status)?;
                if let Some(m) = e.message.as_deref().filter(|m| !m.is_empty()) {
                    write!(f, " ({m})")?;
                }
                f.write_str(": ")?;
                describe_results(f, &e.results)
            }
            Repr::Protocol { operation, error } => {
                write!(f, "unreadable response to {operation}: {error}")
            }
            Repr::BodyTooLarge { operation, limit } => write!(
                f,
                "the response to {operation} is larger than the {limit}-byte cap"
            ),
            Repr::Config(message) => write!(f, "configuration: {message}"),
            Repr::Retrieve(r) => r.fmt(f),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind())
            .field("repr", &self.inner.repr);
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

/// The transport error (a [`reqwest::Error`], without its URL) under a connection failure or a
/// timeout; `None` otherwise (a fault, an API error or an unreadable answer is described whole by
/// the message and its accessors).
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<Fault> for Error {
    fn from(fault: Fault) -> Self {
        Self::new(Repr::Fault(fault))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Self::new(Repr::Api(e))
    }
}

impl From<RetrieveError> for Error {
    fn from(e: RetrieveError) -> Self {
        Self::new(Repr::Retrieve(e))
    }
}

/// An [`Error`] with its causes, from [`Error::report`].
#[derive(Debug, Clone, Copy)]
pub struct Report<'a>(&'a Error);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        let mut source = self.0.source();
        while let Some(s) = source {
            let text = s.to_string();
            // hyper's wrapper ("client error (Connect)") says nothing its causes do not.
            let wrapper = text.starts_with("client error (");
            if !wrapper && !text.is_empty() && !shown.contains(&text) {
                shown.push_str(": ");
                shown.push_str(&text);
            }
            source = s.source();
        }
        f.write_str(&shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every constructor, with the kind its value must have.
    fn every_error() -> Vec<(Error, ErrorKind)> {
        vec![
            (
                Error::connect_failed("http://127.0.0.1:9/".into(), "connection failed"),
                ErrorKind::Connect,
            ),
            (
                Error::timed_out("Perform", Duration::from_secs(2)),
                ErrorKind::Timeout,
            ),
            (
                Error::http_status(503, "https://x/Service.asmx", None),
                ErrorKind::Http,
            ),
            (
                Error::from(Fault::new("soap:Client", "Invalid Action")),
                ErrorKind::Fault,
            ),
            (
                Error::from(Fault::new("soap:Server", "boom").with_detail(2, "x")),
                ErrorKind::Fault,
            ),
            (
                Error::from(Fault::new("q0:Security", "Login Failed")),
                ErrorKind::Auth,
            ),
            (
                Error::from(Fault::new("soap:Client", "Token Expired")),
                ErrorKind::Auth,
            ),
            (
                Error::auth_failed("invalid_client", Some(401)),
                ErrorKind::Auth,
            ),
            (Error::from(ApiError::default()), ErrorKind::Api),
            (
                Error::unreadable("Perform", ProtocolError::Empty),
                ErrorKind::Protocol,
            ),
            (Error::body_too_large("Perform", 10), ErrorKind::Protocol),
            (Error::config("no endpoint"), ErrorKind::Config),
            (
                Error::from(retrieve(RetrieveProblem::ContinuationRefused(ApiError {
                    operation: "Retrieve".into(),
                    overall_status: "Error".into(),
                    ..Default::default()
                }))),
                ErrorKind::Api,
            ),
            (
                Error::from(retrieve(RetrieveProblem::MissingRequestId)),
                ErrorKind::Protocol,
            ),
            (
                Error::from(retrieve(RetrieveProblem::TooManyPages { limit: 3 })),
                ErrorKind::Protocol,
            ),
            (
                Error::from(retrieve(RetrieveProblem::EmptyPages { count: 3 })),
                ErrorKind::Protocol,
            ),
            (
                Error::from(retrieve(RetrieveProblem::UnexpectedType {
                    expected: "Send".into(),
                    found: "List".into(),
                })),
                ErrorKind::Protocol,
            ),
            (
                Error::from(retrieve(RetrieveProblem::TooManyRows { limit: 10 })),
                ErrorKind::Config,
            ),
        ]
    }

    fn retrieve(problem: RetrieveProblem) -> RetrieveError {
        RetrieveError {
            object_type: "Send".into(),
            request_id: Some("req-1".into()),
            page: 2,
            rows_before: 2500,
            problem,
        }
    }

    #[test]
    fn kind_agrees_with_the_value_and_the_predicates() {
        for (e, kind) in every_error() {
            assert_eq!(e.kind(), kind, "{e:?}");
            let predicates = [
                (ErrorKind::Connect, e.is_connect()),
                (ErrorKind::Timeout, e.is_timeout()),
                (ErrorKind::Http, e.is_http()),
                (ErrorKind::Fault, e.is_fault()),
                (ErrorKind::Auth, e.is_auth()),
                (ErrorKind::Api, e.is_api()),
                (ErrorKind::Protocol, e.is_protocol()),
                (ErrorKind::Config, e.is_config()),
            ];
            for (k, holds) in predicates {
                assert_eq!(holds, k == kind, "{k:?} predicate of {e:?}");
            }
            assert!(format!("{e:?}").contains(&format!("{kind:?}")), "{e:?}");
            // Accessors agree with the kind.
            assert_eq!(e.api_error().is_some(), kind == ErrorKind::Api, "{e:?}");
            if e.fault().is_some() {
                assert!(matches!(kind, ErrorKind::Fault | ErrorKind::Auth), "{e:?}");
            }
            if kind == ErrorKind::Fault {
                assert!(e.fault().is_some(), "{e:?}");
            }
            assert_eq!(e.timeout().is_some(), kind == ErrorKind::Timeout, "{e:?}");
            // No source without a transport error.
            assert!(e.source().is_none(), "{e:?}");
        }
    }

    #[test]
    fn hints_are_apart_from_the_message() {
        let advice = [
            "check the",
            "raise",
            "try again",
            "contact support",
            "use the URL",
        ];
        for (e, kind) in every_error() {
            let text = e.to_string();
            for a in advice {
                assert!(!text.contains(a), "advice {a:?} in the message {text:?}");
            }
            // A paged Retrieve says what to do about where it stopped, whatever its kind.
            let expected =
                e.retrieve_error().is_some() || !matches!(kind, ErrorKind::Api | ErrorKind::Config);
            assert_eq!(e.hint().is_some(), expected, "{e:?}");
        }
        let e = Error::timed_out("Perform", Duration::from_millis(500));
        assert_eq!(e.to_string(), "Perform timed out after 500ms");
        assert_eq!(
            e.hint(),
            Some("raise the timeout, or check the service's status")
        );
        let e = Error::connect_failed("http://127.0.0.1:9/".into(), "connection failed");
        assert_eq!(
            e.hint(),
            Some("check the endpoint URL, the network and any proxy")
        );
        let e = Error::from(Fault::new("q0:Security", "Login Failed"));
        assert_eq!(
            e.hint(),
            Some("check the credentials, the account ID and the token")
        );
        let e = Error::http_status(302, "https://x/", None);
        assert_eq!(
            e.hint(),
            Some("the endpoint redirects: use the URL it points to")
        );
        assert_eq!(e.status(), Some(302));
    }

    #[test]
    fn the_report_adds_the_causes_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused here");
        let e = Error::connect_failed("http://127.0.0.1:9/".into(), "connection failed")
            .with_source(io);
        assert_eq!(
            e.to_string(),
            "could not reach http://127.0.0.1:9/: connection failed"
        );
        assert_eq!(
            e.report().to_string(),
            "could not reach http://127.0.0.1:9/: connection failed: refused here"
        );
        let io = e
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::ConnectionRefused));
        // Clones share the source.
        let copy = e.clone();
        assert!(copy.source().is_some());
    }
}
