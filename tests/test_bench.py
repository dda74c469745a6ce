"""The benchmark code (bench/) runs and reports sensibly: once, at tiny
iteration counts, for correctness only.  Timings are not checked here."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import CUDA_HOME, ROOT

import cuda.bindings

BENCH = os.path.join(ROOT, "bench")


def bench_module(name):
    """A module of bench/ (the scripts import each other by plain name)."""
    sys.path.insert(0, BENCH)
    try:
        return __import__(name)
    finally:
        sys.path.remove(BENCH)


def bench(script, *args, cwd="/"):
    r = subprocess.run([sys.executable, os.path.join(BENCH, script)] + list(args), capture_output=True,
                       text=True, cwd=cwd, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def test_calls_rows_run_or_say_why():
    res = bench("calls.py", "--json", "--scale", "0.0005", "--repeats", "1")
    assert res["impl"]["name"] == "ours" and res["impl"]["path"] == os.path.dirname(cuda.bindings.__file__)
    assert list(res["rows"]) == [r[0] for r in bench_module("calls").ROWS]
    for row, v in res["rows"].items():
        assert ("ns" in v and v["ns"] > 0) or v["unavailable"], (row, v)
    # these need no GPU and no driver
    assert res["rows"]["CUstream(0)"]["ns"] > 0 and res["rows"]["nvrtcVersion"]["ns"] > 0


@pytest.mark.gpu
def test_every_row_runs_on_a_gpu():
    res = bench("calls.py", "--json", "--scale", "0.001", "--repeats", "1")
    assert all("ns" in v for v in res["rows"].values()), res["rows"]


def test_footprint_reports_import_and_size():
    res = bench("footprint.py", "--json", "--runs", "1")
    assert res["import"]["ms"] > 0 and res["import"]["rss_mb"] >= 0
    # every module of ours is counted: the extensions alone are over a megabyte
    assert 1 < res["size_mb"] < 50


def test_runner_checks_every_target():
    run, calls = bench_module("run"), bench_module("calls")
    rows = [r[0] for r in calls.ROWS]

    def side(python_ns, cython_ns):
        return {r: dict({"ns": python_ns, "c_ns": 100.0},
                        **({"cimport_ns": cython_ns} if r in calls.CIMPORT else {})) for r in rows}

    def result(ours_ns, cython_ns, import_ms):
        return {
            "rows": {"nvidia": side(400.0, 103.0), "ours": side(ours_ns, cython_ns)},
            "C alone": {r: {"ns": 99.0} for r in rows},
            "reference": {s: {r[0]: {"ns": 20.0} for r in calls.REFERENCE_ROWS} for s in ("nvidia", "ours")},
            "footprint": {"nvidia": {"import": {"ms": 100.0, "rss_mb": 8.0}, "size_mb": 16.0},
                          "ours": {"import": {"ms": import_ms, "rss_mb": 1.0}, "size_mb": 3.0}},
        }
    lines, failed = run.table(result(102.0, 101.0, 3.0))   # an import at most 1/25 of NVIDIA's
    assert failed == [] and len(lines) > 2 * len(rows)
    lines, failed = run.table(result(250.0, 104.0, 20.0))
    assert "cuCtxGetCurrent" in failed and "cimport cuCtxGetCurrent" in failed
    assert "import driver+runtime+nvrtc" in failed
    # a launch must also stay within its bound of C, not only of NVIDIA's overhead
    lines, failed = run.table(result(110.0, 101.0, 3.0))
    assert failed == ["cuLaunchKernel no args", "cuLaunchKernel int void**"]
    # each side is measured against the C of its own process
    res = result(102.0, 101.0, 3.0)
    res["rows"]["ours"]["cuCtxGetCurrent"]["c_ns"] = 1.0
    assert {"cuCtxGetCurrent", "cimport cuCtxGetCurrent"} <= set(run.table(res)[1])
    # a row missing from one side is a failure, not a pass
    del res["rows"]["nvidia"]["nvrtcVersion"]
    assert "nvrtcVersion (unmeasured)" in run.table(res)[1]


def test_runner_meets_a_target_by_the_median_of_its_rounds_and_shows_their_spread():
    run, calls = bench_module("run"), bench_module("calls")
    rows = [r[0] for r in calls.ROWS]

    def one_round(ns, c_ns=100.0):
        return {r: {"ns": ns, "c_ns": c_ns} for r in rows}

    # ours' overhead over C in five rounds: 100 ns (ratio 1/3) once, 60 ns otherwise; NVIDIA's 300 ns
    per_round = {"nvidia": [one_round(400.0) for _ in range(5)],
                 "ours": [one_round(x) for x in (160.0, 200.0, 160.0, 160.0, 160.0)]}
    res = {"per_round": per_round, "rows": {s: run.median_rows(r) for s, r in per_round.items()}, "C alone": {}}
    assert res["rows"]["ours"]["cuCtxGetCurrent"]["ns"] == 160.0
    assert run.overhead_ratios(res, "cuCtxGetCurrent") == [0.2, 1 / 3, 0.2, 0.2, 0.2]
    lines, failed = run.python_rows(res)
    line = next(ln for ln in lines if ln.startswith("| cuCtxGetCurrent |"))
    assert "0.20 (0.20–0.33)" in line and "cuCtxGetCurrent" not in failed
    # the median decides: three rounds of four over the bound fail the row
    per_round["ours"][1:4] = [one_round(250.0)] * 3
    res["rows"] = {s: run.median_rows(r) for s, r in per_round.items()}
    assert "cuCtxGetCurrent" in run.python_rows(res)[1]


def test_floor_builds_cleanly_and_times_c_in_process(tmp_path, stub_driver):
    common = bench_module("bench_common")
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler")
    program, library = common.build_floor(str(tmp_path), ["-Wall", "-Wextra", "-Werror"])
    assert os.access(program, os.X_OK)
    # the stub driver, so that this runs the same with a GPU or without one
    env = dict(os.environ, LD_LIBRARY_PATH=stub_driver + os.pathsep
               + os.environ.get("LD_LIBRARY_PATH", ""))
    r = subprocess.run([sys.executable, os.path.join(BENCH, "calls.py"), "--json", "--scale", "0.0005",
                        "--repeats", "2", "--floor", library], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    # nvrtcVersion needs no GPU: its C row is timed beside the Python one
    row = res["rows"]["nvrtcVersion"]
    assert row["ns"] > 0 and row["c_ns"] > 0
    assert set(res["reference"]) == {r[0] for r in bench_module("calls").REFERENCE_ROWS}


def test_cimport_rows_build_against_the_installed_package(tmp_path):
    for tool in ("meson", "ninja", "cython"):
        if shutil.which(tool) is None:
            pytest.skip("%s is not installed (pip install .[test])" % tool)
    build = str(tmp_path / "cython")
    for cmd in (["meson", "setup", build, os.path.join(BENCH, "cython"), "-Dpython=" + sys.executable,
                 "-Dtoolkit_include=" + os.path.join(CUDA_HOME, "include")], ["ninja", "-C", build]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    res = bench("calls.py", "--json", "--scale", "0.0005", "--repeats", "1", "--cimport", build)
    assert res["rows"]["nvrtcVersion"]["cimport_ns"] > 0 and res["rows"]["nvrtcVersion"]["ns"] > 0


def test_nvml_bench_reports_both_sides_against_a_library(fake_nvml):
    """bench/nvml.py's rows, on ours and NVIDIA's, against the fake
    libnvidia-ml.so.1: every row of every side timed, in every round."""
    from differential import harness
    try:
        nvidia = harness.nvidia_python(needs=("numpy",))
    except RuntimeError as e:  # no NVIDIA package to compare with is a failure, not a skip
        pytest.fail(str(e))
    env = dict(os.environ, LD_LIBRARY_PATH=fake_nvml)
    r = subprocess.run([sys.executable, os.path.join(BENCH, "nvml.py"), "--ours", sys.executable,
                        "--nvidia", nvidia, "--runs", "1", "--rounds", "2", "--json"],
                       capture_output=True, text=True, cwd="/", timeout=600, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(r.stdout)
    assert res["import"]["ours"]["numpy"] is False and res["import"]["nvidia"]["ms"] > 0
    rows = ["device_get_count_v2()", "device_get_handle_by_index_v2(0)",
            "device_get_memory_info_v2(h)", "device_get_utilization_rates(h)"]
    for side in ("C", "ours", "nvidia"):
        assert list(res["calls"][side]) == rows, (side, res["calls"][side])
        for row in rows:
            got = res["calls"][side][row]
            assert 0 < got["low"] <= got["median"] <= got["high"], (side, row, got)


def test_callgrind_counts_each_sides_instructions_per_call():
    """bench/callgrind.py against its do-nothing libcuda: a launch with
    (values, types) counted on both sides (ours does less work for it)."""
    if shutil.which("valgrind") is None or shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("needs valgrind and a C compiler")
    if os.environ.get("CB_SANITIZED") is not None:
        pytest.skip("valgrind cannot run a process with AddressSanitizer's runtime (the plain run counts)")
    from differential import harness
    nvidia = harness.nvidia_python()
    row = "cuLaunchKernel (values, types)"
    res = bench("callgrind.py", "--ours", sys.executable, "--nvidia", nvidia, "--calls", "3000", "--json",
                "--rows", row)
    assert 500 < res[row]["ours"] < res[row]["nvidia"], res
