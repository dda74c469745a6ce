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
             "-Dlibrary_include=" + ",".join(dict.fromkeys(
                 header_dir(lib) for lib in ("driver", "nvvm", "nvfatbin", "nvml", "cufile", "cudla")))]
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


def test_c_capsule_cudla(consumers):
    """cuda_bindings/cudla.h compiles against the cudla.h the build bound (gen/data/cudla here) and its
    slots call through: the library's version, or, with no libcudla (x86-64), the RuntimeError the
    Python module raises too."""
    _, c = consumers
    from cuda.bindings import cudla
    try:
        expected = (0, cudla.get_version())
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match="cudlaGetVersion"):
            c.cudla_version()
        assert "cudlaGetVersion" in str(e)
    else:
        assert c.cudla_version() == expected


def test_c_capsule_cufile(consumers):
    """cuda_bindings/cufile.h: the status struct by value, and cufile.h's
    `#define cuFileDriverClose cuFileDriverClose_v2` sending a C caller's
    api->cuFileDriverClose to the _v2 slot, as C callers of cufile.h go."""
    _, c = consumers
    from cuda.bindings import cufile
    assert c.cufile_version() == (0, 0, cufile.get_version(), 1)


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

PYTHONIC = ("nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla")
# How many cpdef functions NVIDIA's modules export.
REFERENCE_COUNTS = {"nvjitlink": 15, "nvvm": 13, "nvfatbin": 10, "nvml": 315, "cufile": 39, "cudla": 13}
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
    absent: the loader's DynamicLibNotFoundError; no GPU or not initialised: the
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


def test_cimported_cufile_and_cudla_call_as_the_modules_do(pythonic):
    """cufile.pxd and cudla.pxd: int, size_t, bint, void and uint64_t results, `except?` values and
    `except *`, the functions cuDLA's module writes by hand; without libcudla (x86-64) the loader's
    RuntimeError, through the except value."""
    from cuda.bindings import cudla, cufile
    same_outcome(pythonic.cufile_version, cufile.get_version)
    same_outcome(pythonic.cufile_parameters, lambda: (
        cufile.get_parameter_size_t(cufile.SizeTConfigParameter.PROFILE_STATS),
        cufile.get_parameter_bool(cufile.BoolConfigParameter.PROPERTIES_USE_POLL_MODE)))
    same_outcome(pythonic.cufile_handle_deregister, lambda fh: cufile.handle_deregister(fh) or True, 0)
    same_outcome(pythonic.cudla_version, cudla.get_version)
    assert isinstance(same_outcome(pythonic.cudla_create_device, cudla.create_device, 0, 1), cudla.CudlaError)
    assert isinstance(same_outcome(pythonic.cudla_module_attributes, cudla.module_get_attributes, 0, 9),
                      ValueError)
    same_outcome(pythonic.cudla_last_error, cudla.get_last_error, 0)


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
        if failed is None:
            device = nvml.device_get_handle_by_index_v2(0)
        elif isinstance(failed, RuntimeError):   # no NVML: the handle never reaches a library
            device = 0x1000
        else:   # NVML without a device: no handle to pass it
            device = None
        calls += [] if device is None else [(pythonic.nvml_name, nvml.device_get_name, device),
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
# A negative intptr_t is a handle's bits, passed on whole (the Python door takes the unsigned number).
assert cy.nvml_energy(device) == nvml.device_get_total_energy_consumption(device % (1 << 64)) == 0xfedcba9876543210
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


def nvml_cpdefs():
    """[(name, [(C type or None, parameter)])] of the installed nvml.pxd's cpdef functions."""
    import cuda.bindings
    with open(os.path.join(os.path.dirname(cuda.bindings.__file__), "nvml.pxd")) as f:
        lines = [x for x in f.read().splitlines() if x.startswith("cpdef ")]
    import re
    out = []
    for line in lines:
        name, params = re.match(r"cpdef (?:\w+ )*?(\w+)\((.*)\)", line).groups()
        out.append((name, [(p.rsplit(" ", 1)[0] if " " in p else None, p.rsplit(" ", 1)[-1])
                           for p in params.split(", ") if p]))
    return out


# After FUNCTIONS (nvml_cpdefs()) and FAILING (every call returns
# $FAKE_NVML_RETURN, so the fake gives out no handle: a value of its form
# instead).  Each parameter of a cpdef gets a handle the fake gave out (by
# the parameter's name), a string (an untyped one), or 0.
SWEEP_CALLS = """
import json
import consumer_nvml_all as cy
from cuda.bindings import nvml
def handle(f, *args):
    return 0xfa4e00000010 if FAILING else f(*args)
handle(nvml.init_v2)
device = handle(nvml.device_get_handle_by_index_v2, 0)
gpu_instance = handle(nvml.device_get_gpu_instance_by_id, device, 0)
handles = {"device": device, "device1": device, "device2": device, "mig_device": device,
           "unit": handle(nvml.unit_get_handle_by_index, 0), "set": handle(nvml.event_set_create),
           "gpu_instance": gpu_instance,
           "compute_instance": handle(nvml.gpu_instance_get_compute_instance_by_id, gpu_instance, 0)}
import ctypes
room = ctypes.create_string_buffer(1 << 16)   # what an intptr_t that is no handle points to (a struct's address)
report = {}   # name: "value" or the exception's class, the same both ways; else both outcomes
for name, params in FUNCTIONS:
    args = [handles.get(p, ctypes.addressof(room)) if t == "intptr_t" else "x" if t is None else 0
            for t, p in params]
    def outcome(f):
        try:
            return "value", f(*args)
        except Exception as e:
            return type(e).__name__, str(e)
    via_python, via_cython = outcome(getattr(nvml, name)), outcome(getattr(cy, name))
    if via_python != via_cython:
        report[name] = (repr(via_cython), repr(via_python))
    else:
        report[name] = via_python[0]
handle(nvml.shutdown)
print(json.dumps(report))
"""


@pytest.mark.parametrize("status", [None, "3"], ids=["values", "errors"])
def test_every_cimported_nvml_function_answers_as_the_module_does(fake_nvml, tmp_path, status):
    """Each cpdef function nvml.pxd declares, called from Cython and from
    Python against the fake libnvidia-ml.so.1 (tests/nvml_fake): the same
    value, or the same exception, every time; with every call failing
    (NVML_ERROR_NOT_SUPPORTED), each one's exception through its except value."""
    import json
    import sysconfig
    import cuda.bindings
    functions = nvml_cpdefs()
    pyx = tmp_path / "consumer_nvml_all.pyx"
    pyx.write_text("from libc.stdint cimport intptr_t\nfrom cuda.bindings cimport nvml\n\n" + "".join(
        "def %s(%s):\n    return nvml.%s(%s)\n\n" % (
            name, ", ".join(p if t is None else "%s %s" % (t, p) for t, p in params), name,
            ", ".join(p for _, p in params)) for name, params in functions))
    root = os.path.dirname(os.path.dirname(os.path.dirname(cuda.bindings.__file__)))
    c = tmp_path / "consumer_nvml_all.c"
    so = tmp_path / ("consumer_nvml_all" + sysconfig.get_config_var("EXT_SUFFIX"))
    for cmd in (["cython", "-3", "-I", root, str(pyx), "-o", str(c)],
                [os.environ.get("CC", "cc"), "-shared", "-fPIC", "-I", sysconfig.get_paths()["include"],
                 "-I", header_dir("nvml"), str(c), "-o", str(so)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    from helpers import run_python
    path = [str(tmp_path)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    env = {"LD_LIBRARY_PATH": fake_nvml, "PYTHONPATH": os.pathsep.join(path)}
    if status:
        env["FAKE_NVML_RETURN"] = status
    r = run_python("FUNCTIONS = %r\nFAILING = %r\n%s" % (functions, bool(status), SWEEP_CALLS), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert {name: got for name, got in report.items() if isinstance(got, list)} == {}
    assert len(report) == len(functions) > 200
    # a struct argument given as "x" is refused before any call (int("x")), the same both ways
    refused = {name for name, params in functions if any(t is None for t, _ in params)}
    assert {name for name, got in report.items() if got == "ValueError"} <= refused
    # the fake reports no room needed where NVIDIA's module asks once with none (NvLink telemetry)
    short = {name for name, got in report.items() if got == "InsufficientSizeError"}
    assert len(short) <= 2
    if status:   # error_string alone returns no status
        assert report.pop("error_string") == "value"
        assert set(report.values()) <= {"NotSupportedError", "ValueError"}
    else:   # the values are compared, not only errors
        assert set(report.values()) <= {"value", "ValueError", "InsufficientSizeError"}
        assert list(report.values()).count("value") > 200
