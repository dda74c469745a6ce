/* Array parameters: Python sequences <-> C arrays. */
#include "cb_array.h"

#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_struct.h"

#include <string.h>

int
cb_array_alloc(cb_array *arr, const cb_elem *e, unsigned long long n)
{
    arr->ptr = NULL;
    if (n == 0)
        return 0;
    if (n > (unsigned long long)PY_SSIZE_T_MAX / e->size) {
        PyErr_NoMemory();
        return -1;
    }
    size_t bytes = (size_t)n * e->size;
    if (bytes <= sizeof arr->inline_space) {
        memset(arr->inline_space, 0, bytes);
        arr->ptr = arr->inline_space;
        return 0;
    }
    arr->heap = PyMem_Calloc((size_t)n, e->size);
    if (arr->heap == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    arr->ptr = arr->heap;
    return 0;
}

void
cb_array_release(cb_array *arr)
{
    PyMem_Free(arr->heap);
    arr->heap = NULL;
    Py_CLEAR(arr->keep);
}

/* Bounds of an integer of e->size bytes. */
static void
int_bounds(const cb_elem *e, long long *lo, unsigned long long *hi)
{
    *lo = e->is_signed ? cb_min_signed(e->size) : 0;
    *hi = e->is_signed ? cb_max_unsigned(e->size) >> 1 : cb_max_unsigned(e->size);
}

static int
convert_item(PyObject *item, const cb_elem *e, void *slot, cb_array *arr, CB_ARG)
{
    long long lo;
    unsigned long long hi, v;
    switch (e->kind) {
    case CB_ELEM_INT:
        int_bounds(e, &lo, &hi);
        if (cb_arg_bits(item, lo, hi, &v, spec, argi) < 0)
            return -1;
        cb_store_bits(slot, e->size, v);
        return 0;
    case CB_ELEM_HANDLE:
        int_bounds(e, &lo, &hi);
        if (e->size == sizeof(void *) && !e->is_signed) {
            void *p;
            if (cb_arg_handle(item, e->type, &p, spec, argi) < 0)
                return -1;
            *(void **)slot = p;
            return 0;
        }
        if (cb_arg_handle_value(item, e->type, lo, hi, &v, spec, argi) < 0)
            return -1;
        cb_store_bits(slot, e->size, v);
        return 0;
    case CB_ELEM_ADDRESS: {
        cb_buf b = CB_BUF_INIT;
        if (cb_arg_buffer(item, 0, 1, &b, spec, argi) < 0)
            return -1;
        *(void **)slot = b.ptr;
        if (b.has_view) {  /* keep the object (not the view): its memory stays put while alive */
            PyObject *obj = Py_NewRef(b.view.obj);
            cb_buf_release(&b);
            if (arr->keep == NULL && (arr->keep = PyList_New(0)) == NULL) {
                Py_DECREF(obj);
                return -1;
            }
            int rc = PyList_Append(arr->keep, obj);
            Py_DECREF(obj);
            return rc;
        }
        return 0;
    }
    case CB_ELEM_STRUCT: {
        void *p;
        if (cb_arg_struct(item, e->type, 0, &p, spec, argi) < 0)
            return -1;
        memcpy(slot, p, e->size);
        return 0;
    }
    }
    return 0;
}

int
cb_arg_array(PyObject *o, const cb_elem *e, long long count, const char *count_name, cb_array *arr, CB_ARG)
{
    if (o == Py_None && count == 0) {
        arr->ptr = NULL;
        return 0;
    }
    if (!PyList_Check(o) && !PyTuple_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list or tuple%s, not %.200s", spec->func,
                     spec->names[argi], count == 0 ? " or None" : "", Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *seq = PySequence_Fast(o, "");  /* a new reference: the list cannot shrink under us */
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (count < 0 || n != count) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' has %zd items but '%s' is %lld", spec->func,
                     spec->names[argi], n, count_name, count);
        Py_DECREF(seq);
        return -1;
    }
    if (cb_array_alloc(arr, e, (unsigned long long)n) < 0) {
        Py_DECREF(seq);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        char *slot = (char *)arr->ptr + (size_t)i * e->size;
        if (convert_item(PySequence_Fast_GET_ITEM(seq, i), e, slot, arr, spec, argi) < 0) {
            PyObject *exc = PyErr_GetRaisedException();
            PyErr_Format(Py_TYPE(exc) == (PyTypeObject *)PyExc_OverflowError ? PyExc_OverflowError
                         : Py_TYPE(exc) == (PyTypeObject *)PyExc_ValueError ? PyExc_ValueError
                         : PyExc_TypeError, "%S (item %zd)", exc, i);
            Py_DECREF(exc);
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

PyObject *
cb_array_list(const cb_elem *e, const void *data, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *slot = (const char *)data + i * e->size;
        PyObject *item;
        switch (e->kind) {
        case CB_ELEM_INT:
            item = e->is_signed ? PyLong_FromLongLong(cb_load_signed(slot, e->size))
                                : PyLong_FromUnsignedLongLong(cb_load_unsigned(slot, e->size));
            break;
        case CB_ELEM_HANDLE:
            item = cb_handle_new(e->type, (void *)(uintptr_t)(e->is_signed
                                                               ? (unsigned long long)cb_load_signed(slot, e->size)
                                                               : cb_load_unsigned(slot, e->size)));
            break;
        case CB_ELEM_ADDRESS:
            item = PyLong_FromVoidPtr(*(void *const *)slot);
            break;
        default:
            item = cb_struct_new(e->type, slot);
            break;
        }
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

int
cb_typed_values_alloc(cb_typed_values *v, size_t n)
{
    v->n = n;
    if (n == 0)
        return 0;
    /* the address array and the slots in one block */
    v->slots = PyMem_Calloc(n, sizeof(void *) + CB_TYPED_SLOT);
    if (v->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    char *data = (char *)(v->slots + n);
    for (size_t i = 0; i < n; i++)
        v->slots[i] = data + i * CB_TYPED_SLOT;
    return 0;
}

void
cb_typed_values_release(cb_typed_values *v)
{
    PyMem_Free(v->slots);
    v->slots = NULL;
}

PyObject *
cb_typed_list(PyObject *module, cb_typed_get get, const int *keys, const cb_typed_values *v)
{
    PyObject *list = PyList_New((Py_ssize_t)v->n);
    for (size_t i = 0; list != NULL && i < v->n; i++) {
        PyObject *item = get(module, keys[i], v->slots[i]);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}
