/* Handle classes: construction, int(), repr, equality, hash, getPtr(),
 * and CUstream's __cuda_stream__(). */
#include "cb_handle.h"
#include "cb_int.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void handle_dealloc(PyObject *self);
static PyObject *repr_int(PyObject *self);
static PyObject *repr_u64(PyObject *self);
static PyObject *repr_u32(PyObject *self);
static PyObject *repr_function(PyObject *self);

/* Every module links its own copy of this file, so a handle class of
 * another module (a driver CUdeviceptr given to the runtime) is not known by
 * our functions.  Each class is registered when it is made, in one table the
 * package's modules share through the interpreter's own dict, which Python
 * code cannot reach: a class is recognised by being in it, never by what an
 * object says of itself.  The table holds its classes alive, so a freed
 * class's address cannot be taken for one. */
#define REGISTRY_KEY "cuda.bindings handle classes"
#define REGISTRY_CAPACITY 1024

typedef struct handle_registry {
    atomic_size_t n;   /* slots taken; a slot's type is published last */
    struct {
        _Atomic(PyTypeObject *) type;   /* NULL until its entry is complete */
        cb_handle_kind kind;
    } entries[REGISTRY_CAPACITY];
} handle_registry;

static handle_registry *registry;   /* this module's pointer to the shared table (atomic access) */

static void
registry_free(PyObject *capsule)
{
    handle_registry *r = PyCapsule_GetPointer(capsule, REGISTRY_KEY);
    if (r != NULL) {
        size_t n = atomic_load(&r->n);
        for (size_t i = 0; i < n && i < REGISTRY_CAPACITY; i++)
            Py_XDECREF(atomic_load(&r->entries[i].type));
        PyMem_RawFree(r);
    }
}

/* The shared table; made by the first module that registers a class when
 * `create`, else NULL (no error set) while there is none. */
static handle_registry *
registry_get(int create)
{
    handle_registry *r = cb_load_ptr(&registry);
    if (r != NULL)
        return r;
    PyObject *dict = PyInterpreterState_GetDict(PyInterpreterState_Get());
    if (dict == NULL) {
        if (create)
            PyErr_SetString(PyExc_RuntimeError, "cuda.bindings: no interpreter dict for the handle classes");
        return NULL;
    }
    PyObject *capsule = PyDict_GetItemString(dict, REGISTRY_KEY);   /* borrowed */
    if (capsule == NULL && !create)
        return NULL;
    if (capsule == NULL) {
        handle_registry *fresh = PyMem_RawCalloc(1, sizeof *fresh);
        if (fresh == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        PyObject *mine = PyCapsule_New(fresh, REGISTRY_KEY, registry_free);
        if (mine == NULL) {
            PyMem_RawFree(fresh);
            return NULL;
        }
        /* insert-if-absent: a module making one at the same time wins or loses whole */
        PyObject *key = PyUnicode_FromString(REGISTRY_KEY);
        capsule = key != NULL ? PyDict_SetDefault(dict, key, mine) : NULL;   /* borrowed */
        Py_XDECREF(key);
        Py_DECREF(mine);   /* the dict holds the one in use; an unused one is freed */
        if (capsule == NULL)
            return NULL;
    }
    r = PyCapsule_GetPointer(capsule, REGISTRY_KEY);
    cb_store_ptr(&registry, r);
    return r;
}

static int
registry_add(PyTypeObject *type, cb_handle_kind kind)
{
    handle_registry *r = registry_get(1);
    if (r == NULL)
        return -1;
    size_t i = atomic_fetch_add(&r->n, 1);   /* classes are made on first use, by any thread */
    if (i >= REGISTRY_CAPACITY) {
        PyErr_SetString(PyExc_RuntimeError, "cuda.bindings: too many handle classes");
        return -1;
    }
    r->entries[i].kind = kind;
    atomic_store_explicit(&r->entries[i].type, (PyTypeObject *)Py_NewRef(type), memory_order_release);
    return 0;
}

/* The kind of a registered class among t and its bases; -1 if none. */
static int
foreign_kind(PyTypeObject *t)
{
    if (t->tp_basicsize != (Py_ssize_t)sizeof(cb_handle) || t->tp_itemsize != 0)
        return -1;  /* cheap no for ints, bytes, buffers */
    handle_registry *r = registry_get(0);
    if (r == NULL)
        return -1;
    size_t n = atomic_load_explicit(&r->n, memory_order_acquire);
    if (n > REGISTRY_CAPACITY)
        n = REGISTRY_CAPACITY;
    for (; t != NULL; t = t->tp_base)
        for (size_t i = 0; i < n; i++)
            if (atomic_load_explicit(&r->entries[i].type, memory_order_acquire) == t)
                return (int)r->entries[i].kind;
    return -1;
}

int
cb_handle_class_kind(PyObject *cls)
{
    handle_registry *r = registry_get(0);
    size_t n = r != NULL ? atomic_load_explicit(&r->n, memory_order_acquire) : 0;
    for (size_t i = 0; i < n && i < REGISTRY_CAPACITY; i++)
        if ((PyObject *)atomic_load_explicit(&r->entries[i].type, memory_order_acquire) == cls)
            return (int)r->entries[i].kind;
    return -1;
}

/* The kind is told by which repr our base type got: the layout is fixed by
 * the reference .pxd, so there is no room for a tag in the object. */
static cb_handle_kind
kind_of(PyTypeObject *type)
{
    PyTypeObject *t = type;
    while (t != NULL && t->tp_dealloc != handle_dealloc)
        t = t->tp_base;  /* a Python subclass: find our base */
    if (t == NULL) {
        int k = foreign_kind(type);
        return k < 0 ? CB_HANDLE_POINTER : (cb_handle_kind)k;
    }
    if (t->tp_repr == repr_int)
        return CB_HANDLE_INT;
    if (t->tp_repr == repr_u32)
        return CB_HANDLE_U32;
    if (t->tp_repr == repr_function)
        return CB_HANDLE_FUNCTION;
    return t->tp_repr == repr_u64 ? CB_HANDLE_U64 : CB_HANDLE_POINTER;
}

static unsigned long long
load(PyObject *o)
{
    cb_handle *h = (cb_handle *)o;
    switch (kind_of(Py_TYPE(o))) {
    case CB_HANDLE_INT:
        return (unsigned long long)(long long)*(int *)h->_pvt_ptr;
    case CB_HANDLE_U32:
        return *(unsigned int *)h->_pvt_ptr;
    case CB_HANDLE_U64:
        return *(unsigned long long *)h->_pvt_ptr;
    default:
        return (unsigned long long)(uintptr_t) * (void **)h->_pvt_ptr;
    }
}

static void
store(PyObject *o, unsigned long long v)
{
    cb_handle *h = (cb_handle *)o;
    switch (kind_of(Py_TYPE(o))) {
    case CB_HANDLE_INT:
        *(int *)h->_pvt_ptr = (int)v;
        break;
    case CB_HANDLE_U32:
        *(unsigned int *)h->_pvt_ptr = (unsigned int)v;
        break;
    case CB_HANDLE_U64:
        *(unsigned long long *)h->_pvt_ptr = v;
        break;
    default:
        *(void **)h->_pvt_ptr = (void *)(uintptr_t)v;
    }
}

void *
cb_handle_pointer(PyObject *o)
{
    return (void *)(uintptr_t)load(o);
}

/* Handle objects come and go with most calls that return one, so the
 * memory of plain instances (no __dict__, not GC-tracked: all of ours) is
 * kept on a short freelist rather than handed back to the allocator.  The
 * GIL guards it: these modules load in the main interpreter only.  A
 * free-threaded build goes to the allocator every time. */
#ifndef Py_GIL_DISABLED
#define FREELIST_SIZE 64
static PyObject *freelist[FREELIST_SIZE];
static int nfree;

static int
recyclable(PyTypeObject *type)
{
    return type->tp_basicsize == (Py_ssize_t)sizeof(cb_handle) && type->tp_itemsize == 0 &&
           !PyType_IS_GC(type) && type->tp_free == PyObject_Free;
}
#endif

/* A handle of `type` holding `value` (stored as the type's kind). */
static PyObject *
handle_make(PyTypeObject *type, unsigned long long value)
{
    cb_handle *self;
#ifndef Py_GIL_DISABLED
    if (CB_LIKELY(nfree > 0) && recyclable(type))
        self = (cb_handle *)PyObject_Init(freelist[--nfree], type);
    else
#endif
        self = (cb_handle *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->_pvt_val.u = 0;
    self->_pvt_ptr = &self->_pvt_val;
    if (value != 0)
        store((PyObject *)self, value);
    return (PyObject *)self;
}

void
cb_handle_freelist_clear(void)
{
#ifndef Py_GIL_DISABLED
    while (nfree > 0)
        PyObject_Free(freelist[--nfree]);
#endif
    cb_store_ptr(&registry, NULL);   /* looked up again: the interpreter may be a new one */
}

static PyObject *
handle_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    return handle_make(type, 0);
}

/* The range of values a handle of `kind` holds: a C int, 32 or 64 unsigned
 * bits, an address.  Anything else is an OverflowError, never truncated. */
static int
in_range(cb_handle_kind kind, long long s, int overflow)
{
    switch (kind) {
    case CB_HANDLE_INT:
        return !overflow && s >= INT_MIN && s <= INT_MAX;
    case CB_HANDLE_U32:
        return !overflow && s >= 0 && s <= (long long)UINT32_MAX;
    default:
        return overflow > 0 || (!overflow && s >= 0);   /* the rest: no more than 64 bits */
    }
}

/* init_value as the stored bits: an integer (cb_nb_int) that fits the
 * class's C type (CUdevice(-1) is CU_DEVICE_INVALID; CUstream(-1) and
 * cuuint32_t(2**32) are OverflowErrors, as in NVIDIA's). */
static int
init_value_bits(PyTypeObject *type, PyObject *init, unsigned long long *out)
{
    PyObject *v = cb_nb_int(init);   /* as NVIDIA's: None and __index__-only objects refused */
    if (v == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s(init_value) must be an integer, not %.200s", type->tp_name,
                         Py_TYPE(init)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(v, &overflow);
    int fits = !(s == -1 && PyErr_Occurred()) && in_range(kind_of(type), s, overflow);
    *out = (unsigned long long)s;
    if (fits && overflow > 0) {   /* above LLONG_MAX: 64 bits at most */
        *out = PyLong_AsUnsignedLongLong(v);
        fits = !(*out == (unsigned long long)-1 && PyErr_Occurred());
    }
    if (!fits) {
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "%s(init_value) is out of range: %R", type->tp_name, v);
    }
    Py_DECREF(v);
    return fits ? 0 : -1;
}

static int handle_init(PyObject *self, PyObject *args, PyObject *kwds);

/* CUstream(0), CUdevice(n): the common one-int call skips the generic
 * type call (argument tuple, __init__ keyword parsing). */
static PyObject *
handle_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyTypeObject *type = (PyTypeObject *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (CB_LIKELY(kwnames == NULL && nargs <= 1)) {
        unsigned long long v = 0;
        long long small;
        if (nargs == 1 && cb_small_int(args[0], &small) && small >= 0 && small <= INT_MAX)
            v = (unsigned long long)small;   /* fits every kind */
        else if (nargs == 1 && init_value_bits(type, args[0], &v) < 0)
            return NULL;
        return handle_make(type, v);
    }
    PyObject *tuple = PyTuple_New(nargs), *kwds = NULL, *self = NULL;
    if (tuple == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    if (kwnames != NULL && (kwds = PyDict_New()) == NULL)
        goto done;
    for (Py_ssize_t k = 0; kwnames != NULL && k < PyTuple_GET_SIZE(kwnames); k++)
        if (PyDict_SetItem(kwds, PyTuple_GET_ITEM(kwnames, k), args[nargs + k]) < 0)
            goto done;
    self = handle_make(type, 0);
    if (self != NULL && handle_init(self, tuple, kwds) < 0)
        Py_CLEAR(self);
done:
    Py_DECREF(tuple);
    Py_XDECREF(kwds);
    return self;
}

static int
handle_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"init_value", "_ptr", NULL};
    PyObject *init = NULL, *ptr = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:handle", kwlist, &init, &ptr))
        return -1;
    cb_handle *h = (cb_handle *)self;
    h->_pvt_ptr = &h->_pvt_val;
    if (ptr != NULL && ptr != Py_None) {
        void *p = PyLong_AsVoidPtr(ptr);
        if (p == NULL && PyErr_Occurred())
            return -1;
        if (p != NULL)
            h->_pvt_ptr = p;
    }
    if (init != NULL) {
        unsigned long long x;
        if (init_value_bits(Py_TYPE(self), init, &x) < 0)
            return -1;
        if (x != 0)
            store(self, x);
    }
    return 0;
}

static void
handle_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
#ifndef Py_GIL_DISABLED
    if (nfree < FREELIST_SIZE && recyclable(tp))
        freelist[nfree++] = self;
    else
#endif
        tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
handle_int(PyObject *self)
{
    if (kind_of(Py_TYPE(self)) == CB_HANDLE_INT)
        return PyLong_FromLong(*(int *)((cb_handle *)self)->_pvt_ptr);
    return PyLong_FromUnsignedLongLong(load(self));
}

/* A class this package made, in this module or another. */
static int
made_here(PyTypeObject *t)
{
    return t->tp_dealloc == handle_dealloc || cb_handle_class_kind((PyObject *)t) >= 0;
}

/* "<CUstream 0x3>": named by the first class of the line this package made
 * (NVIDIA's repr names its class in the text): a cudaStream_t and a
 * user's subclass of CUstream print as CUstream. */
static PyObject *
repr_as(PyObject *self, const char *value)
{
    PyTypeObject *t = Py_TYPE(self);
    while (!made_here(t) && t->tp_base != NULL)
        t = t->tp_base;   /* a Python subclass: ours first */
    while (t->tp_base != NULL && made_here(t->tp_base))
        t = t->tp_base;   /* then the class it extends, of this module or its twin's */
    const char *name = t->tp_name;
    const char *dot = strrchr(name, '.');
    return PyUnicode_FromFormat("<%s %s>", dot ? dot + 1 : name, value);
}

static PyObject *
repr_ptr(PyObject *self)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", load(self));
    return repr_as(self, buf);
}

static PyObject *
repr_function(PyObject *self)
{
    return repr_ptr(self);
}

static PyObject *
repr_u64(PyObject *self)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", load(self));
    return repr_as(self, buf);
}

static PyObject *
repr_u32(PyObject *self)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%u", *(unsigned int *)((cb_handle *)self)->_pvt_ptr);
    return repr_as(self, buf);
}

static PyObject *
repr_int(PyObject *self)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d", *(int *)((cb_handle *)self)->_pvt_ptr);
    return repr_as(self, buf);
}

static PyObject *
handle_richcompare(PyObject *a, PyObject *b, int op)
{
    if ((op != Py_EQ && op != Py_NE) || !cb_handle_accepts(b, Py_TYPE(a)))
        Py_RETURN_NOTIMPLEMENTED;
    int eq = load(a) == load(b);
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t
handle_hash(PyObject *self)
{
    Py_hash_t h = (Py_hash_t)load(self);
    return h == -1 ? -2 : h;
}

static PyObject *
handle_getPtr(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr(((cb_handle *)self)->_pvt_ptr);
}

#define GET_PTR_METHOD {"getPtr", handle_getPtr, METH_NOARGS, \
     "getPtr($self, /)\n--\n\nAddress of the stored value, as an int (a pointer to the C handle)."}

static PyMethodDef handle_methods[] = {GET_PTR_METHOD, {NULL, NULL, 0, NULL}};

/* CUDA's stream protocol, as cuda-core reads it: (version 0, the address). */
static PyObject *
handle_cuda_stream(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(iK)", 0, load(self));
}

static PyMethodDef stream_methods[] = {
    GET_PTR_METHOD,
    {"__cuda_stream__", handle_cuda_stream, METH_NOARGS,
     "__cuda_stream__($self, /)\n--\n\nThe stream protocol: (0, the stream's address)."},
    {NULL, NULL, 0, NULL},
};

int
cb_is_handle(PyObject *o)
{
    return Py_TYPE(o)->tp_init == handle_init || foreign_kind(Py_TYPE(o)) >= 0;
}

PyObject *
cb_handle_new(PyTypeObject *type, void *value)
{
    if (type == NULL)  /* a class that could not be made: its exception is set */
        return NULL;
    return handle_make(type, (unsigned long long)(uintptr_t)value);
}

PyObject *
cb_handle_view(PyTypeObject *type, void *where)
{
    PyObject *o = cb_handle_new(type, NULL);
    if (o != NULL)
        ((cb_handle *)o)->_pvt_ptr = where;
    return o;
}

void
cb_handle_detach(PyObject *o)
{
    cb_handle *h = (cb_handle *)o;
    if (h->_pvt_ptr == &h->_pvt_val)
        return;
    unsigned long long v = load(o);   /* as wide as the class's value */
    h->_pvt_ptr = &h->_pvt_val;
    h->_pvt_val.u = 0;
    store(o, v);
}

PyTypeObject *
cb_handle_type_new(PyObject *module, const cb_handle_def *def, PyTypeObject *twin)
{
    static void *const reprs[] = {
        [CB_HANDLE_POINTER] = repr_ptr, [CB_HANDLE_U64] = repr_u64, [CB_HANDLE_INT] = repr_int,
        [CB_HANDLE_U32] = repr_u32, [CB_HANDLE_FUNCTION] = repr_function,
    };
    int pointer = def->kind == CB_HANDLE_POINTER, function = def->kind == CB_HANDLE_FUNCTION;
    /* The optional slots last: a zero slot id ends the list where they are absent. */
    PyType_Slot slots[] = {
        {Py_tp_new, handle_tp_new},
        {Py_tp_init, handle_init},
        {Py_tp_dealloc, handle_dealloc},
        {Py_tp_repr, reprs[def->kind]},
        {Py_nb_int, handle_int},
        {Py_tp_methods, def->stream_protocol ? stream_methods : handle_methods},
        {Py_tp_doc, (void *)def->doc},
        {pointer || function ? Py_nb_index : 0, handle_int},
        {pointer ? Py_tp_richcompare : 0, handle_richcompare},
        {pointer ? Py_tp_hash : 0, handle_hash},
        {0, NULL},
    };
    PyType_Spec spec = {
        .name = def->spec_name,
        .basicsize = sizeof(cb_handle),
        .itemsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
        .slots = slots,
    };
    PyObject *type = PyType_FromModuleAndSpec(module, &spec, (PyObject *)twin);
    if (type != NULL)  /* never inherited: a Python subclass gets the generic call */
        ((PyTypeObject *)type)->tp_vectorcall = handle_vectorcall;
    if (type == NULL || registry_add((PyTypeObject *)type, def->kind) < 0) {
        Py_XDECREF(type);
        return NULL;
    }
    /* Immutable like NVIDIA's classes (static types there), which also
     * lets the interpreter call the vectorcall constructor directly. */
    ((PyTypeObject *)type)->tp_flags |= Py_TPFLAGS_IMMUTABLETYPE;
    PyType_Modified((PyTypeObject *)type);
    return (PyTypeObject *)type;
}

PyObject *
cb_driver_uint64(unsigned long long value)
{
    PyObject *cls = cb_import_attr("cuda.bindings.driver", "cuuint64_t");
    PyObject *v = cls != NULL ? PyLong_FromUnsignedLongLong(value) : NULL;
    PyObject *h = v != NULL ? PyObject_CallOneArg(cls, v) : NULL;
    Py_XDECREF(v);
    Py_XDECREF(cls);
    return h;
}
