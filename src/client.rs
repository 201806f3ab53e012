//! The client: configuration, transport, authentication, retries, and one method per WSDL
//! operation on [`Api`].
//!
//! ```no_run
//! use std::time::Duration;
//! use sfmc_partnerapi::{Client, ErrorKind};
//!
//! # async fn demo() -> Result<(), sfmc_partnerapi::Error> {
//! let client = Client::builder()
//!     .subdomain("mc563885gzs27c5t9-63k636ttgm") // token and SOAP URLs derive from it
//!     .client_credentials("my-client-id", "my-client-secret")
//!     .account_id(12345)
//!     .request_timeout(Duration::from_secs(60))
//!     .build()?;
//!
//! // One send, then a batch (one Perform per 50 IDs, one outcome per ID, in order).
//! let outcome = client.cancel_send(29605).await?;
//! println!("{}: {} {}", outcome.id, outcome.status_code, outcome.message);
//! for o in client.cancel_sends(&[29606, 29607]).await? {
//!     println!("{} ok={} {}", o.id, o.ok, o.message);
//! }
//!
//! // Errors have kinds to match on.
//! match client.retrieve_sends(Some("Scheduled")).await {
//!     Ok(sends) => println!("{} scheduled sends", sends.len()),
//!     Err(e) if e.kind() == ErrorKind::Auth => eprintln!("check the credentials: {e}"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use secrecy::SecretString;
use tracing::Instrument as _;
use url::Url;

use crate::auth::{
    Credentials, OAuth, Token, TokenSharing, DEFAULT_TOKEN_LOCK_WAIT, DEFAULT_TOKEN_STORE_TIMEOUT,
};
use crate::bulk::{DEFAULT_BULK_CONCURRENCY, MAX_BULK_CONCURRENCY};
use crate::error::Error;
use crate::retry::{is_retryable_fault_code, Repeat, RetryClass, RetryPolicy};
use crate::secret::Redact as _;
use crate::soap::{write_envelope_around, Envelope, FaultKind, RequestHeader, UsernameToken};
use crate::token_store::{MemoryTokenStore, TokenStore};
use crate::transport::{
    check_url, redact_url, status_retry_class, Failure, ProxyChoice, Transport,
};
use crate::types::{Operation, OperationInfo};
use crate::xml::{XmlElement, XmlWriter};

/// Default timeout of one HTTP exchange (request sent, whole answer read).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Default timeout of establishing a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on the size of a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;
/// Default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("sfmc-partnerapi/", env!("CARGO_PKG_VERSION"));

/// A partnerAPI client. Cheap to clone and share across tasks (an `Arc` inside): clones share the
/// connection pool and the OAuth token.
///
/// Built by [`Client::builder`]; see the [module](self) docs for an example.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    /// Given with [`ClientBuilder::endpoint`]: always used.
    endpoint: Option<Url>,
    /// Derived from the subdomain: used when neither an endpoint nor a token's
    /// `soap_instance_url` gives one.
    fallback_endpoint: Option<Url>,
    credentials: Credentials,
    retry: RetryPolicy,
    /// Chunks of a bulk call in flight at once.
    bulk_concurrency: usize,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &self.inner;
        let mut d = f.debug_struct("Client");
        d.field("endpoint", &inner.endpoint.as_ref().map(Url::as_str))
            .field(
                "fallback_endpoint",
                &inner.fallback_endpoint.as_ref().map(Url::as_str),
            )
            .field("auth", &inner.credentials.describe());
        if let Credentials::OAuth(o) = &inner.credentials {
            d.field("token_url", &o.token_url().as_str())
                .field("token_store", &o.store());
        }
        d.field("request_timeout", &inner.transport.request_timeout)
            .field("connect_timeout", &inner.transport.connect_timeout)
            .field("max_response_bytes", &inner.transport.max_response_bytes)
            .field("retry", &inner.retry)
            .field("bulk_concurrency", &inner.bulk_concurrency)
            .finish()
    }
}

/// Which authentication the builder was given.
enum AuthChoice {
    ClientCredentials {
        id: String,
        secret: SecretString,
    },
    AccessToken(SecretString),
    UsernameToken {
        user: String,
        password: SecretString,
    },
}

impl AuthChoice {
    fn name(&self) -> &'static str {
        match self {
            AuthChoice::ClientCredentials { .. } => "client_credentials",
            AuthChoice::AccessToken(_) => "access_token",
            AuthChoice::UsernameToken { .. } => "username_token",
        }
    }
}

/// Builds a [`Client`]. Every setting is checked by [`build`](Self::build), before any byte is
/// sent.
#[derive(Default)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    subdomain: Option<String>,
    auth_url: Option<String>,
    auth: Vec<AuthChoice>,
    account_id: Option<i64>,
    scope: Option<String>,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    max_retries: Option<u32>,
    max_response_bytes: Option<usize>,
    user_agent: Option<String>,
    proxies: Vec<reqwest::Proxy>,
    no_proxy: bool,
    bulk_concurrency: Option<usize>,
    token_store: Option<Arc<dyn TokenStore>>,
    token_lock_wait: Option<Duration>,
    token_store_timeout: Option<Duration>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("subdomain", &self.subdomain)
            .field("auth_url", &self.auth_url)
            .field(
                "auth",
                &self.auth.iter().map(AuthChoice::name).collect::<Vec<_>>(),
            )
            .field("account_id", &self.account_id)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxies", &self.proxies.len())
            .field("no_proxy", &self.no_proxy)
            .field("bulk_concurrency", &self.bulk_concurrency)
            .field("token_store", &self.token_store)
            .field("token_lock_wait", &self.token_lock_wait)
            .field("token_store_timeout", &self.token_store_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The SOAP endpoint (`https://{subdomain}.soap.marketingcloudapis.com/Service.asmx`).
    /// Optional with OAuth (the token answer's `soap_instance_url` gives it) or a subdomain.
    /// `https://` is required, except `http://` to a loopback host (127.0.0.0/8, ::1, localhost).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The tenant subdomain: derives the token URL
    /// (`https://{subdomain}.auth.marketingcloudapis.com`) and a default SOAP endpoint
    /// (`https://{subdomain}.soap.marketingcloudapis.com/Service.asmx`).
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.subdomain = Some(subdomain.into());
        self
    }

    /// The token endpoint's base URL; the token is requested from `{auth_url}/v2/token`.
    pub fn auth_url(mut self, url: impl Into<String>) -> Self {
        self.auth_url = Some(url.into());
        self
    }

    /// Authenticate with OAuth2 client credentials (an installed package's API integration).
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.auth.push(AuthChoice::ClientCredentials {
            id: client_id.into(),
            secret: SecretString::from(client_secret.into()),
        });
        self
    }

    /// The account (MID) the token is for (client credentials only).
    pub fn account_id(mut self, mid: i64) -> Self {
        self.account_id = Some(mid);
        self
    }

    /// The scopes to ask for, space separated (client credentials only).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Authenticate with a fixed OAuth access token (it is not refreshed).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.auth
            .push(AuthChoice::AccessToken(SecretString::from(token.into())));
        self
    }

    /// Authenticate with a WS-Security UsernameToken (legacy): a fresh nonce and creation time
    /// on every request.
    pub fn username_token(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.auth.push(AuthChoice::UsernameToken {
            user: username.into(),
            password: SecretString::from(password.into()),
        });
        self
    }

    /// Timeout of one HTTP exchange: sending the request and reading the whole answer
    /// (default 120 s). Each attempt has its own.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Timeout of establishing a connection (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Attempts after the first (the default policy makes 3 attempts in all). Applies on top of
    /// [`retry_policy`](Self::retry_policy), whichever is called first.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The retry policy (attempts, delays, jitter); see [`RetryPolicy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Cap on the size of a response body (default 64 MiB); a larger one fails (with
    /// [`Error::is_body_too_large`]) without being read further.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The `User-Agent` (default `sfmc-partnerapi/<version>`).
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = Some(user_agent.to_string());
        self
    }

    /// Send through this proxy (may be called more than once); the proxy environment variables
    /// are then ignored. By default `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` apply.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Never use a proxy, whatever the environment says (and drop proxies given before).
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// How many chunks of a bulk call ([`Client::cancel_sends`], [`Client::perform_bulk`], ...)
    /// are in flight at once, from 1 (one request after the other, in order) to
    /// [`MAX_BULK_CONCURRENCY`] (default [`DEFAULT_BULK_CONCURRENCY`]); see [`crate::bulk`].
    pub fn bulk_concurrency(mut self, chunks: usize) -> Self {
        self.bulk_concurrency = Some(chunks);
        self
    }

    /// Where the OAuth token is kept (client credentials only): by default a
    /// [`MemoryTokenStore`] of this client's own (its clones share it). Give a clone of one
    /// `MemoryTokenStore` to several clients of one process, a
    /// [`FileTokenStore`](crate::token_store::FileTokenStore) to the processes of one machine, or
    /// any [`TokenStore`] (an `Arc<dyn TokenStore>` too). See [`token_store`](crate::token_store)
    /// for how it is used; a store problem never fails a call.
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// The longest wait for the token store's refresh lock, while another client or process
    /// fetches a token (default 10 s); after it, the token is fetched directly.
    pub fn token_lock_wait(mut self, wait: Duration) -> Self {
        self.token_lock_wait = Some(wait);
        self
    }

    /// The longest wait for one token store operation (reading, saving or invalidating a token;
    /// default 2 s); after it, the client goes on without the store.
    pub fn token_store_timeout(mut self, timeout: Duration) -> Self {
        self.token_store_timeout = Some(timeout);
        self
    }

    /// Builds the client. A configuration error ([`ErrorKind::Config`](crate::ErrorKind)) when a
    /// setting is wrong or missing: an unparsable URL,
    /// `http://` to a host that is not loopback, no way to know the SOAP endpoint, more than one
    /// authentication method, empty credentials, a zero timeout or cap, a bulk concurrency out
    /// of range.
    pub fn build(self) -> Result<Client, Error> {
        let bulk_concurrency = self.bulk_concurrency.unwrap_or(DEFAULT_BULK_CONCURRENCY);
        if !(1..=MAX_BULK_CONCURRENCY).contains(&bulk_concurrency) {
            return Err(Error::config(format!(
                "a bulk concurrency of {bulk_concurrency}: give 1 to {MAX_BULK_CONCURRENCY} \
                 requests in flight"
            )));
        }
        let request_timeout = self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        if request_timeout.is_zero() || connect_timeout.is_zero() {
            return Err(Error::config(
                "a timeout of zero would fail every call; give a positive duration",
            ));
        }
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes == 0 {
            return Err(Error::config(
                "max_response_bytes of zero would refuse every answer; give a positive size",
            ));
        }
        let endpoint = self
            .endpoint
            .as_deref()
            .map(|e| check_url(e, "SOAP endpoint"))
            .transpose()?;
        let (derived_auth, fallback_endpoint) = match self.subdomain.as_deref().map(str::trim) {
            Some(sub) => {
                let valid = !sub.is_empty()
                    && sub.len() <= 63
                    && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if !valid {
                    return Err(Error::config(format!(
                        "subdomain {sub:?} is not valid: give only the tenant's subdomain \
                         (letters, digits and '-'), as in https://SUBDOMAIN.auth.marketingcloudapis.com"
                    )));
                }
                (
                    Some(check_url(
                        &format!("https://{sub}.auth.marketingcloudapis.com"),
                        "token URL",
                    )?),
                    Some(check_url(
                        &format!("https://{sub}.soap.marketingcloudapis.com/Service.asmx"),
                        "SOAP endpoint",
                    )?),
                )
            }
            None => (None, None),
        };
        let auth_url = match self.auth_url.as_deref() {
            Some(u) => Some(check_url(u, "auth URL")?),
            None => derived_auth,
        };
        let mut auth = self.auth;
        if auth.len() > 1 {
            let names: Vec<_> = auth.iter().map(AuthChoice::name).collect();
            return Err(Error::config(format!(
                "more than one authentication method given ({}); choose one",
                names.join(", ")
            )));
        }
        let credentials = match auth.pop() {
            None => Credentials::None,
            Some(AuthChoice::AccessToken(t)) => {
                if secrecy::ExposeSecret::expose_secret(&t).trim().is_empty() {
                    return Err(Error::config("the access token is empty"));
                }
                Credentials::Static(t)
            }
            Some(AuthChoice::UsernameToken { user, password }) => {
                if user.trim().is_empty() {
                    return Err(Error::config("the username is empty"));
                }
                Credentials::UsernameToken {
                    username: user,
                    password,
                }
            }
            Some(AuthChoice::ClientCredentials { id, secret }) => {
                if id.trim().is_empty() || secrecy::ExposeSecret::expose_secret(&secret).is_empty()
                {
                    return Err(Error::config("the client ID or the client secret is empty"));
                }
                let Some(auth_url) = auth_url else {
                    return Err(Error::config(
                        "client credentials need the token endpoint: give subdomain() or auth_url()"
                            ,
                    ));
                };
                let sharing = TokenSharing {
                    store: self
                        .token_store
                        .unwrap_or_else(|| Arc::new(MemoryTokenStore::new())),
                    lock_wait: self.token_lock_wait.unwrap_or(DEFAULT_TOKEN_LOCK_WAIT),
                    timeout: self
                        .token_store_timeout
                        .unwrap_or(DEFAULT_TOKEN_STORE_TIMEOUT),
                };
                Credentials::OAuth(Box::new(OAuth::new(
                    &auth_url,
                    id,
                    secret,
                    self.account_id,
                    self.scope,
                    sharing,
                )?))
            }
        };
        if endpoint.is_none()
            && fallback_endpoint.is_none()
            && !matches!(credentials, Credentials::OAuth(_))
        {
            return Err(Error::config(
                "no SOAP endpoint: give endpoint() or subdomain() (with client credentials, the \
                 token answer's soap_instance_url can give it)",
            ));
        }
        let mut retry = self.retry.unwrap_or_default();
        if let Some(n) = self.max_retries {
            retry = retry.with_max_attempts(n.saturating_add(1));
        }
        let proxy = if self.no_proxy {
            ProxyChoice::None
        } else if self.proxies.is_empty() {
            ProxyChoice::Environment
        } else {
            ProxyChoice::Explicit(self.proxies)
        };
        let transport = Transport::new(
            request_timeout,
            connect_timeout,
            max_response_bytes,
            self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT),
            proxy,
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                endpoint,
                fallback_endpoint,
                credentials,
                retry,
                bulk_concurrency,
            }),
        })
    }
}

/// The WSDL's operations, one async method each (generated): `client.api().perform(&request)`.
///
/// They return the response message as received: the caller looks at its `OverallStatus`.
/// Faults, HTTP and transport failures are errors. Every Perform request gets a `CorrelationID`
/// on each definition that has none (the same on every retry of the request).
#[derive(Debug, Clone, Copy)]
pub struct Api<'a> {
    client: &'a Client,
}

/// The authentication of one attempt.
struct AttemptAuth {
    token: Option<Arc<Token>>,
    endpoint: Url,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The generated operations.
    pub fn api(&self) -> Api<'_> {
        Api { client: self }
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// How many chunks of a bulk call are in flight at once
    /// ([`ClientBuilder::bulk_concurrency`]).
    pub fn bulk_concurrency(&self) -> usize {
        self.inner.bulk_concurrency
    }

    /// Writes `request` as the Body element of operation `op`; for an operation
    /// [`idempotent_with_correlation_ids`](OperationInfo::idempotent_with_correlation_ids), every
    /// object of the request (a Perform's definitions) without a `CorrelationID` gets
    /// `correlation_id`.
    pub(crate) fn write_body<Req: XmlElement>(
        op: &OperationInfo,
        request: &Req,
        correlation_id: Option<&str>,
    ) -> String {
        let mut w = XmlWriter::with_capacity(1024);
        if let Some(id) = correlation_id.filter(|_| op.idempotent_with_correlation_ids) {
            // The request's fields are at depth 1, each object's (a Perform's Definition) at
            // depth 2.
            w.fill_unset("CorrelationID", 2, id.to_string());
        }
        w.root(request);
        w.into_string()
    }

    /// The request envelope around `body_xml` as it would be sent, with every secret masked.
    pub(crate) fn masked_envelope(&self, body_xml: &str) -> String {
        let placeholder = SecretString::from(String::from(crate::secret::MASK));
        let token;
        let header = match &self.inner.credentials {
            Credentials::None => RequestHeader::None,
            Credentials::Static(_) | Credentials::OAuth(_) => {
                RequestHeader::FuelOAuth(&placeholder)
            }
            Credentials::UsernameToken { username, .. } => {
                token = UsernameToken::new(username.clone(), placeholder.clone());
                RequestHeader::UsernameToken(&token)
            }
        };
        write_envelope_around(&RequestHeader::Masked(&header), body_xml)
    }

    async fn call<O: Operation>(&self, request: &O::Input) -> Result<O::Output, Error> {
        self.call_reading::<O, O::Output>(request).await
    }

    /// Sends `request` as operation `O` and reads the answer as `Resp`, a reader of `O`'s
    /// response element of its own (a Retrieve page read row by row, as the caller's type).
    pub(crate) async fn call_reading<O: Operation, Resp: XmlElement>(
        &self,
        request: &O::Input,
    ) -> Result<Resp, Error> {
        let op = O::INFO;
        let correlation_id = op.idempotent_with_correlation_ids.then(new_correlation_id);
        let body = Self::write_body(&op, request, correlation_id.as_deref());
        let repeat = Repeat::of::<O>(request, correlation_id.is_some());
        let span = tracing::info_span!(
            "partnerapi.call",
            operation = op.name,
            correlation_id = correlation_id.as_deref(),
        );
        self.call_with_retries(&op, &body, repeat)
            .instrument(span)
            .await
    }

    async fn call_with_retries<Resp: XmlElement>(
        &self,
        op: &OperationInfo,
        body: &str,
        repeat: Repeat,
    ) -> Result<Resp, Error> {
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        let mut counted: u32 = 0;
        let mut refreshed = false;
        let call_started = Instant::now();
        let finished = |attempts: u32, error: Option<&Error>| {
            let duration_ms = call_started.elapsed().as_millis() as u64;
            match error {
                None => tracing::debug!(attempts, duration_ms, "call finished"),
                Some(e) => tracing::debug!(attempts, duration_ms, error = %e, "call failed"),
            }
        };
        loop {
            attempt += 1;
            counted += 1;
            let auth = match self.attempt_auth().await {
                Ok(auth) => auth,
                Err(e) => {
                    finished(attempt, Some(&e));
                    return Err(e);
                }
            };
            let span = tracing::debug_span!(
                "partnerapi.attempt",
                operation = op.name,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let result = self
                .attempt::<Resp>(op, body, &auth)
                .instrument(span.clone())
                .await;
            let duration_ms = started.elapsed().as_millis() as u64;
            span.record("duration_ms", duration_ms);
            let mut failure = match result {
                Ok(resp) => {
                    span.in_scope(|| tracing::debug!(duration_ms, "attempt succeeded"));
                    finished(attempt, None);
                    return Ok(resp);
                }
                Err(f) => f,
            };
            // `Token Expired`, a Security fault with a token close to its end or read from the
            // token store (which the service may not know), or a bare HTTP 401 (a gateway's way
            // of saying the same): one refresh, one more try. (Decided on the error as
            // received, before it is masked.)
            let expired = auth
                .token
                .as_ref()
                .is_some_and(|token| match failure.error.fault() {
                    Some(fault) => {
                        fault.is_token_expired()
                            || (fault.kind() == FaultKind::Security
                                && (token.near_expiry() || token.from_store))
                    }
                    None => failure.error.is_http() && failure.error.status() == Some(401),
                });
            // Whatever the server sent back (a fault string, a status message, a value in an
            // unreadable answer) may repeat a credential: masked before it is logged or returned.
            failure.error.redact(&self.secrets(&auth));
            span.in_scope(
                || tracing::debug!(duration_ms, error = %failure.error, "attempt failed"),
            );
            if let (true, false, Some(token), Credentials::OAuth(oauth)) =
                (expired, refreshed, &auth.token, &self.inner.credentials)
            {
                tracing::info!(
                    error = %failure.error,
                    "the service refused the token as expired; refreshing it and trying once more"
                );
                oauth.invalidate(token).await;
                refreshed = true;
                counted -= 1;
                continue;
            }
            match policy.delay(counted + 1, failure.class, repeat) {
                Some(wait) => {
                    tracing::warn!(
                        operation = op.name,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        error = %failure.error,
                        "call failed; trying again"
                    );
                    tokio::time::sleep(wait).await;
                }
                None => {
                    finished(attempt, Some(&failure.error));
                    return Err(failure.error);
                }
            }
        }
    }

    /// The token (fetched or refreshed if need be) and endpoint for one attempt.
    async fn attempt_auth(&self) -> Result<AttemptAuth, Error> {
        let inner = &self.inner;
        let token = match &inner.credentials {
            Credentials::OAuth(oauth) => Some(oauth.token(&inner.transport, &inner.retry).await?),
            _ => None,
        };
        let endpoint = inner
            .endpoint
            .clone()
            .or_else(|| token.as_ref().and_then(|t| t.soap_endpoint.clone()))
            .or_else(|| inner.fallback_endpoint.clone())
            .ok_or_else(|| {
                Error::config(
                    "no SOAP endpoint: the token answer has no soap_instance_url; give endpoint() \
                     or subdomain()",
                )
            })?;
        Ok(AttemptAuth { token, endpoint })
    }

    async fn attempt<Resp: XmlElement>(
        &self,
        op: &OperationInfo,
        body: &str,
        auth: &AttemptAuth,
    ) -> Result<Resp, Failure> {
        let inner = &self.inner;
        let username_token;
        let header = match (&inner.credentials, &auth.token) {
            (_, Some(token)) => RequestHeader::FuelOAuth(token.access_token()),
            (Credentials::Static(t), None) => RequestHeader::FuelOAuth(t),
            (Credentials::UsernameToken { username, password }, None) => {
                username_token = UsernameToken::new(username.clone(), password.clone());
                RequestHeader::UsernameToken(&username_token)
            }
            (Credentials::None | Credentials::OAuth(_), None) => RequestHeader::None,
        };
        let envelope = write_envelope_around(&header, body);
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
        let action = HeaderValue::from_str(&format!("\"{}\"", op.soap_action)).map_err(|_| {
            Failure::never(Error::config(format!(
                "the SOAPAction of {} is not a valid header value",
                op.name
            )))
        })?;
        headers.insert("SOAPAction", action);
        tracing::trace!(bytes = envelope.len(), endpoint = %auth.endpoint, "sending");
        let reply = inner
            .transport
            .post(
                &auth.endpoint,
                op.name,
                headers,
                envelope.into_bytes(),
                inner.transport.max_response_bytes,
            )
            .await?;
        tracing::Span::current().record("status", reply.status);
        let protocol = |error| Failure::never(Error::unreadable(op.name, error));
        let http_error = |reply: &crate::transport::Reply| Failure {
            error: Error::http_status(
                reply.status,
                redact_url(&auth.endpoint),
                reply.excerpt(&self.secrets(auth)),
            ),
            class: reply.retry_class(),
        };
        let envelope = match Envelope::parse(&reply.body) {
            Ok(env) => env,
            Err(_) if !reply.is_success() => return Err(http_error(&reply)),
            Err(e) => return Err(protocol(e)),
        };
        if envelope.is_fault() {
            let fault = envelope.read_fault().map_err(protocol)?;
            let class = match fault.kind() {
                FaultKind::Server if fault.api_code().is_some_and(is_retryable_fault_code) => {
                    RetryClass::Backoff
                }
                FaultKind::Server | FaultKind::Other => {
                    status_retry_class(reply.status, reply.retry_after)
                }
                _ => RetryClass::Never,
            };
            return Err(Failure {
                error: Error::from(fault),
                class,
            });
        }
        if !reply.is_success() {
            return Err(http_error(&reply));
        }
        envelope.read_body::<Resp>().map_err(protocol)
    }

    fn secrets<'a>(&'a self, auth: &'a AttemptAuth) -> Vec<&'a str> {
        let mut secrets = self.inner.credentials.secrets();
        if let Some(t) = &auth.token {
            secrets.push(secrecy::ExposeSecret::expose_secret(t.access_token()));
        }
        secrets
    }

    /// `text` with every secret the client holds (the client secret, the password, the access
    /// token given or the OAuth token it was issued) replaced by `***`: for showing what the
    /// service answered (a status message, a value) where a credential it repeated must not
    /// appear. Errors and send outcomes are masked already.
    pub async fn mask_secrets(&self, text: &str) -> String {
        self.with_secrets(|secrets| crate::secret::masked(text, secrets))
            .await
    }

    /// [`mask_secrets`](Self::mask_secrets) in place, for many texts at once (the values of a
    /// row): a text holding no secret is left as it is, without a copy.
    pub async fn mask_secrets_in<'t>(&self, texts: impl IntoIterator<Item = &'t mut String>) {
        self.with_secrets(|secrets| {
            for text in texts {
                crate::secret::mask(text, secrets);
            }
        })
        .await
    }

    /// Runs `f` with every secret the client holds (the credentials and the current OAuth
    /// token), to mask them in text that came from the service.
    pub(crate) async fn with_secrets<R>(&self, f: impl FnOnce(&[&str]) -> R) -> R {
        let token = match &self.inner.credentials {
            Credentials::OAuth(oauth) => oauth.current(),
            _ => None,
        };
        let mut secrets = self.inner.credentials.secrets();
        if let Some(t) = &token {
            secrets.push(secrecy::ExposeSecret::expose_secret(t.access_token()));
        }
        f(&secrets)
    }
}

/// A random UUID (version 4) for a request's `CorrelationID`.
pub(crate) fn new_correlation_id() -> String {
    new_uuid()
}

/// A random version-4 UUID, from the process's fast generator (no system call per request).
pub(crate) fn new_uuid() -> String {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
        .into_uuid()
        .to_string()
}

impl Api<'_> {
    /// Sends `request` as operation `O` and reads its response.
    pub(crate) async fn call<O: Operation>(&self, request: &O::Input) -> Result<O::Output, Error> {
        self.client.call::<O>(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::operations::{Perform, Retrieve};
    use crate::types::{AnyApiObject, PerformOptions, PerformRequestMsg, RetrieveRequestMsg, Send};

    #[test]
    fn client_is_cheap_to_share() {
        fn shareable<T: Clone + std::marker::Send + Sync + 'static>() {}
        shareable::<Client>();
        shareable::<crate::Error>();
    }

    #[test]
    fn correlation_ids_look_like_uuids() {
        let a = new_correlation_id();
        let b = new_correlation_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn correlation_id_fills_definitions_only() {
        let perform = <Perform as Operation>::INFO;
        let request = PerformRequestMsg {
            options: Some(PerformOptions::default().into()),
            action: Some("cancel".into()),
            definitions: vec![
                Send {
                    id: Some(1),
                    ..Default::default()
                }
                .into(),
                Send {
                    id: Some(2),
                    correlation_id: Some("mine".into()),
                    ..Default::default()
                }
                .into(),
            ],
        };
        let body = Client::write_body(&perform, &request, Some("c-1"));
        assert!(
            body.contains("<Definition xsi:type=\"Send\"><ID>1</ID><CorrelationID>c-1</CorrelationID></Definition>"),
            "{body}"
        );
        assert!(
            body.contains("<ID>2</ID><CorrelationID>mine</CorrelationID>"),
            "{body}"
        );
        assert!(body.contains("<Options/>"), "{body}");
        assert_eq!(body.matches("CorrelationID>").count(), 4, "{body}");
        assert_eq!(Repeat::of::<Perform>(&request, true), Repeat::Deduplicated);
        // An operation without the flag gets none.
        let retrieve = <Retrieve as Operation>::INFO;
        let body = Client::write_body(&retrieve, &RetrieveRequestMsg::default(), Some("c-1"));
        assert!(!body.contains("CorrelationID"), "{body}");
    }

    /// An operation not in the team's WSDL, described by hand: it changes something and has no
    /// flag.
    struct Create;
    impl Operation for Create {
        const INFO: OperationInfo = OperationInfo {
            name: "Create",
            soap_action: "Create",
            input: "CreateRequest",
            output: "CreateResponse",
            read_only: false,
            idempotent_with_correlation_ids: false,
        };
        type Input = PerformRequestMsg;
        type Output = crate::types::PerformResponseMsg;
    }

    /// The decision is made from the request value (no XML is written or read): what the
    /// writer fills in counts, what it cannot fill does not.
    #[test]
    fn only_fully_correlated_performs_are_deduplicated() {
        let send = |correlation: Option<&str>| -> AnyApiObject {
            Send {
                id: Some(1),
                correlation_id: correlation.map(Into::into),
                ..Default::default()
            }
            .into()
        };
        let request = |definitions| PerformRequestMsg {
            action: Some("cancel".into()),
            definitions,
            ..Default::default()
        };
        let repeat = |r: &PerformRequestMsg| Repeat::of::<Perform>(r, true);
        // Set by the caller, or filled in by the client: deduplicated.
        assert_eq!(
            repeat(&request(vec![send(None), send(Some("mine"))])),
            Repeat::Deduplicated
        );
        // A definition whose CorrelationID the caller set blank: a repeat could not be told.
        let blank = request(vec![send(None), send(Some(" "))]);
        assert_eq!(repeat(&blank), Repeat::Unsafe);
        // No definitions at all, or no CorrelationID filled in.
        assert_eq!(repeat(&request(Vec::new())), Repeat::Unsafe);
        assert_eq!(
            Repeat::of::<Perform>(&request(vec![send(None)]), false),
            Repeat::Unsafe
        );
        // Read-only operations whatever the request; others never.
        assert_eq!(
            Repeat::of::<Retrieve>(&RetrieveRequestMsg::default(), false),
            Repeat::ReadOnly
        );
        assert_eq!(
            Repeat::of::<Create>(&request(vec![send(Some("mine"))]), true),
            Repeat::Unsafe
        );
    }

    /// An `Untyped` definition (a type these bindings do not know) holds the base's fields: its
    /// CorrelationID is read through the accessor, and the writer fills it in like any other.
    #[test]
    fn untyped_definitions_count_by_their_correlation_id() {
        let untyped = |correlation: Option<&str>| {
            AnyApiObject::Untyped(Box::new(crate::xml::Untyped {
                xsi_type: Some("Mystery".into()),
                base: crate::types::ApiObject {
                    id: Some(7),
                    correlation_id: correlation.map(Into::into),
                    ..Default::default()
                },
                ..Default::default()
            }))
        };
        let request = |definitions| PerformRequestMsg {
            action: Some("cancel".into()),
            definitions,
            ..Default::default()
        };
        let unset = request(vec![untyped(None)]);
        assert_eq!(Repeat::of::<Perform>(&unset, true), Repeat::Deduplicated);
        let body = Client::write_body(&<Perform as Operation>::INFO, &unset, Some("c-2"));
        assert!(
            body.contains("<Definition xsi:type=\"Mystery\"><ID>7</ID><CorrelationID>c-2</CorrelationID></Definition>"),
            "{body}"
        );
        let blank = request(vec![untyped(Some("")), Send::default().into()]);
        assert_eq!(Repeat::of::<Perform>(&blank, true), Repeat::Unsafe);
    }
}
