/* libcuda: every symbol through cuGetProcAddress, as NVIDIA recommends. */
#include "cb_driver.h"

#include <cuda.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef CUresult (*get_proc_address_fn)(const char *, void **, int, cuuint64_t,
                                        CUdriverProcAddressQueryResult *);

static int
per_thread_default_stream(void)
{
    return cb_ptds_setting() > 0;
}

void *
cb_driver_resolve(cb_library *lib, size_t slot)
{
    const char *name = lib->symbols[slot];
    int ptds = per_thread_default_stream();
    unsigned int version = lib->versions ? lib->versions[slot] : 0;
    if (ptds && lib->versions_ptds && lib->versions_ptds[slot])
        version = lib->versions_ptds[slot];
    void *handle = atomic_load_explicit(&lib->handle, memory_order_acquire);
    /* Resolved once; a benign race (same value) if two threads get here. */
    static _Atomic(get_proc_address_fn) gpa;
    get_proc_address_fn fn = atomic_load_explicit(&gpa, memory_order_acquire);
    if (fn == NULL) {
        fn = (get_proc_address_fn)dlsym(handle, "cuGetProcAddress_v2");
        if (fn == NULL)
            return dlsym(handle, name);
        atomic_store_explicit(&gpa, fn, memory_order_release);
    }
    void *p = NULL;
    CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    cuuint64_t flags = ptds ? CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM : CU_GET_PROC_ADDRESS_DEFAULT;
    /* The toolkit's stub driver answers CUDA_ERROR_STUB_LIBRARY here: every
     * function is then missing (FunctionNotFoundError), as in NVIDIA's. */
    CUresult rc = fn(name, &p, version ? (int)version : CUDA_VERSION, flags, &found);
    return rc == CUDA_SUCCESS && found == CU_GET_PROC_ADDRESS_SUCCESS ? p : NULL;
}
