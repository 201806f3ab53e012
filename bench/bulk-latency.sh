#!/usr/bin/env bash
# Bulk cancels at network latency: `sfmc cancel-send` of N scheduled sends against an
# `sfmc sandbox --latency 200ms` in another process, with --concurrency 1, the default and 8.
#
#   bash bench/bulk-latency.sh            # release build, 5,000 sends, 200 ms (~35 s after the build)
#   bash bench/bulk-latency.sh --smoke    # debug build, 500 sends, 20 ms (CI: runs, judges nothing)
#
# Options: --sends N, --latency DURATION (e.g. 200ms), --levels "1 default 8", --debug (dev
# profile), --smoke. Each level gets a fresh sandbox holding sends 1000000.. (all Scheduled:
# a send is canceled once), and one timed `sfmc` run: process start to exit, token request
# included; every ID must come back "canceled" (exit 0). The floor of a level is the latency
# times the rounds of requests it needs: ceil(chunks / concurrency), chunks of 50.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

sends=5000 latency=200ms levels="1 default 8" profile=release smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sends) sends=$2; shift ;;
    --latency) latency=$2; shift ;;
    --levels) levels=$2; shift ;;
    --debug) profile=debug ;;
    --smoke) smoke=1 profile=debug sends=500 latency=20ms ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bulk-latency: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)
bin=${CARGO_TARGET_DIR:-$root/target}/$profile/sfmc

echo "== build ($profile): sfmc" >&2
cargo build -q "${cargo_profile[@]}" --bin sfmc

first=1000000
last=$((first + sends - 1))
ids=$(seq "$first" "$last")
latency_ms=$(python3 -c "import re,sys; m=re.fullmatch(r'(\d+(?:\.\d+)?)(ms|s)', sys.argv[1]); print(float(m[1]) * (1 if m[2]=='ms' else 1000))" "$latency")
chunks=$(( (sends + 49) / 50 ))
default_level=$("$bin" --help | grep -e '--concurrency' | sed -n 's/.*\[default: \([0-9]*\)\].*/\1/p')
[ -n "$default_level" ] || { echo "bulk-latency: no default in sfmc --help" >&2; exit 1; }

trap sandbox_stop EXIT

# Starts a fresh sandbox; sets $base (its http://ADDR).
start_sandbox() {
  sandbox_start "$bin" --client bench:bench-secret:12345 --send-range "$first-$last" \
    --latency "$latency"
  base=$sb_base
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
printf '\n| --concurrency | in flight | wall time | cancels/s | floor (rounds x latency) |\n'
printf '|---|---|---|---|---|\n'
for level in $levels; do
  start_sandbox
  flag=()
  n=$default_level
  shown="(default)"
  if [ "$level" != default ]; then
    flag=(--concurrency "$level")
    n=$level
    shown=$level
  fi
  out=$(mktemp)
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2086 # one argument per ID
  if ! env -u SFMC_CONCURRENCY SFMC_AUTH_URL="$base" SFMC_CLIENT_ID=bench \
      SFMC_CLIENT_SECRET=bench-secret "$bin" "${flag[@]}" cancel-send $ids > "$out"; then
    echo "bulk-latency: sfmc failed at --concurrency $shown" >&2
    tail -n 3 "$out" >&2
    exit 1
  fi
  t1=$EPOCHREALTIME
  done_count=$(grep -c ': canceled$' "$out" || true)
  rm -f "$out"
  sandbox_stop
  if [ "$done_count" != "$sends" ]; then
    echo "bulk-latency: $done_count of $sends canceled at --concurrency $shown" >&2
    exit 1
  fi
  python3 - "$t0" "$t1" "$sends" "$chunks" "$n" "$latency_ms" "$shown" <<'EOF'
import math, sys
t0, t1, sends, chunks, n, latency_ms = (float(x) for x in sys.argv[1:7])
shown = sys.argv[7]
wall = t1 - t0
rounds = math.ceil(chunks / n)
print(f"| {shown} | {int(n)} | {wall:.2f} s | {sends / wall:,.0f} | {rounds} x {latency_ms:.0f} ms = {rounds * latency_ms / 1000:.2f} s |")
EOF
done
echo
echo "$sends cancels ($chunks Performs of 50), sandbox latency $latency, $profile build; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
