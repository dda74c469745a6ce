/* The C floor: the calls of bench/calls.py made straight from C, with the
 * same calls per repeat and repeats, minimum over repeats, in ns per call.
 *
 *   cc -O2 floor.c -I$CUDA_HOME/include -L$CUDA_HOME/lib64 -L$CUDA_HOME/lib64/stubs \
 *      -lcudart_static -lnvrtc -lcuda -ldl -lpthread -lrt -o floor
 *   ./floor [SCALE [REPEATS]]        (prints one JSON object)
 *
 * Each loop ORs the statuses it gets and checks them once at the end, so a
 * row can never time an error path and the loop adds no branch per call. */
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <nvrtc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static double
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Each row: n calls, returns the elapsed ns; statuses ORed into *bad. */
static double row_ctx_get_current(long n, int *bad)
{
    CUcontext ctx;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuCtxGetCurrent(&ctx);
    return now_ns() - t0;
}

static double row_device_get_attribute(long n, int *bad)
{
    int v;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, g.dev);
    return now_ns() - t0;
}

static double row_device_get(long n, int *bad)
{
    CUdevice d;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuDeviceGet(&d, 0);
    return now_ns() - t0;
}

static double row_stream_query(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuStreamQuery(g.stream);
    return now_ns() - t0;
}

static double row_event_record(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuEventRecord(g.event, g.stream);
    return now_ns() - t0;
}

static double row_pointer_get_attribute(long n, int *bad)
{
    unsigned int type;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, g.dptr);
    return now_ns() - t0;
}

static double row_memcpy_htod_async(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuMemcpyHtoDAsync(g.dptr, g.hptr, 256, g.stream);
    return now_ns() - t0;
}

static double row_launch_no_args(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuLaunchKernel(g.empty, 1, 1, 1, 1, 1, 1, 0, g.stream, NULL, NULL);
    return now_ns() - t0;
}

static double row_launch_3_args(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuLaunchKernel(g.k3, 1, 1, 1, 1, 1, 1, 0, g.stream, g.argv, NULL);
    return now_ns() - t0;
}

static double row_get_error_string(long n, int *bad)
{
    const char *s;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cuGetErrorString(CUDA_ERROR_INVALID_VALUE, &s);
    return now_ns() - t0;
}

static double row_cuda_get_device(long n, int *bad)
{
    int d;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cudaGetDevice(&d);
    return now_ns() - t0;
}

static double row_cuda_stream_query(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cudaStreamQuery(g.rstream);
    return now_ns() - t0;
}

static double row_cuda_memcpy_async(long n, int *bad)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= cudaMemcpyAsync((void *)g.dptr, g.hptr, 256, cudaMemcpyHostToDevice, g.rstream);
    return now_ns() - t0;
}

static double row_nvrtc_version(long n, int *bad)
{
    int major, minor;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        *bad |= nvrtcVersion(&major, &minor);
    return now_ns() - t0;
}

/* Rows as bench/calls.py names them, with its calls per repeat. */
static const struct row {
    const char *name;
    long number;
    double (*run)(long, int *);
} rows[] = {
    {"cuCtxGetCurrent", 200000, row_ctx_get_current},
    {"cuDeviceGetAttribute", 200000, row_device_get_attribute},
    {"cuDeviceGet", 200000, row_device_get},
    {"cuStreamQuery", 20000, row_stream_query},
    {"cuEventRecord", 20000, row_event_record},
    {"cuPointerGetAttribute", 100000, row_pointer_get_attribute},
    {"cuMemcpyHtoDAsync 256 B", 5000, row_memcpy_htod_async},
    {"cuLaunchKernel no args", 5000, row_launch_no_args},
    {"cuLaunchKernel (values, types)", 5000, row_launch_3_args},
    {"cuLaunchKernel int void**", 5000, row_launch_3_args},
    {"cuGetErrorString", 200000, row_get_error_string},
    {"cudaGetDevice", 200000, row_cuda_get_device},
    {"cudaStreamQuery", 20000, row_cuda_stream_query},
    {"cudaMemcpyAsync 256 B", 5000, row_cuda_memcpy_async},
    {"nvrtcVersion", 200000, row_nvrtc_version},
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
        for (int k = 0; k < repeats; k++) {
            sync_streams();
            double t = rows[r].run(n, &bad) / (double)n;
            if (t < best)
                best = t;
        }
        sync_streams();
        if (bad)
            die(rows[r].name, bad);
        printf("%s\"%s\": {\"ns\": %.2f}", r ? ", " : "", rows[r].name, best);
    }
    printf("}}\n");
    return 0;
}
