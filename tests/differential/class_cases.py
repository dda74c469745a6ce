"""Differential cases for the classes: every handle class (what it is as a
number, how it compares, hashes and prints, what it is made from) and
every struct class (its fields, each read and set from many values, its
text forms, getPtr, sizeof).  The classes are those NVIDIA's package lists
(cases.discover's "kinds")."""

# Names dir() lists that no code uses: where a class's __module__ lives (its
# dict, ours; its type, NVIDIA's static types) and Cython's pickling stubs.
UNUSED_DUNDERS = "{'__module__', '__setstate__', '__reduce_cython__', '__setstate_cython__'}"

# What a handle is asked, each answer one observation (observe.each).
HANDLE_QUESTIONS = [
    "int(a)", "a.__index__()", "float(a)", "complex(a)", "a == b", "a == a", "a != b", "a == 3",
    "a == H(4)", "hash(a) == hash(b)", "hash(a) == hash(3)", "bool(z)", "bool(a)", "repr(a)",
    "str(a)", "format(a)", "format(a, '')", "f'{a:x}'", "f'{a:>20}'", "'%d' % a", "'%x' % a",
    "'%s' % a", "a < b", "a <= b", "hex(a)", "[1, 2, 3, 4][a]", "ctypes.c_void_p(a).value",
    "ctypes.c_uint64(a).value", "int(H(a))", "int(H())", "int(H(0))",
    "int(H(None))", "int(H(-1))", "int(H(2**63))", "int(H(2**64 - 1))", "int(H(2**64))",
    "int(H(True))", "int(H(1.5))", "int(H('3'))", "int(H(b'3'))", "int(H(Index()))",
    "int(H(IntLike()))", "int(H(ctypes.c_int(3)))", "int(H(driver.CUstream(6)))",
    "int(H(driver.CUdeviceptr(6)))", "int(H(driver.CUresult(2)))", "int(H(init_value=3))",
    "int(H(3, 0))", "a.getPtr() != 0", "type(a.getPtr()).__name__", "a.getPtr() == a.getPtr()",
    "a.getPtr() == b.getPtr()", "H.__name__", "H.__qualname__", "H.__module__",
    "[c.__name__ for c in H.__mro__]", "sorted(n for n in dir(H) if not n.startswith('__'))",
    "sorted(n for n in dir(H) if n.startswith('__') and n not in OBJECT_DUNDERS | %s)" % UNUSED_DUNDERS,
    "type(a) is H", "isinstance(a, int)", "a + 1", "-a", "~a", "a & 1", "a >> 1", "round(a)",
    "a.__int__()", "a.__reduce__()[0].__name__", "copy.copy(a) is a", "int(copy.copy(a))",
    "int(pickle.loads(pickle.dumps(a)))", "driver.sizeof(H)", "runtime.sizeof(H)",
    "utils.get_cuda_native_handle(a)", "a.__cuda_stream__()",
]


def handle_cases(api):
    cases = []
    for name, (mod, kind) in sorted(api["kinds"].items()):
        if kind != "handle":
            continue
        cases.append({"id": "handle %s.%s" % (mod, name), "code": (
            "import copy, ctypes, pickle\n"
            "from cuda.bindings import utils\n"
            "OBJECT_DUNDERS = set(dir(object))\n"
            "H = %s.%s\n"
            "a, b, z = H(3), H(3), H(0)\n"
            "each(%s)" % (mod, name, ", ".join("lambda: " + q for q in HANDLE_QUESTIONS)))})
    return cases


# The values every field of a struct is set from, one case each: numbers
# at the edges, other Python objects, the bindings' objects, and two made
# for the field: a new object of the type it reads as (a nested struct, a
# handle, an enum member's class) and the value it holds (set back).
FIELD_VALUES = ["0", "1", "-1", "2**31", "2**32", "2**63", "2**64", "True", "1.5", "None", "'x'", "b'x'",
                "bytearray(b'x')", "[0]", "[0, 0]", "(0,)", "[]", "Index()", "IntLike()", "object()",
                "driver.CUstream(1)", "runtime.cudaStream_t(1)", "driver.CUdeviceptr(1)",
                "driver.CUresult(1)", "driver.CUDA_MEMCPY2D()", "FRESH", "HELD"]

STRUCT_PRELUDE = (
    "import ctypes\n"
    "OBJECT_DUNDERS = set(dir(object))\n"
    "S = %s.%s\n"
    "FIELDS = sorted(n for n in dir(S()) if not n.startswith('_') and n != 'getPtr')\n"
    "def buffer_address(v):\n"
    "    if isinstance(v, bytearray):\n"
    "        return ctypes.addressof((ctypes.c_char * len(v)).from_buffer(v))\n"
    "    return ctypes.cast(v, ctypes.c_void_p).value if isinstance(v, bytes) else None\n")


def set_each(value):
    """Code setting each field of a fresh struct to `value` and reading it back."""
    if value == "FRESH":
        value = "type(getattr(S(), f))()"
    elif value == "HELD":
        value = "getattr(S(), f)"

    # each struct is kept until the case is observed: a field read may be
    # a view into its memory (NVIDIA's does not keep the struct alive)
    # a pointer field given a buffer reads its address, which differs
    # from process to process: observed as being that address
    return ("kept = []\n"
            "def set_and_read(f):\n"
            "    s = S()\n"
            "    kept.append(s)\n"
            "    v = %s\n"
            "    kept.append(v)\n"
            "    setattr(s, f, v)\n"
            "    r = getattr(s, f)\n"
            "    return 'the address of the value' if type(r) is int and r and r == buffer_address(v) else r\n"
            "[(f, each(lambda: set_and_read(f))[0]) for f in FIELDS]" % value)


def struct_cases(api):
    cases = []
    for name, (mod, kind) in sorted(api["kinds"].items()):
        if kind != "struct":
            continue
        prelude = STRUCT_PRELUDE % (mod, name)
        cases.append({"id": "struct %s.%s" % (mod, name), "code": prelude + (
            "s = S()\n"
            "(FIELDS, [(f, each(lambda: getattr(s, f))[0]) for f in FIELDS],\n"
            " each(lambda: str(s), lambda: repr(s), lambda: s.getPtr() != 0, lambda: %s.sizeof(S),\n"
            "      lambda: [c.__name__ for c in S.__mro__], lambda: s == S(), lambda: s == s, lambda: bool(s),\n"
            "      lambda: S(s.getPtr()).getPtr() == s.getPtr(), lambda: S(0).getPtr() != 0, lambda: S(None),\n"
            "      lambda: int(s), lambda: s.nonexistent,\n"
            "      lambda: setattr(s, 'nonexistent', 1),\n"
            "      lambda: sorted(n for n in dir(S) if n.startswith('__') and n not in OBJECT_DUNDERS | %s)))"
            % (mod, UNUSED_DUNDERS))})
        for value in FIELD_VALUES:
            cases.append({"id": "struct %s.%s fields = %s" % (mod, name, value),
                          "code": prelude + set_each(value)})
    return cases
