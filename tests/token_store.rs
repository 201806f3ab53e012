//! The token store in the OAuth flow: clients sharing a store make one token request, use a
//! fresh stored token without asking, refresh once when the service refuses the stored token,
//! and go on without a store that fails, hangs or keeps its lock.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{oauth_builder, oauth_server, perform_ok, Reply, Server};
use secrecy::{ExposeSecret, SecretString};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::token_store::{
    RefreshLock, StoreError, StoreErrorKind, StoreFuture, StoredToken, TokenKey,
};
use sfmc_partnerapi::{Client, MemoryTokenStore, TokenStore};

/// The key the clients of [`oauth_builder`] use.
fn key_of(server: &Server) -> TokenKey {
    TokenKey::new(
        &server.url("/v2/token"),
        "my-client",
        Some(518000123),
        Some("email_read email_write"),
    )
}

fn stored(token: &str, lifetime: Duration, soap_instance_url: &str) -> StoredToken {
    let issued_at = SystemTime::now();
    StoredToken {
        access_token: SecretString::from(token.to_string()),
        issued_at,
        expires_at: issued_at + lifetime,
        soap_instance_url: Some(soap_instance_url.to_string()),
        rest_instance_url: None,
    }
}

fn client_with(server: &Server, store: impl TokenStore + 'static) -> Client {
    oauth_builder(server)
        .token_store(store)
        .build()
        .expect("client builds")
}

/// The `fueloauth` tokens of the SOAP requests, in order.
fn soap_tokens(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path != "/v2/token")
        .filter_map(|r| r.fueloauth())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_store_make_one_token_request() {
    let (server, _) = oauth_server(1080, Duration::from_millis(100), perform_ok).await;
    let store = MemoryTokenStore::new();
    // Twenty clients, each with its own in-process cache, one store.
    let clients: Vec<_> = (0..20)
        .map(|_| client_with(&server, store.clone()))
        .collect();
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.clone();
            tokio::spawn(async move { c.cancel_send(i as i64).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap().ok);
    }
    assert_eq!(server.hits("/v2/token"), 1);
    let saved = store.load(&key_of(&server)).await.unwrap().unwrap();
    assert_eq!(saved.access_token.expose_secret(), "tok-1");
    assert_eq!(
        saved.soap_instance_url.as_deref(),
        Some(&*server.url("/soap/"))
    );
    assert_eq!(
        saved.rest_instance_url.as_deref(),
        Some("https://example.invalid/")
    );
    assert!(soap_tokens(&server).iter().all(|t| t == "tok-1"));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_file_store_make_one_token_request() {
    use sfmc_partnerapi::token_store::FileTokenStore;
    use std::os::unix::fs::PermissionsExt as _;
    let (server, _) = oauth_server(1080, Duration::from_millis(50), perform_ok).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tokens");
    // Separate store values on one directory: what separate processes have.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let client = client_with(&server, FileTokenStore::new(&dir));
            tokio::spawn(async move { client.cancel_send(i).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap().ok);
    }
    assert_eq!(server.hits("/v2/token"), 1);
    let file = FileTokenStore::new(&dir).token_path(&key_of(&server));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("tok-1"));
    assert!(!text.contains("client-s3cr3t"));
}

#[tokio::test]
async fn a_fresh_stored_token_is_used_without_a_token_request() {
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let store = MemoryTokenStore::new();
    let key = key_of(&server);
    let soap = server.url("/soap/");
    store
        .save(&key, &stored("from-store", Duration::from_secs(600), &soap))
        .await
        .unwrap();
    // A token for another account in the same store is not this client's.
    let other = TokenKey::new(key.token_url(), "my-client", Some(1), key.scope());
    store
        .save(
            &other,
            &stored("other-account", Duration::from_secs(600), &soap),
        )
        .await
        .unwrap();
    let client = client_with(&server, store.clone());
    assert!(client.cancel_send(1).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 0);
    assert_eq!(soap_tokens(&server), vec!["from-store"]);
    // The endpoint came from the stored soap_instance_url.
    assert_eq!(server.hits("/soap/Service.asmx"), 1);
}

#[tokio::test]
async fn a_stored_token_near_or_past_its_end_is_replaced() {
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let soap = server.url("/soap/");
    let key = key_of(&server);
    // Expired an hour ago; or within its refresh margin (10 s left of 600).
    let mut expired = stored("expired", Duration::from_secs(600), &soap);
    expired.issued_at -= Duration::from_secs(4200);
    expired.expires_at -= Duration::from_secs(4200);
    let mut ending = stored("ending", Duration::from_secs(600), &soap);
    ending.issued_at -= Duration::from_secs(590);
    ending.expires_at -= Duration::from_secs(590);
    for old in [expired, ending] {
        let store = MemoryTokenStore::new();
        store.save(&key, &old).await.unwrap();
        let before = server.hits("/v2/token");
        let client = client_with(&server, store.clone());
        assert!(client.cancel_send(1).await.unwrap().ok);
        assert_eq!(server.hits("/v2/token"), before + 1);
        let now = store.load(&key).await.unwrap().unwrap();
        assert!(!now.same_token(&old), "the new token is saved");
    }
}

#[tokio::test]
async fn a_stored_token_with_a_refused_instance_url_is_not_used() {
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let store = MemoryTokenStore::new();
    // Plain http to a host that is not loopback: refused like a token answer naming it.
    store
        .save(
            &key_of(&server),
            &stored("planted", Duration::from_secs(600), "http://example.com/"),
        )
        .await
        .unwrap();
    let client = client_with(&server, store);
    assert!(client.cancel_send(1).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 1);
    assert_eq!(soap_tokens(&server), vec!["tok-1"]);
}

#[tokio::test]
async fn token_expired_across_clients_causes_one_refresh() {
    let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
        if r.fueloauth().as_deref() == Some("old") {
            Reply::fault(&Fault::new("soap:Client", "Token Expired"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let store = MemoryTokenStore::new();
    let key = key_of(&server);
    // The store holds a token the service now refuses.
    store
        .save(
            &key,
            &stored("old", Duration::from_secs(600), &server.url("/soap/")),
        )
        .await
        .unwrap();
    let a = client_with(&server, store.clone());
    let b = client_with(&server, store.clone());
    assert!(a.cancel_send(1).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 1);
    // b reads the store: the token a fetched, not the old one.
    assert!(b.cancel_send(2).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 1);
    assert_eq!(soap_tokens(&server), vec!["old", "tok-1", "tok-1"]);

    // Both refused with the same token: one refresh between them.
    let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
        if r.fueloauth().as_deref() == Some("tok-1") && r.send_ids() != [1] {
            Reply::fault(&Fault::new("soap:Client", "Token Expired"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let store = MemoryTokenStore::new();
    let a = client_with(&server, store.clone());
    let b = client_with(&server, store.clone());
    assert!(a.cancel_send(1).await.unwrap().ok); // fetches tok-1, saved
    assert!(b.cancel_send(1).await.unwrap().ok); // tok-1 from the store
    assert_eq!(server.hits("/v2/token"), 1);
    // Now the service refuses tok-1 for both.
    assert!(a.cancel_send(2).await.unwrap().ok);
    assert!(b.cancel_send(3).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 2);
    assert_eq!(
        soap_tokens(&server),
        vec!["tok-1", "tok-1", "tok-1", "tok-2", "tok-1", "tok-2"]
    );
}

#[tokio::test]
async fn a_stored_token_the_service_does_not_know_is_refreshed_once() {
    // The service restarted (or revoked it): `Login Failed`, a Security fault, for the stored
    // token; a fetched token works.
    let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
        if r.fueloauth().as_deref() == Some("unknown") {
            Reply::fault(&Fault::new("q0:Security", "Login Failed"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let store = MemoryTokenStore::new();
    let key = key_of(&server);
    store
        .save(
            &key,
            &stored("unknown", Duration::from_secs(600), &server.url("/soap/")),
        )
        .await
        .unwrap();
    let client = client_with(&server, store.clone());
    assert!(client.cancel_send(1).await.unwrap().ok);
    assert_eq!(server.hits("/v2/token"), 1);
    assert_eq!(soap_tokens(&server), vec!["unknown", "tok-1"]);
    let now = store.load(&key).await.unwrap().unwrap();
    assert_eq!(now.access_token.expose_secret(), "tok-1");
}

/// A store that fails, hangs or never gives its lock, counting what it was asked.
#[derive(Debug)]
struct BrokenStore {
    mode: Broken,
    calls: AtomicUsize,
}

#[derive(Debug, Clone, Copy)]
enum Broken {
    /// Every operation fails.
    Failing,
    /// Every operation never finishes.
    Hanging,
    /// Loads find nothing, saves work, the lock is never free.
    LockHeld,
}

impl BrokenStore {
    fn new(mode: Broken) -> Self {
        Self {
            mode,
            calls: AtomicUsize::new(0),
        }
    }

    fn answer<'a, T: Send + 'a>(&'a self, ok: T) -> StoreFuture<'a, T> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mode = self.mode;
        Box::pin(async move {
            match mode {
                Broken::Failing => Err(StoreError::new(StoreErrorKind::Unavailable, "down")),
                Broken::Hanging => std::future::pending().await,
                Broken::LockHeld => Ok(ok),
            }
        })
    }
}

impl TokenStore for BrokenStore {
    fn load<'a>(&'a self, _key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        self.answer(None)
    }

    fn save<'a>(&'a self, _key: &'a TokenKey, _token: &'a StoredToken) -> StoreFuture<'a, ()> {
        self.answer(())
    }

    fn invalidate<'a>(
        &'a self,
        _key: &'a TokenKey,
        _token: &'a StoredToken,
    ) -> StoreFuture<'a, bool> {
        self.answer(false)
    }

    fn lock<'a>(
        &'a self,
        _key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mode = self.mode;
        Box::pin(async move {
            match mode {
                Broken::Failing => Err(StoreError::new(StoreErrorKind::Unavailable, "down")),
                Broken::Hanging => std::future::pending().await,
                Broken::LockHeld => {
                    tokio::time::sleep(wait).await;
                    Ok(None)
                }
            }
        })
    }
}

#[tokio::test]
async fn a_failing_hanging_or_locked_store_never_fails_a_call() {
    for mode in [Broken::Failing, Broken::Hanging, Broken::LockHeld] {
        let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
            if r.fueloauth().as_deref() == Some("tok-1") {
                Reply::fault(&Fault::new("soap:Client", "Token Expired"))
            } else {
                perform_ok(r)
            }
        })
        .await;
        let store = Arc::new(BrokenStore::new(mode));
        let client = oauth_builder(&server)
            .token_store(Arc::clone(&store))
            .token_store_timeout(Duration::from_millis(100))
            .token_lock_wait(Duration::from_millis(200))
            .build()
            .unwrap();
        let started = Instant::now();
        // tok-1 is refused: the store is asked to invalidate it, and a second token comes.
        assert!(client.cancel_send(1).await.unwrap().ok, "{mode:?}");
        assert!(client.cancel_send(2).await.unwrap().ok, "{mode:?}");
        assert_eq!(server.hits("/v2/token"), 2, "{mode:?}");
        // Asked each time (a load and an invalidate at least; lock and save when loads work).
        let least = match mode {
            Broken::LockHeld => 7,
            _ => 3,
        };
        assert!(store.calls.load(Ordering::SeqCst) >= least, "{mode:?}");
        // Bounded: two rounds of (load, lock wait, load, save) and an invalidate, well under the
        // 60 s this would take without the bounds on a busy machine.
        assert!(started.elapsed() < Duration::from_secs(30), "{mode:?}");
    }
}

#[test]
fn stored_tokens_and_keys_show_no_secret() {
    let key = TokenKey::new(
        "https://u:p@x.auth.marketingcloudapis.com/v2/token?q=1",
        "my-client",
        None,
        None,
    );
    let token = stored("s3cr3t-token", Duration::from_secs(60), "https://x/");
    for text in [format!("{key:?}"), key.to_string(), format!("{token:?}")] {
        assert!(!text.contains("s3cr3t-token"), "{text}");
        assert!(!text.contains("u:p"), "{text}");
    }
    let e = StoredToken::from_record(&key, b"{\"access_token\":\"s3cr3t-token\"").unwrap_err();
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
    assert!(!token.to_record(&key).contains("client-s3cr3t"));
}
