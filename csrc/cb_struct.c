/* Struct and union classes: layout, field access, views, repr, and the
 * conversions the function shims use.  See cb_struct.h for the layout. */
#include "cb_struct.h"

#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_kernel.h"
#include "cb_module.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* What follows the value: pointer, owner, keepalive, as the .pxd declares. */
typedef struct cb_struct_tail {
    void *_pvt_ptr;
    PyObject *_owner;
    PyObject *_keepalive;
} cb_struct_tail;

static void struct_dealloc(PyObject *self);

/* --- layout ------------------------------------------------------------ */

static size_t
round_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

static size_t
value_offset(const cb_struct_def *d)
{
    return round_up(sizeof(PyObject), d->align);
}

static size_t
tail_offset(const cb_struct_def *d)
{
    return round_up(value_offset(d) + d->size, _Alignof(cb_struct_tail));
}

/* sizeof the whole object struct, as a C compiler (and Cython) computes it. */
static size_t
basic_size(const cb_struct_def *d)
{
    size_t a = _Alignof(cb_struct_tail);
    if (d->align > a)
        a = d->align;
    if (_Alignof(PyObject) > a)
        a = _Alignof(PyObject);
    return round_up(tail_offset(d) + sizeof(cb_struct_tail), a);
}

/* Our class among t and its bases (a Python subclass reaches our dealloc
 * through its own). */
static PyTypeObject *
our_type(PyTypeObject *t)
{
    while (t != NULL && t->tp_dealloc != struct_dealloc)
        t = t->tp_base;
    return t;
}

/* The def of the class that holds the field table: typedef aliases and
 * Python subclasses share its layout.  Every root class has at least one
 * field, and its first getter's closure names the owner. */
static const cb_struct_def *
def_of(PyTypeObject *t)
{
    for (t = our_type(t); t != NULL; t = our_type(t->tp_base)) {
        if (t->tp_getset != NULL && t->tp_getset[0].name != NULL)
            return ((const cb_field_def *)t->tp_getset[0].closure)->owner;
    }
    return NULL;
}

static cb_struct_tail *
tail_of(PyObject *o, const cb_struct_def *d)
{
    return (cb_struct_tail *)((char *)o + tail_offset(d));
}

static void *
value_of(PyObject *o, const cb_struct_def *d)
{
    return (char *)o + value_offset(d);
}

int
cb_is_struct(PyObject *o)
{
    return our_type(Py_TYPE(o)) != NULL;
}

void *
cb_struct_ptr(PyObject *o)
{
    return tail_of(o, def_of(Py_TYPE(o)))->_pvt_ptr;
}

/* The handle or struct class `ref` of the module that made self's class. */
static PyTypeObject *
handle_class_of(PyObject *self, int ref)
{
    PyObject *module = PyType_GetModule(our_type(Py_TYPE(self)));
    return module ? cb_handle_class(module, cb_get_state(module), ref) : NULL;
}

static PyTypeObject *
struct_class_of(PyObject *self, int ref)
{
    PyObject *module = PyType_GetModule(our_type(Py_TYPE(self)));
    return module ? cb_struct_class(module, cb_get_state(module), ref) : NULL;
}

static const char *
short_name(PyTypeObject *t)
{
    const char *dot = strrchr(t->tp_name, '.');
    return dot ? dot + 1 : t->tp_name;
}

/* A new object of `type`: pointing at `ptr` (a view, keeping `owner`
 * alive), or at its own zeroed value when ptr is NULL.  A NULL type is a
 * class that could not be made (its exception is set). */
static PyObject *
alloc(PyTypeObject *type, void *ptr, PyObject *owner)
{
    if (type == NULL)
        return NULL;
    const cb_struct_def *d = def_of(type);
    PyObject *o = type->tp_alloc(type, 0);
    if (o == NULL)
        return NULL;
    cb_struct_tail *t = tail_of(o, d);
    t->_pvt_ptr = ptr != NULL ? ptr : value_of(o, d);
    t->_owner = Py_XNewRef(owner);
    return o;
}

PyObject *
cb_struct_new(PyTypeObject *type, const void *src)
{
    PyObject *o = alloc(type, NULL, NULL);
    if (o != NULL && src != NULL) {
        const cb_struct_def *d = def_of(type);
        memcpy(tail_of(o, d)->_pvt_ptr, src, d->size);
    }
    return o;
}

/* --- keepalive ---------------------------------------------------------- */

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

static char *
holder_data(PyObject *h)
{
    return PyCapsule_GetPointer(PyTuple_GET_ITEM(h, 0), HOLDER_NAME);
}

static size_t
holder_size(PyObject *h)   /* in bytes */
{
    return (size_t)(uintptr_t)PyCapsule_GetContext(PyTuple_GET_ITEM(h, 0));
}

/* A fresh zeroed C array for n elements of `size` bytes; `sources` (may be
 * NULL) are kept alive with it. */
static PyObject *
new_holder(size_t n, size_t size, PyObject *sources)
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

/* The struct object whose memory a view shares: itself when it owns it. */
static PyObject *
root_of(PyObject *self)
{
    PyObject *o = self, *owner;
    while ((owner = tail_of(o, def_of(Py_TYPE(o)))->_owner) != NULL && cb_is_struct(owner))
        o = owner;
    return o;
}

/* The dict of what the pointers in self's memory point to: the memory's
 * owner's.  What a pointer field points to must outlive the memory that
 * holds the pointer, not the (often temporary) view it was set through, so
 * the owner chain is followed to the struct object or holder that owns the
 * memory.  Borrowed; NULL with an error set if `create` and it cannot be
 * made, or (no error) if there is none yet. */
static PyObject *
keepalive_of(PyObject *self, int create)
{
    PyObject *o = root_of(self), *owner = tail_of(o, def_of(Py_TYPE(o)))->_owner;
    cb_struct_tail *t = tail_of(o, def_of(Py_TYPE(o)));
    if (owner != NULL && is_holder(owner))
        return PyTuple_GET_ITEM(owner, 2);
    if (owner == NULL && t->_pvt_ptr != value_of(o, def_of(Py_TYPE(o))))
        return create ? foreign_keepalive_get() : cb_load_ptr(&foreign_keepalive);
    /* o's own dict, made under o's critical section (cb_struct_get/set) */
    if (t->_keepalive == NULL && create)
        t->_keepalive = PyDict_New();
    return t->_keepalive;
}

/* Keep obj (stolen; NULL: forget) alive for the pointer at `slot`: in the
 * dict of `holder` when the slot is in a C array not attached yet, else in
 * the dict of self's memory. */
static int
keep_in(PyObject *self, PyObject *holder, void *slot, PyObject *obj)
{
    PyObject *ka = holder != NULL ? PyTuple_GET_ITEM(holder, 2) : keepalive_of(self, obj != NULL);
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

static int
keep(PyObject *self, void *slot, PyObject *obj)   /* steals obj; NULL: forget */
{
    return keep_in(self, NULL, slot, obj);
}

/* What slots [first, first + n * size) keep alive now (a tuple, None for
 * nothing), and putting that back: a whole-array set that fails halfway
 * leaves the memory as it was, so what it points to must stay too. */
static PyObject *
keeps_save(PyObject *self, char *first, size_t n, size_t size)
{
    PyObject *ka = keepalive_of(self, 0);
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

static void
keeps_restore(PyObject *self, char *first, size_t size, PyObject *saved)
{
    PyObject *exc = PyErr_GetRaisedException();   /* the set's own error stays */
    for (Py_ssize_t i = 0; saved != Py_None && i < PyTuple_GET_SIZE(saved); i++) {
        PyObject *v = PyTuple_GET_ITEM(saved, i);
        if (keep(self, first + (size_t)i * size, v == Py_None ? NULL : Py_NewRef(v)) < 0)
            PyErr_Clear();
    }
    PyErr_SetRaisedException(exc);
}

/* The holder of the C array we allocated for the pointer at `slot`, if
 * that pointer still points at it (borrowed; NULL otherwise). */
static PyObject *
holder_of(PyObject *self, void *slot)
{
    PyObject *ka = keepalive_of(self, 0);
    PyObject *key = ka != NULL ? PyLong_FromVoidPtr(slot) : NULL;
    PyObject *h = key != NULL ? PyDict_GetItemWithError(ka, key) : NULL;
    Py_XDECREF(key);
    PyErr_Clear();
    void *p;
    memcpy(&p, slot, sizeof p);
    return h != NULL && is_holder(h) && holder_data(h) == p ? h : NULL;
}

/* --- errors naming the class and field ----------------------------------- */

static int
field_error(PyObject *exc, PyObject *self, const cb_field_def *f, Py_ssize_t idx, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    PyObject *what = PyUnicode_FromFormatV(fmt, va);
    va_end(va);
    if (what == NULL)
        return -1;
    if (idx >= 0)
        PyErr_Format(exc, "%s.%s[%zd] %U", short_name(Py_TYPE(self)), f->name, idx, what);
    else
        PyErr_Format(exc, "%s.%s %U", short_name(Py_TYPE(self)), f->name, what);
    Py_DECREF(what);
    return -1;
}

/* An int (or __index__: IntEnum members) within [lo, hi], as raw bits;
 * floats, strings and None are refused. */
static int
to_bits(PyObject *v, long long lo, unsigned long long hi, unsigned long long *out, PyObject *self,
        const cb_field_def *f, Py_ssize_t idx, const char *want)
{
    PyObject *n;
    if (PyLong_Check(v)) {
        n = Py_NewRef(v);
    } else if (Py_TYPE(v)->tp_as_number != NULL && Py_TYPE(v)->tp_as_number->nb_index != NULL) {
        if ((n = PyNumber_Index(v)) == NULL)
            return -1;
    } else {
        return field_error(PyExc_TypeError, self, f, idx, "must be %s, not %.200s", want, short_name(Py_TYPE(v)));
    }
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(n, &overflow);
    if (s == -1 && PyErr_Occurred()) {
        Py_DECREF(n);
        return -1;
    }
    if (overflow > 0) {   /* above LLONG_MAX: only an unsigned 64-bit field takes it */
        unsigned long long u = PyLong_AsUnsignedLongLong(n);
        if (u == ULLONG_MAX && PyErr_Occurred()) {
            PyErr_Clear();
            goto range;
        }
        if (u > hi)
            goto range;
        *out = u;
    } else {
        if (overflow < 0 || s < lo || (s > 0 && (unsigned long long)s > hi))
            goto range;
        *out = (unsigned long long)s;
    }
    Py_DECREF(n);
    return 0;
range:
    field_error(PyExc_OverflowError, self, f, idx, "must be in [%lld, %llu], got %R", lo, hi, n);
    Py_DECREF(n);
    return -1;
}

/* --- one element -------------------------------------------------------- */

/* Python value of the element at p; struct views keep `owner` alive. */
static PyObject *
get_elem(PyObject *self, const cb_field_def *f, char *p, PyObject *owner)
{
    switch (f->kind) {
    case CB_FIELD_SIGNED:
        return PyLong_FromLongLong(cb_load_signed(p, f->size));
    case CB_FIELD_UNSIGNED:
        return PyLong_FromUnsignedLongLong(cb_load_unsigned(p, f->size));
    case CB_FIELD_FLOAT:
        if (f->size == sizeof(float)) {
            float x;
            memcpy(&x, p, sizeof x);
            return PyFloat_FromDouble(x);
        } else {
            double x;
            memcpy(&x, p, sizeof x);
            return PyFloat_FromDouble(x);
        }
    case CB_FIELD_ENUM:
        return cb_enum_member(PyType_GetModule(our_type(Py_TYPE(self))), f->ref, cb_load_signed(p, f->size));
    case CB_FIELD_HANDLE:
        return cb_handle_new(handle_class_of(self, f->ref), (void *)(uintptr_t)cb_load_unsigned(p, f->size));
    case CB_FIELD_STRUCT:
        return alloc(struct_class_of(self, f->ref), p, owner);
    case CB_FIELD_CHARS:
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)f->size);
    default: {
        void *a;
        memcpy(&a, p, sizeof a);
        return PyLong_FromVoidPtr(a);
    }
    }
}

/* An address for a pointer field: int, None, a handle, a struct object
 * (its memory) or a buffer; what it points into is kept alive at `slot`. */
static int
set_address(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot, PyObject *v,
            Py_ssize_t idx)
{
    void *p = NULL;
    PyObject *held = NULL;
    unsigned long long u;
    if (v == Py_None) {
        p = NULL;
    } else if (cb_is_handle(v)) {
        p = cb_handle_pointer(v);
    } else if (cb_is_struct(v)) {
        p = cb_struct_ptr(v);
        held = Py_NewRef(v);
    } else if (PyObject_CheckBuffer(v)) {
        if ((held = PyMemoryView_FromObject(v)) == NULL)
            return -1;
        if (!PyBuffer_IsContiguous(PyMemoryView_GET_BUFFER(held), 'A')) {
            Py_DECREF(held);
            return field_error(PyExc_TypeError, self, f, idx, "must be a contiguous buffer");
        }
        p = PyMemoryView_GET_BUFFER(held)->buf;
    } else if (to_bits(v, 0, UINTPTR_MAX, &u, self, f, idx,
                       "an int address, None, a handle, a struct or a buffer") == 0) {
        p = (void *)(uintptr_t)u;
    } else {
        return -1;
    }
    memcpy(dst, &p, sizeof p);
    return keep_in(self, holder, slot, held);
}

static void
free_kparams(PyObject *capsule)
{
    cb_kparams *kp = PyCapsule_GetPointer(capsule, NULL);
    cb_kparams_release(kp);
    PyMem_Free(kp);
}

/* Kernel arguments, as cuLaunchKernel takes them; the packed array and the
 * values it points into live as long as the field points at them. */
static int
set_kernel_params(PyObject *self, const cb_field_def *f, char *slot, PyObject *v)
{
    if (v == Py_None || PyLong_Check(v))
        return set_address(self, f, slot, NULL, slot, v, -1);
    cb_kparams *kp = PyMem_Calloc(1, sizeof *kp);
    if (kp == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *capsule = PyCapsule_New(kp, NULL, free_kparams);
    if (capsule == NULL) {
        PyMem_Free(kp);
        return -1;
    }
    const char *names[] = {f->name};
    cb_argspec spec = {.func = short_name(Py_TYPE(self)), .names = names, .nparams = 1};
    if (cb_arg_kernel_params(v, kp, &spec, 0) < 0) {
        Py_DECREF(capsule);
        return -1;
    }
    memcpy(slot, &kp->argv, sizeof kp->argv);
    return keep(self, slot, capsule);
}

/* Convert v into the element at dst.  `slot` is where the element finally
 * lives (dst may be a scratch copy), for keepalive: in the dict of `holder`,
 * a C array not attached yet, or (holder NULL) of self's memory. */
static int
set_elem(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot, PyObject *v, Py_ssize_t idx)
{
    unsigned long long u;
    switch (f->kind) {
    case CB_FIELD_SIGNED:
        if (to_bits(v, cb_min_signed(f->size), cb_max_unsigned(f->size) >> 1, &u, self, f, idx, "int") < 0)
            return -1;
        cb_store_bits(dst, f->size, u);
        return 0;
    case CB_FIELD_UNSIGNED:
        if (to_bits(v, 0, cb_max_unsigned(f->size), &u, self, f, idx, "int") < 0)
            return -1;
        cb_store_bits(dst, f->size, u);
        return 0;
    case CB_FIELD_ENUM:
        /* Any value of the enum's width: newer drivers know more members. */
        if (to_bits(v, cb_min_signed(f->size), cb_max_unsigned(f->size), &u, self, f, idx, "int or an enum member") < 0)
            return -1;
        cb_store_bits(dst, f->size, u);
        return 0;
    case CB_FIELD_FLOAT: {
        if (!PyFloat_Check(v) && !PyLong_Check(v) &&
            (Py_TYPE(v)->tp_as_number == NULL || (Py_TYPE(v)->tp_as_number->nb_float == NULL &&
                                                   Py_TYPE(v)->tp_as_number->nb_index == NULL)))
            return field_error(PyExc_TypeError, self, f, idx, "must be float, not %.200s", short_name(Py_TYPE(v)));
        double d = PyFloat_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) {
            PyObject *e = PyErr_GetRaisedException();
            field_error(PyExc_OverflowError, self, f, idx, "cannot take %R: %S", v, e);
            Py_XDECREF(e);
            return -1;
        }
        if (f->size == sizeof(float)) {
            if (isfinite(d) && fabs(d) > FLT_MAX)
                return field_error(PyExc_OverflowError, self, f, idx, "is a float and cannot hold %R", v);
            float x = (float)d;
            memcpy(dst, &x, sizeof x);
        } else {
            memcpy(dst, &d, sizeof d);
        }
        return 0;
    }
    case CB_FIELD_HANDLE: {
        PyTypeObject *ht = handle_class_of(self, f->ref);
        if (ht == NULL)
            return -1;
        if (v == Py_None) {
            u = 0;
        } else if (cb_handle_accepts(v, ht)) {   /* its twin too: a CUstream for a cudaStream_t */
            u = (unsigned long long)(uintptr_t)cb_handle_pointer(v);
        } else if (PyLong_Check(v)) {
            /* A 4-byte handle is CUdevice, an int: CU_DEVICE_CPU is -1. */
            if (to_bits(v, f->size >= 8 ? 0 : cb_min_signed(f->size), cb_max_unsigned(f->size), &u, self, f, idx,
                        "int") < 0)
                return -1;
        } else if (ht->tp_base != &PyBaseObject_Type) {
            return field_error(PyExc_TypeError, self, f, idx, "must be %s, %s, int or None, not %.200s",
                               short_name(ht), short_name(ht->tp_base), short_name(Py_TYPE(v)));
        } else {
            return field_error(PyExc_TypeError, self, f, idx, "must be %s, int or None, not %.200s",
                               short_name(ht), short_name(Py_TYPE(v)));
        }
        cb_store_bits(dst, f->size, u);
        return 0;
    }
    case CB_FIELD_STRUCT: {
        PyTypeObject *want = struct_class_of(self, f->ref);
        if (want == NULL)
            return -1;
        const cb_struct_def *d = def_of(Py_TYPE(v));
        if (d == NULL || d != def_of(want))
            return field_error(PyExc_TypeError, self, f, idx, "must be %s, not %.200s", short_name(want),
                               short_name(Py_TYPE(v)));
        memmove(dst, cb_struct_ptr(v), f->size);
        /* The copied bytes may hold pointers into what v keeps alive. */
        PyObject *ka = tail_of(v, d)->_keepalive;
        return keep_in(self, holder, slot, ka != NULL && PyDict_GET_SIZE(ka) > 0 ? Py_NewRef(v) : NULL);
    }
    case CB_FIELD_KERNEL_PARAMS:
        return set_kernel_params(self, f, dst, v);
    default:
        return set_address(self, f, dst, holder, slot, v, idx);
    }
}

/* --- whole fields ------------------------------------------------------ */

static PyObject *
get_array(PyObject *self, const cb_field_def *f, char *p, size_t n, PyObject *owner)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *v = get_elem(self, f, p + i * f->size, owner);
        if (v == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    return list;
}

/* A pointer to as many elements as the count field says. */
static PyObject *
get_counted(PyObject *self, const cb_field_def *f, char *base)
{
    const cb_field_def *cf = &f->owner->fields[f->count_field];
    char *slot = base + f->offset;
    unsigned long long n = cb_load_unsigned(base + cf->offset, cf->size);
    if (cf->kind == CB_FIELD_SIGNED && cb_load_signed(base + cf->offset, cf->size) < 0)
        n = 0;
    char *p;
    memcpy(&p, slot, sizeof p);
    if (p == NULL)
        return PyList_New(0);
    /* Our own array: never read past it, whatever the count says now. */
    PyObject *h = holder_of(self, slot);
    if (h != NULL) {
        size_t have = holder_size(h) / f->size;
        if (n > have)
            n = have;
    }
    if (n > PY_SSIZE_T_MAX / 2)
        return PyErr_NoMemory();
    return get_array(self, f, p, (size_t)n, h != NULL ? h : self);
}

static int
set_counted(PyObject *self, const cb_field_def *f, char *base, PyObject *v)
{
    const cb_field_def *cf = &f->owner->fields[f->count_field];
    char *slot = base + f->offset;
    void *p = NULL;
    unsigned long long u;
    if (v == Py_None) {
        cb_store_bits(base + cf->offset, cf->size, 0);
    } else if (PyLong_Check(v)) {   /* a raw address: trusted, count left to the caller */
        if (to_bits(v, 0, UINTPTR_MAX, &u, self, f, -1, "int") < 0)
            return -1;
        p = (void *)(uintptr_t)u;
    } else {
        /* A tuple of the items, kept with the copy: they may keep alive what
         * the copied bytes point to, and the caller may empty the list later. */
        PyObject *items = (PyUnicode_Check(v) || PyBytes_Check(v)) ? NULL : PySequence_Tuple(v);
        if (items == NULL) {
            PyErr_Clear();
            return field_error(PyExc_TypeError, self, f, -1, "must be a list, None or an int address, not %.200s",
                               short_name(Py_TYPE(v)));
        }
        Py_ssize_t n = PyTuple_GET_SIZE(items);
        unsigned long long most = cf->kind == CB_FIELD_SIGNED ? cb_max_unsigned(cf->size) >> 1 : cb_max_unsigned(cf->size);
        if ((unsigned long long)n > most) {
            Py_DECREF(items);
            return field_error(PyExc_OverflowError, self, f, -1, "cannot hold %zd items", n);
        }
        if (n == 0) {
            Py_DECREF(items);
            cb_store_bits(base + cf->offset, cf->size, 0);
            memcpy(slot, &p, sizeof p);
            return keep(self, slot, NULL);
        }
        PyObject *h = new_holder((size_t)n, f->size, items);
        Py_DECREF(items);   /* h holds them */
        if (h == NULL)
            return -1;
        char *buf = holder_data(h);
        for (Py_ssize_t i = 0; i < n; i++) {
            char *elem = buf + (size_t)i * f->size;
            if (set_elem(self, f, elem, h, elem, PyTuple_GET_ITEM(items, i), i) < 0) {
                Py_DECREF(h);
                return -1;
            }
        }
        /* The pointer and the count never disagree: the count is the list's length. */
        cb_store_bits(base + cf->offset, cf->size, (unsigned long long)n);
        memcpy(slot, &buf, sizeof buf);
        return keep(self, slot, h);
    }
    memcpy(slot, &p, sizeof p);
    return keep(self, slot, NULL);
}

/* A pointer to one struct: None, an int address, or an instance (copied). */
static int
set_pointer(PyObject *self, const cb_field_def *f, char *slot, PyObject *v)
{
    void *p = NULL;
    PyObject *h = NULL;
    unsigned long long u;
    if (v == Py_None) {
        p = NULL;
    } else if (PyLong_Check(v)) {
        if (to_bits(v, 0, UINTPTR_MAX, &u, self, f, -1, "int") < 0)
            return -1;
        p = (void *)(uintptr_t)u;
    } else {
        if ((h = new_holder(1, f->size, v)) == NULL)
            return -1;
        p = holder_data(h);
        if (set_elem(self, f, p, h, p, v, -1) < 0) {
            Py_DECREF(h);
            return -1;
        }
    }
    memcpy(slot, &p, sizeof p);
    return keep(self, slot, h);
}

static int
set_chars(PyObject *self, const cb_field_def *f, char *dst, PyObject *v)
{
    size_t n = f->count * f->size;
    if (PyObject_CheckBuffer(v)) {
        Py_buffer b;
        if (PyObject_GetBuffer(v, &b, PyBUF_SIMPLE) < 0)
            return -1;
        int ok = (size_t)b.len == n;
        if (ok)
            memcpy(dst, b.buf, n);
        PyBuffer_Release(&b);
        return ok ? 0 : field_error(PyExc_ValueError, self, f, -1, "must be %zu bytes, got %zd", n, b.len);
    }
    /* a private tuple: converting an item may run code that changes the caller's list */
    PyObject *seq = PyUnicode_Check(v) ? NULL : PySequence_Tuple(v);
    if (seq == NULL) {
        PyErr_Clear();
        return field_error(PyExc_TypeError, self, f, -1, "must be bytes, not %.200s", short_name(Py_TYPE(v)));
    }
    Py_ssize_t got = PyTuple_GET_SIZE(seq);
    if ((size_t)got != n) {
        Py_DECREF(seq);
        return field_error(PyExc_ValueError, self, f, -1, "must be %zu bytes, got %zd", n, got);
    }
    char *tmp = PyMem_Malloc(n ? n : 1);
    if (tmp == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < got; i++) {
        unsigned long long u;
        /* Either signedness of char: -128..255. */
        if (to_bits(PyTuple_GET_ITEM(seq, i), -128, 255, &u, self, f, i, "int") < 0) {
            PyMem_Free(tmp);
            Py_DECREF(seq);
            return -1;
        }
        tmp[i] = (char)(unsigned char)u;
    }
    memcpy(dst, tmp, n);
    PyMem_Free(tmp);
    Py_DECREF(seq);
    return 0;
}

/* A C string in a char array: bytes (or str, as UTF-8) of at most `count`
 * bytes, the rest zeroed; what C reads stops at the first NUL. */
static int
set_cstring(PyObject *self, const cb_field_def *f, char *dst, PyObject *v)
{
    size_t n = f->count * f->size;
    const char *src;
    Py_ssize_t len;
    Py_buffer b = {0};
    if (PyUnicode_Check(v)) {
        if ((src = PyUnicode_AsUTF8AndSize(v, &len)) == NULL)
            return -1;
    } else if (PyObject_CheckBuffer(v)) {
        if (PyObject_GetBuffer(v, &b, PyBUF_SIMPLE) < 0)
            return -1;
        src = b.buf;
        len = b.len;
    } else {
        return field_error(PyExc_TypeError, self, f, -1, "must be bytes or str, not %.200s", short_name(Py_TYPE(v)));
    }
    int ok = (size_t)len <= n;
    if (ok) {
        memset(dst, 0, n);
        memcpy(dst, src, (size_t)len);
    }
    if (b.obj != NULL)
        PyBuffer_Release(&b);
    return ok ? 0 : field_error(PyExc_ValueError, self, f, -1, "must be at most %zu bytes, got %zd", n, len);
}

/* A fixed array: a sequence of exactly `count` elements, converted in full
 * before anything is written. */
static int
set_array(PyObject *self, const cb_field_def *f, char *dst, PyObject *v)
{
    /* a private tuple: converting an item may run code that changes the caller's list */
    PyObject *seq = (PyUnicode_Check(v) || PyBytes_Check(v)) ? NULL : PySequence_Tuple(v);
    if (seq == NULL) {
        PyErr_Clear();
        return field_error(PyExc_TypeError, self, f, -1, "must be a sequence of %zu items, not %.200s", f->count,
                           short_name(Py_TYPE(v)));
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if ((size_t)n != f->count) {
        Py_DECREF(seq);
        return field_error(PyExc_ValueError, self, f, -1, "must have %zu items, got %zd", f->count, n);
    }
    size_t bytes = f->count * f->size;
    char *tmp = PyMem_Malloc(bytes ? bytes : 1);
    /* elements that keep what they point to alive: on failure, what the
     * unchanged memory points to is kept again */
    int keeps = f->kind != CB_FIELD_SIGNED && f->kind != CB_FIELD_UNSIGNED && f->kind != CB_FIELD_ENUM &&
                f->kind != CB_FIELD_FLOAT && f->kind != CB_FIELD_HANDLE;
    PyObject *saved = keeps ? keeps_save(self, dst, f->count, f->size) : NULL;
    int rc = 0;
    if (tmp == NULL || (keeps && saved == NULL)) {
        if (tmp == NULL)
            PyErr_NoMemory();
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
        rc = set_elem(self, f, tmp + (size_t)i * f->size, NULL, dst + (size_t)i * f->size, PyTuple_GET_ITEM(seq, i), i);
    if (rc == 0)
        memcpy(dst, tmp, bytes);
    else if (saved != NULL)
        keeps_restore(self, dst, f->size, saved);
    Py_XDECREF(saved);
    PyMem_Free(tmp);
    Py_DECREF(seq);
    return rc;
}

static PyObject *
struct_get(PyObject *self, const cb_field_def *f)
{
    char *base = tail_of(self, f->owner)->_pvt_ptr;
    char *p = base + f->offset;
    if (f->via == CB_VIA_COUNTED)
        return get_counted(self, f, base);
    if (f->via == CB_VIA_POINTER) {
        char *q;
        memcpy(&q, p, sizeof q);
        if (q == NULL)
            Py_RETURN_NONE;
        PyObject *h = holder_of(self, p);
        return get_elem(self, f, q, h != NULL ? h : self);
    }
    if (f->kind == CB_FIELD_CHARS)
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)(f->count * f->size));
    if (f->kind == CB_FIELD_CSTRING) {
        const char *end = memchr(p, 0, f->count * f->size);
        return PyBytes_FromStringAndSize(p, end != NULL ? end - p : (Py_ssize_t)(f->count * f->size));
    }
    if (f->count == 0)
        return get_elem(self, f, p, self);
    return get_array(self, f, p, f->count, self);
}

static int
struct_set(PyObject *self, PyObject *value, const cb_field_def *f)
{
    char *base = tail_of(self, f->owner)->_pvt_ptr;
    char *p = base + f->offset;
    if (value == NULL)
        return field_error(PyExc_TypeError, self, f, -1, "cannot be deleted");
    if (f->via == CB_VIA_COUNTED)
        return set_counted(self, f, base, value);
    if (f->via == CB_VIA_POINTER)
        return set_pointer(self, f, p, value);
    if (f->kind == CB_FIELD_CHARS)
        return set_chars(self, f, p, value);
    if (f->kind == CB_FIELD_CSTRING)
        return set_cstring(self, f, p, value);
    if (f->count == 0)
        return set_elem(self, f, p, NULL, p, value, -1);
    return set_array(self, f, p, value);
}

/* A struct and its views share memory and _keepalive: on free-threaded
 * builds a field is read or written under the critical section of the
 * object that owns them, so that two threads cannot both replace what a
 * pointer field keeps alive. */
PyObject *
cb_struct_get(PyObject *self, void *closure)
{
    PyObject *r;
    CB_BEGIN_CRITICAL_SECTION(root_of(self));
    r = struct_get(self, closure);
    CB_END_CRITICAL_SECTION();
    return r;
}

int
cb_struct_set(PyObject *self, PyObject *value, void *closure)
{
    int rc;
    CB_BEGIN_CRITICAL_SECTION(root_of(self));
    rc = struct_set(self, value, closure);
    CB_END_CRITICAL_SECTION();
    return rc;
}

/* --- the type ------------------------------------------------------------ */

static PyObject *
struct_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    return alloc(type, NULL, NULL);
}

/* X(_ptr=0): _ptr, an int address, makes the object a view of that memory
 * (not owned, trusted as in C). */
static int
struct_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"_ptr", NULL};
    PyObject *ptr = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__init__", kwlist, &ptr))
        return -1;
    const cb_struct_def *d = def_of(Py_TYPE(self));
    void *p = NULL;
    if (ptr != NULL && ptr != Py_None) {
        if (!PyLong_Check(ptr) && !PyIndex_Check(ptr)) {
            PyErr_Format(PyExc_TypeError, "%s(_ptr) must be an int address, not %.200s", short_name(Py_TYPE(self)),
                         short_name(Py_TYPE(ptr)));
            return -1;
        }
        PyObject *n = PyNumber_Index(ptr);
        unsigned long long u = n ? PyLong_AsUnsignedLongLong(n) : 0;
        Py_XDECREF(n);
        if (n == NULL || (u == ULLONG_MAX && PyErr_Occurred()) || u > UINTPTR_MAX) {
            PyErr_Clear();
            PyErr_Format(PyExc_OverflowError, "%s(_ptr) must be an address in [0, %llu], got %R",
                         short_name(Py_TYPE(self)), (unsigned long long)UINTPTR_MAX, ptr);
            return -1;
        }
        p = (void *)(uintptr_t)u;
    }
    cb_struct_tail *t = tail_of(self, d);
    t->_pvt_ptr = p != NULL ? p : value_of(self, d);
    if (p == NULL && d->fresh != NULL)
        d->fresh(t->_pvt_ptr);
    Py_CLEAR(t->_owner);
    return 0;
}

static int
struct_traverse(PyObject *self, visitproc visit, void *arg)
{
    cb_struct_tail *t = tail_of(self, def_of(Py_TYPE(self)));
    Py_VISIT(t->_owner);
    Py_VISIT(t->_keepalive);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int
struct_clear(PyObject *self)
{
    const cb_struct_def *d = def_of(Py_TYPE(self));
    cb_struct_tail *t = tail_of(self, d);
    Py_CLEAR(t->_keepalive);
    if (t->_owner != NULL) {
        t->_pvt_ptr = value_of(self, d);   /* never left pointing into a freed owner */
        Py_CLEAR(t->_owner);
    }
    return 0;
}

static void
struct_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    struct_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
struct_getPtr(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr(cb_struct_ptr(self));
}

/* "name : value", the nested structs indented below "name :", as NVIDIA's
 * repr does.  A field that cannot be read shows its exception's name. */
static PyObject *
field_line(PyObject *self, const cb_field_def *f)
{
    char *base = tail_of(self, f->owner)->_pvt_ptr;
    PyObject *v, *s = NULL;
    int nested = f->kind == CB_FIELD_STRUCT && f->via == CB_VIA_INLINE && f->count == 0;
    int address = f->via == CB_VIA_POINTER ||
                  ((f->kind == CB_FIELD_ADDRESS || f->kind == CB_FIELD_KERNEL_PARAMS) && f->count == 0);
    if (f->via == CB_VIA_POINTER) {   /* shown as an address: following it could loop */
        void *q;
        memcpy(&q, base + f->offset, sizeof q);
        v = PyLong_FromVoidPtr(q);
    } else {
        v = cb_struct_get(self, (void *)f);
    }
    if (v != NULL && nested) {
        PyObject *r = PyObject_Repr(v);
        PyObject *nl = PyUnicode_FromString("\n"), *nl4 = PyUnicode_FromString("\n    ");
        PyObject *ind = (r != NULL && nl != NULL && nl4 != NULL) ? PyUnicode_Replace(r, nl, nl4, -1) : NULL;
        if (ind != NULL)
            s = PyUnicode_FromFormat("%s :\n    %U", f->name, ind);
        Py_XDECREF(r);
        Py_XDECREF(nl);
        Py_XDECREF(nl4);
        Py_XDECREF(ind);
    } else if (v != NULL) {
        PyObject *r = address ? PyNumber_ToBase(v, 16) : PyObject_Str(v);
        if (r != NULL)
            s = PyUnicode_FromFormat("%s : %U", f->name, r);
        Py_XDECREF(r);
    }
    Py_XDECREF(v);
    if (s != NULL || !PyErr_ExceptionMatches(PyExc_Exception))
        return s;
    PyObject *e = PyErr_GetRaisedException();
    s = PyUnicode_FromFormat("%s : <%s>", f->name, short_name(Py_TYPE(e)));
    Py_DECREF(e);
    return s;
}

static PyObject *
struct_repr(PyObject *self)
{
    const cb_struct_def *d = def_of(Py_TYPE(self));
    if (Py_EnterRecursiveCall(" in a struct repr"))
        return NULL;
    PyObject *lines = PyList_New(0), *result = NULL;
    for (int i = 0; lines != NULL && i < d->nfields; i++) {
        PyObject *line = field_line(self, &d->fields[i]);
        if (line == NULL || PyList_Append(lines, line) < 0) {
            Py_XDECREF(line);
            goto done;
        }
        Py_DECREF(line);
    }
    if (lines != NULL) {
        PyObject *sep = PyUnicode_FromString("\n");
        if (sep != NULL)
            result = PyUnicode_Join(sep, lines);
        Py_XDECREF(sep);
    }
done:
    Py_XDECREF(lines);
    Py_LeaveRecursiveCall();
    return result;
}

static PyMethodDef struct_methods[] = {
    {"getPtr", struct_getPtr, METH_NOARGS,
     "getPtr($self, /)\n--\n\nAddress of the C struct this object reads and writes, as an int."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject *
cb_struct_type_new(PyObject *module, const cb_struct_def *def, PyTypeObject *base)
{
    const char *name = strrchr(def->spec_name, '.') + 1;
    /* "Name(_ptr=0)\n--\n\n" gives the class an inspectable signature. */
    PyObject *doc = PyUnicode_FromFormat("%s(_ptr=0)\n--\n\n%s", name, def->doc != NULL ? def->doc : "");
    if (doc == NULL)
        return NULL;
    const char *text = PyUnicode_AsUTF8(doc);
    if (text == NULL) {
        Py_DECREF(doc);
        return NULL;
    }
    PyType_Slot slots[12];
    int n = 0;
    slots[n++] = (PyType_Slot){Py_tp_new, struct_new};
    slots[n++] = (PyType_Slot){Py_tp_init, struct_init};
    slots[n++] = (PyType_Slot){Py_tp_dealloc, struct_dealloc};
    slots[n++] = (PyType_Slot){Py_tp_traverse, struct_traverse};
    slots[n++] = (PyType_Slot){Py_tp_clear, struct_clear};
    slots[n++] = (PyType_Slot){Py_tp_repr, struct_repr};
    slots[n++] = (PyType_Slot){Py_tp_doc, (void *)text};
    if (base == NULL)
        slots[n++] = (PyType_Slot){Py_tp_methods, struct_methods};
    if (def->getset != NULL)
        slots[n++] = (PyType_Slot){Py_tp_getset, def->getset};
    slots[n++] = (PyType_Slot){0, NULL};
    PyType_Spec spec = {
        .name = def->spec_name,
        .basicsize = base != NULL ? 0 : (int)basic_size(def),   /* an alias shares its base's layout */
        .itemsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
        .slots = slots,
    };
    PyTypeObject *t = (PyTypeObject *)PyType_FromModuleAndSpec(module, &spec, (PyObject *)base);
    Py_DECREF(doc);   /* the type copied the text */
    return t;
}

/* --- for the function shims ------------------------------------------------ */

static const char *
argname(const cb_argspec *spec, int argi)
{
    return (argi >= 0 && argi < spec->nparams) ? spec->names[argi] : "?";
}

int
cb_arg_struct(PyObject *o, PyTypeObject *type, int nullable, void **out, const cb_argspec *spec, int argi)
{
    const cb_struct_def *d = def_of(Py_TYPE(o));
    if (CB_LIKELY(d != NULL && d == def_of(type))) {
        *out = tail_of(o, d)->_pvt_ptr;
        return 0;
    }
    if (o == Py_None && nullable) {
        *out = NULL;
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s%s, not %.200s", spec->func, argname(spec, argi),
                 short_name(type), nullable ? " or None" : "", short_name(Py_TYPE(o)));
    return -1;
}

PyObject *
cb_struct_list(PyTypeObject *type, const void *array, size_t n)
{
    const cb_struct_def *d = def_of(type);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *o = cb_struct_new(type, (const char *)array + i * d->size);
        if (o == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, o);
    }
    return list;
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
                         "pass a list of that many", spec->func, argname(spec, argi), short_name(type), need, why);
            return -1;
        }
        return 0;
    }
    if ((r->items = cb_arg_items(o)) == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(r->items);
    for (Py_ssize_t i = 0; i < n; i++) {
        const cb_struct_def *d = def_of(Py_TYPE(PyTuple_GET_ITEM(r->items, i)));
        if (d == NULL || d != def_of(type)) {
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list of %s, not of %.200s", spec->func,
                         argname(spec, argi), short_name(type), short_name(Py_TYPE(PyTuple_GET_ITEM(r->items, i))));
            return -1;
        }
    }
    if ((unsigned long long)n < need) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' has room for %zd %s, but the call writes %llu (%s)",
                     spec->func, argname(spec, argi), n, short_name(type), need, why);
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
        memcpy(tail_of(item, def_of(Py_TYPE(item)))->_pvt_ptr, (const char *)r->ptr + (size_t)i * r->size, r->size);
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
