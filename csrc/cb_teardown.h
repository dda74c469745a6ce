/* What goes with a module object besides its state: the caches the files
 * below keep for the whole extension (freelists, reused results, ...). */
#ifndef CB_TEARDOWN_H
#define CB_TEARDOWN_H

#include "cb_common.h"

/* Clear every file's caches (module free: cb_module.c). */
CB_INTERNAL void cb_teardown_run(void);

#endif
