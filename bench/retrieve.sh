#!/usr/bin/env bash
# Streaming Retrieve, ours next to zeep, in one run: SentEvent rows paged by an external
# `sfmc sandbox` (another process, loopback, 2,500 rows a page), read to the end by
#   - ours: `sfmc retrieve SentEvent --props ... --format csv` (release build), stdout counted;
#   - zeep: bench/zeep_retrieve.py (the vendor's 2024 WSDL, the same paging loop a Python
#     integration writes: Retrieve, then RetrieveRequest with ContinueRequest until OK).
# Each client: wall time from process start to exit (token request included), rows per second,
# peak RSS (the process's ru_maxrss). Ours again at 1,000,000 rows: its peak RSS must stay within
# 10 % of the 100,000-row one (flat memory). Targets: ours >= 30x zeep's rows/s, RSS < 32 MiB.
#
#   bash bench/retrieve.sh             # 100,000 and 1,000,000 rows; zeep at 100,000 (~2 min)
#   bash bench/retrieve.sh --quick     # 20,000 and 200,000 rows
#   bash bench/retrieve.sh --smoke     # debug build, 5,000 rows, no zeep, nothing judged (CI)
#
# Options: --rows N, --big N, --no-peers. Results: a table on stdout, JSON lines in
# target/retrieve/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

rows=100000 big=1000000 peers=1 profile=release judge=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift ;;
    --big) big=$2; shift ;;
    --quick) rows=20000 big=200000 ;;
    --smoke) rows=5000 big=20000 peers=0 profile=debug judge=0 ;;
    --no-peers) peers=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "retrieve: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
peers_dir=${PEERS_DIR:-$root/../shared/peers}
vendor_wsdl=${PARTNERAPI_VENDOR_WSDL:-$root/../shared/partnerapi/etframework-live-2024-05.wsdl}
out_dir=$root/target/retrieve
mkdir -p "$out_dir"
run="$out_dir/run-$(date +%Y%m%d-%H%M%S).jsonl"
: > "$run"
props=ID,SendID,SubscriberKey,EventDate,EventType,BatchID
step() { echo "== $*" >&2; }

step "build ($profile): sfmc"
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)
cargo build -q "${cargo_profile[@]}" --bin sfmc
sfmc=${CARGO_TARGET_DIR:-$root/target}/$profile/sfmc
trap sandbox_stop EXIT

# Runs a client command; stdout is counted, never kept. Prints one JSON line: wall seconds,
# output lines, peak RSS (KiB) of the command.
measure() {
  python3 - "$@" <<'PY'
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
lines = 0
last = b""
while True:
    chunk = p.stdout.read(1 << 16)
    if not chunk:
        break
    lines += chunk.count(b"\n")
    last = (last + chunk)[-4096:]
rc = p.wait()
wall = time.perf_counter() - t0
if rc != 0:
    sys.exit(rc)
print(json.dumps({"seconds": wall, "lines": lines,
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "last": last.decode("utf-8", "replace").strip().splitlines()[-1:]}))
PY
}

# ours N: `sfmc retrieve` of N SentEvent rows from a fresh sandbox holding exactly N.
ours() {
  local n=$1
  sandbox_start "$sfmc" --events "$n" --seed 7
  local line
  line=$(SFMC_AUTH_URL=$sb_base SFMC_CLIENT_ID=demo-client-id SFMC_CLIENT_SECRET=demo-client-secret \
    SFMC_TOKEN_CACHE=off measure "$sfmc" retrieve SentEvent --props "$props" --format csv)
  sandbox_stop
  python3 - "$line" "$n" <<'PY'
import json, sys
m, n = json.loads(sys.argv[1]), int(sys.argv[2])
rows = m["lines"] - 1  # the CSV header
if rows != n:
    sys.exit(f"retrieve: ours read {rows} rows, expected {n}")
print(json.dumps({"client": "ours", "rows": rows, "seconds": round(m["seconds"], 3),
                  "rows_per_s": round(rows / m["seconds"], 1), "peak_rss_kib": m["peak_rss_kib"]}))
PY
}

zeep() {
  local n=$1
  local py
  py=$(bash "$peers_dir/zeep/setup.sh")
  sandbox_start "$sfmc" --events "$n" --seed 7
  local line
  line=$(PEERS_DIR=$peers_dir PARTNERAPI_WSDL=$vendor_wsdl \
    "$py" bench/zeep_retrieve.py "$sb_base" SentEvent "$props")
  sandbox_stop
  python3 - "$line" "$n" <<'PY'
import json, sys
m, n = json.loads(sys.argv[1]), int(sys.argv[2])
if m["rows"] != n:
    sys.exit(f"retrieve: zeep read {m['rows']} rows, expected {n}")
print(json.dumps({"client": "zeep", "rows": m["rows"], "seconds": m["seconds"],
                  "rows_per_s": m["rows_per_s"], "peak_rss_kib": m["peak_rss_kib"]}))
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)" >&2
step "ours: $rows rows"
ours "$rows" >> "$run"
step "ours: $big rows"
ours "$big" >> "$run"
if [ "$peers" = 1 ]; then
  if [ -d "$peers_dir/zeep" ] && [ -f "$vendor_wsdl" ]; then
    step "zeep: $rows rows"
    zeep "$rows" >> "$run"
  else
    echo "retrieve: no zeep peer or vendor WSDL beside the project; zeep skipped" >&2
  fi
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$run" "$rows" "$big" "$judge" "$profile" <<'PY'
import json, sys
path, rows, big, judge, profile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
runs = [json.loads(l) for l in open(path) if l.strip()]
ours = {r["rows"]: r for r in runs if r["client"] == "ours"}
zeep = next((r for r in runs if r["client"] == "zeep"), None)
mib = lambda kib: kib / 1024
print(f"\nSentEvent rows from `sfmc sandbox` in another process, {profile} build, pages of 2,500\n")
print("| client | rows | wall | rows/s | peak RSS |")
print("|---|---|---|---|---|")
for r in [ours[rows], ours[big]] + ([zeep] if zeep else []):
    print(f"| {r['client']} | {r['rows']:,} | {r['seconds']:.2f} s | {r['rows_per_s']:,.0f} | {mib(r['peak_rss_kib']):.1f} MiB |")
failures = []
small, large = ours[rows], ours[big]
growth = large["peak_rss_kib"] / small["peak_rss_kib"] - 1
print(f"\nours: peak RSS {mib(small['peak_rss_kib']):.1f} MiB at {rows:,} rows, "
      f"{mib(large['peak_rss_kib']):.1f} MiB at {big:,} ({growth:+.1%}; target within 10 %, < 32 MiB)")
if growth > 0.10:
    failures.append(f"peak RSS grew {growth:.1%} from {rows:,} to {big:,} rows")
if mib(small["peak_rss_kib"]) >= 32:
    failures.append(f"peak RSS {mib(small['peak_rss_kib']):.1f} MiB >= 32 MiB")
if zeep:
    ratio = small["rows_per_s"] / zeep["rows_per_s"]
    print(f"ours / zeep rows per second at {rows:,} rows: {ratio:.1f}x (target >= 30x)")
    if ratio < 30:
        failures.append(f"rows/s only {ratio:.1f}x zeep's")
if judge and failures:
    sys.exit("retrieve: targets missed: " + "; ".join(failures))
PY
