//! The wire benchmark of `bench/compare.sh` (see `wire/harness.rs`), allocating like the `sfmc`
//! binary: mimalloc when the `mimalloc` feature is on (the default), else the system allocator.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "wire/harness.rs"]
mod harness;

fn main() {
    harness::run(if cfg!(feature = "mimalloc") {
        "mimalloc"
    } else {
        "system"
    });
}
