"""NVML's parameters as the reference's cuda.bindings.nvml takes them.

nvml.h marks no parameter [in] or [out], and NVIDIA's module hides some
inputs (the length of a string it returns, the count of an array it sizes
itself).  Which parameters a Python function takes is a fact of the
reference (gen/data/nvml_py.json, refreshed by gen/data/nvml_py.py from
its API facts): every other parameter is written by the call, or is the
shim's own business (a length, a count).  What each one becomes is decided
here from its C type, once for every function.
"""
import json
import os
import re

from .cparse import CType

HERE = os.path.dirname(os.path.abspath(__file__))
# The room a returned string gets where nvml.h names no NVML_*_BUFFER_SIZE
# for it: the largest of those it names.
DEFAULT_TEXT_ROOM = "NVML_DEVICE_NAME_V2_BUFFER_SIZE"


# Struct classes (records) are bound: struct outputs and inputs are modelled.
RECORDS = True

# Pointers beside an array's count that are one value, not another array.
ONE_VALUE = {
    "nvmlDeviceGetEncoderStats": ("sessionCount", "averageFps", "averageLatency"),
    "nvmlVgpuInstanceGetEncoderStats": ("sessionCount", "averageFps", "averageLatency"),
    "nvmlDeviceGetSamples": ("sampleValType",),
    "nvmlDeviceGetVgpuUtilization": ("sampleValType",),
}
COUNT_NAME = re.compile(r"(?i)(count|size|length)$")


def array_count(model, f, i, taken):
    """The count parameter (an `unsigned int *`, in and out) of the array
    parameter i that the call fills, or None: the nearest not taken."""
    p = f.params[i]
    if p.name in ONE_VALUE.get(f.name, ()) or p.name in taken or p.type.base == "char":
        return None
    counts = [j for j, q in enumerate(f.params) if q.name not in taken and q.type.c() == "unsigned int *"
              and COUNT_NAME.search(q.name) and q.name not in ONE_VALUE.get(f.name, ())]
    if i in counts or not counts:
        return None
    return f.params[min(counts, key=lambda j: abs(j - i))].name


def is_array_count(model, f, i, taken):
    return any(array_count(model, f, j, taken) == f.params[i].name for j in range(len(f.params)) if j != i)


def load_facts(path):
    with open(os.path.join(HERE, "data", path)) as f:
        return json.load(f)


def _snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def python_params(model, f):
    """{C parameter: Python name} of the parameters f's Python function takes,
    or None where f has none.  A taken name that is no C parameter fills a
    member of the call's request struct (request())."""
    facts = model.py_facts["functions"].get(f.name)
    if facts is None:
        return None
    wanted = list(facts["params"])
    out = {}
    for p in f.params:
        for cand in (_snake(p.name), p.name):
            if cand in wanted:
                out[p.name] = cand
                break
    return out


# Members a Python parameter fills whose name is not the parameter's own.
REQUEST_MEMBERS = {
    ("nvmlDeviceGetClockOffsets", "clock_type"): "type",
    ("nvmlSystemEventSetFree", "event_set"): "set",
    ("nvmlSystemRegisterEvents", "event_set"): "set",
    ("nvmlDeviceSetNvLinkDeviceLowPowerThreshold", "threshold"): "lowPwrThreshold",
}


def struct_of(model, t):
    """The parsed struct a (pointee) type names, or None."""
    r = model.h.resolve(t)
    tag = r.base.split(" ", 1)[1] if r.base.startswith(("struct ", "union ")) else r.base
    return model.h.structs.get(tag)


def request(model, f):
    """(C parameter, {Python name: member}) where f's Python function takes
    parameters that fill members of a struct it passes (nvmlTemperature_v1_t's
    sensorType), else None; raises where a taken name fills nothing."""
    from .model import UnsupportedParam
    facts = model.py_facts["functions"].get(f.name)
    taken = python_params(model, f)
    if facts is None:
        return None
    missing = [w for w in facts["params"] if w not in taken.values()]
    if not missing:
        return None
    for p in f.params:
        s = struct_of(model, p.type.pointee()) if p.type.depth == 1 and p.name not in taken else None
        if s is None:
            continue
        names = {m.name for m in s.fields}
        fills = {w: REQUEST_MEMBERS.get((f.name, w), next((n for n in names if _snake(n) == w or n == w), None))
                 for w in missing}
        if all(fills.values()) and (not any(m.type.ptrs for m in s.fields) or counted(model, p.type.pointee())):
            return p.name, fills
    raise UnsupportedParam("%s: takes %s, which fill(s) a struct of the call" % (f.name, ", ".join(missing)))


# Room for a returned string whose doc names no NVML_*_BUFFER_SIZE.
# (None: asked of the call first, though the doc names a size.)
TEXT_ROOM = {"nvmlSystemGetProcessName": "1024", "nvmlVgpuTypeGetClass": None,
             "nvmlDeviceGetGspFirmwareVersion": "NVML_GSP_FIRMWARE_VERSION_BUF_SIZE",
             "nvmlDeviceGetBoardPartNumber": "NVML_DEVICE_PART_NUMBER_BUFFER_SIZE"}  # its constant names it


def text_room(model, f, p, default):
    """The room a returned string gets: the NVML_*_BUF(FER)_SIZE its doc
    names, else `default` (None: as much as the call reports it needs)."""
    if f.name in TEXT_ROOM:
        return TEXT_ROOM[f.name]
    m = re.search(r"\b(NVML_\w+_BUF(?:FER)?_SIZE\w*)", f.doc.raw or "")
    return m.group(1) if m and m.group(1) in model.h.defines else default


def classify(model, f, i, a):
    """Set a's kind (and what goes with it) for parameter i of NVML function f."""
    from .model import UnsupportedParam
    p = f.params[i]
    t = p.type
    taken = python_params(model, f) or {}
    req = request(model, f)
    if req and req[0] == p.name:
        if not RECORDS:
            raise unsupported_request(f)
        a.struct, a.size = record_name(model, t.pointee()), version_of(model, t.pointee())
        a.fills = req[1]
        a.returns = request_returns(model, f, t.pointee(), req[1])
        a.kind = {None: "request_in", "": "out_record_request"}.get(a.returns, "out_request")
        a.hidden = a.returns is None
        a.counted = a.kind == "out_record_request" and counted(model, t.pointee())
        if a.kind == "out_record_request" and a.struct is None:
            raise UnsupportedParam("%s: %s has no struct class" % (f.name, t.pointee()))
        return a

    def unsupported(why="type %s" % t):
        return UnsupportedParam("%s: parameter %s of %s" % (f.name, p.name, why))

    if p.name in taken:
        a.pyname = taken[p.name]
        if not t.ptrs:
            if model.is_enum(t):
                a.kind, a.enum = "enum", t.base
            elif model.is_handle(t):
                a.kind, a.handle = "handle", t.base
            elif model.int_type(t):
                a.kind, a.int_type = "int", model.int_type(t)
            else:
                raise unsupported()
        elif t.depth == 1 and t.base == "char" and t.const:
            a.kind = "cstr"
        elif t.depth == 1 and model.int_type(t.pointee()):
            a.kind, a.int_type = "int_ref", model.int_type(t.pointee())
        elif t.depth == 1 and RECORDS and t.pointee().base in ITEM_IDS:
            a.kind, a.struct, a.ids = "record_items", t.pointee().base, ITEM_IDS[t.pointee().base]
            a.inout = "Get" in f.name
        elif t.depth == 1 and RECORDS and struct_of(model, t.pointee()) and not record_name(model, t.pointee()):
            # no class in NVIDIA's: its one member, an int or a str; else its address (intptr_t)
            member = [m for m in struct_of(model, t.pointee()).fields if m.name != "version"]
            declared_int = model.py_facts["functions"][f.name].get("int_params", [])
            if len(member) == 1 and (a.pyname in declared_int or member[0].type.array):
                a.kind, a.returns, a.size = "member_in", member[0].name, version_of(model, t.pointee())
                a.int_type = declared_int.get(a.pyname)
            else:
                a.kind = "handle"
        elif t.depth == 1 and RECORDS and record_name(model, t.pointee()):
            a.kind, a.struct = "record_in", record_name(model, t.pointee())
            a.size = version_of(model, t.pointee())
            a.how = record_arg_how(f, a)
        else:
            raise unsupported()
        return a
    # not taken: written by the call, or the shim's own
    a.pyname = None
    text = _text_before(f, i)
    if text is not None and (model.int_type(t) or t.c() == "unsigned int *"):
        a.kind, a.hidden, a.count = "text_length", True, text
        return a
    if (f.name, p.name) in FIXED_ARRAYS:
        a.kind, a.count = "out_fixed_array", FIXED_ARRAYS[(f.name, p.name)][0]
        return a
    if i and (f.name, f.params[i - 1].name) in FIXED_ARRAYS and FIXED_ARRAYS[(f.name, f.params[i - 1].name)][1] == p.name:
        a.kind, a.hidden, a.count = "room_bytes", True, f.params[i - 1].name
        return a
    nxt = f.params[i + 1].type if i + 1 < len(f.params) else None
    if not t.ptrs and nxt is not None and nxt.depth == 1 and nxt.pointee().base in ITEM_IDS:
        a.kind, a.hidden, a.count = "record_items_count", True, f.params[i + 1].name
        return a
    prev = f.params[i - 1].type if i else None
    if not t.ptrs and prev is not None and prev.depth == 1 and struct_of(model, prev.pointee()) \
            and not record_name(model, prev.pointee()) and model.int_type(t):
        a.kind, a.hidden, a.count = "member_size", True, f.params[i - 1].name
        return a
    if not t.ptrs:
        raise unsupported("an input the Python function does not take")
    if t.depth == 1 and not t.const:
        inner = t.pointee()
        if sized_record(model, f, i - 1) and p.name == "bufferSize":   # the struct's size, in and out
            a.kind, a.hidden, a.count = "record_size", True, f.params[i - 1].name
            return a
        if sized_record(model, f, i):
            a.kind, a.struct, a.size = "out_record", record_name(model, inner), version_of(model, inner)
            return a
        count = array_count(model, f, i, taken) if inner.base != "char" else None
        if is_array_count(model, f, i, taken):
            a.kind, a.hidden = "array_count", True
            return a
        sized = taken and next((q.name for q in f.params if q.name in taken and q.name == p.name + "Size"), None)
        if count is None and sized:   # room for as many as an input says (cpuSet of cpuSetSize)
            count, a.size = sized, sized
        if count is not None:
            a.kind, a.count = "out_room_array", count
            if RECORDS and record_name(model, inner):
                a.struct = record_name(model, inner)
            elif model.is_handle(inner):
                a.int_type = "pointer"
            elif model.int_type(inner) or model.is_enum(inner):
                a.int_type = model.int_type(inner) or "int"
            else:
                raise unsupported()
            return a
        if inner.base == "char":
            length = _length_after(model, f, i)
            if length is None:   # one char, as NVIDIA's reads it; room for what the library writes
                a.kind, a.size = "out_char", text_room(model, f, p, None)
            else:
                a.kind, a.count = "out_text", length.name
                a.size = text_room(model, f, p, None if length.type.ptrs else DEFAULT_TEXT_ROOM)
        elif model.is_handle(inner):
            a.kind, a.handle = "out_handle", inner.base
        elif model.is_enum(inner) or model.int_type(inner):
            a.kind, a.int_type = "out_int", model.int_type(inner) or "int"
        elif model.is_float(inner):
            a.kind, a.int_type = "out_float", model.h.resolve(inner).base
        elif RECORDS and struct_of(model, inner) and not record_name(model, inner) \
                and inner.base not in STRUCT_SUBSTITUTES:
            # no class in NVIDIA's: the call's one member (besides the version) is returned
            a.kind, a.returns, a.size = "out_request", sole_member(model, f, inner), version_of(model, inner)
        elif RECORDS and inner.base in STRUCT_SUBSTITUTES:
            a.kind, (a.struct, a.size) = "out_record", STRUCT_SUBSTITUTES[inner.base]
        elif RECORDS and record_name(model, inner):
            a.kind, a.struct, a.size = "out_record", record_name(model, inner), version_of(model, inner)
            if counted(model, inner) and f.name not in NOT_ASKED_FIRST:
                a.kind = "out_record_counted"
        else:
            raise unsupported()
        return a
    raise unsupported()


def unsupported_request(f):
    from .model import UnsupportedParam
    return UnsupportedParam("%s: a request struct (struct classes not bound)" % f.name)


def request_returns(model, f, t, fills):
    """What a call filling a request struct returns: one member (its Python
    function returns a number: the one member nothing fills), the struct
    (a getter), or nothing (a setter)."""
    ret = model.py_facts["functions"][f.name]["returns"]
    members = [m.name for m in struct_of(model, t).fields if m.name != "version" and m.name not in fills.values()]
    if ret is not None and ret != "tuple":
        if len(members) != 1:
            from .model import UnsupportedParam
            raise UnsupportedParam("%s: returns one of %s" % (f.name, members))
        return members[0]
    return "" if re.search(r"Get|Wait", f.name) else None


def version_of(model, t):
    """The version macro of a versioned struct (nvmlMemory_v2 of nvmlMemory_v2_t), or None."""
    s = struct_of(model, t)
    if s is None or not any(m.name == "version" for m in s.fields):
        return None
    for name in (s.name, t.base):
        macro = re.sub(r"_t$", "", name or "")
        if macro in model.h.defines:
            return macro
    return None


# Struct arguments NVIDIA's declares with their class (`VgpuMetadata
# vgpu_metadata`: the object only), and those whose version it sets: in C
# (None refused), or as an attribute (anything but a struct object:
# AttributeError).  It sets no other input struct's version.
TYPED_RECORD_ARGS = {"nvmlGetVgpuCompatibility", "nvmlDeviceReadPRMCounters_v1"}
VERSION_SET = {"nvmlDeviceSetNvlinkBwMode": "CB_RECORD_VERSION_ATTR",
               "nvmlGpuInstanceSetVgpuSchedulerState": "CB_RECORD_NOT_NONE"}
# Structs with counted items NVIDIA's asks once, room for none given.
NOT_ASKED_FIRST = {"nvmlDeviceGetNvLinkTelemetrySamples_v1"}


# Structs NVIDIA's passes in place of the one nvml.h names, with their version:
# nvmlDeviceGetGpuInstanceProfileInfoV fills a GpuInstanceProfileInfo_v3.
STRUCT_SUBSTITUTES = {"nvmlGpuInstanceProfileInfo_v2_t": ("nvmlGpuInstanceProfileInfo_v3_t",
                                                          "nvmlGpuInstanceProfileInfo_v3")}


# Arrays of a constant length the call fills, their size in bytes in the
# parameter after them: {(function, array): (length, size parameter)}.
FIXED_ARRAYS = {("nvmlDeviceGetSupportedPerformanceStates", "pstates"): ("NVML_MAX_GPU_PERF_PSTATES", "size")}

# Structs a call reads and fills that NVIDIA's also makes from a list of
# ids or (id, scope) pairs: the members those set.
ITEM_IDS = {"nvmlFieldValue_t": ("field_id", "scope_id")}


def sized_record(model, f, i):
    """Whether parameter i is a struct with a class, its size in bufferSize after it
    (nvmlDeviceGetVgpuMetadata: one call, the struct's size given)."""
    if i < 0 or i + 1 >= len(f.params):
        return False
    t, nxt = f.params[i].type, f.params[i + 1]
    return (t.depth == 1 and record_name(model, t.pointee()) is not None and nxt.name == "bufferSize"
            and nxt.type.c() == "unsigned int *")


def counted(model, t):
    """Whether the class of struct type t points to items it counts (asked with none first)."""
    from .emit_records import has_counted_pointers
    name = record_name(model, t)
    return name is not None and has_counted_pointers(model.h, name)


def sole_member(model, f, t):
    """The one member (the version aside) of a struct NVIDIA's has no class of."""
    from .model import UnsupportedParam
    members = [m.name for m in struct_of(model, t).fields if m.name != "version"]
    if len(members) != 1:
        raise UnsupportedParam("%s: %s has members %s and no class" % (f.name, t, members))
    return members[0]


def record_arg_how(f, a):
    """How the Python function takes struct argument a (CB_RECORD_*); a.size
    keeps the version macro only where NVIDIA's sets it."""
    how = VERSION_SET.get(f.name) if a.size else None
    if how is None:
        a.size = None
        return "CB_RECORD_TYPED" if f.name in TYPED_RECORD_ARGS else "CB_RECORD_ANY"
    return how


def record_name(model, t):
    """The C name of the struct class a pointee type is (RECORD_<it>), or None."""
    from .emit_records import class_of
    return class_of(model.h, t.base)


def _text_before(f, i):
    """The `char *` parameter right before length parameter i, if any."""
    if i == 0:
        return None
    q = f.params[i - 1]
    if q.type.depth == 1 and q.type.base == "char" and not q.type.const:
        return q.name
    return None


def _length_after(model, f, i):
    """The length parameter after string parameter i: a value, or a pointer the call reads and writes."""
    nxt = f.params[i + 1] if i + 1 < len(f.params) else None
    if nxt is not None and ((not nxt.type.ptrs and model.int_type(nxt.type)) or nxt.type.c() == "unsigned int *"):
        return nxt
    return None


def py_enums(model):
    """[(C name, Python name, [(member, value, cparse.EnumMember)], doc)] of
    the reference's enums, in its order.  An enum of nvml.h (nvml<Name>_t)
    lends its doc and its members' docs; the others group #defines."""
    from .cparse import EnumMember
    out = []
    for pyname, members in model.py_facts["enums"].items():
        cname = next((c for c in ("nvml%s_t" % pyname, "nvml%s_enum" % pyname) if c in model.h.enums or
                      c in model.h.typedefs and model.h.typedefs[c].base in model.h.enums), None)
        c_enum = None
        if cname is not None:
            c_enum = model.h.enums.get(cname) or model.h.enums[model.h.typedefs[cname].base]
        docs = {}
        for m in (c_enum.members if c_enum else ()):
            docs.setdefault(m.value, m)
        rows = [(name, value, _member(docs.get(value), name, value, EnumMember)) for name, value in members]
        out.append((cname or "nvml%s" % pyname, pyname, rows, c_enum.doc if c_enum else None))
    return out


def _member(c_member, name, value, EnumMember):
    return EnumMember(name, value, raw_doc=c_member.raw_doc if c_member else "", literal=value)


# Return members whose class name would shadow a Python builtin: named
# Nvml<Name>, with the plain name as a second module attribute.
_BUILTIN_NAMES = {"MemoryError", "TimeoutError"}


def error_classes(model):
    """[(C status member, class name, alias or None)]: one subclass of
    NvmlError per failing nvmlReturn_t (ERROR_NOT_SUPPORTED -> NotSupportedError)."""
    out = []
    for name, value in model.py_facts["enums"]["Return"]:
        if not name.startswith("ERROR_"):
            continue
        cls = "".join(w.capitalize() for w in name[len("ERROR_"):].split("_")) + "Error"
        alias = None
        if cls in _BUILTIN_NAMES:
            cls, alias = "Nvml" + cls, cls
        if cls not in [c for _, c, _ in out]:
            out.append(("NVML_" + name, cls, alias))
    return out


# The reference's Python-only helpers: raise as a call returning `status`
# would; the second lets NVML_ERROR_INSUFFICIENT_SIZE pass (a size query's).
CHECKS = (("check_status", "0"), ("check_status_size", "NVML_ERROR_INSUFFICIENT_SIZE"))


def _check_text(name, ok):
    return ('static const char *const names_%s[] = {"status"};\n'
            'static const cb_argspec spec_%s = {"%s", names_%s, 1, 0};\n\n'
            "static PyObject *\npy_%s(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)\n"
            "{\n    PyObject *argv[1];\n    long long status;\n"
            "    if (cb_unpack(&spec_%s, args, nargs, kwnames, argv) < 0 ||\n"
            "        cb_arg_ll(argv[0], INT_MIN, INT_MAX, &status, &spec_%s, 0) < 0)\n        return NULL;\n"
            "    return cb_check_status(module, status, %s);\n}\n\n" % ((name,) * 7 + (ok,)))


# Functions csrc/cb_nvml_calls.h binds by hand (request structs holding bytes
# or room sized from the arguments): C name -> (Python name, [(parameter,
# its .pyi type)], the .pyi result, the docstring's line).
HAND_WRITTEN = {
    "nvmlDeviceGetHandleByUUIDV": ("device_get_handle_by_uuidv", [("type", "int"), ("uuid", "bytes")], "int",
                                   "The device of a UUID: 40 ASCII characters (type 1) or 16 bytes (type 2)."),
    "nvmlEventSetGetContextData_v1": ("event_set_get_context_data_v1", [("set", "int"), ("index", "int")], "bytes",
                                      "The raw context payload of an event set's context `index`."),
    "nvmlSystemEventSetWait": ("system_event_set_wait", [("event_set", "int"), ("timeout_ms", "int"),
                                                         ("buffer_size", "int")], "SystemEventData_v1",
                               "Wait up to timeout_ms for system events, room for buffer_size of them; those that came."),
    "nvmlDeviceGetConfComputeGpuAttestationReport": (
        "device_get_conf_compute_gpu_attestation_report", [("device", "int"), ("nonce", "bytes")],
        "ConfComputeGpuAttestationReport", "The GPU's attestation report for a nonce (its first 32 bytes)."),
    "nvmlDeviceReadWritePRM_v1": ("device_read_write_prm_v1", [("device", "int"), ("in_data", "bytes")],
                                  "tuple[int, bytes]",
                                  "Send a PRM command (TLV bytes, at most 495): its status and the bytes back."),
    "nvmlDeviceReadPRMCounters_v1": ("device_read_prm_counters_v1", [("device", "int"), ("counters", "PRMCounter_v1")],
                                     "PRMCounter_v1", "Read the PRM counters `counters` names, into it; returns it."),
}


def module_extras(model):
    """(C text before the module's tables, fields of its cb_module_def, rows
    of its method table): the error subclasses and their message, the
    library's own text, and the check_status helpers."""
    key = model.lib.key
    rows = "".join('    {%s, "cuda.bindings.%s.%s", %s},\n' % (c, key, cls, '"%s"' % alias if alias else "NULL")
                   for c, cls, alias in error_classes(model))
    text = ("static const cb_error_def error_subclasses[] = {\n%s};\n\n" % rows +
            "/* NvmlError's message: nvmlErrorString's text, as NVIDIA's (which loads the library). */\n"
            "static PyObject *\nerror_message(PyObject *module, long long status)\n{\n"
            "    (void)module;\n"
            "    if (status < INT_MIN || status > INT_MAX)\n"
            "        return PyUnicode_FromFormat(\"%%lld\", status);\n"
            "    const char *text = CudaBindings_%s->nvmlErrorString((nvmlReturn_t)status);\n"
            "    if (text == NULL && PyErr_Occurred())\n        return NULL;\n"
            "    return cb_str_or_none(text != NULL ? text : \"\");\n}\n\n" % key.upper())
    fields = ("    .errors = error_subclasses,\n    .nerrors = %d,\n    .error_message = error_message,\n"
              % len(error_classes(model)))
    text += "".join(_check_text(name, ok) for name, ok in CHECKS)
    methods = "".join('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     '
                      '"%s($module, status)\\n--\\n\\nRaise the NvmlError subclass for a status other than '
                      'success%s; return 0."},\n'
                      % (name, name, name, "" if ok == "0" else " or NVML_ERROR_INSUFFICIENT_SIZE")
                      for name, ok in CHECKS)
    # the struct classes (gen/emit_records.py, csrc/cb_record.h)
    from . import emit_records
    record_text, record_fields = emit_records.module_text(model)
    text += record_text
    fields += record_fields + "    .getattr_extra = cb_record_getattr,\n    .dir_extra = cb_record_dir,\n"
    # the calls written by hand (csrc/cb_nvml_calls.h), after the record tables they use
    text += '#include "cb_nvml_calls.h"\n\n'
    methods += "".join('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     '
                       '"%s($module, %s)\\n--\\n\\n%s"},\n' % (py, c, py, ", ".join(n for n, _ in params), doc)
                       for c, (py, params, _, doc) in HAND_WRITTEN.items())
    return text, fields, methods


def pyi_extras(model):
    """The .pyi lines of what module_extras adds: the error subclasses, the
    check helpers, the struct classes, the calls written by hand."""
    out = []
    for _, cls, alias in error_classes(model):
        out.append("class %s(%s): ...\n" % (cls, model.lib.error_class))
        if alias:
            out.append("%s = %s\n" % (alias, cls))
    for name, _ in CHECKS:
        out.append("def %s(status: int) -> int: ...\n" % name)
    if RECORDS:
        from . import emit_records
        out.append(emit_records.pyi(model.h))
    for py, params, result, _ in HAND_WRITTEN.values():
        out.append("def %s(%s) -> %s: ...\n" % (py, ", ".join("%s: %s" % p for p in params), result))
    return "".join(out)


def constants(model):
    """[(Python name, value)]: the reference's constants with the reference's
    values (NVLINK_MAX_LINKS is 18 there, where 13.5's nvml.h says 36: the
    value user code of NVIDIA's module reads); each must be an NVML_<name>
    of nvml.h."""
    for name in model.py_facts["constants"]:
        assert "NVML_" + name in model.h.defines, name
    return sorted(model.py_facts["constants"].items())


def with_request_inputs(model, f, args):
    """args with an input for each Python parameter that fills a request
    member (no C parameter: it is not passed), the inputs in the order of
    the reference's parameters."""
    from .kinds import KINDS
    from .model import Arg
    req = next((a for a in args if a.fills), None)
    if req is None:
        return args
    s = struct_of(model, req.type.pointee())
    members = {m.name: m for m in s.fields}
    extra = []
    declared_int = model.py_facts["functions"][f.name].get("int_params", [])
    for py, member in req.fills.items():
        t = members[member].type
        a = Arg(py, t, "", py, "", member=member)
        if py in declared_int and (model.int_type(t) or model.is_enum(t)):
            a.kind, a.int_type = KINDS["int"], declared_int[py]   # NVIDIA's casts it into the member
        elif model.is_enum(t):
            a.kind, a.enum = KINDS["enum"], t.base
        elif model.is_handle(t):
            a.kind, a.handle = KINDS["handle"], t.base
        elif model.int_type(t):
            a.kind, a.int_type = KINDS["int"], model.int_type(t)
        else:
            from .model import UnsupportedParam
            raise UnsupportedParam("%s: request member %s of type %s" % (f.name, member, t))
        extra.append(a)
    args = args + extra
    order = model.py_facts["functions"][f.name]["params"]
    slots = [i for i, a in enumerate(args) if a.pyname is not None]
    inputs = sorted((a for a in args if a.pyname is not None), key=lambda a: order.index(a.pyname))
    for i, a in zip(slots, inputs):
        args[i] = a
    return args


def returns(model, f):
    """None: NVML's results are the generic ones (a status, a string)."""
    return None
