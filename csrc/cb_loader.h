/* Finding a CUDA library and resolving its symbols lazily.
 *
 * Each core module describes its library with a cb_library (generated
 * tables: names of the symbols, where to look) and calls cb_symbol() for a
 * slot.  The fast path is one acquire load; the first call of a slot opens
 * the library if needed (once, under a lock) and resolves that one symbol.
 */
#ifndef CB_LOADER_H
#define CB_LOADER_H

#include "cb_common.h"
#include <stdatomic.h>

typedef struct cb_library cb_library;

/* Resolves the symbol of one slot of an opened library; NULL when it is absent. */
typedef void *(*cb_resolver)(cb_library *lib, size_t slot);

struct cb_library {
    /* Filled by the generated code. */
    const char *display;                /* "NVRTC" */
    const char *pathfinder;             /* name for cuda.pathfinder, or NULL */
    const char *const *sonames;         /* NULL-terminated */
    const char *const *subdirs;         /* NULL-terminated folders under $CUDA_HOME holding it */
    const char *const *symbols;         /* one per slot */
    const unsigned int *versions;       /* per slot, for resolvers that take one; may be NULL */
    const unsigned int *versions_ptds;  /* per slot, the per-thread-default-stream variant's; 0: none */
    size_t nsymbols;
    _Atomic(void *) *slots;             /* nsymbols entries, zero-initialised */
    cb_resolver resolve;                /* NULL: dlsym */
    /* NULL, or nonzero (and why, when why is not NULL) while the environment
     * forbids every call: no symbol resolves, and cb_report_missing raises
     * ValueError saying why. */
    int (*misconfigured)(char *why, size_t n);

    /* Owned by the loader. */
    _Atomic(void *) handle;             /* dlopen handle once opened */
    _Atomic int failed;                 /* set once every place was tried and none worked */
    char path[4096];                    /* where it was found */
    char error[4096];                   /* every place tried, when not found */
    int opening;                        /* guarded by the lock: recursion guard */
};

/* Slow path of cb_symbol(). */
CB_INTERNAL void *cb_symbol_slow(cb_library *lib, size_t slot);

static inline void *
cb_symbol(cb_library *lib, size_t slot)
{
    void *p = atomic_load_explicit(&lib->slots[slot], memory_order_acquire);
    if (CB_LIKELY(p != NULL))
        return p;
    return cb_symbol_slow(lib, slot);
}

/* Open the library now if it is not open yet. Returns 0 on success, -1 with
 * no Python error set on failure (lib->error says why).  Takes the GIL
 * itself when it needs Python (cuda.pathfinder). */
CB_INTERNAL int cb_library_open(cb_library *lib);

/* Called by a generated wrapper whose symbol could not be resolved: takes the
 * GIL, sets RuntimeError naming the function and the library (and where it
 * was looked for), or ValueError when the library is misconfigured, returns
 * nothing.  The wrapper then returns the value its
 * pxd declares in `except ?`. */
CB_INTERNAL void cb_report_missing(cb_library *lib, size_t slot);

/* {"__<function>": address or 0} of every symbol, loading the library first
 * (RuntimeError when it cannot be): NVIDIA's private _inspect_function_pointers. */
CB_INTERNAL PyObject *cb_inspect_function_pointers(cb_library *lib);

/* A dict describing the library for the self-check: name, path or error. */
CB_INTERNAL PyObject *cb_library_info(cb_library *lib);

/* CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM as NVIDIA's package reads it,
 * with Python's int(): 1 for an integer other than zero ("1", " 2 ", "1_0"),
 * 0 for zero ("0", "-0") or unset, -1 for text int() refuses ("", "true"):
 * NVIDIA's then raises ValueError from every driver and runtime call, and
 * so do ours (cb_ptds_misconfigured).  ASCII only: int()'s other Unicode
 * digits and spaces count as refused. */
CB_INTERNAL int cb_ptds_setting(void);

/* A cb_library's `misconfigured` for the driver and the runtime: nonzero
 * when cb_ptds_setting() refuses the variable, with int()'s message in why. */
CB_INTERNAL int cb_ptds_misconfigured(char *why, size_t n);

/* Takes the GIL and sets that ValueError: what a statically linked
 * library's wrappers (the runtime's) do before failing every call. */
CB_INTERNAL void cb_report_ptds(void);

#endif
