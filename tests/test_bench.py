"""The benchmark code (bench/) runs and reports sensibly: once, at tiny
iteration counts, for correctness only.  Timings are not checked here."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

import cuda.bindings

BENCH = os.path.join(ROOT, "bench")
CUDA_HOME = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"


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
    run, calls_rows = bench_module("run"), bench_module("calls")
    rows = [r[0] for r in calls_rows.ROWS]

    def result(ours_ns, cython_ns, import_ms):
        return {
            "C": {r: {"ns": 100.0} for r in rows},
            "python": {"nvidia": {r: {"ns": 400.0} for r in rows}, "ours": {r: {"ns": ours_ns} for r in rows}},
            "cimport": {"nvidia": {r: {"ns": 103.0} for r in calls_rows.CIMPORT},
                        "ours": {r: {"ns": cython_ns} for r in calls_rows.CIMPORT}},
            "footprint": {"nvidia": {"import": {"ms": 100.0, "rss_mb": 8.0}, "size_mb": 16.0},
                          "ours": {"import": {"ms": import_ms, "rss_mb": 1.0}, "size_mb": 3.0}},
        }
    lines, failed = run.table(result(102.0, 101.0, 5.0))
    assert failed == [] and len(lines) > len(rows)
    lines, failed = run.table(result(250.0, 104.0, 20.0))
    assert "cuCtxGetCurrent" in failed and "cimport cuCtxGetCurrent" in failed
    assert "import driver+runtime+nvrtc" in failed
    # a launch must also stay within its bound of C, not only of NVIDIA's overhead
    lines, failed = run.table(result(110.0, 101.0, 5.0))
    assert failed == ["cuLaunchKernel no args", "cuLaunchKernel int void**"]


def test_floor_program_compiles_cleanly(tmp_path):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip("no C compiler")
    lib = os.path.join(CUDA_HOME, "lib64")
    r = subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-Werror", os.path.join(BENCH, "floor.c"),
                        "-I", os.path.join(CUDA_HOME, "include"), "-L", lib, "-L", os.path.join(lib, "stubs"),
                        "-lcudart_static", "-lnvrtc", "-lcuda", "-ldl", "-lpthread", "-lrt",
                        "-o", str(tmp_path / "floor")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


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
    assert res["rows"]["nvrtcVersion"]["ns"] > 0
