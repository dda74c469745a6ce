/* What every generated Python module shares.  A generated module is tables
 * (cb_module_def) plus one shim per function; everything that behaves lives
 * in csrc/, and this header brings the generated code all of it:
 *
 *   cb_state.h   the tables and the module state, cb_get_state()
 *   cb_enum.h    enum classes and members, enum keys
 *   cb_class.h   handle and struct classes by index, made on first use
 *   cb_error.h   the pythonic modules' error class
 *
 * and declares the module's own slots and methods (cb_module.c). */
#ifndef CB_MODULE_H
#define CB_MODULE_H

#include "cb_common.h"
#include "cb_class.h"
#include "cb_enum.h"
#include "cb_error.h"
#include "cb_handle.h"
#include "cb_state.h"
#include "cb_struct.h"

/* Module slots. */
CB_INTERNAL int cb_module_exec(PyObject *module, const cb_module_def *def);
CB_INTERNAL int cb_module_traverse(PyObject *module, visitproc visit, void *arg);
CB_INTERNAL int cb_module_clear(PyObject *module);
CB_INTERNAL void cb_module_free(void *module);

/* Methods every generated module lists. */
CB_INTERNAL PyObject *cb_module_getattr(PyObject *module, PyObject *name);
/* Append `name` to the list `names` (dir()'s names of a class not made yet): -1 with an exception. */
CB_INTERNAL int cb_append_name(PyObject *names, const char *name);
CB_INTERNAL PyObject *cb_module_dir(PyObject *module, PyObject *unused);
CB_INTERNAL PyObject *cb_module_sizeof(PyObject *module, PyObject *objType);
/* _handle_kind(cls): the cb_handle_kind of a handle class this package made
 * (not of a subclass), else None. */
CB_INTERNAL PyObject *cb_module_handle_kind(PyObject *module, PyObject *cls);

#endif
