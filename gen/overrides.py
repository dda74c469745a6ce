"""Facts the headers do not state in a form the generator can read.

Each entry says why.  Everything else is derived from the headers by the
rules in model.py; a fix belongs here only when no rule can see it.  Tables
keyed by function are read through Model.override(): the runtime's twin of
a driver function (cudaX of cuX) takes the driver's entry where the two have
the same parameters, so such entries are written once, for cuX.
tests/test_overrides.py fails on an entry that names what the headers lack
or that changes nothing the generator emits.
"""


def named_params(entry):
    """The names an entry of a function-keyed table mentions: a name, a set
    or tuple of them, or a dict's keys and the names in its values
    ("numDependencies - 1" names numDependencies; a class name too, which
    is no parameter)."""
    if isinstance(entry, str):
        return {entry.split(" ")[0]}
    if isinstance(entry, (set, frozenset, tuple)):
        return set().union(*(named_params(e) for e in entry))
    if isinstance(entry, dict):
        return set(entry).union(*(named_params(v) for v in entry.values()))
    return set()


# Output arrays whose length another call reports: function -> {param: length query}.
# nvrtc.h documents that nvrtcGetNumSupportedArchs sizes nvrtcGetSupportedArchs.
OUT_ARRAYS = {
    "nvrtcGetSupportedArchs": {"supportedArchs": "nvrtcGetNumSupportedArchs"},
}

# Size queries of output buffers not named `<function>Size`: function -> query.
# nvFatbin.h: nvFatbinSize reports how much nvFatbinGet writes.
BUFFER_SIZE_QUERIES = {"nvFatbinGet": "nvFatbinSize"}

# Output buffers whose room another argument gives: function -> (buffer, size).
# The logs dumps write up to *size bytes: a smaller buffer is refused.
BUFFER_SIZE_ARGS = {"cuLogsDumpToMemory": ("buffer", "size")}

# Pointers the library writes although their doc says [in] or does not say
# it returns them: function -> {param}.
OUT_POINTERS = {
    "nvvmCreateProgram": {"prog"},   # nvvm.h: "[in] prog"; the call sets it
    # "Output array of resources", nbGroups long
    "cuDevSmResourceSplit": {"result"},
}

# Python names of the pythonic modules that are not the C parameter's in
# snake case (NVIDIA's nvfatbin.destroy takes `handle`): function -> {C: Python}.
PYTHONIC_NAMES = {"nvFatbinDestroy": {"handle_indirect": "handle"}}

# `const char *` inputs NVIDIA's refuses None for although the doc says they
# may be NULL (observed): function -> {parameter}.
NOT_NULLABLE_STRINGS = {
    "nvrtcCreateProgram": {"name"},
    "cuLinkAddData": {"name"},
}

# Calls that return at once: the Python layer keeps the GIL around them,
# because releasing and taking it back (about 20 ns) costs more than the
# call.  Each one only reads a table, a thread-local or the library's fixed
# state: it never blocks on the GPU, never waits for a queue to drain and
# never runs a host callback, so holding the GIL cannot deadlock with a
# callback thread.  Everything else (launches, copies, synchronisation,
# queries that take driver locks such as cuStreamQuery) releases it.
KEEP_GIL = {
    "nvrtcVersion", "nvrtcGetNumSupportedArchs",
    "nvrtcGetSupportedArchs", "nvrtcGetPCHHeapSize", "nvrtcSetPCHHeapSize",
    "nvJitLinkVersion", "nvvmVersion", "nvvmIRVersion", "nvFatbinVersion",
    # driver: error text, versions, device and current-context queries
    "cuGetErrorString", "cuGetErrorName", "cuDriverGetVersion",
    "cuDeviceGet", "cuDeviceGetCount", "cuDeviceGetAttribute",
    "cuCtxGetCurrent", "cuCtxGetDevice", "cuCtxGetApiVersion", "cuCtxGetId", "cuCtxGetFlags",
    "cuPointerGetAttribute", "cuPointerGetAttributes",
    "cuStreamGetId", "cuStreamGetCtx", "cuStreamGetFlags", "cuStreamGetPriority", "cuStreamGetDevice",
    # runtime: the same, over the runtime's thread-local state
    "cudaGetLastError", "cudaPeekAtLastError",
    "cudaDriverGetVersion", "cudaRuntimeGetVersion",
    "cudaGetDevice", "cudaGetDeviceCount", "cudaDeviceGetAttribute", "cudaPointerGetAttributes",
    "cudaStreamGetId", "cudaStreamGetFlags", "cudaStreamGetPriority", "cudaStreamGetDevice",
}

# Python names NVIDIA's tuple-style modules give C parameters that would
# shadow a Python keyword or builtin.
PY_NAMES = {"from": "from_", "type": "typename", "len": "length", "bytes": "numbytes",
            "format": "pformat", "input": "input_"}

# Array parameters whose length parameter no naming rule finds:
# function -> {array parameter: count parameter}; None: not an array at all.
ARRAY_COUNTS = {
    "cuMipmappedArrayCreate": {"pMipmappedArrayDesc": None},   # one descriptor; numMipmapLevels is no count
    "cuDevSmResourceSplitByCount": {"result": "nbGroups"},
    "cuGLGetDevices": {"pCudaDevices": "cudaDeviceCount"},
    "cuStreamGetCaptureInfo": {"edgeData_out": "numDependencies_out"},
    "cuDeviceGetHostAtomicCapabilities": {"capabilities": "count"},
    "cuDeviceGetP2PAtomicCapabilities": {"capabilities": "count"},
    "cuSignalExternalSemaphoresAsync": {"extSemArray": "numExtSems"},
    "cuWaitExternalSemaphoresAsync": {"extSemArray": "numExtSems"},
    "cuPointerGetAttributes": {"data": "numAttributes"},
    "cuMemRangeGetAttributes": {"data": "numAttributes", "dataSizes": "numAttributes"},
    # a tensor of rank r has r dimensions but r - 1 strides (the first is the element size)
    "cuTensorMapEncodeTiled": {"globalDim": "tensorRank", "globalStrides": "tensorRank - 1",
                               "boxDim": "tensorRank", "elementStrides": "tensorRank"},
    "cuTensorMapEncodeIm2col": {"globalDim": "tensorRank", "globalStrides": "tensorRank - 1",
                                "pixelBoxLowerCorner": "tensorRank - 2", "pixelBoxUpperCorner": "tensorRank - 2",
                                "elementStrides": "tensorRank"},
    "cuTensorMapEncodeIm2colWide": {"globalDim": "tensorRank", "globalStrides": "tensorRank - 1",
                                    "elementStrides": "tensorRank"},
    "cuMemcpyBatchAsync": {"dsts": "count", "srcs": "count", "attrsIdxs": "numAttrs"},
    "cuMemPrefetchBatchAsync": {"dptrs": "count", "prefetchLocIdxs": "numPrefetchLocs"},
    "cuMemDiscardBatchAsync": {"dptrs": "count"},
    "cuMemDiscardAndPrefetchBatchAsync": {"dptrs": "count", "prefetchLocIdxs": "numPrefetchLocs"},
    "cuModuleLoadDataEx": {"optionValues": "numOptions"},
    "cuLinkCreate": {"optionValues": "numOptions"},
    "cuLinkAddData": {"optionValues": "numOptions"},
    "cuLinkAddFile": {"optionValues": "numOptions"},
    "cuLibraryLoadData": {"jitOptionsValues": "numJitOptions", "libraryOptionValues": "numLibraryOptions"},
    "cuLibraryLoadFromFile": {"jitOptionsValues": "numJitOptions",
                              "libraryOptionValues": "numLibraryOptions"},
    "cuGraphAddNode": {"dependencyData": "numDependencies"},
    "cuGraphAddNode_v3": {"dependencyData": "numDependencies"},
    # nbGroups counts both the resources made and the groups describing them;
    # input, between them, is one resource
    "cuDevSmResourceSplit": {"groupParams": "nbGroups", "input": None},
    "cuDeviceGetCliqueInfo": {"cliqueInfo": "count"},
    "cuGraphAddDependencies": {"from": "numDependencies", "to": "numDependencies"},
    "cuGraphRemoveDependencies": {"from": "numDependencies", "to": "numDependencies"},
    "cuStreamBeginCaptureToGraph": {"dependencyData": "numDependencies"},
    "cuStreamUpdateCaptureDependencies": {"dependencyData": "numDependencies"},
    "cuGraphGetEdges": {"from": "numEdges", "to": "numEdges", "edgeData": "numEdges"},
    "cuGraphNodeGetDependencies": {"edgeData": "numDependencies"},
    "cuGraphNodeGetDependentNodes": {"edgeData": "numDependentNodes"},
    # the runtime's own names (the driver's: the rules find them)
    "cudaGraphGetRootNodes": {"pRootNodes": "pNumRootNodes"},
    "cudaGraphNodeGetDependencies": {"pDependencies": "pNumDependencies", "edgeData": "pNumDependencies"},
    "cudaGraphNodeGetDependentNodes": {"pDependentNodes": "pNumDependentNodes",
                                       "edgeData": "pNumDependentNodes"},
}

# Pointers taken as an address whose handle objects must be of one class
# (NVIDIA's: "int or runtime.VdpGetProcAddress"): function -> {parameter: class}.
ADDRESS_OF_CLASS = {
    "cudaVDPAUSetVDPAUDevice": {"vdpGetProcAddress": "VdpGetProcAddress"},
    "cuVDPAUGetDevice": {"vdpGetProcAddress": "VdpGetProcAddress"},
    "cuVDPAUCtxCreate": {"vdpGetProcAddress": "VdpGetProcAddress"},
}

# A float[N] the call reads, given as one number (float() of it, as NVIDIA's
# takes it): the first element, the rest zero (NVIDIA's passes the address
# of its one float, and the driver reads past it).  function -> {parameter: N}.
FLOAT_FIRST_OF = {"cuTexRefSetBorderColor": {"pBorderColor": 4}}

# Lists of device pointers (void **): NVIDIA's takes each item by int(),
# refusing an object with only __index__ (option-value lists take any).
DEVICE_POINTER_LISTS = {
    "cudaMemcpyBatchAsync": {"dsts", "srcs"},
    "cudaMemPrefetchBatchAsync": {"dptrs"},
    "cudaMemDiscardBatchAsync": {"dptrs"},
    "cudaMemDiscardAndPrefetchBatchAsync": {"dptrs"},
}

# Integer lists NVIDIA's takes from any iterable, None for NULL.
ANY_ITERABLE_LISTS = {"cuTensorMapEncodeIm2col": {"pixelBoxLowerCorner", "pixelBoxUpperCorner"}}

# Non-const pointers to one value that the driver reads (or updates in
# place) rather than returns: function -> {parameter}.  The is_output rule
# in model.py would otherwise make them outputs.
IN_POINTERS = {
    "cuCtxCreate": {"ctxCreateParams"},
    "cuMemGetDefaultMemPool": {"location"},
    "cuMemGetMemPool": {"location"},
    "cuMemSetMemPool": {"location"},
    "cuGraphNodeSetParams": {"nodeParams"},
    "cuGraphExecNodeSetParams": {"nodeParams"},
    "cuGraphAddMemAllocNode": {"nodeParams"},
    "cuGraphAddNode": {"nodeParams"},
    "cuGraphAddNode_v3": {"nodeParams"},
    "cuGraphNodeSetParams_v2": {"nodeParams"},
    "cuMemcpyWithAttributesAsync": {"attr"},
    "cuMemcpy3DWithAttributesAsync": {"op"},
    "cuStreamBeginCaptureToCig": {"streamCigCaptureParams"},
    "cuTensorMapSetAllocationClass": {"tensorMap"},   # modified in place
    "cuGraphInstantiateWithParams": {"instantiateParams"},
    "cuTensorMapReplaceAddress": {"tensorMap"},
    "cuCheckpointProcessLock": {"args"},
    "cuCheckpointProcessCheckpoint": {"args"},
    "cuCheckpointProcessRestore": {"args"},
    "cuCheckpointProcessUnlock": {"args"},
    "cuEGLStreamConsumerDisconnect": {"conn"},
    "cuEGLStreamConsumerAcquireFrame": {"conn", "pCudaResource", "pStream"},
    "cuEGLStreamConsumerReleaseFrame": {"conn", "pStream"},
    "cuEGLStreamProducerDisconnect": {"conn"},
    "cuEGLStreamProducerPresentFrame": {"conn", "pStream"},
    "cuEGLStreamProducerReturnFrame": {"conn", "eglframe", "pStream"},
    "cudaMemPoolImportPointer": {"exportData"},
    "cudaStreamBeginRecaptureToGraph": {"callbackData"},
}

# Parameters passed as a plain address although their type looks like a
# handle pointer: VdpGetProcAddress is a function type, so a pointer to it
# is the function itself.
ADDRESS_PARAMS = {
    # float[4] border colour of the deprecated texture references (the getter's: FIXED_LENGTHS)
    "cuTexRefSetBorderColor": {"pBorderColor"},
    "cuVDPAUGetDevice": {"vdpGetProcAddress"},
    "cuVDPAUCtxCreate": {"vdpGetProcAddress"},
    "cudaVDPAUSetVDPAUDevice": {"vdpGetProcAddress"},
}

# `void *` parameters the call writes an address into (the runtime declares
# a `void **` as `void *` here): function -> {parameter}.
OUT_ADDRESS_PARAMS = {"cudaGraphMemFreeNodeGetParams": {"dptr_out"}}

# Kernel argument parameters (`void **`) not named kernelParams: function -> parameter.
KERNEL_PARAMS = {"cudaLaunchKernel": "args", "cudaLaunchCooperativeKernel": "args",
                 "cudaLaunchKernelExC": "args"}

# Struct fields that point to an array whose length another field of the
# same struct holds: class -> {pointer field: count field}.  Python sees the
# pointer as a list (csrc/cb_struct_field.c: CB_VIA_LIST), as it sees every pointer to
# a struct; setting it stores a copy of the list's items in memory the
# struct object owns (the count is the caller's to set, as on NVIDIA's).
# The count says how many items to read where the driver wrote the pointer.
STRUCT_ARRAY_COUNTS = {
    "CUlaunchConfig_st": {"attrs": "numAttrs"},
    "CUDA_BATCH_MEM_OP_NODE_PARAMS_v1_st": {"paramArray": "count"},
    "CUDA_BATCH_MEM_OP_NODE_PARAMS_v2_st": {"paramArray": "count"},
    "CUDA_EXT_SEM_SIGNAL_NODE_PARAMS_st": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "CUDA_EXT_SEM_SIGNAL_NODE_PARAMS_v2_st": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "CUDA_EXT_SEM_WAIT_NODE_PARAMS_st": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "CUDA_EXT_SEM_WAIT_NODE_PARAMS_v2_st": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "CUDA_MEM_ALLOC_NODE_PARAMS_v1_st": {"accessDescs": "accessDescCount"},
    "CUDA_MEM_ALLOC_NODE_PARAMS_v2_st": {"accessDescs": "accessDescCount"},
    "CUctxCreateParams_st": {"execAffinityParams": "numExecAffinityParams"},
    "CUcheckpointRestoreArgs_st": {"gpuPairs": "gpuPairsCount"},
    "CUcheckpointCustomStorageInfo_st": {"perDeviceData": "deviceCount"},
    "CUDA_FABRIC_CPY_BATCH_NODE_PARAMS_V1_st": {"opList": "numOps"},
    "CUDA_MEMCPY_BATCH_NODE_PARAMS_V1_st": {"dsts": "count", "srcs": "count", "attrs": "numAttrs"},
    # The graphs the driver writes back for a conditional node: `size` of them.
    "CUDA_CONDITIONAL_NODE_PARAMS": {"phGraph_out": "size"},
    "cudaLaunchConfig_st": {"attrs": "numAttrs"},
    "cudaExternalSemaphoreSignalNodeParams": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "cudaExternalSemaphoreSignalNodeParamsV2": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "cudaExternalSemaphoreWaitNodeParams": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "cudaExternalSemaphoreWaitNodeParamsV2": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "cudaMemAllocNodeParams": {"accessDescs": "accessDescCount"},
    "cudaMemAllocNodeParamsV2": {"accessDescs": "accessDescCount"},
    "cudaConditionalNodeParams": {"phGraph_out": "size"},
}

# Members NVIDIA's classes do not show (observed): reserved and unused ones
# of every struct and union, and padding of structs (a union's `pad` is a
# view of its bytes, which NVIDIA's shows).  Ours keeps them as private
# `_name` attributes: the layout stays whole and every root class has a
# getter (csrc/cb_struct_layout.h cb_struct_def_of).  Full-match regexes on the member name.
HIDDEN_FIELDS = r"reserved\d*|unused"
HIDDEN_STRUCT_FIELDS = r"pad(ding)?\d*"

# Types of the headers NVIDIA's runtime module has no class for (observed):
# vector_types.h's vectors other than dim3.  Full-match regex.
NOT_CLASSES = r"(u?(char|short|int|long|longlong)|float|double)[1-4](_16a|_32a)?"

# Libraries whose single enum fields NVIDIA's converts through a C int
# (observed: 2**31 for one is an OverflowError there; for an array's item,
# and in the driver's, as the C compiler types an enum without negative
# members: unsigned int).
SIGNED_ENUM_LIBS = {"runtime"}

# Struct members NVIDIA's classes show but do not let be set (observed):
# (class, member).  CUuuid's bytes; the graphs the driver writes back for a
# conditional node; the batch node's destination and source lists, which
# share one count.
READ_ONLY_FIELDS = {("CUuuid_st", "bytes"), ("CUDA_CONDITIONAL_NODE_PARAMS", "phGraph_out"),
                    ("cudaConditionalNodeParams", "phGraph_out"),
                    ("CUDA_MEMCPY_BATCH_NODE_PARAMS_V1_st", "dsts"), ("CUDA_MEMCPY_BATCH_NODE_PARAMS_V1_st", "srcs"),
                    ("CUmemDecompressParams_st", "dstActBytes")}

# List members that share one count and are set together, by a method
# set_<a>_<b>(a, b) that sets the count to their length (NVIDIA's: each
# alone is read-only, READ_ONLY_FIELDS): class -> (a, b).
PAIRED_LISTS = {"CUDA_MEMCPY_BATCH_NODE_PARAMS_V1_st": ("dsts", "srcs")}

# Byte members NVIDIA's repr shows in hex (observed): (class, member).
HEX_FIELDS = {("CUuuid_st", "bytes"), ("cudaDeviceProp", "luid")}

# Pointer members NVIDIA's shows as what they point to (observed: where the
# driver writes a result; NULL reads as 0): (class, member).
POINTEE_FIELDS = {("CUmemDecompressParams_st", "dstActBytes")}

# `void **` struct members NVIDIA's take as kernel arguments are taken
# (observed; as every member named kernelParams): (class, member).
KERNEL_PARAMS_FIELDS = {("cudaMemcpyBatchNodeParams", "dsts"), ("cudaMemcpyBatchNodeParams", "srcs")}

# Handle arguments NVIDIA's takes as an object of their class or None only
# (observed: an int is a TypeError): function -> {parameter}.
HANDLE_OBJECTS_ONLY = {"cuLogsDumpToFile": {"iterator"}, "cuLogsDumpToMemory": {"iterator"}}

# Handle and struct arrays NVIDIA's takes as one object (its docs type them
# so), an int address or None; ours takes a list too: function -> parameter.
ONE_OR_ARRAY = {"cuGraphicsMapResources": "resources", "cuGraphicsUnmapResources": "resources",
                "cuMemBatchDecompressAsync": "paramsArray"}

# Runtime handle classes of a driver C type that NVIDIA's makes classes of
# their own, not subclasses of the driver's (it subclasses only the older
# ones: cudaStream_t of CUstream, cudaEvent_t of CUevent, ...): observed.
STANDALONE_HANDLES = {"cudaDevResourceDesc_t", "cudaGraphDeviceNode_t", "cudaKernel_t", "cudaLibrary_t",
                      "cudaLogsCallbackHandle"}

# Handle classes that speak CUDA's stream protocol (__cuda_stream__); the
# runtime's cudaStream_t inherits it from CUstream.
STREAM_PROTOCOL = {"CUstream"}

# What a struct made by its class (S(), not a view of an address) holds
# before the user sets it, where that is not all zeros: NVIDIA's dim3 starts
# at 1, 1, 1, and so do the two dim3 members of cudaKernelNodeParams (not
# of its V2, nor of any other struct).  class -> {C member path: value}
FRESH_VALUES = {
    "dim3": {"x": 1, "y": 1, "z": 1},
    "cudaKernelNodeParams": {"%s.%s" % (m, c): 1 for m in ("gridDim", "blockDim") for c in "xyz"},
}

# Handle parameters that also take another class of handle: cuda.h notes on
# the launch and occupancy calls that a context-less CUkernel "can also be
# used ... by casting to CUfunction" (NVIDIA's bindings take one too).
HANDLE_ALSO = {"CUfunction": "CUkernel"}

# Function-pointer typedefs that may be given as a Python callable, with the
# trampoline (csrc/cb_callback.c) that calls it.  The callable receives the
# user data parameter named beside it; each of these runs once.
CALLBACKS = {"CUhostFn": "HOST_FN", "CUstreamCallback": "STREAM",
             "cudaHostFn_t": "HOST_FN", "cudaStreamCallback_t": "STREAM"}
# The names that user data parameter goes by.
CALLBACK_DATA = ("userData", "ptr")

# char outputs of a fixed size no parameter states (cuda.h: "8 bytes").
FIXED_LENGTHS = {
    "cuDeviceGetLuid": {"luid": 8},
    # the four floats of a texture reference's border colour (cuda.h: "RGBA")
    "cuTexRefGetBorderColor": {"pBorderColor": 4},
}

# The C types of a pointer's attributes (cuda.h's doc of cuPointerGetAttribute),
# of the shareable handle types, of a managed range's attributes and of the
# coredump settings: the key tables of TYPED_VALUES below.
_POINTER_ATTRIBUTE_TYPES = {
    "CU_POINTER_ATTRIBUTE_CONTEXT": "CUcontext",
    "CU_POINTER_ATTRIBUTE_MEMORY_TYPE": "unsigned int",
    "CU_POINTER_ATTRIBUTE_DEVICE_POINTER": "CUdeviceptr",
    "CU_POINTER_ATTRIBUTE_HOST_POINTER": "void *",
    "CU_POINTER_ATTRIBUTE_P2P_TOKENS": "CUDA_POINTER_ATTRIBUTE_P2P_TOKENS",
    "CU_POINTER_ATTRIBUTE_SYNC_MEMOPS": "bool",
    "CU_POINTER_ATTRIBUTE_IS_MANAGED": "bool",
    "CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL": "int",
    "CU_POINTER_ATTRIBUTE_IS_LEGACY_CUDA_IPC_CAPABLE": "bool",
    "CU_POINTER_ATTRIBUTE_RANGE_START_ADDR": "CUdeviceptr",
    "CU_POINTER_ATTRIBUTE_RANGE_SIZE": "size_t",
    "CU_POINTER_ATTRIBUTE_MAPPED": "bool",
    "CU_POINTER_ATTRIBUTE_IS_GPU_DIRECT_RDMA_CAPABLE": "int",
    "CU_POINTER_ATTRIBUTE_ACCESS_FLAGS": "int",
    "CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE": "CUmemoryPool",
    "CU_POINTER_ATTRIBUTE_MAPPING_SIZE": "size_t",
    "CU_POINTER_ATTRIBUTE_MAPPING_BASE_ADDR": "CUdeviceptr",
    "CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE": "bool",
}
_SHAREABLE_HANDLE_TYPES = {
    "CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR": "int",
    "CU_MEM_HANDLE_TYPE_WIN32": "void *",
    "CU_MEM_HANDLE_TYPE_WIN32_KMT": "unsigned int",
    "CU_MEM_HANDLE_TYPE_FABRIC": "CUmemFabricHandle",
}
_RT_SHAREABLE_HANDLE_TYPES = {
    "cudaMemHandleTypePosixFileDescriptor": "int",
    "cudaMemHandleTypeWin32": "void *",
    "cudaMemHandleTypeWin32Kmt": "unsigned int",
    "cudaMemHandleTypeFabric": "cudaMemFabricHandle_t",
}
# The attributes of a managed memory range: an int each, a list of ints
# (one per device, as long as dataSize says) for the devices that access it.
_MEM_RANGE_TYPES = {"CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY": "int[]"}
_RT_MEM_RANGE_TYPES = {"cudaMemRangeAttributeAccessedBy": "int[]"}
# Coredump settings (cuda.h's doc of cuCoredumpGetAttribute): Bool, a string
# of up to 1023 characters, or the generation flags; any other key is refused
# before the call, as NVIDIA's refuses it.
_COREDUMP_TYPES = {
    "CU_COREDUMP_ENABLE_ON_EXCEPTION": "bool", "CU_COREDUMP_TRIGGER_HOST": "bool",
    "CU_COREDUMP_LIGHTWEIGHT": "bool", "CU_COREDUMP_ENABLE_USER_TRIGGER": "bool",
    "CU_COREDUMP_FILE": "char[]", "CU_COREDUMP_PIPE": "char[]", "CU_COREDUMP_GENERATION_FLAGS": "int",
}

# Setting them (observed of NVIDIA's): a bool is any object's truthiness
# (one byte), a path bytes or a bytearray (passed with its NUL), the flags
# int() of what has __int__; the size is what was written.
_COREDUMP_SET_TYPES = dict(_COREDUMP_TYPES, CU_COREDUMP_ENABLE_ON_EXCEPTION="_Bool", CU_COREDUMP_TRIGGER_HOST="_Bool",
                           CU_COREDUMP_LIGHTWEIGHT="_Bool", CU_COREDUMP_ENABLE_USER_TRIGGER="_Bool",
                           CU_COREDUMP_GENERATION_FLAGS="int()")

# A typed value the runtime's docs type as cuda.h's cuuint64_t, which its
# headers lack: NVIDIA's runtime gives and takes the driver's class for it.
DRIVER_U64 = "driver cuuint64_t"

# `void *` values whose C type another argument selects (an attribute or a
# handle type), with the type of each key; keys not listed are read as
# `default`.  None for the table means the function's doc gives each
# key's type as "(value type = T)".  function -> (value parameter, key
# parameter, {key: C type} or None, default C type).
TYPED_VALUES = {
    "cuPointerGetAttribute": ("data", "attribute", _POINTER_ATTRIBUTE_TYPES, "unsigned long long"),
    # an array of values, one per attribute of `attributes` (count numAttributes)
    "cuPointerGetAttributes": ("data", "attributes", _POINTER_ATTRIBUTE_TYPES, "unsigned long long"),
    "cuPointerSetAttribute": ("value", "attribute", _POINTER_ATTRIBUTE_TYPES, "unsigned long long"),
    "cuMemPoolGetAttribute": ("value", "attr", None, "cuuint64_t"),
    "cuMemPoolSetAttribute": ("value", "attr", None, "cuuint64_t"),
    "cuDeviceGetGraphMemAttribute": ("value", "attr", {}, "cuuint64_t"),
    "cuDeviceSetGraphMemAttribute": ("value", "attr", {}, "cuuint64_t"),
    "cuMemExportToShareableHandle": ("shareableHandle", "handleType", _SHAREABLE_HANDLE_TYPES, "int"),
    "cuMemPoolExportToShareableHandle": ("handle_out", "handleType", _SHAREABLE_HANDLE_TYPES, "int"),
    "cuMemGetHandleForAddressRange": ("handle", "handleType", {}, "int"),
    "cudaMemPoolGetAttribute": ("value", "attr", None, "unsigned long long"),
    "cudaMemPoolSetAttribute": ("value", "attr", None, "unsigned long long"),
    "cudaDeviceGetGraphMemAttribute": ("value", "attr", {}, "unsigned long long"),
    # NVIDIA's takes the driver's cuuint64_t here, and gives an int back
    "cudaDeviceSetGraphMemAttribute": ("value", "attr", {}, DRIVER_U64),
    "cudaMemPoolExportToShareableHandle": ("shareableHandle", "handleType", _RT_SHAREABLE_HANDLE_TYPES, "int"),
    "cuLogicalEndpointExport": ("handle", "handleType",
                                {"CU_LOGICAL_ENDPOINT_IPC_HANDLE_TYPE_FABRIC": "CUlogicalEndpointFabricHandle"}, "int"),
    "cuMemRangeGetAttribute": ("data", "attribute", _MEM_RANGE_TYPES, "int"),
    "cuMemRangeGetAttributes": ("data", "attributes", _MEM_RANGE_TYPES, "int"),
    "cudaMemRangeGetAttribute": ("data", "attribute", _RT_MEM_RANGE_TYPES, "int"),
    "cudaMemRangeGetAttributes": ("data", "attributes", _RT_MEM_RANGE_TYPES, "int"),
    "cuCoredumpGetAttribute": ("value", "attrib", _COREDUMP_TYPES, "unsupported"),
    "cuCoredumpGetAttributeGlobal": ("value", "attrib", _COREDUMP_TYPES, "unsupported"),
    "cuCoredumpSetAttribute": ("value", "attrib", _COREDUMP_SET_TYPES, "unsupported"),
    "cuCoredumpSetAttributeGlobal": ("value", "attrib", _COREDUMP_SET_TYPES, "unsupported"),
}

# The order in which NVIDIA's checks the key of a typed value (observed;
# csrc/cb_enum.c cb_arg_enum_key): its .value first (the default), int()
# of it first (INT_FIRST), or int() of it only (INT).  function -> order.
TYPED_KEY_ORDER = {
    **{f: "INT_FIRST" for f in ("cuMemPoolGetAttribute", "cuMemPoolSetAttribute", "cuDeviceGetGraphMemAttribute",
                                "cuDeviceSetGraphMemAttribute", "cuCoredumpGetAttribute", "cuCoredumpGetAttributeGlobal",
                                "cuCoredumpSetAttribute", "cuCoredumpSetAttributeGlobal", "cudaMemPoolGetAttribute",
                                "cudaMemPoolSetAttribute", "cudaDeviceGetGraphMemAttribute",
                                "cudaDeviceSetGraphMemAttribute")},
    "cuMemGetHandleForAddressRange": "INT", "cuLogicalEndpointExport": "INT",
}

# The size in bytes of a typed value (TYPED_VALUES) whose room the caller
# sizes: the caller's dataSize (dataSizes: one per value of an array), or a
# `size_t *` that the call fills with the size it needs when asked with a NULL
# value (then asked again with room of that size).  function -> {value: size}.
TYPED_SIZES = {
    "cuMemRangeGetAttribute": {"data": "dataSize"},
    "cuMemRangeGetAttributes": {"data": "dataSizes"},
    "cudaMemRangeGetAttribute": {"data": "dataSize"},
    "cudaMemRangeGetAttributes": {"data": "dataSizes"},
    "cuCoredumpGetAttribute": {"value": "size"},
    "cuCoredumpGetAttributeGlobal": {"value": "size"},
}

# Pointers the call both reads and writes (a log iterator it advances, a
# buffer size it replaces by the size used): Python passes the value and
# gets the new one back.  function -> {parameter}.
INOUT = {
    "cuThreadExchangeStreamCaptureMode": {"mode"},
    "cuLogsDumpToFile": {"iterator"},
    "cuLogsDumpToMemory": {"iterator", "size"},
}

# The size of a typed value set (TYPED_VALUES), which the call reads and
# writes: the size of what was written goes in. NVIDIA's returns only the
# status (probed on the GPU), so the size is not an output. function -> {size: value}.
SIZE_OF = {
    "cuCoredumpSetAttribute": {"size": "value"},
    "cuCoredumpSetAttributeGlobal": {"size": "value"},
}

# Capsule slots whose prototype needs a type that older headers of a library
# without a version macro lack: typed in cuda_bindings/<lib>.h only where the
# includer's header defines a macro that came in the same release, so that a
# consumer built against an older toolkit still compiles.  function -> macro.
CAPI_TYPED_IF_DEFINED = {
    # nvrtcBundledHeadersInfo and the install flags arrived together in CUDA 13.3's nvrtc.h.
    "nvrtcGetBundledHeadersInfo": "NVRTC_INSTALL_HEADERS_SKIP_IF_EXISTS",
}

# Struct pointers the call writes an array through, one struct per region of
# a range: parameter -> (size, granularity); the call writes
# ceil(size / granularity) of them.  Python passes one struct object (room
# for one, as NVIDIA's takes it) or a list of them; less room is refused
# (NVIDIA's writes past one struct).  function -> {parameter: (size, granularity)}.
REGION_ARRAYS = {
    "cuMemGetLocationInfo": {"location_out": ("size", "summaryGranularity")},
}
