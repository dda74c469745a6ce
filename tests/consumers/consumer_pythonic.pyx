# A Cython user of the pythonic modules: `cimport nvjitlink` (nvvm,
# nvfatbin) and their cpdef functions called through __pyx_capi__, errors
# arriving through the declared except values; the C names of cynvjitlink
# through nvjitlink (its .pxd cimports them all).
from libc.stdint cimport intptr_t
from cuda.bindings cimport nvfatbin, nvjitlink, nvvm

import cuda.bindings.nvfatbin as py_nvfatbin
import cuda.bindings.nvjitlink as py_nvjitlink
import cuda.bindings.nvvm as py_nvvm


def jitlink_version():
    return nvjitlink.version()


def jitlink_ptx_to_cubin(bytes ptx, bytes arch):
    """The cubin nvJitLink links from PTX, every step a cpdef call."""
    cdef intptr_t handle = nvjitlink.create(1, [arch])
    cdef size_t size
    try:
        nvjitlink.add_data(handle, nvjitlink.NVJITLINK_INPUT_PTX, ptx, len(ptx), "kernel.ptx")
        nvjitlink.complete(handle)
        size = nvjitlink.get_linked_cubin_size(handle)
        cubin = bytearray(size)
        nvjitlink.get_linked_cubin(handle, cubin)
        return bytes(cubin)
    finally:
        py_nvjitlink.destroy(handle)


def jitlink_create(options):
    """create() through `except -1`: its exception, or the handle destroyed and True."""
    cdef intptr_t handle = nvjitlink.create(len(options), options)
    py_nvjitlink.destroy(handle)
    return True


def jitlink_handle_size():
    cdef nvjitlink.Handle handle = NULL   # the .pxd's ctypedef of nvJitLinkHandle
    return sizeof(handle)


def nvvm_versions():
    return nvvm.version(), nvvm.ir_version()


def nvvm_ir_to_ptx(bytes ir, options):
    cdef intptr_t prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, ir, len(ir), "module")
        nvvm.compile_program(prog, len(options), options)
        ptx = bytearray(nvvm.get_compiled_result_size(prog))
        nvvm.get_compiled_result(prog, ptx)
        return bytes(ptx)
    finally:
        py_nvvm.destroy_program(prog)


def nvvm_error_string(int status):
    return nvvm.get_error_string(status)


def fatbin_of_ptx(bytes ptx, str arch):
    cdef intptr_t handle = nvfatbin.create([], 0)
    try:
        nvfatbin.add_ptx(handle, ptx, len(ptx), arch, "kernel", "")
        image = bytearray(nvfatbin.size(handle))
        nvfatbin.get(handle, image)
        return bytes(image)
    finally:
        py_nvfatbin.destroy(handle)


def fatbin_version():
    return nvfatbin.version()


def jitlink_version_nogil():
    """The C function through the cpdef module's namespace (its .pxd cimports cynvjitlink), without the GIL."""
    cdef unsigned int major = 0, minor = 0
    cdef nvjitlink.nvJitLinkResult err
    with nogil:
        err = nvjitlink.nvJitLinkVersion(&major, &minor)
    return err, major, minor
