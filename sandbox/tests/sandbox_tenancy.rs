//! Tenancy: another account's send looks exactly like an unknown ID and is left unchanged.
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi::types::SimpleOperators;
use sfmc_partnerapi_sandbox::{codes, SendStatus};

/// The result with the ID replaced, so two answers about different IDs compare equal.
fn normalized(r: &Res, id: i32) -> Res {
    Res {
        message: r.message.replace(&id.to_string(), "<ID>"),
        id: None,
        ..r.clone()
    }
}

#[tokio::test]
async fn another_accounts_send_looks_unknown_and_stays_unchanged() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok_a = token(&sb, "a", "secret-a").await?;

    for action in ["cancel", "pause", "resume"] {
        let foreign = perform(&sb, &tok_a, action, &[(200, None)]).await?;
        let unknown = perform(&sb, &tok_a, action, &[(987_654, None)]).await?;
        assert_eq!(foreign.overall_status, unknown.overall_status);
        assert_eq!(
            foreign.overall_status_message,
            unknown.overall_status_message
        );
        let f = normalized(&results(&foreign)[0], 200);
        let u = normalized(&results(&unknown)[0], 987_654);
        assert_eq!(f, u, "{action}");
        assert_eq!(f.error_code, Some(codes::SEND_NOT_FOUND));
        assert_eq!(f.send_status, None, "no status leaks");
    }
    assert_eq!(status_of(&sb, 200), Some(SendStatus::Scheduled));

    // The UsernameToken user of account A sees the same.
    let req = perform_request("cancel", &[(200, None)]);
    let (status, body) = post_soap(&sb, Some("Perform"), with_user("ua", "pw-a", &req)).await?;
    assert_eq!(status, 200);
    assert!(body.contains(&codes::SEND_NOT_FOUND.to_string()), "{body}");
    assert_eq!(status_of(&sb, 200), Some(SendStatus::Scheduled));

    // Retrieve never lists it, even by ID.
    let (_, sends, _) = retrieve(
        &sb,
        &tok_a,
        &retrieve_request(Some(("ID", SimpleOperators::Equals, &["200"]))),
    )
    .await?;
    assert!(sends.is_empty());
    let (_, all, _) = retrieve(&sb, &tok_a, &retrieve_request(None)).await?;
    assert!(all.iter().all(|(id, _)| *id != 200));

    // Its owner can cancel it.
    let tok_b = token(&sb, "b", "secret-b").await?;
    let (_, mine, _) = retrieve(&sb, &tok_b, &retrieve_request(None)).await?;
    assert_eq!(mine, vec![(200, "Scheduled".to_string())]);
    let r = perform(&sb, &tok_b, "cancel", &[(200, None)]).await?;
    assert_eq!(r.overall_status, "OK");
    // ... and B cannot touch A's sends.
    let r = perform(&sb, &tok_b, "cancel", &[(101, None)]).await?;
    assert_eq!(results(&r)[0].error_code, Some(codes::SEND_NOT_FOUND));
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Scheduled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_token_is_bound_to_the_clients_account() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    // Asking for another account's MID is refused.
    let (status, json) = token_response(
        &sb,
        serde_json::json!({"grant_type": "client_credentials", "client_id": "a",
                           "client_secret": "secret-a", "account_id": MID_B}),
    )
    .await?;
    assert_eq!(status, 401);
    assert_eq!(json["error"], "invalid_grant");
    // Its own MID (as a string, too) is fine.
    let (status, _) = token_response(
        &sb,
        serde_json::json!({"grant_type": "client_credentials", "client_id": "a",
                           "client_secret": "secret-a", "account_id": MID_A.to_string()}),
    )
    .await?;
    assert_eq!(status, 200);
    sb.shutdown().await;
    Ok(())
}
