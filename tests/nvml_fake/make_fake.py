"""Writes the C source of a fake libnvidia-ml.so.1 from nvml.h (stdlib only):
one exported function per function nvml.h declares, each behaving by the
same few rules, so that NVIDIA's cuda.bindings.nvml and ours can be watched
on every function without a GPU.

    python make_fake.py NVML_H OUT.c
    cc -shared -fPIC -I<dir of nvml.h> -I<this dir> OUT.c -o libnvidia-ml.so.1

The behaviour (all of it is here and in fake_runtime.h):
- Every call is logged (fakenvml_log(), fakenvml_log_clear()): the name,
  each scalar argument's value, each handle as `device#0` (one the fake gave
  out) or its value, each pointer's NULL-ness, an in/out count's value on
  entry, a C string's text, and a struct's `version` and scalar members on
  entry; then the code returned.
- fakenvml_set_return(code) or $FAKE_NVML_RETURN: every function returns
  that code and writes nothing.
- In/out counts (see pair_counts): NULL array or *count < N: *count = N and
  NVML_ERROR_INSUFFICIENT_SIZE (but NVML_SUCCESS for a NULL array that the
  header says "Can be NULL" to discover the number); else N items are
  filled and *count = N.  N is fakenvml_set_count(n), $FAKE_NVML_COUNT, or
  3.  A string with an in/out size needs strlen + 1; a struct with an
  in/out byte size its sizeof.
- A struct's pointer member and its count member: NULL: count = N and
  INSUFFICIENT_SIZE; else min(count, N) items filled and counted.
- A string out with a length by value: a short printable string from the
  function's name, cut to the length, NUL-terminated.
- Scalars, enums, structs out: values from a hash of the function's and the
  parameter's names (and the field's), ints in range, enums valid members,
  char arrays printable strings; a struct's `version` is kept as passed,
  its pointer members are never overwritten, its INPUT_MEMBERS neither;
  a count or size member is N, or the length of the fixed array it counts
  where that is less (bounded_counts): callers size their views by them.
  Handle members (opaque values, not memory) are given fake handles.
- Handles out are 0xfa4e00000000 | kind << 20 | index << 4 (see
  handle_value), which the log names when they come back.
- nvmlErrorString gives the header's text of each nvmlReturn_t member.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The repository's gen/ (its header parser); appended, so that the source
# tree's cuda/ never shadows the installed package.
sys.path.append(os.path.dirname(os.path.dirname(HERE)))

from gen import cparse, libraries  # noqa: E402

# nvml.h defines DEPRECATED(ver) as __attribute__((deprecated)) itself;
# attributes expand to nothing so that the deprecated functions parse too.
PREDEFINED = dict(libraries.PLATFORM_PREDEFINED, **{
    "DEPRECATED(x)": "", "DECLDIR": "", "__attribute__(x)": ""})

COUNT_NAME = re.compile(r"(?i)(count|size|length)$")
COUNT_MEMBER = re.compile(r"(?i)(count|size|entries)$|^num")
INT_BITS = {
    "char": 8, "signed char": 8, "unsigned char": 8, "short": 16, "unsigned short": 16,
    "int": 32, "unsigned int": 32, "long": 64, "unsigned long": 64, "long long": 64,
    "unsigned long long": 64, "int8_t": 8, "uint8_t": 8, "int16_t": 16, "uint16_t": 16,
    "int32_t": 32, "uint32_t": 32, "int64_t": 64, "uint64_t": 64, "size_t": 64,
}
FLOATS = ("float", "double")

# The inputs among struct members: what the caller asks for (which field,
# sensor, index, event set).  The fake never writes them and logs them on
# entry.  nvml.h marks few members IN or OUT, so they are listed here, from
# the header's comments on the functions taking these structs.
INPUT_MEMBERS = {
    "nvmlFieldValue_t": ("fieldId", "scopeId"),
    "nvmlTemperature_v1_t": ("sensorType",),
    "nvmlClockOffset_v1_t": ("type", "pstate"),
    "nvmlFanSpeedInfo_v1_t": ("fan",),
    "nvmlProcessesUtilizationInfo_v1_t": ("lastSeenTimeStamp",),
    "nvmlVgpuProcessesUtilizationInfo_v1_t": ("lastSeenTimeStamp",),
    "nvmlVgpuInstancesUtilizationInfo_v1_t": ("lastSeenTimeStamp",),
    "nvmlProcessDetailList_v1_t": ("mode",),
    "nvmlVgpuPlacementList_v2_t": ("mode",),
    "nvmlVgpuCreatablePlacementInfo_v1_t": ("vgpuTypeId",),
    "nvmlVgpuTypeMaxInstance_v1_t": ("vgpuTypeId",),
    "nvmlEventSetGetContextData_v1_t": ("index",),
    "nvmlEventSetGetContextInfo_v1_t": ("index",),
    "nvmlEventSetGetGpuOperationalEventContextLegacyXid_v1_t": ("index",),
    "nvmlEventSetWait_v3_t": ("timeoutMs",),
    "nvmlGpmMetricsGet_t": ("version", "numMetrics", "sample1", "sample2"),
    "nvmlPRMCounter_v1_t": ("counterId",),
    "nvmlSystemEventSetFreeRequest_v1_t": ("set",),
    "nvmlSystemRegisterEventRequest_v1_t": ("eventTypes", "set"),
    "nvmlSystemEventSetWaitRequest_v1_t": ("timeoutms", "set"),
}

INSUFFICIENT = "NVML_ERROR_INSUFFICIENT_SIZE"

# What the log shows of a struct passed in: always its version, its
# pointer members' NULL-ness, its counts, its INPUT_MEMBERS; its other scalar
# members only where all of it is input: a const struct, or one given to a
# function that does not Get (the rest of a Get's struct holds whatever the
# caller's memory held).


def parse(header):
    return cparse.parse_files([header], PREDEFINED)


def fnv(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def handle_kinds(h):
    """[typedef name] of the opaque handle types, in the order of their kind
    numbers (1, 2, ...)."""
    return [n for n, t in h.typedefs.items()
            if t.base.startswith("struct nvml") and t.base.endswith("_st") and t.ptrs == (False,)
            and t.base[len("struct "):] not in h.structs]


def handle_label(name):
    stem = name[len("nvml"):-len("_t")]
    return stem[0].lower() + stem[1:]


def handle_value(kinds, typedef, index=0):
    """The value the fake gives out for handle `index` of `typedef`."""
    return 0xfa4e00000000 | ((kinds.index(typedef) + 1) << 20) | (index << 4)


def param_docs(func):
    """{param: its @param text} from the raw comment."""
    docs = {}
    cur = None
    for line in func.doc.raw.splitlines():
        line = re.sub(r"^\s*/?\*+/?", "", line).strip()
        m = re.match(r"[@\\]param\s*(\[[^\]]*\])?\s+(\w+)\s*(.*)", line)
        if m:
            cur = m.group(2)
            docs[cur] = m.group(3)
        elif cur and line and not re.match(r"[@\\]\w+", line):
            docs[cur] += " " + line
        else:
            cur = None
    return docs


class Types:
    """What each C type is to the fake."""

    def __init__(self, h):
        self.h = h
        self.kinds = handle_kinds(h)
        self.enum_by_name = {}
        for name, e in h.enums.items():
            self.enum_by_name[name] = e
        for name, t in h.typedefs.items():
            base = t.base.replace("enum ", "")
            if not t.ptrs and base in h.enums:
                self.enum_by_name.setdefault(name, h.enums[base])

    def what(self, t):
        """('handle', typedef) | ('enum', Enum) | ('struct', Struct) |
        ('int', bits, signed) | ('float',) | ('void',) | ('other',) for a
        type without pointers of its own (typedef pointers count)."""
        if t.base in self.kinds and not t.ptrs:
            return ("handle", t.base)
        r = self.h.resolve(t)
        if r.ptrs or r.func is not None:
            return ("other",)
        base = r.base
        for name in (t.base, base, base.replace("enum ", "")):
            if name in self.enum_by_name:
                return ("enum", self.enum_by_name[name])
        for name in (t.base, base, base.replace("struct ", "").replace("union ", "")):
            if name in self.h.structs:
                return ("struct", self.h.structs[name])
        if base in INT_BITS:
            return ("int", INT_BITS[base], not base.startswith(("unsigned", "uint", "size_t")))
        if base in FLOATS:
            return ("float",)
        if base == "void":
            return ("void",)
        return ("other",)

    def struct_c(self, s):
        return s.name if s.name in self.h.typedef_names else "%s %s" % (s.kind, s.name)


# --------------------------------------------------------------------------
# Which parameters pair up: the one place that decides it.
# --------------------------------------------------------------------------

def is_uint_ptr(h, q):
    t = q.type
    return t.depth == 1 and not t.const and h.resolve(t.pointee()).base == "unsigned int"


def mentions(text, name):
    return re.search(r"(\\a\s+|\b)%s\b" % re.escape(name), text or "") is not None


def pair_counts(types, func):
    """{count param: array param} for the in/out counts (`unsigned int *`
    named ...count/size/length beside an array its comment names, or a
    non-integer one next to it) and {length param: pointer param} for the
    counts and lengths passed by value."""
    h = types.h
    docs = param_docs(func)
    params = func.params
    inout, byval = {}, {}
    taken = set()
    for i, q in enumerate(params):
        if not COUNT_NAME.search(q.name):
            continue
        by_value = not q.type.depth and types.what(q.type)[0] == "int"
        if not by_value and not is_uint_ptr(h, q):
            continue
        cands = [p for p in params if p is not q and p.type.depth == 1 and not p.type.const
                 and p.name not in taken and not (COUNT_NAME.search(p.name) and is_uint_ptr(h, p))]
        if by_value:
            cands += [p for p in params if p.type.depth == 1 and p.type.const and p not in cands]
        order = (i - 1, i + 1) if by_value else (i + 1, i - 1)   # a length follows its string
        near = [params[j] for j in order if 0 <= j < len(params) and params[j] in cands]
        named = [p for p in cands if mentions(docs.get(q.name), p.name)]
        if len(named) > 1:
            named = [p for p in near if p in named][:1]
        partner = named[0] if named else None
        if partner is None:
            for p in near:
                k = types.what(p.type.pointee())[0]
                base = h.resolve(p.type.pointee()).base
                stem = COUNT_NAME.sub("", q.name).lower()   # vgpuCount beside vgpuTypeIds
                if k != "int" or base == "char" or (by_value and base == "unsigned long") or \
                        (stem and p.name.lower().startswith(stem)):
                    partner = p
                    break
        if partner is None:
            continue
        if by_value and h.resolve(partner.type.pointee()).base != "char" and \
                not re.search(r"\b(array|bytes|entries)\b", docs.get(q.name, "")):
            continue   # a length beside one struct (nvmlSystemGetDriverBranch): not a count
        taken.add(partner.name)
        (byval if by_value else inout)[q.name] = partner.name
    # An array right after a counted one, of its type, shares its count
    # (nvmlDeviceGetRetiredPages_v2: addresses, timestamps).
    shared = {}
    for cname, aname in inout.items():
        i = [p.name for p in params].index(aname)
        a = params[i]
        for b in params[i + 1:]:
            if b.type.depth == 1 and not b.type.const and b.type.pointee().base == a.type.pointee().base \
                    and b.name not in taken and b.name not in inout:
                shared[b.name] = cname
                taken.add(b.name)
            else:
                break
    inout.update({"+" + b: c for b, c in shared.items()})
    return inout, byval


def bounded_counts(types, s):
    """{count member: fixed array member} of a struct: a count of what a
    fixed array of the same struct holds (its name names the array, or the
    struct has one array of non-char items); the fake keeps it within the
    array's length, as callers trust it to be."""
    h = types.h
    out = {}
    arrays = [f for f in s.fields if f.type.array]
    plain = [f for f in arrays if h.resolve(cparse.CType(f.type.base)).base != "char"]
    for f in s.fields:
        total = f.name.startswith("total")   # totalBwModes beside bwModes[]
        if f.type.array or types.what(f.type)[0] != "int" or not (COUNT_MEMBER.search(f.name) or total):
            continue
        stem = re.sub(r"(?i)^(num|total)|(Count|Size|Entries)$", "", f.name).lower()
        exact = [a for a in arrays if a.name.lower() == stem]
        named = exact or [a for a in arrays if stem and stem in a.name.lower()]
        if named:
            out[f.name] = named[0].name
        elif len(plain) == 1 and not total:
            out[f.name] = plain[0].name
    return out


def struct_pairs(types, s):
    """{pointer member: count member} of a struct."""
    out = {}
    fields = s.fields
    counts = [f for f in fields if not f.type.array and types.what(f.type)[0] == "int"
              and re.search(r"(?i)(count|size|entries)$|^num", f.name)]
    for f in fields:
        if not f.type.depth or f.type.const or types.what(f.type)[0] == "handle":
            continue
        stem = re.sub(r"(Array|Ids|es|s)$", "", f.name).lower()
        def rank(c, stem=stem):
            counted = c.name == "count" or c.name.endswith("Count")
            named = bool(stem) and stem in c.name.lower()
            return (not (counted and named), not counted, not named)
        if counts:
            out[f.name] = min(counts, key=rank).name
    return out


# --------------------------------------------------------------------------
# C emission
# --------------------------------------------------------------------------

class Emitter:
    def __init__(self, h):
        self.h = h
        self.types = Types(h)
        self.enums_used = {}
        self.structs_used = {}
        self.fns = []
        self.var = 0

    def fresh(self):
        self.var += 1
        return "i%d" % self.var

    def enum_table(self, e):
        name = "fk_enum_" + re.sub(r"\W", "_", e.name)
        self.enums_used[name] = e
        return name

    def fill_fn(self, s):
        name = "fk_fill_" + re.sub(r"\W", "_", s.name)
        if name not in self.structs_used:
            self.structs_used[name] = None   # placeholder against recursion
            self.structs_used[name] = self.struct_fill(s, name)
        return name

    def log_fn(self, s):
        return "fk_log_" + re.sub(r"\W", "_", s.name)

    # -- filling values in place --
    def fill(self, expr, t, seed, stem, nested=None, kind_hint=None):
        """C lines that give lvalue `expr` of type `t` a value; `st`
        collects a status."""
        if t.array:
            inner = cparse.CType(t.base, t.const, t.ptrs, t.array[1:], t.func)
            if len(t.array) == 1 and not t.ptrs and nested is None and \
                    self.h.resolve(cparse.CType(t.base)).base == "char":
                return ['fk_string(%s, sizeof(%s), "%s", %s);' % (expr, expr, stem[:12], seed)]
            i = self.fresh()
            body = self.fill("(%s)[%s]" % (expr, i), inner, "fk_mix(%s, %s)" % (seed, i), stem, nested)
            return ["for (size_t %s = 0; %s < sizeof(%s) / sizeof((%s)[0]); %s++) {" % (i, i, expr, expr, i)] \
                + ["    " + b for b in body] + ["}"]
        if nested is not None:
            return self.fill_members(expr, expr + ".", nested, seed)
        w = self.types.what(t)
        if t.depth:
            return []
        if w[0] == "handle":   # a handle member out (INPUT_MEMBERS keeps those in)
            return ["%s = (%s)fk_handle(%d, 0);" % (expr, w[1], self.types.kinds.index(w[1]) + 1)]
        if w[0] == "struct":
            return ["st = fk_worse(st, %s(&%s, %s));" % (self.fill_fn(w[1]), expr, seed)]
        if w[0] == "enum":
            tab = self.enum_table(w[1])
            return ["%s = (%s)%s[%s %% (sizeof %s / sizeof %s[0])];" % (expr, t.c(), tab, seed, tab, tab)]
        if w[0] == "int":
            return ["%s = (%s)fk_uint(%s, %d);" % (expr, t.c(), seed, w[1])]
        if w[0] == "float":
            return ["%s = (%s)fk_float(%s);" % (expr, t.c(), seed)]
        return []

    def fill_members(self, whole, prefix, s, seed):
        """Lines filling the members of struct/union `s` (lvalue `whole`,
        None where anonymous) reached as prefix+name."""
        lines = []
        pairs = struct_pairs(self.types, s)
        bounded = bounded_counts(self.types, s)
        kept = INPUT_MEMBERS.get(s.name, ())
        if s.kind == "union":
            if whole is not None:
                lines.append("memset(&%s, 0, sizeof(%s));" % (whole, whole))
            members = s.fields[:1]
        else:
            members = s.fields
        for f in members:
            if f.name == "version" or f.name in kept or f.name in pairs.values():
                continue
            if f.type.depth and not f.type.array:
                continue
            if f.name in bounded and f.name not in pairs.values():
                a = prefix + bounded[f.name]
                lines.append("%s%s = (%s)(fk_count() < sizeof(%s) / sizeof((%s)[0]) ? fk_count() : "
                             "sizeof(%s) / sizeof((%s)[0]));" % (prefix, f.name, f.type.c(), a, a, a, a))
                continue
            if COUNT_MEMBER.search(f.name) and not f.type.array and self.types.what(f.type)[0] == "int":
                # any other count or size: N, as small as real ones (callers size views by them)
                lines.append("%s%s = (%s)fk_count();" % (prefix, f.name, f.type.c()))
                continue
            if not f.name and f.nested is not None:   # anonymous: its members are s's
                lines += self.fill_members(None, prefix, f.nested, seed)
                continue
            lines += self.fill(prefix + f.name, f.type, "fk_mix(%s, %dULL)" % (seed, fnv(f.name)),
                               f.name, f.nested)
        for ptr, count in pairs.items():
            f = next(x for x in s.fields if x.name == ptr)
            i = self.fresh()
            elem = f.type.pointee()
            body = self.fill("%s%s[%s]" % (prefix, ptr, i), elem, "fk_mix(%s, %s)" % (seed, i), ptr) \
                if self.types.what(elem)[0] != "void" else []
            # NULL: the count asked for (N, and INSUFFICIENT_SIZE); else
            # min(count, N) items filled and counted.
            lines += ["if (!%s%s) {" % (prefix, ptr),
                      "    %s%s = fk_count();" % (prefix, count),
                      "    if (fk_count() > 0) st = fk_worse(st, %s);" % INSUFFICIENT,
                      "} else {",
                      "    if (%s%s > fk_count()) %s%s = fk_count();" % (prefix, count, prefix, count),
                      "    for (unsigned int %s = 0; %s < %s%s; %s++) {" % (i, i, prefix, count, i)] \
                + ["        " + b for b in body] + ["    }", "}"]
        return lines

    def struct_fill(self, s, name):
        c = self.types.struct_c(s)
        body = self.fill_members("(*p)", "p->", s, "seed")
        return ["static int %s(%s *p, uint64_t seed)" % (name, c), "{", "    int st = NVML_SUCCESS;",
                "    (void)seed;"] + ["    " + b for b in body] + ["    return st;", "}"]

    # -- logging a struct's members on entry --
    def struct_log(self, s):
        """fk_log_S(p, all): the members on entry (`all`: every scalar one,
        else those the table names, through `wanted`)."""
        c = self.types.struct_c(s)
        pairs = struct_pairs(self.types, s)
        lines = ["static void %s(const %s *p, int all)" % (self.log_fn(s), c), "{",
                 '    fk_append("{");']
        inputs = INPUT_MEMBERS.get(s.name, ())
        sep = ""
        for f in s.fields:
            if f.type.array and len(f.type.array) == 1 and not f.type.depth and f.nested is None and \
                    self.h.resolve(cparse.CType(f.type.base)).base == "char":
                # a string member, shown (cut at its size) where all of the struct is input
                lines += ['    fk_append("%s");' % sep,
                          '    if (%s) { char t_[65]; size_t n_ = sizeof p->%s < 64 ? sizeof p->%s : 64; '
                          'memcpy(t_, p->%s, n_); t_[n_] = 0; fk_log_cstr("%s", t_); } else fk_append("%s=-");'
                          % ("1" if f.name in inputs else "all", f.name, f.name, f.name, f.name, f.name)]
                sep = ", "
                continue
            if f.type.array or f.nested is not None:
                continue
            w = self.types.what(f.type)
            lines.append('    fk_append("%s");' % sep)
            sep = ", "
            if w[0] == "handle":
                lines.append('    if (%s) fk_log_handle("%s", (const void *)p->%s); else fk_append("%s=-");'
                             % ("1" if f.name in inputs else "all", f.name, f.name, f.name))
            elif f.type.depth and self.h.resolve(f.type.pointee()).base == "char" and f.type.const:
                lines.append('    fk_log_cstr("%s", p->%s);' % (f.name, f.name))
            elif f.type.depth:
                lines.append('    fk_append("%s=%%s", p->%s ? "ptr" : "NULL");' % (f.name, f.name))
            elif f.name == "version":
                lines.append('    fk_append("version=0x%x", (unsigned)p->version);')
            elif w[0] in ("int", "enum"):
                signed = w[0] == "enum" or w[2]
                shown = "1" if f.name in pairs.values() or f.name in inputs else "all"
                lines.append('    if (%s) fk_append("%s=%%%s", (%s)p->%s); else fk_append("%s=-");' % (
                    shown, f.name, "lld" if signed else "llu", "long long" if signed else "unsigned long long",
                    f.name, f.name))
            elif w[0] == "float":
                lines.append('    if (%s) fk_append("%s=%%g", (double)p->%s); else fk_append("%s=-");'
                             % ("1" if f.name in inputs else "all", f.name, f.name, f.name))
            else:
                lines.append('    fk_append("%s=?");' % f.name)
        del pairs
        lines += ['    fk_append("}");', "}"]
        return lines

    # -- one function --
    def function(self, func):
        if func.ret.base != "nvmlReturn_t":
            return None
        t = self.types
        inout, byval = pair_counts(t, func)
        arrays_io = {a: c for c, a in inout.items() if not c.startswith("+")}
        arrays_io.update({c[1:]: a for c, a in inout.items() if c.startswith("+")})
        inout = {c: a for c, a in inout.items() if not c.startswith("+")}
        arrays_bv = {a: c for c, a in byval.items()}
        docs = param_docs(func)
        sig = ", ".join(q.type.c(q.name) for q in func.params) or "void"
        lines = ["nvmlReturn_t %s(%s)" % (func.name, sig), "{", "    int st = NVML_SUCCESS;",
                 '    fk_begin("%s");' % func.name]
        structs_logged = []
        for n, q in enumerate(func.params):
            sep = '    fk_append(", ");' if n else None
            if sep:
                lines.append(sep)
            lines += ["    " + x for x in self.log_param(func, q, q.name in inout, structs_logged)]
        lines += ["    int forced = fk_forced();", "    if (forced >= 0)", "        return fk_end(forced);"]
        # In/out counts first: a short one answers INSUFFICIENT_SIZE, nothing else is written.
        pre = []
        for cname, aname in inout.items():
            a = next(q for q in func.params if q.name == aname)
            need = self.need(a, cname, docs.get(cname, ""), func.name)
            if re.search(r"(?i)can be NULL", docs.get(aname, "")):
                # "Can be NULL to discover the number": a NULL array asks, and succeeds
                pre += ["if (%s && !%s) {" % (cname, aname), "    *%s = (%s);" % (cname, need),
                        "    return fk_end(st);", "}"]
            pre += ["if (!%s || *%s < (%s) || (!%s && (%s) > 0)) {" % (cname, cname, need, aname, need),
                    "    if (%s) *%s = (%s);" % (cname, cname, need),
                    "    st = %s;" % INSUFFICIENT, "}"]
        if pre:
            lines += ["    " + x for x in pre] + ["    if (st != NVML_SUCCESS)", "        return fk_end(st);"]
        # (each array below is non-NULL unless N is 0)
        for q in func.params:
            seed = "%dULL" % fnv(func.name + "." + q.name)
            body = self.write_param(func, q, seed, inout, arrays_io, byval, arrays_bv, docs)
            lines += ["    " + x for x in body]
        lines += ["    return fk_end(st);", "}"]
        return lines

    def need(self, a, cname, doc, fname):
        """What an in/out count must at least be for array `a`."""
        elem = a.type.pointee()
        if self.h.resolve(elem).base == "char":
            return "strlen(\"%s\") + 1" % self.stem_text(fname)
        if "buffer" in cname.lower() or "bytes" in doc:
            return "sizeof(*%s)" % a.name
        return "fk_count()"

    def stem_text(self, fname):
        stem = re.sub(r"^nvml(Device|System|Vgpu|Unit|GpuInstance|ComputeInstance)?(Get)?", "", fname)
        return (stem or fname)[:12]

    def log_param(self, func, q, is_io_count, structs_logged):
        t = q.type
        w = self.types.what(t) if not t.depth else None
        if not t.depth:
            if w[0] == "handle":
                return ['fk_log_handle("%s", (const void *)%s);' % (q.name, q.name)]
            if w[0] == "int":
                if w[2]:
                    return ['fk_append("%s=%%lld", (long long)%s);' % (q.name, q.name)]
                return ['fk_append("%s=%%llu", (unsigned long long)%s);' % (q.name, q.name)]
            if w[0] == "enum":
                return ['fk_append("%s=%%d", (int)%s);' % (q.name, q.name)]
            if w[0] == "float":
                return ['fk_append("%s=%%g", (double)%s);' % (q.name, q.name)]
            return ['fk_append("%s=?");' % q.name]
        pointee = t.pointee()
        pw = self.types.what(pointee) if t.depth == 1 else ("other",)
        if t.depth == 1 and pointee.const and self.h.resolve(pointee).base == "char":
            return ['fk_log_cstr("%s", %s);' % (q.name, q.name)]
        if is_io_count:
            return ['if (%s) fk_append("%s=ptr(*=%%u)", *%s); else fk_append("%s=NULL");'
                    % (q.name, q.name, q.name, q.name)]
        if pw[0] == "struct":
            s = pw[1]
            if s.name not in structs_logged:
                structs_logged.append(s.name)
            self.structs_logged.setdefault(s.name, s)
            every = int(pointee.const or not re.search("Get|Create", func.name))
            return ['if (%s) { fk_append("%s=ptr"); %s(%s, %d); } else fk_append("%s=NULL");'
                    % (q.name, q.name, self.log_fn(s), q.name, every, q.name)]
        return ['fk_append("%s=%%s", %s ? "ptr" : "NULL");' % (q.name, q.name)]

    def write_param(self, func, q, seed, inout, arrays_io, byval, arrays_bv, docs):
        t = q.type
        if t.depth != 1 or t.const or q.name in inout:
            return []
        elem = t.pointee()
        w = self.types.what(elem)
        if self.h.resolve(elem).base == "char":
            text = self.stem_text(func.name)
            if q.name in arrays_io:
                c = arrays_io[q.name]
                return ['strcpy(%s, "%s");' % (q.name, text), "*%s = (unsigned int)strlen(\"%s\") + 1;" % (c, text)]
            if q.name in arrays_bv:
                c = arrays_bv[q.name]
                return ["if (%s && %s > 0) fk_string(%s, %s, \"%s\", %s); else if (%s == 0) st = %s;"
                        % (q.name, c, q.name, c, text[:8], seed, c, INSUFFICIENT)]
            return ['if (%s) fk_string(%s, 1, "", 0);' % (q.name, q.name)]
        if q.name in arrays_io:
            c = arrays_io[q.name]
            need = self.need(q, c, docs.get(c, ""), func.name)
            if need.startswith("sizeof"):
                return self.fill("(*%s)" % q.name, elem, seed, q.name) + ["*%s = (unsigned int)(%s);" % (c, need)]
            i = self.fresh()
            body = self.fill_elem(q.name, i, elem, seed)
            return ["for (unsigned int %s = 0; %s < fk_count(); %s++) {" % (i, i, i)] + \
                ["    " + b for b in body] + ["}", "*%s = fk_count();" % c]
        if q.name in arrays_bv:
            c = arrays_bv[q.name]
            bytes_ = "bytes" in docs.get(c, "")
            n = "((size_t)%s / sizeof(*%s))" % (c, q.name) if bytes_ else "(size_t)%s" % c
            i = self.fresh()
            body = self.fill_elem(q.name, i, elem, seed)
            return ["if (%s) {" % q.name, "    size_t n_%s = %s;" % (i, n),
                    "    if (n_%s > 4096) n_%s = 4096;" % (i, i),
                    "    for (size_t %s = 0; %s < n_%s; %s++) {" % (i, i, i, i)] + \
                ["        " + b for b in body] + ["    }", "}"]
        if w[0] in ("void", "other"):
            return []
        if w[0] == "handle":   # a handle out is given, whatever the slot held
            return ["if (%s) *%s = (%s)fk_handle(%d, 0);" % (q.name, q.name, w[1], self.types.kinds.index(w[1]) + 1)]
        body = self.fill("(*%s)" % q.name, elem, seed, q.name)
        return ["if (%s) {" % q.name] + ["    " + b for b in body] + ["}"]

    def fill_elem(self, arr, i, elem, seed):
        w = self.types.what(elem)
        if w[0] == "handle":
            return ["%s[%s] = (%s)fk_handle(%d, %s);" % (arr, i, w[1], self.types.kinds.index(w[1]) + 1, i)]
        return self.fill("%s[%s]" % (arr, i), elem, "fk_mix(%s, %s)" % (seed, i), arr)

    def error_string(self, header_text):
        e = self.h.enums["nvmlReturn_t"] if "nvmlReturn_t" in self.h.enums else \
            self.types.enum_by_name["nvmlReturn_t"]
        lines = ["const char *nvmlErrorString(nvmlReturn_t result)", "{",
                 '    fk_begin("nvmlErrorString");', '    fk_append("result=%d", (int)result);',
                 "    fk_end(0);", "    switch ((int)result) {"]
        # the members' trailing //!< comments, where the parse has none
        docs = dict(re.findall(r"^\s*(NVML_\w+)\s*=[^,\n]*,?\s*//!<\s*(.*?)\s*$", header_text, re.M))
        seen = set()
        for m in e.members:
            if m.value in seen:
                continue
            seen.add(m.value)
            text = re.sub(r"\s+", " ", (m.doc or docs.get(m.name, "")).replace("\\ref", "")).strip() or m.name
            text = text.replace("\\", "\\\\").replace('"', '\\"')
            lines.append('    case %d: return "%s";' % (m.value, text))
        lines += ['    default: return "Unknown Error";', "    }", "}"]
        return lines

    def emit(self, header_name):
        self.structs_logged = {}
        bodies = []
        names = []
        for func in self.h.functions.values():
            if func.name == "nvmlErrorString":
                bodies.append(self.error_string(self.header_text))
                names.append(func.name)
                continue
            body = self.function(func)
            if body is None:
                raise ValueError("%s returns %s: the fake has no rule for it" % (func.name, func.ret))
            bodies.append(body)
            names.append(func.name)
        out = ["/* Generated by tests/nvml_fake/make_fake.py from %s: do not edit. */" % header_name,
               "#include <nvml.h>",
               "#define FK_KIND_NAMES \"?\", %s" % ", ".join('"%s"' % handle_label(k) for k in self.types.kinds),
               '#include "fake_runtime.h"',
               "static int fk_worse(int a, int b) { return a != NVML_SUCCESS ? a : b; }", ""]
        for name, e in self.enums_used.items():
            vals = sorted({m.value for m in e.members})
            out.append("static const int %s[] = {%s};" % (name, ", ".join(map(str, vals))))
        protos = ["static int %s(%s *p, uint64_t seed);" % (n, self.types.struct_c(
            next(s for s in self.h.structs.values() if "fk_fill_" + re.sub(r"\W", "_", s.name) == n)))
            for n in self.structs_used]
        out += protos
        for s in self.structs_logged.values():
            out += self.struct_log(s)
        for lines in self.structs_used.values():
            out += lines
        for b in bodies:
            out += b + [""]
        out.append("/* %d functions */" % len(names))
        return "\n".join(out) + "\n", names


def generate(header):
    h = parse(header)
    e = Emitter(h)
    with open(header, encoding="utf-8", errors="replace") as f:
        e.header_text = f.read()
    return e.emit(os.path.basename(header))


def main():
    header, dest = sys.argv[1], sys.argv[2]
    text, names = generate(header)
    with open(dest, "w") as f:
        f.write(text)
    print("%s: %d functions" % (dest, len(names)))


if __name__ == "__main__":
    main()
