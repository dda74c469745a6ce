/* Whole fields of a struct object: scalars, fixed arrays, char arrays, C
 * strings and lists behind pointers; the getter and setter of every field,
 * and the setter of two lists that share a count. */
#include "cb_struct_field.h"

#include "cb_args.h"
#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_struct_elem.h"
#include "cb_struct_keep.h"
#include "cb_struct_layout.h"
#include "cb_struct_obj.h"

/* A copy of the struct at p that keeps `keep` (what its pointers may point
 * into) alive: the items NVIDIA's list fields give back are copies.  It is
 * kept under the key Ellipsis: None is the key of the copy's handle views. */
static PyObject *
struct_copy(PyObject *self, const cb_field_def *f, const char *p, PyObject *keep)
{
    PyObject *o = cb_struct_new(cb_field_struct_class(self, f->ref), p);
    PyObject *ka = o != NULL ? cb_struct_keepalive(o, 1) : NULL;
    if (ka != NULL && PyDict_SetItem(ka, Py_Ellipsis, keep) == 0)
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
                          : cb_field_get_elem(self, f, p + i * f->size, owner);
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
    PyObject *h = cb_struct_holder_of(self, slot);
    unsigned long long n = 0;
    if (h != NULL) {
        n = cb_struct_holder_size(h) / f->size;
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
        return cb_field_error(PyExc_TypeError, self, f, -1, "must be a list, not %.200s", cb_short_name(Py_TYPE(v)));
    /* A tuple of the items, kept with the copy: they may keep alive what
     * the copied bytes point to, and the caller may empty the list later. */
    PyObject *items = PySequence_Tuple(v);
    if (items == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if (n == 0) {
        Py_DECREF(items);
        memcpy(slot, &p, sizeof p);
        return cb_struct_keep(self, slot, NULL);
    }
    PyObject *h = cb_struct_holder_new((size_t)n, f->size, items);
    Py_DECREF(items);   /* h holds them */
    if (h == NULL)
        return -1;
    char *buf = cb_struct_holder_data(h);
    for (Py_ssize_t i = 0; i < n; i++) {
        char *elem = buf + (size_t)i * f->size;
        if (cb_field_set_elem(self, f, elem, h, elem, PyTuple_GET_ITEM(items, i), i) < 0) {
            Py_DECREF(h);
            return -1;
        }
    }
    memcpy(slot, &buf, sizeof buf);
    return cb_struct_keep(self, slot, h);
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
        return cb_field_error(PyExc_TypeError, self, f, -1, "must be bytes, not %.200s", cb_short_name(Py_TYPE(v)));
    }
    if ((size_t)got != n)
        return cb_field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, got);
    if (PyObject_CheckBuffer(v)) {
        Py_buffer b;
        if (PyObject_GetBuffer(v, &b, PyBUF_SIMPLE) < 0)
            return -1;
        int ok = (size_t)b.len == n;
        if (ok)
            memcpy(dst, b.buf, n);
        PyBuffer_Release(&b);
        return ok ? 0 : cb_field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, b.len);
    }
    /* a private tuple: converting an item may run code that changes the caller's list */
    PyObject *seq = PySequence_Tuple(v);
    if (seq == NULL)
        return -1;
    if ((size_t)PyTuple_GET_SIZE(seq) != n) {
        Py_ssize_t now = PyTuple_GET_SIZE(seq);
        Py_DECREF(seq);
        return cb_field_error(length_error, self, f, -1, "must be %zu bytes, got %zd", n, now);
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
        if (cb_field_bits(PyTuple_GET_ITEM(seq, (Py_ssize_t)i), f->ref == 1 ? 0 : -128, 255, &u, self, f, (Py_ssize_t)i,
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
    PyTypeObject *ht = f->kind == CB_FIELD_HANDLE ? cb_field_handle_class(self, f->ref) : NULL;
    if (f->kind == CB_FIELD_HANDLE && ht == NULL)
        return -1;
    int listed = f->kind == CB_FIELD_STRUCT || f->kind == CB_FIELD_ADDRESS ||
                 (ht != NULL && cb_handle_class_kind((PyObject *)ht) == CB_HANDLE_POINTER);
    PyObject *seq = listed && !PyList_Check(v) ? NULL : PySequence_Tuple(v);
    if (seq == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        return cb_field_error(PyExc_TypeError, self, f, -1, "must be a sequence of %zu items, not %.200s", f->count,
                              cb_short_name(Py_TYPE(v)));
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if ((size_t)n != f->count) {
        /* NVIDIA's converts a str's items for an enum array before it counts them */
        for (Py_ssize_t i = 0; i < n && f->kind == CB_FIELD_ENUM && PyUnicode_Check(v); i++) {
            if (cb_field_check_item(self, f, PyTuple_GET_ITEM(seq, i), i) < 0) {
                Py_DECREF(seq);
                return -1;
            }
        }
        Py_DECREF(seq);
        return cb_field_error(PyExc_IndexError, self, f, -1, "must have %zu items, got %zd", f->count, n);
    }
    size_t bytes = f->count * f->size;
    char *tmp = PyMem_Malloc(bytes ? bytes : 1);
    /* elements that keep what they point to alive: on failure, what the
     * unchanged memory points to is kept again */
    int keeps = f->kind != CB_FIELD_SIGNED && f->kind != CB_FIELD_UNSIGNED && f->kind != CB_FIELD_ENUM &&
                f->kind != CB_FIELD_FLOAT && f->kind != CB_FIELD_HANDLE;
    PyObject *saved = keeps ? cb_struct_keeps_save(self, dst, f->count, f->size) : NULL;
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
            rc = cb_field_error(PyExc_TypeError, self, f, i, "must not be None");
        else if (f->kind == CB_FIELD_ADDRESS)   /* an array of addresses: ints only, as NVIDIA's */
            rc = cb_field_set_int_address(self, f, elem, NULL, dst + (size_t)i * f->size, item, i);
        else
            rc = cb_field_set_elem(self, f, elem, NULL, dst + (size_t)i * f->size, item, i);
    }
    if (rc == 0)
        memcpy(dst, tmp, bytes);
    else if (saved != NULL)
        cb_struct_keeps_restore(self, dst, f->size, saved);
    Py_XDECREF(saved);
    PyMem_Free(tmp);
    Py_DECREF(seq);
    return rc;
}

static PyObject *
struct_get(PyObject *self, const cb_field_def *f)
{
    char *base = cb_struct_tail_of(self, f->owner)->_pvt_ptr;
    char *p = base + f->offset;
    if (f->via == CB_VIA_LIST)
        return get_list(self, f, base);
    if (f->via == CB_VIA_POINTEE) {
        static const char zeros[16];
        char *q;
        memcpy(&q, p, sizeof q);
        return cb_field_get_elem(self, f, q != NULL ? q : (char *)zeros, self);
    }
    if (f->kind == CB_FIELD_CHARS)
        return PyBytes_FromStringAndSize(p, (Py_ssize_t)(f->count * f->size));
    if (f->kind == CB_FIELD_CSTRING) {
        const char *end = memchr(p, 0, f->count * f->size);
        return PyBytes_FromStringAndSize(p, end != NULL ? end - p : (Py_ssize_t)(f->count * f->size));
    }
    if (f->count == 0 && f->kind == CB_FIELD_HANDLE)
        return cb_field_handle_view(self, f, p);
    if (f->count == 0)
        return cb_field_get_elem(self, f, p, self);
    return get_array(self, f, p, f->count, self);
}

static int
struct_set(PyObject *self, PyObject *value, const cb_field_def *f)
{
    char *base = cb_struct_tail_of(self, f->owner)->_pvt_ptr;
    char *p = base + f->offset;
    if (value == NULL)
        return PyErr_SetString(PyExc_NotImplementedError, "__del__"), -1;   /* as NVIDIA's */
    if (f->via == CB_VIA_LIST)
        return set_list(self, f, base, value);
    if (f->via == CB_VIA_POINTEE)
        return cb_field_error(PyExc_AttributeError, self, f, -1, "is not writable");
    if (f->kind == CB_FIELD_CHARS)
        return set_chars(self, f, p, value, PyExc_ValueError);
    if (f->kind == CB_FIELD_CSTRING)   /* all `count` bytes, as NVIDIA's; read up to the NUL */
        return set_chars(self, f, p, value, PyExc_IndexError);
    if (f->count == 0)
        return cb_field_set_elem(self, f, p, NULL, p, value, -1);
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
    CB_BEGIN_CRITICAL_SECTION(cb_struct_root(self));
    r = struct_get(self, closure);
    CB_END_CRITICAL_SECTION();
    return r;
}

int
cb_struct_set(PyObject *self, PyObject *value, void *closure)
{
    int rc;
    CB_BEGIN_CRITICAL_SECTION(cb_struct_root(self));
    rc = struct_set(self, value, closure);
    CB_END_CRITICAL_SECTION();
    return rc;
}

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
        cb_field_error(PyExc_TypeError, self, f, -1, "must be a list, not %.200s", cb_short_name(Py_TYPE(v)));
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
        PyObject *n = PyNumber_Long(PyTuple_GET_ITEM(items, i));
        unsigned long long u;
        if (n == NULL || cb_field_bits(n, 0, cb_max_unsigned(f->size), &u, self, f, i, "int") < 0) {
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
        CB_BEGIN_CRITICAL_SECTION(cb_struct_root(self));
        char *base = cb_struct_tail_of(self, a->owner)->_pvt_ptr;
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
