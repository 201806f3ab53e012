# Sourced by the bench scripts: an external `sfmc sandbox` on a free loopback port.
#
#   sandbox_start SFMC_BIN [SANDBOX ARGS...]   # starts it, waits until it serves; sets $sb_base
#                                              # (http://127.0.0.1:PORT) and $sb_pid
#   sandbox_stop                               # stops it (also safe when none runs)
#
# Callers add `sandbox_stop` to their EXIT trap. The sandbox's own output goes to $sb_out.
sb_pid=""
sb_base=""
sb_out=""

sandbox_start() {
  local bin=$1
  shift
  sandbox_stop
  sb_out=$(mktemp)
  SFMC_TOKEN_CACHE=off "$bin" sandbox --listen 127.0.0.1:0 --quiet "$@" > "$sb_out" 2>&1 &
  sb_pid=$!
  sb_base=""
  for _ in $(seq 600); do
    if grep -q '^serving until' "$sb_out" 2>/dev/null; then
      sb_base=$(sed -n 's#^token URL: \(http://[^ ]*\)/v2/token$#\1#p' "$sb_out")
      break
    fi
    kill -0 "$sb_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$sb_base" ]; then
    echo "bench: the sandbox did not start:" >&2
    tail -n 5 "$sb_out" >&2
    return 1
  fi
}

sandbox_stop() {
  if [ -n "$sb_pid" ]; then
    kill "$sb_pid" 2>/dev/null || true
    wait "$sb_pid" 2>/dev/null || true
    sb_pid=""
  fi
  if [ -n "$sb_out" ]; then
    rm -f "$sb_out"
    sb_out=""
  fi
}

# Peak RSS (KiB) of a command, its output discarded: /usr/bin/time -v when present, else
# python's getrusage of the child. Fails when the command fails.
peak_rss() {
  if [ -x /usr/bin/time ]; then
    local log
    log=$(mktemp)
    if ! /usr/bin/time -v "$@" > /dev/null 2> "$log"; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    awk -F': ' '/Maximum resident set size/ {print $2}' "$log"
    rm -f "$log"
  else
    python3 - "$@" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if r.returncode != 0:
    sys.exit(r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
  fi
}
