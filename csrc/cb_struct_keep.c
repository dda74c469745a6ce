/* What pointer fields point to is kept alive as long as the memory holding
 * the pointer: in the keepalive dict of that memory's owner, in the holder
 * of a C array we allocated, or for foreign memory in one dict the module's
 * life long. */
#include "cb_struct_keep.h"

#include "cb_struct_layout.h"

#include <stdint.h>

/* A C array we allocate for a pointer field lives in a holder: the tuple
 * (capsule of the memory, what its items keep alive, the keepalive dict of
 * pointers inside it, made with it).  Nothing in it can be resized or
 * replaced from Python, though gc.get_referents reaches it: element views
 * point into it. */
#define HOLDER_NAME "cuda.bindings struct array"

static void
holder_free(PyObject *capsule)
{
    PyMem_Free(PyCapsule_GetPointer(capsule, HOLDER_NAME));
}

static int
is_holder(PyObject *h)
{
    return PyTuple_CheckExact(h) && PyTuple_GET_SIZE(h) == 3 && PyCapsule_IsValid(PyTuple_GET_ITEM(h, 0), HOLDER_NAME) &&
           PyDict_CheckExact(PyTuple_GET_ITEM(h, 2));
}

char *
cb_struct_holder_data(PyObject *h)
{
    return PyCapsule_GetPointer(PyTuple_GET_ITEM(h, 0), HOLDER_NAME);
}

size_t
cb_struct_holder_size(PyObject *h)
{
    return (size_t)(uintptr_t)PyCapsule_GetContext(PyTuple_GET_ITEM(h, 0));
}

PyObject *
cb_struct_holder_new(size_t n, size_t size, PyObject *sources)
{
    if (size != 0 && n > (size_t)PY_SSIZE_T_MAX / size)
        return PyErr_NoMemory();
    void *data = PyMem_Calloc(n ? n : 1, size ? size : 1);
    if (data == NULL)
        return PyErr_NoMemory();
    PyObject *cap = PyCapsule_New(data, HOLDER_NAME, holder_free);
    if (cap == NULL || PyCapsule_SetContext(cap, (void *)(uintptr_t)(n * size)) < 0) {
        if (cap == NULL)
            PyMem_Free(data);
        Py_XDECREF(cap);
        return NULL;
    }
    /* the keepalive dict made now: the tuple is never written once shared */
    PyObject *keeps = PyDict_New();
    PyObject *h = keeps != NULL ? PyTuple_New(3) : NULL;
    if (h == NULL) {
        Py_DECREF(cap);
        Py_XDECREF(keeps);
        return NULL;
    }
    PyTuple_SET_ITEM(h, 0, cap);
    PyTuple_SET_ITEM(h, 1, Py_NewRef(sources != NULL ? sources : Py_None));
    PyTuple_SET_ITEM(h, 2, keeps);
    return h;
}

/* What pointers to our memory by a wrapper of foreign memory (X(_ptr=...))
 * point to: kept by slot address as long as the module lives, since the
 * memory outlives the wrapper (a view of another struct, a callback's
 * argument).  Setting the slot again releases the old target. */
static PyObject *foreign_keepalive;

/* That dict, made by the first thread that needs it (borrowed). */
static PyObject *
foreign_keepalive_get(void)
{
    PyObject *d = cb_load_ptr(&foreign_keepalive);
    if (d != NULL)
        return d;
    PyObject *mine = PyDict_New(), *none = NULL;
    if (mine == NULL)
        return NULL;
    if (__atomic_compare_exchange_n(&foreign_keepalive, &none, mine, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return mine;
    Py_DECREF(mine);   /* another thread made it first */
    return none;
}

void
cb_struct_cache_clear(void)
{
    Py_CLEAR(foreign_keepalive);
}

/* The dict of what the pointers in self's memory point to: the memory's
 * owner's.  What a pointer field points to must outlive the memory that
 * holds the pointer, not the (often temporary) view it was set through, so
 * the owner chain is followed to the struct object or holder that owns the
 * memory.  Borrowed; NULL with an error set if `create` and it cannot be
 * made, or (no error) if there is none yet. */
PyObject *
cb_struct_keepalive(PyObject *self, int create)
{
    PyObject *o = cb_struct_root(self), *owner = cb_struct_tail_of(o, cb_struct_def_of(Py_TYPE(o)))->_owner;
    cb_struct_tail *t = cb_struct_tail_of(o, cb_struct_def_of(Py_TYPE(o)));
    if (owner != NULL && is_holder(owner))
        return PyTuple_GET_ITEM(owner, 2);
    if (owner == NULL && t->_pvt_ptr != cb_struct_value_of(o, cb_struct_def_of(Py_TYPE(o))))
        return create ? foreign_keepalive_get() : cb_load_ptr(&foreign_keepalive);
    /* o's own dict, made under o's critical section (cb_struct_get/set) */
    if (t->_keepalive == NULL && create)
        t->_keepalive = PyDict_New();
    return t->_keepalive;
}

int
cb_struct_keep_in(PyObject *self, PyObject *holder, void *slot, PyObject *obj)
{
    PyObject *ka = holder != NULL ? PyTuple_GET_ITEM(holder, 2) : cb_struct_keepalive(self, obj != NULL);
    if (ka == NULL) {   /* nothing kept yet, or no dict could be made */
        Py_XDECREF(obj);
        return obj != NULL ? -1 : 0;
    }
    PyObject *key = PyLong_FromVoidPtr(slot);
    int rc = -1;
    if (key != NULL && obj != NULL) {
        rc = PyDict_SetItem(ka, key, obj);
    } else if (key != NULL) {
        rc = PyDict_DelItem(ka, key);
        if (rc < 0 && PyErr_ExceptionMatches(PyExc_KeyError)) {
            PyErr_Clear();
            rc = 0;
        }
    }
    Py_XDECREF(key);
    Py_XDECREF(obj);
    return rc;
}

/* What slots [first, first + n * size) keep alive now (a tuple, None for
 * nothing), and putting that back: a whole-array set that fails halfway
 * leaves the memory as it was, so what it points to must stay too. */
PyObject *
cb_struct_keeps_save(PyObject *self, char *first, size_t n, size_t size)
{
    PyObject *ka = cb_struct_keepalive(self, 0);
    if (ka == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    PyObject *saved = PyTuple_New((Py_ssize_t)n);
    for (size_t i = 0; saved != NULL && i < n; i++) {
        PyObject *key = PyLong_FromVoidPtr(first + i * size);
        PyObject *v = key != NULL ? PyDict_GetItemWithError(ka, key) : NULL;
        Py_XDECREF(key);
        if (v == NULL && PyErr_Occurred())
            Py_CLEAR(saved);
        else
            PyTuple_SET_ITEM(saved, (Py_ssize_t)i, Py_NewRef(v != NULL ? v : Py_None));
    }
    return saved;
}

void
cb_struct_keeps_restore(PyObject *self, char *first, size_t size, PyObject *saved)
{
    PyObject *exc = PyErr_GetRaisedException();   /* the set's own error stays */
    for (Py_ssize_t i = 0; saved != Py_None && i < PyTuple_GET_SIZE(saved); i++) {
        PyObject *v = PyTuple_GET_ITEM(saved, i);
        if (cb_struct_keep(self, first + (size_t)i * size, v == Py_None ? NULL : Py_NewRef(v)) < 0)
            PyErr_Clear();
    }
    PyErr_SetRaisedException(exc);
}

PyObject *
cb_struct_holder_of(PyObject *self, void *slot)
{
    PyObject *ka = cb_struct_keepalive(self, 0);
    PyObject *key = ka != NULL ? PyLong_FromVoidPtr(slot) : NULL;
    PyObject *h = key != NULL ? PyDict_GetItemWithError(ka, key) : NULL;
    Py_XDECREF(key);
    PyErr_Clear();
    void *p;
    memcpy(&p, slot, sizeof p);
    return h != NULL && is_holder(h) && cb_struct_holder_data(h) == p ? h : NULL;
}
