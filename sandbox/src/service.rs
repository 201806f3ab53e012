//! `Service.asmx`: reads a SOAP request with the generated types, authenticates it, runs
//! Perform or Retrieve, and writes the response (or a fault).

use super::codes;
use super::faults::InjectedFault;
use super::state::{Action, AuthCheck, Outcome, Shared};
use sfmc_partnerapi::soap::{write_envelope, Envelope, Fault, ProtocolError, RequestHeader};
use sfmc_partnerapi::types::{
    AnyApiObject, PerformRequestMsg, PerformResponseMsg, PerformResult, RetrieveRequestMsg, Send,
    TaskResult, OPERATIONS,
};

/// `faultcode` of authentication failures, bound to the WS-Security namespace.
pub(crate) const SECURITY_FAULTCODE: &str = "q0:Security";

/// What to answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: String,
    /// One line for the request log.
    pub(crate) summary: String,
}

impl Reply {
    fn soap(body: String, summary: String) -> Self {
        Self {
            status: 200,
            content_type: "text/xml; charset=utf-8",
            body,
            summary,
        }
    }

    pub(crate) fn fault(shared: &Shared, fault: &Fault) -> Self {
        shared.count_fault();
        Self {
            status: 500,
            content_type: "text/xml; charset=utf-8",
            body: fault.to_envelope(),
            summary: format!("fault {}: {}", fault.code, fault.string),
        }
    }

    pub(crate) fn service_unavailable() -> Self {
        Self {
            status: 503,
            content_type: "text/html; charset=utf-8",
            body: "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n".into(),
            summary: "503 (injected)".into(),
        }
    }
}

fn client_fault(message: impl Into<String>) -> Fault {
    Fault::new("soap:Client", message)
}

/// Text from a request, made safe to repeat in a fault: cut and without control characters.
pub(crate) fn sanitize(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(100).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// The operation a SOAPAction header names: `Ok(name)` or the fault to answer.
fn operation(soap_action: Option<&str>) -> Result<&'static str, Fault> {
    let action = soap_action
        .map(|a| a.trim().trim_matches('"').trim())
        .unwrap_or_default();
    if action.is_empty() {
        return Err(client_fault(
            "The SOAPAction HTTP header is missing or empty; the partnerAPI needs it (e.g. SOAPAction: \"Perform\")",
        ));
    }
    let Some(op) = OPERATIONS.iter().find(|op| op.soap_action == action) else {
        return Err(client_fault(format!(
            "Server did not recognize the value of HTTP Header SOAPAction: {}.",
            sanitize(action)
        )));
    };
    match op.name {
        "Perform" | "Retrieve" => Ok(op.name),
        other => Err(client_fault(format!(
            "Operation {other} is not supported by the sandbox (supported: Perform, Retrieve)"
        ))),
    }
}

fn unreadable(e: &ProtocolError) -> Fault {
    match e {
        ProtocolError::Soap12 => Fault::new(
            "soap:VersionMismatch",
            "SOAP 1.2 envelopes are not supported; the partnerAPI speaks SOAP 1.1",
        ),
        other => client_fault(format!("Server was unable to read request: {other}")),
    }
}

/// The answer to one SOAP request, once the injected fault is drawn and the body read (`Err`
/// when it was larger than the cap or could not be read): what the HTTP handler sends, unless the
/// fault is a dropped connection.
pub(crate) fn respond(
    shared: &Shared,
    injected: InjectedFault,
    soap_action: Option<&str>,
    body: Result<&[u8], ()>,
) -> Reply {
    match injected {
        InjectedFault::Http503 => {
            shared.count_injected(injected);
            Reply::service_unavailable()
        }
        InjectedFault::RateLimited => {
            shared.count_injected(injected);
            let fault = Fault::new("soap:Server", "Rate limit exceeded").with_detail(
                codes::RATE_LIMITED,
                "Too many requests for this account: the rate limit was exceeded. Retry later.",
            );
            Reply::fault(shared, &fault)
        }
        _ => match body {
            Ok(body) => handle(shared, soap_action, body, injected),
            Err(()) => Reply::fault(
                shared,
                &Fault::new(
                    "soap:Client",
                    format!(
                        "The request body is larger than {} bytes (the sandbox's limit) or could not be read",
                        shared.max_body_bytes
                    ),
                ),
            ),
        },
    }
}

/// Handles one SOAP request whose body is `body`.
pub(crate) fn handle(
    shared: &Shared,
    soap_action: Option<&str>,
    body: &[u8],
    injected: InjectedFault,
) -> Reply {
    match handle_inner(shared, soap_action, body, injected) {
        Ok(reply) => reply,
        Err(fault) => Reply::fault(shared, &fault),
    }
}

fn handle_inner(
    shared: &Shared,
    soap_action: Option<&str>,
    body: &[u8],
    injected: InjectedFault,
) -> Result<Reply, Fault> {
    let op = operation(soap_action)?;
    let envelope = Envelope::parse(body).map_err(|e| unreadable(&e))?;
    // The whole request is read before authentication, so a malformed one is a Client fault
    // whoever sends it; the Header may stand before or after the Body, as the service accepts.
    let (header, request) = match op {
        "Perform" => {
            let (header, request) = envelope.read_request().map_err(|e| unreadable(&e))?;
            (header, Request::Perform(request))
        }
        _ => {
            let (header, request) = envelope.read_request().map_err(|e| unreadable(&e))?;
            (header, Request::Retrieve(Box::new(request)))
        }
    };
    let user = header
        .username_token
        .as_ref()
        .map(|t| (t.username.as_str(), &t.password));
    let mid = match shared.authenticate(header.fueloauth.as_ref(), user) {
        AuthCheck::LoginFailed => return Err(Fault::new(SECURITY_FAULTCODE, "Login Failed")),
        AuthCheck::Expired => return Err(Fault::new("soap:Client", "Token Expired")),
        AuthCheck::Ok { by_token: true, .. } if injected == InjectedFault::TokenExpired => {
            shared.count_injected(InjectedFault::TokenExpired);
            return Err(Fault::new("soap:Client", "Token Expired"));
        }
        AuthCheck::Ok { mid, .. } => mid,
    };
    let no_header = RequestHeader::None;
    Ok(match request {
        Request::Perform(request) => {
            let (response, summary) = perform(shared, mid, request);
            Reply::soap(write_envelope(&no_header, &response), summary)
        }
        Request::Retrieve(request) => {
            let (body, summary) = super::retrieve::retrieve(shared, mid, &request);
            Reply::soap(body, summary)
        }
    })
}

enum Request {
    Perform(PerformRequestMsg),
    Retrieve(Box<RetrieveRequestMsg>),
}

/// A random UUID (`RequestID`, task IDs).
pub(crate) fn random_id() -> String {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
        .into_uuid()
        .to_string()
}

/// The name of a definition's type, for messages: its XSD name (an unknown `xsi:type` as
/// received, cleaned for the message).
fn type_name(def: &AnyApiObject) -> String {
    sanitize(def.type_name())
}

// `task` is a `TaskResult` with one WSDL and an `AnyTaskResult` with the other: `.into()` serves
// both, and is an identity conversion with the first.
#[allow(clippy::useless_conversion)]
fn result(ordinal: usize, outcome: &Outcome, object: Send) -> PerformResult {
    let (code, task_code) = if outcome.ok {
        ("OK", "OK")
    } else {
        ("Error", "Error")
    };
    PerformResult {
        status_code: code.into(),
        status_message: outcome.message.as_str().into(),
        ordinal_id: i32::try_from(ordinal).ok(),
        error_code: outcome.error_code,
        object: object.into(),
        task: TaskResult {
            status_code: task_code.into(),
            status_message: outcome.message.as_str().into(),
            ordinal_id: i32::try_from(ordinal).ok(),
            error_code: outcome.error_code,
            id: Some(random_id().into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

fn perform(shared: &Shared, mid: i64, request: PerformRequestMsg) -> (PerformResponseMsg, String) {
    let action_text = request.action.as_deref().unwrap_or_default().trim();
    let action = Action::parse(action_text);
    let mut results = Vec::with_capacity(request.definitions.len());
    let mut failed = 0usize;
    {
        let mut store = shared.store();
        for (ordinal, def) in request.definitions.into_iter().enumerate() {
            let (outcome, object) = match (&def, action) {
                (AnyApiObject::Send(send), Some(action)) => match send.id {
                    None => (
                        Outcome::error(
                            codes::MISSING_ID,
                            "The Send has no ID; Perform needs the ID of the send".into(),
                        ),
                        Send::default(),
                    ),
                    Some(id) => {
                        let correlation = send
                            .correlation_id
                            .as_deref()
                            .map(str::trim)
                            .filter(|c| !c.is_empty());
                        let outcome = store.perform(mid, action, i64::from(id), correlation);
                        let object = Send {
                            id: Some(id),
                            correlation_id: correlation.map(Into::into),
                            status: outcome.status.map(|s| s.as_str().into()),
                            ..Default::default()
                        };
                        (outcome, object)
                    }
                },
                (AnyApiObject::Send(send), None) => (
                    Outcome::error(
                        codes::UNSUPPORTED_ACTION,
                        if action_text.is_empty() {
                            "Perform needs an Action (cancel, pause or resume)".to_string()
                        } else {
                            format!(
                                "Action {} is not supported on Send (supported: cancel, pause, resume)",
                                sanitize(action_text)
                            )
                        },
                    ),
                    Send {
                        id: send.id,
                        correlation_id: send.correlation_id.clone(),
                        ..Default::default()
                    },
                ),
                (other, _) => (
                    Outcome::error(
                        codes::UNSUPPORTED_OBJECT,
                        format!(
                            "Perform on {} is not supported by the sandbox (supported: Send)",
                            type_name(other)
                        ),
                    ),
                    Send::default(),
                ),
            };
            if !outcome.ok {
                failed += 1;
            }
            results.push(result(ordinal, &outcome, object).into());
        }
        store.persist();
    }
    let total = results.len();
    let (overall, message) = if total == 0 {
        (
            "Error".to_string(),
            "No Definitions were given to perform on".to_string(),
        )
    } else if failed == 0 {
        ("OK".to_string(), String::new())
    } else if failed == total {
        (
            "Error".to_string(),
            format!("{failed} of {total} objects failed"),
        )
    } else {
        (
            "Has Errors".to_string(),
            format!("{failed} of {total} objects failed"),
        )
    };
    let summary = format!(
        "Perform {} x{total}: {overall}",
        if action_text.is_empty() {
            "(no action)".to_string()
        } else {
            sanitize(action_text)
        }
    );
    let response = PerformResponseMsg {
        results,
        overall_status: overall.into(),
        overall_status_message: message.into(),
        request_id: Some(random_id().into()),
    };
    (response, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_action_forms() {
        assert_eq!(operation(Some("\"Perform\"")).ok(), Some("Perform"));
        assert_eq!(operation(Some(" Retrieve ")).ok(), Some("Retrieve"));
        assert!(operation(None).is_err());
        assert!(operation(Some("\"\"")).is_err());
        let f = operation(Some("Frobnicate")).err().unwrap_or_default();
        assert!(f.string.contains("Frobnicate"), "{f:?}");
        let f = operation(Some("VersionInfo")).err().unwrap_or_default();
        assert!(f.string.contains("VersionInfo"), "{f:?}");
        assert_eq!(f.code, "soap:Client");
    }

    #[test]
    fn random_ids_look_like_uuids() {
        let id = random_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn sanitize_cuts_and_strips() {
        assert_eq!(sanitize("a\nb"), "ab");
        assert_eq!(sanitize(&"x".repeat(200)).chars().count(), 101);
    }
}
