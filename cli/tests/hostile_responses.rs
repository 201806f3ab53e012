//! Hostile and broken responses, table-driven, through the `Client` and through the `sfmc`
//! binary (plain and `--json`).
//!
//! Each row of [`CASES`] is what a loopback test server answers to a `cancel_send(1)` (a Perform),
//! and what must come of it: a typed error of the given kind after the given number of attempts
//! (the client makes at most 3 here), or, where the service is merely loose, the correct outcome.
//! Never a panic, a hang (every run is bounded in time; timeouts fire within a second of their
//! setting) or unbounded memory (a body over the cap is not read further). The access token is
//! echoed back by some rows and must show nowhere: not in an error, an outcome, or the CLI's
//! output. The `sfmc` exit code follows from the outcome: 0 OK, 1 an API error (a fault, a
//! result that is not OK), 3 transport or protocol.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cli_support::{sfmc_run, Run};
use sandbox_support::R;
use sfmc_partnerapi::{Client, ErrorKind, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The access token the client sends; some servers below echo it back.
const TOKEN: &str = "hostile-test-token-0123456789abcdef0123456789abcdef0123456789abcdef-END";
/// The request timeout of every run.
const TIMEOUT: Duration = Duration::from_secs(1);
/// The client's cap on a response body (the default).
const CAP: usize = sfmc_partnerapi::client::DEFAULT_MAX_RESPONSE_BYTES;

/// What must come of a case.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// An outcome for send 1: `ok`, with a message containing `says`.
    Outcome { ok: bool, says: &'static str },
    /// A typed error of `kind` whose message contains `says`, after `attempts` requests.
    Error {
        kind: ErrorKind,
        attempts: usize,
        says: &'static str,
    },
}

use ErrorKind::{Connect, Fault, Http, Protocol, Timeout};
use Expect::{Error as Fails, Outcome};

/// One row: name, what the server answers, what must come of it.
struct Case {
    name: &'static str,
    input: &'static str,
    answer: fn(&Request) -> Answer,
    expect: Expect,
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- baselines
    Case { name: "ok", input: "a valid PerformResponseMsg, OK for ID 1",
        answer: |_| xml(200, &perform(&ok_result("1"), "OK")),
        expect: Outcome { ok: true, says: "Send 1 canceled" } },
    Case { name: "slow-ok", input: "the same, 300 ms late (under the 1 s timeout)",
        answer: |_| Answer::Late(Box::new(xml(200, &perform(&ok_result("1"), "OK")))),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "per-result-error", input: "OverallStatus Error, the result says already canceled",
        answer: |_| xml(200, &perform(&result("Error", "Send 1 is already canceled", "<ErrorCode>310008</ErrorCode>", "<ID>1</ID>"), "Error")),
        expect: Outcome { ok: false, says: "already canceled" } },
    // --- empty and truncated
    Case { name: "empty-200", input: "HTTP 200, empty body",
        answer: |_| full(200, "text/xml", b""),
        expect: Fails { kind: Protocol, attempts: 1, says: "body is empty" } },
    Case { name: "empty-204", input: "HTTP 204 No Content",
        answer: |_| full(204, "text/xml", b""),
        expect: Fails { kind: Protocol, attempts: 1, says: "body is empty" } },
    Case { name: "empty-500", input: "HTTP 500, empty body",
        answer: |_| full(500, "text/xml", b""),
        expect: Fails { kind: Http, attempts: 1, says: "HTTP 500" } },
    Case { name: "empty-soap-body", input: "an envelope whose Body is empty",
        answer: |_| xml(200, &envelope("")),
        expect: Fails { kind: Protocol, attempts: 1, says: "no Body content" } },
    Case { name: "truncated", input: "a valid response cut in the middle (Content-Length of the cut)",
        answer: |_| { let s = perform(&ok_result("1"), "OK"); xml(200, &s[..s.len() / 2]) },
        expect: Fails { kind: Protocol, attempts: 1, says: "malformed XML" } },
    // --- not SOAP
    Case { name: "html-200", input: "an HTML page with HTTP 200",
        answer: |_| full(200, "text/html", HTML),
        expect: Fails { kind: Protocol, attempts: 1, says: "root element is <html>" } },
    Case { name: "html-500", input: "an HTML error page with HTTP 500",
        answer: |_| full(500, "text/html", HTML),
        expect: Fails { kind: Http, attempts: 1, says: "Runtime Error" } },
    Case { name: "html-502", input: "an HTML error page with HTTP 502 (repeated: a gateway's)",
        answer: |_| full(502, "text/html", HTML),
        expect: Fails { kind: Http, attempts: 3, says: "HTTP 502" } },
    Case { name: "json-200", input: "JSON with HTTP 200",
        answer: |_| full(200, "application/json", br#"{"error":"unexpected","ok":false}"#),
        expect: Fails { kind: Protocol, attempts: 1, says: "not a SOAP envelope" } },
    Case { name: "json-500", input: "JSON with HTTP 500",
        answer: |_| full(500, "application/json", br#"{"error":"internal"}"#),
        expect: Fails { kind: Http, attempts: 1, says: "internal" } },
    Case { name: "soap12", input: "a SOAP 1.2 envelope with HTTP 200",
        answer: |_| xml(200, "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><PerformResponseMsg/></e:Body></e:Envelope>"),
        expect: Fails { kind: Protocol, attempts: 1, says: "SOAP 1.2" } },
    Case { name: "soap12-fault", input: "a SOAP 1.2 Fault with HTTP 500",
        answer: |_| xml(500, "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value></e:Code></e:Fault></e:Body></e:Envelope>"),
        expect: Fails { kind: Http, attempts: 1, says: "HTTP 500" } },
    Case { name: "unbound-prefix", input: "an Envelope whose prefix is bound to nothing",
        answer: |_| xml(200, "<soap:Envelope><soap:Body/></soap:Envelope>"),
        expect: Fails { kind: Protocol, attempts: 1, says: "another namespace" } },
    Case { name: "wrong-body", input: "a Body holding an element of no operation",
        answer: |_| xml(200, &envelope("<Frobnicate xmlns=\"urn:x\"/>")),
        expect: Fails { kind: Protocol, attempts: 1, says: "expected <PerformResponseMsg>" } },
    Case { name: "other-operation", input: "the response to another operation (RetrieveResponseMsg)",
        answer: |_| xml(200, &envelope(&format!("<RetrieveResponseMsg xmlns=\"{NS}\"><OverallStatus>OK</OverallStatus></RetrieveResponseMsg>"))),
        expect: Fails { kind: Protocol, attempts: 1, says: "found <RetrieveResponseMsg>" } },
    // --- entity tricks
    Case { name: "billion-laughs", input: "a DOCTYPE with nested entity expansion (billion laughs)",
        answer: |_| full(200, "text/xml", billion_laughs().as_bytes()),
        expect: Fails { kind: Protocol, attempts: 1, says: "document type declaration" } },
    Case { name: "xxe", input: "a DOCTYPE with an external entity (file:///etc/passwd)",
        answer: |_| full(200, "text/xml", format!("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}", perform(&result("OK", "&x;", "", "<ID>1</ID>"), "OK")).as_bytes()),
        expect: Fails { kind: Protocol, attempts: 1, says: "document type declaration" } },
    Case { name: "undeclared-entity", input: "an entity reference without a DOCTYPE (&x; in a value)",
        answer: |_| xml(200, &perform(&result("OK", "&x;", "", "<ID>1</ID>"), "OK")),
        expect: Fails { kind: Protocol, attempts: 1, says: "unknown entity" } },
    // --- size and depth
    Case { name: "deep-known", input: "200,000 nested elements of known types (Send/Sources/Source)",
        answer: |_| xml(200, &perform(&result("OK", "x", "", &deep_sources(100_000)), "OK")),
        expect: Fails { kind: Protocol, attempts: 1, says: "nested deeper than 128" } },
    Case { name: "deep-unknown", input: "200,000 nested unknown elements inside a Result (skipped)",
        answer: |_| xml(200, &perform(&format!("<Result><StatusCode>OK</StatusCode><StatusMessage>deep</StatusMessage>{}<Object xsi:type=\"Send\"><ID>1</ID></Object></Result>", deep_unknown(200_000)), "OK")),
        expect: Outcome { ok: true, says: "deep" } },
    Case { name: "too-large", input: "a body announced (Content-Length) 1 byte over the 64 MiB cap",
        answer: |_| Answer::Huge { announce: true, bytes: CAP + 1 },
        expect: Fails { kind: Protocol, attempts: 1, says: "larger than the 67108864-byte cap" } },
    Case { name: "too-large-chunked", input: "a chunked body that goes past the 64 MiB cap",
        answer: |_| Answer::Huge { announce: false, bytes: CAP + 64 * 1024 },
        expect: Fails { kind: Protocol, attempts: 1, says: "larger than" } },
    // 20,000 (1.3 MB): enough to show the work stays linear and the log quiet, small enough to be
    // read well within the 1 s timeout by a debug build on a loaded machine.
    Case { name: "many-results", input: "20,000 results, none for the ID asked",
        answer: |_| xml(200, &perform(&(2..20_002).map(|i| ok_result(&i.to_string())).collect::<String>(), "OK")),
        expect: Outcome { ok: false, says: "no result for this ID" } },
    // --- encodings
    Case { name: "invalid-utf8", input: "invalid UTF-8 bytes in a value",
        answer: |_| full(200, "text/xml", &perform(&result("OK", "caf\u{1}", "", "<ID>1</ID>"), "OK").into_bytes().iter().map(|&b| if b == 1 { 0xff } else { b }).collect::<Vec<u8>>()),
        expect: Fails { kind: Protocol, attempts: 1, says: "encoding" } },
    Case { name: "latin1", input: "declared ISO-8859-1, with a Latin-1 byte in a value (decoded as declared)",
        answer: |_| full(200, "text/xml", &latin1()),
        expect: Outcome { ok: true, says: "caf\u{e9}" } },
    Case { name: "utf16", input: "a UTF-16 body",
        answer: |_| full(200, "text/xml", &utf16(&perform(&ok_result("1"), "OK"))),
        expect: Fails { kind: Protocol, attempts: 1, says: "" } },
    Case { name: "bom", input: "a UTF-8 byte order mark before the XML declaration",
        answer: |_| full(200, "text/xml", &[b"\xEF\xBB\xBF".as_slice(), perform(&ok_result("1"), "OK").as_bytes()].concat()),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "cdata-charrefs", input: "CDATA and character references in values (ID &#49;, StatusCode in CDATA)",
        answer: |_| xml(200, &perform("<Result><StatusCode><![CDATA[OK]]></StatusCode><StatusMessage><![CDATA[Send <1> & co]]> &#x2713;&#169;&amp;</StatusMessage><Object xsi:type=\"Send\"><ID>&#49;</ID></Object></Result>", "OK")),
        expect: Outcome { ok: true, says: "Send <1> & co \u{2713}\u{a9}&" } },
    Case { name: "gzip-garbage", input: "Content-Encoding: gzip on bytes that are not (never inflated)",
        answer: |_| Answer::Full { status: 200, content_type: "text/xml", headers: vec!["Content-Encoding: gzip".into()], body: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3] },
        expect: Fails { kind: Protocol, attempts: 1, says: "" } },
    // --- loose but readable
    Case { name: "unknown-everything", input: "unknown elements everywhere, an unknown xsi:type on the Object",
        answer: |_| xml(200, &perform("<Extra>1</Extra><Result><Frob><a/></Frob><StatusCode>OK</StatusCode><StatusMessage>fine</StatusMessage><Object xsi:type=\"FutureThing\"><Gizmo/><ID>1</ID></Object></Result><Later/>", "OK")),
        expect: Outcome { ok: true, says: "fine" } },
    Case { name: "nil-everywhere", input: "xsi:nil on every element (no status, no result)",
        answer: |_| xml(200, &envelope(&format!("<PerformResponseMsg xmlns=\"{NS}\" xsi:nil=\"true\"><Results xsi:nil=\"true\"/><OverallStatus xsi:nil=\"true\"/><OverallStatusMessage xsi:nil=\"true\"/><RequestID xsi:nil=\"true\"/></PerformResponseMsg>"))),
        expect: Outcome { ok: false, says: "without a result" } },
    Case { name: "nil-in-result", input: "xsi:nil on StatusCode, StatusMessage and ErrorCode of the result",
        answer: |_| xml(200, &perform("<Result><StatusCode xsi:nil=\"true\"/><StatusMessage xsi:nil=\"true\"/><ErrorCode xsi:nil=\"true\"/><Object xsi:type=\"Send\"><ID>1</ID><Client xsi:nil=\"true\"/></Object></Result>", "OK")),
        expect: Outcome { ok: false, says: "" } },
    Case { name: "odd-content-type", input: "a valid response as application/octet-stream",
        answer: |_| full(200, "application/octet-stream", perform(&ok_result("1"), "OK").as_bytes()),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "trailing-junk", input: "text and an element after the Envelope",
        answer: |_| xml(200, &format!("{}junk<more/>", perform(&ok_result("1"), "OK"))),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "stray-results", input: "OK results for IDs 7 and 8 only",
        answer: |_| xml(200, &perform(&format!("{}{}", ok_result("7"), ok_result("8")), "OK")),
        expect: Outcome { ok: false, says: "no result for this ID" } },
    // --- bad values
    Case { name: "id-out-of-range", input: "ID 4294967296 (xs:int)",
        answer: |_| xml(200, &perform(&result("OK", "x", "", "<ID>4294967296</ID>"), "OK")),
        expect: Fails { kind: Protocol, attempts: 1, says: "not a valid xs:int" } },
    Case { name: "error-code-out-of-range", input: "ErrorCode 99999999999 (xs:int)",
        answer: |_| xml(200, &perform(&result("Error", "x", "<ErrorCode>99999999999</ErrorCode>", "<ID>1</ID>"), "Error")),
        expect: Fails { kind: Protocol, attempts: 1, says: "not a valid xs:int" } },
    Case { name: "duplicate-attribute", input: "an element with the same attribute twice",
        answer: |_| xml(200, &perform("<Result><Object xsi:type=\"Send\" xsi:type=\"Email\"><ID>1</ID></Object></Result>", "OK")),
        expect: Fails { kind: Protocol, attempts: 1, says: "malformed XML" } },
    // --- faults
    Case { name: "fault-200", input: "a Client SOAP fault with HTTP 200",
        answer: |_| xml(200, &fault("soap:Client", "Invalid Action", "")),
        expect: Fails { kind: Fault, attempts: 1, says: "Invalid Action" } },
    Case { name: "fault-rate-limited", input: "a Server fault, apifault Code 17, every time",
        answer: |_| xml(500, &fault("soap:Server", "Rate limited", "<detail><apifault xmlns=\"urn:fault.partner.exacttarget.com\"><Code>17</Code><Message>slow down</Message></apifault></detail>")),
        expect: Fails { kind: Fault, attempts: 3, says: "apifault Code 17" } },
    Case { name: "fault-garbage", input: "a Fault with no faultcode and unknown children",
        answer: |_| xml(500, &envelope("<soap:Fault><weird><x/></weird><faultstring>odd</faultstring></soap:Fault>")),
        expect: Fails { kind: Fault, attempts: 1, says: "odd" } },
    // --- the token echoed back (it must show nowhere)
    Case { name: "echo-502", input: "HTTP 502 whose HTML page quotes the whole request (and its token)",
        answer: |r| full(502, "text/html", format!("<html><body>bad gateway: {}</body></html>", String::from_utf8_lossy(&r.body)).as_bytes()),
        expect: Fails { kind: Http, attempts: 3, says: "bad gateway" } },
    Case { name: "echo-fault", input: "a Security fault whose faultstring quotes the token",
        answer: |r| xml(500, &fault("soap:Client", &format!("Token {} is not valid here", token_of(r)), "")),
        expect: Fails { kind: Fault, attempts: 1, says: "is not valid here" } },
    Case { name: "echo-message", input: "an OK result whose StatusMessage quotes the token",
        answer: |r| xml(200, &perform(&result("OK", &format!("canceled with {}", token_of(r)), "", "<ID>1</ID>"), "OK")),
        expect: Outcome { ok: true, says: "canceled with ***" } },
    Case { name: "echo-value", input: "the token as the value of ID (an unreadable value, quoted in the error)",
        answer: |r| xml(200, &perform(&result("OK", "x", "", &format!("<ID>{}</ID>", token_of(r))), "OK")),
        expect: Fails { kind: Protocol, attempts: 1, says: "not a valid xs:int" } },
    // --- the connection
    Case { name: "redirect", input: "HTTP 302 to another host (not followed)",
        answer: |_| Answer::Full { status: 302, content_type: "text/html", headers: vec!["Location: https://elsewhere.invalid/Service.asmx".into()], body: b"moved".to_vec() },
        expect: Fails { kind: Http, attempts: 1, says: "HTTP 302" } },
    Case { name: "closed", input: "the connection closed after the request, without a byte",
        answer: |_| Answer::Close,
        expect: Fails { kind: Connect, attempts: 3, says: "could not reach" } },
    Case { name: "cut-body", input: "Content-Length 5000, 200 bytes, then the connection closes",
        answer: |_| Answer::Cut { announced: 5000, body: perform(&ok_result("1"), "OK").as_bytes()[..200].to_vec() },
        expect: Fails { kind: Connect, attempts: 3, says: "could not reach" } },
    Case { name: "not-http", input: "an answer that is not HTTP",
        answer: |_| Answer::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()),
        expect: Fails { kind: Connect, attempts: 3, says: "could not reach" } },
    Case { name: "header-flood", input: "an HTTP head with 500 headers",
        answer: |_| Answer::Full { status: 200, content_type: "text/xml", headers: (0..500).map(|i| format!("X-Flood-{i}: {}", "y".repeat(100))).collect(), body: perform(&ok_result("1"), "OK").into_bytes() },
        expect: Fails { kind: Connect, attempts: 3, says: "could not reach" } },
    Case { name: "drip", input: "a 200 head, then one byte every 100 ms (slow loris)",
        answer: |_| Answer::Drip,
        expect: Fails { kind: Timeout, attempts: 1, says: "timed out after 1s" } },
    Case { name: "silent", input: "the request read, then nothing for 5 s",
        answer: |_| Answer::Silent,
        expect: Fails { kind: Timeout, attempts: 1, says: "timed out after 1s" } },
];

/// What the token endpoint (OAuth client credentials) answers; the SOAP endpoint then answers
/// like the `ok` row. Through the `Client` only (the CLI uses the same code).
#[rustfmt::skip]
const TOKEN_CASES: &[Case] = &[
    Case { name: "token-huge-expiry", input: "expires_in 18446744073709551615 (overflowed the clock once)",
        answer: |_| full(200, "application/json", br#"{"access_token":"tok-1","expires_in":18446744073709551615}"#),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "token-odd-expiry", input: "expires_in as a string, negative, a float",
        answer: |_| full(200, "application/json", br#"{"access_token":"tok-1","expires_in":"-5.5e99"}"#),
        expect: Outcome { ok: true, says: "canceled" } },
    Case { name: "token-missing", input: "JSON without access_token",
        answer: |_| full(200, "application/json", br#"{"expires_in":5}"#),
        expect: Fails { kind: ErrorKind::Auth, attempts: 1, says: "no usable token" } },
    Case { name: "token-empty", input: "an empty access_token",
        answer: |_| full(200, "application/json", br#"{"access_token":"  "}"#),
        expect: Fails { kind: ErrorKind::Auth, attempts: 1, says: "empty access_token" } },
    Case { name: "token-html", input: "an HTML page with HTTP 200",
        answer: |_| full(200, "text/html", HTML),
        expect: Fails { kind: ErrorKind::Auth, attempts: 1, says: "no usable token" } },
    Case { name: "token-502", input: "HTTP 502 (repeated)",
        answer: |_| full(502, "text/html", HTML),
        expect: Fails { kind: Http, attempts: 3, says: "HTTP 502" } },
    Case { name: "token-too-large", input: "a 2 MiB answer (the token answer's cap is 1 MiB)",
        answer: |_| Answer::Huge { announce: true, bytes: 2 << 20 },
        expect: Fails { kind: Protocol, attempts: 1, says: "larger than" } },
    Case { name: "token-echo", input: "HTTP 401 quoting the request, client secret and all",
        answer: |r| full(401, "application/json", serde_json::json!({"error": "invalid_client", "error_description": String::from_utf8_lossy(&r.body)}).to_string().as_bytes()),
        expect: Fails { kind: ErrorKind::Auth, attempts: 1, says: "invalid_client" } },
    Case { name: "token-closed", input: "the connection closed without an answer (repeated)",
        answer: |_| Answer::Close,
        expect: Fails { kind: Connect, attempts: 3, says: "could not reach" } },
];

// ---------------------------------------------------------------------------------------------
// Building the answers.

const NS: &str = "http://exacttarget.com/wsdl/partnerAPI";
const HTML: &[u8] = b"<html><head><title>Oops</title></head><body><h1>Runtime Error</h1><p>An application error occurred.</p></body></html>";

fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

fn perform(results: &str, overall: &str) -> String {
    envelope(&format!(
        "<PerformResponseMsg xmlns=\"{NS}\"><Results>{results}</Results><OverallStatus>{overall}</OverallStatus>\
         <RequestID>r-1</RequestID></PerformResponseMsg>"
    ))
}

fn result(status: &str, message: &str, extra: &str, object: &str) -> String {
    format!(
        "<Result><StatusCode>{status}</StatusCode><StatusMessage>{message}</StatusMessage>{extra}\
         <Object xsi:type=\"Send\">{object}</Object></Result>"
    )
}

fn ok_result(id: &str) -> String {
    result(
        "OK",
        &format!("Send {id} canceled"),
        "",
        &format!("<ID>{id}</ID>"),
    )
}

fn fault(code: &str, string: &str, detail: &str) -> String {
    envelope(&format!(
        "<soap:Fault><faultcode>{code}</faultcode><faultstring>{string}</faultstring>{detail}</soap:Fault>"
    ))
}

fn billion_laughs() -> String {
    let mut dtd = String::from("<!ENTITY l0 \"lol\">");
    for i in 1..10 {
        let prev = format!("&l{};", i - 1);
        dtd.push_str(&format!("<!ENTITY l{i} \"{}\">", prev.repeat(10)));
    }
    format!(
        "<?xml version=\"1.0\"?><!DOCTYPE soap:Envelope [{dtd}]>{}",
        perform(&result("OK", "&l9;", "", "<ID>1</ID>"), "OK")
    )
}

fn deep_sources(levels: usize) -> String {
    format!(
        "<ID>1</ID>{}{}",
        "<Sources><Source xsi:type=\"Send\">".repeat(levels),
        "</Source></Sources>".repeat(levels)
    )
}

fn deep_unknown(levels: usize) -> String {
    format!("{}{}", "<z>".repeat(levels), "</z>".repeat(levels))
}

fn latin1() -> Vec<u8> {
    perform(&result("OK", "caf\u{1}", "", "<ID>1</ID>"), "OK")
        .replace("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"")
        .into_bytes()
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect()
}

fn utf16(s: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in s.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// The `fueloauth` token of a request, as sent.
fn token_of(r: &Request) -> String {
    let text = String::from_utf8_lossy(&r.body);
    text.split("<fueloauth xmlns=\"http://exacttarget.com\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// The loopback server: `/{runner}/{case}/Service.asmx` gets the case's answer; requests are
// counted per path. One request per connection (every answer closes it).

struct Request {
    body: Vec<u8>,
}

enum Answer {
    /// A complete answer with Content-Length.
    Full {
        status: u16,
        content_type: &'static str,
        headers: Vec<String>,
        body: Vec<u8>,
    },
    /// The answer, 300 ms late.
    Late(Box<Answer>),
    /// HTTP 200 `text/xml`, `bytes` of filler, with Content-Length (`announce`) or chunked.
    Huge { announce: bool, bytes: usize },
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// Close without a byte.
    Close,
    /// A 200 head announcing `announced` bytes, `body`, then close.
    Cut { announced: usize, body: Vec<u8> },
    /// A 200 head announcing 1000 bytes, then one byte every 100 ms (50 at most).
    Drip,
    /// Nothing for 5 s, then close.
    Silent,
}

fn full(status: u16, content_type: &'static str, body: &[u8]) -> Answer {
    Answer::Full {
        status,
        content_type,
        headers: Vec::new(),
        body: body.to_vec(),
    }
}

fn xml(status: u16, body: &str) -> Answer {
    full(status, "text/xml; charset=utf-8", body.as_bytes())
}

struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start() -> R<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let counted = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(20), serve_one(stream, counted))
                            .await;
                });
            }
        });
        Ok(Self { port, hits, task })
    }

    fn url(&self, runner: &str, case: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{runner}/{case}/Service.asmx",
            self.port
        )
    }

    fn hits(&self, runner: &str, case: &str) -> usize {
        self.hits_of(&format!("/{runner}/{case}/Service.asmx"))
    }

    fn hits_of(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

async fn serve_one(
    mut stream: TcpStream,
    hits: Arc<Mutex<HashMap<String, usize>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 1 << 20 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split(' ').nth(1).unwrap_or_default().to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let request = Request {
        body: buf[head_end..head_end + length].to_vec(),
    };
    if let Ok(mut h) = hits.lock() {
        *h.entry(path.clone()).or_default() += 1;
    }
    let case_name = path.split('/').nth(2).unwrap_or_default();
    let Some(case) = CASES
        .iter()
        .chain(TOKEN_CASES)
        .find(|c| c.name == case_name)
    else {
        return stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    };
    let answer = (case.answer)(&request);
    send(&mut stream, answer).await
}

async fn send(stream: &mut TcpStream, answer: Answer) -> std::io::Result<()> {
    match answer {
        Answer::Full {
            status,
            content_type,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} Status\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for h in headers {
                out.push_str(&h);
                out.push_str("\r\n");
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&body);
            stream.write_all(&bytes).await?;
        }
        Answer::Late(inner) => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Box::pin(send(stream, *inner)).await?;
        }
        Answer::Huge { announce, bytes } => {
            let head = if announce {
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_string()
            };
            stream.write_all(head.as_bytes()).await?;
            let piece = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < bytes {
                let n = piece.len().min(bytes - sent);
                if announce {
                    stream.write_all(&piece[..n]).await?;
                } else {
                    stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                    stream.write_all(&piece[..n]).await?;
                    stream.write_all(b"\r\n").await?;
                }
                sent += n;
            }
            if !announce {
                stream.write_all(b"0\r\n\r\n").await?;
            }
        }
        Answer::Raw(bytes) => stream.write_all(&bytes).await?,
        Answer::Close => {}
        Answer::Cut { announced, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {announced}\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Answer::Drip => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n",
                )
                .await?;
            for _ in 0..50 {
                stream.write_all(b" ").await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Answer::Silent => tokio::time::sleep(Duration::from_secs(5)).await,
    }
    stream.flush().await?;
    let _ = stream.shutdown().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The runs.

fn exit_code(expect: Expect) -> i32 {
    match expect {
        Outcome { ok: true, .. } => 0,
        Outcome { ok: false, .. } => 1,
        Fails { kind, .. } => match kind {
            Fault | ErrorKind::Auth | ErrorKind::Api => 1,
            ErrorKind::Config => 2,
            _ => 3,
        },
    }
}

fn attempts(expect: Expect) -> usize {
    match expect {
        Outcome { .. } => 1,
        Fails { attempts, .. } => attempts,
    }
}

/// Fails with the case's name and `why` unless `cond`.
fn check(cond: bool, case: &Case, why: String) -> R {
    if cond {
        Ok(())
    } else {
        Err(format!("case {} ({}): {why}", case.name, case.input).into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_responses_through_the_client() -> R {
    let server = Server::start().await?;
    for case in CASES {
        let client = Client::builder()
            .endpoint(server.url("client", case.name))
            .access_token(TOKEN)
            .no_proxy()
            .request_timeout(TIMEOUT)
            .retry_policy(
                RetryPolicy::new(3)
                    .with_base_delay(Duration::from_millis(1))
                    .with_max_delay(Duration::from_millis(5)),
            )
            .build()?;
        let started = Instant::now();
        let result = tokio::time::timeout(Duration::from_secs(20), client.cancel_send(1))
            .await
            .map_err(|_| format!("case {}: no answer within 20 s (a hang)", case.name))?;
        let elapsed = started.elapsed();
        let shown = format!(
            "{result:?} {}",
            match &result {
                Ok(o) => o.message.clone(),
                Err(e) => e.to_string(),
            }
        );
        check(
            !shown.contains(&TOKEN[..16]),
            case,
            format!("the token shows: {shown}"),
        )?;
        match (case.expect, &result) {
            (Outcome { ok, says }, Ok(outcome)) => {
                check(
                    outcome.id == 1 && outcome.ok == ok,
                    case,
                    format!("{outcome:?}"),
                )?;
                check(
                    outcome.message.contains(says),
                    case,
                    format!("message {:?} lacks {says:?}", outcome.message),
                )?;
            }
            (Fails { kind, says, .. }, Err(e)) => {
                check(
                    e.kind() == kind,
                    case,
                    format!("kind {:?}, expected {kind:?}: {e}", e.kind()),
                )?;
                check(
                    e.to_string().contains(says),
                    case,
                    format!("message {e} lacks {says:?}"),
                )?;
                if kind == Timeout {
                    check(
                        elapsed < TIMEOUT + Duration::from_secs(1),
                        case,
                        format!("took {elapsed:?}"),
                    )?;
                }
            }
            (expect, got) => check(false, case, format!("expected {expect:?}, got {got:?}"))?,
        }
        let hits = server.hits("client", case.name);
        check(
            hits == attempts(case.expect),
            case,
            format!("{hits} requests, expected {}", attempts(case.expect)),
        )?;
    }
    Ok(())
}

async fn cli(url: String, runner: &'static str) -> R<(Run, Duration)> {
    let mut args = vec![
        "--endpoint".to_string(),
        url,
        "--access-token".into(),
        TOKEN.into(),
        "--timeout".into(),
        "1".into(),
        "--max-retries".into(),
        "2".into(),
    ];
    if runner == "json" {
        args.push("--json".into());
    }
    args.extend(["cancel-send".to_string(), "1".to_string()]);
    let started = Instant::now();
    let run = sfmc_run(args).await?;
    Ok((run, started.elapsed()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_responses_through_the_cli() -> R {
    let server = Server::start().await?;
    // Four runs at a time, plain and --json.
    let runs: Vec<(&'static str, &'static Case)> = CASES
        .iter()
        .flat_map(|c| [("cli", c), ("json", c)])
        .collect();
    for batch in runs.chunks(4) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|(runner, case)| tokio::spawn(cli(server.url(runner, case.name), runner)))
            .collect();
        for ((runner, case), task) in batch.iter().zip(tasks) {
            let (run, elapsed) = task.await??;
            let all = format!("{}{}", run.stdout, run.stderr);
            check(!all.contains("panicked"), case, run.describe())?;
            check(
                !all.contains(&TOKEN[..16]),
                case,
                format!("the token shows:\n{}", run.describe()),
            )?;
            let code = exit_code(case.expect);
            check(
                run.code == Some(code),
                case,
                format!("{runner}: expected exit {code}\n{}", run.describe()),
            )?;
            let hits = server.hits(runner, case.name);
            check(
                hits == attempts(case.expect),
                case,
                format!(
                    "{runner}: {hits} requests, expected {}",
                    attempts(case.expect)
                ),
            )?;
            if let Fails { kind: Timeout, .. } = case.expect {
                // The process starts, times out after 1 s, and exits.
                check(
                    elapsed < TIMEOUT + Duration::from_secs(2),
                    case,
                    format!("took {elapsed:?}"),
                )?;
            }
            if *runner == "json" {
                let json: serde_json::Value =
                    serde_json::from_str(run.stdout.trim()).map_err(|e| {
                        format!(
                            "case {}: --json output is not JSON ({e}):\n{}",
                            case.name,
                            run.describe()
                        )
                    })?;
                let results = json["results"].as_array().cloned().unwrap_or_default();
                check(
                    results.len() == 1 && results[0]["id"] == 1,
                    case,
                    format!("one result for ID 1: {json}"),
                )?;
                check(json["exit_code"] == code, case, format!("{json}"))?;
                check(results[0]["ok"] == (code == 0), case, format!("{json}"))?;
            } else {
                let line = run.stdout.lines().next().unwrap_or_default();
                check(
                    line.starts_with("send 1: "),
                    case,
                    format!("one line for send 1:\n{}", run.describe()),
                )?;
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn hostile_token_answers_through_the_client() -> R {
    const SECRET: &str = "client-secret-for-hostile-token-tests";
    let server = Server::start().await?;
    for case in TOKEN_CASES {
        let client = Client::builder()
            .auth_url(format!(
                "http://127.0.0.1:{}/token/{}",
                server.port, case.name
            ))
            .endpoint(server.url("after-token", "ok"))
            .client_credentials("id", SECRET)
            .no_proxy()
            .request_timeout(TIMEOUT)
            .retry_policy(
                RetryPolicy::new(3)
                    .with_base_delay(Duration::from_millis(1))
                    .with_max_delay(Duration::from_millis(5)),
            )
            .build()?;
        let result = tokio::time::timeout(Duration::from_secs(20), client.cancel_send(1))
            .await
            .map_err(|_| format!("case {}: no answer within 20 s (a hang)", case.name))?;
        let shown = format!("{result:?}");
        check(
            !shown.contains(SECRET),
            case,
            format!("the secret shows: {shown}"),
        )?;
        match (case.expect, &result) {
            (Outcome { ok, says }, Ok(outcome)) => {
                check(
                    outcome.ok == ok && outcome.message.contains(says),
                    case,
                    format!("{outcome:?}"),
                )?;
            }
            (Fails { kind, says, .. }, Err(e)) => {
                check(
                    e.kind() == kind,
                    case,
                    format!("kind {:?}, expected {kind:?}: {e}", e.kind()),
                )?;
                check(
                    e.to_string().contains(says),
                    case,
                    format!("message {e} lacks {says:?}"),
                )?;
            }
            (expect, got) => check(false, case, format!("expected {expect:?}, got {got:?}"))?,
        }
        let hits = server.hits_of(&format!("/token/{}/v2/token", case.name));
        check(
            hits == attempts(case.expect),
            case,
            format!("{hits} token requests, expected {}", attempts(case.expect)),
        )?;
    }
    Ok(())
}
