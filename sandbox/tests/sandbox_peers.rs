//! Tolerance: the vendor's sample envelope (posted byte for byte, with its stray `=` and its
//! `xsi:nil` placeholders) and the requests zeep and node-soap write.
//!
//! `tests/fixtures/{zeep,node-soap}-cancel-request.xml` are the verbatim output of
//! `../shared/peers/zeep/bench.sh --emit-request` and `../shared/peers/node-soap/bench.sh
//! --emit-request` (zeep 4.3.3, node-soap 1.13.0); the peers add the auth header at call time,
//! so the tests insert a `fueloauth` header the way each writes its Header.
#[path = "support/mod.rs"]
mod sandbox_support;

use std::path::PathBuf;

use sandbox_support::*;
use sfmc_partnerapi_sandbox::{codes, Sandbox, SendStatus};

fn manifest_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

/// The "Sample SOAP Envelope" code block of the vendor's page, exactly as it stands.
fn vendor_envelope() -> R<String> {
    let page = std::fs::read_to_string(manifest_path(
        "../shared/partnerapi/cancel-scheduled-send.md",
    ))?;
    let after = page
        .split_once("Sample SOAP Envelope")
        .ok_or("no 'Sample SOAP Envelope' section")?
        .1;
    let block = after.split_once("```\n").ok_or("no code block")?.1;
    let envelope = block.split_once("```").ok_or("unterminated code block")?.0;
    Ok(envelope.to_string())
}

#[tokio::test]
async fn the_vendor_sample_cancels_send_29605() -> R {
    let envelope = vendor_envelope()?;
    assert!(
        envelope.contains("xsi:type=\"ns1:Send\">="),
        "the stray '=' is there"
    );
    assert!(envelope.contains("xsi:nil=\"true\""));

    // Demo mode has the sample's user XXX/XXX and send 29605.
    let sb = Sandbox::builder().demo().start("127.0.0.1:0").await?;
    assert_eq!(status_of(&sb, 29605), Some(SendStatus::Scheduled));
    let (status, body) = post_soap(&sb, Some("Perform"), envelope.clone()).await?;
    assert_eq!(status, 200, "{body}");
    let resp = sfmc_partnerapi::soap::Envelope::parse(body.as_bytes())?
        .read_body::<sfmc_partnerapi::types::PerformResponseMsg>()?;
    assert_eq!(resp.overall_status, "OK", "{body}");
    let res = results(&resp);
    assert_eq!(res.len(), 1);
    assert_eq!(
        (res[0].status_code.as_str(), res[0].id),
        ("OK", Some(29605))
    );
    assert_eq!(status_of(&sb, 29605), Some(SendStatus::Canceled));

    // The same envelope again: the send is already canceled (no CorrelationID to replay).
    let (status, body) = post_soap(&sb, Some("Perform"), envelope).await?;
    assert_eq!(status, 200);
    assert!(
        body.contains(&codes::ALREADY_CANCELED.to_string()),
        "{body}"
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_vendor_sample_with_a_configured_user() -> R {
    let sb = Sandbox::builder()
        .user("XXX", "XXX", 777)
        .send(29605, SendStatus::Scheduled, 777)
        .start("127.0.0.1:0")
        .await?;
    let (status, body) = post_soap(&sb, Some("Perform"), vendor_envelope()?).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(status_of(&sb, 29605), Some(SendStatus::Canceled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn zeep_and_node_soap_requests_work() -> R {
    let sb = Sandbox::builder().demo().start("127.0.0.1:0").await?;
    let tok = token(
        &sb,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_ID,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_SECRET,
    )
    .await?;

    let zeep = std::fs::read_to_string(manifest_path("tests/fixtures/zeep-cancel-request.xml"))?;
    let zeep = zeep.replace(
        "<soap-env:Body>",
        &format!("<soap-env:Header><fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth></soap-env:Header><soap-env:Body>"),
    );
    let (status, body) = post_soap(&sb, Some("Perform"), zeep).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(status_of(&sb, 29605), Some(SendStatus::Canceled));

    let node =
        std::fs::read_to_string(manifest_path("tests/fixtures/node-soap-cancel-request.xml"))?;
    let node = node
        .replace("<ID>29605</ID>", "<ID>29606</ID>")
        .replace(
            "<soap:Body>",
            &format!("<soap:Header><fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth></soap:Header><soap:Body>"),
        );
    let (status, body) = post_soap(&sb, Some("Perform"), node).await?;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<OverallStatus>OK</OverallStatus>"), "{body}");
    assert_eq!(status_of(&sb, 29606), Some(SendStatus::Canceled));
    sb.shutdown().await;
    Ok(())
}

/// A Retrieve of the demo account's sends written the way the Node libraries for this service
/// write every request: the Body first, then the Header (no prefixes: the SOAP namespace is the
/// default one), `fueloauth` in its own default namespace. `header` is the whole Header element.
fn body_first_envelope(header: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <Body><RetrieveRequestMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\">\
         <RetrieveRequest><ObjectType>Send</ObjectType><Properties>ID</Properties>\
         <Properties>Status</Properties></RetrieveRequest></RetrieveRequestMsg></Body>\
         {header}</Envelope>"
    )
}

#[tokio::test]
async fn a_header_after_the_body_authenticates() -> R {
    let sb = Sandbox::builder().demo().start("127.0.0.1:0").await?;
    let tok = token(
        &sb,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_ID,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_SECRET,
    )
    .await?;
    let retrieved = |body: &str| {
        body.contains("<OverallStatus>OK</OverallStatus>") && body.contains("<ID>29605</ID>")
    };
    // The Node libraries' shape, then the same with prefixes on the Header and on fueloauth.
    for header in [
        format!("<Header><fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth></Header>"),
        format!("<s:Header xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><et:fueloauth xmlns:et=\"http://exacttarget.com\"> {tok} </et:fueloauth></s:Header>"),
        // A comment after it changes nothing.
        format!("<Header><fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth></Header><!-- trailing comment -->"),
    ] {
        let (status, body) = post_soap(&sb, Some("Retrieve"), body_first_envelope(&header)).await?;
        assert_eq!(status, 200, "{header}: {body}");
        assert!(retrieved(&body), "{header}: {body}");
    }
    // Nor does an empty Header before the Body.
    let empty_first = body_first_envelope(&format!(
        "<Header><fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth></Header>"
    ))
    .replace("<Body>", "<Header/><Body>");
    let (status, body) = post_soap(&sb, Some("Retrieve"), empty_first).await?;
    assert_eq!(status, 200, "{body}");

    // The same shape with the UsernameToken of the demo user.
    let wsse = "<Header><wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\"><wsse:UsernameToken><wsse:Username>XXX</wsse:Username><wsse:Password>XXX</wsse:Password></wsse:UsernameToken></wsse:Security></Header>";
    let (status, body) = post_soap(&sb, Some("Retrieve"), body_first_envelope(wsse)).await?;
    assert_eq!(status, 200, "{body}");
    assert!(retrieved(&body), "{body}");

    // Without a credential the shape is still refused: no Header, an empty one, an empty
    // token, an unknown token, a wrong password.
    for header in [
        String::new(),
        "<Header/>".to_string(),
        "<Header></Header>".to_string(),
        "<Header><fueloauth xmlns=\"http://exacttarget.com\"></fueloauth></Header>".to_string(),
        "<Header><fueloauth xmlns=\"http://exacttarget.com\">not-a-token</fueloauth></Header>"
            .to_string(),
        wsse.replace("<wsse:Password>XXX", "<wsse:Password>wrong"),
    ] {
        let (status, body) = post_soap(&sb, Some("Retrieve"), body_first_envelope(&header)).await?;
        assert_eq!(status, 500, "{header}: {body}");
        let f = fault(&body)?;
        assert_eq!(
            (f.code.as_str(), f.string.as_str()),
            ("q0:Security", "Login Failed"),
            "{header}"
        );
    }
    // A token inside the Body is no credential either.
    let smuggled = body_first_envelope("").replace(
        "<ObjectType>",
        &format!("<fueloauth xmlns=\"http://exacttarget.com\">{tok}</fueloauth><ObjectType>"),
    );
    let (status, body) = post_soap(&sb, Some("Retrieve"), smuggled).await?;
    assert_eq!(status, 500, "{body}");
    sb.shutdown().await;
    Ok(())
}
