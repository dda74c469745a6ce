/* Argument parsing and conversion for the generated Python shims. */
#include "cb_args.h"
#include "cb_handle.h"

#include <limits.h>
#include <string.h>

static const char *
argname(CB_ARG)
{
    return (argi >= 0 && argi < spec->nparams) ? spec->names[argi] : "?";
}

int
cb_unpack_any(const cb_argspec *spec, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
              PyObject **out)
{
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (CB_LIKELY(nkw == 0 && nargs == spec->nparams)) {
        for (int i = 0; i < spec->nparams; i++)
            out[i] = args[i];
        return 0;
    }
    if (nargs > spec->nparams) {
        PyErr_Format(PyExc_TypeError, "%s() takes %d positional argument%s but %zd were given",
                     spec->func, spec->nparams, spec->nparams == 1 ? "" : "s", nargs);
        return -1;
    }
    for (int i = 0; i < spec->nparams; i++)
        out[i] = i < nargs ? args[i] : NULL;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int found = -1;
        for (int i = 0; i < spec->nparams; i++) {
            if (PyUnicode_CompareWithASCIIString(key, spec->names[i]) == 0) {
                found = i;
                break;
            }
        }
        if (found < 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", spec->func, key);
            return -1;
        }
        if (out[found] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", spec->func,
                         spec->names[found]);
            return -1;
        }
        out[found] = args[nargs + k];
    }
    for (int i = 0; i < spec->nparams; i++) {
        if (out[i] == NULL && i >= spec->nparams - spec->noptional) {
            out[i] = CB_OMITTED;
            continue;
        }
        if (out[i] == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %d)", spec->func,
                         spec->names[i], i + 1);
            return -1;
        }
    }
    return 0;
}

/* An int as Cython takes one for a C integer, and so NVIDIA's package: an
 * int (bool, enum members and other subclasses read as their value) or an
 * object whose type has __int__ (a float truncates, a handle object gives
 * its value).  An object with only __index__, a str, bytes and None are
 * refused with TypeError, as there. */
static PyObject *
as_integer(PyObject *o, CB_ARG)
{
    PyObject *v = cb_nb_int(o);
    if (v == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be an integer, not %.200s", spec->func,
                     argname(spec, argi), Py_TYPE(o)->tp_name);
    return v;
}

static int
range_error(PyObject *v, const char *lo, const char *hi, CB_ARG)
{
    PyErr_Format(PyExc_OverflowError, "%s() argument '%s' must be in [%s, %s], got %R", spec->func,
                 argname(spec, argi), lo, hi, v);
    return -1;
}

int
cb_arg_ll_any(PyObject *o, long long lo, long long hi, long long *out, CB_ARG)
{
    PyObject *v = as_integer(o, spec, argi);
    if (v == NULL)
        return -1;
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred()) {
        Py_DECREF(v);
        return -1;
    }
    if (overflow || x < lo || x > hi) {
        char los[32], his[32];
        snprintf(los, sizeof los, "%lld", lo);
        snprintf(his, sizeof his, "%lld", hi);
        range_error(v, los, his, spec, argi);
        Py_DECREF(v);
        return -1;
    }
    Py_DECREF(v);
    *out = x;
    return 0;
}

int
cb_arg_ull_any(PyObject *o, unsigned long long hi, unsigned long long *out, CB_ARG)
{
    PyObject *v = as_integer(o, spec, argi);
    if (v == NULL)
        return -1;
    /* Negative and too large both fail here, with one message. */
    unsigned long long x = PyLong_AsUnsignedLongLong(v);
    if ((x == (unsigned long long)-1 && PyErr_Occurred()) || x > hi) {
        PyErr_Clear();
        char his[32];
        snprintf(his, sizeof his, "%llu", hi);
        range_error(v, "0", his, spec, argi);
        Py_DECREF(v);
        return -1;
    }
    Py_DECREF(v);
    *out = x;
    return 0;
}

int
cb_arg_enum_any(PyObject *o, long long *out, CB_ARG)
{
    if (o == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must not be None", spec->func, argname(spec, argi));
        return -1;
    }
    PyObject *v = PyNumber_Long(o);
    if (v == NULL) {   /* int()'s own error type (ValueError for "x"), naming the argument */
        PyObject *e = PyErr_GetRaisedException();
        PyErr_Format((PyObject *)Py_TYPE(e), "%s() argument '%s': %S", spec->func, argname(spec, argi), e);
        Py_DECREF(e);
        return -1;
    }
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || x < LONG_MIN || x > LONG_MAX) {
        PyErr_Format(PyExc_OverflowError, "%s() argument '%s' does not fit a C long: %R", spec->func,
                     argname(spec, argi), v);
        Py_DECREF(v);
        return -1;
    }
    Py_DECREF(v);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = x;
    return 0;
}

int
cb_arg_double(PyObject *o, double *out, CB_ARG)
{
    if (PyFloat_CheckExact(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o) || o == Py_None ||
        (!PyFloat_Check(o) && !PyIndex_Check(o) && Py_TYPE(o)->tp_as_number == NULL)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a float or int, not %.200s", spec->func,
                     argname(spec, argi), Py_TYPE(o)->tp_name);
        return -1;
    }
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) {
        PyObject *e = PyErr_GetRaisedException();
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a float or int: %S", spec->func,
                     argname(spec, argi), e);
        Py_XDECREF(e);
        return -1;
    }
    *out = d;
    return 0;
}

int
cb_arg_bits(PyObject *o, long long lo, unsigned long long hi, unsigned long long *out, CB_ARG)
{
    if (lo < 0 && hi > (unsigned long long)LLONG_MAX) {
        /* 64 bits read either way (c_ulonglong(-1)): the sign decides */
        long long v;
        if (cb_arg_ll(o, lo, -1, &v, spec, argi) == 0) {
            *out = (unsigned long long)v;
            return 0;
        }
        if (!PyErr_ExceptionMatches(PyExc_OverflowError))
            return -1;
        PyErr_Clear();
        return cb_arg_ull(o, hi, out, spec, argi);
    }
    if (lo < 0) {
        long long v;
        if (cb_arg_ll(o, lo, (long long)hi, &v, spec, argi) < 0)
            return -1;
        *out = (unsigned long long)v;
        return 0;
    }
    return cb_arg_ull(o, hi, out, spec, argi);
}

int
cb_arg_handle_value(PyObject *o, PyTypeObject *type, long long lo, unsigned long long hi,
                    unsigned long long *out, CB_ARG)
{
    /* its class, or another handle class: its value, as int() gives it */
    if (CB_LIKELY(Py_IS_TYPE(o, type)) || cb_is_handle(o)) {
        *out = (unsigned long long)(uintptr_t)cb_handle_pointer(o);
        return 0;
    }
    if (o == Py_None) {
        *out = 0;
        return 0;
    }
    return cb_arg_bits(o, lo, hi, out, spec, argi);
}

int
cb_arg_handle_object(PyObject *o, PyTypeObject *type, CB_ARG)
{
    if (o == Py_None || (type != NULL && PyObject_TypeCheck(o, type)))
        return 0;
    if (type != NULL)
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s or None, not %.200s", spec->func,
                     argname(spec, argi), type->tp_name, Py_TYPE(o)->tp_name);
    return -1;
}

int
cb_arg_typed_handle(PyObject *o, unsigned long long *out, CB_ARG)
{
    if (cb_is_handle(o)) {
        *out = (unsigned long long)(uintptr_t)cb_handle_pointer(o);
        return 0;
    }
    /* NVIDIA's reads the value at o.getPtr(): a plain int has none */
    int has = PyObject_HasAttrString(o, "getPtr");   /* a struct: not its bytes, as NVIDIA's would read */
    PyErr_Format(has ? PyExc_TypeError : PyExc_AttributeError,
                 "%s() argument '%s': '%.200s' object has no attribute 'getPtr' (a handle object is needed)",
                 spec->func, argname(spec, argi), Py_TYPE(o)->tp_name);
    return -1;
}

/* A float given where an address is taken: TypeError (see cb_args.h). */
static int
refuse_float_address(PyObject *o, CB_ARG)
{
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be an int address, not %.200s", spec->func,
                 argname(spec, argi), Py_TYPE(o)->tp_name);
    return -1;
}

int
cb_arg_int_handle(PyObject *o, unsigned long long *out, CB_ARG)
{
    if (!PyLong_Check(o)) {   /* no __index__ or __int__ asked: nothing runs */
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be an int handle, not %.200s", spec->func,
                     argname(spec, argi), Py_TYPE(o)->tp_name);
        return -1;
    }
    return cb_arg_ull(o, UINTPTR_MAX, out, spec, argi);
}

int
cb_arg_intptr(PyObject *o, long long *out, CB_ARG)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be an int, not %.200s", spec->func,
                     argname(spec, argi), Py_TYPE(o)->tp_name);
        return -1;
    }
    return cb_arg_ll(o, INTPTR_MIN, INTPTR_MAX, out, spec, argi);
}

int
cb_arg_int_of(PyObject *o, void **out, CB_ARG)
{
    if (o == Py_None) {
        *out = NULL;
        return 0;
    }
    PyObject *v = PyNumber_Long(o);
    if (v == NULL)
        return -1;
    unsigned long long x = PyLong_AsUnsignedLongLong(v);
    Py_DECREF(v);
    if (x == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "%s() argument '%s' is no address: int() of it is negative or "
                     "more than 64 bits", spec->func, argname(spec, argi));
        return -1;
    }
    *out = (void *)(uintptr_t)x;
    return 0;
}

int
cb_arg_handle_any(PyObject *o, void **out, PyObject **obj, CB_ARG)
{
    *obj = NULL;
    if (!PyLong_CheckExact(o)) {   /* an exact int, the common case, skips the handle check's walk of its bases */
        if (o == Py_None) {
            *out = NULL;
            return 0;
        }
        if (cb_is_handle(o)) {
            *obj = o;
            return 0;
        }
        if (PyFloat_Check(o))
            return refuse_float_address(o, spec, argi);
    }
    unsigned long long v;
    if (cb_arg_ull(o, UINTPTR_MAX, &v, spec, argi) < 0)
        return -1;
    *out = (void *)(uintptr_t)v;
    return 0;
}

int
cb_arg_address(PyObject *o, void **out, CB_ARG)
{
    PyObject *obj;   /* a handle object's value, read at once: nothing is converted after */
    if (cb_arg_handle_any(o, out, &obj, spec, argi) < 0)
        return -1;
    if (obj != NULL)
        *out = cb_handle_pointer(obj);
    return 0;
}

static int
refuse_other_class(PyObject *o, PyTypeObject *type, CB_ARG)
{
    if (cb_is_handle(o) && !cb_handle_accepts(o, type)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, int or None, not %.200s", spec->func,
                     argname(spec, argi), type->tp_name, Py_TYPE(o)->tp_name);
        return -1;
    }
    return 0;
}

int
cb_arg_own_handle(PyObject *o, PyTypeObject *type, void **out, PyObject **obj, CB_ARG)
{
    if (refuse_other_class(o, type, spec, argi) < 0)
        return -1;
    return cb_arg_handle(o, type, out, obj, spec, argi);
}

int
cb_arg_address_of(PyObject *o, PyTypeObject *type, void **out, CB_ARG)
{
    if (refuse_other_class(o, type, spec, argi) < 0)
        return -1;
    return cb_arg_address(o, out, spec, argi);
}

int
cb_arg_buffer(PyObject *o, int writable, int nullable, cb_buf *b, CB_ARG)
{
    b->has_view = 0;
    if (o == Py_None && nullable) {
        b->ptr = NULL;
        b->len = 0;
        return 0;
    }
    if (PyLong_Check(o)) {
        unsigned long long v;
        if (cb_arg_ull(o, UINTPTR_MAX, &v, spec, argi) < 0)
            return -1;
        b->ptr = (void *)(uintptr_t)v;
        b->len = -1;
        return 0;
    }
    if (cb_is_handle(o)) {  /* a CUdeviceptr, or a cudaKernel_t where the runtime takes `const void *func` */
        b->ptr = cb_handle_pointer(o);
        b->len = -1;
        return 0;
    }
    if (PyBytes_Check(o) && writable && nullable == CB_BUF_PYTHONIC) {
        /* the pythonic modules write only into a writable buffer, as NVIDIA's */
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be a writable buffer, None or an int address, "
                     "not bytes", spec->func, argname(spec, argi));
        return -1;
    }
    if (PyBytes_CheckExact(o)) {
        /* The empty and one-byte bytes objects are shared by the whole
         * interpreter (b" " * 1 is b" "): an output goes to scratch. */
        b->ptr = writable && PyBytes_GET_SIZE(o) <= 1 ? b->scratch : PyBytes_AS_STRING(o);
        b->len = PyBytes_GET_SIZE(o);
        return 0;
    }
    if (PyObject_CheckBuffer(o)) {
        if (PyObject_GetBuffer(o, &b->view, (writable ? PyBUF_WRITABLE : 0) | PyBUF_C_CONTIGUOUS) < 0) {
            PyObject *e = PyErr_GetRaisedException();
            PyErr_Format(nullable == CB_BUF_PYTHONIC ? PyExc_ValueError : PyExc_TypeError,
                         "%s() argument '%s' must be a %scontiguous buffer: %S", spec->func,
                         argname(spec, argi), writable ? "writable " : "", e);
            Py_XDECREF(e);
            return -1;
        }
        b->has_view = 1;
        b->ptr = b->view.buf;
        b->len = b->view.len;
        return 0;
    }
    PyErr_Format(nullable == CB_BUF_PYTHONIC ? PyExc_ValueError : PyExc_TypeError,
                 "%s() argument '%s' must be a %sbuffer (bytes, bytearray, array...) "
                 "or an int address%s, not %.200s", spec->func, argname(spec, argi),
                 writable ? "writable " : "", nullable ? " or None" : "", Py_TYPE(o)->tp_name);
    return -1;
}

int
cb_arg_out_buffer(PyObject *o, cb_buf *b, CB_ARG)
{
    if (!PyObject_CheckBuffer(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a writable buffer (bytes, bytearray...), "
                     "not %.200s", spec->func, argname(spec, argi), Py_TYPE(o)->tp_name);
        return -1;
    }
    return cb_arg_buffer(o, 1, 0, b, spec, argi);
}

PyObject *
cb_buffer_hold(PyObject *o, void **ptr, CB_ARG)
{
    if (!PyObject_CheckBuffer(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a contiguous buffer, not %.200s", spec->func,
                     argname(spec, argi), Py_TYPE(o)->tp_name);
        return NULL;
    }
    PyObject *view = PyMemoryView_FromObject(o);
    if (view == NULL) {
        PyObject *e = PyErr_GetRaisedException();
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a contiguous buffer: %S", spec->func,
                     argname(spec, argi), e);
        Py_XDECREF(e);
        return NULL;
    }
    if (!PyBuffer_IsContiguous(PyMemoryView_GET_BUFFER(view), 'C')) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a contiguous buffer: %.200s is not C-contiguous",
                     spec->func, argname(spec, argi), Py_TYPE(o)->tp_name);
        Py_DECREF(view);
        return NULL;
    }
    *ptr = PyMemoryView_GET_BUFFER(view)->buf;
    return view;
}

void
cb_buf_release(cb_buf *b)
{
    if (b->has_view) {
        PyBuffer_Release(&b->view);
        b->has_view = 0;
    }
}

int
cb_buf_require(const cb_buf *b, unsigned long long need, const char *what, int exact, CB_ARG)
{
    if (b->len >= 0 && b->ptr != NULL && ((unsigned long long)b->len < need ||
                                          (exact && (unsigned long long)b->len != need))) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' holds %zd bytes but %s is %llu", spec->func,
                     argname(spec, argi), b->len, what, need);
        return -1;
    }
    return 0;
}

static int
cstr_from(PyObject *o, int allow_str, const char **out, PyObject **copy, CB_ARG)
{
    const char *s;
    Py_ssize_t n;
    if (copy != NULL && PyByteArray_Check(o) && allow_str != CB_STR_ONLY) {
        /* As NVIDIA's takes one; a copy, which no later conversion can resize. */
        if ((*copy = PyBytes_FromObject(o)) == NULL)
            return -1;
        o = *copy;
    }
    if (allow_str == CB_STR_ONLY) {
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be str, not %.200s", spec->func,
                         argname(spec, argi), Py_TYPE(o)->tp_name);
            return -1;
        }
        if ((s = PyUnicode_AsUTF8AndSize(o, &n)) == NULL)
            return -1;
    }
    else if (PyBytes_Check(o)) {
        s = PyBytes_AS_STRING(o);
        n = PyBytes_GET_SIZE(o);
    }
    else if (allow_str && PyUnicode_Check(o)) {
        s = PyUnicode_AsUTF8AndSize(o, &n);
        if (s == NULL)
            return -1;
    }
    else {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, not %.200s", spec->func,
                     argname(spec, argi), allow_str ? "str or bytes" : "bytes", Py_TYPE(o)->tp_name);
        return -1;
    }
    if ((Py_ssize_t)strlen(s) != n) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' contains a NUL character", spec->func,
                     argname(spec, argi));
        return -1;
    }
    *out = s;
    return 0;
}

char *
cb_char_buffer(long long n, const char *count_name, CB_ARG)
{
    if (n < 0 || (unsigned long long)n >= (unsigned long long)PY_SSIZE_T_MAX) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be a length >= 0, not %lld", spec->func,
                     count_name, n);
        return NULL;
    }
    (void)argi;
    char *p = PyMem_Calloc((size_t)n + 1, 1);
    if (p == NULL)
        PyErr_NoMemory();
    return p;
}

int
cb_arg_cstr(PyObject *o, int nullable, int allow_str, const char **out, PyObject **copy, CB_ARG)
{
    if (o == Py_None) {
        if (nullable) {
            *out = NULL;
            return 0;
        }
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, not None", spec->func,
                     argname(spec, argi), allow_str ? "str or bytes" : "bytes");
        return -1;
    }
    return cstr_from(o, allow_str, out, copy, spec, argi);
}

PyObject *
cb_arg_items(PyObject *o)
{
    return PySequence_Tuple(o);   /* a list's items copied, a tuple itself */
}

int
cb_arg_count_check(Py_ssize_t n, long long count, const char *count_name, CB_ARG)
{
    if (count == CB_ANY_LENGTH || n >= count)
        return 0;
    PyErr_Format(PyExc_RuntimeError, "%s() argument '%s' has %zd items, fewer than '%s' (%lld)", spec->func,
                 argname(spec, argi), n, count_name, count);
    return -1;
}

int
cb_arg_cstr_list(PyObject *o, long long count, const char *count_name, int allow_str, cb_strlist *l,
                 CB_ARG)
{
    l->items = NULL;
    l->keep = NULL;
    if (o == Py_None && allow_str) {   /* the pythonic modules refuse None, as NVIDIA's */
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list or tuple of str or bytes, not None",
                     spec->func, argname(spec, argi));
        return -1;
    }
    if (o == Py_None)   /* NULL, whatever the count says (as NVIDIA's) */
        return 0;
    if (allow_str && PyLong_Check(o)) {   /* the address of the caller's array, as NVIDIA's takes it */
        unsigned long long u;
        if (cb_arg_ull(o, UINTPTR_MAX, &u, spec, argi) < 0)
            return -1;
        l->items = (const char **)(uintptr_t)u;
        return 0;
    }
    /* a str is the list of its characters there, as NVIDIA's takes it */
    if (!PyList_Check(o) && !PyTuple_Check(o) && !(allow_str && PyUnicode_Check(o))) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a list or tuple of %s, not %.200s",
                     spec->func, argname(spec, argi), allow_str ? "str or bytes" : "bytes",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    if ((l->keep = cb_arg_items(o)) == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(l->keep);
    if (n == 0)
        return count < 0 ? 0 : cb_arg_count_check(n, count, count_name, spec, argi);
    if ((size_t)n <= sizeof l->inline_items / sizeof l->inline_items[0])
        l->items = l->inline_items;
    else if ((l->items = PyMem_Malloc((size_t)n * sizeof(char *))) == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (cstr_from(PyTuple_GET_ITEM(l->keep, i), allow_str, &l->items[i], NULL, spec, argi) < 0) {
            PyObject *e = PyErr_GetRaisedException();
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' item %zd: %S", spec->func,
                         argname(spec, argi), i, e);
            Py_XDECREF(e);
            goto fail;
        }
    }
    /* every item is checked, then the first `count` are used (as NVIDIA's);
     * a negative count goes to the library, which refuses it */
    if (count >= 0 && cb_arg_count_check(n, count, count_name, spec, argi) < 0)
        goto fail;
    return 0;
fail:
    cb_strlist_release(l);
    return -1;
}

void
cb_strlist_release(cb_strlist *l)
{
    if (l->items && l->items != l->inline_items && l->keep != NULL)   /* not the caller's array */
        PyMem_Free((void *)l->items);
    l->items = NULL;
    Py_CLEAR(l->keep);
}
