"""Objects that misbehave while they are converted, against every argument
kind of the generator and every struct setter.

    python -P tests/adversarial.py GROUP

runs one group of cases in this process and prints, for each case, its name
before it runs (flushed), so that a crash names the case it died in; then
one line "GROUP: N cases, K unexpected".  Any Python exception a case raises
is an answer (TypeError, ValueError, OverflowError, BufferError, RuntimeError
for a missing library, or the misbehaving object's own error); SystemError,
a wrong value where the case checks one, or a crash is not.  The test
(tests/test_adversarial.py) runs each group in a subprocess.
"""
import ctypes
import gc
import os
import shutil
import sys
import tempfile

from cuda.bindings import driver, nvfatbin, nvjitlink, nvrtc, nvvm, runtime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # helpers (-P leaves tests/ off)
from helpers import params_of, public_functions  # noqa: E402

MODULES = [driver, runtime, nvrtc, nvjitlink, nvvm, nvfatbin]
CASES = 0
UNEXPECTED = []


def case(name, fn, check=None):
    """Run fn(); check(result) may say what is wrong with a returned value."""
    global CASES
    CASES += 1
    print(name, flush=True)
    try:
        result = fn()
    except SystemError as e:
        UNEXPECTED.append("%s: SystemError %s" % (name, e))
        return
    except Exception:
        return
    if check is not None:
        why = check(result)
        if why:
            UNEXPECTED.append("%s: %s" % (name, why))


# -- misbehaving objects -----------------------------------------------------

class Shrinks:
    """An int whose conversion empties (or refills) the list it sits in."""

    def __init__(self, victim, refill=False):
        self.victim, self.refill = victim, refill

    def __index__(self):
        self.victim.clear()
        if self.refill:   # a longer list, so stale lengths read past the new items
            self.victim.extend([object()] * 64)
        gc.collect()
        return 0

    __int__ = __index__

    def __float__(self):
        self.__index__()
        return 0.0


class Raises:
    def __index__(self):
        raise RuntimeError("__index__ raised")

    __int__ = __index__

    def __float__(self):
        raise RuntimeError("__float__ raised")


class HugeIndex:
    def __index__(self):
        return 2 ** 70

    def __float__(self):
        return 1e300


class BigInt(int):
    """An int subclass that says otherwise when asked (its value, 0, is what
    counts: an int is an address, trusted as in C, so only NULL is used)."""

    def __index__(self):
        return 2 ** 70


class LyingList(list):
    """A list whose length and iteration disagree."""

    def __len__(self):
        return 1000

    def __iter__(self):
        return iter([0])


class Fake:
    """A 32-byte object dressed as a handle of these modules."""
    __slots__ = ("a", "b")
    _cb_handle_kind = 0


def hostile_lists(n=3):
    """Lists of n items whose first item misbehaves while converted."""
    out = []
    for refill in (False, True):
        victim = []
        victim[:] = [Shrinks(victim, refill)] + [0] * (n - 1)
        out.append(("shrinks%s" % ("+refill" if refill else ""), victim))
    out.append(("raises", [Raises()] + [0] * (n - 1)))
    out.append(("huge", [HugeIndex()] * n))
    out.append(("bigint", [BigInt(0)] * n))
    out.append(("lying", LyingList([0] * n)))
    out.append(("fake-handles", [Fake()] * n))
    out.append(("tuple-of-shrinks", tuple(hostile_lists_shrink(n))))
    return out


def hostile_lists_shrink(n):
    victim = []
    victim[:] = [Shrinks(victim)] + [0] * (n - 1)
    return victim


HOSTILE_SCALARS = [("shrinks", Shrinks([])), ("raises", Raises()), ("huge", HugeIndex()),
                   ("bigint", BigInt(0)), ("fake", Fake()), ("neg", -(2 ** 63) - 1)]


# -- the functions and their parameters, from their docstrings ---------------

def functions():
    for mod, name, func in public_functions(MODULES):
        if params_of(func):
            yield mod, name, func


def neutral(ptype):
    if ptype == "float":
        return 0.0
    if ptype.startswith(("bytes", "str")):
        return b"x" if "bytes" in ptype else "x"
    if ptype.startswith("bytearray"):
        return bytearray(64)
    return None if ("None" in ptype or ptype.startswith(("list[", "tuple[")) or ptype == "object") else 0


def group_sequences():
    """Every list parameter, given lists that change while converted, with
    each integer parameter in turn as its count (so the items are reached)."""
    for mod, name, func in functions():
        params = params_of(func)
        lists = [i for i, (_, t) in enumerate(params) if t.startswith("list[") or t.startswith("tuple[")]
        ints = [i for i, (_, t) in enumerate(params) if t.startswith("int")]
        for li in lists:
            for label, bad in hostile_lists():
                for ci in ints or [None]:
                    args = [neutral(t) for _, t in params]
                    args[li] = bad if not params[li][1].startswith("tuple[") else (bad, [None] * 3)
                    if ci is not None:
                        args[ci] = 3
                    case("%s.%s(%s=%s, count=%s)" % (mod.__name__, name, params[li][0], label,
                                                      params[ci][0] if ci is not None else "-"),
                         lambda: func(*args))


def group_scalars():
    """Every parameter, given each misbehaving scalar."""
    for mod, name, func in functions():
        params = params_of(func)
        for i, (pname, ptype) in enumerate(params):
            for label, bad in HOSTILE_SCALARS:
                args = [neutral(t) for _, t in params]
                args[i] = bad
                case("%s.%s(%s=%s)" % (mod.__name__, name, pname, label), lambda: func(*args))


def struct_classes():
    for mod in (driver, runtime):
        for name in sorted(dir(mod)):
            cls = getattr(mod, name)
            if isinstance(cls, type) and hasattr(cls, "getPtr") and not hasattr(cls, "__int__"):
                try:
                    cls()
                except Exception:
                    continue
                yield mod, name, cls


def fields(obj):
    return [n for n in dir(type(obj)) if not n.startswith("_") and
            type(getattr(type(obj), n, None)).__name__ == "getset_descriptor"]


def view_of(obj, f):
    """The nested struct at field f, or None (a field may raise when read:
    an enum holding a value that is no member)."""
    try:
        v = getattr(obj, f)
    except Exception:
        return None
    return v if type(v).__module__ == type(obj).__module__ else None


def group_struct_setters():
    """Every field of every struct class (and of its nested views), given
    lists that change while converted and misbehaving scalars."""
    for mod, name, cls in struct_classes():
        obj = cls()
        views = [(name, obj)] + [("%s.%s" % (name, f), view_of(obj, f)) for f in fields(obj)
                                 if hasattr(view_of(obj, f), "getPtr")]
        for vname, view in views:
            for f in fields(view):
                try:
                    current = getattr(view, f)
                except Exception:
                    continue
                n = len(current) if isinstance(current, list) else 3
                for label, bad in hostile_lists(max(n, 1)):
                    case("%s.%s = %s" % (vname, f, label), lambda: setattr(view, f, bad))
                for label, bad in HOSTILE_SCALARS:
                    case("%s.%s = %s" % (vname, f, label), lambda: setattr(view, f, bad))
                case("%s.%s read back" % (vname, f), lambda: getattr(view, f))


def group_kernel_args():
    """Kernel arguments: lists that change, ctypes types whose constructor
    runs code, fake handles, buffers resized while they are used."""
    victim = []
    victim[:] = [Shrinks(victim), 1, 2]
    types = []
    types[:] = [ctypes.c_int, ctypes.c_int, ctypes.c_int]

    class ClearsTypes(ctypes.c_int):
        def __init__(self, v):
            types.clear()
            gc.collect()
            ctypes.c_int.__init__(self, 0)

    keep = []

    class Escapes:
        """A 'type' whose instances are bytearrays it keeps, to resize later."""

        def __new__(cls, v):
            b = bytearray(8)
            keep.append(b)
            return b

    class ResizesLater:
        def __index__(self):
            for b in keep:
                b.extend(bytes(1 << 20))
            return 0

    params = [
        ("values shrink", lambda: ((victim, [ctypes.c_int] * 3))),
        ("types shrink", lambda: (([0, 0, 0], [ClearsTypes, ctypes.c_int, ctypes.c_int]))),
        ("fake handle", lambda: (([Fake()], [None]))),
        ("fake c_void_p", lambda: (([Fake()], [ctypes.c_void_p]))),
        ("escaping buffer", lambda: (([0, ResizesLater()], [Escapes, ctypes.c_int]))),
        ("lying lists", lambda: ((LyingList([0]), LyingList([ctypes.c_int])))),
        ("pair shrinks", lambda: hostile_lists_shrink(2)),
    ]
    for label, make in params:
        case("cuLaunchKernel(kernelParams=%s)" % label,
             lambda: driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, make(), 0))
        case("cudaLaunchKernel(args=%s)" % label,
             lambda: runtime.cudaLaunchKernel(0, runtime.dim3(), runtime.dim3(), make(), 0, 0))
    for label, bad in HOSTILE_SCALARS:
        case("cuLaunchKernel(extra=%s)" % label, lambda: driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, None, bad))
    cfg = driver.CUDA_KERNEL_NODE_PARAMS()
    for label, make in params:
        case("CUDA_KERNEL_NODE_PARAMS.kernelParams = %s" % label, lambda: setattr(cfg, "kernelParams", make()))


def group_handles():
    """Objects passing for handles; handles destroyed by a later argument."""
    for mod, name, func in functions():
        params = params_of(func)
        for i, (pname, ptype) in enumerate(params):
            args = [neutral(t) for _, t in params]
            args[i] = Fake()
            case("%s.%s(%s=Fake)" % (mod.__name__, name, pname), lambda: func(*args))
    src = b'extern "C" __global__ void k(int *p) { *p = 1; }'

    def program():
        err, p = nvrtc.nvrtcCreateProgram(src, b"k.cu", 0, [], [])
        return p

    class Destroys:
        def __init__(self, p):
            self.p = p

        def __index__(self):
            nvrtc.nvrtcDestroyProgram(self.p)
            return 0

    class DestroyingOptions(list):
        def __init__(self, p):
            super().__init__()
            self.p = p

        def __iter__(self):
            nvrtc.nvrtcDestroyProgram(self.p)
            return iter([])

    def invalid(r):
        return None if r[0] == nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_PROGRAM else "a destroyed program: %r" % (r,)

    p = program()
    case("nvrtcCompileProgram(p, destroys p, [])", lambda: nvrtc.nvrtcCompileProgram(p, Destroys(p), []), invalid)
    p = program()
    case("nvrtcCompileProgram(p, 0, options destroy p)",
         lambda: nvrtc.nvrtcCompileProgram(p, 0, DestroyingOptions(p)), invalid)
    p = program()
    case("nvrtcAddNameExpression after destroy", lambda: (nvrtc.nvrtcDestroyProgram(p), nvrtc.nvrtcAddNameExpression(p, b"k"))[1],
         invalid)
    p = program()
    nvrtc.nvrtcCompileProgram(p, 0, [])
    case("nvrtcGetPTX(p, 1)", lambda: nvrtc.nvrtcGetPTX(p, 1))
    case("nvrtcGetPTX(p, None)", lambda: nvrtc.nvrtcGetPTX(p, None))
    case("nvrtcGetProgramLog(p, b' ') keeps b' '",
         lambda: nvrtc.nvrtcGetProgramLog(p, b" " * 1), lambda r: None if b" " != b"\0" else "b' ' corrupted")
    case("nvrtcGetProgramLog(p, b'') keeps b''",
         lambda: nvrtc.nvrtcGetProgramLog(p, b""), lambda r: None if len(b"") == 0 else "b'' corrupted")
    ba = bytearray(1 << 16)

    class Resizes:
        def __index__(self):
            ba.extend(bytes(1 << 20))   # refused while the call holds ba's memory
            return 8

    case("cuMemcpyHtoD(0, ba, resizes ba)", lambda: driver.cuMemcpyHtoD(0, ba, Resizes()))
    case("cudaMemcpy(ba, 0, resizes ba)", lambda: runtime.cudaMemcpy(ba, 0, Resizes(), 0))
    strided = memoryview(bytearray(16))[::2]   # its first byte's address would pass for all of it

    def refused(r):
        return "a non-contiguous buffer was taken: %r" % (r,)
    case("cuLinkCreate(optionValues=[strided])", lambda: driver.cuLinkCreate(1, [0], [strided]), refused)
    case("cuLaunchKernel(kernelParams=strided)",
         lambda: driver.cuLaunchKernel(0, 1, 1, 1, 1, 1, 1, 0, 0, strided, 0), refused)
    attr = driver.CUlaunchAttribute()
    case("accessPolicyWindow.base_ptr = Fake", lambda: setattr(attr.value.accessPolicyWindow, "base_ptr", Fake()))


def group_values():
    """Values that do not fit their C type: OverflowError, never truncated."""
    for mod in (driver, runtime, nvrtc):
        for name in sorted(dir(mod)):
            cls = getattr(mod, name)
            if not (isinstance(cls, type) and hasattr(cls, "getPtr") and hasattr(cls, "__int__")):
                continue
            for v in (2 ** 32 + 5, 2 ** 32, -(2 ** 31) - 1, -1, 2 ** 64, 2 ** 64 - 1, -(2 ** 63) - 1, BigInt(3)):
                def check(h, v=v):
                    return None if int(h) == int(v) else "%s(%d) holds %d" % (name, v, int(h))
                case("%s(%d)" % (name, v), lambda: cls(v), check)
                case("%s(init_value=%d)" % (name, v), lambda: cls(init_value=v), check)
    for name in ("long1", "ulong1", "longlong1", "ulonglong1", "short2", "char1", "uchar1"):
        cls = getattr(runtime, name, None)
        if cls is None:
            continue
        for v in (5, -5, 2 ** 63, 2 ** 64):
            def check(_, v=v, cls=cls):
                o = cls()
                o.x = v
                return None if o.x == v else "%s.x = %d reads %r" % (cls.__name__, v, o.x)
            case("%s.x = %d" % (name, v), lambda: check(None), lambda why: why)
    for mod in MODULES:
        for bad in (3.5, None, b"name", 7):
            case("%s.__getattr__(%r)" % (mod.__name__, bad), lambda: mod.__getattr__(bad))


def group_struct_memory():
    """What a struct points to stays alive: a failed array set, a wrapper of
    foreign memory, views of arrays we allocated."""
    def pitch_kept():
        f = driver.CUeglFrame().frame
        a, b, c = bytearray(b"A" * 64), bytearray(b"B" * 64), bytearray(b"C" * 64)
        f.pPitch = [a, b, c]
        addrs = list(f.pPitch)
        del a, b, c
        try:
            f.pPitch = [bytearray(64), bytearray(64), "bad"]
        except TypeError:
            pass
        gc.collect()
        junk = [bytearray(b"x" * 64) for _ in range(2000)]
        got = [ctypes.string_at(p, 64) for p in f.pPitch]
        del junk
        if list(f.pPitch) != addrs or got != [b"A" * 64, b"B" * 64, b"C" * 64]:
            return "a failed set let go of what the struct points to"
    case("failed pPitch set keeps the old targets", pitch_kept, lambda why: why)

    def foreign_kept():
        outer = driver.CUlaunchConfig()
        inner = driver.CUlaunchConfig(_ptr=outer.getPtr())
        attrs = [driver.CUlaunchAttribute() for _ in range(4)]
        for i, a in enumerate(attrs):
            a.id = i + 1
        inner.attrs = attrs
        inner.numAttrs = len(attrs)   # the count is the caller's to set, as on NVIDIA's
        del inner, attrs, a
        gc.collect()
        junk = [bytearray(b"\xff" * n) for n in range(16, 1024, 8) for _ in range(8)]
        ids = [int(a.id) for a in outer.attrs]
        del junk
        if ids != [1, 2, 3, 4]:
            return "outer's attrs read %r after the wrapper went" % ids
    case("a wrapper of foreign memory keeps what it set", foreign_kept, lambda why: why)

    def backing_not_resizable():
        c = driver.CUlaunchConfig()
        c.attrs = [driver.CUlaunchAttribute()]
        backing = ctypes.c_void_p.from_address(c.getPtr() + 40).value   # attrs: after 7 uints and hStream
        seen, todo = set(), [c]
        while todo:
            o = todo.pop()
            if id(o) in seen:
                continue
            seen.add(id(o))
            if isinstance(o, bytearray):
                view = ctypes.c_char.from_buffer(o)
                at = ctypes.addressof(view)
                del view
                if at == backing:
                    return "the array behind c.attrs is a bytearray that user code can resize"
            todo.extend(gc.get_referents(o))
        c.attrs[0].value.accessPolicyWindow.num_bytes = 5   # an item read is a copy, as on NVIDIA's
        if c.attrs[0].value.accessPolicyWindow.num_bytes != 0:
            return "an item read from a list field is not a copy"
    case("backing storage cannot be resized", backing_not_resizable, lambda why: why)

    def logs_room():
        for f in (driver.cuLogsDumpToMemory, runtime.cudaLogsDumpToMemory):
            try:
                f(None, b" " * 4, 100, 0)
            except ValueError:
                continue
            except Exception as e:   # the library was reached (or looked for) first
                return "%s took a 4-byte buffer for 100 (%s)" % (f.__name__, type(e).__name__)
            return "%s took a 4-byte buffer for 100" % f.__name__
    case("the logs dumps check the buffer", logs_room, lambda why: why)

    def setting_again_keeps_nothing_more():
        import tracemalloc
        c = driver.CUlaunchConfig()
        c.attrs = [driver.CUlaunchAttribute()]
        el, ba = c.attrs[0], bytearray(64)
        tracemalloc.start()
        for _ in range(1000):
            el.value.accessPolicyWindow.base_ptr = ba
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10000):
            el.value.accessPolicyWindow.base_ptr = ba
        grew = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        if grew > 10000:
            return "10000 sets of one pointer field kept %d bytes more" % grew
    case("setting a pointer in an element view again keeps nothing more", setting_again_keeps_nothing_more,
         lambda why: why)


def group_leaks():
    """Leak loops over every argument kind: every function called with
    neutral arguments and with each parameter in turn given a list that
    empties itself or a raising object, and every field of every struct
    class read and written back (views included).  After two warm-up rounds
    (classes and caches made on first use), three more may not grow the
    Python heap."""
    import tracemalloc
    calls = []
    for mod, name, func in functions():
        params = params_of(func)
        calls.append(lambda func=func, params=params: func(*[neutral(t) for _, t in params]))
        for i, (_, ptype) in enumerate(params):
            def bad_call(func=func, params=params, i=i, listy=ptype.startswith("list[")):
                args = [neutral(t) for _, t in params]
                args[i] = hostile_lists_shrink(3) if listy else Raises()
                return func(*args)
            calls.append(bad_call)
    for mod, name, cls in struct_classes():
        def round_trip(cls=cls):
            obj = cls()
            for f in fields(obj):
                v = getattr(obj, f)
                try:
                    setattr(obj, f, v)
                except Exception:
                    pass
                if hasattr(v, "getPtr") and not hasattr(v, "__int__"):
                    for g in fields(v):
                        getattr(v, g)
        calls.append(round_trip)

    def one_round():
        for fn in calls:
            try:
                fn()
            except Exception:
                pass

    one_round()
    one_round()
    gc.collect()
    tracemalloc.start()
    one_round()
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(3):
        one_round()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    case("%d calls, 3 rounds: heap %+d B" % (len(calls), grown), lambda: grown,
         lambda g: None if g < 64 * 1024 else "the heap grew by %d bytes over 3 rounds of %d calls" % (g, len(calls)))


GROUPS = {
    "sequences": group_sequences,
    "scalars": group_scalars,
    "struct_setters": group_struct_setters,
    "kernel_args": group_kernel_args,
    "handles": group_handles,
    "values": group_values,
    "struct_memory": group_struct_memory,
    "leaks": group_leaks,
}

if __name__ == "__main__":
    group = sys.argv[1]
    # in a folder of its own: calls given the string "x" write files there
    # (nvrtcInstallBundledHeaders installs its headers into ./x)
    work = tempfile.mkdtemp(prefix="cb-adversarial-")
    os.chdir(work)
    try:
        GROUPS[group]()
        gc.collect()
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    for why in UNEXPECTED:
        print("UNEXPECTED", why)
    print("%s: %d cases, %d unexpected" % (group, CASES, len(UNEXPECTED)), flush=True)
    sys.exit(1 if UNEXPECTED else 0)
