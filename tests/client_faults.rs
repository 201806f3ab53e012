//! Faults, HTTP errors without SOAP, unreadable answers, connection failures.

mod common;

use common::{client, Reply, Server};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::soap::{FaultKind, ProtocolError};
use sfmc_partnerapi::{Client, ErrorKind};

#[tokio::test]
async fn client_fault() {
    let server = Server::start(|_| {
        Reply::fault(&Fault::new("soap:Client", "Invalid Action").with_detail(3, "Action pouse"))
    })
    .await;
    let e = client(&server).cancel_send(1).await.expect_err("a fault");
    assert_eq!(e.kind(), ErrorKind::Fault);
    let fault = e.fault().expect("the fault");
    assert_eq!(fault.kind(), FaultKind::Client);
    assert_eq!(fault.string, "Invalid Action");
    assert_eq!(fault.api_code(), Some(3));
    let text = e.to_string();
    assert!(
        text.contains("soap:Client") && text.contains("Invalid Action"),
        "{text}"
    );
    assert!(text.contains("apifault Code 3: Action pouse"), "{text}");
    assert_eq!(
        server.hits("/Service.asmx"),
        1,
        "a Client fault is not retried"
    );
}

#[tokio::test]
async fn server_fault() {
    let server = Server::start(|_| {
        Reply::fault(&Fault::new("soap:Server", "Object reference not set").with_detail(1, "x"))
    })
    .await;
    let e = client(&server).cancel_send(1).await.expect_err("a fault");
    assert_eq!(e.kind(), ErrorKind::Fault);
    assert!(e.is_server_fault());
    assert_eq!(
        server.hits("/Service.asmx"),
        1,
        "apifault Code 1 is not retried"
    );
}

#[tokio::test]
async fn security_fault_is_an_auth_error() {
    let server = Server::start(|_| Reply::fault(&Fault::new("q0:Security", "Login Failed"))).await;
    let e = client(&server).cancel_send(1).await.expect_err("a fault");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.is_auth());
    assert_eq!(e.fault().map(Fault::kind), Some(FaultKind::Security));
    assert!(
        !e.to_string().contains("check the"),
        "advice is the hint's: {e}"
    );
    assert_eq!(
        e.hint(),
        Some("check the credentials, the account ID and the token")
    );
    assert_eq!(server.hits("/Service.asmx"), 1);
}

#[tokio::test]
async fn http_error_with_html_body() {
    let server = Server::start(|_| {
        Reply::new(
            500,
            "text/html",
            "<html><head><title>Oops</title></head><body><h1>Runtime Error</h1>\
             <p>An application error occurred on the server.</p></body></html>",
        )
    })
    .await;
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("an HTTP error");
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_eq!(e.status(), Some(500));
    assert_eq!(
        e.excerpt(),
        Some("Oops Runtime Error An application error occurred on the server.")
    );
    assert!(
        e.url().is_some_and(|u| u.ends_with("/Service.asmx")),
        "{e:?}"
    );
    assert_eq!(server.hits("/Service.asmx"), 1, "500 is not retried");
}

#[tokio::test]
async fn http_404_without_body() {
    let server = Server::start(|_| Reply::status(404)).await;
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("an HTTP error");
    assert!(e.is_http(), "{e:?}");
    assert_eq!((e.status(), e.excerpt()), (Some(404), None), "{e:?}");
    assert!(e.to_string().contains("HTTP 404"), "{e}");
    assert_eq!(
        e.hint(),
        Some("check the endpoint URL: it should end in /Service.asmx")
    );
}

async fn protocol_error(body: &'static str) -> ProtocolError {
    let server = Server::start(move |_| Reply::xml(body)).await;
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("a protocol error");
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    assert_eq!(server.hits("/Service.asmx"), 1);
    match e.protocol_error() {
        Some(error) => error.clone(),
        None => panic!("expected an unreadable answer, got {e:?}"),
    }
}

#[tokio::test]
async fn unreadable_answers_are_protocol_errors() {
    assert!(matches!(
        protocol_error("this is not XML").await,
        ProtocolError::Xml(_) | ProtocolError::NotSoap(_)
    ));
    assert!(matches!(protocol_error("").await, ProtocolError::Empty));
    assert!(matches!(
        protocol_error("<html><body>hi</body></html>").await,
        ProtocolError::NotSoap(_)
    ));
    assert!(matches!(
        protocol_error(
            "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><x/></s:Body></s:Envelope>"
        )
        .await,
        ProtocolError::Soap12
    ));
    assert!(matches!(
        protocol_error(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
             <PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><Result>"
        )
        .await,
        ProtocolError::Xml(_)
    ));
    assert!(matches!(
        protocol_error(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
             <RetrieveResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"/></s:Body></s:Envelope>"
        )
        .await,
        ProtocolError::UnexpectedBody { .. }
    ));
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let client = Client::builder()
        .endpoint(format!("http://{addr}/Service.asmx"))
        .access_token("t")
        .no_proxy()
        .retry_policy(common::fast_retry())
        .build()
        .expect("client builds");
    let e = client.cancel_send(1).await.expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Connect, "{e:?}");
    let text = e.to_string();
    assert!(text.contains(&addr.to_string()), "{text}");
    assert!(!text.contains("check the"), "advice is the hint's: {text}");
    assert_eq!(
        e.hint(),
        Some("check the endpoint URL, the network and any proxy")
    );
}

/// The causes of a connection failure stay reachable: the `reqwest::Error` is the source, and
/// neither it nor anything below it shows a secret, even one in the endpoint's query.
#[tokio::test]
async fn a_connection_failure_keeps_its_cause_without_secrets() {
    use std::error::Error as _;

    const TOKEN: &str = "tok-0123456789-abcdef-SECRET";
    const SECRET: &str = "client-secret-9876543210-SECRET";
    const IN_QUERY: &str = "query-key-SECRET";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let static_token = Client::builder()
        .endpoint(format!("http://{addr}/Service.asmx?key={IN_QUERY}"))
        .access_token(TOKEN)
        .no_proxy()
        .retry_policy(sfmc_partnerapi::RetryPolicy::none())
        .build()
        .expect("client builds");
    let oauth = Client::builder()
        .endpoint(format!("http://{addr}/Service.asmx?key={IN_QUERY}"))
        .auth_url(format!("http://{addr}/auth"))
        .client_credentials("id", SECRET)
        .no_proxy()
        .retry_policy(sfmc_partnerapi::RetryPolicy::none())
        .build()
        .expect("client builds");
    for client in [static_token, oauth] {
        let e = client.cancel_send(1).await.expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Connect, "{e:?}");
        let source = e.source().expect("the transport error is kept");
        let reqwest = source
            .downcast_ref::<reqwest::Error>()
            .expect("the source is the reqwest error");
        assert!(reqwest.is_connect(), "{reqwest:?}");
        assert!(reqwest.url().is_none(), "the URL is removed: {reqwest:?}");
        // Everything that can be shown: the message, the report, Debug, and every cause.
        let mut shown = format!("{e} | {} | {e:?}", e.report());
        let mut cause = e.source();
        while let Some(c) = cause {
            shown.push_str(&format!(" | {c} | {c:?}"));
            cause = c.source();
        }
        for secret in [TOKEN, SECRET, IN_QUERY] {
            assert!(!shown.contains(secret), "{secret} shows: {shown}");
        }
        // The report says what the operating system said.
        assert!(
            e.report().to_string().to_lowercase().contains("refused"),
            "{}",
            e.report()
        );
    }
}
