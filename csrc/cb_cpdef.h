/* The cpdef entry points of the pythonic modules (nvjitlink, nvvm, nvfatbin,
 * nvml, cufile, cudla): what `from cuda.bindings cimport nvjitlink` calls through
 * __pyx_capi__.  Each takes C arguments as Cython passes them and runs the
 * module's own Python-level function, so both doors behave the same. */
#ifndef CB_CPDEF_H
#define CB_CPDEF_H

#include "cb_common.h"
#include <stdint.h>

typedef PyObject *(*cb_fastcall)(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);

/* No cpdef of these modules takes more arguments. */
#define CB_CPDEF_MAX_ARGS 8

/* Calls `fn` of `module` with the arguments after `formats`, one letter
 * each: 'O' a PyObject * (borrowed), 'p' intptr_t (a handle or address:
 * passed on as its bits, a number of 0 to UINTPTR_MAX, which is what the
 * Python functions take), 'q' intptr_t as a number (cuFile's and cuDLA's
 * take intptr_t's range), 'i' int, 'I' uint32_t, 'u' unsigned int, 'K'
 * unsigned long long, 'Q' uint64_t, 'z' size_t.  A new reference, or NULL with an
 * exception set. */
CB_INTERNAL PyObject *cb_cpdef_call(cb_fastcall fn, PyObject *module, const char *formats, ...);

/* A result as the cpdef's C return type, consumed; `on_error` (the
 * declaration's except value; any value for `except *`) with an exception
 * set if it is NULL or does not fit.  An intptr_t takes a negative number
 * or an address above INTPTR_MAX alike. */
CB_INTERNAL intptr_t cb_cpdef_intptr(PyObject *result, intptr_t on_error);
CB_INTERNAL size_t cb_cpdef_size(PyObject *result, size_t on_error);
CB_INTERNAL int cb_cpdef_int(PyObject *result, int on_error);
CB_INTERNAL unsigned int cb_cpdef_uint(PyObject *result, unsigned int on_error);
CB_INTERNAL unsigned long long cb_cpdef_ull(PyObject *result, unsigned long long on_error);
CB_INTERNAL char cb_cpdef_char(PyObject *result, char on_error);
CB_INTERNAL uint64_t cb_cpdef_u64(PyObject *result, uint64_t on_error);
CB_INTERNAL void cb_cpdef_void(PyObject *result);

#endif
