/* A generated module's tables (cb_module_def) and its state: the enum,
 * handle and struct classes made so far, and the error class.
 *
 * The state only holds what other files make (cb_enum.c, cb_class.c,
 * cb_error.c) and lets go of it with the module; it makes nothing. */
#ifndef CB_STATE_H
#define CB_STATE_H

#include "cb_common.h"

struct cb_handle_def;   /* cb_handle.h */
struct cb_struct_def;   /* cb_struct_def.h */
struct cb_record_def;   /* cb_record_def.h */

typedef struct cb_enum_def {
    const char *name;                  /* Python class name */
    const char *doc;
    const char *const *member_names;
    const long long *member_values;
    const char *const *member_docs;    /* NULL: the member has none (its __doc__ is None) */
    int nmembers;
    int c_unsigned;                    /* cb_enum_sign: how struct fields convert it (gen/overrides.py) */
} cb_enum_def;

/* The C type of an enum's struct fields, as NVIDIA's converts them. */
enum cb_enum_sign {
    CB_ENUM_SIGNED,                    /* int: a member is negative */
    CB_ENUM_UNSIGNED,                  /* unsigned int: none is */
    CB_ENUM_UNSIGNED_ITEMS,            /* unsigned int for array items, int for one field (the runtime's) */
    CB_ENUM_UNSIGNED_64,               /* members are unsigned long long (a value is past LLONG_MAX: NVML's RUSD) */
};

typedef struct cb_constant_def {
    const char *name;
    long long value;
} cb_constant_def;

typedef struct cb_sizeof_def {
    const char *name;                  /* module attribute: a handle or enum class */
    size_t size;                       /* sizeof the C type */
} cb_sizeof_def;

typedef struct cb_module_def {
    const char *name;                  /* "cuda.bindings.nvrtc" */
    const cb_enum_def *enums;
    int nenums;
    const struct cb_handle_def *handles;
    int nhandles;
    const cb_constant_def *constants;
    int nconstants;
    const cb_sizeof_def *sizes;
    int nsizes;
    const char *error_class;           /* pythonic modules: "cuda.bindings.nvjitlink.nvJitLinkError"; else NULL */
    const char *global_class;          /* an empty class made at import ("cuda.bindings.driver.cudaBindingsDriverGlobal"), or NULL */
    int status_enum;                   /* index of the status enum in `enums` */
    const struct cb_struct_def *structs;  /* struct/union classes, each after its base */
    int nstructs;
    const struct cb_error_def *errors; /* a subclass of error_class per status (NVML's), or NULL */
    int nerrors;
    /* The error's message for a status (NVML's: the library's own text);
     * NULL: the status's name and value. */
    PyObject *(*error_message)(PyObject *module, long long status);
    /* The error class's own __init__ and methods (cuFileError's: a status
     * and a CUDA status, and __reduce__ of both); NULL: one status. */
    initproc error_init;
    PyMethodDef *error_methods;
    /* What a module adds of its own (NVML's struct classes): run at the end
     * of exec; and names it makes on first use (NVML's dtypes): a new
     * reference, or NULL with no exception when the name is not its. */
    int (*exec_extra)(PyObject *module);
    PyObject *(*getattr_extra)(PyObject *module, PyObject *name);
    /* __dir__: append the names getattr_extra makes that are not made yet
     * (NVML's dtypes); 0, or -1 with an exception. */
    int (*dir_extra)(PyObject *module, PyObject *names);
    /* The enum classes' base where it is not FastEnum: "enum.IntEnum"
     * (cuDLA's), its members plain ints without docs; NULL: FastEnum. */
    const char *enum_base;
} cb_module_def;

typedef struct cb_state {
    const cb_module_def *def;
    PyObject *module;                  /* the module it is the state of (borrowed: the module holds it) */
    PyObject **enums;                  /* [nenums], built on first use */
    PyObject ***enum_cache;            /* [nenums] member by value, for small dense enums */
    long long *enum_cache_len;
    PyTypeObject **handles;            /* [nhandles] */
    PyTypeObject **structs;            /* [nstructs] */
    PyObject *error_type;
    PyObject *error_subtypes;          /* {status: subclass of error_type}, with def->errors */
    /* The record classes (cuda.bindings.nvml's structs), set up by
     * cb_record_add_types: records[i] is class i, records[n + i] its dtype
     * and records[2n + i] the numpy.record form of it, n = nrecords, each
     * made on first use. */
    const struct cb_record_def *record_defs;
    int nrecords;
    PyObject **records;                /* [3 * nrecords] */
    /* makes class i on first use (cb_record.c sets it: the layers below call it) */
    PyTypeObject *(*make_record_class)(struct cb_state *st, int i);
} cb_state;

/* The module whose state was last set up, and its state: the calls of an
 * extension are nearly always on its one module object, so finding the
 * state is a compare rather than a call into the interpreter.  Set by
 * cb_state_init, dropped by cb_state_forget; the GIL guards them. */
CB_INTERNAL extern PyObject *cb_last_module;
CB_INTERNAL extern cb_state *cb_last_state;

static inline cb_state *
cb_get_state(PyObject *module)
{
#ifndef Py_GIL_DISABLED
    if (CB_LIKELY(module == cb_last_module))
        return cb_last_state;
#endif
    return (cb_state *)PyModule_GetState(module);
}

/* The state's life, for the module's slots (cb_module.c): its tables are
 * allocated for `def` (-1 with MemoryError), its references visited and
 * dropped, its memory freed; forgotten last, the module is left without
 * one (its def NULL, no longer the last set up). */
CB_INTERNAL int cb_state_init(PyObject *module, const cb_module_def *def);
CB_INTERNAL int cb_state_traverse(cb_state *st, visitproc visit, void *arg);
CB_INTERNAL void cb_state_clear(cb_state *st);
CB_INTERNAL void cb_state_free(cb_state *st);
CB_INTERNAL void cb_state_forget(PyObject *module, cb_state *st);

#endif
