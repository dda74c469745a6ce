"""Memory and reference leaks: each family of calls, on its success and its
error paths (exceptions included), run many times over must leave the
Python heap (tracemalloc) and the process (RSS) where they were."""
import ctypes
import gc
import os
import time
import tracemalloc

import pytest
from helpers import KERNEL, library_installed, nvrtc_output

from cuda.bindings import driver, nvfatbin, nvjitlink, nvrtc, nvvm, runtime

SANITIZED = "libasan" in open("/proc/self/maps").read()


def resident_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class _ProcessInfo(ctypes.Structure):
    # nvml.h's nvmlProcessInfo_t (v2 layout, what the _v3 query fills)
    _fields_ = [("pid", ctypes.c_uint), ("usedGpuMemory", ctypes.c_ulonglong),
                ("gpuInstanceId", ctypes.c_uint), ("computeInstanceId", ctypes.c_uint)]


def process_device_kb():
    """Device memory this process holds, as NVML lists it; None where NVML
    is missing or does not list this process (another PID namespace)."""
    try:
        nvml = ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        return None
    dev = ctypes.c_void_p()
    if nvml.nvmlInit_v2() != 0 or nvml.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(dev)) != 0:
        return None
    count = ctypes.c_uint(256)
    infos = (_ProcessInfo * 256)()
    if nvml.nvmlDeviceGetComputeRunningProcesses_v3(dev, ctypes.byref(count), infos) != 0:
        return None
    mine = [i.usedGpuMemory for i in infos[:count.value] if i.pid == os.getpid()]
    if not mine or mine[0] == (1 << 64) - 1:  # NVML_VALUE_NOT_AVAILABLE
        return None
    return mine[0] // 1024


def device_free_kb():
    """Free memory of the current context's device."""
    err, free, _ = driver.cuMemGetInfo()
    assert err == driver.CUresult.CUDA_SUCCESS, err
    return free // 1024


def device_mark():
    """What device_taken_kb measures from: this process's own use when NVML
    reports it, else the device's free memory."""
    used = process_device_kb()
    return ("process", used) if used is not None else ("device", device_free_kb())


def device_taken_kb(mark, slack_kb):
    """How much more device memory is taken than at `mark`.  This process's
    own figure is exact.  The device's is moved by other processes too
    (pytest-xdist workers running GPU tests): what they hold for a moment is
    waited out, a few seconds at most, while what this process keeps stays
    taken; a worker's new context is not, which is why NVML comes first."""
    kind, before = mark
    if kind == "process":
        return process_device_kb() - before
    taken = before - device_free_kb()
    for _ in range(20):
        if taken < slack_kb:
            break
        time.sleep(0.25)
        taken = min(taken, before - device_free_kb())
    return taken


def assert_no_growth(body, n, heap_slack=64 * 1024, rss_slack_kb=8192, device_slack_kb=None):
    """Run body(n) once to warm up (caches, free lists, classes made on first
    use), then again: the second run may not grow the heap or the process,
    nor, given device_slack_kb, take device memory."""
    body(n // 10 + 1)
    gc.collect()
    tracemalloc.start()
    try:
        body(n // 10 + 1)
        gc.collect()
        heap_before = tracemalloc.get_traced_memory()[0]
        rss_before = resident_kb()
        device_before = device_mark() if device_slack_kb is not None else None
        body(n)
        gc.collect()
        heap_grown = tracemalloc.get_traced_memory()[0] - heap_before
        rss_grown = resident_kb() - rss_before
        device_taken = device_taken_kb(device_before, device_slack_kb) if device_slack_kb is not None else 0
    finally:
        tracemalloc.stop()
    print("%d rounds: heap %+d B, RSS %+d KiB, device %+d KiB (%s)"
          % (n, heap_grown, rss_grown, -device_taken, device_before and device_before[0]))
    assert heap_grown < heap_slack, "Python heap grew by %d bytes over %d rounds" % (heap_grown, n)
    if not SANITIZED:  # AddressSanitizer keeps freed memory in quarantine
        assert rss_grown < rss_slack_kb, "RSS grew by %d KiB over %d rounds" % (rss_grown, n)
    if device_slack_kb is not None:
        assert device_taken < device_slack_kb, "%s device memory fell by %d KiB over %d rounds" % (
            device_before[0], device_taken, n)


def raises(call, *args):
    try:
        call(*args)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return
    raise AssertionError("%s%r did not raise" % (call.__name__, args))


def test_handles_enums_and_results():
    def body(n):
        for i in range(n):
            s = driver.CUstream(i)
            assert int(s) == i and s == driver.CUstream(i) and hash(s) == hash(driver.CUstream(i))
            repr(s)
            runtime.cudaStream_t(s)
            driver.CUresult(i % 3)
            nvrtc.nvrtcGetErrorString(nvrtc.nvrtcResult(i % 8))
            nvrtc.nvrtcVersion()
    assert_no_growth(body, 200_000)


def test_structs_views_and_counted_arrays():
    def body(n):
        for i in range(n):
            m = driver.CUDA_MEMCPY2D()
            m.WidthInBytes = i
            m.srcHost = b"abc"
            cfg = driver.CUlaunchConfig()
            attr = driver.CUlaunchAttribute()
            cfg.attrs = [attr, attr]
            cfg.numAttrs = 2   # the list leaves the count to the user, as NVIDIA's
            assert len(cfg.attrs) == 2
            prop = runtime.cudaDeviceProp()
            prop.maxThreadsDim
            repr(m)
            driver.CUDA_KERNEL_NODE_PARAMS().kernelParams = ((i, 1.5), (ctypes.c_int, ctypes.c_float))
    assert_no_growth(body, 50_000)


def test_bad_arguments_raise_without_leaking():
    def body(n):
        for i in range(n):
            raises(driver.cuMemAlloc, "x")
            raises(driver.cuStreamSynchronize, 1.5)
            raises(nvrtc.nvrtcCompileProgram, None, 2, [b"-a"])
            raises(nvrtc.nvrtcCreateProgram, b"x", b"k", 1, [b"h"], [])
            raises(nvjitlink.create, 2, ["-arch=sm_90"])
            raises(nvvm.get_program_log, driver.CUstream(1), bytearray(4))
            raises(driver.cuLaunchKernel, 0, 1, 1, 1, 1, 1, 1, 0, None, ([object()], [None]), 0)
            raises(runtime.cudaMemcpy, bytearray(4), 2 ** 70, 4, 1)
    assert_no_growth(body, 50_000)


def test_misbehaving_arguments_and_failed_struct_sets():
    """The reliability paths: private snapshots of lists that change while
    converted, kernel arguments held through memoryviews, outputs into shared
    bytes, holders of struct arrays, a failed array set putting back what it
    replaced, a wrapper of foreign memory, handle classes of another module."""
    class Shrinks:
        def __init__(self, victim):
            self.victim = victim

        def __index__(self):
            self.victim.clear()
            return 0

        __int__ = __index__   # struct fields convert through __int__, as NVIDIA's

    err, prog = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
    frame = driver.CUeglFrame().frame
    outer = driver.CUlaunchConfig()

    def body(n):
        for i in range(n):
            victim = []
            victim[:] = [Shrinks(victim), 0, 0]
            p = runtime.cudaDeviceProp()
            p.maxThreadsDim = victim
            victim[:] = [Shrinks(victim), 0, 0]
            raises(runtime.cudaSetValidDevices, [Shrinks([]), 1.5], 2)
            try:   # a status with a driver, RuntimeError without
                driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0,
                                      ((ctypes.c_int(1), ctypes.c_float(2.0), 3), (ctypes.c_int, ctypes.c_float, ctypes.c_int)), 0)
            except RuntimeError:
                pass
            raises(driver.cuLaunchKernel, 0, 1, 1, 1, 1, 1, 1, 0, 0, ((bytearray(8),), (None,)), 0)
            nvrtc.nvrtcGetProgramLog(prog, b" ")
            raises(nvrtc.nvrtcGetPTX, prog, 1)
            raises(driver.CUstream, -1)
            frame.pPitch = [i, i + 1, i + 2]   # void *pPitch[3]: ints only, as NVIDIA's
            try:
                frame.pPitch = [i, i + 1, "bad"]
            except TypeError:
                pass
            inner = driver.CUlaunchConfig(_ptr=outer.getPtr())
            inner.attrs = [driver.CUlaunchAttribute(), driver.CUlaunchAttribute()]
            c = driver.CUlaunchConfig()
            c.attrs = [driver.CUlaunchAttribute()]
            c.attrs[0].value.accessPolicyWindow.base_ptr = bytearray(16)
            raises(runtime.cudaMemcpy, bytearray(8), driver.CUdeviceptr(0), "8", 0)
    try:
        assert_no_growth(body, 20_000)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)


def test_calls_into_the_driver_success_or_missing():
    """With a driver the calls return tuples; without one each raises
    RuntimeError naming the library: either path, many times over."""
    def call(f, *args):
        try:
            f(*args)
        except RuntimeError:
            pass

    def body(n):
        for i in range(n):
            call(driver.cuDriverGetVersion)
            call(driver.cuCtxGetCurrent)
            call(driver.cuLaunchKernel, 0, 1, 1, 1, 1, 1, 1, 0, None, ((i, 2.0, driver.CUdeviceptr(i)), (ctypes.c_int, ctypes.c_float, None)), 0)
            call(driver.cuLaunchHostFunc, None, lambda data: None, i)
            call(runtime.cudaGetDevice)
        # With a current context the host functions are queued: each holds
        # its callable until it has run.
        call(driver.cuCtxSynchronize)
    assert_no_growth(body, 50_000)


def test_nvrtc_programs():
    def body(n):
        for i in range(n):
            err, prog = nvrtc.nvrtcCreateProgram(KERNEL, b"vadd.cu", 0, [], [])
            nvrtc.nvrtcGetProgramLogSize(prog)
            nvrtc.nvrtcDestroyProgram(prog)
    assert_no_growth(body, 20_000)

    def compiles(n):
        for _ in range(n):
            nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
    assert_no_growth(compiles, 100, rss_slack_kb=16384)


def test_nvjitlink_success_and_failure():
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")

    def body(n):
        for i in range(n):
            try:
                nvjitlink.create(1, ["-no-such-option"])
            except nvjitlink.nvJitLinkError:
                pass
            if i % 50 == 0:
                h = nvjitlink.create(1, ["-arch=sm_90"])
                nvjitlink.add_data(h, nvjitlink.InputType.PTX, ptx, len(ptx), "vadd")
                nvjitlink.complete(h)
                nvjitlink.get_linked_cubin(h, bytearray(nvjitlink.get_linked_cubin_size(h)))
                nvjitlink.destroy(h)
    assert_no_growth(body, 5_000, rss_slack_kb=16384)


@pytest.mark.skipif(not library_installed("nvvm"), reason="libnvvm is not installed")
def test_nvvm_programs_and_errors():
    def body(n):
        for _ in range(n):
            prog = nvvm.create_program()
            try:
                nvvm.compile_program(prog, 0, [])
            except nvvm.nvvmError:
                pass
            nvvm.get_program_log(prog, bytearray(nvvm.get_program_log_size(prog)))
            nvvm.destroy_program(prog)
    assert_no_growth(body, 20_000)


@pytest.mark.skipif(not library_installed("nvfatbin"), reason="libnvfatbin is not installed")
def test_nvfatbin_handles_and_errors():
    cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")

    def body(n):
        for _ in range(n):
            h = nvfatbin.create([], 0)
            try:
                nvfatbin.add_cubin(h, cubin, len(cubin), "80", "wrong")
            except nvfatbin.nvFatbinError:
                pass
            nvfatbin.add_cubin(h, cubin, len(cubin), "90", "k")
            nvfatbin.get(h, bytearray(nvfatbin.size(h)))
            nvfatbin.destroy(h)
    assert_no_growth(body, 5_000, rss_slack_kb=16384)


# On the GPU: what long-lived services do over and over.  Device memory is
# read with cuMemGetInfo; the slack is a few of the driver's 2 MiB pages.
DEVICE_SLACK_KB = 32 * 1024


def ok(result):
    err, *rest = result
    assert err in (driver.CUresult.CUDA_SUCCESS, runtime.cudaError_t.cudaSuccess), err
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


@pytest.fixture(scope="module")
def gpu_context():
    ok(driver.cuInit(0))
    dev = ok(driver.cuDeviceGet(0))
    ctx = ok(driver.cuDevicePrimaryCtxRetain(dev))
    ok(driver.cuCtxSetCurrent(ctx))
    major = ok(driver.cuDeviceGetAttribute(
        driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    minor = ok(driver.cuDeviceGetAttribute(
        driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
    yield "sm_%d%d" % (major, minor)
    ok(driver.cuDevicePrimaryCtxRelease(dev))


@pytest.mark.gpu
def test_device_measure_sees_memory_kept(gpu_context):
    # the GPU leak loops below would pass whatever they leaked if this failed
    mark = device_mark()
    ptr = ok(driver.cuMemAlloc(64 << 20))
    try:
        assert device_taken_kb(mark, 0) >= 64 * 1024, mark
    finally:
        ok(driver.cuMemFree(ptr))


@pytest.mark.gpu
def test_gpu_allocations_free_their_memory(gpu_context):
    stream = ok(driver.cuStreamCreate(0))
    huge = 1 << 50

    def body(n):
        for i in range(n):
            ptr = ok(driver.cuMemAlloc(1 << 20))
            ok(driver.cuMemFree(ptr))
            ptr = ok(runtime.cudaMalloc(4096 + i % 4096))
            ok(runtime.cudaFree(ptr))
            ptr = ok(driver.cuMemAllocAsync(1 << 16, stream))
            ok(driver.cuMemFreeAsync(ptr, stream))
            err, _ = driver.cuMemAlloc(huge)      # the error path
            assert err == driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY
            if i % 100 == 0:
                ptr = ok(driver.cuMemHostAlloc(1 << 16, 0))
                ok(driver.cuMemFreeHost(ptr))
        ok(driver.cuStreamSynchronize(stream))
    try:
        assert_no_growth(body, 100_000, rss_slack_kb=16384, device_slack_kb=DEVICE_SLACK_KB)
    finally:
        ok(driver.cuStreamDestroy(stream))


@pytest.mark.gpu
def test_gpu_modules_load_and_unload(gpu_context):
    cubin = nvrtc_output(KERNEL, [("-arch=" + gpu_context).encode()], "CUBIN")

    def body(n):
        for i in range(n):
            module = ok(driver.cuModuleLoadData(cubin))
            ok(driver.cuModuleGetFunction(module, b"vadd"))
            err, _ = driver.cuModuleGetFunction(module, b"missing")
            assert err == driver.CUresult.CUDA_ERROR_NOT_FOUND
            ok(driver.cuModuleUnload(module))
            library = ok(driver.cuLibraryLoadData(cubin, None, None, 0, None, None, 0))
            ok(driver.cuLibraryGetKernel(library, b"vadd"))
            ok(driver.cuLibraryUnload(library))
    assert_no_growth(body, 10_000, rss_slack_kb=16384, device_slack_kb=DEVICE_SLACK_KB)


@pytest.mark.gpu
def test_gpu_graphs_create_launch_and_destroy(gpu_context):
    n_floats = 1 << 16
    cubin = nvrtc_output(KERNEL, [("-arch=" + gpu_context).encode()], "CUBIN")
    module = ok(driver.cuModuleLoadData(cubin))
    vadd = ok(driver.cuModuleGetFunction(module, b"vadd"))
    buf = ok(driver.cuMemAlloc(3 * 4 * n_floats))
    a, b, c = (driver.CUdeviceptr(int(buf) + k * 4 * n_floats) for k in range(3))
    stream = ok(driver.cuStreamCreate(0))
    ok(driver.cuMemsetD32(a, 0x3F800000, n_floats))         # 1.0f
    ok(driver.cuMemsetD32(b, 0x40000000, n_floats))         # 2.0f

    def body(n):
        for _ in range(n):
            graph = ok(driver.cuGraphCreate(0))
            memset = driver.CUDA_MEMSET_NODE_PARAMS()
            memset.dst, memset.value, memset.elementSize = c, 0, 4
            memset.width, memset.height = n_floats, 1
            zero = ok(driver.cuGraphAddMemsetNode(graph, None, 0, memset, ok(driver.cuCtxGetCurrent())))
            kernel = driver.CUDA_KERNEL_NODE_PARAMS()
            kernel.func, kernel.gridDimX, kernel.gridDimY, kernel.gridDimZ = vadd, n_floats // 256, 1, 1
            kernel.blockDimX, kernel.blockDimY, kernel.blockDimZ = 256, 1, 1
            kernel.kernelParams = ((a, b, c, n_floats), (None, None, None, ctypes.c_int))
            ok(driver.cuGraphAddKernelNode(graph, [zero], 1, kernel))
            exe = ok(driver.cuGraphInstantiate(graph, 0))
            ok(driver.cuGraphLaunch(exe, stream))
            ok(driver.cuGraphExecDestroy(exe))
            ok(driver.cuGraphDestroy(graph))
        ok(driver.cuStreamSynchronize(stream))
    try:
        assert_no_growth(body, 10_000, rss_slack_kb=16384, device_slack_kb=DEVICE_SLACK_KB)
        out = (ctypes.c_float * n_floats)()
        ok(driver.cuMemcpyDtoH(out, c, 4 * n_floats))
        assert set(out) == {3.0}
    finally:
        ok(driver.cuStreamDestroy(stream))
        ok(driver.cuMemFree(buf))
        ok(driver.cuModuleUnload(module))
