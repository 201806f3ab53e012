//! The wire figures `bench/compare.sh` sets beside zeep's and node-soap's, measured the way
//! their harnesses measure (`../shared/peers/*/bench.*`): each case runs `repeats` times `iters`
//! iterations after a warm-up; the per-operation mean of each repeat is kept and the median and
//! the minimum ("best") of those means are reported, in microseconds. Prints ONE JSON line.
//!
//! - `client_build`: `Client::builder()...build()` (what zeep and node-soap spend loading the
//!   WSDL: the bindings are compiled in, nothing is parsed at run time).
//! - `serialize_small`: build the cancel request for Send 29605 and write its envelope.
//! - `parse_small`, `parse_1000`: read `perform-response-{small,1000}.xml` into
//!   `PerformResponseMsg` (envelope, header, body, end of document).
//! - `raw_scan_1000`: a quick-xml event scan of the same 1,000-result bytes, nothing kept: the
//!   floor. Its repeats alternate with `parse_1000`'s so that both see the same machine, and
//!   `parse_1000_over_raw` is their ratio (best over best, median over median).
//!   `parse_1000_minor_faults_per_read`: page faults per read (an allocator that returns the
//!   freed results to the kernel after each read, as glibc's does, and the next read faulting
//!   them in again, shows here).
//!
//! Two binaries share this harness and differ only in their global allocator: `bench_wire`
//! allocates like the `sfmc` binary (mimalloc, the default `mimalloc` feature), and
//! `bench_wire_system` with the system allocator (glibc's malloc on Linux). Usage:
//! `bench_wire[_system] [--quick] [--fixtures DIR]` (default DIR: `../shared/peers/fixtures`
//! beside the crate).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use quick_xml::events::Event;
use quick_xml::Reader;
use sfmc_partnerapi::soap::{write_envelope, Envelope, RequestHeader};
use sfmc_partnerapi::types::{PerformRequestMsg, PerformResponseMsg};
use sfmc_partnerapi::Client;

fn cancel_request() -> PerformRequestMsg {
    sfmc_partnerapi::sends::send_action_request("cancel", &[29605])
}

fn read(bytes: &[u8]) -> Result<PerformResponseMsg, String> {
    Envelope::parse(bytes)
        .and_then(|e| e.read_body())
        .map_err(|e| e.to_string())
}

fn raw_scan(bytes: &[u8]) -> Result<usize, String> {
    let mut reader = Reader::from_reader(bytes);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(n),
            Ok(_) => n += 1,
            Err(e) => return Err(e.to_string()),
        }
    }
}

fn build_client() -> Result<Client, String> {
    Client::builder()
        .endpoint("https://mc123.soap.marketingcloudapis.com/Service.asmx")
        .access_token("0123456789abcdef0123456789abcdef")
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())
}

/// Per-operation means of `repeats` runs of `iters` iterations, in microseconds.
fn sample(iters: u32, mut f: impl FnMut()) -> f64 {
    let t0 = Instant::now();
    for _ in 0..iters {
        f();
    }
    t0.elapsed().as_secs_f64() * 1e6 / f64::from(iters)
}

fn summary(per_op: &[f64], iters: u32) -> serde_json::Value {
    let mut sorted = per_op.to_vec();
    sorted.sort_by(f64::total_cmp);
    serde_json::json!({
        "median_us": round(median(&sorted)),
        "min_us": round(sorted.first().copied().unwrap_or(0.0)),
        "iters": iters,
        "repeats": per_op.len(),
    })
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Runs `f` `repeats` times `iters` iterations after `iters / 10` (at least one) warm-up calls.
fn bench(iters: u32, repeats: usize, mut f: impl FnMut()) -> Vec<f64> {
    for _ in 0..(iters / 10).max(1) {
        f();
    }
    (0..repeats).map(|_| sample(iters, &mut f)).collect()
}

/// Minor page faults of this process so far (Linux `/proc/self/stat`; `None` elsewhere).
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(7)?.parse().ok()
}

fn fail(msg: &str) -> ! {
    eprintln!("bench_wire: {msg}");
    std::process::exit(1);
}

/// Runs every case and prints the JSON line; `allocator` names the global allocator.
pub fn run(allocator: &str) {
    let mut quick = false;
    let mut fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/fixtures");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--fixtures" => match args.next() {
                Some(d) => fixtures = PathBuf::from(d),
                None => fail("--fixtures needs a folder"),
            },
            other => fail(&format!(
                "unknown argument {other} (usage: bench_wire [--quick] [--fixtures DIR])"
            )),
        }
    }
    let load = |name: &str| {
        let path = fixtures.join(name);
        std::fs::read(&path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())))
    };
    let small = load("perform-response-small.xml");
    let big = load("perform-response-1000.xml");

    // Check what is measured before measuring it.
    let token = secrecy::SecretString::from("0123456789abcdef0123456789abcdef".to_string());
    let request_xml = write_envelope(&RequestHeader::FuelOAuth(&token), &cancel_request());
    if !request_xml.contains("<Action>cancel</Action>") || !request_xml.contains("<ID>29605</ID>") {
        fail(&format!("unexpected request envelope: {request_xml}"));
    }
    let check = read(&small).unwrap_or_else(|e| fail(&e));
    if check.results.len() != 1 || check.overall_status != "OK" {
        fail("perform-response-small.xml: expected one result, OverallStatus OK");
    }
    let check = read(&big).unwrap_or_else(|e| fail(&e));
    if check.results.len() != 1000 {
        fail("perform-response-1000.xml: expected 1,000 results");
    }
    let events = raw_scan(&big).unwrap_or_else(|e| fail(&e));
    build_client().unwrap_or_else(|e| fail(&e));

    let repeats = if quick { 3 } else { 5 };
    let scale = |n: u32| if quick { (n / 10).max(2) } else { n };

    let client_iters = scale(2000);
    let client_build = bench(client_iters, repeats, || {
        black_box(build_client().ok());
    });
    let serialize_iters = scale(20_000);
    let serialize = bench(serialize_iters, repeats, || {
        black_box(write_envelope(
            &RequestHeader::FuelOAuth(&token),
            &black_box(cancel_request()),
        ));
    });
    let small_iters = scale(20_000);
    let parse_small = bench(small_iters, repeats, || {
        black_box(read(black_box(&small)).ok());
    });

    // The 1,000-result read and its floor, alternating, more repeats: their ratio is a target.
    let big_iters = scale(100);
    let big_repeats = if quick { 3 } else { 15 };
    for _ in 0..(big_iters / 10).max(1) {
        black_box(read(&big).ok());
        black_box(raw_scan(&big).ok());
    }
    let mut parse_1000 = Vec::new();
    let mut raw_1000 = Vec::new();
    let mut parse_faults = 0u64;
    for _ in 0..big_repeats {
        let faults_before = minor_faults();
        parse_1000.push(sample(big_iters, || {
            black_box(read(black_box(&big)).ok());
        }));
        if let (Some(before), Some(after)) = (faults_before, minor_faults()) {
            parse_faults += after.saturating_sub(before);
        }
        raw_1000.push(sample(big_iters, || {
            black_box(raw_scan(black_box(&big)).ok());
        }));
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let med = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        median(&s)
    };
    // Per repeat, the pair ran back to back: the ratio of each pair, then its best and median.
    let pair_ratios: Vec<f64> = parse_1000
        .iter()
        .zip(&raw_1000)
        .map(|(p, r)| p / r)
        .collect();

    let out = serde_json::json!({
        "peer": "sfmc-partnerapi",
        "version": env!("CARGO_PKG_VERSION"),
        "rustc_profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "allocator": allocator,
        "client_build": summary(&client_build, client_iters),
        "serialize_request_bytes": request_xml.len(),
        "serialize_small": summary(&serialize, serialize_iters),
        "parse_small_bytes": small.len(),
        "parse_small": summary(&parse_small, small_iters),
        "parse_1000_bytes": big.len(),
        "parse_1000": summary(&parse_1000, big_iters),
        "raw_scan_1000": summary(&raw_1000, big_iters),
        "raw_scan_1000_events": events,
        "parse_1000_minor_faults_per_read": round(
            parse_faults as f64 / (f64::from(big_iters) * big_repeats as f64)
        ),
        "parse_1000_over_raw": {
            "best": round(best(&parse_1000) / best(&raw_1000)),
            "median": round(med(&parse_1000) / med(&raw_1000)),
            "best_pair": round(best(&pair_ratios)),
            "median_pair": round(med(&pair_ratios)),
        },
    });
    println!("{out}");
}
