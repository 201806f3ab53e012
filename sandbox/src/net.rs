//! The HTTP side: a listener whose connections can be dropped on purpose, one handler that
//! routes by path, and graceful shutdown.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::faults::InjectedFault;
use super::service;
use super::state::Shared;

/// Cap on a token request body.
const MAX_TOKEN_BODY: usize = 64 << 10;

/// A TCP stream that refuses every write once killed, so the connection closes without a
/// response.
pub(crate) struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

fn killed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "connection dropped by fault injection",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.killed.load(Ordering::Acquire) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.killed.load(Ordering::Acquire) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.killed.load(Ordering::Acquire) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.killed.load(Ordering::Acquire) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Accepts TCP connections as [`KillableStream`]s.
pub(crate) struct SandboxListener {
    inner: TcpListener,
}

impl Listener for SandboxListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let io = KillableStream {
                        inner: stream,
                        killed: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, then go on.
                    tracing::warn!(error = %e, "sandbox: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// The kill switch of the connection a request came on.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    killed: Arc<AtomicBool>,
}

impl Connected<IncomingStream<'_, SandboxListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, SandboxListener>) -> Self {
        Connection {
            killed: stream.io().killed.clone(),
        }
    }
}

/// Serves `shared` on `listener` until the returned sender fires (or is dropped).
pub(crate) fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = Router::new()
        .fallback(dispatch)
        .with_state(shared)
        .into_make_service_with_connect_info::<Connection>();
    let server =
        axum::serve(SandboxListener { inner: listener }, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
    let task = tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::warn!(error = %e, "sandbox server stopped");
        }
    });
    (stop, task)
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn method_not_allowed(allow: &'static str) -> Response {
    let body = if allow == "GET" {
        "Use GET (the partnerAPI sandbox)\n"
    } else {
        "Use POST (the partnerAPI sandbox)\n"
    };
    let mut r = text(StatusCode::METHOD_NOT_ALLOWED, body);
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string());
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Connection>,
    request: Request,
) -> Response {
    let shown_path = sanitize_path(request.uri().path());
    let path = request.uri().path().trim_matches('/').to_ascii_lowercase();
    let method = request.method().clone();
    let is_soap = path == "service.asmx" && method == Method::POST;
    let response = match (path.as_str(), &method) {
        ("v2/token", &Method::POST) => token(&shared, request).await,
        ("service.asmx", &Method::POST) => soap(&shared, &conn, request).await,
        ("_sandbox/stats", &Method::GET) => json(StatusCode::OK, &shared.stats()),
        ("_sandbox/expire-tokens", &Method::POST) => json(
            StatusCode::OK,
            &serde_json::json!({ "expired": shared.expire_tokens() }),
        ),
        ("v2/token" | "service.asmx" | "_sandbox/expire-tokens", _) => {
            method_not_allowed("POST")
        }
        ("_sandbox/stats", _) => method_not_allowed("GET"),
        ("", &Method::GET) => text(
            StatusCode::OK,
            "partnerAPI sandbox: POST /v2/token (OAuth client credentials), POST /Service.asmx (SOAP 1.1: Perform, Retrieve); for tests: GET /_sandbox/stats (counters as JSON), POST /_sandbox/expire-tokens\n",
        ),
        _ => text(StatusCode::NOT_FOUND, "Not found (the partnerAPI sandbox serves /v2/token, /Service.asmx, /_sandbox/stats and /_sandbox/expire-tokens)\n"),
    };
    // SOAP requests are logged by `soap`, with what they did.
    if shared.log_requests && !is_soap {
        eprintln!("{method} {shown_path} -> {}", response.status().as_u16());
    }
    response
}

fn sanitize_path(path: &str) -> String {
    path.chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect::<String>()
}

async fn read_body(request: Request, limit: usize) -> Result<Bytes, ()> {
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| ())
}

async fn token(shared: &Shared, request: Request) -> Response {
    let content_type = header_str(request.headers(), "content-type").map(str::to_string);
    let (status, json) = match read_body(request, MAX_TOKEN_BODY).await {
        Ok(body) => super::token::handle(shared, content_type.as_deref(), &body),
        Err(()) => (
            400,
            serde_json::json!({
                "error": "invalid_request",
                "error_description": format!("The request body could not be read or is larger than {MAX_TOKEN_BODY} bytes."),
            }),
        ),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json.to_string(),
    )
        .into_response()
}

async fn soap(shared: &Shared, conn: &Connection, request: Request) -> Response {
    let soap_action = header_str(request.headers(), "soapaction").map(str::to_string);
    shared.count_soap_request(soap_action.as_deref());
    let (injected, latency) = shared.injector.draw();
    let body = read_body(request, shared.max_body_bytes).await;
    let reply = service::respond(
        shared,
        injected,
        soap_action.as_deref(),
        body.as_ref().map(|b| b.as_ref()).map_err(|_| ()),
    );
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if shared.log_requests {
        let status = if injected == InjectedFault::DropConnection {
            "dropped (injected)".to_string()
        } else {
            reply.status.to_string()
        };
        eprintln!("POST /Service.asmx -> {status}: {}", reply.summary);
    }
    if injected == InjectedFault::DropConnection {
        shared.count_injected(injected);
        conn.killed.store(true, Ordering::Release);
        // Nothing of this reaches the client: every write on the connection now fails.
        return StatusCode::NO_CONTENT.into_response();
    }
    (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, reply.content_type)],
        Body::from(reply.body),
    )
        .into_response()
}
