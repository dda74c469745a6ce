/* libcuda: opened by soname, every symbol through cuGetProcAddress. */
#ifndef CB_DRIVER_H
#define CB_DRIVER_H

#include "cb_loader.h"

/* A cb_library resolver: cuGetProcAddress_v2 with the symbol's version (or
 * CUDA_VERSION), per-thread default stream variants when
 * CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1.  Falls back to dlsym only
 * where cuGetProcAddress cannot answer (a stub driver, a driver without it). */
CB_INTERNAL void *cb_driver_resolve(cb_library *lib, const char *name, unsigned int version);

/* Sonames of the driver, NULL-terminated. */
CB_INTERNAL extern const char *const cb_driver_sonames[];

#endif
