//! Faults, HTTP errors without SOAP, unreadable answers, connection failures.

mod common;

use common::{client, Reply, Server};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::soap::{FaultKind, ProtocolError};
use sfmc_partnerapi::{Client, Error, ErrorKind};

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
    assert!(e.to_string().contains("check the credentials"), "{e}");
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
    let Error::Http {
        status, excerpt, ..
    } = &e
    else {
        panic!("expected Error::Http, got {e:?}")
    };
    assert_eq!(*status, 500);
    assert_eq!(
        excerpt.as_deref(),
        Some("Oops Runtime Error An application error occurred on the server.")
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
    assert!(
        matches!(
            e,
            Error::Http {
                status: 404,
                excerpt: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("Service.asmx"), "{e}");
}

async fn protocol_error(body: &'static str) -> ProtocolError {
    let server = Server::start(move |_| Reply::xml(body)).await;
    let e = client(&server)
        .cancel_send(1)
        .await
        .expect_err("a protocol error");
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    assert_eq!(server.hits("/Service.asmx"), 1);
    match e {
        Error::Protocol { source, .. } => source,
        other => panic!("expected Error::Protocol, got {other:?}"),
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
    assert!(text.contains("check the endpoint URL"), "{text}");
}
