//! Bulk calls with several chunks in flight: how many requests the server holds at once (counted
//! at the server), outcomes in input order, progress, CorrelationIDs, one-at-a-time order with a
//! concurrency of 1, the stop rule while other chunks are in flight, and the generic bulk
//! Perform's matching by CustomerKey and position. (Under injected faults:
//! `tests/faults_under_load.rs`.)

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{
    builder, perform_ok, perform_request, perform_response, perform_reversed_sevens_fail, Reply,
    Server,
};
use sfmc_partnerapi::sends::{OutcomeStatus, SendAction};
use sfmc_partnerapi::soap::Fault;
use sfmc_partnerapi::types::{AnyApiObject, ApiObject};
use sfmc_partnerapi::xml::Untyped;
use sfmc_partnerapi::{ErrorKind, PerformOutcome};

/// How long the server holds each answer: long enough for every request of a round to arrive
/// while the first is held (the counts below do not depend on it otherwise).
const HOLD: Duration = Duration::from_millis(1_000);

/// Checks the progress reports: one per chunk, `done` rising to `total`.
fn check_progress(calls: &[(usize, usize)], total: usize, chunks: usize) {
    assert_eq!(calls.len(), chunks, "{calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0), "{calls:?}");
    assert!(calls.iter().all(|&(_, t)| t == total), "{calls:?}");
    assert_eq!(calls.last().map(|c| c.0), Some(total));
}

/// Answers a Perform on sends after `HOLD`, with the results in reverse order and an error for
/// every ID divisible by 7.
fn held_answer(r: &common::Request) -> Reply {
    perform_reversed_sevens_fail(r).after(HOLD)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_chunks_in_flight_with_outcomes_in_input_order() {
    let server = Server::start(held_answer).await;
    let client = builder(&server)
        .bulk_concurrency(8)
        .build()
        .expect("client");
    // 32 chunks of 50.
    let ids: Vec<i64> = (10_000..11_600).collect();
    let mut calls = Vec::new();
    let batch = client
        .send_action_with_progress(SendAction::Cancel, &ids, |done, total| {
            calls.push((done, total))
        })
        .await
        .expect("a batch");

    assert_eq!(server.peak_in_flight(), 8, "requests held at once");
    let requests = server.requests();
    assert_eq!(requests.len(), 32);
    assert!(requests.iter().all(|r| r.send_ids().len() == 50));
    // Every ID sent once, whatever order the chunks arrived in.
    let mut sent: Vec<i64> = requests.iter().flat_map(|r| r.send_ids()).collect();
    sent.sort_unstable();
    assert_eq!(sent, ids);
    // One CorrelationID per request, on each of its definitions; no two requests share one.
    let correlation: HashSet<String> = requests
        .iter()
        .map(|r| {
            let ids: HashSet<String> = r.correlation_ids().into_iter().collect();
            assert_eq!(ids.len(), 1, "{ids:?}");
            ids.into_iter().next().unwrap()
        })
        .collect();
    assert_eq!(correlation.len(), 32);
    assert!(!correlation.contains(""));

    assert_eq!(batch.outcomes.len(), ids.len());
    for (o, id) in batch.outcomes.iter().zip(&ids) {
        assert_eq!(o.id, *id);
        assert_eq!(o.ok, id % 7 != 0, "{o:?}");
    }
    assert!(batch.first_error().is_none() && batch.answered());
    assert_eq!(batch.overall_statuses(), vec!["Has Errors"; 32]);
    check_progress(&calls, ids.len(), 32);

    // The default: four at once.
    let server = Server::start(held_answer).await;
    let client = builder(&server).build().expect("client");
    assert_eq!(client.bulk_concurrency(), 4);
    let ids: Vec<i64> = (1..=400).collect();
    let outcomes = client.pause_sends(&ids).await.expect("outcomes");
    assert_eq!(outcomes.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    assert_eq!(server.peak_in_flight(), 4);
    assert_eq!(server.requests().len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_of_one_sends_one_chunk_after_the_other_in_order() {
    let server = Server::start(|r| perform_ok(r).after(Duration::from_millis(20))).await;
    let client = builder(&server)
        .bulk_concurrency(1)
        .build()
        .expect("client");
    let ids: Vec<i64> = (1..=230).rev().collect();
    let mut calls = Vec::new();
    let batch = client
        .send_action_with_progress(SendAction::Resume, &ids, |d, t| calls.push((d, t)))
        .await
        .expect("a batch");
    assert_eq!(server.peak_in_flight(), 1);
    let sent: Vec<i64> = server
        .requests()
        .iter()
        .flat_map(|r| r.send_ids())
        .collect();
    assert_eq!(sent, ids, "chunks in input order");
    assert!(batch
        .outcomes
        .iter()
        .zip(&ids)
        .all(|(o, id)| o.ok && o.id == *id));
    assert_eq!(
        calls,
        vec![(50, 230), (100, 230), (150, 230), (200, 230), (230, 230)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_error_leaves_the_chunks_in_flight_to_finish() {
    // Four at once; the second chunk (IDs 51-100) is refused first (a Security fault: an
    // authentication error, which stops the batch), the others answer later. The refusal waits
    // long enough for the four requests to have been sent even on a loaded machine.
    let server = Server::start(|r| {
        if r.send_ids().contains(&51) {
            Reply::fault(&Fault::new("q0:Security", "Login Failed"))
                .after(Duration::from_millis(500))
        } else {
            perform_ok(r).after(Duration::from_millis(1_500))
        }
    })
    .await;
    let client = builder(&server)
        .bulk_concurrency(4)
        .build()
        .expect("client");
    let ids: Vec<i64> = (1..=500).collect();
    let mut calls = Vec::new();
    let batch = client
        .send_action_with_progress(SendAction::Cancel, &ids, |d, t| calls.push((d, t)))
        .await
        .expect("a batch");
    // The four chunks started before the refusal, and no other.
    assert_eq!(server.requests().len(), 4);
    let o = &batch.outcomes;
    assert_eq!(o.len(), 500);
    assert_eq!(o.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    // In flight when the batch stopped: their real outcomes.
    assert!(
        o[..50].iter().chain(&o[100..200]).all(|o| o.ok),
        "{:?}",
        o[0]
    );
    assert!(o[50..100].iter().all(|o| o.status == OutcomeStatus::Refused
        && o.error_kind == Some(ErrorKind::Auth)
        && o.message.contains("Login Failed")));
    // Not started: not sent, with the reason.
    for o in &o[200..] {
        assert_eq!(o.status, OutcomeStatus::NotAttempted, "{o:?}");
        assert_eq!(o.error_kind, Some(ErrorKind::Auth));
        assert!(
            o.message.starts_with("not sent: an earlier chunk failed")
                && o.message.contains("Login Failed"),
            "{}",
            o.message
        );
    }
    assert_eq!(batch.first_error().map(|e| e.kind()), Some(ErrorKind::Auth));
    check_progress(&calls, 500, 10);
}

/// An object of a type these bindings may not know (`Automation`), named by its CustomerKey.
fn automation(key: &str) -> AnyApiObject {
    AnyApiObject::Untyped(Box::new(Untyped {
        xsi_type: Some("Automation".into()),
        base: ApiObject {
            customer_key: Some(key.into()),
            ..Default::default()
        },
        ..Default::default()
    }))
}

/// Answers a Perform on automations: every fifth result (by position) names no object and
/// stands at its definition's place; the others name their CustomerKey and come in reverse
/// order. Keys ending in 7 fail.
fn automation_answer(r: &common::Request) -> Reply {
    let keys: Vec<String> = perform_request(&r.body)
        .map(|p| {
            p.definitions
                .iter()
                .map(|d| d.customer_key().as_deref().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    let keyed: Vec<usize> = (0..keys.len()).filter(|i| i % 5 != 0).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    for (slot, def) in keyed.iter().zip(keyed.iter().rev()) {
        order[*slot] = *def;
    }
    let mut xml = String::new();
    for (position, &def) in order.iter().enumerate() {
        let key = &keys[def];
        let (code, message) = if key.ends_with('7') {
            ("Error", format!("no automation {key}"))
        } else {
            ("OK", format!("started {key}"))
        };
        xml.push_str(&format!(
            "<Result><StatusCode>{code}</StatusCode><StatusMessage>{message}</StatusMessage>"
        ));
        if position % 5 != 0 {
            xml.push_str(&format!(
                "<Object xsi:type=\"Automation\"><CustomerKey>{key}</CustomerKey></Object>"
            ));
        }
        xml.push_str("</Result>");
    }
    let body = perform_response(&[], "Has Errors", "")
        .replace("<Results></Results>", &format!("<Results>{xml}</Results>"));
    Reply::xml(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generic_bulk_perform_matches_by_key_and_position_in_input_order() {
    let server = Server::start(automation_answer).await;
    let client = builder(&server).build().expect("client");
    let keys: Vec<String> = (0..120).map(|i| format!("auto-{i}")).collect();
    let definitions = keys.iter().map(|k| automation(k)).collect();
    let mut calls = Vec::new();
    let batch = client
        .perform_bulk_with_progress("start", definitions, None, |d, t| calls.push((d, t)))
        .await
        .expect("a batch");
    let sizes: HashSet<usize> = server
        .requests()
        .iter()
        .map(|r| r.correlation_ids().len())
        .collect();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(sizes, HashSet::from([50, 20]));
    assert_eq!(batch.overall_statuses(), vec!["Has Errors"; 3]);
    check_progress(&calls, 120, 3);
    for (i, (o, key)) in batch.outcomes.iter().zip(&keys).enumerate() {
        let PerformOutcome {
            index,
            key: object_key,
            ok,
            message,
            result,
            ..
        } = o;
        assert_eq!(
            (*index, object_key.customer_key.as_deref()),
            (i, Some(key.as_str()))
        );
        if key.ends_with('7') {
            assert!(!ok && o.status == OutcomeStatus::Failed, "{o:?}");
            assert_eq!(message, &format!("no automation {key}"));
        } else {
            assert!(ok, "{o:?}");
            assert_eq!(message, &format!("started {key}"));
        }
        let result = result.as_ref().expect("the service's result");
        assert_eq!(result.status_message().as_str(), message.as_str());
        assert_eq!(object_key.to_string(), format!("CustomerKey {key}"));
    }
    assert_eq!(batch.outcomes.len(), 120);

    // Nothing to do, or no action: nothing sent.
    assert!(client
        .perform_bulk("start", Vec::new(), None)
        .await
        .expect("no outcomes")
        .is_empty());
    let e = client
        .perform_bulk(" ", vec![automation("x")], None)
        .await
        .expect_err("no action");
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn when_no_chunk_is_answered_the_generic_bulk_perform_is_an_error() {
    let server = Server::start(|_| {
        Reply::fault(&Fault::new("soap:Client", "Invalid request").with_detail(3, "bad"))
    })
    .await;
    let client = builder(&server).build().expect("client");
    let definitions: Vec<AnyApiObject> = (0..60).map(|i| automation(&format!("k{i}"))).collect();
    let batch = client
        .perform_bulk_with_progress("start", definitions.clone(), None, |_, _| {})
        .await
        .expect("outcomes");
    assert!(!batch.answered());
    assert!(batch
        .outcomes
        .iter()
        .all(|o| o.status == OutcomeStatus::Refused
            && o.error_code == Some(3)
            && o.result.is_none()));
    let e = client
        .perform_bulk("start", definitions, None)
        .await
        .expect_err("nothing answered");
    assert_eq!(e.kind(), ErrorKind::Fault);
}
