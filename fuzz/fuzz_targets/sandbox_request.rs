//! The sandbox's request handling: see `sandbox_request` in ../checks.rs.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::sandbox_request(data));
