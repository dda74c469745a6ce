/* Enum classes: built from their tables on first use, members by value. */
#include "cb_enum.h"

/* Enum values below this get a direct lookup table. */
#define CB_ENUM_TABLE_MAX 4096

PyObject *
cb_fast_enum_base(void)
{
    return cb_import_attr("cuda.bindings._internal._fast_enum", "FastEnum");
}

/* Build the class from the static table as the class statement
 *     class <name>(FastEnum): __doc__ = ...; <member> = (<value>, <doc>); ...
 * would.  FastEnum (cuda/bindings/_internal/_fast_enum.py, under the name
 * NVIDIA's package gives it) is plain Python that imports nothing. */
static PyObject *
build_enum(PyObject *module, const cb_enum_def *e)
{
    PyObject *base = NULL, *ns = NULL, *type = NULL;
    PyObject *modname = PyModule_GetNameObject(module);
    if (modname == NULL)
        return NULL;
    base = cb_fast_enum_base();
    if (base == NULL)
        goto done;
    ns = Py_BuildValue("{s:O, s:s, s:s}", "__module__", modname, "__qualname__", e->name,
                       "__doc__", e->doc ? e->doc : "");
    if (ns == NULL)
        goto done;
    for (int i = 0; i < e->nmembers; i++) {
        const char *doc = e->member_docs ? e->member_docs[i] : NULL;
        PyObject *pair = e->c_unsigned == CB_ENUM_UNSIGNED_64
            ? Py_BuildValue("(Kz)", (unsigned long long)e->member_values[i], doc)
            : Py_BuildValue("(Lz)", e->member_values[i], doc);
        int failed = pair == NULL || PyDict_SetItemString(ns, e->member_names[i], pair) < 0;
        Py_XDECREF(pair);
        if (failed)
            goto done;
    }
    type = PyObject_CallFunction((PyObject *)Py_TYPE(base), "s(O)O", e->name, base, ns);
done:
    Py_XDECREF(modname);
    Py_XDECREF(base);
    Py_XDECREF(ns);
    return type;
}

/* Builds the enum class under the module's critical section (free-threaded
 * builds): its lookup table and the class are published once. */
static PyObject *
enum_type_locked(PyObject *module, cb_state *st, int idx)
{
    if (st->enums[idx] != NULL)
        return Py_NewRef(st->enums[idx]);
    const cb_enum_def *e = &st->def->enums[idx];
    PyObject *type = build_enum(module, e);
    if (type == NULL)
        return NULL;
    if (st->enums[idx] != NULL) {   /* built meanwhile by another thread */
        Py_DECREF(type);
        return Py_NewRef(st->enums[idx]);
    }
    /* A table over the members below CB_ENUM_TABLE_MAX; outliers such as
     * CU_AD_FORMAT_MAX (0x7fffffff) take the slow path alone. */
    long long maxv = -1;
    for (int i = 0; i < e->nmembers; i++) {
        if (e->member_values[i] >= 0 && e->member_values[i] < CB_ENUM_TABLE_MAX && e->member_values[i] > maxv)
            maxv = e->member_values[i];
    }
    if (maxv >= 0) {
        PyObject **table = PyMem_Calloc((size_t)maxv + 1, sizeof(PyObject *));
        if (table == NULL) {
            Py_DECREF(type);
            return PyErr_NoMemory();
        }
        st->enum_cache_len[idx] = maxv + 1;
        cb_store_ptr(&st->enum_cache[idx], table);
    }
    cb_store_ptr(&st->enums[idx], Py_NewRef(type));
    /* Later lookups find it in the module dict without __getattr__. */
    if (PyObject_SetAttrString(module, e->name, type) < 0) {
        Py_DECREF(type);
        return NULL;
    }
    return type;
}

PyObject *
cb_enum_type(PyObject *module, int idx)
{
    cb_state *st = cb_get_state(module);
    PyObject *type = cb_load_ptr(&st->enums[idx]);
    if (type != NULL)
        return Py_NewRef(type);
    CB_BEGIN_CRITICAL_SECTION(module);
    type = enum_type_locked(module, st, idx);
    CB_END_CRITICAL_SECTION();
    return type;
}

PyObject *
cb_enum_member_slow(PyObject *module, int idx, long long value)
{
    cb_state *st = cb_get_state(module);
    PyObject *type = cb_enum_type(module, idx);
    if (type == NULL)
        return NULL;
    PyObject *v = PyLong_FromLongLong(value);
    if (v == NULL) {
        Py_DECREF(type);
        return NULL;
    }
    /* The enum's own value -> member map: no ValueError raised and caught
     * for a value the headers do not name (zeroed struct fields have many). */
    PyObject *map = PyObject_GetAttrString(type, "__singletons__");
    Py_DECREF(type);
    if (map == NULL)
        goto fail;
    PyObject *m = PyDict_Check(map) ? PyDict_GetItemWithError(map, v) : NULL;
    Py_DECREF(map);
    if (m == NULL && PyErr_Occurred())
        goto fail;
    /* A value newer than our headers is handed back as the number itself. */
    m = Py_NewRef(m != NULL ? m : v);
    Py_DECREF(v);
    CB_BEGIN_CRITICAL_SECTION(module);
    if (st->enum_cache[idx] != NULL && value >= 0 && value < st->enum_cache_len[idx] &&
        st->enum_cache[idx][value] == NULL)
        cb_store_ptr(&st->enum_cache[idx][value], Py_NewRef(m));
    CB_END_CRITICAL_SECTION();
    return m;
fail:
    Py_DECREF(v);
    return NULL;
}

void
cb_raise_unsupported_key(PyObject *module, int idx, long long key)
{
    PyObject *member = cb_enum_member(module, idx, key);
    PyObject *name = member && !PyLong_CheckExact(member) ? PyObject_GetAttrString(member, "name") : NULL;
    if (member != NULL && name == NULL) {
        PyErr_Clear();
        name = PyObject_Str(member);
    }
    if (name != NULL)
        PyErr_Format(PyExc_TypeError, "Unsupported attribute: %U", name);
    Py_XDECREF(name);
    Py_XDECREF(member);
}

/* The key of a value typed by it (cuPointerGetAttribute's attribute, a
 * pool attribute, a handle type), in the order NVIDIA's checks it (observed;
 * gen/overrides.py TYPED_KEY_ORDER): None is a TypeError; then int() of it
 * (ValueError for "x", OverflowError) for CB_KEY_INT_FIRST and CB_KEY_INT;
 * then, but for CB_KEY_INT, its .value (AttributeError for a plain int), a
 * member of any enum taken by value; a value its own enum does not name is
 * a TypeError. */
int
cb_arg_enum_key(PyObject *module, int idx, PyObject *o, int order, long long *out, CB_ARG)
{
    if (o == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be an enum member, not None", spec->func,
                     spec->names[argi]);
        return -1;
    }
    long long x = 0;
    if (order != CB_KEY_VALUE_FIRST) {
        PyObject *n = PyNumber_Long(o);
        if (n == NULL) {   /* int()'s own error type, naming the argument */
            PyObject *e = PyErr_GetRaisedException();
            PyErr_Format((PyObject *)Py_TYPE(e), "%s() argument '%s': %S", spec->func, spec->names[argi], e);
            Py_DECREF(e);
            return -1;
        }
        x = PyLong_AsLongLong(n);
        Py_DECREF(n);
        if (x == -1 && PyErr_Occurred())
            return -1;
        if (order == CB_KEY_INT) {
            *out = x;
            return 0;
        }
    }
    PyObject *value = PyObject_GetAttrString(o, "value");   /* AttributeError, as NVIDIA's */
    if (value == NULL)
        return -1;
    x = PyLong_Check(value) ? PyLong_AsLongLong(value) : -1;
    Py_DECREF(value);
    if (x == -1 && PyErr_Occurred())
        return -1;
    PyObject *member = cb_enum_member(module, idx, x);
    if (member == NULL)
        return -1;
    int named = !PyLong_CheckExact(member);
    Py_DECREF(member);
    if (!named) {
        PyObject *name = PyObject_GetAttrString(o, "name");
        if (name == NULL) {
            PyErr_Clear();
            name = PyObject_Str(o);
        }
        if (name != NULL)
            PyErr_Format(PyExc_TypeError, "Unsupported attribute: %S", name);
        Py_XDECREF(name);
        return -1;
    }
    *out = x;
    return 0;
}
