/* What the generated shims return: tuples, ints, bytes, str, lists. */
#ifndef CB_RESULT_H
#define CB_RESULT_H

#include "cb_common.h"

/* Build a tuple from n new references, stealing them; NULL if any is NULL.
 * A macro over an array, not a variadic function: no va_list per call. */
CB_INTERNAL PyObject *cb_pack_items(int n, PyObject *const *items);
#define cb_pack(n, ...) cb_pack_items((n), (PyObject *const[]){__VA_ARGS__})

/* Int results.  0..255 come from a table filled at module set-up (the
 * interpreter keeps these ints for good), without a call into it. */
#define CB_SMALL_INTS 256
CB_INTERNAL extern PyObject *cb_small_ints[CB_SMALL_INTS];
CB_INTERNAL int cb_small_ints_fill(void);

static inline PyObject *
cb_int(long long v)
{
    if (CB_LIKELY((unsigned long long)v < CB_SMALL_INTS && cb_small_ints[v] != NULL))
        return Py_NewRef(cb_small_ints[v]);
    return PyLong_FromLongLong(v);
}

static inline PyObject *
cb_uint(unsigned long long v)
{
    if (CB_LIKELY(v < CB_SMALL_INTS && cb_small_ints[v] != NULL))
        return Py_NewRef(cb_small_ints[v]);
    return PyLong_FromUnsignedLongLong(v);
}

/* (status, None * nout) for a failed call: status stolen. */
CB_INTERNAL PyObject *cb_status_only(PyObject *status, int nout);

/* Drop the result tuples, bytes and ints kept for reuse (module teardown). */
CB_INTERNAL void cb_result_cache_clear(void);

/* Bytes from a C string, None for NULL. */
CB_INTERNAL PyObject *cb_bytes_or_none(const char *s);

/* str from a C string (UTF-8, undecodable bytes escaped), None for NULL:
   the pythonic modules' error strings. */
CB_INTERNAL PyObject *cb_str_or_none(const char *s);

/* str of the first `n` chars of a buffer of `room` (n beyond it: room),
 * NULs and all, as NVIDIA's NVML module decodes a length the call wrote. */
CB_INTERNAL PyObject *cb_str_of_size(const char *s, unsigned long long n, size_t room);

/* A list of ints from a C int array. */
CB_INTERNAL PyObject *cb_int_list(const int *values, size_t n);

/* Room for n items of `itemsize` bytes that a call fills (a zeroed
 * bytearray, its bytes at PyByteArray_AS_STRING), and then its first n
 * items as a memoryview of struct-module `format` ("I": unsigned int),
 * as NVIDIA's NVML module returns arrays of numbers.  New references. */
CB_INTERNAL PyObject *cb_room_new(unsigned long long n, size_t itemsize);
CB_INTERNAL PyObject *cb_room_view(PyObject *room, const char *format, unsigned long long n);

#endif
