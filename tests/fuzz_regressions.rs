//! The fuzz targets' checks (fuzz/checks.rs, shared with the cargo-fuzz targets) in every
//! `cargo test`: the seed corpora, the inputs of every crash the fuzzers found (fixed since, kept
//! in tests/fixtures/fuzz/), and a bounded, seeded run of random mutations of the seeds.
//! The long runs are scripts/fuzz-smoke.sh (libFuzzer).

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn files(dirs: &[PathBuf]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
    }
    out.sort();
    out
}

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    files(&[
        root.join("fuzz/seeds").join(target),
        root.join("tests/fixtures/fuzz").join(target),
    ])
}

/// Runs `check` on `input`, naming the input if it panics.
fn run(what: &str, check: fn(&[u8]), input: &[u8]) {
    if std::panic::catch_unwind(|| check(input)).is_err() {
        panic!(
            "{what} failed on input {:?}",
            String::from_utf8_lossy(&input[..input.len().min(2000)])
        );
    }
}

#[test]
fn seeds_and_the_inputs_of_fixed_crashes_pass() {
    for (target, check) in [
        ("read_response", checks::read_response as fn(&[u8])),
        ("sandbox_request", checks::sandbox_request),
    ] {
        let all = inputs(target);
        assert!(all.len() >= 5, "{target}: seeds missing");
        for (path, bytes) in all {
            run(&format!("{target} {}", path.display()), check, &bytes);
        }
    }
}

/// One random mutation of `input` (bytes flipped, inserted, removed, repeated, or spliced in
/// from `other`).
fn mutate(rng: &mut fastrand::Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.usize(1..4) {
        let len = out.len();
        let at = rng.usize(0..=len);
        match rng.u8(0..6) {
            0 if len > 0 => {
                let i = rng.usize(0..len);
                out[i] ^= 1 << rng.u8(0..8);
            }
            1 => {
                let b = *rng
                    .choice(b"<>/&;\"'=:# \x00\xff\xc3]![-?x1".iter())
                    .unwrap_or(&b'<');
                out.insert(at, b);
            }
            2 if at < len => {
                let end = (at + rng.usize(1..32)).min(len);
                out.drain(at..end);
            }
            3 if at < len => {
                let end = (at + rng.usize(1..64)).min(len);
                let piece = out[at..end].to_vec();
                for _ in 0..rng.usize(1..8) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            4 if !other.is_empty() => {
                let from = rng.usize(0..other.len());
                let end = (from + rng.usize(1..128)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn random_mutations_of_the_seeds_pass() {
    let mut rng = fastrand::Rng::with_seed(0x5f3c);
    let rounds = 1500;
    for (target, check) in [
        ("read_response", checks::read_response as fn(&[u8])),
        ("sandbox_request", checks::sandbox_request),
    ] {
        let seeds: Vec<Vec<u8>> = inputs(target).into_iter().map(|(_, b)| b).collect();
        for _ in 0..rounds {
            let input = &seeds[rng.usize(0..seeds.len())];
            let other = &seeds[rng.usize(0..seeds.len())];
            let mutated = mutate(&mut rng, input, other);
            run(target, check, &mutated);
        }
    }
}
