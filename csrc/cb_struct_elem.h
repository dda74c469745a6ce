/* One element of a struct field (an item of an array field, or the field
 * itself), for the struct files: read into a Python value, or converted
 * from one.  Errors name the class and field (and the item: idx >= 0). */
#ifndef CB_STRUCT_ELEM_H
#define CB_STRUCT_ELEM_H

#include "cb_struct_def.h"

/* Raise `exc` with "Class.field[idx] <fmt...>"; returns -1. */
CB_INTERNAL int cb_field_error(PyObject *exc, PyObject *self, const cb_field_def *f, Py_ssize_t idx,
                               const char *fmt, ...);

/* An integer within [lo, hi], as raw bits (OverflowError outside; `want`
 * names the type in the TypeError for a non-integer). */
CB_INTERNAL int cb_field_bits(PyObject *v, long long lo, unsigned long long hi, unsigned long long *out,
                              PyObject *self, const cb_field_def *f, Py_ssize_t idx, const char *want);

/* The handle or struct class `ref` of the module that made self's class
 * (borrowed; NULL with the error set). */
CB_INTERNAL PyTypeObject *cb_field_handle_class(PyObject *self, int ref);
CB_INTERNAL PyTypeObject *cb_field_struct_class(PyObject *self, int ref);

/* Python value of the element at p; struct views keep `owner` alive. */
CB_INTERNAL PyObject *cb_field_get_elem(PyObject *self, const cb_field_def *f, char *p, PyObject *owner);
/* A scalar handle field: one view of its memory per field (see the .c). */
CB_INTERNAL PyObject *cb_field_handle_view(PyObject *self, const cb_field_def *f, char *p);

/* Whether v converts to an element of enum or struct field f (nothing written). */
CB_INTERNAL int cb_field_check_item(PyObject *self, const cb_field_def *f, PyObject *v, Py_ssize_t idx);
/* Convert v into the element at dst.  `slot` is where the element finally
 * lives (dst may be a scratch copy), for keepalive: in the dict of `holder`,
 * a C array not attached yet, or (holder NULL) of self's memory. */
CB_INTERNAL int cb_field_set_elem(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot,
                                  PyObject *v, Py_ssize_t idx);
/* A pointer to pointers (void **extra), or an item of an address array: as
 * NVIDIA's, an int address only. */
CB_INTERNAL int cb_field_set_int_address(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder,
                                         char *slot, PyObject *v, Py_ssize_t idx);

#endif
