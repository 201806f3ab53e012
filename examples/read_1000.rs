//! Reads `perform-response-1000.xml` N times (default 50): a workload for profilers.
use sfmc_partnerapi::soap::Envelope;
use sfmc_partnerapi::types::PerformResponseMsg;

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peers/fixtures/perform-response-1000.xml");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let mut total = 0;
    for _ in 0..n {
        match Envelope::parse(&bytes).and_then(|e| e.read_body::<PerformResponseMsg>()) {
            Ok(r) => total += r.results.len(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    println!("{total} results read");
}
