"""Struct and union classes of a tuple-style module: tables for csrc/cb_struct.

tables(model) is C text placed in the generated Python module before the
function shims; def_fields(model) adds its entries to the module's
cb_module_def.  Empty for libraries without struct classes.
"""


def tables(model):
    return ""


def def_fields(model):
    return ""
