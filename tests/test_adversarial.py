"""The adversarial suite (tests/adversarial.py): objects that misbehave while
they are converted, against every argument kind and every struct setter.

Each group runs in its own interpreter, so a crash is a failure that names
the case it died in (the last line the group printed), never a lost run.
Under .ci/sanitizers the subprocesses inherit the sanitized build and the
preloaded ASan runtime.
"""
import os
import subprocess
import sys

import pytest

from helpers import CUDA_HOME, ROOT

GROUPS = ["sequences", "scalars", "struct_setters", "kernel_args", "handles", "values", "struct_memory", "leaks"]


@pytest.fixture(scope="module")
def no_gpu_env(tmp_path_factory):
    """The toolkit's stub driver where it has one, and no device visible:
    the cases test the conversions, and the calls they reach must not act on
    a GPU (an int or None is a trusted address; a real driver dereferences
    the NULL structs None passes)."""
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    stub = os.path.join(CUDA_HOME, "lib64", "stubs", "libcuda.so")
    if os.path.exists(stub):
        d = tmp_path_factory.mktemp("stub")
        os.symlink(stub, d / "libcuda.so.1")
        env["LD_LIBRARY_PATH"] = str(d) + os.pathsep + os.environ.get("LD_LIBRARY_PATH", "")
    return env


@pytest.mark.parametrize("group", GROUPS)
def test_misbehaving_objects_never_crash(group, tmp_path, no_gpu_env):
    r = subprocess.run([sys.executable, "-P", os.path.join(ROOT, "tests", "adversarial.py"), group],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path, env=no_gpu_env)
    lines = r.stdout.splitlines()
    last = lines[-1] if lines else ""
    assert r.returncode == 0, "group %s: exit %d in or after case %r\n%s%s" % (
        group, r.returncode, last, "\n".join(ln for ln in lines if ln.startswith("UNEXPECTED")), r.stderr[-3000:])
    # every group reaches its cases (a group that ran none proves nothing)
    assert last.startswith("%s: " % group) and " 0 unexpected" in last, last
    assert int(last.split(": ")[1].split()[0]) > 0, last


def test_subinterpreters_refuse_the_import_rather_than_hang():
    """Every module, in a subinterpreter, raises ImportError at once."""
    code = r"""
import sys
try:
    import _interpreters as si                 # 3.13+
    make, run = si.create, lambda i, code: si.run_string(i, code)
except ImportError:
    import _xxsubinterpreters as si
    make, run = si.create, si.run_string
import cuda.bindings.driver   # loaded in the main interpreter first
for m in ("driver", "runtime", "nvrtc", "nvjitlink", "nvvm", "nvfatbin", "cydriver", "cyruntime", "cynvrtc"):
    i = make()
    out = run(i, "try:\n    import cuda.bindings.%s\n    r = 'imported'\nexcept ImportError as e:\n    r = 'ImportError'\n"
                 "import os\nos.write(1, ('%s ' + r + '\\n').encode())" % (m, m))
    if out is not None:   # 3.13's run_string returns an exception description
        print(m, "failed", out)
"""
    try:
        r = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    except subprocess.TimeoutExpired:
        pytest.fail("a subinterpreter import hung")
    if "No module named '_xxsubinterpreters'" in r.stderr:
        pytest.skip("this Python has no low-level subinterpreter module")
    lines = r.stdout.split("\n")
    assert r.returncode == 0, r.stderr
    for m in ("driver", "runtime", "nvrtc", "nvjitlink", "nvvm", "nvfatbin", "cydriver", "cyruntime", "cynvrtc"):
        assert "%s ImportError" % m in lines, r.stdout + r.stderr
