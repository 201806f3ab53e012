//! The Redis token store on a real `redis-server` (started by the test on a free loopback port;
//! without the binary the tests skip with a note, under `CI=true` they fail): the keys and times
//! to live it writes, its lock, clients on separate stores (as on separate hosts) making one token
//! request and one refresh, and calls that succeed when Redis is down, hangs or keeps a lock.

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{oauth_builder, oauth_server, perform_ok, Reply, Server};
use redis_server::{free_port, silent_server, RedisServer};
use secrecy::{ExposeSecret, SecretString};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::token_store::{RedisTokenStore, StoreErrorKind, StoredToken, TokenKey};
use sfmc_partnerapi::{Client, TokenStore};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The client secret of [`oauth_builder`].
const CLIENT_SECRET: &str = "client-s3cr3t";

fn key() -> TokenKey {
    TokenKey::new("https://x.example/v2/token", "my-client", Some(7), None)
}

fn token(text: &str, lifetime: Duration) -> StoredToken {
    let issued_at = SystemTime::now();
    StoredToken {
        access_token: SecretString::from(text.to_string()),
        issued_at,
        expires_at: issued_at + lifetime,
        soap_instance_url: Some("https://x.soap.example/".into()),
        rest_instance_url: None,
    }
}

/// A client of `server` with its own store on `url` (its own connection: another host).
fn client_on(server: &Server, url: &str) -> R<Client> {
    let store = RedisTokenStore::new(url)?;
    Ok(oauth_builder(server)
        .token_store(store)
        .token_lock_wait(Duration::from_secs(20))
        .build()?)
}

#[tokio::test]
async fn the_token_is_kept_under_its_key_until_its_refresh_time() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let store = RedisTokenStore::new(&redis.url())?;
    let k = key();
    assert!(store.load(&k).await?.is_none());

    store
        .save(&k, &token("tok-1", Duration::from_secs(1080)))
        .await?;
    let name = format!("sfmc:token:{}", k.as_str());
    assert_eq!(RedisTokenStore::token_key(&k), name);
    assert_eq!(redis.keys("")?, vec![name.clone()]);
    // Kept until expiry minus the refresh margin (60 s of 1080 s).
    let pttl: i64 = redis.query(redis::cmd("PTTL").arg(&name))?;
    assert!((1_000_000..=1_020_000).contains(&pttl), "PTTL {pttl}");
    let back = store.load(&k).await?.expect("the token saved");
    assert_eq!(back.access_token.expose_secret(), "tok-1");
    assert_eq!(
        back.soap_instance_url.as_deref(),
        Some("https://x.soap.example/")
    );

    // Invalidated only with the token it holds.
    assert!(
        !store
            .invalidate(&k, &token("tok-0", Duration::from_secs(60)))
            .await?
    );
    assert!(store.load(&k).await?.is_some());
    assert!(store.invalidate(&k, &back).await?);
    assert!(store.load(&k).await?.is_none());

    // A short lifetime: 10 % of it as margin. One already due for a refresh is not kept.
    store
        .save(&k, &token("tok-2", Duration::from_secs(20)))
        .await?;
    let pttl: i64 = redis.query(redis::cmd("PTTL").arg(&name))?;
    assert!((10_000..=18_000).contains(&pttl), "PTTL {pttl}");
    redis.query::<()>(redis::cmd("DEL").arg(&name))?;
    store
        .save(&k, &token("tok-3", Duration::from_millis(900)))
        .await?;
    assert!(redis.keys("")?.is_empty());

    // What is not a record of this key is never used, and the next save replaces it.
    let other = TokenKey::new("https://x.example/v2/token", "my-client", Some(8), None);
    for value in [
        "garbage".to_string(),
        r#"{"access_token":"tok-9"}"#.to_string(),
        token("tok-9", Duration::from_secs(600)).to_record(&other),
    ] {
        redis.query::<()>(redis::cmd("SET").arg(&name).arg(&value))?;
        assert!(store.load(&k).await?.is_none(), "{value}");
    }
    store
        .save(&k, &token("tok-4", Duration::from_secs(600)))
        .await?;
    assert!(store.load(&k).await?.is_some());
    Ok(())
}

#[tokio::test]
async fn the_lock_has_one_holder_and_is_released_by_it_only() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let url = redis.url();
    let a = RedisTokenStore::new(&url)?.lock_ttl(Duration::from_secs(30));
    let b = RedisTokenStore::new(&url)?;
    let k = key();
    let lock_key = RedisTokenStore::lock_key(&k);
    assert_eq!(lock_key, format!("sfmc:token:{}:lock", k.as_str()));

    let held = a
        .lock(&k, Duration::from_secs(1))
        .await?
        .expect("a free lock");
    let pttl: i64 = redis.query(redis::cmd("PTTL").arg(&lock_key))?;
    assert!((1..=30_000).contains(&pttl), "PTTL {pttl}");
    let started = Instant::now();
    assert!(b.lock(&k, Duration::from_millis(300)).await?.is_none());
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Released by its holder, then free for another.
    held.release().await?;
    assert!(redis.keys(&lock_key)?.is_empty());
    let held = b.lock(&k, Duration::from_secs(1)).await?.expect("freed");
    // A holder whose lock ran out and was taken by another does not release the other's.
    redis.query::<()>(redis::cmd("SET").arg(&lock_key).arg("someone-else"))?;
    held.release().await?;
    let value: Option<String> = redis.query(redis::cmd("GET").arg(&lock_key))?;
    assert_eq!(value.as_deref(), Some("someone-else"));
    redis.query::<()>(redis::cmd("DEL").arg(&lock_key))?;

    // Dropped without release: freed in the background.
    drop(
        a.lock(&k, Duration::from_secs(1))
            .await?
            .expect("free again"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !redis.keys(&lock_key)?.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the dropped lock was not released"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_of_separate_stores_make_one_token_request_and_one_refresh() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    // Once `expired` is set, the service refuses tok-1 as expired.
    let expired = Arc::new(AtomicBool::new(false));
    let refusing = Arc::clone(&expired);
    let (server, _) = oauth_server(1080, Duration::from_millis(100), move |r| {
        if refusing.load(Ordering::SeqCst) && r.fueloauth().as_deref() == Some("tok-1") {
            Reply::fault(&Fault::new("soap:Client", "Token Expired"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let clients = (0..8)
        .map(|_| client_on(&server, &redis.url()))
        .collect::<R<Vec<_>>>()?;
    let round = |first: i64| {
        let tasks: Vec<_> = clients
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = c.clone();
                tokio::spawn(async move { c.cancel_send(first + i as i64).await })
            })
            .collect();
        async move {
            for t in tasks {
                assert!(t.await.unwrap().unwrap().ok);
            }
        }
    };
    round(100).await;
    assert_eq!(server.hits("/v2/token"), 1);

    expired.store(true, Ordering::SeqCst);
    round(200).await;
    assert_eq!(server.hits("/v2/token"), 2);
    let keys = redis.keys("sfmc:token:")?;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let value: String = redis.query(redis::cmd("GET").arg(&keys[0]))?;
    assert!(value.contains("\"tok-2\""), "{value}");

    // Nothing in Redis holds the client secret.
    for (key, value) in redis.dump()? {
        assert!(
            !key.contains(CLIENT_SECRET) && !value.contains(CLIENT_SECRET),
            "{key}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_lock_holder_that_died_delays_the_others_a_bounded_time() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let client = oauth_builder(&server)
        .token_store(RedisTokenStore::new(&redis.url())?)
        .token_lock_wait(Duration::from_millis(500))
        .build()?;
    // The lock of the key the client uses, held for a minute by nobody.
    let k = TokenKey::new(
        &server.url("/v2/token"),
        "my-client",
        Some(518000123),
        Some("email_read email_write"),
    );
    let lock_key = RedisTokenStore::lock_key(&k);
    redis.hold_dead_lock(&lock_key)?;
    let started = Instant::now();
    assert!(client.cancel_send(1).await?.ok);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(server.hits("/v2/token"), 1);
    // The token fetched is shared all the same; the dead lock is left to its time to live.
    let saved: i64 = redis.query(redis::cmd("EXISTS").arg(RedisTokenStore::token_key(&k)))?;
    assert_eq!(saved, 1);
    let value: Option<String> = redis.query(redis::cmd("GET").arg(&lock_key))?;
    assert_eq!(value.as_deref(), Some("dead"));
    Ok(())
}

#[tokio::test]
async fn a_redis_down_or_hanging_never_fails_a_call() -> R {
    let k = key();
    // Nothing listening: an error at once, then no retry during the pause.
    let down = RedisTokenStore::new(&format!("redis://127.0.0.1:{}/0", free_port()?))?;
    let e = down.load(&k).await.unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::Unavailable, "{e}");
    assert!(e.to_string().contains("127.0.0.1"), "{e}");
    let e = down.lock(&k, Duration::from_secs(5)).await.unwrap_err();
    assert!(e.to_string().contains("not tried"), "{e}");

    // Accepting connections and never answering: bounded by the timeouts.
    let hanging = RedisTokenStore::new(&silent_server()?)?
        .connect_timeout(Duration::from_millis(200))
        .command_timeout(Duration::from_millis(200));
    let started = Instant::now();
    let e = hanging.load(&k).await.unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::Unavailable, "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));

    for url in [
        format!("redis://:pw-s3cr3t@127.0.0.1:{}/0", free_port()?),
        silent_server()?,
    ] {
        let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
        let store = RedisTokenStore::new(&url)?
            .connect_timeout(Duration::from_millis(200))
            .command_timeout(Duration::from_millis(200));
        assert!(!format!("{store:?}").contains("pw-s3cr3t"));
        let client = oauth_builder(&server).token_store(store).build()?;
        let started = Instant::now();
        assert!(client.cancel_send(1).await?.ok, "{url}");
        assert!(client.cancel_send(2).await?.ok, "{url}");
        assert!(started.elapsed() < Duration::from_secs(20), "{url}");
        assert_eq!(server.hits("/v2/token"), 1, "{url}");
    }
    Ok(())
}

#[tokio::test]
async fn a_paused_redis_delays_a_call_a_bounded_time() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let store = RedisTokenStore::new(&redis.url())?
        .command_timeout(Duration::from_millis(300))
        .retry_pause(Duration::from_millis(100));
    let client = oauth_builder(&server).token_store(store.clone()).build()?;
    // Connected first, then every client of the server is held for 6 s.
    assert!(store.load(&key()).await?.is_none());
    redis.query::<()>(redis::cmd("CLIENT").arg("PAUSE").arg(6000).arg("ALL"))?;
    let started = Instant::now();
    assert!(client.cancel_send(1).await?.ok);
    let took = started.elapsed();
    // Done well before Redis answers again.
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(server.hits("/v2/token"), 1);
    // Once Redis answers again (a PING returns when the server's pause ends), the store is used
    // again: its own pause after the failure has passed.
    let pinged = tokio::task::spawn_blocking(move || {
        let pong = redis.query::<String>(&redis::cmd("PING"));
        (redis, pong.map_err(|e| e.to_string()))
    })
    .await?;
    let (_redis, pong) = pinged;
    assert_eq!(pong?, "PONG");
    store
        .save(&key(), &token("tok-x", Duration::from_secs(600)))
        .await?;
    assert!(store.load(&key()).await?.is_some());
    Ok(())
}
