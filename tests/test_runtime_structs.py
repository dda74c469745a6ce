"""Struct and union classes of cuda.bindings.runtime (csrc/cb_struct.c over
tables from gen/emit_structs.py): the reference's classes, fields and bases,
the C layout (every field of every class written through Python lands at
the offset and size the C compiler gives it), each field kind read and
written, views that share memory, pointer fields that keep their targets
alive, handle fields that take the driver's twin class, and bad values
raising clear exceptions.

Most of it needs no GPU; the tests marked `gpu` read what the runtime
returns for a real device.
"""
import ctypes
import functools
import gc
import json
import os
import re
import struct
import subprocess
import sys
import sysconfig

import pytest

import helpers
from helpers import ROOT

runtime = pytest.importorskip("cuda.bindings.runtime")
driver = pytest.importorskip("cuda.bindings.driver")

REFERENCE = os.path.join(ROOT, "..", "shared", "api", "runtime.json")
GETSET = type(runtime.CUuuid_st.bytes)
BAD = (TypeError, ValueError, OverflowError)


def reference_classes():
    with open(REFERENCE) as f:
        return json.load(f)["classes"]


def cuda_include():
    return helpers.header_dir("driver")


def is_struct_class(c):
    """One of ours: a root class with field descriptors, or a subclass of one."""
    return isinstance(c, type) and any(
        any(isinstance(v, GETSET) for v in vars(k).values()) and hasattr(k, "getPtr") for k in c.__mro__[:-1])


def fields_of(cls):
    return sorted(n for k in cls.__mro__[:-1] for n, v in vars(k).items() if isinstance(v, GETSET))


ALL = sorted(n for n in dir(runtime) if is_struct_class(getattr(runtime, n)))   # dir() names the classes not made yet


def address(buf):
    return ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))


def memory(o):
    """The bytes of o's C value."""
    return ctypes.string_at(o.getPtr(), runtime.sizeof(type(o)))


# --- the classes the headers declare ----------------------------------------------

@functools.lru_cache(maxsize=None)
def model():
    """The generator's runtime model (headers parsed as the build parses them)."""
    if not os.path.exists(os.path.join(cuda_include(), "cuda_runtime_api.h")):
        pytest.skip("CUDA runtime headers not found")
    helpers.load_gen()
    from gen.__main__ import load_model
    return load_model("runtime", cuda_include())


@functools.lru_cache(maxsize=None)
def header_structs():
    """{class name: field names} for every struct/union the runtime headers
    declare (by tag and by each typedef name), anonymous members' fields in."""
    h = model().h

    def names(s):
        out = set()
        for f in s.fields:
            out |= names(f.nested) if f.nested is not None and not f.name else {f.name}
        return out
    out = {k: names(s) for k, s in h.structs.items() if s.fields}
    grew = True
    while grew:   # typedef chains and macro aliases: cudaKernelNodeAttrValue -> cudaLaunchAttributeValue
        grew = False
        for n, t in h.typedefs.items():
            base = t.base.split(" ")[-1]
            if n not in out and not t.ptrs and t.func is None and not t.array and base in out:
                out[n] = out[base]
                grew = True
    return out


def test_every_struct_of_the_headers_is_a_class_with_every_field():
    structs = header_structs()
    assert len(structs) > 100
    for name, fields in structs.items():
        cls = getattr(runtime, name, None)
        if name in ("cudaStream_t", "cudaEvent_t") or not fields:
            continue
        assert is_struct_class(cls), name
        for f in fields:
            assert hasattr(cls, f), "%s.%s" % (name, f)


@pytest.mark.skipif(not os.path.exists(REFERENCE), reason="reference API (../shared/api) not here")
def test_reference_classes_fields_and_bases():
    """Every struct class of the reference that these headers declare is here,
    with the same bases and each field these headers declare (fields only in
    newer headers, e.g. cudaFuncAttributes.deviceNodeUpdateStatus of 13.3,
    are version skew)."""
    ref = reference_classes()
    structs = header_structs()
    checked = 0
    for name, c in ref.items():
        if name not in structs or name.startswith("anon_"):
            continue   # anon_* numbers shift with each header version's untagged members
        cls = getattr(runtime, name)
        assert is_struct_class(cls), name
        for f in set(c["fields"]) & structs[name]:
            assert hasattr(cls, f), "%s.%s" % (name, f)
        assert [k.__name__ for k in cls.__mro__[1:-1]] == c["bases"], name
        checked += 1
    assert checked > 75


@pytest.mark.skipif(not os.path.exists(REFERENCE), reason="reference API (../shared/api) not here")
def test_anonymous_member_classes_numbered_like_the_reference():
    """anon_struct<N>/anon_union<N> are numbered in header order, inner
    first, as the reference numbers them: each of the reference's has its
    fields here (its lists leave out the reserved padding both packages have)."""
    ref = reference_classes()
    names = [n for n in ref if n.startswith(("anon_struct", "anon_union"))]
    assert len(names) > 30
    for name in names:
        fields = set(fields_of(getattr(runtime, name)))
        assert set(ref[name]["fields"]) <= fields and fields - set(ref[name]["fields"]) <= {"reserved"}, name
    assert type(runtime.cudaResourceDesc().res) is runtime.anon_union0
    assert type(runtime.cudaResourceDesc().res.pitch2D) is runtime.anon_struct4


@pytest.mark.parametrize("name,bases,fields", [
    ("cudaDeviceProp", [], {"name", "uuid", "luid", "maxGridSize", "maxThreadsDim", "major", "minor", "reserved"}),
    ("cudaMemcpy3DParms", [], {"srcArray", "srcPos", "srcPtr", "dstArray", "dstPos", "dstPtr", "extent", "kind"}),
    ("cudaPointerAttributes", [], {"type", "device", "devicePointer", "hostPointer"}),
    ("cudaChannelFormatDesc", [], {"x", "y", "z", "w", "f"}),
    ("cudaResourceDesc", [], {"resType", "res", "flags"}),
    ("cudaTextureDesc", [], {"addressMode", "filterMode", "readMode", "borderColor", "normalizedCoords"}),
    ("cudaResourceViewDesc", [], {"format", "width", "height", "depth", "firstMipmapLevel"}),
    ("cudaLaunchAttributeValue", [], {"accessPolicyWindow", "cooperative", "clusterDim", "programmaticEvent"}),
    ("cudaKernelNodeAttrValue", ["cudaLaunchAttributeValue"], {"cooperative", "priority"}),
    ("cudaStreamAttrValue", ["cudaLaunchAttributeValue"], {"accessPolicyWindow", "syncPolicy"}),
    ("cudaKernelNodeParams", [], {"func", "gridDim", "blockDim", "sharedMemBytes", "kernelParams", "extra"}),
    ("cudaLaunchConfig_t", ["cudaLaunchConfig_st"], {"gridDim", "blockDim", "stream", "attrs", "numAttrs"}),
    ("dim3", [], {"x", "y", "z"}),
    ("cudaExtent", [], {"width", "height", "depth"}),
    ("cudaPitchedPtr", [], {"ptr", "pitch", "xsize", "ysize"}),
    ("cudaPos", [], {"x", "y", "z"}),
    ("cudaFuncAttributes", [], {"sharedSizeBytes", "maxThreadsPerBlock", "numRegs", "ptxVersion"}),
    ("cudaMemPoolProps", [], {"allocType", "handleTypes", "location", "maxSize", "usage", "reserved"}),
    ("cudaMemLocation", [], {"type", "id"}),
    ("cudaGraphNodeParams", [], {"type", "kernel", "memcpy", "memset", "host", "conditional", "reserved2"}),
    ("cudaIpcMemHandle_t", ["cudaIpcMemHandle_st"], {"reserved"}),
    ("cudaIpcEventHandle_t", ["cudaIpcEventHandle_st"], {"reserved"}),
    ("CUuuid", ["CUuuid_st"], {"bytes"}),
    ("cudaUUID_t", ["CUuuid_st"], {"bytes"}),
])
def test_the_classes_users_rely_on(name, bases, fields):
    cls = getattr(runtime, name)
    assert cls.__module__ == "cuda.bindings.runtime"
    assert [k.__name__ for k in cls.__mro__[1:-1]] == bases
    assert all(k.__module__ == "cuda.bindings.runtime" for k in cls.__mro__[:-1])   # never the driver's
    assert fields <= set(fields_of(cls))
    assert cls().getPtr() != 0


def test_every_class_constructs_reads_and_reprs():
    assert len(ALL) > 150
    for name in ALL:
        o = getattr(runtime, name)()
        text = repr(o)
        assert isinstance(text, str) and " : " in text, name
        assert str(o) == text
        assert not re.search(r" : <[A-Za-z]*(Error|Exception)>", text), (name, text)   # every field read


# --- the C layout ----------------------------------------------------------------

C_LAYOUT_MAIN = """\
#define CUDA_BINDINGS_RUNTIME_INTEROP
#include "cb_interop_types.h"
#include "cuda_bindings/runtime.h"
#include <stddef.h>
#include <stdio.h>

int main(void)
{
%s    return 0;
}
"""


@functools.lru_cache(maxsize=None)
def c_layout(tmpdir):
    """{class: (sizeof, {field: (offset, size)})} as the C compiler lays the
    runtime's types out, for every class the generator made."""
    helpers.load_gen()
    from gen import emit_structs
    lines = []
    for c in emit_structs.structs(model()).ordered:
        if c.ctype is not None:
            size = "sizeof(%s)" % c.ctype
        else:   # an untagged member: located by its path in the named type holding it
            size = "sizeof(((%s *)0)->%s)" % (c.root, c.path)
        lines.append('    printf("%s - %%zu 0\\n", %s);\n' % (c.name, size))
        for f in c.fields:
            if c.ctype is not None:
                off = "offsetof(%s, %s)" % (c.ctype, f.name)
                mem = "((%s *)0)->%s" % (c.ctype, f.name)
            else:
                off = "offsetof(%s, %s.%s) - offsetof(%s, %s)" % (c.root, c.path, f.name, c.root, c.path)
                mem = "((%s *)0)->%s.%s" % (c.root, c.path, f.name)
            lines.append('    printf("%s %s %%zu %%zu\\n", (size_t)(%s), sizeof(%s));\n' % (c.name, f.name, off, mem))
    src = os.path.join(tmpdir, "layout.c")
    exe = os.path.join(tmpdir, "layout")
    with open(src, "w") as f:
        f.write(C_LAYOUT_MAIN % "".join(lines))
    import cuda.bindings
    cmd = [os.environ.get("CC", "cc"), "-std=c11", "-o", exe, src, "-I", os.path.join(ROOT, "csrc", "compat"),
           "-I", cuda.bindings.get_include(), "-I", cuda_include(), "-I", sysconfig.get_paths()["include"]]
    built = subprocess.run(cmd, capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip("cannot compile the layout probe: %s" % built.stderr[-2000:])
    out = {}
    for line in subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines():
        cls, field, a, b = line.split()
        if field == "-":
            out[cls] = (int(a), {})
        else:
            out[cls][1][field] = (int(a), int(b))
    return out


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    return c_layout(str(tmp_path_factory.mktemp("layout")))


def test_sizes_are_the_c_sizes(layout):
    assert len(layout) == len(ALL)
    for name, (size, _) in layout.items():
        cls = getattr(runtime, name)
        assert runtime.sizeof(cls) == size, name
    assert runtime.sizeof(runtime.cudaDeviceProp) == layout["cudaDeviceProp"][0] > 1000
    assert runtime.sizeof(runtime.cudaKernelNodeAttrValue) == 64


def fill(n):
    """An int whose n little-endian bytes are all 0x01: fits every integer,
    enum, handle and address field of n bytes, signed or not."""
    return int.from_bytes(b"\1" * n, "little")


def probe(o, name, size):
    """Write field `name` of the zeroed struct `o` with a value that sets
    every byte of a field of `size` bytes; None for a view (nothing written)."""
    cur = getattr(o, name)
    if isinstance(cur, bytes):
        setattr(o, name, b"\1" * size)
    elif isinstance(cur, float):
        setattr(o, name, struct.unpack("<f" if size == 4 else "<d", b"\1" * size)[0])
    elif is_struct_class(type(cur)):
        return cur.getPtr() - o.getPtr()
    elif isinstance(cur, list) and cur and is_struct_class(type(cur[0])):
        return cur[0].getPtr() - o.getPtr()
    elif isinstance(cur, list) and cur:   # a fixed array
        each = size // len(cur)
        if isinstance(cur[0], float):
            setattr(o, name, [struct.unpack("<f" if each == 4 else "<d", b"\1" * each)[0]] * len(cur))
        else:
            setattr(o, name, [fill(each)] * len(cur))
    else:   # int, enum member, handle, or a pointer field (None, [] when counted): an int
        setattr(o, name, fill(size))
    return None


def test_every_field_writes_its_own_bytes(layout):
    """Each field of each class, written from Python into a zeroed value,
    changes exactly the bytes C's offsetof/sizeof give that member."""
    checked = 0
    for name, (size, fields) in layout.items():
        cls = getattr(runtime, name)
        if cls.__mro__[1] is not object and is_struct_class(cls.__mro__[1]):
            continue   # an alias: its base's table
        for field, (off, fsize) in fields.items():
            o = cls()
            ctypes.memset(o.getPtr(), 0, size)   # dim3 starts at 1, 1, 1
            view = probe(o, field, fsize)
            if view is not None:
                assert view == off, "%s.%s" % (name, field)
                continue
            changed = [i for i, b in enumerate(memory(o)) if b]
            assert changed == list(range(off, off + fsize)), "%s.%s at %d+%d" % (name, field, off, fsize)
            checked += 1
    assert checked > 500


def test_values_from_functions_read_back_as_c_wrote_them():
    """make_cudaExtent/Pos/PitchedPtr and cudaCreateChannelDesc are computed
    in C; their objects hold what a ctypes mirror of the C struct reads."""
    class Extent(ctypes.Structure):
        _fields_ = [("width", ctypes.c_size_t), ("height", ctypes.c_size_t), ("depth", ctypes.c_size_t)]

    class Pitched(ctypes.Structure):
        _fields_ = [("ptr", ctypes.c_void_p), ("pitch", ctypes.c_size_t), ("xsize", ctypes.c_size_t),
                    ("ysize", ctypes.c_size_t)]

    class Channel(ctypes.Structure):
        _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("z", ctypes.c_int), ("w", ctypes.c_int),
                    ("f", ctypes.c_int)]
    e = runtime.make_cudaExtent(640, 480, 3)
    assert isinstance(e, runtime.cudaExtent)
    c = Extent.from_address(e.getPtr())
    assert (c.width, c.height, c.depth) == (640, 480, 3) == (e.width, e.height, e.depth)
    p = runtime.make_cudaPos(1, 2, 2 ** 64 - 1)
    assert isinstance(p, runtime.cudaPos) and (p.x, p.y, p.z) == (1, 2, 2 ** 64 - 1)
    pp = runtime.make_cudaPitchedPtr(0x1000, 512, 100, 20)
    c = Pitched.from_address(pp.getPtr())
    assert (c.ptr, c.pitch, c.xsize, c.ysize) == (0x1000, 512, 100, 20)
    assert (pp.ptr, pp.pitch, pp.xsize, pp.ysize) == (0x1000, 512, 100, 20)
    err, d = runtime.cudaCreateChannelDesc(8, 16, 0, 32, runtime.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    assert err == runtime.cudaError_t.cudaSuccess and isinstance(d, runtime.cudaChannelFormatDesc)
    c = Channel.from_address(d.getPtr())
    assert (c.x, c.y, c.z, c.w, c.f) == (8, 16, 0, 32, 2)
    assert d.f is runtime.cudaChannelFormatKind.cudaChannelFormatKindFloat

    # ... and what Python fills is what C reads: a struct from a function set as a field
    m = runtime.cudaMemcpy3DParms()
    m.extent = e
    m.srcPtr = pp
    m.dstPos = p
    assert Extent.from_address(m.extent.getPtr()).depth == 3 and m.srcPtr.pitch == 512 and m.dstPos.z == 2 ** 64 - 1
    r = runtime.cudaResourceDesc()
    r.res.linear.desc = d
    assert Channel.from_address(r.res.pitch2D.desc.getPtr()).w == 32   # union members share memory


# --- field kinds -------------------------------------------------------------------

def test_device_prop_fields():
    p = runtime.cudaDeviceProp()
    assert p.name == b"" and p.luid == bytes(8) and p.maxThreadsDim == [0, 0, 0]
    # name is a C string: the bytes before the NUL, as NVIDIA's class reads it
    p.name = b"NVIDIA Test GPU"
    assert p.name == b"NVIDIA Test GPU" and p.name.decode() == "NVIDIA Test GPU"
    raw = ctypes.string_at(p.getPtr(), 256)
    assert raw == b"NVIDIA Test GPU" + bytes(256 - 15)
    p.name = "short"   # str as UTF-8; the rest is zeroed
    assert p.name == b"short" and ctypes.string_at(p.getPtr(), 7) == b"short\0\0"
    p.name = b"x" * 256   # every byte used: no NUL to stop at
    assert p.name == b"x" * 256
    with pytest.raises(ValueError, match="cudaDeviceProp.name must be at most 256 bytes, got 257"):
        p.name = b"x" * 257
    with pytest.raises(TypeError, match="cudaDeviceProp.name must be bytes or str, not int"):
        p.name = 5
    # luid: raw bytes of exactly 8
    p.luid = bytes(range(1, 9))
    assert p.luid == bytes(range(1, 9))
    with pytest.raises(ValueError, match="cudaDeviceProp.luid must be 8 bytes, got 3"):
        p.luid = b"abc"
    # uuid: a view of the nested cudaUUID_t
    assert type(p.uuid) is runtime.cudaUUID_t and isinstance(p.uuid, runtime.CUuuid_st)
    p.uuid.bytes = bytes(range(16))
    off = p.uuid.getPtr() - p.getPtr()
    assert ctypes.string_at(p.getPtr() + off, 16) == bytes(range(16)) and p.uuid.bytes == bytes(range(16))
    u = runtime.CUuuid()
    u.bytes = b"u" * 16
    p.uuid = u   # any class of that C type: copied
    assert p.uuid.bytes == b"u" * 16
    with pytest.raises(TypeError, match="cudaDeviceProp.uuid must be cudaUUID_t, not CUuuid"):
        p.uuid = driver.CUuuid()   # the driver's class is another module's type
    # int arrays: lists of their fixed length, range-checked
    p.maxGridSize = [2 ** 31 - 1, 65535, 65535]
    p.maxThreadsDim = (1024, 1024, 64)
    assert p.maxGridSize == [2 ** 31 - 1, 65535, 65535] and p.maxThreadsDim == [1024, 1024, 64]
    with pytest.raises(ValueError, match=r"cudaDeviceProp.maxThreadsDim must have 3 items, got 2"):
        p.maxThreadsDim = [1, 2]
    with pytest.raises(OverflowError, match=r"cudaDeviceProp.maxGridSize\[0\] must be in"):
        p.maxGridSize = [2 ** 31, 1, 1]
    assert p.maxGridSize == [2 ** 31 - 1, 65535, 65535]   # nothing written on failure
    p.totalGlobalMem = 2 ** 64 - 1   # size_t
    p.major, p.minor = 9, 0
    assert (p.totalGlobalMem, p.major, p.minor) == (2 ** 64 - 1, 9, 0)
    with pytest.raises(OverflowError, match="cudaDeviceProp.totalGlobalMem"):
        p.totalGlobalMem = -1
    with pytest.raises(TypeError, match="cudaDeviceProp.major must be int, not str"):
        p.major = "9"
    lines = repr(p).split("\n")
    assert lines[0] == "name : b'x" + "x" * 255 + "'" and "uuid :" in lines and "major : 9" in lines


def test_int_fields_take_their_ranges():
    for cls, field, lo, hi in [(runtime.dim3, "x", 0, 2 ** 32 - 1), (runtime.cudaMemLocation, "id", -2 ** 31, 2 ** 31 - 1),
                               (runtime.cudaFuncAttributes, "sharedSizeBytes", 0, 2 ** 64 - 1),
                               (runtime.cudaMemPoolProps, "usage", 0, 2 ** 16 - 1),
                               (runtime.cudaGraphNodeParams, "reserved2", -2 ** 63, 2 ** 63 - 1)]:
        o = cls()
        for v in (lo, hi, 7):
            setattr(o, field, v)
            assert getattr(o, field) == v
        for v in (lo - 1, hi + 1):
            with pytest.raises(OverflowError, match=r"%s\.%s must be in \[" % (cls.__name__, field)):
                setattr(o, field, v)
        for v in (None, 1.5, "1"):
            with pytest.raises(TypeError, match=r"%s\.%s must be int" % (cls.__name__, field)):
                setattr(o, field, v)
        assert getattr(o, field) == 7


def test_enum_and_float_arrays_of_texture_desc():
    t = runtime.cudaTextureDesc()
    M = runtime.cudaTextureAddressMode
    assert t.addressMode == [M.cudaAddressModeWrap] * 3
    t.addressMode = [M.cudaAddressModeClamp, 2, M.cudaAddressModeBorder]
    assert t.addressMode == [M.cudaAddressModeClamp, M.cudaAddressModeMirror, M.cudaAddressModeBorder]
    assert all(type(m) is M for m in t.addressMode)
    t.filterMode = runtime.cudaTextureFilterMode.cudaFilterModeLinear
    assert t.filterMode is runtime.cudaTextureFilterMode.cudaFilterModeLinear
    t.borderColor = [1, 0.5, -2, 3.25]
    assert t.borderColor == [1.0, 0.5, -2.0, 3.25]
    t.maxMipmapLevelClamp = 4
    assert t.maxMipmapLevelClamp == 4.0
    with pytest.raises(ValueError, match="cudaTextureDesc.borderColor must have 4 items, got 3"):
        t.borderColor = [1, 2, 3]
    with pytest.raises(TypeError, match=r"cudaTextureDesc.borderColor\[1\] must be float, not str"):
        t.borderColor = [1, "2", 3, 4]
    with pytest.raises(OverflowError, match=r"borderColor\[0\]"):
        t.borderColor = [1e300, 0, 0, 0]
    with pytest.raises(TypeError, match=r"cudaTextureDesc.addressMode\[0\] must be int or an enum member"):
        t.addressMode = [None, 0, 0]
    assert t.borderColor == [1.0, 0.5, -2.0, 3.25] and t.addressMode[2] is M.cudaAddressModeBorder
    assert "filterMode : <cudaTextureFilterMode.cudaFilterModeLinear: 1>" in repr(t).split("\n")


def test_resource_desc_union_of_anonymous_structs():
    r = runtime.cudaResourceDesc()
    assert type(r.res).__name__ == "anon_union0" and type(r.res.linear).__name__ == "anon_struct3"
    r.resType = runtime.cudaResourceType.cudaResourceTypeLinear
    r.res.linear.devPtr = 0x1000
    r.res.linear.sizeInBytes = 4096
    r.res.linear.desc.x = 32
    r.res.linear.desc.f = runtime.cudaChannelFormatKind.cudaChannelFormatKindFloat
    assert r.res.pitch2D.devPtr == 0x1000 and r.res.pitch2D.desc.x == 32   # one union
    assert int(r.res.array.array) == 0x1000 and isinstance(r.res.array.array, runtime.cudaArray_t)
    assert r.res.getPtr() - r.getPtr() == 8 and r.res.linear.getPtr() == r.res.getPtr()
    r.res.array.array = runtime.cudaArray_t(0x2000)
    assert r.res.linear.devPtr == 0x2000
    r.res.mipmap.mipmap = runtime.cudaMipmappedArray_t(0x3000)
    assert int(r.res.array.array) == 0x3000
    r2 = runtime.cudaResourceDesc()
    r2.res = r.res   # the same C type: copied
    r.res.linear.sizeInBytes = 1
    assert r2.res.linear.sizeInBytes == 4096
    with pytest.raises(TypeError, match="cudaResourceDesc.res must be anon_union0, not anon_struct3"):
        r.res = r.res.linear
    lines = repr(r).split("\n")
    assert lines[0] == "resType : <cudaResourceType.cudaResourceTypeLinear: 2>" and lines[1] == "res :"
    assert "        sizeInBytes : 1" in lines and lines[-1] == "flags : 0"
    v = runtime.cudaResourceViewDesc()
    v.format = runtime.cudaResourceViewFormat.cudaResViewFormatFloat4
    v.width, v.height, v.depth, v.lastLayer = 64, 32, 1, 5
    assert (v.width, v.height, v.depth, v.lastLayer) == (64, 32, 1, 5)
    assert v.format is runtime.cudaResourceViewFormat.cudaResViewFormatFloat4


def test_memcpy3d_parms_views_and_handles():
    m = runtime.cudaMemcpy3DParms()
    assert isinstance(m.srcPos, runtime.cudaPos) and isinstance(m.srcPtr, runtime.cudaPitchedPtr)
    assert isinstance(m.extent, runtime.cudaExtent) and isinstance(m.srcArray, runtime.cudaArray_t)
    m.srcPtr.pitch = 256   # a view writes through
    m.extent.depth = 4
    assert m.srcPtr.pitch == 256 and m.extent.depth == 4
    assert ctypes.c_size_t.from_address(m.extent.getPtr() + 16).value == 4
    for v, want in ((runtime.cudaArray_t(5), 5), (7, 7), (None, 0)):
        m.srcArray = v
        assert type(m.srcArray) is runtime.cudaArray_t and int(m.srcArray) == want
    with pytest.raises(TypeError, match=r"cudaMemcpy3DParms.srcArray must be cudaArray_t, (\w+, )?int or None, not cudaStream_t"):
        m.srcArray = runtime.cudaStream_t(1)
    with pytest.raises(OverflowError, match="srcArray"):
        m.srcArray = -1
    m.kind = runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost
    assert m.kind is runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost
    h = m.srcArray   # a handle read is a copy
    m.srcArray = 9
    assert int(h) == 0


def test_handle_fields_take_the_driver_twin():
    """A field of a runtime handle type takes that class, the driver class of
    the same C type (CUstream for cudaStream_t), an int and None; it reads
    back as the runtime's class."""
    c = runtime.cudaLaunchConfig_t()
    for v, want in ((runtime.cudaStream_t(5), 5), (driver.CUstream(6), 6), (7, 7), (None, 0)):
        c.stream = v
        assert type(c.stream) is runtime.cudaStream_t and int(c.stream) == want
    with pytest.raises(TypeError, match="cudaLaunchConfig_t.stream must be cudaStream_t, CUstream, int or None, "
                                        "not CUevent"):
        c.stream = driver.CUevent(1)
    v = runtime.cudaLaunchAttributeValue()
    v.programmaticEvent.event = driver.CUevent(0x42)
    assert type(v.programmaticEvent.event) is runtime.cudaEvent_t and int(v.programmaticEvent.event) == 0x42
    v.programmaticEvent.triggerAtBlockStart = 1
    v.launchCompletionEvent.event = runtime.cudaEvent_t(0x43)
    assert int(v.programmaticEvent.event) == 0x43   # one union
    p = runtime.cudaExternalSemaphoreSignalNodeParams()   # a counted array of handles
    p.extSemArray = [runtime.cudaExternalSemaphore_t(3), 4, None]
    assert p.numExtSems == 3 and [int(s) for s in p.extSemArray] == [3, 4, 0]
    g = runtime.cudaConditionalNodeParams()
    g.handle = 11
    assert int(g.handle) == 11


def test_launch_attribute_value_aliases():
    assert issubclass(runtime.cudaKernelNodeAttrValue, runtime.cudaLaunchAttributeValue)
    assert issubclass(runtime.cudaStreamAttrValue, runtime.cudaLaunchAttributeValue)
    assert runtime.cudaKernelNodeAttrValue.__basicsize__ == runtime.cudaLaunchAttributeValue.__basicsize__
    k = runtime.cudaKernelNodeAttrValue()
    k.clusterDim.x, k.clusterDim.y, k.clusterDim.z = 2, 1, 1
    k.accessPolicyWindow.hitRatio = 0.25   # overlaps clusterDim
    a = runtime.cudaLaunchAttribute()
    a.val = k   # an alias instance where its base is wanted
    assert a.val.accessPolicyWindow.hitRatio == 0.25 and type(a.val) is runtime.cudaLaunchAttributeValue
    s = runtime.cudaStreamAttrValue()
    s.syncPolicy = runtime.cudaSynchronizationPolicy.cudaSyncPolicySpin
    assert s.syncPolicy is runtime.cudaSynchronizationPolicy.cudaSyncPolicySpin
    s.accessPolicyWindow.base_ptr = 0x1000
    s.accessPolicyWindow.hitProp = runtime.cudaAccessProperty.cudaAccessPropertyPersisting
    assert s.accessPolicyWindow.hitProp is runtime.cudaAccessProperty.cudaAccessPropertyPersisting


def test_fresh_dim3_is_one_one_one_as_nvidias():
    d = runtime.dim3()
    assert (d.x, d.y, d.z) == (1, 1, 1)
    p = runtime.cudaKernelNodeParams()
    assert [(v.x, v.y, v.z) for v in (p.gridDim, p.blockDim)] == [(1, 1, 1)] * 2
    v2 = runtime.cudaKernelNodeParamsV2()   # NVIDIA's V2 starts zeroed
    assert [(v.x, v.y, v.z) for v in (v2.gridDim, v2.blockDim)] == [(0, 0, 0)] * 2
    raw = (ctypes.c_uint * 3)()
    view = runtime.dim3(ctypes.addressof(raw))   # a view never writes the memory it is given
    assert (view.x, list(raw)) == (0, [0, 0, 0])


def test_kernel_node_params():
    p = runtime.cudaKernelNodeParams()
    assert isinstance(p.gridDim, runtime.dim3) and p.func == 0
    p.gridDim.x, p.blockDim.x = 4, 256
    assert (p.gridDim.x, p.blockDim.x) == (4, 256)
    d = runtime.dim3()
    d.x, d.y, d.z = 1, 2, 3
    p.blockDim = d
    assert (p.blockDim.x, p.blockDim.y, p.blockDim.z) == (1, 2, 3)
    p.func = 0x5000   # void *: an address, a handle, None
    assert p.func == 0x5000
    p.func = runtime.cudaFunction_t(0x6000)
    assert p.func == 0x6000
    p.func = None
    assert p.func == 0
    p.kernelParams = ((5, 2.5, runtime.cudaStream_t(0x1000)), (ctypes.c_int, ctypes.c_double, None))
    gc.collect()
    argv = (ctypes.c_void_p * 3).from_address(p.kernelParams)
    assert ctypes.c_int.from_address(argv[0]).value == 5
    assert ctypes.c_double.from_address(argv[1]).value == 2.5
    assert ctypes.c_uint64.from_address(argv[2]).value == 0x1000
    g = runtime.cudaGraphNodeParams()   # through a view of an anonymous union member
    g.type = runtime.cudaGraphNodeType.cudaGraphNodeTypeKernel
    g.kernel.kernelParams = ((9,), (ctypes.c_int,))
    gc.collect()
    assert ctypes.c_int.from_address(ctypes.c_void_p.from_address(g.kernel.kernelParams).value).value == 9
    assert g.kernel.getPtr() == g.memcpy.getPtr() == g.host.getPtr()   # one union
    p.kernelParams = None
    assert p.kernelParams == 0
    with pytest.raises(TypeError, match="kernelParams"):
        p.kernelParams = ((1, 2), (ctypes.c_int,))
    with pytest.raises(TypeError, match="kernelParams"):
        p.kernelParams = "args"


def test_launch_config_attrs_counted_by_num_attrs():
    c = runtime.cudaLaunchConfig_t()
    assert c.attrs == [] and c.numAttrs == 0
    a = runtime.cudaLaunchAttribute()
    a.id = runtime.cudaLaunchAttributeID.cudaLaunchAttributeCooperative
    a.val.cooperative = 1
    b = runtime.cudaLaunchAttribute_st()
    b.id = runtime.cudaLaunchAttributeID.cudaLaunchAttributePriority
    b.val.priority = 7
    c.attrs = [a, b]
    assert c.numAttrs == 2 and [x.id for x in c.attrs] == [a.id, b.id] and c.attrs[1].val.priority == 7
    a.val.cooperative = 0   # copied
    assert c.attrs[0].val.cooperative == 1
    c.numAttrs = 99   # never read past our copy
    assert len(c.attrs) == 2
    c.attrs = None
    assert c.attrs == [] and c.numAttrs == 0
    with pytest.raises(TypeError, match=r"cudaLaunchConfig_t.attrs\[0\] must be cudaLaunchAttribute, not CUlaunchAttribute"):
        c.attrs = [driver.CUlaunchAttribute()]


def test_pointer_attributes_and_mem_pool_props():
    a = runtime.cudaPointerAttributes()
    assert a.type is runtime.cudaMemoryType.cudaMemoryTypeUnregistered
    a.type = runtime.cudaMemoryType.cudaMemoryTypeDevice
    a.device = 1
    a.devicePointer = 0x7F0000000000
    buf = bytearray(16)
    a.hostPointer = buf
    assert (a.type, a.device, a.devicePointer, a.hostPointer) == (2, 1, 0x7F0000000000, address(buf))
    assert "devicePointer : 0x7f0000000000" in repr(a).split("\n")
    p = runtime.cudaMemPoolProps()
    p.location.type = runtime.cudaMemLocationType.cudaMemLocationTypeDevice
    p.location.id = 3
    assert p.location.getPtr() - p.getPtr() == 8 and p.location.id == 3
    loc = runtime.cudaMemLocation()
    loc.id = 4
    p.location = loc
    assert p.location.id == 4 and p.location.type is runtime.cudaMemLocationType.cudaMemLocationTypeInvalid
    assert p.reserved == bytes(len(p.reserved))   # unsigned char[]: bytes
    p.maxSize = 1 << 40
    assert p.maxSize == 1 << 40


def test_func_attributes_and_ipc_handles():
    f = runtime.cudaFuncAttributes()
    f.maxThreadsPerBlock, f.numRegs, f.ptxVersion = 1024, 32, 90
    assert (f.maxThreadsPerBlock, f.numRegs, f.ptxVersion) == (1024, 32, 90)
    assert f.reserved == [0] * len(f.reserved)
    for cls in (runtime.cudaIpcMemHandle_t, runtime.cudaIpcEventHandle_t):
        h = cls()
        assert h.reserved == bytes(64)
        h.reserved = b"\xff" * 64
        assert h.reserved == b"\xff" * 64 and memory(h) == b"\xff" * 64
        h.reserved = [-1] * 64   # a list of ints, either signedness of char
        with pytest.raises(ValueError, match="%s.reserved must be 64 bytes, got 3" % cls.__name__):
            h.reserved = b"abc"
        with pytest.raises(TypeError, match="reserved must be bytes, not str"):
            h.reserved = "x" * 64


# --- views, keepalive, raw memory --------------------------------------------------

def test_views_keep_their_parent_alive():
    m = runtime.cudaMemcpy3DParms()
    m.extent.width = 77
    view = m.extent
    del m
    gc.collect()
    assert view.width == 77
    view.width = 78
    assert view.width == 78


def test_pointer_fields_keep_their_target_alive():
    p = runtime.cudaPitchedPtr()
    buf = bytearray(b"x" * 64)
    before = sys.getrefcount(buf)
    p.ptr = buf
    assert p.ptr == address(buf) and sys.getrefcount(buf) > before
    p.ptr = 0
    gc.collect()
    assert sys.getrefcount(buf) == before
    m = runtime.cudaMemcpy3DParms()   # set through a temporary view: the owner keeps it
    m.srcPtr.ptr = buf
    gc.collect()
    assert sys.getrefcount(buf) == before + 1 and m.srcPtr.ptr == address(buf)
    del m
    gc.collect()
    assert sys.getrefcount(buf) == before
    with pytest.raises(TypeError, match="cudaPitchedPtr.ptr must be an int address, None, a handle, a struct or a buffer"):
        p.ptr = "memory"


def test_ptr_views_raw_memory():
    mem = ctypes.create_string_buffer(24)
    e = runtime.cudaExtent(_ptr=ctypes.addressof(mem))
    e.width, e.height, e.depth = 1, 2, 3
    assert mem.raw == struct.pack("<3Q", 1, 2, 3)
    assert runtime.cudaExtent(ctypes.addressof(mem)).depth == 3
    with pytest.raises(TypeError, match=r"cudaExtent\(_ptr\) must be an int address"):
        runtime.cudaExtent(_ptr="0")


def test_bad_values_never_crash():
    """Every field of every class refuses values of the wrong kind with a
    TypeError, ValueError or OverflowError (or takes them), never a crash."""
    odd = (None, "text", 1.5, -1, 2 ** 70, [1, 2], b"\0", object())
    for name in ALL:
        cls = getattr(runtime, name)
        for field in fields_of(cls):
            for v in odd:
                o = cls()
                try:
                    setattr(o, field, v)
                except BAD:
                    pass
                repr(o)


# --- structs through functions --------------------------------------------------------

def test_functions_take_the_struct_classes():
    """The shims take an instance of the parameter's class or of an alias of
    the same C type, and refuse others; with no GPU the call itself returns
    an error status, never raises."""
    m = runtime.cudaMemcpy3DParms()
    err, = runtime.cudaMemcpy3D(m)
    assert isinstance(err, runtime.cudaError_t)
    with pytest.raises(TypeError, match="cudaMemcpy3D.*cudaMemcpy3DParms"):
        runtime.cudaMemcpy3D(runtime.cudaExtent())
    v = runtime.cudaStreamAttrValue()
    err, = runtime.cudaStreamSetAttribute(None, runtime.cudaLaunchAttributeID.cudaLaunchAttributePriority, v)
    assert isinstance(err, runtime.cudaError_t)


# --- with a GPU ---------------------------------------------------------------------

def ok(result):
    err, *rest = result
    assert err == runtime.cudaError_t.cudaSuccess, err
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


@pytest.mark.gpu
def test_device_properties_of_a_real_device():
    prop = ok(runtime.cudaGetDeviceProperties(0))
    assert isinstance(prop, runtime.cudaDeviceProp)
    assert isinstance(prop.name, bytes) and prop.name and b"\0" not in prop.name
    assert prop.name.decode().strip()
    assert prop.major >= 1 and prop.minor >= 0 and prop.multiProcessorCount >= 1
    assert len(prop.maxThreadsDim) == 3 and all(x >= 1 for x in prop.maxThreadsDim)
    assert len(prop.maxGridSize) == 3 and prop.maxGridSize[0] >= 65535
    assert prop.warpSize == 32 and prop.totalGlobalMem > 2 ** 28
    assert isinstance(prop.uuid, runtime.cudaUUID_t) and len(prop.uuid.bytes) == 16
    assert prop.uuid.bytes != bytes(16)
    ok(driver.cuInit(0))
    dev = ok(driver.cuDeviceGet(0))
    assert prop.uuid.bytes == ok(driver.cuDeviceGetUuid(dev)).bytes
    assert prop.name.decode() == ok(driver.cuDeviceGetName(256, dev)).split(b"\0")[0].decode()
    assert "major : %d" % prop.major in repr(prop).split("\n")


@pytest.mark.gpu
def test_pointer_attributes_of_device_memory():
    ptr = ok(runtime.cudaMalloc(1 << 20))
    try:
        attrs = ok(runtime.cudaPointerGetAttributes(ptr))
        assert isinstance(attrs, runtime.cudaPointerAttributes)
        assert attrs.type is runtime.cudaMemoryType.cudaMemoryTypeDevice
        assert attrs.devicePointer == int(ptr) and attrs.device == ok(runtime.cudaGetDevice())
        assert attrs.hostPointer == 0
    finally:
        ok(runtime.cudaFree(ptr))


@pytest.mark.gpu
def test_memcpy3d_through_structs_filled_in_python():
    """A cudaMemcpy3DParms filled in Python (host buffers as pitched pointers)
    copies to device memory and back."""
    width, height, depth = 16, 4, 2
    pitched = ok(runtime.cudaMalloc3D(runtime.make_cudaExtent(width, height, depth)))
    assert isinstance(pitched, runtime.cudaPitchedPtr) and pitched.pitch >= width
    src = bytearray(range(width * height * depth))
    up = runtime.cudaMemcpy3DParms()
    up.srcPtr = runtime.make_cudaPitchedPtr(address(src), width, width, height)
    up.dstPtr = pitched
    up.extent = runtime.make_cudaExtent(width, height, depth)
    up.kind = runtime.cudaMemcpyKind.cudaMemcpyHostToDevice
    ok(runtime.cudaMemcpy3D(up))
    back = bytearray(len(src))
    down = runtime.cudaMemcpy3DParms()
    down.srcPtr = pitched
    down.dstPtr.ptr = back
    down.dstPtr.pitch, down.dstPtr.xsize, down.dstPtr.ysize = width, width, height
    down.extent.width, down.extent.height, down.extent.depth = width, height, depth
    down.kind = runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost
    ok(runtime.cudaMemcpy3D(down))
    assert back == src
    ok(runtime.cudaFree(pitched.ptr))
