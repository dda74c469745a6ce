/* Host callbacks given as Python callables (cuLaunchHostFunc,
 * cuStreamAddCallback, user-object destructors).
 *
 * The driver calls a C function with a `void *` of ours; we pass one of the
 * trampolines below and a record holding the callable and the user's data.
 * The trampoline takes the GIL, calls the callable, reports an exception
 * through sys.unraisablehook, and frees the record: each of these callbacks
 * runs exactly once.  A C function pointer (an int, a ctypes function's
 * address, or the handle class) is passed through as is, as NVIDIA's
 * bindings do, with the user data as an address.
 */
#ifndef CB_CALLBACK_H
#define CB_CALLBACK_H

#include "cb_args.h"

typedef enum cb_callback_kind {
    CB_CALLBACK_HOST_FN,        /* void (*)(void *userData): called as fn(userData) */
    CB_CALLBACK_STREAM,         /* void (*)(CUstream, CUresult, void *): fn(stream, status, userData) */
} cb_callback_kind;

typedef struct cb_callback {
    void *fn;                   /* what the call gets as the function */
    void *data;                 /* and as its user data */
    void *record;               /* ours until the call succeeds */
    cb_buf user;                /* the user data given as an address or buffer */
} cb_callback;

#define CB_CALLBACK_INIT {NULL, NULL, NULL, CB_BUF_INIT}

/* What a stream callback needs to build its arguments. */
typedef struct cb_callback_env {
    PyObject *module;           /* for the status enum */
    PyTypeObject *stream_type;  /* CUstream */
    int status_enum;            /* index of CUresult */
} cb_callback_env;

/* `fn` is a Python callable, a handle of `fn_type`, an int address or None;
 * `user` is any object for a callable, else an address or buffer. */
CB_INTERNAL int cb_arg_callback(PyObject *fn, PyObject *user, int user_argi, PyTypeObject *fn_type, cb_callback_kind kind,
                                const cb_callback_env *env, cb_callback *cb, const cb_argspec *spec, int argi);

/* After the call: on success the driver owns the record (the trampoline
 * frees it); on failure it never runs, so we free it. */
CB_INTERNAL void cb_callback_done(cb_callback *cb, int call_succeeded);

#endif
