"""Benchmark runner: ours, NVIDIA's cuda-bindings and C, in one run.

    python bench/run.py --ours PYTHON --nvidia PYTHON [--rounds R] [--scale F]
                        [--write bench/RESULTS.md] [--json FILE]

Each PYTHON is an interpreter whose environment has one of the two packages
(never both in one environment).  The runner builds the C floor
(bench/floor_rows.c, as a library and as the program bench/floor.c) and the
Cython module (bench/cython) against each package.  Then, for R rounds, it
runs each side's benchmark process in turn (bench/calls.py: the Python,
Cython and C repeats of each row alternate inside that one process) and the
C program alone; a process reports each figure's best of its repeats, and
the tables show each figure's median over the rounds.  A row's overhead
ratio, (ours - C) / (NVIDIA - C), each side against the C timed in its own
process, is taken in each round: the tables show its median, which is what
a target is met by, and its spread (lowest-highest) across the rounds.  Then
the import and size figures (bench/footprint.py).  With --write the tables
go to RESULTS.md.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import bench_common as common
import calls

HERE = common.HERE
ROOT = os.path.dirname(HERE)
CUDA_HOME = common.CUDA_HOME

# Rows with their own bound beyond the overhead ratio: row -> max ours/C.
LAUNCH_BOUNDS = {"cuLaunchKernel no args": 1.05, "cuLaunchKernel int void**": 1.05,
                 "cuLaunchKernel (values, types)": 1.25}
OVERHEAD_BOUND = 1 / 3      # (ours - C) / (NVIDIA - C)
CIMPORT_SLACK_NS = 2.0      # Cython through cimport: at most C + 2 ns
IMPORT_TIME_BOUND = 1 / 25  # ours / NVIDIA
IMPORT_RSS_BOUND = 1 / 4
SIZE_BOUND = 1 / 4


def run_json(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s%s" % (" ".join(cmd), out.returncode, out.stdout, out.stderr))
    return json.loads(out.stdout)


def tool_env(python):
    """PATH with the interpreter's own bin first (its meson, ninja, cython)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    return env


def bound_headers(python):
    """The cuda.h folder the package of `python` was built with (ours keeps
    it): the release NVIDIA's .pxd of that release needs too.  The
    toolkit's own otherwise."""
    out = subprocess.run([python, "-P", "-c", "from cuda.bindings import cydriver; print(cydriver._header_dir)"],
                         capture_output=True, text=True, cwd="/")
    d = out.stdout.strip()
    return d if out.returncode == 0 and os.path.isfile(os.path.join(d, "cuda.h")) else os.path.join(CUDA_HOME, "include")


def build_cimport(python, work, side, include):
    build = os.path.join(work, "cython-" + side)
    env = tool_env(python)
    meson = [python, "-m", "mesonbuild.mesonmain"]
    for cmd in (meson + ["setup", build, os.path.join(HERE, "cython"), "-Dpython=" + python,
                         "-Dtoolkit_include=" + include],
                meson + ["compile", "-C", build]):
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
        if out.returncode != 0:
            raise SystemExit("building the Cython rows for %s failed:\n%s%s" % (side, out.stdout, out.stderr))
    return build


def median_rows(rounds):
    """Each row's median of each figure (ns, cimport_ns, c_ns) over the rounds
    that measured it; a row no round measured keeps its reason."""
    out = {}
    for got in rounds:
        for row, v in got.items():
            have = out.setdefault(row, {})
            for key, x in v.items():
                have.setdefault(key, []).append(x)
    return {row: {key: (xs[0] if key == "unavailable" else statistics.median(xs)) for key, xs in v.items()}
            for row, v in out.items()}


def measure(args, work):
    program, library = common.build_floor(work)
    sides = {"nvidia": args.nvidia, "ours": args.ours}
    include = bound_headers(sides["ours"])   # both sides against one release's cuda.h
    cython = {side: build_cimport(py, work, side, include) for side, py in sides.items()}
    res = {"per_round": {s: [] for s in sides}, "impl": {}}
    reference, alone = {s: [] for s in sides}, []
    scale = [str(args.scale)]
    for _ in range(args.rounds):
        for side, py in sides.items():
            got = run_json([py, os.path.join(HERE, "calls.py"), "--json", "--scale"] + scale
                           + ["--cimport", cython[side], "--floor", library], cwd=work)
            res["impl"][side] = got["impl"]
            res["per_round"][side].append(got["rows"])
            reference[side].append(got["reference"])
        alone.append(run_json([program] + scale)["rows"])
    res["rows"] = {side: median_rows(rounds) for side, rounds in res["per_round"].items()}
    res["reference"] = {side: median_rows(rounds) for side, rounds in reference.items()}
    res["C alone"] = median_rows(alone)
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


def get(res, side, row, key="ns"):
    return res["rows"][side].get(row, {}).get(key)


def overhead_ratios(res, row):
    """The row's overhead ratio in each round (one figure where the result
    holds no rounds): (ours - C) / (NVIDIA - C), each against its own C."""
    free = row == "CUstream(0)"   # no C call: its C is 0
    pairs = list(zip(res["per_round"]["nvidia"], res["per_round"]["ours"])) if res.get("per_round") else \
        [(res["rows"]["nvidia"], res["rows"]["ours"])]
    ratios = []
    for theirs, ours in pairs:
        t, o = theirs.get(row, {}), ours.get(row, {})
        if "ns" not in t or "ns" not in o or (not free and ("c_ns" not in t or "c_ns" not in o)):
            continue
        cn, co = (0.0, 0.0) if free else (t["c_ns"], o["c_ns"])
        ratios.append((o["ns"] - co) / (t["ns"] - cn) if t["ns"] > cn else float("inf"))
    return ratios


def python_rows(res):
    """The Python table: each side against the C timed in its own process."""
    lines = ["| call | C (NVIDIA's process) | NVIDIA | C (our process) | ours | ours/NVIDIA "
             "| overhead ratio (spread) | target | met | C alone |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    failed = []
    for row in res["rows"]["ours"]:
        free = row == "CUstream(0)"  # no C call: its C is 0
        cn = 0.0 if free else get(res, "nvidia", row, "c_ns")
        co = 0.0 if free else get(res, "ours", row, "c_ns")
        n, o = get(res, "nvidia", row), get(res, "ours", row)
        alone = res["C alone"].get(row, {}).get("ns")
        if None in (cn, n, co, o):
            lines.append("| %s | %s | %s | %s | %s | | | | **unmeasured** | %s |"
                         % (row, fmt(cn), fmt(n), fmt(co), fmt(o), fmt(alone)))
            failed.append(row + " (unmeasured)")
            continue
        ratios = overhead_ratios(res, row)
        ratio = statistics.median(ratios)
        target, ok = "overhead ≤ 1/3", ratio <= OVERHEAD_BOUND
        if row in LAUNCH_BOUNDS:
            bound = LAUNCH_BOUNDS[row]
            ok = ok and o <= bound * co
            target += ", ≤ %.2f× C (%.3f×)" % (bound, o / co)
        lines.append("| %s | %s | %s | %s | %s | %.2f | %.2f (%.2f–%.2f) | %s | %s | %s |"
                     % (row, "–" if free else fmt(cn), fmt(n), "–" if free else fmt(co), fmt(o), o / n, ratio,
                        min(ratios), max(ratios), target, "yes" if ok else "**no**", "–" if free else fmt(alone)))
        if not ok:
            failed.append(row)
    return lines, failed


def cimport_rows(res):
    lines = ["| call through `cimport` | C (NVIDIA's process) | NVIDIA (Cython) | C (our process) "
             "| ours (Cython) | ours − C | target | met |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    failed = []
    for row, v in res["rows"]["ours"].items():
        if row not in calls.CIMPORT:
            continue  # no Cython form (the (values, types) launch)
        cn, n = get(res, "nvidia", row, "c_ns"), get(res, "nvidia", row, "cimport_ns")
        co, o = get(res, "ours", row, "c_ns"), v.get("cimport_ns")
        if None in (cn, n, co, o):
            lines.append("| %s | %s | %s | %s | %s | | | **unmeasured** |" % (row, fmt(cn), fmt(n), fmt(co), fmt(o)))
            failed.append("cimport " + row + " (unmeasured)")
            continue
        ok = o <= co + CIMPORT_SLACK_NS
        lines.append("| %s | %s | %s | %s | %s | %+.2f | ≤ C + 2 ns | %s |"
                     % (row, fmt(cn), fmt(n), fmt(co), fmt(o), o - co, "yes" if ok else "**no**"))
        if not ok:
            failed.append("cimport " + row)
    return lines, failed


def reference_rows(res):
    """Python's own cost of a call, next to the cheapest rows' overheads."""
    lines = ["| Python alone | NVIDIA's process | our process |", "|---|---:|---:|"]
    for row, v in res["reference"]["ours"].items():
        lines.append("| %s | %s | %s |" % (row, fmt(res["reference"]["nvidia"].get(row, {}).get("ns")),
                                            fmt(v.get("ns"))))
    return lines


def footprint_rows(res):
    fp = res["footprint"]
    lines = ["| footprint | NVIDIA | ours | ours/NVIDIA | target | met |", "|---|---:|---:|---:|---|---|"]
    failed = []
    imports = [("driver+runtime+nvrtc", ("import",))]
    if "import_all" in fp["ours"]:
        imports += [("every module", ("import_all",))] + [(m, ("imports", m)) for m in fp["ours"]["imports"]]
    checks = []
    for name, where in imports:
        checks += [("import " + name, where + ("ms",), IMPORT_TIME_BOUND, " ms"),
                   ("added RSS of import " + name, where + ("rss_mb",), IMPORT_RSS_BOUND, " MB")]
    for label, key, bound, unit in checks + [("installed size", ("size_mb",), SIZE_BOUND, " MB")]:
        n, o = fp["nvidia"], fp["ours"]
        for k in key:
            n, o = n[k], o[k]
        ok = o <= bound * n
        lines.append("| %s | %s | %s | %.3f | ≤ 1/%d | %s |" % (label, fmt(n, unit), fmt(o, unit), o / n if n else
                                                                float("inf"), round(1 / bound),
                                                                "yes" if ok else "**no**"))
        if not ok:
            failed.append(label)
    return lines, failed


def table(res):
    """Markdown tables and the list of failed targets."""
    lines, failed = [], []
    for part in (python_rows, cimport_rows, footprint_rows):
        part_lines, part_failed = part(res)
        lines += part_lines + [""]
        failed += part_failed
    return lines + reference_rows(res), failed


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
        "- ns per call: each round's best of its repeats, the median over the rounds; each side in its",
        "  own environment and process,",
        "  pinned to one CPU.  C is the same call made from C inside that process, its repeats taking",
        "  turns with the Python and Cython ones (bench/floor_rows.c, loaded with ctypes); \"C alone\" is",
        "  bench/floor.c in a process of its own, for comparison.",
        "- Overhead ratio = (ours − C) / (NVIDIA − C), each against its own process's C, taken in each",
        "  round: its median (what a target is met by) and its spread across the rounds; CUstream(0)",
        "  has no C call (C = 0).  \"Python alone\" is Python calling builtins that do next to",
        "  nothing: what any call from Python costs on this machine.",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True, help="Python whose environment has our cuda.bindings")
    ap.add_argument("--nvidia", required=True, help="Python whose environment has NVIDIA's cuda-bindings")
    ap.add_argument("--rounds", type=int, default=5)
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
