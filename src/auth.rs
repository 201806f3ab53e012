//! Authentication: OAuth2 client credentials (with a cached token refreshed by one task at a
//! time, kept in a [`TokenStore`] shared with other clients, processes or hosts), a static
//! access token, or a WS-Security UsernameToken.
//!
//! Secrets are [`SecretString`]s from the builder to the wire: they never appear in `Debug`,
//! `Display`, errors or `tracing` output, and the token endpoint's error text is scrubbed of the
//! client secret before it is reported.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument as _;
use url::Url;

use crate::error::Error;
use crate::retry::{Repeat, RetryPolicy};
use crate::secret::{mask, Redact as _};
use crate::token_store::{StoreError, StoredToken, TokenKey, TokenStore, MAX_STORED_LIFETIME};
use crate::transport::{check_url, redact_url, Failure, Reply, Transport};

/// Largest token answer read (a token answer is well under 4 KiB).
const TOKEN_BODY_CAP: usize = 1 << 20;
/// Lifetime assumed when the token answer has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);
/// The longest lifetime believed from a token answer (its `expires_in` is the network's word:
/// a huge value must not overflow the clock arithmetic, nor keep a token forever).
const MAX_LIFETIME: Duration = MAX_STORED_LIFETIME;
/// A token is refreshed this long before it runs out (or 10 % of its lifetime, if less).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The `tracing` target of the token store's warnings (an application may show them apart).
pub(crate) const STORE_TARGET: &str = "sfmc_partnerapi::token_store";
/// Default longest wait for a token store's refresh lock (another process fetching a token).
pub(crate) const DEFAULT_TOKEN_LOCK_WAIT: Duration = Duration::from_secs(10);
/// Default longest wait for one token store operation (load, save, invalidate).
pub(crate) const DEFAULT_TOKEN_STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long before its expiry a token of `lifetime` is refreshed ([`REFRESH_MARGIN`], or 10 % of
/// the lifetime if less). A shared store keeps a token no longer than its expiry minus this.
pub(crate) fn refresh_margin(lifetime: Duration) -> Duration {
    REFRESH_MARGIN.min(lifetime / 10)
}

/// How requests authenticate.
pub(crate) enum Credentials {
    /// No SOAP header (the service will answer with a Security fault).
    None,
    /// A fixed OAuth access token, sent as `fueloauth`.
    Static(SecretString),
    /// WS-Security UsernameToken (legacy); a fresh nonce and `Created` on every request.
    UsernameToken {
        username: String,
        password: SecretString,
    },
    /// OAuth2 client credentials.
    OAuth(Box<OAuth>),
}

impl Credentials {
    /// The secrets, to mask wherever text from a server is reported.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::None => Vec::new(),
            Credentials::Static(t) => vec![t.expose_secret()],
            Credentials::UsernameToken { password, .. } => vec![password.expose_secret()],
            Credentials::OAuth(o) => vec![o.client_secret.expose_secret()],
        }
    }

    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Credentials::None => "none",
            Credentials::Static(_) => "static access token",
            Credentials::UsernameToken { .. } => "WS-Security UsernameToken",
            Credentials::OAuth(_) => "OAuth2 client credentials",
        }
    }
}

/// How the OAuth token is shared: the store, and how long to wait for it.
pub(crate) struct TokenSharing {
    pub(crate) store: Arc<dyn TokenStore>,
    /// Longest wait for the store's refresh lock.
    pub(crate) lock_wait: Duration,
    /// Longest wait for one load, save or invalidate.
    pub(crate) timeout: Duration,
}

/// OAuth2 client credentials and the cached token.
pub(crate) struct OAuth {
    token_url: Url,
    client_id: String,
    client_secret: SecretString,
    account_id: Option<i64>,
    scope: Option<String>,
    key: TokenKey,
    sharing: TokenSharing,
    state: tokio::sync::Mutex<TokenState>,
    /// The token last fetched, read without the async lock while it is fresh (every call asks
    /// for the token; only a refresh needs `state`).
    current: std::sync::RwLock<Option<Arc<Token>>>,
}

#[derive(Default)]
struct TokenState {
    token: Option<Arc<Token>>,
    /// The last fetch's failure, handed to the calls that were waiting for that fetch.
    failure: Option<(Instant, Error)>,
    generation: u64,
}

/// An access token from the token endpoint (or a token store).
pub(crate) struct Token {
    /// The token as stored: the access token, its times and instance URLs.
    pub(crate) stored: StoredToken,
    /// `soap_instance_url` + `Service.asmx`, when the answer named one.
    pub(crate) soap_endpoint: Option<Url>,
    fetched_at: Instant,
    refresh_at: Instant,
    expires_at: Instant,
    margin: Duration,
    pub(crate) generation: u64,
    /// Read from the token store rather than fetched by this client: the service may not know
    /// it (restarted, revoked), so any refusal of it is worth one refresh.
    pub(crate) from_store: bool,
}

impl Token {
    /// The access token.
    pub(crate) fn access_token(&self) -> &SecretString {
        &self.stored.access_token
    }

    /// A token from a store, if it can be used: not expired, its instance URL acceptable (a
    /// store's record is checked like a token answer).
    fn from_stored(stored: StoredToken, generation: u64) -> Result<Option<Token>, Error> {
        let now = SystemTime::now();
        let Ok(remaining) = stored.expires_at.duration_since(now) else {
            return Ok(None);
        };
        if remaining.is_zero() || remaining > MAX_LIFETIME {
            return Ok(None);
        }
        // Issued "in the future" (clocks of two hosts apart): judged by what remains.
        let lifetime = stored.lifetime().max(remaining);
        let soap_endpoint = stored
            .soap_instance_url
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(soap_endpoint_from_instance_url)
            .transpose()?;
        let margin = refresh_margin(lifetime);
        let fetched_at = Instant::now();
        let expires_at = fetched_at + remaining;
        Ok(Some(Token {
            stored,
            soap_endpoint,
            fetched_at,
            refresh_at: expires_at.checked_sub(margin).unwrap_or(fetched_at),
            expires_at,
            margin,
            generation,
            from_store: true,
        }))
    }

    /// Whether the token is before its refresh time.
    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    /// Whether the token is within twice its refresh margin of running out: a Security fault
    /// then most likely means it expired (clock skew, early revocation).
    pub(crate) fn near_expiry(&self) -> bool {
        self.near_expiry_at(Instant::now())
    }

    fn near_expiry_at(&self, now: Instant) -> bool {
        now + self.margin * 2 >= self.expires_at
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[REDACTED]")
            .field(
                "soap_endpoint",
                &self.soap_endpoint.as_ref().map(Url::as_str),
            )
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer (not `Debug`: it holds the token).
struct TokenAnswer {
    access_token: String,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    soap_instance_url: Option<String>,
    rest_instance_url: Option<String>,
}

/// The members of a JSON object, or what is wrong with the text.
fn json_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_slice(body).map_err(|e| e.to_string())? {
        serde_json::Value::Object(members) => Ok(members),
        _ => Err("not a JSON object".to_string()),
    }
}

/// The string member `key` (absent or `null`: `None`), or what is wrong with it.
fn json_text(
    members: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Option<String>, String> {
    match members.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

impl TokenAnswer {
    fn parse(body: &[u8]) -> Result<Self, String> {
        let members = json_object(body)?;
        Ok(Self {
            access_token: json_text(&members, "access_token")?
                .ok_or_else(|| "missing field `access_token`".to_string())?,
            token_type: json_text(&members, "token_type")?,
            expires_in: members.get("expires_in").cloned(),
            soap_instance_url: json_text(&members, "soap_instance_url")?,
            rest_instance_url: json_text(&members, "rest_instance_url")?,
        })
    }
}

/// The token endpoint's error answer.
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
    message: Option<String>,
}

impl TokenError {
    fn parse(body: &[u8]) -> Result<Self, String> {
        let members = json_object(body)?;
        Ok(Self {
            error: json_text(&members, "error")?,
            error_description: json_text(&members, "error_description")?,
            message: json_text(&members, "message")?,
        })
    }
}

impl OAuth {
    pub(crate) fn new(
        auth_base: &Url,
        client_id: String,
        client_secret: SecretString,
        account_id: Option<i64>,
        scope: Option<String>,
        sharing: TokenSharing,
    ) -> Result<Self, Error> {
        let base = auth_base.as_str().trim_end_matches('/');
        let token_url = check_url(&format!("{base}/v2/token"), "token URL")?;
        let key = TokenKey::new(token_url.as_str(), &client_id, account_id, scope.as_deref());
        Ok(Self {
            token_url,
            client_id,
            client_secret,
            account_id,
            scope,
            key,
            sharing,
            state: tokio::sync::Mutex::new(TokenState::default()),
            current: std::sync::RwLock::new(None),
        })
    }

    /// The cached token if it is fresh (before its refresh time).
    fn fresh(&self) -> Option<Arc<Token>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_at)
            .map(Arc::clone)
    }

    fn set_current(&self, token: Option<Arc<Token>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = token;
    }

    pub(crate) fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// The token store.
    pub(crate) fn store(&self) -> &dyn TokenStore {
        &*self.sharing.store
    }

    /// Logs a token store problem (never a failure of the call: the token is fetched directly).
    fn store_warning(&self, doing: &str, error: &StoreError) {
        tracing::warn!(
            target: STORE_TARGET,
            key = %self.key.as_str(),
            error = %error,
            "the token store failed {doing}; going on without it"
        );
    }

    /// A store operation, bounded by the store timeout.
    async fn bounded<T>(
        &self,
        wait: Duration,
        operation: crate::token_store::StoreFuture<'_, T>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(wait, operation).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::new(
                crate::token_store::StoreErrorKind::Unavailable,
                format!("no answer within {} ms", wait.as_millis()),
            )),
        }
    }

    /// A usable token from the store, if it holds one that is fresh; `Err` when the store
    /// failed.
    async fn load_fresh(&self, generation: u64) -> Result<Option<Token>, StoreError> {
        let Some(stored) = self
            .bounded(self.sharing.timeout, self.store().load(&self.key))
            .await?
        else {
            return Ok(None);
        };
        Ok(match Token::from_stored(stored, generation) {
            Ok(Some(token)) if token.is_fresh() => {
                tracing::debug!(key = %self.key.as_str(), "token from the token store");
                Some(token)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(
                    target: STORE_TARGET,
                    key = %self.key.as_str(),
                    error = %e,
                    "the stored token's instance URL is refused; not using the token"
                );
                None
            }
        })
    }

    /// A token from the store (fresh), or fetched from the endpoint (and saved) by one requester
    /// of all that share the store; the others wait for the store's refresh lock, then find it.
    async fn obtain(
        &self,
        transport: &Transport,
        policy: &RetryPolicy,
        generation: u64,
    ) -> Result<Token, Error> {
        match self.load_fresh(generation).await {
            Ok(Some(token)) => return Ok(token),
            Ok(None) => {}
            Err(e) => {
                // Unreachable, slow or unsafe: not asked again for this token.
                self.store_warning("reading the token", &e);
                return self.fetch(transport, policy, generation).await;
            }
        }
        let wait = self.sharing.lock_wait;
        let lock = match self
            .bounded(
                wait + self.sharing.timeout,
                self.store().lock(&self.key, wait),
            )
            .await
        {
            Ok(Some(lock)) => {
                // Someone may have refreshed while this waited for the lock.
                if let Ok(Some(token)) = self.load_fresh(generation).await {
                    self.release(lock).await;
                    return Ok(token);
                }
                Some(lock)
            }
            Ok(None) => {
                tracing::warn!(
                    target: STORE_TARGET,
                    key = %self.key.as_str(),
                    wait_ms = wait.as_millis() as u64,
                    "the token store's refresh lock was not free in time; fetching a token directly"
                );
                if let Ok(Some(token)) = self.load_fresh(generation).await {
                    return Ok(token);
                }
                None
            }
            Err(e) => {
                self.store_warning("taking the refresh lock", &e);
                None
            }
        };
        let fetched = self.fetch(transport, policy, generation).await;
        if let Ok(token) = &fetched {
            if let Err(e) = self
                .bounded(
                    self.sharing.timeout,
                    self.store().save(&self.key, &token.stored),
                )
                .await
            {
                self.store_warning("saving the token", &e);
            }
        }
        if let Some(lock) = lock {
            self.release(lock).await;
        }
        fetched
    }

    async fn release(&self, lock: Box<dyn crate::token_store::RefreshLock>) {
        if let Err(e) = self.bounded(self.sharing.timeout, lock.release()).await {
            self.store_warning("releasing the refresh lock", &e);
        }
    }

    /// A valid token: the cached one while it is fresh, else a new one. However many calls ask
    /// at once, one of them fetches and the others wait for (and share) its result.
    pub(crate) async fn token(
        &self,
        transport: &Transport,
        policy: &RetryPolicy,
    ) -> Result<Arc<Token>, Error> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let asked = Instant::now();
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if let Some(t) = &state.token {
            // Fresh, or fetched for this very wait (a very short lifetime must not make every
            // waiting call fetch again).
            if now < t.refresh_at || (t.fetched_at >= asked && now < t.expires_at) {
                return Ok(Arc::clone(t));
            }
        }
        if let Some((at, error)) = &state.failure {
            if *at >= asked {
                return Err(error.clone());
            }
        }
        let generation = state.generation + 1;
        match self.obtain(transport, policy, generation).await {
            Ok(token) => {
                let token = Arc::new(token);
                state.generation = generation;
                state.token = Some(Arc::clone(&token));
                state.failure = None;
                self.set_current(Some(Arc::clone(&token)));
                Ok(token)
            }
            Err(error) => {
                state.token = None;
                state.failure = Some((Instant::now(), error.clone()));
                self.set_current(None);
                Err(error)
            }
        }
    }

    /// The cached token, if any (without fetching one).
    pub(crate) fn current(&self) -> Option<Arc<Token>> {
        // `current` mirrors `state.token` (both change together, under the state's lock).
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets `token` (the service said it expired), here and in the store. A newer token is
    /// kept, so many calls (and processes) failing with the same old token cause one refresh.
    pub(crate) async fn invalidate(&self, token: &Token) {
        let mut state = self.state.lock().await;
        if state
            .token
            .as_ref()
            .is_some_and(|t| t.generation == token.generation)
        {
            state.token = None;
            self.set_current(None);
            match self
                .bounded(
                    self.sharing.timeout,
                    self.store().invalidate(&self.key, &token.stored),
                )
                .await
            {
                Ok(removed) => {
                    tracing::debug!(key = %self.key.as_str(), removed, "stored token invalidated")
                }
                Err(e) => self.store_warning("invalidating the token", &e),
            }
        }
    }

    async fn fetch(
        &self,
        transport: &Transport,
        policy: &RetryPolicy,
        generation: u64,
    ) -> Result<Token, Error> {
        let span = tracing::info_span!(
            "partnerapi.token",
            url = %self.token_url,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async {
            let mut body = serde_json::Map::new();
            body.insert("grant_type".into(), "client_credentials".into());
            body.insert("client_id".into(), self.client_id.clone().into());
            body.insert(
                "client_secret".into(),
                self.client_secret.expose_secret().into(),
            );
            if let Some(mid) = self.account_id {
                body.insert("account_id".into(), mid.into());
            }
            if let Some(scope) = &self.scope {
                body.insert("scope".into(), scope.clone().into());
            }
            let body = serde_json::Value::Object(body).to_string().into_bytes();
            let mut attempt = 1;
            loop {
                tracing::Span::current().record("attempt", attempt);
                let started = Instant::now();
                let result = self
                    .fetch_once(transport, body.clone(), generation)
                    .await
                    .map_err(|mut failure| {
                        failure.error.redact(&[self.client_secret.expose_secret()]);
                        failure
                    });
                let elapsed = started.elapsed();
                match result {
                    Ok(token) => {
                        tracing::debug!(duration_ms = elapsed.as_millis() as u64, "token obtained");
                        return Ok(token);
                    }
                    Err(failure) => {
                        attempt += 1;
                        match policy.delay(attempt, failure.class, Repeat::ReadOnly) {
                            Some(wait) => {
                                tracing::warn!(
                                    error = %failure.error.report(),
                                    wait_ms = wait.as_millis() as u64,
                                    "token request failed; trying again"
                                );
                                tokio::time::sleep(wait).await;
                            }
                            None => {
                                tracing::warn!(
                                    error = %failure.error.report(),
                                    "token request failed"
                                );
                                return Err(failure.error);
                            }
                        }
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn fetch_once(
        &self,
        transport: &Transport,
        body: Vec<u8>,
        generation: u64,
    ) -> Result<Token, Failure> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let reply = transport
            .post(
                &self.token_url,
                "token request",
                headers,
                body,
                TOKEN_BODY_CAP.min(transport.max_response_bytes),
            )
            .await?;
        tracing::Span::current().record("status", reply.status);
        if reply.is_success() {
            return self.read_token(&reply, generation).map_err(Failure::never);
        }
        let secrets = [self.client_secret.expose_secret()];
        match reply.status {
            400 | 401 | 403 => Err(Failure::never(Error::auth_failed(
                format!(
                    "the token endpoint {} answered HTTP {}: {}",
                    redact_url(&self.token_url),
                    reply.status,
                    self.error_text(&reply)
                ),
                Some(reply.status),
            ))),
            status => Err(Failure {
                error: Error::http_status(
                    status,
                    redact_url(&self.token_url),
                    reply.excerpt(&secrets),
                ),
                class: reply.retry_class(),
            }),
        }
    }

    /// The endpoint's error (`error: error_description`), or an excerpt of its answer.
    fn error_text(&self, reply: &Reply) -> String {
        let secret = self.client_secret.expose_secret();
        let text = match TokenError::parse(&reply.body) {
            Ok(e) if e.error.is_some() || e.error_description.is_some() || e.message.is_some() => {
                [e.error, e.error_description.or(e.message)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ")
            }
            _ => reply
                .excerpt(&[secret])
                .unwrap_or_else(|| "no explanation given".into()),
        };
        // Masked before it is cut: a secret cannot end the text half shown.
        let mut text = text;
        mask(&mut text, &[secret]);
        text.chars().take(300).collect()
    }

    fn read_token(&self, reply: &Reply, generation: u64) -> Result<Token, Error> {
        let answer = TokenAnswer::parse(&reply.body).map_err(|e| {
            Error::auth_failed(
                format!(
                    "the token endpoint {} answered HTTP {} with no usable token ({}; expected \
                     JSON with access_token, expires_in and soap_instance_url)",
                    redact_url(&self.token_url),
                    reply.status,
                    e
                ),
                None,
            )
        })?;
        if answer.access_token.trim().is_empty() {
            return Err(Error::auth_failed(
                format!(
                    "the token endpoint {} answered with an empty access_token",
                    redact_url(&self.token_url)
                ),
                None,
            ));
        }
        if let Some(kind) = answer.token_type.as_deref() {
            if !kind.eq_ignore_ascii_case("bearer") {
                tracing::debug!(token_type = kind, "unexpected token_type; using it anyway");
            }
        }
        let lifetime = answer
            .expires_in
            .as_ref()
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .map_or(DEFAULT_LIFETIME, Duration::from_secs)
            .min(MAX_LIFETIME);
        let soap_endpoint = answer
            .soap_instance_url
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(soap_endpoint_from_instance_url)
            .transpose()?;
        let margin = refresh_margin(lifetime);
        let fetched_at = Instant::now();
        let issued_at = SystemTime::now();
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            soap_endpoint = soap_endpoint.as_ref().map(Url::as_str),
            "token answer read"
        );
        Ok(Token {
            stored: StoredToken {
                access_token: SecretString::from(answer.access_token),
                issued_at,
                expires_at: issued_at + lifetime,
                soap_instance_url: answer.soap_instance_url,
                rest_instance_url: answer.rest_instance_url,
            },
            soap_endpoint,
            fetched_at,
            refresh_at: fetched_at + lifetime.saturating_sub(margin),
            expires_at: fetched_at + lifetime,
            margin,
            generation,
            from_store: false,
        })
    }
}

/// `{soap_instance_url}Service.asmx`, checked like any endpoint (https, or http to loopback).
fn soap_endpoint_from_instance_url(raw: &str) -> Result<Url, Error> {
    let base = check_url(raw, "soap_instance_url from the token endpoint")?;
    if base.path().to_ascii_lowercase().ends_with(".asmx") {
        return Ok(base);
    }
    let mut with_slash = base.clone();
    if !base.path().ends_with('/') {
        with_slash.set_path(&format!("{}/", base.path()));
    }
    let url = with_slash.join("Service.asmx").map_err(|e| {
        Error::config(format!(
            "the soap_instance_url from the token endpoint cannot be extended: {e}"
        ))
    })?;
    crate::transport::check_parsed_url(url, "SOAP endpoint")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a token of `lifetime` is near its expiry `age` after it was fetched.
    fn near(lifetime: Duration, age: Duration) -> bool {
        let t = token(lifetime);
        t.near_expiry_at(t.fetched_at + age)
    }

    fn token(lifetime: Duration) -> Token {
        let fetched_at = Instant::now();
        let margin = refresh_margin(lifetime);
        Token {
            stored: StoredToken {
                access_token: SecretString::from(String::from("t")),
                issued_at: SystemTime::now(),
                expires_at: SystemTime::now() + lifetime,
                soap_instance_url: None,
                rest_instance_url: None,
            },
            soap_endpoint: None,
            fetched_at,
            refresh_at: fetched_at + lifetime.saturating_sub(margin),
            expires_at: fetched_at + lifetime,
            margin,
            generation: 1,
            from_store: false,
        }
    }

    #[test]
    fn near_expiry_is_within_twice_the_margin() {
        let lifetime = Duration::from_secs(1080);
        assert!(!near(lifetime, Duration::from_secs(10)));
        assert!(!near(lifetime, Duration::from_secs(950)));
        assert!(near(lifetime, Duration::from_secs(970)));
        let short = Duration::from_secs(100);
        assert!(!near(short, Duration::from_secs(70)));
        assert!(near(short, Duration::from_secs(85)));
        assert!(!token(lifetime).near_expiry());
    }

    #[test]
    fn instance_url_becomes_endpoint() {
        let e = |s: &str| soap_endpoint_from_instance_url(s).map(|u| u.to_string());
        assert_eq!(
            e("https://mc1.soap.marketingcloudapis.com/")
                .ok()
                .as_deref(),
            Some("https://mc1.soap.marketingcloudapis.com/Service.asmx")
        );
        assert_eq!(
            e("https://mc1.soap.marketingcloudapis.com").ok().as_deref(),
            Some("https://mc1.soap.marketingcloudapis.com/Service.asmx")
        );
        assert_eq!(
            e("http://127.0.0.1:9/x/Service.asmx").ok().as_deref(),
            Some("http://127.0.0.1:9/x/Service.asmx")
        );
        let refused = soap_endpoint_from_instance_url("http://mc1.soap.example.com/");
        assert!(refused.is_err_and(|e| e.is_config()));
    }
}
