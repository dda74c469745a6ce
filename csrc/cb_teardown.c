/* The files' caches, cleared when a module object goes.  Each file exports
 * its clear function from its own header and says there what it drops;
 * this table is the one place that lists them, in the order they run.  A
 * fixed table rather than registration at run time: the order never
 * depends on which cache was filled first, and nothing needs a lock on
 * free-threaded builds. */
#include "cb_teardown.h"

#include "cb_result.h"
#include "cb_handle.h"
#include "cb_kernel.h"
#include "cb_record_np.h"
#include "cb_struct_keep.h"

static void (*const clears[])(void) = {
    cb_handle_freelist_clear,   /* handle memory kept for reuse; the shared class table's address */
    cb_result_cache_clear,      /* small ints, result tuples, bytes of C strings */
    cb_kparams_cache_clear,     /* ctypes types by their kernel-argument code */
    cb_struct_cache_clear,      /* what pointers in foreign struct memory keep alive */
    cb_record_np_clear,         /* numpy, its names, the class lending record memory to numpy */
};

void
cb_teardown_run(void)
{
    for (size_t i = 0; i < sizeof clears / sizeof clears[0]; i++)
        clears[i]();
}
