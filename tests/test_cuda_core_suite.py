"""cuda-core's own test suite, the part that runs without a driver, on NVIDIA's
cuda-bindings and on ours, compared test by test: every test that passes on
NVIDIA's passes on ours.  A regression cuda-core would see shows here
without a GPU (the whole suite runs on the GPU machine: .ci/consumer-suites).

The suite is third-party code, never copied into the project: it is read
from $CB_CUDA_CORE_TESTS or ../shared/consumers/cuda-core-tests beside the
checkout (its PROVENANCE.md), and run from a private copy, since it builds
test binaries into its own folder.  Driver-free as PROVENANCE.md says:
without its conftest.py (whose session fixture calls cuInit), its helpers on
PYTHONPATH.  Each side runs it in its own interpreter, with the same
cuda-core and the same pytest options."""
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from differential import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.environ.get("CB_CUDA_CORE_TESTS") or os.path.join(ROOT, "..", "shared", "consumers", "cuda-core-tests")
# About 1,180 of its tests pass on NVIDIA's without a driver; far fewer means
# the environment broke, and a comparison over them would prove nothing.
FEWEST_PASSING = 1000
# NVIDIA's 13.5.0 can leave a lock of its driver loader taken when a nogil
# call finds no driver (SystemError, then the next call waits forever): a
# test that hangs there ends its worker after this long, and xdist replaces it.
NVIDIA_TEST_TIMEOUT = 30

pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(SUITE, "cuda_core", "tests")),
                                reason="no copy of cuda-core's test suite ($CB_CUDA_CORE_TESTS, ../shared/consumers)")


def compare_junit():
    spec = importlib.util.spec_from_file_location("compare_junit", os.path.join(ROOT, ".ci", "compare_junit.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_suite(python, copy, report, nvidia):
    env = harness.nvidia_env() if nvidia else dict(os.environ)   # (ours: with what points at our build)
    extra = ("--timeout", str(NVIDIA_TEST_TIMEOUT), "--timeout-method", "thread",
             "--max-worker-restart", "1000") if nvidia else ()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.join(copy, "cuda_python_test_helpers"),
                                                      env.get("PYTHONPATH")]))
    cmd = [python, "-P", "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--noconftest",
           "-o", "addopts=", "--continue-on-collection-errors", "-n", "2", "--junitxml", report, *extra]
    r = subprocess.run(cmd, cwd=os.path.join(copy, "cuda_core"), env=env, capture_output=True, text=True,
                       timeout=900)
    assert os.path.exists(report), r.stdout[-3000:] + r.stderr[-3000:]
    return r


@pytest.mark.skipif(os.environ.get("CB_SANITIZED") is not None,
                    reason="the plain run compares; sanitized, it adds a minute to CI (it passed so, 2026-12-08)")
def test_what_passes_on_nvidias_passes_on_ours(tmp_path):
    version = importlib.metadata.version("cuda-core")
    nvidia = harness.nvidia_python(dists=("cuda-core==" + version, "pytest", "pytest-xdist", "pytest-timeout"))
    got = subprocess.run([nvidia, "-P", "-c", "import importlib.metadata as m; print(m.version('cuda-core'))"],
                         capture_output=True, text=True, env=harness.nvidia_env(), cwd="/").stdout.strip()
    assert got == version, "NVIDIA's side has cuda-core %s, ours %s: the suites would differ" % (got, version)
    reports = {}
    binaries = os.path.join("cuda_core", "tests", "test_binaries")
    for side, python in (("nvidia", nvidia), ("ours", sys.executable)):
        copy = str(tmp_path / side)
        shutil.copytree(SUITE, copy)
        if side == "ours":   # the RDC fixtures NVIDIA's run built with nvcc: built once, and not by an
            # nvcc that inherits the sanitized run's LD_PRELOAD (it crashes under ASan's runtime)
            shutil.copytree(os.path.join(str(tmp_path / "nvidia"), binaries), os.path.join(copy, binaries),
                            dirs_exist_ok=True)
        reports[side] = str(tmp_path / (side + ".xml"))
        run_suite(python, copy, reports[side], nvidia=side == "nvidia")
    cj = compare_junit()
    theirs, ours = cj.outcomes(reports["nvidia"]), cj.outcomes(reports["ours"])
    passed = [t for t, (o, _) in theirs.items() if o == "passed"]
    assert len(passed) >= FEWEST_PASSING, cj.tally(theirs)
    lost = ["%s [%s] %s" % (t, ours.get(t, ("missing",))[0], ours.get(t, ("", "not run"))[1])
            for t in passed if ours.get(t, ("missing",))[0] != "passed"]
    assert lost == [], "pass on NVIDIA's, not on ours:\n" + "\n".join(lost)
