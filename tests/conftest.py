"""Shared test setup: the `gpu` marker skips cleanly when there is no GPU;
the tools the tests run (cython, meson, ninja) are first looked for beside
the interpreter under test, whose cuda.bindings they must build against,
not one elsewhere on PATH (a cython of another Python reads that Python's
installed .pxd files)."""
import functools
import os
import subprocess
import sysconfig

import pytest

os.environ["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])


@functools.lru_cache(maxsize=None)
def gpu_devices():
    """Names of the CUDA devices a real driver reports; [] without one."""
    from cuda.bindings._selfcheck import driver_info
    try:
        info = driver_info()
    except Exception:  # noqa: BLE001 - no driver means no GPU tests
        return []
    if info.get("path") is None or info.get("stub"):
        return []
    return list(info.get("devices", []))


def pytest_collection_modifyitems(config, items):
    if gpu_devices():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU/driver on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def stub_driver(tmp_path_factory):
    """A directory where the toolkit's stub driver answers to libcuda.so.1
    (put it on LD_LIBRARY_PATH); skips where the toolkit has none."""
    from helpers import CUDA_HOME
    stub = os.path.join(CUDA_HOME, "lib64", "stubs", "libcuda.so")
    if not os.path.exists(stub):
        pytest.skip("toolkit has no stub driver")
    d = tmp_path_factory.mktemp("stub")
    os.symlink(stub, d / "libcuda.so.1")
    return str(d)


@pytest.fixture(scope="session")
def partial_nvrtc(tmp_path_factory):
    """A directory with a libnvrtc.so.13 that has nvrtcVersion and nothing else."""
    d = tmp_path_factory.mktemp("partial")
    src = d / "partial.c"
    src.write_text("int nvrtcVersion(int *a, int *b) { *a = 99; *b = 1; return 0; }\n")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(d / "libnvrtc.so.13"), str(src)], check=True)
    return d


@pytest.fixture(scope="session")
def fake_nvml(tmp_path_factory):
    """A directory holding only the fake libnvidia-ml.so.1 (tests/nvml_fake),
    built from the test extras' nvml.h; skips where there is no nvml.h."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "nvml_fake"))
    import build
    header = build.find_nvml_header()
    if header is None:
        pytest.skip("no nvml.h: install the test extras (nvidia-nvml-dev) or set $NVML_H")
    return build.build(header, str(tmp_path_factory.mktemp("fake-nvml")))
