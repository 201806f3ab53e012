//! The checks of the fuzz targets, shared with `tests/fuzz_regressions.rs` (which runs the seed
//! corpora, the inputs of crashes found and fixed, and a bounded number of random mutations
//! through them in every `cargo test`).
#![allow(dead_code)]

use sfmc_partnerapi::soap::{write_envelope, Envelope, RequestHeader};
use sfmc_partnerapi::types::{PerformResponseMsg, RetrieveResponseMsg};
use sfmc_partnerapi::xml::XmlElement;
use sfmc_partnerapi_sandbox::{Sandbox, SandboxHandler, SendStatus};

// ---------------------------------------------------------------------------------------------
// read_response

fn round_trip<T: XmlElement + PartialEq + std::fmt::Debug>(value: &T) {
    let written = write_envelope(&RequestHeader::None, value);
    let again = Envelope::parse(written.as_bytes())
        .and_then(|e| e.read_body::<T>())
        .unwrap_or_else(|e| panic!("written value does not read back: {e}\n{written}"));
    // Untyped values keep their raw XML, which differs once rewritten: compare the rewrite.
    let rewritten = write_envelope(&RequestHeader::None, &again);
    assert_eq!(written, rewritten, "a second round trip changed the value");
}

/// Reading a response as the client does: `Envelope::parse`, then `read_fault` for a fault or
/// `read_body` of `PerformResponseMsg` / `RetrieveResponseMsg`. Whatever is read must write and
/// read back to the same value (so the writer escapes everything the reader accepts).
pub fn read_response(data: &[u8]) {
    if let Ok(envelope) = Envelope::parse(data) {
        if envelope.is_fault() {
            let _ = envelope.read_fault();
        } else if let Ok(resp) = envelope.read_body::<PerformResponseMsg>() {
            // How the client reads the status (this once sliced inside a character).
            let _ = sfmc_partnerapi::OverallStatus::parse(&resp.overall_status);
            round_trip(&resp);
        }
    }
    if let Ok(envelope) = Envelope::parse(data) {
        if !envelope.is_fault() {
            if let Ok(resp) = envelope.read_body::<RetrieveResponseMsg>() {
                let _ = sfmc_partnerapi::OverallStatus::parse(&resp.overall_status);
                round_trip(&resp);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sandbox_request

const ACTIONS: &[Option<&str>] = &[
    Some("Perform"),
    Some("Retrieve"),
    Some("\"Perform\""),
    Some("\"Retrieve\""),
    None,
    Some(""),
    Some("VersionInfo"),
    Some("Bogus"),
];

fn handler() -> SandboxHandler {
    let built = Sandbox::builder()
        .client("a", "secret-a", 1001)
        .user("ua", "pw-a", 1001)
        .client("b", "secret-b", 2002)
        .send(100, SendStatus::Scheduled, 1001)
        .send(101, SendStatus::Paused, 1001)
        .send(102, SendStatus::Sent, 1001)
        .send(200, SendStatus::Scheduled, 2002)
        .max_body_bytes(1 << 20)
        .handler();
    match built {
        Ok(h) => h,
        Err(e) => panic!("the sandbox handler does not build: {e}"),
    }
}

fn token(h: &SandboxHandler) -> String {
    let (status, json) = h.token(
        Some("application/json"),
        br#"{"grant_type":"client_credentials","client_id":"a","client_secret":"secret-a"}"#,
    );
    assert_eq!(status, 200, "{json}");
    let start = json
        .find("\"access_token\":\"")
        .map(|i| i + 16)
        .unwrap_or(0);
    let end = json[start..].find('"').map(|i| start + i).unwrap_or(start);
    json[start..end].to_string()
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// The sandbox's request handling, as the HTTP handlers call it. The first byte picks the
/// endpoint and the SOAPAction; `@TOKEN@` in the rest is replaced by a valid token of account A.
/// Every SOAP answer must be a readable response (HTTP 200) or fault (HTTP 500), and account B's
/// send never changes (the input only holds A's credentials).
pub fn sandbox_request(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let h = handler();
    match selector % 10 {
        8 => {
            let (status, json) = h.token(Some("application/json"), rest);
            assert!(matches!(status, 200 | 400 | 401), "{status} {json}");
            assert!(serde_json_like(&json), "{json}");
        }
        9 => {
            let (status, json) = h.token(Some("application/x-www-form-urlencoded"), rest);
            assert!(matches!(status, 200 | 400 | 401), "{status} {json}");
        }
        n => {
            let body = if rest.windows(7).any(|w| w == b"@TOKEN@") {
                replace(rest, b"@TOKEN@", token(&h).as_bytes())
            } else {
                rest.to_vec()
            };
            let action = ACTIONS[usize::from(n)];
            let resp = h.soap(action, &body);
            let envelope = Envelope::parse(resp.body.as_bytes())
                .unwrap_or_else(|e| panic!("unreadable answer: {e}\n{}", resp.body));
            match resp.status {
                200 => match envelope.body_name() {
                    b"PerformResponseMsg" => {
                        if let Err(e) = envelope.read_body::<PerformResponseMsg>() {
                            panic!("unreadable Perform answer: {e}\n{}", resp.body);
                        }
                    }
                    b"RetrieveResponseMsg" => {
                        if let Err(e) = envelope.read_body::<RetrieveResponseMsg>() {
                            panic!("unreadable Retrieve answer: {e}\n{}", resp.body);
                        }
                    }
                    other => panic!("unexpected answer {:?}", String::from_utf8_lossy(other)),
                },
                500 => {
                    assert!(envelope.is_fault(), "{}", resp.body);
                    if let Err(e) = envelope.read_fault() {
                        panic!("unreadable fault: {e}\n{}", resp.body);
                    }
                }
                other => panic!("unexpected HTTP status {other}"),
            }
        }
    }
    let state = h.state();
    assert_eq!(state.sends().len(), 4, "sends appeared or vanished");
    assert_eq!(
        state.send(200).map(|s| s.status),
        Some(SendStatus::Scheduled),
        "another account's send changed"
    );
}

/// The token endpoint always answers a JSON object.
fn serde_json_like(s: &str) -> bool {
    s.starts_with('{') && s.ends_with('}')
}
