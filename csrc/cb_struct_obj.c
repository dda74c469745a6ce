/* A struct object's life: made owning its value or viewing other memory,
 * traversed, cleared and freed.  See cb_struct_layout.h for its layout. */
#include "cb_struct_obj.h"

#include "cb_handle.h"
#include "cb_struct_layout.h"

int
cb_is_struct(PyObject *o)
{
    return cb_struct_our_type(Py_TYPE(o)) != NULL;
}

void *
cb_struct_ptr(PyObject *o)
{
    return cb_struct_tail_of(o, cb_struct_def_of(Py_TYPE(o)))->_pvt_ptr;
}

PyObject *
cb_struct_alloc(PyTypeObject *type, void *ptr, PyObject *owner)
{
    if (type == NULL)
        return NULL;
    const cb_struct_def *d = cb_struct_def_of(type);
    PyObject *o = type->tp_alloc(type, 0);
    if (o == NULL)
        return NULL;
    cb_struct_tail *t = cb_struct_tail_of(o, d);
    t->_pvt_ptr = ptr != NULL ? ptr : cb_struct_value_of(o, d);
    t->_owner = Py_XNewRef(owner);
    return o;
}

PyObject *
cb_struct_new(PyTypeObject *type, const void *src)
{
    PyObject *o = cb_struct_alloc(type, NULL, NULL);
    if (o != NULL && src != NULL) {
        const cb_struct_def *d = cb_struct_def_of(type);
        memcpy(cb_struct_tail_of(o, d)->_pvt_ptr, src, d->size);
    }
    return o;
}

PyObject *
cb_struct_root(PyObject *self)
{
    PyObject *o = self, *owner;
    while ((owner = cb_struct_tail_of(o, cb_struct_def_of(Py_TYPE(o)))->_owner) != NULL && cb_is_struct(owner))
        o = owner;
    return o;
}

/* The views of handle fields in self's memory let go of it: each keeps the
 * value it last read. */
static void
detach_handle_views(PyObject *keepalive)
{
    PyObject *views = keepalive != NULL ? PyDict_GetItem(keepalive, Py_None) : NULL;   /* no error set */
    PyObject *key, *h;
    Py_ssize_t pos = 0;
    while (views != NULL && PyDict_Next(views, &pos, &key, &h))
        cb_handle_detach(h);
}

int
cb_struct_tp_traverse(PyObject *self, visitproc visit, void *arg)
{
    cb_struct_tail *t = cb_struct_tail_of(self, cb_struct_def_of(Py_TYPE(self)));
    Py_VISIT(t->_owner);
    Py_VISIT(t->_keepalive);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

int
cb_struct_tp_clear(PyObject *self)
{
    const cb_struct_def *d = cb_struct_def_of(Py_TYPE(self));
    cb_struct_tail *t = cb_struct_tail_of(self, d);
    detach_handle_views(t->_keepalive);
    Py_CLEAR(t->_keepalive);
    if (t->_owner != NULL) {
        t->_pvt_ptr = cb_struct_value_of(self, d);   /* never left pointing into a freed owner */
        Py_CLEAR(t->_owner);
    }
    return 0;
}

void
cb_struct_tp_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    cb_struct_tp_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

PyObject *
cb_struct_getPtr(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr(cb_struct_ptr(self));
}
