/* The cpdef entry points of the pythonic modules (nvjitlink, nvvm, nvfatbin):
 * what `from cuda.bindings cimport nvjitlink` calls through __pyx_capi__.
 * Each takes C arguments as Cython passes them and runs the module's own
 * Python-level function, so both doors behave the same. */
#ifndef CB_CPDEF_H
#define CB_CPDEF_H

#include "cb_common.h"
#include <stdint.h>

typedef PyObject *(*cb_fastcall)(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);

/* Calls `fn` of `module` with the arguments after `formats`, one letter
 * each: 'O' a PyObject * (borrowed), 'p' intptr_t, 'i' int, 'I' uint32_t,
 * 'z' size_t.  A new reference, or NULL with an exception set. */
CB_INTERNAL PyObject *cb_cpdef_call(cb_fastcall fn, PyObject *module, const char *formats, ...);

/* A result as the cpdef's C return type, consumed; `on_error` (the
 * declaration's except value) with an exception set if it is NULL or does
 * not fit. */
CB_INTERNAL intptr_t cb_cpdef_intptr(PyObject *result, intptr_t on_error);
CB_INTERNAL size_t cb_cpdef_size(PyObject *result, size_t on_error);
CB_INTERNAL int cb_cpdef_int(PyObject *result, int on_error);

#endif
