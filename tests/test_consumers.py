"""Cython and C extensions built against the installed package, as users build them."""
import os
import shutil
import subprocess
import sys

import pytest
from helpers import CUDA_HOME, KERNEL, ROOT, cpdef_not_exported, header_dir, library_installed, nvrtc_output

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
             "-Dlibrary_include=" + ",".join(dict.fromkeys(header_dir(lib) for lib in ("driver", "nvvm", "nvfatbin", "nvml")))]
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


# -- cimport nvjitlink / nvvm / nvfatbin / nvml: the pythonic modules' cpdef functions

PYTHONIC = ("nvjitlink", "nvvm", "nvfatbin", "nvml")
# How many cpdef functions NVIDIA's modules export.
REFERENCE_COUNTS = {"nvjitlink": 15, "nvvm": 13, "nvfatbin": 10, "nvml": 315}
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
    signature NVIDIA's package exports it by, asked from that package; of
    the reference's, only those whose function the generator does not bind
    yet are missing (nvml's: listed in the failure, by name and reason)."""
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
    theirs, ours = json.loads(theirs.stdout), json.loads(ours.stdout)
    assert {key: len(names) for key, names in theirs.items()} == REFERENCE_COUNTS
    for key in PYTHONIC:
        assert ours[key] == {name: sig for name, sig in theirs[key].items() if name in ours[key]}, key
        missing = cpdef_not_exported(key, theirs[key])
        assert sorted(set(theirs[key]) - set(ours[key])) == sorted(missing), (key, missing)


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


def same_outcome(via_cython, via_python, *args):
    """The cpdef call through Cython ends as the Python function's call:
    the same value, or an exception of the same type and message (NVML
    absent: the loader's RuntimeError; no GPU or not initialised: the
    NvmlError subclass), which Cython saw through the except value."""
    try:
        want = via_python(*args)
    except Exception as e:
        with pytest.raises(type(e)) as got:
            via_cython(*args)
        assert type(got.value) is type(e) and str(got.value) == str(e)
        return e
    assert via_cython(*args) == want
    return None


def test_cimported_nvml_calls_as_the_module_does(pythonic):
    """Each return type and except clause of nvml.pxd, each C parameter type."""
    from cuda.bindings import nvml
    same_outcome(pythonic.nvml_init, nvml.init_v2)
    try:
        calls = [(pythonic.nvml_device_count, nvml.device_get_count_v2),
                 (pythonic.nvml_cuda_driver_version, nvml.system_get_cuda_driver_version),
                 (pythonic.nvml_cuda_driver_version_v2, nvml.system_get_cuda_driver_version_v2),
                 (pythonic.nvml_driver_version, nvml.system_get_driver_version),
                 (pythonic.nvml_handle_by_uuid, nvml.device_get_handle_by_uuid, "GPU-no-such-uuid"),
                 (pythonic.nvml_handle_by_uuid, nvml.device_get_handle_by_uuid, 7)]   # TypeError either way
        failed = same_outcome(pythonic.nvml_handle_by_index, nvml.device_get_handle_by_index_v2, 0)
        device = nvml.device_get_handle_by_index_v2(0) if failed is None else -1   # no GPU: a bogus handle
        calls += [(pythonic.nvml_name, nvml.device_get_name, device),
                  (pythonic.nvml_brand, lambda d: int(nvml.device_get_brand(d)), device),
                  (pythonic.nvml_clock, lambda d: nvml.device_get_clock(d, nvml.ClockType.SM,
                                                                      nvml.ClockId.CURRENT), device),
                  (pythonic.nvml_energy, nvml.device_get_total_energy_consumption, device),
                  (pythonic.nvml_power_source, nvml.device_get_power_source, device),
                  (pythonic.nvml_on_same_board, nvml.device_on_same_board, device, device),
                  (pythonic.nvml_register_events, nvml.device_register_events, device, 1 << 63, 0)]
        for call in calls:
            same_outcome(*call)
    finally:
        same_outcome(pythonic.nvml_shutdown, nvml.shutdown)


def test_cimported_nvml_types_are_the_pxds(pythonic):
    import ctypes
    assert pythonic.nvml_types() == (ctypes.sizeof(ctypes.c_void_p), 2, 41)


# A libnvidia-ml.so.1 of a few functions, answering at the edges of each C
# type: an unsigned int above INT_MAX, a handle above INTPTR_MAX (negative
# as intptr_t), an unsigned long long above LLONG_MAX, a negative int, and
# 0 where the .pxd says `except 0`.
FAKE_NVML = r"""
#include <stddef.h>
typedef struct nvmlDevice_st *nvmlDevice_t;
int nvmlInit_v2(void) { return 0; }
int nvmlShutdown(void) { return 0; }
const char *nvmlErrorString(int r) { return r == 2 ? "Invalid Argument" : "Unknown Error"; }
int nvmlDeviceGetCount_v2(unsigned int *n) { *n = 4000000000u; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d)
{
    if (i > 0)
        return 2;
    *d = (nvmlDevice_t)(size_t)0xffff800000001000ull;
    return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *e)
{
    *e = d == (nvmlDevice_t)(size_t)0xffff800000001000ull ? 0xfedcba9876543210ull : 1;
    return 0;
}
int nvmlSystemGetCudaDriverVersion(int *v) { *v = -7; return 0; }
int nvmlSystemGetCudaDriverVersion_v2(int *v) { *v = 0; return 0; }
"""

FAKE_NVML_CALLS = """
import consumer_pythonic as cy
from cuda.bindings import nvml
cy.nvml_init()
device = cy.nvml_handle_by_index(0)
assert device == 0xffff800000001000 - (1 << 64), device
assert cy.nvml_device_count() == nvml.device_get_count_v2() == 4000000000
assert cy.nvml_energy(device) == nvml.device_get_total_energy_consumption(device) == 0xfedcba9876543210
assert cy.nvml_cuda_driver_version() == nvml.system_get_cuda_driver_version() == -7
try:
    cy.nvml_handle_by_index(1)
except nvml.InvalidArgumentError as e:
    assert str(e) == "Invalid Argument", e
else:
    raise AssertionError("no exception")
try:   # `except 0`: a 0 is an exception, set or not (so NVIDIA's too)
    cy.nvml_cuda_driver_version_v2()
except SystemError:
    assert nvml.system_get_cuda_driver_version_v2() == 0
else:
    raise AssertionError("no exception")
cy.nvml_shutdown()
print("ok")
"""


def test_cimported_nvml_results_reach_cython_whole(pythonic, tmp_path):
    """Through a libnvidia-ml.so.1 of our own: each C return type's values
    past the smaller types' ranges, unboxed as the .pxd declares them."""
    import sysconfig
    if sysconfig.get_config_var("SIZEOF_VOID_P") != 8:
        pytest.skip("the fake's handle is a 64-bit address")
    src = tmp_path / "fake_nvml.c"
    src.write_text(FAKE_NVML)
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(tmp_path / "libnvidia-ml.so.1"), str(src)], check=True)
    from helpers import run_python
    path = [os.path.dirname(pythonic.__file__)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    r = run_python(FAKE_NVML_CALLS, env={"LD_LIBRARY_PATH": str(tmp_path), "PYTHONPATH": os.pathsep.join(path)})
    assert r.returncode == 0 and r.stdout == "ok\n", r.stdout + r.stderr
