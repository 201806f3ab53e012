//! A minimal HTTP/1.1 server on 127.0.0.1 for the client tests: records every request, answers
//! with whatever the test's handler says (status, headers, body, delay, chunked), keeps
//! connections alive, counts connections and the requests it holds at once.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfmc_partnerapi::soap::{Envelope, Fault};
use sfmc_partnerapi::types::{AnyApiObject, PerformRequestMsg};
use sfmc_partnerapi::{Client, ClientBuilder, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The send IDs of a Perform request.
    pub fn send_ids(&self) -> Vec<i64> {
        perform_request(&self.body)
            .map(|r| {
                r.definitions
                    .iter()
                    .filter_map(|d| match d {
                        AnyApiObject::Send(s) => s.id.map(i64::from),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `CorrelationID` of each definition of a Perform request (empty for one without).
    pub fn correlation_ids(&self) -> Vec<String> {
        perform_request(&self.body)
            .map(|r| {
                r.definitions
                    .iter()
                    .map(|d| {
                        d.correlation_id()
                            .as_deref()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `fueloauth` token of a SOAP request.
    pub fn fueloauth(&self) -> Option<String> {
        let env = Envelope::parse(&self.body).ok()?;
        env.header()
            .fueloauth
            .as_ref()
            .map(|t| secrecy::ExposeSecret::expose_secret(t).to_string())
    }
}

pub fn perform_request(body: &[u8]) -> Option<PerformRequestMsg> {
    Envelope::parse(body).ok()?.read_body().ok()
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    pub chunked: bool,
    /// Close the connection without answering.
    pub drop_connection: bool,
    /// After `body`, this piece `times` times, then `tail`, generated as they are sent
    /// (chunked): a body larger than the test could hold.
    pub repeated: Option<(Vec<u8>, usize, Vec<u8>)>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            chunked: false,
            drop_connection: false,
            repeated: None,
        }
    }

    /// The connection closed once the request is read, without an answer.
    pub fn drop_connection() -> Self {
        Self {
            drop_connection: true,
            ..Self::status(200)
        }
    }

    /// An XML answer: `head`, then `piece` `times` times, then `tail`, sent chunked as it is
    /// generated (never held whole).
    pub fn xml_repeated(head: &str, piece: &str, times: usize, tail: &str) -> Self {
        Self {
            repeated: Some((piece.as_bytes().to_vec(), times, tail.as_bytes().to_vec())),
            ..Self::xml(head).chunked()
        }
    }

    pub fn xml(body: impl Into<String>) -> Self {
        Self::new(200, "text/xml; charset=utf-8", body.into())
    }

    pub fn fault(fault: &Fault) -> Self {
        Self::new(500, "text/xml; charset=utf-8", fault.to_envelope())
    }

    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::new(status, "application/json", body.to_string())
    }

    pub fn status(status: u16) -> Self {
        Self::new(status, "text/plain", Vec::new())
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// The running server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
    in_flight: Arc<InFlight>,
    task: tokio::task::JoinHandle<()>,
}

/// Requests received and not yet answered: now, and the most at any moment.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

/// One request held by the server, from its last byte read to its answer written (or the
/// connection lost).
struct Held(Arc<InFlight>);

impl Held {
    fn new(counts: &Arc<InFlight>) -> Self {
        let now = counts.now.fetch_add(1, Ordering::SeqCst) + 1;
        counts.peak.fetch_max(now, Ordering::SeqCst);
        Held(Arc::clone(counts))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(InFlight::default());
        let handler: Handler = Arc::new(handler);
        let task = {
            let requests = Arc::clone(&requests);
            let connections = Arc::clone(&connections);
            let in_flight = Arc::clone(&in_flight);
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    connections.fetch_add(1, Ordering::SeqCst);
                    let requests = Arc::clone(&requests);
                    let handler = Arc::clone(&handler);
                    let in_flight = Arc::clone(&in_flight);
                    tokio::spawn(async move {
                        let _ = serve(stream, requests, handler, in_flight).await;
                    });
                }
            })
        };
        Server {
            addr,
            requests,
            connections,
            in_flight,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests lock").clone()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The most requests the server held at once (received, not yet answered).
    pub fn peak_in_flight(&self) -> usize {
        self.in_flight.peak.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    requests: Arc<Mutex<Vec<Request>>>,
    handler: Handler,
    in_flight: Arc<InFlight>,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // The head.
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < length {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buf.drain(..length).collect();
        let _held = Held::new(&in_flight);
        let request = Request {
            method,
            path,
            headers,
            body,
        };
        requests
            .lock()
            .expect("requests lock")
            .push(request.clone());
        let reply = handler(&request);
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        if reply.drop_connection {
            return Ok(());
        }
        let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        for (n, v) in &reply.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        if reply.chunked {
            out.push_str("Transfer-Encoding: chunked\r\n\r\n");
            stream.write_all(out.as_bytes()).await?;
            for piece in reply.body.chunks(64 * 1024) {
                write_chunk(&mut stream, piece).await?;
            }
            if let Some((piece, times, tail)) = &reply.repeated {
                // About 64 KiB a chunk, built as it goes.
                let per_chunk = (64 * 1024 / piece.len().max(1)).max(1);
                let mut left = *times;
                let mut chunk = Vec::with_capacity(per_chunk * piece.len());
                while left > 0 {
                    let n = left.min(per_chunk);
                    chunk.clear();
                    for _ in 0..n {
                        chunk.extend_from_slice(piece);
                    }
                    write_chunk(&mut stream, &chunk).await?;
                    left -= n;
                }
                write_chunk(&mut stream, tail).await?;
            }
            stream.write_all(b"0\r\n\r\n").await?;
        } else {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&reply.body);
            stream.write_all(&bytes).await?;
        }
        stream.flush().await?;
    }
}

async fn write_chunk(stream: &mut TcpStream, piece: &[u8]) -> std::io::Result<()> {
    if piece.is_empty() {
        return Ok(());
    }
    stream
        .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
        .await?;
    stream.write_all(piece).await?;
    stream.write_all(b"\r\n").await
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// One `<Result>` of a Perform response.
pub struct ResultSpec<'a> {
    pub id: Option<i64>,
    pub status: &'a str,
    pub error_code: Option<i32>,
    pub message: &'a str,
}

pub fn ok(id: i64) -> ResultSpec<'static> {
    ResultSpec {
        id: Some(id),
        status: "OK",
        error_code: None,
        message: "Send cancelled",
    }
}

pub fn err<'a>(id: i64, code: i32, message: &'a str) -> ResultSpec<'a> {
    ResultSpec {
        id: Some(id),
        status: "Error",
        error_code: Some(code),
        message,
    }
}

/// A Perform response envelope (in the vendor's shape).
pub fn perform_response(
    results: &[ResultSpec<'_>],
    overall: &str,
    overall_message: &str,
) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
         <PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results>",
    );
    for r in results {
        s.push_str("<Result>");
        s.push_str(&format!("<StatusCode>{}</StatusCode>", r.status));
        s.push_str(&format!("<StatusMessage>{}</StatusMessage>", r.message));
        if let Some(code) = r.error_code {
            s.push_str(&format!("<ErrorCode>{code}</ErrorCode>"));
        }
        if let Some(id) = r.id {
            s.push_str(&format!("<Object xsi:type=\"Send\"><ID>{id}</ID></Object>"));
        }
        s.push_str("<Task><StatusCode>OK</StatusCode><StatusMessage>OK</StatusMessage></Task>");
        s.push_str("</Result>");
    }
    s.push_str(&format!(
        "</Results><OverallStatus>{overall}</OverallStatus><OverallStatusMessage>{overall_message}</OverallStatusMessage>\
         <RequestID>9a0c1d62-1111-2222-3333-444455556666</RequestID></PerformResponseMsg></soap:Body></soap:Envelope>"
    ));
    s
}

/// Answers every Perform with OK for each send ID it names.
pub fn perform_ok(request: &Request) -> Reply {
    let results: Vec<_> = request.send_ids().into_iter().map(ok).collect();
    Reply::xml(perform_response(&results, "OK", ""))
}

/// Answers a Perform on sends with the results in reverse order and an error (`Send not
/// found`, ErrorCode 12) for every ID divisible by 7: for checking the matching.
pub fn perform_reversed_sevens_fail(request: &Request) -> Reply {
    let results: Vec<_> = request
        .send_ids()
        .into_iter()
        .rev()
        .map(|id| {
            if id % 7 == 0 {
                err(id, 12, "Send not found")
            } else {
                ok(id)
            }
        })
        .collect();
    Reply::xml(perform_response(&results, "Has Errors", ""))
}

/// A token endpoint answer.
pub fn token_answer(token: &str, expires_in: u64, soap_instance_url: &str) -> Reply {
    Reply::json(
        200,
        serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": "email_read email_write",
            "soap_instance_url": soap_instance_url,
            "rest_instance_url": "https://example.invalid/",
        }),
    )
}

/// Retries fast, for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(3)
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20))
}

/// A builder for `server`'s `/Service.asmx` with a static token, no proxy, fast retries.
pub fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .endpoint(server.url("/Service.asmx"))
        .access_token("static-token-s3cr3t")
        .no_proxy()
        .retry_policy(fast_retry())
}

pub fn client(server: &Server) -> Client {
    builder(server).build().expect("client builds")
}

/// A server with a token endpoint (`/v2/token`, handing out `tok-1`, `tok-2`, ... valid for
/// `lifetime` seconds, after `delay`) and `/Service.asmx` answering with `soap`.
pub async fn oauth_server(
    lifetime: u64,
    delay: Duration,
    soap: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> (Server, Arc<Mutex<String>>) {
    let base = Arc::new(Mutex::new(String::new()));
    let soap_base = Arc::clone(&base);
    let issued = AtomicUsize::new(0);
    let server = Server::start(move |r| {
        if r.path == "/v2/token" {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            let url = soap_base.lock().map(|b| b.clone()).unwrap_or_default();
            token_answer(&format!("tok-{n}"), lifetime, &url).after(delay)
        } else {
            soap(r)
        }
    })
    .await;
    if let Ok(mut b) = base.lock() {
        *b = server.url("/soap/");
    }
    (server, base)
}

/// A client-credentials builder for `server`'s token endpoint (`my-client`, account
/// 518000123, a scope), no proxy, fast retries.
pub fn oauth_builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .auth_url(server.url(""))
        .client_credentials("my-client", "client-s3cr3t")
        .account_id(518000123)
        .scope("email_read email_write")
        .no_proxy()
        .retry_policy(fast_retry())
}
