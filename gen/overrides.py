"""Facts the headers do not state in a form the generator can read.

Each entry says why.  Everything else is derived from the headers by the
rules in model.py; a fix belongs here only when no rule can see it.
"""

# Output arrays whose length another call reports: function -> {param: length query}.
# nvrtc.h documents that nvrtcGetNumSupportedArchs sizes nvrtcGetSupportedArchs.
OUT_ARRAYS = {
    "nvrtcGetSupportedArchs": {"supportedArchs": "nvrtcGetNumSupportedArchs"},
}

# `const char *` inputs that may be NULL although their doc comment does not
# say "can be NULL" (nvJitLink.h says so only in a `//` comment).
NULLABLE_STRINGS = {
    "nvJitLinkAddData": {"name"},
}

# Calls that return at once: the Python layer keeps the GIL around them
# (releasing it costs more than the call).  Everything else releases it.
KEEP_GIL = {
    "nvrtcGetErrorString", "nvrtcVersion", "nvrtcGetNumSupportedArchs",
    "nvrtcGetSupportedArchs", "nvrtcGetPCHHeapSize", "nvrtcSetPCHHeapSize",
    "nvJitLinkVersion",
}

# Struct fields that point to an array whose length another field of the
# same struct holds: class -> {pointer field: count field}.  Python sees the
# pointer as a list (cb_struct.c: CB_VIA_COUNTED); setting it stores a copy
# of the list's items in memory the struct object owns, and sets the count.
STRUCT_ARRAY_COUNTS = {
    "cuDeviceGetHostAtomicCapabilities": {"capabilities": "count"},
    "cuDeviceGetP2PAtomicCapabilities": {"capabilities": "count"},
    "cuSignalExternalSemaphoresAsync": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
    "cuWaitExternalSemaphoresAsync": {"extSemArray": "numExtSems", "paramsArray": "numExtSems"},
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
    # The graphs the driver writes back for a conditional node: `size` of them.
    "CUDA_CONDITIONAL_NODE_PARAMS": {"phGraph_out": "size"},
}
