"""The Python module cuda.bindings.<lib>: one FASTCALL shim per function.

A shim unpacks, converts each argument with one helper from csrc/cb_args.h,
calls the library through the C capsule table (the same one outside C code
uses), and builds the result.  No behaviour is written here that is not a
call into csrc/.
"""
from . import emit_cpdef, emit_structs, enum_docs, overrides
from .common import banner, c_string, cuda_version, module_definition
from .cparse import CType
from .model import DRIVER_U64, INT_TYPES
from .pytypes import docstring


# Room for one value typed by a key (csrc/cb_array.h), aligned for any of them.
TYPED_ROOM = "unsigned long long c_%s[CB_TYPED_SLOT / sizeof(unsigned long long)] = {0};"
TYPED_TEXT_ROOM = "unsigned long long c_%s[CB_TYPED_TEXT / sizeof(unsigned long long)] = {0};"


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

    def arg(self, a):
        """Declare and convert one input."""
        i, ctx, T = "argv[%d]" % self.index[a.name], self.ctx(a), a.type.c()
        k = a.kind
        if k == "int" and not self.pythonic:   # typed C integers, converted before the rest
            first = len(self.convert)
            self.arg_converted(a, i, ctx, T, k)
            self.scalars += self.convert[first:]
            del self.convert[first:]
        else:
            self.arg_converted(a, i, ctx, T, k)

    def arg_converted(self, a, i, ctx, T, k):
        if k in ("int", "enum", "inout_enum"):
            if k == "inout_enum":
                T = a.type.pointee().c()
            if k != "int":
                signed, lo, hi = True, "INT_MIN", "INT_MAX"
            else:
                signed, lo, hi = INT_TYPES[a.int_type]
            self.decls.append("%s c_%s;" % (T, a.name))
            self.temps.add("ll" if signed else "ull")
            if k == "enum" and not self.pythonic and self.is_typed_key(a):
                self.needs_state = True
                order = "CB_KEY_" + overrides.TYPED_KEY_ORDER.get(self.b.name, "VALUE_FIRST")
                self.convert.append("if (cb_arg_enum_key(module, %d, %s, %s, &ll, %s) < 0)\n        goto exit;\n"
                                    "    c_%s = (%s)ll;" % (self.m.enum_index(a.enum), i, order, ctx, a.name, T))
            elif k != "int" and not self.pythonic:   # int(value), as NVIDIA's takes an enum
                self.convert.append("if (cb_arg_enum(%s, &ll, %s) < 0)\n        goto exit;\n"
                                    "    c_%s = (%s)ll;" % (i, ctx, a.name, T))
            elif signed:
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
                call, value = "cb_arg_int_handle(%s, &ull, %s)" % (i, ctx), "(uintptr_t)ull"
                self.temps.add("ull")
            elif k in ("handle", "inout_handle"):
                # phase one converts what is not a handle object; phase two
                # reads a handle object's value, running no Python code
                cls = self.handle_type(a)
                self.decls.append("PyObject *h_%s;" % a.name)
                # a pointer to a handle takes only its class (or the twin's), as NVIDIA's
                conv = "cb_arg_own_handle" if self.lib.own_handles_only or k == "inout_handle" else "cb_arg_handle"
                self.convert.append("if (%s(%s, %s, &vp_%s, &h_%s, %s) < 0)\n        goto exit;"
                                    % (conv, i, cls, a.name, a.name, ctx))
                self.decls.append("void *vp_%s = NULL;" % a.name)
                call, value = None, "cb_handle_read(h_%s, %s, vp_%s)" % (a.name, cls, a.name)
                self.reads.append("%s = (%s)%s;" % (name, H, value))
            elif a.name == "extra":
                # a launch's `extra`: an int only (None refused), converted before the
                # other arguments, as NVIDIA's converts it
                self.first.append("if (cb_arg_ull(%s, UINTPTR_MAX, &ull, %s) < 0)\n        goto exit;\n"
                                  "    %s = (%s)(uintptr_t)ull;" % (i, ctx, name, H))
                self.temps.add("ull")
                call = None
            elif a.float_first:
                n = a.float_first
                self.decls.append("float f_%s[%d] = {0};\n    double d_%s;" % (a.name, n, a.name))
                self.convert.append("if (cb_arg_double(%s, &d_%s, %s) < 0)\n        goto exit;\n"
                                    "    f_%s[0] = (float)d_%s;\n    %s = f_%s;" % (i, a.name, ctx, a.name, a.name,
                                                                              name, a.name))
                call = None
            elif a.address_class:
                # checked before the other arguments, as NVIDIA's checks it
                cls = self.handle_class(a.address_class)
                self.first.append("if (cb_arg_address_of(%s, %s, &vp, %s) < 0)\n        goto exit;\n"
                                  "    %s = (%s)vp;" % (i, cls, ctx, name, H))
                self.temps.add("vp")
                call = None
            else:
                call, value = "cb_arg_address(%s, &vp, %s)" % (i, ctx), "vp"
                self.temps.add("vp")
            if call is not None:
                self.convert.append("if (%s < 0)\n        goto exit;\n    %s = (%s)%s;" % (call, name, H, value))
            if k == "inout_handle":
                self.decls.append("%s *c_%s;" % (H, a.name))
                if self.pythonic:
                    self.convert.append("c_%s = &v_%s;" % (a.name, a.name))
                else:
                    # The library writes the handle back (destroy sets it to NULL).
                    self.reads.append("c_%s = PyObject_TypeCheck(%s, %s) ? (%s *)cb_handle_slot(%s) : &v_%s;"
                                      % (a.name, i, self.handle_type(a), H, i, a.name))
        elif k == "cstr":
            self.decls.append("const char *c_%s;" % a.name)
            self.decls.append("PyObject *k_%s = NULL;" % a.name)   # a bytearray's copy
            self.cleanup.append("Py_XDECREF(k_%s);" % a.name)
            # the pythonic modules take a str, never None (as NVIDIA's)
            self.convert.append("if (cb_arg_cstr(%s, %d, %s, &c_%s, &k_%s, %s) < 0)\n        goto exit;"
                                % (i, a.nullable and not self.pythonic, "CB_STR_ONLY" if self.pythonic else "0",
                                   a.name, a.name, ctx))
        elif k == "cstr_list":
            count = next(x for x in self.b.inputs if x.name == a.count)
            self.decls.append("cb_strlist c_%s = CB_STRLIST_INIT;" % a.name)
            # a check, not a conversion: the count may come after the list (nvFatbinCreate)
            self.checks.append('if (cb_arg_cstr_list(%s, (long long)c_%s, "%s", %d, &c_%s, %s) < 0)\n'
                               "        goto exit;" % (i, a.count, count.pyname, self.pythonic, a.name, ctx))
            self.cleanup.append("cb_strlist_release(&c_%s);" % a.name)
        elif k in ("buffer_in", "buffer_out"):
            self.decls.append("cb_buf c_%s = CB_BUF_INIT;" % a.name)
            if k == "buffer_out" and not self.pythonic:   # a buffer object, never an address
                self.convert.append("if (cb_arg_out_buffer(%s, &c_%s, %s) < 0)\n        goto exit;"
                                    % (i, a.name, ctx))
            else:
                # a pythonic module's buffer may be None (NULL), as NVIDIA's
                self.convert.append("if (cb_arg_buffer(%s, %d, %s, &c_%s, %s) < 0)\n        goto exit;"
                                    % (i, k == "buffer_out",
                                       "CB_BUF_PYTHONIC" if self.pythonic else "0", a.name, ctx))
            self.cleanup.append("cb_buf_release(&c_%s);" % a.name)
            if a.size_arg:
                # exactly `size` bytes in the pythonic modules, as NVIDIA's checks
                self.checks.append("if (cb_buf_require(&c_%s, (unsigned long long)c_%s, \"'%s'\", %d, %s) < 0)\n"
                                   "        goto exit;" % (a.name, a.size_arg, self.py_of(a.size_arg),
                                                          self.pythonic and k == "buffer_in", ctx))
            if a.size_query:
                self.query_size(a)
        elif k == "float":
            self.decls.append("%s c_%s;\n    double d_%s;" % (T, a.name, a.name))
            self.convert.append("if (cb_arg_double(%s, &d_%s, %s) < 0)\n        goto exit;\n"
                                "    c_%s = (%s)d_%s;" % (i, a.name, ctx, a.name, T, a.name))
        elif k in ("handle_int", "inout_count", "inout_value"):
            signed, lo, hi = INT_TYPES[a.int_type]
            self.decls.append("%s c_%s;" % (a.handle or a.int_type, a.name))
            self.temps.add("ull")
            if k in ("handle_int", "inout_value"):
                call = "cb_arg_handle_value(%s, %s, %s, %s, &ull, %s)" % (
                    i, self.handle_type(a), lo if signed else "0", hi, ctx)
                if a.name in overrides.HANDLE_OBJECTS_ONLY.get(self.b.name, ()):
                    call = "(cb_arg_handle_object(%s, %s, %s) < 0 ? -1 : %s)" % (i, self.handle_type(a), ctx, call)
            else:  # the length of an array the call fills: left out, 0 (None is refused, as NVIDIA's)
                call = "(%s == CB_OMITTED ? (ull = 0, 0) : cb_arg_ull(%s, %s, &ull, %s))" % (i, i, hi, ctx)
            self.convert.append("if (%s < 0)\n        goto exit;\n    c_%s = (%s)ull;"
                                % (call, a.name, a.handle or a.int_type))
        elif k in ("struct_in", "struct_val"):
            S = a.type.pointee().c() if k == "struct_in" else T
            self.decls.append("void *s_%s;" % a.name)
            # a struct passed by value is never None (as NVIDIA's)
            self.convert.append("if (cb_arg_struct(%s, %s, %d, &s_%s, %s) < 0)\n        goto exit;"
                                % (i, self.struct_type(a), k == "struct_in", a.name, ctx))
            if k == "struct_val":  # by value, copied in phase two
                self.decls.append("%s c_%s;" % (S, a.name))
                self.reads.append("memcpy(&c_%s, s_%s, sizeof c_%s);" % ((a.name,) * 3))
        elif k == "struct_room":
            size, gran = ("c_" + n for n in a.regions)
            need = "(%s ? %s / %s + (%s %% %s != 0) : 1)" % (gran, size, gran, size, gran)
            why = "ceil(%s / %s)" % tuple(self.py_of(n) for n in a.regions)
            self.decls.append("cb_struct_room r_%s = CB_STRUCT_ROOM_INIT;" % a.name)
            self.checks.append("if (cb_arg_struct_room(%s, %s, sizeof(%s), (unsigned long long)%s, \"%s\", &r_%s, %s) < 0)"
                               "\n        goto exit;" % (i, self.struct_type(a), a.type.pointee().c(), need, why,
                                                         a.name, ctx))
            self.post.append("cb_struct_room_done(&r_%s, status == %s);" % (a.name, self.lib.success))
            self.cleanup.append("cb_struct_room_release(&r_%s);" % a.name)
        elif k == "host_ptr":
            self.decls.append("cb_buf c_%s = CB_BUF_INIT;" % a.name)
            self.convert.append("if (cb_arg_buffer(%s, %d, 1, &c_%s, %s) < 0)\n        goto exit;"
                                % (i, not a.type.const, a.name, ctx))
            self.cleanup.append("cb_buf_release(&c_%s);" % a.name)
        elif k in ("handle_array", "value_array", "struct_array", "address_array"):
            self.decls.append("cb_array c_%s = CB_ARRAY_INIT;" % a.name)
            self.decls.append("cb_elem e_%s;" % a.name)
            count = next(x for x in self.b.args if x.name == a.count)
            self.checks.append("e_%s = (cb_elem){%s};" % (a.name, self.elem(a)))
            less = " - %d" % a.count_less if a.count_less else ""
            conv = "cb_arg_array_or_one" if a.one_or_array else "cb_arg_array"
            self.checks.append("if (%s(%s, &e_%s, (long long)c_%s%s, &c_%s, %s) < 0)\n"
                               "        goto exit;" % (conv, i, a.name, a.count, less, a.name, ctx))
            self.counts.append('if (cb_arg_count_check(c_%s.n, (long long)c_%s%s, "%s%s", %s) < 0)\n'
                               "        goto exit;" % (a.name, a.count, less, count.pyname, less, ctx))
            self.cleanup.append("cb_array_release(&c_%s);" % a.name)
        elif k == "callback":
            user = next(x for x in self.b.inputs if x.name == a.user)
            kind = overrides.CALLBACKS[a.handle]
            self.decls.append("cb_callback c_%s = CB_CALLBACK_INIT;" % a.name)
            env = "NULL"
            if kind == "STREAM":
                self.decls.append("cb_callback_env env_%s;" % a.name)
                # the stream type the callback receives: its first parameter's
                stream = self.m.h.typedefs[a.handle].func.params[0].type.base
                self.convert.append("env_%s = (cb_callback_env){module, %s, %d};"
                                    % (a.name, self.handle_class(stream), self.m.enum_index(self.lib.status)))
                env = "&env_%s" % a.name
            self.convert.append("if (cb_arg_callback(%s, argv[%d], %d, %s, CB_CALLBACK_%s, %s, &c_%s, %s) < 0)\n"
                                "        goto exit;" % (i, self.index[user.name], self.index[user.name], self.handle_type(a), kind, env,
                                                        a.name, ctx))
            self.post.append("cb_callback_done(&c_%s, status == %s);" % (a.name, self.lib.success))
            self.cleanup.append("cb_callback_done(&c_%s, 0);" % a.name)
        elif k == "callback_data":
            pass  # converted with its callback
        elif k == "typed":
            size = next((x for x in self.b.args if x.kind == "typed_set_size" and x.count == a.name), None)
            if size is None:
                self.decls.append(TYPED_ROOM % a.name)
                self.checks.append("if (typed_set_%s(module, (long long)c_%s, %s, c_%s, %s) < 0)\n        goto exit;"
                                   % (self.b.name, a.key, i, a.name, ctx))
            else:   # the call also takes the size written (NVIDIA's returns only the status)
                self.decls.append(TYPED_TEXT_ROOM % a.name)
                self.decls.append("%s c_%s = 0;" % (size.type.pointee().c(), size.name))
                self.checks.append("if ((ll = typed_set_%s(module, (long long)c_%s, %s, c_%s, %s)) < 0)\n"
                                   "        goto exit;\n    c_%s = (%s)ll;"
                                   % (self.b.name, a.key, i, a.name, ctx, size.name, size.type.pointee().c()))
                self.temps.add("ll")
        elif k == "kernel_params":
            self.decls.append("cb_kparams c_%s = CB_KPARAMS_INIT;" % a.name)
            self.convert.append("if (cb_arg_kernel_params(%s, &c_%s, %s) < 0)\n        goto exit;"
                                % (i, a.name, ctx))
            self.cleanup.append("cb_kparams_release(&c_%s);" % a.name)
        else:
            raise ValueError("%s: unknown kind %s" % (self.b.name, k))

    def is_typed_key(self, a):
        """Whether `a` says the type of another argument's value."""
        return any(x.kind in ("typed", "out_typed") and x.key == a.name for x in self.b.args)

    def enum_member(self, idx, value):
        """The member of enum `idx` for a C value (a new reference)."""
        self.needs_state = True
        return "cb_enum_member_of(module, st, %d, %s)" % (idx, value)

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
        if a.kind == "address_array":
            return "CB_ELEM_ADDRESS, sizeof(void *), 0, NULL"
        if self.m.is_float(a.type.pointee()):
            return "CB_ELEM_FLOAT, sizeof(%s), 0, NULL" % T
        if a.enum is not None:   # items must be members of the enum
            self.needs_state = True
            return "CB_ELEM_INT, sizeof(%s), 1, cb_enum_class(module, %d)" % (T, self.m.enum_index(a.enum))
        return "CB_ELEM_INT, sizeof(%s), %d, NULL" % (T, INT_TYPES[a.int_type][0])

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
        self.queries.append(self.call_status(a.size_query, self.query_args(a.size_query) + ["&need_%s" % a.name],
                                             False))
        self.queries.append("if (status != %s)\n        goto failed;" % self.lib.success)
        self.queries.append('if (cb_buf_require(&c_%s, (unsigned long long)need_%s, "what %s() reports", 0, %s) < 0)\n'
                            "        goto exit;" % (a.name, a.name, a.size_query, self.ctx(a)))

    def output(self, a):
        """Declare one output; return the expression that converts it."""
        T = a.type.pointee().c() if a.type.ptrs else a.type.c()
        k = a.kind
        if k == "out_int":
            self.decls.append("%s c_%s = 0;" % (T, a.name))
            if INT_TYPES[a.int_type][0]:
                return "cb_int((long long)c_%s)" % a.name
            return "cb_uint((unsigned long long)c_%s)" % a.name
        if k == "out_enum":
            self.decls.append("%s c_%s;" % (T, a.name))
            return self.enum_member(self.m.enum_index(a.enum), "(long long)c_%s" % a.name)
        if k == "out_handle":
            self.decls.append("%s c_%s = 0;" % (a.handle, a.name))
            if self.pythonic:
                return "PyLong_FromVoidPtr((void *)c_%s)" % a.name
            return "cb_handle_new(%s, (void *)(uintptr_t)c_%s)" % (self.handle_type(a), a.name)
        if k == "out_cstr":
            self.decls.append("const char *c_%s = NULL;" % a.name)
            return "cb_bytes_or_none(c_%s)" % a.name
        if k == "out_int_array":
            q = self.m.by_name[a.size_query].func
            self.decls.append("int n_%s = 0;\n    %s *c_%s = NULL;" % (a.name, T, a.name))
            self.queries.append(self.call_status(a.size_query, ["&n_%s" % a.name], False))
            self.queries.append("if (status != %s)\n        goto failed;" % self.lib.success)
            self.queries.append("c_%s = PyMem_Calloc(n_%s > 0 ? (size_t)n_%s : 1, sizeof(%s));\n"
                                "    if (c_%s == NULL) {\n        PyErr_NoMemory();\n        goto exit;\n    }"
                                % (a.name, a.name, a.name, T, a.name))
            self.cleanup.append("PyMem_Free(c_%s);" % a.name)
            assert len(q.params) == 1
            return "cb_int_list(c_%s, (size_t)n_%s)" % (a.name, a.name)
        if k == "out_float":
            self.decls.append("%s c_%s = 0;" % (T, a.name))
            return "PyFloat_FromDouble((double)c_%s)" % a.name
        if k == "out_address":
            # a `void *` the call writes an address into (OUT_ADDRESS_PARAMS) holds a `void *`
            self.decls.append("%s c_%s = NULL;" % (T if a.type.depth == 2 else "void *", a.name))
            return "PyLong_FromVoidPtr((void *)c_%s)" % a.name
        if k == "out_struct":
            self.decls.append("PyObject *o_%s = NULL;" % a.name)
            self.checks.append("if ((o_%s = cb_struct_new(%s, NULL)) == NULL)\n        goto exit;"
                               % (a.name, self.struct_type(a)))
            self.cleanup.append("Py_XDECREF(o_%s);" % a.name)
            return "Py_NewRef(o_%s)" % a.name
        if k == "out_chars":
            self.decls.append("char *c_%s = NULL;" % a.name)
            if a.size:  # a fixed-size identifier, NULs and all
                self.checks.append("if ((c_%s = PyMem_Calloc(%d, 1)) == NULL) {\n        PyErr_NoMemory();\n"
                                   "        goto exit;\n    }" % (a.name, a.size))
                self.cleanup.append("PyMem_Free(c_%s);" % a.name)
                return "PyBytes_FromStringAndSize(c_%s, %d)" % (a.name, a.size)
            count = next(x for x in self.b.args if x.name == a.count)
            self.checks.append("if ((c_%s = cb_char_buffer((long long)c_%s, \"%s\", %s)) == NULL)\n"
                               "        goto exit;" % (a.name, a.count, count.pyname, self.ctx(count)))
            self.cleanup.append("PyMem_Free(c_%s);" % a.name)
            return "PyBytes_FromString(c_%s)" % a.name
        if k == "out_borrowed_array":  # the library's own memory: copied out
            T = a.type.pointee().pointee().c()
            self.decls.append("%s c_%s = NULL;\n    cb_elem e_%s;" % (a.type.pointee().c(), a.name, a.name))
            self.checks.append("e_%s = (cb_elem){%s};" % (a.name, self.elem(a, T)))
            return "cb_array_list(&e_%s, c_%s, c_%s ? (size_t)c_%s : 0)" % (a.name, a.name, a.name, a.count)
        if k in ("out_handle_array", "out_struct_array", "out_value_array"):
            count = next((x for x in self.b.args if x.name == a.count), None)   # None: a fixed length
            self.decls.append("cb_array c_%s = CB_ARRAY_INIT;\n    cb_elem e_%s;\n    size_t n_%s;"
                              % (a.name, a.name, a.name))
            self.checks.append("e_%s = (cb_elem){%s};\n    n_%s = (size_t)%s;\n"
                               "    if (cb_array_alloc(&c_%s, &e_%s, n_%s) < 0)\n        goto exit;"
                               % (a.name, self.elem(a), a.name, "c_" + a.count if count else a.size,
                                  a.name, a.name, a.name))
            self.cleanup.append("cb_array_release(&c_%s);" % a.name)
            if count is not None and count.kind == "inout_count":  # the call may report fewer (or more) than room was made for
                return "cb_array_list(&e_%s, c_%s.ptr, (size_t)c_%s < n_%s ? (size_t)c_%s : n_%s)" % (
                    a.name, a.name, a.count, a.name, a.count, a.name)
            return "cb_array_list(&e_%s, c_%s.ptr, n_%s)" % (a.name, a.name, a.name)
        if k == "out_typed_array":
            sizes = "(const size_t *)c_%s.ptr" % a.value_size if a.value_size else "NULL"
            self.decls.append("cb_typed_values c_%s = CB_TYPED_VALUES_INIT;" % a.name)
            # room once the lists are known to hold `count` (a huge count is their RuntimeError first)
            self.reads.append("if (cb_typed_values_alloc(&c_%s, (size_t)c_%s, %s) < 0)\n        goto exit;"
                              % (a.name, a.count, sizes))
            self.cleanup.append("cb_typed_values_release(&c_%s);" % a.name)
            return "cb_typed_list(module, typed_get_%s, (const int *)c_%s.ptr, &c_%s)" % (
                self.b.name, a.key, a.name)  # the keys: a C enum array, int-sized
        if k == "out_typed":
            return self.out_typed(a)
        if k == "inout_enum":
            return self.enum_member(self.m.enum_index(a.enum), "(long long)c_%s" % a.name)
        if k == "inout_value":
            return "cb_handle_new(%s, (void *)(uintptr_t)c_%s)" % (self.handle_type(a), a.name)
        if k == "inout_count":
            if INT_TYPES[a.int_type][0]:
                return "cb_int((long long)c_%s)" % a.name
            return "cb_uint((unsigned long long)c_%s)" % a.name
        raise ValueError("%s: unknown output kind %s" % (self.b.name, k))

    def call_arg(self, a):
        k = a.kind
        if k == "cstr_list":
            return "(%s)c_%s.items" % (a.type.c(), a.name)
        if k in ("buffer_in", "buffer_out", "host_ptr", "handle_array", "value_array", "struct_array",
                 "address_array", "out_handle_array", "out_struct_array", "out_value_array"):
            return "(%s)c_%s.ptr" % (a.type.c(), a.name)
        if k in ("out_int", "out_enum", "out_handle", "out_cstr", "out_float", "out_address", "inout_count",
                 "out_borrowed_array", "inout_value", "typed_set_size", "inout_enum"):
            return "&c_%s" % a.name
        if k == "struct_in":
            return "(%s)s_%s" % (a.type.c(), a.name)
        if k == "struct_room":
            return "(%s)r_%s.ptr" % (a.type.c(), a.name)
        if k == "out_struct":
            return "(%s)cb_struct_ptr(o_%s)" % (a.type.c(), a.name)
        if k in ("typed", "out_typed"):
            return "(void *)c_%s" % a.name
        if k == "typed_size":
            return "&c_%s" % a.name
        if k == "out_typed_array":
            return "c_%s.slots" % a.name
        if k == "kernel_params":
            return "c_%s.argv" % a.name
        if k == "callback":
            return "(%s)c_%s.fn" % (a.type.c(), a.name)
        if k == "callback_data":
            return "c_%s.data" % next(x.name for x in self.b.args if x.user == a.name)
        return "c_%s" % a.name

    def out_typed(self, a):
        """A value typed by its key: in fixed room, in room the caller sizes
        (dataSize), or in room of the size the call reports when asked with a
        NULL value first (a hidden `size_t *`)."""
        getter = "typed_get_%s(module, (long long)c_%s, c_%s, %%s)" % (self.b.name, a.key, a.name)
        if a.types.get("") == "unsupported":   # a key outside the table is refused before any call
            key = next(x for x in self.b.args if x.name == a.key)
            self.checks.append("if (!typed_known_%s((long long)c_%s)) {\n        cb_raise_unsupported_key(module, %d, "
                               "(long long)c_%s);\n        goto exit;\n    }"
                               % (self.b.name, a.key, self.m.enum_index(key.enum), a.key))
        if a.value_size is None:
            self.decls.append(TYPED_ROOM % a.name)
            return getter % "CB_TYPED_SLOT"
        size = next(x for x in self.b.args if x.name == a.value_size)
        self.decls.append("void *c_%s = NULL;" % a.name)
        self.cleanup.append("PyMem_Free(c_%s);" % a.name)
        if size.kind == "typed_size":   # ask for the size, then make room and ask for the value
            self.decls.append("%s c_%s = 0;" % (size.type.pointee().c(), size.name))
            probe = ["NULL" if x is a else self.call_arg(x) for x in self.b.args]
            self.queries.append(self.call_status(self.b.name, probe, not self.b.keep_gil))
            self.queries.append("if (status != %s)\n        goto failed;" % self.lib.success)
        self.queries.append("if ((c_%s = cb_typed_room((unsigned long long)c_%s)) == NULL)\n        goto exit;"
                            % (a.name, size.name))
        return getter % ("(size_t)c_%s" % size.name)

    def typed_functions(self):
        """Static converters of a typed `void *` value: a switch on its key."""
        out = []
        for a in self.b.args:
            if a.kind not in ("typed", "out_typed", "out_typed_array"):
                continue
            cases = sorted(k for k in a.types if k)
            direction = "set" if a.kind == "typed" else "get"
            conv = self.value_get if direction == "get" else self.value_set
            if direction == "set" and a.types[""] == "unsupported":   # refused, as NVIDIA's refuses it
                key = next(x for x in self.b.args if x.name == a.key)
                conv = lambda ctype, idx=self.m.enum_index(key.enum): (
                    "        cb_raise_unsupported_key(module, %d, key);\n        return -1;\n" % idx
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
            return "        return cb_enum_member_of(module, st, %d, (long long)*(const %s *)v);\n" % (
                m.enum_index(ctype), ctype)
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
            self.arg(a)
        outs = [self.output(a) for a in b.outputs]
        call_args = [self.call_arg(a) for a in b.args]
        body = []
        body += ["    " + c for c in self.scalars + self.first + self.convert + self.checks + self.counts
                 + self.reads + self.queries]
        status_idx = self.m.enum_index(self.lib.status)
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
        else:
            self.decls.insert(0, "%s status;" % self.lib.status)
            body.append("    " + self.call_status(b.name, call_args, not b.keep_gil))
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
                failed += "    cb_raise_status(module, (long long)status);\n"
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
        if a.kind != "inout_count":
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
    out.append('#include "cb_args.h"\n#include "cb_module.h"\n')  # Python.h before any system header
    if lib.interop_headers:
        out.append('#define CUDA_BINDINGS_%s_INTEROP\n#include "cb_interop_types.h"\n' % L)
    if lib.style == "pythonic":
        out.append('#include "cb_capi.h"\n#include "cb_cpdef.h"\n')
    if lib.style == "tuple":
        out.append('#include "cb_array.h"\n#include "cb_callback.h"\n#include "cb_kernel.h"\n#include "cb_struct.h"\n#include <string.h>\n')
    out.append('#include "cuda_bindings/%s.h"\n#include <limits.h>\n#include <stdint.h>\n\n' % lib.key)

    # Tables: enums, handles, constants, sizes.
    enums = model.py_enums()
    for cname, pyname, members, _ in enums:
        out.append("static const char *const enum_%s_names[] = {%s};\n" % (
            cname, ", ".join('"%s"' % m[0] for m in members)))
        out.append("static const long long enum_%s_values[] = {%s};\n" % (
            cname, ", ".join("%dLL" % m[1] for m in members)))
        out.append("static const char *const enum_%s_docs[] = {%s};\n" % (cname, ", ".join(
            c_string(d) if d is not None else "NULL"
            for d in (enum_docs.member_doc(m[2], model) for m in members))))
    out.append("\nstatic const cb_enum_def enums[] = {\n")
    for cname, pyname, members, doc in enums:
        sign = ("CB_ENUM_SIGNED" if any(m[1] < 0 for m in members) else
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

    for b in model.bindings:
        out.append(Shim(model, b).text())
    if lib.style == "pythonic":
        out.append(emit_cpdef.c_text(model))

    out.append("static PyMethodDef methods[] = {\n")
    for b in model.bindings:
        out.append('    {"%s", (PyCFunction)(void (*)(void))py_%s, METH_FASTCALL | METH_KEYWORDS,\n     %s},\n'
                   % (b.pyname, b.name, method_doc(model, b)))
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
    .status_enum = %(status)d,
%(structs)s};

static int
module_exec(PyObject *module)
{
    if (CudaBindings_Import%(L)s() < 0)
        return -1;
%(cpdef)s    return cb_module_exec(module, &tables);
}

""" % dict(key=lib.key, L=L, nenums=len(enums),
           cpdef=emit_cpdef.module_exec_lines() if lib.style == "pythonic" else "",
           handles="handles" if handles else "NULL", nhandles=len(handles),
           consts="constants" if consts else "NULL", nconsts=len(consts),
           sizes="sizes" if sizes else "NULL", nsizes=len(sizes),
           error='"cuda.bindings.%s.%s"' % (lib.key, lib.error_class) if lib.error_class else "NULL",
           global_class='"cuda.bindings.%s.%s"' % (lib.key, lib.global_class) if lib.global_class else "NULL",
           status=model.enum_index(lib.status), structs=emit_structs.def_fields(model)))
    out.append(module_definition(lib.key, "Python bindings of %s (%s), generated from %s." % (
        lib.display, "tuple-returning calls" if lib.style == "tuple" else "calls raise %s" % lib.error_class,
        ", ".join(lib.headers)), state=True))
    return "".join(out)
