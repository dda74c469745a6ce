"""The argument kinds: how one C parameter crosses into Python and back.

model.classify() gives every parameter one kind of this table, and the
emitters ask the kind for each piece of the shim (emit_pymod.Shim):

    convert(shim, a)   declarations and conversion of an input (a csrc/ helper
                       call into `shim`'s phases: scalars, first, convert,
                       checks, counts, reads, queries), and its cleanup
    build(shim, a)     declarations of an output, and the C expression that
                       makes its Python object after the call
    call_arg(shim, a)  the expression passed to the library
    py_type(model, a)  the Python type, for the .pyi stubs and the docstrings

Like Argument Clinic's converters, a kind owns all four; nothing outside
this file looks at a kind's name.  The names read as: `out_` the call writes
it and Python gets it back; `inout_` an input that is returned too; `_array`
a C array with a count parameter (or a fixed length); `typed` a `void *`
whose C type another parameter (the key) selects.  Look-alikes:

    handle / handle_int / inout_handle / inout_value
        a handle that is a pointer (CUstream) / an integer typedef
        (CUdevice) / a pointer to a pointer handle the call may rewrite
        (nvrtcDestroyProgram) / a pointer to an integer handle, in and out
    address / host_ptr / buffer_in / buffer_out / out_address
        an address as an int / host memory the caller owns (a buffer or an
        int) / bytes the call reads (their size from a parameter or a query)
        / memory the call fills / a `void *` the call writes back
    struct_in / struct_val / struct_room / struct_array / out_struct
        a pointer to one struct / one struct by value / room for the structs
        that a size and a granularity count / an array of structs / a struct
        the call fills
    typed / out_typed / out_typed_array / typed_size / typed_set_size
        a value set / got by key / one per key of an array of keys / the
        size of a got value, asked for with a NULL value first (hidden) /
        the size of a set value, written by its converter (hidden)
    out_*_array / out_borrowed_array
        room made for the call to fill / an array the library keeps, copied
"""
from . import overrides
from .cparse import CType

# C integer types: name -> (signed, lowest, highest) as C expressions.
INT_TYPES = {
    "int": (True, "INT_MIN", "INT_MAX"),
    "unsigned int": (False, "0", "UINT_MAX"),
    "unsigned": (False, "0", "UINT_MAX"),
    "short": (True, "SHRT_MIN", "SHRT_MAX"),
    "unsigned short": (False, "0", "USHRT_MAX"),
    "long": (True, "LONG_MIN", "LONG_MAX"),
    "unsigned long": (False, "0", "ULONG_MAX"),
    "long long": (True, "LLONG_MIN", "LLONG_MAX"),
    "unsigned long long": (False, "0", "ULLONG_MAX"),
    # the same types as vector_types.h spells them (long1's `long int x`)
    "short int": (True, "SHRT_MIN", "SHRT_MAX"),
    "unsigned short int": (False, "0", "USHRT_MAX"),
    "long int": (True, "LONG_MIN", "LONG_MAX"),
    "unsigned long int": (False, "0", "ULONG_MAX"),
    "long long int": (True, "LLONG_MIN", "LLONG_MAX"),
    "unsigned long long int": (False, "0", "ULLONG_MAX"),
    "signed char": (True, "SCHAR_MIN", "SCHAR_MAX"),
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

# Room for one value typed by a key (csrc/cb_array.h), aligned for any of them.
TYPED_ROOM = "unsigned long long c_%s[CB_TYPED_SLOT / sizeof(unsigned long long)] = {0};"
TYPED_TEXT_ROOM = "unsigned long long c_%s[CB_TYPED_TEXT / sizeof(unsigned long long)] = {0};"


def _enum_pyname(model, cname):
    return model.lib.enum_names.get(cname, (cname, ""))[0]


def _item_type(model, a):
    return a.struct or a.handle or (_enum_pyname(model, a.enum) if a.enum else "int")


def _int_result(a):
    if INT_TYPES[a.int_type][0]:
        return "cb_int((long long)c_%s)" % a.name
    return "cb_uint((unsigned long long)c_%s)" % a.name


class Kind:
    name = ""
    what = ""
    output = False       # written by the call and returned; not an input
    hidden = False       # neither an input nor an output: the shim's own business
    optional = False     # an input that may be left out (trailing)
    keys_value = False   # a typed value whose key is another parameter (typed, out_typed)
    typed_direction = None  # "set" or "get": a value typed by a key (typed_set_/typed_get_ converters)
    queried = False      # its value is asked of the call first (typed_size)
    sizes_value = False  # the size of a set typed value, written by its converter (typed_set_size)
    address_items = False   # array items are addresses (CB_ELEM_ADDRESS)
    # the expression passed to the library: c_<name>, its pointer, ...
    passed = "c_{n}"
    py = None   # the Python type, where it is one for every argument of the kind

    def __init__(self, name=None, what=None, **flags):
        """A kind of its class, or a variant of it: another name and line, other flags."""
        for key, value in dict(flags, name=name, what=what).items():
            if value is not None:
                assert hasattr(self, key), key
                setattr(self, key, value)

    def convert(self, s, a):
        raise ValueError("%s: %s is no input kind" % (s.b.name, self.name))

    def build(self, s, a):
        raise ValueError("%s: %s is no output kind" % (s.b.name, self.name))

    def prepare(self, s, a):
        """What the shim makes for the call after the inputs are converted (hidden kinds' room)."""

    def call_arg(self, s, a):
        return self.passed.format(n=a.name, T=a.type.c())

    def py_type(self, model, a):
        if self.py is None:
            raise ValueError(self.name)
        return self.py

    def __repr__(self):
        return "<kind %s>" % self.name


# -- integers and enums ------------------------------------------------------

class Int(Kind):
    name, what = "int", "a C integer, range-checked"
    enum_valued = False   # the value is an enum's: int(value), INT_MIN..INT_MAX
    py = "int"

    def convert(self, s, a):
        # typed C integers: NVIDIA's converts them first, on entry
        self.convert_value(s, a, a.type.c(), s.convert if s.pythonic else s.scalars)

    def convert_value(self, s, a, T, into):
        i, ctx = s.argv(a), s.ctx(a)
        signed, lo, hi = (True, "INT_MIN", "INT_MAX") if self.enum_valued else INT_TYPES[a.int_type]
        s.decls.append("%s c_%s;" % (T, a.name))
        s.temps.add("ll" if signed else "ull")
        if self.enum_valued and not s.pythonic and self.is_key(s, a):
            s.needs_state = True
            order = "CB_KEY_" + s.typed_key_order()
            into.append("if (cb_arg_enum_key(module, %s, %s, %s, &ll, %s) < 0)\n        goto exit;\n"
                             "    c_%s = (%s)ll;" % (s.enum_ref(a.enum), i, order, ctx, a.name, T))
        elif self.enum_valued and not s.pythonic:   # int(value), as NVIDIA's takes an enum
            into.append("if (cb_arg_enum(%s, &ll, %s) < 0)\n        goto exit;\n"
                             "    c_%s = (%s)ll;" % (i, ctx, a.name, T))
        elif signed:
            into.append("if (cb_arg_ll(%s, %s, %s, &ll, %s) < 0)\n        goto exit;\n"
                             "    c_%s = (%s)ll;" % (i, lo, hi, ctx, a.name, T))
        else:
            into.append("if (cb_arg_ull(%s, %s, &ull, %s) < 0)\n        goto exit;\n"
                             "    c_%s = (%s)ull;" % (i, hi, ctx, a.name, T))

    def is_key(self, s, a):
        return False


class IntRef(Int):
    name, what = "int_ref", "a C integer the call reads through a pointer (NVML's temperature threshold): an int"
    passed = "&c_{n}"

    def convert(self, s, a):
        self.convert_value(s, a, a.type.pointee().c(), s.convert)


class Enum(Int):
    name, what = "enum", "an enum member (or its int); the key of a typed value takes the key's own checks"
    enum_valued = True

    def convert(self, s, a):
        self.convert_value(s, a, a.type.c(), s.convert)

    def is_key(self, s, a):
        """Whether `a` says the type of another argument's value."""
        return any(x.kind.keys_value and x.key == a.name for x in s.b.args)

    def py_type(self, model, a):
        return "int" if model.lib.style == "pythonic" else "%s | int" % _enum_pyname(model, a.enum)


class InoutEnum(Enum):
    name, what = "inout_enum", "a pointer to an enum the call reads and rewrites: in and returned"
    passed = "&c_{n}"

    def convert(self, s, a):
        self.convert_value(s, a, a.type.pointee().c(), s.convert)

    def is_key(self, s, a):
        return False

    def build(self, s, a):
        return s.enum_member(s.enum_ref(a.enum), "(long long)c_%s" % a.name)

    def py_type(self, model, a):
        if a.pyname:
            return super().py_type(model, a)
        return _enum_pyname(model, a.enum)


class Float(Kind):
    name, what = "float", "a float or double"
    py = "float"

    def convert(self, s, a):
        i, ctx, T = s.argv(a), s.ctx(a), a.type.c()
        s.decls.append("%s c_%s;\n    double d_%s;" % (T, a.name, a.name))
        s.convert.append("if (cb_arg_double(%s, &d_%s, %s) < 0)\n        goto exit;\n"
                         "    c_%s = (%s)d_%s;" % (i, a.name, ctx, a.name, T, a.name))


class IntValued(Kind):
    """An integer-valued input: handle_int, inout_value, inout_count."""
    handle_object = True   # a handle object or its int (else a plain int)

    def convert(self, s, a):
        i, ctx = s.argv(a), s.ctx(a)
        signed, lo, hi = INT_TYPES[a.int_type]
        s.decls.append("%s c_%s;" % (a.handle or a.int_type, a.name))
        s.temps.add("ull")
        if self.handle_object:
            call = "cb_arg_handle_value(%s, %s, %s, %s, &ull, %s)" % (
                i, s.handle_type(a), lo if signed else "0", hi, ctx)
            if s.handle_objects_only(a):
                call = "(cb_arg_handle_object(%s, %s, %s) < 0 ? -1 : %s)" % (i, s.handle_type(a), ctx, call)
        else:  # the length of an array the call fills: left out, 0 (None is refused, as NVIDIA's)
            call = "(%s == CB_OMITTED ? (ull = 0, 0) : cb_arg_ull(%s, %s, &ull, %s))" % (i, i, hi, ctx)
        s.convert.append("if (%s < 0)\n        goto exit;\n    c_%s = (%s)ull;"
                         % (call, a.name, a.handle or a.int_type))


class HandleInt(IntValued):
    name, what = "handle_int", "a handle that is an integer typedef (CUdevice): its object or an int"

    def py_type(self, model, a):
        return "%s | int | None" % a.handle


class InoutValue(IntValued):
    name, what = "inout_value", "a pointer to an integer handle the call reads and rewrites: in and returned"
    passed = "&c_{n}"

    def build(self, s, a):
        return "cb_handle_new(%s, (void *)(uintptr_t)c_%s)" % (s.handle_type(a), a.name)

    def py_type(self, model, a):
        return "%s | int | None" % a.handle if a.pyname else a.handle


class InoutCount(IntValued):
    name = "inout_count"
    what = "the length of an array the call fills; may be left out (0); the call writes back how many"
    handle_object = False
    optional = True
    passed = "&c_{n}"
    py = "int"

    def build(self, s, a):
        return _int_result(a)


# -- pointers taken as objects or addresses ----------------------------------

class PointerValue(Kind):
    """A pointer-sized value: handle, inout_handle, address, funcptr."""
    handle_object = False   # a handle object (the class's or its twin's)
    rewritten = False       # a pointer to the handle: the library may write it back
    decl_as_written = False  # declared with the parameter's own C type (a function pointer)
    signed = False          # an int of intptr_t's range (the addressed modules'), not of uintptr_t's

    def convert(self, s, a):
        i, ctx, T = s.argv(a), s.ctx(a), a.type.c()
        H = a.handle or T
        name = "v_%s" % a.name if self.rewritten else "c_%s" % a.name
        s.decls.append("%s;" % (a.type.c(name) if self.decl_as_written else "%s %s" % (H, name)))
        if self.handle_object and s.pythonic and self.signed:
            call, value = "cb_arg_intptr(%s, &ll, %s)" % (i, ctx), "(intptr_t)ll"
            s.temps.add("ll")
        elif self.handle_object and s.pythonic:
            # Pythonic modules pass handles as plain ints (intptr_t in NVIDIA's).
            call, value = "cb_arg_int_handle(%s, &ull, %s)" % (i, ctx), "(uintptr_t)ull"
            s.temps.add("ull")
        elif self.handle_object:
            # phase one converts what is not a handle object; phase two
            # reads a handle object's value, running no Python code
            cls = s.handle_type(a)
            s.decls.append("PyObject *h_%s;" % a.name)
            # a pointer to a handle takes only its class (or the twin's), as NVIDIA's
            conv = "cb_arg_own_handle" if s.lib.own_handles_only or self.rewritten else "cb_arg_handle"
            s.convert.append("if (%s(%s, %s, &vp_%s, &h_%s, %s) < 0)\n        goto exit;"
                             % (conv, i, cls, a.name, a.name, ctx))
            s.decls.append("void *vp_%s = NULL;" % a.name)
            call, value = None, "cb_handle_read(h_%s, %s, vp_%s)" % (a.name, cls, a.name)
            s.reads.append("%s = (%s)%s;" % (name, H, value))
        elif a.name == "extra":
            # a launch's `extra`: an int only (None refused), converted before the
            # other arguments, as NVIDIA's converts it
            s.first.append("if (cb_arg_ull(%s, UINTPTR_MAX, &ull, %s) < 0)\n        goto exit;\n"
                           "    %s = (%s)(uintptr_t)ull;" % (i, ctx, name, H))
            s.temps.add("ull")
            call = None
        elif a.float_first:
            n = a.float_first
            s.decls.append("float f_%s[%d] = {0};\n    double d_%s;" % (a.name, n, a.name))
            s.convert.append("if (cb_arg_double(%s, &d_%s, %s) < 0)\n        goto exit;\n"
                             "    f_%s[0] = (float)d_%s;\n    %s = f_%s;" % (i, a.name, ctx, a.name, a.name,
                                                                        name, a.name))
            call = None
        elif a.address_class:
            # checked before the other arguments, as NVIDIA's checks it
            cls = s.handle_class(a.address_class)
            s.first.append("if (cb_arg_address_of(%s, %s, &vp, %s) < 0)\n        goto exit;\n"
                           "    %s = (%s)vp;" % (i, cls, ctx, name, H))
            s.temps.add("vp")
            call = None
        else:
            call, value = "cb_arg_address(%s, &vp, %s)" % (i, ctx), "vp"
            s.temps.add("vp")
        if call is not None:
            s.convert.append("if (%s < 0)\n        goto exit;\n    %s = (%s)%s;" % (call, name, H, value))
        if self.rewritten:
            s.decls.append("%s *c_%s;" % (H, a.name))
            if s.pythonic:
                s.convert.append("c_%s = &v_%s;" % (a.name, a.name))
            else:
                # The library writes the handle back (destroy sets it to NULL).
                s.reads.append("c_%s = PyObject_TypeCheck(%s, %s) ? (%s *)cb_handle_slot(%s) : &v_%s;"
                               % (a.name, i, s.handle_type(a), H, i, a.name))


class Handle(PointerValue):
    name, what = "handle", "a handle that is a pointer (CUstream): its object (or its twin's), an int, None"
    handle_object = True

    def py_type(self, model, a):
        if model.lib.style == "pythonic":
            return "int"
        also = overrides.HANDLE_ALSO.get(a.handle)
        return "%s%s | int | None" % (a.handle, " | " + also if also else "")


class Intptr(Handle):
    name, what = "intptr", "an address or handle the reference declares intptr_t (cuFile, cuDLA): an int, -1 too"
    signed = True


class InoutHandle(Handle):
    name, what = "inout_handle", "a pointer to a pointer handle the call may rewrite (destroy sets it NULL)"
    rewritten = True

    def py_type(self, model, a):
        return "int" if model.lib.style == "pythonic" else "%s | int | None" % a.handle


class Address(PointerValue):
    name, what = "address", "an address as an int (or None); a float[N] given as one number where so listed"

    def py_type(self, model, a):
        return "float" if a.float_first else "int | None"


class Funcptr(Address):
    name, what = "funcptr", "a C function pointer, as an int address"
    decl_as_written = True
    py = "int | None"


# -- text and memory ---------------------------------------------------------

class Cstr(Kind):
    name, what = "cstr", "a NUL-terminated string: bytes (str in the pythonic modules); None where nullable"

    def convert(self, s, a):
        s.decls.append("const char *c_%s;" % a.name)
        s.decls.append("PyObject *k_%s = NULL;" % a.name)   # a bytearray's copy
        s.cleanup.append("Py_XDECREF(k_%s);" % a.name)
        # the pythonic modules take a str, never None (as NVIDIA's)
        s.convert.append("if (cb_arg_cstr(%s, %d, %s, &c_%s, &k_%s, %s) < 0)\n        goto exit;"
                         % (s.argv(a), a.nullable and not s.pythonic, "CB_STR_ONLY" if s.pythonic else "0",
                            a.name, a.name, s.ctx(a)))

    def py_type(self, model, a):
        if model.lib.style == "pythonic":   # a str, never None, as NVIDIA's
            return "str"
        return "bytes | None" if a.nullable else "bytes"


class CstrList(Kind):
    name, what = "cstr_list", "an array of strings with its count parameter (options)"
    passed = "({T})c_{n}.items"

    def convert(self, s, a):
        count = next(x for x in s.b.inputs if x.name == a.count)
        s.decls.append("cb_strlist c_%s = CB_STRLIST_INIT;" % a.name)
        # a check, not a conversion: the count may come after the list (nvFatbinCreate)
        s.checks.append('if (cb_arg_cstr_list(%s, (long long)c_%s, "%s", %d, &c_%s, %s) < 0)\n'
                        "        goto exit;" % (s.argv(a), a.count, count.pyname, s.pythonic, a.name, s.ctx(a)))
        s.cleanup.append("cb_strlist_release(&c_%s);" % a.name)

    def py_type(self, model, a):
        if model.lib.style == "pythonic":   # as NVIDIA's: a str is its characters, an int the address of an array
            return "list[str | bytes] | tuple[str | bytes, ...] | str | int"
        return "list[bytes] | tuple[bytes, ...] | None"


class Buffer(Kind):
    """Memory the call reads (buffer_in) or fills (buffer_out)."""
    filled = False
    passed = "({T})c_{n}.ptr"

    def convert(self, s, a):
        i, ctx = s.argv(a), s.ctx(a)
        s.decls.append("cb_buf c_%s = CB_BUF_INIT;" % a.name)
        if self.filled and not s.pythonic:   # a buffer object, never an address
            s.convert.append("if (cb_arg_out_buffer(%s, &c_%s, %s) < 0)\n        goto exit;"
                             % (i, a.name, ctx))
        else:
            # a pythonic module's buffer may be None (NULL), as NVIDIA's
            s.convert.append("if (cb_arg_buffer(%s, %d, %s, &c_%s, %s) < 0)\n        goto exit;"
                             % (i, self.filled, "CB_BUF_PYTHONIC" if s.pythonic else "0", a.name, ctx))
        s.cleanup.append("cb_buf_release(&c_%s);" % a.name)
        if a.size_arg:
            # exactly `size` bytes in the pythonic modules, as NVIDIA's checks
            s.checks.append("if (cb_buf_require(&c_%s, (unsigned long long)c_%s, \"'%s'\", %d, %s) < 0)\n"
                            "        goto exit;" % (a.name, a.size_arg, s.py_of(a.size_arg),
                                                   s.pythonic and not self.filled, ctx))
        if a.size_query:
            s.query_size(a)

    def py_type(self, model, a):
        head = "bytearray | bytes" if self.filled else "bytes | bytearray"
        return head + " | memoryview | int" + (" | None" if model.lib.style == "pythonic" else "")




class HostPtr(Kind):
    name, what = "host_ptr", "host memory the caller owns (`void *`): a buffer or an int address, or None"
    passed = "({T})c_{n}.ptr"
    py = "bytes | bytearray | memoryview | int | None"

    def convert(self, s, a):
        s.decls.append("cb_buf c_%s = CB_BUF_INIT;" % a.name)
        s.convert.append("if (cb_arg_buffer(%s, %d, 1, &c_%s, %s) < 0)\n        goto exit;"
                         % (s.argv(a), not a.type.const, a.name, s.ctx(a)))
        s.cleanup.append("cb_buf_release(&c_%s);" % a.name)


# -- structs -----------------------------------------------------------------

class StructIn(Kind):
    name, what = "struct_in", "a pointer to one struct: its object, or None for NULL"
    passed = "({T})s_{n}"
    by_value = False

    def convert(self, s, a):
        S = a.type.c() if self.by_value else a.type.pointee().c()
        s.decls.append("void *s_%s;" % a.name)
        # a struct passed by value is never None (as NVIDIA's)
        s.convert.append("if (cb_arg_struct(%s, %s, %d, &s_%s, %s) < 0)\n        goto exit;"
                         % (s.argv(a), s.struct_type(a), not self.by_value, a.name, s.ctx(a)))
        if self.by_value:  # copied in phase two
            s.decls.append("%s c_%s;" % (S, a.name))
            s.reads.append("memcpy(&c_%s, s_%s, sizeof c_%s);" % ((a.name,) * 3))

    def py_type(self, model, a):
        return "%s | None" % a.struct


class StructVal(StructIn):
    name, what = "struct_val", "one struct by value: its object, never None"
    passed = "c_{n}"
    by_value = True


class StructRoom(Kind):
    name = "struct_room"
    what = "room for ceil(size / granularity) structs the call fills: one object or a list of them"
    passed = "({T})r_{n}.ptr"

    def convert(self, s, a):
        size, gran = ("c_" + n for n in a.regions)
        need = "(%s ? %s / %s + (%s %% %s != 0) : 1)" % (gran, size, gran, size, gran)
        why = "ceil(%s / %s)" % tuple(s.py_of(n) for n in a.regions)
        s.decls.append("cb_struct_room r_%s = CB_STRUCT_ROOM_INIT;" % a.name)
        s.checks.append("if (cb_arg_struct_room(%s, %s, sizeof(%s), (unsigned long long)%s, \"%s\", &r_%s, %s) < 0)"
                        "\n        goto exit;" % (s.argv(a), s.struct_type(a), a.type.pointee().c(), need, why,
                                                  a.name, s.ctx(a)))
        s.post.append("cb_struct_room_done(&r_%s, status == %s);" % (a.name, s.lib.success))
        s.cleanup.append("cb_struct_room_release(&r_%s);" % a.name)

    def py_type(self, model, a):
        return "%s | list[%s] | tuple[%s, ...] | None" % (a.struct, a.struct, a.struct)


def _owned_object(s, a):
    """o_<name>: an object the function holds until it returns, NULL until made."""
    s.decls.append("PyObject *o_%s = NULL;" % a.name)
    s.cleanup.append("Py_XDECREF(o_%s);" % a.name)


def _ask_with_no_room(s, asked):
    """The call made first with the arguments `asked` (no room for its
    outputs): on to the second call when it succeeds or says it needs room."""
    s.queries.append(s.call_status(s.b.name, asked, not s.b.keep_gil))
    s.queries.append("if (status != %s && status != NVML_ERROR_INSUFFICIENT_SIZE)\n        goto failed;"
                     % s.lib.success)


class OutStruct(Kind):
    name, what = "out_struct", "a struct the call fills: a new object, returned"
    output = True
    passed = "({T})cb_struct_ptr(o_{n})"

    def build(self, s, a):
        _owned_object(s, a)
        s.checks.append("if ((o_%s = cb_struct_new(%s, NULL)) == NULL)\n        goto exit;"
                        % (a.name, s.struct_type(a)))
        return "Py_NewRef(o_%s)" % a.name

    def py_type(self, model, a):
        return a.struct


# -- arrays ------------------------------------------------------------------

class ArrayIn(Kind):
    """A C array from a Python list, its length checked against its count."""
    passed = "({T})c_{n}.ptr"

    def convert(self, s, a):
        s.decls.append("cb_array c_%s = CB_ARRAY_INIT;" % a.name)
        s.decls.append("cb_elem e_%s;" % a.name)
        count = next(x for x in s.b.args if x.name == a.count)
        s.checks.append("e_%s = (cb_elem){%s};" % (a.name, s.elem(a)))
        less = " - %d" % a.count_less if a.count_less else ""
        conv = "cb_arg_array_or_one" if a.one_or_array else "cb_arg_array"
        s.checks.append("if (%s(%s, &e_%s, (long long)c_%s%s, &c_%s, %s) < 0)\n"
                        "        goto exit;" % (conv, s.argv(a), a.name, a.count, less, a.name, s.ctx(a)))
        s.counts.append('if (cb_arg_count_check(c_%s.n, (long long)c_%s%s, "%s%s", %s) < 0)\n'
                        "        goto exit;" % (a.name, a.count, less, count.pyname, less, s.ctx(a)))
        s.cleanup.append("cb_array_release(&c_%s);" % a.name)

    def py_type(self, model, a):
        item = _item_type(model, a)
        if a.one_or_array:
            return "%s | list[%s] | tuple[%s, ...] | int | None" % (item, item, item)
        if a.any_iterable:
            return "Iterable[%s] | None" % item
        return "list[%s] | tuple[%s, ...] | None" % (item, item)






class OutArray(Kind):
    """Room made for the call to fill, its length a count parameter or fixed."""
    output = True
    passed = "({T})c_{n}.ptr"

    def build(self, s, a):
        count = next((x for x in s.b.args if x.name == a.count), None)   # None: a fixed length
        s.decls.append("cb_array c_%s = CB_ARRAY_INIT;\n    cb_elem e_%s;\n    size_t n_%s;"
                       % (a.name, a.name, a.name))
        s.checks.append("e_%s = (cb_elem){%s};\n    n_%s = (size_t)%s;\n"
                        "    if (cb_array_alloc(&c_%s, &e_%s, n_%s) < 0)\n        goto exit;"
                        % (a.name, s.elem(a), a.name, "c_" + a.count if count else a.size,
                           a.name, a.name, a.name))
        s.cleanup.append("cb_array_release(&c_%s);" % a.name)
        if count is not None and count.kind.optional:  # the call may report fewer (or more) than room was made for
            return "cb_array_list(&e_%s, c_%s.ptr, (size_t)c_%s < n_%s ? (size_t)c_%s : n_%s)" % (
                a.name, a.name, a.count, a.name, a.count, a.name)
        return "cb_array_list(&e_%s, c_%s.ptr, n_%s)" % (a.name, a.name, a.name)

    def py_type(self, model, a):
        return "list[%s]" % _item_type(model, a)




class OutValueArray(OutArray):
    name, what = "out_value_array", "integers, floats or enum members the call writes into room for `count`"

    def py_type(self, model, a):
        if model.is_float(a.type.pointee()):
            return "list[float]"
        return super().py_type(model, a)


class OutBorrowedArray(OutArray):
    name, what = "out_borrowed_array", "an array the library keeps and points the caller to: copied into a list"
    passed = "&c_{n}"

    def build(self, s, a):
        T = a.type.pointee().pointee().c()
        s.decls.append("%s c_%s = NULL;\n    cb_elem e_%s;" % (a.type.pointee().c(), a.name, a.name))
        s.checks.append("e_%s = (cb_elem){%s};" % (a.name, s.elem(a, T)))
        return "cb_array_list(&e_%s, c_%s, c_%s ? (size_t)c_%s : 0)" % (a.name, a.name, a.name, a.count)


class OutIntArray(Kind):
    name, what = "out_int_array", "integers the call writes, as many as a count query reports first"
    output = True
    py = "list[int]"

    def build(self, s, a):
        T = a.type.pointee().c()
        q = s.m.by_name[a.size_query].func
        s.decls.append("int n_%s = 0;\n    %s *c_%s = NULL;" % (a.name, T, a.name))
        s.queries.append(s.call_status(a.size_query, ["&n_%s" % a.name], False))
        s.queries.append("if (status != %s)\n        goto failed;" % s.lib.success)
        s.queries.append("c_%s = PyMem_Calloc(n_%s > 0 ? (size_t)n_%s : 1, sizeof(%s));\n"
                         "    if (c_%s == NULL) {\n        PyErr_NoMemory();\n        goto exit;\n    }"
                         % (a.name, a.name, a.name, T, a.name))
        s.cleanup.append("PyMem_Free(c_%s);" % a.name)
        assert len(q.params) == 1
        return "cb_int_list(c_%s, (size_t)n_%s)" % (a.name, a.name)


# -- outputs of one value ----------------------------------------------------

class OutValue(Kind):
    """One value the call writes into a local: declared, then made a Python object."""
    output = True
    passed = "&c_{n}"
    initial = " = 0"

    def build(self, s, a):
        s.decls.append(self.declaration(a))
        return self.result(s, a)

    def declaration(self, a):
        return "%s c_%s%s;" % (self.ctype(a), a.name, self.initial)

    def ctype(self, a):
        return a.type.pointee().c()


class OutInt(OutValue):
    name, what = "out_int", "an integer the call writes"
    py = "int"

    def result(self, s, a):
        return _int_result(a)


class OutFloat(OutValue):
    name, what = "out_float", "a float or double the call writes"
    py = "float"

    def result(self, s, a):
        return "PyFloat_FromDouble((double)c_%s)" % a.name


class OutEnum(OutValue):
    name, what = "out_enum", "an enum value the call writes: returned as its member"
    initial = ""

    def result(self, s, a):
        return s.enum_member(s.enum_ref(a.enum), "(long long)c_%s" % a.name)

    def py_type(self, model, a):
        return _enum_pyname(model, a.enum)


class OutHandle(OutValue):
    name, what = "out_handle", "a handle the call makes: a new object of its class (an int when pythonic)"

    def ctype(self, a):
        return a.handle

    def result(self, s, a):
        if s.pythonic:
            return _address_result(s, "c_" + a.name)
        return "cb_handle_new(%s, (void *)(uintptr_t)c_%s)" % (s.handle_type(a), a.name)

    def py_type(self, model, a):
        return "int" if model.lib.style == "pythonic" else a.handle


class OutCstr(OutValue):
    name, what = "out_cstr", "a `const char *` the call points to (the library's text): bytes"
    py = "bytes"

    def declaration(self, a):
        return "const char *c_%s = NULL;" % a.name

    def result(self, s, a):
        return "cb_bytes_or_none(c_%s)" % a.name


class OutAddress(OutValue):
    name, what = "out_address", "an address the call writes (`void **`, or a `void *` listed as written): an int"
    initial = " = NULL"
    py = "int"

    def ctype(self, a):
        # a `void *` the call writes an address into (OUT_ADDRESS_PARAMS) holds a `void *`
        return a.type.pointee().c() if a.type.depth == 2 else "void *"

    def result(self, s, a):
        return _address_result(s, "c_" + a.name)


def _address_result(s, c):
    """An address or handle the call wrote, as an int: intptr_t's value where the reference
    declares it so (cuFile's handles, cuDLA's: a handle may have its top bit set), else its bits."""
    if s.lib.intptr_addresses:
        return "PyLong_FromLongLong((long long)(intptr_t)%s)" % c
    return "PyLong_FromVoidPtr((void *)%s)" % c


class OutChars(Kind):
    name, what = "out_chars", "characters the call writes into room of a count parameter or a fixed length"
    output = True
    py = "bytes"

    def build(self, s, a):
        s.decls.append("char *c_%s = NULL;" % a.name)
        if a.size:  # a fixed-size identifier, NULs and all
            s.checks.append("if ((c_%s = PyMem_Calloc(%d, 1)) == NULL) {\n        PyErr_NoMemory();\n"
                            "        goto exit;\n    }" % (a.name, a.size))
            s.cleanup.append("PyMem_Free(c_%s);" % a.name)
            return "PyBytes_FromStringAndSize(c_%s, %d)" % (a.name, a.size)
        count = next(x for x in s.b.args if x.name == a.count)
        s.checks.append("if ((c_%s = cb_char_buffer((long long)c_%s, \"%s\", %s)) == NULL)\n"
                        "        goto exit;" % (a.name, a.count, count.pyname, s.ctx(count)))
        s.cleanup.append("PyMem_Free(c_%s);" % a.name)
        return self.made % a.name

    made = "PyBytes_FromString(c_%s)"   # the Python object of the chars written


class OutText(Kind):
    name, what = ("out_text", "a string the call writes (NVML): a str; its room the NVML_*_BUFFER_SIZE the doc "
                  "names, else as much as the call reports when first asked with none")
    output = True
    py = "str"

    def build(self, s, a):
        length = next(x for x in s.b.args if x.name == a.count)
        if a.size:   # room of a constant size
            s.decls.append("char c_%s[%s] = {0};" % (a.name, a.size))
            if length.type.ptrs:   # the length the call writes back, NUL included: NVIDIA's decodes that many
                return "cb_str_of_size(c_%s, c_%s, sizeof c_%s)" % (a.name, length.name, a.name)
            return "cb_str_or_none(c_%s)" % a.name
        # asked first with none (NULL, 0), then given the room it reports
        _owned_object(s, a)
        _ask_with_no_room(s, [("NULL" if x is a else x.kind.call_arg(s, x)) for x in s.b.args if x.member is None])
        s.queries.append("if ((o_%s = cb_room_new((unsigned long long)c_%s + 1, 1)) == NULL)\n        goto exit;"
                         % (a.name, length.name))
        return "cb_str_or_none(PyByteArray_AS_STRING(o_%s))" % a.name

    def call_arg(self, s, a):
        return "PyByteArray_AS_STRING(o_%s)" % a.name if not a.size else "c_%s" % a.name


class OutChar(Kind):
    name, what = ("out_char", "one char the call writes where nvml.h declares no length (NVML): its code, "
                  "as NVIDIA's reads it, in room for all the library writes")
    output = True
    py = "int"

    def build(self, s, a):
        s.decls.append("char c_%s[%s] = {0};" % (a.name, a.size))
        return "cb_int((long long)c_%s[0])" % a.name


class TextLength(Kind):
    name, what = "text_length", "hidden: the room given for the string before it, or a pointer to it (in and out)"
    hidden = True

    def prepare(self, s, a):
        if a.type.ptrs:
            text = next(x for x in s.b.args if x.name == a.count)
            s.decls.append("%s c_%s = %s;" % (a.type.pointee().c(), a.name, text.size or "0"))

    def call_arg(self, s, a):
        if a.type.ptrs:
            return "&c_%s" % a.name
        text = next(x for x in s.b.args if x.name == a.count)
        return "(%s)%s" % (a.type.c(), text.size)


class ArrayCount(Kind):
    name, what = "array_count", "hidden: the count of the arrays after it, asked of the call first (NVML), then their room"
    hidden = True
    passed = "&c_{n}"


# struct-module letters of the memoryview an array of these C types comes back as
ROOM_FORMATS = {"unsigned int": "I", "int": "i", "unsigned long": "L", "long": "l",
                "unsigned long long": "Q", "long long": "q", "pointer": "q"}


class OutRoomArray(Kind):
    name, what = ("out_room_array", "items the call writes, as many as it reports when first asked with none "
                  "(NVML): a memoryview, or an array of their struct class")
    output = True

    def build(self, s, a):
        count = next(x for x in s.b.args if x.name == a.count)
        if a.size:   # as many as an input says: one call
            pass
        elif not s.call_guard:   # the first of the count's arrays asks how many there are
            s.decls.append("%s c_%s = 0;" % (count.type.pointee().c(), count.name))
            _ask_with_no_room(s, [("NULL" if x.kind is self else x.kind.call_arg(s, x))
                                  for x in s.b.args if x.member is None])
            s.call_guard = "c_%s != 0" % count.name   # none: no second call, as NVIDIA's
        _owned_object(s, a)
        if a.struct:
            s.queries.append("if ((o_%s = cb_record_new(module, RECORD_%s, (Py_ssize_t)c_%s)) == NULL)\n"
                             "        goto exit;" % (a.name, a.struct, count.name))
            return "Py_NewRef(o_%s)" % a.name
        s.queries.append("if ((o_%s = cb_room_new(c_%s, sizeof(%s))) == NULL)\n        goto exit;"
                         % (a.name, count.name, a.type.pointee().c()))
        return 'cb_room_view(o_%s, "%s", c_%s)' % (a.name, ROOM_FORMATS[a.int_type], count.name)

    def call_arg(self, s, a):
        if a.struct:
            return "(%s)cb_record_ptr(o_%s)" % (a.type.c(), a.name)
        return "(%s)PyByteArray_AS_STRING(o_%s)" % (a.type.c(), a.name)

    def py_type(self, model, a):
        return model.record_class(a.struct) if a.struct else "memoryview"


# -- NVML's struct classes (csrc/cb_record.h) ---------------------------------

def _set_version(s, a, obj):
    """A versioned struct's version member, set before the call as the library asks."""
    if a.size:
        s.checks.append("%s->version = %s;" % (obj, a.size))


def _new_record(s, a):
    """o_<name>: a new object of the struct's class, its version set; the
    C expression of its struct is returned."""
    _owned_object(s, a)
    s.checks.append("if ((o_%s = cb_record_new(module, RECORD_%s, 1)) == NULL)\n        goto exit;"
                    % (a.name, a.struct))
    obj = "((%s)cb_record_ptr(o_%s))" % (a.type.c(), a.name)
    _set_version(s, a, obj)
    return obj


def _members_from_inputs(s, obj):
    """The members of the struct at `obj` that inputs which are no C parameter fill."""
    for x in s.b.inputs:
        if x.member is not None:
            s.checks.append("%s->%s = c_%s;" % (obj, x.member, x.name))


class OutRecord(Kind):
    name, what = "out_record", "a struct the call fills (NVML): a new object of its class, its version set first"
    output = True
    passed = "({T})cb_record_ptr(o_{n})"

    def build(self, s, a):
        _new_record(s, a)
        return "Py_NewRef(o_%s)" % a.name

    def py_type(self, model, a):
        return model.record_class(a.struct)


def _ask_count_first(s, a):
    """The call made first with room for no items, then (where it says it
    needs room) given room for as many as the struct's counts say."""
    _ask_with_no_room(s, [x.kind.call_arg(s, x) for x in s.b.args if x.member is None])
    s.queries.append("if (status == NVML_ERROR_INSUFFICIENT_SIZE && cb_record_rooms(o_%s) < 0)\n"
                     "        goto exit;" % a.name)
    s.call_guard = "status == NVML_ERROR_INSUFFICIENT_SIZE"


class OutRecordCounted(OutRecord):
    name, what = ("out_record_counted", "a struct the call fills with items it counts (NVML): asked with room "
                  "for none first, then given room for as many as it reported")

    def build(self, s, a):
        made = super().build(s, a)
        _ask_count_first(s, a)
        return made


class RecordIn(Kind):
    name, what = "record_in", "a struct the call reads (NVML): an object of its class, or its address"
    passed = "({T})c_{n}"

    def convert(self, s, a):
        s.decls.append("void *c_%s = NULL;" % a.name)
        s.convert.append('if (cb_record_arg(module, %s, RECORD_%s, &c_%s, "%s", %s) < 0)\n        goto exit;'
                         % (s.argv(a), a.struct, a.name, a.pyname, a.how))
        if a.size:   # the version, written into the caller's struct as NVIDIA's writes it
            s.checks.append("if (c_%s != NULL)\n        ((%s *)c_%s)->version = %s;"
                            % (a.name, a.type.pointee().base, a.name, a.size))

    def py_type(self, model, a):
        return "%s | int" % model.record_class(a.struct)


class RequestIn(Kind):
    name, what = ("request_in", "hidden: a struct the call reads (NVML), on the stack, its members filled "
                  "from inputs that are no C parameter")
    hidden = True
    passed = "&c_{n}"

    def prepare(self, s, a):
        s.decls.append("%s c_%s;" % (a.type.pointee().base, a.name))   # filled here, however the call takes it
        s.checks.append("memset(&c_%s, 0, sizeof c_%s);" % (a.name, a.name))
        _set_version(s, a, "(&c_%s)" % a.name)
        _members_from_inputs(s, "(&c_%s)" % a.name)


class OutRequest(RequestIn):
    name, what = ("out_request", "a struct the call reads and fills (NVML), its members filled from inputs "
                  "first: one member of it returned")
    hidden = False
    output = True

    def build(self, s, a):
        t = next(m.type for m in s.m.struct_fields(a.type.pointee()) if m.name == a.returns)
        member = "c_%s.%s" % (a.name, a.returns)
        if t.array and s.m.h.resolve(CType(t.base)).base == "char":   # up to its NUL, the room's last char one
            return "(%s[sizeof %s - 1] = 0, cb_str_or_none(%s))" % (member, member, member)
        signed = INT_TYPES.get(s.m.int_type(t) or "int", (True,))[0]
        return ("cb_int((long long)%s)" if signed else "cb_uint((unsigned long long)%s)") % member

    def py_type(self, model, a):
        t = next(m.type for m in model.struct_fields(a.type.pointee()) if m.name == a.returns)
        return "str" if t.array else "int"


class MemberSize(Kind):
    name, what = "member_size", "hidden: the size of the char array member of the struct before it (NVML)"
    hidden = True

    def call_arg(self, s, a):
        struct = next(x for x in s.b.args if x.name == a.count)
        return "(%s)sizeof c_%s.%s" % (a.type.c(), struct.name, struct.returns)


class OutRecordRequest(RequestIn):
    name, what = ("out_record_request", "a struct the call reads and fills (NVML), its members filled from "
                  "inputs first: a new object of its class, returned")
    hidden = False
    output = True
    passed = "({T})cb_record_ptr(o_{n})"

    def prepare(self, s, a):
        pass

    def build(self, s, a):
        _members_from_inputs(s, _new_record(s, a))
        if a.counted:
            _ask_count_first(s, a)
        return "Py_NewRef(o_%s)" % a.name

    def py_type(self, model, a):
        return model.record_class(a.struct)


class MemberIn(Kind):
    name, what = ("member_in", "a struct the call reads (NVML, no class in NVIDIA's), on the stack: its one "
                  "member (the version aside) from an int or a str")
    passed = "&s_{n}"

    def convert(self, s, a):
        S = a.type.pointee().base
        m = "s_%s.%s" % (a.name, a.returns)
        s.decls.append("%s s_%s;" % (S, a.name))
        s.decls.append("const char *c_%s;" % a.name if a.int_type is None else "long long c_%s;" % a.name)
        if a.int_type is None:   # a str, copied into the member with its NUL (too long: ValueError)
            s.decls.append("PyObject *k_%s = NULL;" % a.name)
            s.cleanup.append("Py_XDECREF(k_%s);" % a.name)
            s.convert.append("if (cb_arg_cstr(%s, 0, CB_STR_ONLY, &c_%s, &k_%s, %s) < 0)\n        goto exit;"
                             % (s.argv(a), a.name, a.name, s.ctx(a)))
            s.checks.append('if (strlen(c_%s) >= sizeof %s) {\n'
                            '        PyErr_Format(PyExc_ValueError, "%s is longer than %%zu bytes", sizeof %s - 1);\n'
                            '        goto exit;\n    }' % (a.name, m, a.pyname, m))
        else:
            s.convert.append("if (cb_arg_ll(%s, INT_MIN, INT_MAX, &c_%s, %s) < 0)\n        goto exit;"
                             % (s.argv(a), a.name, s.ctx(a)))
        s.checks.append("memset(&s_%s, 0, sizeof s_%s);" % (a.name, a.name))
        _set_version(s, a, "(&s_%s)" % a.name)
        s.checks.append(("strcpy(%s, c_%s);" if a.int_type is None else "%s = c_%s;") % (m, a.name))

    def py_type(self, model, a):
        return "str" if a.int_type is None else "int"


class RecordItems(Kind):
    name, what = ("record_items", "structs the call reads and fills, their count before them (NVML's field "
                  "values): an object of their class, or ids or (id, scope) pairs to make one of; returned "
                  "by a getter")
    passed = "({T})cb_record_ptr(o_{n})"

    def convert(self, s, a):
        _owned_object(s, a)
        s.convert.append('if ((o_%s = cb_record_of_ids(module, %s, RECORD_%s, "%s", "%s")) == NULL)\n'
                         "        goto exit;" % (a.name, s.argv(a), a.struct, *a.ids))

    def py_type(self, model, a):
        return "%s | list[int | tuple[int, int]]" % model.record_class(a.struct)

    def build(self, s, a):   # a getter returns the same object, filled
        return "Py_NewRef(o_%s)" % a.name


class RecordItemsCount(Kind):
    name, what = "record_items_count", "hidden: how many items the record_items after it holds"
    hidden = True

    def call_arg(self, s, a):
        return "(%s)cb_record_len(o_%s)" % (a.type.c(), a.count)


class OutFixedArray(Kind):
    name, what = ("out_fixed_array", "room for as many items as a constant says, its size in bytes passed "
                  "after it (NVML's performance states): a memoryview of them")
    output = True

    def build(self, s, a):
        _owned_object(s, a)
        s.checks.append("if ((o_%s = cb_room_new(%s, sizeof(%s))) == NULL)\n        goto exit;"
                        % (a.name, a.count, a.type.pointee().c()))
        return 'cb_room_view(o_%s, "I", %s)' % (a.name, a.count)

    def call_arg(self, s, a):
        return "(%s)PyByteArray_AS_STRING(o_%s)" % (a.type.c(), a.name)

    def py_type(self, model, a):
        return "memoryview"


class RoomBytes(Kind):
    name, what = "room_bytes", "hidden: the size in bytes of the room before it"
    hidden = True

    def call_arg(self, s, a):
        return "(%s)PyByteArray_GET_SIZE(o_%s)" % (a.type.c(), a.count)


class RecordSize(Kind):
    name, what = "record_size", "hidden: the size of the struct before it, which the call reads and rewrites"
    hidden = True
    passed = "&c_{n}"

    def prepare(self, s, a):
        struct = next(x for x in s.b.args if x.name == a.count)
        s.decls.append("%s c_%s = (%s)sizeof(%s);" % (a.type.pointee().c(), a.name, a.type.pointee().c(),
                                                      struct.type.pointee().c()))


# -- values typed by a key ---------------------------------------------------

class Typed(Kind):
    name, what = "typed", "a value set by key: its C type is the one the key parameter selects"
    keys_value = True
    typed_direction = "set"
    passed = "(void *)c_{n}"

    def convert(self, s, a):
        i, ctx = s.argv(a), s.ctx(a)
        size = next((x for x in s.b.args if x.kind.sizes_value and x.count == a.name), None)
        if size is None:
            s.decls.append(TYPED_ROOM % a.name)
            s.checks.append("if (typed_set_%s(module, (long long)c_%s, %s, c_%s, %s) < 0)\n        goto exit;"
                            % (s.b.name, a.key, i, a.name, ctx))
        else:   # the call also takes the size written (NVIDIA's returns only the status)
            s.decls.append(TYPED_TEXT_ROOM % a.name)
            s.decls.append("%s c_%s = 0;" % (size.type.pointee().c(), size.name))
            s.checks.append("if ((ll = typed_set_%s(module, (long long)c_%s, %s, c_%s, %s)) < 0)\n"
                            "        goto exit;\n    c_%s = (%s)ll;"
                            % (s.b.name, a.key, i, a.name, ctx, size.name, size.type.pointee().c()))
            s.temps.add("ll")

    def py_type(self, model, a):
        by_value = {"_Bool": "bool", "char[]": "bytes | bytearray", "int()": "int"}   # set by key (coredump settings)
        kinds = [t for key, t in (a.types or {}).items() if key]
        if kinds and all(t in by_value for t in kinds):
            return " | ".join(dict.fromkeys(by_value[t] for t in kinds))
        return "int | None"  # or a handle/struct object, as the key selects


class OutTyped(Kind):
    name, what = "out_typed", "a value got by key: built from the C type the key selects"
    output = True
    keys_value = True
    typed_direction = "get"
    passed = "(void *)c_{n}"
    py = "int | object"

    def build(self, s, a):
        """In fixed room, in room the caller sizes (dataSize), or in room of
        the size the call reports when asked with a NULL value first (a
        hidden `size_t *`)."""
        getter = "typed_get_%s(module, (long long)c_%s, c_%s, %%s)" % (s.b.name, a.key, a.name)
        if a.types.get("") == "unsupported":   # a key outside the table is refused before any call
            key = next(x for x in s.b.args if x.name == a.key)
            s.checks.append("if (!typed_known_%s((long long)c_%s)) {\n        cb_raise_unsupported_key(module, %s, "
                            "(long long)c_%s);\n        goto exit;\n    }"
                            % (s.b.name, a.key, s.enum_ref(key.enum), a.key))
        if a.value_size is None:
            s.decls.append(TYPED_ROOM % a.name)
            return getter % "CB_TYPED_SLOT"
        size = next(x for x in s.b.args if x.name == a.value_size)
        s.decls.append("void *c_%s = NULL;" % a.name)
        s.cleanup.append("PyMem_Free(c_%s);" % a.name)
        if size.kind.queried:   # ask for the size, then make room and ask for the value
            s.decls.append("%s c_%s = 0;" % (size.type.pointee().c(), size.name))
            probe = ["NULL" if x is a else x.kind.call_arg(s, x) for x in s.b.args]
            s.queries.append(s.call_status(s.b.name, probe, not s.b.keep_gil))
            s.queries.append("if (status != %s)\n        goto failed;" % s.lib.success)
        s.queries.append("if ((c_%s = cb_typed_room((unsigned long long)c_%s)) == NULL)\n        goto exit;"
                         % (a.name, size.name))
        return getter % ("(size_t)c_%s" % size.name)


class OutTypedArray(Kind):
    name, what = "out_typed_array", "values got for an array of keys, each of the key's type: a list"
    output = True
    typed_direction = "get"
    passed = "c_{n}.slots"
    py = "list"

    def build(self, s, a):
        sizes = "(const size_t *)c_%s.ptr" % a.value_size if a.value_size else "NULL"
        s.decls.append("cb_typed_values c_%s = CB_TYPED_VALUES_INIT;" % a.name)
        # room once the lists are known to hold `count` (a huge count is their RuntimeError first)
        s.reads.append("if (cb_typed_values_alloc(&c_%s, (size_t)c_%s, %s) < 0)\n        goto exit;"
                       % (a.name, a.count, sizes))
        s.cleanup.append("cb_typed_values_release(&c_%s);" % a.name)
        return "cb_typed_list(module, typed_get_%s, (const int *)c_%s.ptr, &c_%s)" % (
            s.b.name, a.key, a.name)  # the keys: a C enum array, int-sized


class TypedSize(Kind):
    name = "typed_size"
    what = "hidden: the size of a got value, which the call reports when asked with a NULL value first"
    hidden = True
    queried = True
    passed = "&c_{n}"


class TypedSetSize(Kind):
    name = "typed_set_size"
    what = "hidden: the size of a set value, which its converter writes (coredump settings)"
    hidden = True
    sizes_value = True
    passed = "&c_{n}"


# -- calls back and launches -------------------------------------------------

class Callback(Kind):
    name, what = "callback", "a Python callable (or a C function's address) the library calls later"
    passed = "({T})c_{n}.fn"

    def convert(self, s, a):
        user = next(x for x in s.b.inputs if x.name == a.user)
        kind = s.callback_kind(a)
        s.decls.append("cb_callback c_%s = CB_CALLBACK_INIT;" % a.name)
        env = "NULL"
        if kind == "STREAM":
            s.decls.append("cb_callback_env env_%s;" % a.name)
            # the stream type the callback receives: its first parameter's
            stream = s.m.h.typedefs[a.handle].func.params[0].type.base
            s.convert.append("env_%s = (cb_callback_env){module, %s, %s};"
                             % (a.name, s.handle_class(stream), s.enum_ref(s.lib.status)))
            env = "&env_%s" % a.name
        s.convert.append("if (cb_arg_callback(%s, argv[%d], %d, %s, CB_CALLBACK_%s, %s, &c_%s, %s) < 0)\n"
                         "        goto exit;" % (s.argv(a), s.index[user.name], s.index[user.name], s.handle_type(a),
                                                 kind, env, a.name, s.ctx(a)))
        s.post.append("cb_callback_done(&c_%s, status == %s);" % (a.name, s.lib.success))
        s.cleanup.append("cb_callback_done(&c_%s, 0);" % a.name)

    def py_type(self, model, a):
        return "Callable | %s | int | None" % a.handle


class CallbackData(Kind):
    name, what = "callback_data", "the `void *` a callback receives: any object, passed with the callback"
    py = "object"

    def convert(self, s, a):
        pass  # converted with its callback

    def call_arg(self, s, a):
        return "c_%s.data" % next(x.name for x in s.b.args if x.user == a.name)


class KernelParams(Kind):
    name, what = "kernel_params", "a kernel's arguments: (values, types), an int address, or None"
    passed = "c_{n}.argv"
    py = "tuple[Sequence, Sequence] | int | None"

    def convert(self, s, a):
        s.decls.append("cb_kparams c_%s = CB_KPARAMS_INIT;" % a.name)
        s.convert.append("if (cb_arg_kernel_params(%s, &c_%s, %s) < 0)\n        goto exit;"
                         % (s.argv(a), a.name, s.ctx(a)))
        s.cleanup.append("cb_kparams_release(&c_%s);" % a.name)


# -- cuFile's and cuDLA's addresses (gen/addressed.py) --------------------------

class IntOrZero(Int):
    name, what = "int_or_zero", "a C integer, range-checked, that may be left out (0)"
    optional = True

    def convert(self, s, a):
        into = []
        self.convert_value(s, a, a.type.c(), into)
        s.convert.append("if (%s == CB_OMITTED)\n        c_%s = 0;\n    else {\n        %s\n    }"
                         % (s.argv(a), a.name, "\n".join(into).replace("\n", "\n    ")))


class Truth(Kind):
    name, what = "truth", "a C bool: the truth of any object (None is false), as NVIDIA's bint"
    py = "bool"

    def convert(self, s, a):
        s.decls.append("int t_%s;" % a.name)
        s.convert.append("if ((t_%s = PyObject_IsTrue(%s)) < 0)\n        goto exit;" % (a.name, s.argv(a)))

    def call_arg(self, s, a):
        return "t_%s != 0" % a.name


class AnyAddress(Kind):
    name, what = "any_address", "an address as int() of any object (a struct object's is its memory), None NULL"
    passed = "({T})c_{n}"
    py = "Any"

    def convert(self, s, a):
        s.decls.append("void *c_%s = NULL;" % a.name)
        s.convert.append("if (cb_arg_int_of(%s, &c_%s, %s) < 0)\n        goto exit;" % (s.argv(a), a.name, s.ctx(a)))


class RecordArray(Kind):
    name, what = ("record_array", "an array of structs the call reads or fills: an object of its class (of "
                  "any length), its length the count parameter after it")

    def convert(self, s, a):
        s.decls.append("void *c_%s = NULL;\n    Py_ssize_t n_%s = 0;" % (a.name, a.name))
        s.convert.append('if (cb_record_arg(module, %s, RECORD_%s, &c_%s, "%s", CB_RECORD_TYPED | CB_RECORD_EMPTY) < 0)'
                         "\n        goto exit;\n    n_%s = cb_record_len(%s);"
                         % (s.argv(a), a.struct, a.name, a.pyname, a.name, s.argv(a)))

    def call_arg(self, s, a):
        return "(%s)c_%s" % (a.type.c(), a.name)

    def py_type(self, model, a):
        return model.record_class(a.struct)


class RecordArrayCount(Kind):
    name, what = "record_array_count", "hidden: the length of the struct array before it"
    hidden = True

    def call_arg(self, s, a):
        array = next(x for x in s.b.args if x.count == a.name)
        return "(%s)n_%s" % (a.type.c(), array.name)


class OutBool(OutValue):
    name, what = "out_bool", "a C bool the call writes: a Python bool"
    initial = " = 0"
    py = "bool"

    def result(self, s, a):
        return "PyBool_FromLong(c_%s)" % a.name


class OutTextRoom(OutChars):
    name, what = "out_text_room", "a string the call writes into room for as many chars as an input says: a str"
    py = "str"
    made = "cb_str_or_none(c_%s)"


KINDS = {k.name: k for k in (
    Int(), IntRef(), Enum(), InoutEnum(), Float(), HandleInt(), InoutValue(), InoutCount(),
    Handle(), Intptr(), InoutHandle(), Address(), Funcptr(),
    Cstr(), CstrList(), HostPtr(),
    Buffer("buffer_in", "bytes the call reads: a buffer or an int address, its size from a parameter"),
    Buffer("buffer_out", "memory the call fills: a writable buffer, sized by a parameter or a size query",
           filled=True),
    StructIn(), StructVal(), StructRoom(), OutStruct(),
    ArrayIn("handle_array", "an array of pointer handles (objects or ints)"),
    ArrayIn("value_array", "an array of integers, enum members or integer handles"),
    ArrayIn("struct_array", "an array of structs, copied from their objects"),
    ArrayIn("address_array", "an array of `void *` addresses (ints, or objects with __int__ where listed)",
            address_items=True),
    OutArray("out_handle_array", "handles the call writes into room for `count` of them"),
    OutArray("out_struct_array", "structs the call writes into room for `count` of them"),
    OutValueArray(), OutBorrowedArray(), OutIntArray(),
    OutInt(), OutFloat(), OutEnum(), OutHandle(), OutCstr(), OutChars(), OutAddress(),
    OutText(), OutChar(), TextLength(), ArrayCount(), OutRoomArray(),
    OutRecord(), OutRecordCounted(), RecordIn(), RequestIn(), OutRequest(), OutRecordRequest(), MemberSize(), MemberIn(), RecordItems(), RecordItemsCount(), OutFixedArray(), RoomBytes(), RecordSize(),
    Typed(), OutTyped(), OutTypedArray(), TypedSize(), TypedSetSize(),
    Callback(), CallbackData(), KernelParams(),
    IntOrZero(), Truth(), AnyAddress(), RecordArray(), RecordArrayCount(), OutBool(), OutTextRoom())}
