"""cuda.bindings.driver on a real GPU: what users do with the driver API,
each result checked against what the hardware must have done."""
import ctypes
import gc
import struct

import pytest

from helpers import KERNEL, Recorder, memcpy2d, pinned_device_prop

pytestmark = pytest.mark.gpu

SUCCESS = 0
KERNELS = KERNEL + rb"""
extern "C" __global__ void scale(float *x, float a, unsigned long long n)
{
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n)
        x[i] *= a;
}
extern "C" __global__ void fill_grid(int *out)
{
    out[blockIdx.x * blockDim.x + threadIdx.x] = gridDim.x * 1000 + blockIdx.x;
}
"""


def ok(result):
    """The outputs of a (status, *outputs) tuple, asserting success."""
    from cuda.bindings import driver
    err, *rest = result
    assert err == driver.CUresult.CUDA_SUCCESS, err
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


@pytest.fixture(scope="module")
def drv():
    from cuda.bindings import driver
    ok(driver.cuInit(0))
    return driver


@pytest.fixture(scope="module")
def dev(drv):
    return ok(drv.cuDeviceGet(0))


@pytest.fixture(scope="module")
def ctx(drv, dev):
    ctx = ok(drv.cuDevicePrimaryCtxRetain(dev))
    ok(drv.cuCtxSetCurrent(ctx))
    yield ctx
    ok(drv.cuDevicePrimaryCtxRelease(dev))


@pytest.fixture(scope="module")
def arch(drv, dev):
    major = ok(drv.cuDeviceGetAttribute(drv.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    minor = ok(drv.cuDeviceGetAttribute(drv.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
    return "sm_%d%d" % (major, minor)


def compile_kernels(arch, cubin):
    from cuda.bindings import nvrtc
    err, prog = nvrtc.nvrtcCreateProgram(KERNELS, b"k.cu", 0, [], [])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    opt = ("--gpu-architecture=%s" % (arch if cubin else arch.replace("sm_", "compute_"))).encode()
    err, = nvrtc.nvrtcCompileProgram(prog, 1, [opt])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    size_fn, get_fn = (nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN) if cubin else \
        (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX)
    err, size = size_fn(prog)
    image = bytearray(size)
    err, = get_fn(prog, image)
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    nvrtc.nvrtcDestroyProgram(prog)
    return bytes(image)


@pytest.fixture(scope="module", params=["ptx", "cubin"])
def module(request, drv, ctx, arch):
    image = compile_kernels(arch, request.param == "cubin")
    mod = ok(drv.cuModuleLoadData(image))
    yield mod
    ok(drv.cuModuleUnload(mod))


def get_function(drv, module, name):
    return ok(drv.cuModuleGetFunction(module, name))


# -- devices and contexts ------------------------------------------------

def test_device_queries(drv, dev):
    assert ok(drv.cuDeviceGetCount()) >= 1
    name = ok(drv.cuDeviceGetName(256, dev))
    assert isinstance(name, bytes) and len(name) > 0 and b"\0" not in name
    total = ok(drv.cuDeviceTotalMem(dev))
    assert total > 1 << 30
    sms = ok(drv.cuDeviceGetAttribute(drv.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev))
    assert sms > 0
    uuid = ok(drv.cuDeviceGetUuid(dev))
    assert len(uuid.bytes) == 16 and uuid.bytes != bytes(16)
    version = ok(drv.cuDriverGetVersion())
    assert version >= 12000
    bus = ok(drv.cuDeviceGetPCIBusId(64, dev))
    assert bus.count(b":") == 2
    assert int(ok(drv.cuDeviceGetByPCIBusId(bus))) == int(dev)   # CUdevice compares by identity, as NVIDIA's
    assert isinstance(dev, drv.CUdevice) and int(dev) == 0


def test_error_strings(drv):
    name = ok(drv.cuGetErrorName(drv.CUresult.CUDA_ERROR_INVALID_VALUE))
    assert name == b"CUDA_ERROR_INVALID_VALUE"
    text = ok(drv.cuGetErrorString(drv.CUresult.CUDA_ERROR_OUT_OF_MEMORY))
    assert b"memory" in text
    err, text = drv.cuGetErrorString(123456)
    assert err == drv.CUresult.CUDA_ERROR_INVALID_VALUE and text is None


def test_created_context(drv, dev, ctx):
    params = drv.CUctxCreateParams()
    new = ok(drv.cuCtxCreate(params, 0, dev))
    assert isinstance(new, drv.CUcontext) and int(new) != 0
    assert ok(drv.cuCtxGetCurrent()) == new
    assert int(ok(drv.cuCtxGetDevice())) == int(dev)
    assert ok(drv.cuCtxGetApiVersion(new)) >= 3020
    ok(drv.cuCtxSynchronize())
    ok(drv.cuCtxDestroy(new))
    ok(drv.cuCtxSetCurrent(ctx))
    assert ok(drv.cuCtxGetCurrent()) == ctx
    flags, active = ok(drv.cuDevicePrimaryCtxGetState(dev))
    assert active == 1


def test_failure_gives_none_outputs(drv, ctx):
    err, ptr = drv.cuMemAlloc(1 << 60)
    assert err == drv.CUresult.CUDA_ERROR_OUT_OF_MEMORY and ptr is None
    err, = drv.cuCtxSetLimit(drv.CUlimit.CU_LIMIT_STACK_SIZE, 1 << 62)
    assert err != drv.CUresult.CUDA_SUCCESS


# -- memory -------------------------------------------------------------

def test_alloc_memset_copy_sync(drv, ctx):
    n = 1 << 16
    dptr = ok(drv.cuMemAlloc(n))
    assert isinstance(dptr, drv.CUdeviceptr) and int(dptr) != 0
    ok(drv.cuMemsetD8(dptr, 0x5A, n))
    host = bytearray(n)
    ok(drv.cuMemcpyDtoH(host, dptr, n))
    assert host == b"\x5a" * n
    src = bytes(range(256)) * (n // 256)
    ok(drv.cuMemcpyHtoD(dptr, src, n))
    other = ok(drv.cuMemAlloc(n))
    ok(drv.cuMemcpyDtoD(other, int(dptr), n))  # a plain int works where a CUdeviceptr is wanted
    ok(drv.cuMemcpy(dptr, other, n))
    back = bytearray(n)
    ok(drv.cuMemcpyDtoH(back, other, n))
    assert bytes(back) == src
    ok(drv.cuMemsetD32(other, 0xDEADBEEF, n // 4))
    ok(drv.cuMemcpyDtoH(back, other, n))
    assert struct.unpack_from("<I", back, 100)[0] == 0xDEADBEEF
    base, size = ok(drv.cuMemGetAddressRange(other))
    assert int(base) == int(other) and size >= n
    free, total = ok(drv.cuMemGetInfo())
    assert 0 < free <= total
    ok(drv.cuMemFree(dptr))
    ok(drv.cuMemFree(other))


def test_pinned_and_async_copies(drv, ctx):
    n = 1 << 20
    pinned = ok(drv.cuMemAllocHost(n))
    assert isinstance(pinned, int) and pinned != 0
    ctypes.memset(pinned, 7, n)
    stream = ok(drv.cuStreamCreate(drv.CUstream_flags.CU_STREAM_NON_BLOCKING))
    dptr = ok(drv.cuMemAlloc(n))
    ok(drv.cuMemcpyHtoDAsync(dptr, pinned, n, stream))
    ok(drv.cuMemsetD8Async(dptr, 9, n // 2, stream))
    pageable = bytearray(n)
    ok(drv.cuMemcpyDtoHAsync(pageable, dptr, n, stream))
    ok(drv.cuStreamSynchronize(stream))
    assert pageable[: n // 2] == b"\x09" * (n // 2) and pageable[n // 2:] == b"\x07" * (n // 2)
    registered = bytearray(n)
    ok(drv.cuMemHostRegister(registered, n, 0))
    ok(drv.cuMemcpyDtoHAsync(registered, dptr, n, stream))
    ok(drv.cuStreamSynchronize(stream))
    assert registered == pageable
    ok(drv.cuMemHostUnregister(registered))
    ok(drv.cuMemFree(dptr))
    ok(drv.cuMemFreeHost(pinned))
    ok(drv.cuStreamDestroy(stream))


def test_copy_2d_and_3d(drv, ctx):
    width, height, depth = 64, 32, 4
    dptr, pitch = ok(drv.cuMemAllocPitch(width, height, 4))
    assert pitch >= width
    host = bytes((i * 7) & 0xFF for i in range(width * height))
    ok(drv.cuMemcpy2D(memcpy2d(drv, ("HOST", host, width), ("DEVICE", dptr, pitch), width, height)))
    out = bytearray(width * height)
    ok(drv.cuMemcpy2DUnaligned(memcpy2d(drv, ("DEVICE", dptr, pitch), ("HOST", out, width), width, height)))
    assert bytes(out) == host
    ok(drv.cuMemFree(dptr))

    desc = drv.CUDA_ARRAY3D_DESCRIPTOR()
    desc.Width, desc.Height, desc.Depth = width, height, depth
    desc.Format = drv.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT8
    desc.NumChannels = 1
    array = ok(drv.cuArray3DCreate(desc))
    got = ok(drv.cuArray3DGetDescriptor(array))
    assert (got.Width, got.Height, got.Depth, got.NumChannels) == (width, height, depth, 1)
    volume = bytes((i * 13) & 0xFF for i in range(width * height * depth))
    c = drv.CUDA_MEMCPY3D()
    c.srcMemoryType = drv.CUmemorytype.CU_MEMORYTYPE_HOST
    c.srcHost = volume
    c.srcPitch, c.srcHeight = width, height
    c.dstMemoryType = drv.CUmemorytype.CU_MEMORYTYPE_ARRAY
    c.dstArray = array
    c.WidthInBytes, c.Height, c.Depth = width, height, depth
    ok(drv.cuMemcpy3D(c))
    back = bytearray(len(volume))
    d = drv.CUDA_MEMCPY3D()
    d.srcMemoryType = drv.CUmemorytype.CU_MEMORYTYPE_ARRAY
    d.srcArray = array
    d.dstMemoryType = drv.CUmemorytype.CU_MEMORYTYPE_HOST
    d.dstHost = back
    d.dstPitch, d.dstHeight = width, height
    d.WidthInBytes, d.Height, d.Depth = width, height, depth
    ok(drv.cuMemcpy3D(d))
    assert bytes(back) == volume
    ok(drv.cuArrayDestroy(array))


def test_pointer_attributes(drv, ctx):
    dptr = ok(drv.cuMemAlloc(4096))
    A = drv.CUpointer_attribute
    kinds = [A.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, A.CU_POINTER_ATTRIBUTE_BUFFER_ID,
             A.CU_POINTER_ATTRIBUTE_CONTEXT, A.CU_POINTER_ATTRIBUTE_RANGE_SIZE]
    memtype, buffer_id, context, size = ok(drv.cuPointerGetAttributes(len(kinds), kinds, dptr))
    assert memtype == drv.CUmemorytype.CU_MEMORYTYPE_DEVICE and buffer_id != 0
    assert context == ctx and size >= 4096
    ok(drv.cuMemFree(dptr))


def test_memory_pool_and_async_alloc(drv, dev, ctx):
    pool = ok(drv.cuDeviceGetDefaultMemPool(dev))
    assert isinstance(pool, drv.CUmemoryPool) and int(pool) != 0
    props = drv.CUmemPoolProps()
    props.allocType = drv.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED
    props.location.type = drv.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
    props.location.id = int(dev)
    assert props.location.id == int(dev)  # nested view writes through
    mine = ok(drv.cuMemPoolCreate(props))
    stream = ok(drv.cuStreamCreate(0))
    dptr = ok(drv.cuMemAllocFromPoolAsync(1 << 20, mine, stream))
    ok(drv.cuMemsetD8Async(dptr, 3, 1 << 20, stream))
    out = bytearray(16)
    ok(drv.cuMemcpyDtoHAsync(out, dptr, 16, stream))
    ok(drv.cuMemFreeAsync(dptr, stream))
    other = ok(drv.cuMemAllocAsync(4096, stream))
    ok(drv.cuMemFreeAsync(other, stream))
    ok(drv.cuStreamSynchronize(stream))
    assert out == b"\x03" * 16
    ok(drv.cuMemPoolTrimTo(mine, 0))
    ok(drv.cuMemPoolDestroy(mine))
    ok(drv.cuStreamDestroy(stream))


def test_virtual_memory_management(drv, dev, ctx):
    prop = pinned_device_prop(drv, dev)
    gran = ok(drv.cuMemGetAllocationGranularity(
        prop, drv.CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM))
    assert gran > 0
    size = gran * 2
    handle = ok(drv.cuMemCreate(size, prop, 0))
    va = ok(drv.cuMemAddressReserve(size, 0, 0, 0))
    ok(drv.cuMemMap(va, size, 0, handle, 0))
    access = drv.CUmemAccessDesc()
    access.location.type = drv.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
    access.location.id = int(dev)
    access.flags = drv.CUmemAccess_flags.CU_MEM_ACCESS_FLAGS_PROT_READWRITE
    ok(drv.cuMemSetAccess(va, size, [access], 1))
    ok(drv.cuMemsetD8(va, 0x42, size))
    out = bytearray(8)
    ok(drv.cuMemcpyDtoH(out, int(va) + size - 8, 8))
    assert out == b"\x42" * 8
    got = ok(drv.cuMemGetAllocationPropertiesFromHandle(handle))
    assert got.location.id == int(dev)
    ok(drv.cuMemUnmap(va, size))
    ok(drv.cuMemRelease(handle))
    ok(drv.cuMemAddressFree(va, size))


def test_ipc_handles_in_one_process(drv, ctx):
    dptr = ok(drv.cuMemAlloc(1 << 16))
    handle = ok(drv.cuIpcGetMemHandle(dptr))
    # Its bytes are private, as NVIDIA's (no field): they travel through getPtr().
    assert not hasattr(handle, "reserved")
    raw = ctypes.string_at(handle.getPtr(), 64)
    assert raw != bytes(64)
    # Opening one's own handle is refused by the driver, but the handle
    # round-trips through bytes and the call reaches the driver.
    again = drv.CUipcMemHandle()
    ctypes.memmove(again.getPtr(), raw, 64)
    err, opened = drv.cuIpcOpenMemHandle(again, drv.CUipcMem_flags.CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS)
    assert err in (drv.CUresult.CUDA_ERROR_INVALID_CONTEXT, drv.CUresult.CUDA_ERROR_INVALID_VALUE,
                   drv.CUresult.CUDA_SUCCESS)
    if err == drv.CUresult.CUDA_SUCCESS:
        ok(drv.cuIpcCloseMemHandle(opened))
    event = ok(drv.cuEventCreate(drv.CUevent_flags.CU_EVENT_INTERPROCESS | drv.CUevent_flags.CU_EVENT_DISABLE_TIMING))
    eh = ok(drv.cuIpcGetEventHandle(event))
    assert ctypes.string_at(eh.getPtr(), 64) != bytes(64)
    ok(drv.cuEventDestroy(event))
    ok(drv.cuMemFree(dptr))


# -- streams, events ----------------------------------------------------

def test_streams_and_event_timing(drv, ctx):
    stream = ok(drv.cuStreamCreateWithPriority(0, 0))
    start, end = ok(drv.cuEventCreate(0)), ok(drv.cuEventCreate(0))
    ok(drv.cuEventRecord(start, stream))
    dptr = ok(drv.cuMemAlloc(1 << 24))
    ok(drv.cuMemsetD8Async(dptr, 1, 1 << 24, stream))
    ok(drv.cuEventRecord(end, stream))
    ok(drv.cuEventSynchronize(end))
    ms = ok(drv.cuEventElapsedTime(start, end))
    assert isinstance(ms, float) and ms >= 0.0
    assert ok(drv.cuStreamQuery(stream)) is None
    assert isinstance(ok(drv.cuStreamGetPriority(stream)), int)
    assert ok(drv.cuStreamGetId(stream)) > 0
    other = ok(drv.cuStreamCreate(0))
    ok(drv.cuStreamWaitEvent(other, end, 0))
    ok(drv.cuStreamSynchronize(other))
    assert ok(drv.cuEventQuery(end)) is None
    for obj, destroy in ((start, drv.cuEventDestroy), (end, drv.cuEventDestroy),
                         (stream, drv.cuStreamDestroy), (other, drv.cuStreamDestroy)):
        ok(destroy(obj))
    ok(drv.cuMemFree(dptr))
    # the legacy and per-thread default streams as constants
    ok(drv.cuStreamSynchronize(drv.CUstream(drv.CU_STREAM_LEGACY)))
    ok(drv.cuStreamSynchronize(drv.CU_STREAM_PER_THREAD))
    ok(drv.cuStreamSynchronize(None))


# -- modules and launches -----------------------------------------------

def run_vadd(drv, module, how):
    n = 5000
    f = get_function(drv, module, b"vadd")
    a = struct.pack("<%df" % n, *[float(i) for i in range(n)])
    b = struct.pack("<%df" % n, *[2.0 * i for i in range(n)])
    da, db, dc = (ok(drv.cuMemAlloc(4 * n)) for _ in range(3))
    ok(drv.cuMemcpyHtoD(da, a, 4 * n))
    ok(drv.cuMemcpyHtoD(db, b, 4 * n))
    stream = ok(drv.cuStreamCreate(0))
    grid = ((n + 255) // 256, 1, 1)
    keep = None
    if how == "ctypes":
        params = ((da, db, dc, n), (None, None, None, ctypes.c_int))
    elif how == "ints":
        params = ((int(da), int(db), int(dc), n), (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                                    ctypes.c_int))
    else:  # a ready void*[] by address
        vals = [ctypes.c_void_p(int(x)) for x in (da, db, dc)] + [ctypes.c_int(n)]
        keep = (ctypes.c_void_p * 4)(*[ctypes.addressof(v) for v in vals])
        params = ctypes.addressof(keep)
    if how == "ex":
        config = drv.CUlaunchConfig()
        config.gridDimX, config.gridDimY, config.gridDimZ = grid
        config.blockDimX, config.blockDimY, config.blockDimZ = 256, 1, 1
        config.hStream = stream
        ok(drv.cuLaunchKernelEx(config, f, ((da, db, dc, n), (None, None, None, ctypes.c_int)), 0))
    else:
        ok(drv.cuLaunchKernel(f, *grid, 256, 1, 1, 0, stream, params, 0))
    out = bytearray(4 * n)
    ok(drv.cuMemcpyDtoHAsync(out, dc, 4 * n, stream))
    ok(drv.cuStreamSynchronize(stream))
    got = struct.unpack("<%df" % n, out)
    assert all(got[i] == 3.0 * i for i in range(n))
    for d in (da, db, dc):
        ok(drv.cuMemFree(d))
    ok(drv.cuStreamDestroy(stream))
    del keep


@pytest.mark.parametrize("how", ["ctypes", "ints", "address", "ex"])
def test_kernel_launch_forms(drv, module, how):
    run_vadd(drv, module, how)


def test_scalar_kernel_args_and_attributes(drv, module):
    f = get_function(drv, module, b"scale")
    n = 1000
    d = ok(drv.cuMemAlloc(4 * n))
    ok(drv.cuMemcpyHtoD(d, struct.pack("<%df" % n, *([1.5] * n)), 4 * n))
    ok(drv.cuLaunchKernel(f, 4, 1, 1, 256, 1, 1, 0, None,
                          ((d, 4.0, n), (None, ctypes.c_float, ctypes.c_ulonglong)), 0))
    ok(drv.cuCtxSynchronize())
    out = bytearray(4 * n)
    ok(drv.cuMemcpyDtoH(out, d, 4 * n))
    assert set(struct.unpack("<%df" % n, out)) == {6.0}
    regs = ok(drv.cuFuncGetAttribute(drv.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, f))
    assert regs > 0
    offset, size = ok(drv.cuFuncGetParamInfo(f, 1))
    assert (offset, size) == (8, 4)
    ok(drv.cuMemFree(d))


def test_occupancy_and_cooperative_launch(drv, dev, module):
    f = get_function(drv, module, b"fill_grid")
    blocks = ok(drv.cuOccupancyMaxActiveBlocksPerMultiprocessor(f, 128, 0))
    assert blocks >= 1
    min_grid, block = ok(drv.cuOccupancyMaxPotentialBlockSize(f, None, 0, 0))
    assert min_grid >= 1 and 32 <= block <= 1024
    grid = 4
    d = ok(drv.cuMemAlloc(4 * grid * 32))
    ok(drv.cuLaunchCooperativeKernel(f, grid, 1, 1, 32, 1, 1, 0, None, ((d,), (None,))))
    ok(drv.cuCtxSynchronize())
    out = bytearray(4 * grid * 32)
    ok(drv.cuMemcpyDtoH(out, d, len(out)))
    vals = struct.unpack("<%di" % (grid * 32), out)
    assert vals[0] == 4000 and vals[-1] == 4003
    ok(drv.cuMemFree(d))


def test_module_globals_and_library(drv, ctx, arch):
    image = compile_kernels(arch, True)
    lib = ok(drv.cuLibraryLoadData(image, [], [], 0, [], [], 0))
    kernel = ok(drv.cuLibraryGetKernel(lib, b"vadd"))
    func = ok(drv.cuKernelGetFunction(kernel))
    assert int(func) != 0
    assert ok(drv.cuLibraryGetKernelCount(lib)) == 3
    ok(drv.cuLibraryUnload(lib))
    mod = ok(drv.cuModuleLoadDataEx(image, 0, [], []))
    assert ok(drv.cuModuleGetFunctionCount(mod)) == 3
    ok(drv.cuModuleUnload(mod))


# -- graphs -------------------------------------------------------------

def test_graph_capture_and_launch(drv, ctx):
    stream = ok(drv.cuStreamCreate(0))
    d = ok(drv.cuMemAlloc(1024))
    ok(drv.cuStreamBeginCapture(stream, drv.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL))
    assert ok(drv.cuStreamIsCapturing(stream)) == \
        drv.CUstreamCaptureStatus.CU_STREAM_CAPTURE_STATUS_ACTIVE
    ok(drv.cuMemsetD8Async(d, 0x11, 1024, stream))
    ok(drv.cuMemsetD8Async(d, 0x22, 512, stream))
    graph = ok(drv.cuStreamEndCapture(stream))
    nodes, count = ok(drv.cuGraphGetNodes(graph))
    assert nodes == [] and count == 2
    nodes, count = ok(drv.cuGraphGetNodes(graph, count))
    assert len(nodes) == 2 and all(isinstance(x, drv.CUgraphNode) for x in nodes)
    assert ok(drv.cuGraphNodeGetType(nodes[0])) == drv.CUgraphNodeType.CU_GRAPH_NODE_TYPE_MEMSET
    exe = ok(drv.cuGraphInstantiate(graph, 0))
    ok(drv.cuGraphLaunch(exe, stream))
    out = bytearray(1024)
    ok(drv.cuMemcpyDtoHAsync(out, d, 1024, stream))
    ok(drv.cuStreamSynchronize(stream))
    assert out == b"\x22" * 512 + b"\x11" * 512
    ok(drv.cuGraphExecDestroy(exe))
    ok(drv.cuGraphDestroy(graph))
    ok(drv.cuMemFree(d))
    ok(drv.cuStreamDestroy(stream))


def test_explicit_graph_nodes_and_update(drv, module):
    f = get_function(drv, module, b"scale")
    n = 256
    d = ok(drv.cuMemAlloc(4 * n))
    ok(drv.cuMemcpyHtoD(d, struct.pack("<%df" % n, *([1.0] * n)), 4 * n))
    graph = ok(drv.cuGraphCreate(0))
    p = drv.CUDA_KERNEL_NODE_PARAMS()
    p.func = f
    p.gridDimX, p.gridDimY, p.gridDimZ = 1, 1, 1
    p.blockDimX, p.blockDimY, p.blockDimZ = n, 1, 1
    p.kernelParams = ((d, 2.0, n), (None, ctypes.c_float, ctypes.c_ulonglong))
    first = ok(drv.cuGraphAddKernelNode(graph, None, 0, p))
    second = ok(drv.cuGraphAddKernelNode(graph, [first], 1, p))
    deps, edges, count = ok(drv.cuGraphNodeGetDependencies(second, 1))
    assert deps == [first] and count == 1 and len(edges) == 1
    assert isinstance(edges[0], drv.CUgraphEdgeData)
    exe = ok(drv.cuGraphInstantiate(graph, 0))
    ok(drv.cuGraphLaunch(exe, None))
    ok(drv.cuCtxSynchronize())
    out = bytearray(4 * n)
    ok(drv.cuMemcpyDtoH(out, d, 4 * n))
    assert set(struct.unpack("<%df" % n, out)) == {4.0}
    # update the executable graph in place: scale by 3 instead of 2
    p.kernelParams = ((d, 3.0, n), (None, ctypes.c_float, ctypes.c_ulonglong))
    ok(drv.cuGraphExecKernelNodeSetParams(exe, first, p))
    ok(drv.cuGraphExecKernelNodeSetParams(exe, second, p))
    ok(drv.cuGraphLaunch(exe, None))
    ok(drv.cuCtxSynchronize())
    ok(drv.cuMemcpyDtoH(out, d, 4 * n))
    assert set(struct.unpack("<%df" % n, out)) == {36.0}
    ok(drv.cuGraphExecDestroy(exe))
    ok(drv.cuGraphDestroy(graph))
    ok(drv.cuMemFree(d))


# -- host callbacks -----------------------------------------------------

def test_host_callbacks_from_c_function_pointers(drv, ctx):
    seen = []
    HOSTFN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    cb = HOSTFN(lambda user: seen.append(user))
    stream = ok(drv.cuStreamCreate(0))
    ok(drv.cuLaunchHostFunc(stream, ctypes.cast(cb, ctypes.c_void_p).value, 1234))
    ok(drv.cuStreamSynchronize(stream))
    assert seen == [1234]
    ok(drv.cuStreamDestroy(stream))
    gc.collect()


def test_host_callbacks_from_python_callables(drv, ctx):
    stream = ok(drv.cuStreamCreate(0))
    seen = []
    payload = object()
    ok(drv.cuLaunchHostFunc(stream, lambda data: seen.append(("host", data)), payload))
    ok(drv.cuStreamAddCallback(stream, lambda s, status, data: seen.append(("stream", s, status, data)),
                               "tag", 0))
    ok(drv.cuStreamSynchronize(stream))
    assert seen[0] == ("host", payload)
    kind, s, status, data = seen[1]
    assert kind == "stream" and s == stream and status == drv.CUresult.CUDA_SUCCESS and data == "tag"
    ok(drv.cuStreamDestroy(stream))


def test_callback_exception_is_unraisable_not_lost(drv, ctx, monkeypatch):
    import sys
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    stream = ok(drv.cuStreamCreate(0))

    def boom(_):
        raise ValueError("from a host callback")
    ok(drv.cuLaunchHostFunc(stream, boom, None))
    ok(drv.cuStreamSynchronize(stream))
    ok(drv.cuStreamDestroy(stream))
    assert len(reported) == 1 and isinstance(reported[0], ValueError)


def test_callback_calling_back_into_the_bindings(drv, ctx):
    """A host function may call the bindings (the GIL is taken for it); CUDA
    calls from it are the driver's to refuse (CUDA_ERROR_NOT_PERMITTED)."""
    from cuda.bindings import nvrtc
    stream = ok(drv.cuStreamCreate(0))
    seen = []

    def calls_back(data):
        seen.append(nvrtc.nvrtcVersion()[0])
        seen.append(drv.cuDriverGetVersion()[0])
        seen.append(int(drv.CUstream(data)))
    ok(drv.cuLaunchHostFunc(stream, calls_back, 5))
    ok(drv.cuStreamSynchronize(stream))
    assert seen[0] == nvrtc.nvrtcResult.NVRTC_SUCCESS
    assert seen[1] in (drv.CUresult.CUDA_SUCCESS, drv.CUresult.CUDA_ERROR_NOT_PERMITTED)
    assert seen[2] == 5
    ok(drv.cuStreamDestroy(stream))


def test_callable_is_kept_alive_until_it_runs(drv, ctx):
    import weakref
    stream = ok(drv.cuStreamCreate(0))
    event = ok(drv.cuEventCreate(0))
    release = []
    cb = Recorder()
    ran, ref = cb.calls, weakref.ref(cb)
    ok(drv.cuLaunchHostFunc(stream, lambda _: release.append(1), None))
    ok(drv.cuLaunchHostFunc(stream, cb, 7))
    del cb
    gc.collect()
    ok(drv.cuStreamSynchronize(stream))
    assert ran == [7] and release == [1]
    gc.collect()
    assert ref() is None  # freed once it has run
    ok(drv.cuEventDestroy(event))
    ok(drv.cuStreamDestroy(stream))


def test_user_object_destructor(drv, ctx):
    destroyed = []
    obj = ok(drv.cuUserObjectCreate("resource", lambda data: destroyed.append(data), 1,
                                    drv.CUuserObject_flags.CU_USER_OBJECT_NO_DESTRUCTOR_SYNC))
    graph = ok(drv.cuGraphCreate(0))
    ok(drv.cuGraphRetainUserObject(graph, obj, 1, drv.CUuserObjectRetain_flags.CU_GRAPH_USER_OBJECT_MOVE))
    ok(drv.cuGraphDestroy(graph))
    ok(drv.cuCtxSynchronize())
    import time
    for _ in range(100):  # the driver runs destructors asynchronously
        if destroyed:
            break
        time.sleep(0.01)
    assert destroyed == ["resource"]


def test_pointer_get_attribute_typed_values(drv, ctx):
    dptr = ok(drv.cuMemAlloc(4096))
    A = drv.CUpointer_attribute
    assert ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, dptr)) == \
        drv.CUmemorytype.CU_MEMORYTYPE_DEVICE
    assert ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_CONTEXT, dptr)) == ctx
    assert ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, dptr)) == 0
    start = ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, int(dptr) + 100))
    assert isinstance(start, drv.CUdeviceptr) and int(start) == int(dptr)   # NVIDIA's types
    assert ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_IS_MANAGED, dptr)) is False
    assert type(ok(drv.cuPointerGetAttribute(A.CU_POINTER_ATTRIBUTE_MAPPED, dptr))) is bool
    every = ok(drv.cuPointerGetAttributes(2, [A.CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                              A.CU_POINTER_ATTRIBUTE_MAPPING_BASE_ADDR], dptr))
    assert every[0] is False and isinstance(every[1], drv.CUdeviceptr)
    ok(drv.cuMemFree(dptr))


def test_mempool_attributes_typed(drv, dev, ctx):
    pool = ok(drv.cuDeviceGetDefaultMemPool(dev))
    attr = drv.CUmemPool_attribute
    ok(drv.cuMemPoolSetAttribute(pool, attr.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, drv.cuuint64_t(1 << 20)))
    got = ok(drv.cuMemPoolGetAttribute(pool, attr.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD))
    assert isinstance(got, drv.cuuint64_t) and int(got) == 1 << 20
    ok(drv.cuMemPoolSetAttribute(pool, attr.CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC, 0))
    assert ok(drv.cuMemPoolGetAttribute(pool, attr.CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC)) == 0
    ok(drv.cuMemPoolSetAttribute(pool, attr.CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC, 1))
    ok(drv.cuMemPoolSetAttribute(pool, attr.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, drv.cuuint64_t(0)))
    with pytest.raises(AttributeError):   # as NVIDIA's: a cuuint64_t attribute needs one
        drv.cuMemPoolSetAttribute(pool, attr.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, 0)


def test_capture_info_lists_the_dependencies(drv, ctx):
    stream = ok(drv.cuStreamCreate(0))
    d = ok(drv.cuMemAlloc(64))
    ok(drv.cuStreamBeginCapture(stream, drv.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED))
    ok(drv.cuMemsetD8Async(d, 1, 64, stream))
    status, cid, graph, deps, edges, ndeps = ok(drv.cuStreamGetCaptureInfo(stream))
    assert status == drv.CUstreamCaptureStatus.CU_STREAM_CAPTURE_STATUS_ACTIVE and int(cid) > 0
    assert ndeps == 1 and len(deps) == 1 and isinstance(deps[0], drv.CUgraphNode)
    captured = ok(drv.cuStreamEndCapture(stream))
    assert captured == graph
    ok(drv.cuGraphDestroy(captured))
    ok(drv.cuMemFree(d))
    ok(drv.cuStreamDestroy(stream))


def test_thread_capture_mode_is_exchanged(drv, ctx):
    M = drv.CUstreamCaptureMode
    old = ok(drv.cuThreadExchangeStreamCaptureMode(M.CU_STREAM_CAPTURE_MODE_RELAXED))
    back = ok(drv.cuThreadExchangeStreamCaptureMode(old))
    assert old == M.CU_STREAM_CAPTURE_MODE_GLOBAL and back == M.CU_STREAM_CAPTURE_MODE_RELAXED


def test_kernel_node_attribute_round_trip(drv, module):
    f = get_function(drv, module, b"fill_grid")
    d = ok(drv.cuMemAlloc(4 * 32))
    graph = ok(drv.cuGraphCreate(0))
    p = drv.CUDA_KERNEL_NODE_PARAMS()
    p.func = f
    p.gridDimX = p.gridDimY = p.gridDimZ = 1
    p.blockDimX, p.blockDimY, p.blockDimZ = 32, 1, 1
    p.kernelParams = ((d,), (None,))
    node = ok(drv.cuGraphAddKernelNode(graph, None, 0, p))
    least, greatest = ok(drv.cuCtxGetStreamPriorityRange())
    assert greatest < least  # e.g. -5 and 0: out-of-range priorities are clamped
    value = drv.CUkernelNodeAttrValue()
    value.priority = greatest
    attr = drv.CUkernelNodeAttrID.CU_LAUNCH_ATTRIBUTE_PRIORITY
    ok(drv.cuGraphKernelNodeSetAttribute(node, attr, value))
    got = ok(drv.cuGraphKernelNodeGetAttribute(node, attr))
    assert got.priority == greatest
    ok(drv.cuGraphDestroy(graph))
    ok(drv.cuMemFree(d))


# read with int(), as NVIDIA's reads it (its differential probe): "2" is on, "-0" off; a word or
# nothing makes the calls raise ValueError
@pytest.mark.parametrize("ptds, expect", [("0", "legacy"), ("1", "per-thread"), ("2", "per-thread"),
                                         (" 1 ", "per-thread"), ("-0", "legacy"), ("1_0", "per-thread"),
                                         ("true", "ValueError"), ("", "ValueError")])
def test_per_thread_default_stream_variants(ptds, expect):
    from gpu_differential.probe_envvars import default_stream
    assert default_stream(ptds).split(":")[0] == expect


def test_launch_without_arguments(drv, ctx, arch):
    from cuda.bindings import nvrtc
    err, prog = nvrtc.nvrtcCreateProgram(b'extern "C" __global__ void nothing() {}', b"n.cu", 0, [], [])
    nvrtc.nvrtcCompileProgram(prog, 1, [("--gpu-architecture=" + arch).encode()])
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    cubin = bytearray(size)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    mod = ok(drv.cuModuleLoadData(cubin))
    f = ok(drv.cuModuleGetFunction(mod, b"nothing"))
    ok(drv.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, None, 0))
    ok(drv.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, ((), ()), 0))
    ok(drv.cuCtxSynchronize())
    ok(drv.cuModuleUnload(mod))


ARGS_KERNEL = rb"""
extern "C" __global__ void echo(unsigned long long *out, signed char b, unsigned char ub, short h,
                                unsigned short uh, int i, unsigned int ui, long long q,
                                unsigned long long uq, float f, double d, void *p, bool t)
{
    out[0] = (unsigned long long)(long long)b; out[1] = ub; out[2] = (unsigned long long)(long long)h;
    out[3] = uh; out[4] = (unsigned long long)(long long)i; out[5] = ui; out[6] = (unsigned long long)q;
    out[7] = uq; out[8] = (unsigned long long)(f * 4.0f); out[9] = (unsigned long long)(d * 8.0);
    out[10] = (unsigned long long)p; out[11] = t;
}
"""


@pytest.mark.gpu
def test_simple_ctypes_arguments_reach_the_kernel(drv, ctx, arch):
    """Each simple ctypes type is packed in C (no ctypes object): the kernel
    sees the values ctypes itself would give it, negative bit patterns too."""
    from cuda.bindings import nvrtc
    err, prog = nvrtc.nvrtcCreateProgram(ARGS_KERNEL, b"echo.cu", 0, [], [])
    assert nvrtc.nvrtcCompileProgram(prog, 1, [("--gpu-architecture=%s" % arch).encode()])[0] == 0
    image = bytearray(nvrtc.nvrtcGetCUBINSize(prog)[1])
    nvrtc.nvrtcGetCUBIN(prog, image)
    module = ok(drv.cuModuleLoadData(bytes(image)))
    f = ok(drv.cuModuleGetFunction(module, b"echo"))
    out = ok(drv.cuMemAlloc(12 * 8))
    types = (ctypes.c_void_p, ctypes.c_byte, ctypes.c_ubyte, ctypes.c_short, ctypes.c_ushort, ctypes.c_int,
             ctypes.c_uint, ctypes.c_longlong, ctypes.c_ulonglong, ctypes.c_float, ctypes.c_double,
             ctypes.c_void_p, ctypes.c_bool)
    values = (int(out), -5, 250, -300, 65000, -70000, 2 ** 32 - 1, -2 ** 40, 2 ** 64 - 1, 1.25, 0.375, 0xABC0, 7)
    ok(drv.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, (values, types), 0))
    ok(drv.cuCtxSynchronize())
    got = bytearray(12 * 8)
    ok(drv.cuMemcpyDtoH(got, out, len(got)))
    words = struct.unpack("<12Q", got)
    mask = 2 ** 64 - 1
    assert words == (-5 & mask, 250, -300 & mask, 65000, -70000 & mask, 2 ** 32 - 1, -2 ** 40 & mask,
                     2 ** 64 - 1, 5, 3, 0xABC0, 1)
    # the same values through ctypes objects give the same bits
    objs = tuple(t(v) if t is not ctypes.c_void_p else t(int(v)) for t, v in zip(types, values))
    ok(drv.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, (objs, types), 0))
    ok(drv.cuCtxSynchronize())
    again = bytearray(12 * 8)
    ok(drv.cuMemcpyDtoH(again, out, len(again)))
    assert again == got
    ok(drv.cuMemFree(out))
    ok(drv.cuModuleUnload(module))


@pytest.mark.gpu
def test_occupancy_and_attributes_of_a_cukernel():
    """A CUkernel from a library, passed where the driver takes a CUfunction."""
    from helpers import nvrtc_output

    from cuda.bindings import driver as cu
    ok = cu.CUresult.CUDA_SUCCESS
    assert cu.cuInit(0) == (ok,)
    cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
    err, lib = cu.cuLibraryLoadData(cubin, None, None, 0, None, None, 0)
    assert err == ok
    err, kernel = cu.cuLibraryGetKernel(lib, b"vadd")
    err, dev = cu.cuDeviceGet(0)
    err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
    cu.cuCtxSetCurrent(ctx)
    err, blocks = cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(kernel, 256, 0)
    assert err == ok and blocks >= 1
    err, func = cu.cuKernelGetFunction(kernel)
    assert cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(func, 256, 0) == (ok, blocks)
    cu.cuLibraryUnload(lib)
    cu.cuDevicePrimaryCtxRelease(dev)
