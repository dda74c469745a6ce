"""Differential cases for the struct classes of cuda.bindings.nvml (the
record classes): every class read fresh, every field set from many values
and read back, the from_* constructors, the array classes' items, their
dtypes.  Each observation runs in a forked child of the observer, so one
that crashes a side (NVIDIA's does on some bad input) is that observation's
"crash" and the rest of the case goes on; each is a text: the value's type
and value (arrays as lists, objects of the classes by class and length) or
the exception's type and message, with addresses masked."""

# What every case runs first (observe.py's namespace has `each` etc.).
PRELUDE = r'''
import os, re, sys
import numpy as np
from cuda.bindings import nvml

def _mask(s):
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", s)

def D(v, depth=0):
    """A value as text: what a user can tell of it."""
    if v is None or isinstance(v, (bool, int, float, str, bytes)):
        return type(v).__name__ + ":" + repr(v)[:400]
    if isinstance(v, np.ndarray):
        return "%s[%s %s w=%d]%s" % (type(v).__name__, v.dtype, v.shape, v.flags.writeable,
                                     _mask(repr(v.tolist()))[:600])
    if isinstance(v, np.generic):
        return "%s:%s" % (type(v).__name__, _mask(repr(v.tolist()))[:400])
    if isinstance(v, (list, tuple)):
        return "%s(%s)" % (type(v).__name__, ", ".join(D(x, depth + 1) for x in v[:8]))
    if type(v).__module__ == "cuda.bindings.nvml" and hasattr(v, "ptr"):
        t = type(v)
        s = t.__name__
        if hasattr(t, "__len__"):
            s += "[len %d]" % len(v)
        if depth == 0:
            fields = sorted(n for n in dir(t) if not n.startswith("_") and n not in ("ptr", "from_ptr", "from_buffer", "from_data"))
            s += "{" + ", ".join("%s=%s" % (f, O1(lambda: getattr(v, f), depth + 1)) for f in fields[:12]) + "}"
        return s
    return type(v).__name__ + ":" + _mask(repr(v))[:300]

def O1(fn, depth=0):
    """fn() described, or its exception (in this process)."""
    try:
        return _mask(D(fn(), depth))
    except Exception as e:
        return "raises %s: %s" % (type(e).__name__, _mask(str(e))[:300])

def O(fn):
    """fn() described in a forked child: a crash is an observation."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = O1(fn)
        except BaseException as e:   # noqa
            out = "raises %s" % type(e).__name__
        os.write(w, out.encode("utf-8", "replace"))
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "crash"
    return data.decode("utf-8", "replace")

def doc_head(d):
    """A field doc's type part ('int: ', '~_numpy.uint8: (array of length 16).'): the
    text after it is nvml.h's member comment, as NVIDIA's tooling renders it,
    which ours does not reproduce."""
    m = re.match(r"(.*?\(array of length \d+\)\.|.*?: )", d or "", re.S)
    return m.group(1) if m else d

def fields_of(S):
    return sorted(n for n in dir(S) if not n.startswith("_") and n not in ("ptr", "from_ptr", "from_buffer", "from_data"))

class Index:
    def __index__(self):
        return 1

class IntLike:
    def __int__(self):
        return 1

class BadInt:
    def __int__(self):
        raise RuntimeError("boom")
'''

# The values every field is set from (one case each per class): numbers at
# the edges, other objects, and ones made for the field: SAME (what it
# holds, set back), LIKE (a fresh object of the same shape: a record object
# of the same class and length, a list of ones as long as the array).
VALUES = ["0", "1", "-1", "255", "256", "2**31", "2**32", "2**63", "2**64", "True", "1.5", "None", "'x'", "'7'",
          "'a' * 300", "'\\xe9'", "b'x'", "[1]", "[1, 2]", "[]", "(1, 2)", "Index()", "IntLike()", "BadInt()",
          "object()", "SAME", "LIKE"]

LIKE = """
def like(v):
    if isinstance(v, np.ndarray):
        return [1] * (len(v) if v.ndim else 1)
    if type(v).__module__ == "cuda.bindings.nvml":
        t = type(v)
        return t(len(v)) if hasattr(t, "__len__") else t()
    if isinstance(v, list):
        return [1, 2]
    return v
"""


def set_case(cls, value, size):
    make = "S()" if size is None else "S(%d)" % size
    if value == "SAME":
        expr = "getattr(%s, f)" % make
    elif value == "LIKE":
        expr = "like(getattr(%s, f))" % make
    else:
        expr = value
    return (LIKE + "S = nvml.%s\n"
            "def set_and_read(f):\n"
            "    s = %s\n"
            "    v = %s\n"
            "    setattr(s, f, v)\n"
            "    return getattr(s, f)\n"
            "[(f, O(lambda: set_and_read(f))) for f in fields_of(S)]" % (cls, make, expr))


FRESH = """S = nvml.%s
OBJECT_DUNDERS = set(dir(object))
def fresh(s):
    return [(f, O(lambda: getattr(s, f))) for f in fields_of(S)]
def sizes():
    return [S.__basicsize__, S().__sizeof__()]
import ctypes
def raw(x):
    return bytes((ctypes.c_char * nvml_dtype().itemsize).from_address(x.ptr)) if x.ptr else None
def nvml_dtype():
    return getattr(nvml, DTYPE)
DTYPE = %r
"""


def class_cases(classes):
    """classes: {name: (dtype name, array class?)}."""
    cases = []
    for cls, (dtype, array) in sorted(classes.items()):
        pre = FRESH % (cls, dtype)
        obs = [
            "S.__doc__", "S.from_ptr.__doc__", "S.from_buffer.__doc__", "S.from_data.__doc__",
            "[(f, doc_head(getattr(S, f).__doc__)) for f in fields_of(S)]", "fields_of(S)",
            "sorted(n for n in dir(S) if n.startswith('__') and n not in OBJECT_DUNDERS | {'__reduce_cython__', '__setstate_cython__', '__pyx_vtable__', '__module__'})",
            "sorted(n for n in dir(S) if n.startswith('_') and not n.startswith('__'))",
            "[c.__name__ for c in S.__mro__]", "S.__name__", "S.__qualname__", "S.__module__",
            "bool(S.__flags__ & (1 << 10))", "sizes()",
            "fresh(S())", "repr(S())", "str(S())", "S() == S()", "S() != S()", "S() == 1", "hash(S())",
            "S() < S()", "(lambda s: int(s) == s.ptr)(S())", "bool(S())", "type(S().ptr)", "S(1)", "S(a=1)", "S(size=2)",
            "S.from_ptr(0)", "S.from_ptr(None)", "S.from_ptr('1')", "S.from_ptr(1.5)", "S.from_ptr(2**63)",
            "S.from_ptr(-1)", "S.from_ptr()",
            "(lambda s: fresh(S.from_ptr(s.ptr, owner=s)))(S())",
            "(lambda s: S.from_ptr(s.ptr, owner=s).ptr == s.ptr)(S())",
            "(lambda s: S.from_ptr(s.ptr).ptr == s.ptr)(S())",
            "(lambda s: S.from_ptr(s.ptr, readonly=True).ptr == s.ptr)(S())",
            "S.from_buffer(bytearray(nvml_dtype().itemsize))",
            "fresh(S.from_buffer(bytearray(nvml_dtype().itemsize)))",
            "S.from_buffer(bytearray(nvml_dtype().itemsize + 1))", "S.from_buffer(bytearray(2 * nvml_dtype().itemsize))",
            "S.from_buffer(bytearray(0))", "S.from_buffer(b'\\0' * nvml_dtype().itemsize)",
            "S.from_buffer(1)", "S.from_buffer(None)", "S.from_buffer()",
            "(lambda b: (S.from_buffer(b).ptr == ctypes.addressof((ctypes.c_char * len(b)).from_buffer(b))))(bytearray(nvml_dtype().itemsize))",
            "fresh(S.from_data(np.zeros(1, nvml_dtype())))", "S.from_data(np.zeros(2, nvml_dtype()))",
            "S.from_data(np.zeros(0, nvml_dtype()))", "S.from_data(np.zeros((1, 1), nvml_dtype()))",
            "S.from_data(np.zeros(1, np.uint8))", "S.from_data(np.zeros(nvml_dtype().itemsize, np.uint8))",
            "S.from_data(1)", "S.from_data(None)", "S.from_data(bytearray(8))",
            "(lambda a: S.from_data(a).ptr == a.ctypes.data)(np.zeros(1, nvml_dtype()))",
            "(lambda s: [(f, O(lambda: setattr(s, f, getattr(s, f)))) for f in fields_of(S)])(S.from_buffer(b'\\0' * nvml_dtype().itemsize))",
            "(lambda t: [(f, O(lambda: setattr(s, f, getattr(s, f)))) for s in [S.from_ptr(t.ptr, readonly=True)] for f in fields_of(S)])(S())",
            "(lambda t: [(f, O(lambda: setattr(s, f, getattr(s, f)))) for s in [S.from_ptr(t.ptr)] for f in fields_of(S)])(S())",
            "(lambda s: [(f, O(lambda: s.__delattr__(f))) for f in fields_of(S)])(S())",
            "S().__setitem__(0, b'\\1' * nvml_dtype().itemsize)", "S().__setitem__(0, b'\\1')",
            "S().__setitem__(0, 1)", "S().__setitem__(1, 1)", "S().__delitem__(0)", "S()[0]", "len(S())",
            "S() == S.from_buffer(bytearray(nvml_dtype().itemsize))",
            "(lambda s, b: (s.__setitem__(0, b), raw(s) == bytes(b))[1])(S(), bytes(range(256)) * (1 + nvml_dtype().itemsize // 256))",
            "nvml_dtype()", "nvml_dtype().itemsize", "nvml_dtype().names", "nvml_dtype().isalignedstruct",
            "[(n, nvml_dtype().fields[n][1]) for n in nvml_dtype().names]",
        ]
        if array:
            obs += [
                "fresh(S(2))", "fresh(S(0))", "fresh(S(3)[1])", "fresh(S(3)[1:])", "repr(S(2))", "repr(S(0))",
                "len(S(5))", "len(S())", "len(S((2, 3)))", "S(-1)", "S('a')", "S(1.5)", "S(None)", "S(True)",
                "len(S(Index()))", "S(2, 3)", "S(2) == S(2)", "S(2) == S(3)", "S(3)[0] == S()",
                "S(3)[3]", "(lambda a: a[-1].ptr - a.ptr)(S(3))", "S(3)[-4]", "S(3)[2**70]", "S(3)['x']", "S(3)[None]",
                "S(3)[1.0]", "S(3)[...]", "len(S(4)[::2])", "len(S(4)[[0, 2]])", "S(3)[np.int64(1)]",
                "[x.ptr - a.ptr for a in [S(3)] for x in a]", "list(iter(S(2)))", "bool(S(0))",
                "(lambda a: (a.__setitem__(0, 1), fresh(a[0]))[1])(S(2))", "S(2).__delitem__(0)",
                "(lambda s: fresh(S.from_ptr(s.ptr, 3, owner=s)))(S(3))",
                "(lambda s: len(S.from_ptr(s.ptr, 2, owner=s)))(S(3))", "S.from_ptr(S(3).ptr, -1)",
                "(lambda t: [(f, O(lambda: setattr(s, f, getattr(s, f)))) for s in [S.from_ptr(t.ptr, 3, readonly=True)] for f in fields_of(S)])(S(3))",
                "len(S.from_buffer(bytearray(3 * nvml_dtype().itemsize)))",
                "fresh(S.from_data(np.zeros(3, nvml_dtype())))", "S.from_data(np.zeros((3, 1), nvml_dtype()))",
                "len(S.from_data(np.zeros(4, nvml_dtype())[::2]))",
                "S()._data", "S(2)._data.dtype", "type(S()._data)", "S()._data.flags.owndata",
            ]
        cases.append({"id": "record %s" % cls,
                      "code": PRELUDE + pre + "[(o, O(lambda: eval(o))) for o in %r]" % (obs,)})
        for value in VALUES:
            cases.append({"id": "record %s = %s" % (cls, value), "code": PRELUDE + set_case(cls, value, None)})
            if array:
                cases.append({"id": "record %s(2) = %s" % (cls, value),
                              "code": PRELUDE + set_case(cls, value, 2)})
    return cases


def module_cases(dtypes):
    """The module's names: the dtypes, what importing it imports."""
    return [
        {"id": "records dtypes", "code": PRELUDE + "[(n, repr(getattr(nvml, n)), getattr(nvml, n).descr) for n in %r]"
                                          % (sorted(dtypes),)},
        {"id": "records private names", "code": PRELUDE + "sorted(n for n in dir(nvml) if n.startswith('_py_anon'))"},
    ]
