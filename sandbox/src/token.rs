//! `POST /v2/token`: OAuth2 client credentials, like the service's auth endpoint.

use serde::Deserialize;
use serde_json::{json, Value};

use super::state::Shared;

/// The fields the endpoint reads (JSON or form-encoded). No Debug: it holds the secret.
#[derive(Deserialize, Default)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    account_id: Option<Value>,
    scope: Option<String>,
}

/// The default scope reported when the request names none.
const DEFAULT_SCOPE: &str = "email_read email_write email_send";

fn error(status: u16, code: &str, description: &str) -> (u16, Value) {
    (
        status,
        json!({
            "error": code,
            "error_description": description,
            "error_uri": "https://developer.salesforce.com/docs",
        }),
    )
}

fn parse(content_type: Option<&str>, body: &[u8]) -> Result<TokenRequest, String> {
    let form = content_type.is_some_and(|c| {
        c.trim()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    if form {
        let mut req = TokenRequest::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            let v = Some(v.into_owned());
            match k.as_ref() {
                "grant_type" => req.grant_type = v,
                "client_id" => req.client_id = v,
                "client_secret" => req.client_secret = v,
                "account_id" => req.account_id = v.map(Value::String),
                "scope" => req.scope = v,
                _ => {}
            }
        }
        return Ok(req);
    }
    serde_json::from_slice::<TokenRequest>(body).map_err(|e| {
        // Only the position: serde's message could quote a value from the body.
        format!(
            "The request body is not a JSON object of client credentials (line {}, column {})",
            e.line(),
            e.column()
        )
    })
}

fn account_id(value: Option<&Value>) -> Result<Option<i64>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// Answers a token request: the HTTP status and the JSON body.
pub(crate) fn handle(shared: &Shared, content_type: Option<&str>, body: &[u8]) -> (u16, Value) {
    shared.count_token_request();
    let req = match parse(content_type, body) {
        Ok(r) => r,
        Err(message) => return error(400, "invalid_request", &message),
    };
    match req.grant_type.as_deref().map(str::trim) {
        Some("client_credentials") => {}
        None | Some("") => {
            return error(
                400,
                "invalid_request",
                "Missing grant_type: use \"client_credentials\".",
            )
        }
        Some(_) => {
            return error(
                400,
                "unsupported_grant_type",
                "Use \"client_credentials\" as the value of the grant_type parameter.",
            )
        }
    }
    let (Some(id), Some(secret)) = (req.client_id.as_deref(), req.client_secret.as_deref()) else {
        return error(
            400,
            "invalid_request",
            "Both client_id and client_secret are required.",
        );
    };
    let Ok(account) = account_id(req.account_id.as_ref()) else {
        return error(
            400,
            "invalid_request",
            "account_id must be the MID of an account, a number.",
        );
    };
    let mid = match shared.check_client(id.trim(), secret, account) {
        Ok(mid) => mid,
        Err(false) => {
            return error(
                401,
                "invalid_client",
                "Invalid client ID or client secret. Use the client ID and secret of an installed package.",
            )
        }
        Err(true) => {
            return error(
                401,
                "invalid_grant",
                "The client does not have access to the requested account_id (MID).",
            )
        }
    };
    let token = shared.issue_token(mid);
    let base = format!("http://{}/", shared.addr);
    let expires_in = shared.token_lifetime.as_secs().max(1);
    let scope = req
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_SCOPE);
    (
        200,
        json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": scope,
            "soap_instance_url": base,
            "rest_instance_url": format!("{base}rest/"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids() {
        assert_eq!(account_id(None), Ok(None));
        assert_eq!(account_id(Some(&json!(5))), Ok(Some(5)));
        assert_eq!(account_id(Some(&json!("7"))), Ok(Some(7)));
        assert_eq!(account_id(Some(&json!(""))), Ok(None));
        assert!(account_id(Some(&json!("x"))).is_err());
        assert!(account_id(Some(&json!([1]))).is_err());
    }

    #[test]
    fn bad_json_does_not_echo_the_body() {
        let Err(msg) = parse(None, br#"{"client_secret": hunter2}"#) else {
            panic!("expected an error");
        };
        assert!(!msg.contains("hunter2"));
        let form = parse(
            Some("application/x-www-form-urlencoded"),
            b"grant_type=client_credentials&client_id=a&client_secret=b%26c",
        );
        assert!(form.is_ok_and(|f| f.client_secret.as_deref() == Some("b&c")));
    }
}
