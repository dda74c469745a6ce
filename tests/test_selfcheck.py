"""`python -m cuda.bindings`: versions, libraries, compile + link, kernel on a GPU."""
import subprocess
import sys

import pytest
from helpers import run_python

import cuda.bindings


def selfcheck():
    return subprocess.run([sys.executable, "-m", "cuda.bindings"], capture_output=True, text=True,
                          cwd="/", timeout=300)


def test_selfcheck_passes():
    r = selfcheck()
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert cuda.bindings.__version__ in out and "headers:     CUDA 13." in out
    assert "nvrtc:       1" in out and "nvjitlink:   1" in out
    assert "nvvm:        " in out and "nvfatbin:    " in out   # a version, or "not installed"
    assert "PTX for sm_90" in out and "LTO-IR for sm_90" in out and "nvJitLink linked" in out
    assert out.rstrip().endswith("self-check passed")


def test_version_matches_metadata():
    from importlib.metadata import version
    assert cuda.bindings.__version__ == version("cuda-bindings")


def test_get_include_has_the_capsule_headers():
    import os
    inc = cuda.bindings.get_include()
    for lib in ("nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "driver", "runtime"):
        assert os.path.exists(os.path.join(inc, "cuda_bindings", lib + ".h"))


@pytest.mark.gpu
def test_selfcheck_runs_the_kernel_on_the_gpu():
    r = selfcheck()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("all exact") == 2 and "device 0:" in r.stdout


@pytest.mark.gpu
def test_vector_add_from_nvrtc_and_nvjitlink_cubin():
    code = """
from cuda.bindings._selfcheck import compile_kernel, link, run_vector_add
from cuda.bindings import nvjitlink
cubin = link(compile_kernel("sm_90", lto=True), nvjitlink.InputType.LTOIR, "sm_90")
print(run_vector_add(cubin, 1000003))
"""
    r = run_python(code)
    assert r.stdout.strip() == "0.0", r.stderr
