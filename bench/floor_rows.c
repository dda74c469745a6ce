/* The C floor's rows: each makes n calls and returns the elapsed ns, or a
 * negative number when any call failed.  The statuses are ORed and checked
 * once at the end, so the loop is the call and nothing else.
 *
 * The same rows serve two ways, with the signatures of the Cython rows
 * (bench/cython/cimport_calls.pyx), handles passed as integers:
 *   - linked into bench/floor.c, the standalone C program;
 *   - built as a shared library that bench/calls.py loads with ctypes
 *     (--floor), so that C is timed in the same process, on the same
 *     stream and memory, between the repeats of the Python and Cython rows.
 */
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <nvrtc.h>
#include <stdint.h>
#include <time.h>

#include "floor_rows.h"

static double
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Return the ns that n calls of `call` take, or -1 when any failed. */
#define TIME_CALLS(n, call)                       \
    do {                                          \
        int bad_ = 0;                             \
        double t0_ = now_ns();                    \
        for (long i_ = 0; i_ < (n); i_++)         \
            bad_ |= (call);                       \
        return bad_ ? -1.0 : now_ns() - t0_;      \
    } while (0)

double floor_cuCtxGetCurrent(long n)
{
    CUcontext ctx;
    TIME_CALLS(n, cuCtxGetCurrent(&ctx));
}

double floor_cuDeviceGetAttribute(long n, int dev)
{
    int v;
    TIME_CALLS(n, cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
}

double floor_cuDeviceGet(long n)
{
    CUdevice d;
    TIME_CALLS(n, cuDeviceGet(&d, 0));
}

double floor_cuStreamQuery(long n, uintptr_t stream)
{
    TIME_CALLS(n, cuStreamQuery((CUstream)stream));
}

double floor_cuEventRecord(long n, uintptr_t event, uintptr_t stream)
{
    TIME_CALLS(n, cuEventRecord((CUevent)event, (CUstream)stream));
}

double floor_cuPointerGetAttribute(long n, uintptr_t dptr)
{
    unsigned int type;
    TIME_CALLS(n, cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, (CUdeviceptr)dptr));
}

double floor_cuMemcpyHtoDAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream)
{
    TIME_CALLS(n, cuMemcpyHtoDAsync((CUdeviceptr)dptr, (void *)hptr, 256, (CUstream)stream));
}

double floor_cuLaunchKernel(long n, uintptr_t function, uintptr_t stream, uintptr_t argv)
{
    TIME_CALLS(n, cuLaunchKernel((CUfunction)function, 1, 1, 1, 1, 1, 1, 0, (CUstream)stream, (void **)argv, NULL));
}

double floor_cuGetErrorString(long n)
{
    const char *s;
    TIME_CALLS(n, cuGetErrorString(CUDA_ERROR_INVALID_VALUE, &s));
}

double floor_cudaGetDevice(long n)
{
    int d;
    TIME_CALLS(n, cudaGetDevice(&d));
}

double floor_cudaStreamQuery(long n, uintptr_t stream)
{
    TIME_CALLS(n, cudaStreamQuery((cudaStream_t)stream));
}

double floor_cudaMemcpyAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream)
{
    TIME_CALLS(n, cudaMemcpyAsync((void *)dptr, (void *)hptr, 256, cudaMemcpyHostToDevice, (cudaStream_t)stream));
}

double floor_nvrtcVersion(long n)
{
    int major, minor;
    TIME_CALLS(n, nvrtcVersion(&major, &minor));
}
