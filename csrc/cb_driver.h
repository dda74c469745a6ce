/* libcuda: opened by soname, every symbol through cuGetProcAddress. */
#ifndef CB_DRIVER_H
#define CB_DRIVER_H

#include "cb_loader.h"

/* A cb_library resolver: cuGetProcAddress_v2 with the slot's version (or
 * CUDA_VERSION); with CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1 the
 * per-thread default stream variant, at its own version where it has one.
 * Falls back to dlsym only where cuGetProcAddress cannot answer (a stub
 * driver, a driver without it). */
CB_INTERNAL void *cb_driver_resolve(cb_library *lib, size_t slot);

#endif
