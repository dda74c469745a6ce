/* Inside a struct object, for the struct files only (cb_struct_*.c).
 *
 * Object layout, fixed because compiled Cython consumers read it through
 * the generated <lib>.pxd (`cdef X _pvt_val; cdef X* _pvt_ptr; cdef object
 * _owner; cdef object _keepalive`):
 *
 *     PyObject_HEAD
 *     <C type>   _pvt_val    the value, at the C type's natural alignment
 *     void      *_pvt_ptr    &_pvt_val, or foreign/parent memory for a view
 *     PyObject  *_owner      the object whose memory a view points into
 *     PyObject  *_keepalive  dict: what pointer fields point to
 *
 * The value's size differs per class, so the tail's offset is computed from
 * the class's size and alignment, exactly as a C compiler lays out that
 * struct.  Typedef aliases (CUDA_MEMCPY2D_v2, CUDA_MEMCPY2D) are subclasses
 * of the tagged class and share its layout and field table.
 *
 * The _keepalive dict maps a slot's address to what the pointer there
 * points into (cb_struct_keep.h), and None to the handle views of its
 * fields ({slot address: handle}: cb_field_handle_view), which let go of
 * the memory with it (cb_struct_tp_clear); in a copy of a list field's item
 * Ellipsis maps to what the copy's pointers point into (cb_struct_field.c). */
#ifndef CB_STRUCT_LAYOUT_H
#define CB_STRUCT_LAYOUT_H

#include "cb_struct_def.h"

#include <string.h>

/* What follows the value: pointer, owner, keepalive, as the .pxd declares. */
typedef struct cb_struct_tail {
    void *_pvt_ptr;
    PyObject *_owner;
    PyObject *_keepalive;
} cb_struct_tail;

static inline size_t
cb_round_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

static inline size_t
cb_struct_value_offset(const cb_struct_def *d)
{
    return cb_round_up(sizeof(PyObject), d->align);
}

static inline size_t
cb_struct_tail_offset(const cb_struct_def *d)
{
    return cb_round_up(cb_struct_value_offset(d) + d->size, _Alignof(cb_struct_tail));
}

static inline cb_struct_tail *
cb_struct_tail_of(PyObject *o, const cb_struct_def *d)
{
    return (cb_struct_tail *)((char *)o + cb_struct_tail_offset(d));
}

static inline void *
cb_struct_value_of(PyObject *o, const cb_struct_def *d)
{
    return (char *)o + cb_struct_value_offset(d);
}

/* The slots every struct class has (cb_struct_obj.c); the dealloc also
 * tells our classes from others. */
CB_INTERNAL void cb_struct_tp_dealloc(PyObject *self);
CB_INTERNAL int cb_struct_tp_traverse(PyObject *self, visitproc visit, void *arg);
CB_INTERNAL int cb_struct_tp_clear(PyObject *self);

/* Our class among t and its bases (a Python subclass reaches our dealloc
 * through its own); NULL for none. */
static inline PyTypeObject *
cb_struct_our_type(PyTypeObject *t)
{
    while (t != NULL && t->tp_dealloc != cb_struct_tp_dealloc)
        t = t->tp_base;
    return t;
}

/* The def of the class that holds the field table: typedef aliases and
 * Python subclasses share its layout.  Every root class has at least one
 * field, and its first getter's closure names the owner. */
static inline const cb_struct_def *
cb_struct_def_of(PyTypeObject *t)
{
    for (t = cb_struct_our_type(t); t != NULL; t = cb_struct_our_type(t->tp_base)) {
        if (t->tp_getset != NULL && t->tp_getset[0].name != NULL)
            return ((const cb_field_def *)t->tp_getset[0].closure)->owner;
    }
    return NULL;
}

/* A class's name without its module, for messages. */
static inline const char *
cb_short_name(PyTypeObject *t)
{
    const char *dot = strrchr(t->tp_name, '.');
    return dot ? dot + 1 : t->tp_name;
}

/* A new object of `type`: pointing at `ptr` (a view, keeping `owner`
 * alive), or at its own zeroed value when ptr is NULL.  A NULL type is a
 * class that could not be made (its exception is set). */
CB_INTERNAL PyObject *cb_struct_alloc(PyTypeObject *type, void *ptr, PyObject *owner);

/* The struct object whose memory a view shares: itself when it owns it. */
CB_INTERNAL PyObject *cb_struct_root(PyObject *self);

#endif
