//! OAuth2 client credentials: token request, cache, refresh, single flight, Token Expired
//! recovery, token endpoint errors; configuration checks.

mod common;

use std::time::Duration;

use common::{oauth_builder, oauth_server, perform_ok, token_answer, Reply, Server};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::{Client, ErrorKind};

fn oauth_client(server: &Server) -> Client {
    oauth_builder(server).build().expect("client builds")
}

#[tokio::test]
async fn token_request_and_soap_instance_url() {
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let client = oauth_client(&server);
    assert!(client.cancel_send(1).await.expect("cancel").ok);
    assert!(client.cancel_send(2).await.expect("cancel").ok);
    let requests = server.requests();
    assert_eq!(server.hits("/v2/token"), 1, "the token is cached");
    let token_request = &requests[0];
    assert_eq!(token_request.method, "POST");
    assert_eq!(
        token_request.header("Content-Type"),
        Some("application/json")
    );
    let json: serde_json::Value = serde_json::from_slice(&token_request.body).expect("a JSON body");
    assert_eq!(
        json,
        serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": "my-client",
            "client_secret": "client-s3cr3t",
            "account_id": 518000123,
            "scope": "email_read email_write",
        })
    );
    // The SOAP endpoint comes from soap_instance_url + Service.asmx.
    assert_eq!(server.hits("/soap/Service.asmx"), 2);
    for r in requests.iter().filter(|r| r.path != "/v2/token") {
        assert_eq!(r.fueloauth().as_deref(), Some("tok-1"));
    }
}

#[tokio::test]
async fn explicit_endpoint_wins_over_soap_instance_url() {
    let (server, _) = oauth_server(1080, Duration::ZERO, perform_ok).await;
    let client = Client::builder()
        .auth_url(server.url("/"))
        .endpoint(server.url("/Service.asmx"))
        .client_credentials("id", "secret")
        .no_proxy()
        .build()
        .expect("client builds");
    client.cancel_send(1).await.expect("cancel");
    assert_eq!(server.hits("/Service.asmx"), 1);
    assert_eq!(server.hits("/soap/Service.asmx"), 0);
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed() {
    let (server, _) = oauth_server(1, Duration::ZERO, perform_ok).await;
    let client = oauth_client(&server);
    client.cancel_send(1).await.expect("cancel");
    client.cancel_send(2).await.expect("cancel");
    assert_eq!(server.hits("/v2/token"), 1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    client.cancel_send(3).await.expect("cancel");
    assert_eq!(server.hits("/v2/token"), 2);
    let tokens: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path != "/v2/token")
        .filter_map(|r| r.fueloauth())
        .collect();
    assert_eq!(tokens, vec!["tok-1", "tok-1", "tok-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_concurrent_calls_cause_one_token_request() {
    // 2 s lifetime: refreshed after 1.8 s, so each round has time to finish on a busy machine.
    let (server, _) = oauth_server(2, Duration::from_millis(100), perform_ok).await;
    let client = oauth_client(&server);
    let run = |client: Client| async move {
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let c = client.clone();
                tokio::spawn(async move { c.cancel_send(i).await })
            })
            .collect();
        for t in tasks {
            let outcome = t.await.expect("task").expect("cancel");
            assert!(outcome.ok);
        }
    };
    // No token yet.
    run(client.clone()).await;
    assert_eq!(server.hits("/v2/token"), 1);
    // Token expired (or about to).
    tokio::time::sleep(Duration::from_millis(2000)).await;
    run(client.clone()).await;
    assert_eq!(server.hits("/v2/token"), 2);
    assert_eq!(server.hits("/soap/Service.asmx"), 200);
}

#[tokio::test]
async fn token_expired_fault_refreshes_once_and_retries_once() {
    let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
        if r.fueloauth().as_deref() == Some("tok-1") {
            Reply::fault(&Fault::new("soap:Client", "Token Expired"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let client = oauth_client(&server);
    let outcome = client.cancel_send(77).await.expect("recovered");
    assert!(outcome.ok);
    assert_eq!(server.hits("/v2/token"), 2);
    assert_eq!(server.hits("/soap/Service.asmx"), 2);
    // The same request (same CorrelationID) went out again.
    let bodies: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path != "/v2/token")
        .map(|r| r.text().replace("tok-1", "tok-2"))
        .collect();
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn http_401_from_the_soap_endpoint_refreshes_once() {
    let (server, _) = oauth_server(1080, Duration::ZERO, |r| {
        if r.fueloauth().as_deref() == Some("tok-1") {
            Reply::new(401, "text/html", "<html><body>Unauthorized</body></html>")
        } else {
            perform_ok(r)
        }
    })
    .await;
    assert!(
        oauth_client(&server)
            .cancel_send(5)
            .await
            .expect("recovered")
            .ok
    );
    assert_eq!(server.hits("/v2/token"), 2);
    assert_eq!(server.hits("/soap/Service.asmx"), 2);
}

#[tokio::test]
async fn a_security_fault_with_a_fresh_token_is_not_retried() {
    let (server, _) = oauth_server(1080, Duration::ZERO, |_| {
        Reply::fault(&Fault::new("q0:Security", "Login Failed"))
    })
    .await;
    let e = oauth_client(&server)
        .cancel_send(1)
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(server.hits("/v2/token"), 1);
    assert_eq!(server.hits("/soap/Service.asmx"), 1);
}

#[tokio::test]
async fn token_expired_twice_gives_up_after_one_refresh() {
    let (server, _) = oauth_server(1080, Duration::ZERO, |_| {
        Reply::fault(&Fault::new("soap:Client", "Token Expired"))
    })
    .await;
    let e = oauth_client(&server)
        .cancel_send(1)
        .await
        .expect_err("still expired");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(server.hits("/v2/token"), 2);
    assert_eq!(server.hits("/soap/Service.asmx"), 2);
}

#[tokio::test]
async fn token_expired_with_a_static_token_is_an_auth_error() {
    let server = Server::start(|_| Reply::fault(&Fault::new("soap:Client", "Token Expired"))).await;
    let e = common::client(&server)
        .cancel_send(1)
        .await
        .expect_err("expired");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_client_is_an_auth_error_without_the_secret() {
    let server = Server::start(|r| {
        if r.path == "/v2/token" {
            Reply::json(
                401,
                serde_json::json!({
                    "error": "invalid_client",
                    "error_description": "Client authentication failed. Make sure that the client ID and client secret are valid.",
                    "error_uri": "https://developer.salesforce.com/docs"
                }),
            )
            .after(Duration::from_millis(50))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let client = oauth_client(&server);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.cancel_send(i).await })
        })
        .collect();
    for t in tasks {
        let e = t.await.expect("task").expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Auth);
        let text = e.to_string();
        assert!(text.contains("invalid_client"), "{text}");
        assert!(text.contains("Client authentication failed"), "{text}");
        assert!(text.contains("HTTP 401"), "{text}");
        assert!(!text.contains("client-s3cr3t"), "{text}");
        assert!(!format!("{e:?}").contains("client-s3cr3t"));
    }
    assert_eq!(server.hits("/Service.asmx"), 0);
    assert_eq!(
        server.hits("/v2/token"),
        1,
        "waiting calls share the failure"
    );
}

#[tokio::test]
async fn a_plain_http_soap_instance_url_is_refused_before_sending() {
    let server = Server::start(|r| {
        if r.path == "/v2/token" {
            token_answer("tok", 1080, "http://mc123.soap.example.com/")
        } else {
            perform_ok(r)
        }
    })
    .await;
    let e = oauth_client(&server)
        .cancel_send(1)
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Config, "{e:?}");
    assert!(e.to_string().contains("soap_instance_url"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn token_endpoint_without_a_token() {
    let server = Server::start(|_| Reply::json(200, serde_json::json!({"nope": true}))).await;
    let e = oauth_client(&server)
        .cancel_send(1)
        .await
        .expect_err("no token");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("access_token"), "{e}");
}

#[test]
fn configuration_is_checked_at_build() {
    let kind = |b: sfmc_partnerapi::ClientBuilder| b.build().map(|_| ()).map_err(|e| e.kind());
    let config = Err(ErrorKind::Config);
    // Client credentials need a token endpoint.
    assert_eq!(kind(Client::builder().client_credentials("a", "b")), config);
    // One authentication method only.
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc123")
                .client_credentials("a", "b")
                .access_token("t")
        ),
        config
    );
    // A static token needs an endpoint.
    assert_eq!(kind(Client::builder().access_token("t")), config);
    // Subdomains are host labels.
    assert_eq!(
        kind(Client::builder().subdomain("evil.com/x").access_token("t")),
        config
    );
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc123")
                .client_credentials("a", "b")
        ),
        Ok(())
    );
    assert_eq!(
        kind(Client::builder().subdomain("mc123").access_token("t")),
        Ok(())
    );
    // Plain http only to loopback, for the token URL as for the endpoint.
    assert_eq!(
        kind(
            Client::builder()
                .auth_url("http://auth.example.com")
                .client_credentials("a", "b")
        ),
        config
    );
    assert_eq!(
        kind(
            Client::builder()
                .auth_url("http://127.0.0.1:1")
                .client_credentials("a", "b")
        ),
        Ok(())
    );
    // Empty credentials, zero limits.
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc1")
                .client_credentials("a", "")
        ),
        config
    );
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc1")
                .access_token("t")
                .request_timeout(Duration::ZERO)
        ),
        config
    );
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc1")
                .access_token("t")
                .max_response_bytes(0)
        ),
        config
    );
    assert_eq!(
        kind(
            Client::builder()
                .subdomain("mc1")
                .access_token("t")
                .user_agent("bad\nagent")
        ),
        config
    );
}
