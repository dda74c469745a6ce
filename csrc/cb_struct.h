/* Struct and union classes (CUDA_MEMCPY2D, CUlaunchAttributeValue, ...) of
 * the tuple-style modules, built from generated tables.  What the generated
 * code includes; the struct files, in layers, each include only what they
 * use:
 *
 *   cb_struct_def.h     the tables (cb_struct_def, cb_field_def)
 *   cb_struct_obj.h     a struct object from outside: its pointer, a new one
 *   cb_struct_layout.h  inside one: the tail after the value (cb_struct_obj.c)
 *   cb_struct_keep.h    keeping alive what pointer fields point to
 *   cb_struct_type.h    the class made from a cb_struct_def
 *   cb_struct_elem.h    one element of a field to and from Python
 *   cb_struct_field.h   whole fields: the getters and setters
 *   cb_struct_arg.h     struct objects as function arguments
 *
 * A generated module declares, per class, a cb_struct_def; per root class a
 * cb_field_def table and a PyGetSetDef table whose entries call
 * cb_struct_get/cb_struct_set with closure = &fields[i].
 */
#ifndef CB_STRUCT_H
#define CB_STRUCT_H

#include "cb_common.h"
#include "cb_args.h"
#include "cb_struct_arg.h"
#include "cb_struct_def.h"
#include "cb_struct_field.h"
#include "cb_struct_obj.h"
#include "cb_struct_type.h"

#endif
