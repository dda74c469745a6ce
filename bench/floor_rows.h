/* The C floor's rows (floor_rows.c): n calls, elapsed ns, < 0 on failure. */
#ifndef BENCH_FLOOR_ROWS_H
#define BENCH_FLOOR_ROWS_H
#include <stdint.h>

double floor_cuCtxGetCurrent(long n);
double floor_cuDeviceGetAttribute(long n, int dev);
double floor_cuDeviceGet(long n);
double floor_cuStreamQuery(long n, uintptr_t stream);
double floor_cuEventRecord(long n, uintptr_t event, uintptr_t stream);
double floor_cuPointerGetAttribute(long n, uintptr_t dptr);
double floor_cuMemcpyHtoDAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream);
double floor_cuLaunchKernel(long n, uintptr_t function, uintptr_t stream, uintptr_t argv);
double floor_cuGetErrorString(long n);
double floor_cudaGetDevice(long n);
double floor_cudaStreamQuery(long n, uintptr_t stream);
double floor_cudaMemcpyAsync(long n, uintptr_t dptr, uintptr_t hptr, uintptr_t stream);
double floor_nvrtcVersion(long n);

#endif
