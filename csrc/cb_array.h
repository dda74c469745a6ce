/* C arrays to and from Python lists, for array parameters of the driver
 * (lists of handles, ints, enums, addresses or structs with a count) and for
 * arrays a call fills.  One element description drives both directions. */
#ifndef CB_ARRAY_H
#define CB_ARRAY_H

#include "cb_args.h"

typedef enum cb_elem_kind {
    CB_ELEM_INT,        /* C integer or enum (`type` the enum's class): `size` bytes, `is_signed` */
    CB_ELEM_HANDLE,     /* handle class `type`: pointer or integer valued, `size` bytes */
    CB_ELEM_ADDRESS,    /* void *: int, None, a handle, or a buffer's address */
    CB_ELEM_STRUCT,     /* struct class `type`, `size` bytes each */
    CB_ELEM_FLOAT,      /* float or double: `size` bytes */
} cb_elem_kind;

typedef struct cb_elem {
    cb_elem_kind kind;
    size_t size;
    int is_signed;
    PyTypeObject *type;
    int flags;       /* CB_ELEM_* flags below */
} cb_elem;

/* Items by __int__ (device pointers), refusing an object with only __index__. */
#define CB_ELEM_INT_ITEMS 1
/* Any iterable, and None for NULL (cuTensorMapEncodeIm2col's corners). */
#define CB_ELEM_ANY_ITERABLE 2

typedef struct cb_array {
    void *ptr;               /* what the call gets: NULL for an empty list */
    void *heap;              /* owned memory, if the inline space was too small */
    PyObject *keep;          /* objects whose memory elements point into */
    Py_ssize_t n;            /* how many items the caller gave */
    long long inline_space[16];
} cb_array;

#define CB_ARRAY_INIT {NULL, NULL, NULL, 0, {0}}

/* A list or tuple converted into a C array, as NVIDIA's takes one: every
 * item must be of the element's class (a handle class, a struct class, the
 * enum, int), and is converted; an address list converts only its first
 * `count` (CB_ANY_LENGTH: all).  None is NULL, but for a list of plain ints.
 * The count itself is checked later, against arr->n (cb_arg_count_check),
 * once every argument is converted. */
CB_INTERNAL int cb_arg_array(PyObject *o, const cb_elem *e, long long count, cb_array *arr, CB_ARG);

/* The same, or one handle or struct of the element's class, or an int
 * address of `count` elements (cuGraphicsMapResources' resources, as
 * NVIDIA's takes them). */
CB_INTERNAL int cb_arg_array_or_one(PyObject *o, const cb_elem *e, long long count, cb_array *arr, CB_ARG);

/* Room for n elements the call will fill, zeroed (ptr NULL when n is 0). */
CB_INTERNAL int cb_array_alloc(cb_array *arr, const cb_elem *e, unsigned long long n);

CB_INTERNAL void cb_array_release(cb_array *arr);

/* A list of n Python values from a C array (handles, ints, struct copies). */
CB_INTERNAL PyObject *cb_array_list(const cb_elem *e, const void *data, size_t n);

/* Values whose type a key selects (cuPointerGetAttribute[s], pool
 * attributes, shareable handles): room for the largest, CUmemFabricHandle. */
#define CB_TYPED_SLOT 64

/* Room for a typed value set with its size (cuCoredumpSetAttribute): a
 * path of up to 1023 characters and its NUL. */
#define CB_TYPED_TEXT 1024

/* Typed values set with their size: bytes or a bytearray copied into the
 * `room` bytes at `v` with a NUL (ValueError if too long); the size written. */
CB_INTERNAL int cb_typed_set_chars(PyObject *o, void *v, size_t room, CB_ARG);

/* For an array of them: one slot per key, and the array of slot addresses
 * the call writes through. */
typedef struct cb_typed_values {
    void **slots;            /* n addresses, each of a zeroed slot */
    const size_t *sizes;     /* the caller's size of each slot (dataSizes), or NULL: CB_TYPED_SLOT each */
    size_t n;
} cb_typed_values;

#define CB_TYPED_VALUES_INIT {NULL, NULL, 0}

/* The Python value of a typed value of `size` bytes (at least CB_TYPED_SLOT
 * are readable at `value`, so a fixed-size type can always be read). */
typedef PyObject *(*cb_typed_get)(PyObject *module, long long key, const void *value, size_t size);

/* n slots, each sizes[i] bytes (CB_TYPED_SLOT when sizes is NULL), and
 * never less room than CB_TYPED_SLOT; MemoryError when that is too much. */
CB_INTERNAL int cb_typed_values_alloc(cb_typed_values *v, size_t n, const size_t *sizes);
CB_INTERNAL void cb_typed_values_release(cb_typed_values *v);

/* Zeroed room for one typed value of `size` bytes, never less than
 * CB_TYPED_SLOT; NULL with MemoryError set.  PyMem_Free it. */
CB_INTERNAL void *cb_typed_room(unsigned long long size);

/* [get(module, keys[i], slot i, its size) for each i]: the values as their keys' types. */
CB_INTERNAL PyObject *cb_typed_list(PyObject *module, cb_typed_get get, const int *keys, const cb_typed_values *v);

/* Readers of typed values by their size: a list of the size / sizeof(int)
 * ints, a bool (any byte set), the bytes before the first NUL. */
CB_INTERNAL PyObject *cb_typed_int_list(const void *value, size_t size);
CB_INTERNAL PyObject *cb_typed_bool(const void *value, size_t size);
CB_INTERNAL PyObject *cb_typed_chars(const void *value, size_t size);

#endif
