/* Members of record objects, read and set as NVIDIA's classes do (observed
 * by running them: tests/test_nvml_records.py).
 *
 * A plain class converts in C: integers as Cython does, char arrays as
 * UTF-8 str, integer arrays as numpy arrays over the struct's memory,
 * nested structs as views, pointers with a count as views of what they
 * point to (kept alive by the object that owns the memory holding the
 * pointer).  An array class reads and sets `_data[name]`: numpy converts,
 * and one item reads as a Python number. */
#include "cb_record_field.h"

#include "cb_bits.h"
#include "cb_int.h"
#include "cb_record_np.h"
#include "cb_record_obj.h"

#include <limits.h>
#include <string.h>

int
cb_rec_refuse_write(const cb_record_def *d)
{
    PyErr_Format(PyExc_ValueError, "This %s instance is read-only", d->name);
    return -1;
}

int
cb_rec_check_type(PyObject *v, PyTypeObject *type)
{
    int ok = PyObject_TypeCheck(v, type);
    if (!ok)
        PyErr_Format(PyExc_TypeError, "Cannot convert %s to %s", Py_TYPE(v)->tp_name, type->tp_name);
    return ok ? 0 : -1;
}

int
cb_rec_cy_int(PyObject *v, size_t size, int is_signed, const char *ctype, int ssize, unsigned long long *out)
{
    /* an intptr_t (Py_ssize_t) takes ints only, no __int__ (floats refused) */
    PyObject *n = ssize ? (PyLong_Check(v) ? Py_NewRef(v) : NULL) : cb_nb_int(v);
    if (n == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "an integer is required");
        return -1;
    }
    int rc = -1;
    if (is_signed) {
        long long x;
        if (ssize) {
            Py_ssize_t s = PyLong_AsSsize_t(n);   /* "Python int too large to convert to C ssize_t" */
            x = s;
            if (s == -1 && PyErr_Occurred())
                goto done;
        } else {
            long l = PyLong_AsLong(n);            /* "Python int too large to convert to C long" */
            x = l;
            if (l == -1 && PyErr_Occurred())
                goto done;
        }
        if (size < 8 && (x < cb_min_signed(size) || x > (long long)(cb_max_unsigned(size) >> 1))) {
            PyErr_Format(PyExc_OverflowError, "value too large to convert to %s", ctype);
            goto done;
        }
        *out = (unsigned long long)x;
    } else {
        int overflow;
        long long probe = PyLong_AsLongLongAndOverflow(n, &overflow);
        if (probe == -1 && PyErr_Occurred())
            goto done;
        if (overflow < 0 || (overflow == 0 && probe < 0)) {
            PyErr_Format(PyExc_OverflowError, "can't convert negative value to %s", ctype);
            goto done;
        }
        unsigned long u = PyLong_AsUnsignedLong(n);   /* "... to C unsigned long" */
        if (u == (unsigned long)-1 && PyErr_Occurred())
            goto done;
        if (size < 8 && u > cb_max_unsigned(size)) {
            PyErr_Format(PyExc_OverflowError, "value too large to convert to %s", ctype);
            goto done;
        }
        *out = u;
    }
    rc = 0;
done:
    Py_DECREF(n);
    return rc;
}

/* ---- plain classes ------------------------------------------------------ */

static Py_ssize_t
load_count(const char *base, const cb_record_field *c)
{
    unsigned long long v = c->is_signed ? (unsigned long long)cb_load_signed(base + c->offset, c->int_size)
                                        : cb_load_unsigned(base + c->offset, c->int_size);
    if (c->is_signed && (long long)v < 0)
        return 0;
    return v > (unsigned long long)PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t)v;
}

/* How many items an array member holds now: its count member's value,
 * never more than the room it has (NVIDIA's reads past it). */
static Py_ssize_t
items_of(const cb_record_def *d, const char *base, const cb_record_field *f)
{
    if (f->count_of < 0)
        return f->count;
    Py_ssize_t n = load_count(base, &d->fields[f->count_of]);
    return f->count > 0 && n > f->count ? f->count : n;
}

static void
store_count(const cb_record_def *d, char *base, const cb_record_field *f, Py_ssize_t n)
{
    const cb_record_field *c = &d->fields[f->count_of];
    cb_store_bits(base + c->offset, c->int_size, (unsigned long long)n);
}

/* The numpy format of what a PTR_NUMS member points to ("<u4"). */
static const char *
pointee_format(const cb_record_field *f)
{
    static const char *const fmts[2][4] = {{"u1", "<u2", "<u4", "<u8"}, {"i1", "<i2", "<i4", "<i8"}};
    int k = f->int_size == 1 ? 0 : f->int_size == 2 ? 1 : f->int_size == 4 ? 2 : 3;
    return fmts[f->is_signed != 0][k];
}

static PyObject *
empty_list_or_float_array(int list)
{
    if (list)
        return PyList_New(0);
    /* as NVIDIA's reads an array member holding no items: numpy.empty(0) */
    PyObject *empty = cb_np_attr(CB_NP_EMPTY);
    return empty == NULL ? NULL : PyObject_CallFunction(empty, "(n)", (Py_ssize_t)0);
}

/* An empty memoryview of intptr_t items: a PTR_ADDRS member pointing to none. */
static PyObject *
no_addresses(void)
{
    PyObject *bytes = PyMemoryView_FromMemory((char *)"", 0, PyBUF_READ);
    PyObject *view = bytes != NULL ? PyObject_CallMethod(bytes, "cast", "s", "q") : NULL;
    Py_XDECREF(bytes);
    return view;
}

/* A nested record (count 0) or `n` of them at p: a view kept alive by self. */
static PyObject *
record_view(cb_rec_info *info, const cb_record_field *f, void *p, Py_ssize_t n, int readonly, PyObject *self)
{
    const cb_record_def *ref = &info->st->record_defs[f->ref];
    return cb_rec_new_view(info->module, f->ref, p, ref->array ? n : 1, readonly, self);
}

static PyObject *
plain_get(PyObject *self, const cb_record_field *f)
{
    cb_rec_plain *o = (cb_rec_plain *)self;
    char *base = (char *)o->ptr, *p = base + f->offset;
    cb_rec_info info;
    switch (f->kind) {
    case CB_REC_INT:
        if (f->is_signed)
            return PyLong_FromLongLong(cb_load_signed(p, f->int_size));
        return PyLong_FromUnsignedLongLong(cb_load_unsigned(p, f->int_size));
    case CB_REC_ADDRESS:
        return PyLong_FromLongLong(cb_load_signed(p, sizeof(void *)));
    case CB_REC_FLOAT: {
        if (f->size == sizeof(float)) {
            float x;
            memcpy(&x, p, sizeof x);
            return PyFloat_FromDouble(x);
        }
        double x;
        memcpy(&x, p, sizeof x);
        return PyFloat_FromDouble(x);
    }
    case CB_REC_CHARS: {
        const char *end = memchr(p, 0, (size_t)f->count);
        return PyUnicode_DecodeUTF8(p, end != NULL ? end - p : f->count, NULL);
    }
    case CB_REC_CSTRING: {
        const char *s;
        memcpy(&s, p, sizeof s);
        return s == NULL ? PyUnicode_FromString("") : PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), NULL);
    }
    default:
        break;
    }
    if (cb_rec_info_of(self, &info) < 0)
        return NULL;
    const cb_record_def *d = info.def;
    switch (f->kind) {
    case CB_REC_NUMS: {
        Py_ssize_t n = items_of(d, base, f);
        if (f->count_of >= 0 && n == 0)
            return empty_list_or_float_array(0);
        PyObject *fmt = PyUnicode_FromString(f->format);
        PyObject *arr = fmt == NULL ? NULL : cb_np_over(p, n * (Py_ssize_t)f->size, o->readonly, self, fmt, n);
        Py_XDECREF(fmt);
        return arr;
    }
    case CB_REC_STRUCT:
        return record_view(&info, f, p, f->count > 0 ? items_of(d, base, f) : 1, o->readonly, self);
    case CB_REC_PTR_STRUCTS:
    case CB_REC_PTR_NUMS:
    case CB_REC_PTR_ADDRS: {
        void *target;
        memcpy(&target, p, sizeof target);
        Py_ssize_t n = items_of(d, base, f);
        if (f->kind == CB_REC_PTR_ADDRS && (n == 0 || target == NULL))
            return no_addresses();
        if (n == 0 || target == NULL)
            return empty_list_or_float_array(1);
        if (f->kind == CB_REC_PTR_STRUCTS)
            return record_view(&info, f, target, n, o->readonly, self);
        PyObject *fmt = PyUnicode_FromString(pointee_format(f));
        PyObject *arr = fmt == NULL ? NULL : cb_np_over(target, n * (Py_ssize_t)f->size, o->readonly, self, fmt, n);
        Py_XDECREF(fmt);
        if (arr != NULL && f->kind == CB_REC_PTR_ADDRS)   /* a view of the array, which keeps self */
            Py_SETREF(arr, PyMemoryView_FromObject(arr));
        return arr;
    }
    default:
        return PyErr_Format(PyExc_SystemError, "%s.%s: member kind %d", d->name, f->name, f->kind);
    }
}

/* What the pointer at `slot` points into, kept alive (stolen; the keep dict
 * of the object owning the memory). */
static int
keep_for(PyObject *self, void *slot, PyObject *obj)
{
    if (obj == NULL)
        return -1;
    cb_rec_plain *k = (cb_rec_plain *)cb_rec_keeper(self);
    PyObject *key = PyLong_FromVoidPtr(slot);
    if (key == NULL || (k->keep == NULL && (k->keep = PyDict_New()) == NULL)) {
        Py_XDECREF(key);
        Py_DECREF(obj);
        return -1;
    }
    int rc = PyDict_SetItem(k->keep, key, obj);
    Py_DECREF(key);
    Py_DECREF(obj);
    return rc;
}

/* A str's UTF-8 bytes, as NVIDIA's takes them: value.encode(). */
static PyObject *
encoded(PyObject *value)
{
    PyObject *b = PyObject_CallMethod(value, "encode", NULL);
    if (b != NULL && !PyBytes_Check(b)) {
        PyErr_Format(PyExc_TypeError, "Expected bytes, got %.200s", Py_TYPE(b)->tp_name);
        Py_CLEAR(b);
    }
    return b;
}

/* numpy.array(value, dtype=format) as a C-contiguous 1-D array of `n`
 * items (numpy's errors for what it cannot convert). */
static PyObject *
as_numbers(PyObject *value, const char *format, Py_ssize_t n)
{
    PyObject *array = cb_np_attr(CB_NP_ARRAY);
    if (array == NULL)
        return NULL;
    PyObject *args = Py_BuildValue("(O)", value), *kw = Py_BuildValue("{ss}", "dtype", format);
    PyObject *a = args != NULL && kw != NULL ? PyObject_Call(array, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    if (a == NULL)
        return NULL;
    PyObject *shape = PyObject_GetAttrString(a, "shape");
    if (shape == NULL || !PyTuple_Check(shape)) {
        Py_XDECREF(shape);
        Py_DECREF(a);
        return NULL;
    }
    Py_ssize_t nd = PyTuple_GET_SIZE(shape);
    Py_ssize_t last = nd > 0 ? PyLong_AsSsize_t(PyTuple_GET_ITEM(shape, nd - 1)) : 1;
    Py_DECREF(shape);
    if (nd == 0 && n > 0) {   /* one value ('7' is one number): every item gets it, as a memoryview copy */
        PyObject *full = cb_np_attr(CB_NP_ZEROS);
        PyObject *b = full != NULL ? PyObject_CallFunction(full, "(ns)", n, format) : NULL;
        if (b == NULL || PyObject_SetItem(b, Py_Ellipsis, a) < 0)
            Py_CLEAR(b);
        Py_DECREF(a);
        return b;
    }
    if (nd != 1 || last != n) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "got differing extents in dimension %zd (got %zd and %zd)",
                         nd > 1 ? nd - 1 : (Py_ssize_t)0, n, last);
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

/* Copy a C-contiguous array's bytes to dst (at most `room`). */
static int
copy_array(PyObject *a, void *dst, size_t room)
{
    Py_buffer view;
    if (PyObject_GetBuffer(a, &view, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    memcpy(dst, view.buf, (size_t)view.len < room ? (size_t)view.len : room);
    PyBuffer_Release(&view);
    return 0;
}

static int
set_nums(PyObject *self, const cb_record_def *d, const cb_record_field *f, PyObject *value)
{
    char *base = (char *)((cb_rec_plain *)self)->ptr;
    Py_ssize_t n = PyObject_Size(value);
    if (n < 0)
        return -1;
    if (f->count_of < 0 && n != f->count) {
        PyErr_Format(PyExc_ValueError, "Expected length %zd for field %s, got %zd", f->count, f->name, n);
        return -1;
    }
    if (f->count_of >= 0 && n > f->count) {
        PyErr_Format(PyExc_ValueError, "Too many elements for field %s, max is %zd, got %zd", f->name, f->count, n);
        return -1;
    }
    PyObject *a = as_numbers(value, f->format, n);
    if (a == NULL || copy_array(a, base + f->offset, (size_t)n * f->size) < 0) {
        Py_XDECREF(a);
        return -1;
    }
    Py_DECREF(a);
    if (f->count_of >= 0)
        store_count(d, base, f, n);
    return 0;
}

/* The items' bytes of a record object value (zeros where it has none). */
static int
copy_records(PyObject *value, cb_rec_info *vinfo, void *dst, size_t nbytes)
{
    PyObject *b = cb_rec_bytes(value, vinfo);
    if (b == NULL)
        return -1;
    size_t have = (size_t)PyBytes_GET_SIZE(b);
    memcpy(dst, PyBytes_AS_STRING(b), have < nbytes ? have : nbytes);
    if (have < nbytes)
        memset((char *)dst + have, 0, nbytes - have);
    Py_DECREF(b);
    return 0;
}

static int
set_struct(PyObject *self, cb_rec_info *info, const cb_record_field *f, PyObject *value)
{
    char *base = (char *)((cb_rec_plain *)self)->ptr;
    PyTypeObject *type = cb_rec_class(info->st, f->ref);
    const cb_record_def *ref = &info->st->record_defs[f->ref];
    if (type == NULL)
        return -1;
    Py_ssize_t n = 1;
    /* as Cython's typed assignment: the class first (None passes, and has no len) */
    if (value != Py_None || f->count == 0) {
        if (cb_rec_check_type(value, type) < 0)
            return -1;
    }
    if (f->count > 0 && (n = PyObject_Size(value)) < 0)
        return -1;
    if (f->count > 0 && f->count_of < 0 && n != f->count) {
        PyErr_Format(PyExc_ValueError, "Expected length %zd for field %s, got %zd", f->count, f->name, n);
        return -1;
    }
    if (f->count_of >= 0 && n > f->count) {
        PyErr_Format(PyExc_ValueError, "Expected length < %zd for field %s, got %zd", f->count, f->name, n);
        return -1;
    }
    cb_rec_info vinfo;
    if (cb_rec_info_of(value, &vinfo) < 0 || copy_records(value, &vinfo, base + f->offset, (size_t)n * ref->size) < 0)
        return -1;
    if (f->count_of >= 0)
        store_count(info->def, base, f, n);
    return 0;
}

static int
set_pointer(PyObject *self, cb_rec_info *info, const cb_record_field *f, PyObject *value)
{
    char *base = (char *)((cb_rec_plain *)self)->ptr, *slot = base + f->offset;
    PyObject *kept;
    void *target;
    Py_ssize_t n;
    if (f->kind == CB_REC_PTR_STRUCTS) {
        PyTypeObject *type = cb_rec_class(info->st, f->ref);
        cb_rec_info vinfo;
        if (type == NULL || cb_rec_check_type(value, type) < 0 || cb_rec_info_of(value, &vinfo) < 0 ||
            (n = PyObject_Size(value)) < 0)
            return -1;
        kept = Py_NewRef(value);
        if (vinfo.def->array) {
            /* the library reads the items one after another: strided items go as a copy */
            PyObject *flags = PyObject_GetAttrString(((cb_rec_array *)value)->data, "flags");
            PyObject *c = flags != NULL ? PyObject_GetAttrString(flags, "c_contiguous") : NULL;
            int contiguous = c != NULL ? PyObject_IsTrue(c) : -1;
            Py_XDECREF(flags);
            Py_XDECREF(c);
            if (contiguous < 0) {
                Py_DECREF(kept);
                return -1;
            }
            if (!contiguous) {
                PyObject *b = cb_rec_bytes(value, &vinfo);
                Py_SETREF(kept, b == NULL ? NULL : cb_rec_new_owned(info->module, f->ref, NULL, n,
                                                                    PyBytes_AS_STRING(b)));
                Py_XDECREF(b);
                if (kept == NULL)
                    return -1;
            }
        }
        target = cb_rec_ptr(kept);
    } else {
        if ((n = PyObject_Size(value)) < 0)
            return -1;
        if (n == 0) {
            PyErr_SetString(PyExc_ValueError, "Invalid shape in axis 0: 0.");
            return -1;
        }
        if ((kept = as_numbers(value, pointee_format(f), n)) == NULL || cb_np_data_ptr(kept, &target) < 0) {
            Py_XDECREF(kept);
            return -1;
        }
    }
    if (keep_for(self, slot, kept) < 0)
        return -1;
    memcpy(slot, &target, sizeof target);
    store_count(info->def, base, f, n);
    return 0;
}

static int
plain_set(PyObject *self, const cb_record_field *f, PyObject *value)
{
    cb_rec_plain *o = (cb_rec_plain *)self;
    char *p = (char *)o->ptr + f->offset;
    unsigned long long bits;
    cb_rec_info info;
    if (cb_rec_info_of(self, &info) < 0)
        return -1;
    if (o->readonly)
        return cb_rec_refuse_write(info.def);
    switch (f->kind) {
    case CB_REC_INT:
        if (cb_rec_cy_int(value, f->int_size, f->is_signed, f->ctype, 0, &bits) < 0)
            return -1;
        cb_store_bits(p, f->int_size, bits);
        return 0;
    case CB_REC_ADDRESS:
        if (cb_rec_cy_int(value, sizeof(void *), 1, "intptr_t", 1, &bits) < 0)
            return -1;
        cb_store_bits(p, sizeof(void *), bits);
        return 0;
    case CB_REC_FLOAT: {
        double x = PyFloat_AsDouble(value);
        if (x == -1.0 && PyErr_Occurred())
            return -1;
        if (f->size == sizeof(float)) {
            float y = (float)x;
            memcpy(p, &y, sizeof y);
        } else {
            memcpy(p, &x, sizeof x);
        }
        return 0;
    }
    case CB_REC_CHARS: {
        PyObject *b = encoded(value);
        if (b == NULL)
            return -1;
        if (PyBytes_GET_SIZE(b) >= f->count) {
            PyErr_Format(PyExc_ValueError, "String too long for field %s, max length is %zd", f->name, f->count - 1);
            Py_DECREF(b);
            return -1;
        }
        memset(p, 0, (size_t)f->count);
        memcpy(p, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
        Py_DECREF(b);
        return 0;
    }
    case CB_REC_CSTRING: {
        PyObject *b = encoded(value);
        if (b == NULL)
            return -1;
        const char *s = PyBytes_AS_STRING(b);
        if (keep_for(self, p, b) < 0)
            return -1;
        memcpy(p, &s, sizeof s);
        return 0;
    }
    case CB_REC_NUMS:
        return set_nums(self, info.def, f, value);
    case CB_REC_STRUCT:
        return set_struct(self, &info, f, value);
    case CB_REC_PTR_STRUCTS:
    case CB_REC_PTR_NUMS:
    case CB_REC_PTR_ADDRS:
        return set_pointer(self, &info, f, value);
    default:
        PyErr_Format(PyExc_SystemError, "%s.%s: member kind %d", info.def->name, f->name, f->kind);
        return -1;
    }
}

/* ---- array classes ------------------------------------------------------ */

static PyObject *
no_data(void)
{
    PyErr_SetString(PyExc_TypeError, "'NoneType' object is not subscriptable");
    return NULL;
}

/* The cached views of a counted array of records in each item: made on the
 * first read from the counts then, kept (as NVIDIA's). */
static PyObject *
array_records(PyObject *self, const cb_record_field *f)
{
    cb_rec_array *o = (cb_rec_array *)self;
    PyObject *cache = CB_REC_CACHE(self);
    if (cache == NULL) {
        cb_rec_info info;
        if (cb_rec_info_of(self, &info) < 0)
            return NULL;
        int readonly = cb_rec_readonly(self, &info);
        PyObject *strides = PyObject_GetAttrString(o->data, "strides");
        Py_ssize_t stride = strides != NULL && PyTuple_Check(strides) && PyTuple_GET_SIZE(strides) == 1
                            ? PyLong_AsSsize_t(PyTuple_GET_ITEM(strides, 0)) : (Py_ssize_t)info.def->size;
        Py_XDECREF(strides);
        if (readonly < 0 || PyErr_Occurred())
            return NULL;
        cache = PyTuple_New(o->n);
        for (Py_ssize_t i = 0; cache != NULL && i < o->n; i++) {
            char *item = (char *)o->ptr + i * stride;
            PyObject *v = record_view(&info, f, item + f->offset, items_of(info.def, item, f), readonly, self);
            if (v == NULL)
                Py_CLEAR(cache);
            else
                PyTuple_SET_ITEM(cache, i, v);
        }
        if (cache == NULL)
            return NULL;
        if (CB_REC_CACHE(self) != NULL)   /* made meanwhile: that one stays */
            Py_DECREF(cache);
        else
            CB_REC_CACHE(self) = cache;
        cache = CB_REC_CACHE(self);
    }
    if (o->n == 1)
        return Py_NewRef(PyTuple_GET_ITEM(cache, 0));
    return Py_NewRef(cache);
}

static PyObject *
array_get(PyObject *self, const cb_record_field *f)
{
    cb_rec_array *o = (cb_rec_array *)self;
    if (o->data == NULL)
        return no_data();
    if (f->kind == CB_REC_STRUCT && f->count_of >= 0)
        return array_records(self, f);
    PyObject *key = PyUnicode_FromString(f->name);
    PyObject *a = key != NULL ? PyObject_GetItem(o->data, key) : NULL;
    Py_XDECREF(key);
    if (a == NULL)
        return NULL;
    if (f->kind == CB_REC_STRUCT) {   /* as a record array, as NVIDIA's _data.<name> gives it */
        PyObject *rec = cb_np_attr(CB_NP_RECARRAY);
        PyObject *v = rec != NULL ? PyObject_CallMethod(a, "view", "O", rec) : NULL;
        Py_DECREF(a);
        return v;
    }
    if (f->count == 0 && o->n == 1)
        Py_SETREF(a, PyObject_CallMethod(a, "item", "i", 0));
    return a;
}

static int
array_set(PyObject *self, const cb_record_field *f, PyObject *value)
{
    cb_rec_array *o = (cb_rec_array *)self;
    cb_rec_info info;
    if (o->data == NULL) {
        no_data();
        return -1;
    }
    if (cb_rec_info_of(self, &info) < 0)
        return -1;
    int ro = cb_rec_readonly(self, &info);
    if (ro != 0)
        return ro < 0 ? -1 : cb_rec_refuse_write(info.def);
    PyObject *key = PyUnicode_FromString(f->name);
    int rc = key != NULL ? PyObject_SetItem(o->data, key, value) : -1;
    Py_XDECREF(key);
    return rc;
}

/* ---- both --------------------------------------------------------------- */

PyObject *
cb_rec_get(PyObject *self, void *closure)
{
    const cb_record_field *f = closure;
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    return d->array ? array_get(self, f) : plain_get(self, f);
}

int
cb_rec_set(PyObject *self, PyObject *value, void *closure)
{
    const cb_record_field *f = closure;
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    if (value == NULL) {   /* del x.field */
        PyErr_SetString(PyExc_NotImplementedError, "__del__");
        return -1;
    }
    int rc;
    CB_BEGIN_CRITICAL_SECTION(self);
    rc = d->array ? array_set(self, f, value) : plain_set(self, f, value);
    CB_END_CRITICAL_SECTION();
    return rc;
}

int
cb_rec_pointer_rooms(PyObject *self)
{
    cb_rec_info info;
    if (cb_rec_info_of(self, &info) < 0)
        return -1;
    const cb_record_def *d = info.def;
    char *base = (char *)cb_rec_ptr(self);
    for (int i = 0; i < d->nfields; i++) {
        const cb_record_field *f = &d->fields[i];
        if ((f->kind != CB_REC_PTR_STRUCTS && f->kind != CB_REC_PTR_NUMS && f->kind != CB_REC_PTR_ADDRS) ||
            f->count_of < 0)
            continue;
        size_t item = f->kind == CB_REC_PTR_STRUCTS ? info.st->record_defs[f->ref].size : f->size;
        Py_ssize_t n = items_of(d, base, f);
        if (n < 0 || (size_t)n > (size_t)PY_SSIZE_T_MAX / item) {
            PyErr_Format(PyExc_OverflowError, "%s.%s: %zd items", d->name, f->name, n);
            return -1;
        }
        PyObject *room = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)item);
        if (room == NULL)
            return -1;
        void *target = PyByteArray_AS_STRING(room);
        memset(target, 0, (size_t)n * item);
        if (keep_for(self, base + f->offset, room) < 0)
            return -1;
        memcpy(base + f->offset, &target, sizeof target);
    }
    return 0;
}
