/* Struct and union classes: layout, field access, views, repr, and the
 * conversions the function shims use.  See cb_struct.h for the layout. */
#include "cb_struct.h"

#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_kernel.h"
#include "cb_class.h"
#include "cb_enum.h"

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

/* An integer within [lo, hi], as raw bits.  As NVIDIA's fields convert
 * (Cython's C integer conversion): an int, or anything with __int__ (a
 * float truncates; a handle or CUdeviceptr gives its value); an object with
 * only __index__, a str and None are refused. */
static int
to_bits(PyObject *v, long long lo, unsigned long long hi, unsigned long long *out, PyObject *self,
        const cb_field_def *f, Py_ssize_t idx, const char *want)
{
    PyObject *n = cb_nb_int(v);
    if (n == NULL) {
        if (PyErr_Occurred())
            return -1;
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

/* --- enum members -------------------------------------------------------- */

static PyObject *
module_of(PyObject *self)
{
    return PyType_GetModule(our_type(Py_TYPE(self)));
}

/* The C type NVIDIA's converts an enum field through: unsigned int where the
 * C compiler makes it so (no negative member); the runtime's converts a
 * single field through a C int, an array's items (and every read) as the C
 * enum. */
static int
enum_is_unsigned(PyObject *module, int ref, int as_c_enum)
{
    int u = cb_get_state(module)->def->enums[ref].c_unsigned;
    return u == CB_ENUM_UNSIGNED || (u == CB_ENUM_UNSIGNED_ITEMS && as_c_enum);
}

/* The member of value x, or ValueError as NVIDIA's raises for a value its
 * enum does not name (reading a zeroed field of an enum without 0, too). */
static PyObject *
enum_member_or_error(PyObject *module, int ref, long long x)
{
    PyObject *m = cb_enum_member(module, ref, x);
    if (m == NULL || !PyLong_CheckExact(m))
        return m;
    Py_DECREF(m);
    PyErr_Format(PyExc_ValueError, "%lld is not a valid %s", x, cb_get_state(module)->def->enums[ref].name);
    return NULL;
}

static PyObject *
get_enum(PyObject *self, const cb_field_def *f, const char *p)
{
    PyObject *module = module_of(self);
    if (module == NULL)
        return NULL;
    int as_c_enum = 1;
    long long x = enum_is_unsigned(module, f->ref, as_c_enum) ? (long long)cb_load_unsigned(p, f->size)
                                                              : cb_load_signed(p, f->size);
    return enum_member_or_error(module, f->ref, x);
}

/* As NVIDIA's: int(v) (a numeric str or bytes too; None refused), in the
 * range of the C enum's type.  Any value of that range is stored (reading
 * one that is no member raises). */
static int
set_enum(PyObject *self, const cb_field_def *f, char *dst, PyObject *v, Py_ssize_t idx)
{
    if (v == Py_None)
        return field_error(PyExc_TypeError, self, f, idx, "must not be None");
    PyObject *module = module_of(self), *n = module != NULL ? PyNumber_Long(v) : NULL;
    if (n == NULL)
        return -1;   /* int()'s own error: ValueError for 'x' */
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(n, &overflow);
    Py_DECREF(n);
    if (x == -1 && PyErr_Occurred())
        return -1;
    int uns = enum_is_unsigned(module, f->ref, idx >= 0);
    /* Cython's conversion to an unsigned enum wraps a one-digit negative
     * int (above -2**30) and refuses the rest. */
    if (uns && !overflow && x < 0 && x > -(1LL << 30))
        x += (long long)cb_max_unsigned(f->size) + 1;
    long long lo = uns ? 0 : cb_min_signed(f->size);
    unsigned long long hi = uns ? cb_max_unsigned(f->size) : cb_max_unsigned(f->size) >> 1;
    if (overflow || x < lo || (x > 0 && (unsigned long long)x > hi))
        return field_error(PyExc_OverflowError, self, f, idx, "does not fit the C enum %s",
                           cb_get_state(module)->def->enums[f->ref].name);
    cb_store_bits(dst, f->size, (unsigned long long)x);
    return 0;
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
        return get_enum(self, f, p);
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

/* A handle field read as NVIDIA's reads it: one object per field, a view of
 * the field's memory, so it follows later writes (`h = m.dst; m.dst = 8`:
 * int(h) == 8, and `h is m.dst`).  The views live in the memory owner's
 * _keepalive under the key None ({slot address: handle}), and are
 * detached (cb_handle_detach) when that memory goes (struct_clear).  Memory the root struct does not own gets a copy. */
static PyObject *
handle_view(PyObject *self, const cb_field_def *f, char *p)
{
    PyObject *root = root_of(self);
    cb_struct_tail *rt = tail_of(root, def_of(Py_TYPE(root)));
    if (rt->_owner != NULL || rt->_pvt_ptr != value_of(root, def_of(Py_TYPE(root))))
        return get_elem(self, f, p, self);
    PyTypeObject *cls = handle_class_of(self, f->ref);
    if (cls == NULL)
        return NULL;
    PyObject *ka = keepalive_of(self, 1), *views, *key, *h;
    if (ka == NULL)
        return NULL;
    if ((views = PyDict_GetItemWithError(ka, Py_None)) == NULL) {
        if (PyErr_Occurred() || (views = PyDict_New()) == NULL)
            return NULL;
        int rc = PyDict_SetItem(ka, Py_None, views);
        Py_DECREF(views);   /* ka holds it */
        if (rc < 0)
            return NULL;
    }
    if ((key = PyLong_FromVoidPtr(p)) == NULL)
        return NULL;
    h = PyDict_GetItemWithError(views, key);
    if (h != NULL && Py_IS_TYPE(h, cls)) {   /* a union's member of another class has its own */
        Py_DECREF(key);
        return Py_NewRef(h);
    }
    if (PyErr_Occurred() || (h = cb_handle_view(cls, p)) == NULL) {
        Py_DECREF(key);
        return NULL;
    }
    int rc = PyDict_SetItem(views, key, h);
    Py_DECREF(key);
    if (rc < 0)
        Py_CLEAR(h);
    return h;
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

/* An address for a pointer field, as NVIDIA's takes one: None, anything
 * int() takes through __int__ (a handle: its value), or a buffer (its
 * memory, kept alive at `slot`).  An int out of range is a TypeError there. */
static int
set_address(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot, PyObject *v,
            Py_ssize_t idx)
{
    void *p = NULL;
    PyObject *held = NULL;
    unsigned long long u;
    if (v == Py_None) {
        p = NULL;
    } else if (PyObject_CheckBuffer(v)) {
        if ((held = PyMemoryView_FromObject(v)) == NULL)
            return -1;
        if (!PyBuffer_IsContiguous(PyMemoryView_GET_BUFFER(held), 'A')) {
            Py_DECREF(held);
            return field_error(PyExc_TypeError, self, f, idx, "must be a contiguous buffer");
        }
        p = PyMemoryView_GET_BUFFER(held)->buf;
    } else if (to_bits(v, 0, UINTPTR_MAX, &u, self, f, idx, "None, an int address or a buffer") == 0) {
        p = (void *)(uintptr_t)u;
    } else {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyObject *e = PyErr_GetRaisedException();
            PyErr_Format(PyExc_TypeError, "%S", e);
            Py_DECREF(e);
        }
        return -1;
    }
    memcpy(dst, &p, sizeof p);
    return keep_in(self, holder, slot, held);
}

/* A pointer to pointers (void **extra): as NVIDIA's, an int address only. */
static int
set_int_address(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot, PyObject *v,
                Py_ssize_t idx)
{
    unsigned long long u;
    if (v == Py_None)
        return field_error(PyExc_TypeError, self, f, idx, "must be an int address, not None");
    if (to_bits(v, 0, UINTPTR_MAX, &u, self, f, idx, "an int address") < 0)
        return -1;
    void *p = (void *)(uintptr_t)u;
    memcpy(dst, &p, sizeof p);
    return keep_in(self, holder, slot, NULL);
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
    if (v == Py_None)
        return set_address(self, f, slot, NULL, slot, v, -1);
    if (PyLong_Check(v))
        return set_int_address(self, f, slot, NULL, slot, v, -1);
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

/* Whether v converts to an element of enum or struct field f (nothing written). */
static int
check_item(PyObject *self, const cb_field_def *f, PyObject *v, Py_ssize_t idx)
{
    if (f->kind == CB_FIELD_ENUM) {
        unsigned long long scratch;
        return set_enum(self, f, (char *)&scratch, v, idx);
    }
    PyTypeObject *want = struct_class_of(self, f->ref);
    if (want == NULL)
        return -1;
    /* a field's struct: the declared class or a subclass, as NVIDIA's (not
     * another name of the C type); a list's item: any name of its C type */
    const cb_struct_def *d = def_of(Py_TYPE(v));
    if (f->via == CB_VIA_LIST ? d == NULL || d != def_of(want) : !PyObject_TypeCheck(v, want))
        return field_error(PyExc_TypeError, self, f, idx, "must be %s, not %.200s", short_name(want),
                           short_name(Py_TYPE(v)));
    return 0;
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
        return set_enum(self, f, dst, v, idx);
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
            /* beyond float's range: infinity, as NVIDIA's C cast stores it */
            float x = isfinite(d) && fabs(d) > FLT_MAX ? (float)copysign(INFINITY, d) : (float)d;
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
        } else {
            /* As NVIDIA's: anything int() takes through __int__ (another
             * class of handle too).  A 4-byte handle is CUdevice, a C int
             * that NVIDIA's fields take from 0 up. */
            if (to_bits(v, 0, f->size >= 8 ? cb_max_unsigned(f->size) : cb_max_unsigned(f->size) >> 1, &u, self, f,
                        idx, "a handle, int or None") < 0)
                return -1;
        }
        cb_store_bits(dst, f->size, u);
        return 0;
    }
    case CB_FIELD_STRUCT: {
        if (check_item(self, f, v, idx) < 0)
            return -1;
        const cb_struct_def *d = def_of(Py_TYPE(v));
        memmove(dst, cb_struct_ptr(v), f->size);
        /* The copied bytes may hold pointers into what v keeps alive. */
        PyObject *ka = tail_of(v, d)->_keepalive;
        return keep_in(self, holder, slot, ka != NULL && PyDict_GET_SIZE(ka) > 0 ? Py_NewRef(v) : NULL);
    }
    case CB_FIELD_KERNEL_PARAMS:
        return set_kernel_params(self, f, dst, v);
    case CB_FIELD_POINTER_INT:
        return set_int_address(self, f, dst, holder, slot, v, idx);
    default:
        return set_address(self, f, dst, holder, slot, v, idx);
    }
}

/* --- whole fields ------------------------------------------------------ */

/* A copy of the struct at p that keeps `keep` (what its pointers may point
 * into) alive: the items NVIDIA's list fields give back are copies. */
static PyObject *
struct_copy(PyObject *self, const cb_field_def *f, const char *p, PyObject *keep)
{
    PyObject *o = cb_struct_new(struct_class_of(self, f->ref), p);
    PyObject *ka = o != NULL ? keepalive_of(o, 1) : NULL;
    if (ka != NULL && PyDict_SetItem(ka, Py_None, keep) == 0)
        return o;
    Py_XDECREF(o);
    return NULL;
}

static PyObject *
get_array(PyObject *self, const cb_field_def *f, char *p, size_t n, PyObject *owner)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *v = f->via == CB_VIA_LIST && f->kind == CB_FIELD_STRUCT
                          ? struct_copy(self, f, p + i * f->size, owner)
                          : get_elem(self, f, p + i * f->size, owner);
        if (v == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    return list;
}

/* A list field: the items set through it (our own array, whatever the
 * count field says now), or for memory not ours as many as the count field
 * says (none without one). */
static PyObject *
get_list(PyObject *self, const cb_field_def *f, char *base)
{
    char *slot = base + f->offset;
    char *p;
    memcpy(&p, slot, sizeof p);
    if (p == NULL)
        return PyList_New(0);
    PyObject *h = holder_of(self, slot);
    unsigned long long n = 0;
    if (h != NULL) {
        n = holder_size(h) / f->size;
    } else if (f->count_field >= 0) {
        const cb_field_def *cf = &f->owner->fields[f->count_field];
        n = cb_load_unsigned(base + cf->offset, cf->size);
        if (cf->kind == CB_FIELD_SIGNED && cb_load_signed(base + cf->offset, cf->size) < 0)
            n = 0;
    }
    if (n > PY_SSIZE_T_MAX / 2)
        return PyErr_NoMemory();
    return get_array(self, f, p, (size_t)n, h != NULL ? h : self);
}

/* As NVIDIA's: a sized sequence of items (ints and None refused), copied
 * into memory the object owns; the count field is left as the caller sets
 * it. */
static int
set_list(PyObject *self, const cb_field_def *f, char *base, PyObject *v)
{
    char *slot = base + f->offset;
    void *p = NULL;
    if (!PySequence_Check(v) || PyUnicode_Check(v) || PyBytes_Check(v) || PyByteArray_Check(v))
        return field_error(PyExc_TypeError, self, f, -1, "must be a list, not %.200s", short_name(Py_TYPE(v)));
    /* A tuple of the items, kept with the copy: they may keep alive what
     * the copied bytes point to, and the caller may empty the list later. */
    PyObject *items = PySequence_Tuple(v);
    if (items == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if (n == 0) {
        Py_DECREF(items);
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
    memcpy(slot, &buf, sizeof buf);
    return keep(self, slot, h);
}

/* A char array, as NVIDIA's takes one: a sized object of exactly `count`
 * bytes or ints (-128..255), else `length_error` (ValueError for raw
 * bytes, IndexError for a C string, as NVIDIA's). */
static int
set_chars(PyObject *self, const cb_field_def *f, char *dst, PyObject *v, PyObject *length_error)
{
    size_t n = f->count * f->size;
    Py_ssize_t got = PyUnicode_Check(v) ? PyUnicode_GetLength(v) : PyObject_Length(v);
    if (got < 0) {
        PyErr_Clear();
        return field_error(PyExc_TypeError, self, f, -1, "must be bytes, not %.200s", short_name(Py_TYPE(v)));
    }
    if ((size_t)got != n)
        return field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, got);
    if (PyObject_CheckBuffer(v)) {
        Py_buffer b;
        if (PyObject_GetBuffer(v, &b, PyBUF_SIMPLE) < 0)
            return -1;
        int ok = (size_t)b.len == n;
        if (ok)
            memcpy(dst, b.buf, n);
        PyBuffer_Release(&b);
        return ok ? 0 : field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, b.len);
    }
    /* a private tuple: converting an item may run code that changes the caller's list */
    PyObject *seq = PySequence_Tuple(v);
    if (seq == NULL)
        return -1;
    if ((size_t)PyTuple_GET_SIZE(seq) != n) {
        Py_ssize_t now = PyTuple_GET_SIZE(seq);
        Py_DECREF(seq);
        return field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, now);
    }
    char *tmp = PyMem_Malloc(n ? n : 1);
    if (tmp == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned long long u;
        /* char takes either signedness, -128..255; unsigned char 0..255 (ref 1) */
        if (to_bits(PyTuple_GET_ITEM(seq, (Py_ssize_t)i), f->ref == 1 ? 0 : -128, 255, &u, self, f, (Py_ssize_t)i,
                    "int") < 0) {
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

/* A fixed array: a sequence of exactly `count` elements, converted in full
 * before anything is written. */
static int
set_array(PyObject *self, const cb_field_def *f, char *dst, PyObject *v)
{
    /* a private tuple: converting an item may run code that changes the
     * caller's list.  As NVIDIA's: any iterable (a str or bytes item by
     * item; of structs, pointer handles or addresses a list), of exactly
     * `count` items, else IndexError. */
    PyTypeObject *ht = f->kind == CB_FIELD_HANDLE ? handle_class_of(self, f->ref) : NULL;
    if (f->kind == CB_FIELD_HANDLE && ht == NULL)
        return -1;
    int listed = f->kind == CB_FIELD_STRUCT || f->kind == CB_FIELD_ADDRESS ||
                 (ht != NULL && cb_handle_class_kind((PyObject *)ht) == CB_HANDLE_POINTER);
    PyObject *seq = listed && !PyList_Check(v) ? NULL : PySequence_Tuple(v);
    if (seq == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        return field_error(PyExc_TypeError, self, f, -1, "must be a sequence of %zu items, not %.200s", f->count,
                           short_name(Py_TYPE(v)));
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if ((size_t)n != f->count) {
        /* NVIDIA's converts a str's items for an enum array before it counts them */
        for (Py_ssize_t i = 0; i < n && f->kind == CB_FIELD_ENUM && PyUnicode_Check(v); i++) {
            if (check_item(self, f, PyTuple_GET_ITEM(seq, i), i) < 0) {
                Py_DECREF(seq);
                return -1;
            }
        }
        Py_DECREF(seq);
        return field_error(PyExc_IndexError, self, f, -1, "must have %zu items, got %zd", f->count, n);
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
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        char *elem = tmp + (size_t)i * f->size;
        if (listed && item == Py_None)   /* as NVIDIA's: no None in these arrays */
            rc = field_error(PyExc_TypeError, self, f, i, "must not be None");
        else if (f->kind == CB_FIELD_ADDRESS)   /* an array of addresses: ints only, as NVIDIA's */
            rc = set_int_address(self, f, elem, NULL, dst + (size_t)i * f->size, item, i);
        else
            rc = set_elem(self, f, elem, NULL, dst + (size_t)i * f->size, item, i);
    }
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
    if (f->via == CB_VIA_LIST)
        return get_list(self, f, base);
    if (f->via == CB_VIA_POINTEE) {
        static const char zeros[16];
        char *q;
        memcpy(&q, p, sizeof q);
        return get_elem(self, f, q != NULL ? q : (char *)zeros, self);
    }
    if (f->kind == CB_FIELD_CHARS)
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)(f->count * f->size));
    if (f->kind == CB_FIELD_CSTRING) {
        const char *end = memchr(p, 0, f->count * f->size);
        return PyBytes_FromStringAndSize(p, end != NULL ? end - p : (Py_ssize_t)(f->count * f->size));
    }
    if (f->count == 0 && f->kind == CB_FIELD_HANDLE)
        return handle_view(self, f, p);
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
        return PyErr_SetString(PyExc_NotImplementedError, "__del__"), -1;   /* as NVIDIA's */
    if (f->via == CB_VIA_LIST)
        return set_list(self, f, base, value);
    if (f->via == CB_VIA_POINTEE)
        return field_error(PyExc_AttributeError, self, f, -1, "is not writable");
    if (f->kind == CB_FIELD_CHARS)
        return set_chars(self, f, p, value, PyExc_ValueError);
    if (f->kind == CB_FIELD_CSTRING)   /* all `count` bytes, as NVIDIA's; read up to the NUL */
        return set_chars(self, f, p, value, PyExc_IndexError);
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

static int struct_point(PyObject *self, PyObject *args, PyObject *kwds);

/* As NVIDIA's __cinit__: the address comes with the call to the class,
 * whatever a subclass's __init__ takes. */
static PyObject *
struct_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *self = alloc(type, NULL, NULL);
    if (self != NULL && struct_point(self, args, kwds) < 0)
        Py_CLEAR(self);
    return self;
}

static char *ptr_kwlist[] = {"_ptr", NULL};

/* __init__(_ptr=0): checks its arguments; tp_new has used them. */
static int
struct_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *ptr = NULL;
    (void)self;
    return PyArg_ParseTupleAndKeywords(args, kwds, "|O:__init__", ptr_kwlist, &ptr) ? 0 : -1;
}

/* X(_ptr=0): _ptr, an int address, makes the object a view of that memory
 * (not owned, trusted as in C). */
static int
struct_point(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *ptr = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__cinit__", ptr_kwlist, &ptr))
        return -1;
    const cb_struct_def *d = def_of(Py_TYPE(self));
    void *p = NULL;
    if (d->view_only && ptr == NULL) {
        PyErr_SetString(PyExc_TypeError, "__cinit__() takes exactly 1 positional argument (0 given)");
        return -1;
    }
    if (ptr != NULL) {
        /* As NVIDIA's: an int address (through __int__); None is refused. */
        PyObject *n = cb_nb_int(ptr);
        if (n == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s(_ptr) must be an int address, not %.200s",
                             short_name(Py_TYPE(self)), short_name(Py_TYPE(ptr)));
            return -1;
        }
        unsigned long long u = PyLong_AsUnsignedLongLong(n);
        int bad = (u == ULLONG_MAX && PyErr_Occurred()) || u > UINTPTR_MAX;
        Py_DECREF(n);
        if (bad) {
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
    detach_handle_views(t->_keepalive);
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

PyObject *
cb_struct_getPtr(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr(cb_struct_ptr(self));
}

/* "name : value", the nested structs indented below "name :", as NVIDIA's
 * repr does.  A field that cannot be read shows its exception's name. */
static PyObject *
field_line(PyObject *self, const cb_field_def *f)
{
    PyObject *v, *s = NULL;
    /* a struct, or an array of them, below "name :" */
    int nested = f->kind == CB_FIELD_STRUCT && f->via == CB_VIA_INLINE;
    int address = f->kind == CB_FIELD_ADDRESS && f->count == 0;   /* in hex, as NVIDIA's shows void * */
    v = cb_struct_get(self, (void *)f);
    if (v != NULL && (f->show == CB_SHOW_HEX || f->kind == CB_FIELD_CSTRING)) {
        /* as NVIDIA's shows them: CUuuid's bytes in hex, a C string as text */
        PyObject *t = f->show == CB_SHOW_HEX ? PyObject_CallMethod(v, "hex", NULL)
                                             : PyUnicode_FromEncodedObject(v, "utf-8", "strict");
        Py_SETREF(v, t);
    }
    if (v != NULL && nested) {
        PyObject *r = PyObject_Repr(v);
        PyObject *nl = PyUnicode_FromString("\n"), *nl4 = PyUnicode_FromString("\n    ");
        PyObject *ind = (r != NULL && nl != NULL && nl4 != NULL) ? PyUnicode_Replace(r, nl, nl4, -1) : NULL;
        if (ind != NULL)   /* a struct of hidden members only shows nothing below its name */
            s = PyUnicode_GET_LENGTH(ind) ? PyUnicode_FromFormat("%s :\n    %U", f->name, ind)
                                          : PyUnicode_FromFormat("%s :\n", f->name);
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
        if (d->fields[i].show == CB_SHOW_HIDDEN)
            continue;   /* reserved and padding members (gen/overrides.py HIDDEN_FIELDS) */
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
    {"getPtr", cb_struct_getPtr, METH_NOARGS,
     CB_STRUCT_GETPTR_DOC},
    {NULL, NULL, 0, NULL},
};

/* The items of one list of a pair, each through int() as NVIDIA's takes them
 * (a numeric str too), checked against the element's range: a new tuple. */
static PyObject *
pair_items(PyObject *self, const cb_field_def *f, PyObject *v)
{
    PyObject *items = PySequence_Check(v) && !PyUnicode_Check(v) ? PySequence_Tuple(v) : NULL;
    if (items == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_TypeError))
            return NULL;
        PyErr_Clear();
        field_error(PyExc_TypeError, self, f, -1, "must be a list, not %.200s", short_name(Py_TYPE(v)));
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
        PyObject *n = PyNumber_Long(PyTuple_GET_ITEM(items, i));
        unsigned long long u;
        if (n == NULL || to_bits(n, 0, cb_max_unsigned(f->size), &u, self, f, i, "int") < 0) {
            Py_XDECREF(n);
            Py_DECREF(items);
            return NULL;
        }
        Py_SETREF(PyTuple_GET_ITEM(items, i), n);
    }
    return items;
}

PyObject *
cb_struct_set_pair(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                   const cb_field_def *a, const cb_field_def *b, const char *name)
{
    const char *names[] = {a->name, b->name};
    cb_argspec spec = {.func = name, .names = names, .nparams = 2};
    PyObject *v[2];
    if (cb_unpack(&spec, args, nargs, kwnames, v) < 0)
        return NULL;
    PyObject *ta = pair_items(self, a, v[0]), *tb = ta != NULL ? pair_items(self, b, v[1]) : NULL;
    int rc = -1;
    if (tb != NULL && PyTuple_GET_SIZE(ta) != PyTuple_GET_SIZE(tb)) {
        PyErr_Format(PyExc_ValueError, "%s and %s must all have the same length", a->name, b->name);
    } else if (tb != NULL) {
        CB_BEGIN_CRITICAL_SECTION(root_of(self));
        char *base = tail_of(self, a->owner)->_pvt_ptr;
        rc = set_list(self, a, base, ta);
        if (rc == 0)
            rc = set_list(self, b, base, tb);
        if (rc == 0) {   /* the count they share: their length */
            const cb_field_def *cf = &a->owner->fields[a->count_field];
            cb_store_bits(base + cf->offset, cf->size, (unsigned long long)PyTuple_GET_SIZE(ta));
        }
        CB_END_CRITICAL_SECTION();
    }
    Py_XDECREF(ta);
    Py_XDECREF(tb);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

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
        slots[n++] = (PyType_Slot){Py_tp_methods, def->methods != NULL ? def->methods : struct_methods};
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
