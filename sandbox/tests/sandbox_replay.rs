//! A repeated CorrelationID gets the first outcome again.
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi_sandbox::{codes, FaultInjection, InjectedFault, SendStatus};

#[tokio::test]
async fn a_repeated_correlation_id_reports_the_first_outcome() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;

    let first = perform(&sb, &tok, "cancel", &[(100, Some("corr-1"))]).await?;
    assert_eq!(first.overall_status, "OK");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));

    // The retry (same account, action, ID and CorrelationID) reports the cancel that happened.
    let again = perform(&sb, &tok, "cancel", &[(100, Some("corr-1"))]).await?;
    assert_eq!(again.overall_status, "OK");
    assert_eq!(results(&again), results(&first));

    // Another CorrelationID is a new request: already canceled.
    let other = perform(&sb, &tok, "cancel", &[(100, Some("corr-2"))]).await?;
    assert_eq!(results(&other)[0].error_code, Some(codes::ALREADY_CANCELED));
    // No CorrelationID: the same.
    let none = perform(&sb, &tok, "cancel", &[(100, None)]).await?;
    assert_eq!(results(&none)[0].error_code, Some(codes::ALREADY_CANCELED));
    // The same CorrelationID with another action or ID is not a repeat.
    let pause = perform(&sb, &tok, "pause", &[(100, Some("corr-1"))]).await?;
    assert_eq!(results(&pause)[0].error_code, Some(codes::ALREADY_CANCELED));
    let other_id = perform(&sb, &tok, "cancel", &[(101, Some("corr-1"))]).await?;
    assert_eq!(other_id.overall_status, "OK");

    // Another account's identical CorrelationID is not a repeat either (and finds nothing).
    let tok_b = token(&sb, "b", "secret-b").await?;
    let b = perform(&sb, &tok_b, "cancel", &[(100, Some("corr-1"))]).await?;
    assert_eq!(results(&b)[0].error_code, Some(codes::SEND_NOT_FOUND));

    // An error outcome is replayed too: a repeat of "corr-2" still says already canceled.
    let again2 = perform(&sb, &tok, "cancel", &[(100, Some("corr-2"))]).await?;
    assert_eq!(results(&again2), results(&other));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_retry_after_a_lost_response_reports_the_cancel() -> R {
    let sb = two_accounts()
        .faults(FaultInjection {
            sequence: vec![InjectedFault::DropConnection],
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let body = with_token(&tok, &perform_request("cancel", &[(100, Some("retry-me"))]));

    // The first attempt takes effect, but its response is lost.
    let lost = post_soap(&sb, Some("Perform"), body.clone()).await;
    assert!(lost.is_err(), "expected a dropped connection, got {lost:?}");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));
    assert_eq!(sb.state().stats().injected_dropped, 1);

    // The retry says OK, not "already canceled".
    let (status, text) = post_soap(&sb, Some("Perform"), body).await?;
    assert_eq!(status, 200);
    assert!(text.contains("<OverallStatus>OK</OverallStatus>"), "{text}");
    sb.shutdown().await;
    Ok(())
}
