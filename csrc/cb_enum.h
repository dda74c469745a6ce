/* Enum classes of the generated modules, built on first use from their
 * static tables (cb_enum_def), with their members cached by value; and the
 * enum keys of typed calls (cuPointerGetAttribute's attribute). */
#ifndef CB_ENUM_H
#define CB_ENUM_H

#include "cb_args.h"
#include "cb_state.h"

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

/* cuda.bindings._internal._fast_enum.FastEnum, every enum's base (a new
 * reference). */
CB_INTERNAL PyObject *cb_fast_enum_base(void);

/* TypeError("Unsupported attribute: NAME") for a key of enum `idx` whose
 * value has no type in the call's table (NAME: the member's, else the int). */
CB_INTERNAL void cb_raise_unsupported_key(PyObject *module, int idx, long long key);

/* The key of a typed value (cuPointerGetAttribute's attribute), checked in
 * `order` (cb_key_order), as NVIDIA's checks it for that call: a value enum
 * `idx` does not name is a TypeError ("Unsupported attribute"). */
enum cb_key_order { CB_KEY_VALUE_FIRST, CB_KEY_INT_FIRST, CB_KEY_INT };
CB_INTERNAL int cb_arg_enum_key(PyObject *module, int idx, PyObject *o, int order, long long *out, CB_ARG);

#endif
