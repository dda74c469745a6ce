"""Runs differential cases inside one side's interpreter (NVIDIA's package or
ours; stdlib only, so either can run it) and prints what user code can
observe of each, one JSON line per case, flushed as it goes: a case that
kills the process is the one after the last line.

    python -P observe.py CASES.json FIRST

CASES.json is a list of {"id": ..., "code": ..., "fresh": bool}; "fresh"
marks a case whose result holds addresses the library just made (a
program, a linker), which differ between any two processes: their ints
and handles show only whether they are zero.  A case's code runs in a
fresh namespace holding the bindings' modules; its last line, if it is an
expression, is the result (as at the interactive prompt), observed while the
namespace still holds what the case made."""
import ast
import importlib
import json
import sys

MODULES = ("driver", "runtime", "nvrtc", "nvjitlink", "nvvm", "nvfatbin")
TEXT_MAX = 4000

# Objects the cases use, defined alike on both sides.
PRELUDE = """
class Index:
    # an object with only __index__ (not an int)
    def __index__(self):
        return 0

class Clearing:
    # an __index__ that empties the list it sits in
    def __init__(self, victim):
        self.victim = victim
    def __index__(self):
        self.victim.clear()
        return 0

def ClearedBy(item):
    items = [item, None, item]
    items[1] = Clearing(items)
    return items

import ctypes

def each(*calls):
    # what each call returns, or the exception it raises: many observations in one case
    out = []
    for call in calls:
        try:
            out.append(call())
        except Exception as e:
            out.append("raises " + type(e).__name__)
    return out

class Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_int)]

class Traced(ctypes.c_int):
    # a user's subclass of a simple ctypes type
    pass

class IntLike:
    # an object with only __int__ (no __index__)
    def __int__(self):
        return 1

KEPT = ctypes.create_string_buffer(b"12345678")

class WithGetPtr:
    # a user's object packed by the address its getPtr() gives
    def getPtr(self):
        return ctypes.addressof(KEPT)

class TupleSub(tuple):
    pass

def packed(value, ctype):
    # The bytes one kernel argument is packed to, as a kernel node's
    # kernelParams holds them; where they live, as the form the user gave
    # says (addresses differ between processes).
    p = driver.CUDA_KERNEL_NODE_PARAMS()
    p.kernelParams = ((value,), (ctype,))
    arg = ctypes.c_void_p.from_address(p.kernelParams).value
    if isinstance(value, ctypes._SimpleCData) and arg == ctypes.addressof(value):
        return "in the value's own buffer"
    if isinstance(value, ctypes.Structure) and arg == ctypes.addressof(value):
        return "in the Structure's own buffer"
    get_ptr = getattr(value, "getPtr", None)
    if ctype is None:
        return ("at getPtr()" if get_ptr and arg == get_ptr() else "elsewhere", ctypes.string_at(arg, 4))
    raw = ctypes.string_at(arg, ctypes.sizeof(ctype))
    if ctype is ctypes.c_void_p and get_ptr and int.from_bytes(raw, "little") == get_ptr():
        return "the address getPtr() gives"
    return raw
"""


def namespace():
    ns = {}
    for name in MODULES:
        try:
            ns[name] = importlib.import_module("cuda.bindings." + name)
        except ImportError:
            pass
    exec(PRELUDE, ns)
    return ns


def type_name(value):
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else "%s.%s" % (t.__module__, t.__qualname__)


def text(call, value):
    try:
        return call(value)[:TEXT_MAX]
    except Exception as e:  # an observation of its own, never a lost case
        return "<%s raised %s>" % (call.__name__, type(e).__name__)


def fresh_address(value):
    """A made address (an int, or a handle object: int() and getPtr), as
    {type, nonzero}: its value differs from process to process."""
    if isinstance(value, int) and not hasattr(value, "__members__") and type(value) is not bool:
        return {"type": type_name(value), "nonzero": value != 0}
    if hasattr(value, "getPtr") and hasattr(value, "__int__"):
        return {"type": type_name(value), "nonzero": int(value) != 0}
    return None


def describe(value, depth=0, fresh=False):
    """What a user can tell of a value: its type, its text forms, its int
    value if it is one, the items of a tuple or list."""
    masked = fresh_address(value) if fresh else None
    if masked is not None:
        return masked
    if isinstance(value, (bool, float, str, bytes, bytearray)) or value is None:
        return {"type": type_name(value), "repr": repr(value)[:TEXT_MAX]}
    d = {"type": type_name(value)}
    if not (fresh and isinstance(value, (tuple, list))):   # a fresh result's text shows its addresses
        d.update(str=text(str, value), repr=text(repr, value))
    if isinstance(value, int):
        d["int"] = int(value)
    if isinstance(value, (tuple, list)) and depth < 3:
        d["items"] = [describe(v, depth + 1, fresh) for v in value[:256]]
        d["len"] = len(value)
    return d


def run(code, ns):
    tree = ast.parse(code, mode="exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<case>", "exec"), ns)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<case>", "eval"), ns)


def main():
    cases = json.load(open(sys.argv[1]))
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    base = namespace()
    out = sys.stdout
    for case in cases[first:]:
        ns = dict(base)   # alive until the result is observed: it may view what the case made
        try:
            got = {"returns": describe(run(case["code"], ns), fresh=case.get("fresh", False))}
        except BaseException as e:  # SystemExit and KeyboardInterrupt are results too
            got = {"raises": type_name(e), "message": str(e)[:300]}
        del ns
        got["id"] = case["id"]
        out.write(json.dumps(got) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
