//! Cancels one scheduled send, from start to finish.
//!
//! ```text
//! cargo run --example cancel_send -- SEND_ID [--dry-run]
//! ```
//!
//! Configuration comes from environment variables (so no secret lands in the shell history or
//! the process list):
//!
//! - `SFMC_ENDPOINT`: the SOAP endpoint (`https://SUBDOMAIN.soap.marketingcloudapis.com/Service.asmx`;
//!   `http://` only to a loopback host). Optional when `SFMC_SUBDOMAIN` is set.
//! - `SFMC_SUBDOMAIN`: the tenant subdomain (derives the token and SOAP URLs).
//! - Credentials, one of:
//!   - `SFMC_CLIENT_ID` + `SFMC_CLIENT_SECRET` (+ `SFMC_ACCOUNT_ID`, the MID; `SFMC_AUTH_URL` to
//!     override the token endpoint's base URL): OAuth2 client credentials;
//!   - `SFMC_ACCESS_TOKEN`: a static OAuth access token;
//!   - `SFMC_USERNAME` + `SFMC_PASSWORD`: WS-Security UsernameToken (legacy).
//!
//! With `--dry-run` it prints the request it would send (secrets masked) and sends nothing.
//!
//! Exit status: 0 canceled; 1 the service refused (per-result error or SOAP fault); 2 usage or
//! configuration error; 3 transport, HTTP or protocol error.

use std::process::ExitCode;

use sfmc_partnerapi::{Client, Error, ErrorKind};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn build_client() -> Result<Client, Error> {
    let mut builder = Client::builder();
    if let Some(endpoint) = env("SFMC_ENDPOINT") {
        builder = builder.endpoint(endpoint);
    }
    if let Some(subdomain) = env("SFMC_SUBDOMAIN") {
        builder = builder.subdomain(subdomain);
    }
    if let Some(auth_url) = env("SFMC_AUTH_URL") {
        builder = builder.auth_url(auth_url);
    }
    if let (Some(id), Some(secret)) = (env("SFMC_CLIENT_ID"), env("SFMC_CLIENT_SECRET")) {
        builder = builder.client_credentials(id, secret);
        if let Some(mid) = env("SFMC_ACCOUNT_ID") {
            let mid = mid
                .trim()
                .parse::<i64>()
                .map_err(|_| Error::config(format!("SFMC_ACCOUNT_ID {mid:?} is not a number")))?;
            builder = builder.account_id(mid);
        }
    } else if let Some(token) = env("SFMC_ACCESS_TOKEN") {
        builder = builder.access_token(token);
    } else if let (Some(user), Some(password)) = (env("SFMC_USERNAME"), env("SFMC_PASSWORD")) {
        builder = builder.username_token(user, password);
    } else {
        return Err(Error::config(
            "no credentials: set SFMC_CLIENT_ID and SFMC_CLIENT_SECRET, or SFMC_ACCESS_TOKEN, \
             or SFMC_USERNAME and SFMC_PASSWORD",
        ));
    }
    builder.build()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let ids: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let id = match ids.as_slice() {
        [id] => match id.parse::<i64>() {
            Ok(id) => id,
            Err(_) => {
                eprintln!("the send ID {id:?} is not a number");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: cancel_send SEND_ID [--dry-run] (configuration from SFMC_* variables, see the source)");
            return ExitCode::from(2);
        }
    };
    let client = match build_client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if dry_run {
        println!(
            "{}",
            client.dry_run(sfmc_partnerapi::SendAction::Cancel, &[id])
        );
        return ExitCode::SUCCESS;
    }
    match client.cancel_send(id).await {
        Ok(outcome) if outcome.ok => {
            println!("send {id} canceled: {}", outcome.message);
            ExitCode::SUCCESS
        }
        Ok(outcome) => {
            let code = outcome
                .error_code
                .map(|c| format!(" [ErrorCode {c}]"))
                .unwrap_or_default();
            eprintln!(
                "send {id} not canceled: {} {}{code}",
                outcome.status_code, outcome.message
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{}", e.report());
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            match e.kind() {
                ErrorKind::Fault | ErrorKind::Auth | ErrorKind::Api => ExitCode::from(1),
                ErrorKind::Config => ExitCode::from(2),
                _ => ExitCode::from(3),
            }
        }
    }
}
