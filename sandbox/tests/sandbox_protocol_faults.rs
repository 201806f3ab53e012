//! Bad requests get HTTP 500 with a SOAP fault (never a panic or a dropped connection), the
//! server stays up, and nothing changes.
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi::soap::FaultKind;
use sfmc_partnerapi_sandbox::SendStatus;

#[tokio::test]
async fn bad_requests_get_client_faults_and_change_nothing() -> R {
    let sb = two_accounts()
        .max_body_bytes(64 << 10)
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let good = with_token(&tok, &perform_request("cancel", &[(100, None)]));
    // Filters nest (ComplexFilterPart in ComplexFilterPart ...): 500 levels pass the bound.
    let nested = format!(
        "{}<LeftOperand xsi:type=\"SimpleFilterPart\"><Property>ID</Property><SimpleOperator>equals</SimpleOperator><Value>1</Value></LeftOperand><LogicalOperator>AND</LogicalOperator>{}",
        "<LeftOperand xsi:type=\"ComplexFilterPart\">".repeat(500),
        "</LeftOperand><LogicalOperator>AND</LogicalOperator>".repeat(500)
    );
    let deep = with_token(&tok, &retrieve_request(None)).replace(
        "</ObjectType>",
        &format!("</ObjectType><Filter xsi:type=\"ComplexFilterPart\">{nested}</Filter>"),
    );
    assert!(deep.contains("<Filter"), "the filter was inserted");
    let soap12 = "<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body/></env:Envelope>".to_string();
    let huge = format!("{}{}", good, " ".repeat(70 << 10));
    let retrieve_body = with_token(&tok, &retrieve_request(None));
    let cases: Vec<(&str, Option<&str>, String, &str, &str)> = vec![
        // (case, SOAPAction, body, faultcode, part of faultstring)
        (
            "no SOAPAction",
            None,
            good.clone(),
            "soap:Client",
            "SOAPAction",
        ),
        (
            "empty SOAPAction",
            Some(""),
            good.clone(),
            "soap:Client",
            "SOAPAction",
        ),
        (
            "unknown SOAPAction",
            Some("Frobnicate"),
            good.clone(),
            "soap:Client",
            "Frobnicate",
        ),
        (
            "unsupported operation",
            Some("VersionInfo"),
            good.clone(),
            "soap:Client",
            "VersionInfo",
        ),
        (
            "unsupported operation 2",
            Some("GetSystemStatus"),
            good.clone(),
            "soap:Client",
            "GetSystemStatus",
        ),
        (
            "malformed XML",
            Some("Perform"),
            good.replace("</soap:Body>", "</soap:Bdy>"),
            "soap:Client",
            "unable to read",
        ),
        (
            "truncated",
            Some("Perform"),
            good[..good.len() / 2].to_string(),
            "soap:Client",
            "unable to read",
        ),
        (
            "not XML",
            Some("Perform"),
            "hello".into(),
            "soap:Client",
            "unable to read",
        ),
        (
            "empty body",
            Some("Perform"),
            String::new(),
            "soap:Client",
            "unable to read",
        ),
        (
            "not SOAP",
            Some("Perform"),
            "<root/>".into(),
            "soap:Client",
            "unable to read",
        ),
        (
            "doctype",
            Some("Perform"),
            format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{good}"),
            "soap:Client",
            "unable to read",
        ),
        ("too deep", Some("Retrieve"), deep, "soap:Client", "deeper"),
        (
            "SOAP 1.2",
            Some("Perform"),
            soap12,
            "soap:VersionMismatch",
            "SOAP 1.2",
        ),
        (
            "body too large",
            Some("Perform"),
            huge,
            "soap:Client",
            "larger than",
        ),
        (
            "wrong body element",
            Some("Perform"),
            retrieve_body,
            "soap:Client",
            "RetrieveRequestMsg",
        ),
        (
            "bad ID value",
            Some("Perform"),
            good.replace(">100<", ">100x<"),
            "soap:Client",
            "100x",
        ),
    ];
    for (case, action, body, code, part) in cases {
        let (status, text) = post_soap(&sb, action, body).await?;
        assert_eq!(status, 500, "{case}: {text}");
        let f = fault(&text).map_err(|e| format!("{case}: {e}"))?;
        assert_eq!(f.code, code, "{case}");
        assert!(
            f.string.to_lowercase().contains(&part.to_lowercase()),
            "{case}: {}",
            f.string
        );
        if code == "soap:Client" {
            assert_eq!(f.kind(), FaultKind::Client);
        }
        assert!(!text.contains(&tok), "{case}: the token is echoed");
    }
    // Raw invalid UTF-8 bytes too.
    let mut bytes = good.clone().into_bytes();
    let at = good.find("cancel").unwrap_or(0);
    bytes[at] = 0xff;
    let (status, text) = post_soap(&sb, Some("Perform"), bytes).await?;
    assert_eq!(status, 500, "{text}");
    fault(&text)?;

    // Just under the bound, the nesting is read (on the server's stack) and answered.
    let nested = format!(
        "{}<LeftOperand xsi:type=\"SimpleFilterPart\"><Property>ID</Property><SimpleOperator>equals</SimpleOperator><Value>1</Value></LeftOperand><LogicalOperator>AND</LogicalOperator>{}",
        "<LeftOperand xsi:type=\"ComplexFilterPart\">".repeat(120),
        "</LeftOperand><LogicalOperator>AND</LogicalOperator>".repeat(120)
    );
    let not_too_deep = with_token(&tok, &retrieve_request(None)).replace(
        "</ObjectType>",
        &format!("</ObjectType><Filter xsi:type=\"ComplexFilterPart\">{nested}</Filter>"),
    );
    let (status, text) = post_soap(&sb, Some("Retrieve"), not_too_deep).await?;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<OverallStatus>Error:"), "{text}");

    // Still up, nothing changed, and the same request works.
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Scheduled));
    let (status, text) = post_soap(&sb, Some("Perform"), good).await?;
    assert_eq!(status, 200, "{text}");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn routing_is_tolerant_and_plain() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let tok = token(&sb, "a", "secret-a").await?;
    // IIS paths are case-insensitive.
    let resp = http()
        .post(format!("{}/service.ASMX", sb.base_url()))
        .header("SOAPAction", "Perform")
        .body(with_token(&tok, &perform_request("cancel", &[(101, None)])))
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Canceled));
    let resp = http().get(sb.soap_url()).send().await?;
    assert_eq!(resp.status().as_u16(), 405);
    let resp = http().get(format!("{}/nope", sb.base_url())).send().await?;
    assert_eq!(resp.status().as_u16(), 404);
    let resp = http().get(format!("{}/", sb.base_url())).send().await?;
    assert_eq!(resp.status().as_u16(), 200);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn refuses_non_loopback_addresses() -> R {
    let err = two_accounts().start("0.0.0.0:0").await.err();
    assert!(
        matches!(
            err,
            Some(sfmc_partnerapi_sandbox::SandboxError::NotLoopback(_))
        ),
        "{err:?}"
    );
    let err = two_accounts()
        .send(0, SendStatus::Scheduled, 1)
        .start("127.0.0.1:0")
        .await
        .err();
    assert!(
        matches!(err, Some(sfmc_partnerapi_sandbox::SandboxError::Config(_))),
        "{err:?}"
    );
    Ok(())
}
