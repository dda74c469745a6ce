"""Struct classes of cuda.bindings.nvml: tables for csrc/cb_record.

emit(header) is C text, placed in the generated module after nvml.h is
included: `enum { RECORD_<C type>, ... }` (the index of each class) and
`static const cb_record_def nvml_records[]` with one cb_record_field table
per class.  Everything is read from the parsed header; records_overrides.py
holds what NVIDIA's generator chose and the header cannot say.

The classes, as NVIDIA's cuda.bindings.nvml has them:
* one per struct or union typedef nvmlX_t (the last name where one
  typedef declares several), named X, less records_overrides.NO_CLASS;
* one per untagged struct or union member, named _py_anon_pod<N>;
* array classes (records_overrides.ARRAY_CLASSES) hold n items in a numpy
  array; the others one item in C memory of their own.

A field is named as its member in snake case (NVIDIA's rule: memorySizeMB
is memory_size_mb, BAR1Memory ba_r1memory), with an underscore after a name
numpy's ndarray has (device_).  A member that counts another's items
(records_overrides.COUNTS) and a reserved array are in the dtype only.
Sizes and offsets are sizeof/offsetof expressions: the C compiler decides
the layout, and the dtype is made from the same numbers.
"""
import re

from . import cparse
from . import records_overrides as overrides
from .common import c_string

# C integer types by spelling: (bytes, signed, Cython's name in its messages).
INTS = {
    "char": (1, True, "char"), "signed char": (1, True, "signed char"),
    "unsigned char": (1, False, "unsigned char"),
    "short": (2, True, "short"), "unsigned short": (2, False, "unsigned short"),
    "int": (4, True, "int"), "unsigned int": (4, False, "unsigned int"), "unsigned": (4, False, "unsigned int"),
    "long": (8, True, "long"), "unsigned long": (8, False, "unsigned long"),
    "long long": (8, True, "PY_LONG_LONG"), "signed long long": (8, True, "PY_LONG_LONG"),
    "unsigned long long": (8, False, "unsigned PY_LONG_LONG"),
    # cuFile's and cuDLA's (LP64 Linux)
    "size_t": (8, False, "size_t"), "ssize_t": (8, True, "ssize_t"), "off_t": (8, True, "off_t"),
    "int8_t": (1, True, "int8_t"), "uint8_t": (1, False, "uint8_t"), "int16_t": (2, True, "int16_t"),
    "uint16_t": (2, False, "uint16_t"), "int32_t": (4, True, "int32_t"), "uint32_t": (4, False, "uint32_t"),
    "int64_t": (8, True, "int64_t"), "uint64_t": (8, False, "uint64_t"),
}
# NVIDIA's dtypes take `unsigned long` as 4 bytes ('<u4', nvmlValue_t.ulVal),
# though the C member (and the class's field) is 8 on Linux.
DTYPE_SIZE = {"unsigned long": 4, "long": 4}
FLOATS = {"double": "<f8", "float": "<f4"}

# cb_record_kind values (csrc/cb_record_def.h), what each field is.
KINDS = ("INT", "FLOAT", "CHARS", "NUMS", "STRUCT", "PTR_STRUCTS", "PTR_NUMS", "CSTRING", "ADDRESS", "PTR_ADDRS")


def snake(name):
    """NVIDIA's snake case: a break between a lower-case letter and a
    capital, and between two capitals where the second starts a word
    (ARRMode: arr_mode), a digit counting as lower case there (BAR1Memory:
    ba_r1memory; Bar1Info: bar1info)."""
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z0-9])", "_", s)
    return s.lower()


def py_field_name(struct, member, rules=overrides.NVML):
    name = rules.names.get((struct, member)) or snake(member)
    return name + "_" if name in rules.ndarray_attributes else name


def class_name(c_name, rules=overrides.NVML):
    """nvmlMemory_v2_t -> Memory_v2 (cudlaTask -> Task)."""
    name = rules.class_name(c_name)
    assert name, c_name
    return name


def dtype_name(cls):
    """Memory_v2 -> memory_v2_dtype; _py_anon_pod0 -> _py_anon_pod0_dtype."""
    return (cls if cls.startswith("_") else snake(cls)) + "_dtype"


def _plain(base):
    for kw in ("struct ", "union ", "enum "):
        if base.startswith(kw):
            return base[len(kw):]
    return base


class Member:
    """One member of a record, as the tables say it."""

    def __init__(self, rec, field, index):
        self.rec, self.c = rec, field
        self.index = index
        self.name = py_field_name(rec.root.c_name, field.name, rec.root.rules) if field.name else ""
        self.count_of = None       # the Member this one counts
        self.count = None          # the Member counting this one
        self.hidden = False
        self.kind = None
        self.ref = None            # the Record of a struct element
        self.fmt = None            # numpy format of one element
        self.int = None            # INTS entry
        self.length = 0            # fixed array length expression, 0 for one element

    @property
    def path(self):
        return self.rec.path + [self.c.name]


class Record:
    """One class: a struct typedef or an anonymous member."""

    def __init__(self, c_name, struct, parent=None, member=None, rules=overrides.NVML):
        self.c_name, self.struct = c_name, struct
        self.rules = rules
        self.parent, self.member = parent, member   # anonymous: the enclosing record and its cparse.Field
        self.name = None
        self.members = []
        self.array = False
        self.version = None

    @property
    def anon(self):
        return self.parent is not None

    @property
    def root(self):
        return self.parent.root if self.anon else self

    @property
    def path(self):
        """Member designators from the root C type to this record's value."""
        if not self.anon:
            return []
        f = self.member
        return self.parent.path + [f.name + ("[0]" if f.type.array else "")]

    def size_expr(self):
        if not self.anon:
            return "sizeof(%s)" % self.c_name
        return "sizeof(((%s *)0)->%s)" % (self.root.c_name, ".".join(self.path))

    def offset_expr(self, member):
        if not self.anon:
            return "offsetof(%s, %s)" % (self.c_name, member)
        inner = ".".join(self.path)
        return "(offsetof(%s, %s.%s) - offsetof(%s, %s))" % (self.root.c_name, inner, member,
                                                              self.root.c_name, inner)

    def member_size_expr(self, m):
        """One element: of an array, the pointee of a pointer to numbers."""
        ref = "((%s *)0)->%s" % (self.root.c_name, ".".join(self.path + [m.c.name]))
        if m.kind in ("PTR_NUMS", "PTR_ADDRS"):
            return "sizeof(*%s)" % ref
        return "sizeof(%s%s)" % (ref, "[0]" if m.c.type.array else "")

    @property
    def enum_name(self):
        return "RECORD_" + (self.name if self.anon else self.c_name)


def _typedef_classes(h, rules):
    """The struct typedefs that are classes, in header order: per struct the
    last typedef name declared for it (`} nvmlProcessInfo_v2_t,
    nvmlProcessInfo_t;`), tags and NO_CLASS left out."""
    by_struct = {}
    for name in dict.fromkeys(list(h.structs) + list(h.typedefs)):
        s = struct_named(h, name)
        if s is None or name not in h.typedef_names or not rules.class_name(name):
            continue
        key = s.tag or name
        by_struct[key] = name   # a later name of the same struct replaces it
    return [n for n in by_struct.values() if n not in rules.no_class]


def struct_named(h, name):
    """The struct a typedef name defines (`typedef struct X {...} name;`) or
    aliases (`typedef struct X name;`, cuDLA's), or None."""
    if name in h.structs:
        return h.structs[name]
    t = h.typedefs.get(name)
    if t is None or t.ptrs or t.array or not t.base.startswith(("struct ", "union ")):
        return None
    return h.structs.get(t.base.split(" ", 1)[1])


def class_names(h, rules=overrides.NVML):
    """The Python names of the typedef classes (Memory_v2, IOVec), without classifying their members."""
    return {class_name(n, rules) for n in _typedef_classes(h, rules)}


def class_of(h, type_name, rules=overrides.NVML):
    """The C name of the class (its last typedef name) whose struct a type
    name resolves to, or None where that struct has no class."""
    from .cparse import CType
    r = h.resolve(CType(type_name))
    tag = r.base.split(" ", 1)[1] if r.base.startswith(("struct ", "union ")) else r.base
    s = h.structs.get(tag)
    if s is None or r.ptrs:
        return None
    for name in _typedef_classes(h, rules):
        named = struct_named(h, name)
        if named is s or (s.tag and named.tag == s.tag):
            return name
    return None


def has_counted_pointers(h, c_name, rules=overrides.NVML):
    """Whether class c_name's struct points to items a member of it counts
    (nvmlVgpuTypeIdInfo_v1_t's vgpuTypeIds of vgpuCount)."""
    if getattr(h, "_counted_pointers", None) is None:
        h._counted_pointers = {r.c_name for r in records(h, rules) if not r.anon and any(
            m.kind in ("PTR_NUMS", "PTR_STRUCTS", "PTR_ADDRS") and m.count is not None for m in r.members)}
    return c_name in h._counted_pointers


def pyi(h, rules=overrides.NVML):
    """The .pyi text of the struct classes and the module-level dtypes."""
    out = []
    for r in records(h, rules):
        if r.anon:
            continue
        out.append("class %s:\n    def __init__(self, *args: Any, **kwargs: Any) -> None: ...\n" % r.name)
        out.append("    def __int__(self) -> int: ...\n")
        if r.array:
            out.append("    def __len__(self) -> int: ...\n    def __getitem__(self, key: Any, /) -> Any: ...\n")
        out.append("    def __setitem__(self, key: Any, value: Any, /) -> None: ...\n")
        for m in ("from_buffer", "from_data", "from_ptr"):
            out.append("    @classmethod\n    def %s(cls, *args: Any, **kwargs: Any) -> %s: ...\n" % (m, r.name))
        out.append("    @property\n    def ptr(self) -> int: ...\n")
        for m in r.members:
            if not m.hidden and m.name:
                out.append("    %s: Any\n" % m.name)
        out.append("\n")
    out += ["%s: Any\n" % dtype_name(r.name) for r in records(h, rules) if not r.anon]
    return "".join(out) + "\n"


def records(h, rules=overrides.NVML):
    """Every class (Record), with its members classified."""
    recs = [Record(n, struct_named(h, n), rules=rules) for n in _typedef_classes(h, rules)]
    by_c = {r.c_name: r for r in recs}
    by_tag = {r.struct.tag: r for r in recs if r.struct.tag}
    # anonymous members, numbered in header order (ANON_NUMBERS aside)
    anons = []

    def walk(rec):
        for f in rec.struct.fields:
            if f.nested is not None and f.name:
                a = Record(None, f.nested, rec, f, rules)
                a.key = (rec.root.c_name, ".".join(rec.path + [f.name]))
                anons.append((rec, f, a))
                walk(a)
    for r in recs:
        walk(r)
    fixed = set(rules.anon_numbers.values())
    numbers = (n for n in range(10 ** 6) if n not in fixed)
    for _, _, a in sorted(anons, key=lambda t: _line(h, t[0])):
        a.number = rules.anon_numbers.get(a.key)
        if a.number is None:
            a.number = next(numbers)
        a.name = "_py_anon_pod%d" % a.number
    for r in recs:
        r.name = class_name(r.c_name, rules)
        r.array = rules.is_array(r.c_name)
        macro = r.c_name[:-2]
        r.version = macro if "NVML_STRUCT_VERSION" in h.defines.get(macro, "") else None
    anon_of = {}
    for parent, f, a in anons:
        a.array = rules.is_array(a.key)
        anon_of[(id(parent), f.name)] = a
    all_recs = recs + [a for _, _, a in sorted(anons, key=lambda t: t[2].number)]
    for r in all_recs:
        _classify(h, r, by_c, by_tag, anon_of)
    return all_recs


def _line(h, rec):
    """Order of a record's declaration in the header (the parse keeps it)."""
    root = rec.root
    return list(h.structs).index(root.c_name)


def _classify(h, rec, by_c, by_tag, anon_of):
    counts = rec.rules.counts.get(rec.c_name, {}) if not rec.anon else {}
    rec.members = [Member(rec, f, i) for i, f in enumerate(rec.struct.fields)]
    by_member = {m.c.name: m for m in rec.members}
    for array, count in counts.items():
        a, c = by_member[array], by_member[count]
        a.count, c.count_of = c, a
        c.hidden = True
    for m in rec.members:
        t = m.c.type
        m.length = t.array[0] if t.array else 0
        if m.c.nested is not None:
            m.kind, m.ref = "STRUCT", anon_of[(id(rec), m.c.name)]
            continue
        if m.c.name == "reserved" and t.array:
            m.hidden = True   # NVIDIA's classes show no reserved array (Memory_v2.reserved is no array)
        r = h.resolve(cparse.CType(t.base, t.const)) if not t.ptrs else t
        base = _plain(r.base)
        target = by_c.get(t.base) or by_tag.get(_plain(t.base))
        if t.ptrs:
            pointee = h.resolve(cparse.CType(t.base, t.const))
            if t.depth == 1 and target is not None and (m.count is not None or not rec.root.rules.addresses_uncounted):
                m.kind, m.ref = "PTR_STRUCTS", target
            elif t.depth == 1 and pointee.base == "char" and t.const:
                m.kind = "CSTRING"
            elif t.depth == 1 and m.count is not None and pointee.base in INTS:
                m.kind, m.int = "PTR_NUMS", INTS[pointee.base]
            elif t.depth == 2 and m.count is not None:   # counted addresses (cudlaTask's tensors): intptr_t items
                m.kind, m.int = "PTR_ADDRS", INTS["int64_t"]
            else:
                m.kind = "ADDRESS"
            m.fmt = "<i8"   # a pointer, in the dtype
        elif target is not None:
            m.kind, m.ref = "STRUCT", target
        elif r.ptrs:            # a handle typedef (nvmlDevice_t)
            m.kind, m.fmt = "ADDRESS", "<i8"
        elif t.base in h.enums or base in h.enums:
            m.kind, m.int, m.fmt = "INT", (4, True, "int"), "<i4"
        elif base in FLOATS:
            m.kind, m.fmt = "FLOAT", FLOATS[base]
        elif base in INTS:
            m.int, m.fmt = INTS[base], _int_format(base)
            m.kind = "CHARS" if t.array and base == "char" else "NUMS" if t.array else "INT"
        else:
            raise ValueError("%s.%s: no kind for %s" % (rec.c_name, m.c.name, t))


def _int_format(base):
    size, signed, _ = INTS[base]
    size = DTYPE_SIZE.get(base, size)
    return ("%s%s%d" % ("" if size == 1 else "<", "i" if signed else "u", size))


def _define_values(h):
    """The integer #defines of the header, by name (for the docs' lengths)."""
    values = {}
    for _ in range(3):   # defines made of later defines
        for name, text in h.defines.items():
            try:
                values[name] = cparse.eval_int(text, values)
            except ValueError:
                pass
    return values


def _length(h, m):
    """A fixed array's length as a number (the docs say it so)."""
    if _define_values.cache.get("h") is not h:
        _define_values.cache = {"h": h, "values": _define_values(h)}
    try:
        return cparse.eval_int(m.length, _define_values.cache["values"])
    except ValueError:
        return m.length


_define_values.cache = {}


def _pytype_doc(h, rec, m):
    """The start of a field's __doc__, as NVIDIA's writes it."""
    if m.kind == "STRUCT" and rec.array and m.count is not None:
        return m.ref.name    # read as objects of the class (a tuple of them per item)
    if m.kind == "STRUCT" and rec.array and m.length:
        return "%s: (array of length %s)." % (dtype_name(m.ref.name), _length(h, m))
    if m.kind == "STRUCT" and rec.array:
        return dtype_name(m.ref.name)
    if m.kind == "STRUCT":
        return m.ref.name
    if m.c.type.array:
        np_name = {"i1": "int8", "u1": "uint8", "<u4": "uint32", "<i4": "int32", "<u8": "uint64",
                   "<u2": "uint16", "<i8": "int64"}[m.fmt]
        return "~_numpy.%s: (array of length %s)." % (np_name, _length(h, m))
    if rec.array and m.kind in ("ADDRESS", "CSTRING", "PTR_NUMS", "PTR_STRUCTS", "PTR_ADDRS"):
        return "Union[~_numpy.intp, int]"
    if rec.array:
        np_name = {"i1": "int8", "u1": "uint8", "<u4": "uint32", "<i4": "int32", "<u8": "uint64",
                   "<u2": "uint16", "<i8": "int64", "<f8": "float64"}[m.fmt]
        return "Union[~_numpy.%s, int]" % np_name
    if m.kind == "FLOAT":
        return "float"
    if m.kind == "CSTRING" or (m.kind == "ADDRESS" and m.c.type.ptrs and "char" in m.c.type.base):
        return "str"
    return "int"


def _field_doc(h, rec, m):
    head = _pytype_doc(h, rec, m)
    text = m.c.doc or ""
    return head + ("" if head.endswith(".") else ": ") + text


def _length_expr(m):
    return "(Py_ssize_t)(%s)" % m.length if m.length else "0"


def emit(model, rules=overrides.NVML):
    """The C tables of every class (see the module's doc)."""
    h = model.h
    recs = records(h, rules)
    index = {id(r): i for i, r in enumerate(recs)}
    out = ["/* Generated by gen/emit_records.py from %s. Do not edit. */" % model.lib.headers[-1], "",
           "enum {"]
    out += ["    %s," % r.enum_name for r in recs]
    out += ["    RECORD_COUNT_", "};", ""]
    for r in recs:
        rows = []
        for m in r.members:
            isize = m.int[0] if m.int else 0
            signed = int(bool(m.int and m.int[1]))
            rows.append("    {%s, %s, %s, %s, %s, CB_REC_%s, %d, %d, %s, %s, %d, %d, %d}," % (
                c_string(m.name), c_string(_field_doc(h, r, m)), r.offset_expr(m.c.name),
                r.member_size_expr(m), _length_expr(m), m.kind, signed, m.hidden,
                c_string(m.int[2]) if m.int else "NULL", c_string(m.fmt),
                index[id(m.ref)] if m.ref is not None else -1,
                m.count.index if m.count is not None else -1, isize))
        out.append("static const cb_record_field recfields_%s[] = {" % r.name)
        out += rows
        out += ["};", ""]
    out.append("static const cb_record_def %s_records[] = {" % rules.key)
    for r in recs:
        # a struct its typedef only aliases (`typedef struct X_t X;`, cuDLA's) is named by its tag, as NVIDIA's
        c_doc_name = (r.c_name if r.c_name in h.structs else r.struct.tag) if not r.anon else \
            "cuda_bindings_%s__anon_pod%d" % (rules.key, r.number)
        out.append("    {%s, %s, %s, %s, recfields_%s, %d, %s, %d}," % (
            c_string(r.name), c_string(c_doc_name), c_string(dtype_name(r.name)), r.size_expr(),
            r.name, len(r.members), "(unsigned int)(%s)" % r.version if r.version else "0", int(r.array)))
    out += ["};", ""]
    return "\n".join(out) + "\n"


def module_text(model, rules=overrides.NVML):
    """(C text, cb_module_def fields) adding the struct classes to a module:
    the tables, and the exec and attribute hooks (exec `extra_exec`, a
    function of the module run after the classes are added, where given)."""
    text = '#include "cb_record.h"\n\n' + emit(model, rules) + (
        "\nstatic int\nrecords_exec(PyObject *module)\n{\n"
        "    return cb_record_add_types(module, %s_records, RECORD_COUNT_);\n}\n\n" % rules.key)
    fields = "    .exec_extra = records_exec,\n"
    return text, fields


def dtype_descriptions(h, rules=overrides.NVML):
    """{dtype name: (names, [offset-free description of members], itemsize
    expression)}: what the tests compare with NVIDIA's dtypes; offsets come
    from the compiler, so the tests read them from the built module."""
    out = {}
    for r in records(h, rules):
        out[dtype_name(r.name)] = [m.name or m.c.name for m in r.members]
    return out
