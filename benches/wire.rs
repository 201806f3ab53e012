//! Writing the cancel request and reading Perform responses, next to a raw quick-xml scan of
//! the same bytes (the floor), and building a `Client` (no WSDL is parsed at run time). Fixtures
//! come from `../shared/peers/fixtures` (the same ones the zeep and node-soap figures in
//! `bench/compare.sh` use).
//!
//! These run with the system allocator. The 1,000-result read allocates about 1.2 MB of results
//! per iteration and frees them again; whether glibc then returns that memory to the kernel (and
//! the next iteration faults it in again) depends on what else lives on the heap: in criterion's
//! process it does not. `bench/compare.sh` measures both allocators side by side.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::Reader;
use sfmc_partnerapi::soap::{write_envelope, Envelope, RequestHeader};
use sfmc_partnerapi::types::{PerformRequestMsg, PerformResponseMsg};
use sfmc_partnerapi::Client;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peers/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cancel_request() -> PerformRequestMsg {
    sfmc_partnerapi::sends::send_action_request("cancel", &[29605])
}

fn read(bytes: &[u8]) -> PerformResponseMsg {
    match Envelope::parse(bytes).and_then(|e| e.read_body()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

/// Every event of the document, nothing kept: the cost of reading the bytes at all.
fn raw_scan(bytes: &[u8]) -> usize {
    let mut reader = Reader::from_reader(bytes);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return n,
            Ok(_) => n += 1,
            Err(e) => panic!("{e}"),
        }
    }
}

fn benches(c: &mut Criterion) {
    let token = secrecy::SecretString::from("0123456789abcdef0123456789abcdef".to_string());
    let request = cancel_request();
    c.bench_function("write cancel request (build + serialize envelope)", |b| {
        b.iter(|| {
            let request = black_box(cancel_request());
            black_box(write_envelope(&RequestHeader::FuelOAuth(&token), &request))
        })
    });
    c.bench_function("serialize cancel envelope (request prebuilt)", |b| {
        b.iter(|| {
            black_box(write_envelope(
                &RequestHeader::FuelOAuth(&token),
                black_box(&request),
            ))
        })
    });

    let small = fixture("perform-response-small.xml");
    c.bench_function("read PerformResponseMsg, 1 result", |b| {
        b.iter(|| black_box(read(black_box(&small))))
    });

    let big = fixture("perform-response-1000.xml");
    assert_eq!(read(&big).results.len(), 1000);
    let mut group = c.benchmark_group("1000 results");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("read PerformResponseMsg", |b| {
        b.iter(|| black_box(read(black_box(&big))))
    });
    group.bench_function("raw quick-xml event scan (floor)", |b| {
        b.iter(|| black_box(raw_scan(black_box(&big))))
    });
    group.finish();

    c.bench_function("build a Client (no WSDL parsing at run time)", |b| {
        b.iter(|| {
            match Client::builder()
                .endpoint(black_box(
                    "https://mc123.soap.marketingcloudapis.com/Service.asmx",
                ))
                .access_token(black_box("0123456789abcdef0123456789abcdef"))
                .no_proxy()
                .build()
            {
                Ok(client) => black_box(client),
                Err(e) => panic!("{e}"),
            }
        })
    });
}

criterion_group!(wire, benches);
criterion_main!(wire);
