/* A libcuda.so.1 that does nothing, for counting what a binding spends
 * around a call (bench/callgrind.py): each function answers at once, and
 * cuGetProcAddress_v2 hands them out as the real driver does. */
#include <string.h>

typedef int CUresult;
typedef struct { const char *name; void *fn; } entry;

static CUresult cuInit(unsigned int flags) { (void)flags; return 0; }
static CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
static CUresult cuCtxGetCurrent(void **ctx) { *ctx = (void *)0x10; return 0; }
static CUresult cuDeviceGetAttribute(int *v, int attr, int dev) { (void)attr, (void)dev; *v = 1; return 0; }
static CUresult cuStreamQuery(void *stream) { (void)stream; return 0; }
static CUresult cuGetErrorString(int error, const char **s) { (void)error; *s = "no error"; return 0; }
static CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shmem, void *stream, void **params, void **extra)
{
    (void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz, (void)shmem, (void)stream;
    (void)params, (void)extra;
    return 0;
}

CUresult cuGetProcAddress_v2(const char *name, void **p, int version, unsigned long long flags, int *found);

static const entry table[] = {
    {"cuInit", (void *)cuInit}, {"cuDriverGetVersion", (void *)cuDriverGetVersion},
    {"cuCtxGetCurrent", (void *)cuCtxGetCurrent}, {"cuDeviceGetAttribute", (void *)cuDeviceGetAttribute},
    {"cuStreamQuery", (void *)cuStreamQuery}, {"cuGetErrorString", (void *)cuGetErrorString},
    {"cuLaunchKernel", (void *)cuLaunchKernel}, {"cuGetProcAddress", (void *)cuGetProcAddress_v2},
};

CUresult
cuGetProcAddress_v2(const char *name, void **p, int version, unsigned long long flags, int *found)
{
    (void)version, (void)flags;
    *p = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0)
            *p = table[i].fn;
    if (found != NULL)
        *found = *p != NULL ? 0 : 1;   /* CU_GET_PROC_ADDRESS_SUCCESS, _SYMBOL_NOT_FOUND */
    return *p != NULL ? 0 : 500;       /* CUDA_ERROR_NOT_FOUND */
}
