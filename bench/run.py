"""Benchmark runner: ours, NVIDIA's cuda-bindings and C, in one run.

    python bench/run.py --ours PYTHON --nvidia PYTHON [--rounds R] [--scale F]
                        [--write bench/RESULTS.md] [--json FILE]

Each PYTHON is an interpreter whose environment has one of the two packages
(never both in one environment).  The runner builds the C floor
(bench/floor.c) and the Cython module (bench/cython) against each package,
then, for R rounds, runs the C floor and each side's Python and Cython rows
in fresh processes, alternating sides; each row keeps its minimum over the
rounds.  Then the import and size figures (bench/footprint.py).  It prints
one table (C, NVIDIA, ours, ours/NVIDIA, overhead ratio = (ours - C) /
(NVIDIA - C)) with the targets, and with --write puts it in RESULTS.md.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CUDA_HOME = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"

# Rows with their own bound beyond the overhead ratio: row -> max ours/C.
LAUNCH_BOUNDS = {"cuLaunchKernel no args": 1.05, "cuLaunchKernel int void**": 1.05,
                 "cuLaunchKernel (values, types)": 1.25}
OVERHEAD_BOUND = 1 / 3      # (ours - C) / (NVIDIA - C)
CIMPORT_SLACK_NS = 2.0      # Cython through cimport: at most C + 2 ns
IMPORT_TIME_BOUND = 1 / 10  # ours / NVIDIA
IMPORT_RSS_BOUND = 1 / 4
SIZE_BOUND = 1 / 4


def run_json(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s%s" % (" ".join(cmd), out.returncode, out.stdout, out.stderr))
    return json.loads(out.stdout)


def build_floor(work):
    exe = os.path.join(work, "floor")
    cc = os.environ.get("CC", "cc")
    lib = os.path.join(CUDA_HOME, "lib64")
    subprocess.run([cc, "-O2", os.path.join(HERE, "floor.c"), "-I", os.path.join(CUDA_HOME, "include"),
                    "-L", lib, "-L", os.path.join(lib, "stubs"), "-lcudart_static", "-lnvrtc", "-lcuda",
                    "-ldl", "-lpthread", "-lrt", "-Wl,-rpath," + lib, "-o", exe], check=True)
    return exe


def tool_env(python):
    """PATH with the interpreter's own bin first (its meson, ninja, cython)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    return env


def build_cimport(python, work, side):
    build = os.path.join(work, "cython-" + side)
    env = tool_env(python)
    meson = [python, "-m", "mesonbuild.mesonmain"]
    for cmd in (meson + ["setup", build, os.path.join(HERE, "cython"), "-Dpython=" + python,
                         "-Dtoolkit_include=" + os.path.join(CUDA_HOME, "include")],
                meson + ["compile", "-C", build]):
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
        if out.returncode != 0:
            raise SystemExit("building the Cython rows for %s failed:\n%s%s" % (side, out.stdout, out.stderr))
    return build


def keep_min(into, result):
    for row, v in result["rows"].items():
        if "ns" in v and ("ns" not in into.get(row, {}) or v["ns"] < into[row]["ns"]):
            into[row] = v
        elif row not in into:
            into[row] = v


def measure(args, work):
    floor = build_floor(work)
    sides = {"nvidia": args.nvidia, "ours": args.ours}
    cython = {side: build_cimport(py, work, side) for side, py in sides.items()}
    res = {"C": {}, "python": {s: {} for s in sides}, "cimport": {s: {} for s in sides}, "impl": {}}
    scale = [str(args.scale)]
    for _ in range(args.rounds):
        keep_min(res["C"], run_json([floor] + scale))
        for side, py in sides.items():
            calls = [py, os.path.join(HERE, "calls.py"), "--json", "--scale"] + scale
            got = run_json(calls, cwd=work)
            res["impl"][side] = got["impl"]
            keep_min(res["python"][side], got)
            keep_min(res["cimport"][side], run_json(calls + ["--cimport", cython[side]], cwd=work))
    res["footprint"] = {side: run_json([py, os.path.join(HERE, "footprint.py"), "--json",
                                        "--runs", str(args.import_runs)], cwd=work)
                        for side, py in sides.items()}
    res["machine"] = machine(sides)
    return res


def machine(sides):
    def cmd(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=60).stdout.strip()
        except OSError:
            return ""
    cpu = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    return {
        "date": datetime.date.today().isoformat(),
        "gpu": cmd("nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"),
        "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
        "python": {s: cmd(py, "-c", "import sys; print(sys.version.split()[0])") for s, py in sides.items()},
        # BENCH_REV: the commit measured, where the tree has no usable git history
        "ours_rev": os.environ.get("BENCH_REV") or cmd("git", "-C", ROOT, "rev-parse", "--short", "HEAD"),
    }


def fmt(x, unit=""):
    return "–" if x is None else ("%.1f%s" % (x, unit) if x >= 10 else "%.2f%s" % (x, unit))


def ns(table, row):
    v = table.get(row, {})
    return v.get("ns")


def table(res):
    """Markdown tables and the list of failed targets."""
    lines, failed = [], []
    py, cy = res["python"], res["cimport"]
    lines += ["| call | C | NVIDIA | ours | ours/NVIDIA | overhead ratio | target | met |",
              "|---|---:|---:|---:|---:|---:|---|---|"]
    for row in py["ours"]:
        c = 0.0 if row == "CUstream(0)" else ns(res["C"], row)
        n, o = ns(py["nvidia"], row), ns(py["ours"], row)
        if n is None or o is None or c is None:
            lines.append("| %s | %s | %s | %s | | | | unmeasured |" % (row, fmt(c), fmt(n), fmt(o)))
            failed.append(row + " (unmeasured)")
            continue
        ratio = (o - c) / (n - c) if n > c else float("inf")
        target, ok = "overhead ≤ 1/3", ratio <= OVERHEAD_BOUND
        if row in LAUNCH_BOUNDS:
            bound = LAUNCH_BOUNDS[row]
            target += ", ≤ %.2f× C" % bound
            ok = ok and o <= bound * c
            target += " (%.3f×)" % (o / c)
        lines.append("| %s | %s | %s | %s | %.2f | %.2f | %s | %s |"
                     % (row, fmt(c) if row != "CUstream(0)" else "–", fmt(n), fmt(o), o / n, ratio, target,
                        "yes" if ok else "**no**"))
        if not ok:
            failed.append(row)
    lines += ["", "| call through `cimport` | C | NVIDIA (Cython) | ours (Cython) | ours − C | target | met |",
              "|---|---:|---:|---:|---:|---|---|"]
    for row in cy["ours"]:
        c, n, o = ns(res["C"], row), ns(cy["nvidia"], row), ns(cy["ours"], row)
        if None in (c, n, o):
            lines.append("| %s | %s | %s | %s | | | unmeasured |" % (row, fmt(c), fmt(n), fmt(o)))
            failed.append("cimport " + row + " (unmeasured)")
            continue
        ok = o <= c + CIMPORT_SLACK_NS
        lines.append("| %s | %s | %s | %s | %+.2f | ≤ C + 2 ns | %s |"
                     % (row, fmt(c), fmt(n), fmt(o), o - c, "yes" if ok else "**no**"))
        if not ok:
            failed.append("cimport " + row)
    fp = res["footprint"]
    lines += ["", "| footprint | NVIDIA | ours | ours/NVIDIA | target | met |", "|---|---:|---:|---:|---|---|"]
    for label, key, bound, unit in (("import driver+runtime+nvrtc", ("import", "ms"), IMPORT_TIME_BOUND, " ms"),
                                    ("added RSS of that import", ("import", "rss_mb"), IMPORT_RSS_BOUND, " MB"),
                                    ("installed size", ("size_mb",), SIZE_BOUND, " MB")):
        n, o = fp["nvidia"], fp["ours"]
        for k in key:
            n, o = n[k], o[k]
        ok = o <= bound * n
        lines.append("| %s | %s | %s | %.3f | ≤ 1/%d | %s |" % (label, fmt(n, unit), fmt(o, unit), o / n,
                                                                round(1 / bound), "yes" if ok else "**no**"))
        if not ok:
            failed.append(label)
    return lines, failed


def header(res):
    m, impl = res["machine"], res["impl"]
    return [
        "Measured %s by `bench/run.py` (rounds: %d, scale: %g)." % (m["date"], res["rounds"], res["scale"]),
        "",
        "- GPU: %s" % (m["gpu"] or "none"),
        "- CPU: %s (%s cores), %s" % (m["cpu"], m["cores"], m["os"]),
        "- Python: %s" % ", ".join("%s %s" % (s, v) for s, v in m["python"].items()),
        "- NVIDIA's cuda-bindings %s; ours %s at %s" % (impl.get("nvidia", {}).get("version"),
                                                       impl.get("ours", {}).get("version"), m["ours_rev"]),
        "- ns per call, minimum over repeats and rounds; each side in its own environment and process,",
        "  pinned to one CPU.  Overhead ratio = (ours − C) / (NVIDIA − C); CUstream(0) has no C call (C = 0).",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True, help="Python whose environment has our cuda.bindings")
    ap.add_argument("--nvidia", required=True, help="Python whose environment has NVIDIA's cuda-bindings")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every row's calls per repeat")
    ap.add_argument("--import-runs", type=int, default=15)
    ap.add_argument("--write", metavar="MD", help="write the tables to this file (bench/RESULTS.md)")
    ap.add_argument("--json", metavar="FILE", help="also save the raw figures")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cb-bench-") as work:
        res = measure(args, work)
    res["rounds"], res["scale"] = args.rounds, args.scale
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    lines, failed = table(res)
    text = "\n".join(header(res) + [""] + lines) + "\n"
    text += "\nTargets met: all.\n" if not failed else "\nTargets not met: %s.\n" % ", ".join(failed)
    print(text)
    if args.write:
        with open(args.write, "w") as f:
            f.write("# Benchmark results\n\n" + text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
