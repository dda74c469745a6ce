/* The cpdef entry points of the pythonic modules: C arguments boxed, the
 * Python-level function called, its result unboxed. */
#include "cb_cpdef.h"
#include <limits.h>
#include <stdarg.h>

PyObject *
cb_cpdef_call(cb_fastcall fn, PyObject *module, const char *formats, ...)
{
    PyObject *argv[CB_CPDEF_MAX_ARGS];
    Py_ssize_t n = 0;
    PyObject *result = NULL;
    va_list ap;

    va_start(ap, formats);
    for (; formats[n] != '\0' && n < CB_CPDEF_MAX_ARGS; n++) {
        PyObject *arg;
        switch (formats[n]) {
        case 'O':
            arg = va_arg(ap, PyObject *);
            Py_INCREF(arg);
            break;
        case 'p':   /* an address or handle: its bits, as the Python functions take them */
            arg = PyLong_FromVoidPtr((void *)va_arg(ap, intptr_t));
            break;
        case 'q':   /* an intptr_t as a number (cuFile's, cuDLA's functions take that range) */
            arg = PyLong_FromLongLong((long long)va_arg(ap, intptr_t));
            break;
        case 'Q':
            arg = PyLong_FromUnsignedLongLong((unsigned long long)va_arg(ap, uint64_t));
            break;
        case 'i':
            arg = PyLong_FromLong(va_arg(ap, int));
            break;
        case 'I':
            arg = PyLong_FromUnsignedLong(va_arg(ap, uint32_t));
            break;
        case 'u':
            arg = PyLong_FromUnsignedLong(va_arg(ap, unsigned int));
            break;
        case 'K':
            arg = PyLong_FromUnsignedLongLong(va_arg(ap, unsigned long long));
            break;
        default:   /* 'z' */
            arg = PyLong_FromSize_t(va_arg(ap, size_t));
            break;
        }
        if (arg == NULL)
            goto exit;
        argv[n] = arg;
    }
    result = fn(module, argv, n, NULL);
exit:
    va_end(ap);
    while (n-- > 0)
        Py_DECREF(argv[n]);
    return result;
}

/* The result (consumed) as an integer of [min, max], max above LLONG_MAX
 * for the unsigned types: its value's bits in *bits (two's complement for a
 * negative one).  -1 with an exception set if it is NULL or does not fit. */
static int
result_int(PyObject *result, long long min, unsigned long long max, unsigned long long *bits)
{
    int overflow, fits;
    if (result == NULL)
        return -1;
    long long value = PyLong_AsLongLongAndOverflow(result, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        Py_DECREF(result);
        return -1;
    }
    if (overflow > 0 && max > (unsigned long long)LLONG_MAX) {
        *bits = PyLong_AsUnsignedLongLong(result);
        if (*bits == (unsigned long long)-1 && PyErr_Occurred()) {
            Py_DECREF(result);
            return -1;
        }
        fits = *bits <= max;
    }
    else {
        *bits = (unsigned long long)value;
        fits = !overflow && value >= min && (value < 0 || (unsigned long long)value <= max);
    }
    if (!fits)
        PyErr_Format(PyExc_OverflowError, "the result %R does not fit its C type", result);
    Py_DECREF(result);
    return fits ? 0 : -1;
}

intptr_t
cb_cpdef_intptr(PyObject *result, intptr_t on_error)
{
    unsigned long long bits;
    return result_int(result, INTPTR_MIN, UINTPTR_MAX, &bits) < 0 ? on_error : (intptr_t)(uintptr_t)bits;
}

size_t
cb_cpdef_size(PyObject *result, size_t on_error)
{
    unsigned long long bits;
    return result_int(result, 0, SIZE_MAX, &bits) < 0 ? on_error : (size_t)bits;
}

int
cb_cpdef_int(PyObject *result, int on_error)
{
    unsigned long long bits;
    return result_int(result, INT_MIN, INT_MAX, &bits) < 0 ? on_error : (int)(long long)bits;
}

unsigned int
cb_cpdef_uint(PyObject *result, unsigned int on_error)
{
    unsigned long long bits;
    return result_int(result, 0, UINT_MAX, &bits) < 0 ? on_error : (unsigned int)bits;
}

unsigned long long
cb_cpdef_ull(PyObject *result, unsigned long long on_error)
{
    unsigned long long bits;
    return result_int(result, 0, ULLONG_MAX, &bits) < 0 ? on_error : bits;
}

uint64_t
cb_cpdef_u64(PyObject *result, uint64_t on_error)
{
    unsigned long long bits;
    return result_int(result, 0, UINT64_MAX, &bits) < 0 ? on_error : (uint64_t)bits;
}

void
cb_cpdef_void(PyObject *result)
{
    Py_XDECREF(result);   /* an exception stays set: the declaration is `except *` */
}

/* char as Cython converts it: a number of the platform's char range. */
char
cb_cpdef_char(PyObject *result, char on_error)
{
    unsigned long long bits;
    return result_int(result, CHAR_MIN, CHAR_MAX, &bits) < 0 ? on_error : (char)(long long)bits;
}
