#!/usr/bin/env bash
# The cost of the generated bindings, for the shipped WSDL (wsdl/partnerAPI.wsdl) and the vendor's
# (each skipped when absent): `live`, the service's own WSDL of May 2024
# (../shared/partnerapi/etframework-live-2024-05.wsdl), and `java2017`, the 2017 copy the Java SDK
# vendors (../shared/partnerapi/etframework.wsdl):
#   - generation: time, peak memory and generated lines (codegen's `generate` example, release);
#   - the crate's own build, debug and release: wall time and peak memory of the largest process
#     (rustc), measured with /usr/bin/time -v after its dependencies are built
#     (`cargo clean -p sfmc-partnerapi` first, so the build script is built and run again), the
#     library alone (`-p sfmc-partnerapi`: default features, no `serde`; the workspace's other
#     crates are not rebuilt).
# Prints a table on stderr and, with --json, one JSON line per WSDL on stdout.
# Builds in the normal target folder and leaves it built for the shipped WSDL. Several minutes.
# Usage: bash bench/bindings-cost.sh [--json] [--no-release] [--upstream-only|--shipped-only]
# (--upstream-only: the vendor WSDLs only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

json=0 release=1 which=both
for a in "$@"; do
  case "$a" in
    --json) json=1 ;;
    --no-release) release=0 ;;
    --upstream-only) which=upstream ;;
    --shipped-only) which=shipped ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bindings-cost: unknown argument $a" >&2; exit 2 ;;
  esac
done

# Wall seconds and peak RSS (KiB) of a command: /usr/bin/time -v when present, else python's
# getrusage of the children.
measure() {
  local log; log=$(mktemp)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log"
    echo "$wall $rss"
  else
    rm -f "$log"
    python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if r.returncode != 0:
    sys.exit(r.returncode)
print("%.2f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
  fi
}

wsdls=()
if [ "$which" != shipped ]; then
  for v in live:etframework-live-2024-05.wsdl java2017:etframework.wsdl; do
    file="$root/../shared/partnerapi/${v#*:}"
    if [ -f "$file" ]; then
      wsdls+=("${v%%:*}:$(cd "$(dirname "$file")" && pwd)/$(basename "$file")")
    else
      echo "bindings-cost: $file not found; not measured" >&2
    fi
  done
fi
# The shipped WSDL last: the target folder ends up built for it.
case "$which" in
  both|shipped) wsdls+=("shipped:$root/wsdl/partnerAPI.wsdl") ;;
esac

# Runs a command with PARTNERAPI_WSDL for WSDL entry $1 (unset for the shipped one, as a plain
# `cargo build` would have it, so the build stays fresh for what runs next).
with_wsdl() {
  local w=$1; shift
  if [ "${w%%:*}" = shipped ]; then env -u PARTNERAPI_WSDL "$@"; else env PARTNERAPI_WSDL="${w#*:}" "$@"; fi
}

echo "== building the generator and the dependencies (not measured)" >&2
cargo build -q --release -p sfmc-partnerapi-codegen --example generate
for w in "${wsdls[@]}"; do
  with_wsdl "$w" cargo build -q -p sfmc-partnerapi --lib
  if [ "$release" = 1 ]; then with_wsdl "$w" cargo build -q --release -p sfmc-partnerapi --lib; fi
done

gen_dir=$(mktemp -d)
trap 'rm -rf "$gen_dir"' EXIT
printf '%-9s %9s %9s %10s %11s %11s %13s %13s\n' wsdl gen_s gen_MiB lines debug_s debug_MiB release_s release_MiB >&2
for w in "${wsdls[@]}"; do
  name=${w%%:*} wsdl=${w#*:}
  if [ "$name" = shipped ]; then envargs=(env -u PARTNERAPI_WSDL); else envargs=(env "PARTNERAPI_WSDL=$wsdl"); fi
  read -r gen_s gen_kib < <(measure "$target_dir/release/examples/generate" "$wsdl" "$gen_dir")
  lines=$(wc -l < "$gen_dir/partnerapi.rs")
  cargo clean -q -p sfmc-partnerapi
  read -r dbg_s dbg_kib < <(measure "${envargs[@]}" cargo build -q -p sfmc-partnerapi --lib)
  rel_s=null rel_kib=null
  if [ "$release" = 1 ]; then
    cargo clean -q --release -p sfmc-partnerapi
    read -r rel_s rel_kib < <(measure "${envargs[@]}" cargo build -q --release -p sfmc-partnerapi --lib)
  fi
  mib() { if [ "$1" = null ]; then echo null; else awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}'; fi; }
  printf '%-9s %9s %9s %10s %11s %11s %13s %13s\n' "$name" "$gen_s" "$(mib "$gen_kib")" "$lines" \
    "$dbg_s" "$(mib "$dbg_kib")" "$rel_s" "$(mib "$rel_kib")" >&2
  if [ "$json" = 1 ]; then
    printf '{"bench":"bindings","wsdl":"%s","generate_s":%s,"generate_peak_kib":%s,"generated_lines":%s,"debug_build_s":%s,"debug_peak_kib":%s,"release_build_s":%s,"release_peak_kib":%s}\n' \
      "$name" "$gen_s" "$gen_kib" "$lines" "$dbg_s" "$dbg_kib" "$rel_s" "$rel_kib"
  fi
done
# Leave the normal (shipped WSDL) build in place for whatever runs next.
if [ "$which" = upstream ]; then
  cargo build -q -p sfmc-partnerapi --lib
fi
