"""NVML differential tests: NVIDIA's cuda.bindings.nvml (its own venv, see
differential/harness.py) and ours call every function against the same fake
libnvidia-ml.so.1 (tests/nvml_fake), each side in its own processes, and
what user code can observe, the fake's log of the C calls included, must
be the same, but for the reviewed table (nvml_differential/deliberate.py).
The cases: nvml_differential/cases.py."""
import ctypes.util
import functools
import json
import os
import subprocess
import sys

import pytest
from differential import harness
from nvml_differential import cases
from nvml_differential.deliberate import TABLE

OBSERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nvml_differential", "observe_nvml.py")
FUNCTIONS = sorted(cases.reference_api()["functions"])
KINDS = ("call", "empty", "error", "bad")


def env_for(lib_dir):
    # the fake, and no other libnvidia-ml before it (the observer checks what got mapped)
    return {"LD_LIBRARY_PATH": lib_dir, "CUDA_VISIBLE_DEVICES": ""}


@functools.lru_cache(maxsize=None)
def ours_has_nvml():
    """None where our package has cuda.bindings.nvml, else why not."""
    r = subprocess.run([sys.executable, "-P", "-c", "import cuda.bindings.nvml"], capture_output=True, text=True,
                       cwd="/")
    return None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["?"])[-1]


@functools.lru_cache(maxsize=None)
def survey(lib_dir, header):
    """(cases, NVIDIA's observations, the API facts), once per session."""
    python = harness.nvidia_python(needs=("numpy",))
    api = cases.Api(cases.reference_api(), cases.discover(python, env_for(lib_dir)), header)
    case_list = cases.all_cases(api)
    theirs = harness.run_cases(python, case_list, env_for(lib_dir), nvidia=True, observer=OBSERVER)
    return case_list, theirs, api


@functools.lru_cache(maxsize=None)
def ours(lib_dir, header):
    case_list, _, _ = survey(lib_dir, header)
    return harness.run_cases(sys.executable, case_list, env_for(lib_dir), observer=OBSERVER)


@pytest.fixture(scope="module")
def nvidia(fake_nvml):
    import build
    try:
        return survey(fake_nvml, build.find_nvml_header())
    except RuntimeError as e:  # no NVIDIA package to ask is a failure, not a skip
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def mine(fake_nvml, nvidia):
    why = ours_has_nvml()
    if why:
        pytest.skip("our package has no cuda.bindings.nvml yet (%s)" % why)
    import build
    return ours(fake_nvml, build.find_nvml_header())


def test_nvidias_side_sees_the_fake(nvidia):
    """Every case of NVIDIA's ran against the fake alone, and the canonical
    calls reached the library: the observations mean what they say."""
    case_list, theirs, api = nvidia
    assert len(FUNCTIONS) == 380 and len(case_list) > 4000
    assert not [k for k, v in theirs.items() if "library" in v]
    reached = [f for f in FUNCTIONS if any(line.startswith("nvml") for line in theirs["call " + f].get("log", []))]
    assert len(reached) >= 375, sorted(set(FUNCTIONS) - set(reached))
    crashed = [k for k, v in theirs.items() if "crash" in v and not k.startswith("bad ")]
    assert crashed == []


def compare(case_list, theirs, mine):
    found = harness.differences(case_list, theirs, mine, TABLE)
    assert not found, harness.report(found)


# The reference's functions ours does not bind yet (README: Status), each
# skipped below, never passed; test_the_unbound_are_the_known_ones keeps
# the list true.
NOT_BOUND_YET = {}


def test_the_unbound_are_the_known_ones(mine):
    """Exactly NOT_BOUND_YET of the reference's functions are missing from ours."""
    r = subprocess.run([sys.executable, "-P", "-c", "import json, sys, cuda.bindings.nvml as n; "
                        "print(json.dumps([f for f in sys.argv[1:] if not hasattr(n, f)]))", *FUNCTIONS],
                       capture_output=True, text=True, cwd="/", check=True)
    assert sorted(json.loads(r.stdout)) == sorted(NOT_BOUND_YET)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_nvml_function_behaves_as_nvidias(nvidia, mine, function):
    if function in NOT_BOUND_YET:
        pytest.skip("not bound yet: " + NOT_BOUND_YET[function])
    case_list, theirs, _ = nvidia
    picked = [c for c in case_list if c["id"].split()[0] in KINDS and c["id"].split()[1] == function]
    assert picked
    compare(picked, theirs, mine)


def test_nvml_errors_are_nvidias(nvidia, mine):
    """Each nvmlReturn_t raised (class, MRO, str, args, status) and error_string."""
    case_list, theirs, _ = nvidia
    compare([c for c in case_list if c["id"].startswith(("status ", "error_string "))], theirs, mine)


def test_nvml_without_the_library_is_nvidias(nvidia, tmp_path):
    """No libnvidia-ml to be found: what the first calls raise."""
    if ctypes.util.find_library("nvidia-ml"):
        pytest.skip("this machine has a libnvidia-ml the loader would find")
    why = ours_has_nvml()
    if why:
        pytest.skip("our package has no cuda.bindings.nvml yet (%s)" % why)
    absent = cases.absent_cases()
    env = {"LD_LIBRARY_PATH": str(tmp_path)}
    theirs = harness.run_cases(harness.nvidia_python(needs=("numpy",)), absent, env, nvidia=True, observer=OBSERVER)
    mine = harness.run_cases(sys.executable, absent, env, observer=OBSERVER)
    assert all("raises" in v for v in theirs.values()), theirs
    compare(absent, theirs, mine)
