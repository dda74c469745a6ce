"""cuda.bindings.runtime without a GPU: the statically linked runtime, its
errors and versions, enums and constants, the struct-returning helpers,
handle interop with the driver, docstrings, and what a stub or absent driver
does to a call."""
import inspect
import re
import subprocess

import pytest

import helpers

runtime = pytest.importorskip("cuda.bindings.runtime")
from cuda.bindings import cyruntime, driver  # noqa: E402

SUCCESS = runtime.cudaError_t.cudaSuccess


def run_python(code, env=None):
    """stdout of code run in a fresh interpreter, which must succeed."""
    p = helpers.run_python(code, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_runtime_is_linked_in_not_loaded():
    """The runtime needs only the driver: cyruntime names no libcudart, and
    importing and calling it maps no libcudart into the process."""
    out = run_python(
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
    out = run_python(
        "from cuda.bindings import runtime\n"
        "print(runtime.cudaGetDeviceCount()[0].name, runtime.cudaGetLastError()[0].name)\n",
        env={"LD_LIBRARY_PATH": "/nonexistent"})
    first, last = out.split()
    assert first in ("cudaErrorInsufficientDriver", "cudaErrorNoDevice", "cudaSuccess")


def test_stub_driver_returns_stub_error(stub_driver):
    out = run_python(
        "from cuda.bindings import runtime\n"
        "err, n = runtime.cudaGetDeviceCount()\n"
        "print(err.name, n)\n",
        env={"LD_LIBRARY_PATH": stub_driver})
    if "cudaSuccess" in out:
        pytest.skip("a real driver was found before the stub")
    assert out.split()[0] in ("cudaErrorStubLibrary", "cudaErrorInsufficientDriver"), out


def test_every_function_has_a_signature_and_a_clean_docstring():
    funcs = [getattr(runtime, n) for n in dir(runtime) if n.startswith(("cuda", "make_", "getLocal"))
             and callable(getattr(runtime, n)) and not isinstance(getattr(runtime, n), type)]
    assert len(funcs) >= 330
    for f in funcs:
        inspect.signature(f)
        assert f.__doc__ and "\\" not in f.__doc__ and "otefnerr" not in f.__doc__, f.__name__
    assert list(inspect.signature(runtime.cudaMemcpy).parameters) == ["dst", "src", "count", "kind"]
    assert "Copies data between host and device" in runtime.cudaMemcpy.__doc__


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
    ran = []

    class Fn:
        def __call__(self, data):
            ran.append(data)

    fn = Fn()
    ref = weakref.ref(fn)
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
    out = run_python(
        "from cuda.bindings import runtime\n"
        "print(runtime.cudaStreamQuery(0)[0].name)\n",
        env={"CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM": "1"})
    assert out.strip().startswith("cuda")
