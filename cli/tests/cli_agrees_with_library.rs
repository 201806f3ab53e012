//! `sfmc` and the library agree, in the three places where they once disagreed: the batch stops
//! after a timeout (later chunks `NotAttempted`), refused credentials are `Refused`, and a
//! Perform answered `MoreDataAvailable` (or `OK`) is a success. Each case runs the same
//! situation through `sfmc --json` and through the library, and compares. The stop rule is
//! checked one chunk at a time (`--concurrency 1`), where "later chunks" is plain, and with the
//! default concurrency.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::time::Duration;

use cli_support::*;
use sandbox_support::*;
use sfmc_partnerapi::sends::{OutcomeStatus, SendAction, MAX_DEFINITIONS_PER_CALL};
use sfmc_partnerapi::types::{AnyApiObject, Send};
use sfmc_partnerapi::{Client, ClientBuilder, ErrorKind};
use sfmc_partnerapi_sandbox::{FaultInjection, RunningSandbox};

fn with(mut base: Vec<String>, more: Vec<String>) -> Vec<String> {
    base.extend(more);
    base
}

/// 120 send IDs: three chunks.
fn batch_ids() -> Vec<i64> {
    (5000..5120).collect()
}

/// `sfmc --json ARGS cancel-send IDS`: (exit code, the `results` array).
async fn cli_results(args: Vec<String>, ids: &[i64]) -> R<(Option<i32>, serde_json::Value)> {
    let mut all = with(args, args!["--json", "cancel-send"]);
    all.extend(ids.iter().map(ToString::to_string));
    let run = sfmc_run(all).await?;
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("not JSON ({e}): {}", run.describe()))?;
    Ok((run.code, json["results"].clone()))
}

/// The library's outcomes for the same batch, as JSON, and the progress it reported.
async fn library_results(
    client: &Client,
    ids: &[i64],
) -> R<(serde_json::Value, Vec<OutcomeStatus>, Vec<(usize, usize)>)> {
    let mut progress = Vec::new();
    let batch = client
        .send_action_with_progress(SendAction::Cancel, ids, |done, total| {
            progress.push((done, total))
        })
        .await?;
    let statuses = batch.outcomes.iter().map(|o| o.status).collect();
    Ok((serde_json::to_value(&batch.outcomes)?, statuses, progress))
}

fn sandbox_client(sb: &RunningSandbox, secret: &str) -> ClientBuilder {
    Client::builder()
        .endpoint(sb.soap_url())
        .auth_url(sb.base_url())
        .client_credentials("a", secret)
        .no_proxy()
}

/// Statuses of a JSON `results` array.
fn statuses(results: &serde_json::Value) -> Vec<String> {
    results
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["status"].as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// First chunk `first`, every later one `NotAttempted`.
fn stopped_after_first(first: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i < MAX_DEFINITIONS_PER_CALL {
                first.to_string()
            } else {
                "NotAttempted".to_string()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_stops_the_batch_in_the_cli_as_in_the_library() -> R {
    let sb = two_accounts()
        .faults(FaultInjection {
            latency: Duration::from_secs(2),
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let ids = batch_ids();

    let (code, cli) = cli_results(
        with(
            target(&sb, "a", "secret-a"),
            args!["--timeout", "0.4", "--max-retries", 0, "--concurrency", 1],
        ),
        &ids,
    )
    .await?;
    assert_eq!(code, Some(3), "a timeout is a transport error: {cli}");
    let after_cli = sb.state().stats().soap_requests;
    assert_eq!(after_cli, 1, "the CLI sent one chunk, then stopped");

    let client = sandbox_client(&sb, "secret-a")
        .request_timeout(Duration::from_millis(400))
        .max_retries(0)
        .bulk_concurrency(1)
        .build()?;
    let (library, kinds, progress) = library_results(&client, &ids).await?;
    assert_eq!(sb.state().stats().soap_requests - after_cli, 1);
    assert_eq!(
        kinds
            .iter()
            .filter(|s| **s == OutcomeStatus::Unknown)
            .count(),
        MAX_DEFINITIONS_PER_CALL
    );
    assert_eq!(progress, vec![(50, 120), (100, 120), (120, 120)]);

    assert_eq!(statuses(&cli), stopped_after_first("Unknown", ids.len()));
    assert_eq!(cli, library, "the CLI's outcomes are the library's");

    // The default concurrency (4): the three chunks are in flight when the first times out,
    // so each times out and none is left unsent; the same in both.
    let before = sb.state().stats().soap_requests;
    let (code, cli) = cli_results(
        with(
            target(&sb, "a", "secret-a"),
            args!["--timeout", "0.4", "--max-retries", 0],
        ),
        &ids,
    )
    .await?;
    assert_eq!(code, Some(3), "{cli}");
    let client = sandbox_client(&sb, "secret-a")
        .request_timeout(Duration::from_millis(400))
        .max_retries(0)
        .build()?;
    let (library, _, progress) = library_results(&client, &ids).await?;
    assert_eq!(sb.state().stats().soap_requests - before, 6);
    assert_eq!(statuses(&cli), vec!["Unknown"; ids.len()]);
    assert_eq!(progress.last(), Some(&(120, 120)));
    assert_eq!(cli, library);
    // Dropped, not shut down: a graceful shutdown would wait for the sleeping answers.
    drop(sb);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_are_refused_in_the_cli_as_in_the_library() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let ids = batch_ids();

    // The token endpoint refuses the client secret: nothing is sent. (One chunk at a time:
    // the later ones are not attempted.)
    let one = args!["--concurrency", 1];
    let (code, cli) =
        cli_results(with(target(&sb, "a", "wrong-secret"), one.clone()), &ids).await?;
    assert_eq!(code, Some(1), "{cli}");
    let client = sandbox_client(&sb, "wrong-secret")
        .bulk_concurrency(1)
        .build()?;
    let (library, _, _) = library_results(&client, &ids).await?;
    assert_eq!(statuses(&cli), stopped_after_first("Refused", ids.len()));
    assert_eq!(cli, library);
    // And the plain batch call says the same as an error of kind Auth.
    let e = client
        .cancel_sends(&ids)
        .await
        .err()
        .ok_or("refused credentials gave outcomes")?;
    assert_eq!(e.kind(), ErrorKind::Auth);

    // The service refuses the token (a Security fault): Refused as well.
    let forged = args![
        "--endpoint",
        sb.soap_url(),
        "--access-token",
        "forged-token"
    ];
    let (code, cli) = cli_results(with(forged, one), &ids).await?;
    assert_eq!(code, Some(1), "{cli}");
    let client = Client::builder()
        .endpoint(sb.soap_url())
        .access_token("forged-token")
        .no_proxy()
        .bulk_concurrency(1)
        .build()?;
    let (library, _, _) = library_results(&client, &ids).await?;
    assert_eq!(statuses(&cli), stopped_after_first("Refused", ids.len()));
    assert_eq!(cli, library);

    assert_eq!(
        sb.state().stats().soap_requests,
        2,
        "one chunk each, refused"
    );
    sb.shutdown().await;
    Ok(())
}

/// A Perform response with one OK result for send `id` and `OverallStatus` `overall`.
fn perform_response(id: i32, overall: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
         xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
         <PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><Result>\
         <StatusCode>OK</StatusCode><StatusMessage>started</StatusMessage>\
         <Object xsi:type=\"Send\"><ID>{id}</ID></Object>\
         <Task><StatusCode>OK</StatusCode><StatusMessage>OK</StatusMessage></Task>\
         </Result></Results><OverallStatus>{overall}</OverallStatus>\
         <RequestID>9a0c1d62-1111-2222-3333-444455556666</RequestID>\
         </PerformResponseMsg></soap:Body></soap:Envelope>"
    )
}

/// A loopback server answering each of its first `n` requests with `body` (HTTP 200).
fn answering_server(body: String, n: usize) -> R<String> {
    raw_server(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        n,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perform_answered_more_data_available_succeeds_in_the_cli_as_in_the_library() -> R {
    for overall in ["MoreDataAvailable", "OK"] {
        // Four requests: the library's perform and perform_bulk, `sfmc perform`,
        // `sfmc --json perform`.
        let url = answering_server(perform_response(7, overall), 4)?;
        let client = Client::builder()
            .endpoint(url.clone())
            .access_token("perform-token-42")
            .no_proxy()
            .build()?;
        let definitions: Vec<AnyApiObject> = vec![Send {
            id: Some(7),
            ..Default::default()
        }
        .into()];
        let response = client.perform("start", definitions.clone(), None).await?;
        assert_eq!(response.overall_status, overall);
        let outcomes = client.perform_bulk("start", definitions, None).await?;
        assert_eq!(outcomes.len(), 1);
        assert!(outcomes[0].ok, "{:?}", outcomes[0]);

        let perform = args![
            "--endpoint",
            url,
            "--access-token",
            "perform-token-42",
            "perform",
            "--action",
            "start",
            "--object-type",
            "Send",
            "--id",
            7
        ];
        let run = sfmc_run(perform.clone()).await?;
        assert_eq!(run.code, Some(0), "{overall}: {}", run.describe());
        assert!(run.stdout.contains("ID 7: OK"), "{}", run.describe());
        assert!(
            run.stdout.contains(&format!("OverallStatus: {overall}")),
            "{}",
            run.describe()
        );

        let run = sfmc_run(with(args!["--json"], perform)).await?;
        assert_eq!(run.code, Some(0), "{overall}: {}", run.describe());
        let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
        assert_eq!(json["ok"], true, "{}", run.describe());
        assert_eq!(json["exit_code"], 0);
    }
    Ok(())
}
