//! Faults under load, against the sandbox's fault injection: 1,000 cancels through 30 % of
//! 503s and rate-limit faults, 5,000 with eight chunks in flight through 503s, rate-limit faults
//! and dropped connections, dropped connections (retried thanks to CorrelationIDs, never
//! counted as success on their own), one token request for 100 concurrent calls after the token
//! expired, and request timeouts honoured within a second.
#[path = "../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::time::{Duration, Instant};

use sandbox_support::*;
use sfmc_partnerapi::sends::OutcomeStatus;
use sfmc_partnerapi::{Client, ClientBuilder, ErrorKind, RetryPolicy};
use sfmc_partnerapi_sandbox::{FaultInjection, InjectedFault, RunningSandbox, SendStatus};

const MID: i64 = 5150;

/// A sandbox on loopback with client "load"/"load-secret" of account MID, and its sends `ids`,
/// all Scheduled.
async fn sandbox_with(
    ids: impl IntoIterator<Item = i64>,
    faults: FaultInjection,
) -> R<RunningSandbox> {
    let mut b = sfmc_partnerapi_sandbox::Sandbox::builder().client("load", "load-secret", MID);
    for id in ids {
        b = b.send(id, SendStatus::Scheduled, MID);
    }
    Ok(b.faults(faults).start("127.0.0.1:0").await?)
}

fn client_for(sb: &RunningSandbox) -> ClientBuilder {
    sandbox_client(sb, "load", "load-secret")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_cancels_through_thirty_percent_of_faults() -> R {
    let ids: Vec<i64> = (1..=1000).collect();
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            http_503: 0.15,
            rate_limited: 0.15,
            latency: Duration::from_millis(1),
            latency_jitter: Duration::from_millis(3),
            seed: Some(1000),
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb).retry_policy(patient(30)).build()?;
    let started = Instant::now();
    let outcomes = client.cancel_sends(&ids).await?;
    let elapsed = started.elapsed();

    // One outcome per ID, in order, every one a success.
    assert_eq!(outcomes.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.ok).collect();
    assert!(
        failed.is_empty(),
        "{} not OK: {:?}",
        failed.len(),
        failed.first()
    );
    assert!(outcomes
        .iter()
        .all(|o| o.message == format!("Send {} canceled", o.id)));
    // Every send canceled, exactly once: a second cancel would have answered "already canceled".
    let state = sb.state();
    assert!(ids
        .iter()
        .all(|&id| state.send(id).map(|s| s.status) == Some(SendStatus::Canceled)));
    let stats = state.stats();
    let injected = stats.injected_503 + stats.injected_rate_limited;
    // 20 chunks of 50; each attempt that was turned away was repeated.
    assert_eq!(stats.soap_requests, 20 + injected, "{stats:?}");
    assert!(injected >= 3, "too few faults injected: {stats:?}");
    eprintln!(
        "1,000 cancels in one batch: {} SOAP requests, {} answered 503, {} rate-limited, {:?}",
        stats.soap_requests, stats.injected_503, stats.injected_rate_limited, elapsed
    );
    sb.shutdown().await;

    // The same 1,000 as single cancels, 50 at a time: many more requests, so about 30 % of
    // them are faults.
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            http_503: 0.15,
            rate_limited: 0.15,
            latency: Duration::from_millis(1),
            latency_jitter: Duration::from_millis(3),
            seed: Some(1001),
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb).retry_policy(patient(30)).build()?;
    let started = Instant::now();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (client, limit) = (client.clone(), std::sync::Arc::clone(&limit));
            tokio::spawn(async move {
                let _permit = limit.acquire_owned().await;
                client.cancel_send(id).await
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(ids.len());
    for task in tasks {
        outcomes.push(task.await??);
    }
    let elapsed = started.elapsed();
    assert_eq!(outcomes.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    assert!(outcomes
        .iter()
        .all(|o| o.ok && o.message == format!("Send {} canceled", o.id)));
    let state = sb.state();
    assert!(ids
        .iter()
        .all(|&id| state.send(id).map(|s| s.status) == Some(SendStatus::Canceled)));
    let stats = state.stats();
    let injected = stats.injected_503 + stats.injected_rate_limited;
    assert_eq!(stats.soap_requests, 1000 + injected, "{stats:?}");
    assert!(injected >= 250, "about 30 % of the requests: {stats:?}");
    eprintln!(
        "1,000 single cancels: {} SOAP requests, {} answered 503, {} rate-limited, {:?}",
        stats.soap_requests, stats.injected_503, stats.injected_rate_limited, elapsed
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_are_retried_and_report_the_real_outcome() -> R {
    let ids: Vec<i64> = (1..=300).collect();
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            drop_connection: 0.3,
            http_503: 0.1,
            seed: Some(7),
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb).retry_policy(patient(30)).build()?;
    let outcomes = client.cancel_sends(&ids).await?;
    let stats = sb.state().stats();
    assert!(stats.injected_dropped >= 1, "{stats:?}");
    // The cancel took effect on the attempt whose answer was lost; the repeat (same
    // CorrelationIDs) reports that cancel, not "already canceled".
    for o in &outcomes {
        assert!(o.ok, "{o:?}");
        assert_eq!(o.message, format!("Send {} canceled", o.id));
    }
    assert_eq!(outcomes.len(), ids.len());
    eprintln!(
        "300 cancels in one batch: {} SOAP requests, {} dropped, {} answered 503",
        stats.soap_requests, stats.injected_dropped, stats.injected_503
    );
    sb.shutdown().await;

    // The same as single cancels, 50 at a time.
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            drop_connection: 0.3,
            http_503: 0.1,
            seed: Some(8),
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb).retry_policy(patient(30)).build()?;
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (client, limit) = (client.clone(), std::sync::Arc::clone(&limit));
            tokio::spawn(async move {
                let _permit = limit.acquire_owned().await;
                client.cancel_send(id).await
            })
        })
        .collect();
    for task in tasks {
        let o = task.await??;
        assert!(
            o.ok && o.message == format!("Send {} canceled", o.id),
            "{o:?}"
        );
    }
    let stats = sb.state().stats();
    assert!(stats.injected_dropped >= 50, "{stats:?}");
    assert_eq!(
        stats.soap_requests,
        300 + stats.injected_dropped + stats.injected_503,
        "{stats:?}"
    );
    eprintln!(
        "300 single cancels: {} SOAP requests, {} dropped, {} answered 503",
        stats.soap_requests, stats.injected_dropped, stats.injected_503
    );
    sb.shutdown().await;
    Ok(())
}

/// Bulk cancels with eight chunks in flight through 30 % of faults: 503s, rate-limit faults
/// (apifault Code 17) and connections dropped after the cancel took effect. Every send is
/// canceled exactly once and every ID's outcome is the real one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_cancels_eight_at_a_time_through_thirty_percent_of_faults() -> R {
    let ids: Vec<i64> = (1..=5000).collect();
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            http_503: 0.1,
            rate_limited: 0.1,
            drop_connection: 0.1,
            latency: Duration::from_millis(5),
            latency_jitter: Duration::from_millis(20),
            seed: Some(1313),
            ..Default::default()
        },
    )
    .await?;
    // Why this cannot fail in practice: each SOAP request takes the next draw of the seeded
    // sequence, whichever chunk sent it, so the number of faults is fixed by the seed (each
    // fault costs one more request, until 100 requests went through); only which chunk meets
    // which fault depends on timing, and each attempt meets one with odds 0.3. A chunk fails
    // only when all of its 20 attempts do: 0.3^20 = 3.5e-11 per chunk, 3.5e-9 for the 100
    // chunks of a run.
    let client = client_for(&sb)
        .retry_policy(patient(20))
        .bulk_concurrency(8)
        .build()?;
    let mut calls = 0;
    let batch = client
        .send_action_with_progress(sfmc_partnerapi::SendAction::Cancel, &ids, |_, _| calls += 1)
        .await?;
    assert_eq!(calls, 100, "one progress report per chunk");
    assert!(batch.first_error().is_none(), "{:?}", batch.first_error());
    // Every outcome reported, in order, each the cancel that happened: for a dropped
    // connection, the repeat (same CorrelationIDs) gets the first outcome, not "already
    // canceled".
    let outcomes = batch.outcomes;
    assert_eq!(outcomes.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    for o in &outcomes {
        assert!(
            o.ok && o.message == format!("Send {} canceled", o.id),
            "{o:?}"
        );
    }
    // Each send canceled, exactly once: no request went out twice without a fault.
    let state = sb.state();
    assert!(ids
        .iter()
        .all(|&id| state.send(id).map(|s| s.status) == Some(SendStatus::Canceled)));
    let stats = state.stats();
    let injected = stats.injected_503 + stats.injected_rate_limited + stats.injected_dropped;
    assert_eq!(stats.soap_requests, 100 + injected, "{stats:?}");
    assert!(
        stats.injected_503 >= 1 && stats.injected_rate_limited >= 1 && stats.injected_dropped >= 1,
        "each kind of fault met: {stats:?}"
    );
    assert!(injected >= 20, "about 30 % of the requests: {stats:?}");
    eprintln!(
        "5,000 cancels, 8 chunks at a time: {} SOAP requests, {} answered 503, {} rate-limited, {} dropped",
        stats.soap_requests, stats.injected_503, stats.injected_rate_limited, stats.injected_dropped
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_lost_answer_is_retried_once_and_reports_the_cancel() -> R {
    let sb = sandbox_with(
        [1, 2],
        FaultInjection {
            sequence: vec![InjectedFault::DropConnection],
            ..Default::default()
        },
    )
    .await?;
    // The default policy repeats it: the outcome is the real one.
    let client = client_for(&sb)
        .retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(1)))
        .build()?;
    let outcome = client.cancel_send(1).await?;
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(outcome.message, "Send 1 canceled");
    let stats = sb.state().stats();
    assert_eq!((stats.soap_requests, stats.injected_dropped), (2, 1));
    sb.shutdown().await;

    // Without repeats, the lost answer is a transport error, and the send is canceled all the
    // same: the client does not claim an outcome it did not see.
    let sb = sandbox_with(
        [1],
        FaultInjection {
            sequence: vec![InjectedFault::DropConnection],
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb)
        .retry_policy(RetryPolicy::default().with_retry_lost_connections(false))
        .build()?;
    let e = client
        .cancel_send(1)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(
        sb.state().send(1).map(|s| s.status),
        Some(SendStatus::Canceled)
    );
    assert_eq!(sb.state().stats().soap_requests, 1);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn connections_dropped_every_time_are_never_a_success() -> R {
    let ids: Vec<i64> = (1..=120).collect();
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            drop_connection: 1.0,
            ..Default::default()
        },
    )
    .await?;
    // One chunk at a time, so that the requests below are counted in order.
    let client = client_for(&sb)
        .retry_policy(patient(4))
        .bulk_concurrency(1)
        .build()?;
    // One send: the error, after 4 attempts.
    let e = client
        .cancel_send(1)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(sb.state().stats().soap_requests, 4);
    // A batch: every ID reported, none as a success; after the first chunk's connection
    // failure the others are not sent.
    let e = client
        .cancel_sends(&ids)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(sb.state().stats().soap_requests, 8);
    sb.shutdown().await;

    // When some chunk is answered, the IDs of a chunk whose answers were all lost are reported
    // as Unknown, not OK.
    let sb = sandbox_with(
        ids.iter().copied(),
        FaultInjection {
            sequence: vec![
                InjectedFault::None,
                InjectedFault::DropConnection,
                InjectedFault::DropConnection,
            ],
            ..Default::default()
        },
    )
    .await?;
    let client = client_for(&sb)
        .retry_policy(patient(2))
        .bulk_concurrency(1)
        .build()?;
    let outcomes = client.cancel_sends(&ids).await?;
    assert_eq!(outcomes.len(), 120);
    assert!(outcomes[..50].iter().all(|o| o.ok));
    assert!(outcomes[50..100]
        .iter()
        .all(|o| !o.ok && o.status == OutcomeStatus::Unknown));
    assert!(outcomes[100..].iter().all(|o| !o.ok), "not attempted");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_concurrent_calls_after_the_token_expired_cause_one_token_request() -> R {
    let ids: Vec<i64> = (1..=200).collect();
    let sb = sandbox_with(ids.iter().copied(), FaultInjection::default()).await?;
    let client = client_for(&sb).build()?;
    let run = |client: Client, range: std::ops::RangeInclusive<i64>| async move {
        let tasks: Vec<_> = range
            .map(|id| {
                let c = client.clone();
                tokio::spawn(async move { c.cancel_send(id).await })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            if t.await?.map(|o| o.ok)? {
                ok += 1;
            }
        }
        R::Ok(ok)
    };
    // No token yet: one request for 100 calls.
    assert_eq!(run(client.clone(), 1..=100).await?, 100);
    assert_eq!(sb.state().stats().token_requests, 1);
    // The service expires every token: each call is answered Token Expired, and one refresh
    // serves them all.
    sb.state().expire_tokens();
    assert_eq!(run(client.clone(), 101..=200).await?, 100);
    let stats = sb.state().stats();
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    assert!(stats.faults >= 1, "{stats:?}");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_request_timeout_is_honoured_within_a_second() -> R {
    let sb = sandbox_with(
        [1],
        FaultInjection {
            latency: Duration::from_secs(8),
            ..Default::default()
        },
    )
    .await?;
    for timeout in [Duration::from_millis(300), Duration::from_millis(1500)] {
        let client = client_for(&sb)
            .request_timeout(timeout)
            .retry_policy(patient(3).with_retry_timeouts(true))
            .build()?;
        let started = Instant::now();
        let e = client
            .cancel_send(1)
            .await
            .err()
            .ok_or("expected a timeout")?;
        let elapsed = started.elapsed();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert!(
            elapsed >= timeout && elapsed < timeout + Duration::from_secs(1),
            "{timeout:?}: {elapsed:?}"
        );
    }
    assert_eq!(
        sb.state().send(1).map(|s| s.status),
        Some(SendStatus::Canceled)
    );
    // Dropped, not shut down: a graceful shutdown would wait for the sleeping answers.
    drop(sb);
    Ok(())
}
