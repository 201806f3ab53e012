//! [`RedisTokenStore`]: one OAuth token shared by every process and host that reaches one Redis
//! (feature `redis`).
//!
//! What it keeps, for a [`TokenKey`] whose identifier is `ID`:
//!
//! - `sfmc:token:ID`: the token record ([`StoredToken::to_record`]: JSON with the key's values,
//!   the access token, its times and instance URLs, never the client secret) plus a
//!   `fingerprint` of the access token, set with a time to live (`PX`) that ends at the token's
//!   refresh time (its expiry minus the client's refresh margin), so Redis drops it when the
//!   clients would stop using it;
//! - `sfmc:token:ID:lock`: the refresh lock while one requester fetches a token, a random value
//!   set with `SET NX PX` (10 s by default, so that a holder that dies frees it), released
//!   only by its holder (a Lua compare-and-delete).
//!
//! `Token Expired` removes the token only if Redis still holds that very token (a Lua script
//! compares the fingerprints), so a fleet refused with one token makes one refresh.
//!
//! Every Redis operation is bounded (connect and command timeouts). A Redis that is down, slow or
//! answering errors makes the operation fail with a [`StoreError`], which the client logs as a
//! warning before it fetches a token directly: never a failed call. After a connection failure or
//! a timeout the store does not try Redis again for a short pause (5 s by default), so a client
//! pays one timeout, not one per operation.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, RedisError};
use secrecy::{ExposeSecret, SecretString};

use super::{
    RefreshLock, StoreError, StoreErrorKind, StoreFuture, StoredToken, TokenKey, TokenStore,
};
use crate::error::Error;
use crate::secret::mask;

/// Default timeout of connecting to Redis (TCP and the connection's setup commands).
pub const DEFAULT_REDIS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Default timeout of one Redis command.
pub const DEFAULT_REDIS_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
/// Default time to live of the refresh lock (how long a holder that died keeps it).
pub const DEFAULT_REDIS_LOCK_TTL: Duration = Duration::from_secs(10);
/// Default pause after Redis failed (unreachable, timed out), during which it is not tried.
pub const DEFAULT_REDIS_RETRY_PAUSE: Duration = Duration::from_secs(5);

/// The prefix of every key this store writes.
const KEY_PREFIX: &str = "sfmc:token:";
/// A token with less than this left before its refresh time is not stored.
const MIN_STORED_TTL: Duration = Duration::from_secs(1);
/// Pause between two attempts at a held lock (plus up to as much again, at random).
const LOCK_POLL: Duration = Duration::from_millis(25);

/// Deletes `KEYS[1]` if its value is `ARGV[1]` (a lock released by its holder only).
const RELEASE_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                              return redis.call('DEL', KEYS[1]) else return 0 end";

/// Deletes the token record `KEYS[1]` if its `fingerprint` is `ARGV[1]`.
const INVALIDATE_SCRIPT: &str = "local v = redis.call('GET', KEYS[1]) \
     if not v then return 0 end \
     local ok, record = pcall(cjson.decode, v) \
     if ok and type(record) == 'table' and record['fingerprint'] == ARGV[1] then \
       return redis.call('DEL', KEYS[1]) end \
     return 0";

/// OAuth tokens kept in Redis, shared by every client, process and host using the same Redis
/// (feature `redis`). See the [module](self) docs for the keys, times to live and what happens
/// when Redis is down.
///
/// Configured by a URL, `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (TLS, `rediss://`, is not
/// supported). The password is never shown: not in `Debug`, errors or logs. Clones share one
/// connection.
///
/// ```no_run
/// use sfmc_partnerapi::{token_store::RedisTokenStore, Client};
///
/// # fn demo() -> Result<(), sfmc_partnerapi::Error> {
/// let store = RedisTokenStore::new("redis://127.0.0.1:6379/0")?;
/// let client = Client::builder()
///     .subdomain("mc563885gzs27c5t9-63k636ttgm")
///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
///     .token_store(store)
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    client: ::redis::Client,
    /// The URL without user info, query or fragment.
    shown_url: String,
    /// The password as written in the URL and decoded, to mask in any text from Redis.
    secrets: Arc<Vec<SecretString>>,
    connect_timeout: Duration,
    command_timeout: Duration,
    lock_ttl: Duration,
    retry_pause: Duration,
    shared: Arc<Shared>,
}

/// What clones share: the connection, and when Redis last failed.
#[derive(Default)]
struct Shared {
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    down_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("url", &self.shown_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("lock_ttl", &self.lock_ttl)
            .field("retry_pause", &self.retry_pause)
            .finish()
    }
}

impl RedisTokenStore {
    /// A store on the Redis at `url` (`redis://HOST[:PORT][/DB]`, with `USER:PASSWORD@` if the
    /// server needs them). Nothing is sent yet: the connection is made at the first use. A URL
    /// that cannot be used is a configuration error (which does not quote the password).
    pub fn new(url: &str) -> Result<Self, Error> {
        let parsed = url::Url::parse(url.trim()).map_err(|e| {
            Error::config(format!(
                "token store URL: {e} (expected redis://HOST:PORT/DB)"
            ))
        })?;
        let shown_url = crate::transport::redact_url(&parsed);
        match parsed.scheme() {
            "redis" => {}
            "rediss" => {
                return Err(Error::config(format!(
                    "token store {shown_url}: rediss:// (TLS) is not supported; use redis:// on a \
                     trusted network or a local TLS tunnel"
                )))
            }
            other => {
                return Err(Error::config(format!(
                    "token store URL: the scheme {other:?} is not supported (expected redis://HOST:PORT/DB)"
                )))
            }
        }
        let mut secrets = Vec::new();
        if let Some(raw) = parsed.password() {
            secrets.push(SecretString::from(raw.to_string()));
            if let Ok(decoded) = percent_decode(raw) {
                secrets.push(SecretString::from(decoded));
            }
        }
        let secrets = Arc::new(secrets);
        let client = ::redis::Client::open(parsed.as_str()).map_err(|e| {
            Error::config(format!(
                "token store {shown_url}: {}",
                masked_text(&e.to_string(), &secrets)
            ))
        })?;
        Ok(Self {
            client,
            shown_url,
            secrets,
            connect_timeout: DEFAULT_REDIS_CONNECT_TIMEOUT,
            command_timeout: DEFAULT_REDIS_COMMAND_TIMEOUT,
            lock_ttl: DEFAULT_REDIS_LOCK_TTL,
            retry_pause: DEFAULT_REDIS_RETRY_PAUSE,
            shared: Arc::default(),
        })
    }

    /// The timeout of connecting to Redis (default 1 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The timeout of one Redis command (default 1 s).
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// The time to live of the refresh lock (default 10 s): a holder that dies keeps it this
    /// long. Keep it above the time a token request takes.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl;
        self
    }

    /// How long Redis is not tried after it failed (unreachable or timed out; default 5 s).
    pub fn retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// The Redis URL without its user name and password.
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// The Redis key of the token for `key` (`sfmc:token:ID`).
    pub fn token_key(key: &TokenKey) -> String {
        format!("{KEY_PREFIX}{}", key.as_str())
    }

    /// The Redis key of the refresh lock for `key` (`sfmc:token:ID:lock`).
    pub fn lock_key(key: &TokenKey) -> String {
        format!("{KEY_PREFIX}{}:lock", key.as_str())
    }

    fn error(&self, kind: StoreErrorKind, doing: &str, what: &str) -> StoreError {
        StoreError::new(
            kind,
            format!(
                "Redis at {}: {doing}: {}",
                self.shown_url,
                masked_text(what, &self.secrets)
            ),
        )
    }

    /// `Err` while Redis is in its pause after a failure.
    fn check_not_down(&self, doing: &str) -> Result<(), StoreError> {
        let down = self
            .shared
            .down_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match *down {
            Some(until) if Instant::now() < until => Err(self.error(
                StoreErrorKind::Unavailable,
                doing,
                "not tried: it failed a moment ago",
            )),
            _ => Ok(()),
        }
    }

    /// Redis failed at the connection level: forget the connection, pause.
    async fn mark_down(&self) {
        *self.shared.connection.lock().await = None;
        *self
            .shared
            .down_until
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + self.retry_pause);
    }

    /// The shared connection, made now if there is none.
    async fn connection(&self, doing: &str) -> Result<MultiplexedConnection, StoreError> {
        self.check_not_down(doing)?;
        let mut slot = self.shared.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.command_timeout));
        // The connection's setup sends commands too (SELECT, AUTH): bounded as a whole.
        let limit = self.connect_timeout + self.command_timeout;
        let made = tokio::time::timeout(
            limit,
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await;
        let failure = match made {
            Ok(Ok(connection)) => {
                *slot = Some(connection.clone());
                return Ok(connection);
            }
            Ok(Err(e)) => self.redis_error(doing, &e),
            Err(_) => self.error(
                StoreErrorKind::Unavailable,
                doing,
                &format!("no connection within {} ms", limit.as_millis()),
            ),
        };
        drop(slot);
        self.mark_down().await;
        Err(failure)
    }

    fn redis_error(&self, doing: &str, e: &RedisError) -> StoreError {
        let kind = if is_connection_level(e) {
            StoreErrorKind::Unavailable
        } else {
            StoreErrorKind::Other
        };
        self.error(kind, doing, &e.to_string())
    }

    /// Runs `cmd`, bounded by the command timeout; a connection-level failure pauses the store.
    async fn query<T: ::redis::FromRedisValue>(
        &self,
        doing: &str,
        cmd: &::redis::Cmd,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection(doing).await?;
        match tokio::time::timeout(self.command_timeout, cmd.query_async::<T>(&mut connection))
            .await
        {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                let error = self.redis_error(doing, &e);
                if error.kind() == StoreErrorKind::Unavailable {
                    self.mark_down().await;
                }
                Err(error)
            }
            Err(_) => {
                self.mark_down().await;
                Err(self.error(
                    StoreErrorKind::Unavailable,
                    doing,
                    &format!("no answer within {} ms", self.command_timeout.as_millis()),
                ))
            }
        }
    }

    async fn load_token(&self, key: &TokenKey) -> Result<Option<StoredToken>, StoreError> {
        let doing = "reading the token";
        let value: Option<Vec<u8>> = self
            .query(doing, ::redis::cmd("GET").arg(Self::token_key(key)))
            .await?;
        let Some(value) = value else {
            return Ok(None);
        };
        match read_entry(key, &value) {
            Ok(token) => Ok(Some(token)),
            Err(e) => {
                tracing::warn!(
                    target: crate::auth::STORE_TARGET,
                    store = %self.shown_url,
                    redis_key = %Self::token_key(key),
                    error = %e,
                    "token store: the Redis entry is not a usable token record; ignored (the next \
                     token fetched replaces it)"
                );
                Ok(None)
            }
        }
    }

    async fn save_token(&self, key: &TokenKey, token: &StoredToken) -> Result<(), StoreError> {
        let doing = "saving the token";
        let lifetime = token.lifetime();
        let keep_until = token
            .expires_at
            .checked_sub(crate::auth::refresh_margin(lifetime))
            .unwrap_or(token.issued_at);
        let ttl = keep_until
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        if ttl < MIN_STORED_TTL {
            // Due for a refresh already: not worth sharing.
            return Ok(());
        }
        let record = entry(key, token).map_err(|e| self.error(StoreErrorKind::Other, doing, &e))?;
        let px = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let _: () = self
            .query(
                doing,
                ::redis::cmd("SET")
                    .arg(Self::token_key(key))
                    .arg(record)
                    .arg("PX")
                    .arg(px),
            )
            .await?;
        Ok(())
    }

    async fn invalidate_token(
        &self,
        key: &TokenKey,
        token: &StoredToken,
    ) -> Result<bool, StoreError> {
        let removed: i64 = self
            .query(
                "invalidating the token",
                ::redis::cmd("EVAL")
                    .arg(INVALIDATE_SCRIPT)
                    .arg(1)
                    .arg(Self::token_key(key))
                    .arg(token.fingerprint()),
            )
            .await?;
        Ok(removed > 0)
    }

    async fn take_lock(
        &self,
        key: &TokenKey,
        wait: Duration,
    ) -> Result<Option<Box<dyn RefreshLock>>, StoreError> {
        let doing = "taking the refresh lock";
        let lock_key = Self::lock_key(key);
        let value = uuid::Uuid::new_v4().simple().to_string();
        let px = u64::try_from(self.lock_ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let deadline = Instant::now() + wait;
        loop {
            let set: Option<String> = self
                .query(
                    doing,
                    ::redis::cmd("SET")
                        .arg(&lock_key)
                        .arg(&value)
                        .arg("NX")
                        .arg("PX")
                        .arg(px),
                )
                .await?;
            if set.is_some() {
                return Ok(Some(Box::new(RedisLock {
                    store: self.clone(),
                    lock_key,
                    value,
                    released: false,
                })));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let jitter = LOCK_POLL.mul_f64(fastrand::f64());
            tokio::time::sleep((LOCK_POLL + jitter).min(left)).await;
        }
    }

    async fn release_lock(&self, lock_key: &str, value: &str) -> Result<(), StoreError> {
        let _: i64 = self
            .query(
                "releasing the refresh lock",
                ::redis::cmd("EVAL")
                    .arg(RELEASE_SCRIPT)
                    .arg(1)
                    .arg(lock_key)
                    .arg(value),
            )
            .await?;
        Ok(())
    }
}

/// Whether `e` says the connection failed or broke (rather than a command refused).
fn is_connection_level(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_refusal()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
}

/// `text` with every secret masked.
fn masked_text(text: &str, secrets: &[SecretString]) -> String {
    let mut text = text.to_string();
    let secrets: Vec<&str> = secrets.iter().map(|s| s.expose_secret()).collect();
    mask(&mut text, &secrets);
    text
}

/// `%XX` decoded (the URL's password as Redis receives it).
fn percent_decode(raw: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
}

/// The Redis value for `token`: its record with the access token's fingerprint added (what
/// [`INVALIDATE_SCRIPT`] compares).
fn entry(key: &TokenKey, token: &StoredToken) -> Result<String, String> {
    let record = token.to_record(key);
    let mut value: serde_json::Value =
        serde_json::from_str(&record).map_err(|e| format!("the token record is not JSON: {e}"))?;
    let members = value
        .as_object_mut()
        .ok_or_else(|| "the token record is not a JSON object".to_string())?;
    members.insert("fingerprint".into(), token.fingerprint().into());
    Ok(value.to_string())
}

/// A Redis value read back: a record for `key` whose fingerprint matches its token.
fn read_entry(key: &TokenKey, value: &[u8]) -> Result<StoredToken, StoreError> {
    let token = StoredToken::from_record(key, value)?;
    let fingerprint = serde_json::from_slice::<serde_json::Value>(value)
        .ok()
        .and_then(|v| {
            v.get("fingerprint")
                .and_then(|f| f.as_str())
                .map(str::to_string)
        });
    if fingerprint.as_deref() != Some(token.fingerprint().as_str()) {
        return Err(StoreError::new(
            StoreErrorKind::Corrupt,
            "the record's fingerprint does not match its token",
        ));
    }
    Ok(token)
}

/// A held refresh lock of a [`RedisTokenStore`].
struct RedisLock {
    store: RedisTokenStore,
    lock_key: String,
    value: String,
    released: bool,
}

impl fmt::Debug for RedisLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLock")
            .field("store", &self.store.shown_url)
            .field("lock_key", &self.lock_key)
            .finish_non_exhaustive()
    }
}

impl RefreshLock for RedisLock {
    fn release(mut self: Box<Self>) -> StoreFuture<'static, ()> {
        self.released = true;
        Box::pin(async move { self.store.release_lock(&self.lock_key, &self.value).await })
    }
}

impl Drop for RedisLock {
    /// Released in the background when a runtime is at hand; else its time to live frees it.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = self.store.clone();
            let lock_key = std::mem::take(&mut self.lock_key);
            let value = std::mem::take(&mut self.value);
            runtime.spawn(async move {
                let _ = store.release_lock(&lock_key, &value).await;
            });
        }
    }
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        Box::pin(self.load_token(key))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        Box::pin(self.save_token(key, token))
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a TokenKey,
        token: &'a StoredToken,
    ) -> StoreFuture<'a, bool> {
        Box::pin(self.invalidate_token(key, token))
    }

    fn lock<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>> {
        Box::pin(self.take_lock(key, wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_never_show_the_password() {
        let store = RedisTokenStore::new("redis://user:p%40ss-w0rd@127.0.0.1:6390/2").unwrap();
        assert_eq!(store.url(), "redis://127.0.0.1:6390/2");
        let shown = format!("{store:?}");
        assert!(!shown.contains("w0rd"), "{shown}");
        let e = store.error(
            StoreErrorKind::Other,
            "x",
            "WRONGPASS p@ss-w0rd p%40ss-w0rd",
        );
        assert!(!e.to_string().contains("w0rd"), "{e}");

        for bad in [
            "rediss://:secret-pw@127.0.0.1:6390/0",
            "http://127.0.0.1:6390/",
            "redis://:secret-pw@127.0.0.1:6390/notanumber",
            "not a url secret-pw",
        ] {
            let e = RedisTokenStore::new(bad).unwrap_err();
            assert!(e.is_config(), "{bad}: {e}");
            assert!(!e.to_string().contains("secret-pw"), "{e}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%2").unwrap(), "a@b%2");
        assert_eq!(percent_decode("%zz").unwrap(), "%zz");
    }

    #[test]
    fn entries_carry_a_fingerprint_that_must_match() {
        let key = TokenKey::new("https://x.example/v2/token", "c", Some(1), None);
        let now = SystemTime::now();
        let token = StoredToken {
            access_token: SecretString::from("tok-1".to_string()),
            issued_at: now,
            expires_at: now + Duration::from_secs(1080),
            soap_instance_url: None,
            rest_instance_url: None,
        };
        let value = entry(&key, &token).unwrap();
        assert!(value.contains(&token.fingerprint()));
        assert!(read_entry(&key, value.as_bytes())
            .unwrap()
            .same_token(&token));
        let forged = value.replace(&token.fingerprint(), &"0".repeat(32));
        let e = read_entry(&key, forged.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), StoreErrorKind::Corrupt);
        let bare = token.to_record(&key);
        assert!(read_entry(&key, bare.as_bytes()).is_err());
    }
}
