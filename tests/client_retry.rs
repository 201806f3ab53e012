//! Retries: 503 and apifault Code 17 are repeated (with the same CorrelationID), Client faults
//! and timeouts are not; Retry-After is honoured up to its limit.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{builder, client, perform_ok, Reply, Server};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::{ErrorKind, RetryPolicy};

/// Fails the first `failures` requests with `failure`, then answers OK.
async fn flaky(failures: usize, failure: Reply) -> Server {
    let count = Arc::new(AtomicUsize::new(0));
    Server::start(move |r| {
        if count.fetch_add(1, Ordering::SeqCst) < failures {
            failure.clone()
        } else {
            perform_ok(r)
        }
    })
    .await
}

fn correlation_id(r: &common::Request) -> String {
    r.text()
        .split("<CorrelationID>")
        .nth(1)
        .and_then(|s| s.split_once('<'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn http_503_is_retried_with_the_same_correlation_id() {
    let server = flaky(2, Reply::status(503)).await;
    let outcome = client(&server)
        .cancel_send(1)
        .await
        .expect("third time lucky");
    assert!(outcome.ok);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let ids: Vec<_> = requests.iter().map(correlation_id).collect();
    assert!(!ids[0].is_empty());
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = flaky(usize::MAX, Reply::status(503)).await;
    let e = client(&server).cancel_send(1).await.expect_err("gives up");
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_eq!(server.hits("/Service.asmx"), 3);

    let server = flaky(usize::MAX, Reply::status(502)).await;
    let c = builder(&server)
        .max_retries(0)
        .build()
        .expect("client builds");
    assert!(c.cancel_send(1).await.is_err());
    assert_eq!(server.hits("/Service.asmx"), 1);

    let server = flaky(usize::MAX, Reply::status(504)).await;
    let c = builder(&server)
        .max_retries(4)
        .build()
        .expect("client builds");
    assert!(c.cancel_send(1).await.is_err());
    assert_eq!(server.hits("/Service.asmx"), 5);
}

#[tokio::test]
async fn rate_limited_fault_is_retried() {
    let fault = Fault::new("soap:Server", "Rate limited").with_detail(17, "Too many requests");
    let server = flaky(1, Reply::fault(&fault)).await;
    assert!(client(&server).cancel_send(1).await.expect("retried").ok);
    assert_eq!(server.hits("/Service.asmx"), 2);

    let fault = Fault::new("soap:Server", "Database unavailable").with_detail(13, "later");
    let server = flaky(2, Reply::fault(&fault)).await;
    assert!(client(&server).cancel_send(1).await.expect("retried").ok);
    assert_eq!(server.hits("/Service.asmx"), 3);
}

#[tokio::test]
async fn client_fault_is_not_retried() {
    let fault = Fault::new("soap:Client", "Invalid").with_detail(17, "even with code 17");
    let server = flaky(usize::MAX, Reply::fault(&fault)).await;
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("not retried");
    assert_eq!(e.kind(), ErrorKind::Fault);
    assert_eq!(server.hits("/Service.asmx"), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_and_capped() {
    let server = flaky(1, Reply::status(429).with_header("Retry-After", "1")).await;
    let started = Instant::now();
    assert!(client(&server).cancel_send(1).await.expect("retried").ok);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.hits("/Service.asmx"), 2);

    // Longer than the limit: no retry, the error at once.
    let server = flaky(1, Reply::status(503).with_header("Retry-After", "3600")).await;
    let started = Instant::now();
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("not waited for");
    assert_eq!(e.kind(), ErrorKind::Http);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.hits("/Service.asmx"), 1);
}

#[tokio::test]
async fn timeouts_are_not_retried_for_perform() {
    let server = flaky(usize::MAX, Reply::status(503).after(Duration::from_secs(5))).await;
    let c = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .retry_policy(common::fast_retry().with_retry_timeouts(true))
        .build()
        .expect("client builds");
    let e = c.cancel_send(1).await.expect_err("timed out");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(server.hits("/Service.asmx"), 1);
}

#[tokio::test]
async fn timeouts_of_retrieve_are_retried_only_when_allowed() {
    let server = flaky(usize::MAX, Reply::status(503).after(Duration::from_secs(5))).await;
    let c = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("client builds");
    assert_eq!(
        c.retrieve_sends(None)
            .await
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::Timeout)
    );
    assert_eq!(server.hits("/Service.asmx"), 1);

    let server = flaky(usize::MAX, Reply::status(503).after(Duration::from_secs(5))).await;
    let c = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .retry_policy(
            RetryPolicy::new(2)
                .with_base_delay(Duration::from_millis(5))
                .with_retry_timeouts(true),
        )
        .build()
        .expect("client builds");
    assert!(c.retrieve_sends(None).await.is_err());
    assert_eq!(server.hits("/Service.asmx"), 2);
}
