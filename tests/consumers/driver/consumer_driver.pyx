# A Cython user of the CUDA driver through cuda.bindings, written as against
# NVIDIA's cydriver.pxd and driver.pxd: enums, macros, structs (with their
# unnamed member structs), handle typedefs, graphics-interop types, nogil
# calls through __pyx_capi__, and the handle classes' fields.
from libc.string cimport memset

from cuda.bindings cimport cydriver
from cuda.bindings.driver cimport CUdevice, CUdeviceptr, CUhostFn, CUstream


def driver_version():
    cdef int version = 0
    cdef cydriver.CUresult err
    with nogil:
        err = cydriver.cuDriverGetVersion(&version)
    return <int>err, version


def init(unsigned int flags):
    cdef cydriver.CUresult err
    with nogil:
        err = cydriver.cuInit(flags)
    return <int>err


def constants():
    """Enum members (extern and Cython-level) and macros, as ints."""
    return {
        "CUDA_SUCCESS": <int>cydriver.CUDA_SUCCESS,
        "CUDA_ERROR_NOT_FOUND": <int>cydriver.CUDA_ERROR_NOT_FOUND,
        "CU_DEVICE_ATTRIBUTE_WARP_SIZE": <int>cydriver.CU_DEVICE_ATTRIBUTE_WARP_SIZE,
        "CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE":
            <int>cydriver.CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE,
        "CU_EGL_FRAME_TYPE_PITCH": <int>cydriver.CU_EGL_FRAME_TYPE_PITCH,
        "CU_GL_DEVICE_LIST_ALL": <int>cydriver.CU_GL_DEVICE_LIST_ALL,
        "CU_STREAM_LEGACY": <int>cydriver.CU_STREAM_LEGACY,
        "CU_IPC_HANDLE_SIZE": <int>cydriver.CU_IPC_HANDLE_SIZE,
        "CUDA_VERSION": <int>cydriver.CUDA_VERSION,
    }


def memcpy2d():
    cdef cydriver.CUDA_MEMCPY2D m
    memset(&m, 0, sizeof(m))
    m.srcMemoryType = cydriver.CU_MEMORYTYPE_HOST
    m.dstMemoryType = cydriver.CU_MEMORYTYPE_DEVICE
    m.srcHost = <const void *>&m
    m.dstDevice = <cydriver.CUdeviceptr>0x1000
    m.WidthInBytes = 64
    m.Height = 2
    cdef cydriver.CUDA_MEMCPY2D_v2 *v2 = &m      # the typedef chain is one type
    cdef cydriver.CUDA_MEMCPY2D_st *st = v2
    return <int>st.srcMemoryType, <int>m.dstMemoryType, m.dstDevice, st.WidthInBytes, v2.Height, \
        <size_t>m.srcHost == <size_t>&m, sizeof(cydriver.CUDA_MEMCPY2D)


def launch_config():
    cdef cydriver.CUlaunchAttribute attrs[2]
    cdef cydriver.CUlaunchConfig cfg
    memset(attrs, 0, sizeof(attrs))
    memset(&cfg, 0, sizeof(cfg))
    attrs[0].id = cydriver.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
    attrs[0].value.clusterDim.x = 2
    attrs[0].value.clusterDim.y = 1
    attrs[0].value.clusterDim.z = 1
    attrs[1].id = cydriver.CU_LAUNCH_ATTRIBUTE_PRIORITY
    attrs[1].value.priority = -1
    cfg.gridDimX = 4
    cfg.blockDimX = 128
    cfg.hStream = <cydriver.CUstream>NULL
    cfg.attrs = attrs
    cfg.numAttrs = 2
    # An unnamed member struct has a type of its own (anon_struct<N>).
    cdef cydriver.anon_struct1 dim = cfg.attrs[0].value.clusterDim
    return cfg.gridDimX * cfg.blockDimX, cfg.numAttrs, dim.x, cfg.attrs[1].value.priority, \
        sizeof(cydriver.CUlaunchAttributeValue)


def kernel_node_params():
    cdef cydriver.CUDA_KERNEL_NODE_PARAMS p
    memset(&p, 0, sizeof(p))
    p.func = <cydriver.CUfunction>NULL
    p.gridDimX, p.gridDimY, p.gridDimZ = 8, 4, 2
    p.blockDimX = 256
    p.sharedMemBytes = 1024
    p.kernelParams = NULL
    p.extra = NULL
    p.kern = <cydriver.CUkernel>NULL
    p.ctx = <cydriver.CUcontext>NULL
    return p.gridDimX * p.gridDimY * p.gridDimZ, p.blockDimX, p.sharedMemBytes


def unnamed_members():
    """C11 anonymous unions read as the parent's own fields; named unnamed
    structs nest."""
    cdef cydriver.CUstreamBatchMemOpParams op
    cdef cydriver.CUDA_RESOURCE_DESC res
    memset(&op, 0, sizeof(op))
    memset(&res, 0, sizeof(res))
    op.operation = cydriver.CU_STREAM_MEM_OP_WAIT_VALUE_64
    op.waitValue.value64 = 0x123456789
    res.resType = cydriver.CU_RESOURCE_TYPE_LINEAR
    res.res.linear.devPtr = 0xABC
    res.res.linear.sizeInBytes = 4096
    return op.waitValue.value64, res.res.linear.devPtr, res.res.linear.sizeInBytes


def interop_types():
    """Types of the GL/EGL/VDPAU headers are Cython's own: usable without those headers."""
    cdef cydriver.CUeglFrame frame
    cdef cydriver.GLuint buffer = 7
    cdef cydriver.EGLint width = -1
    cdef cydriver.VdpDevice vdp = 3
    cdef cydriver.CUeglStreamConnection conn = NULL
    memset(&frame, 0, sizeof(frame))
    frame.frame.pArray[0] = <cydriver.CUarray>NULL
    frame.planeCount = 1
    frame.frameType = cydriver.CU_EGL_FRAME_TYPE_ARRAY
    frame.eglColorFormat = cydriver.CU_EGL_COLOR_FORMAT_RGBA
    return buffer, width, vdp, conn == NULL, frame.planeCount, sizeof(frame)


def handle_typedefs():
    cdef cydriver.CUdevice dev = 3
    cdef cydriver.CUdeviceptr dptr = 0xFFFFFFFF00
    cdef cydriver.cuuint64_t big = 1 << 40
    cdef cydriver.CUstream s = <cydriver.CUstream>0x10
    cdef cydriver.CUhostFn fn = NULL
    return dev, dptr, big, <size_t>s, fn == NULL, sizeof(cydriver.CUdeviceptr), sizeof(cydriver.CUdevice)


def stream_fields(CUstream s):
    """The handle classes' fields, at the offsets driver.pxd declares."""
    return <size_t>s._pvt_val, <size_t>s._pvt_ptr == <size_t>&s._pvt_val


def device_fields(CUdevice d):
    return d._pvt_val, <size_t>d._pvt_ptr == <size_t>&d._pvt_val


def deviceptr_fields(CUdeviceptr p):
    return p._pvt_val, <size_t>p._pvt_ptr == <size_t>&p._pvt_val


def hostfn_fields(CUhostFn f):
    return <size_t>f._pvt_val
