"""Struct and union classes of a tuple-style module: tables for csrc/cb_struct.

tables(model) is C text placed in the generated Python module before the
function shims; def_fields(model) adds its entries to the module's
cb_module_def.  Empty for libraries without struct classes.

Classes, as NVIDIA's bindings have them:
* one per tagged struct or union (CUDA_MEMCPY2D_st), with its fields;
* one per typedef name of it, a subclass sharing the layout
  (CUDA_MEMCPY2D_v2(CUDA_MEMCPY2D_st), CUDA_MEMCPY2D(CUDA_MEMCPY2D_v2));
* one per untagged struct/union member (CUDA_RESOURCE_DESC_st.res), named
  anon_struct<N> / anon_union<N>, numbered per keyword in header order,
  inner ones first.  A C11 anonymous member (no name) is numbered too, but
  its fields are the parent's own and it gets no class.

Every size, offset and count is a sizeof/offsetof expression on the real C
types, so the C compiler, not this generator, decides the layout.  The
generated text is tables only: per root class a cb_field_def table and the
PyGetSetDef table that exposes it.
"""
import functools
import re

from . import overrides
from .common import c_string
from .cparse import CType
from .kinds import INT_TYPES

CHAR_TYPES = ("char", "signed char", "unsigned char")

# char arrays that hold a NUL-terminated string rather than raw bytes: read as
# the bytes before the NUL, as NVIDIA's classes return them (b'NVIDIA H100').
C_STRINGS = {("cudaDeviceProp", "name")}


def _plain(base):
    """'struct X' -> 'X'."""
    for kw in ("struct ", "union ", "enum "):
        if base.startswith(kw):
            return base[len(kw):]
    return base


def _pointer_kind(t):
    """A pointer member as NVIDIA's classes take and show it: `void *` (and
    function pointers) as an address, another data pointer as an int that
    also takes a buffer, a pointer to pointers as an int only."""
    if t.func is not None or (t.base == "void" and t.depth == 1):
        return "CB_FIELD_ADDRESS"
    return "CB_FIELD_POINTER" if t.depth == 1 else "CB_FIELD_POINTER_INT"


def _hidden(name, kind):
    """A member NVIDIA's classes do not show (overrides.HIDDEN_FIELDS)."""
    return bool(re.fullmatch(overrides.HIDDEN_FIELDS, name)
                or kind == "struct" and re.fullmatch(overrides.HIDDEN_STRUCT_FIELDS, name))


class Class:
    """One Python class and the C type behind it."""

    def __init__(self, name, base=None, ctype=None, root=None, path="", struct=None):
        self.name = name
        self.base = base        # the class this typedef name aliases, or None
        self.ctype = ctype      # a C type name, or None for an untagged member
        self.root = root        # untagged member: the named C type that contains it
        self.path = path        # untagged member: its member path in `root`
        self.struct = struct    # cparse.Struct whose fields this class shows (roots)
        self.fields = []        # [Field rows], roots only
        self.index = -1

    def member(self, path):
        """A C expression of the member at `path` (for sizeof)."""
        if self.ctype is not None:
            return "((%s *)0)->%s" % (self.ctype, path)
        return "((%s *)0)->%s.%s" % (self.root, self.path, path)

    def offset(self, path):
        if self.ctype is not None:
            return "offsetof(%s, %s)" % (self.ctype, path)
        return "offsetof(%s, %s.%s) - offsetof(%s, %s)" % (self.root, self.path, path, self.root, self.path)

    def size(self):
        if self.ctype is not None:
            return "sizeof(%s)" % self.ctype
        return "sizeof(((%s *)0)->%s)" % (self.root, self.path)

    def align(self):
        if self.ctype is not None:
            return "_Alignof(%s)" % self.ctype
        return "CB_ALIGNOF_EXPR(((%s *)0)->%s)" % (self.root, self.path)


class Row:
    """One field: the cb_field_def initializer's parts."""

    def __init__(self, name, doc, offset, size, count, kind, via="CB_VIA_INLINE", ref=-1, count_field=None):
        self.name, self.doc, self.offset, self.size, self.count = name, doc, offset, size, count
        self.kind, self.via, self.ref, self.count_field = kind, via, ref, count_field
        self.show = "CB_SHOW_VALUE"


class Structs:
    def __init__(self, model):
        self.m, self.h = model, model.h
        self.classes = {}       # name -> Class, in creation order
        self.anon = {}          # id(nested Struct) -> anon class name
        self.nested = set()     # tags of structs declared inside another
        self.handle_idx = {n: i for i, n in enumerate(model.handles())} if model.lib.style == "tuple" else {}
        if model.lib.style != "tuple":
            return
        self._roots()
        self._aliases()
        ordered = self._base_first()
        for i, c in enumerate(ordered):
            c.index = i
        self.ordered = ordered
        for c in ordered:
            if c.struct is not None:
                self._rows(c, c.struct, "")
                assert c.fields, "struct class %s without fields" % c.name
                names = [r.name for r in c.fields]   # a count field by its row's index
                for r in c.fields:
                    if r.count_field is not None:
                        r.count_field = names.index(r.count_field)

    # -- which classes -------------------------------------------------------
    def _roots(self):
        counters = {"struct": 0, "union": 0}
        seen = set()

        def number(s, owner):
            """Untagged members of s, inner ones first (NVIDIA's numbering)."""
            for f in s.fields:
                n = f.nested
                if n is not None and n.tag:
                    self.nested.add(n.tag)   # declared inside `s`: a view class, as the anon_* ones
                if n is None or n.tag:
                    continue
                number(n, owner)
                name = "anon_%s%d" % (n.kind, counters[n.kind])
                counters[n.kind] += 1
                self.anon[id(n)] = name
                if f.name:
                    self.pending.append((name, n, f))

        for key, s in self.h.structs.items():
            if id(s.fields) in seen or not s.fields:
                continue
            seen.add(id(s.fields))
            if s.tag and s.tag != key:
                continue   # a typedef name: an alias, below
            ctype = "%s %s" % (s.kind, key) if s.tag == key else key
            self.pending = []
            number(s, key)
            root = Class(key, ctype=ctype, struct=s)
            # Untagged members: a class each, located by their path in `root`.
            paths = {}
            self._paths(s, "", paths)
            for name, n, f in self.pending:
                self.classes[name] = Class(name, root=ctype, path=paths[id(n)], struct=n)
            self.classes[key] = root

    def _paths(self, s, prefix, out):
        for f in s.fields:
            n = f.nested
            if n is None or n.tag:
                continue
            path = prefix + f.name if f.name else prefix.rstrip(".")
            out[id(n)] = path
            self._paths(n, (path + ".") if path else "", out)

    def _aliases(self):
        for key, s in self.h.structs.items():
            if s.fields and s.tag and s.tag != key and s.tag in self.classes and key not in self.classes:
                self.classes[key] = Class(key, base=s.tag, ctype=key)
        grew = True
        while grew:   # typedef chains: CUkernelNodeAttrValue -> _v1 -> CUlaunchAttributeValue
            grew = False
            for name, t in self.h.typedefs.items():
                if name in self.classes or t.func is not None or t.ptrs or t.array:
                    continue
                if _plain(t.base) in self.classes:
                    self.classes[name] = Class(name, base=_plain(t.base), ctype=name)
                    grew = True
        for name in list(self.classes):   # a handle of that name wins; some have none
            if name in self.handle_idx or re.fullmatch(overrides.NOT_CLASSES, name):
                del self.classes[name]

    def _base_first(self):
        out, done = [], set()
        pending = list(self.classes.values())
        while pending:
            rest = [c for c in pending if c.base is not None and c.base not in done]
            for c in pending:
                if c not in rest:
                    out.append(c)
                    done.add(c.name)
            if len(rest) == len(pending):
                raise ValueError("struct classes with unknown bases: %s" % [c.name for c in rest])
            pending = rest
        return out

    # -- fields --------------------------------------------------------------
    def _rows(self, c, s, prefix):
        counted = overrides.STRUCT_ARRAY_COUNTS.get(c.name, {})
        for f in s.fields:
            if f.nested is not None and not f.name:
                self._rows(c, f.nested, prefix)   # C11 anonymous member: its fields are ours
                continue
            path = prefix + f.name
            M = c.member(path)
            row = self._classify(c, f, M, counted.get(f.name))
            row.name, row.doc, row.offset = f.name, f.doc, c.offset(path)
            if _hidden(f.name, s.kind):
                row.name, row.show = "_" + f.name, "CB_SHOW_HIDDEN"
            elif (c.name, f.name) in overrides.HEX_FIELDS:
                row.show = "CB_SHOW_HEX"
            c.fields.append(row)

    def _classify(self, c, f, M, count_field):
        t = f.type
        if f.nested is not None:
            return self._struct_row(f.nested.tag or self.anon[id(f.nested)], M)
        if t.array:
            assert len(t.array) == 1, "%s.%s: multi-dimensional array" % (c.name, f.name)
            elem = CType(t.base, t.const, t.ptrs, (), t.func)
            row = self._scalar(elem, "(%s)[0]" % M)
            row.count = "sizeof(%s) / sizeof((%s)[0])" % (M, M)
            if not elem.ptrs and self.h.resolve(elem).base in CHAR_TYPES:
                row.kind = "CB_FIELD_CSTRING" if (c.name, f.name) in C_STRINGS else "CB_FIELD_CHARS"
                row.ref = 1 if self.h.resolve(elem).base == "unsigned char" else -1   # its range: 0..255
            return row
        if t.func is None and len(t.ptrs) == 1:
            pointee = t.pointee()
            if (c.name, f.name) in overrides.POINTEE_FIELDS:
                row = self._scalar(pointee, "*" + M)
                row.via = "CB_VIA_POINTEE"
                return row
            if count_field:
                row = self._scalar(pointee, "*" + M)
                assert row.kind in ("CB_FIELD_STRUCT", "CB_FIELD_HANDLE"), (c.name, f.name)
                row.via, row.count_field = "CB_VIA_LIST", count_field
                return row
            if _plain(pointee.base) in self.classes and not pointee.ptrs:
                row = self._struct_row(_plain(pointee.base), "*" + M)
                row.via = "CB_VIA_LIST"   # of its own length, as NVIDIA's
                return row
        if t.depth == 2 and t.base == "void" and (f.name == "kernelParams" or
                                                   (c.name, f.name) in overrides.KERNEL_PARAMS_FIELDS):
            # As for the launch functions' parameter of that name (model.py).
            return Row(None, None, None, "sizeof(%s)" % M, "0", "CB_FIELD_KERNEL_PARAMS")
        if t.ptrs or t.func is not None:
            return Row(None, None, None, "sizeof(%s)" % M, "0", _pointer_kind(t))
        return self._scalar(t, M)

    def _struct_row(self, name, M):
        return Row(None, None, None, "sizeof(%s)" % M, "0", "CB_FIELD_STRUCT", ref=self.classes[name].index)

    def _scalar(self, t, M):
        size = "sizeof(%s)" % M

        def row(kind, ref=-1):
            return Row(None, None, None, size, "0", kind, ref=ref)
        if t.ptrs or t.func is not None:
            return row(_pointer_kind(t))
        if _plain(t.base) in self.classes:
            return row("CB_FIELD_STRUCT", self.classes[_plain(t.base)].index)
        e = self._enum(t.base)
        if e is not None:
            return row("CB_FIELD_ENUM", e)
        name = t.base
        while True:   # the first typedef in the chain that is a handle class: CUdeviceptr
            if name in self.handle_idx:
                return row("CB_FIELD_HANDLE", self.handle_idx[name])
            a = self.h.typedefs.get(name)
            if a is None or a.ptrs or a.func is not None or a.array:
                break
            name = a.base
        r = self.h.resolve(t)
        if r.ptrs or r.func is not None:
            return row(_pointer_kind(r))
        if r.base in INT_TYPES:
            return row("CB_FIELD_SIGNED" if INT_TYPES[r.base][0] else "CB_FIELD_UNSIGNED")
        if r.base in ("float", "double"):
            return row("CB_FIELD_FLOAT")
        if _plain(r.base) in self.classes:
            return row("CB_FIELD_STRUCT", self.classes[_plain(r.base)].index)
        e = self._enum(r.base)
        if e is not None:
            return row("CB_FIELD_ENUM", e)
        # Unknown to us: its bytes, so that nothing is hidden.
        r = Row(None, None, None, "1", "sizeof(%s)" % M, "CB_FIELD_CHARS")
        return r

    def _enum(self, base):
        """Index of the enum class for a C enum spelling, or None."""
        names = [e[0] for e in self.m.py_enums()]
        name = _plain(base)
        if name in names:
            return names.index(name)
        for n, t in self.h.typedefs.items():   # `enum X_enum` named by its typedef
            if not t.ptrs and _plain(t.base) == name and n in names:
                return names.index(n)
        return None


@functools.lru_cache(maxsize=None)
def structs(model):
    return Structs(model)


def classes(model):
    """Class names in table order (STRUCT_<name> is the index)."""
    return [c.name for c in structs(model).ordered] if model.lib.style == "tuple" else []


def ref_c(model, S, r):
    """A field's `ref` in C: the STRUCT_, ENUM_ or HANDLE_ index of the class
    its values are made of, or the number itself (a char array's range)."""
    if r.ref < 0:
        return "%d" % r.ref
    if r.kind == "CB_FIELD_STRUCT":
        return "STRUCT_%s" % S.ordered[r.ref].name
    if r.kind == "CB_FIELD_ENUM":
        return model.enum_ref(model.py_enums()[r.ref][0])
    if r.kind == "CB_FIELD_HANDLE":
        return "HANDLE_%s" % model.handles()[r.ref]
    return "%d" % r.ref


def tables(model):
    if not classes(model):
        return ""
    S = structs(model)
    key = model.lib.key
    out = ["/* Struct and union classes (csrc/cb_struct.h). */\n"]
    out.append("enum {\n%s};\n" % "".join("    STRUCT_%s,\n" % c.name for c in S.ordered))
    out.append("static const cb_struct_def structs[%d];   /* the field tables point at their owner */\n\n"
               % len(S.ordered))
    for c in S.ordered:
        if not c.fields:
            continue
        out.append("static const cb_field_def fields_%s[] = {\n" % c.name)
        for r in c.fields:
            out.append('    {"%s", &structs[STRUCT_%s], %s, %s, %s, %s, %s, %s, %d, %s},\n' % (
                r.name, c.name, r.offset, r.size, r.count, r.kind, r.via, ref_c(model, S, r),
                -1 if r.count_field is None else r.count_field, r.show))
        out.append("};\n")
        out.append("static PyGetSetDef getset_%s[] = {\n" % c.name)
        for i, r in enumerate(c.fields):
            setter = "NULL" if (c.name, r.name) in overrides.READ_ONLY_FIELDS else "cb_struct_set"
            out.append('    {"%s", cb_struct_get, %s, %s, (void *)&fields_%s[%d]},\n'
                       % (r.name, setter, c_string(r.doc) if r.doc else "NULL", c.name, i))
        out.append("    {NULL, NULL, NULL, NULL, NULL},\n};\n\n")
    for name, values in sorted(overrides.FRESH_VALUES.items()):
        if name in S.classes:
            ctype = S.classes[name].ctype
            out.append("static void\nfresh_%s(void *p)\n{\n%s}\n\n" % (name, "".join(
                "    ((%s *)p)->%s = %d;\n" % (ctype, path, v) for path, v in sorted(values.items()))))
    for name, (a, b) in sorted(overrides.PAIRED_LISTS.items()):
        if name not in S.classes:
            continue
        names = [r.name for r in S.classes[name].fields]
        method = "set_%s_%s" % (a, b)
        out.append("static PyObject *\npair_%s(PyObject *self, PyObject *const *args, Py_ssize_t nargs, "
                   "PyObject *kwnames)\n{\n    return cb_struct_set_pair(self, args, nargs, kwnames, &fields_%s[%d], "
                   "&fields_%s[%d], \"%s\");\n}\n\n" % (name, name, names.index(a), name, names.index(b), method))
        out.append("static PyMethodDef methods_%s[] = {\n"
                   "    {\"getPtr\", cb_struct_getPtr, METH_NOARGS, CB_STRUCT_GETPTR_DOC},\n"
                   "    {\"%s\", (PyCFunction)(void (*)(void))pair_%s, METH_FASTCALL | METH_KEYWORDS,\n"
                   "     \"%s($self, %s, %s)\\n--\\n\\nSet %s and %s together: they share this struct's count, "
                   "which becomes their length.\"},\n"
                   "    {NULL, NULL, 0, NULL},\n};\n\n" % (name, method, name, method, a, b, a, b))
    out.append("static const cb_struct_def structs[%d] = {\n" % len(S.ordered))
    for c in S.ordered:
        root = c.struct is not None
        r = c
        while r.base:   # an alias shows the doc of the struct it names
            r = S.classes[r.base]
        doc = r.struct.doc.text if r.struct.doc and r.struct.doc.text else ""
        out.append('    {"cuda.bindings.%s.%s", %s, %s, %s, %s, %d, %s, %d, %s, %s, %d},\n' % (
            key, c.name, c_string(doc), c.size(), c.align(),
            "fields_%s" % c.name if root else "NULL", len(c.fields),
            "getset_%s" % c.name if root else "NULL",
            S.classes[c.base].index if c.base else -1,
            "fresh_%s" % c.name if c.name in overrides.FRESH_VALUES else "NULL",
            "methods_%s" % c.name if c.name in overrides.PAIRED_LISTS else "NULL",
            c.ctype is None or c.name in S.nested))
    out.append("};\n\n")
    return "".join(out)


def def_fields(model):
    n = len(classes(model))
    return "    .structs = structs,\n    .nstructs = %d,\n" % n if n else ""
