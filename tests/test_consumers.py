"""Cython and C extensions built against the installed package, as users build them."""
import os
import shutil
import subprocess
import sys

import pytest
from helpers import CUDA_HOME, KERNEL, ROOT, header_dir, library_installed, nvrtc_output

import cuda.bindings


@pytest.fixture(scope="session")
def consumers(tmp_path_factory):
    """(consumer_cython, consumer_c), built once."""
    for tool in ("meson", "ninja", "cython"):
        if shutil.which(tool) is None:
            pytest.skip("%s is not installed (pip install .[test])" % tool)
    build = tmp_path_factory.mktemp("consumers")
    setup = ["meson", "setup", str(build), os.path.join(ROOT, "tests", "consumers"),
             "-Dpython=" + sys.executable, "-Dtoolkit_include=" + CUDA_HOME + "/include",
             "-Dcapsule_include=" + cuda.bindings.get_include(),
             "-Dlibrary_include=" + ",".join(dict.fromkeys(header_dir(lib) for lib in ("driver", "nvvm", "nvfatbin")))]
    for cmd in (setup, ["ninja", "-C", str(build)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    sys.path.insert(0, str(build))
    try:
        import consumer_c
        import consumer_cython
        yield consumer_cython, consumer_c
    finally:
        sys.path.remove(str(build))


def test_cython_cimport_nogil(consumers):
    cy, _ = consumers
    from cuda.bindings import nvrtc
    assert cy.nvrtc_version() == (0,) + nvrtc.nvrtcVersion()[1:]
    err, ptx = cy.compile_ptx(KERNEL, b"-arch=compute_90")
    assert err == 0 and b".entry vadd" in ptx
    err, ptx = cy.compile_ptx(b"not cuda", b"-arch=compute_90")
    assert err == int(nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION) and ptx is None
    assert cy.error_string(6) == b"NVRTC_ERROR_COMPILATION"
    from cuda.bindings import nvjitlink
    assert cy.jitlink_version() == (0,) + nvjitlink.version()


def test_cython_reads_handle_fields(consumers):
    cy, _ = consumers
    from cuda.bindings import nvrtc
    assert cy.program_fields(nvrtc.nvrtcProgram(0xABC)) == (0xABC, True)


def test_c_capsule(consumers):
    _, c = consumers
    from cuda.bindings import cynvrtc, nvjitlink, nvrtc
    assert c.nvrtc_version() == (0,) + nvrtc.nvrtcVersion()[1:]
    assert c.jitlink_version() == (0,) + nvjitlink.version()
    err, ptx = c.compile_ptx(KERNEL, b"-arch=compute_90")
    assert err == 0 and b".entry vadd" in ptx
    abi, count = c.api_header()
    assert abi == 1 and count >= len(cynvrtc.__pyx_capi__)


def test_nvvm_and_nvfatbin_from_cython_and_c(consumers):
    cy, c = consumers
    from cuda.bindings import nvfatbin, nvvm
    if library_installed("nvvm"):
        assert cy.nvvm_version() == c.nvvm_version() == (0,) + nvvm.version()
    if library_installed("nvfatbin"):
        assert c.fatbin_version() == (0,) + nvfatbin.version()
        ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
        err, image = cy.fatbin_of_ptx(ptx, b"90")
        assert err == 0 and image[:4] == (0xBA55ED50).to_bytes(4, "little")
        err, image = cy.fatbin_of_ptx(ptx, b"no-such-arch")
        assert err == int(nvfatbin.Result.ERROR_INVALID_ARCH) and image is None


def test_capsule_import_checks_the_name():
    import ctypes
    from cuda.bindings import cynvrtc
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    assert get(cynvrtc._C_API) == b"cuda.bindings.cynvrtc._C_API"


def test_cython_caller_sees_a_missing_symbol_as_an_exception(consumers, partial_nvrtc):
    """The .pxd's `except ?` value plus RuntimeError set by the core, through nogil code."""
    from helpers import run_python
    code = """
import sys; sys.modules['cuda.pathfinder'] = None; sys.path.insert(0, %r)
import consumer_cython as cy
print("VERSION", cy.nvrtc_version())
try:
    cy.compile_ptx(b"", b"-arch=compute_90")
except RuntimeError as e:
    print("RAISED", e)
""" % os.path.dirname(consumers[0].__file__)
    r = run_python(code, env={"LD_LIBRARY_PATH": str(partial_nvrtc)})
    assert "VERSION (0, 99, 1)" in r.stdout, r.stdout + r.stderr
    assert 'RAISED Function "nvrtcCreateProgram" not found in NVRTC' in r.stdout


PLAIN_C_CALLS = """
import sys; sys.path.insert(0, %r)
import consumer_c as c
from cuda.bindings import driver, runtime

def outcome(call):
    try:
        return int(call())
    except Exception as e:
        return type(e).__name__

pairs = [
    (lambda: c.ctx_create(0), lambda: driver.cuCtxCreate(None, 0, 0)[0]),
    (c.event_synchronize, lambda: driver.cuEventSynchronize(0)[0]),
    (c.runtime_event_synchronize, lambda: runtime.cudaEventSynchronize(0)[0]),
    (c.device_reset, lambda: runtime.cudaDeviceReset()[0]),
]
for through_c, through_python in pairs:
    print(outcome(through_c), outcome(through_python))
"""


@pytest.mark.parametrize("driver_dir", ["stub", "installed"])
def test_c_capsule_headers_without_interop(consumers, driver_dir, request):
    """driver.h and runtime.h compile with no interop macro (-Werror), and the
    four slots that once were untyped there call what the modules call."""
    from helpers import run_python
    env = {"LD_LIBRARY_PATH": request.getfixturevalue("stub_driver")} if driver_dir == "stub" else {}
    r = run_python(PLAIN_C_CALLS % os.path.dirname(consumers[1].__file__), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [line.split() for line in r.stdout.splitlines()]
    assert len(rows) == 4 and all(a == b for a, b in rows), r.stdout
    if driver_dir == "stub":   # the runtime reached the stub and was told no
        assert all(a.isdigit() and a != "0" for a, _ in rows[2:]), r.stdout


def test_the_toolkits_older_headers_still_build_consumers(tmp_path):
    """A project built against its toolkit's headers, which may be older than
    the CUDA version this package binds: `cimport cydriver` / `cyruntime`
    and the C capsule headers compile (a slot added for a newer CUDA is typed
    only when the includer's headers are that new).  The class .pxd files
    need the headers bound (README)."""
    import sysconfig
    toolkit = os.path.join(CUDA_HOME, "include")
    if not os.path.isfile(os.path.join(toolkit, "cuda.h")):
        pytest.skip("no toolkit headers at %s" % toolkit)
    if shutil.which("cython") is None:
        pytest.skip("cython is not installed")
    cc = os.environ.get("CC", "cc")
    flags = ["-c", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function", "-I", toolkit,
             "-I", cuda.bindings.get_include(), "-I", sysconfig.get_paths()["include"]]
    flags += ["-I" + header_dir(lib) for lib in ("nvvm", "nvfatbin")]
    c = tmp_path / "capsules.c"
    c.write_text("".join("#include <cuda_bindings/%s.h>\n" % lib
                         for lib in ("driver", "runtime", "nvrtc", "nvjitlink", "nvvm", "nvfatbin")) +
                 "int all(void) { return CudaBindings_ImportDRIVER() + CudaBindings_ImportRUNTIME(); }\n")
    pyx = tmp_path / "cimports.pyx"
    pyx.write_text("""
from cuda.bindings cimport cydriver, cyruntime, cynvrtc

def versions():
    cdef int drv = 0, rt = 0, major = 0, minor = 0
    cdef cydriver.CUstream stream = NULL
    cdef cyruntime.cudaDeviceProp prop
    with nogil:
        cydriver.cuDriverGetVersion(&drv)
        cyruntime.cudaRuntimeGetVersion(&rt)
        cynvrtc.nvrtcVersion(&major, &minor)
        cydriver.cuStreamQuery(stream)
    return drv, rt, major, minor, sizeof(prop)
""")
    r = subprocess.run(["cython", "-3", str(pyx), "-o", str(tmp_path / "cimports.c")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    sources = [c, tmp_path / "cimports.c"]
    for src in sources:
        r = subprocess.run([cc, *flags, str(src), "-o", str(src) + ".o"], capture_output=True, text=True)
        assert r.returncode == 0, "%s against %s:\n%s" % (src.name, toolkit, r.stdout + r.stderr)


# -- cimport nvjitlink / nvvm / nvfatbin: the pythonic modules' cpdef functions

PYTHONIC = ("nvjitlink", "nvvm", "nvfatbin")
CAPSULE_NAMES = """
import ctypes, importlib, json
get = ctypes.pythonapi.PyCapsule_GetName
get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
print(json.dumps({key: {name: get(cap).decode()
                        for name, cap in importlib.import_module("cuda.bindings." + key).__pyx_capi__.items()}
                  for key in %r}))
""" % (PYTHONIC,)


@pytest.fixture(scope="module")
def pythonic(consumers):
    import consumer_pythonic
    return consumer_pythonic


def test_pythonic_capsules_are_nvidias():
    """What a consumer's cimport checks: each cpdef function under the
    signature NVIDIA's package exports it by, asked from that package."""
    import json
    from differential import harness
    from helpers import run_python
    try:
        python = harness.nvidia_python()
    except RuntimeError as e:   # no NVIDIA package to ask is a failure, not a skip
        pytest.fail(str(e))
    theirs = run_python(CAPSULE_NAMES, python=python, env=harness.nvidia_env())
    ours = run_python(CAPSULE_NAMES)
    assert theirs.returncode == 0 and ours.returncode == 0, theirs.stderr + ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert sum(map(len, json.loads(ours.stdout).values())) == 38


def test_cimported_nvjitlink_links_as_the_module_does(pythonic):
    from cuda.bindings import nvjitlink
    assert pythonic.jitlink_version() == nvjitlink.version()
    assert pythonic.jitlink_version_nogil() == (0,) + nvjitlink.version()
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
    cubin = pythonic.jitlink_ptx_to_cubin(ptx, b"-arch=sm_90")
    assert cubin[:4] == b"\x7fELF"
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    try:
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, ptx, len(ptx), "kernel.ptx")
        nvjitlink.complete(handle)
        same = bytearray(nvjitlink.get_linked_cubin_size(handle))
        nvjitlink.get_linked_cubin(handle, same)
    finally:
        nvjitlink.destroy(handle)
    assert len(cubin) == len(same)
    assert pythonic.jitlink_handle_size() == ctypes_pointer_size()


def ctypes_pointer_size():
    import ctypes
    return ctypes.sizeof(ctypes.c_void_p)


@pytest.mark.parametrize("options, error", [
    ([b"-arch=sm_90", b"-no-such-option"], "nvJitLinkError"),
    ([None], "TypeError"),
    (7.5, "TypeError"),   # an int would be the address of a caller's array, as NVIDIA's takes it
])
def test_cimported_calls_raise_as_the_module_does(pythonic, options, error):
    """Through the declaration's except value: the exception the Python
    function raises, never a bogus handle."""
    from cuda.bindings import nvjitlink
    with pytest.raises(Exception) as via_cython:
        pythonic.jitlink_create(options)
    with pytest.raises(Exception) as via_python:
        nvjitlink.create(len(options) if isinstance(options, list) else 1, options)
    assert type(via_cython.value) is type(via_python.value)
    assert type(via_cython.value).__name__ == error
    assert pythonic.jitlink_create([b"-arch=sm_90"]) is True


def test_cimported_nvvm_compiles_as_the_module_does(pythonic):
    from cuda.bindings import nvvm
    if not library_installed("nvvm"):
        pytest.skip("libnvvm is not installed")
    from test_nvvm import compile_ir, kernel_ir
    assert pythonic.nvvm_versions() == (nvvm.version(), nvvm.ir_version())
    ptx = pythonic.nvvm_ir_to_ptx(kernel_ir(), [b"-arch=compute_90"])
    assert ptx.rstrip(b"\0") == compile_ir(kernel_ir())
    assert pythonic.nvvm_error_string(int(nvvm.Result.ERROR_INVALID_IR)) == "NVVM_ERROR_INVALID_IR"
    with pytest.raises(nvvm.nvvmError):
        pythonic.nvvm_ir_to_ptx(b"this is not NVVM IR", [b"-arch=compute_90"])


def test_cimported_nvfatbin_packs_as_the_module_does(pythonic):
    from cuda.bindings import nvfatbin
    if not library_installed("nvfatbin"):
        pytest.skip("libnvfatbin is not installed")
    assert pythonic.fatbin_version() == nvfatbin.version()
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
    image = pythonic.fatbin_of_ptx(ptx, "90")
    assert image[:4] == (0xBA55ED50).to_bytes(4, "little")
    with pytest.raises(nvfatbin.nvFatbinError):
        pythonic.fatbin_of_ptx(ptx, "no-such-arch")
