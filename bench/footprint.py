"""Import cost and installed size of cuda.bindings (ours or NVIDIA's).

    python bench/footprint.py [--runs N] [--json]

Import: N fresh interpreters (after one warm-up that lets Python write its
bytecode caches) each time `import cuda.bindings.driver, runtime, nvrtc`
and read the resident set before and after; the medians are reported.
Size: the bytes of the installed package's files, without bytecode caches
and without the libraries only NVIDIA's package has (NVML, cuFile, cuDLA,
and NVVM and nvFatbin, which ours does not ship yet), so that both sides
count the same modules.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import bench_common as common

CHILD = common.import_child("import cuda.bindings.driver, cuda.bindings.runtime, cuda.bindings.nvrtc")

# Left out of the size on both sides (file names containing these).
NOT_COUNTED = ("nvml", "cufile", "cudla", "nvvm", "nvfatbin")


def import_cost(runs):
    samples = []
    for i in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, cwd="/",
                             check=True).stdout
        if i:  # the first run writes bytecode caches
            samples.append(json.loads(out))
    return {"ms": statistics.median(s["ms"] for s in samples),
            "rss_mb": statistics.median(s["rss_mb"] for s in samples), "runs": runs}


def installed_size(path):
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files
                     if not any(k in f.lower() for k in NOT_COUNTED))
    return total / 2**20


def run(runs):
    impl = common.describe_bindings()
    return {"impl": impl, "import": import_cost(runs), "size_mb": installed_size(impl["path"])}


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
        print("installed size: %.2f MB" % result["size_mb"])


if __name__ == "__main__":
    main()
