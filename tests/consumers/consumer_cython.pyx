# A Cython user of cuda.bindings: written as against NVIDIA's .pxd files.
from cuda.bindings cimport cynvfatbin, cynvjitlink, cynvrtc, cynvvm
from cuda.bindings.nvrtc cimport nvrtcProgram


def nvrtc_version():
    cdef int major = 0, minor = 0
    cdef cynvrtc.nvrtcResult err
    with nogil:
        err = cynvrtc.nvrtcVersion(&major, &minor)
    return <int>err, major, minor


def compile_ptx(bytes src, bytes option):
    """Create, compile, fetch PTX and destroy, all without the GIL."""
    cdef cynvrtc.nvrtcProgram prog = NULL
    cdef const char *csrc = src
    cdef const char *opts[1]
    cdef size_t size = 0
    cdef cynvrtc.nvrtcResult err
    opts[0] = option
    with nogil:
        err = cynvrtc.nvrtcCreateProgram(&prog, csrc, "k.cu", 0, NULL, NULL)
        if err == cynvrtc.NVRTC_SUCCESS:
            err = cynvrtc.nvrtcCompileProgram(prog, 1, opts)
        if err == cynvrtc.NVRTC_SUCCESS:
            err = cynvrtc.nvrtcGetPTXSize(prog, &size)
    if err != cynvrtc.NVRTC_SUCCESS:
        cynvrtc.nvrtcDestroyProgram(&prog)
        return <int>err, None
    ptx = bytearray(size)
    cdef char *buf = ptx
    with nogil:
        err = cynvrtc.nvrtcGetPTX(prog, buf)
        cynvrtc.nvrtcDestroyProgram(&prog)
    return <int>err, bytes(ptx[:size - 1])


def error_string(int code):
    return cynvrtc.nvrtcGetErrorString(<cynvrtc.nvrtcResult>code)


def program_fields(nvrtcProgram p):
    """Read the handle class's fields at the offsets NVIDIA's .pxd declares."""
    return <size_t>p._pvt_val, <size_t>p._pvt_ptr == <size_t>&p._pvt_val


def jitlink_version():
    cdef unsigned int major = 0, minor = 0
    cdef cynvjitlink.nvJitLinkResult err
    with nogil:
        err = cynvjitlink.nvJitLinkVersion(&major, &minor)
    return <int>err, major, minor


def nvvm_version():
    cdef int major = 0, minor = 0
    cdef cynvvm.nvvmResult err
    with nogil:
        err = cynvvm.nvvmVersion(&major, &minor)
    return <int>err, major, minor


def fatbin_of_ptx(bytes ptx, bytes arch):
    """A fat binary holding `ptx`, made without the GIL; (status, bytes or None)."""
    cdef cynvfatbin.nvFatbinHandle handle = NULL
    cdef const char *code = ptx
    cdef const char *carch = arch
    cdef size_t n = len(ptx), size = 0
    cdef cynvfatbin.nvFatbinResult err
    with nogil:
        err = cynvfatbin.nvFatbinCreate(&handle, NULL, 0)
        if err == cynvfatbin.NVFATBIN_SUCCESS:
            err = cynvfatbin.nvFatbinAddPTX(handle, code, n, carch, "k", "")
        if err == cynvfatbin.NVFATBIN_SUCCESS:
            err = cynvfatbin.nvFatbinSize(handle, &size)
    if err != cynvfatbin.NVFATBIN_SUCCESS:
        cynvfatbin.nvFatbinDestroy(&handle)
        return <int>err, None
    out = bytearray(size)
    cdef char *buf = out
    with nogil:
        err = cynvfatbin.nvFatbinGet(handle, buf)
        cynvfatbin.nvFatbinDestroy(&handle)
    return <int>err, bytes(out)
