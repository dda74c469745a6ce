"""The shapes CUDA 13.3-13.5 functions take, as NVIDIA's cuda-bindings 13.5.0
has them (asked directly: its parameters, what it returns on the H200, and
where it writes past its buffers, which ours refuses), on the stub driver
here and on a real one in the GPU run."""
import inspect

import pytest
from helpers import run_python

from cuda.bindings import driver, runtime

# NVIDIA's parameter lists (../shared/api/driver.json, runtime.json).
SIGNATURES = {
    driver.cuMemRangeGetAttribute: ["dataSize", "attribute", "devPtr", "count"],
    driver.cuMemRangeGetAttributes: ["dataSizes", "attributes", "numAttributes", "devPtr", "count"],
    runtime.cudaMemRangeGetAttribute: ["dataSize", "attribute", "devPtr", "count"],
    runtime.cudaMemRangeGetAttributes: ["dataSizes", "attributes", "numAttributes", "devPtr", "count"],
    driver.cuCoredumpGetAttribute: ["attrib"],
    driver.cuCoredumpGetAttributeGlobal: ["attrib"],
    driver.cuTexRefGetBorderColor: ["hTexRef"],
    driver.cuMemGetLocationInfo: ["ptr", "size", "summaryGranularity", "samplingGranularity", "location_out"],
    runtime.cudaMemGetLocationInfo: ["devPtr", "size", "summaryGranularity", "samplingGranularity", "location_out"],
    driver.cuDevSmResourceSplit: ["nbGroups", "input_", "flags", "groupParams"],
    runtime.cudaDevSmResourceSplitByCount: ["nbGroups", "input_", "flags", "minCount"],
    driver.cuDeviceGetCliqueInfo: ["count", "dev"],
    driver.cuGraphAddNode_v3: ["hGraph", "dependencies", "dependencyData", "numDependencies", "nodeParams"],
    driver.cuGraphNodeSetParams_v2: ["hNode", "nodeParams"],
    driver.cuTensorMapSetAllocationClass: ["tensorMap", "allocClass"],
    runtime.cudaStreamBeginRecaptureToGraph: ["stream", "mode", "graph", "callbackData"],
}


@pytest.mark.parametrize("func", list(SIGNATURES), ids=lambda f: f.__name__)
def test_parameters_are_the_references(func):
    assert list(inspect.signature(func).parameters) == SIGNATURES[func]


def test_enumerators_and_constants_of_13_5():
    assert driver.CUstreamAtomicReductionOpType.CU_STREAM_ATOMIC_REDUCTION_OP_OR == 6
    assert driver.CUstreamAtomicReductionOpType.CU_STREAM_ATOMIC_REDUCTION_OP_AND == 5
    assert driver.CUstreamAtomicReductionDataType.CU_STREAM_ATOMIC_REDUCTION_UNSIGNED_64 == 22
    assert driver.CUCoredumpGenerationFlags.CU_COREDUMP_LOG_ONLY == -2 ** 31
    assert driver.CU_DEV_SM_RESOURCE_GROUP_LOCALITY_DOMAIN_ID_ANY == 2 ** 32 - 1
    assert runtime.cudaDevSmResourceGroupLocalityDomainIdAny == 2 ** 32 - 1
    assert driver.CUDA_EGL_INFINITE_TIMEOUT == 0xFFFFFFFF
    assert isinstance(driver.cudaBindingsDriverGlobal(), driver.cudaBindingsDriverGlobal)
    assert isinstance(runtime.cudaBindingsRuntimeGlobal(), runtime.cudaBindingsRuntimeGlobal)


@pytest.fixture(scope="module")
def stub_env(stub_driver):
    return {"LD_LIBRARY_PATH": stub_driver}


SHAPES_ON_THE_STUB = r"""
from cuda.bindings import driver as d, runtime as r
def show(label, f, *a):
    try:
        print(label, f(*a))
    except Exception as e:
        print(label, "RAISES", type(e).__name__, e)
A = d.CUmem_range_attribute
show("range", d.cuMemRangeGetAttribute, 4, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, 0, 0)
show("ranges", d.cuMemRangeGetAttributes, [4, 8], [A.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY], 2, 0, 0)
B = r.cudaMemRangeAttribute
M = [A(1), A(3), A(2)]   # keys are members, as NVIDIA's takes them
show("ranges short", d.cuMemRangeGetAttributes, [4], M[:2], 2, 0, 0)
show("range huge", d.cuMemRangeGetAttribute, 1 << 62, A(1), 0, 0)
show("ranges huge", d.cuMemRangeGetAttributes, [1 << 62] * 3, M, 3, 0, 0)
show("rt ranges", r.cudaMemRangeGetAttributes, [4, 8], [B(1), B(3)], 2, 0, 0)
show("coredump", d.cuCoredumpGetAttributeGlobal, d.CUcoredumpSettings.CU_COREDUMP_FILE)
show("coredump max", d.cuCoredumpGetAttributeGlobal, d.CUcoredumpSettings.CU_COREDUMP_MAX)
show("coredump 99", d.cuCoredumpGetAttribute, 99)
show("border", d.cuTexRefGetBorderColor, None)
L = r.cudaMemLocation
show("loc one", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 20, 0, L())
show("loc one for two", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 19, 0, L())
show("loc list", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 19, 0, [L(), L()])
show("loc short list", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 18, 0, (L(), L()))
show("loc bad item", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 19, 0, [L(), 3])
show("loc none", r.cudaMemGetLocationInfo, 0, 1 << 20, 1 << 19, 0, None)
show("loc zero granularity", r.cudaMemGetLocationInfo, 0, 1 << 20, 0, 0, L())
show("split", r.cudaDevSmResourceSplit, 1, r.cudaDevResource(), 0, [r.cudaDevSmResourceGroupParams()])
"""


def test_typed_and_region_shapes_on_the_stub_driver(stub_env):
    r = run_python(SHAPES_ON_THE_STUB, env=stub_env)
    out = {}
    for line in r.stdout.splitlines():
        for label in ("ranges short", "ranges huge", "rt ranges", "ranges", "range huge", "range",
                      "coredump max", "coredump 99", "coredump", "border", "loc one for two", "loc one",
                      "loc short list", "loc list", "loc bad item", "loc none", "loc zero granularity", "split"):
            if line.startswith(label + " "):
                out[label] = line[len(label) + 1:]
                break
    # the stub driver resolves no function (as with NVIDIA's): what is
    # checked before the call shows, the call itself raises
    stub = "RAISES FunctionNotFoundError"
    rt_stub = "(<cudaError_t.cudaErrorStubLibrary: 34>,)"
    assert all(out[k].startswith(stub) for k in ("range", "ranges", "coredump", "border")), r.stdout + r.stderr
    assert out["ranges short"].startswith("RAISES RuntimeError") and "dataSizes" in out["ranges short"]
    # room the caller sizes beyond memory is a MemoryError, never a crash
    assert out["range huge"] == "RAISES MemoryError " and out["ranges huge"] == "RAISES MemoryError "
    assert out["rt ranges"] == "(<cudaError_t.cudaErrorStubLibrary: 34>, None)"
    # a key outside the table is refused before the call, as NVIDIA's refuses it
    assert out["coredump max"] == "RAISES TypeError Unsupported attribute: CU_COREDUMP_MAX"
    assert out["coredump 99"] == "RAISES AttributeError 'int' object has no attribute 'value'"
    assert out["loc one"] == rt_stub and out["loc list"] == rt_stub and out["loc none"] == rt_stub
    assert out["loc zero granularity"] == rt_stub
    # one input resource between two nbGroups-long arrays (not an array itself)
    assert out["split"] == "(<cudaError_t.cudaErrorStubLibrary: 34>, None, None)", out["split"]
    # one struct has room for one region; NVIDIA's lets the call write a second past it
    assert out["loc one for two"].startswith("RAISES ValueError") and "writes 2" in out["loc one for two"]
    assert out["loc short list"].startswith("RAISES ValueError") and "room for 2" in out["loc short list"]
    assert out["loc bad item"].startswith("RAISES TypeError") and "list of cudaMemLocation" in out["loc bad item"]


def test_a_location_list_is_a_snapshot(stub_env):
    """A list whose iteration runs code that empties it: the call works on
    the items it was given, held in a private tuple, and nothing crashes."""
    code = r"""
from cuda.bindings import runtime as r
L = r.cudaMemLocation
class Emptying(list):
    def __iter__(self):
        items = iter(self[:])   # what it holds now; then nothing
        self.clear()
        return items
given = Emptying([L(), L()])
print(r.cudaMemGetLocationInfo(0, 1 << 20, 1 << 19, 0, given), len(given))
given = Emptying([L()])
try:
    r.cudaMemGetLocationInfo(0, 1 << 20, 1 << 19, 0, given)
except ValueError as e:
    print("ValueError", "room for 1" in str(e))
"""
    r = run_python(code, env=stub_env)
    assert r.stdout.splitlines() == ["(<cudaError_t.cudaErrorStubLibrary: 34>,) 0", "ValueError True"], \
        r.stdout + r.stderr


GPU = pytest.mark.gpu


def ok(result):
    assert result[0] == 0, result
    return result[1] if len(result) == 2 else result[1:]


@GPU
def test_typed_values_on_the_gpu():
    """What NVIDIA's 13.5.0 returned on the H200 for the same calls (the
    differential probe's output): an int per attribute, a list for
    ACCESSED_BY as long as dataSize says; bools, bytes and an int for coredump settings."""
    d = driver
    ok(d.cuInit(0) + (None,))
    dev = ok(d.cuDeviceGet(0))
    ctx = ok(d.cuDevicePrimaryCtxRetain(dev))
    ok(d.cuCtxSetCurrent(ctx) + (None,))
    size = 1 << 22
    mp = ok(d.cuMemAllocManaged(size, d.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL.value))
    try:
        loc = d.CUmemLocation()
        loc.type, loc.id = d.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE, 0
        A = d.CUmem_range_attribute
        for advice in ("SET_READ_MOSTLY", "SET_PREFERRED_LOCATION", "SET_ACCESSED_BY"):
            ok(d.cuMemAdvise(mp, size, getattr(d.CUmem_advise, "CU_MEM_ADVISE_" + advice), loc) + (None,))
        assert d.cuMemRangeGetAttribute(4, A.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, mp, size) == (0, 1)
        assert d.cuMemRangeGetAttribute(4, A.CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION, mp, size) == (0, 0)
        assert d.cuMemRangeGetAttribute(4, A.CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE, mp, size) == (0, 1)
        assert d.cuMemRangeGetAttribute(8, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, mp, size) == (0, [0, -2])
        assert d.cuMemRangeGetAttribute(12, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY, mp, size) == (0, [0, -2, -2])
        err, v = d.cuMemRangeGetAttribute(8, A.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, mp, size)
        assert err == d.CUresult.CUDA_ERROR_INVALID_VALUE and v is None
        keys = [A.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, A.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY,
                A.CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE]
        assert d.cuMemRangeGetAttributes([4, 8, 4], keys, 3, mp, size) == (0, [1, [0, -2], 1])
        R = runtime.cudaMemRangeAttribute
        assert runtime.cudaMemRangeGetAttribute(4, R.cudaMemRangeAttributeReadMostly, mp, size) == (0, 1)
        assert runtime.cudaMemRangeGetAttributes([8], [R.cudaMemRangeAttributeAccessedBy], 1, mp, size) == \
            (0, [[0, -2]])
    finally:
        d.cuMemFree(mp)
    S = d.CUcoredumpSettings
    for key, kind in [(S.CU_COREDUMP_ENABLE_ON_EXCEPTION, bool), (S.CU_COREDUMP_TRIGGER_HOST, bool),
                      (S.CU_COREDUMP_LIGHTWEIGHT, bool), (S.CU_COREDUMP_FILE, bytes),
                      (S.CU_COREDUMP_PIPE, bytes), (S.CU_COREDUMP_GENERATION_FLAGS, int)]:
        err, value = d.cuCoredumpGetAttributeGlobal(key)
        assert err == 0 and type(value) is kind, (key, err, value)
    assert d.cuCoredumpGetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST) == (0, True)   # the default
    assert d.cuCoredumpGetAttribute(S.CU_COREDUMP_GENERATION_FLAGS) == (0, 0)
    assert d.cuTexRefGetBorderColor(None) == (d.CUresult.CUDA_ERROR_INVALID_HANDLE, None)
    # set by key, as NVIDIA's takes them: what is set reads back, and only the status comes back
    default = d.cuCoredumpGetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST)[1]
    assert d.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST, not default) == (0,)
    assert d.cuCoredumpGetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST) == (0, (not default))
    assert d.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST, default)[0] == 0
    path = b"/tmp/cuda-bindings-c-core"
    assert d.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_FILE, path) == (0,)
    assert d.cuCoredumpGetAttributeGlobal(S.CU_COREDUMP_FILE) == (0, path)


@GPU
def test_older_driver_lacks_13_5_functions_but_keeps_the_older_abis():
    """On a driver older than 13.5 (the H200's 580 is 13.0): new functions
    raise FunctionNotFoundError naming them; cuGraphAddNode, which shares a
    prototype with cuGraphAddNode_v3, still resolves at its own ABI and works."""
    from cuda.bindings._internal.utils import FunctionNotFoundError
    d = driver
    ok(d.cuInit(0) + (None,))
    dev = ok(d.cuDeviceGet(0))
    ctx = ok(d.cuDevicePrimaryCtxRetain(dev))
    ok(d.cuCtxSetCurrent(ctx) + (None,))
    version = ok(d.cuDriverGetVersion())
    graph = ok(d.cuGraphCreate(0))
    params = d.CUgraphNodeParams()
    params.type = d.CUgraphNodeType.CU_GRAPH_NODE_TYPE_EMPTY
    node = ok(d.cuGraphAddNode(graph, None, None, 0, params))
    assert isinstance(node, d.CUgraphNode) and int(node) != 0
    assert d.cuGraphNodeSetParams(node, params)[0] in (0, d.CUresult.CUDA_ERROR_INVALID_VALUE)
    if version < 13050:
        for call in (lambda: d.cuGraphAddNode_v3(graph, None, None, 0, params),
                     lambda: d.cuDeviceGetCliqueCount(dev), lambda: d.cuDeviceGetFabricClusterUuid(dev),
                     lambda: d.cuDevSmResourceSplit(1, d.CUdevResource(), 0, [d.CU_DEV_SM_RESOURCE_GROUP_PARAMS()])):
            with pytest.raises(FunctionNotFoundError, match="not found in CUDA driver"):
                call()
        err, = runtime.cudaMemGetLocationInfo(0, 1 << 20, 1 << 20, 0, runtime.cudaMemLocation())
        assert err in (runtime.cudaError_t.cudaErrorCallRequiresNewerDriver, runtime.cudaError_t.cudaErrorInvalidValue)
    d.cuGraphDestroy(graph)
