/* The cpdef entry points of the pythonic modules: C arguments boxed, the
 * Python-level function called, its result unboxed. */
#include "cb_cpdef.h"
#include <limits.h>
#include <stdarg.h>

/* No cpdef of these modules takes more arguments. */
#define CB_CPDEF_MAX_ARGS 8

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
        case 'p':
            arg = PyLong_FromSsize_t((Py_ssize_t)va_arg(ap, intptr_t));
            break;
        case 'i':
            arg = PyLong_FromLong(va_arg(ap, int));
            break;
        case 'I':
            arg = PyLong_FromUnsignedLong(va_arg(ap, uint32_t));
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

/* The result (consumed) as an unsigned integer of at most `max`: -1 with an
 * exception set if it is NULL or does not fit. */
static int
result_bits(PyObject *result, unsigned long long max, unsigned long long *out)
{
    if (result == NULL)
        return -1;
    unsigned long long value = PyLong_AsUnsignedLongLong(result);
    Py_DECREF(result);
    if (value == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    if (value > max) {
        PyErr_SetString(PyExc_OverflowError, "the result does not fit its C type");
        return -1;
    }
    *out = value;
    return 0;
}

intptr_t
cb_cpdef_intptr(PyObject *result, intptr_t on_error)
{
    unsigned long long value;
    return result_bits(result, UINTPTR_MAX, &value) < 0 ? on_error : (intptr_t)(uintptr_t)value;
}

size_t
cb_cpdef_size(PyObject *result, size_t on_error)
{
    unsigned long long value;
    return result_bits(result, SIZE_MAX, &value) < 0 ? on_error : (size_t)value;
}

int
cb_cpdef_int(PyObject *result, int on_error)
{
    if (result == NULL)
        return on_error;
    long value = PyLong_AsLong(result);
    Py_DECREF(result);
    if (value == -1 && PyErr_Occurred())
        return on_error;
    if (value < INT_MIN || value > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "the result does not fit a C int");
        return on_error;
    }
    return (int)value;
}
