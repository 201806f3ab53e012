//! A workload for the streamed Retrieve: a loopback server in this process pages `ROWS`
//! SentEvent rows, 2,500 a page (`MoreDataAvailable`, `RequestID`, `ContinueRequest`), and the
//! client reads them as typed `SentEvent`s, `AnyApiObject`s or `RawObject`s, then prints the
//! rows per second and the process's peak RSS.
//!
//! ```sh
//! cargo run --release --example retrieve_rows -- 1000000 typed   # or: any, raw
//! cargo run --release --example retrieve_rows -- 1000000 serve   # only the server, for `sfmc retrieve`
//! ```

use std::time::Instant;

use sfmc_partnerapi::retrieve::{RawObject, RetrieveObject, RetrieveQuery};
use sfmc_partnerapi::types::{AnyApiObject, SentEvent};
use sfmc_partnerapi::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PAGE: usize = 2_500;

/// One page's rows (the same on every page but for the RequestID).
fn rows_xml(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "<Results xsi:type=\"SentEvent\"><Client><ID>12345</ID></Client><SendID>{}</SendID>\
             <SubscriberKey>subscriber-{i:06}@example.com</SubscriberKey>\
             <EventDate>2026-01-01T10:{:02}:{:02}</EventDate><EventType>Sent</EventType>\
             <TriggeredSendDefinitionObjectID>7f1c0e2a-1b2c-4d5e-8f90-{i:012}</TriggeredSendDefinitionObjectID>\
             <BatchID>{}</BatchID></Results>",
            1000 + i % 7,
            i % 60,
            i % 60,
            i % 13
        ));
    }
    s
}

async fn serve(mut stream: TcpStream, pages: usize, body_rows: std::sync::Arc<String>) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
        buf.drain(..head_end + len);
        let page = body
            .split("<ContinueRequest>req-")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .and_then(|k| k.parse::<usize>().ok())
            .unwrap_or(0);
        let status = if page + 1 >= pages {
            "OK"
        } else {
            "MoreDataAvailable"
        };
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
             <RetrieveResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><OverallStatus>{status}</OverallStatus>\
             <RequestID>req-{}</RequestID>{}</RetrieveResponseMsg></soap:Body></soap:Envelope>",
            page + 1,
            body_rows
        );
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        );
        if stream.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

async fn read_all<T: RetrieveObject>(client: &Client, check: impl Fn(&T) -> bool) -> (u64, u32) {
    let query =
        RetrieveQuery::new("SentEvent").properties(["SendID", "SubscriberKey", "EventDate"]);
    let mut rows = client.retrieve::<T>(query);
    let mut odd = 0u64;
    loop {
        match rows.try_next().await {
            Ok(Some(row)) => odd += u64::from(!check(&row)),
            Ok(None) => break,
            Err(e) => {
                eprintln!("error after {} rows: {}", rows.rows(), e.report());
                std::process::exit(1);
            }
        }
    }
    if odd > 0 {
        eprintln!("{odd} rows did not read as expected");
    }
    (rows.rows(), rows.pages())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let mode = args.next().unwrap_or_else(|| "typed".into());
    let pages = total.div_ceil(PAGE);
    let body_rows = std::sync::Arc::new(rows_xml(PAGE));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream, pages, std::sync::Arc::clone(&body_rows)));
        }
    });
    if mode == "serve" {
        println!("SOAP endpoint: http://{addr}/Service.asmx");
        std::future::pending::<()>().await;
    }
    let client = Client::builder()
        .endpoint(format!("http://{addr}/Service.asmx"))
        .access_token("bench-token")
        .no_proxy()
        .build()?;
    let started = Instant::now();
    let (rows, pages) = match mode.as_str() {
        "any" => read_all::<AnyApiObject>(&client, |o| o.type_name() == "SentEvent").await,
        "raw" => {
            read_all::<RawObject>(&client, |o| {
                o.values(&["SendID", "SubscriberKey", "EventDate"])
                    .iter()
                    .all(Option::is_some)
            })
            .await
        }
        _ => read_all::<SentEvent>(&client, |e| e.subscriber_key.is_some()).await,
    };
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{mode}: {rows} rows in {pages} pages, {secs:.2} s, {:.0} rows/s, peak RSS {} MiB",
        rows as f64 / secs,
        peak_rss_mib().unwrap_or(0)
    );
    Ok(())
}
