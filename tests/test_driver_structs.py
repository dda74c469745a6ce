"""Struct and union classes of cuda.bindings.driver (csrc/cb_struct_*.c over
tables from gen/emit_structs.py): every class made and shown, every field
kind read and written, views that share memory, pointer fields, repr, and
bad values raising clear exceptions.

No GPU is needed: the classes only read and write host memory.  The classes
and fields against the headers and the reference, and the integer, handle
and pointer fields and views that both modules' classes share, are
test_structs.py's.
"""
import ctypes
import gc
import sys
import weakref

import pytest

import helpers
from helpers import address, memcpy2d, pinned_device_prop

driver = pytest.importorskip("cuda.bindings.driver")

BAD = (TypeError, ValueError, OverflowError)
ALL = helpers.struct_classes(driver)


def is_nested_class(name):
    """A class of a struct declared inside another: made only over an address."""
    return name.startswith(("anon_struct", "anon_union")) or \
        name.startswith("CUstreamMemOp") and name.endswith("Params_st")


def test_every_class_constructs_reads_and_reprs():
    assert len(ALL) > 250
    mem = ctypes.create_string_buffer(4096)   # zeroed memory for the nested classes to view
    getset = type(driver.CUuuid_st.bytes)
    nested = 0
    for name in ALL:
        cls = getattr(driver, name)
        if is_nested_class(name):
            with pytest.raises(TypeError, match="takes exactly 1 positional argument"):
                cls()
            o = cls(ctypes.addressof(mem))
            assert o.getPtr() == ctypes.addressof(mem), name
            nested += 1
        else:
            o = cls()
            assert o.getPtr() != 0
        text = repr(o)
        assert str(o) == text
        if not any(isinstance(v, getset) and not k.startswith("_") for c in cls.__mro__ for k, v in vars(c).items()):
            assert text == "", name   # only reserved members (CUipcMemHandle): nothing shown
            continue
        assert isinstance(text, str) and " : " in text, name
        # no field failed to read, but an enum field holding 0 where 0 is no
        # member of the enum (CUDA_ARRAY_DESCRIPTOR.Format), which NVIDIA's
        # repr shows as <ValueError>
        assert "<" not in text.replace("<ValueError>", "").replace("<CU", "").replace("<cuuint", "") \
            .replace("<EGL", "").replace("<GL", "").replace("<Vdp", ""), (name, text)
    assert nested > 40


def test_alias_classes_are_subclasses_sharing_the_layout():
    assert driver.CUDA_MEMCPY2D.__mro__[1:3] == (driver.CUDA_MEMCPY2D_v2, driver.CUDA_MEMCPY2D_st)
    assert issubclass(driver.CUkernelNodeAttrValue, driver.CUlaunchAttributeValue_union)
    for alias, root in [(driver.CUDA_MEMCPY2D, driver.CUDA_MEMCPY2D_st), (driver.CUuuid, driver.CUuuid_st),
                        (driver.CUstreamAttrValue, driver.CUlaunchAttributeValue_union)]:
        assert alias.__basicsize__ == root.__basicsize__
    assert driver.CUDA_MEMCPY2D.__module__ == "cuda.bindings.driver"


def test_object_layout_is_what_the_pxd_declares():
    """PyObject_HEAD, the value at its C alignment, then _pvt_ptr, _owner,
    _keepalive: sizeof that C struct is the class's basicsize."""
    head = object.__basicsize__
    for cls, size, align in [(driver.CUuuid_st, 16, 1), (driver.CUDA_MEMCPY2D_st, 128, 8),
                             (driver.CUtensorMap_st, 128, 128), (driver.CUmemLocation_st, 8, 4)]:
        off = -(-head // align) * align
        tail = -(-(off + size) // 8) * 8
        assert cls.__basicsize__ == -(-(tail + 24) // max(align, 8)) * max(align, 8), cls
    u = driver.CUuuid()
    assert u.getPtr() == id(u) + head   # an owning object points at its own value


# --- integers, floats, enums ---------------------------------------------------

def test_reserved_members_are_not_public_fields():
    """NVIDIA's classes show no reserved members or struct padding."""
    assert not hasattr(driver.CUgraphNodeParams(), "reserved2")
    assert not hasattr(driver.CUgraphNodeParams(), "reserved0")
    assert not hasattr(driver.CUDA_ARRAY_MEMORY_REQUIREMENTS(), "reserved")
    assert not hasattr(driver.CUipcMemHandle(), "reserved")
    assert "reserved" not in repr(driver.CUDA_ARRAY_MEMORY_REQUIREMENTS())
    assert repr(driver.CUipcMemHandle()) == ""   # nothing but reserved bytes
    assert hasattr(driver.CUlaunchAttributeValue(), "pad")   # a union's pad stays


def test_float_fields():
    w = driver.CUaccessPolicyWindow()
    w.hitRatio = 0.5
    assert w.hitRatio == 0.5
    w.hitRatio = 1   # an int is a number
    assert w.hitRatio == 1.0
    w.hitRatio = float("inf")
    assert w.hitRatio == float("inf")
    with pytest.raises(OverflowError, match="hitRatio"):
        w.hitRatio = 2 ** 2000
    for v in (None, "0.5", [0.5]):
        with pytest.raises(TypeError, match="hitRatio"):
            w.hitRatio = v
    t = driver.CUDA_TEXTURE_DESC()
    t.borderColor = [1, 2.5, -3, 4]
    assert t.borderColor == [1.0, 2.5, -3.0, 4.0]
    # a double beyond a C float's range is stored as infinity, as a C cast
    # does (NVIDIA's: no error)
    w.hitRatio = 1e300
    assert w.hitRatio == float("inf")
    w.hitRatio = -1e300
    assert w.hitRatio == float("-inf")
    t.borderColor = [1e300, 0, 0, 0]
    assert t.borderColor == [float("inf"), 0.0, 0.0, 0.0]


def test_enum_fields():
    F = driver.CUarray_format
    d = driver.CUDA_ARRAY_DESCRIPTOR()
    with pytest.raises(ValueError, match="CUarray_format"):
        d.Format   # 0 is no CUarray_format
    assert "Format : <ValueError>" in repr(d).split("\n")
    d.Format = F.CU_AD_FORMAT_FLOAT
    assert d.Format is F.CU_AD_FORMAT_FLOAT
    d.Format = 0x10   # a plain int is taken
    assert d.Format is F.CU_AD_FORMAT_HALF
    for v in ("1", b"1", 1.5):   # int(v), as NVIDIA's
        d.Format = F.CU_AD_FORMAT_FLOAT
        d.Format = v
        assert d.Format is F.CU_AD_FORMAT_UNSIGNED_INT8
    with pytest.raises(TypeError, match="Format"):
        d.Format = None
    with pytest.raises(ValueError):
        d.Format = "CU_AD_FORMAT_FLOAT"   # int() refuses the name
    with pytest.raises(OverflowError, match="Format"):
        d.Format = 2 ** 32   # beyond the C enum's width
    assert d.Format is F.CU_AD_FORMAT_UNSIGNED_INT8   # a refused value changes nothing
    t = driver.CUDA_TEXTURE_DESC()
    t.addressMode = [driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP, 2, 0]
    assert t.addressMode == [driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP,
                             driver.CUaddress_mode.CU_TR_ADDRESS_MODE_MIRROR,
                             driver.CUaddress_mode.CU_TR_ADDRESS_MODE_WRAP]
    t.addressMode = "012"   # item by item, int() of each
    assert [int(m) for m in t.addressMode] == [0, 1, 2]
    with pytest.raises(IndexError, match="addressMode"):
        t.addressMode = [0, 0]
    with pytest.raises(TypeError):
        t.addressMode = 5
    # a value that is no member (newer than these headers) is stored as NVIDIA's
    # stores it, and reading it back raises ValueError
    d.Format = 12345
    assert ctypes.c_uint.from_address(d.getPtr() + 16).value == 12345
    with pytest.raises(ValueError, match="12345"):
        d.Format
    d.Format = -1   # the C enum is unsigned: -1 wraps
    assert ctypes.c_uint.from_address(d.getPtr() + 16).value == 0xFFFFFFFF
    t.addressMode = [0, 99, 0]
    assert [ctypes.c_uint.from_address(t.getPtr() + 4 * i).value for i in range(3)] == [0, 99, 0]


# --- handles -------------------------------------------------------------------

def test_handle_fields():
    class IntLike:
        def __int__(self):
            return 0x42
    p = driver.CUDA_LAUNCH_PARAMS()
    assert isinstance(p.hStream, driver.CUstream) and int(p.hStream) == 0
    p.hStream = driver.CUstream(0x1234)
    assert isinstance(p.hStream, driver.CUstream) and int(p.hStream) == 0x1234
    p.hStream = 0x99   # an int address
    assert int(p.hStream) == 0x99
    p.hStream = None
    assert int(p.hStream) == 0
    # anything with __int__ is taken, as NVIDIA's: another handle, a float, an IntLike
    for v, want in ((driver.CUevent(1), 1), (driver.CUdeviceptr(5), 5), (1.5, 1), (IntLike(), 0x42)):
        p.hStream = v
        assert isinstance(p.hStream, driver.CUstream) and int(p.hStream) == want
    for v in ("stream", b"1", object(), driver.CUuuid()):
        with pytest.raises(TypeError, match="hStream"):
            p.hStream = v
    with pytest.raises(OverflowError, match="hStream"):
        p.hStream = -1
    assert int(p.hStream) == 0x42   # a refused value changes nothing
    m = driver.CUDA_MEMSET_NODE_PARAMS()   # CUdeviceptr: an unsigned 64-bit handle
    m.dst = 2 ** 64 - 1
    assert isinstance(m.dst, driver.CUdeviceptr) and int(m.dst) == 2 ** 64 - 1
    m.dst = driver.CUdeviceptr(7)
    assert int(m.dst) == 7
    m.dst = driver.CUstream(3)
    assert isinstance(m.dst, driver.CUdeviceptr) and int(m.dst) == 3
    with pytest.raises(OverflowError, match="dst"):
        m.dst = 2 ** 64
    with pytest.raises(OverflowError, match="dst"):
        m.dst = -1


def test_a_field_handle_outliving_its_struct_keeps_the_last_value():
    """Where NVIDIA's view then reads freed memory, ours lets go of it first."""
    import gc
    m = driver.CUDA_MEMSET_NODE_PARAMS()
    m.dst = 0x1234
    h = m.dst
    del m
    gc.collect()
    junk = [driver.CUDA_MEMSET_NODE_PARAMS() for _ in range(100)]   # reuse the memory
    for j in junk:
        j.dst = 1
    assert int(h) == 0x1234 and repr(h) == "<CUdeviceptr 4660>"


# --- nested structs and unions: views ------------------------------------------

def test_nested_members_are_views_that_write_through():
    r = driver.CUDA_RESOURCE_DESC()
    lin = r.res.linear
    lin.devPtr = 0x1000
    lin.sizeInBytes = 4096
    assert int(r.res.linear.devPtr) == 0x1000 and r.res.linear.sizeInBytes == 4096
    # a union's members share memory
    assert int(r.res.pitch2D.devPtr) == 0x1000
    assert r.res.getPtr() == r.getPtr() + 8 and lin.getPtr() == r.res.getPtr()
    r2 = driver.CUDA_RESOURCE_DESC_v1()
    r2.res = r.res   # the same C type: bytes copied
    assert r2.res.linear.sizeInBytes == 4096
    r.res.linear.sizeInBytes = 1
    assert r2.res.linear.sizeInBytes == 4096
    with pytest.raises(TypeError, match="res"):
        r.res = r.res.linear
    with pytest.raises(TypeError, match="res"):
        r.res = None


def test_nested_typedef_members_take_the_declared_class():
    n = driver.CUDA_MEMCPY_NODE_PARAMS()
    assert type(n.copyParams) is driver.CUDA_MEMCPY3D
    c = type("C3", (driver.CUDA_MEMCPY3D,), {})()   # a subclass of the declared class
    c.Depth = 3
    n.copyParams = c
    assert n.copyParams.Depth == 3
    with pytest.raises(TypeError, match="copyParams"):
        n.copyParams = driver.CUDA_MEMCPY3D_PEER()
    # NVIDIA's takes instances of the declared class (CUDA_MEMCPY3D) only: its
    # base classes of the same C struct are refused
    with pytest.raises(TypeError, match="copyParams"):
        n.copyParams = driver.CUDA_MEMCPY3D_st()
    assert n.copyParams.Depth == 3


def test_anonymous_c11_members_are_fields_of_the_parent():
    with pytest.raises(TypeError, match="takes exactly 1 positional argument"):
        driver.CUstreamMemOpWaitValueParams_st()   # declared inside a union: a view only
    mem = ctypes.create_string_buffer(64)
    w = driver.CUstreamMemOpWaitValueParams_st(ctypes.addressof(mem))
    w.value64 = 2 ** 40 + 5
    assert int(w.value64) == 2 ** 40 + 5 and int(w.value) == 5   # one union: value is its low half
    assert ctypes.c_uint64.from_address(ctypes.addressof(mem) + 16).value == 2 ** 40 + 5
    b = driver.CUstreamBatchMemOpParams()
    b.waitValue.value64 = 2 ** 40 + 6
    assert type(b.waitValue) is driver.CUstreamMemOpWaitValueParams_st and int(b.waitValue.value) == 6
    assert not hasattr(driver, "anon_union0")


def test_union_class():
    v = driver.CUlaunchAttributeValue()
    v.clusterDim.x = 2
    v.clusterDim.y = 3
    assert v.cooperative == 2 and v.pad[:8] == b"\x02\0\0\0\x03\0\0\0"
    v.pad = bytes(64)
    assert v.clusterDim.x == 0


# --- fixed arrays and bytes -----------------------------------------------------

def test_fixed_arrays():
    r = driver.CUdevprop()   # int maxThreadsDim[3]
    assert r.maxThreadsDim == [0, 0, 0]
    r.maxThreadsDim = (1, 2, 2 ** 31 - 1)   # any iterable
    assert r.maxThreadsDim == [1, 2, 2 ** 31 - 1]
    r.maxGridSize = (x for x in (-2 ** 31, 5, 6))
    assert r.maxGridSize == [-2 ** 31, 5, 6]
    r.maxGridSize = b"123"   # bytes item by item
    assert r.maxGridSize == [49, 50, 51]
    with pytest.raises(IndexError, match="maxThreadsDim"):
        r.maxThreadsDim = [1, 2]
    with pytest.raises(IndexError, match="maxThreadsDim"):
        r.maxThreadsDim = [1, 2, 3, 4]
    for v in (5, None):
        with pytest.raises(TypeError):
            r.maxThreadsDim = v
    with pytest.raises(OverflowError, match="maxThreadsDim"):
        r.maxThreadsDim = [9, 9, 2 ** 31]
    for v in (["1", 2, 3], "123", [None, 2, 3]):
        with pytest.raises(TypeError):
            r.maxThreadsDim = v
    assert r.maxThreadsDim == [1, 2, 2 ** 31 - 1]   # nothing written on failure
    r.maxThreadsDim = [1.5, 2, 3]   # items convert as integer fields do
    assert r.maxThreadsDim == [1, 2, 3]
    assert not hasattr(driver.CUDA_ARRAY_MEMORY_REQUIREMENTS(), "reserved")
    t = driver.CUDA_TEXTURE_DESC()   # float borderColor[4]
    t.borderColor = (1, 2, 3, 4)
    assert t.borderColor == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(IndexError, match="borderColor"):
        t.borderColor = [1, 2, 3]
    with pytest.raises(TypeError):
        t.borderColor = ["1", 0, 0, 0]
    f = driver.CUeglFrame()   # an array of handles inside a union
    f.frame.pArray = [driver.CUarray(1), 2, driver.CUstream(3)]
    assert [int(a) for a in f.frame.pArray] == [1, 2, 3]
    assert all(type(a) is driver.CUarray for a in f.frame.pArray)
    assert f.frame.pPitch == [1, 2, 3]
    with pytest.raises(IndexError, match="pArray"):
        f.frame.pArray = [1, 2]
    for v in (5, None):
        with pytest.raises(TypeError):
            f.frame.pArray = v
    with pytest.raises(OverflowError):
        f.frame.pArray = [1, 2, 2 ** 64]
    f.frame.pPitch = [4, 5, 2 ** 64 - 1]   # void *pPitch[3]: ints
    assert f.frame.pPitch == [4, 5, 2 ** 64 - 1]
    f.frame.pPitch = [1, 2, 3]
    # NVIDIA's arrays in this union take a list only, of items with __int__:
    # None and buffers are refused, out of range is OverflowError
    with pytest.raises(TypeError):
        f.frame.pArray = [driver.CUarray(1), 2, None]
    with pytest.raises(TypeError):
        f.frame.pArray = (4, 5, 6)
    with pytest.raises(TypeError):
        f.frame.pPitch = (4, 5, 6)
    for bad in (None, bytearray(8)):
        with pytest.raises(TypeError):
            f.frame.pPitch = [1, 2, bad]
    with pytest.raises(OverflowError):
        f.frame.pPitch = [1, 2, -1]
    assert f.frame.pPitch == [1, 2, 3]


def test_char_arrays_are_bytes():
    u = driver.CUuuid()
    assert u.bytes == bytes(16) and type(u.bytes) is bytes
    with pytest.raises(AttributeError, match="bytes"):
        u.bytes = bytes(range(16))   # read-only, as NVIDIA's
    assert repr(u) == "bytes : " + "00" * 16
    v = driver.CUlaunchAttributeValue()   # char pad[64]
    assert v.pad == bytes(64)
    v.pad = bytes(range(64))
    assert v.pad == bytes(range(64)) and type(v.pad) is bytes
    v.pad = bytearray(b"x" * 64)
    assert v.pad == b"x" * 64
    v.pad = [-1] + [0] * 63   # a list of ints, either signedness of char
    assert v.pad[0] == 255
    v.pad = [255, -128] + [0] * 62
    assert v.pad[:2] == b"\xff\x80"
    for bad in (b"abc", "x"):   # the length is checked first
        with pytest.raises(ValueError, match="pad"):
            v.pad = bad
    for bad in ("x" * 64, None, 5):
        with pytest.raises(TypeError):
            v.pad = bad
    with pytest.raises(OverflowError, match="pad"):
        v.pad = [256] + [0] * 63
    with pytest.raises(OverflowError, match="pad"):
        v.pad = [-129] + [0] * 63
    assert v.pad[:2] == b"\xff\x80"   # nothing written on failure
    h = driver.CUmemFabricHandle()   # unsigned char data[64]
    assert h.data == bytes(64)
    h.data = b"\1" * 64
    assert h.data == b"\1" * 64
    h.data = [255] + [0] * 63
    assert h.data[0] == 255
    assert not hasattr(driver.CUipcMemHandle(), "reserved")
    with pytest.raises(OverflowError):
        h.data = [-1] + [0] * 63   # unsigned char: NVIDIA's refuses -1


# --- pointer fields -------------------------------------------------------------

def test_pointer_fields_take_ints_none_handles_and_buffers():
    class IntLike:
        def __int__(self):
            return 0x66
    c = driver.CUDA_MEMCPY2D()
    assert c.srcHost == 0 and type(c.srcHost) is int
    c.srcHost = 0x1234
    assert c.srcHost == 0x1234
    c.srcHost = None
    assert c.srcHost == 0
    c.srcHost = driver.CUdeviceptr(0x55)   # anything with __int__
    assert c.srcHost == 0x55
    c.srcHost = driver.CUstream(0x56)
    assert c.srcHost == 0x56
    c.srcHost = IntLike()
    assert c.srcHost == 0x66
    c.srcHost = 1.5
    assert c.srcHost == 1
    c.srcHost = 2 ** 64 - 1
    assert c.srcHost == 2 ** 64 - 1
    buf = bytearray(b"hello")
    c.srcHost = buf
    assert c.srcHost == address(buf)
    arr = (ctypes.c_char * 4)()
    c.dstHost = arr   # any buffer: its address
    assert c.dstHost == ctypes.addressof(arr)
    for v in (driver.CUuuid(), "hello", object()):   # a struct object is no buffer
        with pytest.raises(TypeError, match="srcHost"):
            c.srcHost = v
    for v in (-1, 2 ** 64):   # out of range: TypeError, as NVIDIA's
        with pytest.raises(TypeError, match="srcHost"):
            c.srcHost = v
    assert c.srcHost == address(buf)   # a refused value changes nothing
    c.srcHost = 0xABC
    assert "srcHost : 0xabc" in repr(c).split("\n")
    with pytest.raises(NotImplementedError):   # NVIDIA's fields raise NotImplementedError on del
        del c.srcHost


def test_pointer_to_pointer_fields_take_ints_only():
    """void **extra: an int address (through __int__); no buffers, no None."""
    p = driver.CUDA_KERNEL_NODE_PARAMS()
    p.extra = 0x10
    assert p.extra == 0x10 and type(p.extra) is int
    p.extra = driver.CUdeviceptr(3)
    assert p.extra == 3
    p.extra = 1.5
    assert p.extra == 1
    for v in (bytearray(16), None, "x"):
        with pytest.raises(TypeError, match="extra"):
            p.extra = v
    with pytest.raises(OverflowError, match="extra"):
        p.extra = -1
    assert p.extra == 1
    assert "extra : 1" in repr(p).split("\n")


def test_a_types_tuple_used_again_packs_each_call_values_as_the_first_time():
    """The codes of a types tuple are kept after its first use: later
    values, instances of the types, a bad value, and a tuple freed and
    another made in its place are packed as the first time."""
    p = driver.CUDA_KERNEL_NODE_PARAMS()
    types = (ctypes.c_int, ctypes.c_float, ctypes.c_void_p, None, ctypes.c_ubyte)

    def packed(values, t=types):
        p.kernelParams = (values, t)
        argv = (ctypes.c_void_p * len(t)).from_address(p.kernelParams)
        return [ctypes.c_int.from_address(argv[0]).value, ctypes.c_float.from_address(argv[1]).value,
                ctypes.c_void_p.from_address(argv[2]).value, ctypes.c_uint64.from_address(argv[3]).value,
                ctypes.c_ubyte.from_address(argv[4]).value]

    dptr = driver.CUdeviceptr(0x1000)
    assert packed((5, 2.5, 0x2000, dptr, 7)) == [5, 2.5, 0x2000, 0x1000, 7]
    assert packed((-3, 1, 0, driver.CUdeviceptr(9), 300)) == [-3, 1.0, None, 9, 300 & 0xFF]
    assert packed((ctypes.c_int(8), ctypes.c_float(0.5), ctypes.c_void_p(16), dptr, True)) == [8, 0.5, 16, 0x1000, 1]
    for bad, exc in (((2 ** 31, 1.0, 0, dptr, 0), OverflowError), ((1, "x", 0, dptr, 0), TypeError),
                     ((1, 1.0, 1.5, dptr, 0), TypeError), ((1, 1.0, 0, 5, 0), TypeError)):
        with pytest.raises(exc):
            p.kernelParams = (bad, types)
    assert packed((1, 2.0, 3, dptr, 4)) == [1, 2.0, 3, 0x1000, 4]
    for i in range(50):   # tuples freed and made again, some at a freed one's address: each is its own
        last = ctypes.c_ushort if i % 2 else ctypes.c_ubyte
        t = tuple([ctypes.c_uint, ctypes.c_double, ctypes.c_void_p, None, last])
        p.kernelParams = ((2 ** 32 - 1, 0.25, 1, dptr, 300), t)
        argv = (ctypes.c_void_p * 5).from_address(p.kernelParams)
        assert ctypes.c_uint.from_address(argv[0]).value == 2 ** 32 - 1
        assert ctypes.c_double.from_address(argv[1]).value == 0.25
        assert last.from_address(argv[4]).value == (300 if i % 2 else 300 & 0xFF)
        del t
        with pytest.raises(TypeError, match="unsupported type"):
            p.kernelParams = ((1,), (int,))


def test_a_value_whose_conversion_packs_other_kernel_arguments_leaves_the_call_it_is_in_intact():
    """An __index__ that packs kernel arguments of other layouts (as many as
    push every kept layout out) while a kept layout is being used: the
    outer call's later slots are still packed by its own types."""
    p, inner = driver.CUDA_KERNEL_NODE_PARAMS(), driver.CUDA_KERNEL_NODE_PARAMS()
    types = (ctypes.c_int, ctypes.c_float, ctypes.c_void_p)

    class Meddling:
        def __index__(self):
            for i in range(40):   # new tuples: c_void_p first, then float, then int
                inner.kernelParams = ((i, 0, 1.0), tuple([ctypes.c_void_p, ctypes.c_int, ctypes.c_float]))
            return 5

    p.kernelParams = ((1, 2.0, 3), types)   # the layout of `types` is kept from here
    p.kernelParams = ((Meddling(), 2.5, 0x2000), types)
    argv = (ctypes.c_void_p * 3).from_address(p.kernelParams)
    assert ctypes.c_int.from_address(argv[0]).value == 5
    assert ctypes.c_float.from_address(argv[1]).value == 2.5
    assert ctypes.c_void_p.from_address(argv[2]).value == 0x2000


def test_kernel_params_field_packs_values_and_types():
    """kernelParams takes what cuLaunchKernel takes: None, an address, or
    (values, types); the packed array lives as long as the field holds it."""
    p = driver.CUDA_KERNEL_NODE_PARAMS()
    dptr = driver.CUdeviceptr(0x1000)   # a handle argument is passed by its own storage
    p.kernelParams = ((5, 2.5, dptr), (ctypes.c_int, ctypes.c_float, None))
    gc.collect()
    argv = (ctypes.c_void_p * 3).from_address(p.kernelParams)
    assert ctypes.c_int.from_address(argv[0]).value == 5
    assert ctypes.c_float.from_address(argv[1]).value == 2.5
    assert ctypes.c_uint64.from_address(argv[2]).value == 0x1000
    assert repr(p).split("kernelParams : ")[1].split("\n")[0] == str(p.kernelParams)   # a plain int
    g = driver.CUgraphNodeParams()   # through a view: the owner keeps the packed array
    g.kernel.kernelParams = ((7,), (ctypes.c_int,))
    gc.collect()
    assert ctypes.c_int.from_address(ctypes.c_void_p.from_address(g.kernel.kernelParams).value).value == 7
    p.kernelParams = 0x1234
    assert p.kernelParams == 0x1234
    p.kernelParams = None
    assert p.kernelParams == 0
    buf = bytearray(16)
    p.kernelParams = buf   # a buffer of argument pointers
    assert p.kernelParams == address(buf)
    p.kernelParams = ((), ())
    assert p.kernelParams == 0
    with pytest.raises(TypeError, match="kernelParams"):
        p.kernelParams = ((1, 2), (ctypes.c_int,))
    for v in ("args", 1.5, driver.CUdeviceptr(3), [1, 2], (1, 2)):
        with pytest.raises(TypeError, match="kernelParams"):
            p.kernelParams = v
    with pytest.raises(OverflowError, match="kernelParams"):
        p.kernelParams = -1


def test_function_pointer_fields():
    h = driver.CUDA_HOST_NODE_PARAMS()
    fn = h.fn
    assert int(fn) == 0
    h.fn = 0x4000
    assert int(h.fn) == 0x4000
    h.userData = 0x5000
    assert h.userData == 0x5000


# --- pointer-to-array fields with a count field ----------------------------------

def test_counted_struct_array():
    cfg = driver.CUlaunchConfig()
    assert cfg.attrs == [] and cfg.numAttrs == 0
    a = driver.CUlaunchAttribute()
    a.id = driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_COOPERATIVE
    a.value.cooperative = 1
    b = driver.CUlaunchAttribute_st()
    b.id = driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY
    b.value.priority = 7
    cfg.attrs = [a, b]
    assert cfg.numAttrs == 0   # assigning the list leaves the count alone, as NVIDIA's
    cfg.numAttrs = 2   # the user sets the count
    assert cfg.numAttrs == 2
    got = cfg.attrs
    assert [x.id for x in got] == [a.id, b.id] and got[1].value.priority == 7
    assert all(type(x) is driver.CUlaunchAttribute for x in got)
    a.value.cooperative = 0   # the list was copied
    assert cfg.attrs[0].value.cooperative == 1
    cfg.numAttrs = 1000   # reading ignores the count for a list we own
    assert len(cfg.attrs) == 2
    cfg.numAttrs = 1
    assert len(cfg.attrs) == 2
    cfg.attrs = (b,)   # a tuple is a sized sequence too
    assert [x.id for x in cfg.attrs] == [b.id] and cfg.numAttrs == 1
    old = cfg.attrs[0]
    cfg.attrs = []
    gc.collect()
    assert cfg.attrs == [] and cfg.numAttrs == 1
    assert old.value.priority == 7   # an element read earlier stays valid
    for v in (None, 1.5, 0x1000):
        with pytest.raises(TypeError, match="attrs"):
            cfg.attrs = v
    # NVIDIA's takes these unchecked (it reads each item's memory as a CUlaunchAttribute,
    # and may crash doing so); ours refuses them
    with pytest.raises(TypeError, match=r"attrs\[1\]"):
        cfg.attrs = [a, driver.CUuuid()]
    for v in ("ab", b"ab"):
        with pytest.raises(TypeError, match="attrs"):
            cfg.attrs = v
    assert cfg.attrs == []
    # an element read from the list is a copy, as NVIDIA's: writing it leaves the struct's list alone
    cfg.attrs = [a, b]
    got = cfg.attrs
    got[1].value.priority = 5
    assert cfg.attrs[1].value.priority == 7


def test_counted_array_keeps_what_its_elements_point_to():
    p = driver.CUDA_EXT_SEM_SIGNAL_NODE_PARAMS()
    q = driver.CUDA_EXTERNAL_SEMAPHORE_SIGNAL_PARAMS()
    fence = bytearray(8)
    q.params.nvSciSync.fence = fence   # q keeps fence alive ...
    items = [q]
    p.paramsArray = items
    del q
    items.clear()   # ... and p keeps q's copy's target alive, whatever happens to the list
    gc.collect()
    assert p.paramsArray[0].params.nvSciSync.fence == address(fence)
    assert sys.getrefcount(fence) == 3   # `fence`, the argument, and p's array


def test_counted_handle_array_and_shared_count():
    S = driver.CUexternalSemaphore
    p = driver.CUDA_EXT_SEM_SIGNAL_NODE_PARAMS()
    assert p.extSemArray == [] and p.paramsArray == [] and p.numExtSems == 0
    p.extSemArray = [S(3), S(4), S(0)]
    assert p.numExtSems == 0   # assigning the list leaves the count alone, as NVIDIA's
    p.numExtSems = 3   # one count for both lists
    assert [int(s) for s in p.extSemArray] == [3, 4, 0]
    assert all(type(s) is S for s in p.extSemArray)
    q = driver.CUDA_EXTERNAL_SEMAPHORE_SIGNAL_PARAMS()
    q.params.fence.value = 9
    p.paramsArray = [q, q, q]
    assert [x.params.fence.value for x in p.paramsArray] == [9, 9, 9]
    assert p.numExtSems == 3
    p.extSemArray = (S(5), driver.CUstream(6))   # items through __int__: any handle
    assert [int(s) for s in p.extSemArray] == [5, 6] and all(type(s) is S for s in p.extSemArray)
    assert p.numExtSems == 3
    for v in (None, 5):
        with pytest.raises(TypeError, match="extSemArray"):
            p.extSemArray = v
    assert [int(s) for s in p.extSemArray] == [5, 6]   # unchanged


def test_pointer_to_one_struct():
    """A pointer to one struct is a list field as NVIDIA's has it: [] when
    NULL, set from a list of (here one) items, copied."""
    c = driver.CUctxCreateParams()
    assert c.cigParams == []
    g = driver.CUctxCigParam()
    g.sharedDataType = driver.CUcigDataType.CIG_DATA_TYPE_D3D12_COMMAND_QUEUE
    g.sharedData = 0x77
    with pytest.raises(TypeError, match="cigParams"):
        c.cigParams = g   # one struct is not a list
    c.cigParams = [g]   # copied into memory c owns
    assert [x.sharedData for x in c.cigParams] == [0x77]
    assert ctypes.c_void_p.from_address(c.getPtr() + 16).value   # the pointer is set
    g.sharedData = 1
    assert c.cigParams[0].sharedData == 0x77
    assert "cigParams : [sharedDataType : <CUcigDataType.CIG_DATA_TYPE_D3D12_COMMAND_QUEUE: 1>" in repr(c)
    assert "sharedData : 0x77]" in repr(c).split("\n")
    c.cigParams = []
    assert c.cigParams == [] and ctypes.c_void_p.from_address(c.getPtr() + 16).value is None
    for v in (None, 5, driver.CUuuid()):
        with pytest.raises(TypeError, match="cigParams"):
            c.cigParams = v
    # NVIDIA's takes any struct object as an item (it copies sizeof(CUctxCigParam) bytes from it); ours refuses
    with pytest.raises(TypeError, match="cigParams"):
        c.cigParams = [driver.CUuuid()]
    c.cigParams = [g]
    c.cigParams[0].sharedData = 2   # an element read is a copy, as NVIDIA's
    assert c.cigParams[0].sharedData == 1


# --- construction, views of raw memory, repr, subclasses ------------------------

def test_ptr_views_raw_memory():
    class IntLike:
        def __int__(self):
            return 0
    mem = ctypes.create_string_buffer(16)
    u = driver.CUuuid(_ptr=ctypes.addressof(mem))
    assert u.getPtr() == ctypes.addressof(mem)
    ctypes.memmove(mem, b"A" * 16, 16)
    assert u.bytes == b"A" * 16   # reads the memory it views
    fab = ctypes.create_string_buffer(64)
    h = driver.CUmemFabricHandle(_ptr=ctypes.addressof(fab))
    h.data = b"B" * 64   # and writes it
    assert fab.raw == b"B" * 64
    owner = driver.CUmemFabricHandle()
    v = driver.CUmemFabricHandle_st(owner.getPtr())   # positional, as NVIDIA's __init__(self, _ptr=0)
    owner.data = b"C" * 64
    assert v.data == b"C" * 64
    assert driver.CUuuid(_ptr=0).getPtr() != 0 and driver.CUuuid().bytes == bytes(16)
    assert driver.CUuuid(_ptr=IntLike()).bytes == bytes(16)   # anything with __int__
    for bad in (None, "0", b"0"):
        with pytest.raises(TypeError, match="_ptr"):
            driver.CUuuid(_ptr=bad)
    for bad in (-1, 2 ** 64):
        with pytest.raises(OverflowError, match="_ptr"):
            driver.CUuuid(_ptr=bad)
    with pytest.raises(TypeError):
        driver.CUuuid(1, 2)


def test_repr_is_multiline_and_indents_nested_members():
    r = driver.CUDA_RESOURCE_DESC()
    r.resType = driver.CUresourcetype.CU_RESOURCE_TYPE_LINEAR
    r.res.linear.sizeInBytes = 99
    lines = repr(r).split("\n")
    assert lines[0] == "resType : <CUresourcetype.CU_RESOURCE_TYPE_LINEAR: 2>"
    assert lines[1] == "res :"
    assert "    linear :" in lines and "        sizeInBytes : 99" in lines
    assert lines[-1] == "flags : 0"
    c = driver.CUDA_MEMCPY2D()
    c.srcHost = 0xABC
    assert "srcHost : 0xabc" in repr(c).split("\n")


def test_signature_and_docs():
    import inspect
    assert str(inspect.signature(driver.CUDA_MEMCPY2D)) == "(_ptr=0)"
    assert "2D memory copy" in driver.CUDA_MEMCPY2D_st.__doc__
    assert driver.CUDA_MEMCPY2D_st.srcXInBytes.__doc__
    assert "getPtr" in dir(driver.CUDA_MEMCPY2D) and "srcXInBytes" in dir(driver.CUDA_MEMCPY2D)


def test_python_subclasses_work():
    class Mine(driver.CUDA_MEMCPY2D):
        def __init__(self, _ptr=0):
            super().__init__(_ptr)
            self.extra = 3
    m = Mine()
    m.srcXInBytes = 5
    m.srcHost = bytearray(4)
    assert m.srcXInBytes == 5 and m.extra == 3 and "srcXInBytes : 5" in repr(m)
    mem = ctypes.create_string_buffer(128)
    v = Mine(ctypes.addressof(mem))
    assert v.getPtr() == ctypes.addressof(mem)
    n = driver.CUDA_MEMCPY_NODE_PARAMS()
    c = type("C3", (driver.CUDA_MEMCPY3D,), {})()
    c.Height = 4
    n.copyParams = c
    assert n.copyParams.Height == 4
    del m
    gc.collect()
    # NVIDIA's classes take the address in __cinit__, which gets the
    # constructor's arguments whatever a subclass's __init__ does with them
    class Other(driver.CUDA_MEMCPY2D):
        def __init__(self, x):
            self.x = x
    o = Other(ctypes.addressof(mem))
    assert o.x == ctypes.addressof(mem) and o.getPtr() == ctypes.addressof(mem)
    with pytest.raises(TypeError):
        Other(x=1)


def test_cycles_through_keepalive_are_collected():
    class Tracked(driver.CUDA_MEMCPY2D):
        pass

    class Buffer(bytearray):
        pass
    t = Tracked()
    b = Buffer(8)
    b.owner = t
    t.srcHost = b   # the struct keeps itself alive through the buffer its pointer field holds
    ref = weakref.ref(t)
    del t, b
    gc.collect()
    assert ref() is None


def test_no_reference_leaks():
    r = driver.CUDA_RESOURCE_DESC()
    c = driver.CUlaunchConfig()
    a = driver.CUlaunchAttribute()
    buf = bytearray(8)
    r.res.linear.format = 1   # a member: the fresh 0 is none
    for _ in range(3):   # warm caches (enum classes, members)
        repr(r), r.res.linear.format, c.attrs
    gc.collect()
    before = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else None
    n_objects = len(gc.get_objects())
    for _ in range(2000):
        r.res.linear.sizeInBytes = 5
        r.res.linear.format = 1
        _ = repr(r)
        c.attrs = [a, a]
        _ = c.attrs
        r2 = driver.CUDA_MEMCPY2D()
        r2.srcHost = buf
    del r2, _
    gc.collect()
    assert len(gc.get_objects()) < n_objects + 50
    if before is not None:
        assert sys.gettotalrefcount() - before < 100


def test_shim_helpers_reject_wrong_struct_types():
    """The function shims take structs through cb_arg_struct: an instance of
    a class of the same C type, or None where the C API allows NULL."""
    f = getattr(driver, "cuMemcpy2D", None)
    if f is None:
        pytest.skip("cuMemcpy2D not bound in this build")
    with pytest.raises(TypeError, match="cuMemcpy2D.*pCopy.*CUDA_MEMCPY2D"):
        f(driver.CUDA_MEMCPY3D())
    with pytest.raises(TypeError, match="pCopy"):
        f(5)


# --- with a real driver ---------------------------------------------------------

@pytest.mark.gpu
def test_structs_through_the_driver():
    """The driver reads what the fields wrote (2D copies through host buffers
    set as pointer fields, a nested location) and hands structs back."""
    def ok(result):
        err, *rest = result
        assert err == driver.CUresult.CUDA_SUCCESS, err
        return rest[0] if len(rest) == 1 else tuple(rest) if rest else None
    ok(driver.cuInit(0))
    dev = ok(driver.cuDeviceGet(0))
    ctx = ok(driver.cuDevicePrimaryCtxRetain(dev))
    ok(driver.cuCtxSetCurrent(ctx))
    try:
        uuid = ok(driver.cuDeviceGetUuid(dev))
        assert isinstance(uuid, driver.CUuuid_st) and uuid.bytes != bytes(16)

        width, height, pitch = 48, 5, 64
        dptr = ok(driver.cuMemAlloc(pitch * height))
        src = bytearray(range(256)) * 2
        up = memcpy2d(driver, ("HOST", src, 100), ("DEVICE", dptr, pitch), width, height)
        del src   # up keeps the buffer alive
        gc.collect()
        ok(driver.cuMemcpy2D(up))
        back = bytearray(width * height)
        down = memcpy2d(driver, ("DEVICE", dptr, pitch), ("HOST", back, width), width, height,
                        cls=driver.CUDA_MEMCPY2D_st)
        ok(driver.cuMemcpy2D(down))
        expect = bytearray(range(256)) * 2
        assert back == b"".join(expect[r * 100:r * 100 + width] for r in range(height))
        ok(driver.cuMemFree(dptr))

        desc = driver.CUDA_ARRAY_DESCRIPTOR()
        desc.Width, desc.Height, desc.NumChannels = 64, 32, 4
        desc.Format = driver.CUarray_format.CU_AD_FORMAT_FLOAT
        arr = ok(driver.cuArrayCreate(desc))
        got = ok(driver.cuArrayGetDescriptor(arr))
        assert (got.Width, got.Height, got.NumChannels, got.Format) == (64, 32, 4, desc.Format)
        ok(driver.cuArrayDestroy(arr))

        prop = pinned_device_prop(driver, dev)
        gran = ok(driver.cuMemGetAllocationGranularity(
            prop, driver.CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM))
        assert gran > 0 and gran & (gran - 1) == 0
    finally:
        ok(driver.cuDevicePrimaryCtxRelease(dev))
