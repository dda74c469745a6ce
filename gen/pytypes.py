"""How each argument kind looks from Python: type names for stubs and docs."""
from . import overrides


def enum_pyname(model, cname):
    return model.lib.enum_names.get(cname, (cname, ""))[0]


def arg_type(model, a):
    """Python type accepted for an input, or returned for an output."""
    pythonic = model.lib.style == "pythonic"
    k = a.kind
    if k == "int":
        return "int"
    if k == "enum" or (k == "inout_enum" and a.pyname):
        return "int" if pythonic else "%s | int" % enum_pyname(model, a.enum)
    if k in ("handle", "inout_handle"):
        if pythonic:
            return "int"
        also = overrides.HANDLE_ALSO.get(a.handle) if k == "handle" else None
        return "%s%s | int | None" % (a.handle, " | " + also if also else "")
    if k == "cstr":
        if pythonic:   # a str, never None, as NVIDIA's
            return "str"
        return "bytes | None" if a.nullable else "bytes"
    if k == "cstr_list":
        if pythonic:   # as NVIDIA's: a str is its characters, an int the address of an array
            return "list[str | bytes] | tuple[str | bytes, ...] | str | int"
        return "list[bytes] | tuple[bytes, ...] | None"
    if k == "buffer_out":
        return "bytearray | bytes | memoryview | int" + (" | None" if pythonic else "")
    if k == "buffer_in":
        return "bytes | bytearray | memoryview | int" + (" | None" if pythonic else "")
    if k == "address" and a.float_first:
        return "float"
    if k in ("address", "funcptr"):
        return "int | None"
    if k == "out_int":
        return "int"
    if k == "out_enum":
        return enum_pyname(model, a.enum)
    if k == "out_handle":
        return "int" if pythonic else a.handle
    if k == "out_cstr":
        return "bytes"
    if k == "out_int_array":
        return "list[int]"
    if k == "float" or k == "out_float":
        return "float"
    if k == "handle_int":
        return "%s | int | None" % a.handle
    if k in ("struct_in", "struct_val"):
        return "%s | None" % a.struct
    if k == "struct_room":
        return "%s | list[%s] | tuple[%s, ...] | None" % (a.struct, a.struct, a.struct)
    if k == "out_struct":
        return a.struct
    if k == "host_ptr":
        return "bytes | bytearray | memoryview | int | None"
    if k in ("handle_array", "value_array", "struct_array", "address_array"):
        item = a.struct or a.handle or (enum_pyname(model, a.enum) if a.enum else "int")
        if a.one_or_array:
            return "%s | list[%s] | tuple[%s, ...] | int | None" % (item, item, item)
        if a.any_iterable:
            return "Iterable[%s] | None" % item
        return "list[%s] | tuple[%s, ...] | None" % (item, item)
    if k == "callback":
        return "Callable | %s | int | None" % a.handle
    if k == "typed":
        by_value = {"_Bool": "bool", "char[]": "bytes | bytearray", "int()": "int"}   # set by key (coredump settings)
        kinds = [t for key, t in (a.types or {}).items() if key]
        if kinds and all(t in by_value for t in kinds):
            return " | ".join(dict.fromkeys(by_value[t] for t in kinds))
        return "int | None"  # or a handle/struct object, as the key selects
    if k == "out_typed_array":
        return "list"
    if k == "out_typed":
        return "int | object"
    if k == "callback_data":
        return "object"
    if k == "kernel_params":
        return "tuple[Sequence, Sequence] | int | None"
    if k == "inout_count":
        return "int"
    if k == "inout_value":
        return "%s | int | None" % a.handle if a.pyname else a.handle
    if k == "out_address":
        return "int"
    if k == "out_chars":
        return "bytes"
    if k in ("out_handle_array", "out_struct_array", "out_value_array", "out_borrowed_array"):
        if k == "out_value_array" and model.is_float(a.type.pointee()):
            return "list[float]"
        return "list[%s]" % (a.struct or a.handle or (enum_pyname(model, a.enum) if a.enum else "int"))
    raise ValueError(k)


def result_type(model, b):
    """The annotation of what a binding returns."""
    outs = [arg_type(model, a) for a in b.outputs]
    if model.lib.style == "pythonic":
        if b.returns == "cstr":
            return "str | None"
        if not outs:
            return "None"
        if len(outs) == 1:
            return outs[0]
        return "tuple[%s]" % ", ".join(outs)
    status = model.lib.status
    if b.returns == "cstr":
        return "tuple[%s, bytes]" % status
    return "tuple[%s]" % ", ".join([status] + ["%s | None" % t for t in outs])


def docstring(model, b):
    """numpydoc text from the header's comment."""
    f = b.func
    lines = []
    if f.doc.brief:
        lines += [f.doc.brief, ""]
    ins = b.inputs
    if ins:
        lines += ["Parameters", "----------"]
        for a in ins:
            lines.append("%s : %s" % (a.pyname, arg_type(model, a)))
            if a.doc:
                lines.append("    " + a.doc)
        lines.append("")
    lines += ["Returns", "-------"]
    if model.lib.style == "tuple":
        lines.append(model.lib.status)
        if f.doc.returns:
            lines.append("    " + " ".join(f.doc.returns.replace("-", " ").split()))
        if b.returns == "cstr":
            lines.append("bytes")
    for a in b.outputs:
        lines.append("%s : %s" % (a.name, arg_type(model, a)))
        if a.doc:
            lines.append("    " + a.doc)
    if model.lib.style == "pythonic" and b.returns == "cstr":
        lines.append("str | None")
        if f.doc.returns:
            lines.append("    " + " ".join(f.doc.returns.replace("-", " ").split()))
        return "\n".join(lines).rstrip()  # a text lookup: no status to raise
    if model.lib.style == "pythonic" and not b.outputs:
        lines.append("None")
    if model.lib.style == "pythonic":
        lines += ["", "Raises", "------", model.lib.error_class,
                  "    When the library returns a status other than %s." % model.lib.success]
    return "\n".join(lines).rstrip()
