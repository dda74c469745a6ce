/* The pythonic modules' error class (nvJitLinkError, nvvmError, ...): made
 * at import, raised with the status a call returned. */
#include "cb_error.h"

#include "cb_enum.h"

#include <string.h>

static int
error_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"status", NULL};
    PyObject *status;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:__init__", kwlist, &status))
        return -1;
    if (PyObject_SetAttrString(self, "status", status) < 0)
        return -1;
    /* The message names the status: "ERROR_MISSING_ARCH (2)", or is the
     * library's text for it (NVML's; its errors propagate, as NVIDIA's). */
    PyObject *module = PyType_GetModule(Py_TYPE(self));
    PyObject *msg = NULL;
    if (module == NULL)
        PyErr_Clear();
    if (module != NULL && cb_get_state(module)->def->error_message != NULL) {
        long long v = PyLong_AsLongLong(status);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if ((msg = cb_get_state(module)->def->error_message(module, v)) == NULL)
            return -1;
    }
    else if (module != NULL && PyLong_Check(status)) {
        cb_state *st = cb_get_state(module);
        long long v = PyLong_AsLongLong(status);
        PyObject *member = v == -1 && PyErr_Occurred() ? NULL : cb_enum_member(module, st->def->status_enum, v);
        if (member != NULL && !PyLong_CheckExact(member)) {
            PyObject *name = PyObject_GetAttrString(member, "name");
            if (name != NULL)
                msg = PyUnicode_FromFormat("%U (%lld)", name, v);
            Py_XDECREF(name);
        }
        Py_XDECREF(member);
    }
    PyErr_Clear();
    if (msg == NULL)
        msg = PyObject_Str(status);
    return cb_error_init_message(self, msg);
}

int
cb_error_init_message(PyObject *self, PyObject *msg)
{
    if (msg == NULL)
        return -1;
    PyObject *newargs = PyTuple_Pack(1, msg);
    Py_DECREF(msg);
    if (newargs == NULL)
        return -1;
    int rc = ((PyTypeObject *)PyExc_Exception)->tp_init(self, newargs, NULL);
    Py_DECREF(newargs);
    return rc;
}

static PyObject *
error_reduce(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *status = PyObject_GetAttrString(self, "status");
    if (status == NULL)
        return NULL;
    return Py_BuildValue("(O(N))", (PyObject *)Py_TYPE(self), status);
}

static PyMethodDef error_methods[] = {
    {"__reduce__", error_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *
error_type(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    if (st->error_type != NULL)
        return st->error_type;
    PyType_Slot slots[] = {
        {Py_tp_init, st->def->error_init != NULL ? (void *)st->def->error_init : (void *)error_init},
        {Py_tp_methods, st->def->error_methods != NULL ? st->def->error_methods : error_methods},
        {Py_tp_doc, (void *)"Raised when the library returns a status other than success; "
                            "`status` holds it."},
        {0, NULL},
    };
    PyType_Spec spec = {
        .name = st->def->error_class,   /* static: Python 3.11 keeps the pointer */
        .basicsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,  /* GC comes with the base */
        .slots = slots,
    };
    st->error_type = PyType_FromModuleAndSpec(module, &spec, PyExc_Exception);
    return st->error_type;
}

/* One subclass per status (def->errors), added under its name and alias. */
static int
add_subclasses(PyObject *module, PyObject *base)
{
    cb_state *st = cb_get_state(module);
    if ((st->error_subtypes = PyDict_New()) == NULL)
        return -1;
    PyType_Slot slots[] = {{0, NULL}};
    for (int i = 0; i < st->def->nerrors; i++) {
        const cb_error_def *e = &st->def->errors[i];
        PyType_Spec spec = {
            .name = e->name,   /* static, as the base's */
            .basicsize = 0,
            .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
            .slots = slots,
        };
        PyObject *t = PyType_FromModuleAndSpec(module, &spec, base);
        PyObject *key = t == NULL ? NULL : PyLong_FromLongLong(e->status);
        int rc = key == NULL ? -1 : PyDict_SetItem(st->error_subtypes, key, t);
        Py_XDECREF(key);
        if (rc == 0)
            rc = PyModule_AddObjectRef(module, strrchr(e->name, '.') + 1, t);
        if (rc == 0 && e->alias != NULL)
            rc = PyModule_AddObjectRef(module, e->alias, t);
        Py_XDECREF(t);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int
cb_error_class_add(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    PyObject *t = error_type(module);
    if (t == NULL || PyModule_AddObjectRef(module, strrchr(st->def->error_class, '.') + 1, t) < 0)
        return -1;
    return st->def->errors != NULL ? add_subclasses(module, t) : 0;
}

PyObject *
cb_raise_status(PyObject *module, long long status)
{
    PyObject *t = error_type(module);
    if (t == NULL)
        return NULL;
    PyObject *v = PyLong_FromLongLong(status);
    if (v == NULL)
        return NULL;
    cb_state *st = cb_get_state(module);
    if (st->error_subtypes != NULL) {   /* the status's own subclass, where it has one */
        PyObject *sub = PyDict_GetItemWithError(st->error_subtypes, v);
        if (sub != NULL)
            t = sub;
        else if (PyErr_Occurred()) {
            Py_DECREF(v);
            return NULL;
        }
    }
    PyObject *exc = PyObject_CallOneArg(t, v);
    Py_DECREF(v);
    if (exc != NULL) {
        PyErr_SetObject(t, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

int
cb_status_failed(PyObject *module, long long status, long long missing)
{
    if (status == 0)
        return 0;
    if (!(status == missing && PyErr_Occurred()))
        cb_raise_status(module, status);
    return -1;
}

PyObject *
cb_check_status(PyObject *module, long long status, long long ok)
{
    if (status == 0 || status == ok)
        return PyLong_FromLong(0);
    return cb_raise_status(module, status);
}
