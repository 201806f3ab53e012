//! Send helpers: outcomes, per-result errors, OverallStatus variants, batches, partial failures,
//! retrieve, dry run.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{
    builder, client, err, ok, perform_ok, perform_response, perform_reversed_sevens_fail, Reply,
    ResultSpec, Server,
};
use sfmc_partnerapi::sends::{OutcomeStatus, SendAction};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::types::{AnyFilterPart, RetrieveRequestMsg};
use sfmc_partnerapi::{Client, ErrorKind};

/// A client that sends the chunks of a batch one after the other, in order (the tests below
/// count requests in order; `tests/client_bulk.rs` runs several at once).
fn one_at_a_time(server: &Server) -> Client {
    builder(server).bulk_concurrency(1).build().expect("client")
}

#[tokio::test]
async fn per_result_errors_give_failed_outcomes() {
    // 1 is fine, 2 is unknown, 3 was canceled already.
    let server = Server::start(|_| {
        Reply::xml(perform_response(
            &[
                ok(1),
                err(2, 12, "Send not found"),
                err(3, 25, "Send is already canceled"),
            ],
            "Has Errors",
            "",
        ))
    })
    .await;
    let outcomes = client(&server)
        .cancel_sends(&[1, 2, 3])
        .await
        .expect("outcomes");
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes[0].ok);
    assert_eq!(
        (
            outcomes[1].ok,
            outcomes[1].status_code.as_str(),
            outcomes[1].error_code,
            outcomes[1].message.as_str()
        ),
        (false, "Error", Some(12), "Send not found")
    );
    assert_eq!(
        (
            outcomes[2].ok,
            outcomes[2].error_code,
            outcomes[2].message.as_str()
        ),
        (false, Some(25), "Send is already canceled")
    );

    // One send: an Ok outcome with ok = false, not an Err.
    let one = client(&server).cancel_send(2).await.expect("an outcome");
    assert!(!one.ok);
    assert_eq!(one.id, 2);
    // The outcome as JSON: `Serialize` comes with the `serde` feature.
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_value(&one).expect("serializes");
        assert_eq!(json["status_code"], "Error");
        assert_eq!(json["error_code"], 12);
    }
}

#[tokio::test]
async fn error_with_message_and_no_results() {
    let server =
        Server::start(|_| Reply::xml(perform_response(&[], "Error: Invalid action pouse", "")))
            .await;
    let outcome = client(&server).cancel_send(9).await.expect("an outcome");
    assert!(!outcome.ok);
    assert_eq!(outcome.status_code, "Error");
    assert_eq!(outcome.message, "Invalid action pouse");

    // The generic perform turns it into an API error.
    let e = client(&server)
        .perform("pouse", Vec::new(), None)
        .await
        .expect_err("an API error");
    assert_eq!(e.kind(), ErrorKind::Api);
    let api = e.api_error().expect("api error");
    assert_eq!(api.overall_status, "Error: Invalid action pouse");
}

#[tokio::test]
async fn perform_reports_every_result_of_has_errors() {
    let server = Server::start(|_| {
        Reply::xml(perform_response(
            &[ok(1), err(2, 12, "Send not found")],
            "Has Errors",
            "Some sends failed",
        ))
    })
    .await;
    let definitions = vec![
        sfmc_partnerapi::types::Send {
            id: Some(1),
            ..Default::default()
        }
        .into(),
        sfmc_partnerapi::types::Send {
            id: Some(2),
            ..Default::default()
        }
        .into(),
    ];
    let e = client(&server)
        .perform("cancel", definitions, None)
        .await
        .expect_err("an API error");
    let Some(api) = e.api_error() else {
        panic!("expected an API error, got {e:?}")
    };
    assert_eq!(api.operation, "Perform");
    assert_eq!(api.results.len(), 2);
    assert_eq!(api.results[1].id, Some(2));
    assert_eq!(api.results[1].error_code, Some(12));
    assert_eq!(api.message.as_deref(), Some("Some sends failed"));
    let text = e.to_string();
    assert!(text.contains("Has Errors"), "{text}");
    assert!(
        text.contains("ID 2: Error Send not found [ErrorCode 12]"),
        "{text}"
    );
    assert!(text.contains("1 of 2 results failed"), "{text}");
}

#[tokio::test]
async fn batches_of_120_go_in_chunks_of_50_50_20_with_outcomes_in_order() {
    // Answer in reverse order, and fail every ID divisible by 7, to check the matching.
    let server = Server::start(perform_reversed_sevens_fail).await;
    let ids: Vec<i64> = (1000..1120).collect();
    let outcomes = one_at_a_time(&server)
        .cancel_sends(&ids)
        .await
        .expect("outcomes");
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.send_ids().len())
        .collect();
    assert_eq!(sizes, vec![50, 50, 20]);
    let sent: Vec<i64> = server
        .requests()
        .iter()
        .flat_map(|r| r.send_ids())
        .collect();
    assert_eq!(sent, ids);
    assert_eq!(outcomes.len(), 120);
    for (o, id) in outcomes.iter().zip(&ids) {
        assert_eq!(o.id, *id);
        assert_eq!(o.ok, id % 7 != 0, "{o:?}");
    }
}

#[tokio::test]
async fn results_without_objects_match_by_position() {
    let server = Server::start(|r| {
        let results: Vec<ResultSpec<'static>> = r
            .send_ids()
            .into_iter()
            .map(|id| ResultSpec {
                id: None,
                status: if id == 2 { "Error" } else { "OK" },
                error_code: None,
                message: if id == 2 { "nope" } else { "done" },
            })
            .collect();
        Reply::xml(perform_response(&results, "Has Errors", ""))
    })
    .await;
    let outcomes = client(&server)
        .resume_sends(&[1, 2, 3])
        .await
        .expect("outcomes");
    let summary: Vec<_> = outcomes.iter().map(|o| (o.id, o.ok)).collect();
    assert_eq!(summary, vec![(1, true), (2, false), (3, true)]);
}

#[tokio::test]
async fn a_failing_chunk_marks_its_ids_and_the_others_go_on() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = Server::start(move |r| {
        if seen.fetch_add(1, Ordering::SeqCst) == 1 {
            Reply::fault(&Fault::new("soap:Server", "Internal failure").with_detail(1, "boom"))
        } else {
            perform_ok(r)
        }
    })
    .await;
    let ids: Vec<i64> = (1..=120).collect();
    let outcomes = one_at_a_time(&server)
        .cancel_sends(&ids)
        .await
        .expect("outcomes");
    assert_eq!(outcomes.len(), 120);
    assert!(outcomes[..50].iter().all(|o| o.ok));
    for o in &outcomes[50..100] {
        assert!(!o.ok);
        assert_eq!(o.status, OutcomeStatus::Unknown);
        assert_eq!(o.status_code, "Unknown");
        assert_eq!(o.error_code, Some(1));
        assert!(o.message.contains("Internal failure"), "{}", o.message);
    }
    assert!(outcomes[100..].iter().all(|o| o.ok));
    assert_eq!(server.hits("/Service.asmx"), 3);
}

#[tokio::test]
async fn nothing_determined_is_an_error() {
    let server = Server::start(|_| {
        Reply::fault(&Fault::new("soap:Client", "Invalid request").with_detail(3, "bad"))
    })
    .await;
    let ids: Vec<i64> = (1..=60).collect();
    let e = client(&server)
        .cancel_sends(&ids)
        .await
        .expect_err("every chunk failed");
    assert_eq!(e.kind(), ErrorKind::Fault);
    assert_eq!(server.hits("/Service.asmx"), 2);
}

#[tokio::test]
async fn an_auth_failure_stops_the_batch() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = Server::start(move |r| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            perform_ok(r)
        } else {
            Reply::fault(&Fault::new("q0:Security", "Login Failed"))
        }
    })
    .await;
    let ids: Vec<i64> = (1..=150).collect();
    let outcomes = one_at_a_time(&server)
        .cancel_sends(&ids)
        .await
        .expect("outcomes");
    assert!(outcomes[..50].iter().all(|o| o.ok));
    assert!(outcomes[50..100]
        .iter()
        .all(|o| !o.ok && o.status == OutcomeStatus::Refused));
    assert!(outcomes[100..]
        .iter()
        .all(|o| !o.ok && o.status == OutcomeStatus::NotAttempted));
    assert_eq!(server.hits("/Service.asmx"), 2);
}

#[tokio::test]
async fn bad_ids_and_empty_batches_send_nothing() {
    let server = Server::start(perform_ok).await;
    let c = client(&server);
    let e = c
        .cancel_sends(&[1, i64::from(i32::MAX) + 1])
        .await
        .expect_err("out of range");
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("2147483648"), "{e}");
    assert!(c.cancel_sends(&[]).await.expect("empty").is_empty());
    assert_eq!(server.requests().len(), 0);
}

fn retrieve_response(ids: &[(i64, &str)], overall: &str, request_id: &str) -> String {
    let mut s = String::from(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
         <RetrieveResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\">",
    );
    s.push_str(&format!(
        "<OverallStatus>{overall}</OverallStatus><RequestID>{request_id}</RequestID>"
    ));
    for (id, status) in ids {
        s.push_str(&format!(
            "<Results xsi:type=\"Send\"><ID>{id}</ID><Status>{status}</Status></Results>"
        ));
    }
    s.push_str("</RetrieveResponseMsg></soap:Body></soap:Envelope>");
    s
}

fn retrieve_request(r: &common::Request) -> RetrieveRequestMsg {
    sfmc_partnerapi::soap::Envelope::parse(&r.body)
        .expect("an envelope")
        .read_body()
        .expect("a RetrieveRequestMsg")
}

#[tokio::test]
async fn retrieve_sends_filters_and_follows_more_data_available() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = Server::start(move |_| match seen.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::xml(retrieve_response(
            &[(1, "Scheduled"), (2, "Scheduled")],
            "MoreDataAvailable",
            "req-1",
        )),
        1 => Reply::xml(retrieve_response(
            &[(3, "Scheduled")],
            "MoreDataAvailable",
            "req-1",
        )),
        _ => Reply::xml(retrieve_response(&[(4, "Scheduled")], "OK", "req-1")),
    })
    .await;
    let sends = client(&server)
        .retrieve_sends(Some("Scheduled"))
        .await
        .expect("sends");
    let ids: Vec<_> = sends.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(sends[0].status.as_deref(), Some("Scheduled"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].header("SOAPAction"), Some("\"Retrieve\""));
    let first = retrieve_request(&requests[0]).retrieve_request;
    assert_eq!(first.object_type, "Send");
    assert!(first.properties.iter().any(|p| p == "ID"));
    assert!(first.properties.iter().any(|p| p == "Status"));
    let Some(AnyFilterPart::SimpleFilterPart(filter)) = &first.filter else {
        panic!("expected a SimpleFilterPart, got {:?}", first.filter)
    };
    assert_eq!(filter.property, "Status");
    assert_eq!(filter.value, vec!["Scheduled".to_string()]);
    assert!(requests[0]
        .text()
        .contains("<SimpleOperator>equals</SimpleOperator>"));
    assert!(!requests[0].text().contains("CorrelationID"));
    let second = retrieve_request(&requests[1]).retrieve_request;
    assert_eq!(second.continue_request.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn retrieve_without_filter_and_errors() {
    let server = Server::start(|r| {
        if r.text().contains("<Filter") {
            Reply::xml(retrieve_response(&[], "Error: bad filter", "req-2"))
        } else {
            Reply::xml(retrieve_response(&[(7, "Complete")], "OK", "req-2"))
        }
    })
    .await;
    let c = client(&server);
    assert_eq!(c.retrieve_sends(None).await.expect("sends").len(), 1);
    let e = c
        .retrieve_sends(Some("Nonsense"))
        .await
        .expect_err("an API error");
    assert_eq!(e.kind(), ErrorKind::Api);
    assert!(e.to_string().contains("bad filter"), "{e}");
}

#[tokio::test]
async fn dry_run_sends_nothing_and_masks_secrets() {
    let server = Server::start(perform_ok).await;
    let ids: Vec<i64> = (1..=60).collect();
    let text = client(&server).dry_run(SendAction::Cancel, &ids);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(text.matches("<Definition ").count(), 60);
    assert!(text.contains("<fueloauth xmlns=\"http://exacttarget.com\">***</fueloauth>"));
    assert!(!text.contains("static-token-s3cr3t"));
    for line in text.lines() {
        assert!(common::perform_request(line.as_bytes()).is_some(), "{line}");
    }

    let oauth = Client::builder()
        .auth_url(server.url(""))
        .client_credentials("id", "client-s3cr3t")
        .no_proxy()
        .build()
        .expect("client builds");
    let text = oauth.dry_run(SendAction::Cancel, &[1, i64::MAX]);
    assert!(!text.contains("client-s3cr3t"));
    assert!(text.contains("***"));
    assert!(text.contains("out of range"), "{text}");

    let legacy = Client::builder()
        .endpoint(server.url("/Service.asmx"))
        .username_token("user", "pa55word")
        .build()
        .expect("client builds");
    let text = legacy.dry_run(SendAction::Pause, &[1]);
    assert!(!text.contains("pa55word"), "{text}");
    assert!(text.contains("<wsse:Username>user</wsse:Username>"));
    assert_eq!(server.requests().len(), 0);
}
