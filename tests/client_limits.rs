//! Timeouts, the response size cap, and plain http:// refused for hosts that are not loopback.

mod common;

use std::time::{Duration, Instant};

use common::{builder, perform_ok, perform_response, Reply, Server};
use sfmc_partnerapi::{Client, ErrorKind};

#[tokio::test]
async fn the_request_timeout_is_honoured() {
    let server = Server::start(|r| perform_ok(r).after(Duration::from_secs(10))).await;
    let c = builder(&server)
        .request_timeout(Duration::from_millis(500))
        .build()
        .expect("client builds");
    let started = Instant::now();
    let e = c.cancel_send(1).await.expect_err("timed out");
    let elapsed = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        elapsed >= Duration::from_millis(500) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    let text = e.to_string();
    assert!(text.contains("Perform timed out after 500ms"), "{text}");
    assert!(
        !text.contains("raise the timeout"),
        "advice is the hint's: {text}"
    );
    assert_eq!(
        e.hint(),
        Some("raise the timeout, or check the service's status")
    );
    assert_eq!(e.timeout(), Some(Duration::from_millis(500)));
    assert_eq!(e.operation(), Some("Perform"));
}

fn big_answer(n: usize) -> String {
    let results: Vec<_> = (0..n as i64).map(common::ok).collect();
    perform_response(&results, "OK", "")
}

#[tokio::test]
async fn the_body_cap_stops_large_answers() {
    // Announced with Content-Length.
    let body = big_answer(20_000);
    assert!(body.len() > 1 << 20);
    let server = Server::start(move |_| Reply::xml(body.clone())).await;
    let c = builder(&server)
        .max_response_bytes(1 << 20)
        .build()
        .expect("client builds");
    let e = c.cancel_send(1).await.expect_err("too large");
    assert!(e.is_body_too_large(), "{e:?}");
    assert_eq!(e.body_limit(), Some(1 << 20));
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(
        e.to_string().contains("larger than the 1048576-byte cap"),
        "{e}"
    );
    assert_eq!(e.hint(), Some("raise max_response_bytes"));

    // Streamed in chunks without a length.
    let body = big_answer(20_000);
    let server = Server::start(move |_| Reply::xml(body.clone()).chunked()).await;
    let c = builder(&server)
        .max_response_bytes(1 << 20)
        .build()
        .expect("client builds");
    let e = c.cancel_send(1).await.expect_err("too large");
    assert!(e.is_body_too_large(), "{e:?}");
    assert_eq!(server.hits("/Service.asmx"), 1, "not retried");

    // Under the cap: fine, chunked or not.
    let server = Server::start(|r| perform_ok(r).chunked()).await;
    let c = builder(&server)
        .max_response_bytes(64 * 1024)
        .build()
        .expect("client builds");
    assert!(c.cancel_send(1).await.expect("small enough").ok);
}

#[test]
fn plain_http_to_other_hosts_is_refused_at_build() {
    for endpoint in [
        "http://example.com/Service.asmx",
        "http://10.1.2.3/Service.asmx",
        "http://[2001:db8::1]/Service.asmx",
        "http://localhost.example.com/Service.asmx",
    ] {
        let e = Client::builder()
            .endpoint(endpoint)
            .access_token("t")
            .build()
            .expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Config, "{endpoint}");
        assert!(e.to_string().contains("https://"), "{e}");
    }
    for endpoint in [
        "http://127.0.0.1:8080/Service.asmx",
        "http://127.1.2.3/Service.asmx",
        "http://[::1]:8080/Service.asmx",
        "http://localhost:8080/Service.asmx",
        "https://mc123.soap.marketingcloudapis.com/Service.asmx",
    ] {
        assert!(
            Client::builder()
                .endpoint(endpoint)
                .access_token("t")
                .build()
                .is_ok(),
            "{endpoint}"
        );
    }
}

#[test]
fn proxies_can_be_configured() {
    let proxy = reqwest::Proxy::https("http://proxy.example.com:3128").expect("a proxy");
    assert!(Client::builder()
        .subdomain("mc1")
        .access_token("t")
        .proxy(proxy)
        .build()
        .is_ok());
    assert!(Client::builder()
        .subdomain("mc1")
        .access_token("t")
        .no_proxy()
        .build()
        .is_ok());
}
