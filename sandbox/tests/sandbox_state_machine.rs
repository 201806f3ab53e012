//! The send state machine through Perform, OverallStatus, and Retrieve of sends.
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi::types::{
    AnyApiObject, Email, PerformRequestMsg, RetrieveRequest, RetrieveRequestMsg, SimpleOperators,
};
use sfmc_partnerapi_sandbox::{codes, SendStatus};

#[tokio::test]
async fn cancel_pause_resume_follow_the_state_machine() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;

    // Scheduled -> Paused -> Scheduled -> Canceled.
    let r = perform(&sb, &tok, "pause", &[(100, None)]).await?;
    assert_eq!(r.overall_status, "OK");
    assert_eq!(results(&r)[0].status_code, "OK");
    assert_eq!(results(&r)[0].send_status.as_deref(), Some("Paused"));
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Paused));

    let r = perform(&sb, &tok, "pause", &[(100, None)]).await?;
    assert_eq!(r.overall_status, "Error");
    assert_eq!(results(&r)[0].error_code, Some(codes::INVALID_STATE));

    let r = perform(&sb, &tok, "resume", &[(100, None)]).await?;
    assert_eq!(r.overall_status, "OK");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Scheduled));

    let r = perform(&sb, &tok, "resume", &[(100, None)]).await?;
    assert_eq!(results(&r)[0].error_code, Some(codes::INVALID_STATE));

    let r = perform(&sb, &tok, "cancel", &[(100, None)]).await?;
    assert_eq!(r.overall_status, "OK");
    assert_eq!(r.overall_status_message, "");
    let res = &results(&r)[0];
    assert_eq!(
        (res.status_code.as_str(), res.id, res.error_code),
        ("OK", Some(100), None)
    );
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));

    // Canceled is final.
    for action in ["cancel", "pause", "resume"] {
        let r = perform(&sb, &tok, action, &[(100, None)]).await?;
        assert_eq!(r.overall_status, "Error");
        let res = &results(&r)[0];
        assert_eq!(res.status_code, "Error");
        assert_eq!(res.error_code, Some(codes::ALREADY_CANCELED), "{action}");
        assert!(res.message.contains("already canceled"), "{}", res.message);
    }
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));

    // Paused -> Canceled is allowed; Sent cannot be canceled.
    let r = perform(&sb, &tok, "cancel", &[(102, None)]).await?;
    assert_eq!(r.overall_status, "OK");
    assert_eq!(status_of(&sb, 102), Some(SendStatus::Canceled));
    let r = perform(&sb, &tok, "cancel", &[(103, None)]).await?;
    assert_eq!(results(&r)[0].error_code, Some(codes::ALREADY_SENT));
    assert_eq!(status_of(&sb, 103), Some(SendStatus::Sent));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn mixed_batches_have_errors_and_unknown_ids_are_results_not_faults() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let r = perform(
        &sb,
        &tok,
        "cancel",
        &[(101, None), (999_999, None), (104, None)],
    )
    .await?;
    assert_eq!(r.overall_status, "Has Errors");
    assert!(!r.overall_status_message.is_empty());
    assert!(r.request_id.is_some());
    let res = results(&r);
    assert_eq!(res.len(), 3);
    assert_eq!(res[0].status_code, "OK");
    assert_eq!(res[1].status_code, "Error");
    assert_eq!(res[1].error_code, Some(codes::SEND_NOT_FOUND));
    assert_eq!(res[1].id, Some(999_999));
    assert!(res[1].message.contains("999999"), "{}", res[1].message);
    assert_eq!(res[2].error_code, Some(codes::ALREADY_CANCELED));

    // All unknown -> Error.
    let r = perform(&sb, &tok, "cancel", &[(5, None), (6, None)]).await?;
    assert_eq!(r.overall_status, "Error");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unsupported_actions_objects_and_missing_ids_are_error_results() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let r = perform(&sb, &tok, "start", &[(101, None)]).await?;
    assert_eq!(r.overall_status, "Error");
    assert_eq!(results(&r)[0].error_code, Some(codes::UNSUPPORTED_ACTION));
    assert!(results(&r)[0].message.contains("start"));
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Scheduled));

    // "Cancel" in another case still works.
    let r = perform(&sb, &tok, "Cancel", &[(101, None)]).await?;
    assert_eq!(r.overall_status, "OK");

    let req = PerformRequestMsg {
        options: None,
        action: Some("cancel".into()),
        definitions: vec![
            Email {
                id: Some(1),
                ..Default::default()
            }
            .into(),
            sfmc_partnerapi::types::Send::default().into(),
        ],
    };
    let (status, body) = post_soap(&sb, Some("Perform"), with_token(&tok, &req)).await?;
    assert_eq!(status, 200, "{body}");
    let resp = sfmc_partnerapi::soap::Envelope::parse(body.as_bytes())?
        .read_body::<sfmc_partnerapi::types::PerformResponseMsg>()?;
    let res = results(&resp);
    assert_eq!(res[0].error_code, Some(codes::UNSUPPORTED_OBJECT));
    assert!(res[0].message.contains("Email"), "{}", res[0].message);
    assert_eq!(res[1].error_code, Some(codes::MISSING_ID));

    // No definitions at all.
    let req = PerformRequestMsg {
        options: None,
        action: Some("cancel".into()),
        definitions: vec![],
    };
    let (status, body) = post_soap(&sb, Some("Perform"), with_token(&tok, &req)).await?;
    assert_eq!(status, 200);
    let resp = sfmc_partnerapi::soap::Envelope::parse(body.as_bytes())?
        .read_body::<sfmc_partnerapi::types::PerformResponseMsg>()?;
    assert_eq!(resp.overall_status, "Error");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn retrieve_lists_filters_and_rejects_what_it_cannot_do() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;

    let (overall, sends, raw) = retrieve(&sb, &tok, &retrieve_request(None)).await?;
    assert_eq!(overall, "OK");
    let ids: Vec<i32> = sends.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![100, 101, 102, 103, 104]);
    assert!(raw.contains("xsi:type=\"Send\""), "{raw}");

    let (_, sends, _) = retrieve(
        &sb,
        &tok,
        &retrieve_request(Some(("ID", SimpleOperators::Equals, &["102"]))),
    )
    .await?;
    assert_eq!(sends, vec![(102, "Paused".to_string())]);

    let (_, sends, _) = retrieve(
        &sb,
        &tok,
        &retrieve_request(Some(("Status", SimpleOperators::Equals, &["scheduled"]))),
    )
    .await?;
    assert_eq!(
        sends,
        vec![
            (100, "Scheduled".to_string()),
            (101, "Scheduled".to_string())
        ]
    );

    // Every operator of the service works on the sends' properties.
    for (filter, want) in [
        (
            ("ID", SimpleOperators::GreaterThan, &["102"][..]),
            vec![103, 104],
        ),
        (
            ("ID", SimpleOperators::Between, &["101", "102"][..]),
            vec![101, 102],
        ),
        (
            ("ID", SimpleOperators::In, &["104", "100", "999"][..]),
            vec![100, 104],
        ),
        (
            ("Status", SimpleOperators::NotEquals, &["Scheduled"][..]),
            vec![102, 103, 104],
        ),
        (("EmailName", SimpleOperators::Equals, &["x"][..]), vec![]),
        (
            ("EmailName", SimpleOperators::Like, &["%email 10_"][..]),
            vec![100, 101, 102, 103, 104],
        ),
    ] {
        let (overall, sends, raw) =
            retrieve(&sb, &tok, &retrieve_request(Some(filter.clone()))).await?;
        assert_eq!(overall, "OK", "{raw}");
        let ids: Vec<i32> = sends.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, want, "{filter:?}");
    }

    for bad in [
        retrieve_request(Some(("NoSuchField", SimpleOperators::Equals, &["x"]))),
        retrieve_request(Some(("ID", SimpleOperators::Equals, &["x"]))),
        retrieve_request(Some(("ID", SimpleOperators::Equals, &["1", "2"]))),
        RetrieveRequestMsg {
            retrieve_request: RetrieveRequest {
                object_type: "Email".into(),
                properties: vec!["ID".into()],
                ..Default::default()
            },
        },
        RetrieveRequestMsg {
            retrieve_request: RetrieveRequest {
                object_type: "Send".into(),
                properties: vec!["ID".into(), "NoSuchField".into()],
                ..Default::default()
            },
        },
        RetrieveRequestMsg {
            retrieve_request: RetrieveRequest {
                object_type: "Send".into(),
                ..Default::default()
            },
        },
    ] {
        let (overall, sends, raw) = retrieve(&sb, &tok, &bad).await?;
        assert!(overall.starts_with("Error"), "{overall}: {raw}");
        assert!(sends.is_empty());
    }

    // The objects are Sends, read back through the generated types, with the asked properties
    // only.
    let mut with_client = retrieve_request(None);
    with_client
        .retrieve_request
        .properties
        .push("Client.ID".into());
    let (_, _, raw) = retrieve(&sb, &tok, &with_client).await?;
    let resp = sfmc_partnerapi::soap::Envelope::parse(raw.as_bytes())?
        .read_body::<sfmc_partnerapi::types::RetrieveResponseMsg>()?;
    assert_eq!(resp.results.len(), 5);
    assert!(resp
        .results
        .iter()
        .all(|o| matches!(o, AnyApiObject::Send(s) if s.client.as_ref().and_then(|c| c.id) == Some(MID_A as i32) && s.email_name.is_none())));
    sb.shutdown().await;
    Ok(())
}
