/* Results of the generated shims: tuples (the last of each size reused),
 * small ints, bytes of the libraries' C strings (kept by address), lists. */
#include "cb_result.h"

#include <string.h>

/* The libraries' strings (error names and texts) are mostly static, and
 * asked for again and again: the bytes made for one are kept by address
 * and handed out again while the text there is the same (bytes are
 * immutable, so nobody can tell).  The GIL guards the cache. */
#define CSTR_CACHE_SIZE 64
#define CSTR_CACHE_MAX_LEN 256
#ifndef Py_GIL_DISABLED
static struct {
    const char *text;
    PyObject *bytes;
} cstr_cache[CSTR_CACHE_SIZE];
#endif

/* Result tuples.  Nearly every caller unpacks the tuple at once and drops
 * it, so the last tuple of each size is kept here: when this cache holds
 * the only reference again, the next result of that size is written into
 * it instead of freeing one tuple and allocating (and GC-tracking) the
 * next.  Nobody else can see the reuse.  The GIL guards the cache; a
 * free-threaded build allocates every time. */
#define REUSED_MAX 4
#ifndef Py_GIL_DISABLED
static PyObject *last_result[REUSED_MAX + 1];
#endif

/* A tuple of n slots (new reference); a reused one still holds its old items. */
static PyObject *
result_tuple(int n)
{
#ifndef Py_GIL_DISABLED
    if (n <= REUSED_MAX) {
        PyObject *t = last_result[n];
        if (t != NULL && Py_REFCNT(t) == 1) {
            if (!PyObject_GC_IsTracked(t))  /* the collector untracks tuples of plain values */
                PyObject_GC_Track(t);
            return Py_NewRef(t);
        }
        if ((t = PyTuple_New(n)) == NULL)
            return NULL;
        Py_XSETREF(last_result[n], Py_NewRef(t));
        return t;
    }
#endif
    return PyTuple_New(n);
}

/* Put `item` (stolen) in slot i, then let go of what was there. */
static void
set_item(PyObject *t, int i, PyObject *item)
{
    PyObject *old = PyTuple_GET_ITEM(t, i);
    PyTuple_SET_ITEM(t, i, item);
    Py_XDECREF(old);
}

PyObject *cb_small_ints[CB_SMALL_INTS];

int
cb_small_ints_fill(void)
{
#ifndef Py_GIL_DISABLED  /* there the table could be cleared under a reader: left empty */
    for (int i = 0; i < CB_SMALL_INTS; i++)
        if (cb_small_ints[i] == NULL && (cb_small_ints[i] = PyLong_FromLong(i)) == NULL)
            return -1;
#endif
    return 0;
}

void
cb_result_cache_clear(void)
{
    for (int i = 0; i < CB_SMALL_INTS; i++)
        Py_CLEAR(cb_small_ints[i]);
#ifndef Py_GIL_DISABLED
    for (int n = 0; n <= REUSED_MAX; n++)
        Py_CLEAR(last_result[n]);
    for (int i = 0; i < CSTR_CACHE_SIZE; i++)
        Py_CLEAR(cstr_cache[i].bytes);
#endif
}

PyObject *
cb_pack_items(int n, PyObject *const *items)
{
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed |= items[i] == NULL;
    PyObject *t = failed ? NULL : result_tuple(n);
    if (t == NULL) {
        for (int i = 0; i < n; i++)
            Py_XDECREF(items[i]);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        set_item(t, i, items[i]);
    return t;
}

PyObject *
cb_status_only(PyObject *status, int nout)
{
    if (status == NULL)
        return NULL;
    PyObject *t = result_tuple(1 + nout);
    if (t == NULL) {
        Py_DECREF(status);
        return NULL;
    }
    set_item(t, 0, status);
    for (int i = 0; i < nout; i++)
        set_item(t, 1 + i, Py_NewRef(Py_None));
    return t;
}

PyObject *
cb_bytes_or_none(const char *s)
{
    if (s == NULL)
        Py_RETURN_NONE;
#ifndef Py_GIL_DISABLED
    size_t slot = ((uintptr_t)s >> 3) % CSTR_CACHE_SIZE;
    PyObject *b = cstr_cache[slot].bytes;
    if (b != NULL && cstr_cache[slot].text == s && strcmp(PyBytes_AS_STRING(b), s) == 0)
        return Py_NewRef(b);
    b = PyBytes_FromString(s);
    if (b != NULL && PyBytes_GET_SIZE(b) <= CSTR_CACHE_MAX_LEN) {
        Py_XSETREF(cstr_cache[slot].bytes, Py_NewRef(b));
        cstr_cache[slot].text = s;
    }
    return b;
#else
    return PyBytes_FromString(s);
#endif
}

PyObject *
cb_str_or_none(const char *s)
{
    if (s == NULL)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "backslashreplace");
}

PyObject *
cb_int_list(const int *values, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    if (l == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(values[i]);
        if (v == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, v);
    }
    return l;
}

PyObject *
cb_room_new(unsigned long long n, size_t itemsize)
{
    if (itemsize != 0 && n > (unsigned long long)PY_SSIZE_T_MAX / itemsize)
        return PyErr_NoMemory();
    PyObject *room = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * itemsize));
    if (room != NULL)
        memset(PyByteArray_AS_STRING(room), 0, (size_t)PyByteArray_GET_SIZE(room));
    return room;
}

PyObject *
cb_room_view(PyObject *room, const char *format, unsigned long long n)
{
    PyObject *bytes = PyMemoryView_FromObject(room);
    if (bytes == NULL)
        return NULL;
    PyObject *typed = PyObject_CallMethod(bytes, "cast", "s", format);
    Py_DECREF(bytes);
    if (typed == NULL || (unsigned long long)PyObject_Length(typed) <= n)
        return typed;
    PyObject *first = PySequence_GetSlice(typed, 0, (Py_ssize_t)n);   /* the call wrote fewer */
    Py_DECREF(typed);
    return first;
}

PyObject *
cb_str_of_size(const char *s, unsigned long long n, size_t room)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)(n < room ? n : room), "backslashreplace");
}
