/* What every generated Python module shares: its state, lazily built enum
 * classes with cached members, handle and struct classes, constants, the error class
 * of the pythonic modules, module __getattr__/__dir__ and sizeof().
 *
 * A generated module is tables (cb_module_def) plus one shim per function;
 * everything that behaves lives here.
 */
#ifndef CB_MODULE_H
#define CB_MODULE_H

#include "cb_common.h"
#include "cb_handle.h"
#include "cb_struct.h"

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
    const cb_handle_def *handles;
    int nhandles;
    const cb_constant_def *constants;
    int nconstants;
    const cb_sizeof_def *sizes;
    int nsizes;
    const char *error_class;           /* pythonic modules: "cuda.bindings.nvjitlink.nvJitLinkError"; else NULL */
    const char *global_class;          /* an empty class made at import ("cuda.bindings.driver.cudaBindingsDriverGlobal"), or NULL */
    int status_enum;                   /* index of the status enum in `enums` */
    const cb_struct_def *structs;      /* struct/union classes, each after its base */
    int nstructs;
} cb_module_def;

typedef struct cb_state {
    const cb_module_def *def;
    PyObject **enums;                  /* [nenums], built on first use */
    PyObject ***enum_cache;            /* [nenums] member by value, for small dense enums */
    long long *enum_cache_len;
    PyTypeObject **handles;            /* [nhandles] */
    PyTypeObject **structs;            /* [nstructs] */
    PyObject *error_type;
} cb_state;

/* The module whose state was last set up, and its state: the calls of an
 * extension are nearly always on its one module object, so finding the
 * state is a compare rather than a call into the interpreter.  Set by
 * cb_module_exec, forgotten by cb_module_free; the GIL guards them. */
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

/* Module slots. */
CB_INTERNAL int cb_module_exec(PyObject *module, const cb_module_def *def);
CB_INTERNAL int cb_module_traverse(PyObject *module, visitproc visit, void *arg);
CB_INTERNAL int cb_module_clear(PyObject *module);
CB_INTERNAL void cb_module_free(void *module);

/* Methods every generated module lists. */
CB_INTERNAL PyObject *cb_module_getattr(PyObject *module, PyObject *name);
CB_INTERNAL PyObject *cb_module_dir(PyObject *module, PyObject *unused);
CB_INTERNAL PyObject *cb_module_sizeof(PyObject *module, PyObject *objType);
/* _handle_kind(cls): the cb_handle_kind of a handle class this package made
 * (not of a subclass), else None. */
CB_INTERNAL PyObject *cb_module_handle_kind(PyObject *module, PyObject *cls);

/* Handle and struct classes are made on first use (a call that takes or
 * returns one, an attribute lookup): a program touches a few dozen of the
 * hundreds a module has, and each costs microseconds and memory to make.
 * Borrowed reference; NULL with an exception set if it cannot be made. */
CB_INTERNAL PyTypeObject *cb_make_handle_class(PyObject *module, cb_state *st, int idx);
CB_INTERNAL PyTypeObject *cb_make_struct_class(PyObject *module, cb_state *st, int idx);

static inline PyTypeObject *
cb_handle_class(PyObject *module, cb_state *st, int idx)
{
    PyTypeObject *t = cb_load_ptr(&st->handles[idx]);
    return CB_LIKELY(t != NULL) ? t : cb_make_handle_class(module, st, idx);
}

static inline PyTypeObject *
cb_struct_class(PyObject *module, cb_state *st, int idx)
{
    PyTypeObject *t = cb_load_ptr(&st->structs[idx]);
    return CB_LIKELY(t != NULL) ? t : cb_make_struct_class(module, st, idx);
}

/* The enum class (new reference), built on first use. */
CB_INTERNAL PyObject *cb_enum_type(PyObject *module, int idx);

/* The same, borrowed (the module state keeps it); NULL with the error set
 * where it cannot be made. */
static inline PyTypeObject *
cb_enum_class(PyObject *module, int idx)
{
    PyObject *type = cb_enum_type(module, idx);
    Py_XDECREF(type);
    return (PyTypeObject *)type;
}

/* The member of enum `idx` for `value`, or a plain int when the library
 * returned a value the headers did not name.  New reference. */
CB_INTERNAL PyObject *cb_enum_member_slow(PyObject *module, int idx, long long value);

static inline PyObject *
cb_enum_member_of(PyObject *module, cb_state *st, int idx, long long value)
{
    PyObject **table = cb_load_ptr(&st->enum_cache[idx]);   /* its length is set before it is published */
    if (CB_LIKELY(table != NULL && value >= 0 && value < st->enum_cache_len[idx])) {
        PyObject *m = cb_load_ptr(&table[value]);   /* the table owns it until the module goes */
        if (CB_LIKELY(m != NULL))
            return Py_NewRef(m);
    }
    return cb_enum_member_slow(module, idx, value);
}

static inline PyObject *
cb_enum_member(PyObject *module, int idx, long long value)
{
    return cb_enum_member_of(module, cb_get_state(module), idx, value);
}

/* Pythonic modules: raise <error_class>(status); returns NULL. */
CB_INTERNAL PyObject *cb_raise_status(PyObject *module, long long status);

/* TypeError("Unsupported attribute: NAME") for a key of enum `idx` whose
 * value has no type in the call's table (NAME: the member's, else the int). */
CB_INTERNAL void cb_raise_unsupported_key(PyObject *module, int idx, long long key);

/* The key of a typed value (cuPointerGetAttribute's attribute), checked in
 * `order` (cb_key_order), as NVIDIA's checks it for that call: a value enum
 * `idx` does not name is a TypeError ("Unsupported attribute"). */
enum cb_key_order { CB_KEY_VALUE_FIRST, CB_KEY_INT_FIRST, CB_KEY_INT };
CB_INTERNAL int cb_arg_enum_key(PyObject *module, int idx, PyObject *o, int order, long long *out, CB_ARG);

#endif
