//! Secrets (client secret, access tokens, passwords) never show in `Debug`, error messages or
//! `tracing` output, even when a server echoes them back.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{perform_ok, token_answer, Reply, Server};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::Client;

const SECRETS: &[&str] = &[
    "client-s3cr3t",
    "issued-token-s3cr3t",
    "static-token-s3cr3t",
    "passw0rd-s3cr3t",
];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows secret {s}:\n{text}");
    }
}

/// Collects everything a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

#[test]
fn debug_output_has_no_secrets() {
    let builder = Client::builder()
        .subdomain("mc1")
        .client_credentials("my-client", "client-s3cr3t");
    assert_clean("ClientBuilder Debug", &format!("{builder:?}"));
    let client = builder.build().expect("client builds");
    let debug = format!("{client:?}");
    assert_clean("Client Debug", &debug);
    assert!(debug.contains("mc1.auth.marketingcloudapis.com"), "{debug}");

    for b in [
        Client::builder()
            .subdomain("mc1")
            .access_token("static-token-s3cr3t"),
        Client::builder()
            .subdomain("mc1")
            .username_token("user", "passw0rd-s3cr3t"),
    ] {
        assert_clean("ClientBuilder Debug", &format!("{b:?}"));
        let c = b.build().expect("client builds");
        assert_clean("Client Debug", &format!("{c:?}"));
        assert_clean(
            "dry run",
            &c.dry_run(sfmc_partnerapi::SendAction::Cancel, &[1]),
        );
    }
}

#[test]
fn configuration_errors_have_no_secrets() {
    let e = Client::builder()
        .endpoint("https://user:passw0rd-s3cr3t@example.com/Service.asmx")
        .access_token("static-token-s3cr3t")
        .build()
        .expect_err("user info refused");
    assert_clean("config error", &e.to_string());
    assert_clean("config error Debug", &format!("{e:?}"));
}

#[tokio::test]
async fn errors_and_logs_have_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A token endpoint and a SOAP endpoint that echo secrets in their errors.
    let server = Server::start(|r| match r.path.as_str() {
        "/v2/token" => {
            if r.text().contains("wrong-client") {
                Reply::json(
                    401,
                    serde_json::json!({
                        "error": "invalid_client",
                        "error_description": "bad secret client-s3cr3t for wrong-client",
                    }),
                )
            } else {
                token_answer("issued-token-s3cr3t", 1080, "")
            }
        }
        "/echo" => Reply::new(
            502,
            "text/html",
            format!("<html><body>Bad gateway for {}</body></html>", r.text()),
        ),
        "/expired" => Reply::fault(&Fault::new("soap:Client", "Token Expired")),
        _ => perform_ok(r),
    })
    .await;

    let oauth = |endpoint: &str, client_id: &str| {
        Client::builder()
            .auth_url(server.url(""))
            .endpoint(server.url(endpoint))
            .client_credentials(client_id, "client-s3cr3t")
            .no_proxy()
            .retry_policy(common::fast_retry())
            .build()
            .expect("client builds")
    };

    // Success, with a token fetch.
    assert!(
        oauth("/Service.asmx", "id")
            .cancel_send(1)
            .await
            .expect("cancel")
            .ok
    );
    // The token endpoint refuses, and repeats the secret.
    let e = oauth("/Service.asmx", "wrong-client")
        .cancel_send(1)
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("invalid_client"), "{e}");
    assert_clean("auth error", &e.to_string());
    assert_clean("auth error Debug", &format!("{e:?}"));
    // A gateway echoes the whole request (with the token) in an HTML page; retried, then reported.
    let e = oauth("/echo", "id").cancel_send(1).await.expect_err("502");
    assert!(e.to_string().contains("Bad gateway"), "{e}");
    assert_clean("HTTP error", &e.to_string());
    assert_clean("HTTP error Debug", &format!("{e:?}"));
    // Token expired, refreshed, expired again.
    let e = oauth("/expired", "id")
        .cancel_send(1)
        .await
        .expect_err("expired");
    assert_clean("fault", &e.to_string());
    // Static token and username token, failing.
    for c in [
        Client::builder()
            .endpoint(server.url("/echo"))
            .access_token("static-token-s3cr3t")
            .no_proxy()
            .retry_policy(common::fast_retry())
            .build()
            .expect("client builds"),
        Client::builder()
            .endpoint(server.url("/echo"))
            .username_token("user", "passw0rd-s3cr3t")
            .no_proxy()
            .retry_policy(common::fast_retry())
            .build()
            .expect("client builds"),
    ] {
        let e = c.cancel_send(1).await.expect_err("502");
        assert_clean("HTTP error", &e.to_string());
        assert_clean("HTTP error Debug", &format!("{e:?}"));
    }

    let logs = captured.text();
    assert!(logs.contains("partnerapi.call"), "{logs}");
    assert!(logs.contains("partnerapi.token"), "{logs}");
    assert!(logs.contains("operation=\"Perform\""), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("status=502"), "{logs}");
    assert!(logs.contains("duration_ms"), "{logs}");
    assert_clean("tracing output", &logs);
    if std::env::var_os("SHOW_LOGS").is_some() {
        println!("{logs}");
    }
}
