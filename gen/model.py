"""Stage two: from parsed declarations to bindings.

Every C parameter gets one *kind* of the table in kinds.py, which decides
how the Python layer takes it (or returns it) and which hand-written helper
of csrc/ converts it.  classify() picks the kind by rules over the C type
and the doc comment; the few facts the headers do not state come from
overrides.py.
"""
import importlib
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import nvml, overrides
from .records_overrides import RULES as RECORD_RULES
from .cparse import CType, Function, Header
from .kinds import INT_TYPES, KINDS

_DRIVER_INT_NAMES = {"cuuint64_t": "unsigned long long", "cuuint32_t": "unsigned int"}
DRIVER_U64 = overrides.DRIVER_U64

_NULLABLE_DOC = re.compile(r"can be NULL|\bnull\b|\boptional\b", re.I)


class UnsupportedParam(ValueError):
    pass


@dataclass
class Arg:
    """One C parameter and how it crosses into Python."""
    name: str                     # C name
    type: CType
    kind: object                  # a kinds.Kind of kinds.KINDS (classify() picks it)
    pyname: Optional[str] = None  # Python parameter name; None for outputs
    doc: str = ""
    enum: Optional[str] = None    # C enum name for 'enum' / 'out_enum'
    handle: Optional[str] = None  # C handle typedef for handle kinds
    struct: Optional[str] = None  # struct class for struct kinds
    int_type: Optional[str] = None  # C integer type (resolved) for int kinds
    count: Optional[str] = None   # C name of the count parameter of a 'cstr_list'
    size_query: Optional[str] = None  # function reporting a buffer's needed size / array length
    size_arg: Optional[str] = None    # 'buffer_in': the C parameter giving its size
    nullable: bool = False
    inout: bool = False           # an input that is returned too (the count of an array the call fills)
    user: Optional[str] = None    # 'callback': the C name of its user data parameter
    size: Optional[int] = None    # 'out_chars': a fixed length, where no parameter gives it
    count_less: int = 0           # arrays: one less than `count` says (a tensor's strides)
    key: Optional[str] = None     # typed values: the parameter selecting the type
    types: Optional[dict] = None  # typed values: {enum member: C type}, and "" -> the default
    value_size: Optional[str] = None  # typed values: the parameter giving their size in bytes
    hidden: bool = False          # neither an input nor an output ('typed_size', 'typed_set_size': the call's own business)
    one_or_array: bool = False    # handle_array that also takes one handle or an int address (overrides.ONE_OR_ARRAY)
    regions: Optional[tuple] = None  # 'struct_room': the (size, granularity) parameters counting its structs
    float_first: int = 0          # 'address' of a float[N] given as one number (overrides.FLOAT_FIRST_OF)
    any_iterable: bool = False    # an int list taken from any iterable or None (overrides.ANY_ITERABLE_LISTS)
    int_items: bool = False       # 'address_array' of device pointers, items by __int__ (DEVICE_POINTER_LISTS)
    address_class: Optional[str] = None  # 'address' whose handle objects are of this class (ADDRESS_OF_CLASS)
    fills: Optional[dict] = None  # NVML's request structs: {Python parameter: the member it fills}
    returns: Optional[str] = None  # ... and what the call returns of it: a member, "" the struct, None nothing
    member: Optional[str] = None  # an input that is no C parameter: the request member it fills
    ids: Optional[tuple] = None   # 'record_items': the members a list of ids and (id, scope) pairs sets
    counted: bool = False         # NVML's structs pointing to items they count: asked with none first
    how: str = "CB_RECORD_ANY"    # 'record_in': how NVIDIA's takes the struct (csrc/cb_record.h)

    @property
    def is_output(self):
        return (self.pyname is None and not self.hidden) or self.inout


@dataclass
class Binding:
    func: Function
    pyname: str
    args: List[Arg]
    returns: str                      # 'status', 'cstr' (a function returning const char *) or 'struct' (by value)
    keep_gil: bool = False
    # Pythonic calls raise on failure and so cannot hand back a handle that a
    # failed create still made (nvJitLinkCreate does): out arg -> destroy function.
    destroy_on_failure: Dict[str, str] = field(default_factory=dict)
    renamed: str = ""

    @property
    def name(self):
        return self.func.name

    @property
    def target(self):
        """The core function the Python function calls: the one C callers
        of the header reach (cuFileDriverClose_v2 for cuFileDriverClose)."""
        return self.renamed or self.func.name

    @property
    def inputs(self):
        return [a for a in self.args if a.pyname is not None]

    @property
    def outputs(self):
        return [a for a in self.args if a.is_output]


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


@dataclass
class HeaderFacts:
    """What the model knows about its declarations beyond the parse."""
    include_dir: Optional[str] = None   # where the headers were read (the core reports it)
    tags: Dict[str, str] = field(default_factory=dict)   # name_tags: tag -> 'enum' | 'struct' | 'union'
    interop: set = field(default_factory=set)        # functions declared by an interop header
    interop_tags: set = field(default_factory=set)   # tags defined by an interop header
    twins: Dict[str, str] = field(default_factory=dict)  # handle -> the twin module's class of its C type
    ptds: Dict[str, str] = field(default_factory=dict)   # function -> its per-thread-default-stream symbol
    as_written: Dict = field(default_factory=dict)   # function -> as C spells it (before name_tags)
    twin_params: Dict = field(default_factory=dict)  # the twin library's functions -> their parameter names
    renamed: Dict[str, str] = field(default_factory=dict)  # function -> the symbol its header's macro calls


class Model:
    """The bindings of one library."""

    def __init__(self, lib, header: Header, capsule_only=(), facts=None):
        """capsule_only: functions of `header` bound in the core and its
        capsules only (older ABI versions the reference's Cython module exports);
        facts: what gen.load found beside the parse (none for a header given as text)."""
        self.lib = lib
        self.h = header
        self.facts = facts or HeaderFacts()
        self.capsule_only = set(capsule_only)
        self.py_facts = nvml.load_facts(lib.py_facts) if lib.py_facts else None
        # the module deciding what the reference's facts mean (gen/nvml.py, gen/addressed.py)
        self.rules = importlib.import_module("gen." + lib.py_rules) if lib.py_facts else None
        self.record_rules = RECORD_RULES.get(lib.key)   # its struct classes (records_overrides.Rules)
        self.py_records = set()   # the Python names of those classes (what a signature may declare)
        if self.record_rules is not None:
            from .emit_records import class_names
            self.py_records = class_names(header, self.record_rules)
        # cudaTypedefs.h's PFN_<name>_v<N> types say which ABI version of a
        # symbol matches the prototype we call; they are not API of their own.
        self.pfn = {n: t for n, t in header.typedefs.items() if n.startswith("PFN_")}
        for n in self.pfn:
            del header.typedefs[n]
        self.bindings: List[Binding] = []
        self.skipped: List[str] = []   # "name: reason" for functions no rule can bind yet
        # functions whose Python form csrc/ writes by hand (cuDLA's module_get_attributes): the core only
        by_hand = getattr(self.rules, "BOUND_BY_HAND", {}).get(lib.key, ())
        for f in header.functions.values():
            if not self.in_library(f.name) or f.name in capsule_only or f.name in by_hand:
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
        # The C core exports every function of the headers, also those whose
        # Python form no rule covers yet: Cython and C callers need no rule.
        self.core_bindings = list(self.bindings)
        for f in header.functions.values():
            if self.in_library(f.name) and f.name not in self.by_name and \
                    f.ret.base in (lib.status, lib.status_struct) and not f.ret.ptrs:
                self.core_bindings.append(Binding(f, f.name, [], "status"))
        order = {n: i for i, n in enumerate(header.functions)}
        self.core_bindings.sort(key=lambda b: order[b.name])
        self.core_by_name = {b.name: b for b in self.core_bindings}

    def in_library(self, name):
        return name.startswith(self.lib.prefix) or name in self.lib.extra_functions

    # -- type questions --------------------------------------------------
    def is_enum(self, t: CType):
        return not t.ptrs and (t.base in self.h.enums or (
            t.base in self.h.typedefs and not self.h.typedefs[t.base].ptrs
            and self.h.typedefs[t.base].base in self.h.enums))

    def is_handle(self, t: CType):
        """A handle class of pointer kind: `typedef struct X *Name;`, a
        function-pointer typedef, or an opaque `void *` typedef."""
        if t.ptrs or t.base not in self.h.typedefs:
            return False
        return self.handle_kind(t.base) == "pointer"

    def handle_kind(self, name):
        """'pointer', 'u64', 'u32', 'int' for a handle class typedef; None otherwise."""
        if name not in self.h.typedefs or name.startswith("PFN_"):
            return None
        alias = self.h.typedefs[name]
        if alias.func is not None:
            return "pointer"
        r = self.h.resolve(CType(name))
        if r.func is not None or (len(r.ptrs) == 1 and (r.base.startswith("struct ") or r.base == "void")):
            return "pointer"
        if self.lib.style != "tuple" or r.ptrs or r.array or r.base not in INT_TYPES:
            return None
        if r.base in ("unsigned long long", "uint64_t", "size_t", "unsigned long"):
            return "u64"
        return "int" if INT_TYPES[r.base][0] else "u32"

    def handle_class_kind(self, name):
        """The kind its class behaves as (cb_handle_kind): handle_kind, but
        'function' for a function pointer (an index compared by identity,
        as NVIDIA's)."""
        kind = self.handle_kind(name)
        alias = self.h.typedefs[name]
        if kind == "pointer" and (alias.func is not None or self.h.resolve(CType(name)).func is not None):
            return "function"
        return kind

    def struct_name(self, t: CType):
        """The struct class for a (pointee) type, or None."""
        if t.ptrs or t.func is not None:
            return None
        r = self.h.resolve(t)
        if r.ptrs or r.func is not None:
            return None
        tag = r.base.split(" ", 1)[1] if r.base.startswith(("struct ", "union ")) else r.base
        return t.base if tag in self.h.structs and self.h.structs[tag].fields else None

    def struct_fields(self, t: CType):
        """The members of the struct a (pointee) type names."""
        r = self.h.resolve(t)
        tag = r.base.split(" ", 1)[1] if r.base.startswith(("struct ", "union ")) else r.base
        return self.h.structs[tag].fields

    def record_class(self, c_name):
        """The Python name of the struct class (NVML's records) of C type c_name."""
        from .emit_records import class_name
        return class_name(c_name, self.record_rules)

    def int_type(self, t: CType):
        r = self.h.resolve(t)
        if r.ptrs or r.func is not None or r.array:
            return None
        return r.base if r.base in INT_TYPES else None

    def is_float(self, t: CType):
        r = self.h.resolve(t)
        return not r.ptrs and r.base in ("float", "double")

    def is_funcptr(self, t: CType):
        if t.func is not None:
            return True
        r = self.h.resolve(CType(t.base)) if not t.ptrs else None
        return r is not None and r.func is not None

    def count_param(self, f: Function, i: int):
        """The integer parameter (or pointer to one, for an array the call
        fills) giving the length of array parameter i: overrides first, then
        one named after the array (numOptions for options), then a count-like
        neighbour."""
        p = f.params[i]
        counts = self.override(overrides.ARRAY_COUNTS, f, {})
        if p.name in counts:   # None: one value, whatever its neighbours are called
            return counts[p.name].split(" - ")[0] if counts[p.name] else None

        def is_count(q):
            t = q.type.pointee() if q.type.depth == 1 and not q.type.const else q.type
            return (q is not p and not t.ptrs and self.int_type(t) and
                    re.match(r"^(num|nb|count$|len$|length$|n[A-Z])|Count$", q.name))
        def stem(q):
            return re.sub(r"^(ph|p)(?=[A-Z])", "", q.name).lower()
        counts = [q for q in f.params if is_count(q)]
        for q in counts:
            if q.name.lower().endswith(stem(p)):
                return q.name
        # A neighbour named after another array counts that one (numDependencies
        # beside nodeParams in cuGraphAddKernelNode counts dependencies).
        claimed = {q.name for q in counts for r in f.params if r is not p and r.type.ptrs
                   and q.name.lower().endswith(stem(r))}
        for j in (i + 1, i - 1):
            if 0 <= j < len(f.params) and f.params[j] in counts and f.params[j].name not in claimed:
                return f.params[j].name
        return None

    def value_types(self, f: Function, table, default):
        """{enum member: C type} of a typed value, from the table or from
        f's doc ("::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD: (value type = cuuint64_t)");
        members these headers lack are dropped; "" maps to the default."""
        if table is None:
            table = dict(re.findall(r"((?:CU_|cuda)\w+):?\s*\(value type = ([\w ]+?)\s*\)", f.doc.text or ""))
            # the runtime's docs name cuda.h's fixed-width types, which its headers lack
            table = {k: v if v in self.h.typedefs else DRIVER_U64 if v == "cuuint64_t" else _DRIVER_INT_NAMES.get(v, v)
                     for k, v in table.items()}
        members = {m.name for e in self.h.enums.values() for m in e.members}
        out = {k: v for k, v in table.items() if k in members}
        out[""] = default
        return out

    def size_after(self, f: Function, i: int):
        """The integer parameter right after parameter i that gives its size in
        bytes (`const void *code, size_t size`), or None."""
        nxt = f.params[i + 1] if i + 1 < len(f.params) else None
        if nxt is not None and re.search(r"size", nxt.name, re.I) and self.int_type(nxt.type):
            return nxt.name
        return None

    def callback_data(self, f: Function):
        """The `void *` parameter a callback of f receives, if f takes one."""
        if not any(q.type.base in overrides.CALLBACKS and not q.type.ptrs for q in f.params):
            return None
        return next((q.name for q in f.params if q.name in overrides.CALLBACK_DATA and q.type.depth == 1
                     and q.type.base == "void"), None)

    def is_output(self, f: Function, i: int):
        """Does the library write parameter i for the caller?

        The pythonic libraries mark outputs in their docs.  The driver's docs
        do not say it consistently ("Returns ...", "Pointer to store ...",
        nothing), so there a non-const pointer to one scalar, handle or
        struct is an output unless it is an array (it has a count), its doc
        says [in], or overrides.IN_POINTERS lists it.
        """
        p = f.params[i]
        t = p.type
        if p.direction == "out" and t.depth == 1 and t.const and self.lib.style == "tuple":
            return False  # a doc marking a `const T *` [out] is wrong: the call cannot write it
        if p.name in self.override(overrides.OUT_POINTERS, f, ()):
            return True
        if self.lib.style != "tuple" or p.direction == "out":
            return p.direction == "out"
        if p.direction == "in" or p.name in self.override(overrides.IN_POINTERS, f, ()):
            return False
        if t.depth == 2:
            if t.base == "void" and p.name not in ("kernelParams", "extra", self.override(overrides.KERNEL_PARAMS, f)):
                return self.count_param(f, i) is None
            if t.base == "char":
                return t.const
            return self.count_param(f, i) is not None  # an array the library owns: `const CUgraphNode **`
        if t.depth != 1 or t.const or t.ptrs[0]:
            return False
        inner = t.pointee()
        if inner.base == "void" or self.is_funcptr(inner):
            return False
        scalar = (self.is_enum(inner) or self.int_type(inner) or self.is_float(inner) or
                  self.handle_kind(inner.base) or self.is_handle(inner) or self.struct_name(inner))
        count = self.count_param(f, i)
        if count is None or inner.base == "char":
            return bool(scalar)
        # An array: the call fills it when its length is a pointer (in and
        # out) or the doc says the values are returned in it.
        q = next(q for q in f.params if q.name == count)
        return bool(scalar) and (q.type.depth == 1 or bool(re.search(r"\breturn", p.doc or "", re.I)))

    # -- overrides -------------------------------------------------------
    def override(self, table, f, default=None):
        """overrides' `table` entry for f.  A runtime function with none takes
        its driver twin's (cuX for cudaX) where the two take as many
        parameters and each one the entry names stands in the same place in
        both (the runtime repeats the driver's declarations, renaming hStream
        to stream and the like)."""
        if f.name in table:
            return table[f.name]
        twin = "cu" + f.name[len(self.lib.prefix):]
        theirs = self.facts.twin_params.get(twin)
        ours = [p.name for p in f.params]
        if twin not in table or theirs is None or len(theirs) != len(ours):
            return default
        named = overrides.named_params(table[twin]) & set(theirs)
        return table[twin] if all(n in ours and ours.index(n) == theirs.index(n) for n in named) else default

    # -- classification --------------------------------------------------
    def classify(self, f: Function, i: int) -> Arg:
        """Parameter i of f with its kind from kinds.KINDS; an output has no Python name."""
        a = self._classify(f, i)
        a.kind = KINDS[a.kind]
        if a.kind.output:
            a.pyname = None
        return a

    def _classify(self, f: Function, i: int) -> Arg:
        p = f.params[i]
        t = p.type
        if self.py_facts:   # the parameter's own const says nothing to callers (cuDLA's `size_t const size`)
            return self.rules.classify(self, f, i, Arg(p.name, t.unqualified(), "", None, p.doc))
        pyname = overrides.PY_NAMES.get(p.name, p.name) if self.lib.style == "tuple" else p.name
        a = Arg(p.name, t, "", pyname, p.doc)
        a.float_first = self.override(overrides.FLOAT_FIRST_OF, f, {}).get(p.name, 0)
        a.any_iterable = p.name in self.override(overrides.ANY_ITERABLE_LISTS, f, ())
        a.int_items = p.name in self.override(overrides.DEVICE_POINTER_LISTS, f, ())
        a.address_class = self.override(overrides.ADDRESS_OF_CLASS, f, {}).get(p.name)
        out = self.is_output(f, i)
        array_len = self.override(overrides.OUT_ARRAYS, f, {}).get(p.name)

        def unsupported():
            return UnsupportedParam("%s: parameter %s of type %s" % (f.name, p.name, t))

        def array_or_one(array_kind, one_kind):
            """An array where a count parameter says how long, else one value."""
            a.count = self.count_param(f, i)
            a.kind = array_kind if a.count else one_kind
            a.one_or_array = a.count is not None and self.override(overrides.ONE_OR_ARRAY, f) == p.name

        filled = [q.name for j, q in enumerate(f.params) if j != i and q.type.depth == 1
                  and self.is_output(f, j) and self.count_param(f, j) == p.name]
        typed = overrides.TYPED_VALUES.get(f.name)
        sizes = overrides.TYPED_SIZES.get(f.name, {})
        if typed and typed[0] == p.name:
            a.kind = "out_typed" if re.search(r"Get|Export", f.name) else "typed"
            a.key, a.types = typed[1], self.value_types(f, typed[2], typed[3])
            a.value_size = sizes.get(p.name)
            if t.depth == 2:  # one value per key of an array of keys
                a.kind, a.count, a.pyname = "out_typed_array", self.count_param(f, i), None
        elif p.name in self.override(overrides.REGION_ARRAYS, f, {}) and self.struct_name(t.pointee()):
            a.kind, a.struct = "struct_room", self.struct_name(t.pointee())
            a.regions = self.override(overrides.REGION_ARRAYS, f)[p.name]
            return a
        elif p.name in sizes.values() and t.depth == 1 and not t.const and self.int_type(t.pointee()) and \
                next(q for q in f.params if sizes.get(q.name) == p.name).type.depth == 1:
            # the size of one typed value, which the call reports when asked with a NULL value
            # (a list of sizes, one per value of an array, is the caller's: an input)
            a.kind, a.pyname, a.hidden = "typed_size", None, True
            return a
        elif p.name in self.override(overrides.ADDRESS_PARAMS, f, ()):
            a.kind = "address"
        elif p.name in self.override(overrides.OUT_ADDRESS_PARAMS, f, ()):
            a.kind, a.pyname = "out_address", None
            return a
        elif p.name in self.override(overrides.INOUT, f, ()) and t.depth == 1:
            inner = t.pointee()
            a.kind, a.int_type, a.inout = "inout_count", self.int_type(inner), True
            if self.handle_kind(inner.base):
                a.kind, a.handle = "inout_value", inner.base
            elif self.is_enum(inner):
                a.kind, a.enum = "inout_enum", inner.base
            return a
        elif p.name in overrides.SIZE_OF.get(f.name, {}):
            a.kind, a.count, a.int_type, a.pyname, a.hidden = "typed_set_size", overrides.SIZE_OF[f.name][p.name], \
                self.int_type(t.pointee()), None, True
            return a
        elif filled and self.lib.style == "tuple" and t.depth == 1 and self.int_type(t.pointee()):
            a.kind, a.int_type, a.inout = "inout_count", self.int_type(t.pointee()), True
            return a
        elif out and self.lib.style == "tuple" and t.depth == 1 and t.pointee().base != "char" \
                and (self.count_param(f, i) or p.name in self.override(overrides.FIXED_LENGTHS, f, {})):
            inner = t.pointee()
            a.count = self.count_param(f, i)
            a.size = self.override(overrides.FIXED_LENGTHS, f, {}).get(p.name)
            if self.struct_name(inner):
                a.kind, a.struct = "out_struct_array", self.struct_name(inner)
            elif self.handle_kind(inner.base):
                a.kind, a.handle, a.int_type = "out_handle_array", inner.base, self.int_type(inner)
            elif self.int_type(inner) or self.is_enum(inner) or self.is_float(inner):
                a.kind, a.int_type, a.enum = "out_value_array", self.int_type(inner), \
                    inner.base if self.is_enum(inner) else None
            else:
                raise unsupported()
        elif t.base in overrides.CALLBACKS and not t.ptrs and self.callback_data(f):
            a.kind, a.handle, a.user = "callback", t.base, self.callback_data(f)
        elif p.name == self.callback_data(f) and any(q.type.base in overrides.CALLBACKS for q in f.params):
            a.kind = "callback_data"
        elif self.is_funcptr(t):
            if not t.ptrs and t.base in self.h.typedefs and self.lib.style == "tuple":
                a.kind, a.handle = "handle", t.base
            else:
                a.kind = "funcptr"
        elif not t.ptrs:
            kind = self.handle_kind(t.base) if self.lib.style == "tuple" else None
            if self.is_enum(t):
                a.kind, a.enum = "enum", t.base
            elif kind == "pointer" or (kind is None and self.is_handle(t)):
                a.kind, a.handle = "handle", t.base
            elif kind:
                a.kind, a.handle, a.int_type = "handle_int", t.base, self.int_type(t)
            elif self.int_type(t):
                a.kind, a.int_type = "int", self.int_type(t)
            elif self.is_float(t):
                a.kind, a.int_type = "float", self.h.resolve(t).base
            elif self.struct_name(t):
                a.kind, a.struct = "struct_val", self.struct_name(t)
            elif self.h.resolve(t).ptrs:
                a.kind = "address"
            else:
                raise unsupported()
        elif t.depth == 1:
            inner = t.pointee()
            kind = self.handle_kind(inner.base) if not inner.ptrs else None
            size = self.size_after(f, i) if self.lib.style != "tuple" else None
            if inner.base in ("void", "char") and t.const and size:
                a.kind, a.size_arg = "buffer_in", size
            elif inner.base == "char" and t.const:
                a.kind = "cstr"
                a.nullable = bool(_NULLABLE_DOC.search(p.doc or "")) and \
                    p.name not in self.override(overrides.NOT_NULLABLE_STRINGS, f, ())
            elif inner.base == "char" and out and self.lib.style == "tuple" and (
                    self.count_param(f, i) or p.name in self.override(overrides.FIXED_LENGTHS, f, {})):
                a.kind, a.count = "out_chars", self.count_param(f, i)
                a.size = self.override(overrides.FIXED_LENGTHS, f, {}).get(p.name)
            elif inner.base in ("char", "void") and not t.const and out:
                if self.lib.style == "tuple" and inner.base == "void":
                    raise unsupported()  # typed by another argument (an attribute): not modelled yet
                a.kind = "buffer_out"
                q = overrides.BUFFER_SIZE_QUERIES.get(f.name, f.name + "Size")
                a.size_query = q if q in self.h.functions else None
                buf, size = self.override(overrides.BUFFER_SIZE_ARGS, f, (None, None))
                if p.name == buf:
                    a.size_arg = size
            elif inner.base == "void" and t.const and self.lib.style != "tuple":
                a.kind = "buffer_in"
            elif inner.base in ("void", "char"):
                a.kind = "host_ptr" if self.lib.style == "tuple" else "address"
            elif kind == "pointer" or (kind is None and self.is_handle(inner)):
                a.handle = inner.base
                if out:
                    a.kind = "out_handle"
                else:
                    array_or_one("handle_array", "inout_handle")
            elif kind:
                a.handle, a.int_type = inner.base, self.int_type(inner)
                if out:
                    a.kind = "out_handle"
                else:
                    a.kind, a.count = "value_array", self.count_param(f, i)
            elif self.struct_name(inner):
                a.struct = self.struct_name(inner)
                if out:
                    a.kind = "out_struct"
                else:
                    array_or_one("struct_array", "struct_in")
            elif self.is_enum(inner):
                a.enum = inner.base
                if out:
                    a.kind = "out_enum"
                else:
                    a.kind, a.count = "value_array", self.count_param(f, i)
            elif self.int_type(inner) and array_len:
                a.kind, a.int_type, a.size_query = "out_int_array", self.int_type(inner), array_len
            elif self.int_type(inner) and out:
                a.kind, a.int_type = "out_int", self.int_type(inner)
            elif self.int_type(inner) and self.lib.style == "tuple":
                a.kind, a.int_type, a.count = "value_array", self.int_type(inner), self.count_param(f, i)
            elif self.is_float(inner) and out:
                a.kind, a.int_type = "out_float", self.h.resolve(inner).base
            else:
                raise unsupported()
            if a.kind == "value_array" and not a.count:
                raise unsupported()
            if a.count and " - " in self.override(overrides.ARRAY_COUNTS, f, {}).get(p.name, ""):
                a.count_less = int(self.override(overrides.ARRAY_COUNTS, f)[p.name].split(" - ")[1])
        elif t.depth == 2 and t.base == "char" and t.const:
            if out:
                a.kind = "out_cstr"
            else:
                a.kind = "cstr_list"
                # numOptions before the list, or optionsCount after it (nvFatbinCreate)
                counts = [q.name for j, q in enumerate(f.params) if self.int_type(q.type) and (
                    (j < i and q.name.lower().startswith("num")) or q.name == p.name + "Count")]
                a.count = counts[-1] if counts else None
                if not a.count:
                    raise UnsupportedParam("%s: no count for string list %s" % (f.name, p.name))
        elif t.depth == 2 and out and self.lib.style == "tuple" and t.base not in ("void", "char"):
            inner = t.pointee().pointee()
            a.count = self.count_param(f, i)
            if self.struct_name(inner):
                a.kind, a.struct = "out_borrowed_array", self.struct_name(inner)
            elif self.handle_kind(inner.base):
                a.kind, a.handle, a.int_type = "out_borrowed_array", inner.base, self.int_type(inner)
            else:
                raise unsupported()
        elif t.depth == 2 and t.base == "void" and self.lib.style == "tuple":
            if p.name in ("kernelParams", self.override(overrides.KERNEL_PARAMS, f)):
                a.kind = "kernel_params"
            elif out:
                a.kind = "out_address"
            elif self.count_param(f, i) and p.name != "extra":
                a.kind, a.count = "address_array", self.count_param(f, i)
            else:
                a.kind = "address"
        else:
            raise unsupported()
        return a

    def bind(self, f: Function) -> Binding:
        if self.py_facts and f.name not in self.py_facts["functions"]:
            raise UnsupportedParam("%s: no Python function in the reference" % f.name)
        args = [self.classify(f, i) for i in range(len(f.params))]
        if self.py_facts:
            args = self.rules.with_request_inputs(self, f, args)
            pyname = self.py_facts["functions"][f.name]["py"]
        elif self.lib.style == "pythonic":
            renamed = self.override(overrides.PYTHONIC_NAMES, f, {})
            for a in args:
                if a.pyname:
                    a.pyname = renamed.get(a.name) or snake(a.pyname)
            pyname = snake(f.name[len(self.lib.prefix):])
        else:
            pyname = f.name
        returns = self.rules.returns(self, f) if self.py_facts else None
        if returns is not None:
            pass
        elif f.ret.base == self.lib.status and not f.ret.ptrs:
            returns = "status"
        elif f.ret.base == "char" and f.ret.const and f.ret.depth == 1:
            returns = "cstr"
        elif self.lib.style == "tuple" and self.struct_name(f.ret):
            # cudaCreateChannelDesc: the value after the success status; the
            # inline make_cudaExtent-style helpers: the value alone
            returns = "struct" if f.name.startswith(self.lib.prefix) else "struct_only"
        else:
            raise UnsupportedParam("%s: return type %s" % (f.name, f.ret))
        b = Binding(f, pyname, args, returns, keep_gil=f.name in overrides.KEEP_GIL,
                    renamed=self.facts.renamed.get(f.name, ""))
        if self.lib.style == "pythonic":
            destroys = {a.name: self.destroyer(a.handle) for a in args if a.kind is KINDS["out_handle"]}
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
        """[(C name, Python name, [(member Python name, value, cparse.EnumMember)], doc)].

        An enum's tag (CUdevice_attribute_enum) is not a class of its own
        when a typedef names it; a typedef of another enum typedef
        (CUkernelNodeAttrID = CUlaunchAttributeID) is, with its members."""
        if hasattr(self, "_py_enums"):
            return self._py_enums
        if self.py_facts:
            self._py_enums = self.rules.py_enums(self)
            return self._py_enums
        out = []
        enums = [e for e in self.h.enums.values() if e.name not in self.h.typedefs]
        enums += [type(e)(n, e.members, e.doc) for n, t in self.h.typedefs.items()
                  if n not in self.h.enums and not t.ptrs and t.func is None
                  for e in [self.h.enums.get(t.base)] if e is not None]
        for e in enums:
            if not e.name or not e.members:
                continue
            pyname, strip = self.lib.enum_names.get(e.name, (e.name, ""))
            members = []
            # in the order of their values, as NVIDIA's classes list them
            # (names of one value in header order: the first is the member)
            for m in sorted(e.members, key=lambda m: m.literal):
                mname = m.name[len(strip):] if strip and m.name.startswith(strip) else m.name
                members.append((mname, m.value, m))
            out.append((e.name, pyname, members, e.doc))
        self._py_enums = out
        return out

    def enum_ref(self, cname):
        """ENUM_<name>: enum `cname`'s index in the module's enum table, in C."""
        if cname not in (e[0] for e in self.py_enums()):
            raise KeyError("%s: no enum %s" % (self.lib.key, cname))
        return "ENUM_" + cname

    def handles(self):
        """Handle classes, in header order: for tuple-style modules every
        handle-like typedef of the headers (the reference has a class for
        each); for pythonic ones only those the bindings use (as ints)."""
        if self.lib.style == "tuple":
            return [n for n in self.h.typedefs if self.handle_kind(n)]
        used = {a.handle for b in self.bindings for a in b.args if a.handle}
        return [n for n in self.h.typedefs if n in used]

    def canon(self, t: CType):
        """A parameter type for matching prototypes: typedef aliases of the
        base followed (CUdeviceptr_v2 == CUdeviceptr), const ignored."""
        r = self.h.resolve(CType(t.base))
        return (r.base, len(r.ptrs) + len(t.ptrs), r.func is not None or t.func is not None)

    def abi_version(self, f: Function):
        """(base name, K) of f's ABI: cuGraphAddNode_v3 -> (cuGraphAddNode, 3);
        cuGraphAddNode, which cuda.h defines as cuGraphAddNode_v2 -> 2; 1 without a suffix."""
        target = self.h.defines.get(f.name, "")
        named = target if re.fullmatch(r"%s_v\d+" % re.escape(f.name), target) else f.name
        m = re.fullmatch(r"(\w+?)_v(\d+)", named)
        return (m.group(1), int(m.group(2))) if m else (named, 1)

    def proc_symbol(self, f: Function):
        """(name for cuGetProcAddress, version, per-thread-default-stream
        version): the PFN typedefs whose parameters match f's prototype.

        cuda.h may declare f under a versioned name (cuCtxSynchronize_v2)
        or map it by macro to another entry point (cuGraphInstantiate ->
        cuGraphInstantiateWithFlags); cuGetProcAddress wants the base name
        and the version.  Where ABI versions share one prototype
        (cuGraphAddNode_v2 and _v3, PFN_cuGraphAddNode_v12030 and _v13040),
        the oldest declared takes the oldest matching PFN version, and so on
        up, the newest the newest.  Version 0 means none matched (CUDA_VERSION then)."""
        want = [self.canon(p.type) for p in f.params]
        target = self.h.defines.get(f.name, "")
        names = [f.name, re.sub(r"_v\d+$", "", target), re.sub(r"_v\d+$", "", f.name)]
        for name in [n for n in names if re.fullmatch(r"\w+", n)]:
            found = {"": [], "ptds": []}
            for n, t in self.pfn.items():
                m = re.fullmatch(r"PFN_%s_v(\d+)(_ptds|_ptsz)?" % re.escape(name), n)
                if m and t.func is not None and [self.canon(p.type) for p in t.func.params] == want:
                    found["ptds" if m.group(2) else ""].append(int(m.group(1)))
            if not found[""]:
                continue
            base, k = self.abi_version(f)
            same = sorted(kk for g in self.h.functions.values()
                          for b, kk in [self.abi_version(g)]
                          if b == base and [self.canon(p.type) for p in g.params] == want)
            rank = len(same) - 1 - same.index(k)   # 0 for the newest of them

            def pick(versions):
                versions = sorted(versions, reverse=True)
                return versions[min(rank, len(versions) - 1)] if versions else 0
            return name, pick(found[""]), pick(found["ptds"])
        return f.name, 0, 0

    def constants(self):
        """Object-like macros with the library's prefixes whose value is an
        integer, possibly behind a cast (`((CUstream)0x1)`) or naming an
        enum member (CU_KERNEL_NODE_ATTRIBUTE_* = CU_LAUNCH_ATTRIBUTE_*)."""
        if self.py_facts:   # the reference's names (NVML_ dropped), the header's values
            return self.rules.constants(self)
        members = {m.name: m.value for e in self.h.enums.values() for m in e.members}
        out = []
        for name, value in list(self.h.defines.items()) * 2:  # twice: a macro may name a later one
            if not name.startswith(tuple(self.lib.constant_prefixes)) or name.startswith("__"):
                continue
            text = re.sub(r"\(\s*[A-Za-z_]\w*(\s+\w+)*\s*\*?\s*\)(?=\s*[-\w(])", "", value or "")
            text = re.sub(r"[()\s]", "", text)
            if name in members or name in dict(out):
                continue
            if text in members or text in dict(out):
                members[name] = members[text] if text in members else dict(out)[text]
                out.append((name, members[name]))
            elif re.fullmatch(r"-?(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", text):
                out.append((name, int(re.sub(r"[uUlL]", "", text), 0)))
            elif re.fullmatch(r"~(0[xX][0-9a-fA-F]+|\d+)[uU]([lL]{0,2})", text):  # (~0u): every bit of the type
                bits = 64 if "l" in text.lower() else 32   # LP64: long is 64 bits
                out.append((name, ~int(re.sub(r"[~uUlL]", "", text), 0) & (2 ** bits - 1)))
        return out
