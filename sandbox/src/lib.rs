//! A local partnerAPI sandbox: the OAuth token endpoint and `Service.asmx` on loopback, with
//! sends that can be canceled, paused and resumed, per-account tenancy, CorrelationID replay,
//! fault injection and optional persistence. Requests are read and responses written with this
//! crate's own generated types.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sfmc_partnerapi_sandbox::SandboxError> {
//! use sfmc_partnerapi_sandbox::{Sandbox, SendStatus};
//!
//! let sandbox = Sandbox::builder()
//!     .client("id", "secret", 12345)
//!     .send(29605, SendStatus::Scheduled, 12345)
//!     .start("127.0.0.1:0")
//!     .await?;
//! println!("token URL {}, SOAP endpoint {}", sandbox.token_url(), sandbox.soap_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Endpoints
//!
//! - `POST /v2/token`: OAuth2 client credentials as JSON (`grant_type`, `client_id`,
//!   `client_secret`, optional `account_id`, `scope`) or form-encoded. Answers `access_token`,
//!   `token_type` (`Bearer`), `expires_in`, `scope`, `soap_instance_url` (`http://ADDR/`) and
//!   `rest_instance_url`. Bad credentials: `401 {"error":"invalid_client",...}`; an
//!   `account_id` the client does not belong to: `401 {"error":"invalid_grant",...}`; a body
//!   that cannot be read: `400 {"error":"invalid_request",...}`; another grant type:
//!   `400 {"error":"unsupported_grant_type",...}`.
//! - `POST /Service.asmx`: SOAP 1.1, operations `Perform` (actions `cancel`, `pause`, `resume`
//!   on `Send` objects) and `Retrieve` (ObjectType `Send`, optional `SimpleFilterPart` with
//!   operator `equals` on `ID` or `Status`). Paths are matched case-insensitively.
//!
//! # Faults (always HTTP 500, written by [`Fault::to_envelope`](sfmc_partnerapi::soap::Fault::to_envelope))
//!
//! | faultcode | faultstring | when |
//! |---|---|---|
//! | `q0:Security` | `Login Failed` | no credentials, unknown token, unknown user or wrong password |
//! | `soap:Client` | `Token Expired` | a token past its lifetime (or injected) |
//! | `soap:Client` | `Server did not recognize the value of HTTP Header SOAPAction: X.` | a SOAPAction that names no operation |
//! | `soap:Client` | `The SOAPAction HTTP header is missing ...` | no (or an empty) SOAPAction |
//! | `soap:Client` | `Operation X is not supported by the sandbox ...` | an operation of the WSDL other than Perform and Retrieve |
//! | `soap:Client` | `Server was unable to read request: ...` | malformed XML, too deep, not SOAP, wrong Body element, bad values |
//! | `soap:Client` | `The request body is larger than N bytes ...` | a body over the cap ([`SandboxBuilder::max_body_bytes`], 4 MiB by default) |
//! | `soap:VersionMismatch` | `SOAP 1.2 ...` | a SOAP 1.2 envelope |
//! | `soap:Server` | `Rate limit exceeded` (apifault Code 17) | injected ([`FaultInjection::rate_limited`]) |
//!
//! # Per-object results of Perform (never a fault)
//!
//! Each `Definition` gets one `Result` with `StatusCode` `OK` or `Error`; `OverallStatus` is `OK`
//! when all succeeded, `Has Errors` when some did, `Error` when none did. Error codes are in
//! [`codes`].
//!
//! # Tenancy
//!
//! Every client and user belongs to one account (MID), and so does every send. A caller never
//! sees or changes another account's sends: their IDs answer exactly like unknown IDs.
//!
//! # CorrelationID replay
//!
//! A `Definition` carrying a `CorrelationID` that was already seen for the same account, action
//! and send ID gets the first outcome again (and nothing changes), so a retry after a lost
//! response reports the cancel that happened rather than "already canceled".

mod faults;
mod net;
mod service;
mod state;
mod token;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

pub use faults::{FaultInjection, InjectedFault};
pub use state::{SandboxStats, SendRecord, SendStatus};

use faults::Injector;
use state::{Shared, Store};

/// The per-object error codes (`ErrorCode`) of Perform results. They are this sandbox's own
/// choice (the vendor documents few codes); messages name the send ID.
pub mod codes {
    /// No send with that ID in the caller's account (also: another account's send).
    pub const SEND_NOT_FOUND: i32 = 310007;
    /// The send is already canceled.
    pub const ALREADY_CANCELED: i32 = 310008;
    /// The send was already sent; nothing can be changed any more.
    pub const ALREADY_SENT: i32 = 310009;
    /// The send is not in a state that allows the action (pause a paused send, resume a
    /// scheduled one).
    pub const INVALID_STATE: i32 = 310010;
    /// The action is not one of `cancel`, `pause`, `resume` (or is missing).
    pub const UNSUPPORTED_ACTION: i32 = 310011;
    /// The `Send` has no `ID`.
    pub const MISSING_ID: i32 = 310012;
    /// The definition is not a `Send`.
    pub const UNSUPPORTED_OBJECT: i32 = 310013;
    /// apifault `Code` of an (injected) rate-limit Server fault.
    pub const RATE_LIMITED: i32 = 17;
}

/// The account (MID) of the demo client, the demo user and the demo sends.
pub const DEMO_MID: i64 = 12345;
/// The demo client's ID.
pub const DEMO_CLIENT_ID: &str = "demo-client-id";
/// The demo client's secret (public on purpose: it is the sandbox's demo).
pub const DEMO_CLIENT_SECRET: &str = "demo-client-secret";
/// The demo UsernameToken user and password: the `XXX`/`XXX` of the vendor's sample envelope.
pub const DEMO_USER: (&str, &str) = ("XXX", "XXX");
/// A second account with its own client and send, to show tenancy.
pub const OTHER_MID: i64 = 67890;
/// The second account's client ID.
pub const OTHER_CLIENT_ID: &str = "other-client-id";
/// The second account's client secret.
pub const OTHER_CLIENT_SECRET: &str = "other-client-secret";
/// The demo sends: (ID, status, MID). 29605 is the vendor sample's send.
pub const DEMO_SENDS: &[(i64, SendStatus, i64)] = &[
    (29605, SendStatus::Scheduled, DEMO_MID),
    (29606, SendStatus::Scheduled, DEMO_MID),
    (29607, SendStatus::Scheduled, DEMO_MID),
    (29608, SendStatus::Paused, DEMO_MID),
    (29609, SendStatus::Sent, DEMO_MID),
    (29610, SendStatus::Canceled, DEMO_MID),
    (39001, SendStatus::Scheduled, OTHER_MID),
];

/// The default token lifetime (like the service's: about 18 minutes).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(1080);
/// The longest token lifetime the sandbox accepts (a longer one would overflow its clock).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(3650 * 86_400);
/// The default cap on a request body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listen address could not be resolved or bound.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// What failed.
        message: String,
    },
    /// The listen address is not a loopback address.
    #[error("refusing to listen on {0}: the sandbox only listens on loopback addresses (127.0.0.0/8, ::1)")]
    NotLoopback(SocketAddr),
    /// The state file could not be read, parsed or written.
    #[error("state file {path}: {message}")]
    State {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The configuration is inconsistent (bad rate, ID out of range, ...).
    #[error("sandbox configuration: {0}")]
    Config(String),
}

/// Entry point: `Sandbox::builder()`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with no clients, users or sends.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) name: String,
    pub(crate) secret: SecretString,
    pub(crate) mid: i64,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("name", &self.name)
            .field("secret", &"[REDACTED]")
            .field("mid", &self.mid)
            .finish()
    }
}

/// Configures and starts a sandbox.
#[derive(Debug)]
pub struct SandboxBuilder {
    clients: Vec<Credential>,
    users: Vec<Credential>,
    sends: Vec<(i64, SendStatus, i64)>,
    token_lifetime: Duration,
    faults: FaultInjection,
    state_file: Option<PathBuf>,
    max_body_bytes: usize,
    log_requests: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            clients: Vec::new(),
            users: Vec::new(),
            sends: Vec::new(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            faults: FaultInjection::default(),
            state_file: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            log_requests: false,
        }
    }
}

impl SandboxBuilder {
    /// An OAuth client (client credentials) of account `mid`.
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<String>, mid: i64) -> Self {
        self.clients.push(Credential {
            name: id.into(),
            secret: SecretString::from(secret.into()),
            mid,
        });
        self
    }

    /// A WS-Security UsernameToken user of account `mid`.
    pub fn user(mut self, name: impl Into<String>, password: impl Into<String>, mid: i64) -> Self {
        self.users.push(Credential {
            name: name.into(),
            secret: SecretString::from(password.into()),
            mid,
        });
        self
    }

    /// A send of account `mid` (an ID given twice keeps the last). With a state file that
    /// already holds this ID, the file wins.
    pub fn send(mut self, id: i64, status: SendStatus, mid: i64) -> Self {
        self.sends.retain(|(i, _, _)| *i != id);
        self.sends.push((id, status, mid));
        self
    }

    /// The sends `ids` (inclusive), all with `status` and of account `mid` (IDs given before
    /// are replaced, as with [`send`](Self::send)). For load tests: a cancel can happen once per
    /// send.
    pub fn send_range(
        mut self,
        ids: std::ops::RangeInclusive<i64>,
        status: SendStatus,
        mid: i64,
    ) -> Self {
        self.sends.retain(|(i, _, _)| !ids.contains(i));
        self.sends.extend(ids.map(|id| (id, status, mid)));
        self
    }

    /// How long an access token is valid (default [`DEFAULT_TOKEN_LIFETIME`], at most
    /// [`MAX_TOKEN_LIFETIME`]). `expires_in` reports it in whole seconds, at least 1.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Fault injection for tests and benchmarks.
    pub fn faults(mut self, faults: FaultInjection) -> Self {
        self.faults = faults;
        self
    }

    /// Keeps the sends (and the CorrelationID memory) in `path`, as JSON, across restarts;
    /// written atomically (a temporary file in the same folder, then a rename) after each
    /// request that changed something. Credentials and tokens are never written.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Cap on a request body (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Prints one line per request on stderr (method, path, operation, outcome; never a
    /// credential).
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Adds the demo: client [`DEMO_CLIENT_ID`] / [`DEMO_CLIENT_SECRET`] and user
    /// [`DEMO_USER`] of account [`DEMO_MID`], client [`OTHER_CLIENT_ID`] of [`OTHER_MID`],
    /// and the [`DEMO_SENDS`] (29605 among them).
    pub fn demo(mut self) -> Self {
        self = self
            .client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_MID)
            .user(DEMO_USER.0, DEMO_USER.1, DEMO_MID)
            .client(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, OTHER_MID);
        for &(id, status, mid) in DEMO_SENDS {
            self = self.send(id, status, mid);
        }
        self
    }

    fn validate(&self) -> Result<(), SandboxError> {
        let id_range = 1..=i64::from(i32::MAX);
        for (id, _, mid) in &self.sends {
            if !id_range.contains(id) {
                return Err(SandboxError::Config(format!(
                    "send ID {id} is out of range (1..={})",
                    i32::MAX
                )));
            }
            if !id_range.contains(mid) {
                return Err(SandboxError::Config(format!(
                    "MID {mid} of send {id} is out of range (1..={})",
                    i32::MAX
                )));
            }
        }
        for c in self.clients.iter().chain(&self.users) {
            if !id_range.contains(&c.mid) {
                return Err(SandboxError::Config(format!(
                    "MID {} of {:?} is out of range (1..={})",
                    c.mid,
                    c.name,
                    i32::MAX
                )));
            }
            if c.name.is_empty() {
                return Err(SandboxError::Config(
                    "a client ID or user name is empty".into(),
                ));
            }
        }
        if self.token_lifetime.is_zero() || self.token_lifetime > MAX_TOKEN_LIFETIME {
            return Err(SandboxError::Config(format!(
                "the token lifetime must be positive and at most {} days",
                MAX_TOKEN_LIFETIME.as_secs() / 86_400
            )));
        }
        self.faults.validate().map_err(SandboxError::Config)
    }

    /// The sandbox's request handling without a listener: the same functions the HTTP handlers
    /// call, on body bytes and headers, for fuzzing and fast tests. Its token answers name
    /// `http://127.0.0.1:0/` as `soap_instance_url`; a state file, if configured, is used as by
    /// [`start`](Self::start).
    pub fn handler(self) -> Result<SandboxHandler, SandboxError> {
        self.validate()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        Ok(SandboxHandler {
            shared: Arc::new(self.into_shared(addr)?),
        })
    }

    fn into_shared(self, addr: SocketAddr) -> Result<Shared, SandboxError> {
        let store = Store::new(self.state_file.clone(), &self.sends)?;
        Ok(Shared::new(
            store,
            self.clients,
            self.users,
            self.token_lifetime,
            Injector::new(self.faults),
            self.max_body_bytes,
            self.log_requests,
            addr,
        ))
    }

    /// Binds `addr` (a loopback address, e.g. `127.0.0.1:0`) and serves in the background
    /// until [`RunningSandbox::shutdown`] (or until the handle is dropped).
    pub async fn start(
        self,
        addr: impl tokio::net::ToSocketAddrs + std::fmt::Display,
    ) -> Result<RunningSandbox, SandboxError> {
        self.validate()?;
        let shown = addr.to_string();
        let bind_error = |e: std::io::Error| SandboxError::Bind {
            addr: shown.clone(),
            message: e.to_string(),
        };
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host(addr)
            .await
            .map_err(bind_error)?
            .collect();
        let Some(first) = resolved.first().copied() else {
            return Err(SandboxError::Bind {
                addr: shown,
                message: "the address resolves to nothing".into(),
            });
        };
        if let Some(bad) = resolved.iter().find(|a| !a.ip().is_loopback()) {
            return Err(SandboxError::NotLoopback(*bad));
        }
        let listener = tokio::net::TcpListener::bind(first)
            .await
            .map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;

        let shared = Arc::new(self.into_shared(local)?);
        let (stop, task) = net::serve(listener, shared.clone());
        Ok(RunningSandbox {
            addr: local,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A started sandbox. Dropping it stops the server too (without waiting).
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` (no trailing slash): the `auth_url` of a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://ADDR/v2/token`.
    pub fn token_url(&self) -> String {
        format!("http://{}/v2/token", self.addr)
    }

    /// `http://ADDR/Service.asmx`.
    pub fn soap_url(&self) -> String {
        format!("http://{}/Service.asmx", self.addr)
    }

    /// A handle on the sandbox's state (for tests and tools).
    pub fn state(&self) -> SandboxState {
        SandboxState {
            shared: self.shared.clone(),
        }
    }

    /// Stops accepting connections, lets requests in flight finish (at most 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The sandbox's request handling without a listener (see [`SandboxBuilder::handler`]).
#[derive(Debug, Clone)]
pub struct SandboxHandler {
    shared: Arc<Shared>,
}

/// The answer to one SOAP request from a [`SandboxHandler`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapResponse {
    /// The HTTP status (200, 500 for a fault, 503 when injected).
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// An injected dropped connection: the HTTP handler would send nothing of this (the request
    /// took effect all the same).
    pub dropped: bool,
}

impl SandboxHandler {
    /// Handles a `POST /Service.asmx` with header `SOAPAction: soap_action` and body `body`,
    /// as the HTTP handler does (fault injection included; latency is not waited for). A body
    /// over the cap gets the same fault as over HTTP.
    pub fn soap(&self, soap_action: Option<&str>, body: &[u8]) -> SoapResponse {
        let shared = &self.shared;
        shared.count_soap_request(soap_action);
        let (injected, _latency) = shared.injector.draw();
        let body = if body.len() > shared.max_body_bytes {
            Err(())
        } else {
            Ok(body)
        };
        let reply = service::respond(shared, injected, soap_action, body);
        let dropped = injected == InjectedFault::DropConnection;
        if dropped {
            shared.count_injected(injected);
        }
        SoapResponse {
            status: reply.status,
            content_type: reply.content_type,
            body: reply.body,
            dropped,
        }
    }

    /// Handles a `POST /v2/token` with `Content-Type: content_type` and body `body`: the HTTP
    /// status and the JSON answer (the HTTP endpoint's 64 KiB body cap is not applied here).
    pub fn token(&self, content_type: Option<&str>, body: &[u8]) -> (u16, String) {
        let (status, json) = token::handle(&self.shared, content_type, body);
        (status, json.to_string())
    }

    /// The state behind the handler.
    pub fn state(&self) -> SandboxState {
        SandboxState {
            shared: self.shared.clone(),
        }
    }
}

/// A view of a running sandbox's state.
#[derive(Debug, Clone)]
pub struct SandboxState {
    shared: Arc<Shared>,
}

impl SandboxState {
    /// The send with this ID (any account).
    pub fn send(&self, id: i64) -> Option<SendRecord> {
        self.shared.store_send(id)
    }

    /// Every send, by ID.
    pub fn sends(&self) -> Vec<SendRecord> {
        self.shared.store_sends()
    }

    /// Makes every access token issued so far expired (the next use answers `Token Expired`).
    pub fn expire_tokens(&self) {
        let _ = self.shared.expire_tokens();
    }

    /// Request and fault counters.
    pub fn stats(&self) -> SandboxStats {
        self.shared.stats()
    }
}

/// Parses `ID:SECRET[:MID]` (client) or `NAME:PASSWORD[:MID]` (user). The secret may contain
/// `:`; a last part that is a number is the MID (default [`DEMO_MID`]). Error messages never
/// repeat the secret.
pub fn parse_credential_spec(spec: &str) -> Result<(String, String, i64), String> {
    let Some((name, rest)) = spec.split_once(':') else {
        return Err("expected NAME:SECRET[:MID]".into());
    };
    let (secret, mid) = match rest.rsplit_once(':') {
        Some((secret, mid)) if !mid.is_empty() && mid.bytes().all(|b| b.is_ascii_digit()) => {
            let mid = mid
                .parse::<i64>()
                .map_err(|_| "the MID is not a number in range".to_string())?;
            (secret, mid)
        }
        _ => (rest, DEMO_MID),
    };
    if name.is_empty() || secret.is_empty() {
        return Err("expected NAME:SECRET[:MID] with a non-empty name and secret".into());
    }
    Ok((name.to_string(), secret.to_string(), mid))
}

/// Parses `ID[:STATUS[:MID]]` (status default `Scheduled`, MID default [`DEMO_MID`]).
pub fn parse_send_spec(spec: &str) -> Result<(i64, SendStatus, i64), String> {
    let mut parts = spec.split(':');
    let id = parts
        .next()
        .unwrap_or_default()
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("{spec:?}: expected ID[:STATUS[:MID]] with a numeric ID"))?;
    let status = match parts.next() {
        Some(s) if !s.trim().is_empty() => s.parse::<SendStatus>()?,
        _ => SendStatus::Scheduled,
    };
    let mid = match parts.next() {
        Some(m) => m
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("{spec:?}: the MID must be a number"))?,
        None => DEMO_MID,
    };
    if parts.next().is_some() {
        return Err(format!("{spec:?}: expected ID[:STATUS[:MID]]"));
    }
    Ok((id, status, mid))
}

/// The most sends one `--send-range` may create.
pub const MAX_SEND_RANGE: i64 = 1_000_000;

/// Parses `FIRST-LAST[:STATUS[:MID]]` (status default `Scheduled`, MID default [`DEMO_MID`]):
/// the sends FIRST to LAST inclusive, at most [`MAX_SEND_RANGE`] of them.
pub fn parse_send_range_spec(
    spec: &str,
) -> Result<(std::ops::RangeInclusive<i64>, SendStatus, i64), String> {
    let (range, rest) = match spec.split_once(':') {
        Some((range, rest)) => (range, Some(rest)),
        None => (spec, None),
    };
    let bad = || format!("{spec:?}: expected FIRST-LAST[:STATUS[:MID]] with numeric IDs");
    let (first, last) = range.trim().split_once('-').ok_or_else(bad)?;
    let first = first.trim().parse::<i64>().map_err(|_| bad())?;
    let last = last.trim().parse::<i64>().map_err(|_| bad())?;
    if first > last {
        return Err(format!("{spec:?}: the first ID is larger than the last"));
    }
    if last - first >= MAX_SEND_RANGE {
        return Err(format!(
            "{spec:?}: at most {MAX_SEND_RANGE} sends in one range"
        ));
    }
    let (_, status, mid) = match rest {
        Some(rest) => parse_send_spec(&format!("{first}:{rest}"))?,
        None => (first, SendStatus::Scheduled, DEMO_MID),
    };
    Ok((first..=last, status, mid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_specs() {
        assert_eq!(
            parse_credential_spec("id:sec").ok(),
            Some(("id".into(), "sec".into(), DEMO_MID))
        );
        assert_eq!(
            parse_credential_spec("id:se:c:42").ok(),
            Some(("id".into(), "se:c".into(), 42))
        );
        assert_eq!(
            parse_credential_spec("id:se:c").ok(),
            Some(("id".into(), "se:c".into(), DEMO_MID))
        );
        let err = parse_credential_spec("id").err().unwrap_or_default();
        assert!(err.contains("expected"));
        let err = parse_credential_spec("id::5").err().unwrap_or_default();
        assert!(!err.is_empty());
        // Never echo the secret.
        let err = parse_credential_spec("id:hunter2:99999999999999999999999")
            .err()
            .unwrap_or_default();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn send_specs() {
        assert_eq!(
            parse_send_spec("29605").ok(),
            Some((29605, SendStatus::Scheduled, DEMO_MID))
        );
        assert_eq!(
            parse_send_spec("7:paused:9").ok(),
            Some((7, SendStatus::Paused, 9))
        );
        assert_eq!(
            parse_send_spec("7:Complete").ok(),
            Some((7, SendStatus::Sent, DEMO_MID))
        );
        assert!(parse_send_spec("x").is_err());
        assert!(parse_send_spec("7:nope").is_err());
        assert!(parse_send_spec("7:sent:1:2").is_err());
    }

    #[test]
    fn send_range_specs() {
        assert_eq!(
            parse_send_range_spec("100-199").ok(),
            Some((100..=199, SendStatus::Scheduled, DEMO_MID))
        );
        assert_eq!(
            parse_send_range_spec("5-5:paused:9").ok(),
            Some((5..=5, SendStatus::Paused, 9))
        );
        for bad in ["100", "x-2", "9-1", "1-2:nope", "1-2:sent:x", "1-2000000"] {
            assert!(parse_send_range_spec(bad).is_err(), "{bad}");
        }
        let b = Sandbox::builder()
            .send(150, SendStatus::Sent, 1)
            .send(7, SendStatus::Paused, 1)
            .send_range(100..=199, SendStatus::Scheduled, 2);
        assert_eq!(b.sends.len(), 101);
        assert!(b.sends.contains(&(150, SendStatus::Scheduled, 2)));
        assert!(b.sends.contains(&(7, SendStatus::Paused, 1)));
    }
}
