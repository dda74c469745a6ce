/* Exporting functions: __pyx_capi__ for Cython, _C_API for C. */
#ifndef CB_CAPI_H
#define CB_CAPI_H

#include "cb_common.h"

typedef struct cb_capi_entry {
    const char *name;
    void (*fn)(void);
    const char *signature;     /* Cython's spelling; the capsule's name */
} cb_capi_entry;

/* Adds __pyx_capi__: a dict of capsules, each named by its signature. */
CB_INTERNAL int cb_add_pyx_capi(PyObject *module, const cb_capi_entry *entries, size_t n);

/* Adds __pyx_capi__ and _C_API (a
 * capsule holding `api`, named `capsule_name`) to the module. */
CB_INTERNAL int cb_core_module_exec(PyObject *module, const cb_capi_entry *entries, size_t n,
                                    const void *api, const char *capsule_name);

#endif
