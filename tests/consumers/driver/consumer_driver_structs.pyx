# The struct classes of cuda.bindings.driver as a compiled consumer sees
# them: the C struct by value (_pvt_val) and where the object's data is
# (_pvt_ptr), at the offsets driver.pxd declares.
from cuda.bindings.driver cimport CUDA_MEMCPY2D, CUDA_MEMCPY2D_st, CUlaunchConfig


def memcpy2d_fields(CUDA_MEMCPY2D m):
    cdef CUDA_MEMCPY2D_st base = m      # an alias class is its struct's subclass
    return m._pvt_ptr[0].WidthInBytes, m._pvt_ptr[0].Height, <int>m._pvt_ptr[0].srcMemoryType, \
        base._pvt_ptr == m._pvt_ptr


def memcpy2d_set_width(CUDA_MEMCPY2D m, size_t width):
    m._pvt_ptr[0].WidthInBytes = width


def owns_its_value(CUDA_MEMCPY2D m):
    return <size_t>m._pvt_ptr == <size_t>&m._pvt_val


def launch_config_grid(CUlaunchConfig c):
    return c._pvt_ptr[0].gridDimX, c._pvt_ptr[0].numAttrs
