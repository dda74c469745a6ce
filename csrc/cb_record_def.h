/* The tables a generated module declares for its record classes (the
 * struct classes of cuda.bindings.nvml, NVIDIA's numpy-dtype shape): per
 * class a cb_record_def, per member a cb_record_field.  Sizes and offsets
 * are sizeof/offsetof expressions on the real C types (gen/emit_records.py).
 * Types only: every record file reads them. */
#ifndef CB_RECORD_DEF_H
#define CB_RECORD_DEF_H

#include "cb_common.h"

#include <stddef.h>

/* What a member is, and how a plain class (C memory of its own) reads and
 * sets it.  An array class reads every member through its numpy array. */
typedef enum cb_record_kind {
    CB_REC_INT,          /* an integer (enums too): int, converted as Cython
                            converts to `ctype` */
    CB_REC_FLOAT,        /* double: float */
    CB_REC_CHARS,        /* char[count]: str (UTF-8, up to the NUL) */
    CB_REC_NUMS,         /* an integer array (count items, or as many as
                            member count_of says): a numpy array over the
                            struct's memory */
    CB_REC_STRUCT,       /* a struct or union of record `ref`; count > 0:
                            an array of them (as many as count_of says) */
    CB_REC_PTR_STRUCTS,  /* a pointer to count_of items of record `ref` */
    CB_REC_PTR_NUMS,     /* a pointer to count_of integers */
    CB_REC_CSTRING,      /* const char *: str */
    CB_REC_ADDRESS,      /* a handle or another pointer: int (intptr_t) */
    CB_REC_PTR_ADDRS,    /* a pointer to count_of addresses (uint64_t **, cuDLA's): a
                            memoryview of intptr_t items, as NVIDIA's */
} cb_record_kind;

typedef struct cb_record_field {
    const char *name;        /* Python name ("bus_id", "device_"); the dtype's too */
    const char *doc;         /* the attribute's __doc__ */
    size_t offset;           /* of the member in the C value */
    size_t size;             /* of one element (a pointer's: of what it points to, for PTR_NUMS) */
    Py_ssize_t count;        /* fixed array length; 0 for one element */
    unsigned char kind;      /* cb_record_kind */
    unsigned char is_signed; /* integers */
    unsigned char hidden;    /* in the dtype only: a count member, a reserved array */
    const char *ctype;       /* integers: Cython's name of the C type, for its messages */
    const char *format;      /* numpy format of one element in the dtype ("<u4", "i1"; "<i8"
                                for a pointer); NULL for a record */
    short ref;               /* STRUCT, PTR_STRUCTS: index of the element's record */
    short count_of;          /* index (in the same table) of the member counting this one's items, or -1 */
    unsigned char int_size;  /* integers: bytes of the C type */
} cb_record_field;

typedef struct cb_record_def {
    const char *name;        /* class name: "Memory_v2" */
    const char *c_name;      /* "nvmlMemory_v2_t", as the docstrings name it */
    const char *dtype_name;  /* module attribute of its numpy dtype: "memory_v2_dtype" */
    size_t size;             /* sizeof the C type */
    const cb_record_field *fields;  /* every member, in order */
    int nfields;
    unsigned int version;    /* its NVML_STRUCT_VERSION macro's value, 0 if the header has none */
    int array;               /* an array class: n items in a numpy array (X(size=1)) */
} cb_record_def;

#endif
