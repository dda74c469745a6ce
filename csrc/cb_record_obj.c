/* Record objects: made owning their memory or viewing other memory, their
 * memory's address and length, traversed, cleared and freed.  Layouts in
 * cb_record_obj.h. */
#include "cb_record_obj.h"

#include "cb_record_np.h"

#include <string.h>

PyTypeObject *
cb_rec_our_type(PyTypeObject *t)
{
    while (t != NULL && t->tp_dealloc != cb_rec_dealloc)
        t = t->tp_base;
    return t;
}

/* A record class's first attribute is `ptr`, whose closure is its table
 * (cb_record.c makes them so): no lookup, nor the module, needed. */
const cb_record_def *
cb_rec_def_of_type(PyTypeObject *t)
{
    t = cb_rec_our_type(t);
    return t != NULL && t->tp_getset != NULL ? (const cb_record_def *)t->tp_getset[0].closure : NULL;
}

int
cb_rec_info_of_type(PyTypeObject *t, cb_rec_info *info)
{
    info->def = cb_rec_def_of_type(t);
    if (info->def == NULL) {
        PyErr_SetString(PyExc_TypeError, "not a record class");
        return -1;
    }
    t = cb_rec_our_type(t);
    info->module = PyType_GetModule(t);
    if (info->module == NULL)
        return -1;
    info->st = cb_get_state(info->module);
    if (info->st == NULL || info->st->record_defs == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "cuda.bindings.nvml: the module is gone");
        return -1;
    }
    info->index = (int)(info->def - info->st->record_defs);
    return 0;
}

void *
cb_rec_own_value(PyObject *o, size_t size)
{
    cb_rec_plain *p = (cb_rec_plain *)o;
    size_t room = (size_t)cb_rec_our_type(Py_TYPE(o))->tp_basicsize - CB_REC_VALUE_OFFSET;
    if (room >= size && size > 0)   /* inline, at its end (after the room cb_record.c may leave) */
        return (char *)o + CB_REC_VALUE_OFFSET + (room - (size + 7) / 8 * 8);
    void *v = PyMem_Calloc(1, size ? size : 1);
    if (v == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    p->heap = 1;
    return v;
}

int
cb_rec_has_cache(const cb_record_def *d)
{
    if (!d->array)
        return 0;
    for (int i = 0; i < d->nfields; i++)
        if (d->fields[i].kind == CB_REC_STRUCT && d->fields[i].count_of >= 0)
            return 1;
    return 0;
}

/* An array object over `data` (stolen), an ndarray of the record dtype. */
static PyObject *
array_over(PyTypeObject *type, PyObject *data)
{
    if (data == NULL)
        return NULL;
    void *ptr;
    Py_ssize_t n = PyObject_Size(data);
    if (n < 0 || cb_np_data_ptr(data, &ptr) < 0) {
        Py_DECREF(data);
        return NULL;
    }
    cb_rec_array *o = (cb_rec_array *)type->tp_alloc(type, 0);
    if (o == NULL) {
        Py_DECREF(data);
        return NULL;
    }
    o->ptr = ptr;
    o->data = data;
    o->n = n;
    return (PyObject *)o;
}

PyObject *
cb_rec_new_owned(PyObject *module, int index, PyTypeObject *type, Py_ssize_t n, const void *src)
{
    cb_state *st = cb_get_state(module);
    const cb_record_def *d = &st->record_defs[index];
    if (type == NULL && (type = cb_rec_class(st, index)) == NULL)
        return NULL;
    if (d->array) {
        PyObject *dtype = cb_rec_dtype(module, index, 1), *zeros = cb_np_attr(CB_NP_ZEROS);
        if (dtype == NULL || zeros == NULL)
            return NULL;
        PyObject *data = PyObject_CallFunction(zeros, "(nO)", n, dtype);
        PyObject *o = array_over(type, data);
        if (o != NULL && src != NULL && n > 0)
            memcpy(((cb_rec_array *)o)->ptr, src, (size_t)n * d->size);
        return o;
    }
    cb_rec_plain *o = (cb_rec_plain *)type->tp_alloc(type, 0);
    if (o == NULL)
        return NULL;
    if ((o->ptr = cb_rec_own_value((PyObject *)o, d->size)) == NULL) {
        Py_DECREF(o);
        return NULL;
    }
    if (src != NULL)
        memcpy(o->ptr, src, d->size);
    return (PyObject *)o;
}

PyObject *
cb_rec_new_view(PyObject *module, int index, void *ptr, Py_ssize_t n, int readonly, PyObject *owner)
{
    cb_state *st = cb_get_state(module);
    const cb_record_def *d = &st->record_defs[index];
    PyTypeObject *type = cb_rec_class(st, index);
    if (type == NULL)
        return NULL;
    if (d->array) {
        PyObject *dtype = cb_rec_dtype(module, index, 1);
        if (dtype == NULL)
            return NULL;
        return array_over(type, cb_np_over(ptr, n * (Py_ssize_t)d->size, readonly, owner, dtype, n));
    }
    cb_rec_plain *o = (cb_rec_plain *)type->tp_alloc(type, 0);
    if (o == NULL)
        return NULL;
    o->ptr = ptr;
    o->owner = Py_XNewRef(owner);
    o->readonly = readonly;
    return (PyObject *)o;
}

PyObject *
cb_rec_new_from_array(PyObject *module, int index, PyObject *array)
{
    cb_state *st = cb_get_state(module);
    PyObject *dtype = cb_rec_dtype(module, index, 1), *nd = cb_np_attr(CB_NP_NDARRAY);
    PyTypeObject *type = cb_rec_class(st, index);
    if (dtype == NULL || nd == NULL || type == NULL)
        return NULL;
    /* _data is a plain ndarray of numpy.record items, whatever array class it came as */
    PyObject *data = PyObject_CallMethod(array, "view", "OO", dtype, nd);
    return array_over(type, data);
}

void *
cb_rec_ptr(PyObject *o)
{
    /* both layouts start with ptr */
    return ((cb_rec_plain *)o)->ptr;
}

Py_ssize_t
cb_rec_len(PyObject *o)
{
    return cb_rec_def_of_type(Py_TYPE(o))->array ? ((cb_rec_array *)o)->n : 1;
}

int
cb_rec_readonly(PyObject *o, const cb_rec_info *info)
{
    if (!info->def->array)
        return ((cb_rec_plain *)o)->readonly;
    int w = cb_np_writeable(((cb_rec_array *)o)->data);
    return w < 0 ? -1 : !w;
}

PyObject *
cb_rec_bytes(PyObject *o, const cb_rec_info *info)
{
    if (info->def->array)
        return PyObject_CallMethod(((cb_rec_array *)o)->data, "tobytes", NULL);
    return PyBytes_FromStringAndSize((const char *)((cb_rec_plain *)o)->ptr, (Py_ssize_t)info->def->size);
}

PyObject *
cb_rec_keeper(PyObject *o)
{
    for (;;) {
        const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(o));
        if (d == NULL || d->array)
            return o;
        PyObject *owner = ((cb_rec_plain *)o)->owner;
        if (owner == NULL || cb_rec_our_type(Py_TYPE(owner)) == NULL)
            return o;
        o = owner;
    }
}

int
cb_rec_traverse(PyObject *self, visitproc visit, void *arg)
{
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    Py_VISIT(Py_TYPE(self));
    if (d->array) {
        Py_VISIT(((cb_rec_array *)self)->data);
        if (cb_rec_has_cache(d))
            Py_VISIT(CB_REC_CACHE(self));
    } else {
        Py_VISIT(((cb_rec_plain *)self)->owner);
        Py_VISIT(((cb_rec_plain *)self)->keep);
    }
    return 0;
}

/* What the object holds goes; an array object keeps its array (its memory
 * is the object's whole point), a view of foreign memory its owner. */
int
cb_rec_clear(PyObject *self)
{
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    if (d->array) {
        if (cb_rec_has_cache(d))
            Py_CLEAR(CB_REC_CACHE(self));
    } else {
        Py_CLEAR(((cb_rec_plain *)self)->keep);
    }
    return 0;
}

void
cb_rec_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    const cb_record_def *d = cb_rec_def_of_type(tp);
    if (d->array) {
        Py_CLEAR(((cb_rec_array *)self)->data);
        if (cb_rec_has_cache(d))
            Py_CLEAR(CB_REC_CACHE(self));
    } else {
        cb_rec_plain *p = (cb_rec_plain *)self;
        Py_CLEAR(p->keep);
        Py_CLEAR(p->owner);
        if (p->heap) {
            PyMem_Free(p->ptr);
            p->heap = 0;
        }
    }
    tp->tp_free(self);
    Py_DECREF(tp);
}
