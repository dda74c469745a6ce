"""Stage two: from parsed declarations to bindings.

Every C parameter gets one *kind*, which decides how the Python layer takes
it (or returns it) and which hand-written helper in csrc/cb_args.h converts
it.  The kinds come from rules over the C type and the doc comment; the few
facts the headers do not state come from overrides.py.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import overrides
from .cparse import CType, Function, Header

# C integer types: name -> (signed, lowest, highest) as C expressions.
INT_TYPES = {
    "int": (True, "INT_MIN", "INT_MAX"),
    "unsigned int": (False, "0", "UINT_MAX"),
    "short": (True, "SHRT_MIN", "SHRT_MAX"),
    "unsigned short": (False, "0", "USHRT_MAX"),
    "long": (True, "LONG_MIN", "LONG_MAX"),
    "unsigned long": (False, "0", "ULONG_MAX"),
    "long long": (True, "LLONG_MIN", "LLONG_MAX"),
    "unsigned long long": (False, "0", "ULLONG_MAX"),
    "char": (True, "CHAR_MIN", "CHAR_MAX"),
    "unsigned char": (False, "0", "UCHAR_MAX"),
    "size_t": (False, "0", "SIZE_MAX"),
    "int8_t": (True, "INT8_MIN", "INT8_MAX"),
    "int16_t": (True, "INT16_MIN", "INT16_MAX"),
    "int32_t": (True, "INT32_MIN", "INT32_MAX"),
    "int64_t": (True, "INT64_MIN", "INT64_MAX"),
    "uint8_t": (False, "0", "UINT8_MAX"),
    "uint16_t": (False, "0", "UINT16_MAX"),
    "uint32_t": (False, "0", "UINT32_MAX"),
    "uint64_t": (False, "0", "UINT64_MAX"),
    "intptr_t": (True, "INTPTR_MIN", "INTPTR_MAX"),
    "uintptr_t": (False, "0", "UINTPTR_MAX"),
}

_NULLABLE_DOC = re.compile(r"can be NULL|\bnull\b|\boptional\b", re.I)


class UnsupportedParam(ValueError):
    pass


@dataclass
class Arg:
    """One C parameter and how it crosses into Python."""
    name: str                     # C name
    type: CType
    kind: str                     # see classify()
    pyname: Optional[str] = None  # Python parameter name; None for outputs
    doc: str = ""
    enum: Optional[str] = None    # C enum name for 'enum' / 'out_enum'
    handle: Optional[str] = None  # C handle typedef for handle kinds
    int_type: Optional[str] = None  # C integer type (resolved) for int kinds
    count: Optional[str] = None   # C name of the count parameter of a 'cstr_list'
    size_query: Optional[str] = None  # function reporting a buffer's needed size / array length
    size_arg: Optional[str] = None    # 'buffer_in': the C parameter giving its size
    nullable: bool = False

    @property
    def is_output(self):
        return self.pyname is None


@dataclass
class Binding:
    func: Function
    pyname: str
    args: List[Arg]
    returns: str                      # 'status' or 'cstr' (a function returning const char *)
    keep_gil: bool = False
    # Pythonic calls raise on failure and so cannot hand back a handle that a
    # failed create still made (nvJitLinkCreate does): out arg -> destroy function.
    destroy_on_failure: Dict[str, str] = field(default_factory=dict)

    @property
    def name(self):
        return self.func.name

    @property
    def inputs(self):
        return [a for a in self.args if not a.is_output]

    @property
    def outputs(self):
        return [a for a in self.args if a.is_output]


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


class Model:
    """The bindings of one library."""

    def __init__(self, lib, header: Header):
        self.lib = lib
        self.h = header
        self.bindings: List[Binding] = []
        self.skipped: List[str] = []   # "name: reason" for functions no rule can bind yet
        for f in header.functions.values():
            if not f.name.startswith(lib.prefix):
                continue
            try:
                self.bindings.append(self.bind(f))
            except UnsupportedParam as e:
                # A newer toolkit may declare what this generator does not know
                # yet: build the rest and say what was left out.
                self.skipped.append(str(e))
        # A binding whose size query or array-length function was left out goes
        # too, and so on until none depends on a missing one.
        pruned = True
        while pruned:
            names = {b.name for b in self.bindings}
            pruned = False
            for b in list(self.bindings):
                needs = [a.size_query for a in b.args if a.size_query and a.size_query not in names]
                if needs:
                    self.bindings.remove(b)
                    self.skipped.append("%s: needs %s, which is not bound" % (b.name, needs[0]))
                    pruned = True
        self.by_name = {b.name: b for b in self.bindings}

    # -- type questions --------------------------------------------------
    def is_enum(self, t: CType):
        return not t.ptrs and t.base in self.h.enums

    def is_handle(self, t: CType):
        """An opaque handle typedef: `typedef struct X *Name;`."""
        if t.ptrs or t.base not in self.h.typedefs:
            return False
        alias = self.h.typedefs[t.base]
        return alias.func is None and len(alias.ptrs) == 1 and alias.base.startswith("struct ")

    def int_type(self, t: CType):
        r = self.h.resolve(t)
        if r.ptrs or r.func is not None or r.array:
            return None
        return r.base if r.base in INT_TYPES else None

    def is_funcptr(self, t: CType):
        if t.func is not None:
            return True
        r = self.h.resolve(CType(t.base)) if not t.ptrs else None
        return r is not None and r.func is not None

    # -- classification --------------------------------------------------
    def classify(self, f: Function, i: int) -> Arg:
        p = f.params[i]
        t = p.type
        a = Arg(p.name, t, "", p.name, p.doc)
        out = p.direction == "out"
        array_len = overrides.OUT_ARRAYS.get(f.name, {}).get(p.name)
        if self.is_funcptr(t):
            a.kind = "funcptr"
        elif not t.ptrs:
            if self.is_enum(t):
                a.kind, a.enum = "enum", t.base
            elif self.is_handle(t):
                a.kind, a.handle = "handle", t.base
            elif self.int_type(t):
                a.kind, a.int_type = "int", self.int_type(t)
            elif self.h.resolve(t).ptrs:
                a.kind = "address"
            else:
                raise UnsupportedParam("%s: parameter %s of type %s" % (f.name, p.name, t))
        elif t.depth == 1:
            inner = t.pointee()
            if inner.base == "char" and t.const:
                a.kind = "cstr"
                a.nullable = bool(_NULLABLE_DOC.search(p.doc or "")) or \
                    p.name in overrides.NULLABLE_STRINGS.get(f.name, ())
            elif inner.base in ("char", "void") and not t.const and out:
                a.kind = "buffer_out"
                q = f.name + "Size"
                a.size_query = q if q in self.h.functions else None
            elif inner.base == "void" and t.const:
                a.kind = "buffer_in"
                nxt = f.params[i + 1] if i + 1 < len(f.params) else None
                if nxt is not None and re.search(r"size", nxt.name, re.I) and self.int_type(nxt.type):
                    a.size_arg = nxt.name
            elif inner.base == "void":
                a.kind = "address"
            elif self.is_handle(inner):
                a.handle = inner.base
                a.kind = "out_handle" if out else "inout_handle"
            elif self.is_enum(inner) and out:
                a.kind, a.enum = "out_enum", inner.base
            elif self.int_type(inner) and array_len:
                a.kind, a.int_type, a.size_query = "out_int_array", self.int_type(inner), array_len
            elif self.int_type(inner) and out:
                a.kind, a.int_type = "out_int", self.int_type(inner)
            else:
                raise UnsupportedParam("%s: parameter %s of type %s" % (f.name, p.name, t))
        elif t.depth == 2 and t.base == "char" and t.const:
            if out:
                a.kind = "out_cstr"
            else:
                a.kind = "cstr_list"
                counts = [q.name for q in f.params[:i] if q.name.lower().startswith("num")
                          and self.int_type(q.type)]
                if not counts:
                    raise UnsupportedParam("%s: no count for string list %s" % (f.name, p.name))
                a.count = counts[-1]
        else:
            raise UnsupportedParam("%s: parameter %s of type %s" % (f.name, p.name, t))
        if a.kind.startswith("out_"):
            a.pyname = None
        return a

    def bind(self, f: Function) -> Binding:
        args = [self.classify(f, i) for i in range(len(f.params))]
        if self.lib.style == "pythonic":
            for a in args:
                if a.pyname:
                    a.pyname = snake(a.pyname)
            pyname = snake(f.name[len(self.lib.prefix):])
        else:
            pyname = f.name
        if f.ret.base == self.lib.status and not f.ret.ptrs:
            returns = "status"
        elif f.ret.base == "char" and f.ret.const and f.ret.depth == 1:
            returns = "cstr"
        else:
            raise UnsupportedParam("%s: return type %s" % (f.name, f.ret))
        b = Binding(f, pyname, args, returns, keep_gil=f.name in overrides.KEEP_GIL)
        if self.lib.style == "pythonic":
            destroys = {a.name: self.destroyer(a.handle) for a in args if a.kind == "out_handle"}
            b.destroy_on_failure = {k: v for k, v in destroys.items() if v}
        return b

    def destroyer(self, handle):
        """`<prefix>Destroy(handle *)` for a handle type, if the library has one."""
        f = self.h.functions.get(self.lib.prefix + "Destroy")
        if f and len(f.params) == 1 and f.params[0].type.ptrs and f.params[0].type.base == handle:
            return f.name
        return None

    # -- enums as Python sees them ---------------------------------------
    def py_enums(self):
        """[(C name, Python name, [(member Python name, value, doc)], doc)]."""
        out = []
        for e in self.h.enums.values():
            if not e.name or not e.members:
                continue
            pyname, strip = self.lib.enum_names.get(e.name, (e.name, ""))
            members = []
            for m in e.members:
                mname = m.name[len(strip):] if strip and m.name.startswith(strip) else m.name
                members.append((mname, m.value, m.doc))
            out.append((e.name, pyname, members, e.doc))
        return out

    def enum_index(self, cname):
        return [e[0] for e in self.py_enums()].index(cname)

    def handles(self):
        """Handle typedefs used by the bindings, in header order."""
        used = {a.handle for b in self.bindings for a in b.args if a.handle}
        return [n for n in self.h.typedefs if n in used]

    def handle_index(self, name):
        """Index of handle class `name` in the module's handle table, or None."""
        hs = self.handles()
        return hs.index(name) if name in hs else None

    def constants(self):
        out = []
        for name, value in self.h.defines.items():
            if not name.startswith(tuple(self.lib.constant_prefixes)) or name.startswith("__"):
                continue
            if re.fullmatch(r"\(?\s*-?(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?", value or ""):
                out.append((name, int(re.sub(r"[()uUlL\s]", "", value), 0)))
        return out
