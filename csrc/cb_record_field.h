/* A record class's attributes: one getter and setter per member (closure:
 * its cb_record_field), as NVIDIA's reads and sets them, and the integer
 * conversions they share with the classes' methods. */
#ifndef CB_RECORD_FIELD_H
#define CB_RECORD_FIELD_H

#include "cb_record_def.h"

/* A plain class's member, and an array class's (through its numpy array). */
CB_INTERNAL PyObject *cb_rec_get(PyObject *self, void *closure);
CB_INTERNAL int cb_rec_set(PyObject *self, PyObject *value, void *closure);

/* An integer as Cython converts one to a C integer of `size` bytes: an int,
 * or what an object's __int__ gives (TypeError "an integer is required"
 * otherwise), in range (OverflowError with Cython's and CPython's words,
 * `ctype` naming the C type).  `ssize`: the C type is intptr_t/ssize_t, which takes an int only.
 * *out gets the value's bits. */
CB_INTERNAL int cb_rec_cy_int(PyObject *v, size_t size, int is_signed, const char *ctype, int ssize,
                              unsigned long long *out);

/* The read-only error ("This Memory instance is read-only"). */
CB_INTERNAL int cb_rec_refuse_write(const cb_record_def *d);

/* "Cannot convert list to cuda.bindings.nvml.PciInfo" unless v is an
 * instance of `type`. */
CB_INTERNAL int cb_rec_check_type(PyObject *v, PyTypeObject *type);

/* Room for what the pointer members of plain object `self` point to: as
 * many zeroed items as their count members now say, kept alive by it (the
 * call reported how many: NVML's second call fills them).  0, or -1. */
CB_INTERNAL int cb_rec_pointer_rooms(PyObject *self);

#endif
