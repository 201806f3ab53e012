//! HTTP underneath the client: one pooled `reqwest` client, URL checks, bounded bodies, and the
//! mapping of transport failures to [`Error`]s with a [`RetryClass`].

use std::error::Error as _;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use url::{Host, Url};

use crate::error::Error;
use crate::retry::RetryClass;

/// Longest excerpt of a non-SOAP body kept in an HTTP or authentication [`Error`].
const EXCERPT_CHARS: usize = 200;

/// A failed attempt: the error, and whether repeating it may help.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) class: RetryClass,
}

impl Failure {
    pub(crate) fn never(error: Error) -> Self {
        Self {
            error,
            class: RetryClass::Never,
        }
    }
}

/// A complete HTTP answer, whatever its status.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// How a repeat of the request that got this (non-success) status should be made.
    pub(crate) fn retry_class(&self) -> RetryClass {
        status_retry_class(self.status, self.retry_after)
    }

    /// A short, secret-free text excerpt of the body, for error messages.
    pub(crate) fn excerpt(&self, secrets: &[&str]) -> Option<String> {
        excerpt(&self.body, self.content_type.as_deref(), secrets)
    }
}

/// 429, 502, 503 and 504 are worth repeating (after `Retry-After` when it gives seconds).
pub(crate) fn status_retry_class(status: u16, retry_after: Option<Duration>) -> RetryClass {
    match status {
        429 | 502 | 503 | 504 => retry_after.map_or(RetryClass::Backoff, RetryClass::RetryAfter),
        _ => RetryClass::Never,
    }
}

/// The HTTP side of a [`Client`](crate::Client).
pub(crate) struct Transport {
    http: reqwest::Client,
    pub(crate) request_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

/// Proxy configuration of the builder.
pub(crate) enum ProxyChoice {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` from the environment.
    Environment,
    /// Never a proxy.
    None,
    /// These proxies (the environment is then ignored).
    Explicit(Vec<reqwest::Proxy>),
}

impl Transport {
    pub(crate) fn new(
        request_timeout: Duration,
        connect_timeout: Duration,
        max_response_bytes: usize,
        user_agent: &str,
        proxy: ProxyChoice,
    ) -> Result<Self, Error> {
        let user_agent = HeaderValue::from_str(user_agent).map_err(|e| {
            Error::config("the user agent is not a valid HTTP header value (use visible ASCII)")
                .with_source(e)
        })?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .user_agent(user_agent)
            // A redirect could lead a request (and its token) to plain http or another host,
            // and a redirected POST becomes a GET: a 3xx is reported instead.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true);
        builder = match proxy {
            ProxyChoice::Environment => builder,
            ProxyChoice::None => builder.no_proxy(),
            ProxyChoice::Explicit(proxies) => proxies.into_iter().fold(builder, |b, p| b.proxy(p)),
        };
        let http = builder.build().map_err(|e| {
            Error::config("the HTTP client could not be set up (TLS, proxy)").with_reqwest(e)
        })?;
        Ok(Self {
            http,
            request_timeout,
            connect_timeout,
            max_response_bytes,
        })
    }

    /// POSTs `body` to `url` and reads the whole answer (within the request timeout and the body
    /// cap). `operation` names the call in errors.
    pub(crate) async fn post(
        &self,
        url: &Url,
        operation: &str,
        headers: HeaderMap,
        body: Vec<u8>,
        body_cap: usize,
    ) -> Result<Reply, Failure> {
        let exchange = async {
            let response = self
                .http
                .post(url.clone())
                .headers(headers)
                .body(body)
                .send()
                .await
                .map_err(|e| self.transport_failure(url, operation, e))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = read_capped(response, url, operation, body_cap, self).await?;
            Ok(Reply {
                status,
                content_type,
                retry_after,
                body,
            })
        };
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Failure {
                error: Error::timed_out(operation, self.request_timeout),
                class: RetryClass::Timeout,
            }),
        }
    }

    /// The error and retry class of a failed exchange; `e` is kept as the error's source
    /// (without its URL).
    fn transport_failure(&self, url: &Url, operation: &str, e: reqwest::Error) -> Failure {
        let (error, class) = if e.is_connect() {
            // Nothing was sent: safe to repeat. A connect timeout is reported as a connection
            // failure (the request never left).
            let reason = if is_timeout(&e) {
                format!("no connection within {:?}", self.connect_timeout)
            } else {
                "connection failed".to_string()
            };
            (
                Error::connect_failed(redact_url(url), reason),
                RetryClass::Backoff,
            )
        } else if is_timeout(&e) {
            (
                Error::timed_out(operation, self.request_timeout),
                RetryClass::Timeout,
            )
        } else {
            // The connection broke once the request was (maybe) sent.
            let reason = if e.is_body() || e.is_decode() {
                "the connection broke while reading the answer"
            } else {
                "the connection broke during the exchange"
            };
            (
                Error::connect_failed(redact_url(url), reason),
                RetryClass::ConnectionLost,
            )
        };
        Failure {
            error: error.with_reqwest(e),
            class,
        }
    }
}

/// Reads the body chunk by chunk and stops past `cap` bytes.
async fn read_capped(
    mut response: reqwest::Response,
    url: &Url,
    operation: &str,
    cap: usize,
    transport: &Transport,
) -> Result<Vec<u8>, Failure> {
    let too_large = || Failure::never(Error::body_too_large(operation, cap));
    let announced = response.content_length();
    if announced.is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let initial = announced.map_or(8 * 1024, |n| n as usize).min(cap);
    let mut body = Vec::with_capacity(initial);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport.transport_failure(url, operation, e))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn is_timeout(e: &reqwest::Error) -> bool {
    if e.is_timeout() {
        return true;
    }
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// The URL without user info, query or fragment, for messages.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// Parses `raw` as the URL of `what` and checks it: `https://`, or `http://` to a loopback host
/// only (127.0.0.0/8, ::1, `localhost`); no user info.
pub(crate) fn check_url(raw: &str, what: &str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        // A URL with user info is not quoted: it may hold a password.
        if raw.contains('@') {
            Error::config(format!("the {what} is not a valid URL: {e}"))
        } else {
            Error::config(format!("the {what} {raw:?} is not a valid URL: {e}"))
        }
    })?;
    check_parsed_url(url, what)
}

/// [`check_url`] on a parsed URL.
pub(crate) fn check_parsed_url(url: Url, what: &str) -> Result<Url, Error> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "the {what} carries user info; give credentials with client_credentials(), \
             access_token() or username_token(), never in the URL"
        )));
    }
    let Some(host) = url.host() else {
        return Err(Error::config(format!(
            "the {what} {} has no host",
            redact_url(&url)
        )));
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&host) => Ok(url),
        "http" => Err(Error::config(format!(
            "the {what} {} uses plain http:// to {host}, which is not a loopback host; \
             use https:// (http:// is allowed only for 127.0.0.0/8, ::1 and localhost)",
            redact_url(&url)
        ))),
        other => Err(Error::config(format!(
            "the {what} {} has scheme {other:?}; use https://",
            redact_url(&url)
        ))),
    }
}

/// The origin (`scheme://host:port`) of `url` when its host is a loopback host (127.0.0.0/8,
/// ::1, `localhost`: the hosts plain `http://` is allowed for), such as a local sandbox's;
/// `None` for any other host or a URL that does not parse.
pub fn loopback_origin(url: &str) -> Option<String> {
    let url = Url::parse(url.trim()).ok()?;
    let loopback = url.host().is_some_and(|host| is_loopback(&host));
    loopback.then(|| url.origin().ascii_serialization())
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// A short excerpt of a text or HTML body: tags removed, whitespace collapsed, secrets masked;
/// `None` for an empty or binary body.
pub(crate) fn excerpt(body: &[u8], content_type: Option<&str>, secrets: &[&str]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let binary = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if text.trim().is_empty() || binary * 10 > text.chars().count() {
        return None;
    }
    let html = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || text.trim_start().starts_with('<');
    let plain = if html {
        strip_tags(&text)
    } else {
        text.into_owned()
    };
    let mut collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    // Masked before it is cut: a secret cannot end the excerpt half shown.
    crate::secret::mask(&mut collapsed, secrets);
    if collapsed.is_empty() {
        return None;
    }
    if collapsed.chars().count() > EXCERPT_CHARS {
        let cut: String = collapsed.chars().take(EXCERPT_CHARS).collect();
        return Some(format!("{cut}..."));
    }
    Some(collapsed)
}

/// Removes markup (and the content of `script` and `style` elements), keeping the text.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let after = &rest[open..];
        let lower: String = after
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            after.to_ascii_lowercase().find("</script>").map(|i| i + 9)
        } else if lower.starts_with("<style") {
            after.to_ascii_lowercase().find("</style>").map(|i| i + 8)
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => rest = &after[n..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://example.com/Service.asmx", "endpoint").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x", "endpoint").is_ok());
        assert!(check_url("http://127.8.9.1/x", "endpoint").is_ok());
        assert!(check_url("http://[::1]:9/x", "endpoint").is_ok());
        assert!(check_url("http://LOCALHOST:9/x", "endpoint").is_ok());
        for bad in [
            "http://example.com/x",
            "http://10.0.0.1/x",
            "http://localhost.example.com/x",
            "http://127.0.0.1.nip.io/x",
            "ftp://127.0.0.1/x",
            "https://user:pw@example.com/",
            "not a url",
        ] {
            let err = check_url(bad, "endpoint").err();
            assert!(err.as_ref().is_some_and(Error::is_config), "{bad}: {err:?}");
        }
        let Err(e) = check_url("https://user:hunter2@example.com/", "endpoint") else {
            panic!("expected a config error")
        };
        assert!(e.is_config(), "{e:?}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    }

    #[test]
    fn excerpts() {
        let html = b"<html><head><title>503</title><style>p{}</style></head><body>\n<h1>Service   Unavailable</h1><script>x()</script></body></html>";
        assert_eq!(
            excerpt(html, Some("text/html"), &[]).as_deref(),
            Some("503 Service Unavailable")
        );
        assert_eq!(excerpt(b"", None, &[]), None);
        assert_eq!(excerpt(&[0, 1, 2, 3, 0xff, 0xfe], None, &[]), None);
        assert_eq!(
            excerpt(b"bad token abc123", Some("text/plain"), &["abc123"]).as_deref(),
            Some("bad token ***")
        );
        let long = "x".repeat(500);
        let e = excerpt(long.as_bytes(), None, &[]).unwrap_or_default();
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 3);
    }
}
