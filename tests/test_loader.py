"""Finding libraries: missing library, missing symbol, stub and absent driver.

Each case runs in a fresh interpreter so that the loader starts from scratch.
"""
import os
import subprocess
import sys
import sysconfig
import venv

import pytest
from helpers import run_python

# Hide cuda.pathfinder so that only the loader's own search runs.
NO_PATHFINDER = "import sys; sys.modules['cuda.pathfinder'] = None\n"


def run_without_ld_cache(code, env, python_flags=(), python=sys.executable):
    """Run Python with the dynamic loader told to ignore /etc/ld.so.cache."""
    loader = "/lib64/ld-linux-x86-64.so.2"
    if not os.path.exists(loader):
        pytest.skip("needs glibc's x86-64 dynamic loader")
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    full = dict(os.environ, **env)
    full["LD_LIBRARY_PATH"] = libdir  # libpython, if the interpreter is a shared build
    return subprocess.run([loader, "--inhibit-cache", python, *python_flags, "-c", code],
                          capture_output=True, text=True, env=full, cwd="/", timeout=120)


def test_missing_library_names_library_and_places_tried():
    code = NO_PATHFINDER + """
from cuda.bindings import nvrtc
try:
    nvrtc.nvrtcVersion()
except RuntimeError as e:
    print("RAISED", e)
"""
    r = run_without_ld_cache(code, {"CUDA_HOME": "/nonexistent-cuda", "CUDA_PATH": ""})
    assert "RAISED" in r.stdout, r.stderr
    msg = r.stdout
    assert 'Function "nvrtcVersion" not found' in msg and "NVRTC library could not be loaded" in msg
    for place in ("cuda.pathfinder: not installed", "libnvrtc.so.13", "/nonexistent-cuda/lib64/libnvrtc.so.13"):
        assert place in msg


def test_missing_library_fails_the_self_check():
    code = NO_PATHFINDER + "from cuda.bindings._selfcheck import main; raise SystemExit(main())"
    r = run_without_ld_cache(code, {"CUDA_HOME": "/nonexistent-cuda", "CUDA_PATH": ""})
    assert r.returncode == 1
    assert "nvrtc:       FAILED: not found" in r.stdout and "self-check FAILED" in r.stdout


def test_missing_symbol_raises_and_the_rest_keeps_working(partial_nvrtc):
    code = NO_PATHFINDER + """
from cuda.bindings import nvrtc
print("VERSION", nvrtc.nvrtcVersion())
try:
    nvrtc.nvrtcGetNumSupportedArchs()
except RuntimeError as e:
    print("RAISED", e)
print("AGAIN", nvrtc.nvrtcVersion()[1:])
"""
    r = run_python(code, env={"LD_LIBRARY_PATH": str(partial_nvrtc)})
    assert "VERSION (<nvrtcResult.NVRTC_SUCCESS: 0>, 99, 1)" in r.stdout, r.stderr
    assert 'RAISED Function "nvrtcGetNumSupportedArchs" not found in NVRTC' in r.stdout
    assert str(partial_nvrtc) in r.stdout and "AGAIN (99, 1)" in r.stdout


def test_no_driver_is_reported_and_not_an_error():
    code = "from cuda.bindings._selfcheck import driver_info; print(driver_info())"
    r = run_without_ld_cache(code, {"LD_LIBRARY_PATH": ""})
    info = eval(r.stdout)  # noqa: S307 - our own repr of a dict of str/None
    if info["path"] is not None:
        pytest.skip("a driver is installed where the test looked")
    assert info["name"] == "CUDA driver" and "libcuda.so.1" in info["error"]


@pytest.fixture(scope="module")
def stub_dir(stub_driver):
    return stub_driver


def test_stub_driver_is_reported_as_such(stub_dir):
    r = run_python("from cuda.bindings._selfcheck import driver_info; print(driver_info())",
                   env={"LD_LIBRARY_PATH": str(stub_dir)})
    info = eval(r.stdout)  # noqa: S307
    assert info["stub"] is True and info["init_code"] == 34, r.stderr  # CUDA_ERROR_STUB_LIBRARY
    assert info["devices"] == [] and str(stub_dir) in info["path"]
    r = run_python("from cuda.bindings._selfcheck import main; raise SystemExit(main())",
                   env={"LD_LIBRARY_PATH": str(stub_dir)})
    assert "STUB library at" in r.stdout and r.returncode == 0, r.stdout + r.stderr


def test_nothing_is_loaded_at_import():
    code = """
import cuda.bindings.nvrtc, cuda.bindings.nvjitlink
maps = open('/proc/self/maps').read()
print('libnvrtc.so' in maps, 'libnvJitLink.so' in maps, 'libcuda.so' in maps)
"""
    r = run_python(code)
    assert r.stdout.split() == ["False", "False", "False"], r.stderr


def test_import_brings_no_heavy_stdlib_modules():
    # typing, re, enum and collections cost more than our modules themselves:
    # importing the bindings must not pull them in (it tripled import time once)
    code = """
import sys
before = set(sys.modules)
from cuda.bindings import driver, runtime, nvrtc, nvjitlink, nvvm, nvfatbin
heavy = {'typing', 're', 'enum', 'collections', 'inspect', 'ctypes'}
print(sorted(heavy & (set(sys.modules) - before)))
"""
    r = run_python(code)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


def test_pathfinder_is_used_when_installed():
    pytest.importorskip("cuda.pathfinder")
    code = """
from cuda.bindings import cynvrtc
import cuda.pathfinder
info = cynvrtc._library_info()
print(info['path'])
print(cuda.pathfinder.load_nvidia_dynamic_lib('nvrtc').abs_path)
"""
    r = run_python(code)
    ours, theirs = r.stdout.split()
    assert os.path.realpath(ours) == os.path.realpath(theirs), r.stderr


OLD_DRIVER = r"""
/* A libcuda.so.1 of an older driver: cuGetProcAddress knows three entry points. */
#include <string.h>
typedef int CUresult;
static CUresult init(unsigned int flags) { (void)flags; return 0; }
static CUresult driver_version(int *v) { *v = 12080; return 0; }
static CUresult error_string(int e, const char **s) { *s = e ? "some error" : "no error"; return 0; }
static const struct { const char *name; void *fn; } table[] = {
    {"cuInit", (void *)init}, {"cuDriverGetVersion", (void *)driver_version},
    {"cuGetErrorString", (void *)error_string},
};
CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int version, unsigned long long flags, int *status)
{
    (void)version, (void)flags;
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(symbol, table[i].name) == 0) {
            *pfn = table[i].fn;
            if (status) *status = 0;          /* CU_GET_PROC_ADDRESS_SUCCESS */
            return 0;
        }
    *pfn = 0;
    if (status) *status = 1;                  /* CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND */
    return 500;                               /* CUDA_ERROR_NOT_FOUND */
}
"""


def test_an_older_driver_without_newer_symbols(tmp_path):
    """Entry points the driver does not know raise RuntimeError naming them;
    the rest, and the version check, keep working."""
    (tmp_path / "old.c").write_text(OLD_DRIVER)
    subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-o", str(tmp_path / "libcuda.so.1"),
                    str(tmp_path / "old.c")], check=True)
    code = """
import warnings
from cuda.bindings import driver, utils
print("INIT", driver.cuInit(0)[0].name)
print("VERSION", driver.cuDriverGetVersion()[1])
for call in (lambda: driver.cuStreamGetDevice(None), lambda: driver.cuCtxGetCurrent()):
    try:
        call()
    except RuntimeError as e:
        print("RAISED", e)
print("AGAIN", driver.cuGetErrorString(driver.CUresult.CUDA_ERROR_INVALID_VALUE)[1])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    utils.warn_if_cuda_major_version_mismatch()
print("WARNED", [str(x.message)[:40] for x in w])
"""
    r = run_python(code, env={"LD_LIBRARY_PATH": str(tmp_path),
                              "CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING": ""})
    out = r.stdout
    assert "INIT CUDA_SUCCESS" in out and "VERSION 12080" in out, out + r.stderr
    assert 'RAISED Function "cuStreamGetDevice" not found in CUDA driver' in out
    assert 'RAISED Function "cuCtxGetCurrent" not found in CUDA driver' in out and str(tmp_path) in out
    assert "AGAIN b'some error'" in out
    assert "WARNED ['cuda-bindings was built for CUDA major v" in out


def test_pathfinder_failure_is_one_line_among_the_places_tried(tmp_path):
    """cuda.pathfinder's own message lists whole folders; only its first line
    is kept, so the places the loader tried after it stay in the message."""
    pathfinder = pytest.importorskip("cuda.pathfinder")
    import cuda.bindings
    # A venv holding this package and cuda.pathfinder only: the NVRTC wheel of
    # the test extras is in none of its site-packages (-S would not do:
    # site.getsitepackages() still names the interpreter's own).
    venv.create(tmp_path / "v", symlinks=True)
    site_dir = tmp_path / "v" / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    (site_dir / "cuda").mkdir()
    for mod in (cuda.bindings, pathfinder):
        os.symlink(os.path.dirname(mod.__file__), site_dir / "cuda" / mod.__name__.split(".")[1])
    code = """
from cuda.bindings import nvrtc
try:
    print("FOUND", nvrtc.nvrtcVersion())
except RuntimeError as e:
    print("RAISED", e)
"""
    r = run_without_ld_cache(code, {"CUDA_HOME": "/nonexistent-cuda", "CUDA_PATH": ""},
                             python=str(tmp_path / "v" / "bin" / "python"))
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("RAISED")), r.stdout + r.stderr)
    assert "cuda.pathfinder: " in line and "/nonexistent-cuda/lib64/libnvrtc.so.13" in line, line
    assert "listdir" not in line
