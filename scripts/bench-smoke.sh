#!/usr/bin/env bash
# The benchmarks in smoke mode, so they keep compiling and running: the criterion benches run
# each case once as a test (debug build, the test build's dependencies), then bench/compare.sh
# --smoke (debug build, tiny iteration and request counts, the end-to-end load against a
# `sfmc sandbox` child on loopback, the peak-RSS runs, the table; no peers), then
# bench/bulk-latency.sh --smoke (500 cancels against a sandbox with 20 ms of latency at three
# concurrency levels), bench/token-cache.sh --smoke (a few warm and cold `sfmc` runs), then
# bench/retrieve.sh --smoke (5,000 and 20,000 SentEvent rows through `sfmc retrieve`).
# Times are printed, never judged: only a failure to build or run fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "== [bench-smoke $(( $(date +%s) - start ))s] $*"; }

step "criterion benches, each case once (cargo test --benches)"
cargo test -q --benches

step "bench/compare.sh --smoke"
bash bench/compare.sh --smoke

step "bench/bulk-latency.sh --smoke"
bash bench/bulk-latency.sh --smoke

step "bench/token-cache.sh --smoke"
bash bench/token-cache.sh --smoke

step "bench/retrieve.sh --smoke"
bash bench/retrieve.sh --smoke

step "done"
