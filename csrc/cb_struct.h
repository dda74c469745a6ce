/* Struct and union classes (CUDA_MEMCPY2D, CUlaunchAttributeValue, ...) of
 * the tuple-style modules, built from generated tables.
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
 * A generated module declares, per class, a cb_struct_def; per root class a
 * cb_field_def table and a PyGetSetDef table whose entries call
 * cb_struct_get/cb_struct_set with closure = &fields[i].  Offsets and sizes
 * in those tables are sizeof/offsetof expressions on the real C types.
 */
#ifndef CB_STRUCT_H
#define CB_STRUCT_H

#include "cb_common.h"
#include "cb_args.h"

#include <stddef.h>

/* The alignment of an expression's type, for untagged nested members that
 * have no type name.  Only C11's _Alignof(type-name) is standard. */
#if defined(__GNUC__) || defined(__clang__)
#define CB_ALIGNOF_EXPR(e) __alignof__(e)
#else
#define CB_ALIGNOF_EXPR(e) _Alignof(max_align_t)   /* conservative */
#endif

/* What one element of a field is, and how Python sees it. */
typedef enum cb_field_kind {
    CB_FIELD_SIGNED,     /* signed integer of `size` bytes: int */
    CB_FIELD_UNSIGNED,   /* unsigned integer of `size` bytes: int */
    CB_FIELD_FLOAT,      /* float (4) or double (8) */
    CB_FIELD_ENUM,       /* C enum: a member of enum class `ref` (an int if unnamed) */
    CB_FIELD_HANDLE,     /* a handle typedef: an object of handle class `ref` */
    CB_FIELD_STRUCT,     /* a struct/union of class `ref`: a view sharing memory */
    CB_FIELD_CHARS,      /* char array (count > 0): bytes of exactly `count`;
                            ref 1: unsigned char, whose items are 0..255 */
    CB_FIELD_ADDRESS,    /* void * or a function pointer: int address (None, an
                            int or a buffer), shown in hex */
    CB_FIELD_POINTER,    /* another data pointer (size_t *): the same, shown
                            as a plain int, as NVIDIA's */
    CB_FIELD_POINTER_INT,  /* a pointer to pointers (void **extra): an int only */
    CB_FIELD_KERNEL_PARAMS,  /* void **kernelParams: an address, or (values, types)
                                packed as for cuLaunchKernel (csrc/cb_kernel.h) */
    CB_FIELD_CSTRING,    /* char array holding a NUL-terminated string
                            (cudaDeviceProp.name): bytes up to the first NUL */
} cb_field_kind;

/* Where the elements live. */
typedef enum cb_field_via {
    CB_VIA_INLINE,       /* in the struct: one element, or `count` of them */
    CB_VIA_LIST,         /* the member points to an array: a list.  As NVIDIA's,
                            setting a sequence copies its items into memory the
                            object owns and leaves the count field (if any) to
                            the caller; reading gives the items set, or for
                            memory not ours as many as field `count_field`
                            says (none without one) */
    CB_VIA_POINTEE,      /* the member points to one element, read (NULL: as
                            zeros) and never set from Python */
} cb_field_via;

/* How a struct's repr shows a field, as NVIDIA's does. */
typedef enum cb_field_show {
    CB_SHOW_VALUE,       /* its value's str (nested structs indented) */
    CB_SHOW_HIDDEN,      /* not at all: a reserved or padding member, private `_name` */
    CB_SHOW_HEX,         /* bytes in hex (CUuuid's) */
} cb_field_show;

struct cb_struct_def;

typedef struct cb_field_def {
    const char *name;
    const struct cb_struct_def *owner;  /* the class whose table this is */
    size_t offset;           /* of the member within the C value */
    size_t size;             /* of one element (the pointee, unless inline) */
    size_t count;            /* inline fixed-array length; 0 for a scalar */
    unsigned char kind;      /* cb_field_kind */
    unsigned char via;       /* cb_field_via */
    short ref;               /* index of the enum / handle / struct class, or -1 */
    short count_field;       /* CB_VIA_LIST: index in owner's fields, or -1 */
    unsigned char show;      /* cb_field_show: how repr shows it */
} cb_field_def;

typedef struct cb_struct_def {
    const char *spec_name;   /* "cuda.bindings.driver.CUDA_MEMCPY2D_st" */
    const char *doc;
    size_t size;             /* sizeof the C type */
    size_t align;            /* its alignment */
    const cb_field_def *fields;  /* NULL for an alias: it inherits its base's */
    int nfields;
    PyGetSetDef *getset;     /* nfields entries and a sentinel; NULL for an alias */
    int base;                /* class this one is a typedef alias of, or -1 */
    void (*fresh)(void *);   /* sets what S() starts with beyond zeros, or NULL */
    PyMethodDef *methods;    /* getPtr and the class's own (set_dsts_srcs); NULL: getPtr */
    int view_only;           /* declared inside another struct (anon_struct0,
                                CUstreamMemOpWaitValueParams_st): as NVIDIA's,
                                S(_ptr) only, a view of that address */
} cb_struct_def;

/* The heap type of `def` (a subclass of `base` when not NULL). */
CB_INTERNAL PyTypeObject *cb_struct_type_new(PyObject *module, const cb_struct_def *def, PyTypeObject *base);

/* Every class's getPtr(), and the method that sets two list fields of one
 * count together (set_dsts_srcs: gen/overrides.py PAIRED_LISTS). */
#define CB_STRUCT_GETPTR_DOC "getPtr($self, /)\n--\n\nAddress of the C struct this object reads and writes, as an int."
CB_INTERNAL PyObject *cb_struct_getPtr(PyObject *self, PyObject *unused);
CB_INTERNAL PyObject *cb_struct_set_pair(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                         const cb_field_def *a, const cb_field_def *b, const char *name);

/* Getter and setter of every field (closure: its cb_field_def). */
CB_INTERNAL PyObject *cb_struct_get(PyObject *self, void *closure);
CB_INTERNAL int cb_struct_set(PyObject *self, PyObject *value, void *closure);

/* For the generated function shims. */

/* A new owning object: sizeof bytes copied from src, zeroed if src is NULL. */
CB_INTERNAL PyObject *cb_struct_new(PyTypeObject *type, const void *src);
/* Its _pvt_ptr (o must be a struct object). */
CB_INTERNAL void *cb_struct_ptr(PyObject *o);
/* Nonzero for an instance of one of the struct classes. */
CB_INTERNAL int cb_is_struct(PyObject *o);
/* An instance of `type` or of any class of the same C type (typedef aliases
 * and their bases), or None when `nullable` (NULL).  The pointer is borrowed. */
CB_INTERNAL int cb_arg_struct(PyObject *o, PyTypeObject *type, int nullable, void **out, const cb_argspec *spec,
                              int argi);
/* Drop what wrappers of foreign memory keep alive (module teardown). */
CB_INTERNAL void cb_struct_cache_clear(void);

/* Room a call writes `need` structs of `type` into (cuMemGetLocationInfo's
 * one per region): one instance, room for one, whose memory the call gets as
 * NVIDIA's does (None: NULL, as there); or a list or tuple of instances, room for as many, as a C
 * array the call writes and cb_struct_room_done copies back into them.  Less
 * room than `need` is a ValueError that names `why`, never a write past it. */
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
