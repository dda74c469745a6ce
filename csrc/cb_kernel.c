/* Packing kernel arguments: see cb_kernel.h for the accepted forms. */
#include "cb_kernel.h"

#include "cb_handle.h"
#include "cb_bits.h"
#include "cb_struct.h"

#include <string.h>

/* ctypes' own simple types (c_int, c_float, c_void_p, ...) are converted
 * here, straight into the argument's slot, without making a ctypes object:
 * their `_type_` code says how.  The code of each type is cached by the
 * type's address; the cache holds a reference to the type, so a freed
 * type's address cannot be taken for it.  Other types (user subclasses,
 * structures, arrays, c_char_p) go through the type's own constructor. */
#define CODE_CACHE_SIZE 32
#define NOT_SIMPLE '-'
#ifndef Py_GIL_DISABLED
static struct {
    PyObject *type;
    char code;
} code_cache[CODE_CACHE_SIZE];
#endif

static int
is_simple_metatype(PyTypeObject *meta)
{
    const char *dot = strrchr(meta->tp_name, '.');
    return strcmp(dot ? dot + 1 : meta->tp_name, "PyCSimpleType") == 0;
}

static char
lookup_code(PyObject *type)
{
    char code = NOT_SIMPLE;
    PyObject *mod = PyObject_GetAttrString(type, "__module__");
    PyObject *t = mod ? PyObject_GetAttrString(type, "_type_") : NULL;
    if (t != NULL && PyUnicode_Check(mod) && PyUnicode_CompareWithASCIIString(mod, "ctypes") == 0 &&
        is_simple_metatype(Py_TYPE(type)) && PyUnicode_Check(t) &&
        PyUnicode_GET_LENGTH(t) == 1) {
        Py_UCS4 c = PyUnicode_READ_CHAR(t, 0);
        if (c < 128 && strchr("bBhHiIlLqQfdP?", (int)c) != NULL)
            code = (char)c;
    }
    PyErr_Clear();
    Py_XDECREF(mod);
    Py_XDECREF(t);
    return code;
}

static char
simple_code(PyObject *type)
{
#ifndef Py_GIL_DISABLED
    size_t slot = ((uintptr_t)type >> 4) % CODE_CACHE_SIZE;
    if (code_cache[slot].type == type)
        return code_cache[slot].code;
    char code = lookup_code(type);
    Py_XSETREF(code_cache[slot].type, Py_NewRef(type));
    code_cache[slot].code = code;
    return code;
#else
    return lookup_code(type);
#endif
}

/* Bits of an int for a C integer of `size` bytes: like ctypes, values
 * that fit the bits as signed or unsigned (c_uint(-1) is 0xffffffff);
 * unlike ctypes, anything wider is an OverflowError, not truncated. */
static int
pack_int(PyObject *value, int size, unsigned long long *slot, CB_ARG)
{
    unsigned long long bits;
    PyObject *v = PyLong_Check(value) ? Py_NewRef(value) : PyIndex_Check(value) ? PyNumber_Index(value) : NULL;
    if (v == NULL) {   /* ctypes' own rule: __index__, never a float */
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s() argument '%s': a ctypes integer takes an int, not %.200s",
                         spec->func, spec->names[argi], Py_TYPE(value)->tp_name);
        return -1;
    }
    int rc = cb_arg_bits(v, cb_min_signed((size_t)size), cb_max_unsigned((size_t)size), &bits, spec, argi);
    Py_DECREF(v);
    if (rc < 0)
        return -1;
    cb_store_bits(slot, (size_t)size, bits);
    return 0;
}

/* 1: packed into *slot; 0: not a simple ctypes type; -1: error set. */
static int
pack_simple(PyObject *value, PyObject *type, unsigned long long *slot, CB_ARG)
{
    char code = simple_code(type);
    double d;
    void *p;
    int truth;
    switch (code) {
    case 'b': case 'B': return pack_int(value, 1, slot, spec, argi) < 0 ? -1 : 1;
    case 'h': case 'H': return pack_int(value, (int)sizeof(short), slot, spec, argi) < 0 ? -1 : 1;
    case 'i': case 'I': return pack_int(value, (int)sizeof(int), slot, spec, argi) < 0 ? -1 : 1;
    case 'l': case 'L': return pack_int(value, (int)sizeof(long), slot, spec, argi) < 0 ? -1 : 1;
    case 'q': case 'Q': return pack_int(value, (int)sizeof(long long), slot, spec, argi) < 0 ? -1 : 1;
    case 'f':
    case 'd':
        if (cb_arg_double(value, &d, spec, argi) < 0)
            return -1;
        if (code == 'f') {
            float f = (float)d;
            memcpy(slot, &f, sizeof f);
        } else {
            memcpy(slot, &d, sizeof d);
        }
        return 1;
    case 'P':
        if (cb_arg_address(value, &p, spec, argi) < 0)
            return -1;
        memcpy(slot, &p, sizeof p);
        return 1;
    case '?':
        if ((truth = PyObject_IsTrue(value)) < 0)
            return -1;
        *(unsigned char *)slot = (unsigned char)truth;
        return 1;
    default:
        return 0;
    }
}

void
cb_kparams_cache_clear(void)
{
#ifndef Py_GIL_DISABLED
    for (int i = 0; i < CODE_CACHE_SIZE; i++)
        Py_CLEAR(code_cache[i].type);
#endif
}

static int
keep(cb_kparams *kp, PyObject *obj)
{
    if (kp->keep == NULL && (kp->keep = PyList_New(0)) == NULL)
        return -1;
    return PyList_Append(kp->keep, obj);
}

static int
pack_one(PyObject *value, PyObject *type, Py_ssize_t i, cb_kparams *kp, CB_ARG)
{
    if (type == Py_None) {
        if (cb_is_handle(value)) {
            kp->argv[i] = cb_handle_slot(value);  /* the kernel reads the stored value */
            return keep(kp, value);
        }
        if (cb_is_struct(value)) {
            kp->argv[i] = cb_struct_ptr(value);
            return keep(kp, value);
        }
        if (PyLong_Check(value)) {
            unsigned long long v;
            if (cb_arg_ull(value, UINTPTR_MAX, &v, spec, argi) < 0)
                return -1;
            kp->values[i] = v;
            kp->argv[i] = &kp->values[i];
            return 0;
        }
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: with type None the value must be a handle or "
                     "struct object of cuda.bindings, or an int, not %.200s", spec->func, i,
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    if (!PyType_Check(type)) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: type must be a ctypes type or None, not %.200s",
                     spec->func, i, Py_TYPE(type)->tp_name);
        return -1;
    }
    PyObject *obj;
    if (PyObject_TypeCheck(value, (PyTypeObject *)type)) {
        obj = Py_NewRef(value);
    } else {
        kp->values[i] = 0;
        int packed = pack_simple(value, type, &kp->values[i], spec, argi);
        if (packed != 0) {
            kp->argv[i] = &kp->values[i];
            return packed < 0 ? -1 : 0;
        }
        obj = PyObject_CallOneArg(type, value);
    }
    if (obj == NULL)
        return -1;
    /* the argument's memory, held until the call returns */
    PyObject *view = cb_buffer_hold(obj, &kp->argv[i], spec, argi);
    Py_DECREF(obj);
    if (view == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: %.200s is not a ctypes type", spec->func, i,
                     ((PyTypeObject *)type)->tp_name);
        return -1;
    }
    int rc = keep(kp, view);
    Py_DECREF(view);
    return rc;
}

int
cb_arg_kernel_params(PyObject *o, cb_kparams *kp, CB_ARG)
{
    if (o == Py_None || PyLong_Check(o)) {
        void *p;
        if (cb_arg_address(o, &p, spec, argi) < 0)
            return -1;
        kp->argv = (void **)p;
        return 0;
    }
    if (!PyTuple_Check(o) && !PyList_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be None, an int address or (values, types), "
                     "not %.200s", spec->func, spec->names[argi], Py_TYPE(o)->tp_name);
        return -1;
    }
    /* Private tuples throughout: converting a value may run Python code
     * that changes the caller's lists. */
    PyObject *pair = cb_arg_items(o), *values = NULL, *types = NULL;
    int rc = -1;
    if (pair == NULL)
        return -1;
    if (PyTuple_GET_SIZE(pair) != 2) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be a pair (values, types), got %zd items",
                     spec->func, spec->names[argi], PyTuple_GET_SIZE(pair));
        goto done;
    }
    if ((values = PySequence_Tuple(PyTuple_GET_ITEM(pair, 0))) == NULL ||
        (types = PySequence_Tuple(PyTuple_GET_ITEM(pair, 1))) == NULL) {
        PyObject *e = PyErr_GetRaisedException();
        PyErr_Format(PyExc_TypeError, "%s() argument '%s': kernel argument values and types must be sequences: %S",
                     spec->func, spec->names[argi], e);
        Py_XDECREF(e);
        goto done;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(values);
    if (PyTuple_GET_SIZE(types) != n) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s': %zd values but %zd types", spec->func,
                     spec->names[argi], n, PyTuple_GET_SIZE(types));
        goto done;
    }
    if ((size_t)n <= sizeof kp->inline_argv / sizeof kp->inline_argv[0]) {
        kp->argv = kp->inline_argv;
        kp->values = kp->inline_values;
    } else {
        kp->heap = PyMem_Calloc((size_t)n, sizeof(void *) + sizeof(unsigned long long));
        if (kp->heap == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        kp->argv = kp->heap;
        kp->values = (unsigned long long *)(kp->heap + n);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (pack_one(PyTuple_GET_ITEM(values, i), PyTuple_GET_ITEM(types, i), i, kp, spec, argi) < 0)
            goto done;
    }
    rc = 0;
done:
    Py_DECREF(pair);
    Py_XDECREF(values);
    Py_XDECREF(types);
    return rc;
}

void
cb_kparams_release(cb_kparams *kp)
{
    PyMem_Free(kp->heap);
    kp->heap = NULL;
    Py_CLEAR(kp->keep);
}
