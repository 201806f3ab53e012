//! Running the `sfmc` binary in tests: bounded in time, without the caller's SFMC_* settings.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sandbox_support::R;

/// The outcome of one `sfmc` run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `sfmc` with a clean environment: no SFMC_* variables, no proxies, and the token cache off
/// (tests never touch the user's cache; a test of the cache gives `--token-cache DIR`).
pub fn sfmc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfmc"));
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy().to_ascii_uppercase();
        if k.starts_with("SFMC_") || k.ends_with("_PROXY") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("SFMC_TOKEN_CACHE", "off");
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to completion (killed after `limit`), collecting its output.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> R<Run> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let err = child.stderr.take().ok_or("no stderr")?;
    let read = |mut pipe: Box<dyn std::io::Read + std::marker::Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = read(Box::new(out));
    let err = read(Box::new(err));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        code: status.and_then(|s| s.code()),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    };
    if status.is_none() {
        return Err(format!("sfmc did not finish within {limit:?}\n{}", run.describe()).into());
    }
    Ok(run)
}

/// Runs `sfmc ARGS` (30 s at most) off the async runtime.
pub async fn sfmc_run(args: Vec<String>) -> R<Run> {
    sfmc_run_env(args, Vec::new()).await
}

/// Runs `sfmc ARGS` with extra environment variables.
pub async fn sfmc_run_env(args: Vec<String>, env: Vec<(String, String)>) -> R<Run> {
    tokio::task::spawn_blocking(move || {
        let mut cmd = sfmc();
        cmd.args(&args).envs(env);
        run_with_limit(cmd, Duration::from_secs(30))
    })
    .await?
}

/// `args!["a", x, ...]` -> Vec<String>.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($a.to_string()),*] };
}

/// The global options that point `sfmc` at a sandbox as client `id`/`secret`.
pub fn target(sb: &sfmc_partnerapi_sandbox::RunningSandbox, id: &str, secret: &str) -> Vec<String> {
    vec![
        "--endpoint".into(),
        sb.soap_url(),
        "--auth-url".into(),
        sb.base_url(),
        "--client-id".into(),
        id.into(),
        "--client-secret".into(),
        secret.into(),
    ]
}

/// `sfmc sandbox ...` running as a child, with the URLs it printed.
pub struct SandboxChild {
    pub child: Child,
    pub token_url: String,
    pub soap_url: String,
    pub banner: Vec<String>,
}

impl SandboxChild {
    /// Starts `sfmc sandbox --listen 127.0.0.1:0 --quiet EXTRA` and reads its banner.
    pub fn start(extra: &[String]) -> R<Self> {
        let mut cmd = sfmc();
        cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--quiet"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let done = line.starts_with("serving until");
                    banner.push(line);
                    if done {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("no banner from sfmc sandbox: {banner:?}").into());
                }
            }
        }
        let find = |prefix: &str| {
            banner
                .iter()
                .find_map(|l| l.strip_prefix(prefix).map(|v| v.trim().to_string()))
        };
        let token_url = find("token URL:").ok_or("no token URL line")?;
        let soap_url = find("SOAP endpoint:").ok_or("no SOAP endpoint line")?;
        Ok(Self {
            child,
            token_url,
            soap_url,
            banner,
        })
    }

    pub fn base_url(&self) -> String {
        self.token_url.trim_end_matches("/v2/token").to_string()
    }

    /// The sandbox's counters (`GET /_sandbox/stats`).
    pub fn stats(&self) -> R<serde_json::Value> {
        let (status, body) = loopback_http("GET", &self.base_url(), "/_sandbox/stats")?;
        if status != 200 {
            return Err(format!("GET /_sandbox/stats answered {status}: {body}").into());
        }
        Ok(serde_json::from_str(&body)?)
    }

    /// Expires every token the sandbox issued (`POST /_sandbox/expire-tokens`).
    pub fn expire_tokens(&self) -> R<serde_json::Value> {
        let (status, body) = loopback_http("POST", &self.base_url(), "/_sandbox/expire-tokens")?;
        if status != 200 {
            return Err(format!("POST /_sandbox/expire-tokens answered {status}: {body}").into());
        }
        Ok(serde_json::from_str(&body)?)
    }

    /// SIGTERM, then the exit code (killed after 10 s).
    pub fn terminate(mut self) -> R<Option<i32>> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err("sfmc sandbox did not stop on SIGTERM".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for SandboxChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Where the peers live (`../shared/peers`).
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers")
}

/// A peer tool cannot run here: skip with a note, unless CI=true, where it fails.
pub fn peers_unavailable(what: &str) -> R {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return Err(format!("CI=true and {what}").into());
    }
    eprintln!("note: skipping: {what}");
    Ok(())
}

/// A loopback server answering each of its first `n` requests with `response` (raw HTTP: status
/// line, headers and body), after reading the request's head and its body by Content-Length.
/// Gives the SOAP endpoint URL to use.
pub fn raw_server(response: impl Into<String>, n: usize) -> R<String> {
    use std::io::Write as _;
    let response = response.into();
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body_start = loop {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break None,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            if let Some(start) = body_start {
                let head = String::from_utf8_lossy(&buf[..start]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                while buf.len() < start + len {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => buf.extend_from_slice(&chunk[..k]),
                    }
                }
            }
            let _ = s.write_all(response.as_bytes());
        }
    });
    Ok(format!("http://{addr}/Service.asmx"))
}

/// One HTTP/1.1 request without a body to `base` (`http://127.0.0.1:PORT`) + `path`, blocking:
/// the status and the body (the connection is closed after it).
pub fn loopback_http(method: &str, base: &str, path: &str) -> R<(u16, String)> {
    use std::io::Write as _;
    let host = base.strip_prefix("http://").ok_or("not an http:// URL")?;
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {answer:?}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}
