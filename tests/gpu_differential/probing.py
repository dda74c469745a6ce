"""What the differential probes print: values as both packages give them
the same way (addresses as zero or not), and each call's result or the
type of what it raised."""
import enum


def render(x):
    if isinstance(x, enum.Enum) or hasattr(type(x), "__members__"):
        return repr(x)
    if x is None or type(x) in (bool, float, bytes, str):
        return "%s:%r" % (type(x).__name__, x)
    if type(x) is int:
        return "int:%d" % x if abs(x) < 1 << 20 else "int:big"   # big ints are addresses
    if isinstance(x, (list, tuple)):
        return "%s[%s]" % (type(x).__name__, ", ".join(render(i) for i in x))
    if hasattr(x, "getPtr") and hasattr(x, "__int__"):
        return "<%s %s>" % (type(x).__name__, "nonzero" if int(x) else "0")
    return "<%s>" % type(x).__name__


def show(label, f, *a, **k):
    try:
        r = f(*a, **k)
        print(label, "->", render(r))
        return r
    except BaseException as e:
        print(label, "RAISES", type(e).__name__)
        return None


def value(r):
    """The one output of a (status, output) result, or None."""
    return r[1] if isinstance(r, tuple) and len(r) == 2 else None
