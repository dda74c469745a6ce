"""Installed Cython declarations: cy<lib>.pxd (types, and the functions of
__pyx_capi__) and, for the tuple-style modules, <lib>.pxd (the layout of
the handle and struct classes).

What a consumer's cimport checks is fixed elsewhere: each function's
capsule signature string (gen/data/cython_capi.json) and each class's size
and field offsets (our C objects).  So the declarations here must make
Cython derive exactly those strings and offsets:

* Types of a header that consumers can include are declared in a
  `cdef extern from "<header>"` block under their C names, so a consumer's
  C code uses the real types.
* Types of the graphics-interop headers (which need GL, EGL or VDPAU headers
  that consumers may lack) and the GL/EGL/VDPAU types themselves (our
  prelude header declares them) are Cython's own module-level types: Cython
  then spells them `__pyx_t_4cuda_8bindings_8cy<lib>_<name>`, as the
  reference's signature strings do, and defines them in each consumer.
* A type C names by tag only (`enum cudaLimit`, `struct cudaExtent`) is a
  `cdef enum`/`cdef struct` (Cython then writes the keyword); a type name
  that is a macro in C (`#define cudaStreamAttrID cudaLaunchAttributeID`) is
  Cython's own typedef.  cython_names() tells the core these spellings.
* Struct members that are unnamed structs or unions get names of their own,
  anon_struct<N> / anon_union<N>, numbered as the reference numbers them
  (per kind, in header order, inner before outer); an unnamed member
  without a field name (a C11 anonymous member) is flattened into its parent.
"""
import keyword
import re

from . import cparse, emit_structs
from .cparse import CType
from .common import banner, cython_name, cuda_version, pxd_type, snapshot_signatures

INDENT = "    "

# Words that Cython will not take as a parameter name (C allows them).
_RESERVED = set(keyword.kwlist) | {"cdef", "cpdef", "ctypedef", "extern", "include", "gil", "nogil",
                                   "inline", "public", "api", "readonly", "struct", "union", "enum",
                                   "NULL", "sizeof", "const", "volatile", "print", "exec"}


def _safe(name):
    return name + "_" if name in _RESERVED else name


# --------------------------------------------------------------------------
# Where each declaration lives
# --------------------------------------------------------------------------

def block_of(model, name):
    """The header whose extern block declares `name`, or None for a
    Cython-level (module) declaration: ours (the prelude), an interop
    header's (which needs GL, EGL or VDPAU headers), or a macro naming a
    type (`#define cudaStreamAttrID cudaLaunchAttributeID`: no C typedef)."""
    lib = model.lib
    origin = model.h.origin
    if not origin:   # a header given as text
        return lib.headers[0]
    if name not in origin and name in model.h.defines:
        return None
    label = origin.get(name, lib.headers[0])
    if label is None or label in lib.interop_headers:
        return None
    return label if label in lib.headers else lib.headers[0]


# --------------------------------------------------------------------------
# Spelling types
# --------------------------------------------------------------------------

def _plain(base):
    """A C base type as Cython names it: tags drop their keyword (a tag is
    declared as `cdef struct TAG`, so Cython knows it by that name)."""
    for kw in ("struct ", "union ", "enum "):
        if base.startswith(kw):
            return base[len(kw):]
    return base


def _deps(t):
    """Type names a declaration of type t refers to."""
    names = [_plain(t.base)]
    if t.func is not None:
        for p in t.func.params:
            names += _deps(p.type)
    return names


class _Writer:
    """Type declarations of one library, each emitted after those it uses."""

    def __init__(self, model):
        self.model = model
        self.h = model.h
        self.blocks = {}          # header or None -> [text]
        self.own = set()          # typedef names declared at Cython level (not extern)
        self.tagged = {}          # name declared by tag (cdef enum/struct/union) -> (keyword, extern?)
        self.done = set()
        self.active = set()
        self.defines = self._define_ints()
        self.anon = {}            # id(nested Struct) -> anon_struct<N> / anon_union<N>
        self._number_anonymous()
        # Struct definitions by their tag or name; typedef names of each.
        self.struct_of = {}
        self.aliases = {}
        for name, s in self.h.structs.items():
            key = s.tag or name
            self.struct_of.setdefault(key, s)
            if name != key:
                self.aliases.setdefault(key, []).append(name)
        # `typedef enum TAG {...} NAME;` is parsed as enums TAG and NAME and
        # typedef TAG -> NAME.
        self.enum_tag = {}
        for tag, t in self.h.typedefs.items():
            if tag in self.h.enums and not t.ptrs and t.base in self.h.enums and t.base != tag:
                self.enum_tag[t.base] = tag
        for name, tag in self.h.enum_typedef_tags.items():
            if name in self.h.enums and tag in self.h.enums and name != tag:
                self.enum_tag.setdefault(name, tag)

    def _define_ints(self):
        values = {}
        for k, v in self.h.defines.items():
            try:
                values[k] = cparse.eval_int(v)
            except ValueError:
                pass
        return values

    # -- anonymous structs and unions ------------------------------------
    def _number_anonymous(self):
        counters = {"struct": 0, "union": 0}
        seen = set()

        def visit(s):
            for f in s.fields:
                if f.nested is not None and not f.nested.tag:
                    visit(f.nested)
                    kind = f.nested.kind
                    self.anon[id(f.nested)] = "anon_%s%d" % (kind, counters[kind])
                    counters[kind] += 1
        for s in self.h.structs.values():
            if id(s.fields) not in seen:
                seen.add(id(s.fields))
                visit(s)

    # -- output ----------------------------------------------------------
    def put(self, block, text, typedefs=()):
        self.blocks.setdefault(block, []).append(text)
        if block is None:
            self.own.update(typedefs)

    def need(self, name):
        """Declare `name` (and first what it uses) if the headers declare it."""
        if name in self.done or name in self.active:
            return
        self.active.add(name)
        if name in self.enum_tag:
            self.need(self.enum_tag[name])
        elif name in self.h.enums:
            self.enum(name)
        elif name in self.struct_of:
            self.struct(name)
        elif name in self.h.structs:   # a typedef name of a struct: declared with it
            s = self.h.structs[name]
            self.need(s.tag or name)
        elif name in self.h.typedefs:
            self.typedef(name)
        self.active.discard(name)
        if name in self.h.enums or name in self.h.structs or name in self.h.typedefs:
            self.done.add(name)

    def enum(self, name):
        e = self.h.enums[name]
        block = block_of(self.model, name)
        pre = "" if block is None else INDENT
        typedef = next((n for n, tag in self.enum_tag.items() if tag == name), None)
        # A tag is `enum TAG` in C (cdef enum); a typedef of an untagged enum is plain NAME.
        tagged = typedef or name in self.h.tag_only_enums or name in self.h.attributed_enum_typedefs
        head = ("cdef enum %s:" if tagged else "ctypedef enum %s:") % name
        if tagged:
            self.tagged[name] = ("enum", block is not None)
        lines = [pre + head] + ["%s%s%s = %d" % (pre, INDENT, m.name, m.value) for m in e.members]
        if not e.members:
            lines.append(pre + INDENT + "pass")
        if typedef:
            self.done.add(typedef)
            lines.append("")
            lines.append("%sctypedef %s %s" % (pre, name, typedef))
        self.put(block, "\n".join(lines) + "\n\n", [typedef] if typedef else [])

    def typedef(self, name):
        t = self.h.typedefs[name]
        block = block_of(self.model, name)
        pre = "" if block is None else INDENT
        for dep in _deps(t):
            if dep != name:
                self.need(dep)
        lines = []
        tag = _plain(t.base)
        if t.func is None and t.base.startswith(("struct ", "union ")) and tag not in self.struct_of \
                and tag not in self.done:
            # An opaque struct, known only through this typedef.
            kind = t.base.split(" ", 1)[0]
            self.done.add(tag)
            self.tagged[tag] = (kind, True)   # in an extern block either way
            if block is None:   # C code may name an incomplete struct without a header
                lines += ["cdef extern from *:", "%scdef %s %s:" % (INDENT, kind, tag), 2 * INDENT + "pass"]
            else:
                lines += ["%scdef %s %s:" % (pre, kind, tag), pre + INDENT + "pass"]
        lines.append(pre + "ctypedef " + self.decl(t, name))
        self.put(block, "\n".join(lines) + "\n\n", [name])

    def struct(self, key):
        s = self.struct_of[key]
        block = block_of(self.model, key)
        pre = "" if block is None else INDENT
        for dep in self.field_deps(s):
            if dep != key:
                self.need(dep)
        out = []
        cparent = ("%s %s" % (s.kind, s.tag)) if s.tag else key
        self.anonymous_types(s, cparent, "", block, out)
        head = ("cdef %s %s:" % (s.kind, key)) if s.tag else ("ctypedef %s %s:" % (s.kind, key))
        if s.tag:
            self.tagged[key] = (s.kind, block is not None)
        out.append(pre + head + "\n" + self.fields(s, pre + INDENT) + "\n")
        for alias in self.aliases.get(key, []):
            self.done.add(alias)
            out.append("%sctypedef %s %s\n" % (pre, key, alias))
        self.put(block, "\n".join(out) + "\n", self.aliases.get(key, []))

    def field_deps(self, s):
        names = []
        for f in s.fields:
            if f.nested is not None and not f.nested.tag:
                names += self.field_deps(f.nested)
            else:
                names += _deps(f.type)
        return names

    def anonymous_types(self, s, cparent, path, block, out):
        """Declare the unnamed struct/union types inside s, inner first.
        In an extern block each is named in C by __typeof__ of the member
        that has it, so that consumers can also make variables of it."""
        pre = "" if block is None else INDENT
        for f in s.fields:
            n = f.nested
            if n is None or n.tag:
                continue
            sub = path + ("." if path and f.name else "") + f.name
            sub += "[0]" * len(f.type.array)   # the element type of an array member
            self.anonymous_types(n, cparent, sub, block, out)
            if not f.name:
                continue   # flattened into the parent
            name = self.anon[id(n)]
            if block is None:
                head = "cdef %s %s:" % (n.kind, name)
            else:
                head = 'ctypedef %s %s "__typeof__(((%s *)0)->%s)":' % (n.kind, name, cparent, sub)
            out.append(pre + head + "\n" + self.fields(n, pre + INDENT) + "\n")

    def fields(self, s, pre):
        lines = []
        for f in s.fields:
            if f.nested is not None and not f.nested.tag:
                if not f.name:   # C11 anonymous member: its fields are the parent's
                    lines.append(self.fields(f.nested, pre))
                    continue
                t = CType(self.anon[id(f.nested)], False, f.type.ptrs, f.type.array)
                lines.append(pre + self.decl(t, f.name))
            else:
                lines.append(pre + self.decl(f.type, f.name))
        return "\n".join(lines) if lines else pre + "pass"

    def decl(self, t, name):
        """`type name` for a struct field or typedef, in Cython syntax."""
        if t.func is not None:
            ret = self.decl(CType(t.base, t.const, t.ptrs), "")
            params = ", ".join(self.decl(p.type, _safe(p.name)) for p in t.func.params)
            return "%s (*%s)(%s)" % (ret, name, params)
        s = ("const " if t.const else "") + _plain(t.base) + "*" * len(t.ptrs)
        s = (s + " " + name).rstrip()
        for dim in t.array:
            s += "[%s]" % self.dim(dim)
        return s

    def dim(self, text):
        try:
            return str(cparse.eval_int(text, self.defines))
        except ValueError:
            return re.sub(r"\*\s+(?=\*)", "*", text)   # Cython reads `T * *` as a product: `T **`

    def text(self):
        """The declarations: one extern block per header, then the Cython-level ones."""
        out = []
        for header in self.model.lib.headers:
            if self.blocks.get(header):
                out.append('cdef extern from "%s":\n' % header)
                out += self.blocks[header]
        out += self.blocks.get(None, [])
        return "".join(out)


def _declarations(model):
    w = _Writer(model)
    for name in type_names(model):
        w.need(name)
    return w


def cython_names(model):
    """{type name: how a capsule signature spells it} where Cython's spelling
    is not the plain name (for common.cython_signature): types cy<lib>.pxd
    declares as its own get Cython's C name, those declared by tag their
    keyword (`enum cudaLimit`, `enum __pyx_t_..._cudaGLDeviceList`)."""
    module = "cuda.bindings.cy" + model.lib.key
    w = _declarations(model)
    names = {n: cython_name(module, n) for n in w.own}
    for n, (kind, extern) in w.tagged.items():
        names[n] = "%s %s" % (kind, n if extern else cython_name(module, n))
    return dict(sorted(names.items()))


def type_names(model):
    """Enums, then typedefs, then structs, in header order."""
    h = model.h
    names = [e.name for e in h.enums.values() if e.name and e.members]
    names += [n for n in h.typedefs if n not in names]
    names += [n for n in h.structs if n not in names]
    # A reserved name is a misread attribute (vector_types.h's
    # `typedef struct ulonglong4 __VECTOR_TYPE_DEPRECATED__("...") ulonglong4;`).
    return [n for n in names if not n.startswith("__")]


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

def constants(model):
    """[(name, value)]: integer macros of the library, as the reference's
    `cdef enum: NAME = value` declares them (casts to handle types dropped:
    CU_STREAM_LEGACY is ((CUstream)0x1))."""
    lib = model.lib
    defines = model.h.defines
    members = {m.name: m.value for e in model.h.enums.values() for m in e.members}
    out = []
    for name in defines:
        # The reference keeps `__CUDART_API_VERSION` (a prefix after `__`).
        stem = name[2:] if name.startswith("__") else name
        if not stem.startswith(tuple(lib.constant_prefixes)):
            continue
        value = _macro_value(defines, members, name, 0)
        if value is not None:
            out.append((name, value))
    return out


def _macro_value(defines, members, name, depth):
    if name in members:
        return members[name]
    text = defines.get(name)
    if not text or depth > 8:
        return None
    text = re.sub(r"\(\s*\w+\s*\*?\s*\)(?=\s*[\w(-])", " ", text)   # casts, to pointers too
    unwrapped = None
    while unwrapped != text:   # eval_int would take `(0x1)` for a cast
        unwrapped, text = text, re.sub(r"\(\s*(-?\w+)\s*\)", r"\1", text)
    names = {}
    for ident in set(re.findall(r"(?<![\w.])[A-Za-z_]\w*", text)):
        v = _macro_value(defines, members, ident, depth + 1)
        if v is None:
            return None
        names[ident] = v
    try:
        return cparse.eval_int(text, names)
    except ValueError:
        return None


# --------------------------------------------------------------------------
# cy<lib>.pxd
# --------------------------------------------------------------------------

def functions(model):
    """The functions of __pyx_capi__: those the core module defines."""
    return list(model.core_bindings)


# What the banner line cimports; a header using other <stdint.h> types gets
# a line of its own for them.
STDINT = ("int32_t", "int64_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t")


def _as_written(t, name=""):
    return pxd_type(CType(t.base, t.const or any(t.ptrs), t.ptrs, t.array, t.func), name)


def _except(lib, b):
    """The except clause: the value the core returns with an exception set,
    NULL for strings; a struct returned by value has no value to spare, so
    the caller checks for an exception (as the reference declares them)."""
    if b.returns == "cstr":
        return "except ?NULL"
    ret = b.func.ret
    if b.returns in ("struct", "struct_only") or (not ret.ptrs and ret.base in ("void", lib.status_struct or "-")):
        return "except *"
    if ret.base != lib.status:   # a count (cuFile's ssize_t, long)
        return "except ?-1"
    return "except ?" + lib.except_value


# Types of the C library's own headers (not the parsed ones) that a header
# uses (cufile.h's off_t, loff_t, struct timespec): what declares each for Cython.
SYSTEM_TYPES = {
    "off_t": "from posix.types cimport off_t\n",
    "timespec": "from posix.time cimport timespec\n",
    "loff_t": 'cdef extern from "<sys/types.h>":\n    ctypedef long loff_t\n',
    "bool": 'cdef extern from "<stdbool.h>":\n    ctypedef bint bool\n',
}


def emit_cy(model):
    lib = model.lib
    h = model.h
    out = [banner(lib, "#", "", cuda_version(h))]
    out.append("# cimport it: `from cuda.bindings cimport cy%s`; compile with -I$CUDA_HOME/include.\n" % lib.key)
    out.append("from libc.stdint cimport %s\n" % ", ".join(STDINT))
    w = _declarations(model)
    types = w.text()
    more = sorted(set(re.findall(r"\b(u?int(?:8|16|32|64|ptr)_t)\b", types)) - set(STDINT))
    if more:
        out.append("from libc.stdint cimport %s\n" % ", ".join(more))
    start = len(out)
    out.append("\n" + types)
    reference = snapshot_signatures(lib)
    raw = model.facts.as_written
    for b in functions(model):
        f = b.func
        if f.name in reference and f.name in raw:
            # The reference's string reads the header as written (a rewrite
            # of the model's, such as `struct cudaGraphicsResource **` to
            # `cudaGraphicsResource_t *`, would change it), and takes a const
            # anywhere in a pointer type for the pointee's (`void *const *`).
            f = raw[f.name]
            decl = _as_written
        else:   # what the core's capsule (common.cython_signature) reads
            decl = pxd_type
        params = ", ".join(decl(p.type, _safe(p.name)) for p in f.params)
        out.append("cdef %s %s(%s) %s nogil\n" % (decl(f.ret, ""), f.name, params, _except(lib, b)))
    consts = constants(model)
    if consts:
        out.append("\n")
    for name, value in consts:
        out.append("cdef enum: %s = %d\n" % (name, value))
    used = "".join(out[start:])
    out[start:start] = [text for name, text in SYSTEM_TYPES.items() if re.search(r"\b%s\b" % name, used)]
    return "".join(out)


# --------------------------------------------------------------------------
# <lib>.pxd
# --------------------------------------------------------------------------

def struct_classes(model):
    """[(class, base class or None)]: a class per struct or union of the
    headers, by tag and by each typedef name; a typedef name is a subclass
    of the name it aliases (CUDA_MEMCPY2D -> CUDA_MEMCPY2D_v2 ->
    CUDA_MEMCPY2D_st).  Anonymous member structs have none."""
    h = model.h
    out = []
    known = set()
    for name, s in h.structs.items():
        if not s.fields:
            continue
        base = s.tag if s.tag and s.tag != name else None
        out.append((name, base))
        known.add(name)
    grew = True
    while grew:   # typedef chains: CUkernelNodeAttrValue -> _v1 -> CUlaunchAttributeValue
        grew = False
        for name, t in h.typedefs.items():
            if name not in known and t.func is None and not t.ptrs and not t.array \
                    and _plain(t.base) in known:
                out.append((name, _plain(t.base)))
                known.add(name)
                grew = True
    made = set(emit_structs.classes(model))   # the module's classes (no vector types, ...)
    return _base_first([(n, b) for n, b in out if n in made])


def _base_first(classes):
    done, out = set(), []
    pending = list(classes)
    while pending:
        rest = []
        for name, base in pending:
            if base is None or base in done:
                out.append((name, base))
                done.add(name)
            else:
                rest.append((name, base))
        if len(rest) == len(pending):
            raise ValueError("struct classes with unknown bases: %s" % rest)
        pending = rest
    return out


def emit_classes(model):
    """<lib>.pxd: cdef classes with the layout of our C objects (and of the
    reference's handle classes): a handle is `_pvt_val` then `_pvt_ptr`; a
    struct adds the object owning viewed memory and what it keeps alive."""
    lib = model.lib
    cy = "cy" + lib.key
    out = [banner(lib, "#", "", cuda_version(model.h))]
    out.append("from cuda.bindings cimport %s\n" % cy)
    # A handle of the same C type as one of another module's (cudaStream_t
    # and CUstream) is that class's subclass, in our C types as here.
    twins = model.facts.twins
    for module in sorted({t.rsplit(".", 1)[0] for t in twins.values()}):
        out.append("cimport %s as %s\n" % (module, module.rsplit(".", 1)[1]))
    out.append("\n")
    for hname in model.handles():
        if hname in twins:
            module, cls = twins[hname].rsplit(".", 1)
            out.append("cdef class %s(%s.%s):\n    pass\n\n" % (hname, module.rsplit(".", 1)[1], cls))
        else:
            out.append("cdef class %s:\n    cdef %s.%s _pvt_val\n    cdef %s.%s* _pvt_ptr\n\n"
                       % (hname, cy, hname, cy, hname))
    for name, base in struct_classes(model):
        if base:
            out.append("cdef class %s(%s):\n    pass\n\n" % (name, base))
        else:
            out.append("cdef class %s:\n    cdef %s.%s _pvt_val\n    cdef %s.%s* _pvt_ptr\n"
                       "    cdef object _owner\n    cdef object _keepalive\n\n" % (name, cy, name, cy, name))
    return "".join(out)
