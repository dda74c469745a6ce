/* Struct objects as arguments of the generated function shims: one
 * instance by pointer, or room for structs a call writes. */
#ifndef CB_STRUCT_ARG_H
#define CB_STRUCT_ARG_H

#include "cb_args.h"

/* An instance of `type` or of any class of the same C type (typedef aliases
 * and their bases), or None when `nullable` (NULL).  The pointer is borrowed. */
CB_INTERNAL int cb_arg_struct(PyObject *o, PyTypeObject *type, int nullable, void **out, const cb_argspec *spec,
                              int argi);

/* Room a call writes `need` structs of `type` into (cuMemGetLocationInfo's
 * one per region): one instance, room for one, whose memory the call gets as
 * NVIDIA's does (None: NULL, as there); or a list or tuple of instances,
 * room for as many, as a C array the call writes and cb_struct_room_done
 * copies back into them.  Less room than `need` is a ValueError that names
 * `why`, never a write past it. */
typedef struct cb_struct_room {
    void *ptr;          /* what the call gets */
    PyObject *items;    /* a private tuple of the list's items; NULL for one instance */
    size_t size;        /* bytes of one struct */
} cb_struct_room;

#define CB_STRUCT_ROOM_INIT {NULL, NULL, 0}

CB_INTERNAL int cb_arg_struct_room(PyObject *o, PyTypeObject *type, size_t size, unsigned long long need,
                                   const char *why, cb_struct_room *r, const cb_argspec *spec, int argi);
/* After the call: copy back into the list's instances if it wrote them. */
CB_INTERNAL void cb_struct_room_done(cb_struct_room *r, int written);
CB_INTERNAL void cb_struct_room_release(cb_struct_room *r);

#endif
