"""cuda.bindings.nvml: import cost and per-call cost, ours against NVIDIA's
and against the same calls from C, in one run.

    python bench/nvml.py --ours PYTHON --nvidia PYTHON [--runs N] [--json]

Import: N fresh interpreters each time `import cuda.bindings.nvml`, the
median time and resident-set growth (and whether numpy came with it).
Calls: device_get_count_v2(), device_get_handle_by_index_v2(0),
device_get_memory_info_v2(h) and device_get_utilization_rates(h), best of
5 rounds of timeit, in ns per call; the C floor (bench/nvml_floor.c, built
here with cc) makes the same calls through dlopen'd libnvidia-ml.so.1.
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


def c_floor():
    """ns per call of the same four calls from C, or {"error": why}."""
    d = tempfile.mkdtemp()
    exe = os.path.join(d, "nvml_floor")
    r = subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "nvml_floor.c"), "-ldl"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr.strip()[-300:]}
    r = subprocess.run([exe], capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else {"error": (r.stdout + r.stderr).strip()[-300:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--nvidia", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = {"import": {side: import_cost(py, args.runs) for side, py in (("ours", args.ours), ("nvidia", args.nvidia))},
           "calls": {}, "floor": c_floor()}
    for side, py in (("ours", args.ours), ("nvidia", args.nvidia)):
        calls, empty = run_child(py, CALLS_CHILD), run_child(py, EMPTY_CHILD)
        res["calls"][side] = calls if "error" in calls else {k: v - empty for k, v in calls.items()}
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
    ours, theirs, floor = res["calls"]["ours"], res["calls"]["nvidia"], res["floor"]
    if "error" in ours or "error" in theirs:
        print("calls: %s" % (ours.get("error") or theirs.get("error")))
        return
    print("per call, ns (best of 5 x 2000, the loop's own cost taken off):")
    print("  %-34s %8s %8s %8s %10s %10s" % ("", "C", "ours", "NVIDIA", "NVIDIA/ours", "ours/C"))
    for name in ours:
        c = floor.get(name) if "error" not in floor else None
        print("  %-34s %8s %8.0f %8.0f %10.2f %10s" % (
            name, "%.0f" % c if c else "-", ours[name], theirs[name], theirs[name] / ours[name],
            "%.2f" % (ours[name] / c) if c else "-"))
    if "error" in floor:
        print("  C floor: %s" % floor["error"])


if __name__ == "__main__":
    sys.exit(main())
