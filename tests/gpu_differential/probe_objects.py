"""Differential probe, the objects probe_workloads.py leaves out: texture and
surface objects (their descriptors as the driver gives them back), libraries
(cuLibrary*/cudaLibrary*, a kernel launched from one), graph memcpy and host
nodes, peer copies on one device, and the runtime's allocations of each
kind.  Prints statuses, types and the data the GPU wrote (addresses as
whether they are zero), so that both packages print the same lines."""
import ctypes
import os
import sys

from cuda.bindings import driver as cu, runtime as rt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # run with -P
from probing import context_and_cubin, render, show, value  # noqa: E402

KERNEL = rb"""
extern "C" __global__ void fill(int *p, int v, int n) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < n) p[t] = v + t;
}
"""

dev, ctx, cubin = context_and_cubin(KERNEL, b"fill.cu")
N = 256
dptr = value(show("cuMemAlloc", cu.cuMemAlloc, N * 4))

# -- a library, its kernel, a launch ------------------------------------------
lib = value(show("cuLibraryLoadData", cu.cuLibraryLoadData, bytes(cubin), [], [], 0, [], [], 0))
kern = value(show("cuLibraryGetKernel", cu.cuLibraryGetKernel, lib, b"fill"))
show("cuKernelGetAttribute", cu.cuKernelGetAttribute,
     cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, kern, dev)
show("cuLibraryGetKernelCount", cu.cuLibraryGetKernelCount, lib)
show("cuLibraryGetModule", cu.cuLibraryGetModule, lib)
args = ((dptr, 5, N), (None, ctypes.c_int, ctypes.c_int))
show("launch a library kernel", cu.cuLaunchKernel, kern, 1, 1, 1, N, 1, 1, 0, None, args, 0)
show("sync", cu.cuCtxSynchronize)
out = bytearray(N * 4)
show("DtoH", cu.cuMemcpyDtoH, out, dptr, N * 4)
print("library fill", list(memoryview(out).cast("i")[:4]), memoryview(out).cast("i")[N - 1])
rlib = value(show("rt cudaLibraryLoadData", rt.cudaLibraryLoadData, bytes(cubin), [], [], 0, [], [], 0))
rkern = value(show("rt cudaLibraryGetKernel", rt.cudaLibraryGetKernel, rlib, b"fill"))
show("rt cudaLibraryUnload", rt.cudaLibraryUnload, rlib)

# -- texture and surface objects ----------------------------------------------
res = cu.CUDA_RESOURCE_DESC()
res.resType = cu.CUresourcetype.CU_RESOURCE_TYPE_LINEAR
res.res.linear.devPtr = dptr
res.res.linear.format = cu.CUarray_format.CU_AD_FORMAT_SIGNED_INT32
res.res.linear.numChannels = 1
res.res.linear.sizeInBytes = N * 4
tex = cu.CUDA_TEXTURE_DESC()
tex.filterMode = cu.CUfilter_mode.CU_TR_FILTER_MODE_POINT
tex.flags = cu.CU_TRSF_READ_AS_INTEGER
texobj = value(show("cuTexObjectCreate", cu.cuTexObjectCreate, res, tex, None))
back = value(show("cuTexObjectGetResourceDesc", cu.cuTexObjectGetResourceDesc, texobj))
if back is not None:
    print("resource back", render(back.resType), int(back.res.linear.devPtr) == int(dptr),
          render(back.res.linear.format), back.res.linear.numChannels, back.res.linear.sizeInBytes)
tback = value(show("cuTexObjectGetTextureDesc", cu.cuTexObjectGetTextureDesc, texobj))
if tback is not None:
    print("texture back", render(tback.filterMode), tback.flags)
show("cuTexObjectDestroy", cu.cuTexObjectDestroy, texobj)
ad = cu.CUDA_ARRAY3D_DESCRIPTOR()
ad.Width, ad.Height, ad.Depth = 16, 16, 0
ad.Format, ad.NumChannels = cu.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT8, 4
ad.Flags = cu.CUDA_ARRAY3D_SURFACE_LDST
arr = value(show("cuArray3DCreate surface", cu.cuArray3DCreate, ad))
sres = cu.CUDA_RESOURCE_DESC()
sres.resType = cu.CUresourcetype.CU_RESOURCE_TYPE_ARRAY
sres.res.array.hArray = arr
surf = value(show("cuSurfObjectCreate", cu.cuSurfObjectCreate, sres))
sback = value(show("cuSurfObjectGetResourceDesc", cu.cuSurfObjectGetResourceDesc, surf))
if sback is not None:
    print("surface back", render(sback.resType), int(sback.res.array.hArray) == int(arr))
show("cuSurfObjectDestroy", cu.cuSurfObjectDestroy, surf)
show("cuArrayDestroy", cu.cuArrayDestroy, arr)
rres = rt.cudaResourceDesc()
rres.resType = rt.cudaResourceType.cudaResourceTypeLinear
rres.res.linear.devPtr = int(dptr)
desc = value(show("rt cudaCreateChannelDesc", rt.cudaCreateChannelDesc, 32, 0, 0, 0,
                  rt.cudaChannelFormatKind.cudaChannelFormatKindSigned))
if desc is not None:
    rres.res.linear.desc = desc
rres.res.linear.sizeInBytes = N * 4
rtex = rt.cudaTextureDesc()
rtex.readMode = rt.cudaTextureReadMode.cudaReadModeElementType
rtexobj = value(show("rt cudaCreateTextureObject", rt.cudaCreateTextureObject, rres, rtex, None))
rback = value(show("rt cudaGetTextureObjectResourceDesc", rt.cudaGetTextureObjectResourceDesc, rtexobj))
if rback is not None:
    print("rt resource back", render(rback.resType), rback.res.linear.sizeInBytes, rback.res.linear.desc.x)
show("rt cudaDestroyTextureObject", rt.cudaDestroyTextureObject, rtexobj)

# -- graph memcpy and host nodes ------------------------------------------------
calls = []
graph = value(show("cuGraphCreate", cu.cuGraphCreate, 0))
host = (ctypes.c_int * N)()
cp = cu.CUDA_MEMCPY3D()
cp.srcMemoryType, cp.srcDevice = cu.CUmemorytype.CU_MEMORYTYPE_DEVICE, dptr
cp.dstMemoryType, cp.dstHost = cu.CUmemorytype.CU_MEMORYTYPE_HOST, ctypes.addressof(host)
cp.WidthInBytes, cp.Height, cp.Depth = N * 4, 1, 1
mnode = value(show("cuGraphAddMemcpyNode", cu.cuGraphAddMemcpyNode, graph, None, 0, cp, ctx))
HOSTFN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
hostfn = HOSTFN(lambda data: calls.append(data))
hp = cu.CUDA_HOST_NODE_PARAMS()
hp.fn = ctypes.cast(hostfn, ctypes.c_void_p).value
hp.userData = 7
hnode = value(show("cuGraphAddHostNode", cu.cuGraphAddHostNode, graph, [mnode] if mnode else None,
                   1 if mnode else 0, hp))
show("cuGraphGetNodes", cu.cuGraphGetNodes, graph)
exe = value(show("cuGraphInstantiate", cu.cuGraphInstantiate, graph, 0))
show("cuGraphLaunch", cu.cuGraphLaunch, exe, None)
show("sync", cu.cuCtxSynchronize)
print("graph memcpy", list(host[:3]), "host node calls", len(calls))
show("cuGraphExecDestroy", cu.cuGraphExecDestroy, exe)
show("cuGraphDestroy", cu.cuGraphDestroy, graph)

# -- peer copies on one device, runtime allocations -----------------------------
d2 = value(show("cuMemAlloc 2", cu.cuMemAlloc, N * 4))
show("cuMemcpyPeer same device", cu.cuMemcpyPeer, d2, ctx, dptr, ctx, N * 4)
back2 = bytearray(N * 4)
show("DtoH peer", cu.cuMemcpyDtoH, back2, d2, N * 4)
print("peer copy equal", back2 == out)
show("rt cudaMemcpyPeer", rt.cudaMemcpyPeer, int(d2), 0, int(dptr), 0, N * 4)
show("rt cudaDeviceCanAccessPeer", rt.cudaDeviceCanAccessPeer, 0, 0)
managed = value(show("rt cudaMallocManaged", rt.cudaMallocManaged, 4096, rt.cudaMemAttachGlobal))
pinned = value(show("rt cudaMallocHost", rt.cudaMallocHost, 4096))
stream = value(show("rt cudaStreamCreate", rt.cudaStreamCreate))
asyncp = value(show("rt cudaMallocAsync", rt.cudaMallocAsync, 4096, stream))
for label, p in (("managed", managed), ("pinned", pinned), ("async", asyncp)):
    attrs = value(show("rt cudaPointerGetAttributes %s" % label, rt.cudaPointerGetAttributes, p))
    if attrs is not None:
        print("attrs", label, render(attrs.type), attrs.device, bool(attrs.devicePointer), bool(attrs.hostPointer))
show("rt cudaFreeAsync", rt.cudaFreeAsync, asyncp, stream)
show("rt cudaStreamSynchronize", rt.cudaStreamSynchronize, stream)
show("rt cudaFreeHost", rt.cudaFreeHost, pinned)
show("rt cudaFree", rt.cudaFree, managed)
show("cuMemFree 2", cu.cuMemFree, d2)
show("cuMemFree", cu.cuMemFree, dptr)
show("cuLibraryUnload", cu.cuLibraryUnload, lib)
