/* The C floor as a program of its own: the calls of bench/calls.py made
 * straight from C (the rows of floor_rows.c), with the same calls per
 * repeat and repeats, minimum over repeats, in ns per call.
 *
 *   cc -O2 floor.c floor_rows.c -I$CUDA_HOME/include -L$CUDA_HOME/lib64 -L$CUDA_HOME/lib64/stubs \
 *      -lcudart_static -lnvrtc -lcuda -ldl -lpthread -lrt -o floor
 *   ./floor [SCALE [REPEATS]]        (prints one JSON object)
 *
 * bench/run.py takes C from the same rows timed inside each benchmark
 * process instead (calls.py --floor); this program is the cross-check. */
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <nvrtc.h>
#include <stdio.h>
#include <stdlib.h>

#include "floor_rows.h"

static const char kernels[] =
    "extern \"C\" __global__ void empty() {}\n"
    "extern \"C\" __global__ void k3(float *p, int n, float a)\n"
    "{\n    if (n < 0)\n        p[threadIdx.x] = a;\n}\n";

static struct {
    CUdevice dev;
    CUstream stream;
    CUevent event;
    CUdeviceptr dptr;
    void *hptr;
    CUfunction empty, k3;
    void *argv[3];
    int n;
    float a;
    cudaStream_t rstream;
} g;

static void
die(const char *what, long status)
{
    fprintf(stderr, "floor: %s failed with status %ld\n", what, status);
    exit(1);
}

#define OK(call)                                  \
    do {                                          \
        long status_ = (long)(call);              \
        if (status_ != 0)                         \
            die(#call, status_);                  \
    } while (0)

/* One repeat of a row: n calls with this program's objects, elapsed ns. */
static double
run_row(int row, long n)
{
    uintptr_t stream = (uintptr_t)g.stream, dptr = (uintptr_t)g.dptr, hptr = (uintptr_t)g.hptr;
    switch (row) {
    case 0: return floor_cuCtxGetCurrent(n);
    case 1: return floor_cuDeviceGetAttribute(n, g.dev);
    case 2: return floor_cuDeviceGet(n);
    case 3: return floor_cuStreamQuery(n, stream);
    case 4: return floor_cuEventRecord(n, (uintptr_t)g.event, stream);
    case 5: return floor_cuPointerGetAttribute(n, dptr);
    case 6: return floor_cuMemcpyHtoDAsync(n, dptr, hptr, stream);
    case 7: return floor_cuLaunchKernel(n, (uintptr_t)g.empty, stream, 0);
    case 8: /* (values, types) and an int void**: C has one way, the void*[] */
    case 9: return floor_cuLaunchKernel(n, (uintptr_t)g.k3, stream, (uintptr_t)g.argv);
    case 10: return floor_cuGetErrorString(n);
    case 11: return floor_cudaGetDevice(n);
    case 12: return floor_cudaStreamQuery(n, (uintptr_t)g.rstream);
    case 13: return floor_cudaMemcpyAsync(n, dptr, hptr, (uintptr_t)g.rstream);
    default: return floor_nvrtcVersion(n);
    }
}

/* Rows as bench/calls.py names them, in run_row's order, with its calls
 * per repeat (QUEUED for copies and launches, few enough that the stream's
 * queue never fills) and its repeats (row_repeats). */
#define QUEUED 256
static const struct row {
    const char *name;
    long number;
} rows[] = {
    {"cuCtxGetCurrent", 200000},
    {"cuDeviceGetAttribute", 200000},
    {"cuDeviceGet", 200000},
    {"cuStreamQuery", 20000},
    {"cuEventRecord", 20000},
    {"cuPointerGetAttribute", 100000},
    {"cuMemcpyHtoDAsync 256 B", QUEUED},
    {"cuLaunchKernel no args", QUEUED},
    {"cuLaunchKernel (values, types)", QUEUED},
    {"cuLaunchKernel int void**", QUEUED},
    {"cuGetErrorString", 200000},
    {"cudaGetDevice", 200000},
    {"cudaStreamQuery", 20000},
    {"cudaMemcpyAsync 256 B", QUEUED},
    {"nvrtcVersion", 200000},
};

static void
sync_streams(void)
{
    OK(cuStreamSynchronize(g.stream));
    OK(cudaStreamSynchronize(g.rstream));
}

static void
load_kernels(void)
{
    int major, minor;
    OK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, g.dev));
    OK(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, g.dev));
    char arch[64];
    snprintf(arch, sizeof arch, "--gpu-architecture=sm_%d%d", major, minor);
    const char *opts[] = {arch};
    nvrtcProgram prog;
    OK(nvrtcCreateProgram(&prog, kernels, "bench.cu", 0, NULL, NULL));
    OK(nvrtcCompileProgram(prog, 1, opts));
    size_t size;
    OK(nvrtcGetCUBINSize(prog, &size));
    char *cubin = malloc(size);
    if (cubin == NULL)
        die("malloc", -1);
    OK(nvrtcGetCUBIN(prog, cubin));
    OK(nvrtcDestroyProgram(&prog));
    CUmodule module;
    OK(cuModuleLoadData(&module, cubin));
    free(cubin);
    OK(cuModuleGetFunction(&g.empty, module, "empty"));
    OK(cuModuleGetFunction(&g.k3, module, "k3"));
}

int
main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    int repeats = argc > 2 ? atoi(argv[2]) : 7;
    CUcontext ctx;
    OK(cuInit(0));
    OK(cuDeviceGet(&g.dev, 0));
    OK(cuDevicePrimaryCtxRetain(&ctx, g.dev));
    OK(cuCtxSetCurrent(ctx));
    load_kernels();
    OK(cuStreamCreate(&g.stream, 0));
    OK(cuEventCreate(&g.event, CU_EVENT_DISABLE_TIMING));
    OK(cuMemAlloc(&g.dptr, 256));
    OK(cuMemAllocHost(&g.hptr, 256));
    OK(cudaStreamCreate(&g.rstream));
    g.n = 3;
    g.a = 1.5f;
    g.argv[0] = &g.dptr;
    g.argv[1] = &g.n;
    g.argv[2] = &g.a;

    printf("{\"impl\": {\"name\": \"C\", \"version\": \"%d\"}, \"rows\": {", CUDA_VERSION);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        long n = (long)(rows[r].number * scale);
        double best = 1e300;
        int bad = 0;
        if (n < 1)
            n = 1;
        int row_repeats = repeats * (1024 / n > 1 ? (int)(1024 / n) : 1);
        for (int k = 0; k < row_repeats; k++) {
            sync_streams();
            double t = run_row((int)r, n) / (double)n;
            bad |= t < 0;
            if (t < best)
                best = t;
        }
        sync_streams();
        if (bad)
            die(rows[r].name, -1);
        printf("%s\"%s\": {\"ns\": %.2f}", r ? ", " : "", rows[r].name, best);
    }
    printf("}}\n");
    return 0;
}
