/* numpy for the record classes, through its Python API: the module and the
 * few names used, the dtypes, arrays over C memory. */
#include "cb_record_np.h"

/* numpy and its attributes, once per process (the GIL, or the module's
 * critical section on free-threaded builds, guards the first lookup). */
static PyObject *np_module;
static PyObject *np_attrs[CB_NP_ATTRS_];
static const char *const np_attr_names[CB_NP_ATTRS_] = {
    "dtype", "ndarray", "record", "recarray", "zeros", "empty", "array", "frombuffer",
};
/* The class of the objects that lend C memory to numpy (see mem_* below). */
static PyObject *mem_type;

PyObject *
cb_np(void)
{
    PyObject *m = cb_load_ptr(&np_module);
    if (CB_LIKELY(m != NULL))
        return m;
    m = PyImport_ImportModule("numpy");
    if (m == NULL)
        return NULL;
    if (np_module != NULL) {   /* another thread was first */
        Py_DECREF(m);
        return np_module;
    }
    cb_store_ptr(&np_module, m);
    return m;
}

PyObject *
cb_np_attr(enum cb_np_attr which)
{
    PyObject *a = cb_load_ptr(&np_attrs[which]);
    if (CB_LIKELY(a != NULL))
        return a;
    PyObject *np = cb_np();
    if (np == NULL || (a = PyObject_GetAttrString(np, np_attr_names[which])) == NULL)
        return NULL;
    if (np_attrs[which] != NULL) {
        Py_DECREF(a);
        return np_attrs[which];
    }
    cb_store_ptr(&np_attrs[which], a);
    return a;
}

int
cb_np_is_array(PyObject *o)
{
    PyObject *nd = cb_load_ptr(&np_attrs[CB_NP_NDARRAY]);
    if (nd == NULL) {
        /* numpy not looked at yet: an ndarray means numpy is imported */
        if (PyDict_GetItemString(PyImport_GetModuleDict(), "numpy") == NULL)
            return 0;
        if ((nd = cb_np_attr(CB_NP_NDARRAY)) == NULL)
            return -1;
    }
    return PyObject_IsInstance(o, nd);
}

/* ---- dtypes ---------------------------------------------------------- */

static PyObject *plain_dtype(PyObject *module, cb_state *st, int index);

/* One member's format: a numpy format string or a nested record's dtype,
 * as (format, (count,)) for an inline array. */
static PyObject *
member_format(PyObject *module, cb_state *st, const cb_record_field *f)
{
    PyObject *base;
    if (f->kind == CB_REC_STRUCT) {
        base = plain_dtype(module, st, f->ref);
        Py_XINCREF(base);
    } else {
        base = PyUnicode_FromString(f->format);
    }
    if (base == NULL || f->count == 0 || f->kind == CB_REC_PTR_STRUCTS || f->kind == CB_REC_PTR_NUMS ||
        f->kind == CB_REC_PTR_ADDRS)
        return base;
    return Py_BuildValue("(N(n))", base, f->count);
}

static PyObject *
build_dtype(PyObject *module, cb_state *st, const cb_record_def *d)
{
    PyObject *names = PyList_New(d->nfields), *formats = PyList_New(d->nfields);
    PyObject *offsets = PyList_New(d->nfields), *spec = NULL, *dt = NULL;
    if (names == NULL || formats == NULL || offsets == NULL)
        goto done;
    for (int i = 0; i < d->nfields; i++) {
        const cb_record_field *f = &d->fields[i];
        PyObject *n = PyUnicode_FromString(f->name), *fmt = member_format(module, st, f);
        PyObject *off = PyLong_FromSize_t(f->offset);
        PyList_SET_ITEM(names, i, n);
        PyList_SET_ITEM(formats, i, fmt);
        PyList_SET_ITEM(offsets, i, off);
        if (n == NULL || fmt == NULL || off == NULL)
            goto done;
    }
    spec = Py_BuildValue("{sOsOsOsn}", "names", names, "formats", formats, "offsets", offsets,
                         "itemsize", (Py_ssize_t)d->size);
    if (spec != NULL) {
        PyObject *dtype = cb_np_attr(CB_NP_DTYPE);
        if (dtype != NULL)
            dt = PyObject_CallOneArg(dtype, spec);
    }
done:
    Py_XDECREF(names);
    Py_XDECREF(formats);
    Py_XDECREF(offsets);
    Py_XDECREF(spec);
    return dt;
}

/* Slot `which` of record `index`'s cache in the state: 1 its dtype, 2 the
 * numpy.record form. */
static PyObject **
dtype_slot(cb_state *st, int index, int which)
{
    return &st->records[which * st->nrecords + index];
}

static PyObject *
keep_made(PyObject **slot, PyObject *made)
{
    if (made == NULL)
        return NULL;
    if (*slot != NULL) {   /* made meanwhile (building can run Python code) */
        Py_DECREF(made);
        return *slot;
    }
    cb_store_ptr(slot, made);
    return made;
}

/* Borrowed: the state holds it. */
static PyObject *
plain_dtype(PyObject *module, cb_state *st, int index)
{
    PyObject **slot = dtype_slot(st, index, 1), *dt = cb_load_ptr(slot);
    if (dt != NULL)
        return dt;
    if (Py_EnterRecursiveCall(" making a record dtype"))
        return NULL;
    dt = build_dtype(module, st, &st->record_defs[index]);
    Py_LeaveRecursiveCall();
    return keep_made(slot, dt);
}

PyObject *
cb_rec_dtype(PyObject *module, int index, int as_record)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->records == NULL || index < 0 || index >= st->nrecords)
        return PyErr_Format(PyExc_SystemError, "record %d: no such class", index);
    PyObject *plain;
    CB_BEGIN_CRITICAL_SECTION(module);
    plain = plain_dtype(module, st, index);
    CB_END_CRITICAL_SECTION();
    if (plain == NULL || !as_record)
        return plain;
    PyObject **slot = dtype_slot(st, index, 2), *dt = cb_load_ptr(slot);
    if (dt != NULL)
        return dt;
    PyObject *dtype = cb_np_attr(CB_NP_DTYPE), *record = cb_np_attr(CB_NP_RECORD);
    if (dtype == NULL || record == NULL)
        return NULL;
    PyObject *made = PyObject_CallFunction(dtype, "((OO))", record, plain);
    CB_BEGIN_CRITICAL_SECTION(module);
    dt = keep_made(slot, made);
    CB_END_CRITICAL_SECTION();
    return dt;
}

/* ---- memory lent to numpy -------------------------------------------- */

/* An object that exports [ptr, ptr + len) through the buffer protocol and
 * keeps `owner` alive: numpy arrays over struct memory are made over a
 * memoryview of one, so the memory lives as long as any array of it. */
typedef struct {
    PyObject_HEAD
    PyObject *owner;
    void *ptr;
    Py_ssize_t len;
    int readonly;
} cb_mem;

static int
mem_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    cb_mem *m = (cb_mem *)self;
    return PyBuffer_FillInfo(view, self, m->ptr, m->len, m->readonly, flags);
}

static int
mem_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((cb_mem *)self)->owner);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int
mem_clear(PyObject *self)
{
    Py_CLEAR(((cb_mem *)self)->owner);
    return 0;
}

static void
mem_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    mem_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
mem_class(void)
{
    PyObject *t = cb_load_ptr(&mem_type);
    if (t != NULL)
        return t;
    PyType_Slot slots[] = {
        {Py_bf_getbuffer, mem_getbuffer},
        {Py_tp_traverse, mem_traverse},
        {Py_tp_clear, mem_clear},
        {Py_tp_dealloc, mem_dealloc},
        {Py_tp_doc, "C memory of a cuda.bindings.nvml struct, lent to numpy."},
        {0, NULL},
    };
    PyType_Spec spec = {"cuda.bindings._record_memory", sizeof(cb_mem), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE
                            | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};
    t = PyType_FromSpec(&spec);
    if (t == NULL)
        return NULL;
    if (mem_type != NULL) {
        Py_DECREF(t);
        return mem_type;
    }
    cb_store_ptr(&mem_type, t);
    return t;
}

PyObject *
cb_np_over(void *ptr, Py_ssize_t nbytes, int readonly, PyObject *owner, PyObject *dtype, Py_ssize_t count)
{
    PyObject *cls = mem_class(), *frombuffer = cb_np_attr(CB_NP_FROMBUFFER);
    if (cls == NULL || frombuffer == NULL)
        return NULL;
    if (count == 0) {   /* numpy refuses an empty buffer with a count; nothing to view */
        PyObject *empty = cb_np_attr(CB_NP_EMPTY);
        return empty == NULL ? NULL : PyObject_CallFunction(empty, "(nO)", (Py_ssize_t)0, dtype);
    }
    cb_mem *m = PyObject_GC_New(cb_mem, (PyTypeObject *)cls);
    if (m == NULL)
        return NULL;
    m->owner = Py_XNewRef(owner);
    m->ptr = ptr;
    m->len = nbytes;
    m->readonly = readonly;
    PyObject_GC_Track((PyObject *)m);
    PyObject *view = PyMemoryView_FromObject((PyObject *)m);
    Py_DECREF(m);
    if (view == NULL)
        return NULL;
    PyObject *args = Py_BuildValue("(O)", view), *kw = Py_BuildValue("{sOsn}", "dtype", dtype, "count", count);
    PyObject *arr = args != NULL && kw != NULL ? PyObject_Call(frombuffer, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_DECREF(view);
    return arr;
}

int
cb_np_data_ptr(PyObject *array, void **ptr)
{
    PyObject *iface = PyObject_GetAttrString(array, "__array_interface__");
    PyObject *data = iface != NULL && PyDict_Check(iface) ? PyDict_GetItemString(iface, "data") : NULL;
    int rc = -1;
    if (data != NULL && PyTuple_Check(data) && PyTuple_GET_SIZE(data) >= 1) {
        void *p = PyLong_AsVoidPtr(PyTuple_GET_ITEM(data, 0));
        if (p != NULL || !PyErr_Occurred()) {
            *ptr = p;
            rc = 0;
        }
    } else if (iface != NULL) {
        PyErr_SetString(PyExc_TypeError, "array has no data address");
    }
    Py_XDECREF(iface);
    return rc;
}

int
cb_np_writeable(PyObject *array)
{
    PyObject *flags = PyObject_GetAttrString(array, "flags");
    PyObject *w = flags != NULL ? PyObject_GetAttrString(flags, "writeable") : NULL;
    int rc = w != NULL ? PyObject_IsTrue(w) : -1;
    Py_XDECREF(flags);
    Py_XDECREF(w);
    return rc;
}

void
cb_record_np_clear(void)
{
    for (int i = 0; i < CB_NP_ATTRS_; i++)
        Py_CLEAR(np_attrs[i]);
    Py_CLEAR(np_module);
    Py_CLEAR(mem_type);
}
