//! End-to-end load: cancels per second and latency percentiles of `Client::cancel_send` against
//! a sandbox in another process, on loopback, with connection reuse (one shared `Client`).
//!
//! ```text
//! cargo build --release --bin sfmc --example load
//! target/release/examples/load --sfmc target/release/sfmc              # starts `sfmc sandbox` as a child
//! target/release/examples/load --base-url http://127.0.0.1:PORT --client-id ID --client-secret S \
//!     --first-id 1000000                                                   # a sandbox already running
//! ```
//!
//! Options: `--concurrency 1,16,64` (levels, run in that order), `--requests N` (cancels per
//! level; default 3000 at concurrency 1 and 20000 above), `--seconds S` (cap per level, default
//! 20), `--quick` (200 cancels per level, for smoke runs). Every cancel is of a different
//! scheduled send (a send can be canceled once): the child sandbox gets one `--send-range` with
//! enough of them. Prints one JSON line per level on stdout and a table on stderr. Loopback
//! only: the base URL must be a loopback address (the client refuses plain http elsewhere).

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sfmc_partnerapi::Client;

const CLIENT_ID: &str = "load-client";
const CLIENT_SECRET: &str = "load-secret";
const FIRST_ID: i64 = 1_000_000;

struct Options {
    sfmc: Option<String>,
    base_url: Option<String>,
    client_id: String,
    client_secret: String,
    first_id: i64,
    levels: Vec<usize>,
    requests: Option<u64>,
    seconds: f64,
    quick: bool,
}

fn usage(msg: &str) -> ! {
    eprintln!("load: {msg}");
    eprintln!(
        "usage: load (--sfmc PATH | --base-url URL [--client-id ID --client-secret S] [--first-id N]) \
         [--concurrency 1,16,64] [--requests N] [--seconds S] [--quick]"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut o = Options {
        sfmc: None,
        base_url: None,
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        first_id: FIRST_ID,
        levels: vec![1, 16, 64],
        requests: None,
        seconds: 20.0,
        quick: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--sfmc" => o.sfmc = Some(value()),
            "--base-url" => o.base_url = Some(value()),
            "--client-id" => o.client_id = value(),
            "--client-secret" => o.client_secret = value(),
            "--first-id" => {
                o.first_id = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--first-id: a number"))
            }
            "--concurrency" => {
                o.levels = value()
                    .split(',')
                    .map(|c| match c.trim().parse::<usize>() {
                        Ok(n) if (1..=1024).contains(&n) => n,
                        _ => usage("--concurrency: numbers 1..=1024, comma separated"),
                    })
                    .collect()
            }
            "--requests" => {
                o.requests = Some(match value().parse::<u64>() {
                    Ok(n) if (1..=1_000_000).contains(&n) => n,
                    _ => usage("--requests: 1..=1000000"),
                })
            }
            "--seconds" => {
                o.seconds = match value().parse::<f64>() {
                    Ok(s) if s > 0.0 && s <= 600.0 => s,
                    _ => usage("--seconds: 0..600"),
                }
            }
            "--quick" => o.quick = true,
            "-h" | "--help" => usage("help"),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if o.sfmc.is_none() == o.base_url.is_none() {
        usage("give --sfmc PATH or --base-url URL");
    }
    o
}

fn requests_for(o: &Options, concurrency: usize) -> u64 {
    match (o.requests, o.quick) {
        (Some(n), _) => n,
        (None, true) => 200,
        (None, false) if concurrency == 1 => 3_000,
        (None, false) => 20_000,
    }
}

/// Warm-up cancels before each level (connections opened, token fetched, caches warm).
fn warmup_for(concurrency: usize) -> u64 {
    (concurrency as u64 * 4).max(50)
}

/// `sfmc sandbox` as a child process.
struct SandboxChild {
    child: Child,
    base_url: String,
}

impl SandboxChild {
    fn start(sfmc: &str, first: i64, count: u64) -> Result<Self, String> {
        let last = first + count as i64 - 1;
        let mut child = Command::new(sfmc)
            .args(["sandbox", "--listen", "127.0.0.1:0", "--quiet"])
            .args(["--client", &format!("{CLIENT_ID}:{CLIENT_SECRET}")])
            .args(["--send-range", &format!("{first}-{last}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {sfmc}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut base_url = None;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("token URL:") {
                base_url = Some(url.trim().trim_end_matches("/v2/token").to_string());
            }
            if line.starts_with("serving until") {
                break;
            }
        }
        match base_url {
            Some(base_url) => Ok(Self { child, base_url }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err("the sandbox printed no token URL".into())
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system CPU time of a process so far, from /proc (Linux), in seconds.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set (VmHWM) of a process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Level {
    concurrency: usize,
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

async fn run_level(
    client: &Client,
    next_id: &Arc<AtomicI64>,
    concurrency: usize,
    requests: u64,
    cap: Duration,
) -> Level {
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + cap;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let client = client.clone();
        let next_id = next_id.clone();
        let issued = issued.clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while issued.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                let t0 = Instant::now();
                let ok = matches!(client.cancel_send(id).await, Ok(o) if o.ok);
                latencies.push(t0.elapsed().as_micros() as u64);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies_us = Vec::with_capacity(requests as usize);
    for t in tasks {
        if let Ok(l) = t.await {
            latencies_us.extend(l);
        }
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Level {
        concurrency,
        requests: latencies_us.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        latencies_us,
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let o = parse_options();
    let total: u64 = o
        .levels
        .iter()
        .map(|&c| requests_for(&o, c) + warmup_for(c))
        .sum();
    let child = match &o.sfmc {
        Some(sfmc) => match SandboxChild::start(sfmc, o.first_id, total) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("load: {e}");
                std::process::exit(1);
            }
        },
        None => None,
    };
    let base_url = match (&child, &o.base_url) {
        (Some(c), _) => c.base_url.clone(),
        (None, Some(u)) => u.trim_end_matches('/').to_string(),
        (None, None) => usage("no sandbox"),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async {
        let client = match Client::builder()
            .endpoint(format!("{base_url}/Service.asmx"))
            .auth_url(base_url.clone())
            .client_credentials(o.client_id.clone(), o.client_secret.clone())
            .request_timeout(Duration::from_secs(10))
            .max_retries(0)
            .no_proxy()
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("load: {e}");
                return 1;
            }
        };
        let next_id = Arc::new(AtomicI64::new(o.first_id));
        let cap = Duration::from_secs_f64(o.seconds);
        eprintln!(
            "{:>11} {:>9} {:>7} {:>12} {:>9} {:>9} {:>9} {:>14} {:>14}",
            "concurrency",
            "requests",
            "errors",
            "cancels/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "server cpu us",
            "client cpu us"
        );
        let mut failed = false;
        for &c in &o.levels {
            let warm = run_level(&client, &next_id, c, warmup_for(c), cap).await;
            if warm.errors > 0 {
                eprintln!("load: {} of the warm-up cancels failed", warm.errors);
                failed = true;
            }
            let server_cpu0 = child.as_ref().and_then(|ch| cpu_seconds(ch.pid()));
            let client_cpu0 = cpu_seconds(std::process::id());
            let level = run_level(&client, &next_id, c, requests_for(&o, c), cap).await;
            let per_request = |before: Option<f64>, pid: Option<u32>| {
                let after = pid.and_then(cpu_seconds)?;
                Some((after - before?) * 1e6 / level.requests.max(1) as f64)
            };
            let server_cpu = per_request(server_cpu0, child.as_ref().map(|ch| ch.pid()));
            let client_cpu = per_request(client_cpu0, Some(std::process::id()));
            let rps = level.requests as f64 / level.elapsed.as_secs_f64();
            let (p50, p99, max) = (
                percentile(&level.latencies_us, 0.50),
                percentile(&level.latencies_us, 0.99),
                percentile(&level.latencies_us, 1.0),
            );
            eprintln!(
                "{:>11} {:>9} {:>7} {:>12.0} {:>9.3} {:>9.3} {:>9.3} {:>14} {:>14}",
                level.concurrency,
                level.requests,
                level.errors,
                rps,
                p50,
                p99,
                max,
                server_cpu.map_or("-".into(), |v| format!("{v:.0}")),
                client_cpu.map_or("-".into(), |v| format!("{v:.0}")),
            );
            let json = serde_json::json!({
                "bench": "e2e_cancel",
                "concurrency": level.concurrency,
                "requests": level.requests,
                "errors": level.errors,
                "seconds": level.elapsed.as_secs_f64(),
                "cancels_per_s": rps,
                "p50_ms": p50,
                "p99_ms": p99,
                "max_ms": max,
                "server_cpu_us_per_request": server_cpu,
                "client_cpu_us_per_request": client_cpu,
            });
            println!("{json}");
            failed |= level.errors > 0;
        }
        let rss = serde_json::json!({
            "bench": "e2e_rss",
            "sandbox_peak_rss_kib": child.as_ref().and_then(|ch| peak_rss_kib(ch.pid())),
            "load_generator_peak_rss_kib": peak_rss_kib(std::process::id()),
        });
        println!("{rss}");
        i32::from(failed)
    });
    if let Some(child) = child {
        child.stop();
    }
    std::process::exit(code);
}
