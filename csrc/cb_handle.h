/* Handle classes (nvrtcProgram, CUstream, ...): one stored value.
 *
 * The object layout is the one NVIDIA's .pxd declares for these cdef
 * classes, `_pvt_val` then `_pvt_ptr`, because compiled consumers read
 * those fields at fixed offsets.  `_pvt_ptr` points at `_pvt_val` unless
 * the object was made to view foreign memory (`_ptr=` address).
 */
#ifndef CB_HANDLE_H
#define CB_HANDLE_H

#include "cb_common.h"

/* As NVIDIA's classes behave: an opaque pointer is an index (__index__) and
 * equal to a handle of the same value; a function pointer is an index
 * compared by identity; the integer kinds have only __int__ and are
 * compared by identity. */
typedef enum cb_handle_kind {
    CB_HANDLE_POINTER,   /* an opaque pointer (CUstream): repr in hex */
    CB_HANDLE_U64,       /* unsigned 64-bit value (device pointers) */
    CB_HANDLE_INT,       /* C int (device ordinals) */
    CB_HANDLE_U32,       /* unsigned 32-bit value (cuuint32_t, GLuint, VdpDevice) */
    CB_HANDLE_FUNCTION,  /* a function pointer (CUhostFn): repr in hex */
} cb_handle_kind;

typedef struct cb_handle {
    PyObject_HEAD
    union {
        void *p;
        unsigned long long u;
        int i;
        unsigned int u32;
    } _pvt_val;
    void *_pvt_ptr;
} cb_handle;

typedef struct cb_handle_def {
    const char *spec_name;   /* "cuda.bindings.nvrtc.nvrtcProgram" */
    const char *doc;
    cb_handle_kind kind;
    /* The same C type in another module, which this class extends:
     * "cuda.bindings.driver.CUstream" for cudaStream_t.  NULL: none. */
    const char *twin;
    /* Has __cuda_stream__() (CUstream): the stream protocol's (0, address). */
    int stream_protocol;
} cb_handle_def;

/* `twin` is the class named by def->twin (imported by the caller), or NULL. */
CB_INTERNAL PyTypeObject *cb_handle_type_new(PyObject *module, const cb_handle_def *def, PyTypeObject *twin);
/* Is `o` a handle `type` takes: an instance of it or of the class it extends
 * (a CUstream where a cudaStream_t is wanted; the reverse is a subclass). */
static inline int
cb_handle_accepts(PyObject *o, PyTypeObject *type)
{
    return PyObject_TypeCheck(o, type) ||
           (type->tp_base != &PyBaseObject_Type && PyObject_TypeCheck(o, type->tp_base));
}
CB_INTERNAL int cb_is_handle(PyObject *o);
/* cuda.bindings.driver.cuuint64_t(value): what NVIDIA's runtime gives for a
 * value its docs type cuuint64_t (a pool's release threshold). */
CB_INTERNAL PyObject *cb_driver_uint64(unsigned long long value);
/* The kind of a class this package made (not a subclass), else -1. */
CB_INTERNAL int cb_handle_class_kind(PyObject *cls);
/* The stored value as an address (for any kind). */
CB_INTERNAL void *cb_handle_pointer(PyObject *o);
/* Where the value lives, for calls that write it (create/destroy). */
static inline void **
cb_handle_slot(PyObject *o)
{
    return (void **)((cb_handle *)o)->_pvt_ptr;
}
CB_INTERNAL PyObject *cb_handle_new(PyTypeObject *type, void *value);
/* A handle of `type` whose value lives at `where` (a struct's field): it
 * reads and writes there until cb_handle_detach copies the value home. */
CB_INTERNAL PyObject *cb_handle_view(PyTypeObject *type, void *where);
CB_INTERNAL void cb_handle_detach(PyObject *o);
/* Give the freelist's memory back and forget the shared table of handle
 * classes (module teardown). */
CB_INTERNAL void cb_handle_freelist_clear(void);

#endif
