# A Cython user of the CUDA runtime through cuda.bindings, written as against
# NVIDIA's cyruntime.pxd and runtime.pxd: enums declared by tag, macros, the
# typedefs that are macros in C (cudaStreamAttrID), structs returned by value,
# graphics-interop types, nogil calls through __pyx_capi__, and the handle
# classes' fields.  It cimports cydriver too: both declare some of the same
# constants, and one program may well use both.
from libc.string cimport memset

from cuda.bindings cimport cydriver, cyruntime
from cuda.bindings.runtime cimport GLuint, cudaArray_t, cudaGraphicsResource_t, cudaStream_t


def runtime_version():
    cdef int version = 0
    cdef cyruntime.cudaError_t err
    with nogil:
        err = cyruntime.cudaRuntimeGetVersion(&version)
    return <int>err, version


def driver_version():
    cdef int version = -1
    cdef cyruntime.cudaError_t err
    with nogil:
        err = cyruntime.cudaDriverGetVersion(&version)
    return <int>err, version


def local_runtime_version():
    """Asks the shared libcudart found here: a RuntimeError when there is none."""
    cdef int version = 0
    cdef cyruntime.cudaError_t err
    with nogil:
        err = cyruntime.getLocalRuntimeVersion(&version)
    return <int>err, version


def error_strings(int code):
    cdef const char *name
    cdef const char *text
    with nogil:
        name = cyruntime.cudaGetErrorName(<cyruntime.cudaError_t>code)
        text = cyruntime.cudaGetErrorString(<cyruntime.cudaError_t>code)
    return name.decode(), text.decode()


def device_count():
    cdef int count = -1
    cdef cyruntime.cudaError_t err
    with nogil:
        err = cyruntime.cudaGetDeviceCount(&count)
    return <int>err, count


def roundtrip(int n):
    """cudaMalloc, cudaMemcpy both ways and cudaFree, nogil: the sum of 0..n-1."""
    cdef void *dptr = NULL
    cdef int i
    cdef long total = 0
    cdef int host[256]
    cdef cyruntime.cudaError_t err
    assert 0 < n <= 256
    for i in range(n):
        host[i] = i
    with nogil:
        err = cyruntime.cudaMalloc(&dptr, n * sizeof(int))
    if err != cyruntime.cudaSuccess:
        return -<int>err
    with nogil:
        cyruntime.cudaMemcpy(dptr, host, n * sizeof(int), cyruntime.cudaMemcpyHostToDevice)
        memset(host, 0, sizeof(host))
        cyruntime.cudaMemcpy(host, dptr, n * sizeof(int), cyruntime.cudaMemcpyDeviceToHost)
        cyruntime.cudaFree(dptr)
    for i in range(n):
        total += host[i]
    return total


def constants():
    """Enum members (extern and Cython-level) and macros, as ints."""
    return {
        "cudaSuccess": <int>cyruntime.cudaSuccess,
        "cudaErrorInvalidValue": <int>cyruntime.cudaErrorInvalidValue,
        "cudaErrorCallRequiresNewerDriver": <int>cyruntime.cudaErrorCallRequiresNewerDriver,
        "cudaLimitMallocHeapSize": <int>cyruntime.cudaLimitMallocHeapSize,
        "cudaMemcpyDeviceToHost": <int>cyruntime.cudaMemcpyDeviceToHost,
        "CUDA_R_32F": <int>cyruntime.CUDA_R_32F,
        "cudaLaunchAttributePriority": <int>cyruntime.cudaLaunchAttributePriority,
        "cudaGLDeviceListAll": <int>cyruntime.cudaGLDeviceListAll,
        "cudaEglColorFormatRGBA": <int>cyruntime.cudaEglColorFormatRGBA,
        "cudaStreamNonBlocking": <int>cyruntime.cudaStreamNonBlocking,
        "cudaStreamPerThread": <int>cyruntime.cudaStreamPerThread,
        "cudaCpuDeviceId": <int>cyruntime.cudaCpuDeviceId,
        "CUDA_IPC_HANDLE_SIZE": <int>cyruntime.CUDA_IPC_HANDLE_SIZE,
        "CU_IPC_HANDLE_SIZE": <int>cydriver.CU_IPC_HANDLE_SIZE,
        "CUDART_VERSION": <int>cyruntime.CUDART_VERSION,
    }


def tagged_types():
    """Enums C names only by tag (`enum cudaLimit`), with and without a typedef."""
    cdef cyruntime.cudaLimit limit = cyruntime.cudaLimitStackSize
    cdef cyruntime.cudaMemcpyKind kind = cyruntime.cudaMemcpyHostToDevice
    cdef cyruntime.cudaDataType dt = cyruntime.CUDA_R_64F
    cdef cyruntime.cudaDataType_t dt2 = dt           # one enum under two names
    cdef cyruntime.cudaError_t err = cyruntime.cudaErrorInvalidValue
    cdef cyruntime.cudaError err2 = err
    cdef cyruntime.cudaStreamAttrID attr = cyruntime.cudaLaunchAttributePriority
    cdef cyruntime.cudaLaunchAttributeID attr2 = attr
    cdef size_t value = 0
    with nogil:
        cyruntime.cudaDeviceGetLimit(&value, limit)   # no device needed to compile; result unused
    return <int>limit, <int>kind, <int>dt2, <int>err2, <int>attr2


def channel_desc():
    """A struct returned by value (its pxd declares `except *`)."""
    cdef cyruntime.cudaChannelFormatDesc d
    with nogil:
        d = cyruntime.cudaCreateChannelDesc(32, 0, 0, 0, cyruntime.cudaChannelFormatKindFloat)
    return d.x, d.y, <int>d.f, sizeof(d)


def memcpy3d():
    cdef cyruntime.cudaExtent e
    cdef cyruntime.cudaPitchedPtr p
    cdef cyruntime.cudaPos pos
    cdef cyruntime.cudaMemcpy3DParms parms
    with nogil:
        e = cyruntime.make_cudaExtent(64, 4, 2)
        p = cyruntime.make_cudaPitchedPtr(NULL, 256, 64, 4)
        pos = cyruntime.make_cudaPos(1, 2, 3)
    memset(&parms, 0, sizeof(parms))
    parms.extent = e
    parms.dstPtr = p
    parms.srcPos = pos
    parms.kind = cyruntime.cudaMemcpyHostToDevice
    return parms.extent.width, parms.extent.height * parms.extent.depth, parms.dstPtr.pitch, \
        parms.srcPos.z, <int>parms.kind


def launch_attributes():
    cdef cyruntime.cudaLaunchAttribute attrs[2]
    cdef cyruntime.cudaStreamAttrValue value       # a macro's type name in C
    cdef cyruntime.cudaKernelNodeAttrValue *same = &value
    cdef cyruntime.dim3 grid
    memset(attrs, 0, sizeof(attrs))
    attrs[0].id = cyruntime.cudaLaunchAttributeClusterDimension
    attrs[0].val.clusterDim.x = 2
    attrs[0].val.clusterDim.y = 1
    attrs[1].id = cyruntime.cudaLaunchAttributePriority
    attrs[1].val.priority = -1
    value = attrs[1].val
    grid.x, grid.y, grid.z = 8, 4, 1
    # An unnamed member struct has a type of its own (anon_struct<N>).
    cdef cyruntime.anon_struct18 dim = attrs[0].val.clusterDim
    return dim.x, same.priority, grid.x * grid.y * grid.z, sizeof(cyruntime.cudaLaunchAttributeValue)


def interop_types():
    """Types of the GL/EGL/VDPAU headers are Cython's own: usable without those headers."""
    cdef cyruntime.cudaEglFrame frame
    cdef cyruntime.GLuint buffer = 7
    cdef cyruntime.GLenum target = 0x0DE1
    cdef cyruntime.EGLint width = -1
    cdef cyruntime.VdpDevice vdp = 3
    cdef cyruntime.cudaEglStreamConnection conn = NULL
    cdef cyruntime.cudaGLDeviceList which = cyruntime.cudaGLDeviceListAll
    cdef cyruntime.cudaGraphicsResource *res = NULL   # the struct behind cudaGraphicsResource_t
    cdef cyruntime.cudaGraphicsResource_t handle = res
    memset(&frame, 0, sizeof(frame))
    frame.frame.pArray[0] = <cyruntime.cudaArray_t>NULL
    frame.planeDesc[0].width = 16
    frame.planeCount = 1
    frame.frameType = cyruntime.cudaEglFrameTypeArray
    frame.eglColorFormat = cyruntime.cudaEglColorFormatRGBA
    return buffer, target, width, vdp, conn == NULL, handle == NULL, <int>which, \
        frame.planeDesc[0].width, frame.planeCount, sizeof(frame)


def handle_typedefs():
    cdef cyruntime.cudaStream_t s = <cyruntime.cudaStream_t>0x10
    cdef cyruntime.cudaEvent_t e = NULL
    cdef cyruntime.cudaSurfaceObject_t surf = 1 << 40
    cdef cyruntime.cudaHostFn_t fn = NULL
    cdef cyruntime.cudaGraphConditionalHandle cond = 5
    return <size_t>s, e == NULL, surf, fn == NULL, cond, sizeof(cyruntime.cudaTextureObject_t)


def array_fields(cudaArray_t a):
    """The handle classes' fields, at the offsets runtime.pxd declares."""
    return <size_t>a._pvt_val, <size_t>a._pvt_ptr == <size_t>&a._pvt_val


def resource_fields(cudaGraphicsResource_t r):
    return <size_t>r._pvt_val, <size_t>r._pvt_ptr == <size_t>&r._pvt_val


def gluint_fields(GLuint g):
    return g._pvt_val, <size_t>g._pvt_ptr == <size_t>&g._pvt_val


def stream_fields(cudaStream_t s):
    """cudaStream_t is CUstream's subclass: its fields are CUstream's."""
    return <size_t>s._pvt_val, <size_t>s._pvt_ptr == <size_t>&s._pvt_val
