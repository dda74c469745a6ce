"""cuda.bindings.nvml: import cost and per-call cost, ours against NVIDIA's
and against the same calls from C, in one run.

    python bench/nvml.py --ours PYTHON --nvidia PYTHON [--runs N] [--json]

Import: N fresh interpreters each time `import cuda.bindings.nvml`, the
median time and resident-set growth (and whether numpy came with it).
Calls: device_get_count_v2(), device_get_handle_by_index_v2(0),
device_get_memory_info_v2(h) and device_get_utilization_rates(h), in ns per
call; the C floor (bench/nvml_floor.c, built here with cc) makes the same
calls through dlopen'd libnvidia-ml.so.1.  Each of --rounds rounds starts
a fresh process per side (C, ours, NVIDIA's, in turn, all on one CPU) that
takes its best of 5 timeit repeats; a row shows the median over rounds and
the spread (lowest-highest), since one process alone can be off by 100 ns.
NVML needs a GPU and its driver; without them the call rows say so.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import bench_common as common

HERE = os.path.dirname(os.path.abspath(__file__))

IMPORT_CHILD = common.import_child("import cuda.bindings.nvml")

CALLS_CHILD = r"""
import json, timeit
from cuda.bindings import nvml
nvml.init_v2()
h = nvml.device_get_handle_by_index_v2(0)
rows = {
    "device_get_count_v2()": lambda: nvml.device_get_count_v2(),
    "device_get_handle_by_index_v2(0)": lambda: nvml.device_get_handle_by_index_v2(0),
    "device_get_memory_info_v2(h)": lambda: nvml.device_get_memory_info_v2(h),
    "device_get_utilization_rates(h)": lambda: nvml.device_get_utilization_rates(h),
}
out = {}
for name, f in rows.items():
    f()
    n = 2000
    best = min(timeit.repeat(f, number=n, repeat=5)) / n
    out[name] = best * 1e9
nvml.shutdown()
print(json.dumps(out))
"""
# The lambda's own cost, taken off each Python row: the same loop calling nothing.
EMPTY_CHILD = r"""
import json, timeit
f = lambda: None
print(json.dumps(min(timeit.repeat(f, number=20000, repeat=5)) / 20000 * 1e9))
"""


def run_child(python, code):
    r = subprocess.run([python, "-P", "-c", code], capture_output=True, text=True, cwd="/")
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]}
    return json.loads(r.stdout)


def import_cost(python, runs):
    samples = [run_child(python, IMPORT_CHILD) for _ in range(runs + 1)][1:]   # the first writes caches
    if any("error" in s for s in samples):
        return next(s for s in samples if "error" in s)
    return {"ms": statistics.median(s["ms"] for s in samples),
            "rss_mb": statistics.median(s["rss_mb"] for s in samples),
            "numpy": any(s["numpy"] for s in samples), "runs": runs}


def build_c_floor():
    """The C floor's program, or {"error": why}."""
    exe = os.path.join(tempfile.mkdtemp(), "nvml_floor")
    r = subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "nvml_floor.c"), "-ldl"],
                       capture_output=True, text=True)
    return exe if r.returncode == 0 else {"error": r.stderr.strip()[-300:]}


def c_floor(exe):
    """ns per call of the same four calls from C, or {"error": why}."""
    if isinstance(exe, dict):
        return exe
    r = subprocess.run([exe], capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else {"error": (r.stdout + r.stderr).strip()[-300:]}


def python_calls(python):
    """One process's ns per call, the loop's own cost taken off."""
    calls, empty = run_child(python, CALLS_CHILD), run_child(python, EMPTY_CHILD)
    return calls if "error" in calls else {k: v - empty for k, v in calls.items()}


def call_rounds(ours, nvidia, rounds):
    """{"C"|"ours"|"nvidia": {row: {"median", "low", "high"}} or {"error": why}}."""
    samples = {"C": [], "ours": [], "nvidia": []}
    floor = build_c_floor()
    for _ in range(rounds):
        for side, take in (("C", lambda: c_floor(floor)), ("ours", lambda: python_calls(ours)),
                           ("nvidia", lambda: python_calls(nvidia))):
            samples[side].append(take())
    out = {}
    for side, got in samples.items():
        bad = next((g for g in got if "error" in g), None)
        out[side] = bad or {row: {"median": statistics.median(g[row] for g in got),
                                  "low": min(g[row] for g in got), "high": max(g[row] for g in got)}
                            for row in got[0]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--nvidia", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    common.pin_to_one_cpu()
    res = {"import": {side: import_cost(py, args.runs) for side, py in (("ours", args.ours), ("nvidia", args.nvidia))},
           "calls": call_rounds(args.ours, args.nvidia, args.rounds)}
    if args.json:
        print(json.dumps(res, indent=1))
        return
    imp = res["import"]
    print("import cuda.bindings.nvml (median of %d fresh interpreters):" % args.runs)
    for side in ("ours", "nvidia"):
        s = imp[side]
        print("  %-7s %s" % (side, s["error"] if "error" in s else
                             "%.2f ms, +%.1f MB RSS, numpy imported: %s" % (s["ms"], s["rss_mb"], s["numpy"])))
    if "error" not in imp["ours"] and "error" not in imp["nvidia"]:
        print("  NVIDIA's / ours: %.1fx" % (imp["nvidia"]["ms"] / imp["ours"]["ms"]))
    calls = res["calls"]
    ours, theirs, floor = calls["ours"], calls["nvidia"], calls["C"]
    if "error" in ours or "error" in theirs:
        print("calls: %s" % (ours.get("error") or theirs.get("error")))
        return
    print("per call, ns: median of %d rounds (lowest-highest), the loop's own cost taken off:" % args.rounds)
    print("  %-34s %16s %16s %16s %7s %7s" % ("", "C", "ours", "NVIDIA", "NV/ours", "ours/C"))
    spread = lambda r: "%.0f (%.0f-%.0f)" % (r["median"], r["low"], r["high"])
    for name in ours:
        c = floor[name]["median"] if "error" not in floor else None
        print("  %-34s %16s %16s %16s %7.2f %7s" % (
            name, spread(floor[name]) if c else "-", spread(ours[name]), spread(theirs[name]),
            theirs[name]["median"] / ours[name]["median"], "%.2f" % (ours[name]["median"] / c) if c else "-"))
    if "error" in floor:
        print("  C floor: %s" % floor["error"])


if __name__ == "__main__":
    sys.exit(main())
