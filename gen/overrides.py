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
