//! A local partnerAPI sandbox: the OAuth token endpoint and `Service.asmx` on loopback, with
//! sends that can be canceled, paused and resumed, a Retrieve of sends, subscribers, lists, data
//! extensions and their rows, and tracking events (from a generated data set, in pages, with
//! filters), per-account tenancy, CorrelationID replay, fault injection and optional
//! persistence. Requests are read and responses written with this crate's own generated types.
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
//!   on `Send` objects) and `Retrieve` (below). The SOAP `Header` with the credentials may stand
//!   before or after the `Body`, prefixed or not, as the service accepts. Paths are matched
//!   case-insensitively.
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
//! # Retrieve
//!
//! | ObjectType | properties |
//! |---|---|
//! | `Send` | `Client.ID`, `ID`, `CreatedDate`, `ModifiedDate`, `SendDate`, `EmailName`, `Subject`, `Status` (`Scheduled`, `Paused`, `Canceled`, `Sent`), `NumberSent` (0); the WSDL's other Send properties (`FromName`, `FromAddress`, `PreviewURL`, the counters, ...) are accepted and have no value |
//! | `Subscriber` | `Client.ID`, `ID`, `CreatedDate`, `EmailAddress`, `SubscriberKey`, `Status`, `UnsubscribedDate`, `EmailTypePreference`, `Attributes` (`First Name`, `Last Name`, `City`; not in filters) |
//! | `List` | `Client.ID`, `ID`, `ObjectID`, `CustomerKey`, `CreatedDate`, `ModifiedDate`, `ListName`, `Category`, `Type`, `Description`, `ListClassification` |
//! | `ListSubscriber` | `Client.ID`, `CreatedDate`, `ListID`, `SubscriberKey`, `Status` |
//! | `DataExtension` | `Client.ID`, `ObjectID`, `CustomerKey`, `Name`, `Description`, `IsSendable`, `IsTestable`, `CategoryID`, `CreatedDate`, `ModifiedDate` |
//! | `DataExtensionField` | `Client.ID`, `ObjectID`, `CustomerKey`, `Name`, `FieldType`, `IsPrimaryKey`, `IsRequired`, `MaxLength`, `Scale`, `Ordinal`, `DataExtension.CustomerKey` |
//! | `DataExtensionObject[KEY]` | the fields of the data extension whose CustomerKey (or Name) is `KEY`, as `Properties/Property` `Name`/`Value`: `Customers_DE` (`SubscriberKey`, `EmailAddress`, `FirstName`, `LastName`, `City`, `Points`, `JoinDate`, `Active`), `Orders_DE` (`OrderID`, `SubscriberKey`, `Amount`, `OrderDate`, `Status`); dates as the service writes them (`1/1/2026 2:00:00 AM`) |
//! | `SentEvent`, `OpenEvent` | `Client.ID`, `ID`, `SendID`, `SubscriberKey`, `EventDate`, `EventType`, `TriggeredSendDefinitionObjectID` (no value), `BatchID` |
//! | `ClickEvent` | those of `SentEvent`, `URLID`, `URL`, `URLIDLong` |
//! | `BounceEvent` | those of `SentEvent`, `SMTPCode`, `BounceCategory`, `SMTPReason`, `BounceType` |
//! | `UnsubEvent` | those of `SentEvent`, `List.ID`, `IsMasterUnsubscribed` |
//!
//! - **Properties**: only the asked properties are written (names match without regard to
//!   case). An unknown one answers `OverallStatus` `Error: The Request Property(s) X do not
//!   match with the fields of T retrieve`, none at all `Error: A Retrieve of T needs at least
//!   one property in Properties`; an unknown ObjectType (they are case-sensitive) `Error: Unable
//!   to find a handler for object type: X. ...`. An error is an HTTP 200 response, like the
//!   service's.
//! - **Pages** of [`DEFAULT_PAGE_SIZE`] objects ([`SandboxBuilder::page_size`];
//!   `Options/BatchSize` may ask for less): `OverallStatus` `MoreDataAvailable` and a
//!   `RequestID`; the next page is asked for by a `RetrieveRequest` holding `ContinueRequest` =
//!   that RequestID (the rest of that request is ignored: a continuation keeps the first
//!   request's object type, properties, filter and accounts); the last page says `OK`. Each
//!   page's RequestID is its own token, so a `ContinueRequest` repeated after a lost response
//!   gets exactly the same page again (same rows, same RequestID): no row lost or repeated. A
//!   continuation expires after [`DEFAULT_CONTINUATION_TTL`] unused
//!   ([`SandboxBuilder::continuation_ttl`]); at most [`MAX_CONTINUATIONS`] are kept. An unknown,
//!   expired or other account's one answers `Error: ContinueRequest ... is unknown or expired
//!   ...` (never a silent restart). Rows come in a stable order (by ID).
//! - **Filters**: `SimpleFilterPart` with every operator of the WSDL: `equals`, `notEquals`,
//!   `greaterThan`, `lessThan`, `greaterThanOrEqual`, `lessThanOrEqual`, `between` (2 values),
//!   `IN` (1 or more), `isNull`, `isNotNull` on text, numbers and dates (`equals`/`notEquals`
//!   on booleans); `like` (`%` any run, `_` one character), `beginsWith`, `endsWith`,
//!   `contains`, `notContains`, `existsInString`, `existsInStringAsAWord`,
//!   `notExistsInString` on text; `isAnniversary`, `isNotAnniversary`, `greaterThanAnniversary`,
//!   `lessThanAnniversary` on dates. Text compares without regard to ASCII case; a missing
//!   value (or empty text) passes only `isNull`. Dates come as `DateValue` or as `Value` text:
//!   `2026-01-31`, `2026-01-31T10:00:00` (optionally `.fff`, `Z` or `±HH:MM`),
//!   `2026-01-31 10:00:00`, `1/31/2026`, `1/31/2026 10:00:00 AM`; a date without a zone is in
//!   the service's own time, Central Standard Time (UTC-6, all year), like the service reads it,
//!   and data extension dates are written in it. `ComplexFilterPart` joins
//!   `LeftOperand`, `RightOperand` and `AdditionalOperands` with `AND` or `OR`, nested. An
//!   unknown property answers `Error: Filter Property 'X' is not a retrievable property of T.`;
//!   a value of the wrong kind, a wrong count of values or an operator the property's kind
//!   cannot take answers `Error: ...` too.
//! - **Accounts**: a caller reads its own account's objects. With `QueryAllAccounts`, also its
//!   child accounts ([`SandboxBuilder::child_account`]); with `ClientIDs`, the named ones among
//!   those (another account's ID reads nothing). Rows come account by account, the caller's
//!   first.
//! - **Fault injection** applies to each page like to any request; a page lost to a dropped
//!   connection is served again, the same, to its repeated `ContinueRequest`.
//!
//! # The data set
//!
//! Every account has three lists (`All Subscribers` with every subscriber, `Newsletter` and
//! `Promotions` with some), two data extensions (`Customers_DE`: a row per subscriber, the
//! same keys, names and addresses; `Orders_DE`: orders referring to subscribers by key),
//! [`SandboxBuilder::subscribers`] subscribers (`sub000001`, `sub000001@example.com`, ...),
//! [`SandboxBuilder::data_extension_rows`] rows per data extension and
//! [`SandboxBuilder::events`] events of each tracking type: event `i` of every type is the
//! `i`-th delivery, one of the account's sends in status Sent (in turn) to one of its
//! subscribers, sent at 2026-01-01T00:00:00Z plus `10 s × i` (a bounce 2 minutes later, an open
//! an hour later, a click and an unsubscribe after it), so `ID` and `EventDate` grow together.
//! Nothing is stored: a row is computed from (seed, account, type, index) when a page needs it,
//! so a million-row Retrieve keeps the sandbox's memory flat, and the same seed serves the same
//! rows. The demo ([`SandboxBuilder::demo`]) has a small one.
//!
//! # Tenancy
//!
//! Every client and user belongs to one account (MID), and so does every send. A caller never
//! sees or changes another account's sends: their IDs answer exactly like unknown IDs; it
//! retrieves only its own account's objects (and its child accounts' when it asks).
//!
//! # CorrelationID replay
//!
//! A `Definition` carrying a `CorrelationID` that was already seen for the same account, action
//! and send ID gets the first outcome again (and nothing changes), so a retry after a lost
//! response reports the cancel that happened rather than "already canceled".

mod data;
mod dates;
mod faults;
mod filter;
mod net;
mod retrieve;
mod service;
mod state;
mod tables;
mod token;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

pub use faults::{FaultInjection, InjectedFault};
pub use retrieve::{DEFAULT_CONTINUATION_TTL, DEFAULT_PAGE_SIZE, MAX_CONTINUATIONS, MAX_PAGE_SIZE};
pub use state::{SandboxStats, SendRecord, SendStatus};

use data::{DataConfig, DataModel};
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

/// The demo's data set: subscribers per account.
pub const DEMO_SUBSCRIBERS: u64 = 20;
/// The demo's data set: tracking events of each type (on the demo's sent send, 29609).
pub const DEMO_EVENTS: u64 = 50;
/// The demo's data set: rows of each data extension.
pub const DEMO_ROWS: u64 = 20;
/// The most subscribers, events of one type or data extension rows per account.
pub const MAX_GENERATED_ROWS: u64 = data::MAX_ROWS;

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
    data: DataConfig,
    page_size: usize,
    continuation_ttl: Duration,
    children: BTreeMap<i64, BTreeSet<i64>>,
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
            data: DataConfig {
                seed: 1,
                ..DataConfig::default()
            },
            page_size: DEFAULT_PAGE_SIZE,
            continuation_ttl: DEFAULT_CONTINUATION_TTL,
            children: BTreeMap::new(),
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

    /// `n` tracking events of each type (SentEvent, OpenEvent, ClickEvent, BounceEvent,
    /// UnsubEvent) per account, their values drawn from `seed` (which seeds the whole data set:
    /// subscribers and data extension rows too). Event `i` of every type is the `i`-th delivery:
    /// one of the account's sends in status Sent, in turn, to one of its subscribers; an account
    /// without a sent send has no events. Rows are computed when a page needs them, never
    /// stored. At most [`MAX_GENERATED_ROWS`].
    pub fn events(mut self, n: u64, seed: u64) -> Self {
        self.data.events = n;
        self.data.seed = seed;
        self
    }

    /// The seed of the generated data set (default 1; [`events`](Self::events) sets it too).
    pub fn seed(mut self, seed: u64) -> Self {
        self.data.seed = seed;
        self
    }

    /// `n` subscribers per account (keys `sub000001`, ...; with events and no count: 1,000).
    /// At most [`MAX_GENERATED_ROWS`].
    pub fn subscribers(mut self, n: u64) -> Self {
        self.data.subscribers = n;
        self
    }

    /// `n` rows in each of the two data extensions of every account (`Customers_DE`,
    /// `Orders_DE`). At most [`MAX_GENERATED_ROWS`].
    pub fn data_extension_rows(mut self, n: u64) -> Self {
        self.data.rows = n;
        self
    }

    /// Objects per Retrieve page (default [`DEFAULT_PAGE_SIZE`], 1 to [`MAX_PAGE_SIZE`]). A
    /// request's `Options/BatchSize` may ask for smaller pages.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n;
        self
    }

    /// How long a Retrieve continuation stays valid unused (default
    /// [`DEFAULT_CONTINUATION_TTL`]).
    pub fn continuation_ttl(mut self, ttl: Duration) -> Self {
        self.continuation_ttl = ttl;
        self
    }

    /// Makes account `child` a child account of `parent`: a caller of `parent` reads its data
    /// too with `QueryAllAccounts` or by naming it in `ClientIDs`.
    pub fn child_account(mut self, parent: i64, child: i64) -> Self {
        self.children.entry(parent).or_default().insert(child);
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
    /// the [`DEMO_SENDS`] (29605 among them) and a small data set: [`DEMO_SUBSCRIBERS`]
    /// subscribers, [`DEMO_EVENTS`] events of each type, [`DEMO_ROWS`] rows per data extension
    /// (seed 1). Calls after `demo()` change them.
    pub fn demo(mut self) -> Self {
        self = self
            .client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_MID)
            .user(DEMO_USER.0, DEMO_USER.1, DEMO_MID)
            .client(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, OTHER_MID)
            .subscribers(DEMO_SUBSCRIBERS)
            .events(DEMO_EVENTS, 1)
            .data_extension_rows(DEMO_ROWS);
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
        for (what, n) in [
            ("events", self.data.events),
            ("subscribers", self.data.subscribers),
            ("data extension rows", self.data.rows),
        ] {
            if n > MAX_GENERATED_ROWS {
                return Err(SandboxError::Config(format!(
                    "{n} {what} per account is more than the sandbox generates ({MAX_GENERATED_ROWS})"
                )));
            }
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(SandboxError::Config(format!(
                "the page size must be 1 to {MAX_PAGE_SIZE}, not {}",
                self.page_size
            )));
        }
        if self.continuation_ttl.is_zero() || self.continuation_ttl > MAX_TOKEN_LIFETIME {
            return Err(SandboxError::Config(format!(
                "the continuation lifetime must be positive and at most {} days",
                MAX_TOKEN_LIFETIME.as_secs() / 86_400
            )));
        }
        for (parent, child) in self
            .children
            .iter()
            .flat_map(|(p, cs)| cs.iter().map(move |c| (*p, *c)))
        {
            if !id_range.contains(&parent) || !id_range.contains(&child) || parent == child {
                return Err(SandboxError::Config(format!(
                    "child account {child} of {parent}: both MIDs must be 1..={} and differ",
                    i32::MAX
                )));
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
        // Events refer to the sends in status Sent (a final status: the list never changes).
        let mut sent: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
        for s in store.sends_by_id().values() {
            if s.status == SendStatus::Sent {
                if let Ok(id) = i32::try_from(s.id) {
                    sent.entry(s.mid).or_default().push(id);
                }
            }
        }
        if self.data.events > 0 && sent.is_empty() {
            return Err(SandboxError::Config(
                "tracking events refer to sends in status Sent, and no account has one: add one \
                 (e.g. --send 1:sent:MID, or .send(1, SendStatus::Sent, MID))"
                    .into(),
            ));
        }
        let model = DataModel::new(self.data, sent, self.children);
        let mut shared = Shared::new(
            store,
            self.clients,
            self.users,
            self.token_lifetime,
            Injector::new(self.faults),
            self.max_body_bytes,
            self.log_requests,
            addr,
        );
        shared.retrieval = retrieve::Retrieval::new(model, self.page_size, self.continuation_ttl);
        Ok(shared)
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

/// The generated data set every account has, and how Retrieve pages it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataSet {
    /// Subscribers per account.
    pub subscribers: u64,
    /// Tracking events of each type per account (none for an account without a sent send).
    pub events: u64,
    /// Rows of each data extension per account.
    pub data_extension_rows: u64,
    /// The seed of every generated value.
    pub seed: u64,
    /// Objects per Retrieve page.
    pub page_size: usize,
    /// How long a continuation stays valid unused.
    pub continuation_ttl: Duration,
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

    /// Makes every Retrieve continuation issued so far unknown, as if it had expired (the next
    /// `ContinueRequest` with one answers `Error: ...`), and the one of a page being served
    /// while it runs too.
    pub fn expire_continuations(&self) {
        self.shared.retrieval.expire_all();
    }

    /// The generated data set and the Retrieve paging.
    pub fn data_set(&self) -> DataSet {
        self.shared.retrieval.data_set()
    }

    /// How many Retrieve continuations are alive (at most two per Retrieve in progress).
    pub fn continuations(&self) -> usize {
        self.shared.retrieval.live()
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

/// Parses `PARENT:CHILD` (two MIDs): account CHILD is a child account of PARENT.
pub fn parse_child_account_spec(spec: &str) -> Result<(i64, i64), String> {
    let bad = || format!("{spec:?}: expected PARENT:CHILD with two numeric MIDs");
    let (parent, child) = spec.split_once(':').ok_or_else(bad)?;
    let parent = parent.trim().parse::<i64>().map_err(|_| bad())?;
    let child = child.trim().parse::<i64>().map_err(|_| bad())?;
    if parent == child {
        return Err(format!("{spec:?}: an account cannot be its own child"));
    }
    Ok((parent, child))
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
    fn child_account_specs() {
        assert_eq!(parse_child_account_spec("1:2"), Ok((1, 2)));
        assert_eq!(parse_child_account_spec(" 10 : 20 "), Ok((10, 20)));
        for bad in ["1", "1:x", "3:3", ":2"] {
            assert!(parse_child_account_spec(bad).is_err(), "{bad}");
        }
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
