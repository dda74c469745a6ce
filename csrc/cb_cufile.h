/* cuda.bindings.cufile's own pieces, written by hand: cuFileError (a
 * cuFile status and, for CU_FILE_CUDA_DRIVER_ERROR, the CUDA driver's), the
 * raising of a failed call's CUfileError_t or of a negative byte count,
 * op_status_error (cufile.h's inline cufileop_status_error), and the module
 * attribute pyCUresult (cuda.bindings.driver.CUresult, imported on first
 * use).  The generated module includes this after its tables (ENUM_*,
 * RECORD_*) and names these in its module definition (gen/addressed.py).
 * Included once, by that module only. */
#ifndef CB_CUFILE_H
#define CB_CUFILE_H

#include "cb_args.h"
#include "cb_enum.h"
#include "cb_error.h"
#include "cb_record.h"
#include "cb_result.h"
#include "cb_state.h"

/* cuda.bindings.driver.CUresult: the CUDA status's class, as NVIDIA's names it. */
static PyObject *
cufile_cu_result_class(void)
{
    PyObject *driver = PyImport_ImportModule("cuda.bindings.driver");
    if (driver == NULL)
        return NULL;
    PyObject *cls = PyObject_GetAttrString(driver, "CUresult");
    Py_DECREF(driver);
    return cls;
}

/* "NAME (value)" of a member of cls made from `value` (cls(value): a
 * value that is no member raises its ValueError), or NULL. */
static PyObject *
cufile_named(PyObject *cls, PyObject *value, long long *number)
{
    PyObject *member = PyObject_CallOneArg(cls, value);
    if (member == NULL)
        return NULL;
    PyObject *name = PyObject_GetAttrString(member, "name");
    *number = PyLong_AsLongLong(member);
    Py_DECREF(member);
    if (name == NULL || (*number == -1 && PyErr_Occurred())) {
        Py_XDECREF(name);
        return NULL;
    }
    PyObject *text = PyUnicode_FromFormat("%U (%lld)", name, *number);
    Py_DECREF(name);
    return text;
}

/* cuFileError(status, cu_err=None): `status` and `cuda_error` set, the
 * message "NAME (status): <cuFile's text>[; CUDA status: NAME (cu_err)]". */
static int
cufile_error_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"status", "cu_err", NULL};
    PyObject *status, *cu_err = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:__init__", kwlist, &status, &cu_err))
        return -1;
    PyObject *module = PyType_GetModule(Py_TYPE(self));
    if (module == NULL)
        return -1;
    if (PyObject_SetAttrString(self, "status", status) < 0 || PyObject_SetAttrString(self, "cuda_error", cu_err) < 0)
        return -1;
    PyObject *op = cb_enum_type(module, ENUM_CUfileOpError);
    if (op == NULL)
        return -1;
    long long number;
    PyObject *named = cufile_named(op, status, &number);
    Py_DECREF(op);
    if (named == NULL)
        return -1;
    const char *text = number >= INT_MIN && number <= INT_MAX ? cufileop_status_error((CUfileOpError)number)
                                                               : "unknown cufile error";
    PyObject *msg = PyUnicode_FromFormat("%U: %s", named, text);
    Py_DECREF(named);
    if (msg != NULL && cu_err != Py_None) {
        PyObject *cls = cufile_cu_result_class();
        long long cu_number;
        PyObject *cu_named = cls != NULL ? cufile_named(cls, cu_err, &cu_number) : NULL;
        Py_XDECREF(cls);
        PyObject *full = cu_named != NULL ? PyUnicode_FromFormat("%U; CUDA status: %U", msg, cu_named) : NULL;
        Py_XDECREF(cu_named);
        Py_SETREF(msg, full);
    }
    return cb_error_init_message(self, msg);
}

static PyObject *
cufile_error_reduce(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *status = PyObject_GetAttrString(self, "status");
    PyObject *cu_err = status != NULL ? PyObject_GetAttrString(self, "cuda_error") : NULL;
    PyObject *r = cu_err != NULL ? Py_BuildValue("(O(OO))", (PyObject *)Py_TYPE(self), status, cu_err) : NULL;
    Py_XDECREF(status);
    Py_XDECREF(cu_err);
    return r;
}

static PyMethodDef cufile_error_methods[] = {
    {"__reduce__", cufile_error_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* Raise cuFileError(args) (its own errors, a ValueError for a status that
 * is no OpError, propagate, as NVIDIA's); returns NULL. */
static PyObject *
cufile_raise_with(PyObject *module, PyObject *args)
{
    PyObject *type = cb_get_state(module)->error_type;
    PyObject *exc = args != NULL && type != NULL ? PyObject_Call(type, args, NULL) : NULL;
    Py_XDECREF(args);
    if (exc != NULL) {
        PyErr_SetObject(type, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* A failed call's status: the CUDA status goes with CU_FILE_CUDA_DRIVER_ERROR only. */
static PyObject *
cufile_raise(PyObject *module, CUfileError_t status)
{
    if (status.err == CU_FILE_CUDA_DRIVER_ERROR)
        return cufile_raise_with(module, Py_BuildValue("(ii)", (int)status.err, (int)status.cu_err));
    return cufile_raise_with(module, Py_BuildValue("(i)", (int)status.err));
}

/* cuFileRead's negative result, raised as cuFileError(reason): -1 says
 * errno has the reason, another is minus a status.  (An errno is no
 * OpError: its ValueError propagates, as NVIDIA's.) */
static PyObject *
cufile_raise_negative(PyObject *module, long long r, int errno_value)
{
    return cufile_raise_with(module, Py_BuildValue("(L)", r == -1 ? (long long)errno_value : -r));
}

static const char *const names_op_status_error[] = {"status"};
static const cb_argspec spec_op_status_error = {"op_status_error", names_op_status_error, 1, 0};

/* op_status_error(status): cuFile's text for a status (cufile.h's inline function). */
static PyObject *
py_op_status_error(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[1];
    long long status;
    (void)module;
    if (cb_unpack(&spec_op_status_error, args, nargs, kwnames, argv) < 0 ||
        cb_arg_ll(argv[0], INT_MIN, INT_MAX, &status, &spec_op_status_error, 0) < 0)
        return NULL;
    return cb_str_or_none(cufileop_status_error((CUfileOpError)status));
}

static PyObject *
cufile_getattr(PyObject *module, PyObject *name)
{
    if (PyUnicode_CompareWithASCIIString(name, "pyCUresult") == 0) {
        PyObject *cls = cufile_cu_result_class();
        if (cls != NULL && PyModule_AddObjectRef(module, "pyCUresult", cls) < 0)
            Py_CLEAR(cls);
        return cls;
    }
    return cb_record_getattr(module, name);
}

static int
cufile_dir(PyObject *module, PyObject *names)
{
    PyObject *dict = PyModule_GetDict(module);   /* borrowed */
    int made = PyDict_GetItemString(dict, "pyCUresult") != NULL;
    if (!made) {
        PyObject *s = PyUnicode_FromString("pyCUresult");
        int rc = s == NULL ? -1 : PyList_Append(names, s);
        Py_XDECREF(s);
        if (rc < 0)
            return -1;
    }
    return cb_record_dir(module, names);
}

#endif
