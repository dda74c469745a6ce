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


def load_facts(path):
    with open(os.path.join(HERE, "data", path)) as f:
        return json.load(f)


def _snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def python_params(model, f):
    """{C parameter: Python name} of the parameters f's Python function takes,
    or None where f has none; raises where a taken name is no C parameter
    (the call fills a request struct from it: not modelled yet)."""
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
    missing = [w for w in wanted if w not in out.values()]
    if missing:
        from .model import UnsupportedParam
        raise UnsupportedParam("%s: takes %s, which fill(s) a struct of the call" % (f.name, ", ".join(missing)))
    return out


def text_room(model, f, p):
    """The NVML_*_BUFFER_SIZE constant a returned string gets (its doc names it)."""
    docs = (p.doc or "") + " " + (f.doc.text or "")
    m = re.search(r"\b(NVML_\w+_BUFFER_SIZE(?:_V\d+)?)\b", docs)
    name = m.group(1) if m and m.group(1) in model.h.defines else DEFAULT_TEXT_ROOM
    return name


def classify(model, f, i, a):
    """Set a's kind (and what goes with it) for parameter i of NVML function f."""
    from .model import UnsupportedParam
    p = f.params[i]
    t = p.type
    taken = python_params(model, f) or {}

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
        else:
            raise unsupported()
        return a
    # not taken: written by the call, or the shim's own
    a.pyname = None
    if not t.ptrs:
        text = _text_before(f, i)
        if text is not None and model.int_type(t):
            a.kind, a.hidden, a.count = "text_length", True, text
            return a
        raise unsupported("an input the Python function does not take")
    if t.depth == 1 and not t.const:
        inner = t.pointee()
        if inner.base == "char":
            if _length_after(model, f, i) is None:
                raise unsupported("a string with no length")
            a.kind, a.size = "out_text", text_room(model, f, p)
        elif model.is_handle(inner):
            a.kind, a.handle = "out_handle", inner.base
        elif model.is_enum(inner) or model.int_type(inner):
            a.kind, a.int_type = "out_int", model.int_type(inner) or "int"
        elif model.is_float(inner):
            a.kind, a.int_type = "out_float", model.h.resolve(inner).base
        else:
            raise unsupported()
        return a
    raise unsupported()


def _text_before(f, i):
    """The `char *` parameter right before length parameter i, if any."""
    if i == 0:
        return None
    q = f.params[i - 1]
    if q.type.depth == 1 and q.type.base == "char" and not q.type.const:
        return q.name
    return None


def _length_after(model, f, i):
    nxt = f.params[i + 1] if i + 1 < len(f.params) else None
    if nxt is not None and not nxt.type.ptrs and model.int_type(nxt.type):
        return nxt.name
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


def module_extras(model):
    """(C text before the module's tables, fields of its cb_module_def): the
    error subclasses and their message, the library's own text."""
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
    # the struct classes (gen/emit_records.py, csrc/cb_record.h)
    from . import emit_records
    text += '#include "cb_record.h"\n\n' + emit_records.emit(model) + (
        "\nstatic int\nrecords_exec(PyObject *module)\n{\n"
        "    return cb_record_add_types(module, nvml_records, RECORD_COUNT_);\n}\n\n")
    fields += ("    .exec_extra = records_exec,\n    .getattr_extra = cb_record_getattr,\n"
               "    .dir_extra = cb_record_dir,\n")
    return text, fields


def constants(model):
    """[(Python name, value)]: the reference's constants, NVML_<name> of nvml.h."""
    from .cparse import eval_int
    return [(name, eval_int(model.h.defines["NVML_" + name])) for name in model.py_facts["constants"]]
