/* Array parameters: Python sequences <-> C arrays. */
#include "cb_array.h"

#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_struct_arg.h"
#include "cb_struct_obj.h"

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
            if (cb_arg_handle_now(item, e->type, &p, spec, argi) < 0)
                return -1;
            *(void **)slot = p;
            return 0;
        }
        if (cb_arg_handle_value(item, e->type, lo, hi, &v, spec, argi) < 0)
            return -1;
        cb_store_bits(slot, e->size, v);
        return 0;
    case CB_ELEM_ADDRESS: {
        if (!PyObject_CheckBuffer(item)) {
            void *p;
            if (cb_arg_address(item, &p, spec, argi) < 0)
                return -1;
            *(void **)slot = p;
            return 0;
        }
        PyObject *view = cb_buffer_hold(item, (void **)slot, spec, argi);
        if (view == NULL)
            return -1;
        if (arr->keep == NULL && (arr->keep = PyList_New(0)) == NULL) {
            Py_DECREF(view);
            return -1;
        }
        int rc = PyList_Append(arr->keep, view);
        Py_DECREF(view);
        return rc;
    }
    case CB_ELEM_STRUCT: {
        void *p;
        if (cb_arg_struct(item, e->type, 0, &p, spec, argi) < 0)
            return -1;
        memcpy(slot, p, e->size);
        return 0;
    }
    case CB_ELEM_FLOAT: {
        double d;
        if (cb_arg_double(item, &d, spec, argi) < 0)
            return -1;
        if (e->size == sizeof(float))
            *(float *)slot = (float)d;
        else
            *(double *)slot = d;
        return 0;
    }
    }
    return 0;
}

/* Whether an item is of the element's class, as NVIDIA's checks a list's
 * items before converting any. */
static int
item_class_ok(PyObject *item, const cb_elem *e)
{
    switch (e->kind) {
    case CB_ELEM_INT:
        return e->type ? PyObject_TypeCheck(item, e->type) : PyLong_Check(item);
    case CB_ELEM_HANDLE:
        return cb_handle_accepts(item, e->type);
    case CB_ELEM_STRUCT:
        return PyObject_TypeCheck(item, e->type);
    case CB_ELEM_ADDRESS:   /* device pointers: None, a buffer, or what has __int__ (not only __index__) */
        return !(e->flags & CB_ELEM_INT_ITEMS) || item == Py_None || PyObject_CheckBuffer(item) || cb_has_nb_int(item);
    default:
        return 1;
    }
}

int
cb_arg_array(PyObject *o, const cb_elem *e, long long count, cb_array *arr, CB_ARG)
{
    arr->n = 0;
    if (e->kind != CB_ELEM_ADDRESS && e->kind != CB_ELEM_FLOAT && e->type == NULL && PyErr_Occurred())
        return -1;   /* the element's class could not be made */
    if (o == Py_None && (!(e->kind == CB_ELEM_INT && e->type == NULL) || (e->flags & CB_ELEM_ANY_ITERABLE))) {
        arr->ptr = NULL;
        return 0;
    }
    /* a str is the list of its characters in an option-value list, as NVIDIA's iterates it */
    int chars = PyUnicode_Check(o) && e->kind == CB_ELEM_ADDRESS && !(e->flags & CB_ELEM_INT_ITEMS);
    if (!PyList_Check(o) && !PyTuple_Check(o) && !chars && !(e->flags & CB_ELEM_ANY_ITERABLE)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list or tuple%s, not %.200s", spec->func,
                     spec->names[argi], o == Py_None ? "" : " or None", Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *items = cb_arg_items(o);
    if (items == NULL) {   /* an iterable that is not one, or fails: named */
        PyObject *exc = PyErr_GetRaisedException();
        PyErr_Format((PyObject *)Py_TYPE(exc), "%s() argument '%s': %S", spec->func, spec->names[argi], exc);
        Py_DECREF(exc);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (!item_class_ok(item, e)) {
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' items must be %s, not %.200s (item %zd)",
                         spec->func, spec->names[argi], e->kind == CB_ELEM_ADDRESS ? "addresses (int, a buffer or None)"
                         : e->type ? e->type->tp_name : "int",
                         Py_TYPE(item)->tp_name, i);
            Py_DECREF(items);
            return -1;
        }
    }
    arr->n = n;
    Py_ssize_t used = e->kind == CB_ELEM_ADDRESS && count != CB_ANY_LENGTH && count < n
                      ? (Py_ssize_t)(count < 0 ? 0 : count) : n;
    int rc = cb_array_alloc(arr, e, (unsigned long long)n);
    for (Py_ssize_t i = 0; rc == 0 && i < used; i++) {
        char *slot = (char *)arr->ptr + (size_t)i * e->size;
        if ((rc = convert_item(PyTuple_GET_ITEM(items, i), e, slot, arr, spec, argi)) < 0) {
            PyObject *exc = PyErr_GetRaisedException();
            PyErr_Format(Py_TYPE(exc) == (PyTypeObject *)PyExc_OverflowError ? PyExc_OverflowError
                         : Py_TYPE(exc) == (PyTypeObject *)PyExc_ValueError ? PyExc_ValueError
                         : PyExc_TypeError, "%S (item %zd)", exc, i);
            Py_DECREF(exc);
        }
    }
    Py_DECREF(items);
    return rc;
}

/* As NVIDIA's takes the resources of cuGraphicsMapResources: one handle or
 * struct of the element's class (an array of one), an int address of an
 * array of handles (the caller's: `count` of them), None, or a list as
 * cb_arg_array takes it. */
int
cb_arg_array_or_one(PyObject *o, const cb_elem *e, long long count, cb_array *arr, CB_ARG)
{
    if ((e->kind == CB_ELEM_HANDLE || e->kind == CB_ELEM_STRUCT) && e->type != NULL && item_class_ok(o, e)) {
        PyObject *one = PyTuple_Pack(1, o);
        if (one == NULL)
            return -1;
        int rc = cb_arg_array(one, e, count, arr, spec, argi);
        Py_DECREF(one);
        return rc;
    }
    if (PyLong_Check(o) && e->kind == CB_ELEM_HANDLE) {   /* NVIDIA's takes no address of structs */
        unsigned long long u;
        if (cb_arg_ull(o, UINTPTR_MAX, &u, spec, argi) < 0)
            return -1;
        arr->ptr = (void *)(uintptr_t)u;
        arr->n = count < 0 ? 0 : (Py_ssize_t)count;
        return 0;
    }
    return cb_arg_array(o, e, count, arr, spec, argi);
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
        case CB_ELEM_FLOAT:
            item = PyFloat_FromDouble(e->size == sizeof(float) ? *(const float *)slot : *(const double *)slot);
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

static size_t
slot_room(const cb_typed_values *v, size_t i)
{
    size_t size = v->sizes ? v->sizes[i] : CB_TYPED_SLOT;
    size = size < CB_TYPED_SLOT ? CB_TYPED_SLOT : size;
    return (size + 15) & ~(size_t)15;   /* each slot aligned for any value */
}

int
cb_typed_values_alloc(cb_typed_values *v, size_t n, const size_t *sizes)
{
    v->n = n;
    v->sizes = sizes;
    if (n == 0)
        return 0;
    /* the address array and the slots in one block */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t room = slot_room(v, i);
        if (room < CB_TYPED_SLOT || total > SIZE_MAX / 2 - room) {   /* wrapped: no such memory */
            PyErr_NoMemory();
            return -1;
        }
        total += room;
    }
    size_t head = (n * sizeof(void *) + 15) & ~(size_t)15;
    v->slots = PyMem_Calloc(1, head + total);
    if (v->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    char *data = (char *)v->slots + head;
    for (size_t i = 0; i < n; i++) {
        v->slots[i] = data;
        data += slot_room(v, i);
    }
    return 0;
}

void *
cb_typed_room(unsigned long long size)
{
    size = size < CB_TYPED_SLOT ? CB_TYPED_SLOT : size;
    void *p = size > PY_SSIZE_T_MAX ? NULL : PyMem_Calloc(1, (size_t)size);
    if (p == NULL)
        PyErr_NoMemory();
    return p;
}

PyObject *
cb_typed_int_list(const void *value, size_t size)
{
    static const cb_elem ints = {CB_ELEM_INT, sizeof(int), 1, NULL, 0};
    return cb_array_list(&ints, value, size / sizeof(int));
}

PyObject *
cb_typed_bool(const void *value, size_t size)
{
    const unsigned char *b = value;
    int set = 0;
    for (size_t i = 0; i < size && i < CB_TYPED_SLOT; i++)
        set |= b[i] != 0;
    return PyBool_FromLong(set);
}

PyObject *
cb_typed_chars(const void *value, size_t size)
{
    const char *s = value;
    size_t n = 0;
    while (n < size && s[n] != '\0')
        n++;
    return PyBytes_FromStringAndSize(s, (Py_ssize_t)n);
}

int
cb_typed_set_chars(PyObject *o, void *v, size_t room, CB_ARG)
{
    if (!PyBytes_Check(o) && !PyByteArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' expected bytes, not %.200s", spec->func,
                     spec->names[argi], Py_TYPE(o)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyBytes_Check(o) ? PyBytes_GET_SIZE(o) : PyByteArray_GET_SIZE(o);
    if ((size_t)n + 1 > room) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' has %zd bytes, more than %zu", spec->func,
                     spec->names[argi], n, room - 1);
        return -1;
    }
    memcpy(v, PyBytes_Check(o) ? PyBytes_AS_STRING(o) : PyByteArray_AS_STRING(o), (size_t)n);
    ((char *)v)[n] = '\0';
    return (int)n + 1;
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
        PyObject *item = get(module, keys[i], v->slots[i], v->sizes ? v->sizes[i] : CB_TYPED_SLOT);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}
