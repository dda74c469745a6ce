/* Packing kernel arguments: see cb_kernel.h for the accepted forms. */
#include "cb_kernel.h"

#include "cb_handle.h"
#include "cb_struct.h"

/* The address of a ctypes instance's data, through the buffer protocol
 * (ctypes objects export their memory; it does not move while they live). */
static void *
data_address(PyObject *obj)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    void *p = view.buf;
    PyBuffer_Release(&view);
    return p;
}

static int
pack_one(PyObject *value, PyObject *type, Py_ssize_t i, cb_kparams *kp, CB_ARG)
{
    if (type == Py_None) {
        if (cb_is_handle(value)) {
            kp->argv[i] = cb_handle_slot(value);  /* the kernel reads the stored value */
            return PyList_Append(kp->keep, value);
        }
        if (cb_is_struct(value)) {
            kp->argv[i] = cb_struct_ptr(value);
            return PyList_Append(kp->keep, value);
        }
        if (PyLong_Check(value)) {
            unsigned long long v;
            if (cb_arg_ull(value, UINTPTR_MAX, &v, spec, argi) < 0)
                return -1;
            kp->values[i] = v;
            kp->argv[i] = &kp->values[i];
            return 0;
        }
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: with type None the value must be a handle or "
                     "struct object of cuda.bindings, or an int, not %.200s", spec->func, i,
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    if (!PyType_Check(type)) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: type must be a ctypes type or None, not %.200s",
                     spec->func, i, Py_TYPE(type)->tp_name);
        return -1;
    }
    PyObject *obj;
    if (PyObject_TypeCheck(value, (PyTypeObject *)type))
        obj = Py_NewRef(value);
    else
        obj = PyObject_CallOneArg(type, value);
    if (obj == NULL)
        return -1;
    void *p = data_address(obj);
    if (p == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: %.200s is not a ctypes type", spec->func, i,
                     ((PyTypeObject *)type)->tp_name);
        Py_DECREF(obj);
        return -1;
    }
    kp->argv[i] = p;
    int rc = PyList_Append(kp->keep, obj);
    Py_DECREF(obj);
    return rc;
}

int
cb_arg_kernel_params(PyObject *o, cb_kparams *kp, CB_ARG)
{
    if (o == Py_None || PyLong_Check(o)) {
        void *p;
        if (cb_arg_address(o, &p, spec, argi) < 0)
            return -1;
        kp->argv = (void **)p;
        return 0;
    }
    if (!PyTuple_Check(o) && !PyList_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be None, an int address or (values, types), "
                     "not %.200s", spec->func, spec->names[argi], Py_TYPE(o)->tp_name);
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(o) != 2) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be a pair (values, types), got %zd items",
                     spec->func, spec->names[argi], PySequence_Fast_GET_SIZE(o));
        return -1;
    }
    PyObject *values = PySequence_Fast(PySequence_Fast_GET_ITEM(o, 0), "kernel argument values must be a sequence");
    if (values == NULL)
        return -1;
    PyObject *types = PySequence_Fast(PySequence_Fast_GET_ITEM(o, 1), "kernel argument types must be a sequence");
    if (types == NULL) {
        Py_DECREF(values);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(values);
    int rc = -1;
    if (PySequence_Fast_GET_SIZE(types) != n) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s': %zd values but %zd types", spec->func,
                     spec->names[argi], n, PySequence_Fast_GET_SIZE(types));
        goto done;
    }
    if ((kp->keep = PyList_New(0)) == NULL)
        goto done;
    if ((size_t)n <= sizeof kp->inline_argv / sizeof kp->inline_argv[0]) {
        kp->argv = kp->inline_argv;
        kp->values = kp->inline_values;
    } else {
        kp->heap = PyMem_Calloc((size_t)n, sizeof(void *) + sizeof(unsigned long long));
        if (kp->heap == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        kp->argv = kp->heap;
        kp->values = (unsigned long long *)(kp->heap + n);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (pack_one(PySequence_Fast_GET_ITEM(values, i), PySequence_Fast_GET_ITEM(types, i), i, kp,
                     spec, argi) < 0)
            goto done;
    }
    rc = 0;
done:
    Py_DECREF(values);
    Py_DECREF(types);
    return rc;
}

void
cb_kparams_release(cb_kparams *kp)
{
    PyMem_Free(kp->heap);
    kp->heap = NULL;
    Py_CLEAR(kp->keep);
}
