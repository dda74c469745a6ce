/* Shared behaviour of the generated Python modules. */
#include "cb_module.h"

#include <string.h>

static int add_error_type(PyObject *module);

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

/* Enum values below this get a direct lookup table. */
#define CB_ENUM_TABLE_MAX 4096

int
cb_module_exec(PyObject *module, const cb_module_def *def)
{
    cb_state *st = cb_get_state(module);
    st->def = def;
    st->enums = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject *));
    st->enum_cache = PyMem_Calloc((size_t)def->nenums + 1, sizeof(PyObject **));
    st->enum_cache_len = PyMem_Calloc((size_t)def->nenums + 1, sizeof(long long));
    st->handles = PyMem_Calloc((size_t)def->nhandles + 1, sizeof(PyTypeObject *));
    st->structs = PyMem_Calloc((size_t)def->nstructs + 1, sizeof(PyTypeObject *));
    if (!st->enums || !st->enum_cache || !st->enum_cache_len || !st->handles || !st->structs) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < def->nhandles; i++) {
        const char *name = strrchr(def->handles[i].spec_name, '.') + 1;
        PyTypeObject *twin = NULL;
        if (def->handles[i].base >= 0) {
            if (def->handles[i].base >= i) {  /* the generator orders bases first */
                PyErr_Format(PyExc_SystemError, "%s: base of handle %d comes after it", def->name, i);
                return -1;
            }
            twin = (PyTypeObject *)Py_NewRef((PyObject *)st->handles[def->handles[i].base]);
        } else if (def->handles[i].twin != NULL && (twin = import_class(def->handles[i].twin)) == NULL) {
            return -1;
        }
        st->handles[i] = cb_handle_type_new(module, &def->handles[i], twin);
        Py_XDECREF(twin);
        if (st->handles[i] == NULL || PyModule_AddObjectRef(module, name, (PyObject *)st->handles[i]) < 0)
            return -1;
    }
    for (int i = 0; i < def->nstructs; i++) {
        const cb_struct_def *s = &def->structs[i];
        if (s->base >= i) {   /* the generator orders bases first */
            PyErr_Format(PyExc_SystemError, "%s: base of class %d comes after it", def->name, i);
            return -1;
        }
        st->structs[i] = cb_struct_type_new(module, s, s->base >= 0 ? st->structs[s->base] : NULL);
        if (st->structs[i] == NULL ||
            PyModule_AddObjectRef(module, strrchr(s->spec_name, '.') + 1, (PyObject *)st->structs[i]) < 0)
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
    st->def = NULL;
}

/* Build enum.IntEnum(name, [(member, value), ...]) from the static table. */
static PyObject *
build_enum(PyObject *module, const cb_enum_def *e)
{
    PyObject *enum_mod = NULL, *members = NULL, *kwargs = NULL, *args = NULL, *type = NULL;
    PyObject *modname = PyModule_GetNameObject(module);
    if (modname == NULL)
        return NULL;
    enum_mod = PyImport_ImportModule("enum");
    members = PyList_New(e->nmembers);
    if (enum_mod == NULL || members == NULL)
        goto done;
    for (int i = 0; i < e->nmembers; i++) {
        PyObject *pair = Py_BuildValue("(sL)", e->member_names[i], e->member_values[i]);
        if (pair == NULL)
            goto done;
        PyList_SET_ITEM(members, i, pair);
    }
    args = Py_BuildValue("(sO)", e->name, members);
    kwargs = Py_BuildValue("{s:O, s:s}", "module", modname, "qualname", e->name);
    if (args == NULL || kwargs == NULL)
        goto done;
    PyObject *intenum = PyObject_GetAttrString(enum_mod, "IntEnum");
    if (intenum == NULL)
        goto done;
    type = PyObject_Call(intenum, args, kwargs);
    Py_DECREF(intenum);
    if (type != NULL && e->doc != NULL && e->doc[0]) {
        PyObject *doc = PyUnicode_FromString(e->doc);
        if (doc == NULL || PyObject_SetAttrString(type, "__doc__", doc) < 0)
            Py_CLEAR(type);
        Py_XDECREF(doc);
    }
done:
    Py_XDECREF(modname);
    Py_XDECREF(enum_mod);
    Py_XDECREF(members);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    return type;
}

PyObject *
cb_enum_type(PyObject *module, int idx)
{
    cb_state *st = cb_get_state(module);
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
        st->enum_cache[idx] = PyMem_Calloc((size_t)maxv + 1, sizeof(PyObject *));
        if (st->enum_cache[idx] == NULL) {
            Py_DECREF(type);
            return PyErr_NoMemory();
        }
        st->enum_cache_len[idx] = maxv + 1;
    }
    st->enums[idx] = Py_NewRef(type);
    /* Later lookups find it in the module dict without __getattr__. */
    if (PyObject_SetAttrString(module, e->name, type) < 0) {
        Py_DECREF(type);
        return NULL;
    }
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
    PyObject *map = PyObject_GetAttrString(type, "_value2member_map_");
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
    if (st->enum_cache[idx] != NULL && value >= 0 && value < st->enum_cache_len[idx] &&
        st->enum_cache[idx][value] == NULL)
        st->enum_cache[idx][value] = Py_NewRef(m);
    return m;
fail:
    Py_DECREF(v);
    return NULL;
}

PyObject *
cb_module_getattr(PyObject *module, PyObject *name)
{
    cb_state *st = cb_get_state(module);
    if (st == NULL || st->def == NULL) {  /* asked during import, before exec ran */
        PyErr_Format(PyExc_AttributeError, "module has no attribute '%U'", name);
        return NULL;
    }
    if (PyUnicode_Check(name)) {
        for (int i = 0; i < st->def->nenums; i++)
            if (PyUnicode_CompareWithASCIIString(name, st->def->enums[i].name) == 0)
                return cb_enum_type(module, i);
    }
    PyErr_Format(PyExc_AttributeError, "module '%s' has no attribute '%U'", st->def->name, name);
    return NULL;
}

PyObject *
cb_module_dir(PyObject *module, PyObject *Py_UNUSED(unused))
{
    cb_state *st = cb_get_state(module);
    PyObject *dict = PyModule_GetDict(module);  /* borrowed */
    PyObject *names = PyDict_Keys(dict);
    if (names == NULL)
        return NULL;
    for (int i = 0; st != NULL && st->def != NULL && i < st->def->nenums; i++) {
        if (st->enums[i] != NULL)
            continue;  /* already in the dict */
        PyObject *s = PyUnicode_FromString(st->def->enums[i].name);
        if (s == NULL || PyList_Append(names, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(names);
            return NULL;
        }
        Py_DECREF(s);
    }
    if (PyList_Sort(names) < 0) {
        Py_DECREF(names);
        return NULL;
    }
    return names;
}

PyObject *
cb_module_sizeof(PyObject *module, PyObject *objType)
{
    cb_state *st = cb_get_state(module);
    for (int i = 0; i < st->def->nsizes; i++) {
        PyObject *t = PyObject_GetAttrString(module, st->def->sizes[i].name);
        if (t == NULL)
            return NULL;
        Py_DECREF(t);
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
