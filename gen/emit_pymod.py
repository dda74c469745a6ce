"""The Python module cuda.bindings.<lib>: one FASTCALL shim per function.

A shim unpacks, converts each argument with one helper from csrc/cb_args.h,
calls the library through the C capsule table (the same one outside C code
uses), and builds the result.  No behaviour is written here that is not a
call into csrc/.
"""
from . import emit_cpdef, emit_structs, enum_docs, overrides
from .common import banner, c_string, cuda_version, module_definition
from .cparse import CType
from .kinds import INT_TYPES
from .model import DRIVER_U64
from .pytypes import docstring


class Shim:
    """Builds one function's C text from its binding."""

    def __init__(self, model, b):
        self.m, self.b = model, b
        self.lib = model.lib
        self.pythonic = self.lib.style == "pythonic"
        # Two phases: first every conversion that can run Python code (an
        # __index__, a sequence's items, a buffer export), then the reads
        # that cannot (a handle's stored value, a struct's bytes), then what
        # calls the library before the call (size queries).  So a later
        # argument's code cannot free what an earlier one gave: a program it
        # destroys reads as NULL.
        self.decls, self.convert, self.checks, self.cleanup = [], [], [], []
        self.reads, self.queries = [], []
        self.scalars = []    # plain integer arguments: NVIDIA's converts them first, on entry
        self.first = []      # then the arguments it converts before the rest (a launch's extra)
        self.counts = []     # a list's length against its count, once every argument is converted
        self.post = []       # right after the call, before its status is looked at
        self.temps = set()   # scratch locals the conversions use: ll, ull, vp
        self.call_guard = None   # the call is made only where this holds (its status then stays the query's)
        self.needs_state = False
        self.classes = {}    # local -> how to get the class (made on first use), fetched before any work
        self.index = {a.name: i for i, a in enumerate(b.inputs)}

    def api(self, name):
        return "CudaBindings_%s->%s" % (self.lib.key.upper(), name)

    def ctx(self, a):
        return "&spec_%s, %d" % (self.b.name, self.index[a.name])

    def handle_type(self, a):
        return self.handle_class(a.handle)

    def handle_class(self, ctype):
        self.needs_state = True
        self.classes["cls_%s" % ctype] = "cb_handle_class(module, st, HANDLE_%s)" % ctype
        return "cls_%s" % ctype

    def struct_class(self, ctype):
        self.needs_state = True
        self.classes["cls_%s" % ctype] = "cb_struct_class(module, st, STRUCT_%s)" % ctype
        return "cls_%s" % ctype

    def argv(self, a):
        return "argv[%d]" % self.index[a.name]

    def typed_key_order(self):
        return overrides.TYPED_KEY_ORDER.get(self.b.name, "VALUE_FIRST")

    def handle_objects_only(self, a):
        return a.name in self.m.override(overrides.HANDLE_OBJECTS_ONLY, self.b.func, ())

    def callback_kind(self, a):
        return overrides.CALLBACKS[a.handle]

    def enum_ref(self, cname):
        return self.m.enum_ref(cname)

    def enum_member(self, idx, value):
        """The member of enum `idx` (a C expression) for a C value (a new reference)."""
        self.needs_state = True
        return "cb_enum_member_of(module, st, %s, %s)" % (idx, value)

    def struct_type(self, a):
        return self.struct_class(a.struct)

    def elem(self, a, T=None):
        """A cb_elem initializer for an array argument's items."""
        flags = "CB_ELEM_INT_ITEMS" if a.int_items else "CB_ELEM_ANY_ITERABLE" if a.any_iterable else "0"
        return self.elem_kind(a, T) + ", " + flags

    def elem_kind(self, a, T=None):
        T = T or a.type.pointee().c()
        if a.struct:
            return "CB_ELEM_STRUCT, sizeof(%s), 0, %s" % (T, self.struct_type(a))
        if a.handle:
            signed = bool(a.int_type) and INT_TYPES[a.int_type][0]
            return "CB_ELEM_HANDLE, sizeof(%s), %d, %s" % (T, signed, self.handle_type(a))
        if a.kind.address_items:
            return "CB_ELEM_ADDRESS, sizeof(void *), 0, NULL"
        if self.m.is_float(a.type.pointee()):
            return "CB_ELEM_FLOAT, sizeof(%s), 0, NULL" % T
        if a.enum is not None:   # items must be members of the enum
            self.needs_state = True
            return "CB_ELEM_INT, sizeof(%s), 1, cb_enum_class(module, %s)" % (T, self.enum_ref(a.enum))
        return "CB_ELEM_INT, sizeof(%s), %d, NULL" % (T, INT_TYPES[a.int_type][0])

    def py_of(self, cname):
        return next(x.pyname for x in self.b.inputs if x.name == cname)

    def query_args(self, query):
        """Arguments for a size query: the main call's locals by name, last one out."""
        q = self.m.by_name[query].func
        return [("c_%s" % p.name) for p in q.params[:-1]]

    def call_status(self, fname, args, release_gil):
        target = "status_s" if self.lib.status_struct else "status"
        call = "%s = %s(%s);" % (target, self.api(fname), ", ".join(args))
        if release_gil:
            call = "Py_BEGIN_ALLOW_THREADS\n    %s\n    Py_END_ALLOW_THREADS" % call
        if self.lib.status_struct:   # the library's status is the struct's .err
            call += "\n    status = status_s.err;"
        return ("%s\n    if (CB_UNLIKELY(status == %s) && PyErr_Occurred())\n        goto exit;"
                % (call, self.lib.except_value))

    def counted_call(self, b, args):
        """The call of a function returning no status: nothing (void), a
        long the reference drops (cuFileUseCount), a count of bytes
        whose negative is an errno or a status (cuFileRead), raised, or a
        status that is the answer (cudlaGetLastError), returned."""
        ret = b.func.ret.c()
        lines = ["%s r_;" % ret] if b.returns != "void" else []
        call = ("r_ = " if b.returns != "void" else "") + "%s(%s);" % (self.api(b.target), ", ".join(args))
        if b.returns == "ssize":   # -1: the reason is errno's, read before anything can change it
            lines.append("int errno_ = 0;")
            call += "\n    errno_ = errno;"
        lines.append("Py_BEGIN_ALLOW_THREADS\n    %s\n    Py_END_ALLOW_THREADS" % call)
        missing = ("PyErr_Occurred()" if b.returns == "void" else
                   "r_ == %s && PyErr_Occurred()" % self.lib.except_value if b.returns == "status_value" else
                   "r_ == -1 && PyErr_Occurred()")
        lines.append("if (CB_UNLIKELY(%s))\n        goto exit;" % missing)
        if b.returns == "ssize":
            lines.append("if (r_ < 0) {\n        %s_raise_negative(module, (long long)r_, errno_);\n        goto exit;\n    }"
                         % self.lib.key)
            lines.append("result = PyLong_FromSsize_t((Py_ssize_t)r_);")
        elif b.returns == "status_value":
            lines.append("(void)module;\n    result = PyLong_FromLongLong((long long)r_);")
        else:
            lines.append("(void)module;\n    result = Py_NewRef(Py_None);")
        lines.append("goto exit;")
        return lines

    def query_size(self, a):
        q = self.m.by_name[a.size_query].func
        size_t = q.params[-1].type.pointee().c()
        self.decls.append("%s need_%s = 0;" % (size_t, a.name))
        self.queries.append(self.call_status(a.size_query, self.query_args(a.size_query) + ["&need_%s" % a.name],
                                             False))
        self.queries.append("if (status != %s)\n        goto failed;" % self.lib.success)
        self.queries.append('if (cb_buf_require(&c_%s, (unsigned long long)need_%s, "what %s() reports", 0, %s) < 0)\n'
                            "        goto exit;" % (a.name, a.name, a.size_query, self.ctx(a)))

    def typed_functions(self):
        """Static converters of a typed `void *` value: a switch on its key."""
        out = []
        for a in self.b.args:
            direction = a.kind.typed_direction
            if direction is None:
                continue
            cases = sorted(k for k in a.types if k)
            conv = self.value_get if direction == "get" else self.value_set
            if direction == "set" and a.types[""] == "unsupported":   # refused, as NVIDIA's refuses it
                key = next(x for x in self.b.args if x.name == a.key)
                conv = lambda ctype, idx=self.enum_ref(key.enum): (
                    "        cb_raise_unsupported_key(module, %s, key);\n        return -1;\n" % idx
                    if ctype == "unsupported" else self.value_set(ctype))
            body = "".join("    case %s:\n%s" % (k, conv(a.types[k])) for k in cases)
            body += "    default:\n%s" % conv(a.types[""])
            if direction == "get":
                out.append("static PyObject *\ntyped_get_%s(PyObject *module, long long key, const void *v, size_t size)\n"
                           "{\n    cb_state *st = cb_get_state(module);\n    (void)st, (void)size;\n"
                           "    switch (key) {\n%s    }\n}\n\n" % (self.b.name, body))
                if a.types.get("") == "unsupported":
                    out.append("static int\ntyped_known_%s(long long key)\n{\n    switch (key) {\n%s"
                               "        return 1;\n    default:\n        return 0;\n    }\n}\n\n"
                               % (self.b.name, "".join("    case %s:\n" % k for k in cases)))
            else:
                out.append("static int\ntyped_set_%s(PyObject *module, long long key, PyObject *o, void *v, "
                           "const cb_argspec *spec, int argi)\n{\n    cb_state *st = cb_get_state(module);\n"
                           "    unsigned long long ull;\n    void *vp;\n    PyTypeObject *cls;\n"
                           "    (void)st, (void)ull, (void)vp, (void)cls;\n"
                           "    switch (key) {\n%s    }\n}\n\n" % (self.b.name, body))
        return "".join(out)

    def value_get(self, ctype):
        m = self.m
        by_size = {"int[]": "cb_typed_int_list", "bool": "cb_typed_bool", "char[]": "cb_typed_chars"}
        if ctype in by_size:   # read as long as the value's size says
            return "        return %s(v, size);\n" % by_size[ctype]
        if ctype == "unsupported":   # refused before the call (typed_known_*)
            return '        PyErr_SetString(PyExc_TypeError, "unsupported attribute");\n        return NULL;\n'
        if m.struct_name(CType(ctype)):
            return "        return cb_struct_new(cb_struct_class(module, st, STRUCT_%s), v);\n" % ctype
        kind = m.handle_kind(ctype)
        if kind == "pointer":
            return "        return cb_handle_new(cb_handle_class(module, st, HANDLE_%s), *(void *const *)v);\n" % ctype
        if kind:
            return "        return cb_handle_new(cb_handle_class(module, st, HANDLE_%s), (void *)(uintptr_t)*(const %s *)v);\n" % (
                ctype, ctype)
        if ctype == DRIVER_U64:   # the driver's class, as NVIDIA's runtime gives it
            return "        return cb_driver_uint64(*(const unsigned long long *)v);\n"
        if ctype == "void *":
            return "        return PyLong_FromVoidPtr(*(void *const *)v);\n"
        if m.is_enum(CType(ctype)):  # an attribute valued by an enum (CUmemAllocationType)
            return "        return cb_enum_member_of(module, st, %s, (long long)*(const %s *)v);\n" % (
                m.enum_ref(ctype), ctype)
        if INT_TYPES[ctype][0]:
            return "        return PyLong_FromLongLong((long long)*(const %s *)v);\n" % ctype
        return "        return PyLong_FromUnsignedLongLong((unsigned long long)*(const %s *)v);\n" % ctype

    def value_set(self, ctype):
        m = self.m
        if m.struct_name(CType(ctype)):
            return ("        if ((cls = cb_struct_class(module, st, STRUCT_%s)) == NULL ||\n"
                    "            cb_arg_struct(o, cls, 0, &vp, spec, argi) < 0)\n"
                    "            return -1;\n        memcpy(v, vp, sizeof(%s));\n        return 0;\n" % (ctype, ctype))
        kind = m.handle_kind(ctype)
        if ctype in ("bool", "_Bool"):   # truthiness, as NVIDIA's: an unsigned int 0 or 1, or one byte
            T, written = ("unsigned int", "0") if ctype == "bool" else ("unsigned char", "1")
            return ("        if ((ull = (unsigned long long)PyObject_IsTrue(o)) == (unsigned long long)-1)\n"
                    "            return -1;\n        *(%s *)v = (%s)ull;\n        return %s;\n" % (T, T, written))
        if ctype == "char[]":   # bytes or a bytearray, with its NUL: the size written
            return "        return cb_typed_set_chars(o, v, CB_TYPED_TEXT, spec, argi);\n"
        if ctype == "int()":   # int() of what has __int__ (a float too), a C int's bits: the size written
            return ("        if (cb_arg_bits(o, INT_MIN, UINT_MAX, &ull, spec, argi) < 0)\n            return -1;\n"
                    "        *(int *)v = (int)(unsigned int)ull;\n        return (int)sizeof(int);\n")
        if kind or ctype == DRIVER_U64:   # a handle object, as NVIDIA's reads it at getPtr()
            T = "unsigned long long" if ctype == DRIVER_U64 else ctype
            store = "*(void **)v = (void *)(uintptr_t)ull" if kind == "pointer" else "*(%s *)v = (%s)ull" % (T, T)
            return ("        if (cb_arg_typed_handle(o, &ull, spec, argi) < 0)\n            return -1;\n"
                    "        %s;\n        return 0;\n" % store)
        if ctype == "void *":
            return ("        if (cb_arg_address(o, &vp, spec, argi) < 0)\n            return -1;\n"
                    "        *(void **)v = vp;\n        return 0;\n")
        if m.is_enum(CType(ctype)):
            return ("        if (cb_arg_bits(o, INT_MIN, INT_MAX, &ull, spec, argi) < 0)\n            return -1;\n"
                    "        *(%s *)v = (%s)(int)ull;\n        return 0;\n" % (ctype, ctype))
        signed, lo, hi = INT_TYPES[m.int_type(CType(ctype))]
        lo = lo if signed else "0"
        if kind:
            conv = ("(cls = cb_handle_class(module, st, HANDLE_%s)) == NULL ||\n            "
                    "cb_arg_handle_value(o, cls, %s, %s, &ull, spec, argi)" % (ctype, lo, hi))
        else:
            conv = "cb_arg_bits(o, %s, %s, &ull, spec, argi)" % (lo, hi)
        return "        if (%s < 0)\n            return -1;\n        *(%s *)v = (%s)ull;\n        return 0;\n" % (
            conv, ctype, ctype)

    def text(self):
        b = self.b
        n_in = len(b.inputs)
        for a in b.inputs:
            a.kind.convert(self, a)
        for a in b.args:
            a.kind.prepare(self, a)
        outs = [a.kind.build(self, a) for a in b.outputs]
        call_args = [a.kind.call_arg(self, a) for a in b.args if a.member is None]
        body = []
        body += ["    " + c for c in self.scalars + self.first + self.convert + self.checks + self.counts
                 + self.reads + self.queries]
        status_idx = self.enum_ref(self.lib.status)
        if b.returns == "cstr":
            body.append("    const char *text;")
            call = "text = %s(%s);" % (self.api(b.name), ", ".join(call_args))
            body.append("    " + call)
            body.append("    if (text == NULL && PyErr_Occurred())\n        goto exit;")
            if self.pythonic:  # the text alone, as str
                # no text (an unknown status) is '', as NVIDIA's decodes it
                body.append("    (void)module;\n    result = cb_str_or_none(text != NULL ? text : \"\");")
            else:
                body.append("    result = cb_pack(2, %s, cb_bytes_or_none(text));"
                            % self.enum_member(status_idx, self.lib.success))
            failed = ""
        elif b.returns in ("struct", "struct_only"):
            ctype = self.m.struct_name(b.func.ret)
            self.needs_state = True
            body.append("    %s value = %s(%s);" % (b.func.ret.c(), self.api(b.name), ", ".join(call_args)))
            value = "cb_struct_new(%s, &value)" % self.struct_class(ctype)
            if b.returns == "struct":
                value = "cb_pack(2, %s, %s)" % (self.enum_member(status_idx, self.lib.success), value)
            body.append("    result = %s;" % value)
            failed = ""
        elif b.returns in ("void", "ignored", "ssize", "status_value"):
            body += ["    " + c for c in self.counted_call(b, call_args)]
            failed = ""
        else:
            self.decls.insert(0, "%s status = %s;" % (self.lib.status, self.lib.success))
            if self.lib.status_struct:
                self.decls.insert(1, "%s status_s = {.err = %s};" % (self.lib.status_struct, self.lib.success))
            call = self.call_status(b.target, call_args, not b.keep_gil)
            if self.call_guard:
                call = "if (%s) {\n    %s\n    }" % (self.call_guard, call.replace("\n", "\n    "))
            body.append("    " + call)
            body += ["    " + c for c in self.post]
            body.append("    if (status != %s)\n        goto failed;" % self.lib.success)
            if self.pythonic:
                if not outs:
                    body.append("    result = Py_NewRef(Py_None);")
                elif len(outs) == 1:
                    body.append("    result = %s;" % outs[0])
                else:
                    body.append("    result = cb_pack(%d, %s);" % (len(outs), ", ".join(outs)))
                failed = "failed:\n"
                for out, destroy in b.destroy_on_failure.items():
                    failed += ("    if (c_%s != NULL)  /* made by the failed call; nobody else can free it */\n"
                               "        (void)%s(&c_%s);\n" % (out, self.api(destroy), out))
                failed += ("    %s_raise(module, status_s);\n" % self.lib.key if self.lib.status_struct else
                           "    cb_raise_status(module, (long long)status);\n")
            else:
                items = [self.enum_member(status_idx, "(long long)status")] + outs
                body.append("    result = cb_pack(%d, %s);" % (len(items), ",\n                     ".join(items)))
                failed = ("failed:\n    result = cb_status_only(%s, %d);\n"
                          % (self.enum_member(status_idx, "(long long)status"), len(outs)))
            body.append("    goto exit;")
        # the classes the call takes or makes, fetched (made on first use) before any work
        body[:0] = ["    if ((%s = %s) == NULL)\n        goto exit;" % (v, get) for v, get in self.classes.items()]
        self.decls += ["PyTypeObject *%s;" % v for v in self.classes]
        decls = []
        spelled = {"ll": "long long ll;", "ull": "unsigned long long ull;", "vp": "void *vp;"}
        decls += [spelled[t] for t in sorted(self.temps)]
        if self.needs_state:
            decls.insert(0, "cb_state *st = cb_get_state(module);")
        decls += self.decls
        names = ", ".join('"%s"' % a.pyname for a in b.inputs)
        head = ""
        if n_in:
            head += "static const char *const names_%s[] = {%s};\n" % (b.name, names)
        optional = optional_count(b)
        head += 'static const cb_argspec spec_%s = {"%s", %s, %d, %d};\n\n' % (
            b.name, b.pyname, "names_%s" % b.name if n_in else "NULL", n_in, optional)
        cleanup = "".join("    %s\n" % c for c in self.cleanup)
        return self.typed_functions() + head + """static PyObject *
py_%(name)s(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *argv[%(nargv)d];
    PyObject *result = NULL;
%(decls)s
    if (cb_unpack(&spec_%(name)s, args, nargs, kwnames, argv) < 0)
        return NULL;
%(body)s
%(failed)sexit:
%(cleanup)s    return result;
}

""" % dict(name=b.name, nargv=max(1, n_in), decls="".join("    %s\n" % d for d in decls),
           body="\n".join(body), failed=failed, cleanup=cleanup)


def optional_count(b):
    """Trailing inputs that may be left out: lengths of arrays the call fills (0 then)."""
    n = 0
    for a in reversed(b.inputs):
        if not a.kind.optional:
            break
        n += 1
    return n


def method_doc(model, b):
    optional = optional_count(b)
    sig = "%s($module%s)\n--\n\n" % (b.pyname, "".join(
        ", " + a.pyname + ("=0" if i >= len(b.inputs) - optional else "") for i, a in enumerate(b.inputs)))
    return c_string(sig + docstring(model, b))


def emit(model):
    lib = model.lib
    L = lib.key.upper()
    out = [banner(lib, cuda_version=cuda_version(model.h))]
    out.append('#define NVJITLINK_NO_INLINE\n')
    out.append('#include "cb_args.h"\n#include "cb_module.h"\n#include "cb_result.h"\n')  # Python.h first
    if model.py_facts:
        out.append('#include "cb_error.h"\n')
    if lib.interop_headers:
        out.append('#define CUDA_BINDINGS_%s_INTEROP\n#include "cb_interop_types.h"\n' % L)
    if emit_cpdef.has_cpdef(lib):
        out.append('#include "cb_capi.h"\n#include "cb_cpdef.h"\n')
    if lib.style == "tuple":
        out.append('#include "cb_array.h"\n#include "cb_callback.h"\n#include "cb_kernel.h"\n#include "cb_struct.h"\n#include <string.h>\n')
    errno_h = "#include <errno.h>\n" if any(b.returns == "ssize" for b in model.bindings) else ""
    out.append('#include "cuda_bindings/%s.h"\n%s#include <limits.h>\n#include <stdint.h>\n\n' % (lib.key, errno_h))

    # Tables: enums, handles, constants, sizes.
    enums = model.py_enums()
    for cname, pyname, members, _ in enums:
        out.append("static const char *const enum_%s_names[] = {%s};\n" % (
            cname, ", ".join('"%s"' % m[0] for m in members)))
        out.append("static const long long enum_%s_values[] = {%s};\n" % (
            cname, ", ".join("%dLL" % m[1] if m[1] < 2 ** 63 else "(long long)%dULL" % m[1] for m in members)))
        out.append("static const char *const enum_%s_docs[] = {%s};\n" % (cname, ", ".join(
            c_string(d) if d is not None else "NULL"
            for d in (enum_docs.member_doc(m[2], model) for m in members))))
    out.append("\nenum {\n%s};\n" % "".join("    %s,\n" % model.enum_ref(e[0]) for e in enums))
    out.append("static const cb_enum_def enums[] = {\n")
    for cname, pyname, members, doc in enums:
        sign = ("CB_ENUM_SIGNED" if any(m[1] < 0 for m in members) else
                "CB_ENUM_UNSIGNED_64" if any(m[1] >= 2 ** 63 for m in members) else
                "CB_ENUM_UNSIGNED_ITEMS" if lib.key in overrides.SIGNED_ENUM_LIBS else "CB_ENUM_UNSIGNED")
        out.append('    {"%s", %s, enum_%s_names, enum_%s_values, enum_%s_docs, %d, %s},\n' % (
            pyname, c_string(enum_docs.class_doc(doc, model, cname)), cname, cname, cname, len(members),
            sign))
    out.append("};\n\n")
    handles = model.handles() if lib.style == "tuple" else []
    if handles:
        out.append("enum {\n%s};\n" % "".join("    HANDLE_%s,\n" % h for h in handles))
        out.append("static const cb_handle_def handles[] = {\n")
        for h in handles:
            doc = model.h.typedef_docs.get(h)
            twin = model.facts.twins.get(h)
            out.append('    {"cuda.bindings.%s.%s", %s, CB_HANDLE_%s, %s, %d},\n' % (
                lib.key, h, c_string(doc.text if doc and doc.text else "Handle %s." % h),
                model.handle_class_kind(h).upper(), '"%s"' % twin if twin else "NULL",
                h in overrides.STREAM_PROTOCOL))
        out.append("};\n\n")
    consts = model.constants()
    if consts:
        out.append("static const cb_constant_def constants[] = {\n%s};\n\n" % "".join(
            '    {"%s", %dLL},\n' % c for c in consts))
    sizes = handles + [e[0] for e in enums] if lib.style == "tuple" else []
    if sizes:
        out.append("static const cb_sizeof_def sizes[] = {\n%s};\n\n" % "".join(
            '    {"%s", sizeof(%s)},\n' % (s, s) for s in sizes))

    out.append(emit_structs.tables(model))
    extras, extra_fields, extra_methods = model.rules.module_extras(model) if model.py_facts else ("", "", "")
    out.append(extras)

    for b in model.bindings:
        out.append(Shim(model, b).text())
    if emit_cpdef.has_cpdef(lib):
        out.append(emit_cpdef.c_text(model))

    out.append("static PyMethodDef methods[] = {\n")
    for b in model.bindings:
        out.append('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     %s},\n'
                   % (b.pyname, b.name, method_doc(model, b)))
    out.append(extra_methods)
    if sizes:
        out.append('    {"sizeof", cb_module_sizeof, METH_O,\n     %s},\n' % c_string(
            "sizeof($module, objType, /)\n--\n\nSize in bytes of the C type behind a class of this module."))
    if handles:   # for utils.get_cuda_native_handle
        out.append('    {"_handle_kind", cb_module_handle_kind, METH_O, NULL},\n')
    out.append('    {"__getattr__", cb_module_getattr, METH_O, NULL},\n')
    out.append('    {"__dir__", cb_module_dir, METH_NOARGS, NULL},\n')
    out.append("    {NULL, NULL, 0, NULL},\n};\n\n")
    out.append("""static const cb_module_def tables = {
    .name = "cuda.bindings.%(key)s",
    .enums = enums,
    .nenums = %(nenums)d,
    .handles = %(handles)s,
    .nhandles = %(nhandles)d,
    .constants = %(consts)s,
    .nconstants = %(nconsts)d,
    .sizes = %(sizes)s,
    .nsizes = %(nsizes)d,
    .error_class = %(error)s,
    .global_class = %(global_class)s,
    .status_enum = %(status)s,
%(structs)s%(extra_fields)s};

static int
module_exec(PyObject *module)
{
    if (CudaBindings_Import%(L)s() < 0)
        return -1;
%(cpdef)s    return cb_module_exec(module, &tables);
}

""" % dict(key=lib.key, L=L, nenums=len(enums),
           cpdef=emit_cpdef.module_exec_lines() if emit_cpdef.has_cpdef(lib) else "",
           handles="handles" if handles else "NULL", nhandles=len(handles),
           consts="constants" if consts else "NULL", nconsts=len(consts),
           sizes="sizes" if sizes else "NULL", nsizes=len(sizes),
           error='"cuda.bindings.%s.%s"' % (lib.key, lib.error_class) if lib.error_class else "NULL",
           global_class='"cuda.bindings.%s.%s"' % (lib.key, lib.global_class) if lib.global_class else "NULL",
           status=model.enum_ref(lib.status), structs=emit_structs.def_fields(model), extra_fields=extra_fields))
    out.append(module_definition(lib.key, "Python bindings of %s (%s), generated from %s." % (
        lib.display, "tuple-returning calls" if lib.style == "tuple" else "calls raise %s" % lib.error_class,
        ", ".join(lib.headers)), state=True))
    return "".join(out)
