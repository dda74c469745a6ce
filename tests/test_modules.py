"""cuda.bindings.driver and cuda.bindings.runtime without a GPU.

Both: every function's signature and docstring.  The driver: its enums,
handle classes and constants as the headers define them, the tuple
contract, and what a stub or absent driver does to a call.  The runtime:
the statically linked runtime, its errors and versions, enums and
constants, the struct-returning helpers, handle interop with the driver,
and what a stub or absent driver does to a call.
"""
import inspect
import operator
import os
import pickle
import re
import subprocess

import pytest
from helpers import Recorder, header_dir, load_gen, run_python
from test_loader import run_without_ld_cache

from cuda.bindings import cydriver, cyruntime, driver, runtime

INCLUDE = header_dir("driver")
SUCCESS = runtime.cudaError_t.cudaSuccess

LIBS = {"driver": driver, "runtime": runtime}


# --- both modules ---------------------------------------------------------

# The names of a module's functions begin so; there are this many, at the least.
FUNCTIONS = {"driver": (("cu",), 450), "runtime": (("cuda", "make_", "getLocal"), 330)}


@pytest.mark.parametrize("lib", LIBS)
def test_every_function_has_a_signature_and_a_clean_docstring(lib):
    mod = LIBS[lib]
    prefixes, least = FUNCTIONS[lib]
    funcs = [getattr(mod, n) for n in dir(mod) if n.startswith(prefixes)
             and callable(getattr(mod, n)) and not isinstance(getattr(mod, n), type)]
    assert len(funcs) >= least
    for f in funcs:
        inspect.signature(f)
        assert f.__doc__ and "\\" not in f.__doc__ and "otefnerr" not in f.__doc__, f.__name__


# Parameters of some functions, and words their docstrings have.
SIGNATURES = {"driver": {"cuCtxCreate": ["ctxCreateParams", "flags", "dev"], "cuGraphGetNodes": ["hGraph", "numNodes"]},
              "runtime": {"cudaMemcpy": ["dst", "src", "count", "kind"]}}
DOCS = {"driver": {"cuMemAlloc": ["Parameters", "bytesize", "CUdeviceptr"]},
        "runtime": {"cudaMemcpy": ["Copies data between host and device"]}}


@pytest.mark.parametrize("lib", LIBS)
def test_signatures_and_docstrings(lib):
    mod = LIBS[lib]
    for name, params in SIGNATURES[lib].items():
        assert list(inspect.signature(getattr(mod, name)).parameters) == params, name
    for name, words in DOCS[lib].items():
        for word in words:
            assert word in getattr(mod, name).__doc__, (name, word)


# --- the driver -----------------------------------------------------------

@pytest.fixture(scope="module")
def header():
    """The driver headers as our generator reads them (the facts to hold the module to)."""
    load_gen()
    from gen.load import load_model
    return load_model("driver", INCLUDE)


def test_every_enum_has_the_headers_members(header):
    checked = 0
    for cname, pyname, members, _ in header.py_enums():
        cls = getattr(driver, pyname)
        for mname, value, _ in members:
            assert int(getattr(cls, mname)) == value, (pyname, mname)
            checked += 1
    assert checked > 1000


def test_enum_behaves_like_intenum():
    r = driver.CUresult.CUDA_ERROR_INVALID_VALUE
    assert r == 1 and isinstance(r, int) and r.name == "CUDA_ERROR_INVALID_VALUE" and r.value == 1
    assert driver.CUresult(1) is r
    assert driver.CUresult.CUDA_SUCCESS in list(driver.CUresult)
    assert pickle.loads(pickle.dumps(r)) is r
    # an alias typedef of an enum is a class with the same members
    assert driver.CUkernelNodeAttrID.CU_LAUNCH_ATTRIBUTE_PRIORITY == \
        driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY


def test_constants_match_the_headers(header):
    for name, value in header.constants():
        assert getattr(driver, name) == value, name
    assert driver.CU_STREAM_LEGACY == 1 and driver.CU_STREAM_PER_THREAD == 2
    assert driver.CU_DEVICE_CPU == -1 and driver.CU_LAUNCH_PARAM_END == 0


@pytest.mark.parametrize("cls, value, text", [
    ("CUstream", 0x1234, "<CUstream 0x1234>"),
    ("CUcontext", 0, "<CUcontext 0x0>"),
    ("CUdevice", -1, "<CUdevice -1>"),
    ("CUdeviceptr", 2 ** 64 - 1, "<CUdeviceptr 18446744073709551615>"),
    ("cuuint32_t", 2 ** 32 - 1, "<cuuint32_t 4294967295>"),
    ("CUmemGenericAllocationHandle", 7, "<CUmemGenericAllocationHandle 7>"),
])
def test_handle_classes(cls, value, text):
    """As NVIDIA's: opaque pointers compare by value and are indexes; the
    integer handles have only __int__ and compare by identity."""
    H = getattr(driver, cls)
    h = H(value)
    assert int(h) == value and repr(h) == text
    assert isinstance(h.getPtr(), int) and h.getPtr() != 0
    assert driver.sizeof(H) in (4, 8)
    if cls in ("CUstream", "CUcontext"):
        assert h == H(value) and hash(h) == hash(H(value)) and h != H(value + 1)
        assert H() == H(0) and operator.index(h) == value
    else:
        assert h != H(value) and h == h and not hasattr(h, "__index__")
        with pytest.raises(TypeError):
            operator.index(h)


def test_handle_views_foreign_memory():
    import ctypes
    cell = ctypes.c_uint64(0xABCD)
    h = driver.CUdeviceptr(_ptr=ctypes.addressof(cell))
    assert int(h) == 0xABCD
    cell.value = 5
    assert int(h) == 5 and h.getPtr() == ctypes.addressof(cell)


def test_capsules_are_exported():
    assert "cuInit" in cydriver.__pyx_capi__
    assert len(cydriver.__pyx_capi__) >= 450


def test_no_driver_raises_runtime_error_naming_it():
    code = """
from cuda.bindings import driver
try:
    driver.cuInit(0)
except RuntimeError as e:
    print("RAISED", e)
"""
    r = run_without_ld_cache(code, {})
    if "RAISED" not in r.stdout:
        pytest.skip("a driver is installed system-wide: %s" % (r.stdout + r.stderr)[-200:])
    assert "libcuda.so.1" in r.stdout and "cuInit" in r.stdout


def test_stub_driver_resolves_no_function(stub_driver):
    """The toolkit's stub answers cuGetProcAddress with CUDA_ERROR_STUB_LIBRARY:
    no function resolves, and a call raises FunctionNotFoundError (a
    RuntimeError), as NVIDIA's does."""
    code = """
from cuda.bindings import driver
for call in (lambda: driver.cuInit(0), driver.cuDeviceGetCount):
    try:
        call()
    except RuntimeError as e:
        print(type(e).__name__)
"""
    r = run_python(code, env={"LD_LIBRARY_PATH": stub_driver})
    lines = r.stdout.splitlines()
    assert lines == ["FunctionNotFoundError"] * 2, r.stdout + r.stderr


def test_kernel_params_forms_are_checked_before_the_call():
    f = driver.CUfunction()
    for bad in [([1, 2], [None]), ([object()], [None]), ("ab", "cd"), ([1], [int])]:
        with pytest.raises((TypeError, ValueError)):
            driver.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, bad, 0)


def test_arrays_must_match_their_count():
    with pytest.raises(RuntimeError, match="numDependencies"):   # fewer items than the count
        driver.cuGraphAddEmptyNode(None, [driver.CUgraphNode()], 2)
    with pytest.raises(TypeError, match="CUgraphNode"):
        driver.cuGraphAddEmptyNode(None, [driver.CUstream()], 1)


def test_typing_stub_names_every_type_it_uses():
    """driver.pyi parses and defines each name its annotations use, so type
    checkers resolve CUDA_MEMCPY2D, CUstream, CUresult... in signatures."""
    import ast
    import builtins
    stub = os.path.join(os.path.dirname(driver.__file__), "driver.pyi")
    tree = ast.parse(open(stub).read())
    defined = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    defined |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert used - defined - set(dir(builtins)) == set()
    assert {"CUDA_MEMCPY2D", "CUstream", "CUresult", "cuMemcpy2D"} <= defined


def test_a_cukernel_goes_where_a_cufunction_is_taken():
    """cuda.h: a context-less CUkernel may be passed cast to CUfunction (launches, occupancy)."""
    for call in (lambda f: driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(f, 32, 0),
                 lambda f: driver.cuFuncGetAttribute(driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, f)):
        for ok in (driver.CUkernel(0), driver.CUfunction(0), 0, None):
            try:
                call(ok)
            except RuntimeError:   # converted; no driver here
                pass
        with pytest.raises(TypeError, match="func"):   # not an integer
            call("f")


def test_enum_member_docs_render_the_headers_references():
    """The header's doxygen as NVIDIA renders it: a \\ref to a group is its
    title, a \\ref with words links them, two trailing comments of one member
    are one doc, code in backticks keeps its underscores, and a macro naming
    a type is no link (cuda-core words its errors from these docs)."""
    A = driver.CUdevice_attribute
    assert "See :py:obj:`~.Stream Memory Operations` for" in A.CU_DEVICE_ATTRIBUTE_CAN_FLUSH_REMOTE_WRITES.__doc__
    assert driver.CUjit_target.CU_TARGET_COMPUTE_121.__doc__ == (
        "Compute device class 12.1. Compute device class 9.0. with accelerated\nfeatures.\n")
    assert "the kernel's `__launch_bounds__`." in \
        driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PREFERRED_CLUSTER_DIMENSION.__doc__
    E = runtime.cudaError_t
    assert "see the device attribute\n:py:obj:`~.cudaDevAttrKernelExecTimeout` for" in E.cudaErrorLaunchTimeout.__doc__
    assert "Please see\n:py:obj:`~.Interactions with the CUDA Driver API` for" in \
        E.cudaErrorIncompatibleDriverContext.__doc__
    assert runtime.cudaGraphDebugDotFlags.cudaGraphDebugDotFlagsKernelNodeAttributes.__doc__ == \
        "Adds cudaKernelNodeAttrID values to output\n"
    assert "\n:py:obj:`~.cudaLaunchAttributeValue.deviceUpdatableKernelNode.deviceUpdatable`\ncan only" in \
        runtime.cudaLaunchAttributeID.cudaLaunchAttributeDeviceUpdatableKernelNode.__doc__
    assert runtime.cudaSharedMemConfig.__doc__ == "\n    CUDA shared memory configuration [Deprecated]\n    "


# --- the runtime ----------------------------------------------------------

def python_stdout(code, env=None):
    """stdout of code run in a fresh interpreter, which must succeed."""
    p = run_python(code, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_runtime_is_linked_in_not_loaded():
    """The runtime needs only the driver: cyruntime names no libcudart, and
    importing and calling it maps no libcudart into the process."""
    out = python_stdout(
        "from cuda.bindings import runtime\n"
        "err, v = runtime.cudaRuntimeGetVersion()\n"
        "assert err == runtime.cudaError_t.cudaSuccess and v > 0, (err, v)\n"
        "runtime.cudaGetDeviceCount()\n"
        "maps = open('/proc/self/maps').read()\n"
        "print('libcudart' in maps)\n")
    assert out.strip() == "False"


def test_cyruntime_needs_no_shared_cudart():
    readelf = subprocess.run(["readelf", "-d", cyruntime.__file__], capture_output=True, text=True)
    if readelf.returncode != 0:
        pytest.skip("readelf is not available")
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", readelf.stdout)
    assert needed and not [n for n in needed if "cudart" in n or "libcuda" in n], needed


def test_cyruntime_exports_only_its_init():
    """libcudart_static.a's symbols stay inside cyruntime: another cudart in
    the process cannot bind to ours, nor ours to it."""
    nm = subprocess.run(["nm", "-D", "--defined-only", cyruntime.__file__], capture_output=True, text=True)
    if nm.returncode != 0:
        pytest.skip("nm is not available")
    exported = [ln.split()[-1] for ln in nm.stdout.splitlines() if " T " in ln]
    assert exported == ["PyInit_cyruntime"], exported


def test_runtime_version_is_the_linked_one():
    err, version = runtime.cudaRuntimeGetVersion()
    assert err == SUCCESS
    assert version == runtime.CUDART_VERSION
    assert version // 1000 >= 12


def test_local_runtime_version_reads_the_shared_library_or_says_why():
    try:
        err, version = runtime.getLocalRuntimeVersion()
    except RuntimeError as e:  # no libcudart.so here: the message says where it looked
        assert "libcudart" in str(e) and "cudaRuntimeGetVersion" in str(e)
    else:
        assert err == SUCCESS and version // 1000 >= 12


@pytest.mark.parametrize("member", list(runtime.cudaError_t)[:200:7])
def test_error_strings(member):
    err, text = runtime.cudaGetErrorString(member)
    assert err == SUCCESS and isinstance(text, bytes) and text
    err, name = runtime.cudaGetErrorName(member)
    assert err == SUCCESS and name == member.name.encode()


def test_error_strings_of_unknown_values():
    err, name = runtime.cudaGetErrorName(123456)
    assert err == SUCCESS and name == b"cudaErrorUnknown" or b"unrecognized" in name.lower()
    # an enum argument is int(value), as NVIDIA's: a numeric str too
    assert runtime.cudaGetErrorString("0") == runtime.cudaGetErrorString(0)
    with pytest.raises(ValueError):
        runtime.cudaGetErrorString("cudaSuccess")
    with pytest.raises(OverflowError):
        runtime.cudaGetErrorString(2 ** 64)


def test_enums_and_constants():
    assert runtime.cudaError_t.cudaErrorInvalidValue == 1
    assert isinstance(runtime.cudaError_t(2), runtime.cudaError_t)
    assert runtime.cudaMemcpyKind.cudaMemcpyDefault == 4
    assert runtime.cudaStreamPerThread == 2 and runtime.cudaStreamLegacy == 1
    assert runtime.cudaCpuDeviceId == -1 and runtime.cudaInvalidDeviceId == -2
    assert runtime.cudaDeviceBlockingSync == runtime.cudaDeviceScheduleBlockingSync == 4
    # macro aliases of enums are the same class
    assert runtime.cudaStreamAttrID is runtime.cudaLaunchAttributeID or \
        issubclass(runtime.cudaStreamAttrID, int)


def test_struct_returning_helpers():
    e = runtime.make_cudaExtent(1, 2, 3)
    assert (e.width, e.height, e.depth) == (1, 2, 3)
    p = runtime.make_cudaPos(4, 5, 6)
    assert (p.x, p.y, p.z) == (4, 5, 6)
    buf = bytearray(64)
    pp = runtime.make_cudaPitchedPtr(buf, 16, 4, 4)
    assert (pp.pitch, pp.xsize, pp.ysize) == (16, 4, 4)
    err, desc = runtime.cudaCreateChannelDesc(32, 0, 0, 0, runtime.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    assert err == SUCCESS
    assert (desc.x, desc.y, desc.z, desc.w) == (32, 0, 0, 0)
    assert desc.f == runtime.cudaChannelFormatKind.cudaChannelFormatKindFloat
    with pytest.raises(OverflowError):
        runtime.make_cudaExtent(-1, 0, 0)
    with pytest.raises(ValueError):
        runtime.cudaCreateChannelDesc(32, 0, 0, 0, "float")
    with pytest.raises(TypeError):
        runtime.cudaCreateChannelDesc(32, 0, 0, 0, None)


@pytest.mark.parametrize("rt, drv", [("cudaStream_t", "CUstream"), ("cudaEvent_t", "CUevent"),
                                     ("cudaGraph_t", "CUgraph"), ("cudaGraphNode_t", "CUgraphNode"),
                                     ("cudaGraphExec_t", "CUgraphExec"), ("cudaMemPool_t", "CUmemoryPool"),
                                     ("cudaUserObject_t", "CUuserObject"), ("cudaFunction_t", "CUfunction")])
def test_runtime_handles_are_driver_handles(rt, drv):
    """The runtime's classes of the driver's older C types extend the
    driver's, and print as them, as NVIDIA's do."""
    R, D = getattr(runtime, rt), getattr(driver, drv)
    assert issubclass(R, D)
    r, d = R(0x1234), D(0x1234)
    assert r == d and d == r and hash(r) == hash(d)
    assert r != D(0x1235)
    assert int(r) == 0x1234 and repr(r) == "<%s 0x1234>" % drv


@pytest.mark.parametrize("rt, drv", [("cudaKernel_t", "CUkernel"), ("cudaLibrary_t", "CUlibrary"),
                                     ("cudaGraphDeviceNode_t", "CUgraphDeviceNode")])
def test_newer_runtime_handles_stand_alone(rt, drv):
    """The newer ones are classes of their own in NVIDIA's (still taken
    where the other is, as any handle is)."""
    R, D = getattr(runtime, rt), getattr(driver, drv)
    assert not issubclass(R, D) and R.__mro__ == (R, object)
    assert repr(R(0x1234)) == "<%s 0x1234>" % rt and R(5) == R(5)


def test_handles_are_taken_from_either_api():
    """A CUstream where a cudaStream_t is wanted and the reverse: the call is
    made (it fails only for want of a driver), never a TypeError.  As in
    NVIDIA's, any handle object is taken for its value (its int()); what has
    no __int__ is refused."""
    for s in (runtime.cudaStream_t(), driver.CUstream(), 0, None, runtime.cudaEvent_t(), driver.CUevent()):
        err, = runtime.cudaStreamQuery(s)
        assert isinstance(err, runtime.cudaError_t)
    for bad in ("x", object(), driver.CUDA_MEMCPY2D()):
        with pytest.raises(TypeError, match="cudaStreamQuery.*stream"):
            runtime.cudaStreamQuery(bad)


def test_device_pointers_as_ints_and_handles():
    """Device memory arguments (`void *`) take an int, a CUdeviceptr, or a buffer."""
    for dst in (0x1000, driver.CUdeviceptr(0x1000)):
        err, = runtime.cudaMemset(dst, 0, 0)
        assert isinstance(err, runtime.cudaError_t)
    with pytest.raises(TypeError):
        runtime.cudaMemset(1.5, 0, 0)


def test_no_driver_errors_are_returned_not_raised():
    out = python_stdout(
        "from cuda.bindings import runtime\n"
        "print(runtime.cudaGetDeviceCount()[0].name, runtime.cudaGetLastError()[0].name)\n",
        env={"LD_LIBRARY_PATH": "/nonexistent"})
    first, last = out.split()
    assert first in ("cudaErrorInsufficientDriver", "cudaErrorNoDevice", "cudaSuccess")


def test_stub_driver_returns_stub_error(stub_driver):
    out = python_stdout(
        "from cuda.bindings import runtime\n"
        "err, n = runtime.cudaGetDeviceCount()\n"
        "print(err.name, n)\n",
        env={"LD_LIBRARY_PATH": stub_driver})
    if "cudaSuccess" in out:
        pytest.skip("a real driver was found before the stub")
    assert out.split()[0] in ("cudaErrorStubLibrary", "cudaErrorInsufficientDriver"), out


def test_launch_functions_take_kernel_arguments():
    params = list(inspect.signature(runtime.cudaLaunchKernel).parameters)
    assert params == ["func", "gridDim", "blockDim", "args", "sharedMem", "stream"]
    with pytest.raises(TypeError):
        runtime.cudaLaunchKernel(0, runtime.dim3(), runtime.dim3(), ([1], [object()]), 0, 0)
    with pytest.raises(TypeError):
        runtime.cudaLaunchKernel(0, (1, 1, 1), runtime.dim3(), None, 0, 0)


def test_host_callbacks_take_python_callables():
    """The callable is released once the call failed (no driver) or once it
    ran (with one): never kept."""
    import weakref
    fn = Recorder()
    ran, ref = fn.calls, weakref.ref(fn)
    err, = runtime.cudaLaunchHostFunc(None, fn, "data")
    del fn
    if err == SUCCESS:
        assert runtime.cudaStreamSynchronize(None)[0] == SUCCESS
        assert ran == ["data"]
    assert ref() is None
    with pytest.raises(TypeError):
        runtime.cudaStreamAddCallback(None, 1.5, None, 0)


def test_per_thread_default_stream_is_chosen_at_import():
    """With the variable set, the call still works (the _ptsz symbol is linked in)."""
    out = python_stdout(
        "from cuda.bindings import runtime\n"
        "print(runtime.cudaStreamQuery(0)[0].name)\n",
        env={"CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM": "1"})
    assert out.strip().startswith("cuda")
