//! How fast the sandbox serves Retrieve rows, on one core and without a network: a Retrieve of
//! N SentEvents (four properties) followed page by page with `ContinueRequest`, each page
//! handled as `POST /Service.asmx` would be and its body measured.
//!
//! With `--http`, the same over real HTTP: the sandbox on loopback and the library's `Client`
//! following the pages (wall-clock rows per second, the client's reading included).
//!
//! `cargo run --release -p sfmc-partnerapi-sandbox --example serve_rate -- [ROWS] [PAGE_SIZE] [--http]`

use std::time::Instant;

use sfmc_partnerapi::soap::{write_envelope, Envelope, RequestHeader};
use sfmc_partnerapi::types::{RetrieveRequest, RetrieveRequestMsg, RetrieveResponseMsg};
use sfmc_partnerapi_sandbox::{Sandbox, SendStatus};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn first_request() -> RetrieveRequestMsg {
    RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            object_type: "SentEvent".into(),
            properties: ["SendID", "SubscriberKey", "EventDate", "EventType"]
                .into_iter()
                .map(Into::into)
                .collect(),
            ..Default::default()
        },
    }
}

fn next_request(
    resp: &RetrieveResponseMsg,
    rows: u64,
    served: u64,
) -> R<Option<RetrieveRequestMsg>> {
    if resp.overall_status != "MoreDataAvailable" {
        if resp.overall_status != "OK" {
            return Err(resp.overall_status.to_string().into());
        }
        if served != rows {
            return Err(format!("served {served} rows, expected {rows}").into());
        }
        return Ok(None);
    }
    Ok(Some(RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            continue_request: resp.request_id.clone(),
            ..Default::default()
        },
    }))
}

fn main() -> R {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let http = args.iter().any(|a| a == "--http");
    let mut numbers = args.iter().filter(|a| !a.starts_with("--"));
    let rows: u64 = numbers.next().map_or(Ok(100_000), |a| a.parse())?;
    let page_size: usize = numbers.next().map_or(Ok(2_500), |a| a.parse())?;
    let builder = Sandbox::builder()
        .client("bench", "bench-secret", 1)
        .send(1, SendStatus::Sent, 1)
        .events(rows, 1)
        .page_size(page_size);
    if http {
        return tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(over_http(builder, rows));
    }
    let handler = builder.handler()?;
    let (status, json) = handler.token(
        Some("application/json"),
        br#"{"grant_type":"client_credentials","client_id":"bench","client_secret":"bench-secret"}"#,
    );
    if status != 200 {
        return Err(format!("token: {status} {json}").into());
    }
    let token: serde_json::Value = serde_json::from_str(&json)?;
    let token = secrecy::SecretString::from(
        token["access_token"]
            .as_str()
            .ok_or("no access_token")?
            .to_string(),
    );
    let header = RequestHeader::FuelOAuth(&token);
    let mut request = first_request();
    let (mut served, mut pages, mut bytes, mut handling) = (0u64, 0u64, 0usize, 0.0f64);
    loop {
        let body = write_envelope(&header, &request);
        let start = Instant::now();
        let reply = handler.soap(Some("Retrieve"), body.as_bytes());
        handling += start.elapsed().as_secs_f64();
        // Reading the page back (to follow it) is the client's work: not timed.
        let resp: RetrieveResponseMsg = Envelope::parse(reply.body.as_bytes())?.read_body()?;
        served += resp.results.len() as u64;
        pages += 1;
        bytes += reply.body.len();
        match next_request(&resp, rows, served)? {
            Some(next) => request = next,
            None => break,
        }
    }
    println!(
        "{served} rows in {pages} pages ({:.1} MB): {:.3} s handling, {:.0} rows/s, {:.2} µs per row",
        bytes as f64 / 1e6,
        handling,
        served as f64 / handling,
        handling * 1e6 / served as f64
    );
    Ok(())
}

async fn over_http(builder: sfmc_partnerapi_sandbox::SandboxBuilder, rows: u64) -> R {
    let sandbox = builder.start("127.0.0.1:0").await?;
    let client = sfmc_partnerapi::Client::builder()
        .endpoint(sandbox.soap_url())
        .auth_url(sandbox.base_url())
        .client_credentials("bench", "bench-secret")
        .no_proxy()
        .build()?;
    let (mut served, mut pages) = (0u64, 0u64);
    let mut request = first_request();
    let start = Instant::now();
    loop {
        let resp = client.api().retrieve(&request).await?;
        served += resp.results.len() as u64;
        pages += 1;
        match next_request(&resp, rows, served)? {
            Some(next) => request = next,
            None => break,
        }
    }
    let took = start.elapsed().as_secs_f64();
    println!(
        "over HTTP: {served} rows in {pages} pages: {took:.3} s, {:.0} rows/s",
        served as f64 / took
    );
    sandbox.shutdown().await;
    Ok(())
}
