/* Trampolines from driver callbacks into Python callables. */
#include "cb_callback.h"

#include "cb_handle.h"
#include "cb_enum.h"

#include <cuda.h>

typedef struct record {
    PyObject *callable;
    PyObject *user;
    PyObject *module;           /* stream callbacks only */
    PyTypeObject *stream_type;
    int status_enum;
} record;

static void
record_free(record *r)
{
    Py_XDECREF(r->callable);
    Py_XDECREF(r->user);
    Py_XDECREF(r->module);
    Py_XDECREF(r->stream_type);
    PyMem_RawFree(r);
}

/* The interpreter may be gone when the driver runs a late callback (a user
 * object destroyed at exit): then the record is leaked, never touched. */
static int
interpreter_alive(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return !Py_IsFinalizing();
#else
    return !_Py_IsFinalizing();
#endif
}

static void
call_and_free(record *r, PyObject *args)
{
    if (args == NULL) {
        PyErr_WriteUnraisable(r->callable);
    } else {
        PyObject *res = PyObject_Call(r->callable, args, NULL);
        if (res == NULL)
            PyErr_WriteUnraisable(r->callable);
        Py_XDECREF(res);
        Py_DECREF(args);
    }
    record_free(r);
}

static void CUDA_CB
host_fn_trampoline(void *data)
{
    record *r = data;
    if (!interpreter_alive())
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    call_and_free(r, PyTuple_Pack(1, r->user));
    PyGILState_Release(gil);
}

static void CUDA_CB
stream_trampoline(CUstream stream, CUresult status, void *data)
{
    record *r = data;
    if (!interpreter_alive())
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *s = cb_handle_new(r->stream_type, stream);
    PyObject *e = s ? cb_enum_member(r->module, r->status_enum, (long long)status) : NULL;
    PyObject *args = e ? PyTuple_Pack(3, s, e, r->user) : NULL;
    Py_XDECREF(s);
    Py_XDECREF(e);
    call_and_free(r, args);
    PyGILState_Release(gil);
}

int
cb_arg_callback(PyObject *fn, PyObject *user, int user_argi, PyTypeObject *fn_type, cb_callback_kind kind,
                const cb_callback_env *env, cb_callback *cb, const cb_argspec *spec, int argi)
{
    if (fn == Py_None || PyLong_Check(fn) || PyObject_TypeCheck(fn, fn_type) || !PyCallable_Check(fn)) {
        /* A C function: NVIDIA's form.  The user data is an address. */
        if (cb_arg_handle_now(fn, fn_type, &cb->fn, spec, argi) < 0)
            return -1;
        if (cb_arg_buffer(user, 0, 1, &cb->user, spec, user_argi) < 0)
            return -1;
        cb->data = cb->user.ptr;
        return 0;
    }
    record *r = PyMem_RawCalloc(1, sizeof *r);  /* freed by the trampoline, maybe without the GIL held long */
    if (r == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    r->callable = Py_NewRef(fn);
    r->user = Py_NewRef(user);
    if (kind == CB_CALLBACK_STREAM) {
        r->module = Py_NewRef(env->module);
        r->stream_type = (PyTypeObject *)Py_NewRef((PyObject *)env->stream_type);
        r->status_enum = env->status_enum;
        CUstreamCallback t = stream_trampoline;
        cb->fn = (void *)t;
    } else {
        CUhostFn t = host_fn_trampoline;
        cb->fn = (void *)t;
    }
    cb->record = r;
    cb->data = r;
    return 0;
}

void
cb_callback_done(cb_callback *cb, int call_succeeded)
{
    if (cb->record != NULL && !call_succeeded)
        record_free(cb->record);
    cb->record = NULL;
    cb_buf_release(&cb->user);
}
