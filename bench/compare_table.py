#!/usr/bin/env python3
"""The table of bench/compare.sh: JSON lines of one run on stdin (ours, zeep, node-soap), a
Markdown table on stdout with the ratios (ours vs each peer, from the "best" = lowest repeat
mean of each side, all measured in this run) and the targets.

The targets are judged on the figures of the allocator the `sfmc` binary ships with (run
"wire"); the system allocator's ("wire_system", and "wire_notrim" with glibc's heap trimming off)
are shown beside them.

Usage: compare_table.py [--quick] [--no-judge] < run.jsonl
"""
import json
import platform
import sys

QUICK = "--quick" in sys.argv
JUDGE = "--no-judge" not in sys.argv

runs = {}
e2e = {}
bindings = {}
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    run = d.get("run")
    if run == "e2e" and d.get("bench") == "e2e_cancel":
        e2e[d["concurrency"]] = d
    elif run == "e2e":
        runs["e2e_rss"] = d
    elif run == "bindings":
        bindings[d["wsdl"]] = d
    else:
        runs[run] = d

ours = runs.get("wire", {})
system = runs.get("wire_system", {})
notrim = runs.get("wire_notrim", {})
ALLOC = ours.get("allocator", "?")
zeep = runs.get("zeep")
node = runs.get("node-soap")
rss = runs.get("rss", {})


def best(d, key):
    try:
        return float(d[key]["min_us"])
    except (KeyError, TypeError):
        return None


def median(d, key):
    try:
        return float(d[key]["median_us"])
    except (KeyError, TypeError):
        return None


def us(v):
    if v is None:
        return "-"
    if v >= 10000:
        return "%s ms" % format(v / 1000, ",.1f")
    if v >= 1000:
        return "%s ms" % format(v / 1000, ",.2f")
    if v >= 10:
        return "%.0f µs" % v
    return "%.2f µs" % v


def ratio(peer, mine):
    if peer is None or mine is None or mine <= 0:
        return None
    return peer / mine


def fx(r):
    return "-" if r is None else ("%sx" % format(r, ",.0f") if r >= 10 else "%.1fx" % r)


def verdict(ok):
    if not JUDGE or ok is None:
        return "-"
    return ("met" if ok else "NOT met") + (" (quick run)" if QUICK else "")


rows = []
# (label, key in ours, key in peers, target ratio vs zeep, vs node)
for label, key, tz, tn in [
    ("WSDL load + client construct", "client_build", None, None),
    ("write the cancel request", "serialize_small", 100, 25),
    ("read the small response (1 result)", "parse_small", 100, 25),
    ("read the 1,000-result response", "parse_1000", 100, 25),
]:
    variants = [("", ours)]
    if key in ("parse_small", "parse_1000"):
        variants = [(" (%s, as sfmc)" % ALLOC, ours)]
        if system:
            variants.append((" (system allocator: glibc malloc)", system))
        if notrim and key == "parse_1000":
            variants.append((" (glibc malloc, heap trimming off)", notrim))
    for i, (suffix, d) in enumerate(variants):
        mine = best(d, key)
        pk = "wsdl_load_client_construct" if key == "client_build" else key
        z, n = best(zeep or {}, pk), best(node or {}, pk)
        rz, rn = ratio(z, mine), ratio(n, mine)
        if key == "client_build":
            target = "µs, no WSDL parsing"
            ok = mine is not None and mine < 1000
        else:
            target = ">= %dx zeep, >= %dx node-soap" % (tz, tn) if i == 0 else "(shown)"
            ok = None
            if i == 0 and (rz is not None or rn is not None):
                ok = (rz is None or rz >= tz) and (rn is None or rn >= tn)
        rows.append((label + suffix, "%s (median %s)" % (us(mine), us(median(d, key))), us(z),
                     us(n), fx(rz), fx(rn), target, verdict(ok)))

for suffix, d, judged in [(" (%s, as sfmc)" % ALLOC, ours, True),
                          (" (system allocator: glibc malloc)", system, False),
                          (" (glibc malloc, heap trimming off)", notrim, False)]:
    if not d:
        continue
    over = d.get("parse_1000_over_raw") or {}
    r_raw = over.get("best")
    faults = d.get("parse_1000_minor_faults_per_read")
    rows.append(("read 1,000 vs raw quick-xml scan of the same bytes" + suffix,
                 "%s vs %s raw: %s (pairs: best %s, median %s; %s page faults per read)" % (
                     us(best(d, "parse_1000")), us(best(d, "raw_scan_1000")), fx(r_raw),
                     fx(over.get("best_pair")), fx(over.get("median_pair")),
                     "?" if faults is None else "%.0f" % faults),
                 "", "", "", "", "<= 3x" if judged else "(shown)",
                 verdict(None if r_raw is None or not judged else r_raw <= 3)))

for c in sorted(e2e):
    d = e2e[c]
    mine = "%s cancels/s, p50 %.2f ms, p99 %.2f ms (%d requests, %d errors)" % (
        format(d["cancels_per_s"], ",.0f"), d["p50_ms"], d["p99_ms"], d["requests"], d["errors"])
    target, ok = "", None
    if c == 16:
        target = ">= 5,000/s, p99 < 10 ms"
        ok = d["cancels_per_s"] >= 5000 and d["p99_ms"] < 10 and d["errors"] == 0
    rows.append(("end to end, concurrency %d" % c, mine, "", "", "", "", target, verdict(ok)))

mib = lambda kib: None if kib is None else kib / 1024.0
ext = mib(rss.get("external_sandbox_kib"))
inp = mib(rss.get("in_process_sandbox_kib"))
zr = (zeep or {}).get("peak_rss_mib")
nr = (node or {}).get("peak_rss_mib")
fmt_mib = lambda v: "-" if v is None else "%.1f MiB" % v
rows.append(("peak RSS, sfmc cancelling one send (external sandbox)", fmt_mib(ext),
             fmt_mib(zr), fmt_mib(nr), fx(ratio(zr, ext)), fx(ratio(nr, ext)), "< 20 MiB",
             verdict(None if ext is None else ext < 20)))
rows.append(("peak RSS, sfmc --sandbox cancel-send 29605", fmt_mib(inp), "", "", "", "",
             "< 20 MiB", verdict(None if inp is None else inp < 20)))

# Budgets: the service's own WSDL (May 2024) is the one maintainers regenerate from.
for name in ("live", "java2017", "shipped"):
    b = bindings.get(name)
    if not b:
        continue
    dbg = b["debug_build_s"]
    peak = b["debug_peak_kib"] / 1024.0
    judged = name == "live"
    rows.append(("bindings, %s WSDL: generation" % name,
                 "%.2f s, %s lines" % (b["generate_s"], format(b["generated_lines"], ",")),
                 "", "", "", "", "< 0.5 s, < 30,000 lines" if judged else "",
                 verdict(b["generate_s"] < 0.5 and b["generated_lines"] < 30000)
                 if judged else "-"))
    rel = "" if b["release_build_s"] is None else ", release %.1f s, %.0f MiB" % (
        b["release_build_s"], b["release_peak_kib"] / 1024.0)
    rows.append(("bindings, %s WSDL: crate build" % name,
                 "debug %.1f s, %.0f MiB%s" % (dbg, peak, rel), "", "", "", "",
                 "debug < 20 s, < 1 GB" if judged else "",
                 verdict(dbg < 20 and peak < 1024) if judged else "-"))

head = ("what", "ours (best)", "zeep (best)", "node-soap (best)", "vs zeep", "vs node-soap",
        "target", "")
print()
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
cpu = ""
try:
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
except OSError:
    pass
try:
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
except OSError:
    load = "?"
peer_versions = []
if zeep:
    peer_versions.append("zeep %s (lxml %s, CPython %s)" % (zeep.get("zeep"), zeep.get("lxml"),
                                                             zeep.get("python")))
if node:
    peer_versions.append("node-soap %s (Node %s)" % (node.get("soap"), node.get("node")))
print("Machine: %s, %s CPUs (%s), load average at the end %s. Ratios = peer best / ours best, "
      "same run. %s" % (platform.machine(), __import__("os").cpu_count(), cpu or "?", load,
                        "; ".join(peer_versions)))
if QUICK:
    print("Quick run: fewer iterations; figures are indicative only.")
