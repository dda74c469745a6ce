/* Shared definitions for the hand-written C core of cuda.bindings. */
#ifndef CB_COMMON_H
#define CB_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if defined(__GNUC__)
#define CB_LIKELY(x) __builtin_expect(!!(x), 1)
#define CB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CB_LIKELY(x) (x)
#define CB_UNLIKELY(x) (x)
#endif

/* Symbols shared between our own translation units stay out of the
 * extension's dynamic symbol table. */
#if defined(__GNUC__)
#define CB_INTERNAL __attribute__((visibility("hidden")))
#else
#define CB_INTERNAL
#endif

/* 3.12 added the single-object exception API; older versions get it here. */
#if PY_VERSION_HEX < 0x030C0000
static inline PyObject *
PyErr_GetRaisedException(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL)
        return NULL;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL)
        PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
}

static inline void
PyErr_SetRaisedException(PyObject *exc)
{
    if (exc == NULL) {
        PyErr_Clear();
        return;
    }
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc));
}
#endif

/* Free-threaded builds (3.13t): what the GIL serialised needs saying.
 * CB_BEGIN/END_CRITICAL_SECTION(o) lock one object for the span (no-ops with
 * a GIL); values made on first use are published with a release store and
 * read with an acquire load, so a reader sees NULL or a finished object. */
#ifdef Py_GIL_DISABLED
#define CB_BEGIN_CRITICAL_SECTION(o) Py_BEGIN_CRITICAL_SECTION(o)
#define CB_END_CRITICAL_SECTION() Py_END_CRITICAL_SECTION()
#define cb_load_ptr(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define cb_store_ptr(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define CB_BEGIN_CRITICAL_SECTION(o) {
#define CB_END_CRITICAL_SECTION() }
#define cb_load_ptr(p) (*(p))
#define cb_store_ptr(p, v) (*(p) = (v))
#endif

/* `module`.`name`, a new reference (NULL with an error set). */
static inline PyObject *
cb_import_attr(const char *module, const char *name)
{
    PyObject *mod = PyImport_ImportModule(module);
    PyObject *attr = mod != NULL ? PyObject_GetAttrString(mod, name) : NULL;
    Py_XDECREF(mod);
    return attr;
}

/* 3.13 added PyModule_Add (steals `value`, which may be NULL on error). */
#if PY_VERSION_HEX < 0x030D0000
static inline int
PyModule_Add(PyObject *module, const char *name, PyObject *value)
{
    int rc = value == NULL ? -1 : PyModule_AddObjectRef(module, name, value);
    Py_XDECREF(value);
    return rc;
}
#endif

#endif
