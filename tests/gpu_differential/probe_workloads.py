"""Differential probe, real work: allocations of each kind, copies, pointer
attributes, launches with each kernel-argument form, graphs (kernel, memset,
memcpy, host and conditional nodes, capture, update), streams, events,
host callbacks, occupancy, modules and libraries, through the driver and
the runtime.  .ci/gpu-differential runs it under NVIDIA's cuda-bindings and
under ours and diffs the outputs, so it prints only what does not differ
between two processes: statuses, types, data the GPU wrote, and addresses
as whether they are zero."""
import ctypes
import os
import struct
import sys

from cuda.bindings import driver as cu, runtime as rt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # run with -P
from probing import context_and_cubin, render, show, value  # noqa: E402


ECHO = rb"""
extern "C" __global__ void echo(unsigned long long *out, signed char a, unsigned char b, short c,
                                unsigned short d, int e, unsigned int f, long long g,
                                unsigned long long h, float i, double j, void *k, bool l) {
    out[0] = a; out[1] = b; out[2] = c; out[3] = d; out[4] = e; out[5] = f; out[6] = g; out[7] = h;
    out[8] = (unsigned long long)i; out[9] = (unsigned long long)(j * 8); out[10] = (unsigned long long)k;
    out[11] = l;
}
extern "C" __global__ void fill(int *p, int v, int n) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < n) p[t] = v + t;
}
struct Pair { int a; int b; };
extern "C" __global__ void pair(int *p, Pair s) { p[0] = s.a; p[1] = s.b; }
"""

dev, ctx, cubin = context_and_cubin(ECHO, b"echo.cu")
module = value(show("cuModuleLoadData", cu.cuModuleLoadData, bytes(cubin)))
echo = value(show("cuModuleGetFunction echo", cu.cuModuleGetFunction, module, b"echo"))
fill = value(show("cuModuleGetFunction fill", cu.cuModuleGetFunction, module, b"fill"))
pairf = value(show("cuModuleGetFunction pair", cu.cuModuleGetFunction, module, b"pair"))
show("cuFuncGetAttribute", cu.cuFuncGetAttribute, cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, fill)
show("occupancy", cu.cuOccupancyMaxActiveBlocksPerMultiprocessor, fill, 128, 0)
show("occupancy size", cu.cuOccupancyMaxPotentialBlockSize, fill, None, 0, 0)

# -- allocations of each kind, and every pointer attribute of each ----------
N = 1 << 16
allocs = {
    "device": value(show("cuMemAlloc", cu.cuMemAlloc, N)),
    "managed": value(show("cuMemAllocManaged", cu.cuMemAllocManaged, N,
                          cu.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL.value)),
    "host": value(show("cuMemAllocHost", cu.cuMemAllocHost, N)),
}
err, stream = cu.cuStreamCreate(0)
allocs["async"] = value(show("cuMemAllocAsync", cu.cuMemAllocAsync, N, stream))
show("cuStreamSynchronize", cu.cuStreamSynchronize, stream)
prop = cu.CUmemAllocationProp()
prop.type = cu.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED
prop.location.type = cu.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
prop.location.id = 0
gran = value(show("granularity", cu.cuMemGetAllocationGranularity, prop,
                  cu.CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM))
handle = value(show("cuMemCreate", cu.cuMemCreate, gran, prop, 0))
va = value(show("cuMemAddressReserve", cu.cuMemAddressReserve, gran, 0, 0, 0))
show("cuMemMap", cu.cuMemMap, va, gran, 0, handle, 0)
access = cu.CUmemAccessDesc()
access.location = prop.location
access.flags = cu.CUmemAccess_flags.CU_MEM_ACCESS_FLAGS_PROT_READWRITE
show("cuMemSetAccess", cu.cuMemSetAccess, va, gran, [access], 1)
allocs["vmm"] = va
for kind, ptr in allocs.items():
    for attr in cu.CUpointer_attribute:
        show("cuPointerGetAttribute(%s, %s)" % (kind, attr.name), cu.cuPointerGetAttribute, attr, ptr)
    every = [a for a in cu.CUpointer_attribute if a != cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_P2P_TOKENS]
    show("cuPointerGetAttributes(%s)" % kind, cu.cuPointerGetAttributes, len(every), every, ptr)
    show("rt cudaPointerGetAttributes(%s)" % kind,
         lambda p: [(n, render(getattr(a, n))) for a in [value(rt.cudaPointerGetAttributes(p))]
                    for n in ("type", "device")], int(ptr) if ptr is not None else 0)

pool = value(show("cuDeviceGetDefaultMemPool", cu.cuDeviceGetDefaultMemPool, dev))
for attr in cu.CUmemPool_attribute:
    show("cuMemPoolGetAttribute(%s)" % attr.name, cu.cuMemPoolGetAttribute, pool, attr)
for attr in cu.CUgraphMem_attribute:
    show("cuDeviceGetGraphMemAttribute(%s)" % attr.name, cu.cuDeviceGetGraphMemAttribute, dev, attr)
rpool = value(show("rt cudaDeviceGetDefaultMemPool", rt.cudaDeviceGetDefaultMemPool, 0))
for attr in rt.cudaMemPoolAttr:
    show("rt cudaMemPoolGetAttribute(%s)" % attr.name, rt.cudaMemPoolGetAttribute, rpool, attr)
for attr in cu.CUmem_range_attribute:
    show("cuMemRangeGetAttribute(%s)" % attr.name, cu.cuMemRangeGetAttribute, 4 if attr.value != 3 else 8,
         attr, allocs["managed"], N)

# -- copies: 1D, 2D, 3D, arrays ------------------------------------------
host = bytearray(range(256)) * 4
d = allocs["device"]
show("HtoD", cu.cuMemcpyHtoD, d, host, len(host))
back = bytearray(len(host))
show("DtoH", cu.cuMemcpyDtoH, back, d, len(back))
print("round trip", back == host)
show("memset D8", cu.cuMemsetD8, d, 7, 64)
show("DtoH 64", cu.cuMemcpyDtoH, back, d, 64)
print("memset", bytes(back[:8]))
c2 = cu.CUDA_MEMCPY2D()
c2.srcMemoryType = cu.CUmemorytype.CU_MEMORYTYPE_HOST
c2.srcHost = host
c2.srcPitch = 64
c2.dstMemoryType = cu.CUmemorytype.CU_MEMORYTYPE_DEVICE
c2.dstDevice = d
c2.dstPitch = 128
c2.WidthInBytes, c2.Height = 32, 4
show("cuMemcpy2D", cu.cuMemcpy2D, c2)
out2 = bytearray(512)
show("DtoH 2D", cu.cuMemcpyDtoH, out2, d, 512)
print("2D rows", [bytes(out2[r * 128:r * 128 + 4]) for r in range(4)])
desc = cu.CUDA_ARRAY_DESCRIPTOR()
desc.Width, desc.Height, desc.NumChannels = 16, 16, 1
desc.Format = cu.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT8
arr = value(show("cuArrayCreate", cu.cuArrayCreate, desc))
show("cuArrayGetDescriptor", lambda a: [render(getattr(value(cu.cuArrayGetDescriptor(a)), n))
                                         for n in ("Width", "Height", "Format", "NumChannels")], arr)
c3 = cu.CUDA_MEMCPY3D()
c3.srcMemoryType = cu.CUmemorytype.CU_MEMORYTYPE_HOST
c3.srcHost = host
c3.srcPitch = 16
c3.srcHeight = 16
c3.dstMemoryType = cu.CUmemorytype.CU_MEMORYTYPE_ARRAY
c3.dstArray = arr
c3.WidthInBytes, c3.Height, c3.Depth = 16, 16, 1
show("cuMemcpy3D to array", cu.cuMemcpy3D, c3)
show("cuMemcpyAtoH", cu.cuMemcpyAtoH, back, arr, 0, 256)
print("array", back[:256] == host[:256])
show("rt cudaMemcpy", rt.cudaMemcpy, back, int(d), 16, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost)

# -- launches with each kernel-argument form --------------------------------
out = allocs["device"]
TYPES = (ctypes.c_void_p, ctypes.c_byte, ctypes.c_ubyte, ctypes.c_short, ctypes.c_ushort, ctypes.c_int,
         ctypes.c_uint, ctypes.c_longlong, ctypes.c_ulonglong, ctypes.c_float, ctypes.c_double,
         ctypes.c_void_p, ctypes.c_bool)


def echo_words(values, types):
    r = show("launch echo %r" % (values[1:],), cu.cuLaunchKernel, echo, 1, 1, 1, 1, 1, 1, 0, None,
             (values, types), 0)
    cu.cuCtxSynchronize()
    words = bytearray(96)
    cu.cuMemcpyDtoH(words, out, 96)
    return r and struct.unpack("<12Q", words)


for values in [(int(out), -5, 250, -300, 65000, -70000, 2 ** 32 - 1, -2 ** 40, 2 ** 64 - 1, 1.25, 0.375, 0xABC, 7),
               (int(out), 127, 256 + 9, 2 ** 20 + 3, -1, 2 ** 31 - 1, -1, 2 ** 63 - 1, -1, 1e10, -0.5, 0, 0)]:
    print("echo", echo_words(values, TYPES))
    objs = tuple(t(v) for t, v in zip(TYPES, values))
    print("echo ctypes", echo_words(objs, TYPES))
show("echo c_byte 128", cu.cuLaunchKernel, echo, 1, 1, 1, 1, 1, 1, 0, None,
     ((int(out), 128) + values[2:], TYPES), 0)
show("launch fill None-typed CUdeviceptr", cu.cuLaunchKernel, fill, 4, 1, 1, 64, 1, 1, 0, stream,
     ((d, 100, 256), (None, ctypes.c_int, ctypes.c_int)), 0)
cu.cuStreamSynchronize(stream)
ints = (ctypes.c_int * 256)()
cu.cuMemcpyDtoH(ints, d, 1024)
print("fill", list(ints[:3]), ints[255])
argv = [ctypes.c_void_p(int(d)), ctypes.c_int(5), ctypes.c_int(256)]
packed = (ctypes.c_void_p * 3)(*[ctypes.addressof(a) for a in argv])
show("launch fill void*[] address", cu.cuLaunchKernel, fill, 4, 1, 1, 64, 1, 1, 0, None, ctypes.addressof(packed), 0)
show("launch fill void*[] buffer", cu.cuLaunchKernel, fill, 4, 1, 1, 64, 1, 1, 0, None, packed, 0)
cu.cuCtxSynchronize()
cu.cuMemcpyDtoH(ints, d, 1024)
print("fill packed", list(ints[:3]))


class Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_int)]


show("launch pair Structure", cu.cuLaunchKernel, pairf, 1, 1, 1, 1, 1, 1, 0, None,
     ((d, Pair(11, 22)), (None, None)), 0)
cu.cuCtxSynchronize()
cu.cuMemcpyDtoH(ints, d, 8)
print("pair", list(ints[:2]))
config = cu.CUlaunchConfig()
config.gridDimX = config.gridDimY = config.gridDimZ = 1
config.blockDimX, config.blockDimY, config.blockDimZ = 32, 1, 1
config.hStream = stream
show("cuLaunchKernelEx", cu.cuLaunchKernelEx, config, fill, ((d, 1, 32), (None, ctypes.c_int, ctypes.c_int)), 0)
cu.cuStreamSynchronize(stream)
cu.cuMemcpyDtoH(ints, d, 8)
print("launch ex", list(ints[:2]))

# -- streams, events, host callbacks ---------------------------------------
e1, e2 = value(cu.cuEventCreate(0)), value(cu.cuEventCreate(0))
show("cuEventRecord", cu.cuEventRecord, e1, stream)
show("launch in stream", cu.cuLaunchKernel, fill, 4, 1, 1, 64, 1, 1, 0, stream,
     ((d, 3, 256), (None, ctypes.c_int, ctypes.c_int)), 0)
show("cuEventRecord 2", cu.cuEventRecord, e2, stream)
show("cuEventSynchronize", cu.cuEventSynchronize, e2)
r = cu.cuEventElapsedTime(e1, e2)
print("elapsed", r[0], type(r[1]).__name__, r[1] >= 0)
show("cuStreamQuery", cu.cuStreamQuery, stream)
show("cuStreamWaitEvent", cu.cuStreamWaitEvent, stream, e1, 0)
show("cuStreamGetPriority", cu.cuStreamGetPriority, stream)
show("cuStreamGetFlags", cu.cuStreamGetFlags, stream)
calls = []
HOSTFN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
hostfn = HOSTFN(lambda data: calls.append(data))
show("cuLaunchHostFunc", cu.cuLaunchHostFunc, stream, ctypes.cast(hostfn, ctypes.c_void_p).value, 1234)
cu.cuStreamSynchronize(stream)
print("host calls", calls)
rs = value(show("rt cudaStreamCreate", rt.cudaStreamCreate))
show("rt cudaMemsetAsync", rt.cudaMemsetAsync, int(d), 1, 16, rs)
show("rt cudaStreamSynchronize", rt.cudaStreamSynchronize, rs)
show("driver sync of a runtime stream", cu.cuStreamSynchronize, rs)

# -- graphs -----------------------------------------------------------------
graph = value(show("cuGraphCreate", cu.cuGraphCreate, 0))
kp = cu.CUDA_KERNEL_NODE_PARAMS()
kp.func = fill
kp.gridDimX = kp.gridDimY = kp.gridDimZ = 1
kp.blockDimX, kp.blockDimY, kp.blockDimZ = 64, 1, 1
kp.kernelParams = ((d, 40, 64), (None, ctypes.c_int, ctypes.c_int))
knode = value(show("cuGraphAddKernelNode", cu.cuGraphAddKernelNode, graph, None, 0, kp))
ms = cu.CUDA_MEMSET_NODE_PARAMS()
ms.dst, ms.elementSize, ms.width, ms.height, ms.value = allocs["managed"], 1, 64, 1, 9
mnode = value(show("cuGraphAddMemsetNode", cu.cuGraphAddMemsetNode, graph, [knode], 1, ms, ctx))
hp = cu.CUDA_HOST_NODE_PARAMS()
hp.fn = ctypes.cast(hostfn, ctypes.c_void_p).value
hp.userData = 77
hnode = value(show("cuGraphAddHostNode", cu.cuGraphAddHostNode, graph, [mnode], 1, hp))
show("cuGraphGetNodes", cu.cuGraphGetNodes, graph)
show("cuGraphGetNodes count", lambda g: value(cu.cuGraphGetNodes(g, 0)), graph)
show("cuGraphNodeGetType", cu.cuGraphNodeGetType, knode)
show("cuGraphKernelNodeGetParams", lambda n: [render(getattr(value(cu.cuGraphKernelNodeGetParams(n)), f))
                                              for f in ("gridDimX", "blockDimX", "sharedMemBytes")], knode)
exec_ = value(show("cuGraphInstantiate", cu.cuGraphInstantiate, graph, 0))
show("cuGraphLaunch", cu.cuGraphLaunch, exec_, stream)
cu.cuStreamSynchronize(stream)
cu.cuMemcpyDtoH(ints, d, 8)
print("graph fill", list(ints[:2]), "host calls", calls)
kp.kernelParams = ((d, 50, 64), (None, ctypes.c_int, ctypes.c_int))
show("cuGraphExecKernelNodeSetParams", cu.cuGraphExecKernelNodeSetParams, exec_, knode, kp)
show("cuGraphLaunch 2", cu.cuGraphLaunch, exec_, stream)
cu.cuStreamSynchronize(stream)
cu.cuMemcpyDtoH(ints, d, 8)
print("graph update", list(ints[:2]))
show("cuStreamBeginCapture", cu.cuStreamBeginCapture, stream,
     cu.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL)
show("captured memset", cu.cuMemsetD32Async, d, 5, 16, stream)
show("cuStreamIsCapturing", cu.cuStreamIsCapturing, stream)
captured = value(show("cuStreamEndCapture", cu.cuStreamEndCapture, stream))
show("captured nodes", lambda g: len(value(cu.cuGraphGetNodes(g))), captured)
cexec = value(show("instantiate captured", cu.cuGraphInstantiate, captured, 0))
show("cuGraphExecUpdate", lambda: [render(value(cu.cuGraphExecUpdate(cexec, captured)).result)])
cgraph = value(cu.cuGraphCreate(0))
cond = value(show("cuGraphConditionalHandleCreate", cu.cuGraphConditionalHandleCreate, cgraph, ctx, 1,
                  cu.CU_GRAPH_COND_ASSIGN_DEFAULT))
params = cu.CUgraphNodeParams()
params.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_CONDITIONAL
params.conditional.handle = cond
params.conditional.type = cu.CUgraphConditionalNodeType.CU_GRAPH_COND_TYPE_IF
params.conditional.size = 1
params.conditional.ctx = ctx
cnode = value(show("cuGraphAddNode conditional", cu.cuGraphAddNode, cgraph, None, None, 0, params))
body = params.conditional.phGraph_out
show("phGraph_out after cuGraphAddNode", lambda: [render(g) for g in body])
if body:
    show("body add memset", cu.cuGraphAddMemsetNode, body[0], None, 0, ms, ctx)
show("instantiate conditional", cu.cuGraphInstantiate, cgraph, 0)

# -- libraries and the runtime ------------------------------------------------
lib = value(show("cuLibraryLoadData", cu.cuLibraryLoadData, bytes(cubin), None, None, 0, None, None, 0))
kern = value(show("cuLibraryGetKernel", cu.cuLibraryGetKernel, lib, b"fill"))
show("cuKernelGetFunction", cu.cuKernelGetFunction, kern)
show("cuKernelGetName", cu.cuKernelGetName, kern)
rlib = value(show("rt cudaLibraryLoadData", rt.cudaLibraryLoadData, bytes(cubin), None, None, 0, None, None, 0))
rkern = value(show("rt cudaLibraryGetKernel", rt.cudaLibraryGetKernel, rlib, b"fill"))
grid = rt.dim3()
print("dim3 default", grid.x, grid.y, grid.z)
print("dim3 nested default", render(rt.cudaKernelNodeParams().gridDim.x))
print("rt has cudaLaunchKernel", hasattr(rt, "cudaLaunchKernel"))
show("rt cudaGetDeviceProperties", lambda: [render(getattr(value(rt.cudaGetDeviceProperties(0)), n))
                                            for n in ("major", "minor", "warpSize", "multiProcessorCount")])
show("rt cudaFuncGetAttributes", lambda: render(value(rt.cudaFuncGetAttributes(rkern)).maxThreadsPerBlock))

# -- frees --------------------------------------------------------------------
show("cuMemFreeAsync", cu.cuMemFreeAsync, allocs["async"], stream)
show("cuMemUnmap", cu.cuMemUnmap, va, gran)
show("cuMemRelease", cu.cuMemRelease, handle)
show("cuMemAddressFree", cu.cuMemAddressFree, va, gran)
show("cuMemFreeHost", cu.cuMemFreeHost, allocs["host"])
show("cuMemFree", cu.cuMemFree, allocs["managed"])
show("cuArrayDestroy", cu.cuArrayDestroy, arr)
show("cuStreamDestroy", cu.cuStreamDestroy, stream)
show("cuCtxSynchronize", cu.cuCtxSynchronize)
