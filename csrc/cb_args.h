/* Argument parsing and conversion for the generated Python shims.
 *
 * A generated shim unpacks its FASTCALL arguments with cb_unpack() and then
 * converts each one with one call below; every converter names the function
 * and the parameter in its error, and never trusts a Python object's size.
 * Integer addresses are trusted, as in C.
 */
#ifndef CB_ARGS_H
#define CB_ARGS_H

#include "cb_common.h"
#include "cb_handle.h"
#include "cb_int.h"
#include <limits.h>
#include <stdint.h>

typedef struct cb_argspec {
    const char *func;                 /* Python name of the function */
    const char *const *names;         /* its parameter names */
    int nparams;
    int noptional;                    /* the last ones may be left out: they read as CB_OMITTED */
} cb_argspec;

/* Context every converter takes for its messages. */
#define CB_ARG const cb_argspec *spec, int argi

/* The converters below take the common case inline (all positional
 * arguments, a small exact int, an exact handle class) and call their
 * general form, named *_any, for everything else. */

/* What an optional argument left out reads as (the length of an array the
 * call fills: 0, as NVIDIA's default is; None given for it is a TypeError):
 * a real object no caller means as a length. */
#define CB_OMITTED Py_NotImplemented

/* Fill out[0..nparams) from positional and keyword arguments (borrowed). */
CB_INTERNAL int cb_unpack_any(const cb_argspec *spec, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames, PyObject **out);

static inline int
cb_unpack(const cb_argspec *spec, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
    if (CB_LIKELY(kwnames == NULL && nargs == spec->nparams)) {
        for (int i = 0; i < spec->nparams; i++)
            out[i] = args[i];
        return 0;
    }
    return cb_unpack_any(spec, args, nargs, kwnames, out);
}

/* Integers as NVIDIA's (Cython's) C integer arguments: an int, or an
 * object with __int__ (floats truncate); objects with only __index__,
 * strings and None are refused; the value must fit [lo, hi]. */
CB_INTERNAL int cb_arg_ll_any(PyObject *o, long long lo, long long hi, long long *out, CB_ARG);
CB_INTERNAL int cb_arg_ull_any(PyObject *o, unsigned long long hi, unsigned long long *out, CB_ARG);

static inline int
cb_arg_ll(PyObject *o, long long lo, long long hi, long long *out, CB_ARG)
{
    long long v;
    if (CB_LIKELY(cb_small_int(o, &v) && v >= lo && v <= hi)) {
        *out = v;
        return 0;
    }
    return cb_arg_ll_any(o, lo, hi, out, spec, argi);
}

static inline int
cb_arg_ull(PyObject *o, unsigned long long hi, unsigned long long *out, CB_ARG)
{
    long long v;
    if (CB_LIKELY(cb_small_int(o, &v) && v >= 0 && (unsigned long long)v <= hi)) {
        *out = (unsigned long long)v;
        return 0;
    }
    return cb_arg_ull_any(o, hi, out, spec, argi);
}

/* An enum argument of the tuple-style modules, as NVIDIA's converts one:
 * int(o) (a member of any enum, an int, a float, a numeric str or bytes),
 * None refused, the value within a C long. */
CB_INTERNAL int cb_arg_enum_any(PyObject *o, long long *out, CB_ARG);

static inline int
cb_arg_enum(PyObject *o, long long *out, CB_ARG)
{
    if (CB_LIKELY(cb_small_int(o, out)))
        return 0;
    return cb_arg_enum_any(o, out, spec, argi);
}

/* A handle of the pythonic modules (nvJitLink, NVVM, nvFatbin, NVML), which
 * pass them as plain ints (intptr_t in NVIDIA's): an int (or a subclass) and
 * nothing else, as NVIDIA's: TypeError for a float, an object with __index__
 * or __int__ (NVML's struct objects), a handle object of the tuple-style
 * modules.  A negative one is refused (OverflowError). */
CB_INTERNAL int cb_arg_int_handle(PyObject *o, unsigned long long *out, CB_ARG);
/* An address or handle that the reference declares intptr_t (cuFile's,
 * cuDLA's): an int as for cb_arg_int_handle, in intptr_t's range (-1 is
 * one, 2**63 none), as NVIDIA's converts it. */
CB_INTERNAL int cb_arg_intptr(PyObject *o, long long *out, CB_ARG);

/* An address as int() of any object, as NVIDIA's cuFile takes an argument
 * it declares no type for: None is NULL, a struct object gives its memory
 * (its __int__), "12" is 12; int()'s own errors, and a negative value is an
 * OverflowError (no address). */
CB_INTERNAL int cb_arg_int_of(PyObject *o, void **out, CB_ARG);

/* A C float or double: int or float (anything with __float__ except str). */
CB_INTERNAL int cb_arg_double(PyObject *o, double *out, CB_ARG);

/* An address: int (or __index__), None for NULL, or a handle object. */
CB_INTERNAL int cb_arg_address(PyObject *o, void **out, CB_ARG);

/* The same, but a handle object must be of `type` (or its twin). */
CB_INTERNAL int cb_arg_address_of(PyObject *o, PyTypeObject *type, void **out, CB_ARG);

/* A pointer-sized handle, in two phases.  Phase one (cb_arg_handle): None
 * is NULL, an int or an object with __int__ is converted now (__int__ may
 * run Python code); a handle object, of any class as NVIDIA's int() takes
 * them, is kept in *obj.  A float is refused (NVIDIA's takes int(1.5) as
 * address 1).  Phase two (cb_handle_read), after every
 * conversion that can run Python code: that object's value is read. */
CB_INTERNAL int cb_arg_handle_any(PyObject *o, void **out, PyObject **obj, CB_ARG);

static inline int
cb_arg_handle(PyObject *o, PyTypeObject *type, void **out, PyObject **obj, CB_ARG)
{
    if (CB_LIKELY(Py_IS_TYPE(o, type))) {
        *obj = o;
        return 0;
    }
    return cb_arg_handle_any(o, out, obj, spec, argi);
}

/* The same, but a handle object must be of `type` (or its twin): for a
 * library that dereferences its handles unchecked (Library.own_handles_only). */
CB_INTERNAL int cb_arg_own_handle(PyObject *o, PyTypeObject *type, void **out, PyObject **obj, CB_ARG);

static inline void *
cb_handle_read(PyObject *obj, PyTypeObject *type, void *converted)
{
    if (obj == NULL)
        return converted;
    if (CB_LIKELY(Py_IS_TYPE(obj, type)))
        return *(void **)((cb_handle *)obj)->_pvt_ptr;
    return cb_handle_pointer(obj);
}

/* Both phases at once, where no other argument is converted after. */
static inline int
cb_arg_handle_now(PyObject *o, PyTypeObject *type, void **out, CB_ARG)
{
    PyObject *obj;
    if (cb_arg_handle(o, type, out, &obj, spec, argi) < 0)
        return -1;
    *out = cb_handle_read(obj, type, *out);
    return 0;
}

/* An int in [lo, hi] as the two's complement bits of its value: the
 * signed or unsigned check as lo says, for callers that store by size. */
CB_INTERNAL int cb_arg_bits(PyObject *o, long long lo, unsigned long long hi, unsigned long long *out, CB_ARG);

/* An integer-valued handle (CUdevice, CUdeviceptr, cuuint64_t, ...): an
 * instance of `type`, an int in [lo, hi], or None for 0.  *out gets the
 * value's bits (two's complement for negative values); the caller casts. */
CB_INTERNAL int cb_arg_handle_value(PyObject *o, PyTypeObject *type, long long lo, unsigned long long hi,
                                    unsigned long long *out, CB_ARG);

/* Read-only or writable memory passed to the library. */
typedef struct cb_buf {
    void *ptr;
    Py_ssize_t len;          /* -1 for a raw address: size unknown, trusted */
    Py_buffer view;
    int has_view;
    char scratch[1];         /* what an output into a shared bytes object goes to */
} cb_buf;

#define CB_BUF_INIT {NULL, -1, {0}, 0, {0}}

/* Accepts an object with the buffer protocol (bytes are accepted even when
 * `writable`: that is how NVIDIA's bindings take output buffers), an int
 * address, or None (NULL) when `nullable`.  An empty or one-byte bytes
 * object is one the interpreter shares (b" " * 1, for an empty log, is that
 * object): an output into it goes to scratch.  Release with cb_buf_release(). */
/* `nullable` for an input of the pythonic modules: None is NULL, and what
 * is not a buffer or an address raises ValueError, as NVIDIA's there. */
#define CB_BUF_PYTHONIC 2
CB_INTERNAL int cb_arg_buffer(PyObject *o, int writable, int nullable, cb_buf *b, CB_ARG);
/* Output memory of the tuple-style modules (nvrtcGetPTX's `ptx`): a buffer
 * object only, never an int address (TypeError, as NVIDIA's raises). */
CB_INTERNAL int cb_arg_out_buffer(PyObject *o, cb_buf *b, CB_ARG);
CB_INTERNAL void cb_buf_release(cb_buf *b);

/* A memoryview of a C-contiguous buffer object, for memory a call (or a C
 * array it takes) points into: kept until the call returns, the view holds
 * the export, so the memory cannot move (a bytearray cannot be resized) or
 * go.  *ptr gets the memory's address.  NULL with TypeError otherwise. */
CB_INTERNAL PyObject *cb_buffer_hold(PyObject *o, void **ptr, CB_ARG);

/* Raise ValueError unless the buffer holds at least `need` bytes (exactly
 * `need` where `exact`: the pythonic modules' inputs, as NVIDIA's checks
 * them).  An address or NULL is trusted. */
CB_INTERNAL int cb_buf_require(const cb_buf *b, unsigned long long need, const char *what, int exact, CB_ARG);

/* The items of a list or tuple as a private tuple (a new reference): the
 * one way converters read a caller's sequence.  Converting an item may run
 * Python code (an __index__), which can change the caller's list but never
 * this tuple. */
CB_INTERNAL PyObject *cb_arg_items(PyObject *o);

/* A sequence and its count argument, as NVIDIA's takes them: once every
 * item has been checked, fewer than `count` items is a RuntimeError naming
 * `count_name`, and more are fine (the first `count` are used).
 * CB_ANY_LENGTH: there is no count. */
#define CB_ANY_LENGTH LLONG_MIN
CB_INTERNAL int cb_arg_count_check(Py_ssize_t n, long long count, const char *count_name, CB_ARG);

/* 0 where o is None or of handle class `type` (NULL: its making failed), as
 * NVIDIA's takes some handles (log iterators); else -1 with TypeError set. */
CB_INTERNAL int cb_arg_handle_object(PyObject *o, PyTypeObject *type, CB_ARG);

/* The value of a typed set whose type is a handle class (cuMemPoolSetAttribute's
 * cuuint64_t): as NVIDIA's, a handle object (any class: its value); a plain
 * int or None is an AttributeError, a struct a TypeError. */
CB_INTERNAL int cb_arg_typed_handle(PyObject *o, unsigned long long *out, CB_ARG);

/* A C string: bytes (no embedded NUL), str too when `allow_str`, only str
 * when it is CB_STR_ONLY (the pythonic modules' names, as NVIDIA's), None
 * when `nullable`; where `copy` is given, a bytearray too, copied into a new
 * bytes object left there for the caller to release.  The pointer is
 * borrowed from `o` (or *copy). */
#define CB_STR_ONLY 2
CB_INTERNAL int cb_arg_cstr(PyObject *o, int nullable, int allow_str, const char **out, PyObject **copy, CB_ARG);

/* A list or tuple of exactly `count` C strings (None when count is 0). */
typedef struct cb_strlist {
    const char **items;
    PyObject *keep;          /* tuple holding the items alive */
    const char *inline_items[8];
} cb_strlist;

#define CB_STRLIST_INIT {NULL, NULL, {NULL}}

CB_INTERNAL int cb_arg_cstr_list(PyObject *o, long long count, const char *count_name, int allow_str,
                                 cb_strlist *l, CB_ARG);
CB_INTERNAL void cb_strlist_release(cb_strlist *l);

/* Room for a C string of up to n characters the call writes (zeroed, one
 * more byte for the NUL); ValueError naming `count_name` when n < 0. */
CB_INTERNAL char *cb_char_buffer(long long n, const char *count_name, CB_ARG);

#endif
