/* The tables a generated module declares for its struct and union classes:
 * per class a cb_struct_def, per root class a cb_field_def for each field.
 * Offsets and sizes in them are sizeof/offsetof expressions on the real C
 * types.  Types only: every struct file reads them. */
#ifndef CB_STRUCT_DEF_H
#define CB_STRUCT_DEF_H

#include "cb_common.h"

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

#endif
