/* Keeping alive what the pointer fields of struct memory point to (for the
 * struct files; cb_struct_keep.c says where it is kept). */
#ifndef CB_STRUCT_KEEP_H
#define CB_STRUCT_KEEP_H

#include "cb_common.h"

/* A holder: a fresh zeroed C array for n elements of `size` bytes, with
 * `sources` (may be NULL) kept alive beside it, and its own keepalive dict
 * for the pointers inside it.  Its memory and its size in bytes. */
CB_INTERNAL PyObject *cb_struct_holder_new(size_t n, size_t size, PyObject *sources);
CB_INTERNAL char *cb_struct_holder_data(PyObject *h);
CB_INTERNAL size_t cb_struct_holder_size(PyObject *h);
/* The holder of the C array we allocated for the pointer at `slot`, if
 * that pointer still points at it (borrowed; NULL otherwise). */
CB_INTERNAL PyObject *cb_struct_holder_of(PyObject *self, void *slot);

/* The keepalive dict of self's memory (borrowed): NULL with an error set if
 * `create` and it cannot be made, or (no error) if there is none yet. */
CB_INTERNAL PyObject *cb_struct_keepalive(PyObject *self, int create);

/* Keep obj (stolen; NULL: forget) alive for the pointer at `slot`: in the
 * dict of `holder` when the slot is in a C array not attached yet, else in
 * the dict of self's memory. */
CB_INTERNAL int cb_struct_keep_in(PyObject *self, PyObject *holder, void *slot, PyObject *obj);

static inline int
cb_struct_keep(PyObject *self, void *slot, PyObject *obj)   /* steals obj; NULL: forget */
{
    return cb_struct_keep_in(self, NULL, slot, obj);
}

/* What slots [first, first + n * size) keep alive now (a tuple, None for
 * nothing), and putting that back after a failed set. */
CB_INTERNAL PyObject *cb_struct_keeps_save(PyObject *self, char *first, size_t n, size_t size);
CB_INTERNAL void cb_struct_keeps_restore(PyObject *self, char *first, size_t size, PyObject *saved);

/* Drop what wrappers of foreign memory keep alive (module teardown). */
CB_INTERNAL void cb_struct_cache_clear(void);

#endif
