//! Helpers shared by the sandbox tests: raw HTTP against a sandbox on loopback, requests written
//! and responses read with the crate's own types.
#![allow(dead_code)]

use std::error::Error;

use secrecy::SecretString;
use sfmc_partnerapi::soap::{write_envelope, Envelope, Fault, RequestHeader, UsernameToken};
use sfmc_partnerapi::types::{
    AnyApiObject, AnyPerformResult, PerformOptions, PerformRequestMsg, PerformResponseMsg,
    RetrieveRequest, RetrieveRequestMsg, RetrieveResponseMsg, Send, SimpleFilterPart,
    SimpleOperators,
};
use sfmc_partnerapi_sandbox::{RunningSandbox, Sandbox, SandboxBuilder, SendStatus};

pub type R<T = ()> = Result<T, Box<dyn Error + std::marker::Send + Sync>>;

pub const MID_A: i64 = 1001;
pub const MID_B: i64 = 2002;

/// Two accounts: client "a"/"secret-a" and user "ua"/"pw-a" in A, client "b"/"secret-b" in B;
/// sends 100..=104 in A (Scheduled, Scheduled, Paused, Sent, Canceled), 200 in B (Scheduled).
pub fn two_accounts() -> SandboxBuilder {
    Sandbox::builder()
        .client("a", "secret-a", MID_A)
        .user("ua", "pw-a", MID_A)
        .client("b", "secret-b", MID_B)
        .send(100, SendStatus::Scheduled, MID_A)
        .send(101, SendStatus::Scheduled, MID_A)
        .send(102, SendStatus::Paused, MID_A)
        .send(103, SendStatus::Sent, MID_A)
        .send(104, SendStatus::Canceled, MID_A)
        .send(200, SendStatus::Scheduled, MID_B)
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// POSTs client credentials; (status, JSON).
pub async fn token_response(
    sandbox: &RunningSandbox,
    body: serde_json::Value,
) -> R<(u16, serde_json::Value)> {
    let resp = http().post(sandbox.token_url()).json(&body).send().await?;
    let status = resp.status().as_u16();
    let json = resp.json::<serde_json::Value>().await?;
    Ok((status, json))
}

/// A token for client `id`/`secret`.
pub async fn token(sandbox: &RunningSandbox, id: &str, secret: &str) -> R<String> {
    let (status, json) = token_response(
        sandbox,
        serde_json::json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
    )
    .await?;
    if status != 200 {
        return Err(format!("token request answered {status}: {json}").into());
    }
    json["access_token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| "no access_token".into())
}

/// POSTs `body` to Service.asmx with `soap_action` (quoted); (HTTP status, body).
pub async fn post_soap(
    sandbox: &RunningSandbox,
    soap_action: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> R<(u16, String)> {
    let mut req = http()
        .post(sandbox.soap_url())
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(body);
    if let Some(a) = soap_action {
        req = req.header("SOAPAction", format!("\"{a}\""));
    }
    let resp = req.send().await?;
    Ok((resp.status().as_u16(), resp.text().await?))
}

pub fn perform_request(action: &str, ids: &[(i32, Option<&str>)]) -> PerformRequestMsg {
    PerformRequestMsg {
        options: Some(PerformOptions::default().into()),
        action: Some(action.into()),
        definitions: ids
            .iter()
            .map(|(id, corr)| {
                Send {
                    id: Some(*id),
                    correlation_id: corr.map(Into::into),
                    ..Default::default()
                }
                .into()
            })
            .collect(),
    }
}

pub fn with_token(token: &str, body: &impl sfmc_partnerapi::xml::XmlElement) -> String {
    let secret = SecretString::from(token.to_string());
    write_envelope(&RequestHeader::FuelOAuth(&secret), body)
}

pub fn with_user(
    user: &str,
    password: &str,
    body: &impl sfmc_partnerapi::xml::XmlElement,
) -> String {
    let t = UsernameToken::new(user, SecretString::from(password.to_string()));
    write_envelope(&RequestHeader::UsernameToken(&t), body)
}

/// Perform `action` on `ids` with `token`; the parsed response (HTTP 200 expected).
pub async fn perform(
    sandbox: &RunningSandbox,
    token: &str,
    action: &str,
    ids: &[(i32, Option<&str>)],
) -> R<PerformResponseMsg> {
    let (status, body) = post_soap(
        sandbox,
        Some("Perform"),
        with_token(token, &perform_request(action, ids)),
    )
    .await?;
    if status != 200 {
        return Err(format!("Perform answered HTTP {status}: {body}").into());
    }
    Ok(Envelope::parse(body.as_bytes())?.read_body::<PerformResponseMsg>()?)
}

/// One result's (StatusCode, ErrorCode, StatusMessage, the Send's ID and Status).
#[derive(Debug, Clone, PartialEq)]
pub struct Res {
    pub status_code: String,
    pub error_code: Option<i32>,
    pub message: String,
    pub id: Option<i32>,
    pub send_status: Option<String>,
}

pub fn results(resp: &PerformResponseMsg) -> Vec<Res> {
    resp.results
        .iter()
        .map(|r| match r {
            AnyPerformResult::PerformResult(r) => {
                let (id, send_status) = match &r.object {
                    AnyApiObject::Send(s) => (s.id, s.status.as_ref().map(ToString::to_string)),
                    _ => (None, None),
                };
                Res {
                    status_code: r.status_code.to_string(),
                    error_code: r.error_code,
                    message: r.status_message.to_string(),
                    id,
                    send_status,
                }
            }
            other => Res {
                status_code: format!("unexpected result {other:?}"),
                error_code: None,
                message: String::new(),
                id: None,
                send_status: None,
            },
        })
        .collect()
}

/// Reads a fault envelope.
pub fn fault(body: &str) -> R<Fault> {
    let env = Envelope::parse(body.as_bytes())?;
    if !env.is_fault() {
        return Err(format!("not a fault: {body}").into());
    }
    Ok(env.read_fault()?)
}

pub fn retrieve_request(filter: Option<(&str, SimpleOperators, &[&str])>) -> RetrieveRequestMsg {
    RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            object_type: "Send".into(),
            properties: vec!["ID".into(), "Status".into()],
            filter: filter.map(|(property, op, values)| {
                SimpleFilterPart {
                    property: property.into(),
                    simple_operator: op,
                    value: values.iter().map(|v| (*v).into()).collect(),
                    ..Default::default()
                }
                .into()
            }),
            ..Default::default()
        },
    }
}

/// Retrieve with `token`: (OverallStatus, [(ID, Status)], raw body).
pub async fn retrieve(
    sandbox: &RunningSandbox,
    token: &str,
    request: &RetrieveRequestMsg,
) -> R<(String, Vec<(i32, String)>, String)> {
    let (status, body) = post_soap(sandbox, Some("Retrieve"), with_token(token, request)).await?;
    if status != 200 {
        return Err(format!("Retrieve answered HTTP {status}: {body}").into());
    }
    let resp = Envelope::parse(body.as_bytes())?.read_body::<RetrieveResponseMsg>()?;
    let sends = resp
        .results
        .iter()
        .filter_map(|o| match o {
            AnyApiObject::Send(s) => Some((
                s.id.unwrap_or_default(),
                s.status
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    Ok((resp.overall_status.to_string(), sends, body))
}

pub fn status_of(sandbox: &RunningSandbox, id: i64) -> Option<SendStatus> {
    sandbox.state().send(id).map(|s| s.status)
}

/// Many attempts, tiny waits: a client that rides out injected faults quickly.
pub fn patient(attempts: u32) -> sfmc_partnerapi::RetryPolicy {
    sfmc_partnerapi::RetryPolicy::new(attempts)
        .with_base_delay(std::time::Duration::from_millis(1))
        .with_max_delay(std::time::Duration::from_millis(4))
}

/// A client of `sandbox` with OAuth client credentials `id`/`secret`.
pub fn sandbox_client(
    sandbox: &RunningSandbox,
    id: &str,
    secret: &str,
) -> sfmc_partnerapi::ClientBuilder {
    sfmc_partnerapi::Client::builder()
        .endpoint(sandbox.soap_url())
        .auth_url(sandbox.base_url())
        .client_credentials(id, secret)
        .no_proxy()
}
