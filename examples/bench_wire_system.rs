//! The wire benchmark of `bench/compare.sh` (see `wire/harness.rs`) with the system allocator
//! (glibc's malloc on Linux), which applications get when they choose none.

#[path = "wire/harness.rs"]
mod harness;

fn main() {
    harness::run("system");
}
