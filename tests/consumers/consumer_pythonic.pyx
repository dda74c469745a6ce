# A Cython user of the pythonic modules: `cimport nvjitlink` (nvvm,
# nvfatbin, nvml) and their cpdef functions called through __pyx_capi__,
# errors arriving through the declared except values; the C names of
# cynvjitlink through nvjitlink (its .pxd cimports them all).
from libc.stdint cimport intptr_t
from cuda.bindings cimport cudla, cufile, nvfatbin, nvjitlink, nvml, nvvm

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


# nvml: each return type and except clause of its .pxd once (`except? 0`,
# `except? -1`, `except *`, `except 0`), each C parameter type once.

def nvml_init():
    return nvml.init_v2()


def nvml_shutdown():
    return nvml.shutdown()


def nvml_device_count():
    cdef unsigned int count = nvml.device_get_count_v2()
    return count


def nvml_handle_by_index(unsigned int index):
    cdef intptr_t device = nvml.device_get_handle_by_index_v2(index)
    return device


def nvml_handle_by_uuid(uuid):
    cdef intptr_t device = nvml.device_get_handle_by_uuid(uuid)
    return device


def nvml_name(intptr_t device):
    cdef str name = nvml.device_get_name(device)
    return name


def nvml_brand(intptr_t device):
    cdef int brand = nvml.device_get_brand(device)
    return brand


def nvml_clock(intptr_t device):
    """Enum parameters as the .pxd's int, named by cynvml's constants."""
    cdef unsigned int mhz = nvml.device_get_clock(device, nvml.NVML_CLOCK_SM, nvml.NVML_CLOCK_ID_CURRENT)
    return mhz


def nvml_energy(intptr_t device):
    cdef unsigned long long millijoules = nvml.device_get_total_energy_consumption(device)
    return millijoules


def nvml_register_events(intptr_t device, unsigned long long event_types, intptr_t event_set):
    return nvml.device_register_events(device, event_types, event_set)


def nvml_power_source(intptr_t device):
    cdef unsigned int source = nvml.device_get_power_source(device)
    return source


def nvml_cuda_driver_version():
    cdef int version = nvml.system_get_cuda_driver_version()
    return version


def nvml_cuda_driver_version_v2():
    cdef int version = nvml.system_get_cuda_driver_version_v2()
    return version


def nvml_on_same_board(intptr_t device1, intptr_t device2):
    cdef int same = nvml.device_on_same_board(device1, device2)
    return same


def nvml_driver_version():
    return nvml.system_get_driver_version()


def nvml_types():
    """The .pxd's ctypedefs: a handle, an enum and a struct of cynvml."""
    cdef nvml.Device device = NULL
    cdef nvml._ClockType clock = nvml.NVML_CLOCK_MEM
    cdef nvml.UUIDValue value
    return sizeof(device), <int>clock, sizeof(value)


# -- cufile and cudla: each return type and except clause of their .pxd

def cufile_version():
    cdef int version = cufile.get_version()   # except? 0
    return version


def cufile_parameters():
    cdef size_t size = cufile.get_parameter_size_t(cufile.CUFILE_PARAM_PROFILE_STATS)
    cdef bint on = cufile.get_parameter_bool(cufile.CUFILE_PARAM_PROPERTIES_USE_POLL_MODE)
    return size, on


def cufile_handle_deregister(intptr_t fh):
    cufile.handle_deregister(fh)              # void, except *
    return True


def cudla_version():
    cdef unsigned long long version = cudla.get_version()   # except? -1
    return version


def cudla_create_device(unsigned long long device, unsigned int flags):
    cdef intptr_t handle = cudla.create_device(device, flags)   # written by hand; except *
    return handle


def cudla_module_attributes(intptr_t module, int attribute):
    return cudla.module_get_attributes(module, attribute)


def cudla_last_error(intptr_t device):
    cdef int status = cudla.get_last_error(device)   # except? 0
    return status
