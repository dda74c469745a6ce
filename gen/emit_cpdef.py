"""The Cython surface of the pythonic modules (nvjitlink, nvvm, nvfatbin, nvml, cufile, cudla):
<lib>.pxd declaring their cpdef functions, and the C entry points their
__pyx_capi__ exports, so that `from cuda.bindings cimport nvjitlink` and
`nvjitlink.create(...)` work from Cython as with the reference.

A consumer's cimport checks each capsule's name against the signature
Cython derives from the .pxd, and its generated code tests the declared
except value: both are facts of the reference (gen/data/pythonic_cpdef.json,
made by gen/data/pythonic_cpdef.py).  Each entry point boxes its C
arguments and runs the module's Python-level function (csrc/cb_cpdef.c).
Only the functions the module binds are exported (and declared): the
reference's others are `unexported(model)`.
"""
import json
import os
import re

from .common import banner, cuda_version

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP_DISPATCH = "int __pyx_skip_dispatch"
# C parameter type (as the capsule spells it) -> cb_cpdef_call's format letter
FORMATS = {"PyObject *": "O", "intptr_t": "p", "int": "i", "uint32_t": "I", "size_t": "z",
           "unsigned int": "u", "unsigned PY_LONG_LONG": "K", "uint64_t": "Q"}
# C return type -> the csrc/cb_cpdef.c function that unboxes it ("void": the result dropped)
UNBOX = {"intptr_t": "cb_cpdef_intptr", "size_t": "cb_cpdef_size", "int": "cb_cpdef_int",
         "unsigned int": "cb_cpdef_uint", "unsigned PY_LONG_LONG": "cb_cpdef_ull", "char": "cb_cpdef_char",
         "uint64_t": "cb_cpdef_u64", "void": "cb_cpdef_void"}
# The capsules' spellings of types that C and a .pxd spell otherwise.
SPELLED = {"unsigned PY_LONG_LONG": "unsigned long long"}
MAX_ARGS = 8   # csrc/cb_cpdef.h: CB_CPDEF_MAX_ARGS


def facts(lib):
    """{"typedefs": {name: C type}, "functions": {pyname: {capsule, returns, except}}}, or None."""
    with open(os.path.join(HERE, "data", "pythonic_cpdef.json")) as f:
        return json.load(f).get("cuda.bindings." + lib.key)


def has_cpdef(lib):
    """A pythonic module whose reference exports its functions to Cython (facts of it are kept)."""
    return lib.style == "pythonic" and facts(lib) is not None


def parse_capsule(capsule):
    """'intptr_t (uint32_t, PyObject *, int __pyx_skip_dispatch)' -> ('intptr_t', ['uint32_t', 'PyObject *'])."""
    ret, params = re.fullmatch(r"(.*?) ?\((.*)\)", capsule).groups()
    params = params.split(", ")
    assert params[-1] == SKIP_DISPATCH, capsule
    return ret, params[:-1]


def entries(model):
    """[(binding, C return type, [C parameter types], facts of the function)]
    of the reference's cpdef functions that the module binds, by name."""
    by_name = {b.pyname: b for b in model.bindings}
    by_name.update(hand_written(model))
    out = []
    for name, fact in facts(model.lib)["functions"].items():
        b = by_name.get(name)
        if b is None:
            continue
        ret, params = parse_capsule(fact["capsule"])
        if len(params) != len(b.inputs) or len(params) > MAX_ARGS:
            raise ValueError("%s: the reference's cpdef takes %d arguments, ours %d (at most %d)"
                             % (name, len(params), len(b.inputs), MAX_ARGS))
        if (ret == "PyObject *") != (fact["except"] is None) or (ret not in UNBOX and ret != "PyObject *"):
            raise ValueError("%s: returns %s, except %s" % (name, ret, fact["except"]))
        out.append((b, ret, params, fact))
    return out


class _ByHand:
    """A function the module's csrc/cb_<key>.h writes (py_<pyname>), as entries() needs it."""

    class Input:
        def __init__(self, pyname):
            self.pyname = pyname

    def __init__(self, pyname, params):
        self.name = self.pyname = pyname
        self.inputs = [self.Input(p) for p in params]


def hand_written(model):
    """{Python name: _ByHand} of the functions the module's rules write by hand (gen/addressed.py)."""
    table = getattr(model.rules, "HAND_WRITTEN", {}).get(model.lib.key, {}) if model.lib.py_rules == "addressed" else {}
    return {py: _ByHand(py, [p for p, _ in params]) for py, (params, _, _) in table.items()}


def unexported(model):
    """The reference's cpdef functions that the module does not bind yet, sorted."""
    bound = {b.pyname for b in model.bindings} | set(hand_written(model))
    return sorted(set(facts(model.lib)["functions"]) - bound)


def _except_value(fact):
    """The value an entry point returns with an exception set: the clause's
    (`except? 0`, `except -1`), any for `except *` (the caller always asks)."""
    value = fact["except"].lstrip("?").strip()
    return "0" if value == "*" else value


def c_text(model):
    """The entry points, the __pyx_capi__ table and the module they call."""
    out = ["/* The cpdef entry points (gen/emit_cpdef.py): the functions of this module, for Cython. */\n",
           "static PyObject *cpdef_module;   /* set by module_exec; the main interpreter only */\n\n"]
    rows = entries(model)
    for b, ret, params, fact in rows:
        # C parameters are p_<Python name>: no Python name is then a C keyword
        decl = ", ".join("%s%sp_%s" % (SPELLED.get(t, t), "" if t.endswith("*") else " ", a.pyname)
                         for t, a in zip(params, b.inputs))
        # intptr_t as a number ('q': -1 is -1) where the module takes that range, else its bits ('p')
        signed = model.lib.intptr_addresses
        call = "cb_cpdef_call(py_%s, cpdef_module, \"%s\"%s)" % (
            b.name, "".join("q" if t == "intptr_t" and signed else FORMATS[t] for t in params),
            "".join(", p_" + a.pyname for a in b.inputs))
        if ret == "void":
            call = "%s(%s)" % (UNBOX[ret], call)
        elif ret != "PyObject *":
            call = "%s(%s, %s)" % (UNBOX[ret], call, _except_value(fact))
        out.append("static %s\ncpdef_%s(%sint skip_dispatch)\n{\n    (void)skip_dispatch;\n    %s%s;\n}\n\n"
                   % (SPELLED.get(ret, ret), b.pyname, decl + ", " if decl else "", "" if ret == "void" else "return ",
                      call))
    out.append("static const cb_capi_entry pyx_capi[] = {\n")
    for b, ret, params, fact in rows:
        out.append('    {"%s", (void (*)(void))cpdef_%s, "%s"},\n' % (b.pyname, b.pyname, fact["capsule"]))
    out.append("};\n\n")
    return "".join(out)


def module_exec_lines():
    """What module_exec adds: the module the entry points call, and __pyx_capi__."""
    return ("    Py_INCREF(module);\n    Py_XSETREF(cpdef_module, module);\n"
            "    if (cb_add_pyx_capi(module, pyx_capi, sizeof pyx_capi / sizeof pyx_capi[0]) < 0)\n"
            "        return -1;\n")


def pxd_text(model):
    """<lib>.pxd: the ctypedefs and cpdef declarations a consumer cimports."""
    lib = model.lib
    out = [banner(lib, "#", "", cuda_version(model.h)),
           "# cimport it: `from cuda.bindings cimport %s`; calls run the module's own functions.\n" % lib.key]
    if not has_cpdef(lib):   # not exported to Cython yet: the module's functions from Python only
        return "".join(out)
    rows = entries(model)
    ints = sorted({t for _, ret, params, _ in rows for t in params + [ret] if t.endswith("_t") and t != "size_t"})
    if ints:
        out.append("from libc.stdint cimport %s\n" % ", ".join(ints))
    out.append("from cuda.bindings.cy%s cimport *\n\n" % lib.key)
    for name, ctype in facts(lib)["typedefs"].items():
        out.append("ctypedef %s %s\n" % (ctype, name))
    out.append("\n")
    for b, ret, params, fact in rows:
        args = ", ".join(fact["params"]) if "params" in fact else ", ".join(
            a.pyname if t == "PyObject *" else "%s %s" % (SPELLED.get(t, t), a.pyname)
            for t, a in zip(params, b.inputs))
        returns = fact["returns"] + " " if fact["returns"] else ""
        clause = ""
        if fact["except"]:   # `except? 0`: the value with an exception set; `except -1`: always one
            clause = " " + fact.get("clause") if fact.get("clause") else \
                " except%s %s" % ("?" if fact["except"].startswith("?") else "", fact["except"].lstrip("?"))
        out.append("cpdef %s%s(%s)%s\n" % (returns, b.pyname, args, clause))
    return "".join(out)
