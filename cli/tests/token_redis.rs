//! `sfmc --token-store redis://...` (`SFMC_TOKEN_STORE`): processes sharing one token through a
//! real `redis-server` (started by the test on a free loopback port; without the binary the tests
//! skip with a note, under `CI=true` they fail) against an external `sfmc sandbox`; and calls that
//! succeed, with a warning, when Redis is down or hangs, or when a dead holder keeps the lock.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../tests/common/redis_server.rs"]
mod redis_server;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::process::Command;
use std::time::{Duration, Instant};

use cli_support::*;
use redis_server::{free_port, silent_server, RedisServer};
use sandbox_support::R;
use sfmc_partnerapi::token_store::{RedisTokenStore, TokenKey};

const CLIENT_ID: &str = "fleet";
const CLIENT_SECRET: &str = "fleet-s3cr3t-Zq81";

/// An external sandbox with client `fleet` (MID 12345) and sends 1000 to 1099 scheduled.
fn sandbox() -> R<SandboxChild> {
    SandboxChild::start(&[
        "--client".into(),
        format!("{CLIENT_ID}:{CLIENT_SECRET}:12345"),
        "--send-range".into(),
        "1000-1099".into(),
    ])
}

/// `sfmc cancel-send ID` against `sb`, the token store at `store` (`SFMC_TOKEN_STORE`).
fn cancel(sb: &SandboxChild, store: &str, id: i64) -> Command {
    let mut cmd = sfmc();
    cmd.args(args![
        "--endpoint",
        sb.soap_url,
        "--auth-url",
        sb.base_url(),
        "--client-id",
        CLIENT_ID,
        "cancel-send",
        id
    ])
    .env("SFMC_CLIENT_SECRET", CLIENT_SECRET)
    .env("SFMC_TOKEN_STORE", store);
    cmd
}

/// Runs the commands at once (a thread each, 90 s at most each); their runs, in order.
fn run_all(cmds: Vec<Command>) -> R<Vec<Run>> {
    let threads: Vec<_> = cmds
        .into_iter()
        .map(|cmd| std::thread::spawn(move || run_with_limit(cmd, Duration::from_secs(90))))
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().map_err(|_| "a runner thread panicked")?)
        .collect()
}

/// Every run exited 0 and printed `send ID: canceled`, for IDs from `first` on.
fn assert_canceled(runs: &[Run], first: i64) {
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(run.code, Some(0), "{}", run.describe());
        let expected = format!("send {}: canceled", first + i as i64);
        assert_eq!(run.stdout.trim(), expected, "{}", run.describe());
        assert!(!run.stdout.contains(CLIENT_SECRET) && !run.stderr.contains(CLIENT_SECRET));
    }
}

/// The sandbox's `token_requests` (`GET /_sandbox/stats`).
fn token_requests(sb: &SandboxChild) -> R<u64> {
    let stats = sb.stats()?;
    stats["token_requests"]
        .as_u64()
        .ok_or_else(|| format!("no token_requests in {stats}").into())
}

#[test]
fn eight_processes_share_one_token_and_one_refresh() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let sb = sandbox()?;
    let url = redis.url();
    // A file cache given as well: the Redis store takes precedence, the directory stays empty.
    let cache = tempfile::tempdir()?;
    let round = |first: i64| {
        (0..8)
            .map(|i| {
                let mut cmd = cancel(&sb, &url, first + i);
                cmd.env("SFMC_TOKEN_CACHE", cache.path());
                cmd
            })
            .collect::<Vec<_>>()
    };
    let runs = run_all(round(1000))?;
    assert_canceled(&runs, 1000);
    // Nothing printed beyond the outcome.
    for run in &runs {
        assert_eq!(run.stderr, "", "{}", run.describe());
    }
    assert_eq!(token_requests(&sb)?, 1);

    // The sandbox expires its tokens: each process is refused once, one of them refreshes.
    assert_eq!(sb.expire_tokens()?["expired"], 1);
    let runs = run_all(round(1010))?;
    assert_canceled(&runs, 1010);
    assert_eq!(token_requests(&sb)?, 2);

    assert_eq!(redis.keys("sfmc:token:")?.len(), 1);
    for (key, value) in redis.dump()? {
        assert!(!value.contains(CLIENT_SECRET), "{key}");
    }
    assert_eq!(std::fs::read_dir(cache.path())?.count(), 0);
    Ok(())
}

#[test]
fn a_redis_down_or_hanging_costs_a_warning_not_the_call() -> R {
    let sb = sandbox()?;
    let down = format!("redis://:pw-s3cr3t@127.0.0.1:{}/0", free_port()?);
    let hanging = silent_server()?;
    for (i, url) in [down, hanging].into_iter().enumerate() {
        let started = Instant::now();
        let runs = run_all(vec![cancel(&sb, &url, 1020 + i as i64)])?;
        assert_canceled(&runs, 1020 + i as i64);
        // Bounded: the store's timeouts (1 s to connect, 1 s a command), once per process.
        assert!(started.elapsed() < Duration::from_secs(30), "{url}");
        let stderr = &runs[0].stderr;
        assert!(stderr.contains("sfmc: warning:"), "{}", runs[0].describe());
        assert!(stderr.contains("Redis at redis://127.0.0.1:"), "{stderr}");
        assert!(!stderr.contains("pw-s3cr3t"), "{stderr}");
    }
    assert_eq!(token_requests(&sb)?, 2);
    Ok(())
}

#[test]
fn a_dead_lock_holder_delays_the_others_a_bounded_time() -> R {
    let Some(redis) = RedisServer::start()? else {
        return Ok(());
    };
    let sb = sandbox()?;
    // The lock of the key `sfmc` uses, taken for a minute by a process that died.
    let key = TokenKey::new(
        &format!("{}/v2/token", sb.base_url()),
        CLIENT_ID,
        None,
        None,
    );
    let lock_key = RedisTokenStore::lock_key(&key);
    redis.hold_dead_lock(&lock_key)?;
    let started = Instant::now();
    let runs = run_all(
        (0..3)
            .map(|i| cancel(&sb, &redis.url(), 1030 + i))
            .collect(),
    )?;
    assert_canceled(&runs, 1030);
    // Each waited at most the lock wait (10 s), then fetched a token (or found one fetched).
    assert!(started.elapsed() < Duration::from_secs(60));
    let requests = token_requests(&sb)?;
    assert!((1..=3).contains(&requests), "{requests}");
    let saved: i64 = redis.query(redis::cmd("EXISTS").arg(RedisTokenStore::token_key(&key)))?;
    assert_eq!(saved, 1);
    Ok(())
}

#[tokio::test]
async fn an_unusable_store_url_is_a_usage_error_without_the_password() -> R {
    for url in [
        "rediss://:pw-s3cr3t@127.0.0.1:6379/0",
        "memcached://127.0.0.1:11211",
    ] {
        let run = sfmc_run_env(
            args![
                "--endpoint",
                "http://127.0.0.1:9/Service.asmx",
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                "cancel-send",
                1
            ],
            vec![("SFMC_TOKEN_STORE".into(), url.into())],
        )
        .await?;
        assert_eq!(run.code, Some(2), "{}", run.describe());
        assert!(run.stderr.contains("token store"), "{}", run.describe());
        assert!(!run.stderr.contains("pw-s3cr3t"), "{}", run.describe());
    }
    // The help names the option without showing the variable's value.
    let run = sfmc_run_env(
        args!["--help"],
        vec![(
            "SFMC_TOKEN_STORE".into(),
            "redis://:pw-s3cr3t@127.0.0.1:6379/0".into(),
        )],
    )
    .await?;
    assert!(
        run.stdout.contains("--token-store <URL>"),
        "{}",
        run.describe()
    );
    assert!(!run.stdout.contains("pw-s3cr3t"), "{}", run.describe());
    Ok(())
}
