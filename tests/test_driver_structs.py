"""Struct and union classes of cuda.bindings.driver (csrc/cb_struct.c over
tables from gen/emit_structs.py): the reference's classes and fields, every
field kind read and written, views that share memory, pointer fields that
keep their targets alive, repr, and bad values raising clear exceptions.

No GPU is needed: the classes only read and write host memory.
"""
import ctypes
import functools
import gc
import json
import os
import sys
import weakref

import pytest

import helpers
from helpers import ROOT

driver = pytest.importorskip("cuda.bindings.driver")

REFERENCE = os.path.join(ROOT, "..", "shared", "api", "driver.json")
BAD = (TypeError, ValueError, OverflowError)


def reference_classes():
    with open(REFERENCE) as f:
        return json.load(f)["classes"]


def cuda_include():
    return helpers.header_dir("driver")


def is_struct_class(c):
    """One of ours: a root class with field descriptors, or a subclass of one."""
    getset = type(driver.CUuuid_st.bytes)
    return isinstance(c, type) and any(
        any(isinstance(v, getset) for v in vars(k).values()) and hasattr(k, "getPtr") for k in c.__mro__[:-1])


ALL = sorted(n for n in dir(driver) if is_struct_class(getattr(driver, n)))   # dir() names the classes not made yet


def address(buf):
    return ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))


# --- which classes and fields --------------------------------------------------

def load_gen():
    helpers.load_gen()
    from gen import cparse, libraries
    return cparse, libraries


@functools.lru_cache(maxsize=None)
def header_structs():
    """{class name: field names} for every struct/union these headers declare
    (by tag and by each typedef name), anonymous members' fields included."""
    cparse, libraries = load_gen()
    h = cparse.parse_files([os.path.join(cuda_include(), x) for x in libraries.DRIVER_HEADERS])

    def names(s):
        out = set()
        for f in s.fields:
            out |= names(f.nested) if f.nested is not None and not f.name else {f.name}
        return out
    out = {k: names(s) for k, s in h.structs.items() if s.fields}
    grew = True
    while grew:   # typedef chains: CUDA_MEMCPY2D -> CUDA_MEMCPY2D_v2
        grew = False
        for n, t in h.typedefs.items():
            base = t.base.split(" ")[-1]
            if n not in out and not t.ptrs and t.func is None and base in out:
                out[n] = out[base]
                grew = True
    return out


def test_every_struct_of_the_headers_is_a_class_with_every_field():
    structs = header_structs()
    assert len(structs) > 200
    for name, fields in structs.items():
        cls = getattr(driver, name, None)
        assert is_struct_class(cls), name
        for f in fields:
            assert hasattr(cls, f), "%s.%s" % (name, f)


@pytest.mark.skipif(not os.path.exists(REFERENCE), reason="reference API (../shared/api) not here")
def test_reference_classes_fields_and_bases():
    """Every struct class of the reference that these headers declare is
    here, with the same base chain, and with each of its fields that these
    headers declare (newer ones are version skew)."""
    ref = reference_classes()
    structs = header_structs()
    checked = 0
    for name, c in ref.items():
        if name not in structs:
            continue
        cls = getattr(driver, name)
        for f in set(c["fields"]) & structs[name]:
            assert hasattr(cls, f), "%s.%s" % (name, f)
        assert [k.__name__ for k in cls.__mro__[1:-1]] == c["bases"], name
        checked += 1
    assert checked > 200


@pytest.mark.skipif(not os.path.exists(REFERENCE), reason="reference API (../shared/api) not here")
def test_anonymous_member_classes_numbered_like_the_reference():
    """anon_struct<N>/anon_union<N> are numbered in header order, inner first,
    as the reference numbers them: each of the reference's has its fields
    here (the reference's lists leave out the reserved padding, which both
    packages have)."""
    ref = reference_classes()
    names = [n for n in ref if n.startswith(("anon_struct", "anon_union"))]
    assert len(names) > 40
    getset = type(driver.CUuuid_st.bytes)
    for name in names:
        fields = {k for k, v in vars(getattr(driver, name)).items() if isinstance(v, getset)}
        assert set(ref[name]["fields"]) <= fields and fields - set(ref[name]["fields"]) <= {"reserved"}, name
    # the reference's classes of CUDA_RESOURCE_DESC's members (CUDA 13.5 numbering)
    assert type(driver.CUDA_RESOURCE_DESC().res) is driver.anon_union5
    assert type(driver.CUDA_RESOURCE_DESC().res.linear) is driver.anon_struct9


def test_every_class_constructs_reads_and_reprs():
    assert len(ALL) > 250
    for name in ALL:
        cls = getattr(driver, name)
        o = cls()
        assert o.getPtr() != 0
        text = repr(o)
        assert isinstance(text, str) and " : " in text, name
        assert str(o) == text
        assert "<" not in text.replace("<CU", "").replace("<cuuint", "").replace("<EGL", "") \
            .replace("<GL", "").replace("<Vdp", ""), (name, text)   # no field failed to read


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

@pytest.mark.parametrize("cls,field,lo,hi", [
    (driver.CUDA_MEMCPY2D, "srcXInBytes", 0, 2 ** 64 - 1),       # size_t
    (driver.CUmemLocation, "id", -2 ** 31, 2 ** 31 - 1),          # int
    (driver.CUDA_ARRAY3D_DESCRIPTOR, "NumChannels", 0, 2 ** 32 - 1),
    (driver.CUgraphEdgeData, "from_port", 0, 255),                # unsigned char
    (driver.CUmemPoolProps, "usage", 0, 2 ** 16 - 1),             # unsigned short
    (driver.CUgraphNodeParams, "reserved2", -2 ** 63, 2 ** 63 - 1),  # long long
])
def test_integer_fields_round_trip_and_check_range(cls, field, lo, hi):
    o = cls()
    assert getattr(o, field) == 0
    for v in (lo, hi, 1, True):
        setattr(o, field, v)
        assert getattr(o, field) == v and type(getattr(o, field)) is int
    setattr(o, field, driver.CUmemorytype.CU_MEMORYTYPE_DEVICE)   # __index__ is an int
    assert getattr(o, field) == 2
    for v in (lo - 1, hi + 1, 2 ** 200):
        with pytest.raises(OverflowError, match=r"%s\.%s must be in \[" % (cls.__name__, field)):
            setattr(o, field, v)
    for v in (None, 1.0, "1", b"1", [1], object()):
        with pytest.raises(TypeError, match=r"%s\.%s must be int, not" % (cls.__name__, field)):
            setattr(o, field, v)
    assert getattr(o, field) == 2   # a refused value changes nothing


def test_float_fields():
    w = driver.CUaccessPolicyWindow()
    w.hitRatio = 0.5
    assert w.hitRatio == 0.5
    w.hitRatio = 1   # an int is a number
    assert w.hitRatio == 1.0
    w.hitRatio = float("inf")
    assert w.hitRatio == float("inf")
    with pytest.raises(OverflowError, match="CUaccessPolicyWindow.hitRatio"):
        w.hitRatio = 1e300   # does not fit a C float
    with pytest.raises(OverflowError, match="hitRatio"):
        w.hitRatio = 2 ** 2000
    for v in (None, "0.5", [0.5]):
        with pytest.raises(TypeError, match="CUaccessPolicyWindow.hitRatio must be float"):
            w.hitRatio = v
    t = driver.CUDA_TEXTURE_DESC()
    t.borderColor = [1, 2.5, -3, 4]
    assert t.borderColor == [1.0, 2.5, -3.0, 4.0]


def test_enum_fields():
    d = driver.CUDA_ARRAY_DESCRIPTOR()
    assert d.Format == 0 and isinstance(d.Format, int)
    d.Format = driver.CUarray_format.CU_AD_FORMAT_FLOAT
    assert d.Format is driver.CUarray_format.CU_AD_FORMAT_FLOAT
    d.Format = 0x10   # a plain int is taken
    assert d.Format is driver.CUarray_format.CU_AD_FORMAT_HALF
    d.Format = 12345   # a value newer than these headers reads back as an int
    assert d.Format == 12345 and type(d.Format) is int
    d.Format = 0xFFFFFFFF   # either signedness of the C enum's width
    for v in (None, "CU_AD_FORMAT_FLOAT", 1.0):
        with pytest.raises(TypeError, match="CUDA_ARRAY_DESCRIPTOR.Format must be int or an enum member"):
            d.Format = v
    with pytest.raises(OverflowError, match="Format"):
        d.Format = 2 ** 32
    t = driver.CUDA_TEXTURE_DESC()
    t.addressMode = [driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP, 2, 0]
    assert t.addressMode == [driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP,
                             driver.CUaddress_mode.CU_TR_ADDRESS_MODE_MIRROR,
                             driver.CUaddress_mode.CU_TR_ADDRESS_MODE_WRAP]


# --- handles -------------------------------------------------------------------

def test_handle_fields():
    p = driver.CUDA_LAUNCH_PARAMS()
    assert isinstance(p.hStream, driver.CUstream) and int(p.hStream) == 0
    p.hStream = driver.CUstream(0x1234)
    assert isinstance(p.hStream, driver.CUstream) and int(p.hStream) == 0x1234
    p.hStream = 0x99   # an int address
    assert int(p.hStream) == 0x99
    p.hStream = None
    assert int(p.hStream) == 0
    with pytest.raises(TypeError, match="CUDA_LAUNCH_PARAMS.hStream must be CUstream, int or None, not CUevent"):
        p.hStream = driver.CUevent(1)
    with pytest.raises(TypeError, match="hStream"):
        p.hStream = "stream"
    with pytest.raises(OverflowError, match="hStream"):
        p.hStream = -1
    m = driver.CUDA_MEMSET_NODE_PARAMS()   # CUdeviceptr: an unsigned 64-bit handle
    m.dst = 2 ** 64 - 1
    assert isinstance(m.dst, driver.CUdeviceptr) and int(m.dst) == 2 ** 64 - 1
    m.dst = driver.CUdeviceptr(7)
    assert int(m.dst) == 7
    with pytest.raises(OverflowError, match="CUDA_MEMSET_NODE_PARAMS.dst"):
        m.dst = 2 ** 64
    # a handle read from a field is a copy: changing the struct later leaves it alone
    h = m.dst
    m.dst = 8
    assert int(h) == 7


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
    with pytest.raises(TypeError, match=r"CUDA_RESOURCE_DESC.res must be anon_union5, not anon_struct9"):
        r.res = r.res.linear
    with pytest.raises(TypeError, match="CUDA_RESOURCE_DESC.res must be anon_union5, not NoneType"):
        r.res = None


def test_nested_typedef_members_accept_any_class_of_that_type():
    n = driver.CUDA_MEMCPY_NODE_PARAMS()
    assert type(n.copyParams) is driver.CUDA_MEMCPY3D
    c = driver.CUDA_MEMCPY3D_st()   # the tagged class of the same C struct
    c.Depth = 3
    n.copyParams = c
    assert n.copyParams.Depth == 3
    with pytest.raises(TypeError, match="CUDA_MEMCPY_NODE_PARAMS.copyParams must be CUDA_MEMCPY3D, not "
                                        "CUDA_MEMCPY3D_PEER"):
        n.copyParams = driver.CUDA_MEMCPY3D_PEER()


def test_a_view_keeps_its_parent_alive():
    r = driver.CUDA_RESOURCE_DESC()
    r.res.linear.sizeInBytes = 77
    view = r.res.linear
    ref = weakref.ref(r) if hasattr(type(r), "__weakrefoffset__") and type(r).__weakrefoffset__ else None
    del r
    gc.collect()
    assert view.sizeInBytes == 77
    view.sizeInBytes = 78
    assert view.sizeInBytes == 78
    assert ref is None or ref() is not None


def test_anonymous_c11_members_are_fields_of_the_parent():
    w = driver.CUstreamMemOpWaitValueParams_st()
    w.value64 = 2 ** 40 + 5
    assert int(w.value64) == 2 ** 40 + 5 and int(w.value) == 5   # one union: value is its low half
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
    r = driver.CUDA_ARRAY_MEMORY_REQUIREMENTS()
    assert r.reserved == [0, 0, 0, 0]
    r.reserved = (1, 2, 3, 2 ** 32 - 1)
    assert r.reserved == [1, 2, 3, 2 ** 32 - 1]
    with pytest.raises(ValueError, match=r"CUDA_ARRAY_MEMORY_REQUIREMENTS.reserved must have 4 items, got 3"):
        r.reserved = [1, 2, 3]
    with pytest.raises(TypeError, match="reserved must be a sequence of 4 items, not int"):
        r.reserved = 5
    with pytest.raises(TypeError, match="reserved must be a sequence"):
        r.reserved = None
    with pytest.raises(OverflowError, match=r"reserved\[3\] must be in"):
        r.reserved = [9, 9, 9, -1]
    assert r.reserved == [1, 2, 3, 2 ** 32 - 1]   # nothing written on failure
    with pytest.raises(TypeError, match=r"reserved\[0\] must be int, not float"):
        r.reserved = [1.0, 2, 3, 4]
    f = driver.CUeglFrame()   # an array of handles inside a union
    f.frame.pArray = [driver.CUarray(1), 2, None]
    assert [int(a) for a in f.frame.pArray] == [1, 2, 0]
    assert f.frame.pPitch == [1, 2, 0]


def test_char_arrays_are_bytes():
    u = driver.CUuuid()
    assert u.bytes == bytes(16)
    u.bytes = bytes(range(16))
    assert u.bytes == bytes(range(16))
    u.bytes = bytearray(b"x" * 16)
    assert u.bytes == b"x" * 16
    u.bytes = [-1] + [0] * 15   # a list of ints, either signedness of char
    assert u.bytes[0] == 255
    with pytest.raises(ValueError, match="CUuuid.bytes must be 16 bytes, got 3"):
        u.bytes = b"abc"
    with pytest.raises(TypeError, match="CUuuid.bytes must be bytes, not str"):
        u.bytes = "x" * 16
    with pytest.raises(TypeError, match="CUuuid.bytes must be bytes, not NoneType"):
        u.bytes = None
    with pytest.raises(OverflowError, match=r"CUuuid.bytes\[0\]"):
        u.bytes = [256] + [0] * 15
    h = driver.CUipcMemHandle()
    assert h.reserved == bytes(64)
    h.reserved = b"\1" * 64
    assert h.reserved == b"\1" * 64


# --- pointer fields -------------------------------------------------------------

def test_pointer_fields_take_ints_none_handles_and_buffers():
    c = driver.CUDA_MEMCPY2D()
    assert c.srcHost == 0
    c.srcHost = 0x1234
    assert c.srcHost == 0x1234
    c.srcHost = None
    assert c.srcHost == 0
    c.srcHost = driver.CUdeviceptr(0x55)
    assert c.srcHost == 0x55
    buf = bytearray(b"hello")
    c.srcHost = buf
    assert c.srcHost == address(buf)
    u = driver.CUuuid()
    c.dstHost = u   # a struct object: its memory
    assert c.dstHost == u.getPtr()
    with pytest.raises(TypeError, match="CUDA_MEMCPY2D.srcHost must be an int address, None, a handle, a struct "
                                        "or a buffer, not str"):
        c.srcHost = "hello"
    with pytest.raises(OverflowError, match="srcHost"):
        c.srcHost = -1
    with pytest.raises(TypeError, match="cannot be deleted"):
        del c.srcHost


def test_pointer_fields_keep_their_target_alive():
    c = driver.CUDA_MEMCPY2D()
    buf = bytearray(b"x" * 64)   # no weakrefs to a bytearray: count references
    before = sys.getrefcount(buf)
    c.srcHost = buf
    assert sys.getrefcount(buf) > before
    c.srcHost = 0   # a new value releases the old target
    gc.collect()
    assert sys.getrefcount(buf) == before


def test_pointer_set_through_a_temporary_view_is_kept_by_the_owner():
    p = driver.CUgraphNodeParams()
    arr = bytearray(16)
    before = sys.getrefcount(arr)
    p.kernel.extra = arr   # p.kernel is a temporary view
    gc.collect()
    assert sys.getrefcount(arr) == before + 1 and p.kernel.extra == address(arr)
    del p
    gc.collect()
    assert sys.getrefcount(arr) == before


def test_kernel_params_field_packs_values_and_types():
    """kernelParams takes what cuLaunchKernel takes: None, an address, or
    (values, types); the packed array lives as long as the field holds it."""
    p = driver.CUDA_KERNEL_NODE_PARAMS()
    p.kernelParams = ((5, 2.5, driver.CUdeviceptr(0x1000)), (ctypes.c_int, ctypes.c_float, None))
    gc.collect()
    argv = (ctypes.c_void_p * 3).from_address(p.kernelParams)
    assert ctypes.c_int.from_address(argv[0]).value == 5
    assert ctypes.c_float.from_address(argv[1]).value == 2.5
    assert ctypes.c_uint64.from_address(argv[2]).value == 0x1000
    assert repr(p).split("kernelParams : ")[1].startswith("0x")
    g = driver.CUgraphNodeParams()   # through a view: the owner keeps the packed array
    g.kernel.kernelParams = ((7,), (ctypes.c_int,))
    gc.collect()
    assert ctypes.c_int.from_address(ctypes.c_void_p.from_address(g.kernel.kernelParams).value).value == 7
    p.kernelParams = 0x1234
    assert p.kernelParams == 0x1234
    p.kernelParams = None
    assert p.kernelParams == 0
    with pytest.raises(TypeError, match="kernelParams"):
        p.kernelParams = ((1, 2), (ctypes.c_int,))
    with pytest.raises(TypeError, match="kernelParams"):
        p.kernelParams = "args"


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
    assert cfg.numAttrs == 2   # the count follows the list
    got = cfg.attrs
    assert [x.id for x in got] == [a.id, b.id] and got[1].value.priority == 7
    a.value.cooperative = 0   # the list was copied
    assert cfg.attrs[0].value.cooperative == 1
    got[0].value.cooperative = 5   # elements are views of the copy
    assert cfg.attrs[0].value.cooperative == 5
    cfg.numAttrs = 1000   # a count beyond our copy never reads past it
    assert len(cfg.attrs) == 2
    cfg.numAttrs = 1
    assert len(cfg.attrs) == 1
    old = cfg.attrs[0]
    cfg.attrs = None
    gc.collect()
    assert cfg.attrs == [] and cfg.numAttrs == 0
    assert old.value.cooperative == 5   # a view keeps its array alive
    cfg.attrs = []
    assert cfg.numAttrs == 0
    with pytest.raises(TypeError, match=r"CUlaunchConfig.attrs\[1\] must be CUlaunchAttribute, not CUuuid"):
        cfg.attrs = [a, driver.CUuuid()]
    with pytest.raises(TypeError, match="CUlaunchConfig.attrs must be a list, None or an int address, not str"):
        cfg.attrs = "ab"
    with pytest.raises(TypeError, match="attrs must be a list"):
        cfg.attrs = 1.5


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
    other = bytearray(8)
    p.paramsArray[0].params.nvSciSync.fence = other   # set through a view of our copy
    gc.collect()
    assert p.paramsArray[0].params.nvSciSync.fence == address(other)
    assert sys.getrefcount(other) == 3   # `other`, the argument, and p's array


def test_counted_handle_array_and_shared_count():
    p = driver.CUDA_EXT_SEM_SIGNAL_NODE_PARAMS()
    p.extSemArray = [driver.CUexternalSemaphore(3), 4, None]
    assert p.numExtSems == 3
    assert [int(s) for s in p.extSemArray] == [3, 4, 0]
    assert all(isinstance(s, driver.CUexternalSemaphore) for s in p.extSemArray)
    q = driver.CUDA_EXTERNAL_SEMAPHORE_SIGNAL_PARAMS()
    q.params.fence.value = 9
    p.paramsArray = [q, q, q]
    assert [x.params.fence.value for x in p.paramsArray] == [9, 9, 9]
    with pytest.raises(TypeError, match=r"extSemArray\[0\] must be CUexternalSemaphore, int or None, not CUstream"):
        p.extSemArray = [driver.CUstream(1)]
    assert [int(s) for s in p.extSemArray] == [3, 4, 0]   # unchanged


def test_pointer_to_one_struct():
    c = driver.CUctxCreateParams()
    assert c.cigParams is None
    g = driver.CUctxCigParam()
    g.sharedData = 0x77
    c.cigParams = g   # copied into memory c owns
    assert c.cigParams.sharedData == 0x77
    g.sharedData = 1
    assert c.cigParams.sharedData == 0x77
    c.cigParams.sharedData = 2
    assert c.cigParams.sharedData == 2
    assert "cigParams : 0x" in repr(c)   # repr shows the address, never follows it
    c.cigParams = None
    assert c.cigParams is None
    with pytest.raises(TypeError, match="CUctxCreateParams.cigParams must be CUctxCigParam, not CUuuid"):
        c.cigParams = driver.CUuuid()


# --- construction, views of raw memory, repr, subclasses ------------------------

def test_ptr_views_raw_memory():
    mem = ctypes.create_string_buffer(16)
    u = driver.CUuuid(_ptr=ctypes.addressof(mem))
    assert u.getPtr() == ctypes.addressof(mem)
    u.bytes = b"A" * 16
    assert mem.raw == b"A" * 16
    owner = driver.CUuuid()
    v = driver.CUuuid_st(owner.getPtr())   # positional, as NVIDIA's __init__(self, _ptr=0)
    owner.bytes = b"B" * 16
    assert v.bytes == b"B" * 16
    assert driver.CUuuid(_ptr=0).getPtr() != 0 and driver.CUuuid(_ptr=None).bytes == bytes(16)
    with pytest.raises(TypeError, match=r"CUuuid\(_ptr\) must be an int address, not str"):
        driver.CUuuid(_ptr="0")
    with pytest.raises(OverflowError, match=r"CUuuid\(_ptr\) must be an address"):
        driver.CUuuid(_ptr=-1)
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
        def __init__(self, x):
            super().__init__()
            self.extra = x
    m = Mine(3)
    m.srcXInBytes = 5
    m.srcHost = bytearray(4)
    assert m.srcXInBytes == 5 and m.extra == 3 and "srcXInBytes : 5" in repr(m)
    n = driver.CUDA_MEMCPY_NODE_PARAMS()
    c = type("C3", (driver.CUDA_MEMCPY3D,), {})()
    c.Height = 4
    n.copyParams = c
    assert n.copyParams.Height == 4
    del m
    gc.collect()


def test_cycles_through_keepalive_are_collected():
    class Tracked(driver.CUDA_MEMCPY2D):
        pass
    t = Tracked()
    t.srcHost = t   # the struct keeps itself alive through its own pointer field
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is None


def test_no_reference_leaks():
    r = driver.CUDA_RESOURCE_DESC()
    c = driver.CUlaunchConfig()
    a = driver.CUlaunchAttribute()
    buf = bytearray(8)
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
        up = driver.CUDA_MEMCPY2D()
        up.srcMemoryType = driver.CUmemorytype.CU_MEMORYTYPE_HOST
        up.srcHost = src
        up.srcPitch = 100
        up.dstMemoryType = driver.CUmemorytype.CU_MEMORYTYPE_DEVICE
        up.dstDevice = dptr
        up.dstPitch = pitch
        up.WidthInBytes, up.Height = width, height
        del src   # up keeps the buffer alive
        gc.collect()
        ok(driver.cuMemcpy2D(up))
        back = bytearray(width * height)
        down = driver.CUDA_MEMCPY2D_st()
        down.srcMemoryType, down.srcDevice, down.srcPitch = driver.CUmemorytype.CU_MEMORYTYPE_DEVICE, dptr, pitch
        down.dstMemoryType, down.dstHost, down.dstPitch = driver.CUmemorytype.CU_MEMORYTYPE_HOST, back, width
        down.WidthInBytes, down.Height = width, height
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

        prop = driver.CUmemAllocationProp()
        prop.type = driver.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED
        prop.location.type = driver.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
        prop.location.id = int(dev)
        gran = ok(driver.cuMemGetAllocationGranularity(
            prop, driver.CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM))
        assert gran > 0 and gran & (gran - 1) == 0
    finally:
        ok(driver.cuDevicePrimaryCtxRelease(dev))
