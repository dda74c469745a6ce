/* The record classes, made from their tables: construction, the from_*
 * methods, repr, equality, int(), subscripts; the module's API
 * (cb_record.h).  What each does is NVIDIA's 13.5.0's, observed. */
#include "cb_record.h"

#include "cb_module.h"
#include "cb_record_field.h"
#include "cb_record_np.h"
#include "cb_record_obj.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* ---- arguments ------------------------------------------------------------ */

/* Cython's unpacking of a def's arguments: up to `npos` positional, then
 * keywords by name; `out[i]` NULL where not given.  `need`: how many are
 * required. */
static int
unpack(const char *fname, const char *const *names, int nnames, int need, PyObject *args, PyObject *kwds,
       PyObject **out)
{
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    for (int i = 0; i < nnames; i++)
        out[i] = NULL;
    if (nargs > nnames) {
        if (nnames == 0)
            PyErr_Format(PyExc_TypeError, "%s() takes exactly 0 positional arguments (%zd given)", fname, nargs);
        else
            PyErr_Format(PyExc_TypeError, "%s() takes %s %d positional argument%s (%zd given)", fname,
                         need == nnames ? "exactly" : "at most", nnames, nnames == 1 ? "" : "s", nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = PyTuple_GET_ITEM(args, i);
    if (kwds != NULL) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwds, &pos, &key, &value)) {
            int found = -1;
            for (int i = 0; PyUnicode_Check(key) && i < nnames; i++)
                if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0)
                    found = i;
            if (found < 0) {
                if (PyUnicode_Check(key))
                    PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname, key);
                else
                    PyErr_Format(PyExc_TypeError, "%s() keywords must be strings", fname);
                return -1;
            }
            if (out[found] != NULL) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for keyword argument '%s'", fname,
                             names[found]);
                return -1;
            }
            out[found] = value;
        }
    }
    for (int i = 0; i < need; i++) {
        if (out[i] == NULL) {
            Py_ssize_t given = 0;
            for (int j = 0; j < nnames; j++)
                given += out[j] != NULL;
            PyErr_Format(PyExc_TypeError, "%s() takes %s %d positional argument%s (%zd given)", fname,
                         need == nnames ? "exactly" : "at least", need, need == 1 ? "" : "s", nargs);
            (void)given;
            return -1;
        }
    }
    return 0;
}

/* from_ptr's address: an intptr_t, never 0.  Negative addresses, which
 * user space never has, are refused (NVIDIA's reads them and crashes). */
static int
address_arg(PyObject *o, void **out)
{
    unsigned long long bits;
    if (cb_rec_cy_int(o, sizeof(void *), 1, "intptr_t", 1, &bits) < 0)
        return -1;
    long long v = (long long)bits;
    if (v == 0) {
        PyErr_SetString(PyExc_ValueError, "ptr must not be null (0)");
        return -1;
    }
    if (v < 0) {
        PyErr_Format(PyExc_ValueError, "ptr must not be negative (%lld)", v);
        return -1;
    }
    *out = (void *)(uintptr_t)bits;
    return 0;
}

/* ---- construction ------------------------------------------------------- */

static PyObject *
rec_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    PyObject *o = type->tp_alloc(type, 0);
    const cb_record_def *d = cb_rec_def_of_type(type);
    if (o != NULL && !d->array && (((cb_rec_plain *)o)->ptr = cb_rec_own_value(o, d->size)) == NULL)
        Py_CLEAR(o);
    return o;
}

/* (Re)make an array object's items: numpy.zeros(size, dtype), flattened
 * (NVIDIA's takes any shape numpy takes, as its number of items). */
static int
array_reset(PyObject *self, PyObject *size)
{
    cb_rec_array *o = (cb_rec_array *)self;
    cb_rec_info info;
    if (cb_rec_info_of(self, &info) < 0)
        return -1;
    PyObject *dtype = cb_rec_dtype(info.module, info.index, 1), *zeros = cb_np_attr(CB_NP_ZEROS);
    if (dtype == NULL || zeros == NULL)
        return -1;
    PyObject *data = PyObject_CallFunctionObjArgs(zeros, size, dtype, NULL);
    if (data != NULL) {
        PyObject *ndim = PyObject_GetAttrString(data, "ndim");
        long nd = ndim != NULL ? PyLong_AsLong(ndim) : -1;
        Py_XDECREF(ndim);
        if (nd != 1)
            Py_SETREF(data, nd < 0 && PyErr_Occurred() ? NULL : PyObject_CallMethod(data, "reshape", "i", -1));
    }
    void *ptr;
    Py_ssize_t n = data != NULL ? PyObject_Size(data) : -1;
    if (n < 0 || cb_np_data_ptr(data, &ptr) < 0) {
        Py_XDECREF(data);
        return -1;
    }
    Py_XSETREF(o->data, data);
    o->ptr = ptr;
    o->n = n;
    if (cb_rec_has_cache(info.def))
        Py_CLEAR(CB_REC_CACHE(self));
    return 0;
}

static int
rec_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    static const char *const size_names[] = {"size"};
    PyObject *size;
    if (!d->array)
        return unpack("__init__", NULL, 0, 0, args, kwds, NULL);
    if (unpack("__init__", size_names, 1, 0, args, kwds, &size) < 0)
        return -1;
    if (size == NULL) {
        size = PyLong_FromLong(1);
        int rc = size != NULL ? array_reset(self, size) : -1;
        Py_XDECREF(size);
        return rc;
    }
    return array_reset(self, size);
}

/* ---- the from_* class methods --------------------------------------------- */

/* The record class behind cls (a subclass calls them too, and gets the
 * record's class, as NVIDIA's static methods give). */
static int
info_of_class(PyObject *cls, cb_rec_info *info)
{
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "not a class");
        return -1;
    }
    return cb_rec_info_of_type((PyTypeObject *)cls, info);
}

static PyObject *
rec_from_ptr(PyObject *cls, PyObject *args, PyObject *kwds)
{
    cb_rec_info info;
    if (info_of_class(cls, &info) < 0)
        return NULL;
    static const char *const plain_names[] = {"ptr", "readonly", "owner"};
    static const char *const array_names[] = {"ptr", "size", "readonly", "owner"};
    PyObject *a[4];
    int array = info.def->array;
    if (unpack("from_ptr", array ? array_names : plain_names, array ? 4 : 3, 1, args, kwds, a) < 0)
        return NULL;
    PyObject *size = array ? a[1] : NULL, *ro = a[array ? 2 : 1], *owner = a[array ? 3 : 2];
    void *ptr;
    unsigned long long n = 1;
    if (address_arg(a[0], &ptr) < 0)
        return NULL;
    if (size != NULL && cb_rec_cy_int(size, sizeof(size_t), 0, "size_t", 0, &n) < 0)
        return NULL;
    int readonly = ro != NULL ? PyObject_IsTrue(ro) : 0;
    if (readonly < 0)
        return NULL;
    if (owner == Py_None)
        owner = NULL;
    if (array) {
        if (n > (unsigned long long)(PY_SSIZE_T_MAX / (Py_ssize_t)(info.def->size ? info.def->size : 1)))
            return PyErr_NoMemory();
        return cb_rec_new_view(info.module, info.index, ptr, (Py_ssize_t)n, readonly, owner);
    }
    if (owner != NULL)
        return cb_rec_new_view(info.module, info.index, ptr, 1, readonly, owner);
    /* no owner: a copy of what is there, as NVIDIA's */
    PyObject *o = cb_rec_new_owned(info.module, info.index, NULL, 1, ptr);
    if (o != NULL)
        ((cb_rec_plain *)o)->readonly = readonly;
    return o;
}

static PyObject *
rec_from_buffer(PyObject *cls, PyObject *args, PyObject *kwds)
{
    cb_rec_info info;
    static const char *const names[] = {"buffer"};
    PyObject *buffer;
    if (info_of_class(cls, &info) < 0 || unpack("from_buffer", names, 1, 1, args, kwds, &buffer) < 0)
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(buffer, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t size = (Py_ssize_t)info.def->size;
    PyObject *o = NULL;
    if (info.def->array) {
        if (size == 0 || view.len % size != 0) {
            PyErr_SetString(PyExc_ValueError, "buffer size must be a multiple of element size");
        } else {
            PyObject *dtype = cb_rec_dtype(info.module, info.index, 1);
            PyObject *fb = cb_np_attr(CB_NP_FROMBUFFER);
            PyObject *data = dtype != NULL && fb != NULL ? PyObject_CallFunctionObjArgs(fb, buffer, dtype, NULL)
                                                         : NULL;
            if (data != NULL) {
                o = cb_rec_new_from_array(info.module, info.index, data);
                Py_DECREF(data);
            }
        }
        PyBuffer_Release(&view);
        return o;
    }
    if (view.len != size) {
        PyErr_Format(PyExc_ValueError, "buffer length must be %zd bytes", size);
        PyBuffer_Release(&view);
        return NULL;
    }
    int readonly = view.readonly;
    void *ptr = view.buf;
    PyBuffer_Release(&view);
    /* a memoryview holds the export: the memory stays where it is (a
     * bytearray cannot be resized) as long as the object lives */
    PyObject *held = PyMemoryView_FromObject(buffer);
    if (held == NULL)
        return NULL;
    o = cb_rec_new_view(info.module, info.index, ptr, 1, readonly, held);
    Py_DECREF(held);
    return o;
}

static PyObject *
rec_from_data(PyObject *cls, PyObject *args, PyObject *kwds)
{
    cb_rec_info info;
    static const char *const names[] = {"data"};
    PyObject *data;
    if (info_of_class(cls, &info) < 0 || unpack("from_data", names, 1, 1, args, kwds, &data) < 0)
        return NULL;
    int is = cb_np_is_array(data);
    if (is <= 0) {
        if (is == 0)
            PyErr_SetString(PyExc_TypeError, "data argument must be a NumPy ndarray");
        return NULL;
    }
    PyObject *dtype = cb_rec_dtype(info.module, info.index, 0);
    if (dtype == NULL)
        return NULL;
    if (info.def->array) {
        PyObject *ndim = PyObject_GetAttrString(data, "ndim");
        long nd = ndim != NULL ? PyLong_AsLong(ndim) : -1;
        Py_XDECREF(ndim);
        if (nd != 1) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "data array must be 1D");
            return NULL;
        }
    } else {
        PyObject *size = PyObject_GetAttrString(data, "size");
        long long sz = size != NULL ? PyLong_AsLongLong(size) : -1;
        Py_XDECREF(size);
        if (sz != 1) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "data array must have a size of 1");
            return NULL;
        }
    }
    PyObject *got = PyObject_GetAttrString(data, "dtype");
    int same = got != NULL ? PyObject_RichCompareBool(got, dtype, Py_EQ) : -1;
    Py_XDECREF(got);
    if (same <= 0) {
        if (same == 0)
            PyErr_Format(PyExc_ValueError, "data array must be of dtype %s", info.def->dtype_name);
        return NULL;
    }
    if (info.def->array)
        return cb_rec_new_from_array(info.module, info.index, data);
    void *ptr;
    int w = cb_np_writeable(data);
    if (w < 0 || cb_np_data_ptr(data, &ptr) < 0)
        return NULL;
    return cb_rec_new_view(info.module, info.index, ptr, 1, !w, data);
}

/* ---- the other slots -------------------------------------------------------- */

static PyObject *
rec_ptr_get(PyObject *self, void *closure)
{
    (void)closure;
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    if (d->array && ((cb_rec_array *)self)->data == NULL)
        return PyErr_Format(PyExc_TypeError, "a bytes-like object is required, not 'NoneType'");
    return PyLong_FromVoidPtr(cb_rec_ptr(self));
}

static PyObject *
rec_data_get(PyObject *self, void *closure)
{
    (void)closure;
    PyObject *d = ((cb_rec_array *)self)->data;
    return Py_NewRef(d != NULL ? d : Py_None);
}

static PyObject *
rec_cache_get(PyObject *self, void *closure)
{
    (void)closure;
    PyObject *c = CB_REC_CACHE(self);
    return Py_NewRef(c != NULL ? c : Py_None);
}

static PyObject *
rec_int(PyObject *self)
{
    return rec_ptr_get(self, NULL);
}

/* The record class's own name, module-qualified, whatever subclass self is
 * (NVIDIA's repr shows that). */
static PyObject *
rec_repr(PyObject *self)
{
    PyTypeObject *t = cb_rec_our_type(Py_TYPE(self));
    const cb_record_def *d = cb_rec_def_of_type(t);
    if (d->array && ((cb_rec_array *)self)->n > 1)
        return PyUnicode_FromFormat("<%s_Array_%zd object at %p>", t->tp_name, ((cb_rec_array *)self)->n, self);
    return PyUnicode_FromFormat("<%s object at %p>", t->tp_name, self);
}

/* Equal: an instance of the same record class with the same number of
 * items holding the same bytes. */
static PyObject *
rec_richcompare(PyObject *self, PyObject *other, int op)
{
    if (op != Py_EQ && op != Py_NE)
        Py_RETURN_NOTIMPLEMENTED;
    PyTypeObject *t = cb_rec_our_type(Py_TYPE(self));
    if (!PyObject_TypeCheck(other, t))
        Py_RETURN_NOTIMPLEMENTED;
    cb_rec_info info;
    if (cb_rec_info_of(self, &info) < 0)
        return NULL;
    if (info.def->array && (((cb_rec_array *)self)->data == NULL || ((cb_rec_array *)other)->data == NULL))
        return PyBool_FromLong((self == other) == (op == Py_EQ));
    int eq = cb_rec_len(self) == cb_rec_len(other);
    if (eq) {
        PyObject *a = cb_rec_bytes(self, &info), *b = a != NULL ? cb_rec_bytes(other, &info) : NULL;
        if (b == NULL) {
            Py_XDECREF(a);
            return NULL;
        }
        eq = PyBytes_GET_SIZE(a) == PyBytes_GET_SIZE(b) &&
             memcmp(PyBytes_AS_STRING(a), PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(a)) == 0;
        Py_DECREF(a);
        Py_DECREF(b);
    }
    return PyBool_FromLong(eq == (op == Py_EQ));
}

/* Pickling, as NVIDIA's: a plain class refuses (its Cython pointer cannot
 * be pickled); an array class pickles its items (numpy's pickle of _data)
 * and comes back through from_data. */
static PyObject *
rec_reduce(PyObject *self, PyObject *unused)
{
    (void)unused;
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    PyObject *data = d->array ? ((cb_rec_array *)self)->data : NULL;
    if (data == NULL)
        return PyErr_Format(PyExc_TypeError, "self._ptr cannot be converted to a Python object for pickling");
    /* the items' bytes as they are (padding too: numpy's copy of a record
     * array leaves padding undefined, and equality compares bytes) */
    PyObject *cls = (PyObject *)cb_rec_our_type(Py_TYPE(self));
    PyObject *from_buffer = PyObject_GetAttrString(cls, "from_buffer");
    PyObject *bytes = PyObject_CallMethod(data, "tobytes", NULL);
    PyObject *copy = bytes != NULL ? PyByteArray_FromObject(bytes) : NULL;
    PyObject *r = from_buffer != NULL && copy != NULL ? Py_BuildValue("(O(O))", from_buffer, copy) : NULL;
    Py_XDECREF(from_buffer);
    Py_XDECREF(bytes);
    Py_XDECREF(copy);
    return r;
}

static PyObject *
rec_setstate(PyObject *self, PyObject *state)
{
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(self));
    if (!d->array)
        return PyErr_Format(PyExc_TypeError, "self._ptr cannot be converted to a Python object for pickling");
    if (!PyTuple_Check(state))
        return PyErr_Format(PyExc_TypeError, "Expected tuple, got %.200s", Py_TYPE(state)->tp_name);
    Py_RETURN_NONE;
}

static Py_ssize_t
rec_len(PyObject *self)
{
    return ((cb_rec_array *)self)->n;
}

/* Item i as a one-item object viewing it (data[i:i+1]). */
static PyObject *
array_item(PyObject *self, Py_ssize_t i)
{
    cb_rec_array *o = (cb_rec_array *)self;
    cb_rec_info info;
    if (o->data == NULL)
        return PyErr_Format(PyExc_TypeError, "'NoneType' object is not subscriptable");
    if (i < 0 || i >= o->n) {
        PyErr_SetString(PyExc_IndexError, "index is out of bounds");
        return NULL;
    }
    if (cb_rec_info_of(self, &info) < 0)
        return NULL;
    PyObject *one = PySequence_GetSlice(o->data, i, i + 1);
    if (one == NULL)
        return NULL;
    PyObject *r = cb_rec_new_from_array(info.module, info.index, one);
    Py_DECREF(one);
    return r;
}

static PyObject *
rec_sq_item(PyObject *self, Py_ssize_t i)
{
    return array_item(self, i);
}

/* An int: that item; anything else: data[key], as an object of the class
 * where numpy gives an array (a slice, ..., a list of indices). */
static PyObject *
rec_subscript(PyObject *self, PyObject *key)
{
    cb_rec_array *o = (cb_rec_array *)self;
    if (PyLong_Check(key)) {
        Py_ssize_t i = PyLong_AsSsize_t(key);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (i < 0)
            i += o->n;
        return array_item(self, i < 0 ? o->n : i);
    }
    if (o->data == NULL)
        return PyErr_Format(PyExc_TypeError, "'NoneType' object is not subscriptable");
    PyObject *got = PyObject_GetItem(o->data, key);
    int is = got != NULL ? cb_np_is_array(got) : -1;
    if (is <= 0)
        return is < 0 ? NULL : got;
    PyObject *cls = (PyObject *)cb_rec_our_type(Py_TYPE(self));
    PyObject *args = PyTuple_Pack(1, got);
    PyObject *r = args != NULL ? rec_from_data(cls, args, NULL) : NULL;
    Py_XDECREF(args);
    Py_DECREF(got);
    return r;
}

/* self[key] = value.  Array classes: data[key] = value.  Plain classes, as
 * NVIDIA's: [0] = a buffer of at least the struct's size copies it in, a
 * str key sets that attribute. */
static int
rec_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    cb_rec_info info;
    if (cb_rec_info_of(self, &info) < 0)
        return -1;
    if (value == NULL) {
        PyErr_Format(PyExc_NotImplementedError, "Subscript deletion not supported by %s",
                     cb_rec_our_type(Py_TYPE(self))->tp_name);
        return -1;
    }
    if (info.def->array) {
        int ro = cb_rec_readonly(self, &info);
        if (ro != 0)
            return ro < 0 ? -1 : cb_rec_refuse_write(info.def);
        return PyObject_SetItem(((cb_rec_array *)self)->data, key, value);
    }
    if (PyLong_CheckExact(key) && PyLong_AsLong(key) == 0) {
        Py_buffer view;
        if (PyObject_GetBuffer(value, &view, PyBUF_SIMPLE) < 0)
            return -1;
        int rc = -1;
        if (view.len < (Py_ssize_t)info.def->size)
            PyErr_Format(PyExc_ValueError, "source buffer too small: expected at least %zu bytes, got %zd",
                         info.def->size, view.len);
        else if (((cb_rec_plain *)self)->readonly)
            cb_rec_refuse_write(info.def);
        else {
            memcpy(((cb_rec_plain *)self)->ptr, view.buf, info.def->size);
            rc = 0;
        }
        PyBuffer_Release(&view);
        return rc;
    }
    return PyObject_SetAttr(self, key, value);
}

/* ---- making the classes ----------------------------------------------------- */

/* What one class's type points to for its life: its attribute and method
 * tables and their docstrings.  Made once per table per process, as static
 * tables would be (the classes of a module made again reuse them). */
typedef struct {
    const cb_record_def *def;
    PyGetSetDef *getset;
    PyMethodDef methods[6];
    char *docs[4];       /* class, from_ptr, from_buffer, from_data */
} made_tables;

static made_tables *made;
static int nmade;

static char *
format_doc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyObject *s = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    if (s == NULL)
        return NULL;
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    char *out = u != NULL ? PyMem_RawMalloc((size_t)n + 1) : NULL;
    if (out != NULL)
        memcpy(out, u, (size_t)n + 1);
    else if (u != NULL)
        PyErr_NoMemory();
    Py_DECREF(s);
    return out;
}

static int
make_docs(made_tables *m)
{
    const cb_record_def *d = m->def;
    if (d->array) {
        m->docs[0] = format_doc(
            "%s(size=1)\n\nEmpty-initialize an array of `%s`.\nThe resulting object is of length `size` and of "
            "dtype `%s`.\nIf default-constructed, the instance represents a single struct.\n\nArgs:\n    size "
            "(int): number of structs, default=1.\n\n.. seealso:: `%s`", d->name, d->c_name, d->dtype_name,
            d->c_name);
        m->docs[1] = format_doc(
            "%s.from_ptr(intptr_t ptr, size_t size=1, bool readonly=False, owner=None)\n\nCreate an %s instance "
            "wrapping the given pointer.\n\nArgs:\n    ptr (intptr_t): pointer address as Python :class:`int` to "
            "the data.\n    size (int): number of structs, default=1.\n    readonly (bool): whether the data is "
            "read-only (to the user). default is `False`.\n    owner (object): object that owns the memory at "
            "*ptr*.  A strong reference is\n        kept so the backing storage outlives this wrapper.",
            d->name, d->name);
        m->docs[3] = format_doc(
            "%s.from_data(data)\n\nCreate an %s instance wrapping the given NumPy array.\n\nArgs:\n    data "
            "(_numpy.ndarray): a 1D array of dtype `%s` holding the data.", d->name, d->name, d->dtype_name);
    } else {
        m->docs[0] = format_doc("%s()\n\nEmpty-initialize an instance of `%s`.\n\n\n.. seealso:: `%s`", d->name,
                                d->c_name, d->c_name);
        m->docs[1] = format_doc(
            "%s.from_ptr(intptr_t ptr, bool readonly=False, owner=None)\n\nCreate an %s instance wrapping the "
            "given pointer.\n\nArgs:\n    ptr (intptr_t): pointer address as Python :class:`int` to the data.\n"
            "    owner (object): The Python object that owns the pointer. If not provided, data will be copied.\n"
            "    readonly (bool): whether the data is read-only (to the user). default is `False`.",
            d->name, d->name);
        m->docs[3] = format_doc(
            "%s.from_data(data)\n\nCreate an %s instance wrapping the given NumPy array.\n\nArgs:\n    data "
            "(_numpy.ndarray): a single-element array of dtype `%s` holding the data.", d->name, d->name,
            d->dtype_name);
    }
    m->docs[2] = format_doc("%s.from_buffer(buffer)\n\nCreate an %s instance with the memory from the given buffer.",
                            d->name, d->name);
    for (int i = 0; i < 4; i++)
        if (m->docs[i] == NULL)
            return -1;
    return 0;
}

/* The name of a counted record array's cache attribute: "_" + its name. */
static char *
cache_name(const char *name)
{
    size_t n = strlen(name);
    char *s = PyMem_RawMalloc(n + 2);
    if (s != NULL) {
        s[0] = '_';
        memcpy(s + 1, name, n + 1);
    }
    return s;
}

static int
make_tables(made_tables *m, const cb_record_def *d)
{
    int n = 1;
    for (int i = 0; i < d->nfields; i++)
        n += !d->fields[i].hidden + (d->array && d->fields[i].kind == CB_REC_STRUCT && d->fields[i].count_of >= 0);
    m->def = d;
    m->getset = PyMem_RawCalloc((size_t)n + 2, sizeof(PyGetSetDef));
    if (m->getset == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int k = 0;
    /* first: ptr, whose closure is the table (cb_rec_def_of_type reads it) */
    m->getset[k++] = (PyGetSetDef){"ptr", rec_ptr_get, NULL,
                                   "Get the pointer address to the data as Python :class:`int`.", (void *)d};
    for (int i = 0; i < d->nfields; i++) {
        const cb_record_field *f = &d->fields[i];
        if (f->hidden)
            continue;
        int cached = d->array && f->kind == CB_REC_STRUCT && f->count_of >= 0;
        m->getset[k++] = (PyGetSetDef){f->name, cb_rec_get, cached ? NULL : cb_rec_set, f->doc, (void *)f};
    }
    if (d->array)
        m->getset[k++] = (PyGetSetDef){"_data", rec_data_get, NULL, NULL, NULL};
    for (int i = 0; d->array && i < d->nfields; i++) {
        const cb_record_field *f = &d->fields[i];
        if (f->kind == CB_REC_STRUCT && f->count_of >= 0) {
            char *name = cache_name(f->name);
            if (name == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            m->getset[k++] = (PyGetSetDef){name, rec_cache_get, NULL, NULL, NULL};
        }
    }
    if (make_docs(m) < 0)
        return -1;
    m->methods[0] = (PyMethodDef){"from_ptr", (PyCFunction)(void (*)(void))rec_from_ptr,
                                  METH_VARARGS | METH_KEYWORDS | METH_CLASS, m->docs[1]};
    m->methods[1] = (PyMethodDef){"from_buffer", (PyCFunction)(void (*)(void))rec_from_buffer,
                                  METH_VARARGS | METH_KEYWORDS | METH_CLASS, m->docs[2]};
    m->methods[2] = (PyMethodDef){"from_data", (PyCFunction)(void (*)(void))rec_from_data,
                                  METH_VARARGS | METH_KEYWORDS | METH_CLASS, m->docs[3]};
    m->methods[3] = (PyMethodDef){"__reduce__", rec_reduce, METH_NOARGS, NULL};
    m->methods[4] = (PyMethodDef){"__setstate__", rec_setstate, METH_O, NULL};
    m->methods[5] = (PyMethodDef){NULL, NULL, 0, NULL};
    return 0;
}

/* The tables of defs[0..n) (n > 0): room for them once per process, each
 * made on its class's first use (under the GIL or the module's critical section). */
static made_tables *
tables_for(const cb_record_def *defs, int n)
{
    if (made != NULL && nmade == n && made[0].def == defs)
        return made;
    made_tables *m = PyMem_RawCalloc((size_t)n, sizeof(made_tables));
    if (m == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    m[0].def = defs;   /* whose tables these are; made[i].getset says whether table i is made */
    made = m;
    nmade = n;
    return m;
}

static made_tables *
tables_of(const cb_record_def *defs, int i)
{
    made_tables *m = &made[i];
    if (m->getset == NULL && make_tables(m, &defs[i]) < 0)
        return NULL;   /* what was made stays (process-lifetime tables, as static ones) */
    return m;
}

/* As NVIDIA's objects: an array class's hold their numpy array (and the
 * cache); a plain class's its value inline, unless its struct is a member
 * of another class's (`nested`), whose objects hold a pointer only. */
static size_t
basic_size(const cb_record_def *d, int nested)
{
    if (d->array)
        return sizeof(cb_rec_array) + (cb_rec_has_cache(d) ? sizeof(PyObject *) : 0);
    /* NVIDIA's objects with pointer members hold one more reference (to what
     * they point into; ours are in `keep`): the same room, so that
     * __sizeof__ says the same */
    int pointers = 0;
    for (int i = 0; i < d->nfields; i++)
        pointers |= d->fields[i].kind == CB_REC_PTR_STRUCTS || d->fields[i].kind == CB_REC_PTR_NUMS ||
                    d->fields[i].kind == CB_REC_PTR_ADDRS || d->fields[i].kind == CB_REC_CSTRING;
    return CB_REC_VALUE_OFFSET + (pointers ? sizeof(PyObject *) : 0) + (nested ? 0 : (d->size + 7) / 8 * 8);
}

/* Whether record i is the type of a member of another record. */
static int
is_nested(const cb_record_def *defs, int n, int i)
{
    for (int j = 0; j < n; j++)
        for (int k = 0; k < defs[j].nfields; k++)
            if (defs[j].fields[k].kind == CB_REC_STRUCT && defs[j].fields[k].ref == i)
                return 1;
    return 0;
}

static PyObject *
make_type(PyObject *module, const char *modname, made_tables *m, int nested)
{
    const cb_record_def *d = m->def;
    PyObject *qual = PyUnicode_FromFormat("%s.%s", modname, d->name);
    const char *qualname = qual != NULL ? PyUnicode_AsUTF8(qual) : NULL;
    if (qualname == NULL) {
        Py_XDECREF(qual);
        return NULL;
    }
    PyType_Slot slots[20];
    int k = 0;
    slots[k++] = (PyType_Slot){Py_tp_new, rec_new};
    slots[k++] = (PyType_Slot){Py_tp_init, rec_init};
    slots[k++] = (PyType_Slot){Py_tp_dealloc, cb_rec_dealloc};
    slots[k++] = (PyType_Slot){Py_tp_traverse, cb_rec_traverse};
    slots[k++] = (PyType_Slot){Py_tp_clear, cb_rec_clear};
    slots[k++] = (PyType_Slot){Py_tp_repr, rec_repr};
    slots[k++] = (PyType_Slot){Py_tp_richcompare, rec_richcompare};
    slots[k++] = (PyType_Slot){Py_tp_hash, PyObject_HashNotImplemented};
    slots[k++] = (PyType_Slot){Py_nb_int, rec_int};
    slots[k++] = (PyType_Slot){Py_mp_ass_subscript, rec_ass_subscript};
    slots[k++] = (PyType_Slot){Py_tp_getset, m->getset};
    slots[k++] = (PyType_Slot){Py_tp_methods, m->methods};
    slots[k++] = (PyType_Slot){Py_tp_doc, m->docs[0]};
    if (d->array) {
        slots[k++] = (PyType_Slot){Py_mp_subscript, rec_subscript};
        slots[k++] = (PyType_Slot){Py_mp_length, rec_len};
        slots[k++] = (PyType_Slot){Py_sq_length, rec_len};
        slots[k++] = (PyType_Slot){Py_sq_item, rec_sq_item};
    }
    slots[k++] = (PyType_Slot){0, NULL};
    PyType_Spec spec = {
        .name = qualname,
        .basicsize = (int)basic_size(d, nested),
        .itemsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
        .slots = slots,
    };
    PyObject *t = PyType_FromModuleAndSpec(module, &spec, NULL);
    Py_DECREF(qual);
    return t;
}

static PyTypeObject *make_class(cb_state *st, int index);

int
cb_record_add_types(PyObject *module, const cb_record_def *defs, int n)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL)
        return -1;
    if (st->records != NULL) {
        PyErr_SetString(PyExc_SystemError, "cb_record_add_types: called twice");
        return -1;
    }
    if (n == 0)
        return 0;
    if (tables_for(defs, n) == NULL)
        return -1;
    st->records = PyMem_Calloc(3 * (size_t)n + 1, sizeof(PyObject *));
    if (st->records == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    st->record_defs = defs;
    st->nrecords = n;
    st->make_record_class = make_class;
    return 0;   /* the classes are made on first use: an import makes none */
}

static PyTypeObject *
make_class_locked(cb_state *st, int index)
{
    if (st->records[index] != NULL)
        return (PyTypeObject *)st->records[index];
    const char *modname = PyModule_GetName(st->module);
    made_tables *m = modname != NULL ? tables_of(st->record_defs, index) : NULL;
    PyObject *t = m != NULL ? make_type(st->module, modname, m, is_nested(st->record_defs, st->nrecords, index))
                            : NULL;
    if (t == NULL)
        return NULL;
    cb_store_ptr(&st->records[index], t);   /* the state's reference */
    /* later lookups find it in the module dict */
    if (PyModule_AddObjectRef(st->module, st->record_defs[index].name, t) < 0)
        return NULL;
    return (PyTypeObject *)t;
}

static PyTypeObject *
make_class(cb_state *st, int index)
{
    PyTypeObject *t;
    CB_BEGIN_CRITICAL_SECTION(st->module);
    t = make_class_locked(st, index);
    CB_END_CRITICAL_SECTION();
    return t;
}

/* ---- the module's API ------------------------------------------------------- */

PyObject *
cb_record_getattr(PyObject *module, PyObject *name)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || !PyUnicode_Check(name))
        return NULL;
    for (int i = 0; i < st->nrecords; i++) {
        if (PyUnicode_CompareWithASCIIString(name, st->record_defs[i].name) == 0)
            return Py_XNewRef((PyObject *)cb_rec_class(st, i));
        if (PyUnicode_CompareWithASCIIString(name, st->record_defs[i].dtype_name) != 0)
            continue;
        PyObject *dt = cb_rec_dtype(module, i, 0);
        if (dt == NULL)
            return NULL;
        /* later lookups find it in the module dict */
        if (PyObject_SetAttr(module, name, dt) < 0)
            return NULL;
        return Py_NewRef(dt);
    }
    return NULL;
}

int
cb_record_dir(PyObject *module, PyObject *names)
{
    cb_state *st = cb_get_state(module);
    for (int i = 0; st != NULL && st->records != NULL && i < st->nrecords; i++) {
        /* (a made one is a module attribute) */
        if (st->records[i] == NULL && cb_append_name(names, st->record_defs[i].name) < 0)
            return -1;
        if (st->records[st->nrecords + i] == NULL && cb_append_name(names, st->record_defs[i].dtype_name) < 0)
            return -1;
    }
    return 0;
}

PyObject *
cb_record_new(PyObject *module, int index, Py_ssize_t n)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || index < 0 || index >= st->nrecords)
        return PyErr_Format(PyExc_SystemError, "cb_record_new: no record %d", index);
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "negative dimensions are not allowed");
        return NULL;
    }
    return cb_rec_new_owned(module, index, NULL, st->record_defs[index].array ? n : 1, NULL);
}

PyObject *
cb_record_of_ids(PyObject *module, PyObject *arg, int index, const char *id_field, const char *scope_field)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || index < 0 || index >= st->nrecords)
        return PyErr_Format(PyExc_SystemError, "cb_record_of_ids: no record %d", index);
    if (cb_rec_is_instance(st, index, arg))
        return Py_NewRef(arg);
    if (PyObject_Size(arg) < 0)   /* its len(), as NVIDIA's asks first */
        return NULL;
    PyObject *seq = PySequence_Fast(arg, "expected a sequence");   /* a list is itself: no code runs below */
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *ids = PyList_New(n), *scopes = PyList_New(n), *rec = NULL;
    for (Py_ssize_t i = 0; ids != NULL && scopes != NULL && i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i), *id = item, *scope = NULL;
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 2) {
            id = PyTuple_GET_ITEM(item, 0);
            scope = PyTuple_GET_ITEM(item, 1);
        }
        if (!PyLong_Check(id) || (scope != NULL && !PyLong_Check(scope))) {
            PyErr_SetString(PyExc_ValueError, "Each entry must be an integer field ID, or a tuple of (field ID, scope ID)");
            goto done;
        }
        PyList_SET_ITEM(ids, i, Py_NewRef(id));
        PyList_SET_ITEM(scopes, i, scope != NULL ? Py_NewRef(scope) : PyLong_FromLong(0));
        if (PyList_GET_ITEM(scopes, i) == NULL)
            goto done;
    }
    if (ids == NULL || scopes == NULL || (rec = cb_record_new(module, index, n)) == NULL)
        goto done;
    if (n > 0 && (PyObject_SetAttrString(rec, id_field, ids) < 0 || PyObject_SetAttrString(rec, scope_field, scopes) < 0))
        Py_CLEAR(rec);
done:
    Py_DECREF(seq);
    Py_XDECREF(ids);
    Py_XDECREF(scopes);
    return rec;
}

int
cb_record_rooms(PyObject *rec)
{
    return cb_rec_pointer_rooms(rec);
}

void *
cb_record_ptr(PyObject *rec)
{
    return cb_rec_ptr(rec);
}

Py_ssize_t
cb_record_len(PyObject *rec)
{
    return cb_rec_len(rec);
}

int
cb_record_check(PyObject *module, PyObject *o, int index)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || index < 0 || index >= st->nrecords)
        return 0;
    return cb_rec_is_instance(st, index, o);
}

int
cb_record_arg(PyObject *module, PyObject *arg, int index, void **ptr, const char *param, int how)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || index < 0 || index >= st->nrecords) {
        PyErr_Format(PyExc_SystemError, "cb_record_arg: no record %d", index);
        return -1;
    }
    const cb_record_def *d = cb_rec_def_of_type(Py_TYPE(arg));
    const char *want = st->record_defs[index].name;
    if (d == NULL && (how & CB_RECORD_VERSION_ATTR)) {
        /* NVIDIA's takes int() of it as an address (ValueError, OverflowError), then sets its version */
        PyObject *n = arg == Py_None ? Py_NewRef(Py_None) : PyNumber_Long(arg);
        Py_ssize_t v = n != NULL && n != Py_None ? PyLong_AsSsize_t(n) : 0;
        Py_XDECREF(n);
        if (n == NULL || (v == -1 && PyErr_Occurred()))
            return -1;
        PyErr_Format(PyExc_AttributeError, "'%.200s' object has no attribute 'version'", Py_TYPE(arg)->tp_name);
        return -1;
    }
    if (arg == Py_None && (how & CB_RECORD_NOT_NONE)) {
        PyErr_Format(PyExc_ValueError, "%s must not be None", param);
        return -1;
    }
    if (arg == Py_None && !(how & CB_RECORD_TYPED)) {
        *ptr = NULL;
        return 0;
    }
    if (d == NULL && ((how & CB_RECORD_TYPED) || PyFloat_Check(arg))) {
        PyErr_Format(PyExc_TypeError, "Argument '%s' must be a %s, not %.200s", param, want, Py_TYPE(arg)->tp_name);
        return -1;
    }
    if (d != NULL) {
        if (!cb_rec_is_instance(st, index, arg)) {
            PyErr_Format(PyExc_TypeError, "Argument '%s' must be a %s, not %s", param, want, d->name);
            return -1;
        }
        if (d->array && ((cb_rec_array *)arg)->data == NULL) {
            PyErr_Format(PyExc_ValueError, "Argument '%s': the %s holds no memory", param, d->name);
            return -1;
        }
        if (cb_rec_len(arg) < 1 && !(how & CB_RECORD_EMPTY)) {
            PyErr_Format(PyExc_ValueError, "Argument '%s': the %s holds no item", param, d->name);
            return -1;
        }
        *ptr = cb_rec_ptr(arg);
        return 0;
    }
    /* int(arg), as NVIDIA's: an address, trusted (a negative one refused) */
    PyObject *n = PyNumber_Long(arg);
    if (n == NULL)
        return -1;
    int negative = PyObject_RichCompareBool(n, Py_False, Py_LT);
    void *p = negative == 0 ? PyLong_AsVoidPtr(n) : NULL;
    Py_DECREF(n);
    if (negative == 1)
        PyErr_Format(PyExc_OverflowError, "Argument '%s': an address is never negative", param);
    if (negative != 0 || (p == NULL && PyErr_Occurred()))
        return -1;
    *ptr = p;
    return 0;
}
