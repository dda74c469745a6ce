/* The error class of the pythonic modules (def->error_class): an Exception
 * whose `status` is the library's, its message naming the status member. */
#ifndef CB_ERROR_H
#define CB_ERROR_H

#include "cb_common.h"

/* Make the class and add it to the module (module exec); -1 on error. */
CB_INTERNAL int cb_error_class_add(PyObject *module);

/* Pythonic modules: raise <error_class>(status); returns NULL. */
CB_INTERNAL PyObject *cb_raise_status(PyObject *module, long long status);

#endif
