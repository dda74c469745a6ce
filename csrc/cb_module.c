/* Shared behaviour of the generated Python modules. */
#include "cb_module.h"
#include "cb_args.h"
#include "cb_kernel.h"

#include <string.h>

static int add_error_type(PyObject *module);
static PyObject *public_names(PyObject *module);

/* "cuda.bindings.driver.CUstream" -> that class (a new reference). */
static PyTypeObject *
import_class(const char *qualname)
{
    const char *dot = strrchr(qualname, '.');
    PyObject *modname = PyUnicode_FromStringAndSize(qualname, dot - qualname);
    PyObject *mod = modname ? PyImport_Import(modname) : NULL;
    Py_XDECREF(modname);
    if (mod == NULL)
        return NULL;
    PyObject *cls = PyObject_GetAttrString(mod, dot + 1);
    Py_DECREF(mod);
    if (cls != NULL && !PyType_Check(cls)) {
        PyErr_Format(PyExc_TypeError, "%s is not a class", qualname);
        Py_CLEAR(cls);
    }
    return (PyTypeObject *)cls;
}

/* Keep `type` as the class of slot `*slot` and as the module attribute
 * `spec_name`'s last part (later lookups find it in the module dict).  If
 * another thread made it meanwhile (building can release the GIL, or suspend
 * the module's critical section), that one is kept.  Returns the class kept
 * (borrowed) or NULL. */
static PyTypeObject *
keep_class(PyObject *module, PyTypeObject **slot, PyTypeObject *type, const char *spec_name)
{
    if (type == NULL)
        return NULL;
    if (*slot != NULL) {
        Py_DECREF(type);
        return *slot;
    }
    if (PyObject_SetAttrString(module, strrchr(spec_name, '.') + 1, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return NULL;
    }
    cb_store_ptr(slot, type);  /* the state owns the reference */
    return type;
}

/* The class makers run under the module's critical section (free-threaded
 * builds), entered once by cb_make_*_class. */
static PyTypeObject *
handle_class_locked(PyObject *module, cb_state *st, int idx)
{
    if (st->handles[idx] != NULL)
        return st->handles[idx];
    const cb_handle_def *h = &st->def->handles[idx];
    PyTypeObject *base = NULL;
    if (h->twin != NULL && (base = import_class(h->twin)) == NULL)
        return NULL;
    PyTypeObject *type = cb_handle_type_new(module, h, base);
    Py_XDECREF(base);
    return keep_class(module, &st->handles[idx], type, h->spec_name);
}

static PyTypeObject *
struct_class_locked(PyObject *module, cb_state *st, int idx)
{
    if (st->structs[idx] != NULL)
        return st->structs[idx];
    const cb_struct_def *s = &st->def->structs[idx];
    PyTypeObject *base = NULL;
    if (s->base >= idx)  /* the generator orders bases first */
        return (PyTypeObject *)PyErr_Format(PyExc_SystemError, "%s: base of class %d comes after it",
                                            st->def->name, idx);
    if (s->base >= 0 && (base = struct_class_locked(module, st, s->base)) == NULL)
        return NULL;
    return keep_class(module, &st->structs[idx], cb_struct_type_new(module, s, base), s->spec_name);
}

static PyTypeObject *
make_class(PyTypeObject *(*locked)(PyObject *, cb_state *, int), PyObject *module, cb_state *st, int idx)
{
    PyTypeObject *type;
    CB_BEGIN_CRITICAL_SECTION(module);
    type = locked(module, st, idx);
    CB_END_CRITICAL_SECTION();
    return type;
}

PyTypeObject *
cb_make_handle_class(PyObject *module, cb_state *st, int idx)
{
    return make_class(handle_class_locked, module, st, idx);
}

PyTypeObject *
cb_make_struct_class(PyObject *module, cb_state *st, int idx)
{
    return make_class(struct_class_locked, module, st, idx);
}

/* Enum values below this get a direct lookup table. */
#define CB_ENUM_TABLE_MAX 4096

PyObject *cb_last_module;
cb_state *cb_last_state;

/* The reference's modules carry an empty class of this name beside their API. */
static int
add_global_class(PyObject *module, const char *qualified)
{
    PyType_Slot slots[] = {{0, NULL}};
    PyType_Spec spec = {qualified, sizeof(PyObject), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE, slots};
    PyObject *t = PyType_FromModuleAndSpec(module, &spec, NULL);
    if (t == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(module, strrchr(qualified, '.') + 1, t);
    Py_DECREF(t);
    return rc;
}

int
cb_module_exec(PyObject *module, const cb_module_def *def)
{
    cb_state *st = cb_get_state(module);
    st->def = def;
#ifndef Py_GIL_DISABLED
    cb_last_module = module;
    cb_last_state = st;
#endif
    st->enums = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject *));
    st->enum_cache = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject **));
    st->enum_cache_len = PyMem_Calloc((size_t)def->nenums + 1, sizeof(long long));
    st->handles = PyMem_Calloc((size_t)def->nhandles + 1, sizeof(PyTypeObject *));
    st->structs = PyMem_Calloc((size_t)def->nstructs + 1, sizeof(PyTypeObject *));
    if (!st->enums || !st->enum_cache || !st->enum_cache_len || !st->handles || !st->structs
        || cb_small_ints_fill() < 0) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < def->nconstants; i++) {
        PyObject *v = PyLong_FromLongLong(def->constants[i].value);
        if (v == NULL || PyModule_AddObjectRef(module, def->constants[i].name, v) < 0) {
            Py_XDECREF(v);
            return -1;
        }
        Py_DECREF(v);
    }
    if (def->error_class != NULL && add_error_type(module) < 0)
        return -1;
    if (def->global_class != NULL && add_global_class(module, def->global_class) < 0)
        return -1;
    return 0;
}

static void
clear_caches(cb_state *st)
{
    if (st->def == NULL)
        return;
    for (int i = 0; i < st->def->nenums; i++) {
        if (st->enum_cache && st->enum_cache[i]) {
            for (long long v = 0; v < st->enum_cache_len[i]; v++)
                Py_CLEAR(st->enum_cache[i][v]);
        }
        if (st->enums)
            Py_CLEAR(st->enums[i]);
    }
    for (int i = 0; st->handles && i < st->def->nhandles; i++)
        Py_CLEAR(st->handles[i]);
    for (int i = 0; st->structs && i < st->def->nstructs; i++)
        Py_CLEAR(st->structs[i]);
    Py_CLEAR(st->error_type);
}

int
cb_module_traverse(PyObject *module, visitproc visit, void *arg)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->def == NULL)
        return 0;
    for (int i = 0; i < st->def->nenums; i++) {
        if (st->enums)
            Py_VISIT(st->enums[i]);
        if (st->enum_cache && st->enum_cache[i])
            for (long long v = 0; v < st->enum_cache_len[i]; v++)
                Py_VISIT(st->enum_cache[i][v]);
    }
    for (int i = 0; st->handles && i < st->def->nhandles; i++)
        Py_VISIT(st->handles[i]);
    for (int i = 0; st->structs && i < st->def->nstructs; i++)
        Py_VISIT(st->structs[i]);
    Py_VISIT(st->error_type);
    return 0;
}

int
cb_module_clear(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    if (st != NULL)
        clear_caches(st);
    return 0;
}

void
cb_module_free(void *module)
{
    cb_state *st = cb_get_state((PyObject *)module);
    if (st == NULL)
        return;
    clear_caches(st);
    if (st->enum_cache)
        for (int i = 0; st->def && i < st->def->nenums; i++)
            PyMem_Free(st->enum_cache[i]);
    PyMem_Free(st->enums);
    PyMem_Free(st->enum_cache);
    PyMem_Free(st->enum_cache_len);
    PyMem_Free(st->handles);
    PyMem_Free(st->structs);
    cb_handle_freelist_clear();
    cb_result_cache_clear();
    cb_kparams_cache_clear();
    cb_struct_cache_clear();
    st->def = NULL;
    if ((PyObject *)module == cb_last_module) {
        cb_last_module = NULL;
        cb_last_state = NULL;
    }
}

/* NVIDIA's driver, runtime and nvrtc modules (those without an error class)
 * hold their enums' base as _FastEnum; nvjitlink, nvvm and nvfatbin do not. */
static int
has_fast_enum_alias(const cb_module_def *def)
{
    return def->nenums > 0 && def->error_class == NULL;
}

/* cuda.bindings._internal._fast_enum.FastEnum, every enum's base */
static PyObject *
fast_enum_base(void)
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
    base = fast_enum_base();
    if (base == NULL)
        goto done;
    ns = Py_BuildValue("{s:O, s:s, s:s}", "__module__", modname, "__qualname__", e->name,
                       "__doc__", e->doc ? e->doc : "");
    if (ns == NULL)
        goto done;
    for (int i = 0; i < e->nmembers; i++) {
        const char *doc = e->member_docs ? e->member_docs[i] : NULL;
        PyObject *pair = Py_BuildValue("(Lz)", e->member_values[i], doc);
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

PyObject *
cb_module_getattr(PyObject *module, PyObject *name)
{
    cb_state *st = cb_get_state(module);
    if (!PyUnicode_Check(name)) {   /* __getattr__ called by hand: as getattr() says it */
        PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.200s'", Py_TYPE(name)->tp_name);
        return NULL;
    }
    if (st == NULL || st->def == NULL) {  /* asked during import, before exec ran */
        PyErr_Format(PyExc_AttributeError, "module has no attribute '%U'", name);
        return NULL;
    }
    const cb_module_def *def = st->def;
    for (int i = 0; i < def->nenums; i++)
        if (PyUnicode_CompareWithASCIIString(name, def->enums[i].name) == 0)
            return cb_enum_type(module, i);
    for (int i = 0; i < def->nhandles; i++)
        if (PyUnicode_CompareWithASCIIString(name, strrchr(def->handles[i].spec_name, '.') + 1) == 0)
            return Py_XNewRef((PyObject *)cb_handle_class(module, st, i));
    for (int i = 0; i < def->nstructs; i++)
        if (PyUnicode_CompareWithASCIIString(name, strrchr(def->structs[i].spec_name, '.') + 1) == 0)
            return Py_XNewRef((PyObject *)cb_struct_class(module, st, i));
    /* `from cuda.bindings.driver import *` asks for __all__: every public
     * name, the classes not made yet included (the import makes them). */
    if (PyUnicode_CompareWithASCIIString(name, "__all__") == 0)
        return public_names(module);
    if (PyUnicode_CompareWithASCIIString(name, "_FastEnum") == 0 && has_fast_enum_alias(def))
        return fast_enum_base();
    PyErr_Format(PyExc_AttributeError, "module '%s' has no attribute '%U'", st->def->name, name);
    return NULL;
}

static int
append_name(PyObject *names, const char *name)
{
    PyObject *s = PyUnicode_FromString(name);
    int rc = s == NULL ? -1 : PyList_Append(names, s);
    Py_XDECREF(s);
    return rc;
}

/* Append the name of each class not made yet (made ones are in the dict). */
static int
add_unmade(PyObject *names, PyObject *const *made, int n, const char *(*name_of)(const cb_module_def *, int),
           const cb_module_def *def)
{
    for (int i = 0; i < n; i++)
        if (made[i] == NULL && append_name(names, name_of(def, i)) < 0)
            return -1;
    return 0;
}

static const char *enum_name(const cb_module_def *def, int i) { return def->enums[i].name; }
static const char *handle_name(const cb_module_def *def, int i) { return strrchr(def->handles[i].spec_name, '.') + 1; }
static const char *struct_name(const cb_module_def *def, int i) { return strrchr(def->structs[i].spec_name, '.') + 1; }

PyObject *
cb_module_dir(PyObject *module, PyObject *Py_UNUSED(unused))
{
    cb_state *st = cb_get_state(module);
    PyObject *dict = PyModule_GetDict(module);  /* borrowed */
    PyObject *names = PyDict_Keys(dict);
    if (names == NULL)
        return NULL;
    if (st != NULL && st->def != NULL &&
        ((has_fast_enum_alias(st->def) && PyDict_GetItemString(dict, "_FastEnum") == NULL &&
          append_name(names, "_FastEnum") < 0) ||
         add_unmade(names, st->enums, st->def->nenums, enum_name, st->def) < 0 ||
         add_unmade(names, (PyObject *const *)st->handles, st->def->nhandles, handle_name, st->def) < 0 ||
         add_unmade(names, (PyObject *const *)st->structs, st->def->nstructs, struct_name, st->def) < 0)) {
        Py_DECREF(names);
        return NULL;
    }
    if (PyList_Sort(names) < 0) {
        Py_DECREF(names);
        return NULL;
    }
    return names;
}

/* dir() without the names that start with an underscore. */
static PyObject *
public_names(PyObject *module)
{
    PyObject *all = cb_module_dir(module, NULL);
    if (all == NULL)
        return NULL;
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(all); i++) {
        PyObject *s = PyList_GET_ITEM(all, i);
        if (PyUnicode_Check(s) && PyUnicode_READ_CHAR(s, 0) != '_' && PyList_Append(out, s) < 0)
            Py_CLEAR(out);
    }
    Py_DECREF(all);
    return out;
}

PyObject *
cb_module_sizeof(PyObject *module, PyObject *objType)
{
    cb_state *st = cb_get_state(module);
    /* A class that objType is has been made, and made classes are in the
     * module's dict: looked up there, no lazy class is made by asking. */
    PyObject *dict = PyModule_GetDict(module);  /* borrowed */
    for (int i = 0; i < st->def->nsizes; i++) {
        PyObject *t = PyDict_GetItemString(dict, st->def->sizes[i].name);  /* borrowed */
        if (t == objType)
            return PyLong_FromSize_t(st->def->sizes[i].size);
    }
    for (int i = 0; i < st->def->nstructs; i++) {
        if ((PyObject *)st->structs[i] == objType)
            return PyLong_FromSize_t(st->def->structs[i].size);
    }
    PyErr_Format(PyExc_TypeError, "sizeof(): unknown type %R", objType);
    return NULL;
}

PyObject *
cb_module_handle_kind(PyObject *Py_UNUSED(module), PyObject *cls)
{
    int kind = cb_handle_class_kind(cls);
    return kind < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(kind);
}

/* --- the pythonic modules' error class -------------------------------- */

static int
error_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"status", NULL};
    PyObject *status;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:__init__", kwlist, &status))
        return -1;
    if (PyObject_SetAttrString(self, "status", status) < 0)
        return -1;
    /* The message names the status: "ERROR_MISSING_ARCH (2)". */
    PyObject *module = PyType_GetModule(Py_TYPE(self));
    PyObject *msg = NULL;
    if (module != NULL && PyLong_Check(status)) {
        cb_state *st = cb_get_state(module);
        long long v = PyLong_AsLongLong(status);
        PyObject *member = v == -1 && PyErr_Occurred() ? NULL : cb_enum_member(module, st->def->status_enum, v);
        if (member != NULL && !PyLong_CheckExact(member)) {
            PyObject *name = PyObject_GetAttrString(member, "name");
            if (name != NULL)
                msg = PyUnicode_FromFormat("%U (%lld)", name, v);
            Py_XDECREF(name);
        }
        Py_XDECREF(member);
    }
    PyErr_Clear();
    if (msg == NULL)
        msg = PyObject_Str(status);
    if (msg == NULL)
        return -1;
    PyObject *newargs = PyTuple_Pack(1, msg);
    Py_DECREF(msg);
    if (newargs == NULL)
        return -1;
    int rc = ((PyTypeObject *)PyExc_Exception)->tp_init(self, newargs, NULL);
    Py_DECREF(newargs);
    return rc;
}

static PyObject *
error_reduce(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *status = PyObject_GetAttrString(self, "status");
    if (status == NULL)
        return NULL;
    return Py_BuildValue("(O(N))", (PyObject *)Py_TYPE(self), status);
}

static PyMethodDef error_methods[] = {
    {"__reduce__", error_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *
error_type(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    if (st->error_type != NULL)
        return st->error_type;
    PyType_Slot slots[] = {
        {Py_tp_init, error_init},
        {Py_tp_methods, error_methods},
        {Py_tp_doc, (void *)"Raised when the library returns a status other than success; "
                            "`status` holds it."},
        {0, NULL},
    };
    PyType_Spec spec = {
        .name = st->def->error_class,   /* static: Python 3.11 keeps the pointer */
        .basicsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,  /* GC comes with the base */
        .slots = slots,
    };
    st->error_type = PyType_FromModuleAndSpec(module, &spec, PyExc_Exception);
    return st->error_type;
}

static int
add_error_type(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    PyObject *t = error_type(module);
    return t == NULL ? -1 : PyModule_AddObjectRef(module, strrchr(st->def->error_class, '.') + 1, t);
}

PyObject *
cb_raise_status(PyObject *module, long long status)
{
    PyObject *t = error_type(module);
    if (t == NULL)
        return NULL;
    PyObject *v = PyLong_FromLongLong(status);
    if (v == NULL)
        return NULL;
    PyObject *exc = PyObject_CallOneArg(t, v);
    Py_DECREF(v);
    if (exc != NULL) {
        PyErr_SetObject(t, exc);
        Py_DECREF(exc);
    }
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
