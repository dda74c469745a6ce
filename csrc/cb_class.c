/* Handle and struct classes, made on first use and kept in the state. */
#include "cb_class.h"

#include "cb_handle.h"
#include "cb_struct_def.h"
#include "cb_struct_type.h"

#include <string.h>

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
