#!/usr/bin/env bash
# What an application pays to depend on the library: this landing against the previous one
# (git commit e862953, or $PREVIOUS), measured in the same run.
#
# For each case a throwaway application is made in a temp folder: its Cargo.toml depends on the
# library by path (plus tokio with `macros` and `rt-multi-thread`, which the example needs) and its
# src/main.rs is the first Rust block of that landing's README section "Library usage" (the
# `Client::builder() ... cancel_send ...` example). Cases:
#   - this:              this working tree, default features;
#   - previous-nodefault: the previous landing, `default-features = false` (as the issue measured);
#   - previous-default:   the previous landing, default features (`sandbox`, `mimalloc`).
# The previous landing is exported with `git archive` into the temp folder (the repository is not
# touched). Each application starts from its landing's Cargo.lock (the same dependency versions as
# the landing's own build) and `cargo fetch`es before anything is timed; the timed build is
# `cargo build --offline` into an empty target folder of its own, so nothing is downloaded and
# nothing is reused (RUSTC_WRAPPER is unset: no compiler cache).
#
# Reported per case:
#   - tree:     distinct crate names in the application's normal dependency tree, the library
#               included and the application itself left out (`cargo tree -e normal --prefix
#               none`, as the issue counted: two versions of a crate count once); build
#               dependencies (the generator, xsd-parser, syn behind build.rs) are not in it, proc
#               macros used as normal dependencies are (tokio-macros: the example's own);
#   - compiled: `Compiling` lines of the clean build (every package built, build-dependencies and
#               build scripts' packages included, the application itself included);
#   - build_s:  wall time of the clean debug `cargo build` (the best of --runs N, default 1).
# Then the ratios and the issue's targets (at most 110 crates in the tree; a clean build at least
# 30% faster than the previous landing without default features).
#
# Usage: bash bench/app-build.sh [--runs N] [--keep]    (--keep: leave the temp folder)
# Several minutes of CPU: the three clean builds are most of it. Times on a shared machine are
# noisy: run it when the machine is otherwise idle, or with --runs 3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

previous=${PREVIOUS:-e862953}
runs=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "app-build: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$runs" in '' | *[!0-9]* | 0) echo "app-build: --runs takes a positive number" >&2; exit 2 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/app-build.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "app-build: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
start=$(date +%s)
step() { echo "== [app-build $(( $(date +%s) - start ))s] $*" >&2; }

# Nothing cached, nothing from the caller's settings of the library's own build.
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR RUSTFLAGS \
  PARTNERAPI_WSDL
export CARGO_TERM_COLOR=never CARGO_TERM_PROGRESS_WHEN=never

step "the previous landing ($previous) into $work/previous"
mkdir -p "$work/previous"
git -C "$root" archive --format=tar "$previous" | tar -x -C "$work/previous"

# The first ```rust block after "## Library usage" in README file $1, rustdoc's hidden-line
# markers (`# `) removed.
readme_example() {
  awk '
    /^## Library usage/ { section = 1; next }
    section && /^## / { exit }
    section && !inside && /^```rust/ { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }
  ' "$1" | sed -E 's/^# ?$//; s/^# //'
}

# make_app DIR LIBRARY_PATH DEPENDENCY_OPTIONS LOCKFILE README
make_app() {
  local dir=$1 lib=$2 options=$3 lock=$4 readme=$5
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<EOF
[package]
name = "app"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
sfmc-partnerapi = { path = "$lib"$options }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

# A workspace of its own, whatever folder it lands in.
[workspace]
EOF
  readme_example "$readme" > "$dir/src/main.rs"
  if [ ! -s "$dir/src/main.rs" ]; then
    echo "app-build: no Rust block under \"## Library usage\" in $readme" >&2
    exit 1
  fi
  cp "$lock" "$dir/Cargo.lock"
  (cd "$dir" && cargo fetch -q)
}

cases=(this previous-nodefault previous-default)
make_app "$work/this" "$root" "" "$root/Cargo.lock" "$root/README.md"
make_app "$work/previous-nodefault" "$work/previous" ", default-features = false" \
  "$work/previous/Cargo.lock" "$work/previous/README.md"
make_app "$work/previous-default" "$work/previous" "" \
  "$work/previous/Cargo.lock" "$work/previous/README.md"

declare -A tree compiled build_s
for c in "${cases[@]}"; do
  tree[$c]=$(cd "$work/$c" && cargo tree -q --offline -e normal --prefix none |
    sed 's/ v[0-9].*//' | grep -vx app | sort -u | wc -l)
done

now() { date +%s.%N; }
for run in $(seq "$runs"); do
  # Interleaved, so that a busy spell of the machine does not fall on one case only.
  for c in "${cases[@]}"; do
    step "clean debug build, $c (run $run of $runs)"
    rm -rf "$work/$c/target"
    log="$work/$c/build-$run.log"
    t0=$(now)
    if ! (cd "$work/$c" && cargo build --offline) >"$log" 2>&1; then
      tail -n 40 "$log" >&2
      echo "app-build: the $c application does not build (log: $log; --keep leaves it)" >&2
      exit 1
    fi
    t1=$(now)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    compiled[$c]=$(grep -c '^ *Compiling ' "$log")
    if [ -z "${build_s[$c]:-}" ] || awk -v x="$s" -v y="${build_s[$c]}" 'BEGIN { exit !(x < y) }'; then
      build_s[$c]=$s
    fi
  done
done

echo
echo "An application building the README's library example (clean debug build, $(nproc) CPUs;"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; best of $runs run(s)):"
echo
printf '| %-44s | %5s | %8s | %8s |\n' "library" tree compiled build_s
printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "-------" "----------" "----------"
label() {
  case "$1" in
    this) echo "this landing ($(git -C "$root" rev-parse --short HEAD)), default features" ;;
    previous-nodefault) echo "previous ($previous), default-features = false" ;;
    previous-default) echo "previous ($previous), default features" ;;
  esac
}
for c in "${cases[@]}"; do
  printf '| %-44s | %5s | %8s | %8s |\n' "$(label "$c")" "${tree[$c]}" "${compiled[$c]}" "${build_s[$c]}"
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
faster() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (1 - a / b) * 100 }'; }
for p in previous-nodefault previous-default; do
  echo "this vs $(label "$p"): tree ${tree[this]} vs ${tree[$p]}, compiled ${compiled[this]} vs ${compiled[$p]}, build ${build_s[this]} s vs ${build_s[$p]} s: $(ratio "${build_s[$p]}" "${build_s[this]}")x, $(faster "${build_s[this]}" "${build_s[$p]}")% faster"
done
verdict() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
tree_ok=$([ "${tree[this]}" -le 110 ] && echo 1 || echo 0)
time_ok=$(awk -v a="${build_s[this]}" -v b="${build_s[previous-nodefault]}" 'BEGIN { print (a <= 0.7 * b) ? 1 : 0 }')
echo "target: at most 110 crates in the normal tree: ${tree[this]} ($(verdict "$tree_ok"))"
echo "target: clean build at least 30% faster than the previous landing without default features: $(faster "${build_s[this]}" "${build_s[previous-nodefault]}")% ($(verdict "$time_ok"))"
