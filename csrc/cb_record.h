/* Record classes: the struct classes of cuda.bindings.nvml, NVIDIA's shape
 * (numpy dtypes, from_ptr/from_buffer/from_data, array classes over a
 * numpy array), made from generated tables (gen/emit_records.py).  What the
 * generated module calls; the record files, in layers, each include only
 * what they use:
 *
 *   cb_record_def.h    the tables (cb_record_def, cb_record_field)
 *   cb_record_np.h     numpy: imported on first use, dtypes, arrays over C memory
 *   cb_record_obj.h    the objects: layouts, made owning or viewing memory
 *   cb_record_field.h  the attributes: members read and set as NVIDIA's
 *   cb_record.c        the classes (slots, from_* methods) and this API
 *
 * Importing the module imports no numpy: a dtype is made on first access
 * (the module's __getattr__ calls cb_record_getattr), an array class's
 * numpy array when one is made, and a plain class never needs numpy. */
#ifndef CB_RECORD_H
#define CB_RECORD_H

#include "cb_record_def.h"

/* From the module's exec: make the n classes of `defs`, keep them in the
 * module state (cb_state.h: records) and add them to the module.  The
 * state lets them go with the module (cb_state_clear/free). */
CB_INTERNAL int cb_record_add_types(PyObject *module, const cb_record_def *defs, int n);

/* For the module's __getattr__: a new reference to the dtype `name` names
 * ("memory_v2_dtype"), made on first use and then kept as a module
 * attribute; NULL *without* an exception set when the name is none of
 * ours (NULL with one when making the dtype failed). */
CB_INTERNAL PyObject *cb_record_getattr(PyObject *module, PyObject *name);

/* For the module's __dir__: append the dtype names not made yet (made ones
 * are module attributes already).  0, or -1 with an exception set. */
CB_INTERNAL int cb_record_dir(PyObject *module, PyObject *names);

/* A new zeroed instance of class `index` owning its memory: n items of an
 * array class (n >= 0), one of a plain class (n is ignored). */
CB_INTERNAL PyObject *cb_record_new(PyObject *module, int index, Py_ssize_t n);

/* A record object's memory (its first item) and its number of items (1
 * for a plain class).  `rec` must be a record object (cb_record_check). */
CB_INTERNAL void *cb_record_ptr(PyObject *rec);
CB_INTERNAL Py_ssize_t cb_record_len(PyObject *rec);
/* Whether `o` is an instance of record class `index` (or a subclass). */
CB_INTERNAL int cb_record_check(PyObject *module, PyObject *o, int index);

/* How a function takes a struct argument, as NVIDIA's declares it. */
enum {
    CB_RECORD_ANY = 0,            /* untyped: None, the object, or int() of it */
    CB_RECORD_TYPED = 1,          /* typed as its class: the object only */
    CB_RECORD_NOT_NONE = 2,       /* versioned, set in C: None refused (ValueError) */
    CB_RECORD_VERSION_ATTR = 4,   /* versioned, set as an attribute: anything else refused (AttributeError) */
    CB_RECORD_EMPTY = 8,          /* an array of no items is taken (cuFile's readv: its count 0) */
};

/* A struct argument of a function (`param` names it in messages), as
 * NVIDIA's takes one (`how`, above): None is NULL; an object of class
 * `index` (or a subclass) its memory; another int-like object int() of it,
 * an address trusted as in C.  Refused, where NVIDIA's would crash or pass
 * the library memory of another size: a negative int (OverflowError), a
 * float, an object of another record class, None where typed (TypeError),
 * an array holding no item (ValueError).  0, or -1 with the exception set. */
CB_INTERNAL int cb_record_arg(PyObject *module, PyObject *arg, int index, void **ptr, const char *param, int how);

/* Room for the items a plain record's pointer members point to, as many
 * as its count members say (cb_rec_pointer_rooms).  0, or -1. */
CB_INTERNAL int cb_record_rooms(PyObject *rec);

/* The items a call reads and fills, as NVIDIA's takes them (NVML's field
 * values): an object of class `index` itself, or a new one from a sequence
 * of ids or (id, scope) pairs, set as members id_field and scope_field
 * (ValueError for another item).  A new reference, or NULL. */
CB_INTERNAL PyObject *cb_record_of_ids(PyObject *module, PyObject *arg, int index, const char *id_field,
                                       const char *scope_field);

#endif
