//! The client: configuration, transport and one method per WSDL operation on [`Api`].

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::error::Error;
use crate::soap::{write_envelope, Envelope, RequestHeader, UsernameToken};
use crate::types::OperationInfo;
use crate::xml::XmlElement;

/// How requests authenticate.
#[derive(Clone)]
enum Auth {
    None,
    Token(SecretString),
    UsernameToken {
        username: String,
        password: SecretString,
    },
}

/// A partnerAPI client. Cheap to clone and share across tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: url::Url,
    auth: Auth,
    max_response_bytes: usize,
    request_timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[derive(Default)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    auth: Option<Auth>,
    request_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
}

impl ClientBuilder {
    /// The SOAP endpoint (`https://{subdomain}.soap.marketingcloudapis.com/Service.asmx`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Authenticate with a fixed OAuth access token.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::Token(SecretString::from(token.into())));
        self
    }

    /// Authenticate with a WS-Security UsernameToken (legacy).
    pub fn username_token(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.auth = Some(Auth::UsernameToken {
            username: username.into(),
            password: SecretString::from(password.into()),
        });
        self
    }

    /// Timeout of one call (default 120 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Cap on the response body size (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = self
            .endpoint
            .ok_or_else(|| Error::Config("no endpoint given".into()))?;
        let endpoint = url::Url::parse(&endpoint)
            .map_err(|e| Error::Config(format!("endpoint {endpoint:?} is not a URL: {e}")))?;
        let request_timeout = self.request_timeout.unwrap_or(Duration::from_secs(120));
        let http = reqwest::Client::builder()
            .timeout(request_timeout)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                auth: self.auth.unwrap_or(Auth::None),
                max_response_bytes: self.max_response_bytes.unwrap_or(64 << 20),
                request_timeout,
            }),
        })
    }
}

/// The WSDL's operations, one async method each (generated): `client.api().perform(&request)`.
#[derive(Debug, Clone, Copy)]
pub struct Api<'a> {
    client: &'a Client,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The generated operations.
    pub fn api(&self) -> Api<'_> {
        Api { client: self }
    }

    async fn call<Req: XmlElement, Resp: XmlElement>(
        &self,
        op: &'static OperationInfo,
        request: &Req,
    ) -> Result<Resp, Error> {
        let inner = &self.inner;
        let token;
        let header = match &inner.auth {
            Auth::None => RequestHeader::None,
            Auth::Token(t) => RequestHeader::FuelOAuth(t),
            Auth::UsernameToken { username, password } => {
                token = UsernameToken::new(username.clone(), password.clone());
                RequestHeader::UsernameToken(&token)
            }
        };
        let body = write_envelope(&header, request);
        let response = inner
            .http
            .post(inner.endpoint.clone())
            .header("SOAPAction", format!("\"{}\"", op.soap_action))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    Error::Timeout {
                        operation: op.name.to_string(),
                        timeout: inner.request_timeout,
                    }
                } else {
                    Error::Connect {
                        url: inner.endpoint.to_string(),
                        message: e.to_string(),
                    }
                }
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| Error::Connect {
            url: inner.endpoint.to_string(),
            message: e.to_string(),
        })?;
        if bytes.len() > inner.max_response_bytes {
            return Err(Error::BodyTooLarge {
                operation: op.name.to_string(),
                limit: inner.max_response_bytes,
            });
        }
        let protocol = |source| Error::Protocol {
            operation: op.name.to_string(),
            source,
        };
        let envelope = match Envelope::parse(&bytes) {
            Ok(env) => env,
            Err(_) if !status.is_success() => {
                return Err(Error::Http {
                    status: status.as_u16(),
                    url: inner.endpoint.to_string(),
                    excerpt: None,
                })
            }
            Err(e) => return Err(protocol(e)),
        };
        if envelope.is_fault() {
            let fault = envelope.read_fault().map_err(protocol)?;
            return Err(Error::Fault { fault });
        }
        envelope.read_body::<Resp>().map_err(protocol)
    }
}

impl Api<'_> {
    /// Sends `request` as operation `op` and reads its response.
    pub(crate) async fn call<Req: XmlElement, Resp: XmlElement>(
        &self,
        op: &'static OperationInfo,
        request: &Req,
    ) -> Result<Resp, Error> {
        self.client.call(op, request).await
    }
}
