/* Python ints read as the C core reads them: the small ones without a call
 * into the C API, the rest through __int__ as Cython converts them.  Apart
 * from cb_args.h so that handles (cb_handle.c), below argument conversion,
 * can read them too. */
#ifndef CB_INT_H
#define CB_INT_H

#include "cb_common.h"

/* An int (or IntEnum member: an int subclass reads as its value, as
 * operator.index gives it) that fits one internal digit: launch sizes,
 * flags, enum values, without a call into the C API. */
static inline int
cb_small_int(PyObject *o, long long *v)
{
    if (!PyLong_Check(o))
        return 0;
#if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)o))
        return 0;
    *v = PyUnstable_Long_CompactValue((PyLongObject *)o);
    return 1;
#else
    int overflow;
    *v = PyLong_AsLongLongAndOverflow(o, &overflow);
    return !overflow;
#endif
}

/* Whether o's type has __int__ (an object with only __index__ has not). */
static inline int
cb_has_nb_int(PyObject *o)
{
    PyNumberMethods *nb = Py_TYPE(o)->tp_as_number;
    return nb != NULL && nb->nb_int != NULL;
}

/* int(o) as Cython converts to a C integer: an int as itself, else through
 * the type's __int__ only (floats truncate; an object with only __index__
 * is refused, as are str and None).  New reference; NULL with no exception
 * set where o has no __int__. */
static inline PyObject *
cb_nb_int(PyObject *o)
{
    if (PyLong_Check(o))
        return Py_NewRef(o);
    if (!cb_has_nb_int(o))
        return NULL;
    PyObject *v = Py_TYPE(o)->tp_as_number->nb_int(o);
    if (v != NULL && !PyLong_Check(v)) {
        PyErr_Format(PyExc_TypeError, "__int__ returned non-int (type %.200s)", Py_TYPE(v)->tp_name);
        Py_CLEAR(v);
    }
    return v;
}

#endif
