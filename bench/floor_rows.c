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

static double
elapsed(double t0, int bad)
{
    return bad ? -1.0 : now_ns() - t0;
}

double floor_cuCtxGetCurrent(long n)
{
    CUcontext ctx;
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuCtxGetCurrent(&ctx);
    return elapsed(t0, bad);
}

double floor_cuDeviceGetAttribute(long n, int dev)
{
    int v, bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
    return elapsed(t0, bad);
}

double floor_cuDeviceGet(long n)
{
    CUdevice d;
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuDeviceGet(&d, 0);
    return elapsed(t0, bad);
}

double floor_cuStreamQuery(long n, uintptr_t stream)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuStreamQuery((CUstream)stream);
    return elapsed(t0, bad);
}

double floor_cuEventRecord(long n, uintptr_t event, uintptr_t stream)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuEventRecord((CUevent)event, (CUstream)stream);
    return elapsed(t0, bad);
}

double floor_cuPointerGetAttribute(long n, uintptr_t dptr)
{
    unsigned int type;
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, (CUdeviceptr)dptr);
    return elapsed(t0, bad);
}

double floor_cuMemcpyHtoDAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuMemcpyHtoDAsync((CUdeviceptr)dptr, (void *)hptr, 256, (CUstream)stream);
    return elapsed(t0, bad);
}

double floor_cuLaunchKernel(long n, uintptr_t function, uintptr_t stream, uintptr_t argv)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuLaunchKernel((CUfunction)function, 1, 1, 1, 1, 1, 1, 0, (CUstream)stream,
                              (void **)argv, NULL);
    return elapsed(t0, bad);
}

double floor_cuGetErrorString(long n)
{
    const char *s;
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cuGetErrorString(CUDA_ERROR_INVALID_VALUE, &s);
    return elapsed(t0, bad);
}

double floor_cudaGetDevice(long n)
{
    int d, bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cudaGetDevice(&d);
    return elapsed(t0, bad);
}

double floor_cudaStreamQuery(long n, uintptr_t stream)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cudaStreamQuery((cudaStream_t)stream);
    return elapsed(t0, bad);
}

double floor_cudaMemcpyAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream)
{
    int bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= cudaMemcpyAsync((void *)dptr, (void *)hptr, 256, cudaMemcpyHostToDevice,
                               (cudaStream_t)stream);
    return elapsed(t0, bad);
}

double floor_nvrtcVersion(long n)
{
    int major, minor, bad = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        bad |= nvrtcVersion(&major, &minor);
    return elapsed(t0, bad);
}
