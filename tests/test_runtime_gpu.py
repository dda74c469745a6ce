"""cuda.bindings.runtime on a real GPU: what users do with the runtime API,
each result checked against what the hardware must have done, and runtime
and driver objects mixed."""
import ctypes
import struct
import weakref

import pytest

from helpers import KERNEL, Recorder, run_python

pytestmark = pytest.mark.gpu

KERNELS = KERNEL + rb"""
extern "C" __global__ void scale(float *x, float a, unsigned long long n)
{
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n)
        x[i] *= a;
}
"""


@pytest.fixture(scope="module")
def rt():
    from cuda.bindings import runtime
    ok(runtime.cudaSetDevice(0))
    ok(runtime.cudaFree(0))  # the primary context, made current
    return runtime


def ok(result):
    """The outputs of a (status, *outputs) tuple, asserting success."""
    from cuda.bindings import runtime
    err, *rest = result
    assert err == runtime.cudaError_t.cudaSuccess, err
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


def dim3(rt, x, y=1, z=1):
    d = rt.dim3()
    d.x, d.y, d.z = x, y, z
    return d


@pytest.fixture(scope="module")
def kernels(rt):
    """A runtime library (cudaLibrary_t) of the test kernels, compiled by NVRTC."""
    from cuda.bindings import nvrtc
    major = ok(rt.cudaDeviceGetAttribute(rt.cudaDeviceAttr.cudaDevAttrComputeCapabilityMajor, 0))
    minor = ok(rt.cudaDeviceGetAttribute(rt.cudaDeviceAttr.cudaDevAttrComputeCapabilityMinor, 0))
    err, prog = nvrtc.nvrtcCreateProgram(KERNELS, b"k.cu", 0, [], [])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    opt = ("--gpu-architecture=sm_%d%d" % (major, minor)).encode()
    assert nvrtc.nvrtcCompileProgram(prog, 1, [opt])[0] == nvrtc.nvrtcResult.NVRTC_SUCCESS
    size = nvrtc.nvrtcGetCUBINSize(prog)[1]
    image = bytearray(size)
    assert nvrtc.nvrtcGetCUBIN(prog, image)[0] == nvrtc.nvrtcResult.NVRTC_SUCCESS
    nvrtc.nvrtcDestroyProgram(prog)
    lib = ok(rt.cudaLibraryLoadData(bytes(image), None, None, 0, None, None, 0))
    yield lib
    ok(rt.cudaLibraryUnload(lib))


def floats(n, start=0.0):
    return struct.pack("%df" % n, *[start + i for i in range(n)])


def test_device_properties(rt):
    n = ok(rt.cudaGetDeviceCount())
    assert n >= 1
    prop = ok(rt.cudaGetDeviceProperties(0))
    name = prop.name if isinstance(prop.name, (bytes, str)) else bytes(prop.name)
    assert len(name) > 0
    assert prop.major >= 1 and prop.multiProcessorCount >= 1 and prop.totalGlobalMem > 1 << 30
    assert len(prop.maxThreadsDim) == 3 and prop.maxThreadsDim[0] >= 1024
    assert len(prop.maxGridSize) == 3 and prop.warpSize == 32
    assert prop.major == ok(rt.cudaDeviceGetAttribute(rt.cudaDeviceAttr.cudaDevAttrComputeCapabilityMajor, 0))
    from cuda.bindings import driver
    ok(driver.cuInit(0))
    uuid = ok(driver.cuDeviceGetUuid(ok(driver.cuDeviceGet(0))))
    assert bytes(prop.uuid.bytes) == bytes(uuid.bytes)


@pytest.mark.parametrize("kind", ["cudaMemcpyHostToDevice", "cudaMemcpyDefault"])
def test_malloc_memcpy_memset_every_direction(rt, kind):
    n = 1 << 16
    src = floats(n // 4, 1.0)
    a, b = ok(rt.cudaMalloc(n)), ok(rt.cudaMalloc(n))
    K = rt.cudaMemcpyKind
    ok(rt.cudaMemcpy(a, src, n, getattr(K, kind)))
    ok(rt.cudaMemcpy(b, a, n, K.cudaMemcpyDeviceToDevice if kind != "cudaMemcpyDefault" else K.cudaMemcpyDefault))
    out = bytearray(n)
    ok(rt.cudaMemcpy(out, b, n, K.cudaMemcpyDeviceToHost if kind != "cudaMemcpyDefault" else K.cudaMemcpyDefault))
    assert bytes(out) == src
    host = bytearray(n)
    ok(rt.cudaMemcpy(host, src, n, K.cudaMemcpyHostToHost))
    assert bytes(host) == src
    ok(rt.cudaMemset(a, 0xAB, n))
    ok(rt.cudaMemcpy(out, a, n, K.cudaMemcpyDeviceToHost))
    assert bytes(out) == b"\xab" * n
    stream = ok(rt.cudaStreamCreate())
    ok(rt.cudaMemsetAsync(a, 0x11, 256, stream))
    small = bytearray(256)
    ok(rt.cudaMemcpyAsync(small, a, 256, K.cudaMemcpyDeviceToHost, stream))
    ok(rt.cudaStreamSynchronize(stream))
    assert bytes(small) == b"\x11" * 256
    ok(rt.cudaStreamDestroy(stream))
    ok(rt.cudaFree(a))
    ok(rt.cudaFree(b))


def test_pitched_2d_and_3d_copies(rt):
    K = rt.cudaMemcpyKind
    w, h, d = 100, 7, 3
    dev, pitch = ok(rt.cudaMallocPitch(w, h))
    assert pitch >= w
    src = bytes(range(100)) * h
    ok(rt.cudaMemcpy2D(dev, pitch, src, w, w, h, K.cudaMemcpyHostToDevice))
    out = bytearray(w * h)
    ok(rt.cudaMemcpy2D(out, w, dev, pitch, w, h, K.cudaMemcpyDeviceToHost))
    assert bytes(out) == src
    ok(rt.cudaFree(dev))

    extent = rt.make_cudaExtent(w, h, d)
    pitched = ok(rt.cudaMalloc3D(extent))
    assert pitched.pitch >= w and pitched.xsize == w and pitched.ysize == h
    host = bytearray(bytes((i * 7) % 251 for i in range(w * h * d)))
    back = bytearray(w * h * d)
    up = rt.cudaMemcpy3DParms()
    up.srcPtr = rt.make_cudaPitchedPtr(host, w, w, h)
    up.dstPtr = pitched
    up.extent = extent
    up.kind = K.cudaMemcpyHostToDevice
    ok(rt.cudaMemcpy3D(up))
    down = rt.cudaMemcpy3DParms()
    down.srcPtr = pitched
    down.dstPtr = rt.make_cudaPitchedPtr(back, w, w, h)
    down.extent = extent
    down.kind = K.cudaMemcpyDeviceToHost
    ok(rt.cudaMemcpy3D(down))
    assert back == host
    ok(rt.cudaFree(pitched.ptr))


def test_arrays_textures_and_surfaces(rt):
    K = rt.cudaMemcpyKind
    err, desc = rt.cudaCreateChannelDesc(32, 0, 0, 0, rt.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    w, h = 16, 4
    arr = ok(rt.cudaMallocArray(desc, w, h, rt.cudaArraySurfaceLoadStore))
    got_desc, extent, flags = ok(rt.cudaArrayGetInfo(arr))
    assert (got_desc.x, extent.width, extent.height) == (32, w, h)
    assert flags & rt.cudaArraySurfaceLoadStore
    src = floats(w * h)
    ok(rt.cudaMemcpy2DToArray(arr, 0, 0, src, w * 4, w * 4, h, K.cudaMemcpyHostToDevice))
    out = bytearray(w * h * 4)
    ok(rt.cudaMemcpy2DFromArray(out, w * 4, arr, 0, 0, w * 4, h, K.cudaMemcpyDeviceToHost))
    assert bytes(out) == src

    res = rt.cudaResourceDesc()
    res.resType = rt.cudaResourceType.cudaResourceTypeArray
    res.res.array.array = arr
    tex_desc = rt.cudaTextureDesc()
    tex_desc.filterMode = rt.cudaTextureFilterMode.cudaFilterModePoint
    tex_desc.readMode = rt.cudaTextureReadMode.cudaReadModeElementType
    tex = ok(rt.cudaCreateTextureObject(res, tex_desc, None))
    assert int(tex) != 0
    back = ok(rt.cudaGetTextureObjectResourceDesc(tex))
    assert back.resType == rt.cudaResourceType.cudaResourceTypeArray
    assert int(back.res.array.array) == int(arr)
    assert ok(rt.cudaGetTextureObjectTextureDesc(tex)).filterMode == rt.cudaTextureFilterMode.cudaFilterModePoint
    ok(rt.cudaDestroyTextureObject(tex))
    surf = ok(rt.cudaCreateSurfaceObject(res))
    assert int(ok(rt.cudaGetSurfaceObjectResourceDesc(surf)).res.array.array) == int(arr)
    ok(rt.cudaDestroySurfaceObject(surf))
    ok(rt.cudaFreeArray(arr))


def test_streams_and_events(rt):
    s = ok(rt.cudaStreamCreateWithFlags(rt.cudaStreamNonBlocking))
    assert isinstance(s, rt.cudaStream_t)
    assert ok(rt.cudaStreamGetFlags(s)) == rt.cudaStreamNonBlocking
    start, end = ok(rt.cudaEventCreate()), ok(rt.cudaEventCreate())
    buf = ok(rt.cudaMalloc(1 << 24))
    ok(rt.cudaEventRecord(start, s))
    ok(rt.cudaMemsetAsync(buf, 1, 1 << 24, s))
    ok(rt.cudaEventRecord(end, s))
    ok(rt.cudaEventSynchronize(end))
    assert ok(rt.cudaEventQuery(end)) is None
    ms = ok(rt.cudaEventElapsedTime(start, end))
    assert isinstance(ms, float) and ms >= 0.0
    ok(rt.cudaStreamWaitEvent(s, end, 0))
    ok(rt.cudaStreamSynchronize(s))
    assert rt.cudaStreamQuery(s)[0] == rt.cudaError_t.cudaSuccess
    for e in (start, end):
        ok(rt.cudaEventDestroy(e))
    ok(rt.cudaFree(buf))
    ok(rt.cudaStreamDestroy(s))


def test_graph_capture_and_launch(rt):
    K = rt.cudaMemcpyKind
    s = ok(rt.cudaStreamCreate())
    buf = ok(rt.cudaMalloc(4096))
    ok(rt.cudaStreamBeginCapture(s, rt.cudaStreamCaptureMode.cudaStreamCaptureModeGlobal))
    status = ok(rt.cudaStreamIsCapturing(s))
    assert status == rt.cudaStreamCaptureStatus.cudaStreamCaptureStatusActive
    ok(rt.cudaMemsetAsync(buf, 7, 4096, s))
    graph = ok(rt.cudaStreamEndCapture(s))
    _, count = ok(rt.cudaGraphGetNodes(graph))       # without a length: how many there are
    nodes, count = ok(rt.cudaGraphGetNodes(graph, count))
    assert count == 1 and len(nodes) == 1 and isinstance(nodes[0], rt.cudaGraphNode_t)
    assert ok(rt.cudaGraphNodeGetType(nodes[0])) == rt.cudaGraphNodeType.cudaGraphNodeTypeMemset
    gexec = ok(rt.cudaGraphInstantiate(graph, 0))
    ok(rt.cudaGraphLaunch(gexec, s))
    ok(rt.cudaStreamSynchronize(s))
    out = bytearray(4096)
    ok(rt.cudaMemcpy(out, buf, 4096, K.cudaMemcpyDeviceToHost))
    assert bytes(out) == b"\x07" * 4096
    ok(rt.cudaGraphExecDestroy(gexec))
    ok(rt.cudaGraphDestroy(graph))
    ok(rt.cudaFree(buf))
    ok(rt.cudaStreamDestroy(s))


def test_managed_memory(rt):
    n = 4096
    p = ok(rt.cudaMallocManaged(n, rt.cudaMemAttachGlobal))
    ctypes.memset(p, 3, n)  # the host writes it directly
    ok(rt.cudaMemset(p + 1024, 9, 1024))
    ok(rt.cudaDeviceSynchronize())
    data = ctypes.string_at(p, n)
    assert data[:1024] == b"\x03" * 1024 and data[1024:2048] == b"\x09" * 1024
    attrs = ok(rt.cudaPointerGetAttributes(p))
    assert attrs.type == rt.cudaMemoryType.cudaMemoryTypeManaged and attrs.device == 0
    ok(rt.cudaFree(p))


def test_memory_pools(rt):
    pool = ok(rt.cudaDeviceGetDefaultMemPool(0))
    assert isinstance(pool, rt.cudaMemPool_t)
    A = rt.cudaMemPoolAttr
    old = ok(rt.cudaMemPoolGetAttribute(pool, A.cudaMemPoolAttrReleaseThreshold))
    # as NVIDIA's: the 64-bit attributes are driver.cuuint64_t, read and written
    cuuint64_t = type(old)
    assert cuuint64_t.__name__ == "cuuint64_t"
    ok(rt.cudaMemPoolSetAttribute(pool, A.cudaMemPoolAttrReleaseThreshold, cuuint64_t(1 << 20)))
    assert int(ok(rt.cudaMemPoolGetAttribute(pool, A.cudaMemPoolAttrReleaseThreshold))) == 1 << 20
    ok(rt.cudaMemPoolSetAttribute(pool, A.cudaMemPoolAttrReleaseThreshold, old))
    s = ok(rt.cudaStreamCreate())
    p = ok(rt.cudaMallocAsync(1 << 16, s))
    ok(rt.cudaMemsetAsync(p, 5, 1 << 16, s))
    out = bytearray(16)
    ok(rt.cudaMemcpyAsync(out, p, 16, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost, s))
    ok(rt.cudaFreeAsync(p, s))
    ok(rt.cudaStreamSynchronize(s))
    assert bytes(out) == b"\x05" * 16
    assert int(ok(rt.cudaMemPoolGetAttribute(pool, A.cudaMemPoolAttrUsedMemCurrent))) >= 0
    ok(rt.cudaStreamDestroy(s))


def test_peer_queries(rt):
    n = ok(rt.cudaGetDeviceCount())
    for d in range(1, n):
        assert ok(rt.cudaDeviceCanAccessPeer(0, d)) in (0, 1)
        value = ok(rt.cudaDeviceGetP2PAttribute(rt.cudaDeviceP2PAttr.cudaDevP2PAttrAccessSupported, 0, d))
        assert value in (0, 1)
    # a device is not its own peer: no access, and no P2P attributes (an
    # error returned and left as the last error)
    assert ok(rt.cudaDeviceCanAccessPeer(0, 0)) == 0
    err, value = rt.cudaDeviceGetP2PAttribute(rt.cudaDeviceP2PAttr.cudaDevP2PAttrAccessSupported, 0, 0)
    assert err == rt.cudaError_t.cudaErrorInvalidDevice and value is None
    assert rt.cudaGetLastError()[0] == rt.cudaError_t.cudaErrorInvalidDevice


def launch_and_check(rt, kernel, args_for):
    n = 1000
    a, b, c = (ok(rt.cudaMalloc(4 * n)) for _ in range(3))
    K = rt.cudaMemcpyKind
    ok(rt.cudaMemcpy(a, floats(n, 1.0), 4 * n, K.cudaMemcpyHostToDevice))
    ok(rt.cudaMemcpy(b, floats(n, 10.0), 4 * n, K.cudaMemcpyHostToDevice))
    s = ok(rt.cudaStreamCreate())
    args, keep = args_for(a, b, c, n)
    ok(rt.cudaLaunchKernel(kernel, dim3(rt, (n + 255) // 256), dim3(rt, 256), args, 0, s))
    ok(rt.cudaStreamSynchronize(s))
    out = bytearray(4 * n)
    ok(rt.cudaMemcpy(out, c, 4 * n, K.cudaMemcpyDeviceToHost))
    got = struct.unpack("%df" % n, bytes(out))
    assert got == tuple(11.0 + 2 * i for i in range(n))
    del keep
    for p in (a, b, c):
        ok(rt.cudaFree(p))
    ok(rt.cudaStreamDestroy(s))


def test_launch_nvrtc_kernel_with_values_and_types(rt, kernels):
    kernel = ok(rt.cudaLibraryGetKernel(kernels, b"vadd"))
    assert isinstance(kernel, rt.cudaKernel_t)
    launch_and_check(rt, kernel, lambda a, b, c, n: (
        ((a, b, c, n), (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)), None))


def test_launch_nvrtc_kernel_with_an_address_of_pointers(rt, kernels):
    kernel = ok(rt.cudaLibraryGetKernel(kernels, b"vadd"))

    def args_for(a, b, c, n):
        values = [ctypes.c_void_p(a), ctypes.c_void_p(b), ctypes.c_void_p(c), ctypes.c_int(n)]
        ptrs = (ctypes.c_void_p * 4)(*[ctypes.addressof(v) for v in values])
        return ctypes.addressof(ptrs), (values, ptrs)
    launch_and_check(rt, int(kernel), args_for)


def test_kernel_attributes_and_count(rt, kernels):
    assert ok(rt.cudaLibraryGetKernelCount(kernels)) == 2
    kernel = ok(rt.cudaLibraryGetKernel(kernels, b"scale"))
    attrs = ok(rt.cudaFuncGetAttributes(kernel))
    assert attrs.maxThreadsPerBlock >= 256 and attrs.numRegs >= 1


def test_driver_and_runtime_objects_mix(rt):
    from cuda.bindings import driver
    ok(driver.cuInit(0))
    # a runtime stream and event used by the driver
    s = ok(rt.cudaStreamCreate())
    e = ok(rt.cudaEventCreate())
    assert driver.cuStreamQuery(s)[0] == driver.CUresult.CUDA_SUCCESS
    assert driver.cuEventRecord(e, s)[0] == driver.CUresult.CUDA_SUCCESS
    assert driver.cuEventSynchronize(e)[0] == driver.CUresult.CUDA_SUCCESS
    # a driver stream and device pointer used by the runtime
    ds = driver.cuStreamCreate(0)[1]
    dptr = driver.cuMemAlloc(256)[1]
    ok(rt.cudaMemsetAsync(dptr, 0x5A, 256, ds))
    ok(rt.cudaStreamSynchronize(ds))
    out = bytearray(256)
    ok(rt.cudaMemcpy(out, dptr, 256, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost))
    assert bytes(out) == b"\x5a" * 256
    assert ok(rt.cudaStreamGetId(ds)) == driver.cuStreamGetId(ds)[1]
    # runtime handles compare equal to the driver's of the same value
    assert rt.cudaStream_t(int(ds)) == ds
    driver.cuMemFree(dptr)
    driver.cuStreamDestroy(ds)
    ok(rt.cudaEventDestroy(e))
    ok(rt.cudaStreamDestroy(s))


def test_host_callbacks(rt):
    s = ok(rt.cudaStreamCreate())
    seen = []

    def host_fn(data):
        seen.append(("host", data))

    def stream_cb(stream, status, data):
        seen.append(("stream", type(stream).__name__, status, data))

    ok(rt.cudaLaunchHostFunc(s, host_fn, "payload"))
    ok(rt.cudaStreamAddCallback(s, stream_cb, 42, 0))
    ok(rt.cudaStreamSynchronize(s))
    assert seen[0] == ("host", "payload")
    assert seen[1] == ("stream", "cudaStream_t", rt.cudaError_t.cudaSuccess, 42)
    # the callable is released once it has run
    fn = Recorder()
    box, ref = fn.calls, weakref.ref(fn)
    ok(rt.cudaLaunchHostFunc(s, fn, None))
    del fn
    ok(rt.cudaStreamSynchronize(s))
    assert box == [None] and ref() is None
    ok(rt.cudaStreamDestroy(s))


def test_last_error_semantics(rt):
    rt.cudaGetLastError()  # whatever an earlier test left
    assert rt.cudaGetLastError()[0] == rt.cudaError_t.cudaSuccess
    err, ptr = rt.cudaMalloc(1 << 60)
    assert err == rt.cudaError_t.cudaErrorMemoryAllocation and ptr is None
    assert rt.cudaPeekAtLastError()[0] == rt.cudaError_t.cudaErrorMemoryAllocation
    assert rt.cudaGetLastError()[0] == rt.cudaError_t.cudaErrorMemoryAllocation
    assert rt.cudaGetLastError()[0] == rt.cudaError_t.cudaSuccess


def test_driver_entry_point(rt):
    fn, status = ok(rt.cudaGetDriverEntryPointByVersion(b"cuDriverGetVersion", 12000, 0))
    assert status == rt.cudaDriverEntryPointQueryResult.cudaDriverEntryPointSuccess and fn
    proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int))
    v = ctypes.c_int()
    assert proto(fn)(ctypes.byref(v)) == 0
    assert v.value == ok(rt.cudaDriverGetVersion())


@pytest.mark.parametrize("ptds", ["0", "1"])
def test_per_thread_default_stream_from_the_environment(ptds):
    """CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1 makes stream 0 the
    per-thread stream in runtime calls, as a program built with
    --default-stream per-thread sees it."""
    code = (
        "from cuda.bindings import runtime as rt\n"
        "rt.cudaFree(0)\n"
        "zero = rt.cudaStreamGetId(rt.cudaStream_t(0))[1]\n"
        "per_thread = rt.cudaStreamGetId(rt.cudaStream_t(rt.cudaStreamPerThread))[1]\n"
        "legacy = rt.cudaStreamGetId(rt.cudaStream_t(rt.cudaStreamLegacy))[1]\n"
        "print(zero == per_thread, zero == legacy)\n")
    p = run_python(code, env={"CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM": ptds})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == (["True", "False"] if ptds == "1" else ["False", "True"])
