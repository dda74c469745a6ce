/* The handle and struct classes of a module, by index in its tables.
 *
 * They are made on first use (a call that takes or returns one, an
 * attribute lookup): a program touches a few dozen of the hundreds a
 * module has, and each costs microseconds and memory to make. */
#ifndef CB_CLASS_H
#define CB_CLASS_H

#include "cb_state.h"

/* Make class `idx` and keep it in the state and the module's dict.
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

#endif
