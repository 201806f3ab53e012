//! The token endpoint, token expiry and the authentication faults of Service.asmx.
#[path = "support/mod.rs"]
mod sandbox_support;

use std::time::Duration;

use sandbox_support::*;
use sfmc_partnerapi::soap::FaultKind;
use sfmc_partnerapi_sandbox::SendStatus;

#[tokio::test]
async fn token_endpoint_answers_like_the_service() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let (status, json) = token_response(
        &sb,
        serde_json::json!({"grant_type": "client_credentials", "client_id": "a",
                           "client_secret": "secret-a", "scope": "email_read"}),
    )
    .await?;
    assert_eq!(status, 200, "{json}");
    assert!(json["access_token"].as_str().is_some_and(|t| t.len() >= 32));
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 1080);
    assert_eq!(json["scope"], "email_read");
    assert_eq!(
        json["soap_instance_url"].as_str(),
        Some(format!("{}/", sb.base_url()).as_str())
    );
    assert!(json["rest_instance_url"].is_string());

    // Form-encoded works too.
    let resp = http()
        .post(sb.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=b&client_secret=secret-b")
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 200);

    // Bad credentials: 401 invalid_client, and nothing of the secret in the answer.
    for body in [
        serde_json::json!({"grant_type": "client_credentials", "client_id": "a", "client_secret": "wrong-secret-xyz"}),
        serde_json::json!({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "secret-a"}),
    ] {
        let (status, json) = token_response(&sb, body).await?;
        assert_eq!(status, 401);
        assert_eq!(json["error"], "invalid_client");
        assert!(!json.to_string().contains("wrong-secret-xyz"));
    }

    // Malformed and incomplete requests: 400.
    let resp = http()
        .post(sb.token_url())
        .header("Content-Type", "application/json")
        .body("{\"client_secret\": hunter2")
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 400);
    let text = resp.text().await?;
    assert!(
        text.contains("invalid_request") && !text.contains("hunter2"),
        "{text}"
    );
    let (status, json) = token_response(
        &sb,
        serde_json::json!({"grant_type": "password", "client_id": "a", "client_secret": "secret-a"}),
    )
    .await?;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, _) =
        token_response(&sb, serde_json::json!({"grant_type": "client_credentials"})).await?;
    assert_eq!(status, 400);

    // GET is not allowed.
    let resp = http().get(sb.token_url()).send().await?;
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(sb.state().stats().tokens_issued, 2);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn tokens_expire() -> R {
    let sb = two_accounts()
        .token_lifetime(Duration::from_millis(150))
        .start("127.0.0.1:0")
        .await?;
    let (_, json) = token_response(
        &sb,
        serde_json::json!({"grant_type": "client_credentials", "client_id": "a", "client_secret": "secret-a"}),
    )
    .await?;
    assert_eq!(json["expires_in"], 1, "at least one second is reported");
    let tok = json["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        perform(&sb, &tok, "pause", &[(100, None)])
            .await?
            .overall_status,
        "OK"
    );

    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = post_soap(
        &sb,
        Some("Perform"),
        with_token(&tok, &perform_request("resume", &[(100, None)])),
    )
    .await?;
    assert_eq!(status, 500);
    let f = fault(&body)?;
    assert_eq!(f.string, "Token Expired");
    assert_eq!(f.kind(), FaultKind::Client);
    assert!(f.is_token_expired());
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Paused));

    // A new token works again.
    let tok = token(&sb, "a", "secret-a").await?;
    assert_eq!(
        perform(&sb, &tok, "resume", &[(100, None)])
            .await?
            .overall_status,
        "OK"
    );

    // expire_tokens() makes the current ones expired at once.
    sb.state().expire_tokens();
    let (status, body) = post_soap(
        &sb,
        Some("Perform"),
        with_token(&tok, &perform_request("cancel", &[(100, None)])),
    )
    .await?;
    assert_eq!(
        (status, fault(&body)?.string.as_str()),
        (500, "Token Expired")
    );
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Scheduled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bad_credentials_get_the_security_fault() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let req = perform_request("cancel", &[(100, None)]);
    let no_header =
        sfmc_partnerapi::soap::write_envelope(&sfmc_partnerapi::soap::RequestHeader::None, &req);
    for body in [
        with_token("not-a-token", &req),
        with_user("ua", "wrong-password", &req),
        with_user("nobody", "pw-a", &req),
        no_header,
    ] {
        let (status, text) = post_soap(&sb, Some("Perform"), body).await?;
        assert_eq!(status, 500, "{text}");
        let f = fault(&text)?;
        assert_eq!(f.code, "q0:Security");
        assert_eq!(f.string, "Login Failed");
        assert_eq!(f.kind(), FaultKind::Security);
        assert!(!text.contains("wrong-password") && !text.contains("not-a-token"));
        // The prefix of the faultcode is declared.
        assert!(text.contains("xmlns:q0="), "{text}");
    }
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Scheduled));

    // The right UsernameToken works.
    let (status, text) = post_soap(&sb, Some("Perform"), with_user("ua", "pw-a", &req)).await?;
    assert_eq!(status, 200, "{text}");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));
    sb.shutdown().await;
    Ok(())
}
