"""Import cost and installed size of cuda.bindings (ours or NVIDIA's).

    python bench/footprint.py [--runs N] [--json]

Import: N fresh interpreters (after one warm-up that lets Python write its
bytecode caches) each time import a module and read the resident set
before and after; the medians are reported: for each module alone, for
every module at once, and for `driver, runtime, nvrtc` (what most users
import).  Size: the bytes of the installed package's files, without
bytecode caches (both packages bind the same modules; neither ships the
libraries).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import bench_common as common

MODULES = ("driver", "runtime", "nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla")
COMMON = ("driver", "runtime", "nvrtc")


def importing(modules):
    return common.import_child("import " + ", ".join("cuda.bindings." + m for m in modules))


def import_cost(runs, modules=COMMON):
    child = importing(modules)
    samples = []
    for i in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd="/",
                             check=True).stdout
        if i:  # the first run writes bytecode caches
            samples.append(json.loads(out))
    return {"ms": statistics.median(s["ms"] for s in samples),
            "rss_mb": statistics.median(s["rss_mb"] for s in samples), "runs": runs}


def installed_size(path):
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 2**20


def run(runs):
    impl = common.describe_bindings()
    return {"impl": impl, "import": import_cost(runs), "import_all": import_cost(runs, MODULES),
            "imports": {m: import_cost(runs, (m,)) for m in MODULES}, "size_mb": installed_size(impl["path"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="fresh interpreters to time (median)")
    ap.add_argument("--json", action="store_true", help="print JSON (for the runner)")
    args = ap.parse_args()
    result = run(args.runs)
    if args.json:
        json.dump(result, sys.stdout)
    else:
        imp = result["import"]
        print(result["impl"])
        print("import driver+runtime+nvrtc: %.2f ms, +%.2f MB RSS (median of %d)"
              % (imp["ms"], imp["rss_mb"], imp["runs"]))
        for m, imp in dict(result["imports"], **{"every module": result["import_all"]}).items():
            print("import %s: %.2f ms, +%.2f MB RSS" % (m, imp["ms"], imp["rss_mb"]))
        print("installed size: %.2f MB" % result["size_mb"])


if __name__ == "__main__":
    main()
