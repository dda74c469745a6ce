/* Making a struct or union class from its generated table. */
#ifndef CB_STRUCT_TYPE_H
#define CB_STRUCT_TYPE_H

#include "cb_struct_def.h"

/* The heap type of `def` (a subclass of `base` when not NULL): a typedef
 * alias shares its base's layout and fields.  New reference; NULL with the
 * error set. */
CB_INTERNAL PyTypeObject *cb_struct_type_new(PyObject *module, const cb_struct_def *def, PyTypeObject *base);

#endif
