#!/usr/bin/env bash
# Ours next to zeep and node-soap, in one run, with the ratios and the targets.
#
#   bash bench/compare.sh            # release build, full figures, both peers (~3-4 min)
#   bash bench/compare.sh --quick    # fewer iterations and requests (~1 min after the build)
#   bash bench/compare.sh --smoke    # debug build, tiny counts, no peers, targets not judged (CI)
#
# Options: --quick, --smoke, --no-peers, --bindings (also bench/bindings-cost.sh: several more
# minutes), --debug (dev profile instead of release).
#
# Ours: examples/bench_wire (client build, write the cancel request, read the small and the
# 1,000-result response, raw quick-xml scan of the same bytes) with mimalloc, the allocator the
# `sfmc` binary ships with; the same harness with the system allocator (examples/bench_wire_system:
# glibc's malloc, which returns the freed results to the kernel after every read), and once more
# with glibc's heap trimming off; examples/load (cancels per second and latency against
# `sfmc sandbox` in another process, loopback, concurrency 1/16/64), peak RSS of `sfmc`
# cancelling one send (in-process sandbox, and an external `sfmc sandbox`).
# Peers: ../shared/peers/{zeep,node-soap}/bench.sh (or $PEERS_DIR); they keep their venv and
# node_modules in ~/.cache/partnerapi-peers. Nothing is written into ../shared: results go to
# target/compare/ (raw JSON lines) and the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

quick=0 smoke=0 peers=1 bindings=0 profile=release
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --smoke) smoke=1 quick=1 peers=0 profile=debug ;;
    --no-peers) peers=0 ;;
    --bindings) bindings=1 ;;
    --debug) profile=debug ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "compare: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done
peers_dir=${PEERS_DIR:-$root/../shared/peers}
out_dir=$root/target/compare
mkdir -p "$out_dir"
run="$out_dir/run-$(date +%Y%m%d-%H%M%S).jsonl"
: > "$run"
start=$(date +%s)
step() { echo "== [$(( $(date +%s) - start ))s] $*" >&2; }

quick_flag=()
[ "$quick" = 1 ] && quick_flag=(--quick)
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)
bin=${CARGO_TARGET_DIR:-$root/target}/$profile

step "build ($profile): sfmc, examples bench_wire, bench_wire_system and load"
cargo build -q "${cargo_profile[@]}" --bin sfmc --example bench_wire --example bench_wire_system \
  --example load

# Tags a JSON line: {"run":TAG, ...}.
tag() { sed "s/^{/{\"run\":\"$1\",/"; }

step "ours: wire (write, read, raw scan, client build; mimalloc, as sfmc)"
"$bin/examples/bench_wire" "${quick_flag[@]}" | tag wire >> "$run"
step "ours: wire with the system allocator (glibc malloc)"
"$bin/examples/bench_wire_system" "${quick_flag[@]}" | tag wire_system >> "$run"
step "ours: wire with the system allocator, glibc's heap trimming off"
GLIBC_TUNABLES=glibc.malloc.trim_threshold=1073741824 \
  "$bin/examples/bench_wire_system" "${quick_flag[@]}" | tag wire_notrim >> "$run"

step "ours: end to end (sfmc sandbox in another process, loopback)"
load_args=(--sfmc "$bin/sfmc")
[ "$quick" = 1 ] && load_args+=(--quick)
[ "$smoke" = 1 ] && load_args+=(--requests 20)
"$bin/examples/load" "${load_args[@]}" | tag e2e >> "$run"

step "ours: peak RSS of sfmc cancelling one send"
rss_in=$(peak_rss "$bin/sfmc" --sandbox cancel-send 29605)
trap sandbox_stop EXIT
sandbox_start "$bin/sfmc"
base=$sb_base
rss_ext=$(SFMC_AUTH_URL=$base SFMC_CLIENT_ID=demo-client-id SFMC_CLIENT_SECRET=demo-client-secret SFMC_TOKEN_CACHE=off \
  peak_rss "$bin/sfmc" cancel-send 29606)
sandbox_stop
printf '{"run":"rss","bench":"cli_rss","profile":"%s","in_process_sandbox_kib":%s,"external_sandbox_kib":%s}\n' \
  "$profile" "$rss_in" "$rss_ext" >> "$run"

if [ "$peers" = 1 ]; then
  if [ -d "$peers_dir" ]; then
    step "peer: zeep ($peers_dir/zeep/bench.sh ${quick_flag[*]:-})"
    bash "$peers_dir/zeep/bench.sh" "${quick_flag[@]}" | tag zeep >> "$run"
    step "peer: node-soap ($peers_dir/node-soap/bench.sh ${quick_flag[*]:-})"
    bash "$peers_dir/node-soap/bench.sh" "${quick_flag[@]}" | tag node-soap >> "$run"
  else
    echo "compare: $peers_dir not found: the peers are left out" >&2
  fi
fi

if [ "$bindings" = 1 ]; then
  step "bindings: generation and build cost (bench/bindings-cost.sh)"
  bash bench/bindings-cost.sh --json | tag bindings >> "$run"
fi

step "done: raw figures in ${run#"$root"/}"
table_args=()
[ "$quick" = 1 ] && table_args+=(--quick)
[ "$smoke" = 1 ] && table_args+=(--no-judge)
[ "$profile" = debug ] && table_args+=(--no-judge)
python3 bench/compare_table.py "${table_args[@]}" < "$run"
