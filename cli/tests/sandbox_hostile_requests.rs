//! Hostile requests against the sandbox, table-driven (extends tests/sandbox_protocol_faults.rs,
//! sandbox_auth.rs and sandbox_tenancy.rs with the families they do not cover).
//!
//! Each row of [`CASES`] is one request to a fresh sandbox (two accounts, see
//! `sandbox_support::two_accounts`) and what must come of it: the SOAP fault (HTTP 500) with its
//! faultcode and part of its faultstring, or the per-object result (HTTP 200) with its
//! OverallStatus and ErrorCode. After every row the server is still up (the same good request
//! then works), and a request that was refused changed nothing.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use cli_support::sfmc_run;
use sandbox_support::*;
use sfmc_partnerapi::soap::{write_envelope, RequestHeader};
use sfmc_partnerapi_sandbox::{codes, SendRecord};

/// Tokens of the two accounts, for building a row's body.
struct Ctx {
    tok_a: String,
    tok_b: String,
}

/// What must come of a row.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// HTTP 500, this faultcode, a faultstring containing this; nothing changes.
    Fault(&'static str, &'static str),
    /// HTTP 200, this OverallStatus and first ErrorCode; `changes`: whether a send changes.
    Result(&'static str, Option<i32>, bool),
    /// HTTP 200 to a Retrieve, with this many sends.
    Retrieved(usize),
}

use Want::{Fault, Result as Perf, Retrieved};

const CLIENT: &str = "soap:Client";
const SECURITY: &str = "q0:Security";
const NOT_FOUND: Option<i32> = Some(codes::SEND_NOT_FOUND);

type Body = fn(&Ctx) -> Vec<u8>;

/// (name, SOAPAction, body, what must come of it)
#[rustfmt::skip]
const CASES: &[(&str, Option<&str>, Body, Want)] = &[
    // --- baseline
    ("good", Some("Perform"), |c| cancel(&c.tok_a, "100"), Perf("OK", None, true)),
    // --- entity tricks, encodings
    ("billion laughs", Some("Perform"), |c| format!("<?xml version=\"1.0\"?><!DOCTYPE soap:Envelope [{}]>{}", laughs(), s(&cancel(&c.tok_a, "&l9;"))).into_bytes(), Fault(CLIENT, "document type declaration")),
    ("external entity", Some("Perform"), |c| format!("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}", s(&cancel(&c.tok_a, "&x;"))).into_bytes(), Fault(CLIENT, "document type declaration")),
    ("undeclared entity", Some("Perform"), |c| cancel(&c.tok_a, "&x;"), Fault(CLIENT, "unknown entity")),
    ("BOM", Some("Perform"), |c| [b"\xEF\xBB\xBF".as_slice(), &cancel(&c.tok_a, "100")].concat(), Perf("OK", None, true)),
    ("UTF-16", Some("Perform"), |c| utf16(&s(&cancel(&c.tok_a, "100"))), Fault(CLIENT, "unable to read")),
    ("invalid UTF-8 in the token", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replacen(&c.tok_a, "\u{1}", 1).into_bytes().into_iter().map(|b| if b == 1 { 0xff } else { b }).collect(), Fault(CLIENT, "unable to read")),
    ("CDATA and character references", Some("Perform"), |c| s(&cancel(&c.tok_a, "&#49;0&#x30;")).replace("<Action>cancel</Action>", "<Action><![CDATA[cancel]]></Action>").into_bytes(), Perf("OK", None, true)),
    // --- depth and size
    ("200,000 nested known elements", Some("Retrieve"), |c| retrieve_with(&c.tok_a, &format!("<Filter xsi:type=\"ComplexFilterPart\">{}{}</Filter>", "<LeftOperand xsi:type=\"ComplexFilterPart\">".repeat(100_000), "</LeftOperand>".repeat(100_000))), Fault(CLIENT, "nested deeper than 128")),
    ("200,000 nested unknown elements", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replace("<Definition xsi:type=\"Send\">", &format!("<Definition xsi:type=\"Send\">{}{}", "<z>".repeat(200_000), "</z>".repeat(200_000))).into_bytes(), Perf("OK", None, true)),
    // --- values
    ("unknown elements and xsi:type", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replace("<Options/>", "<Options/><Frob><x/></Frob>").replace("</Definitions>", "<Definition xsi:type=\"Gizmo\"><ID>101</ID></Definition></Definitions>").into_bytes(), Perf("Has Errors", None, true)),
    ("xsi:nil ID", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replace("<ID>100</ID>", "<ID xsi:nil=\"true\"/>").into_bytes(), Perf("Error", Some(codes::MISSING_ID), false)),
    ("xsi:nil Action", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replace("<Action>cancel</Action>", "<Action xsi:nil=\"true\"/>").into_bytes(), Perf("Error", Some(codes::UNSUPPORTED_ACTION), false)),
    ("ID out of range", Some("Perform"), |c| cancel(&c.tok_a, "4294967296"), Fault(CLIENT, "xs:int")),
    ("negative ID", Some("Perform"), |c| cancel(&c.tok_a, "-100"), Perf("Error", NOT_FOUND, false)),
    ("action with markup", Some("Perform"), |c| s(&cancel(&c.tok_a, "100")).replace("<Action>cancel</Action>", "<Action>&lt;script&gt;cancel</Action>").into_bytes(), Perf("Error", Some(codes::UNSUPPORTED_ACTION), false)),
    // --- SOAPAction
    ("lower-case SOAPAction", Some("perform"), |c| cancel(&c.tok_a, "100"), Fault(CLIENT, "did not recognize")),
    ("URL SOAPAction", Some("http://exacttarget.com/wsdl/partnerAPI/Perform"), |c| cancel(&c.tok_a, "100"), Fault(CLIENT, "did not recognize")),
    ("SOAPAction with markup", Some("<Perform> &amp; x"), |c| cancel(&c.tok_a, "100"), Fault(CLIENT, "did not recognize")),
    ("Retrieve action, Perform body", Some("Retrieve"), |c| cancel(&c.tok_a, "100"), Fault(CLIENT, "PerformRequestMsg")),
    // --- credentials
    ("no header", Some("Perform"), |_| envelope(&RequestHeader::None), Fault(SECURITY, "Login Failed")),
    ("empty token", Some("Perform"), |_| cancel("", "100"), Fault(SECURITY, "Login Failed")),
    ("forged token", Some("Perform"), |c| cancel(&format!("{}x", c.tok_a), "100"), Fault(SECURITY, "Login Failed")),
    ("token with markup", Some("Perform"), |_| cancel("a&lt;b&gt;&amp;\"'", "100"), Fault(SECURITY, "Login Failed")),
    ("64 KiB token", Some("Perform"), |_| cancel(&"t".repeat(64 << 10), "100"), Fault(SECURITY, "Login Failed")),
    ("client secret as a token", Some("Perform"), |_| cancel("secret-a", "100"), Fault(SECURITY, "Login Failed")),
    ("user with the client's secret", Some("Perform"), |_| with_user("a", "secret-a", &perform_request("cancel", &[(100, None)])).into_bytes(), Fault(SECURITY, "Login Failed")),
    ("forged token before a valid user", Some("Perform"), |_| with_user("ua", "pw-a", &perform_request("cancel", &[(100, None)])).replace("<soap:Header>", "<soap:Header><fueloauth xmlns=\"http://exacttarget.com\">forged</fueloauth>").into_bytes(), Fault(SECURITY, "Login Failed")),
    ("empty Security header", Some("Perform"), |_| s(&envelope(&RequestHeader::None)).replace("<soap:Header>", "<soap:Header><wsse:Security xmlns:wsse=\"x\"/>").into_bytes(), Fault(SECURITY, "Login Failed")),
    // --- another account's sends
    ("B's send with A's token", Some("Perform"), |c| cancel(&c.tok_a, "200"), Perf("Error", NOT_FOUND, false)),
    ("B's send with A's user", Some("Perform"), |_| with_user("ua", "pw-a", &perform_request("pause", &[(200, Some("c"))])).into_bytes(), Perf("Error", NOT_FOUND, false)),
    ("A's send with B's token", Some("Perform"), |c| cancel(&c.tok_b, "101"), Perf("Error", NOT_FOUND, false)),
    ("A's and B's sends together", Some("Perform"), |c| with_token(&c.tok_b, &perform_request("cancel", &[(200, None), (100, None)])).into_bytes(), Perf("Has Errors", None, true)),
    ("B's send retrieved by A", Some("Retrieve"), |c| retrieve_with(&c.tok_a, "<Filter xsi:type=\"SimpleFilterPart\"><Property>ID</Property><SimpleOperator>equals</SimpleOperator><Value>200</Value></Filter>"), Retrieved(0)),
    ("A's sends retrieved by B", Some("Retrieve"), |c| retrieve_with(&c.tok_b, ""), Retrieved(1)),
];

fn s(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A cancel of `id` (as written, may be an entity) with `token`.
fn cancel(token: &str, id: &str) -> Vec<u8> {
    with_token(token, &perform_request("cancel", &[(100, None)]))
        .replacen("<ID>100</ID>", &format!("<ID>{id}</ID>"), 1)
        .into_bytes()
}

fn envelope(header: &RequestHeader<'_>) -> Vec<u8> {
    write_envelope(header, &perform_request("cancel", &[(100, None)])).into_bytes()
}

/// A Retrieve of Send with `token` and `filter` (XML, may be empty).
fn retrieve_with(token: &str, filter: &str) -> Vec<u8> {
    with_token(token, &retrieve_request(None))
        .replace("</RetrieveRequest>", &format!("{filter}</RetrieveRequest>"))
        .into_bytes()
}

fn laughs() -> String {
    let mut dtd = String::from("<!ENTITY l0 \"lol\">");
    for i in 1..10 {
        dtd.push_str(&format!(
            "<!ENTITY l{i} \"{}\">",
            format!("&l{};", i - 1).repeat(10)
        ));
    }
    dtd
}

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn changed(before: &[SendRecord], after: &[SendRecord]) -> Vec<i64> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.id)
        .collect()
}

#[tokio::test]
async fn hostile_requests_get_the_right_answer_and_change_nothing_else() -> R {
    let mut faults = 0;
    for &(name, action, body, want) in CASES {
        // A 16 MiB cap, so that the deepest rows (6 MB) are read (the cap has its own test).
        let sb = two_accounts()
            .max_body_bytes(16 << 20)
            .start("127.0.0.1:0")
            .await?;
        let ctx = Ctx {
            tok_a: token(&sb, "a", "secret-a").await?,
            tok_b: token(&sb, "b", "secret-b").await?,
        };
        let before = sb.state().sends();
        let (status, text) = post_soap(&sb, action, body(&ctx)).await?;
        let after = sb.state().sends();
        let diff = changed(&before, &after);
        let shown: String = text.chars().take(600).collect();
        match want {
            Fault(code, says) => {
                faults += 1;
                assert_eq!(status, 500, "{name}: {shown}");
                let f = fault(&text).map_err(|e| format!("{name}: {e}"))?;
                assert_eq!(f.code, code, "{name}: {shown}");
                assert!(
                    f.string.contains(says),
                    "{name}: {:?} lacks {says:?}",
                    f.string
                );
                assert!(diff.is_empty(), "{name}: sends {diff:?} changed");
            }
            Perf(overall, error_code, changes) => {
                assert_eq!(status, 200, "{name}: {shown}");
                let resp = sfmc_partnerapi::soap::Envelope::parse(text.as_bytes())?
                    .read_body::<sfmc_partnerapi::types::PerformResponseMsg>()?;
                assert_eq!(resp.overall_status, overall, "{name}: {shown}");
                if let Some(code) = error_code {
                    assert_eq!(results(&resp)[0].error_code, Some(code), "{name}: {shown}");
                }
                assert_eq!(!diff.is_empty(), changes, "{name}: sends {diff:?} changed");
            }
            Retrieved(n) => {
                assert_eq!(status, 200, "{name}: {shown}");
                let resp = sfmc_partnerapi::soap::Envelope::parse(text.as_bytes())?
                    .read_body::<sfmc_partnerapi::types::RetrieveResponseMsg>()?;
                assert_eq!(resp.overall_status, "OK", "{name}");
                assert_eq!(resp.results.len(), n, "{name}: {shown}");
                assert!(diff.is_empty(), "{name}: sends {diff:?} changed");
            }
        }
        // Account B's send changes only by B's own hand.
        if !name.contains("with B's token") && !name.contains("A's and B's") {
            assert!(!diff.contains(&200), "{name}: B's send changed");
        }
        assert!(
            !text.contains(&ctx.tok_a) && !text.contains("secret-a"),
            "{name}: a credential is echoed"
        );
        // Still up, and a good request works.
        let (status, text) = post_soap(&sb, Some("Perform"), cancel(&ctx.tok_a, "101")).await?;
        assert_eq!(status, 200, "{name}: the server is down after it: {text}");
        sb.shutdown().await;
    }
    assert!(faults >= 20, "{faults}");
    Ok(())
}

#[tokio::test]
async fn an_oversized_chunked_body_is_refused() -> R {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sb = two_accounts()
        .max_body_bytes(64 << 10)
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let before = sb.state().sends();
    // No Content-Length: a chunked stream of 1 MiB and more, read only up to the cap.
    let good = with_token(&tok, &perform_request("cancel", &[(100, None)]));
    let mut stream = tokio::net::TcpStream::connect(sb.addr()).await?;
    let head = "POST /Service.asmx HTTP/1.1\r\nHost: sandbox\r\nSOAPAction: \"Perform\"\r\n\
                Content-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await?;
    stream
        .write_all(format!("{:x}\r\n{good}\r\n", good.len()).as_bytes())
        .await?;
    let filler = vec![b' '; 64 << 10];
    for _ in 0..16 {
        let mut chunk = format!("{:x}\r\n", filler.len()).into_bytes();
        chunk.extend_from_slice(&filler);
        chunk.extend_from_slice(b"\r\n");
        if stream.write_all(&chunk).await.is_err() {
            break; // the server stopped reading: fine
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await??;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(fault(body)?.string.contains("larger than"), "{answer}");
    assert_eq!(sb.state().sends(), before);
    let (status, _) = post_soap(&sb, Some("Perform"), good).await?;
    assert_eq!(status, 200);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_settings_are_refused_not_crashed_on() -> R {
    // A token lifetime that would overflow the clock (this panicked at the first token request).
    let err = two_accounts()
        .token_lifetime(std::time::Duration::from_secs(u64::MAX))
        .start("127.0.0.1:0")
        .await
        .err();
    assert!(
        matches!(err, Some(sfmc_partnerapi_sandbox::SandboxError::Config(_))),
        "{err:?}"
    );
    let run = sfmc_run(args!["sandbox", "--token-lifetime", "100000years"]).await?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    Ok(())
}
