/* Kernel arguments for cuLaunchKernel and friends, in the forms NVIDIA's
 * bindings document:
 *   None                      no arguments (NULL)
 *   int                       the address of a ready `void *[]`
 *   (values, types)           two sequences of one length; each type is a
 *                             ctypes type (the value is converted to it, or
 *                             already is one) or None (the value is a handle
 *                             or struct object of this module, or an int
 *                             passed as a pointer-sized value).
 * The packed array points into objects kept alive until release. */
#ifndef CB_KERNEL_H
#define CB_KERNEL_H

#include "cb_args.h"

typedef struct cb_kparams {
    void **argv;             /* what the launch gets */
    void **heap;             /* argv when there are more than fit inline */
    PyObject *keep;          /* converted values (ctypes objects) */
    unsigned long long *values;  /* storage for int values given with type None */
    void *inline_argv[16];
    unsigned long long inline_values[16];
} cb_kparams;

#define CB_KPARAMS_INIT {NULL, NULL, NULL, NULL, {NULL}, {0}}

CB_INTERNAL int cb_arg_kernel_params(PyObject *o, cb_kparams *kp, CB_ARG);
CB_INTERNAL void cb_kparams_release(cb_kparams *kp);
/* Drop the cached ctypes type codes (module teardown). */
CB_INTERNAL void cb_kparams_cache_clear(void);

#endif
