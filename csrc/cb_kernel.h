/* Kernel arguments for cuLaunchKernel and friends, in the forms NVIDIA's
 * bindings take (found by running them side by side):
 *   None                 no arguments (NULL)
 *   int                  the address of a ready `void *[]`
 *   a buffer             its memory is the `void *[]` ((c_void_p * n)(...),
 *                        a numpy array of addresses); C- or F-contiguous
 *   (values, types)      a tuple of two tuples of one length.  Each type is
 *                        a simple ctypes type (c_bool, c_char, c_wchar, the
 *                        integer types, c_float, c_double, c_void_p; the
 *                        value is converted to it, or already is one) or
 *                        None (the value is passed where it lives, as a
 *                        struct by value: a ctypes.Structure, a struct or
 *                        handle object, an enum member, or anything with
 *                        getPtr()).
 * The packed array points into objects kept alive until release. */
#ifndef CB_KERNEL_H
#define CB_KERNEL_H

#include "cb_args.h"

typedef struct cb_kparams {
    void **argv;             /* what the launch gets */
    void **heap;             /* argv when there are more than fit inline */
    PyObject *keep;          /* what argv points into (views, objects) */
    unsigned long long *values;  /* storage for values converted here */
    void *inline_argv[16];
    unsigned long long inline_values[16];
} cb_kparams;

#define CB_KPARAMS_INIT {NULL, NULL, NULL, NULL, {NULL}, {0}}

CB_INTERNAL int cb_arg_kernel_params(PyObject *o, cb_kparams *kp, CB_ARG);
CB_INTERNAL void cb_kparams_release(cb_kparams *kp);
/* Drop the cached ctypes type codes (module teardown). */
CB_INTERNAL void cb_kparams_cache_clear(void);

#endif
