/* Record objects inside: their two layouts, how one is made over memory,
 * and how a class finds its table and module (for the record files).
 *
 * A plain class (Memory_v2) holds one C value:
 *
 *     PyObject_HEAD
 *     void      *ptr       the value: `value` below, or memory it views
 *     PyObject  *owner     what keeps viewed memory alive (NULL: its own)
 *     PyObject  *keep      dict: what its pointer members point into, by member index
 *     int        readonly
 *     int        heap      its own value is PyMem memory at ptr, not inline
 *     <C type>   value     (48 bytes in, as NVIDIA's objects hold it; a class
 *                          whose struct is a member of another's has none
 *                          inline, as NVIDIA's, and its own value is heap)
 *
 * An array class (ProcessInfo) holds n items in a numpy array:
 *
 *     PyObject_HEAD
 *     void      *ptr       the first item's address
 *     PyObject  *data      the array (_data), of the class's numpy.record dtype
 *     Py_ssize_t n
 *     PyObject  *cache     (only classes with a counted array of records:
 *                          the items' views, made on first read)
 */
#ifndef CB_RECORD_OBJ_H
#define CB_RECORD_OBJ_H

#include "cb_record_def.h"
#include "cb_state.h"

typedef struct {
    PyObject_HEAD
    void *ptr;
    PyObject *owner;
    PyObject *keep;
    int readonly;
    int heap;
} cb_rec_plain;

typedef struct {
    PyObject_HEAD
    void *ptr;
    PyObject *data;
    Py_ssize_t n;
} cb_rec_array;

/* The cache slot of an array class that has one (cb_rec_has_cache). */
#define CB_REC_CACHE(o) (((PyObject **)((char *)(o) + sizeof(cb_rec_array)))[0])

/* Where a plain object's own value starts. */
#define CB_REC_VALUE_OFFSET 48

/* A new plain object's own zeroed value: inline, or on the heap for a class
 * with no room inline (NULL with MemoryError). */
CB_INTERNAL void *cb_rec_own_value(PyObject *o, size_t size);

/* What every record class's slots know: its table, its index, its module. */
typedef struct {
    const cb_record_def *def;
    int index;
    PyObject *module;    /* borrowed: the class holds it */
    cb_state *st;
} cb_rec_info;

/* The record class among t and its bases (a Python subclass reaches our
 * dealloc through its own); NULL for none. */
CB_INTERNAL PyTypeObject *cb_rec_our_type(PyTypeObject *t);

/* The table of a record class or a subclass of one; NULL for another class. */
CB_INTERNAL const cb_record_def *cb_rec_def_of_type(PyTypeObject *t);

/* The info of o's class (o must be a record object, or a record class for
 * cb_rec_info_of_type).  Never fails for our classes. */
CB_INTERNAL int cb_rec_info_of_type(PyTypeObject *t, cb_rec_info *info);

static inline int
cb_rec_info_of(PyObject *o, cb_rec_info *info)
{
    return cb_rec_info_of_type(Py_TYPE(o), info);
}

/* Whether a record class needs the cache slot. */
CB_INTERNAL int cb_rec_has_cache(const cb_record_def *d);

/* The class of record `index`, made on first use (borrowed; NULL with an
 * exception set where it cannot be made). */
static inline PyTypeObject *
cb_rec_class(cb_state *st, int index)
{
    PyObject *t = cb_load_ptr(&st->records[index]);
    return t != NULL ? (PyTypeObject *)t : st->make_record_class(st, index);
}

/* Whether o is an instance of record class `index` (a class not made yet
 * has none: asking makes none). */
static inline int
cb_rec_is_instance(cb_state *st, int index, PyObject *o)
{
    PyObject *t = cb_load_ptr(&st->records[index]);
    return t != NULL && PyObject_TypeCheck(o, (PyTypeObject *)t);
}

/* New objects of record class `index`:
 * - cb_rec_new_owned: zeroed memory of its own, n items (an array class;
 *   1 for a plain one), or a copy of `src` where src is not NULL;
 * - cb_rec_new_view: over `ptr` (trusted), n items, kept alive by `owner`;
 * - cb_rec_new_from_array: an array class over a numpy array of its dtype.
 * `type`: the class to make (a subclass of the record's), NULL for its own. */
CB_INTERNAL PyObject *cb_rec_new_owned(PyObject *module, int index, PyTypeObject *type, Py_ssize_t n,
                                       const void *src);
CB_INTERNAL PyObject *cb_rec_new_view(PyObject *module, int index, void *ptr, Py_ssize_t n, int readonly,
                                      PyObject *owner);
CB_INTERNAL PyObject *cb_rec_new_from_array(PyObject *module, int index, PyObject *array);

/* An object's memory: its first item and how many items it has. */
CB_INTERNAL void *cb_rec_ptr(PyObject *o);
CB_INTERNAL Py_ssize_t cb_rec_len(PyObject *o);
/* Whether it may be written through (-1 with an error set). */
CB_INTERNAL int cb_rec_readonly(PyObject *o, const cb_rec_info *info);
/* Its items' bytes, contiguous (an array class may view strided items):
 * a new bytes object. */
CB_INTERNAL PyObject *cb_rec_bytes(PyObject *o, const cb_rec_info *info);

/* The object whose keep dict holds what o's pointer members point to: the
 * plain object that owns the memory o views, else o itself. */
CB_INTERNAL PyObject *cb_rec_keeper(PyObject *o);

/* The slots every record object has. */
CB_INTERNAL void cb_rec_dealloc(PyObject *self);
CB_INTERNAL int cb_rec_traverse(PyObject *self, visitproc visit, void *arg);
CB_INTERNAL int cb_rec_clear(PyObject *self);

#endif
