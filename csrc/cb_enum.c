/* Enum classes: built from their tables on first use, members by value. */
#include "cb_enum.h"

#include <string.h>

/* Enum values below this get a direct lookup table. */
#define CB_ENUM_TABLE_MAX 4096

PyObject *
cb_fast_enum_base(void)
{
    return cb_import_attr("cuda.bindings._internal._fast_enum", "FastEnum");
}

/* The base class of a module's enums: FastEnum, or the module's own
 * (def->enum_base, "enum.IntEnum"). */
static PyObject *
enum_base(const cb_module_def *def)
{
    if (def->enum_base == NULL)
        return cb_fast_enum_base();
    const char *dot = strrchr(def->enum_base, '.');
    PyObject *mod = PyUnicode_FromStringAndSize(def->enum_base, dot - def->enum_base);
    PyObject *base = mod != NULL ? cb_import_attr(PyUnicode_AsUTF8(mod), dot + 1) : NULL;
    Py_XDECREF(mod);
    return base;
}

/* ns[key] = str(text), for a namespace that may be no dict (_EnumDict). */
static int
set_text(PyObject *ns, const char *key, const char *text)
{
    PyObject *s = PyUnicode_FromString(text);
    int rc = s == NULL ? -1 : PyMapping_SetItemString(ns, key, s);
    Py_XDECREF(s);
    return rc;
}

/* Build the class from the static table as the class statement
 *     class <name>(FastEnum): __doc__ = ...; <member> = (<value>, <doc>); ...
 * would (or, for a standard-library base, `<member> = <value>`, in the
 * namespace its metaclass prepares).  FastEnum (cuda/bindings/_internal/
 * _fast_enum.py, under the name NVIDIA's package gives it) is plain Python
 * that imports nothing. */
static PyObject *
build_enum(PyObject *module, const cb_enum_def *e)
{
    PyObject *base = NULL, *ns = NULL, *type = NULL;
    const cb_module_def *def = cb_get_state(module)->def;
    int plain = def->enum_base != NULL;   /* members are their values alone */
    PyObject *modname = PyModule_GetNameObject(module);
    if (modname == NULL)
        return NULL;
    base = enum_base(def);
    if (base == NULL)
        goto done;
    ns = PyObject_CallMethod((PyObject *)Py_TYPE(base), "__prepare__", "s(O)", e->name, base);
    if (ns == NULL || PyMapping_SetItemString(ns, "__module__", modname) < 0 ||
        set_text(ns, "__qualname__", e->name) < 0 || set_text(ns, "__doc__", e->doc ? e->doc : "") < 0)
        goto done;
    for (int i = 0; i < e->nmembers; i++) {
        const char *doc = e->member_docs && !plain ? e->member_docs[i] : NULL;
        PyObject *value = e->c_unsigned == CB_ENUM_UNSIGNED_64
            ? PyLong_FromUnsignedLongLong((unsigned long long)e->member_values[i])
            : PyLong_FromLongLong(e->member_values[i]);
        PyObject *item = value != NULL && !plain ? Py_BuildValue("(Nz)", value, doc) : value;
        int failed = item == NULL || PyMapping_SetItemString(ns, e->member_names[i], item) < 0;
        Py_XDECREF(item);
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
    PyObject *map = PyObject_GetAttrString(type, st->def->enum_base ? "_value2member_map_" : "__singletons__");
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
