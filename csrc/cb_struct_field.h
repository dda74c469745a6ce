/* The fields of struct objects, as the generated PyGetSetDef and method
 * tables reach them (gen/emit_structs.py). */
#ifndef CB_STRUCT_FIELD_H
#define CB_STRUCT_FIELD_H

#include "cb_struct_def.h"

/* Getter and setter of every field (closure: its cb_field_def). */
CB_INTERNAL PyObject *cb_struct_get(PyObject *self, void *closure);
CB_INTERNAL int cb_struct_set(PyObject *self, PyObject *value, void *closure);

/* The method that sets two list fields of one count together
 * (set_dsts_srcs: gen/overrides.py PAIRED_LISTS). */
CB_INTERNAL PyObject *cb_struct_set_pair(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                         const cb_field_def *a, const cb_field_def *b, const char *name);

#endif
