"""cuda.bindings.cufile against NVIDIA's, on the CPU: the same cases
(cufile_differential/cases.py: enums, struct classes, cuFileError, the calls
that need no open driver, bad arguments) run under NVIDIA's package (its own
venv, differential/harness.py) and under ours, and what user code can
observe must be the same, exception messages aside, but for the reviewed
differences below.  The real file I/O runs on the GPU machine
(gpu_differential/probe_cufile.py).  The library comes from NVIDIA's
nvidia-cufile wheel (a test extra) on both sides."""
import functools
import os
import re
import sys

import pytest
from cufile_differential import cases
from differential import harness

OBSERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cufile_differential", "observe_cufile.py")
# A struct argument the reference takes typed and dereferences unchecked:
# None crashes NVIDIA's (SIGSEGV); ours raises TypeError (README: deliberate differences).
CRASHES_NVIDIAS = {"cufile.readv(0, None, 0)", "cufile.writev(0, None, 0)"}


@functools.lru_cache(maxsize=None)
def observations():
    case_list = cases.all_cases()
    crash = [{"id": "crash-%d" % i, "code": code} for i, code in enumerate(sorted(CRASHES_NVIDIAS))]
    python = harness.nvidia_python(needs=("numpy",), dists=(harness.CUFILE,))
    theirs = harness.run_cases(python, case_list + crash, nvidia=True, observer=OBSERVER)
    mine = harness.run_cases(sys.executable, case_list + crash, observer=OBSERVER)
    return case_list, crash, theirs, mine


@pytest.fixture(scope="module")
def seen():
    return harness.or_fail(observations)


def test_both_sides_loaded_the_library(seen):
    """The library answered on both sides: the observations mean what they say."""
    case_list, _, theirs, mine = seen
    version = next(c["id"] for c in case_list if c["code"].endswith("cufile.get_version()"))
    assert theirs[version] == mine[version]
    assert theirs[version]["returns"]["type"] == "int" and theirs[version]["returns"]["int"] >= 1000
    assert len(case_list) > 500
    assert not [k for k, v in theirs.items() if "crash" in v and not k.startswith("crash-")]


@pytest.mark.parametrize("part", ["calls", "bad", "errors", "enums", "records"])
def test_cufile_behaves_as_nvidias(seen, part):
    case_list, _, theirs, mine = seen
    n_calls, n_bad, n_errors, n_enums = len(cases.CALLS), len(cases.BAD), len(cases.ERRORS), len(cases.enum_cases())
    bounds = {"calls": (0, n_calls), "bad": (n_calls, n_calls + n_bad),
              "errors": (n_calls + n_bad, n_calls + n_bad + n_errors),
              "enums": (n_calls + n_bad + n_errors, n_calls + n_bad + n_errors + n_enums),
              "records": (n_calls + n_bad + n_errors + n_enums, len(case_list))}[part]
    picked = case_list[bounds[0]:bounds[1]]
    found = harness.differences(picked, harness.unaddressed(theirs), harness.unaddressed(mine), TABLE)
    assert not found, harness.report(found)
    if part == "bad":
        assert all("raises" in mine[c["id"]] for c in picked), [c["code"] for c in picked
                                                                 if "raises" not in mine[c["id"]]]


def test_a_struct_argument_of_none_raises_where_nvidias_crashes(seen):
    _, crash, theirs, mine = seen
    for c in crash:
        assert theirs[c["id"]].get("crash", "").startswith("signal"), theirs[c["id"]]
        assert mine[c["id"]]["raises"] == "TypeError", mine[c["id"]]


class ByCode(harness.Deliberate):
    def __init__(self, codes, check, reason):
        self.codes, self.check, self.reason = set(codes), check, reason

    def allows(self, case, nvidia, ours):
        return (case["code"] in self.codes or case["code"].rsplit("\n", 1)[-1] in self.codes) and \
            bool(self.check(nvidia, ours))


def _types_of(what):
    return lambda nvidia, ours: ours.get("returns", {}).get("type", "").endswith(what) and \
        nvidia.get("returns", {}).get("type", "").endswith(what)


def _docs_but_gpfs(nvidia, ours):
    """The member docs, but for the two around cufile.h's `/*! < Support for GPFS */` (no doc comment)."""
    theirs, mine = nvidia["returns"]["items"], ours["returns"]["items"]
    return (len(theirs) == len(mine) and mine[3]["repr"] == "None" and mine[4]["repr"] == "'Support for NVMe'"
            and theirs[4]["repr"] == "'< Support for GPFS Support for NVMe'"
            and [a for i, a in enumerate(theirs) if i != 4] == [b for i, b in enumerate(mine) if i != 4])


def _zeros(nvidia, ours):
    """A new StatsLevel2: ours zeroed, NVIDIA's of memory it never set (other numbers each run)."""
    return nvidia["returns"]["type"] == ours["returns"]["type"] and \
        set(re.findall(r"\d+", ours["returns"]["str"])) == {"0"}


# Reviewed differences (README: cuFile).
TABLE = [
    ByCode({"[m.__doc__ for m in cufile.DriverStatusFlags]"}, _docs_but_gpfs,
           "cufile.h's GPFS comment is `/*! < ...`, no doc comment: NVIDIA's glues it to the next member's doc"),
    ByCode({"getattr(cufile.StatsLevel2(), 'read_size_kb_hist')", "getattr(cufile.StatsLevel2(), 'write_size_kb_hist')",
            "cufile.StatsLevel2().read_size_kb_hist"}, _zeros,
           "NVIDIA's StatsLevel2() leaves its histograms uninitialized; ours zeroes every new struct"),
]


def test_without_the_library_both_raise_on_the_first_call(tmp_path):
    """No libcufile to be found (cuda-pathfinder's search refused, the loader's
    path empty): the module imports, its enums and classes work, and each
    call raises on both sides."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import cuda.pathfinder as p\n"
        "real = p.load_nvidia_dynamic_lib\n"
        "def load(name):\n"
        "    if name == 'cufile':\n"
        "        raise p.DynamicLibNotFoundError('hidden by the test: ' + name)\n"
        "    return real(name)\n"
        "p.load_nvidia_dynamic_lib = load\n")
    absent = [{"id": "absent-%d" % i, "code": code} for i, code in enumerate([
        "cufile.get_version()", "cufile.use_count()", "cufile.read(0, 0, 0, 0, 0)", "cufile.handle_deregister(0)",
        "cufile.OpError(5001)", "len(cufile.IOVec(2))", "cufile.op_status_error(5001)", "str(cufile.cuFileError(5001))"])]
    env = {"PYTHONPATH": str(hide), "LD_LIBRARY_PATH": str(tmp_path)}
    theirs = harness.run_cases(harness.nvidia_python(needs=("numpy",), dists=(harness.CUFILE,)), absent, env, nvidia=True, observer=OBSERVER)
    mine = harness.run_cases(sys.executable, absent, env, observer=OBSERVER)
    for c in absent[:4]:
        assert mine[c["id"]]["raises"] == theirs[c["id"]]["raises"], (c, theirs[c["id"]], mine[c["id"]])
        assert mine[c["id"]]["raises"].endswith(".DynamicLibNotFoundError"), mine[c["id"]]
    for c in absent[4:]:
        assert mine[c["id"]] == theirs[c["id"]] and "returns" in mine[c["id"]], (c, theirs[c["id"]], mine[c["id"]])
