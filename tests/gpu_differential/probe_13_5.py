"""Differential probe, CUDA 13.3-13.5 shapes: the same calls on NVIDIA's
cuda-bindings and on ours, each in its own environment (.ci/gpu-differential
runs it under both and diffs the outputs).  Prints what user code can
observe: status enums, value types and values; handles and structs by class
only (their addresses differ between runs)."""
import enum
import inspect
import os
import sys

from cuda.bindings import driver as cu, runtime as rt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # run with -P
from probing import make_show  # noqa: E402


def render(x):
    if isinstance(x, enum.Enum) or type(x).__name__ in ("CUresult", "cudaError_t"):
        return repr(x)
    if x is None or isinstance(x, (bool, int, float, bytes, str)) and type(x) in (bool, int, float, bytes, str):
        return "%s:%r" % (type(x).__name__, x)
    if isinstance(x, (list, tuple)):
        return "%s[%s]" % (type(x).__name__, ", ".join(render(i) for i in x))
    return "<%s>" % type(x).__name__


show = make_show(render, runtime_note=True)

print(cu.cuInit(0))
err, dev = cu.cuDeviceGet(0)
err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
cu.cuCtxSetCurrent(ctx)
print(cu.cuDriverGetVersion())
size = 1 << 22
err, mp = cu.cuMemAllocManaged(size, cu.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL.value)
print("managed", err)
loc = cu.CUmemLocation(); loc.type = cu.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE; loc.id = 0
show("advise RM", cu.cuMemAdvise, mp, size, cu.CUmem_advise.CU_MEM_ADVISE_SET_READ_MOSTLY, loc)
show("advise PL", cu.cuMemAdvise, mp, size, cu.CUmem_advise.CU_MEM_ADVISE_SET_PREFERRED_LOCATION, loc)
show("advise AB", cu.cuMemAdvise, mp, size, cu.CUmem_advise.CU_MEM_ADVISE_SET_ACCESSED_BY, loc)
show("prefetch", cu.cuMemPrefetchAsync, mp, size, loc, 0, None)
cu.cuCtxSynchronize()
for a in cu.CUmem_range_attribute:
    for ds in (4, 8, 12):
        show("cuMemRangeGetAttribute(%d, %s)" % (ds, a.name), cu.cuMemRangeGetAttribute, ds, a, mp, size)
attrs = list(cu.CUmem_range_attribute)
show("cuMemRangeGetAttributes(4s)", cu.cuMemRangeGetAttributes, [4] * len(attrs), attrs, len(attrs), mp, size)
show("cuMemRangeGetAttributes(8,12)", cu.cuMemRangeGetAttributes, [8, 12], attrs[:3:2], 2, mp, size)
show("cuMemRangeGetAttribute kw", cu.cuMemRangeGetAttribute, dataSize=4, attribute=attrs[0], devPtr=mp, count=size)
err, rp = rt.cudaMallocManaged(size, rt.cudaMemAttachGlobal)
rl = rt.cudaMemLocation(); rl.type = rt.cudaMemLocationType.cudaMemLocationTypeDevice; rl.id = 0
show("rt advise", rt.cudaMemAdvise, rp, size, rt.cudaMemoryAdvise.cudaMemAdviseSetAccessedBy, rl)
for a in rt.cudaMemRangeAttribute:
    for ds in (4, 8):
        show("cudaMemRangeGetAttribute(%d, %s)" % (ds, a.name), rt.cudaMemRangeGetAttribute, ds, a, rp, size)
ra = list(rt.cudaMemRangeAttribute)
show("cudaMemRangeGetAttributes", rt.cudaMemRangeGetAttributes, [4] * len(ra), ra, len(ra), rp, size)
for a in cu.CUcoredumpSettings:
    show("cuCoredumpGetAttributeGlobal(%s)" % a.name, cu.cuCoredumpGetAttributeGlobal, a)
    show("cuCoredumpGetAttribute(%s)" % a.name, cu.cuCoredumpGetAttribute, a)
# setting them by key, then reading them back (status and size written)
S = cu.CUcoredumpSettings
for key, value in ((S.CU_COREDUMP_TRIGGER_HOST, False), (S.CU_COREDUMP_ENABLE_ON_EXCEPTION, 0),
                   (S.CU_COREDUMP_FILE, b"/tmp/cb-probe-core"), (S.CU_COREDUMP_GENERATION_FLAGS, 0)):
    show("set %s" % key.name, cu.cuCoredumpSetAttributeGlobal, key, value)
    show("then get %s" % key.name, cu.cuCoredumpGetAttributeGlobal, key)
show("cuTexRefSetBorderColor(None, 0.5)", cu.cuTexRefSetBorderColor, None, 0.5)
show("cuTexRefGetBorderColor(None)", cu.cuTexRefGetBorderColor, None)
show("cuTexRefGetBorderColor(CUtexref())", cu.cuTexRefGetBorderColor, cu.CUtexref())
out = cu.CUmemLocation()
show("cuMemGetLocationInfo one", cu.cuMemGetLocationInfo, mp, size, size, 0, out)
print("  location_out", out.type, out.id)
show("cudaMemGetLocationInfo one", getattr(rt, "cudaMemGetLocationInfo", None), rp, size, size, 0, rt.cudaMemLocation())
for name in ["cuDeviceGetCliqueCount", "cuDeviceGetFabricClusterUuid", "cuCheckpointOperationComplete"]:
    f = getattr(cu, name)
    try: print(name, inspect.signature(f))
    except Exception as e: print(name, "sig", e)
show("cuDeviceGetCliqueCount", cu.cuDeviceGetCliqueCount, dev)
show("cuDeviceGetCliqueInfo", cu.cuDeviceGetCliqueInfo, 2, dev)
show("cuDeviceGetFabricClusterUuid", cu.cuDeviceGetFabricClusterUuid, dev)
err, res = cu.cuDeviceGetDevResource(dev, cu.CUdevResourceType.CU_DEV_RESOURCE_TYPE_SM)
print("res", err, res and res.type, res and res.sm.smCount)
show("cuDevSmResourceSplitByCount", cu.cuDevSmResourceSplitByCount, 2, res, 0, 8)
gp = cu.CU_DEV_SM_RESOURCE_GROUP_PARAMS()
show("cuDevSmResourceSplit", cu.cuDevSmResourceSplit, 1, res, 0, [gp])
tm = cu.CUtensorMap()
show("cuTensorMapSetAllocationClass", cu.cuTensorMapSetAllocationClass, tm, 0)
show("cuMemcpyWithAttributesAsync", cu.cuMemcpyWithAttributesAsync, mp, mp, 16, cu.CUmemcpyAttributes(), None)
show("cuStreamBeginCaptureToCig", cu.cuStreamBeginCaptureToCig, None, None)
show("cuGraphNodeSetParams_v2", cu.cuGraphNodeSetParams_v2, None, None)
err, g = cu.cuGraphCreate(0)
np_ = cu.CUgraphNodeParams(); np_.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_EMPTY
show("cuGraphAddNode_v3", cu.cuGraphAddNode_v3, g, None, None, 0, np_)
show("cuGraphAddNode", cu.cuGraphAddNode, g, None, None, 0, np_)
show("cuMemGetLocationInfo", cu.cuMemGetLocationInfo, 0, 0, 0, 0, None)
