//! Where OAuth access tokens are kept, so that calls, processes and hosts reuse one token until it
//! expires instead of asking the token endpoint each time.
//!
//! A [`TokenStore`] keeps [`StoredToken`]s under a [`TokenKey`] (the token URL, client ID,
//! account and scope: never the client secret) and offers a refresh lock, so that of many
//! requesters that find no fresh token, one fetches a new one and the others use it. The client
//! ([`ClientBuilder::token_store`](crate::ClientBuilder::token_store)) asks its store before every
//! token request:
//!
//! 1. a fresh token in the store (before its refresh margin) is used: no token request;
//! 2. otherwise the client takes the store's refresh lock (waiting a bounded time), reads the
//!    store again (another process may have refreshed meanwhile), and only then fetches a token
//!    from the endpoint, saves it and releases the lock;
//! 3. a service answer `Token Expired` removes the token from the store, only if it still holds
//!    that same token, so that N processes refused with one token cause one refresh.
//!
//! A store problem (unreachable, slow, a lock not obtained in time, an unreadable entry) never
//! fails a call: the client logs a warning (without secrets) and fetches a token directly.
//!
//! Stores: [`MemoryTokenStore`] (in-process, the default), [`FileTokenStore`] (one file per key in
//! a private directory, shared by the processes of one user on one machine), and with the feature
//! `redis`, `RedisTokenStore` (module `redis`: shared by every host that reaches one Redis).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};

#[cfg(unix)]
pub mod file;
#[cfg(unix)]
pub use file::FileTokenStore;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "redis")]
pub use self::redis::RedisTokenStore;

/// The future a [`TokenStore`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The longest lifetime a stored token may claim (as for a token answer: 24 hours). A record
/// claiming more is not trusted.
pub const MAX_STORED_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What a token is stored under: the token URL, the client ID, the account (MID) and the scope.
/// Never the client secret.
///
/// [`as_str`](Self::as_str) is a stable identifier of these four values (32 hexadecimal digits,
/// safe as a file name or a Redis key); [`describe`](Self::describe) names them for people.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    token_url: String,
    client_id: String,
    account_id: Option<i64>,
    scope: Option<String>,
    id: String,
}

impl TokenKey {
    /// The key of the token `client_id` gets from `token_url` for account `account_id` with
    /// `scope`.
    pub fn new(
        token_url: &str,
        client_id: &str,
        account_id: Option<i64>,
        scope: Option<&str>,
    ) -> Self {
        let mut hash = Fnv128::new();
        hash.write(b"sfmc-token-key/1");
        hash.field(token_url.as_bytes());
        hash.field(client_id.as_bytes());
        match account_id {
            Some(mid) => hash.field(mid.to_string().as_bytes()),
            None => hash.field(b"-"),
        }
        match scope {
            Some(s) => {
                hash.field(b"scope");
                hash.field(s.as_bytes());
            }
            None => hash.field(b"-"),
        }
        Self {
            token_url: token_url.to_string(),
            client_id: client_id.to_string(),
            account_id,
            scope: scope.map(str::to_string),
            id: format!("{:032x}", hash.finish()),
        }
    }

    /// A stable identifier of the key: 32 lowercase hexadecimal digits (a 128-bit FNV-1a hash of
    /// its four values), the same in every process and release.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The key for people: client ID, account, scope and the token endpoint's host and path.
    pub fn describe(&self) -> String {
        let url = match url::Url::parse(&self.token_url) {
            Ok(u) => crate::transport::redact_url(&u),
            Err(_) => "(unparsable token URL)".to_string(),
        };
        let mut text = format!("client {}", self.client_id);
        if let Some(mid) = self.account_id {
            text.push_str(&format!(", account {mid}"));
        }
        if let Some(scope) = &self.scope {
            text.push_str(&format!(", scope {scope:?}"));
        }
        text.push_str(&format!(", at {url}"));
        text
    }

    /// The token URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The account (MID).
    pub fn account_id(&self) -> Option<i64> {
        self.account_id
    }

    /// The scope.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("id", &self.id)
            .field("describe", &self.describe())
            .finish()
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// FNV-1a, 128 bits: small, stable across releases and platforms (std's `DefaultHasher` is not).
/// Not a cryptographic hash: it names keys and compares tokens, it protects nothing.
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    fn new() -> Self {
        Self(Self::OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// A length-prefixed field: `("ab", "c")` and `("a", "bc")` hash apart.
    fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }

    fn finish(&self) -> u128 {
        self.0
    }
}

/// A token as stored: the access token, when it was issued and expires, and the instance URLs
/// the token answer named. Never the client secret. `Debug` shows no token.
#[derive(Clone)]
pub struct StoredToken {
    /// The access token.
    pub access_token: SecretString,
    /// When the token endpoint issued it (by this host's clock).
    pub issued_at: SystemTime,
    /// When it runs out.
    pub expires_at: SystemTime,
    /// The token answer's `soap_instance_url`.
    pub soap_instance_url: Option<String>,
    /// The token answer's `rest_instance_url`.
    pub rest_instance_url: Option<String>,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("access_token", &"[REDACTED]")
            .field("issued_at", &unix_millis(self.issued_at))
            .field("expires_at", &unix_millis(self.expires_at))
            .field("soap_instance_url", &self.soap_instance_url)
            .field("rest_instance_url", &self.rest_instance_url)
            .finish()
    }
}

/// The format name of a stored record ([`StoredToken::to_record`]).
const RECORD_FORMAT: &str = "sfmc-partnerapi token/1";

impl StoredToken {
    /// A digest of the access token (32 hexadecimal digits), to tell two tokens apart without
    /// keeping or comparing the tokens themselves. Not a secret-preserving hash: do not show it.
    pub fn fingerprint(&self) -> String {
        let mut hash = Fnv128::new();
        hash.write(b"sfmc-token-fingerprint/1");
        hash.field(self.access_token.expose_secret().as_bytes());
        format!("{:032x}", hash.finish())
    }

    /// Whether `self` and `other` hold the same access token.
    pub fn same_token(&self, other: &StoredToken) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
    }

    /// The lifetime the token was issued with.
    pub fn lifetime(&self) -> Duration {
        self.expires_at
            .duration_since(self.issued_at)
            .unwrap_or(Duration::ZERO)
    }

    /// The record a store keeps for this token under `key`: one line of JSON with a format name,
    /// the key's four values (so that a record is never used for another key), the access token,
    /// the times (milliseconds since the Unix epoch) and the instance URLs. It holds the access
    /// token: keep it as privately as the token. It never holds the client secret.
    pub fn to_record(&self, key: &TokenKey) -> String {
        let mut key_members = serde_json::Map::new();
        key_members.insert("id".into(), key.id.clone().into());
        key_members.insert("token_url".into(), key.token_url.clone().into());
        key_members.insert("client_id".into(), key.client_id.clone().into());
        key_members.insert("account_id".into(), key.account_id.into());
        key_members.insert("scope".into(), key.scope.clone().into());
        let mut members = serde_json::Map::new();
        members.insert("format".into(), RECORD_FORMAT.into());
        members.insert("key".into(), serde_json::Value::Object(key_members));
        members.insert(
            "access_token".into(),
            self.access_token.expose_secret().into(),
        );
        members.insert("issued_at".into(), unix_millis(self.issued_at).into());
        members.insert("expires_at".into(), unix_millis(self.expires_at).into());
        members.insert(
            "soap_instance_url".into(),
            self.soap_instance_url.clone().into(),
        );
        members.insert(
            "rest_instance_url".into(),
            self.rest_instance_url.clone().into(),
        );
        serde_json::Value::Object(members).to_string()
    }

    /// Reads a record written by [`to_record`](Self::to_record) for `key`. A text that is not
    /// such a record ([`StoreErrorKind::Corrupt`]), or a record for another key
    /// ([`StoreErrorKind::OtherKey`]), is an error; the error never quotes the record.
    pub fn from_record(key: &TokenKey, record: &[u8]) -> Result<StoredToken, StoreError> {
        let corrupt = |what: &str| StoreError::new(StoreErrorKind::Corrupt, what.to_string());
        let value: serde_json::Value = serde_json::from_slice(record).map_err(|e| {
            corrupt(&format!(
                "not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let members = value
            .as_object()
            .ok_or_else(|| corrupt("not a JSON object"))?;
        if members.get("format").and_then(|v| v.as_str()) != Some(RECORD_FORMAT) {
            return Err(corrupt("not a token record of this format"));
        }
        let stored_key = members
            .get("key")
            .and_then(|v| v.as_object())
            .ok_or_else(|| corrupt("no key"))?;
        let text = |m: &serde_json::Map<String, serde_json::Value>, name: &str| match m.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(corrupt(&format!("`{name}` is not a string"))),
        };
        let account_id = match stored_key.get("account_id") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| corrupt("`account_id` is not an integer"))?,
            ),
        };
        let same_key = text(stored_key, "id")?.as_deref() == Some(key.as_str())
            && text(stored_key, "token_url")?.as_deref() == Some(key.token_url())
            && text(stored_key, "client_id")?.as_deref() == Some(key.client_id())
            && account_id == key.account_id()
            && text(stored_key, "scope")?.as_deref() == key.scope();
        if !same_key {
            return Err(StoreError::new(
                StoreErrorKind::OtherKey,
                "the record is for another client, account, scope or token URL",
            ));
        }
        let access_token = text(members, "access_token")?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| corrupt("no access token"))?;
        let time = |name: &str| {
            members
                .get(name)
                .and_then(|v| v.as_u64())
                .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
                .ok_or_else(|| corrupt(&format!("`{name}` is not a time")))
        };
        let issued_at = time("issued_at")?;
        let expires_at = time("expires_at")?;
        let lifetime = expires_at
            .duration_since(issued_at)
            .map_err(|_| corrupt("the token expires before it was issued"))?;
        if lifetime > MAX_STORED_LIFETIME {
            return Err(corrupt("the token claims a lifetime of more than 24 hours"));
        }
        Ok(StoredToken {
            access_token: SecretString::from(access_token),
            issued_at,
            expires_at,
            soap_instance_url: text(members, "soap_instance_url")?,
            rest_instance_url: text(members, "rest_instance_url")?,
        })
    }
}

/// Milliseconds since the Unix epoch (0 before it).
fn unix_millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What went wrong with a token store. Its text names the store and the problem, never a token
/// or a secret.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The kind of a [`StoreError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// Reading or writing the store failed (a file system error, a lost connection).
    Io,
    /// The store cannot be reached or does not answer in time.
    Unavailable,
    /// The store is not safe to use (a directory others can read or write, owned by another
    /// user).
    Unsafe,
    /// An entry is not a token record (truncated, another shape).
    Corrupt,
    /// An entry is a record for another key.
    OtherKey,
    /// Anything else.
    Other,
}

impl StoreError {
    /// An error of `kind`; `message` must hold no token or secret.
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same error with `source` as its cause (which must not hold a token or secret either).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The message, without its cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token store: {}", self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A place OAuth tokens are kept in, shared by clients, processes or hosts; see the
/// [module](self) docs for how the client uses it.
///
/// Methods return boxed futures, so a store is an object (`Arc<dyn TokenStore>`).
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token stored for `key`, fresh or not (the client judges), or `None`. An entry that
    /// cannot be trusted (unreadable, for another key) is `None`, after a warning: never an
    /// error, so that it is replaced by the next [`save`](Self::save).
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>>;

    /// Stores `token` for `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()>;

    /// Removes the token for `key` if it is still `token` (the service refused `token`; a newer
    /// one someone saved since is kept). `true` when it was removed.
    fn invalidate<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken)
        -> StoreFuture<'a, bool>;

    /// The refresh lock for `key`, waiting at most `wait` for it: `Some` when it is held (until
    /// [`RefreshLock::release`] or drop), `None` when `wait` passed. At most one holder at a time
    /// across everything sharing the store; a holder that dies must not keep it forever.
    fn lock<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>>;
}

/// A held refresh lock ([`TokenStore::lock`]). Dropping it releases it too (as well as it can
/// without waiting); [`release`](Self::release) releases it and says whether that worked.
pub trait RefreshLock: Send + Sync + fmt::Debug {
    /// Releases the lock.
    fn release(self: Box<Self>) -> StoreFuture<'static, ()>;
}

impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        (**self).load(key)
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        (**self).save(key, token)
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a TokenKey,
        token: &'a StoredToken,
    ) -> StoreFuture<'a, bool> {
        (**self).invalidate(key, token)
    }

    fn lock<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>> {
        (**self).lock(key, wait)
    }
}

/// Tokens kept in this process's memory: the default store of a client. Clones share the same
/// tokens, so clients built with clones of one `MemoryTokenStore` share a token per key.
#[derive(Clone, Default)]
pub struct MemoryTokenStore {
    inner: Arc<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    tokens: Mutex<HashMap<String, StoredToken>>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredToken>> {
        self.inner.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore")
            .field("tokens", &self.tokens().len())
            .finish()
    }
}

/// A held lock of a [`MemoryTokenStore`].
struct MemoryLock(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

impl fmt::Debug for MemoryLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryLock")
    }
}

impl RefreshLock for MemoryLock {
    fn release(self: Box<Self>) -> StoreFuture<'static, ()> {
        drop(self);
        Box::pin(async { Ok(()) })
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        let token = self.tokens().get(key.as_str()).cloned();
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        self.tokens()
            .insert(key.as_str().to_string(), token.clone());
        Box::pin(async { Ok(()) })
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a TokenKey,
        token: &'a StoredToken,
    ) -> StoreFuture<'a, bool> {
        let mut tokens = self.tokens();
        let same = tokens
            .get(key.as_str())
            .is_some_and(|stored| stored.same_token(token));
        if same {
            tokens.remove(key.as_str());
        }
        Box::pin(async move { Ok(same) })
    }

    fn lock<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>> {
        let mutex = {
            let mut locks = self.inner.locks.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(locks.entry(key.as_str().to_string()).or_default())
        };
        Box::pin(async move {
            match tokio::time::timeout(wait, mutex.lock_owned()).await {
                Ok(guard) => Ok(Some(Box::new(MemoryLock(guard)) as Box<dyn RefreshLock>)),
                Err(_) => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new(
            "https://x.auth.marketingcloudapis.com/v2/token",
            "client",
            Some(12345),
            Some("email_read"),
        )
    }

    fn token(text: &str) -> StoredToken {
        let issued_at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        StoredToken {
            access_token: SecretString::from(text.to_string()),
            issued_at,
            expires_at: issued_at + Duration::from_secs(1080),
            soap_instance_url: Some("https://x.soap.marketingcloudapis.com/".into()),
            rest_instance_url: None,
        }
    }

    #[test]
    fn fnv1a_128_matches_its_reference() {
        let mut h = Fnv128::new();
        assert_eq!(h.finish(), 0x6c62272e07bb014262b821756295c58d);
        h.write(b"a");
        assert_eq!(h.finish(), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn keys_are_stable_and_tell_every_value_apart() {
        let k = key();
        // The same in every process and release: pinned.
        assert_eq!(k.as_str(), "8e21b5bdda4990f6b652a19d92b9ca72");
        assert_eq!(k.as_str().len(), 32);
        assert!(k.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        let url = "https://x.auth.marketingcloudapis.com/v2/token";
        let others = [
            TokenKey::new(
                "https://y.auth.marketingcloudapis.com/v2/token",
                "client",
                Some(12345),
                Some("email_read"),
            ),
            TokenKey::new(url, "client2", Some(12345), Some("email_read")),
            TokenKey::new(url, "client", Some(12346), Some("email_read")),
            TokenKey::new(url, "client", None, Some("email_read")),
            TokenKey::new(url, "client", Some(12345), None),
            TokenKey::new(url, "client", Some(12345), Some("")),
        ];
        for other in &others {
            assert_ne!(other.as_str(), k.as_str(), "{other:?}");
        }
        assert_eq!(
            k.describe(),
            "client client, account 12345, scope \"email_read\", at https://x.auth.marketingcloudapis.com/v2/token"
        );
    }

    #[test]
    fn records_read_back_for_their_key_only() {
        let k = key();
        let t = token("tok-1");
        let record = t.to_record(&k);
        assert!(!format!("{t:?}").contains("tok-1"));
        let back = StoredToken::from_record(&k, record.as_bytes()).unwrap();
        assert!(back.same_token(&t));
        assert_eq!(back.expires_at, t.expires_at);
        assert_eq!(back.issued_at, t.issued_at);
        assert_eq!(back.soap_instance_url, t.soap_instance_url);
        assert_eq!(back.fingerprint(), t.fingerprint());
        assert_ne!(token("tok-2").fingerprint(), t.fingerprint());

        let other = TokenKey::new(k.token_url(), "client", Some(99), k.scope());
        let e = StoredToken::from_record(&other, record.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), StoreErrorKind::OtherKey);

        for bad in [
            &record[..record.len() / 2],
            "",
            "[1,2]",
            "{\"access_token\":\"tok-1\"}",
            &record.replace("1800001080000", "1900001080000"),
            &record.replace("1800001080000", "1700001080000"),
        ] {
            let e = StoredToken::from_record(&k, bad.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), StoreErrorKind::Corrupt, "{bad}");
            assert!(!e.to_string().contains("tok-1"), "{e}");
        }
    }

    #[tokio::test]
    async fn memory_store_invalidates_only_the_same_token() {
        let store = MemoryTokenStore::new();
        let k = key();
        assert!(store.load(&k).await.unwrap().is_none());
        store.save(&k, &token("tok-1")).await.unwrap();
        assert!(!store.invalidate(&k, &token("tok-0")).await.unwrap());
        let shared = store.clone();
        assert!(shared
            .load(&k)
            .await
            .unwrap()
            .unwrap()
            .same_token(&token("tok-1")));
        assert!(store.invalidate(&k, &token("tok-1")).await.unwrap());
        assert!(shared.load(&k).await.unwrap().is_none());
        store.save(&k, &token("tok-1")).await.unwrap();
        assert!(!format!("{store:?}").contains("tok-1"));
    }

    #[tokio::test]
    async fn memory_lock_is_single_flight_with_a_bounded_wait() {
        let store = MemoryTokenStore::new();
        let k = key();
        let held = store.lock(&k, Duration::from_secs(1)).await.unwrap();
        assert!(held.is_some());
        let waited = store.lock(&k, Duration::from_millis(20)).await.unwrap();
        assert!(waited.is_none(), "a second holder while the first holds it");
        held.unwrap().release().await.unwrap();
        let again = store.lock(&k, Duration::from_secs(5)).await.unwrap();
        assert!(again.is_some());
        drop(again);
        assert!(store
            .lock(&k, Duration::from_secs(5))
            .await
            .unwrap()
            .is_some());
    }
}
