/* The error class of the pythonic modules (def->error_class): an Exception
 * whose `status` is the library's, its message naming the status member. */
#ifndef CB_ERROR_H
#define CB_ERROR_H

#include "cb_common.h"

/* One subclass of the error class (NVML's NotSupportedError): raised for
 * its status; `alias` names it a second time in the module, or is NULL. */
typedef struct cb_error_def {
    long long status;
    const char *name;                  /* "cuda.bindings.nvml.NotSupportedError" */
    const char *alias;                 /* "MemoryError", or NULL */
} cb_error_def;

/* Make the class and add it to the module (module exec); -1 on error. */
CB_INTERNAL int cb_error_class_add(PyObject *module);

/* An error object's __init__ done: Exception's, with `msg` (stolen; NULL
 * with an exception set is passed on) as its one argument.  0, or -1. */
CB_INTERNAL int cb_error_init_message(PyObject *self, PyObject *msg);

/* Pythonic modules: raise <error_class>(status), or its subclass for the
 * status; returns NULL. */
CB_INTERNAL PyObject *cb_raise_status(PyObject *module, long long status);

/* A status a hand-written call got (success is 0): 0 on success, else -1
 * with its exception set: the module's error, or, for `missing` with an
 * exception already set, the loader's (the library or symbol not found). */
CB_INTERNAL int cb_status_failed(PyObject *module, long long status, long long missing);

/* NVML's check_status(): 0 for success (or for `ok` too), else raises as
 * a call returning `status` would. */
CB_INTERNAL PyObject *cb_check_status(PyObject *module, long long status, long long ok);

#endif
