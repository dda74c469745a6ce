/* Struct objects as arguments of the generated function shims. */
#include "cb_struct_arg.h"

#include "cb_struct_layout.h"
#include "cb_struct_obj.h"

static const char *
argname(const cb_argspec *spec, int argi)
{
    return (argi >= 0 && argi < spec->nparams) ? spec->names[argi] : "?";
}

int
cb_arg_struct(PyObject *o, PyTypeObject *type, int nullable, void **out, const cb_argspec *spec, int argi)
{
    const cb_struct_def *d = cb_struct_def_of(Py_TYPE(o));
    if (CB_LIKELY(d != NULL && d == cb_struct_def_of(type))) {
        *out = cb_struct_tail_of(o, d)->_pvt_ptr;
        return 0;
    }
    if (o == Py_None && nullable) {
        *out = NULL;
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s%s, not %.200s", spec->func, argname(spec, argi),
                 cb_short_name(type), nullable ? " or None" : "", cb_short_name(Py_TYPE(o)));
    return -1;
}

int
cb_arg_struct_room(PyObject *o, PyTypeObject *type, size_t size, unsigned long long need, const char *why,
                   cb_struct_room *r, const cb_argspec *spec, int argi)
{
    r->size = size;
    if (!PyList_Check(o) && !PyTuple_Check(o)) {   /* one instance, or None: NULL, as NVIDIA's passes it */
        if (cb_arg_struct(o, type, 1, &r->ptr, spec, argi) < 0)
            return -1;
        if (r->ptr != NULL && need > 1) {
            PyErr_Format(PyExc_ValueError, "%s() argument '%s' is one %s, but the call writes %llu (%s): "
                         "pass a list of that many", spec->func, argname(spec, argi), cb_short_name(type), need, why);
            return -1;
        }
        return 0;
    }
    if ((r->items = cb_arg_items(o)) == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(r->items);
    for (Py_ssize_t i = 0; i < n; i++) {
        const cb_struct_def *d = cb_struct_def_of(Py_TYPE(PyTuple_GET_ITEM(r->items, i)));
        if (d == NULL || d != cb_struct_def_of(type)) {
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list of %s, not of %.200s", spec->func,
                         argname(spec, argi), cb_short_name(type),
                         cb_short_name(Py_TYPE(PyTuple_GET_ITEM(r->items, i))));
            return -1;
        }
    }
    if ((unsigned long long)n < need) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' has room for %zd %s, but the call writes %llu (%s)",
                     spec->func, argname(spec, argi), n, cb_short_name(type), need, why);
        return -1;
    }
    if (n > 0 && (size_t)n > PY_SSIZE_T_MAX / size) {
        PyErr_NoMemory();
        return -1;
    }
    if ((r->ptr = PyMem_Calloc(n > 0 ? (size_t)n : 1, size)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

void
cb_struct_room_done(cb_struct_room *r, int written)
{
    if (r->items == NULL || r->ptr == NULL || !written)
        return;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(r->items); i++) {
        PyObject *item = PyTuple_GET_ITEM(r->items, i);
        memcpy(cb_struct_ptr(item), (const char *)r->ptr + (size_t)i * r->size, r->size);
    }
}

void
cb_struct_room_release(cb_struct_room *r)
{
    if (r->items != NULL)
        PyMem_Free(r->ptr);   /* the C array; one instance's memory is its own */
    Py_CLEAR(r->items);
    r->ptr = NULL;
}
