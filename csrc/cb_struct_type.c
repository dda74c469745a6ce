/* A struct class made from its cb_struct_def: its slots (construction,
 * repr; the object's life is cb_struct_obj.c's) and the heap type. */
#include "cb_struct_type.h"

#include "cb_int.h"
#include "cb_struct_layout.h"
#include "cb_struct_obj.h"

#include <limits.h>
#include <stdint.h>

static int struct_point(PyObject *self, PyObject *args, PyObject *kwds);

/* As NVIDIA's __cinit__: the address comes with the call to the class,
 * whatever a subclass's __init__ takes. */
static PyObject *
struct_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *self = cb_struct_alloc(type, NULL, NULL);
    if (self != NULL && struct_point(self, args, kwds) < 0)
        Py_CLEAR(self);
    return self;
}

static char *ptr_kwlist[] = {"_ptr", NULL};

/* __init__(_ptr=0): checks its arguments; tp_new has used them. */
static int
struct_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *ptr = NULL;
    (void)self;
    return PyArg_ParseTupleAndKeywords(args, kwds, "|O:__init__", ptr_kwlist, &ptr) ? 0 : -1;
}

/* X(_ptr=0): _ptr, an int address, makes the object a view of that memory
 * (not owned, trusted as in C). */
static int
struct_point(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *ptr = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__cinit__", ptr_kwlist, &ptr))
        return -1;
    const cb_struct_def *d = cb_struct_def_of(Py_TYPE(self));
    void *p = NULL;
    if (d->view_only && ptr == NULL) {
        PyErr_SetString(PyExc_TypeError, "__cinit__() takes exactly 1 positional argument (0 given)");
        return -1;
    }
    if (ptr != NULL) {
        /* As NVIDIA's: an int address (through __int__); None is refused. */
        PyObject *n = cb_nb_int(ptr);
        if (n == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s(_ptr) must be an int address, not %.200s",
                             cb_short_name(Py_TYPE(self)), cb_short_name(Py_TYPE(ptr)));
            return -1;
        }
        unsigned long long u = PyLong_AsUnsignedLongLong(n);
        int bad = (u == ULLONG_MAX && PyErr_Occurred()) || u > UINTPTR_MAX;
        Py_DECREF(n);
        if (bad) {
            PyErr_Clear();
            PyErr_Format(PyExc_OverflowError, "%s(_ptr) must be an address in [0, %llu], got %R",
                         cb_short_name(Py_TYPE(self)), (unsigned long long)UINTPTR_MAX, ptr);
            return -1;
        }
        p = (void *)(uintptr_t)u;
    }
    cb_struct_tail *t = cb_struct_tail_of(self, d);
    t->_pvt_ptr = p != NULL ? p : cb_struct_value_of(self, d);
    if (p == NULL && d->fresh != NULL)
        d->fresh(t->_pvt_ptr);
    Py_CLEAR(t->_owner);
    return 0;
}

/* "name : value", the nested structs indented below "name :", as NVIDIA's
 * repr does.  A field that cannot be read shows its exception's name.  The
 * value comes through the class's attribute table: getset[i] is made beside
 * fields[i] (gen/emit_structs.py), its getter cb_struct_get.  Reading a
 * field can make a nested struct's class, with this file: through the
 * table, this file does not depend on the field conversions. */
static PyObject *
field_line(PyObject *self, const cb_field_def *f, const PyGetSetDef *g)
{
    PyObject *v, *s = NULL;
    /* a struct, or an array of them, below "name :" */
    int nested = f->kind == CB_FIELD_STRUCT && f->via == CB_VIA_INLINE;
    int address = f->kind == CB_FIELD_ADDRESS && f->count == 0;   /* in hex, as NVIDIA's shows void * */
    v = g->get(self, g->closure);
    if (v != NULL && (f->show == CB_SHOW_HEX || f->kind == CB_FIELD_CSTRING)) {
        /* as NVIDIA's shows them: CUuuid's bytes in hex, a C string as text */
        PyObject *t = f->show == CB_SHOW_HEX ? PyObject_CallMethod(v, "hex", NULL)
                                             : PyUnicode_FromEncodedObject(v, "utf-8", "strict");
        Py_SETREF(v, t);
    }
    if (v != NULL && nested) {
        PyObject *r = PyObject_Repr(v);
        PyObject *nl = PyUnicode_FromString("\n"), *nl4 = PyUnicode_FromString("\n    ");
        PyObject *ind = (r != NULL && nl != NULL && nl4 != NULL) ? PyUnicode_Replace(r, nl, nl4, -1) : NULL;
        if (ind != NULL)   /* a struct of hidden members only shows nothing below its name */
            s = PyUnicode_GET_LENGTH(ind) ? PyUnicode_FromFormat("%s :\n    %U", f->name, ind)
                                          : PyUnicode_FromFormat("%s :\n", f->name);
        Py_XDECREF(r);
        Py_XDECREF(nl);
        Py_XDECREF(nl4);
        Py_XDECREF(ind);
    } else if (v != NULL) {
        PyObject *r = address ? PyNumber_ToBase(v, 16) : PyObject_Str(v);
        if (r != NULL)
            s = PyUnicode_FromFormat("%s : %U", f->name, r);
        Py_XDECREF(r);
    }
    Py_XDECREF(v);
    if (s != NULL || !PyErr_ExceptionMatches(PyExc_Exception))
        return s;
    PyObject *e = PyErr_GetRaisedException();
    s = PyUnicode_FromFormat("%s : <%s>", f->name, cb_short_name(Py_TYPE(e)));
    Py_DECREF(e);
    return s;
}

static PyObject *
struct_repr(PyObject *self)
{
    const cb_struct_def *d = cb_struct_def_of(Py_TYPE(self));
    if (Py_EnterRecursiveCall(" in a struct repr"))
        return NULL;
    PyObject *lines = PyList_New(0), *result = NULL;
    for (int i = 0; lines != NULL && i < d->nfields; i++) {
        if (d->fields[i].show == CB_SHOW_HIDDEN)
            continue;   /* reserved and padding members (gen/overrides.py HIDDEN_FIELDS) */
        PyObject *line = field_line(self, &d->fields[i], &d->getset[i]);
        if (line == NULL || PyList_Append(lines, line) < 0) {
            Py_XDECREF(line);
            goto done;
        }
        Py_DECREF(line);
    }
    if (lines != NULL) {
        PyObject *sep = PyUnicode_FromString("\n");
        if (sep != NULL)
            result = PyUnicode_Join(sep, lines);
        Py_XDECREF(sep);
    }
done:
    Py_XDECREF(lines);
    Py_LeaveRecursiveCall();
    return result;
}

static PyMethodDef struct_methods[] = {
    {"getPtr", cb_struct_getPtr, METH_NOARGS,
     CB_STRUCT_GETPTR_DOC},
    {NULL, NULL, 0, NULL},
};

/* sizeof the whole object struct, as a C compiler (and Cython) computes it. */
static size_t
basic_size(const cb_struct_def *d)
{
    size_t a = _Alignof(cb_struct_tail);
    if (d->align > a)
        a = d->align;
    if (_Alignof(PyObject) > a)
        a = _Alignof(PyObject);
    return cb_round_up(cb_struct_tail_offset(d) + sizeof(cb_struct_tail), a);
}

PyTypeObject *
cb_struct_type_new(PyObject *module, const cb_struct_def *def, PyTypeObject *base)
{
    const char *name = strrchr(def->spec_name, '.') + 1;
    /* "Name(_ptr=0)\n--\n\n" gives the class an inspectable signature. */
    PyObject *doc = PyUnicode_FromFormat("%s(_ptr=0)\n--\n\n%s", name, def->doc != NULL ? def->doc : "");
    if (doc == NULL)
        return NULL;
    const char *text = PyUnicode_AsUTF8(doc);
    if (text == NULL) {
        Py_DECREF(doc);
        return NULL;
    }
    PyType_Slot slots[12];
    int n = 0;
    slots[n++] = (PyType_Slot){Py_tp_new, struct_new};
    slots[n++] = (PyType_Slot){Py_tp_init, struct_init};
    slots[n++] = (PyType_Slot){Py_tp_dealloc, cb_struct_tp_dealloc};
    slots[n++] = (PyType_Slot){Py_tp_traverse, cb_struct_tp_traverse};
    slots[n++] = (PyType_Slot){Py_tp_clear, cb_struct_tp_clear};
    slots[n++] = (PyType_Slot){Py_tp_repr, struct_repr};
    slots[n++] = (PyType_Slot){Py_tp_doc, (void *)text};
    if (base == NULL)
        slots[n++] = (PyType_Slot){Py_tp_methods, def->methods != NULL ? def->methods : struct_methods};
    if (def->getset != NULL)
        slots[n++] = (PyType_Slot){Py_tp_getset, def->getset};
    slots[n++] = (PyType_Slot){0, NULL};
    PyType_Spec spec = {
        .name = def->spec_name,
        .basicsize = base != NULL ? 0 : (int)basic_size(def),   /* an alias shares its base's layout */
        .itemsize = 0,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
        .slots = slots,
    };
    PyTypeObject *t = (PyTypeObject *)PyType_FromModuleAndSpec(module, &spec, (PyObject *)base);
    Py_DECREF(doc);   /* the type copied the text */
    return t;
}
