/* Packing kernel arguments: see cb_kernel.h for the accepted forms. */
#include "cb_kernel.h"

#include "cb_bits.h"
#include "cb_handle.h"
#include "cb_struct_obj.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <wchar.h>

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

/* The codes of a types tuple, kept by the tuple (held, so that its address
 * cannot be another's): a loop that launches a kernel passes one tuple each
 * time, whose types are then neither hashed nor looked up again.  A tuple's
 * items cannot change, nor can a ctypes type's code. */
#define LAYOUT_CACHE_SIZE 8
#define LAYOUT_MAX 16
#ifndef Py_GIL_DISABLED
static struct {
    PyObject *types;
    char codes[LAYOUT_MAX];
} layout_cache[LAYOUT_CACHE_SIZE];
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
        if (c < 128 && strchr("bBhHiIlLqQfdP?cu", (int)c) != NULL)
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

/* Bits of a C integer of `size` bytes, from operator.index(value) as
 * NVIDIA's packing takes them: c_byte, c_int, c_long and c_longlong are
 * range-checked (OverflowError); c_short and the unsigned types keep the
 * low bits of any int, as the ctypes constructor does. */
static int
pack_int(PyObject *value, char code, unsigned long long *slot, Py_ssize_t i, const cb_argspec *spec)
{
    long long lo = 0, hi = 0;
    size_t size;
    switch (code) {
    case 'b': size = 1, lo = -128, hi = 127; break;
    case 'i': size = sizeof(int), lo = INT_MIN, hi = INT_MAX; break;
    case 'l': size = sizeof(long), lo = LONG_MIN, hi = LONG_MAX; break;
    case 'q': size = sizeof(long long), lo = LLONG_MIN, hi = LLONG_MAX; break;
    case 'h': case 'H': size = sizeof(short); break;
    case 'B': size = 1; break;
    case 'I': size = sizeof(int); break;
    case 'L': size = sizeof(long); break;
    default: size = sizeof(long long); break;
    }
    /* a float or an __int__-only object is a TypeError */
    PyObject *v = PyLong_CheckExact(value) ? Py_NewRef(value) : PyNumber_Index(value);
    if (v == NULL)
        return -1;
    unsigned long long bits;
    int overflow = 0;
    if (hi == 0) {
        bits = PyLong_AsUnsignedLongLongMask(v);
    } else {
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        overflow = overflow != 0 || x < lo || x > hi;
        bits = (unsigned long long)x;
    }
    Py_DECREF(v);
    if (PyErr_Occurred())
        return -1;
    if (overflow) {
        PyErr_Format(PyExc_OverflowError, "%s() kernel argument %zd: %R does not fit the C type (%lld to %lld)",
                     spec->func, i, value, lo, hi);
        return -1;
    }
    cb_store_bits(slot, size, bits);
    return 0;
}

/* c_char: one byte of bytes or bytearray, or an int in [0, 255]. */
static int
pack_char(PyObject *value, unsigned long long *slot, Py_ssize_t i, const cb_argspec *spec)
{
    long c = -1;
    if (PyBytes_Check(value) && PyBytes_GET_SIZE(value) == 1)
        c = (unsigned char)PyBytes_AS_STRING(value)[0];
    else if (PyByteArray_Check(value) && PyByteArray_GET_SIZE(value) == 1)
        c = (unsigned char)PyByteArray_AS_STRING(value)[0];
    else if (PyLong_Check(value) && (c = PyLong_AsLong(value)) == -1 && PyErr_Occurred())
        PyErr_Clear();
    if (c < 0 || c > 255) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: a c_char takes one byte or an int in [0, 255], "
                     "not %.200s", spec->func, i, Py_TYPE(value)->tp_name);
        return -1;
    }
    *(unsigned char *)slot = (unsigned char)c;
    return 0;
}

/* c_wchar: a str of one character. */
static int
pack_wchar(PyObject *value, unsigned long long *slot, Py_ssize_t i, const cb_argspec *spec)
{
    wchar_t w[2];
    if (!PyUnicode_Check(value) || PyUnicode_GET_LENGTH(value) != 1 || PyUnicode_AsWideChar(value, w, 2) != 1) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: a c_wchar takes a str of one character, "
                         "not %.200s", spec->func, i, Py_TYPE(value)->tp_name);
        return -1;
    }
    memcpy(slot, w, sizeof w[0]);
    return 0;
}

/* c_float and c_double: float(value) as PyFloat_AsDouble takes it (a
 * float, an int, __float__ or __index__); a double beyond float's range
 * is an infinity, not undefined behaviour. */
static int
pack_real(PyObject *value, char code, unsigned long long *slot)
{
    double d = PyFloat_AsDouble(value);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    if (code == 'd') {
        memcpy(slot, &d, sizeof d);
        return 0;
    }
    float f = isfinite(d) && fabs(d) > FLT_MAX ? (float)copysign(INFINITY, d) : (float)d;
    memcpy(slot, &f, sizeof f);
    return 0;
}

/* obj.getPtr() as an int: the address of a struct's or handle's memory,
 * the protocol NVIDIA's packing follows for any object with that method.
 * 1: done; 0: obj has no getPtr; -1: error set. */
static int
call_get_ptr(PyObject *obj, void **out, Py_ssize_t i, CB_ARG)
{
    PyObject *method = PyObject_GetAttrString(obj, "getPtr");
    if (method == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    if (!PyCallable_Check(method)) {
        Py_DECREF(method);
        return 0;
    }
    PyObject *r = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    if (r == NULL)
        return -1;
    int rc = 1;
    if (!PyLong_Check(r)) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: getPtr() returned %.200s, not an int address",
                     spec->func, i, Py_TYPE(r)->tp_name);
        rc = -1;
    } else if (cb_arg_address(r, out, spec, argi) < 0) {
        rc = -1;
    }
    Py_DECREF(r);
    return rc;
}

/* c_void_p: an int address, a c_void_p's value, or the address getPtr()
 * gives: for a handle object too, the address of the handle's own memory,
 * not the handle (as NVIDIA's packs it). */
static int
pack_pointer(PyObject *value, PyObject *type, unsigned long long *slot, Py_ssize_t i, CB_ARG)
{
    void *p = NULL;
    int rc;
    if (PyLong_Check(value)) {
        rc = cb_arg_address(value, &p, spec, argi);
    } else if (PyObject_TypeCheck(value, (PyTypeObject *)type)) {
        PyObject *v = PyObject_GetAttrString(value, "value");
        if (v != NULL && !PyLong_Check(v))
            PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: the c_void_p holds %.200s, not an address",
                         spec->func, i, Py_TYPE(v)->tp_name);
        rc = PyErr_Occurred() ? -1 : cb_arg_address(v, &p, spec, argi);
        Py_XDECREF(v);
    } else if (cb_is_handle(value)) {
        p = (void *)cb_handle_slot(value);
        rc = 0;
    } else if ((rc = call_get_ptr(value, &p, i, spec, argi)) == 0) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: a c_void_p takes an int, a c_void_p, a handle or "
                     "an object with getPtr(), not %.200s", spec->func, i, Py_TYPE(value)->tp_name);
        rc = -1;
    }
    if (rc < 0)
        return -1;
    memcpy(slot, &p, sizeof p);
    return 0;
}

/* A value converted to the simple ctypes type of `code`, into *slot. */
static int
pack_value(PyObject *value, PyObject *type, char code, unsigned long long *slot, Py_ssize_t i, CB_ARG)
{
    int truth;
    switch (code) {
    case 'c':
        return pack_char(value, slot, i, spec);
    case 'u':
        return pack_wchar(value, slot, i, spec);
    case 'f': case 'd':
        return pack_real(value, code, slot);
    case 'P':
        return pack_pointer(value, type, slot, i, spec, argi);
    case '?':
        if ((truth = PyObject_IsTrue(value)) < 0)
            return -1;
        *(unsigned char *)slot = (unsigned char)truth;
        return 0;
    default:
        return pack_int(value, code, slot, i, spec);
    }
}

void
cb_kparams_cache_clear(void)
{
#ifndef Py_GIL_DISABLED
    for (int i = 0; i < CODE_CACHE_SIZE; i++)
        Py_CLEAR(code_cache[i].type);
    for (int i = 0; i < LAYOUT_CACHE_SIZE; i++)
        Py_CLEAR(layout_cache[i].types);
#endif
}

static int
keep(cb_kparams *kp, PyObject *obj)
{
    if (kp->keep == NULL && (kp->keep = PyList_New(0)) == NULL)
        return -1;
    return PyList_Append(kp->keep, obj);
}

/* argv[i] points into obj's own memory (its buffer), held until release. */
static int
point_into(PyObject *obj, Py_ssize_t i, cb_kparams *kp, CB_ARG)
{
    PyObject *view = cb_buffer_hold(obj, &kp->argv[i], spec, argi);
    if (view == NULL)
        return -1;
    int rc = keep(kp, view);
    Py_DECREF(view);
    return rc;
}

/* 1: obj is an instance of module.name; 0: not; -1: error set. */
static int
is_instance_of(PyObject *obj, const char *module, const char *name)
{
    PyObject *cls = cb_import_attr(module, name);
    int rc = cls != NULL ? PyObject_IsInstance(obj, cls) : -1;
    Py_XDECREF(cls);
    return rc;
}

/* Type None: the value is passed where it lives, as a struct by value:
 * a handle or struct object (its getPtr() memory), a ctypes.Structure, an
 * enum member (its int), or any object with getPtr(). */
static int
pack_in_place(PyObject *value, Py_ssize_t i, cb_kparams *kp, CB_ARG)
{
    if (cb_is_handle(value) || cb_is_struct(value)) {
        kp->argv[i] = cb_is_handle(value) ? (void *)cb_handle_slot(value) : cb_struct_ptr(value);
        return keep(kp, value);
    }
    int rc = is_instance_of(value, "cuda.bindings._internal._fast_enum", "FastEnum");
    if (rc > 0) {
        long long v = PyLong_AsLongLong(value);
        if (v == -1 && PyErr_Occurred())
            return -1;
        memcpy(&kp->values[i], &v, sizeof v);
        kp->argv[i] = &kp->values[i];
        return 0;
    }
    if (rc == 0 && (rc = is_instance_of(value, "ctypes", "Structure")) > 0)
        return point_into(value, i, kp, spec, argi);
    if (rc == 0 && (rc = call_get_ptr(value, &kp->argv[i], i, spec, argi)) > 0)
        return keep(kp, value);
    if (rc == 0)
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: with type None the value must be a "
                     "ctypes.Structure, a cuda.bindings struct, handle or enum member, or have getPtr(), "
                     "not %.200s", spec->func, i, Py_TYPE(value)->tp_name);
    return -1;
}

/* An instance of the argument's own simple type: a copy of its bytes (at
 * most 8: c_longdouble is refused), as NVIDIA's packs it. */
static int
copy_instance(PyObject *value, unsigned long long *slot)
{
    Py_buffer view;
    if (PyObject_GetBuffer(value, &view, PyBUF_SIMPLE) < 0)
        return -1;
    memcpy(slot, view.buf, (size_t)view.len < sizeof *slot ? (size_t)view.len : sizeof *slot);
    PyBuffer_Release(&view);
    return 0;
}

/* The value of slot i converted to the simple type of `code`. */
static int
pack_slot(PyObject *value, PyObject *type, char code, Py_ssize_t i, cb_kparams *kp, CB_ARG)
{
    kp->values[i] = 0;
    kp->argv[i] = &kp->values[i];
    /* (an exact int or float is no instance of a ctypes type: no subtype walk for it) */
    if (code != 'P' && !PyLong_CheckExact(value) && !PyFloat_CheckExact(value) &&
        PyObject_TypeCheck(value, (PyTypeObject *)type))
        return copy_instance(value, &kp->values[i]);
    return pack_value(value, type, code, &kp->values[i], i, spec, argi);
}

/* The code of a slot's type: a simple ctypes type's, IN_PLACE for None. */
#define IN_PLACE 'N'

static char
type_code(PyObject *type, Py_ssize_t i, CB_ARG)
{
    if (type == Py_None)
        return IN_PLACE;
    /* NVIDIA's packing looks each type up by hash: an unhashable one is
     * the TypeError hashing raises */
    if (PyObject_Hash(type) == -1)
        return 0;
    char code = PyType_Check(type) ? simple_code(type) : NOT_SIMPLE;
    if (code == NOT_SIMPLE) {
        PyErr_Format(PyExc_TypeError, "%s() kernel argument %zd: unsupported type %R (a simple ctypes type such "
                     "as c_int, c_float or c_void_p, or None)", spec->func, i, type);
        return 0;
    }
    return code;
}

/* 1 with the kept codes of `types` copied into codes (a value's conversion
 * can run Python code that packs other layouts over the kept ones), else 0. */
static int
cached_layout(PyObject *types, char *codes, Py_ssize_t n)
{
#ifndef Py_GIL_DISABLED
    size_t slot = ((uintptr_t)types >> 4) % LAYOUT_CACHE_SIZE;
    if (layout_cache[slot].types == types) {
        memcpy(codes, layout_cache[slot].codes, (size_t)n);   /* (a kept layout has at most LAYOUT_MAX) */
        return 1;
    }
#endif
    (void)types, (void)codes, (void)n;
    return 0;
}

static void
cache_layout(PyObject *types, const char *codes, Py_ssize_t n)
{
#ifndef Py_GIL_DISABLED
    if (n > LAYOUT_MAX)
        return;
    size_t slot = ((uintptr_t)types >> 4) % LAYOUT_CACHE_SIZE;
    memcpy(layout_cache[slot].codes, codes, (size_t)n);
    Py_XSETREF(layout_cache[slot].types, Py_NewRef(types));
#else
    (void)types, (void)codes, (void)n;
#endif
}

static int
pack_values(PyObject *values, PyObject *types, Py_ssize_t n, cb_kparams *kp, CB_ARG)
{
    char codes[LAYOUT_MAX];
    int known = cached_layout(types, codes, n);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyTuple_GET_ITEM(values, i), *type = PyTuple_GET_ITEM(types, i);
        char code = known ? codes[i] : type_code(type, i, spec, argi);
        if (code == 0)
            return -1;
        if (!known && i < LAYOUT_MAX)
            codes[i] = code;
        if ((code == IN_PLACE ? pack_in_place(value, i, kp, spec, argi)
                              : pack_slot(value, type, code, i, kp, spec, argi)) < 0)
            return -1;
    }
    if (!known)
        cache_layout(types, codes, n);
    return 0;
}

static PyObject *
kernel_params_error(CB_ARG)
{
    return PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be None, an int address, an object with a "
                        "buffer of argument pointers, or a tuple (values, types) of two tuples",
                        spec->func, spec->names[argi]);
}

/* The buffer of an object as the `void *[]` itself, held until release. */
static int
params_from_buffer(PyObject *o, cb_kparams *kp, CB_ARG)
{
    PyObject *view = PyMemoryView_FromObject(o);
    if (view == NULL)
        return -1;
    if (!PyBuffer_IsContiguous(PyMemoryView_GET_BUFFER(view), 'A')) {
        PyErr_Format(PyExc_BufferError, "%s() argument '%s': the buffer of %.200s is not contiguous",
                     spec->func, spec->names[argi], Py_TYPE(o)->tp_name);
        Py_DECREF(view);
        return -1;
    }
    kp->argv = PyMemoryView_GET_BUFFER(view)->buf;
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
    if (!PyTuple_Check(o)) {
        if (PyObject_CheckBuffer(o))
            return params_from_buffer(o, kp, spec, argi);
        kernel_params_error(spec, argi);
        return -1;
    }
    /* Tuples only, as NVIDIA's takes them: their items cannot change while
     * a value's conversion runs Python code. */
    PyObject *values = PyTuple_GET_SIZE(o) == 2 ? PyTuple_GET_ITEM(o, 0) : NULL;
    PyObject *types = PyTuple_GET_SIZE(o) == 2 ? PyTuple_GET_ITEM(o, 1) : NULL;
    if (values == NULL || !PyTuple_Check(values) || !PyTuple_Check(types)) {
        kernel_params_error(spec, argi);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(values);
    if (PyTuple_GET_SIZE(types) != n) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s': %zd values but %zd types", spec->func,
                     spec->names[argi], n, PyTuple_GET_SIZE(types));
        return -1;
    }
    if (n == 0) {   /* no arguments: a NULL kernelParams, as NVIDIA's passes */
        kp->argv = NULL;
        return 0;
    }
    if ((size_t)n <= sizeof kp->inline_argv / sizeof kp->inline_argv[0]) {
        kp->argv = kp->inline_argv;
        kp->values = kp->inline_values;
    } else {
        kp->heap = PyMem_Calloc((size_t)n, sizeof(void *) + sizeof(unsigned long long));
        if (kp->heap == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        kp->argv = kp->heap;
        kp->values = (unsigned long long *)(kp->heap + n);
    }
    return pack_values(values, types, n, kp, spec, argi);
}

void
cb_kparams_release(cb_kparams *kp)
{
    if (kp->heap != NULL) {
        PyMem_Free(kp->heap);
        kp->heap = NULL;
    }
    Py_CLEAR(kp->keep);
}
