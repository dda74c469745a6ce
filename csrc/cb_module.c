/* The slots and methods every generated module has: exec, traverse, clear
 * and free, __getattr__, __dir__, sizeof() and _handle_kind(). */
#include "cb_module.h"

#include "cb_result.h"
#include "cb_teardown.h"

#include <string.h>

static PyObject *public_names(PyObject *module);

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
    if (cb_state_init(module, def) < 0)
        return -1;
    if (cb_small_ints_fill() < 0) {
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
    if (def->error_class != NULL && cb_error_class_add(module) < 0)
        return -1;
    if (def->global_class != NULL && add_global_class(module, def->global_class) < 0)
        return -1;
    if (def->exec_extra != NULL && def->exec_extra(module) < 0)
        return -1;
    return 0;
}

int
cb_module_traverse(PyObject *module, visitproc visit, void *arg)
{
    cb_state *st = cb_get_state(module);
    return st == NULL ? 0 : cb_state_traverse(st, visit, arg);
}

int
cb_module_clear(PyObject *module)
{
    cb_state *st = cb_get_state(module);
    if (st != NULL)
        cb_state_clear(st);
    return 0;
}

/* The state's references and memory go first, then the caches the files
 * keep (cb_teardown.c), then the module no longer has state. */
void
cb_module_free(void *module)
{
    cb_state *st = cb_get_state((PyObject *)module);
    if (st == NULL)
        return;
    cb_state_free(st);
    cb_teardown_run();
    cb_state_forget((PyObject *)module, st);
}

/* NVIDIA's driver, runtime and nvrtc modules (those without an error class)
 * hold their enums' base as _FastEnum; nvjitlink, nvvm and nvfatbin do not. */
static int
has_fast_enum_alias(const cb_module_def *def)
{
    return def->nenums > 0 && def->error_class == NULL;
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
        return cb_fast_enum_base();
    if (def->getattr_extra != NULL) {
        PyObject *v = def->getattr_extra(module, name);
        if (v != NULL || PyErr_Occurred())
            return v;
    }
    PyErr_Format(PyExc_AttributeError, "module '%s' has no attribute '%U'", st->def->name, name);
    return NULL;
}

int
cb_append_name(PyObject *names, const char *name)
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
        if (made[i] == NULL && cb_append_name(names, name_of(def, i)) < 0)
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
          cb_append_name(names, "_FastEnum") < 0) ||
         add_unmade(names, st->enums, st->def->nenums, enum_name, st->def) < 0 ||
         add_unmade(names, (PyObject *const *)st->handles, st->def->nhandles, handle_name, st->def) < 0 ||
         add_unmade(names, (PyObject *const *)st->structs, st->def->nstructs, struct_name, st->def) < 0 ||
         (st->def->dir_extra != NULL && st->def->dir_extra(module, names) < 0))) {
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
