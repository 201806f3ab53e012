//! `sfmc sandbox`: the local sandbox as a server, until Ctrl-C or SIGTERM.

use std::io::Write as _;

use sfmc_partnerapi_sandbox::{self as sandbox, FaultInjection, Sandbox, SandboxBuilder};

use crate::args::SandboxArgs;
use crate::output::{Failure, EXIT_OK, EXIT_TRANSPORT, EXIT_USAGE};

/// The most sends the sandbox's banner lists one by one.
const BANNER_SENDS: usize = 20;

/// Serves the sandbox `args` describe, printing its URLs and accounts first.
pub async fn serve(args: &SandboxArgs) -> Result<u8, Failure> {
    let demo = args.clients.is_empty()
        && args.users.is_empty()
        && args.sends.is_empty()
        && args.send_ranges.is_empty();
    let mut b: SandboxBuilder = Sandbox::builder();
    if demo {
        b = b.demo();
    }
    for (id, secret, mid) in &args.clients {
        b = b.client(id.clone(), secret.clone(), *mid);
    }
    for (name, password, mid) in &args.users {
        b = b.user(name.clone(), password.clone(), *mid);
    }
    for (ids, status, mid) in &args.send_ranges {
        b = b.send_range(ids.clone(), *status, *mid);
    }
    for &(id, status, mid) in &args.sends {
        b = b.send(id, status, mid);
    }
    if let Some(path) = &args.state {
        b = b.state_file(path.clone());
    }
    if let Some(lifetime) = args.token_lifetime {
        b = b.token_lifetime(lifetime);
    }
    if let Some(limit) = args.max_body_bytes {
        b = b.max_body_bytes(limit);
    }
    let faults = FaultInjection {
        latency: args.latency.unwrap_or_default(),
        latency_jitter: args.latency_jitter.unwrap_or_default(),
        http_503: args.fail_503,
        rate_limited: args.fail_rate_limit,
        token_expired: args.fail_token_expired,
        drop_connection: args.fail_drop,
        seed: args.fault_seed,
        sequence: args.fault_sequence.clone(),
    };
    let active = faults.is_active();
    b = b.faults(faults).log_requests(!args.quiet);
    let running = b.start(args.listen.as_str()).await.map_err(|e| {
        let code = match e {
            sandbox::SandboxError::Bind { .. } => EXIT_TRANSPORT,
            _ => EXIT_USAGE,
        };
        Failure {
            code,
            kind: "sandbox",
            message: e.to_string(),
            hint: None,
        }
    })?;
    println!("token URL: {}", running.token_url());
    println!("SOAP endpoint: {}", running.soap_url());
    println!(
        "counters: GET {0}/_sandbox/stats; expire tokens: POST {0}/_sandbox/expire-tokens",
        running.base_url()
    );
    if demo {
        println!(
            "demo client: --client-id {} --client-secret {} (MID {})",
            sandbox::DEMO_CLIENT_ID,
            sandbox::DEMO_CLIENT_SECRET,
            sandbox::DEMO_MID
        );
        println!(
            "demo user (WS-Security): {} / {} (MID {})",
            sandbox::DEMO_USER.0,
            sandbox::DEMO_USER.1,
            sandbox::DEMO_MID
        );
        println!(
            "other account: --client-id {} --client-secret {} (MID {})",
            sandbox::OTHER_CLIENT_ID,
            sandbox::OTHER_CLIENT_SECRET,
            sandbox::OTHER_MID
        );
    } else {
        for (id, _, mid) in &args.clients {
            println!("client: {id} (MID {mid})");
        }
        for (name, _, mid) in &args.users {
            println!("user: {name} (MID {mid})");
        }
    }
    let sends = running.state().sends();
    let mut listed: Vec<String> = sends
        .iter()
        .take(BANNER_SENDS)
        .map(|s| format!("{} {} (MID {})", s.id, s.status, s.mid))
        .collect();
    if sends.len() > BANNER_SENDS {
        listed.push(format!("... ({} sends in all)", sends.len()));
    }
    println!(
        "sends: {}",
        if listed.is_empty() {
            "none".into()
        } else {
            listed.join(", ")
        }
    );
    if let Some(path) = &args.state {
        println!("state file: {}", path.display());
    }
    if active {
        println!("fault injection: on");
    }
    if demo {
        println!(
            "try: sfmc --auth-url {} --client-id {} --client-secret {} cancel-send 29605",
            running.base_url(),
            sandbox::DEMO_CLIENT_ID,
            sandbox::DEMO_CLIENT_SECRET
        );
    }
    println!("serving until Ctrl-C or SIGTERM");
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    eprintln!("sfmc sandbox: stopping");
    running.shutdown().await;
    Ok(EXIT_OK)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
