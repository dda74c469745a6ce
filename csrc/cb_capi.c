/* Exporting functions: __pyx_capi__ for Cython (core and pythonic modules), _C_API for C. */
#include "cb_capi.h"

int
cb_add_pyx_capi(PyObject *module, const cb_capi_entry *entries, size_t n)
{
    PyObject *capi = PyDict_New();
    if (capi == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        /* Cython checks the capsule's name against the signature it expects. */
        PyObject *cap = PyCapsule_New((void *)entries[i].fn, entries[i].signature, NULL);
        if (cap == NULL || PyDict_SetItemString(capi, entries[i].name, cap) < 0) {
            Py_XDECREF(cap);
            Py_DECREF(capi);
            return -1;
        }
        Py_DECREF(cap);
    }
    return PyModule_Add(module, "__pyx_capi__", capi);
}

int
cb_core_module_exec(PyObject *module, const cb_capi_entry *entries, size_t n, const void *api,
                    const char *capsule_name)
{
    if (cb_add_pyx_capi(module, entries, n) < 0)
        return -1;
    return PyModule_Add(module, "_C_API", PyCapsule_New((void *)api, capsule_name, NULL));
}
