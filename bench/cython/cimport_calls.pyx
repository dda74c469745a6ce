# The rows of bench/calls.py made from Cython through `cimport`: each
# function makes n calls without the GIL and returns the elapsed ns.  The
# statuses are ORed and checked once, as bench/floor.c does, so that the
# loop is the call and nothing else.  Handles come in as integers.
from libc.stdint cimport uintptr_t

from cuda.bindings cimport cydriver, cynvrtc, cyruntime


cdef extern from "<time.h>" nogil:
    ctypedef long time_t
    cdef struct timespec:
        time_t tv_sec
        long tv_nsec
    int clock_gettime(int clock, timespec *t)
    int CLOCK_MONOTONIC


cdef inline double now_ns() noexcept nogil:
    cdef timespec t
    clock_gettime(CLOCK_MONOTONIC, &t)
    return <double>t.tv_sec * 1e9 + <double>t.tv_nsec


cdef inline double checked(int bad, double elapsed) except -1:
    if bad:
        raise RuntimeError("a call in the loop failed (status bits %d)" % bad)
    return elapsed


def cuCtxGetCurrent(long n):
    cdef cydriver.CUcontext ctx
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuCtxGetCurrent(&ctx)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuDeviceGetAttribute(long n, int dev):
    cdef int v
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuDeviceGetAttribute(&v, cydriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuDeviceGet(long n):
    cdef cydriver.CUdevice d
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuDeviceGet(&d, 0)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuStreamQuery(long n, uintptr_t stream):
    cdef cydriver.CUstream s = <cydriver.CUstream>stream
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuStreamQuery(s)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuEventRecord(long n, uintptr_t event, uintptr_t stream):
    cdef cydriver.CUevent e = <cydriver.CUevent>event
    cdef cydriver.CUstream s = <cydriver.CUstream>stream
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuEventRecord(e, s)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuPointerGetAttribute(long n, uintptr_t dptr):
    cdef unsigned int memtype
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuPointerGetAttribute(&memtype, cydriver.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, dptr)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuMemcpyHtoDAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream):
    cdef cydriver.CUstream s = <cydriver.CUstream>stream
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuMemcpyHtoDAsync(dptr, <void *>hptr, 256, s)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuLaunchKernel(long n, uintptr_t function, uintptr_t stream, uintptr_t argv):
    cdef cydriver.CUfunction f = <cydriver.CUfunction>function
    cdef cydriver.CUstream s = <cydriver.CUstream>stream
    cdef void **params = <void **>argv
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, s, params, NULL)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cuGetErrorString(long n):
    cdef const char *text
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cydriver.cuGetErrorString(cydriver.CUDA_ERROR_INVALID_VALUE, &text)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cudaGetDevice(long n):
    cdef int d
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cyruntime.cudaGetDevice(&d)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cudaStreamQuery(long n, uintptr_t stream):
    cdef cyruntime.cudaStream_t s = <cyruntime.cudaStream_t>stream
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cyruntime.cudaStreamQuery(s)
        t0 = now_ns() - t0
    return checked(bad, t0)


def cudaMemcpyAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream):
    cdef cyruntime.cudaStream_t s = <cyruntime.cudaStream_t>stream
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cyruntime.cudaMemcpyAsync(<void *>dptr, <void *>hptr, 256, cyruntime.cudaMemcpyHostToDevice, s)
        t0 = now_ns() - t0
    return checked(bad, t0)


def nvrtcVersion(long n):
    cdef int major, minor
    cdef int bad = 0
    cdef double t0
    with nogil:
        t0 = now_ns()
        for _ in range(n):
            bad |= cynvrtc.nvrtcVersion(&major, &minor)
        t0 = now_ns() - t0
    return checked(bad, t0)
