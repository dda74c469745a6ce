/* The C floor of bench/nvml.py: the calls its Python rows make, straight
 * to libnvidia-ml.so.1 (dlopen'd, as both packages load it), in ns per
 * call, best of 5 rounds.  Prints one JSON object keyed as the Python rows. */
#define _POSIX_C_SOURCE 199309L
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef int (*fn_init)(void);
typedef int (*fn_count)(unsigned int *);
typedef int (*fn_handle)(unsigned int, void **);
typedef int (*fn_struct)(void *, void *);

enum { N = 2000, ROUNDS = 5 };

static double
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The version nvml.h gives nvmlMemory_v2_t: its size and 2 << 24. */
#define MEMORY_V2_VERSION (40u | (2u << 24))

int
main(void)
{
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (lib == NULL) {
        printf("{\"error\": \"%s\"}\n", dlerror());
        return 1;
    }
    fn_init init = (fn_init)dlsym(lib, "nvmlInit_v2");
    fn_count count = (fn_count)dlsym(lib, "nvmlDeviceGetCount_v2");
    fn_handle handle = (fn_handle)dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
    fn_struct memory = (fn_struct)dlsym(lib, "nvmlDeviceGetMemoryInfo_v2");
    fn_struct util = (fn_struct)dlsym(lib, "nvmlDeviceGetUtilizationRates");
    if (!init || !count || !handle || !memory || !util || init() != 0) {
        printf("{\"error\": \"NVML did not initialise\"}\n");
        return 1;
    }
    void *dev = NULL;
    unsigned int n = 0;
    if (handle(0, &dev) != 0) {
        printf("{\"error\": \"no device 0\"}\n");
        return 1;
    }
    unsigned char mem[40], rates[8];
    double best[4] = {1e30, 1e30, 1e30, 1e30};
    for (int r = 0; r < ROUNDS; r++) {
        double t = now_ns();
        for (int i = 0; i < N; i++)
            count(&n);
        double t1 = now_ns();
        for (int i = 0; i < N; i++)
            handle(0, &dev);
        double t2 = now_ns();
        for (int i = 0; i < N; i++) {
            memset(mem, 0, sizeof mem);   /* as the bindings hand a fresh struct */
            *(unsigned int *)mem = MEMORY_V2_VERSION;
            memory(dev, mem);
        }
        double t3 = now_ns();
        for (int i = 0; i < N; i++)
            util(dev, rates);
        double t4 = now_ns();
        double got[4] = {t1 - t, t2 - t1, t3 - t2, t4 - t3};
        for (int k = 0; k < 4; k++)
            if (got[k] / N < best[k])
                best[k] = got[k] / N;
    }
    printf("{\"device_get_count_v2()\": %.1f, \"device_get_handle_by_index_v2(0)\": %.1f, "
           "\"device_get_memory_info_v2(h)\": %.1f, \"device_get_utilization_rates(h)\": %.1f}\n",
           best[0], best[1], best[2], best[3]);
    return 0;
}
