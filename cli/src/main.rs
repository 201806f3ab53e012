//! `sfmc`: the partnerAPI from the command line, and the local sandbox.
//!
//! Exit codes: 0 every ID succeeded; 1 the API answered with an error (a fault or a non-OK
//! status) for any ID; 2 usage or configuration error; 3 transport or protocol error
//! (connection, timeout, HTTP error without a SOAP fault, unreadable response).

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use sfmc_partnerapi::sends;
use sfmc_partnerapi::soap::{write_masked_envelope, FaultKind, RequestHeader, UsernameToken};
use sfmc_partnerapi::types::{
    AnyApiObject, AnyPerformResult, PerformRequestMsg, PerformResponseMsg, Send,
};
use sfmc_partnerapi::xml::{XmlElement, XmlReader, XmlValue as _, XSI_NS};
use sfmc_partnerapi::{Client, Error, ErrorKind, SendOutcome};
use sfmc_partnerapi_sandbox::{
    self as sandbox, FaultInjection, InjectedFault, RunningSandbox, Sandbox, SandboxBuilder,
};

mod wsdl;

/// mimalloc keeps freed memory for reuse (see the `mimalloc` feature).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_OK: u8 = 0;
const EXIT_API: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_TRANSPORT: u8 = 3;

/// The most sends the sandbox's banner lists one by one.
const BANNER_SENDS: usize = 20;

/// IDs per Perform request (the client's chunk size); the progress bar advances per chunk.
const CHUNK: usize = sends::MAX_DEFINITIONS_PER_CALL;

#[derive(Parser, Debug)]
#[command(
    name = "sfmc",
    version,
    about = "Salesforce Marketing Cloud SOAP partnerAPI from the command line, and a local sandbox",
    after_help = "Exit codes: 0 all succeeded; 1 the API answered with an error; 2 usage or configuration error; 3 transport or protocol error.\n\nTry it without an account: sfmc --sandbox cancel-send 29605"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
#[group(skip)]
struct Global {
    /// SOAP endpoint (https://SUBDOMAIN.soap.marketingcloudapis.com/Service.asmx); optional
    /// with OAuth, whose token answer names it.
    #[arg(long, env = "SFMC_ENDPOINT", global = true, value_name = "URL")]
    endpoint: Option<String>,
    /// Tenant subdomain: derives the auth and SOAP URLs.
    #[arg(long, env = "SFMC_SUBDOMAIN", global = true, value_name = "S")]
    subdomain: Option<String>,
    /// Token endpoint base (POST {URL}/v2/token), e.g. a local sandbox's http://127.0.0.1:PORT.
    #[arg(long, env = "SFMC_AUTH_URL", global = true, value_name = "URL")]
    auth_url: Option<String>,
    /// OAuth client ID (installed package).
    #[arg(long, env = "SFMC_CLIENT_ID", global = true, value_name = "ID")]
    client_id: Option<String>,
    /// OAuth client secret.
    #[arg(
        long,
        env = "SFMC_CLIENT_SECRET",
        global = true,
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,
    /// Account (MID) to act in.
    #[arg(long, env = "SFMC_ACCOUNT_ID", global = true, value_name = "MID")]
    account_id: Option<i64>,
    /// A ready OAuth access token instead of client credentials.
    #[arg(
        long,
        env = "SFMC_ACCESS_TOKEN",
        global = true,
        hide_env_values = true,
        value_name = "T"
    )]
    access_token: Option<String>,
    /// WS-Security user name (legacy authentication).
    #[arg(long, env = "SFMC_USERNAME", global = true, value_name = "U")]
    username: Option<String>,
    /// WS-Security password.
    #[arg(
        long,
        env = "SFMC_PASSWORD",
        global = true,
        hide_env_values = true,
        value_name = "P"
    )]
    password: Option<String>,
    /// Timeout of one request, in seconds.
    #[arg(long, env = "SFMC_TIMEOUT", global = true, value_name = "SECS")]
    timeout: Option<f64>,
    /// Retries after the first attempt.
    #[arg(long, env = "SFMC_MAX_RETRIES", global = true, value_name = "N")]
    max_retries: Option<u32>,
    /// Print JSON on stdout.
    #[arg(long, env = "SFMC_JSON", global = true, value_parser = BoolishValueParser::new())]
    json: bool,
    /// Print the request envelope (secrets masked) and send nothing.
    #[arg(long, env = "SFMC_DRY_RUN", global = true, value_parser = BoolishValueParser::new())]
    dry_run: bool,
    /// Run against an in-process sandbox with the demo sends (29605 among them).
    #[arg(long, env = "SFMC_SANDBOX", global = true, value_parser = BoolishValueParser::new())]
    sandbox: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Cancel scheduled (or paused) sends.
    CancelSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Pause scheduled sends.
    PauseSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Resume paused sends.
    ResumeSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// List sends (Retrieve of Send objects).
    Sends {
        /// Only sends with this status (Scheduled, Paused, Canceled, ...).
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Run any Perform action on objects given by type and ID.
    Perform {
        /// The action (cancel, pause, resume, start, ...).
        #[arg(long, value_name = "A")]
        action: String,
        /// The object type (xsi:type), e.g. Send.
        #[arg(long, value_name = "T")]
        object_type: String,
        /// Object IDs.
        #[arg(long = "id", required = true, value_name = "N")]
        ids: Vec<i64>,
    },
    /// Serve the local sandbox (token endpoint and Service.asmx) until Ctrl-C or SIGTERM.
    Sandbox(Box<SandboxArgs>),
    /// Print the API surface of a WSDL: operations, elements, types, fields, enumeration values.
    WsdlSurface {
        /// The WSDL (default: the one the bindings were generated from).
        wsdl: Option<PathBuf>,
    },
    /// Compare two WSDLs: added, removed and changed operations, types, fields and enumeration
    /// values, each breaking, additive or wire-only (judged by the generated Rust). Exit 0: nothing
    /// breaking; 1: something breaking; 2: bad input.
    WsdlDiff {
        /// The old WSDL.
        old: PathBuf,
        /// The new WSDL.
        new: PathBuf,
    },
}

#[derive(Args, Debug)]
struct SandboxArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    listen: String,
    /// An OAuth client (MID default 12345). Without --client/--user/--send: the demo.
    #[arg(long = "client", value_name = "ID:SECRET[:MID]", value_parser = sandbox::parse_credential_spec)]
    clients: Vec<(String, String, i64)>,
    /// A WS-Security user (MID default 12345).
    #[arg(long = "user", value_name = "NAME:PASSWORD[:MID]", value_parser = sandbox::parse_credential_spec)]
    users: Vec<(String, String, i64)>,
    /// A send (status default Scheduled, MID default 12345).
    #[arg(long = "send", value_name = "ID[:STATUS[:MID]]", value_parser = sandbox::parse_send_spec)]
    sends: Vec<(i64, sandbox::SendStatus, i64)>,
    /// Sends FIRST to LAST (inclusive, at most 1,000,000), e.g. for load tests: 1000000-1099999.
    #[arg(long = "send-range", value_name = "FIRST-LAST[:STATUS[:MID]]", value_parser = sandbox::parse_send_range_spec)]
    send_ranges: Vec<(std::ops::RangeInclusive<i64>, sandbox::SendStatus, i64)>,
    /// Keep the state in this JSON file across restarts.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Access token lifetime (e.g. 20m, 90s, 500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    token_lifetime: Option<Duration>,
    /// Latency added to every SOAP response (e.g. 200ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    latency: Option<Duration>,
    /// Random extra latency up to this much.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    latency_jitter: Option<Duration>,
    /// Share of SOAP requests answered HTTP 503 (0..1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fail_503: f64,
    /// Share answered with a rate-limit Server fault (apifault Code 17).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fail_rate_limit: f64,
    /// Share of token-authenticated requests answered `Token Expired`.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fail_token_expired: f64,
    /// Share whose connection is closed without a response (after taking effect).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fail_drop: f64,
    /// Seed for the fault draws (repeatable runs).
    #[arg(long, value_name = "N")]
    fault_seed: Option<u64>,
    /// Faults of the first requests, in order: none, 503, rate-limited, token-expired, drop.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    fault_sequence: Vec<InjectedFault>,
    /// Cap on a request body in bytes.
    #[arg(long, value_name = "BYTES")]
    max_body_bytes: Option<usize>,
    /// Do not log requests on stderr.
    #[arg(long)]
    quiet: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("{s:?}: {e} (e.g. 500ms, 90s, 20m)"))
}

/// A failure of the command as a whole, with its exit code.
struct Failure {
    code: u8,
    kind: &'static str,
    message: String,
    /// What to check, printed on its own line (the client error's [`Error::hint`]).
    hint: Option<&'static str>,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_USAGE,
            kind: "config",
            message: message.into(),
            hint: None,
        }
    }

    fn from_error(e: &Error) -> Self {
        let (code, kind) = classify(e);
        Self {
            code,
            kind,
            // The message with its causes (a transport error's details are its source).
            message: e.report().to_string(),
            hint: e.hint(),
        }
    }
}

/// The exit code and a short class name of a client error.
fn classify(e: &Error) -> (u8, &'static str) {
    match e.kind() {
        ErrorKind::Fault => (EXIT_API, "fault"),
        ErrorKind::Auth => (EXIT_API, "auth"),
        ErrorKind::Api => (EXIT_API, "api"),
        ErrorKind::Config => (EXIT_USAGE, "config"),
        ErrorKind::Connect => (EXIT_TRANSPORT, "connect"),
        ErrorKind::Timeout => (EXIT_TRANSPORT, "timeout"),
        ErrorKind::Http => (EXIT_TRANSPORT, "http"),
        ErrorKind::Protocol => (EXIT_TRANSPORT, "protocol"),
        _ => (EXIT_TRANSPORT, "other"),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0; usage errors exit 2.
        Err(e) => e.exit(),
    };
    // `sfmc sandbox` serves many connections at once: one worker thread per core. Every other
    // command makes a few requests one after the other: a current-thread runtime does that as
    // fast, without worker threads and their stacks and allocator arenas (peak RSS).
    let mut builder = match cli.command {
        Command::Sandbox(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sfmc: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_TRANSPORT);
        }
    };
    let json = cli.global.json;
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(f) => {
            if json {
                let out = serde_json::json!({
                    "ok": false,
                    "error": {
                        "kind": f.kind,
                        "exit_code": f.code,
                        "message": f.message,
                        "hint": f.hint,
                    },
                });
                println!("{out}");
            } else {
                eprintln!("sfmc: {}", f.message);
                if let Some(hint) = f.hint {
                    eprintln!("hint: {hint}");
                }
            }
            f.code
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}

/// `sfmc wsdl-surface [WSDL]`: the surface of `wsdl`, or of the WSDL the bindings came from.
fn wsdl_surface(wsdl: Option<&std::path::Path>) -> Result<u8, Failure> {
    let text = match wsdl {
        None => sfmc_partnerapi::types::API_SURFACE.to_string(),
        Some(path) => wsdl::surface_of(path)
            .map_err(|e| Failure::usage(format!("cannot read the WSDL: {e}")))?,
    };
    print!("{text}");
    Ok(EXIT_OK)
}

/// `sfmc wsdl-diff OLD NEW`: what changed for the generated Rust (breaking, additive or wire-only);
/// exit 1 when anything breaks.
fn wsdl_diff(g: &Global, old: &std::path::Path, new: &std::path::Path) -> Result<u8, Failure> {
    let diff = wsdl::diff(old, new)
        .map_err(|e| Failure::usage(format!("cannot compare the WSDLs: {e}")))?;
    if g.json {
        match serde_json::to_string_pretty(&diff) {
            Ok(text) => println!("{text}"),
            Err(e) => return Err(Failure::usage(format!("cannot write JSON: {e}"))),
        }
    } else {
        print!("{}", diff.report());
    }
    Ok(if diff.is_breaking() {
        EXIT_API
    } else {
        EXIT_OK
    })
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    let g = &cli.global;
    match &cli.command {
        Command::Sandbox(args) => return serve_sandbox(args).await,
        Command::WsdlSurface { wsdl } => return wsdl_surface(wsdl.as_deref()),
        Command::WsdlDiff { old, new } => return wsdl_diff(g, old, new),
        _ => {}
    }
    // `--sandbox`: an in-process demo sandbox on loopback, used over real HTTP.
    let demo = if g.sandbox {
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
        Some(running)
    } else {
        None
    };
    let client = build_client(g, demo.as_ref())?;
    let code = match &cli.command {
        Command::CancelSend { ids } => send_action(g, &client, Action::Cancel, ids).await,
        Command::PauseSend { ids } => send_action(g, &client, Action::Pause, ids).await,
        Command::ResumeSend { ids } => send_action(g, &client, Action::Resume, ids).await,
        Command::Sends { status } => list_sends(g, &client, status.as_deref()).await,
        Command::Perform {
            action,
            object_type,
            ids,
        } => perform(g, &client, action, object_type, ids).await,
        Command::Sandbox(_) | Command::WsdlSurface { .. } | Command::WsdlDiff { .. } => Ok(EXIT_OK),
    };
    if let Some(running) = demo {
        running.shutdown().await;
    }
    code
}

fn build_client(g: &Global, demo: Option<&RunningSandbox>) -> Result<Client, Failure> {
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
                if let Some(origin) = local_origin(endpoint) {
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
        if g.endpoint.as_deref().is_some_and(is_loopback_url)
            || g.auth_url.as_deref().is_some_and(is_loopback_url)
        {
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
    b = b.user_agent(concat!("sfmc/", env!("CARGO_PKG_VERSION")));
    b.build().map_err(|e| Failure::from_error(&e))
}

/// `http://host:port` of a URL whose host is a loopback address.
fn local_origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if !is_loopback_url(url) {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

fn is_loopback_url(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[derive(Clone, Copy, Debug)]
enum Action {
    Cancel,
    Pause,
    Resume,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Cancel => "cancel",
            Action::Pause => "pause",
            Action::Resume => "resume",
        }
    }

    fn past(self) -> &'static str {
        match self {
            Action::Cancel => "canceled",
            Action::Pause => "paused",
            Action::Resume => "resumed",
        }
    }
}

/// One ID's line of output, with the exit code it implies.
struct Line {
    outcome: SendOutcome,
    code: u8,
}

async fn send_action(
    g: &Global,
    client: &Client,
    action: Action,
    ids: &[i64],
) -> Result<u8, Failure> {
    if g.dry_run {
        print!("{}", ensure_newline(client.dry_run(action.name(), ids)));
        return Ok(EXIT_OK);
    }
    let bar = progress_bar(ids.len(), action);
    let mut lines: Vec<Line> = Vec::with_capacity(ids.len());
    let mut stop: Option<(u8, String)> = None;
    for chunk in ids.chunks(CHUNK) {
        if let Some((code, why)) = &stop {
            lines.extend(chunk.iter().map(|&id| Line {
                outcome: SendOutcome {
                    id,
                    ok: false,
                    status_code: sends::STATUS_NOT_ATTEMPTED.into(),
                    error_code: None,
                    message: format!("not attempted after an earlier error: {why}"),
                },
                code: *code,
            }));
            continue;
        }
        let result = match action {
            Action::Cancel => client.cancel_sends(chunk).await,
            Action::Pause => client.pause_sends(chunk).await,
            Action::Resume => client.resume_sends(chunk).await,
        };
        match result {
            Ok(outcomes) => lines.extend(outcomes.into_iter().map(|o| {
                let code = if o.ok { EXIT_OK } else { EXIT_API };
                Line { outcome: o, code }
            })),
            Err(e) => {
                let (code, _) = classify(&e);
                let message = e.report().to_string();
                // Refused: nothing was done (the request was refused, or never sent);
                // Unknown: the sends may or may not have been acted on.
                let refused = match e.fault() {
                    Some(f) => matches!(f.kind(), FaultKind::Client | FaultKind::Security),
                    None => matches!(e.kind(), ErrorKind::Auth | ErrorKind::Config),
                };
                let status = if refused {
                    sends::STATUS_REFUSED
                } else {
                    sends::STATUS_UNKNOWN
                };
                lines.extend(chunk.iter().map(|&id| Line {
                    outcome: SendOutcome {
                        id,
                        ok: false,
                        status_code: status.into(),
                        error_code: e.fault().and_then(|f| f.api_code()),
                        message: message.clone(),
                    },
                    code,
                }));
                // Errors that would fail every chunk alike end the batch.
                if matches!(
                    e.kind(),
                    ErrorKind::Auth | ErrorKind::Config | ErrorKind::Connect
                ) {
                    stop = Some((code, message));
                }
            }
        }
        if let Some(bar) = &bar {
            bar.inc(chunk.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let code = lines.iter().map(|l| l.code).max().unwrap_or(EXIT_OK);
    if g.json {
        let out = serde_json::json!({
            "action": action.name(),
            "ok": code == EXIT_OK,
            "exit_code": code,
            "results": lines.iter().map(|l| &l.outcome).collect::<Vec<_>>(),
        });
        println!("{out}");
    } else {
        let mut out = std::io::stdout().lock();
        for l in &lines {
            let o = &l.outcome;
            let _ = if o.ok {
                writeln!(out, "send {}: {}", o.id, action.past())
            } else {
                let code = o
                    .error_code
                    .map(|c| format!(", ErrorCode {c}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "send {}: not {} ({}{code}): {}",
                    o.id,
                    action.past(),
                    o.status_code,
                    one_line(&o.message)
                )
            };
        }
    }
    Ok(code)
}

fn progress_bar(n: usize, action: Action) -> Option<indicatif::ProgressBar> {
    if n <= CHUNK || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("{} sends", action.name()));
    Some(bar)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ensure_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

async fn list_sends(g: &Global, client: &Client, status: Option<&str>) -> Result<u8, Failure> {
    if g.dry_run {
        let request = sends::retrieve_sends_request(status);
        print!("{}", ensure_newline(masked_envelope(g, &request)));
        return Ok(EXIT_OK);
    }
    let sends = client
        .retrieve_sends(status)
        .await
        .map_err(|e| Failure::from_error(&e))?;
    let shown = if g.json {
        let out: Vec<serde_json::Value> = sends.iter().map(send_json).collect();
        serde_json::Value::Array(out).to_string()
    } else if sends.is_empty() {
        "no sends".to_string()
    } else {
        sends
            .iter()
            .map(|s| {
                format!(
                    "{:>10}  {:<10}  {:<20}  {}",
                    s.id.map(|i| i.to_string()).unwrap_or_else(|| "?".into()),
                    s.status.as_deref().unwrap_or("?"),
                    s.send_date.as_deref().unwrap_or(""),
                    s.email_name.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // What the service answered may repeat a credential: masked before it is shown.
    println!("{}", client.mask_secrets(&shown).await);
    Ok(EXIT_OK)
}

fn send_json(s: &Send) -> serde_json::Value {
    serde_json::json!({
        "id": s.id,
        "status": s.status,
        "send_date": s.send_date,
        "email_name": s.email_name,
        "subject": s.subject,
        "created_date": s.created_date,
        "modified_date": s.modified_date,
    })
}

/// Builds an object of `xsi:type` `object_type` with `ID` `id` through the generated reader,
/// so every type of the bindings works (an unknown one stays `Untyped`, its type kept).
fn definition(object_type: &str, id: i64) -> Result<AnyApiObject, Failure> {
    let valid = object_type
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && object_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Failure::usage(format!(
            "--object-type {object_type:?} is not a type name"
        )));
    }
    let xml = format!(
        "<Definition xmlns=\"{}\" xmlns:xsi=\"{XSI_NS}\" xsi:type=\"{object_type}\"><ID>{id}</ID></Definition>",
        sfmc_partnerapi::types::TARGET_NAMESPACE
    );
    let mut r = XmlReader::new(xml.as_bytes());
    let parsed = match r.next_child() {
        Ok(Some(start)) => AnyApiObject::read_element(&mut r, &start).map_err(|e| e.to_string()),
        Ok(None) => Err("empty".to_string()),
        Err(e) => Err(e.to_string()),
    };
    parsed.map_err(|e| Failure::usage(format!("--id {id} for {object_type}: {e}")))
}

async fn perform(
    g: &Global,
    client: &Client,
    action: &str,
    object_type: &str,
    ids: &[i64],
) -> Result<u8, Failure> {
    let definitions = ids
        .iter()
        .map(|&id| definition(object_type, id))
        .collect::<Result<Vec<_>, _>>()?;
    if g.dry_run {
        if object_type == "Send" {
            print!("{}", ensure_newline(client.dry_run(action, ids)));
        } else {
            let request = PerformRequestMsg {
                options: Some(sfmc_partnerapi::types::PerformOptions::default().into()),
                action: Some(action.into()),
                definitions,
            };
            print!("{}", ensure_newline(masked_envelope(g, &request)));
        }
        return Ok(EXIT_OK);
    }
    let response = match client.perform(action, definitions, None).await {
        Ok(r) => r,
        Err(e) => {
            let Some(api) = e.api_error() else {
                return Err(Failure::from_error(&e));
            };
            // The service answered, with a non-OK status: show its results.
            if g.json {
                let out = serde_json::json!({ "ok": false, "exit_code": EXIT_API, "error": api });
                println!("{out}");
            } else {
                let mut out = std::io::stdout().lock();
                for r in &api.results {
                    let code = r
                        .error_code
                        .map(|c| format!(", ErrorCode {c}"))
                        .unwrap_or_default();
                    let id = r.id.map(|i| i.to_string()).unwrap_or_else(|| "?".into());
                    let _ = writeln!(
                        out,
                        "ID {id}: {}{code}: {}",
                        r.status_code,
                        one_line(&r.status_message)
                    );
                }
                let message = api
                    .message
                    .as_deref()
                    .filter(|m| !m.trim().is_empty())
                    .map(|m| format!(" ({})", one_line(m)))
                    .unwrap_or_default();
                let _ = writeln!(out, "OverallStatus: {}{message}", api.overall_status);
            }
            return Ok(EXIT_API);
        }
    };
    let ok = response.overall_status.trim().eq_ignore_ascii_case("OK");
    let code = if ok { EXIT_OK } else { EXIT_API };
    // What the service answered may repeat a credential: masked before it is shown.
    let shown = if g.json {
        serde_json::json!({ "ok": ok, "exit_code": code, "response": response }).to_string()
    } else {
        perform_lines(&response)
    };
    println!("{}", client.mask_secrets(&shown).await);
    Ok(code)
}

fn perform_lines(response: &PerformResponseMsg) -> String {
    let mut out = Vec::new();
    for r in &response.results {
        let line = match r {
            AnyPerformResult::PerformResult(r) => {
                let code = r
                    .error_code
                    .map(|c| format!(", ErrorCode {c}"))
                    .unwrap_or_default();
                format!(
                    "ID {}: {}{code}: {}",
                    object_id(&r.object).unwrap_or_else(|| "?".into()),
                    r.status_code,
                    one_line(&r.status_message)
                )
            }
            other => format!(
                "result: {}",
                serde_json::to_value(other).unwrap_or_default()
            ),
        };
        let _ = writeln!(out, "{line}");
    }
    let _ = write!(out, "OverallStatus: {}", response.overall_status);
    String::from_utf8_lossy(&out).into_owned()
}

/// The `ID` of any object (every variant serializes as `{"Variant": {..., "id": N}}`, an
/// untyped one as `{"Untyped": {"base": {"id": N}}}`).
fn object_id(object: &AnyApiObject) -> Option<String> {
    let value = serde_json::to_value(object).ok()?;
    let fields = value.as_object()?.values().next()?;
    let id = fields
        .get("id")
        .or_else(|| fields.get("base").and_then(|b| b.get("id")))?;
    id.as_i64().map(|i| i.to_string())
}

/// The envelope of a request the client has no dry run for, with the header it would carry
/// masked.
fn masked_envelope(g: &Global, request: &impl XmlElement) -> String {
    let placeholder = secrecy::SecretString::from(String::from("***"));
    let token;
    let header = match (&g.username, &g.password) {
        (Some(u), Some(_)) => {
            token = UsernameToken::new(u.clone(), placeholder.clone());
            RequestHeader::UsernameToken(&token)
        }
        _ => RequestHeader::FuelOAuth(&placeholder),
    };
    write_masked_envelope(&header, request)
}

async fn serve_sandbox(args: &SandboxArgs) -> Result<u8, Failure> {
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
