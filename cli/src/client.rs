//! The [`Client`] the global options describe, or one for the in-process demo sandbox.

use std::time::Duration;

use sfmc_partnerapi::{loopback_origin, Client};
use sfmc_partnerapi_sandbox::{self as sandbox, RunningSandbox, Sandbox};

use crate::args::Global;
use crate::output::{Failure, EXIT_TRANSPORT};

/// `--sandbox`: an in-process demo sandbox on loopback, used over real HTTP.
pub async fn start_demo(g: &Global) -> Result<Option<RunningSandbox>, Failure> {
    if !g.sandbox {
        return Ok(None);
    }
    let running = Sandbox::builder()
        .demo()
        .start("127.0.0.1:0")
        .await
        .map_err(|e| Failure {
            code: EXIT_TRANSPORT,
            kind: "sandbox",
            message: format!("cannot start the in-process sandbox: {e}"),
            hint: None,
        })?;
    if !g.json {
        eprintln!(
            "(using an in-process sandbox at {} with the demo sends)",
            running.base_url()
        );
    }
    Ok(Some(running))
}

/// The client for `g`'s endpoint and credentials (those of `demo` when given).
pub fn build(g: &Global, demo: Option<&RunningSandbox>) -> Result<Client, Failure> {
    let mut b = Client::builder();
    if let Some(sb) = demo {
        // The demo sandbox replaces any endpoint and credentials given.
        b = b
            .endpoint(sb.soap_url())
            .auth_url(sb.base_url())
            .client_credentials(sandbox::DEMO_CLIENT_ID, sandbox::DEMO_CLIENT_SECRET)
            .no_proxy();
    } else {
        let oauth = g.client_id.is_some() || g.client_secret.is_some();
        let user = g.username.is_some() || g.password.is_some();
        let methods = [oauth, g.access_token.is_some(), user]
            .iter()
            .filter(|m| **m)
            .count();
        if methods == 0 && !g.dry_run {
            return Err(Failure::usage(
                "no credentials: give --client-id and --client-secret, --access-token, or --username and --password (or their SFMC_* variables)",
            ));
        }
        if methods > 1 {
            return Err(Failure::usage(
                "give one way to authenticate: --client-id/--client-secret, --access-token, or --username/--password",
            ));
        }
        if let Some(endpoint) = &g.endpoint {
            b = b.endpoint(endpoint.clone());
        }
        if let Some(subdomain) = &g.subdomain {
            b = b.subdomain(subdomain.clone());
        }
        match (&g.auth_url, &g.endpoint, &g.subdomain) {
            (Some(auth), _, _) => b = b.auth_url(auth.clone()),
            // A local endpoint (such as `sfmc sandbox`) serves its own token endpoint.
            (None, Some(endpoint), None) if oauth => {
                if let Some(origin) = loopback_origin(endpoint) {
                    b = b.auth_url(origin);
                }
            }
            _ => {}
        }
        if oauth {
            match (&g.client_id, &g.client_secret) {
                (Some(id), Some(secret)) => b = b.client_credentials(id.clone(), secret.clone()),
                (None, _) => return Err(Failure::usage("--client-secret needs --client-id")),
                (_, None) => return Err(Failure::usage("--client-id needs --client-secret")),
            }
        }
        if let Some(token) = &g.access_token {
            b = b.access_token(token.clone());
        }
        if user {
            match (&g.username, &g.password) {
                (Some(u), Some(p)) => b = b.username_token(u.clone(), p.clone()),
                (None, _) => return Err(Failure::usage("--password needs --username")),
                (_, None) => return Err(Failure::usage("--username needs --password")),
            }
        }
        if let Some(mid) = g.account_id {
            b = b.account_id(mid);
        }
        // A proxy from the environment must not see loopback traffic.
        let local = |url: &Option<String>| url.as_deref().and_then(loopback_origin).is_some();
        if local(&g.endpoint) || local(&g.auth_url) {
            b = b.no_proxy();
        }
    }
    if let Some(secs) = g.timeout {
        if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
            return Err(Failure::usage(format!(
                "--timeout {secs}: give a number of seconds between 0 and 86400"
            )));
        }
        b = b.request_timeout(Duration::from_secs_f64(secs));
    }
    if let Some(n) = g.max_retries {
        b = b.max_retries(n);
    }
    // The library checks the range (a configuration error, exit 2).
    b = b.bulk_concurrency(g.concurrency);
    let client_credentials = demo.is_some() || (g.client_id.is_some() && g.client_secret.is_some());
    if client_credentials {
        if let Some(url) = &g.token_store {
            // Redis, shared by hosts, takes precedence over the file cache.
            b = crate::token::shared(b, url)?;
        } else if let Some(store) = crate::token::cache(g)? {
            b = b.token_store(store);
        }
    }
    b = b.user_agent(concat!("sfmc/", env!("CARGO_PKG_VERSION")));
    b.build().map_err(|e| Failure::from_error(&e))
}
