/* A struct object from outside its class: what files that take or make one
 * (kernel arguments, arrays, the generated shims) need, without the field
 * conversions or the class machinery of cb_struct.h. */
#ifndef CB_STRUCT_OBJ_H
#define CB_STRUCT_OBJ_H

#include "cb_common.h"

/* Nonzero for an instance of one of the struct classes. */
CB_INTERNAL int cb_is_struct(PyObject *o);
/* Its _pvt_ptr: where the C value it reads and writes is (o must be a
 * struct object). */
CB_INTERNAL void *cb_struct_ptr(PyObject *o);
/* A new owning object: sizeof bytes copied from src, zeroed if src is NULL.
 * A NULL type is a class that could not be made (its exception is set). */
CB_INTERNAL PyObject *cb_struct_new(PyTypeObject *type, const void *src);

/* Every class's getPtr(). */
#define CB_STRUCT_GETPTR_DOC "getPtr($self, /)\n--\n\nAddress of the C struct this object reads and writes, as an int."
CB_INTERNAL PyObject *cb_struct_getPtr(PyObject *self, PyObject *unused);

#endif
