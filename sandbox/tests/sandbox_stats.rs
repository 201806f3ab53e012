//! The sandbox's counters over HTTP (`GET /_sandbox/stats`) and expiring its tokens from
//! outside (`POST /_sandbox/expire-tokens`).
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi_sandbox::{FaultInjection, InjectedFault, RunningSandbox};

async fn get_stats(sb: &RunningSandbox) -> R<serde_json::Value> {
    let resp = http()
        .get(format!("{}/_sandbox/stats", sb.base_url()))
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 200);
    Ok(resp.json().await?)
}

#[tokio::test]
async fn stats_count_tokens_operations_and_injected_faults() -> R {
    let sb = two_accounts()
        .faults(FaultInjection {
            sequence: vec![
                InjectedFault::None,
                InjectedFault::Http503,
                InjectedFault::RateLimited,
            ],
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let _ = token(&sb, "a", "wrong").await;
    let perform = with_token(&tok, &perform_request("cancel", &[(100, None)]));
    assert_eq!(
        post_soap(&sb, Some("Perform"), perform.clone()).await?.0,
        200
    );
    assert_eq!(post_soap(&sb, Some("Perform"), perform).await?.0, 503);
    let retrieve = with_token(&tok, &retrieve_request(None));
    assert_eq!(
        post_soap(&sb, Some("Retrieve"), retrieve.clone()).await?.0,
        500
    );
    assert_eq!(
        post_soap(&sb, Some("Retrieve"), retrieve.clone()).await?.0,
        200
    );
    assert_eq!(
        post_soap(&sb, Some("Frobnicate"), retrieve.clone())
            .await?
            .0,
        500
    );
    assert_eq!(post_soap(&sb, None, retrieve).await?.0, 500);

    let json = get_stats(&sb).await?;
    assert_eq!(json["token_requests"], 2);
    assert_eq!(json["tokens_issued"], 1);
    assert_eq!(json["soap_requests"], 6);
    assert_eq!(json["injected_503"], 1);
    assert_eq!(json["injected_rate_limited"], 1);
    assert_eq!(
        json["soap_requests_by_operation"],
        serde_json::json!({"Perform": 2, "Retrieve": 2, "(unknown)": 1, "(none)": 1})
    );
    // The same as the library's view.
    assert_eq!(json, serde_json::to_value(sb.state().stats())?);
    // Only GET.
    let resp = http()
        .post(format!("{}/_sandbox/stats", sb.base_url()))
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 405);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn expire_tokens_from_outside() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let retrieve = with_token(&tok, &retrieve_request(None));
    assert_eq!(
        post_soap(&sb, Some("Retrieve"), retrieve.clone()).await?.0,
        200
    );
    let url = format!("{}/_sandbox/expire-tokens", sb.base_url());
    assert_eq!(http().get(&url).send().await?.status().as_u16(), 405);
    let resp = http().post(&url).send().await?;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.json::<serde_json::Value>().await?["expired"], 1);
    let (status, body) = post_soap(&sb, Some("Retrieve"), retrieve).await?;
    assert_eq!(status, 500);
    assert!(fault(&body)?.is_token_expired());
    // A new token works.
    let tok = token(&sb, "a", "secret-a").await?;
    let retrieve = with_token(&tok, &retrieve_request(None));
    assert_eq!(post_soap(&sb, Some("Retrieve"), retrieve).await?.0, 200);
    sb.shutdown().await;
    Ok(())
}
