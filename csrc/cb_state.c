/* A module's state: its tables of what was made, and their life. */
#include "cb_state.h"

PyObject *cb_last_module;
cb_state *cb_last_state;

int
cb_state_init(PyObject *module, const cb_module_def *def)
{
    cb_state *st = cb_get_state(module);
    st->def = def;
    st->module = module;
#ifndef Py_GIL_DISABLED
    cb_last_module = module;
    cb_last_state = st;
#endif
    st->enums = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject *));
    st->enum_cache = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject **));
    st->enum_cache_len = PyMem_Calloc((size_t)def->nenums + 1, sizeof(long long));
    st->handles = PyMem_Calloc((size_t)def->nhandles + 1, sizeof(PyTypeObject *));
    st->structs = PyMem_Calloc((size_t)def->nstructs + 1, sizeof(PyTypeObject *));
    if (!st->enums || !st->enum_cache || !st->enum_cache_len || !st->handles || !st->structs) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

void
cb_state_clear(cb_state *st)
{
    if (st->def == NULL)
        return;
    for (int i = 0; i < st->def->nenums; i++) {
        if (st->enum_cache && st->enum_cache[i]) {
            for (long long v = 0; v < st->enum_cache_len[i]; v++)
                Py_CLEAR(st->enum_cache[i][v]);
        }
        if (st->enums)
            Py_CLEAR(st->enums[i]);
    }
    for (int i = 0; st->handles && i < st->def->nhandles; i++)
        Py_CLEAR(st->handles[i]);
    for (int i = 0; st->structs && i < st->def->nstructs; i++)
        Py_CLEAR(st->structs[i]);
    for (int i = 0; st->records && i < 3 * st->nrecords; i++)
        Py_CLEAR(st->records[i]);
    Py_CLEAR(st->error_type);
    Py_CLEAR(st->error_subtypes);
}

int
cb_state_traverse(cb_state *st, visitproc visit, void *arg)
{
    if (st->def == NULL)
        return 0;
    for (int i = 0; i < st->def->nenums; i++) {
        if (st->enums)
            Py_VISIT(st->enums[i]);
        if (st->enum_cache && st->enum_cache[i])
            for (long long v = 0; v < st->enum_cache_len[i]; v++)
                Py_VISIT(st->enum_cache[i][v]);
    }
    for (int i = 0; st->handles && i < st->def->nhandles; i++)
        Py_VISIT(st->handles[i]);
    for (int i = 0; st->structs && i < st->def->nstructs; i++)
        Py_VISIT(st->structs[i]);
    for (int i = 0; st->records && i < 3 * st->nrecords; i++)
        Py_VISIT(st->records[i]);
    Py_VISIT(st->error_type);
    Py_VISIT(st->error_subtypes);
    return 0;
}

void
cb_state_free(cb_state *st)
{
    cb_state_clear(st);
    if (st->enum_cache)
        for (int i = 0; st->def && i < st->def->nenums; i++)
            PyMem_Free(st->enum_cache[i]);
    PyMem_Free(st->enums);
    PyMem_Free(st->enum_cache);
    PyMem_Free(st->enum_cache_len);
    PyMem_Free(st->handles);
    PyMem_Free(st->structs);
    PyMem_Free(st->records);
    st->records = NULL;
    st->nrecords = 0;
}

void
cb_state_forget(PyObject *module, cb_state *st)
{
    st->def = NULL;
    if (module == cb_last_module) {
        cb_last_module = NULL;
        cb_last_state = NULL;
    }
}
