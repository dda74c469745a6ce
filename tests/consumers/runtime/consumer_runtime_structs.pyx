# The struct classes of cuda.bindings.runtime as a compiled consumer sees
# them: the C struct by value (_pvt_val) and where the object's data is
# (_pvt_ptr), at the offsets runtime.pxd declares; and the alias classes
# (cudaStreamAttrValue) as subclasses of the struct they name.
from cuda.bindings.driver cimport CUstream
from cuda.bindings.runtime cimport (cudaChannelFormatDesc, cudaDeviceProp, cudaLaunchAttributeValue,
                                    cudaStreamAttrValue, cudaStream_t, dim3)


def channel_desc_fields(cudaChannelFormatDesc d):
    return d._pvt_ptr[0].x, d._pvt_ptr[0].y, <int>d._pvt_ptr[0].f


def owns_its_value(cudaChannelFormatDesc d):
    return <size_t>d._pvt_ptr == <size_t>&d._pvt_val


def dim3_set(dim3 d, unsigned int x):
    d._pvt_ptr[0].x = x
    return d._pvt_ptr[0].x * d._pvt_ptr[0].y


def device_prop_name(cudaDeviceProp p):
    return (<bytes>p._pvt_ptr[0].name).decode(), p._pvt_ptr[0].warpSize


def attr_value_priority(cudaStreamAttrValue v):
    cdef cudaLaunchAttributeValue base = v   # an alias class is its struct's subclass
    return v._pvt_ptr[0].priority, base._pvt_ptr == v._pvt_ptr


def stream_as_driver_stream(cudaStream_t s):
    cdef CUstream c = s
    return <size_t>c._pvt_val
