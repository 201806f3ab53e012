//! Secrets and trust: the client secret, the password and the access tokens (given and issued)
//! never show in `Debug`, `Display`, errors, `tracing` output at any level, `--dry-run` output or
//! the CLI's output (plain, `--json`, with `RUST_LOG=trace`), even when a server echoes them;
//! plain `http://` to a host that is not loopback is refused before any byte is sent; TLS
//! certificates are verified.
//!
//! (tests/client_redaction.rs covers the builder's and client's Debug and the token endpoint's
//! and a gateway's echoes; this adds echoes in faults, results and unreadable values, the
//! sandbox, and the CLI.)
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::io::Write as _;
use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cli_support::{sfmc_run_env, Run};
use sandbox_support::R;
use sfmc_partnerapi::{Client, ErrorKind, RetryPolicy};
use sfmc_partnerapi_sandbox::{Sandbox, SendStatus};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENT_SECRET: &str = "cli3nt-s3cr3t-7Hq9";
const PASSWORD: &str = "passw0rd-s3cr3t-Zk2";
const ACCESS_TOKEN: &str = "acc3ss-t0ken-s3cr3t-Lm4";
/// What the echo server's token endpoint issues.
const ISSUED_TOKEN: &str = "issu3d-t0ken-s3cr3t-Wp8";
const SECRETS: &[&str] = &[CLIENT_SECRET, PASSWORD, ACCESS_TOKEN, ISSUED_TOKEN];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        // The whole secret, and its first 10 characters (a cut one).
        assert!(!text.contains(&s[..10]), "{what} shows secret {s}:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// An echo server: a token endpoint that issues ISSUED_TOKEN (or refuses, quoting the request),
// and SOAP endpoints that quote the whole request (with its credentials) back.

async fn echo_server() -> R<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let soap_base = base.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let soap_base = soap_base.clone();
            tokio::spawn(async move {
                let Ok(Some((path, body))) = read_request(&mut stream).await else {
                    return;
                };
                let (status, ctype, answer) = echo_answer(&path, &body, &soap_base);
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Ok((base, task))
}

async fn read_request(
    stream: &mut tokio::net::TcpStream,
) -> std::io::Result<Option<(String, String)>> {
    let mut buf = Vec::new();
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())
                        .flatten()
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let mut chunk = [0u8; 8192];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned();
            return Ok(Some((path, body)));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn envelope(body: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// The secret-looking words of a request, space separated (what an echo repeats).
fn words(body: &str) -> String {
    SECRETS
        .iter()
        .filter(|s| body.contains(*s))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn echo_answer(path: &str, body: &str, base: &str) -> (u16, &'static str, String) {
    let quoted = words(body);
    match path.split('/').nth(1).unwrap_or_default() {
        "v2" if body.contains("refuse-me") => (
            401,
            "application/json",
            serde_json::json!({"error": "invalid_client", "error_description": format!("bad credentials: {body}")}).to_string(),
        ),
        "v2" => (
            200,
            "application/json",
            serde_json::json!({"access_token": ISSUED_TOKEN, "expires_in": 1080, "soap_instance_url": format!("{base}/fault/")}).to_string(),
        ),
        "fault" => (
            500,
            "text/xml",
            envelope(&format!(
                "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>refused: {} in {}</faultstring>\
                 <faultactor>{quoted}</faultactor><detail><apifault xmlns=\"urn:fault.partner.exacttarget.com\"><Code>1</Code>\
                 <Message>{quoted}</Message></apifault></detail></soap:Fault>",
                quoted,
                esc(body)
            )),
        ),
        "html" => (502, "text/html", format!("<html><body>upstream said: {}</body></html>", esc(body))),
        "value" => (
            200,
            "text/xml",
            envelope(&format!(
                "<PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><Result>\
                 <StatusCode>OK</StatusCode><Object xsi:type=\"Send\"><ID>{quoted}</ID></Object></Result></Results>\
                 <OverallStatus>OK</OverallStatus></PerformResponseMsg>"
            )),
        ),
        "api" => (
            200,
            "text/xml",
            envelope(&format!(
                "<PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><Result>\
                 <StatusCode>Error {quoted}</StatusCode><StatusMessage>no: {quoted}</StatusMessage><Object xsi:type=\"Send\"><ID>1</ID></Object></Result></Results>\
                 <OverallStatus>Error: {quoted}</OverallStatus><OverallStatusMessage>{quoted}</OverallStatusMessage></PerformResponseMsg>"
            )),
        ),
        _ => (
            200,
            "text/xml",
            envelope(&format!(
                "<PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><Result>\
                 <StatusCode>OK</StatusCode><StatusMessage>canceled for {quoted}</StatusMessage><Object xsi:type=\"Send\"><ID>1</ID></Object></Result></Results>\
                 <OverallStatus>OK</OverallStatus></PerformResponseMsg>"
            )),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The library.

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_library_never_shows_a_secret() -> R {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (base, task) = echo_server().await?;
    let fast = RetryPolicy::new(2).with_base_delay(Duration::from_millis(1));
    let mut shown = Vec::new();
    for path in ["fault", "html", "value", "api", "ok"] {
        let endpoint = format!("{base}/{path}/Service.asmx");
        let clients = [
            Client::builder()
                .endpoint(&endpoint)
                .access_token(ACCESS_TOKEN),
            Client::builder()
                .endpoint(&endpoint)
                .username_token("user", PASSWORD),
            Client::builder()
                .endpoint(&endpoint)
                .auth_url(&base)
                .client_credentials("id", CLIENT_SECRET),
        ];
        for builder in clients {
            let builder = builder.no_proxy().retry_policy(fast.clone());
            shown.push(format!("{builder:?}"));
            let client = builder.build()?;
            shown.push(format!("{client:?}"));
            shown.push(client.dry_run(sfmc_partnerapi::SendAction::Cancel, &[1, 2]));
            match client.cancel_send(1).await {
                Ok(o) => shown.push(format!("{o:?} {}", o.message)),
                Err(e) => shown.push(format!("{e:?} {e}")),
            }
            let definitions = vec![sfmc_partnerapi::types::Send {
                id: Some(1),
                ..Default::default()
            }
            .into()];
            match client.perform("cancel", definitions, None).await {
                Ok(r) if path == "ok" => shown.push(format!("{:?}", r.overall_status)),
                Ok(r) => shown.push(format!("{r:?}")),
                Err(e) => shown.push(format!("{e:?} {e}")),
            }
        }
    }
    // The token endpoint refusing, quoting the request (and its secret).
    let e = Client::builder()
        .auth_url(&base)
        .endpoint(format!("{base}/ok/Service.asmx"))
        .client_credentials("refuse-me", CLIENT_SECRET)
        .no_proxy()
        .build()?
        .cancel_send(1)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(e.kind(), ErrorKind::Auth);
    shown.push(format!("{e:?} {e}"));
    // The sandbox: its builder and handler, and a call through it.
    let sb = Sandbox::builder()
        .client("id", CLIENT_SECRET, 1)
        .user("user", PASSWORD, 1)
        .send(1, SendStatus::Scheduled, 1);
    shown.push(format!("{sb:?}"));
    let sb = sb.start("127.0.0.1:0").await?;
    shown.push(format!("{sb:?}"));
    let client = Client::builder()
        .endpoint(sb.soap_url())
        .auth_url(sb.base_url())
        .client_credentials("id", CLIENT_SECRET)
        .no_proxy()
        .build()?;
    let outcome = client.cancel_send(1).await?;
    assert!(outcome.ok);
    sb.state().expire_tokens();
    shown.push(format!("{:?}", client.cancel_send(1).await));
    sb.shutdown().await;
    task.abort();

    let text = shown.join("\n");
    assert!(text.contains("refused:"), "the echo was read: {text}");
    assert!(text.contains("***"), "secrets are masked where echoed");
    assert_clean("Debug, Display, errors and outcomes", &text);
    let logs = String::from_utf8_lossy(&captured.0.lock().map(|b| b.clone()).unwrap_or_default())
        .into_owned();
    assert!(
        logs.contains("TRACE") && logs.contains("DEBUG") && logs.contains("WARN"),
        "{logs}"
    );
    assert_clean("tracing output", &logs);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The CLI.

fn clean_run(what: &str, run: &Run) {
    assert!(
        !run.stderr.contains("panicked"),
        "{what}: {}",
        run.describe()
    );
    assert_clean(what, &format!("{}{}", run.stdout, run.stderr));
}

/// One `sfmc` run: arguments, environment, whether it is a dry run.
type Planned = (Vec<String>, Vec<(String, String)>, bool);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_never_shows_a_secret() -> R {
    let (base, task) = echo_server().await?;
    let sb = Sandbox::builder()
        .client("cli-client", CLIENT_SECRET, 7)
        .user("cli-user", PASSWORD, 7)
        .send(1, SendStatus::Scheduled, 7)
        .send(2, SendStatus::Paused, 7)
        .start("127.0.0.1:0")
        .await?;
    let creds: Vec<Vec<String>> = vec![
        args![
            "--client-id",
            "cli-client",
            "--client-secret",
            CLIENT_SECRET
        ],
        args!["--username", "cli-user", "--password", PASSWORD],
        args!["--access-token", ACCESS_TOKEN],
    ];
    let mut targets: Vec<Vec<String>> = vec![
        // The sandbox (the access token is unknown to it: a Security fault).
        args!["--endpoint", sb.soap_url(), "--auth-url", sb.base_url()],
    ];
    for path in ["fault", "html", "value", "api", "ok"] {
        targets.push(args![
            "--endpoint",
            format!("{base}/{path}/Service.asmx"),
            "--auth-url",
            base
        ]);
    }
    let cancel = args!["cancel-send", 1, 2];
    let others: Vec<Vec<String>> = vec![
        args![
            "perform",
            "--action",
            "cancel",
            "--object-type",
            "Send",
            "--id",
            1
        ],
        args!["sends", "--status", "Scheduled"],
    ];
    let trace = vec![("RUST_LOG".to_string(), "trace".to_string())];
    let mut planned: Vec<Planned> = Vec::new();
    for (t, target) in targets.iter().enumerate() {
        for cred in &creds {
            let base_args = [target.clone(), cred.clone(), args!["--max-retries", 0]].concat();
            for (extra, env) in [
                (args![], vec![]),
                (args!["--json"], vec![]),
                (args![], trace.clone()),
            ] {
                planned.push((
                    [base_args.clone(), extra, cancel.clone()].concat(),
                    env,
                    false,
                ));
            }
            // The other commands against the sandbox, the fault echo and the OK echo.
            if t <= 1 || t + 1 == targets.len() {
                for command in &others {
                    for extra in [args![], args!["--json"]] {
                        planned.push((
                            [base_args.clone(), extra, command.clone()].concat(),
                            trace.clone(),
                            false,
                        ));
                    }
                }
            }
            // Dry runs: masked, nothing sent.
            if t == 0 {
                for command in others.iter().chain([&cancel]) {
                    for extra in [args!["--dry-run"], args!["--dry-run", "--json"]] {
                        planned.push((
                            [base_args.clone(), extra, command.clone()].concat(),
                            vec![],
                            true,
                        ));
                    }
                }
            }
        }
    }
    let before = sb.state().stats().soap_requests;
    let mut masked = 0;
    let dry_runs = planned.iter().filter(|p| p.2).count();
    for batch in planned.chunks(4) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|(a, env, dry)| {
                let (a, env, dry) = (a.clone(), env.clone(), *dry);
                tokio::spawn(
                    async move { sfmc_run_env(a.clone(), env).await.map(|run| (a, run, dry)) },
                )
            })
            .collect();
        for task in tasks {
            let (a, run, dry) = task.await??;
            if dry {
                assert_eq!(run.code, Some(0), "{}", run.describe());
                assert!(run.stdout.contains("***"), "{}", run.describe());
            }
            if !dry && format!("{}{}", run.stdout, run.stderr).contains("***") {
                masked += 1;
            }
            clean_run(&format!("sfmc {a:?}"), &run);
        }
    }
    let runs = planned.len();
    // The echoes were shown, masked.
    assert!(masked >= 20, "{masked} runs showed a masked echo");
    assert!(sb.state().stats().soap_requests > before);
    assert!(dry_runs >= 18);
    // Secrets from the environment, and a refused token request quoting the secret.
    let env = vec![
        ("SFMC_CLIENT_ID".to_string(), "refuse-me".to_string()),
        ("SFMC_CLIENT_SECRET".to_string(), CLIENT_SECRET.to_string()),
        ("RUST_LOG".to_string(), "trace".to_string()),
    ];
    let run = sfmc_run_env(
        args![
            "--auth-url",
            base,
            "--endpoint",
            format!("{base}/ok/Service.asmx"),
            "cancel-send",
            1
        ],
        env.clone(),
    )
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    clean_run("refused token request", &run);
    // Help, with secrets in the environment (clap must not print their values).
    let run = sfmc_run_env(args!["--help"], env).await?;
    assert_eq!(run.code, Some(0));
    clean_run("--help", &run);
    eprintln!("{} sfmc runs, no secret shown", runs + 2);
    sb.shutdown().await;
    task.abort();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Trust.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_any_byte() -> R {
    // A listener that would see any connection.
    let listener = StdListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let refused = [
        // Names and addresses that reach this listener, but are not loopback by their form.
        format!("http://localhost.:{port}/Service.asmx"),
        format!("http://127.0.0.1.nip.io:{port}/Service.asmx"),
        format!("http://0.0.0.0:{port}/Service.asmx"),
        format!("http://[::ffff:127.0.0.1]:{port}/Service.asmx"),
        format!("http://[::]:{port}/Service.asmx"),
        format!("http://10.0.0.1:{port}/Service.asmx"),
    ];
    for url in &refused {
        let e = Client::builder()
            .endpoint(url)
            .access_token(ACCESS_TOKEN)
            .build()
            .err()
            .ok_or(format!("{url} accepted"))?;
        assert_eq!(e.kind(), ErrorKind::Config, "{url}: {e}");
        assert!(e.to_string().contains("not a loopback host"), "{e}");
        let e = Client::builder()
            .auth_url(url.trim_end_matches("/Service.asmx"))
            .client_credentials("id", CLIENT_SECRET)
            .build()
            .err()
            .ok_or(format!("{url} accepted as auth URL"))?;
        assert_eq!(e.kind(), ErrorKind::Config, "{url}: {e}");
        let run = sfmc_run_env(
            args![
                "--endpoint",
                url,
                "--access-token",
                ACCESS_TOKEN,
                "cancel-send",
                1
            ],
            vec![],
        )
        .await?;
        assert_eq!(run.code, Some(2), "{}", run.describe());
        assert!(
            run.stderr.contains("not a loopback host"),
            "{}",
            run.describe()
        );
        clean_run(url, &run);
    }
    // No connection was ever attempted.
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => return Err(format!("a connection reached the listener: {other:?}").into()),
    }
    Ok(())
}

/// A TLS server on 127.0.0.1 with a self-signed certificate for `localhost`: counts finished
/// and failed handshakes, and answers any request it gets with an OK Perform response.
async fn tls_server() -> R<(
    u16,
    Arc<AtomicUsize>,
    Arc<AtomicUsize>,
    tokio::task::JoinHandle<()>,
)> {
    use tokio_rustls::rustls;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
    let cert_der = rustls::pki_types::CertificateDer::from(cert.cert.der().to_vec());
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(
        rustls::pki_types::PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()),
    );
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(vec![cert_der], key_der)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (accepted, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, f) = (Arc::clone(&accepted), Arc::clone(&failed));
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, a, f) = (acceptor.clone(), Arc::clone(&a), Arc::clone(&f));
            tokio::spawn(async move {
                match tokio::time::timeout(Duration::from_secs(5), acceptor.accept(stream)).await {
                    Ok(Ok(mut tls)) => {
                        a.fetch_add(1, Ordering::SeqCst);
                        let mut buf = [0u8; 4096];
                        let _ = tls.read(&mut buf).await;
                        let body = envelope("<PerformResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><OverallStatus>OK</OverallStatus></PerformResponseMsg>");
                        let _ = tls
                            .write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    _ => {
                        f.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    Ok((port, accepted, failed, task))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_certificates_are_verified() -> R {
    let (port, accepted, failed, task) = tls_server().await?;
    let url = format!("https://localhost:{port}/Service.asmx");
    let client = Client::builder()
        .endpoint(&url)
        .access_token(ACCESS_TOKEN)
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build()?;
    let e = client
        .cancel_send(1)
        .await
        .err()
        .ok_or("a self-signed certificate was accepted")?;
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    // The TLS error is the source (the report shows it).
    assert!(
        e.report()
            .to_string()
            .to_lowercase()
            .contains("certificate"),
        "{}",
        e.report()
    );
    assert_clean("TLS error", &format!("{} {e:?}", e.report()));
    // The CLI the same: a transport error, nothing sent.
    let run = sfmc_run_env(
        args![
            "--endpoint",
            url,
            "--access-token",
            ACCESS_TOKEN,
            "--max-retries",
            0,
            "cancel-send",
            1
        ],
        vec![],
    )
    .await?;
    assert_eq!(run.code, Some(3), "{}", run.describe());
    assert!(
        run.stdout
            .to_lowercase()
            .contains("invalid peer certificate"),
        "{}",
        run.describe()
    );
    clean_run("TLS", &run);
    // Let the server count the last handshake.
    for _ in 0..100 {
        if failed.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "no handshake may succeed"
    );
    assert_eq!(failed.load(Ordering::SeqCst), 2);
    task.abort();
    Ok(())
}

#[test]
fn no_switch_turns_certificate_checks_off() {
    // Neither the library nor the CLI has a way to accept invalid certificates or host names.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut stack = vec![root.join("src"), root.join("cli/src")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for needle in [
                    "danger_accept_invalid",
                    "dangerous()",
                    "tls_built_in_root_certs(false)",
                ] {
                    assert!(!text.contains(needle), "{} uses {needle}", path.display());
                }
                files += 1;
            }
        }
    }
    assert!(files > 10);
    let _ = std::io::stdout().flush();
}
