#!/usr/bin/env bash
# Fuzz smoke run: builds the cargo-fuzz targets in fuzz/ (libFuzzer, AddressSanitizer) and runs
# each for a bounded time (FUZZ_SECONDS, default 60) from its seed corpus (fuzz/seeds/TARGET,
# read only) into a scratch corpus. Fails on any crash, leak, timeout or out-of-memory; the
# input that caused it is left in fuzz/artifacts/TARGET/ (add it to tests/fixtures/fuzz/TARGET/
# once fixed: tests/fuzz_regressions.rs replays those in every `cargo test`).
#
# Installs what it needs: cargo-fuzz (`cargo install cargo-fuzz --locked`) and a C++ compiler for
# libFuzzer. The stable toolchain builds the sanitizer flags with RUSTC_BOOTSTRAP=1 (no nightly
# is needed or fetched).
#
#   scripts/fuzz-smoke.sh                      # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh read_response
#   PARTNERAPI_WSDL=$PWD/../shared/partnerapi/etframework.wsdl scripts/fuzz-smoke.sh   # vendor WSDL
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(read_response sandbox_request)
fi

if ! command -v c++ >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo fuzz --version

export RUSTC_BOOTSTRAP=1
# One build for every target (release, debug assertions on, AddressSanitizer).
cargo fuzz build -O

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "$scratch/$target" "fuzz/artifacts/$target"
  # -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb bounds memory.
  log="$scratch/$target.log"
  set +e
  cargo fuzz run -O "$target" "$scratch/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$log" || true
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: libFuzzer|SUMMARY: |panicked at|Test unit written' "$log"; then
    echo "fuzz $target: FAILED (exit $rc; the input is in fuzz/artifacts/$target/)" >&2
    tail -n 60 "$log" >&2
    status=1
  else
    echo "fuzz $target: no crash in ${seconds}s ($(ls "$scratch/$target" | wc -l) corpus entries)"
  fi
done
exit "$status"
