/* C arrays to and from Python lists, for array parameters of the driver
 * (lists of handles, ints, enums, addresses or structs with a count) and for
 * arrays a call fills.  One element description drives both directions. */
#ifndef CB_ARRAY_H
#define CB_ARRAY_H

#include "cb_args.h"

typedef enum cb_elem_kind {
    CB_ELEM_INT,        /* C integer or enum: `size` bytes, `is_signed` */
    CB_ELEM_HANDLE,     /* handle class `type`: pointer or integer valued, `size` bytes */
    CB_ELEM_ADDRESS,    /* void *: int, None, a handle, or a buffer's address */
    CB_ELEM_STRUCT,     /* struct class `type`, `size` bytes each */
} cb_elem_kind;

typedef struct cb_elem {
    cb_elem_kind kind;
    size_t size;
    int is_signed;
    PyTypeObject *type;
} cb_elem;

typedef struct cb_array {
    void *ptr;               /* what the call gets: NULL for an empty list */
    void *heap;              /* owned memory, if the inline space was too small */
    PyObject *keep;          /* objects whose memory elements point into */
    long long inline_space[16];
} cb_array;

#define CB_ARRAY_INIT {NULL, NULL, NULL, {0}}

/* A list or tuple of exactly `count` elements (None or an empty list when
 * count is 0) converted into a C array. */
CB_INTERNAL int cb_arg_array(PyObject *o, const cb_elem *e, long long count, const char *count_name,
                             cb_array *arr, CB_ARG);

/* Room for n elements the call will fill, zeroed (ptr NULL when n is 0). */
CB_INTERNAL int cb_array_alloc(cb_array *arr, const cb_elem *e, unsigned long long n);

CB_INTERNAL void cb_array_release(cb_array *arr);

/* A list of n Python values from a C array (handles, ints, struct copies). */
CB_INTERNAL PyObject *cb_array_list(const cb_elem *e, const void *data, size_t n);

/* Values whose type a key selects (cuPointerGetAttribute[s], pool
 * attributes, shareable handles): room for the largest, CUmemFabricHandle. */
#define CB_TYPED_SLOT 64

/* For an array of them: one slot per key, and the array of slot addresses
 * the call writes through. */
typedef struct cb_typed_values {
    void **slots;            /* n addresses, each of a zeroed 64-byte slot */
    size_t n;
} cb_typed_values;

#define CB_TYPED_VALUES_INIT {NULL, 0}

typedef PyObject *(*cb_typed_get)(PyObject *module, long long key, const void *value);

CB_INTERNAL int cb_typed_values_alloc(cb_typed_values *v, size_t n);
CB_INTERNAL void cb_typed_values_release(cb_typed_values *v);

/* [get(module, keys[i], slot i) for each i]: the values as their keys' types. */
CB_INTERNAL PyObject *cb_typed_list(PyObject *module, cb_typed_get get, const int *keys, const cb_typed_values *v);

#endif
