#!/usr/bin/env bash
# The file token cache, measured: `sfmc cancel-send` from process start to exit against an
# external `sfmc sandbox` (loopback), with a warm cache (the token read from the file: no token
# request) and with the cache off (`--token-cache off`: a token request each run), the token
# requests each made per 1,000 invocations (from the sandbox's GET /_sandbox/stats), and the
# peak RSS of one run of each (/usr/bin/time -v, Maximum resident set size; target < 20 MiB).
#
#   bash bench/token-cache.sh            # release build, 300 runs of each (~1 min after the build)
#   bash bench/token-cache.sh --quick    # 60 runs of each
#   bash bench/token-cache.sh --smoke    # debug build, 5 runs of each, nothing judged (CI)
#
# Runs alternate (warm, cold, warm, ...) so that both see the same machine. Each run cancels a
# different scheduled send. Results: a table on stdout and one JSON line in target/token-cache/.
# Nothing is written to the user's cache (the warm cache is a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

runs=300 profile=release judge=1
for a in "$@"; do
  case "$a" in
    --quick) runs=60 ;;
    --smoke) runs=5 profile=debug judge=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "token-cache: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done
out_dir=$root/target/token-cache
mkdir -p "$out_dir"
step() { echo "== $*" >&2; }

step "build ($profile)"
if [ "$profile" = release ]; then
  cargo build --release -q -p sfmc-cli
else
  cargo build -q -p sfmc-cli
fi
sfmc=$root/target/$profile/sfmc

tmp=$(mktemp -d)
cleanup() {
  sandbox_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

step "external sandbox"
first=1000000
last=$((first + 4 * runs + 100))
sandbox_start "$sfmc" --client bench-client:bench-secret-x9:12345 --send-range "$first-$last"
base=$sb_base
token_requests() { curl -sf "$base/_sandbox/stats" | sed -n 's/.*"token_requests":\([0-9]*\).*/\1/p'; }

export SFMC_ENDPOINT=$base/Service.asmx SFMC_CLIENT_ID=bench-client SFMC_CLIENT_SECRET=bench-secret-x9
cache=$tmp/tokens
id=$first
one() { # one run: $1 = warm|cold; prints nanoseconds
  local flag=$cache
  [ "$1" = cold ] && flag=off
  local t0 t1
  t0=$(date +%s%N)
  "$sfmc" --token-cache "$flag" cancel-send "$id" > /dev/null
  t1=$(date +%s%N)
  id=$((id + 1))
  echo $((t1 - t0))
}

step "warm-up (fills the cache)"
one warm > /dev/null
one cold > /dev/null

step "$runs runs of each, alternating"
: > "$tmp/warm" ; : > "$tmp/cold"
warm_requests=0 cold_requests=0
for _ in $(seq "$runs"); do
  before=$(token_requests); one warm >> "$tmp/warm"; after=$(token_requests)
  warm_requests=$((warm_requests + after - before))
  before=$(token_requests); one cold >> "$tmp/cold"; after=$(token_requests)
  cold_requests=$((cold_requests + after - before))
done

step "peak RSS"
rss() { # $1 = cache flag, $2 = the send to cancel; prints KiB
  peak_rss "$sfmc" --token-cache "$1" cancel-send "$2"
}
# (Each in a subshell: the send IDs advance here.)
rss_warm=$(rss "$cache" "$id")
id=$((id + 1))
rss_cold=$(rss off "$id")
id=$((id + 1))

python3 - "$tmp/warm" "$tmp/cold" "$runs" "$warm_requests" "$cold_requests" "$rss_warm" "$rss_cold" \
  "$profile" "$judge" "$out_dir/run-$(date +%Y%m%d-%H%M%S).jsonl" <<'EOF'
import json, statistics, sys
warm_f, cold_f, runs, warm_req, cold_req, rss_warm, rss_cold, profile, judge, out = sys.argv[1:]
runs, warm_req, cold_req = int(runs), int(warm_req), int(cold_req)
judge = judge == "1"
def load(path):
    return sorted(int(l) / 1e6 for l in open(path) if l.strip())
def summary(ms):
    return {
        "mean_ms": statistics.mean(ms),
        "median_ms": statistics.median(ms),
        "p90_ms": ms[int(0.9 * (len(ms) - 1))],
        "min_ms": ms[0],
    }
warm, cold = summary(load(warm_f)), summary(load(cold_f))
per_1000 = lambda n: n * 1000 / runs
row = {
    "bench": "token_cache", "profile": profile, "runs": runs,
    "warm": warm, "cold": cold,
    "token_requests_per_1000_warm": per_1000(warm_req),
    "token_requests_per_1000_cold": per_1000(cold_req),
    "token_requests_saved_per_1000": per_1000(cold_req - warm_req),
    "peak_rss_kib_warm": int(rss_warm), "peak_rss_kib_cold": int(rss_cold),
}
with open(out, "a") as f:
    f.write(json.dumps(row) + "\n")
print(f"sfmc cancel-send, process start to exit, {runs} runs each ({profile} build):")
print(f"| cache | mean | median | p90 | min | token requests per 1,000 runs | peak RSS |")
print(f"|---|---|---|---|---|---|---|")
for name, s, req, rss in (("warm file cache", warm, warm_req, rss_warm), ("off (--token-cache off)", cold, cold_req, rss_cold)):
    print(f"| {name} | {s['mean_ms']:.2f} ms | {s['median_ms']:.2f} ms | {s['p90_ms']:.2f} ms | {s['min_ms']:.2f} ms | {per_1000(req):,.0f} | {int(rss)/1024:.1f} MiB |")
print(f"token requests saved per 1,000 invocations: {per_1000(cold_req - warm_req):,.0f}")
print(f"median time saved per run: {cold['median_ms'] - warm['median_ms']:.2f} ms")
print(f"raw: {out}")
if judge:
    worst = max(int(rss_warm), int(rss_cold)) / 1024
    if worst >= 20:
        print(f"FAILED: peak RSS {worst:.1f} MiB is not under 20 MiB", file=sys.stderr)
        sys.exit(1)
    if warm_req != 0:
        print(f"FAILED: {warm_req} token requests with a warm cache (expected none)", file=sys.stderr)
        sys.exit(1)
EOF
