/* One element of a field, to and from Python: integers, floats, enum
 * members, handles, nested structs, addresses, kernel arguments. */
#include "cb_struct_elem.h"

#include "cb_bits.h"
#include "cb_class.h"
#include "cb_enum.h"
#include "cb_handle.h"
#include "cb_int.h"
#include "cb_kernel.h"
#include "cb_struct_keep.h"
#include "cb_struct_layout.h"
#include "cb_struct_obj.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>

int
cb_field_error(PyObject *exc, PyObject *self, const cb_field_def *f, Py_ssize_t idx, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    PyObject *what = PyUnicode_FromFormatV(fmt, va);
    va_end(va);
    if (what == NULL)
        return -1;
    if (idx >= 0)
        PyErr_Format(exc, "%s.%s[%zd] %U", cb_short_name(Py_TYPE(self)), f->name, idx, what);
    else
        PyErr_Format(exc, "%s.%s %U", cb_short_name(Py_TYPE(self)), f->name, what);
    Py_DECREF(what);
    return -1;
}

/* An integer within [lo, hi], as raw bits.  As NVIDIA's fields convert
 * (Cython's C integer conversion): an int, or anything with __int__ (a
 * float truncates; a handle or CUdeviceptr gives its value); an object with
 * only __index__, a str and None are refused. */
int
cb_field_bits(PyObject *v, long long lo, unsigned long long hi, unsigned long long *out, PyObject *self,
              const cb_field_def *f, Py_ssize_t idx, const char *want)
{
    PyObject *n = cb_nb_int(v);
    if (n == NULL) {
        if (!PyErr_Occurred())
            cb_field_error(PyExc_TypeError, self, f, idx, "must be %s, not %.200s", want, cb_short_name(Py_TYPE(v)));
        return -1;   /* said here, not through cb_field_error's result: the compiler sees *out set on 0 */
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
    cb_field_error(PyExc_OverflowError, self, f, idx, "must be in [%lld, %llu], got %R", lo, hi, n);
    Py_DECREF(n);
    return -1;
}

/* The module that made self's class. */
static PyObject *
module_of(PyObject *self)
{
    return PyType_GetModule(cb_struct_our_type(Py_TYPE(self)));
}

PyTypeObject *
cb_field_handle_class(PyObject *self, int ref)
{
    PyObject *module = module_of(self);
    return module ? cb_handle_class(module, cb_get_state(module), ref) : NULL;
}

PyTypeObject *
cb_field_struct_class(PyObject *self, int ref)
{
    PyObject *module = module_of(self);
    return module ? cb_struct_class(module, cb_get_state(module), ref) : NULL;
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
        return cb_field_error(PyExc_TypeError, self, f, idx, "must not be None");
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
        return cb_field_error(PyExc_OverflowError, self, f, idx, "does not fit the C enum %s",
                              cb_get_state(module)->def->enums[f->ref].name);
    cb_store_bits(dst, f->size, (unsigned long long)x);
    return 0;
}

PyObject *
cb_field_get_elem(PyObject *self, const cb_field_def *f, char *p, PyObject *owner)
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
        return cb_handle_new(cb_field_handle_class(self, f->ref), (void *)(uintptr_t)cb_load_unsigned(p, f->size));
    case CB_FIELD_STRUCT:
        return cb_struct_alloc(cb_field_struct_class(self, f->ref), p, owner);
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
 * detached (cb_handle_detach) when that memory goes (cb_struct_tp_clear).
 * Memory the root struct does not own gets a copy. */
PyObject *
cb_field_handle_view(PyObject *self, const cb_field_def *f, char *p)
{
    PyObject *root = cb_struct_root(self);
    cb_struct_tail *rt = cb_struct_tail_of(root, cb_struct_def_of(Py_TYPE(root)));
    if (rt->_owner != NULL || rt->_pvt_ptr != cb_struct_value_of(root, cb_struct_def_of(Py_TYPE(root))))
        return cb_field_get_elem(self, f, p, self);
    PyTypeObject *cls = cb_field_handle_class(self, f->ref);
    if (cls == NULL)
        return NULL;
    PyObject *ka = cb_struct_keepalive(self, 1), *views, *key, *h;
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
            return cb_field_error(PyExc_TypeError, self, f, idx, "must be a contiguous buffer");
        }
        p = PyMemoryView_GET_BUFFER(held)->buf;
    } else if (cb_field_bits(v, 0, UINTPTR_MAX, &u, self, f, idx, "None, an int address or a buffer") == 0) {
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
    return cb_struct_keep_in(self, holder, slot, held);
}

int
cb_field_set_int_address(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot,
                         PyObject *v, Py_ssize_t idx)
{
    unsigned long long u;
    if (v == Py_None)
        return cb_field_error(PyExc_TypeError, self, f, idx, "must be an int address, not None");
    if (cb_field_bits(v, 0, UINTPTR_MAX, &u, self, f, idx, "an int address") < 0)
        return -1;
    void *p = (void *)(uintptr_t)u;
    memcpy(dst, &p, sizeof p);
    return cb_struct_keep_in(self, holder, slot, NULL);
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
        return cb_field_set_int_address(self, f, slot, NULL, slot, v, -1);
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
    cb_argspec spec = {.func = cb_short_name(Py_TYPE(self)), .names = names, .nparams = 1};
    if (cb_arg_kernel_params(v, kp, &spec, 0) < 0) {
        Py_DECREF(capsule);
        return -1;
    }
    memcpy(slot, &kp->argv, sizeof kp->argv);
    return cb_struct_keep(self, slot, capsule);
}

int
cb_field_check_item(PyObject *self, const cb_field_def *f, PyObject *v, Py_ssize_t idx)
{
    if (f->kind == CB_FIELD_ENUM) {
        unsigned long long scratch;
        return set_enum(self, f, (char *)&scratch, v, idx);
    }
    PyTypeObject *want = cb_field_struct_class(self, f->ref);
    if (want == NULL)
        return -1;
    /* a field's struct: the declared class or a subclass, as NVIDIA's (not
     * another name of the C type); a list's item: any name of its C type */
    const cb_struct_def *d = cb_struct_def_of(Py_TYPE(v));
    if (f->via == CB_VIA_LIST ? d == NULL || d != cb_struct_def_of(want) : !PyObject_TypeCheck(v, want))
        return cb_field_error(PyExc_TypeError, self, f, idx, "must be %s, not %.200s", cb_short_name(want),
                              cb_short_name(Py_TYPE(v)));
    return 0;
}

int
cb_field_set_elem(PyObject *self, const cb_field_def *f, char *dst, PyObject *holder, char *slot, PyObject *v,
                  Py_ssize_t idx)
{
    unsigned long long u;
    switch (f->kind) {
    case CB_FIELD_SIGNED:
        if (cb_field_bits(v, cb_min_signed(f->size), cb_max_unsigned(f->size) >> 1, &u, self, f, idx, "int") < 0)
            return -1;
        cb_store_bits(dst, f->size, u);
        return 0;
    case CB_FIELD_UNSIGNED:
        if (cb_field_bits(v, 0, cb_max_unsigned(f->size), &u, self, f, idx, "int") < 0)
            return -1;
        cb_store_bits(dst, f->size, u);
        return 0;
    case CB_FIELD_ENUM:
        return set_enum(self, f, dst, v, idx);
    case CB_FIELD_FLOAT: {
        if (!PyFloat_Check(v) && !PyLong_Check(v) &&
            (Py_TYPE(v)->tp_as_number == NULL || (Py_TYPE(v)->tp_as_number->nb_float == NULL &&
                                                   Py_TYPE(v)->tp_as_number->nb_index == NULL)))
            return cb_field_error(PyExc_TypeError, self, f, idx, "must be float, not %.200s",
                                  cb_short_name(Py_TYPE(v)));
        double d = PyFloat_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) {
            PyObject *e = PyErr_GetRaisedException();
            cb_field_error(PyExc_OverflowError, self, f, idx, "cannot take %R: %S", v, e);
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
        PyTypeObject *ht = cb_field_handle_class(self, f->ref);
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
            if (cb_field_bits(v, 0, f->size >= 8 ? cb_max_unsigned(f->size) : cb_max_unsigned(f->size) >> 1, &u,
                              self, f, idx, "a handle, int or None") < 0)
                return -1;
        }
        cb_store_bits(dst, f->size, u);
        return 0;
    }
    case CB_FIELD_STRUCT: {
        if (cb_field_check_item(self, f, v, idx) < 0)
            return -1;
        const cb_struct_def *d = cb_struct_def_of(Py_TYPE(v));
        memmove(dst, cb_struct_ptr(v), f->size);
        /* The copied bytes may hold pointers into what v keeps alive. */
        PyObject *ka = cb_struct_tail_of(v, d)->_keepalive;
        return cb_struct_keep_in(self, holder, slot, ka != NULL && PyDict_GET_SIZE(ka) > 0 ? Py_NewRef(v) : NULL);
    }
    case CB_FIELD_KERNEL_PARAMS:
        return set_kernel_params(self, f, dst, v);
    case CB_FIELD_POINTER_INT:
        return cb_field_set_int_address(self, f, dst, holder, slot, v, idx);
    default:
        return set_address(self, f, dst, holder, slot, v, idx);
    }
}
