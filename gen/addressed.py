"""cuFile's (and cuDLA's) parameters as the reference's modules take them.

NVIDIA's cuda.bindings.cufile passes memory as addresses: every pointer the
caller provides is an `intptr_t` (or, where the signature declares no type,
int() of any object), a struct array is an object of its class (`IOVec
iov`, its length the count parameter beside it), and what the call writes
through the other pointers comes back.  Which parameters a Python function
takes, and the type each one declares, are facts of the reference
(gen/data/<key>_py.json, refreshed by gen/data/addressed_py.py); what each
becomes is decided here from that type and the C one.
"""
from .cparse import CType
from . import emit_records
from .model import snake

# The C integer type a declared Python one converts as (LP64 Linux).
DECLARED_INTS = {"off_t": "long", "ssize_t": "long", "unsigned": "unsigned int"}
BOOL_TYPES = ("bool", "bint", "_Bool")


def taken(model, f):
    """{C parameter: (Python name, declared type or None, default or None)}."""
    wanted = {n: (n, t, d) for n, t, d in model.py_facts["functions"][f.name]["params"]}
    return {p.name: wanted[c] for p in f.params for c in (snake(p.name), p.name) if c in wanted}


def _count_of(model, f, i):
    """The size_t parameter after a struct array i that counts its items (cuFileReadv's iovcnt)."""
    nxt = f.params[i + 1] if i + 1 < len(f.params) else None
    if nxt is not None and not nxt.type.ptrs and model.int_type(nxt.type) and nxt.name not in taken(model, f):
        return nxt.name
    return None


def _bytes_of(model, f, i):
    """Whether parameter i points to bytes the call reads whose size the next (size_t) input gives
    (cudlaModuleLoadFromMemory's module): a buffer of that size, as NVIDIA's takes it."""
    t, nxt = f.params[i].type, f.params[i + 1] if i + 1 < len(f.params) else None
    byte = t.depth == 1 and model.h.resolve(t.pointee()).base in ("void", "char", "unsigned char", "uint8_t")
    return byte and t.const and nxt is not None and nxt.name in taken(model, f) and \
        model.h.resolve(nxt.type).base == "size_t"


def classify(model, f, i, a):
    """Set a's kind (and what goes with it) for parameter i of function f."""
    from .model import UnsupportedParam
    p = f.params[i]
    t = p.type
    mine = taken(model, f)

    def unsupported(why="type %s" % t):
        return UnsupportedParam("%s: parameter %s of %s" % (f.name, p.name, why))

    if p.name in mine:
        a.pyname, declared, default = mine[p.name]
        if declared is not None and declared in model.py_records:    # a class: its object only
            a.kind, a.struct = "record_array", emit_records.class_of(model.h, t.pointee().base, model.record_rules)
            a.count = _count_of(model, f, i)
        elif declared is None and _bytes_of(model, f, i):            # bytes, their size the next input
            a.kind, a.size_arg = "buffer_in", f.params[i + 1].name
        elif declared is None:                                       # any object: int() of it
            a.kind = "any_address"
        elif t.ptrs or model.is_handle(t):                           # intptr_t: an address
            if declared != "intptr_t":
                raise unsupported("declared %s" % declared)
            a.kind = "intptr"
            a.handle = t.base if model.is_handle(t) else None
        elif declared in BOOL_TYPES:
            a.kind = "truth"
        elif model.int_type(CType(DECLARED_INTS.get(declared, declared))):
            a.int_type = DECLARED_INTS.get(declared, declared)
            a.kind = "int" if default is None else "int_or_zero"
        else:
            raise unsupported("declared %s" % declared)
        return a
    a.pyname = None
    prev = f.params[i - 1] if i else None
    if prev is not None and prev.name in mine and mine[prev.name][1] in model.py_records:
        a.kind, a.hidden = "record_array_count", True     # the length of the struct array before it
        return a
    if t.depth == 2 and not t.const and not t.ptrs[0]:
        a.kind = "out_address"                            # an address the call writes (cudlaMemRegister's)
        return a
    if not t.ptrs or t.depth != 1 or t.const:
        raise unsupported("an input the Python function does not take")
    inner = t.pointee()
    record = emit_records.class_of(model.h, inner.base, model.record_rules)   # a struct with a class
    nxt = f.params[i + 1] if i + 1 < len(f.params) else None
    if inner.base == "char" and nxt is not None and nxt.name in mine:
        a.kind, a.count = "out_text_room", nxt.name      # room for as many chars as the next input says
    elif model.is_handle(inner):
        a.kind, a.handle = "out_handle", inner.base
    elif model.h.resolve(inner).base in BOOL_TYPES:
        a.kind = "out_bool"
    elif model.is_enum(inner) or model.int_type(inner):
        a.kind, a.int_type = "out_int", model.int_type(inner) or "int"
    elif record is not None:
        a.kind, a.struct, a.size = "out_record", record, None
    else:
        raise unsupported()
    return a


def with_request_inputs(model, f, args):
    return args


def returns(model, f):
    """What the Python function makes of f's C result: 'status' (raised
    unless success), 'ssize' (a count of bytes, or minus a status), 'void',
    'ignored' (cuFileUseCount's long: the reference returns None), or
    'status_value' (returned as an int)."""
    r = f.ret
    if not r.ptrs and r.base == model.lib.status_struct:
        return "status"
    declared = model.py_facts["functions"][f.name]["returns"]
    if not r.ptrs and r.base == model.lib.status and declared == "int" and len(taken(model, f)) == len(f.params):
        return "status_value"    # the status is the answer (cudlaGetLastError's), never raised
    if not r.ptrs and r.base == "void":
        return "void"
    if not r.ptrs and r.base == "ssize_t":
        return "ssize"
    if not r.ptrs and model.int_type(r):
        return "ignored"
    return None


# Enums of the reference that are another module's class, made on first use
# (csrc/cb_<key>.h): not this module's.
FOREIGN_ENUMS = {"pyCUresult"}


def py_enums(model):
    """[(C name, Python name, [(member, value, cparse.EnumMember)], doc)] of
    the reference's enums, in its order: each is the header enum whose
    members, less their common prefix, it names, by its typedef name.  The
    classes have no doc of the header's (NVIDIA's say only `See X`); the
    members keep theirs."""
    from .cparse import EnumMember
    out = []
    for pyname, members in model.py_facts["enums"].items():
        if pyname in FOREIGN_ENUMS:
            continue
        cname, c_enum = _enum_named(model, members)
        docs = {m.value: m for m in reversed(c_enum.members)}
        rows = [(name, value, EnumMember(name, value, raw_doc=docs[value].raw_doc if value in docs else "",
                                          literal=value)) for name, value in members]
        out.append((cname, pyname, rows, None))
    return out


def _enum_named(model, members):
    """(C name, cparse.Enum) of the header enum with these members: its
    typedef name (CUfileStatus_t, not the tag CUFILEStatus_enum)."""
    wanted = {(n, v) for n, v in members}
    found = []
    for name, e in model.h.enums.items():
        have = {(m.name, m.value) for m in e.members}
        if all(any(h[1] == v and _names(model, h[0], n) for h in have) for n, v in wanted):
            found.append((name, e))
    if not found:
        raise ValueError("%s: no header enum has the members %s" % (model.lib.key, sorted(wanted)[:3]))
    found.sort(key=lambda ne: (not ne[0].endswith("_t"), ne[0] not in model.h.typedef_names, len(ne[1].members)))
    return found[0]


def _names(model, c_member, py):
    """Whether the reference's member `py` is C's `c_member`: its name less a
    prefix (CU_FILE_SUCCESS: SUCCESS), or, less the library's prefix, itself
    (cudlaSuccess: Success) or in upper snake case (ERROR_INVALID_PARAM)."""
    if c_member == py or c_member.endswith("_" + py):
        return True
    own = c_member[len(model.lib.prefix):] if c_member.startswith(model.lib.prefix) else None
    return own is not None and py in (own, snake(own).upper())


def constants(model):
    return []


def module_extras(model):
    """(C text before the module's tables, fields of its cb_module_def, rows
    of its method table): the struct classes, and the library's own
    pieces written by hand (csrc/cb_<key>.h: cuFileError, op_status_error,
    pyCUresult)."""
    key = model.lib.key
    text, fields = emit_records.module_text(model, model.record_rules)
    text += '#include "cb_%s.h"\n\n' % key
    own = OWN_PARTS[key]
    if "error" in own:
        fields += "    .error_init = %s_error_init,\n    .error_methods = %s_error_methods,\n" % (key, key)
    attrs = key if "getattr" in own else "cb_record"    # else the records' dtypes only
    fields += "    .getattr_extra = %s_getattr,\n    .dir_extra = %s_dir,\n" % (attrs, attrs)
    if model.lib.enum_base:
        fields += '    .enum_base = "%s",\n' % model.lib.enum_base
    methods = "".join('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     '
                      '"%s($module, %s)\\n--\\n\\n%s"},\n' % (py, py, py, ", ".join(p for p, _ in params), doc)
                      for py, (params, _, doc) in HAND_WRITTEN[key].items())
    return text, fields, methods


# The reference's functions of no C symbol, written in csrc/cb_<key>.h:
# Python name -> ([(parameter, its .pyi type)], the .pyi result, the docstring's line).
HAND_WRITTEN = {
    "cufile": {"op_status_error": ([("status", "int")], "str", "cuFile's text for a status.")},
    "cudla": {"check_status": ([("status", "int")], "None", "Raise CudlaError for a status other than success."),
              "create_device": ([("device", "int"), ("flags", "int")], "int",
                                "A new device's handle (CUDLA_CUDA_DLA mode; CUDLA_STANDALONE is unsupported)."),
              "module_get_attributes": ([("h_module", "int"), ("attr_type", "int")],
                                        "int | list[ModuleTensorDescriptor]",
                                        "A module's attribute: a count, or the tensors' descriptors (as many as "
                                        "its count attribute says).")},
}

# C functions of those: the core binds them, csrc/cb_<key>.h their Python form.
BOUND_BY_HAND = {"cudla": ("cudlaCreateDevice", "cudlaModuleGetAttributes")}

# What else csrc/cb_<key>.h gives: its error class's own __init__ and
# methods ("error"; else the one-status error of csrc/cb_error.c), module
# attributes of its own beside the records' dtypes ("getattr": pyCUresult).
OWN_PARTS = {"cufile": ("error", "getattr"), "cudla": ()}


def pyi_extras(model):
    out = [emit_records.pyi(model.h, model.record_rules)]
    for py, (params, result, _) in HAND_WRITTEN[model.lib.key].items():
        out.append("def %s(%s) -> %s: ...\n" % (py, ", ".join("%s: %s" % p for p in params), result))
    out += ["%s: Any\n" % name for name in sorted(FOREIGN_ENUMS & set(model.py_facts["enums"]))]
    return "".join(out)
