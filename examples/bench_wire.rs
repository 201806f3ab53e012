//! The wire benchmark of `bench/compare.sh` (see `wire/harness.rs`), allocating like the `sfmc`
//! binary: mimalloc (`bench_wire_system` is the same harness on the system allocator).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "wire/harness.rs"]
mod harness;

fn main() {
    harness::run("mimalloc");
}
