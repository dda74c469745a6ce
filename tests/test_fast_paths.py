"""The fast paths of issue 6 behave as the general ones: handle construction,
result tuples kept for reuse, classes made on first use, simple ctypes
kernel arguments packed in C, small ints read inline."""
import ctypes
import gc

import pytest
from helpers import header_dir, load_gen, nvrtc_ptx, run_python

from cuda.bindings import driver, nvrtc, runtime

# -- handle construction (vectorcall for the common calls) ------------------


@pytest.mark.parametrize("make, value", [
    (lambda: driver.CUstream(), 0),
    (lambda: driver.CUstream(1.5), 1),   # as NVIDIA's: anything with __int__
    (lambda: driver.CUstream(0x1234), 0x1234),
    (lambda: driver.CUstream(init_value=0x1234), 0x1234),
    (lambda: driver.CUstream(True), 1),
    (lambda: driver.CUdevice(-1), -1),
    (lambda: driver.CUdeviceptr(2 ** 64 - 1), 2 ** 64 - 1),
    (lambda: driver.cuuint32_t(2 ** 32 - 1), 2 ** 32 - 1),
    (lambda: driver.CUstream(driver.CUstream(7)), 7),  # __int__
])
def test_handle_construction_forms(make, value):
    h = make()
    assert int(h) == value
    assert h.getPtr() != 0


@pytest.mark.parametrize("args, kwargs, exc", [
    ((None,), {}, TypeError),   # as NVIDIA's: init_value is an integer
    (("7",), {}, TypeError),
    ((2 ** 64,), {}, OverflowError),
    ((-2 ** 63 - 1,), {}, OverflowError),
    ((1, 2, 3), {}, TypeError),
    ((), {"bogus": 1}, TypeError),
])
def test_handle_construction_refuses_bad_values(args, kwargs, exc):
    with pytest.raises(exc):
        driver.CUstream(*args, **kwargs)


def test_handle_subclass_uses_the_generic_constructor():
    class MyStream(driver.CUstream):
        def __init__(self, value, tag):
            super().__init__(value)
            self.tag = tag

    s = MyStream(9, tag="x")
    assert int(s) == 9 and s.tag == "x" and isinstance(s, driver.CUstream)
    del s
    gc.collect()
    # plain instances made after a subclass instance died are sound
    assert [int(driver.CUstream(i)) for i in range(100)] == list(range(100))


def test_handles_freed_and_remade_keep_their_values():
    kept = [driver.CUstream(i) for i in range(200)]   # more than the freelist holds
    del kept[::2]
    again = [driver.CUevent(1000 + i) for i in range(200)]
    assert [int(h) for h in kept] == list(range(1, 200, 2))
    assert [int(h) for h in again] == [1000 + i for i in range(200)]
    assert all(type(h) is driver.CUevent for h in again)


# -- result tuples ----------------------------------------------------------


def test_result_tuples_held_by_the_caller_are_never_reused():
    a = nvrtc.nvrtcVersion()
    b = nvrtc.nvrtcVersion()
    assert a == b and a is not b and len(a) == 3
    kept = [nvrtc.nvrtcVersion() for _ in range(5)]
    assert len({id(t) for t in kept}) == 5 and all(t == a for t in kept)


def test_result_items_outlive_the_tuple():
    err, prog = nvrtc.nvrtcCreateProgram(b"__global__ void k() {}", b"k.cu", 0, [], [])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    value = int(prog)
    for _ in range(3):   # more 2-tuples: the one that held prog is refilled
        err2, text = nvrtc.nvrtcGetErrorString(nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION)
    assert int(prog) == value and text == b"NVRTC_ERROR_COMPILATION"
    assert nvrtc.nvrtcDestroyProgram(prog) == (nvrtc.nvrtcResult.NVRTC_SUCCESS,)


def test_result_tuples_of_failed_calls_have_none_outputs():
    bad = nvrtc.nvrtcProgram(0)
    for _ in range(3):
        assert nvrtc.nvrtcGetPTXSize(bad) == (nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_PROGRAM, None)


def test_reused_tuples_are_tracked_by_the_collector():
    t = nvrtc.nvrtcVersion()
    del t
    gc.collect()   # may untrack a tuple of plain values
    t = nvrtc.nvrtcVersion()
    assert gc.is_tracked(t) or all(not gc.is_tracked(x) for x in t)


def test_int_results_small_and_large_are_right():
    # ints 0..255 come from a table, larger ones from the interpreter
    err, count = nvrtc.nvrtcGetNumSupportedArchs()
    err, archs = nvrtc.nvrtcGetSupportedArchs()
    assert type(count) is int and 0 < count == len(archs) < 256
    ptx, size = nvrtc_ptx(b'extern "C" __global__ void k(int *p) { p[0] = 1; }')
    assert type(size) is int and size > 256 and size == len(ptx) + 1


def test_a_module_imported_again_and_the_old_one_both_work():
    # the module state of the last module set up is found by a compare;
    # an older module object of the same extension must still find its own
    code = """
import sys, importlib
import cuda.bindings.nvrtc as old
del sys.modules['cuda.bindings.nvrtc']
new = importlib.import_module('cuda.bindings.nvrtc')
assert new is not old
for m in (old, new, old, new):
    err, major, minor = m.nvrtcVersion()
    assert err is m.nvrtcResult.NVRTC_SUCCESS and major >= 12, (m, err)
    assert m.nvrtcGetErrorString(m.nvrtcResult.NVRTC_ERROR_INVALID_INPUT)[1] == b'NVRTC_ERROR_INVALID_INPUT'
del new, m
sys.modules.pop('cuda.bindings.nvrtc')
import gc; gc.collect()   # the newer module freed: the old one goes on
err, major, minor = old.nvrtcVersion()
assert err is old.nvrtcResult.NVRTC_SUCCESS
print('OK')
"""
    r = run_python(code)
    assert r.stdout.strip() == "OK", r.stdout + r.stderr


# -- classes made on first use ----------------------------------------------


def test_classes_made_on_first_use_in_a_fresh_process():
    code = """
import cuda.bindings.runtime as r          # the runtime first: its twins import the driver
import cuda.bindings.driver as d
assert r.cudaStream_t.__mro__[1] is d.CUstream
assert 'CUDA_MEMCPY3D' in dir(d) and 'cudaDeviceProp' in dir(r) and 'CUresult' in dir(d)
assert d.CUDA_MEMCPY3D is d.CUDA_MEMCPY3D and d.sizeof(d.CUDA_MEMCPY3D) > 0
assert isinstance(r.cudaDeviceProp().name, bytes)
try:
    d.no_such_name
except AttributeError as e:
    assert 'no_such_name' in str(e)
ns = {}
exec('from cuda.bindings.driver import *', ns)
assert ns['CUstream'] is d.CUstream and ns['CUresult'] is d.CUresult and 'CUDA_MEMCPY2D' in ns
assert not any(k.startswith('_') for k in ns if k != '__builtins__')
print('OK')
"""
    r = run_python(code)
    assert r.stdout.strip() == "OK", r.stdout + r.stderr


def test_sizeof_makes_no_class_it_is_not_asked_about():
    code = """
import cuda.bindings.driver as d
made = lambda: {k for k, v in vars(d).items() if isinstance(v, type)}
before = made()
assert d.sizeof(d.CUresult) == 4 and d.sizeof(d.CUdeviceptr) == 8 and d.sizeof(d.CUDA_MEMCPY2D) == 128
asked = {d.CUresult, d.CUdeviceptr, d.CUDA_MEMCPY2D}   # and their bases (CUDA_MEMCPY2D_v2, _st)
assert {getattr(d, k) for k in made() - before} == {b for c in asked for b in c.__mro__
                                                    if vars(d).get(b.__name__) is b}, made() - before
print('OK')
"""
    r = run_python(code)
    assert r.stdout.strip() == "OK", r.stdout + r.stderr


# -- simple ctypes kernel arguments ------------------------------------------


# NVIDIA's rules, which tests/differential/kernel_cases.py compares in full:
# signed types but c_short are range-checked, c_short and the unsigned ones
# keep the low bits of any int.
@pytest.mark.parametrize("value, ctype, exc", [
    (2 ** 40, ctypes.c_int, OverflowError),
    (-2 ** 31 - 1, ctypes.c_int, OverflowError),
    (2 ** 31, ctypes.c_int, OverflowError),
    (128, ctypes.c_byte, OverflowError),
    (2 ** 63, ctypes.c_long, OverflowError),
    (None, ctypes.c_void_p, TypeError),
    (1.5, ctypes.c_int, TypeError),
    ("x", ctypes.c_float, TypeError),
    (None, ctypes.c_double, TypeError),
    (1.5, ctypes.c_void_p, TypeError),
    (object(), ctypes.c_size_t, TypeError),
])
def test_simple_ctypes_kernel_arguments_are_checked(value, ctype, exc):
    with pytest.raises(exc):
        driver.cuLaunchKernel(driver.CUfunction(), 1, 1, 1, 1, 1, 1, 0, None, ((value,), (ctype,)), 0)


@pytest.mark.parametrize("value, ctype", [
    (2 ** 64 - 1, ctypes.c_ulonglong), (-1, ctypes.c_ulonglong), (1000, ctypes.c_ulonglong),
    (-2 ** 63, ctypes.c_longlong), (2 ** 70, ctypes.c_short), (256, ctypes.c_uint8),
    (-1, ctypes.c_uint), (-128, ctypes.c_byte), (True, ctypes.c_bool),
    (0, ctypes.c_void_p), (1, ctypes.c_double), (2.5, ctypes.c_float),
])
def test_simple_ctypes_kernel_arguments_that_fit_the_bits_are_taken(value, ctype):
    """As NVIDIA's packs them: in range, or cut to the type's bits."""
    try:
        r = driver.cuLaunchKernel(driver.CUfunction(), 1, 1, 1, 1, 1, 1, 0, None, ((value,), (ctype,)), 0)
    except RuntimeError as e:   # no driver here: the call got past the packing
        assert "cuLaunchKernel" in str(e)
    else:
        assert r[0] != driver.CUresult.CUDA_SUCCESS   # a null function


def test_user_ctypes_subclasses_are_not_kernel_argument_types():
    class Traced(ctypes.c_int):
        def __init__(self, v):
            raise AssertionError("never made: NVIDIA's packs only ctypes' own simple types")

    with pytest.raises(TypeError, match="unsupported type"):
        driver.cuLaunchKernel(driver.CUfunction(), 1, 1, 1, 1, 1, 1, 0, None, ((5,), (Traced,)), 0)


# -- small ints read inline ---------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2 ** 30 - 1, 2 ** 30, 2 ** 40, 2 ** 63, 2 ** 64 - 1])
def test_ints_of_every_width_reach_the_call(value):
    # cuuint64_t holds all of them; the fast path and the general one agree
    assert int(driver.cuuint64_t(value)) == value
    params = driver.CUDA_ARRAY_DESCRIPTOR()
    params.Width = value
    assert params.Width == value


def test_int_range_errors_from_the_fast_path():
    with pytest.raises(OverflowError):
        driver.cuDeviceGetAttribute(driver.CUdevice_attribute(1), 2 ** 31)
    with pytest.raises(OverflowError):
        driver.cuLaunchKernel(driver.CUfunction(), -1, 1, 1, 1, 1, 1, 0, None, None, 0)
    with pytest.raises(TypeError):   # no __int__: refused, as by NVIDIA's
        driver.cuLaunchKernel(driver.CUfunction(), "1", 1, 1, 1, 1, 1, 0, None, None, 0)


# -- the GIL -----------------------------------------------------------------


def test_calls_that_keep_the_gil_exist():
    gen = load_gen()
    from gen import overrides
    from gen.load import load_model
    names = set()
    for lib in ("nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "driver", "runtime"):
        names |= {b.name for b in load_model(lib, header_dir(lib)).bindings}
    assert overrides.KEEP_GIL <= names, sorted(overrides.KEEP_GIL - names)
    assert gen is not None


def test_int_subclasses_take_the_general_path():
    class MyInt(int):
        pass
    assert int(driver.CUstream(MyInt(5))) == 5
    assert runtime.cudaGetErrorString(MyInt(1))[0] == runtime.cudaError_t.cudaSuccess


def test_library_strings_kept_for_reuse_stay_right():
    texts = {}
    for _ in range(3):
        for r in nvrtc.nvrtcResult:
            err, text = nvrtc.nvrtcGetErrorString(r)
            assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
            assert texts.setdefault(r, text) == text and text.startswith(b"NVRTC_")
    assert len(set(texts.values())) == len(texts)


def test_handle_classes_are_immutable_and_subclassable():
    with pytest.raises(TypeError):
        driver.CUstream.extra = 1

    class Mine(driver.CUstream):
        pass
    Mine.extra = 1
    assert int(Mine(3)) == 3 and Mine.extra == 1
