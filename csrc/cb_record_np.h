/* numpy for the record classes: imported on first use (importing the
 * module never imports numpy), the classes' dtypes made from their tables,
 * and numpy arrays over C memory that keep its owner alive. */
#ifndef CB_RECORD_NP_H
#define CB_RECORD_NP_H

#include "cb_record_def.h"
#include "cb_state.h"

/* The numpy module (borrowed), imported once; NULL with ImportError set. */
CB_INTERNAL PyObject *cb_np(void);

/* numpy.<name> (borrowed, looked up once per process). */
enum cb_np_attr { CB_NP_DTYPE, CB_NP_NDARRAY, CB_NP_RECORD, CB_NP_RECARRAY, CB_NP_ZEROS, CB_NP_EMPTY,
                  CB_NP_ARRAY, CB_NP_FROMBUFFER, CB_NP_ATTRS_ };
CB_INTERNAL PyObject *cb_np_attr(enum cb_np_attr which);

/* The dtype of record `index` (borrowed, made on first use and kept in the
 * module state): names, formats, offsets and itemsize from its table, a
 * nested record's dtype inside.  `as_record`: the same as numpy.record's
 * dtype, the one an array class's _data has. */
CB_INTERNAL PyObject *cb_rec_dtype(PyObject *module, int index, int as_record);

/* A numpy array of `count` items of `dtype` over [ptr, ptr + nbytes) (its
 * base a memoryview of that memory, which keeps `owner` alive), read-only
 * if `readonly`.  A new reference. */
CB_INTERNAL PyObject *cb_np_over(void *ptr, Py_ssize_t nbytes, int readonly, PyObject *owner,
                                 PyObject *dtype, Py_ssize_t count);

/* The address of a numpy array's first item (its __array_interface__'s). */
CB_INTERNAL int cb_np_data_ptr(PyObject *array, void **ptr);

/* Whether an ndarray is writeable (-1 with an error set). */
CB_INTERNAL int cb_np_writeable(PyObject *array);

/* Whether o is a numpy.ndarray (0 without an error when numpy is not imported). */
CB_INTERNAL int cb_np_is_array(PyObject *o);

/* Forget numpy and the memory class (module teardown). */
CB_INTERNAL void cb_record_np_clear(void);

#endif
