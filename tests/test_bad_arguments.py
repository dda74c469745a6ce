"""Every parameter of every function, given bad values, raises an ordinary
Python exception (TypeError, ValueError, OverflowError, and AttributeError
where NVIDIA's raises it) naming the function: never a crash, never
SystemError, never a silent call.  What is bad is what NVIDIA's package
refuses (tests/differential compares the two on every function): an integer
takes anything with __int__, floats too, but not an object with only
__index__; an enum takes whatever int() takes; a handle takes any handle
object.  Ours also refuses a float as an address (NVIDIA's takes address 1).

The parameter list and accepted types are read from each function's
generated docstring, so a new function is covered without editing this file.
"""
import os

import pytest

from cuda.bindings import driver, nvfatbin, nvjitlink, nvrtc, nvvm, runtime
from helpers import ROOT, params_of, public_functions as functions_of

MODULES = [nvrtc, nvjitlink, nvvm, nvfatbin, driver, runtime]
EXPECTED = (TypeError, ValueError, OverflowError, AttributeError)
HUGE = [2 ** 64, -(2 ** 64), 2 ** 200]


class IndexOnly:
    """Not an integer to NVIDIA's (Cython's) conversion: no __int__."""
    def __index__(self):
        return 1


NOT_NUMBERS = [float("nan"), "1", b"1", object(), [1], IndexOnly()]


def good_value(mod, ptype):
    """A value of the right type for a parameter (the call is never made with it alone)."""
    if ptype == "object" or ptype.startswith("tuple["):
        return None
    if ptype.startswith("list[") or ptype.endswith("| None") and not ptype.startswith(("bytes", "str")) \
            and "| int | None" not in ptype:
        return None  # an empty array (its count is 0), a NULL struct, no kernel arguments
    if ptype == "float":
        return 0.0
    if ptype.startswith("bytearray"):
        return bytearray(16)
    if ptype.startswith("bytes | bytearray"):
        return b"x"
    if ptype in ("int | None",) or ptype.endswith("| None") and "bytes" in ptype:
        return None
    if ptype.startswith("str"):
        return "x"
    if ptype == "bytes":
        return b"x"
    if "| int | None" in ptype and not ptype.startswith("Callable"):
        return getattr(mod, ptype.split(" ")[0])()
    return 0


PYTHONIC = {nvjitlink, nvvm, nvfatbin}
PYTHONIC_HANDLES = ("handle", "prog")   # their handle parameters, plain ints there


def bad_values(mod, ptype, pname=""):
    if mod in PYTHONIC and pname in PYTHONIC_HANDLES:
        # a tuple-style module's handle: its int() is a pointer of another library
        return NOT_NUMBERS + HUGE + [1.5, None, -1, driver.CUstream(1), nvrtc.nvrtcProgram(1)]
    if ptype == "object":  # callback user data: with a C function it is an address or buffer
        return [1.5, "1", object(), [1]] + HUGE
    if ptype == "float":
        return ["1", b"1", object(), [1], None, 1j]
    if ptype.startswith("tuple[Sequence"):  # kernel arguments
        return [1.5, "x", object(), (1, 2, 3), ([1], [None, None]), ([1], [5]), ([object()], [None]),
                ([1.5], [None]), ([2 ** 70], [None])]
    if ptype == "int | None":  # the length of an array the call fills
        return ["x", b"x", object(), -1, 2 ** 64, [1], IndexOnly()]
    if ptype.endswith("| None") and "| int" not in ptype and isinstance(getattr(mod, ptype.split(" ")[0], None), type):
        # a struct
        return [1, 1.5, "x", b"x", object(), [1], driver.CUdevice()]
    if ptype.startswith("Iterable["):   # any iterable of ints, or None
        return [5, 1.5, object(), ["x"], [None]]
    if ptype.startswith("list["):
        # option values (addresses) are read only up to their count
        typed = not ptype.startswith(("list[object]", "list[Any]", "list[int | None]")) and \
            not pname.endswith("Values")
        bad = [5, 1.5, "abc", b"abc", object()] + ([[None], [1.5]] if typed else [])
        # an int is the address of an array, a str its characters, where the type says so (and
        # in option values, as NVIDIA's iterates them)
        return [v for v in bad if not (v == 5 and "| int" in ptype or
                                       v == "abc" and ("| str" in ptype or pname.endswith("Values")))]
    if ptype.startswith(("bytearray", "bytes | bytearray")):   # None: NULL where the type says so
        return [v for v in [1.5, "x", None, object(), -1, 2 ** 64, [1]] if v is not None or "None" not in ptype]
    if ptype.startswith(("bytes", "str")):
        bad = [1, 1.5, object(), b"a\0b", [b"a"]]
        if "None" not in ptype:
            bad.append(None)
        if not ptype.startswith("str"):
            bad.append("text")
        return bad
    if "| int | None" in ptype or ptype == "int | None":   # a handle (a float: see test_fast_paths)
        return ["x", b"x", object(), -1, 2 ** 64, [1], IndexOnly()]
    if ptype.endswith(" | int"):   # an enum: whatever int() takes
        return ["x", object(), [1], None] + HUGE
    return NOT_NUMBERS + HUGE + [None]


def signed_handle(mod, ptype):
    cls = getattr(mod, ptype.split(" ")[0], None)
    if not (isinstance(cls, type) and "| int | None" in ptype):
        return False
    try:
        return int(cls(-1)) == -1
    except OverflowError:   # an unsigned or pointer handle: -1 does not fit
        return False


CASES = []
for _mod, _name, _func in functions_of(MODULES):
    _params = params_of(_func)
    for _i, (_pname, _ptype) in enumerate(_params):
        for _j, _bad in enumerate(bad_values(_mod, _ptype, _pname)):
            if _bad == -1 and signed_handle(_mod, _ptype):
                continue  # -1 is a value of a signed handle (CU_DEVICE_CPU)
            CASES.append(pytest.param(_mod, _func, _params, _i, _bad, id="%s-%s-%d" % (_name, _pname, _j)))


@pytest.mark.parametrize("mod, func, params, index, bad", CASES)
def test_bad_value_raises(mod, func, params, index, bad):
    args = [good_value(mod, t) for _, t in params]
    args[index] = bad
    with pytest.raises(EXPECTED) as exc:
        func(*args)
    assert func.__name__ in str(exc.value) or exc.type is not TypeError or "item" in str(exc.value)


ARITY = [pytest.param(f, params_of(f), id=n) for _, n, f in functions_of(MODULES)]


@pytest.mark.parametrize("func, params", ARITY)
def test_wrong_arity_and_keywords(func, params):
    with pytest.raises(TypeError, match="positional"):
        func(*([0] * (len(params) + 1)))
    if params:
        with pytest.raises(TypeError, match="missing required argument"):
            func()
    with pytest.raises(TypeError, match="unexpected keyword"):
        func(no_such_parameter=1)


def test_hostile_calls_are_many_and_cover_every_module():
    per_module = {}
    for case in CASES:
        per_module[case.values[0].__name__] = per_module.get(case.values[0].__name__, 0) + 1
    assert set(per_module) == {m.__name__ for m in MODULES}
    assert len(CASES) + 3 * len(ARITY) > 15000, (len(CASES), len(ARITY))


def test_every_function_is_covered():
    """As many NVRTC and nvJitLink functions as the reference's capsules (one each)."""
    import json
    with open(os.path.join(ROOT, "gen", "data", "cython_capi.json")) as f:
        ref = json.load(f)
    want = len(ref["cuda.bindings.cynvrtc"]) + len(ref["cuda.bindings.cynvjitlink"])
    assert len([n for m, n, _ in functions_of(MODULES) if m in (nvrtc, nvjitlink)]) == want
    assert len([n for m, n, _ in functions_of(MODULES) if m is nvvm]) >= 13
    assert len([n for m, n, _ in functions_of(MODULES) if m is nvfatbin]) >= 11
    assert len([n for m, n, _ in functions_of(MODULES) if m is driver]) >= 450
    assert len([n for m, n, _ in functions_of(MODULES) if m is runtime]) >= 330
    assert all(params_of(f) or not f.__text_signature__.count(",") for _, _, f in functions_of(MODULES))
