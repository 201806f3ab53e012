//! Reads `perform-response-1000.xml` N times (default 50): a workload for profilers.
//!
//! `read_1000 [N] [--raw] [--small]`: with `--raw`, only a quick-xml event scan of the same bytes
//! (the floor the typed read is compared with), so `valgrind --tool=callgrind` gives both
//! instruction counts; with `--small`, `perform-response-small.xml` (1 result) instead.
use quick_xml::events::Event;
use quick_xml::Reader;
use sfmc_partnerapi::soap::Envelope;
use sfmc_partnerapi::types::PerformResponseMsg;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let raw = args.iter().any(|a| a == "--raw");
    let fixture = if args.iter().any(|a| a == "--small") {
        "perform-response-small.xml"
    } else {
        "perform-response-1000.xml"
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peers/fixtures")
        .join(fixture);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50);
    let mut total = 0;
    for _ in 0..n {
        if raw {
            let mut reader = Reader::from_reader(bytes.as_slice());
            loop {
                match reader.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(_) => total += 1,
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                }
            }
            continue;
        }
        match Envelope::parse(&bytes).and_then(|e| e.read_body::<PerformResponseMsg>()) {
            Ok(r) => total += r.results.len(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    if raw {
        println!("{total} events read");
    } else {
        println!("{total} results read");
    }
}
