"""The Python module cuda.bindings.<lib>: one FASTCALL shim per function.

A shim unpacks, converts each argument with one helper from csrc/cb_args.h,
calls the library through the C capsule table (the same one outside C code
uses), and builds the result.  No behaviour is written here that is not a
call into csrc/.
"""
from . import emit_structs
from .common import banner, c_string, cuda_version, module_definition
from .model import INT_TYPES
from .pytypes import docstring


class Shim:
    """Builds one function's C text from its binding."""

    def __init__(self, model, b):
        self.m, self.b = model, b
        self.lib = model.lib
        self.pythonic = self.lib.style == "pythonic"
        self.decls, self.convert, self.checks, self.cleanup = [], [], [], []
        self.temps = set()   # scratch locals the conversions use: ll, ull, vp
        self.needs_state = False
        self.index = {a.name: i for i, a in enumerate(b.inputs)}

    def api(self, name):
        return "CudaBindings_%s->%s" % (self.lib.key.upper(), name)

    def ctx(self, a):
        return "&spec_%s, %d" % (self.b.name, self.index[a.name])

    def handle_type(self, a):
        self.needs_state = True
        return "st->handles[HANDLE_%s]" % a.handle

    def arg(self, a):
        """Declare and convert one input."""
        i, ctx, T = "argv[%d]" % self.index[a.name], self.ctx(a), a.type.c()
        k = a.kind
        if k in ("int", "enum"):
            if k == "enum":
                signed, lo, hi = True, "INT_MIN", "INT_MAX"
            else:
                signed, lo, hi = INT_TYPES[a.int_type]
            self.decls.append("%s c_%s;" % (T, a.name))
            self.temps.add("ll" if signed else "ull")
            if signed:
                self.convert.append("if (cb_arg_ll(%s, %s, %s, &ll, %s) < 0)\n        goto exit;\n"
                                    "    c_%s = (%s)ll;" % (i, lo, hi, ctx, a.name, T))
            else:
                self.convert.append("if (cb_arg_ull(%s, %s, &ull, %s) < 0)\n        goto exit;\n"
                                    "    c_%s = (%s)ull;" % (i, hi, ctx, a.name, T))
        elif k in ("handle", "inout_handle", "address", "funcptr"):
            H = a.handle or T
            name = "c_%s" % a.name if k != "inout_handle" else "v_%s" % a.name
            self.decls.append("%s;" % (a.type.c(name) if k == "funcptr" else "%s %s" % (H, name)))
            if k in ("handle", "inout_handle") and self.pythonic:
                # Pythonic modules pass handles as plain ints (intptr_t in NVIDIA's).
                call, value = "cb_arg_ull(%s, UINTPTR_MAX, &ull, %s)" % (i, ctx), "(uintptr_t)ull"
                self.temps.add("ull")
            elif k in ("handle", "inout_handle"):
                call, value = "cb_arg_handle(%s, %s, &vp, %s)" % (i, self.handle_type(a), ctx), "vp"
                self.temps.add("vp")
            else:
                call, value = "cb_arg_address(%s, &vp, %s)" % (i, ctx), "vp"
                self.temps.add("vp")
            self.convert.append("if (%s < 0)\n        goto exit;\n    %s = (%s)%s;" % (call, name, H, value))
            if k == "inout_handle":
                self.decls.append("%s *c_%s;" % (H, a.name))
                if self.pythonic:
                    self.convert.append("c_%s = &v_%s;" % (a.name, a.name))
                else:
                    # The library writes the handle back (destroy sets it to NULL).
                    self.convert.append("c_%s = PyObject_TypeCheck(%s, %s) ? (%s *)cb_handle_slot(%s) : &v_%s;"
                                        % (a.name, i, self.handle_type(a), H, i, a.name))
        elif k == "cstr":
            self.decls.append("const char *c_%s;" % a.name)
            self.convert.append("if (cb_arg_cstr(%s, %d, %d, &c_%s, %s) < 0)\n        goto exit;"
                                % (i, a.nullable, self.pythonic, a.name, ctx))
        elif k == "cstr_list":
            count = next(x for x in self.b.inputs if x.name == a.count)
            self.decls.append("cb_strlist c_%s = CB_STRLIST_INIT;" % a.name)
            self.convert.append('if (cb_arg_cstr_list(%s, (long long)c_%s, "%s", %d, &c_%s, %s) < 0)\n'
                                "        goto exit;" % (i, a.count, count.pyname, self.pythonic, a.name, ctx))
            self.cleanup.append("cb_strlist_release(&c_%s);" % a.name)
        elif k in ("buffer_in", "buffer_out"):
            self.decls.append("cb_buf c_%s = CB_BUF_INIT;" % a.name)
            self.convert.append("if (cb_arg_buffer(%s, %d, 0, &c_%s, %s) < 0)\n        goto exit;"
                                % (i, k == "buffer_out", a.name, ctx))
            self.cleanup.append("cb_buf_release(&c_%s);" % a.name)
            if a.size_arg:
                self.checks.append("if (cb_buf_require(&c_%s, (unsigned long long)c_%s, \"'%s'\", %s) < 0)\n"
                                   "        goto exit;" % (a.name, a.size_arg,
                                                          self.py_of(a.size_arg), ctx))
            if a.size_query:
                self.query_size(a)
        else:
            raise ValueError("%s: unknown kind %s" % (self.b.name, k))

    def py_of(self, cname):
        return next(x.pyname for x in self.b.inputs if x.name == cname)

    def query_args(self, query):
        """Arguments for a size query: the main call's locals by name, last one out."""
        q = self.m.by_name[query].func
        return [("c_%s" % p.name) for p in q.params[:-1]]

    def call_status(self, fname, args, release_gil):
        call = "status = %s(%s);" % (self.api(fname), ", ".join(args))
        if release_gil:
            call = "Py_BEGIN_ALLOW_THREADS\n    %s\n    Py_END_ALLOW_THREADS" % call
        return ("%s\n    if (CB_UNLIKELY(status == %s) && PyErr_Occurred())\n        goto exit;"
                % (call, self.lib.except_value))

    def query_size(self, a):
        q = self.m.by_name[a.size_query].func
        size_t = q.params[-1].type.pointee().c()
        self.decls.append("%s need_%s = 0;" % (size_t, a.name))
        self.checks.append(self.call_status(a.size_query, self.query_args(a.size_query) + ["&need_%s" % a.name],
                                            False))
        self.checks.append("if (status != %s)\n        goto failed;" % self.lib.success)
        self.checks.append('if (cb_buf_require(&c_%s, (unsigned long long)need_%s, "what %s() reports", %s) < 0)\n'
                           "        goto exit;" % (a.name, a.name, a.size_query, self.ctx(a)))

    def output(self, a):
        """Declare one output; return the expression that converts it."""
        T = a.type.pointee().c() if a.type.ptrs else a.type.c()
        k = a.kind
        if k == "out_int":
            self.decls.append("%s c_%s = 0;" % (T, a.name))
            if INT_TYPES[a.int_type][0]:
                return "PyLong_FromLongLong((long long)c_%s)" % a.name
            return "PyLong_FromUnsignedLongLong((unsigned long long)c_%s)" % a.name
        if k == "out_enum":
            self.decls.append("%s c_%s;" % (T, a.name))
            return "cb_enum_member(module, %d, (long long)c_%s)" % (self.m.enum_index(a.enum), a.name)
        if k == "out_handle":
            self.decls.append("%s c_%s = 0;" % (a.handle, a.name))
            if self.pythonic:
                return "PyLong_FromVoidPtr((void *)c_%s)" % a.name
            return "cb_handle_new(%s, (void *)c_%s)" % (self.handle_type(a), a.name)
        if k == "out_cstr":
            self.decls.append("const char *c_%s = NULL;" % a.name)
            return "cb_bytes_or_none(c_%s)" % a.name
        if k == "out_int_array":
            q = self.m.by_name[a.size_query].func
            self.decls.append("int n_%s = 0;\n    %s *c_%s = NULL;" % (a.name, T, a.name))
            self.checks.append(self.call_status(a.size_query, ["&n_%s" % a.name], False))
            self.checks.append("if (status != %s)\n        goto failed;" % self.lib.success)
            self.checks.append("c_%s = PyMem_Calloc(n_%s > 0 ? (size_t)n_%s : 1, sizeof(%s));\n"
                               "    if (c_%s == NULL) {\n        PyErr_NoMemory();\n        goto exit;\n    }"
                               % (a.name, a.name, a.name, T, a.name))
            self.cleanup.append("PyMem_Free(c_%s);" % a.name)
            assert len(q.params) == 1
            return "cb_int_list(c_%s, (size_t)n_%s)" % (a.name, a.name)
        raise ValueError("%s: unknown output kind %s" % (self.b.name, k))

    def call_arg(self, a):
        k = a.kind
        if k == "cstr_list":
            return "(%s)c_%s.items" % (a.type.c(), a.name)
        if k in ("buffer_in", "buffer_out"):
            return "(%s)c_%s.ptr" % (a.type.c(), a.name)
        if k in ("out_int", "out_enum", "out_handle", "out_cstr"):
            return "&c_%s" % a.name
        return "c_%s" % a.name

    def text(self):
        b = self.b
        n_in = len(b.inputs)
        for a in b.inputs:
            self.arg(a)
        outs = [self.output(a) for a in b.outputs]
        call_args = [self.call_arg(a) for a in b.args]
        body = []
        body += ["    " + c for c in self.convert]
        body += ["    " + c for c in self.checks]
        status_idx = self.m.enum_index(self.lib.status)
        if b.returns == "cstr":
            body.append("    const char *text;")
            call = "text = %s(%s);" % (self.api(b.name), ", ".join(call_args))
            body.append("    " + call)
            body.append("    if (text == NULL && PyErr_Occurred())\n        goto exit;")
            body.append("    result = cb_pack(2, cb_enum_member(module, %d, %s), cb_bytes_or_none(text));"
                        % (status_idx, self.lib.success))
            failed = ""
        else:
            self.decls.insert(0, "%s status;" % self.lib.status)
            body.append("    " + self.call_status(b.name, call_args, not b.keep_gil))
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
                failed += "    cb_raise_status(module, (long long)status);\n"
            else:
                items = ["cb_enum_member(module, %d, (long long)status)" % status_idx] + outs
                body.append("    result = cb_pack(%d, %s);" % (len(items), ",\n                     ".join(items)))
                failed = ("failed:\n    result = cb_status_only(cb_enum_member(module, %d, (long long)status), %d);\n"
                          % (status_idx, len(outs)))
            body.append("    goto exit;")
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
        head += 'static const cb_argspec spec_%s = {"%s", %s, %d};\n\n' % (
            b.name, b.pyname, "names_%s" % b.name if n_in else "NULL", n_in)
        cleanup = "".join("    %s\n" % c for c in self.cleanup)
        return head + """static PyObject *
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


def method_doc(model, b):
    sig = "%s($module%s)\n--\n\n" % (b.pyname, "".join(", " + a.pyname for a in b.inputs))
    return c_string(sig + docstring(model, b))


def emit(model):
    lib = model.lib
    L = lib.key.upper()
    out = [banner(lib, cuda_version=cuda_version(model.h))]
    out.append('#define NVJITLINK_NO_INLINE\n#include "cb_args.h"\n#include "cb_module.h"\n')
    out.append('#include "cuda_bindings/%s.h"\n#include <limits.h>\n#include <stdint.h>\n\n' % lib.key)

    # Tables: enums, handles, constants, sizes.
    enums = model.py_enums()
    for cname, pyname, members, _ in enums:
        out.append("static const char *const enum_%s_names[] = {%s};\n" % (
            cname, ", ".join('"%s"' % m[0] for m in members)))
        out.append("static const long long enum_%s_values[] = {%s};\n" % (
            cname, ", ".join("%dLL" % m[1] for m in members)))
    out.append("\nstatic const cb_enum_def enums[] = {\n")
    for cname, pyname, members, doc in enums:
        text = doc.text or ""
        out.append('    {"%s", %s, enum_%s_names, enum_%s_values, %d},\n' % (
            pyname, c_string(text), cname, cname, len(members)))
    out.append("};\n\n")
    handles = model.handles() if lib.style == "tuple" else []
    if handles:
        out.append("enum {\n%s};\n" % "".join("    HANDLE_%s,\n" % h for h in handles))
        out.append("static const cb_handle_def handles[] = {\n")
        for h in handles:
            doc = model.h.typedef_docs.get(h)
            out.append('    {"cuda.bindings.%s.%s", %s, CB_HANDLE_POINTER},\n' % (
                lib.key, h, c_string(doc.text if doc and doc.text else "Handle %s." % h)))
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

    for b in model.bindings:
        out.append(Shim(model, b).text())

    out.append("static PyMethodDef methods[] = {\n")
    for b in model.bindings:
        out.append('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     %s},\n'
                   % (b.pyname, b.name, method_doc(model, b)))
    if sizes:
        out.append('    {"sizeof", cb_module_sizeof, METH_O,\n     %s},\n' % c_string(
            "sizeof($module, objType, /)\n--\n\nSize in bytes of the C type behind a class of this module."))
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
    .status_enum = %(status)d,
%(structs)s};

static int
module_exec(PyObject *module)
{
    if (CudaBindings_Import%(L)s() < 0)
        return -1;
    return cb_module_exec(module, &tables);
}

""" % dict(key=lib.key, L=L, nenums=len(enums),
           handles="handles" if handles else "NULL", nhandles=len(handles),
           consts="constants" if consts else "NULL", nconsts=len(consts),
           sizes="sizes" if sizes else "NULL", nsizes=len(sizes),
           error='"cuda.bindings.%s.%s"' % (lib.key, lib.error_class) if lib.error_class else "NULL",
           status=model.enum_index(lib.status), structs=emit_structs.def_fields(model)))
    out.append(module_definition(lib.key, "Python bindings of %s (%s), generated from %s." % (
        lib.display, "tuple-returning calls" if lib.style == "tuple" else "calls raise %s" % lib.error_class,
        ", ".join(lib.headers)), state=True))
    return "".join(out)
