//! The request on the wire: method, path, headers, envelope (checked against the vendor schema
//! when the validator is available), CorrelationID, connection reuse, WS-Security.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{builder, client, perform_ok, perform_response, Reply, Server};
use sfmc_partnerapi::types::{PerformRequestMsg, Send};
use sfmc_partnerapi::Client;

fn validator() -> Option<PathBuf> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/validate/validate-envelope.sh");
    let xmllint = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match (script.is_file(), xmllint) {
        (true, true) => Some(script),
        (found, lint) => {
            let what = format!(
                "schema validation skipped: validator script {} ({}), xmllint {}",
                script.display(),
                if found { "found" } else { "missing" },
                if lint { "found" } else { "missing" }
            );
            assert!(!ci, "{what} (required under CI=true)");
            println!("note: {what}");
            None
        }
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn correlation_ids(body: &str) -> Vec<String> {
    body.split("<CorrelationID>")
        .skip(1)
        .filter_map(|s| {
            s.split_once("</CorrelationID>")
                .map(|(id, _)| id.to_string())
        })
        .collect()
}

#[tokio::test]
async fn cancel_request_on_the_wire_is_valid() {
    let server = Server::start(perform_ok).await;
    let outcome = client(&server)
        .cancel_send(29605)
        .await
        .expect("cancel succeeds");
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(outcome.id, 29605);
    assert_eq!(outcome.status_code, "OK");
    assert_eq!(outcome.message, "Send cancelled");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/Service.asmx");
    assert_eq!(r.header("SOAPAction"), Some("\"Perform\""));
    assert_eq!(r.header("Content-Type"), Some("text/xml; charset=utf-8"));
    assert_eq!(
        r.header("User-Agent"),
        Some(concat!("sfmc-partnerapi/", env!("CARGO_PKG_VERSION")))
    );
    let body = r.text();
    assert!(
        body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{body}"
    );
    assert!(
        body.contains(
            "<fueloauth xmlns=\"http://exacttarget.com\">static-token-s3cr3t</fueloauth>"
        ),
        "{body}"
    );
    assert!(body.contains("<Options/><Action>cancel</Action>"), "{body}");
    assert!(
        body.contains("<Definition xsi:type=\"Send\"><ID>29605</ID><CorrelationID>"),
        "{body}"
    );
    let ids = correlation_ids(&body);
    assert_eq!(ids.len(), 1, "{body}");
    assert!(is_uuid(&ids[0]), "{ids:?}");
    assert_eq!(r.send_ids(), vec![29605]);

    if let Some(script) = validator() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("cancel-request.xml");
        std::fs::write(&file, &r.body).expect("write request");
        let out = Command::new(&script)
            .arg(&file)
            .output()
            .expect("run validator");
        assert!(
            out.status.success(),
            "the request does not validate against the vendor schema:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn batch_request_validates_and_shares_one_correlation_id() {
    let server = Server::start(perform_ok).await;
    let ids: Vec<i64> = (1..=3).collect();
    client(&server)
        .pause_sends(&ids)
        .await
        .expect("pause succeeds");
    let r = &server.requests()[0];
    let body = r.text();
    assert!(body.contains("<Action>pause</Action>"), "{body}");
    let cids = correlation_ids(&body);
    assert_eq!(cids.len(), 3);
    assert!(cids.iter().all(|c| c == &cids[0]), "{cids:?}");
    if let Some(script) = validator() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("pause-request.xml");
        std::fs::write(&file, &r.body).expect("write request");
        let ok = Command::new(&script)
            .arg(&file)
            .status()
            .expect("run validator");
        assert!(ok.success());
    }
}

#[tokio::test]
async fn a_correlation_id_set_by_the_caller_is_kept() {
    let server = Server::start(perform_ok).await;
    let definitions = vec![
        Send {
            id: Some(5),
            correlation_id: Some("caller-chosen".into()),
            ..Default::default()
        }
        .into(),
        Send {
            id: Some(6),
            ..Default::default()
        }
        .into(),
    ];
    client(&server)
        .perform("resume", definitions, None)
        .await
        .expect("perform succeeds");
    let body = server.requests()[0].text();
    let cids = correlation_ids(&body);
    assert_eq!(cids.len(), 2, "{body}");
    assert_eq!(cids[0], "caller-chosen");
    assert!(is_uuid(&cids[1]));
}

#[tokio::test]
async fn the_generated_operation_sends_a_correlation_id_and_returns_the_answer_as_is() {
    let server = Server::start(|_| {
        Reply::xml(perform_response(
            &[common::err(1, 12, "Send not found")],
            "Has Errors",
            "",
        ))
    })
    .await;
    let request = PerformRequestMsg {
        action: Some("cancel".into()),
        definitions: vec![Send {
            id: Some(1),
            ..Default::default()
        }
        .into()],
        ..Default::default()
    };
    let resp = client(&server)
        .api()
        .perform(&request)
        .await
        .expect("the answer comes back as is");
    assert_eq!(resp.overall_status, "Has Errors");
    assert_eq!(resp.results.len(), 1);
    assert_eq!(correlation_ids(&server.requests()[0].text()).len(), 1);
}

#[tokio::test]
async fn connections_are_reused() {
    let server = Server::start(perform_ok).await;
    let client = client(&server);
    for id in 1..=3 {
        client.cancel_send(id).await.expect("cancel succeeds");
    }
    let clone = client.clone();
    clone.cancel_send(4).await.expect("cancel succeeds");
    assert_eq!(server.hits("/Service.asmx"), 4);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn user_agent_can_be_set() {
    let server = Server::start(perform_ok).await;
    builder(&server)
        .user_agent("my-tool/2.0")
        .build()
        .expect("client builds")
        .cancel_send(1)
        .await
        .expect("cancel succeeds");
    assert_eq!(
        server.requests()[0].header("User-Agent"),
        Some("my-tool/2.0")
    );
}

#[tokio::test]
async fn username_token_has_a_fresh_nonce_per_request() {
    let server = Server::start(perform_ok).await;
    let client = Client::builder()
        .endpoint(server.url("/Service.asmx"))
        .username_token("api-user", "pa55word")
        .no_proxy()
        .build()
        .expect("client builds");
    client.cancel_send(1).await.expect("cancel succeeds");
    client.cancel_send(2).await.expect("cancel succeeds");
    let nonces: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            let body = r.text();
            assert!(
                body.contains("<wsse:Username>api-user</wsse:Username>"),
                "{body}"
            );
            assert!(body.contains(">pa55word</wsse:Password>"), "{body}");
            assert!(body.contains("<wsu:Created>"), "{body}");
            body.split("<wsse:Nonce>")
                .nth(1)
                .and_then(|s| s.split_once("</wsse:Nonce>"))
                .map(|(n, _)| n.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(nonces.len(), 2);
    assert!(!nonces[0].is_empty());
    assert_ne!(nonces[0], nonces[1]);
}
