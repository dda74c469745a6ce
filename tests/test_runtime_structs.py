"""Struct and union classes of cuda.bindings.runtime (csrc/cb_struct_*.c over
tables from gen/emit_structs.py): the classes users rely on, the C layout
(every field of every class written through Python lands at the offset and
size the C compiler gives it), each field kind read and written, handle
fields that take the driver's twin class, and bad values raising clear
exceptions.

Most of it needs no GPU; the tests marked `gpu` read what the runtime
returns for a real device.  The classes and fields against the headers and
the reference, and the integer, handle and pointer fields and views that
both modules' classes share, are test_structs.py's.
"""
import ctypes
import functools
import gc
import os
import re
import struct
import subprocess
import sysconfig

import pytest

import helpers
from helpers import ROOT, IntLike, address, fields_of, is_struct_class, public_fields_of

runtime = pytest.importorskip("cuda.bindings.runtime")
driver = pytest.importorskip("cuda.bindings.driver")

BAD = (TypeError, ValueError, OverflowError)


def cuda_include():
    return helpers.header_dir("driver")


_VIEWED = []   # the memory behind the views new() makes, kept for the whole run


def new(cls):
    """A fresh zeroed instance: classes of structs declared inside another
    (anon_*) take the address of memory to view, as NVIDIA's do."""
    try:
        return cls()
    except TypeError as e:
        assert "takes exactly 1 positional argument (0 given)" in str(e), (cls, e)
    mem = ctypes.create_string_buffer(runtime.sizeof(cls))
    _VIEWED.append(mem)
    return cls(ctypes.addressof(mem))


ALL = helpers.struct_classes(runtime)


def memory(o):
    """The bytes of o's C value."""
    return ctypes.string_at(o.getPtr(), runtime.sizeof(type(o)))


# --- the classes the headers declare ----------------------------------------------

@functools.lru_cache(maxsize=None)
def model():
    """The generator's runtime model (headers parsed as the build parses them)."""
    if not os.path.exists(os.path.join(cuda_include(), "cuda_runtime_api.h")):
        pytest.skip("CUDA runtime headers not found")
    return helpers.header_model("runtime")


@pytest.mark.parametrize("name,bases,fields", [
    ("cudaDeviceProp", [], {"name", "uuid", "luid", "maxGridSize", "maxThreadsDim", "major", "minor"}),
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
    ("cudaMemPoolProps", [], {"allocType", "handleTypes", "location", "maxSize", "usage"}),
    ("cudaMemLocation", [], {"type", "id"}),
    ("cudaGraphNodeParams", [], {"type", "kernel", "memcpy", "memset", "host", "conditional"}),
    ("cudaIpcMemHandle_t", ["cudaIpcMemHandle_st"], set()),   # opaque, as NVIDIA's: getPtr only
    ("cudaIpcEventHandle_t", ["cudaIpcEventHandle_st"], set()),
    ("CUuuid", ["CUuuid_st"], {"bytes"}),
    ("cudaUUID_t", ["CUuuid_st"], {"bytes"}),
])
def test_the_classes_users_rely_on(name, bases, fields):
    cls = getattr(runtime, name)
    assert cls.__module__ == "cuda.bindings.runtime"
    assert [k.__name__ for k in cls.__mro__[1:-1]] == bases
    assert all(k.__module__ == "cuda.bindings.runtime" for k in cls.__mro__[:-1])   # never the driver's
    assert fields <= set(public_fields_of(cls))
    if not fields:
        assert public_fields_of(cls) == []
    for gone in ("reserved", "reserved0", "reserved1", "reserved2", "pad", "padding", "unused"):
        if gone != "pad" or not cls.__name__.endswith("Value"):   # a union's pad is its bytes, shown
            assert not hasattr(cls(), gone), (name, gone)
    assert cls().getPtr() != 0


def test_every_class_constructs_reads_and_reprs():
    assert len(ALL) > 110
    for name in ALL:
        cls = getattr(runtime, name)
        o = new(cls)
        text = repr(o)
        assert str(o) == text
        if not public_fields_of(cls):   # opaque (cudaIpcMemHandle_t ...): nothing shown, as NVIDIA's
            assert text == "", name
            continue
        assert isinstance(text, str) and " : " in text, name
        shown = [line.split(" : ")[0].strip() for line in text.split("\n")]
        assert not [f for f in shown if re.fullmatch(r"_\w+|reserved\d*|unused|padding\d*", f)
                    and f not in ("_internal_padding", "_oversize")], (name, text)   # those two are shown on NVIDIA's
        # every field read; a zeroed enum that has no member 0 reads ValueError, as NVIDIA's
        assert not re.search(r" : <(?!ValueError>)[A-Za-z]*(Error|Exception)>", text), (name, text)
        for f in public_fields_of(cls):
            try:
                getattr(o, f)
            except ValueError as e:
                assert re.match(r"0 is not a valid \w+", str(e)), (name, f, e)
                assert "\n%s : <ValueError>" % f in "\n" + text, (name, f)
    with pytest.raises(ValueError, match="0 is not a valid cudaMemcpy3DOperandType"):
        runtime.cudaMemcpy3DOperand().type


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
            member = f.name[1:] if f.show == "CB_SHOW_HIDDEN" else f.name   # the private `_reserved` is C's reserved
            if c.ctype is not None:
                off = "offsetof(%s, %s)" % (c.ctype, member)
                mem = "((%s *)0)->%s" % (c.ctype, member)
            else:
                off = "offsetof(%s, %s.%s) - offsetof(%s, %s)" % (c.root, c.path, member, c.root, c.path)
                mem = "((%s *)0)->%s.%s" % (c.root, c.path, member)
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


@functools.lru_cache(maxsize=None)
def kinds():
    """{class: {field: (the generator's row, the class its ref names)}}:
    which kind of field each is, and its struct, enum or handle class."""
    helpers.load_gen()
    from gen import emit_structs
    S = emit_structs.structs(model())
    enums = [e[0] for e in model().py_enums()]
    handles = model().handles()
    out = {}
    for c in S.ordered:
        out[c.name] = {}
        for r in c.fields:
            if r.kind == "CB_FIELD_STRUCT":
                ref = getattr(runtime, S.ordered[r.ref].name)
            elif r.kind == "CB_FIELD_ENUM":
                ref = getattr(runtime, enums[r.ref])
            elif r.kind == "CB_FIELD_HANDLE":
                ref = getattr(runtime, handles[r.ref])
            else:
                ref = None
            out[c.name][r.name] = (r, ref)
    return out


def is_read_only(o, name, value):
    try:
        setattr(o, name, value)
    except AttributeError as e:
        assert "not writable" in str(e), (type(o).__name__, name, e)
        return True
    return False


def probe(o, name, off, size):
    """Write field `name` (at `off`, of `size` bytes) of the zeroed struct
    `o`; returns the bytes the field's memory must then hold, or None where
    the field reads as a view at offset `off` (nothing written)."""
    row, ref = kinds()[type(o).__name__][name]
    if row.via == "CB_VIA_LIST":   # a pointer to items: set, it points to our copy of them
        item = new(ref) if row.kind == "CB_FIELD_STRUCT" else ref(fill(8))
        if is_read_only(o, name, [item]):   # what the driver writes back: read `count` items there
            items = (ctypes.c_void_p * 1)(fill(8))
            ctypes.c_void_p.from_address(o.getPtr() + off).value = ctypes.addressof(items)
            setattr(o, "size", 1)
            assert [int(h) for h in getattr(o, name)] == [fill(8)]
            return None
        ptr = ctypes.c_void_p.from_address(o.getPtr() + off).value
        got = getattr(o, name)
        assert len(got) == 1 and ptr
        if row.kind == "CB_FIELD_STRUCT":   # the item read is a copy of what the pointer points to
            n = runtime.sizeof(type(got[0]))
            assert got[0].getPtr() != ptr and ctypes.string_at(got[0].getPtr(), n) == ctypes.string_at(ptr, n)
        else:
            assert int(got[0]) == ctypes.c_void_p.from_address(ptr).value == fill(8)
        return ptr.to_bytes(size, "little")
    if row.kind == "CB_FIELD_ENUM":   # a member (NVIDIA's and ours read no other): the widest one
        each = ctypes.sizeof(ctypes.c_int)
        v = max(ref, key=lambda m: abs(int(m)))
        setattr(o, name, [v] * (size // each) if row.count != "0" else v)
        return int(v).to_bytes(each, "little", signed=True) * (size // each)
    cur = getattr(o, name)
    if isinstance(cur, bytes):
        if is_read_only(o, name, b"\1" * size):   # CUuuid.bytes: written in C, read here
            ctypes.memset(o.getPtr() + off, 1, size)
            assert getattr(o, name) == b"\1" * size
    elif isinstance(cur, float):
        setattr(o, name, struct.unpack("<f" if size == 4 else "<d", b"\1" * size)[0])
    elif is_struct_class(type(cur)):
        assert cur.getPtr() - o.getPtr() == off
        return None
    elif isinstance(cur, list) and cur and is_struct_class(type(cur[0])):
        assert cur[0].getPtr() - o.getPtr() == off
        return None
    elif isinstance(cur, list) and cur:   # a fixed array
        each = size // len(cur)
        if isinstance(cur[0], float):
            setattr(o, name, [struct.unpack("<f" if each == 4 else "<d", b"\1" * each)[0]] * len(cur))
        else:
            setattr(o, name, [fill(each)] * len(cur))
    else:   # int, handle, or a pointer field: an int
        setattr(o, name, fill(size))
    return b"\1" * size


def test_every_field_writes_its_own_bytes(layout):
    """Each field of each class, written from Python into a zeroed value,
    changes exactly the bytes C's offsetof/sizeof give that member."""
    checked = 0
    for name, (size, fields) in layout.items():
        cls = getattr(runtime, name)
        if cls.__mro__[1] is not object and is_struct_class(cls.__mro__[1]):
            continue   # an alias: its base's table
        for field, (off, fsize) in fields.items():
            o = new(cls)
            ctypes.memset(o.getPtr(), 0, size)   # dim3 starts at 1, 1, 1
            want = probe(o, field, off, fsize)
            if want is None:
                continue
            assert memory(o) == bytes(off) + want + bytes(size - off - fsize), \
                "%s.%s at %d+%d" % (name, field, off, fsize)
            checked += 1
    assert checked > 400   # every written field, reserved ones (private `_reserved`) too


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
    assert not hasattr(p, "reserved")   # private, as NVIDIA's shows it not
    # name is a C string of 256: set as all its bytes, read as those before the NUL, as NVIDIA's class
    p.name = b"NVIDIA Test GPU" + bytes(256 - 15)
    assert p.name == b"NVIDIA Test GPU" and p.name.decode() == "NVIDIA Test GPU"
    raw = ctypes.string_at(p.getPtr(), 256)
    assert raw == b"NVIDIA Test GPU" + bytes(256 - 15)
    p.name = [ord("A")] * 3 + [0] * 253   # or as 256 ints
    assert p.name == b"AAA"
    p.name = b"x" * 256   # every byte used: no NUL to stop at
    assert p.name == b"x" * 256
    for v in (b"short", b"x" * 257, "short"):
        with pytest.raises(IndexError, match="name"):
            p.name = v
    with pytest.raises(TypeError):
        p.name = "x" * 256   # a str is no bytes
    with pytest.raises(TypeError):
        p.name = 5
    assert p.name == b"x" * 256
    # luid: raw bytes of exactly 8 (bytes, or ints of either signedness of char)
    p.luid = bytes(range(1, 9))
    assert p.luid == bytes(range(1, 9))
    p.luid = [-1] * 4 + [255] * 4
    assert p.luid == b"\xff" * 8
    for v in (b"abc", "x"):
        with pytest.raises(ValueError, match="luid"):
            p.luid = v
    for v in ("x" * 8, 5, None):
        with pytest.raises(TypeError):
            p.luid = v
    with pytest.raises(OverflowError):
        p.luid = [256] * 8
    assert p.luid == b"\xff" * 8
    p.luid = bytes(range(1, 9))
    # uuid: a view of the nested cudaUUID_t; its bytes are read-only
    assert type(p.uuid) is runtime.cudaUUID_t and isinstance(p.uuid, runtime.CUuuid_st)
    off = p.uuid.getPtr() - p.getPtr()
    ctypes.memmove(p.getPtr() + off, bytes(range(16)), 16)
    assert p.uuid.bytes == bytes(range(16))
    with pytest.raises(AttributeError):
        p.uuid.bytes = bytes(16)
    u = runtime.cudaUUID_t()
    ctypes.memset(u.getPtr(), ord("u"), 16)
    p.uuid = u   # copied
    ctypes.memset(u.getPtr(), 0, 16)
    assert p.uuid.bytes == b"u" * 16 and ctypes.string_at(p.getPtr() + off, 16) == b"u" * 16
    for other in (runtime.CUuuid(), runtime.CUuuid_st(), driver.CUuuid()):   # the field's class only, as NVIDIA's
        with pytest.raises(TypeError, match="uuid"):
            p.uuid = other
    assert p.uuid.bytes == b"u" * 16
    # int arrays: any iterable of their fixed length, range-checked
    p.maxGridSize = [2 ** 31 - 1, 65535, 65535]
    p.maxThreadsDim = (1024, 1024, 64)
    assert p.maxGridSize == [2 ** 31 - 1, 65535, 65535] and p.maxThreadsDim == [1024, 1024, 64]
    for v in ([1, 2], [1, 2, 3, 4]):
        with pytest.raises(IndexError, match="maxThreadsDim"):
            p.maxThreadsDim = v
    with pytest.raises(OverflowError):
        p.maxGridSize = [5, 2 ** 31, 1]
    for v in (5, None, ["1", 2, 3]):
        with pytest.raises(TypeError):
            p.maxGridSize = v
    assert p.maxGridSize == [2 ** 31 - 1, 65535, 65535]   # nothing written on failure
    p.maxThreadsDim = (x for x in (1.5, 2, 3))   # each item as a C int: 1.5 truncates
    assert p.maxThreadsDim == [1, 2, 3]
    p.totalGlobalMem = 2 ** 64 - 1   # size_t
    p.major, p.minor = 9, 0
    assert (p.totalGlobalMem, p.major, p.minor) == (2 ** 64 - 1, 9, 0)
    with pytest.raises(OverflowError, match="totalGlobalMem"):
        p.totalGlobalMem = -1
    for v in ("9", None):
        with pytest.raises(TypeError, match="major"):
            p.major = v
    p.minor = 1.5
    assert p.minor == 1
    p.name = b"abc" + bytes(253)
    lines = repr(p).split("\n")
    assert lines[0] == "name : abc" and "uuid :" in lines and "    bytes : " + "75" * 16 in lines
    assert "luid : 0102030405060708" in lines and "major : 9" in lines
    assert not any(line.startswith(("reserved :", "_reserved")) for line in lines)


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
    for v in ([1, 2, 3], [1, 2, 3, 4, 5]):
        with pytest.raises(IndexError, match="borderColor"):
            t.borderColor = v
    for v in ([1, "2", 3, 4], [None, 0, 0, 0], 5):
        with pytest.raises(TypeError, match="borderColor"):
            t.borderColor = v
    with pytest.raises(TypeError, match="addressMode"):
        t.addressMode = [None, 0, 0]
    with pytest.raises(IndexError, match="addressMode"):
        t.addressMode = [0, 0]
    with pytest.raises(ValueError):
        t.addressMode = ["x", 0, 0]   # int() of each item, as NVIDIA's
    with pytest.raises(TypeError, match="addressMode"):
        t.addressMode = 3
    assert t.borderColor == [1.0, 0.5, -2.0, 3.25] and t.addressMode[2] is M.cudaAddressModeBorder
    t.addressMode = ("1", driver.CUdevice(2), 3.5)   # int() of each item: text, __int__, a float truncated
    assert t.addressMode == [M.cudaAddressModeClamp, M.cudaAddressModeMirror, M.cudaAddressModeBorder]
    t.borderColor = [1e300, -1e300, 0, 0]   # a C float holds what a C cast gives, as NVIDIA's
    assert t.borderColor[:2] == [float("inf"), float("-inf")]
    t.borderColor = [1, 0.5, -2, 3.25]
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
    # a handle field takes None, its class, or anything with __int__ (another handle too), as NVIDIA's
    for v, want in ((runtime.cudaArray_t(5), 5), (7, 7), (None, 0), (runtime.cudaStream_t(1), 1),
                    (driver.CUarray(3), 3), (driver.CUdeviceptr(9), 9), (1.5, 1), (IntLike(4), 4)):
        m.srcArray = v
        assert type(m.srcArray) is runtime.cudaArray_t and int(m.srcArray) == want
    for v in ("x", runtime.cudaExtent()):
        with pytest.raises(TypeError, match="srcArray"):
            m.srcArray = v
    for v in (-1, 2 ** 64):
        with pytest.raises(OverflowError, match="srcArray"):
            m.srcArray = v
    assert int(m.srcArray) == 4
    m.kind = runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost
    assert m.kind is runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost


def test_handle_fields_take_the_driver_twin():
    """A field of a runtime handle type takes that class, the driver class of
    the same C type (CUstream for cudaStream_t), an int and None (and, as
    NVIDIA's, anything with __int__); it reads back as the runtime's class."""
    for c, field in ((runtime.cudaLaunchConfig_t(), "stream"), (runtime.cudaGraphInstantiateParams(), "uploadStream")):
        for v, want in ((runtime.cudaStream_t(5), 5), (driver.CUstream(6), 6), (7, 7), (None, 0),
                        (driver.CUevent(1), 1), (IntLike(8), 8)):
            setattr(c, field, v)
            assert type(getattr(c, field)) is runtime.cudaStream_t and int(getattr(c, field)) == want
        with pytest.raises(TypeError, match=field):
            setattr(c, field, "stream")
        with pytest.raises(OverflowError, match=field):
            setattr(c, field, -1)
    v = runtime.cudaLaunchAttributeValue()
    v.programmaticEvent.event = driver.CUevent(0x42)
    assert type(v.programmaticEvent.event) is runtime.cudaEvent_t and int(v.programmaticEvent.event) == 0x42
    v.programmaticEvent.triggerAtBlockStart = 1
    v.launchCompletionEvent.event = runtime.cudaEvent_t(0x43)
    assert int(v.programmaticEvent.event) == 0x43   # one union
    p = runtime.cudaExternalSemaphoreSignalNodeParams()   # a counted array of handles
    assert p.extSemArray == [] and p.numExtSems == 0
    p.extSemArray = [runtime.cudaExternalSemaphore_t(3), driver.CUexternalSemaphore(4)]
    assert p.numExtSems == 0   # the count is the caller's to set, as on NVIDIA's
    p.numExtSems = 2
    assert [int(s) for s in p.extSemArray] == [3, 4]
    assert all(type(s) is runtime.cudaExternalSemaphore_t for s in p.extSemArray)
    p.extSemArray = (runtime.cudaExternalSemaphore_t(7),)   # a tuple too; read: the items set
    assert p.numExtSems == 2 and [int(s) for s in p.extSemArray] == [7]
    for v in (None, 5, "ab"):
        with pytest.raises(TypeError, match="extSemArray"):
            p.extSemArray = v
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
    """attrs is a list of copies, as every list field (NVIDIA's have no
    cudaLaunchConfig_t): numAttrs is the caller's to set, as NVIDIA's
    counts of its other list fields are."""
    c = runtime.cudaLaunchConfig_t()
    assert c.attrs == [] and c.numAttrs == 0
    a = runtime.cudaLaunchAttribute()
    a.id = runtime.cudaLaunchAttributeID.cudaLaunchAttributeCooperative
    a.val.cooperative = 1
    b = runtime.cudaLaunchAttribute_st()
    b.id = runtime.cudaLaunchAttributeID.cudaLaunchAttributePriority
    b.val.priority = 7
    c.attrs = [a, b]
    assert c.numAttrs == 0   # assigning the list leaves the count alone
    c.numAttrs = len(c.attrs)
    assert c.numAttrs == 2 and [x.id for x in c.attrs] == [a.id, b.id] and c.attrs[1].val.priority == 7
    attrs_at = 40   # after gridDim, blockDim (12 bytes each), dynamicSmemBytes and stream
    at = ctypes.c_void_p.from_address(c.getPtr() + attrs_at).value   # what C reads: our copy of the items
    size = runtime.sizeof(runtime.cudaLaunchAttribute)
    assert ctypes.string_at(at, 2 * size) == ctypes.string_at(a.getPtr(), size) + ctypes.string_at(b.getPtr(), size)
    c.attrs[1].val.priority = 8   # an item read is a copy, as on NVIDIA's
    assert c.attrs[1].val.priority == 7
    a.val.cooperative = 0   # copied
    assert c.attrs[0].val.cooperative == 1
    c.numAttrs = 99   # never read past our copy
    assert len(c.attrs) == 2
    c.numAttrs = 1   # nor short of it: the items set
    assert len(c.attrs) == 2
    c.attrs = (a,)   # a tuple too
    assert len(c.attrs) == 1 and c.numAttrs == 1 and c.attrs[0].val.cooperative == 0
    c.attrs = []
    assert c.attrs == [] and c.numAttrs == 1
    c.numAttrs = 0
    for v in (None, 5, "ab", b"ab"):
        with pytest.raises(TypeError, match="attrs"):
            c.attrs = v
    for v in ([driver.CUlaunchAttribute()], [5], [a, None]):
        with pytest.raises(TypeError, match=r"attrs\[\d\]"):
            c.attrs = v
    assert c.attrs == [] and c.numAttrs == 0


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
    assert not hasattr(p, "reserved") and not hasattr(a, "reserved")   # private, as NVIDIA's shows them not
    p.maxSize = 1 << 40
    assert p.maxSize == 1 << 40
    r = runtime.cudaDevResource()   # unsigned char[]: bytes of its exact length
    assert r._internal_padding == bytes(92)
    r._internal_padding = b"\1" * 92
    assert r._internal_padding == b"\1" * 92
    with pytest.raises(ValueError, match="_internal_padding"):
        r._internal_padding = b"\1" * 3


def test_func_attributes_and_ipc_handles():
    f = runtime.cudaFuncAttributes()
    f.maxThreadsPerBlock, f.numRegs, f.ptxVersion = 1024, 32, 90
    assert (f.maxThreadsPerBlock, f.numRegs, f.ptxVersion) == (1024, 32, 90)
    assert not hasattr(f, "reserved")   # int[14], private as NVIDIA's shows it not
    for cls in (runtime.cudaIpcMemHandle_t, runtime.cudaIpcEventHandle_t):
        # opaque, as NVIDIA's: no field, its 64 bytes through getPtr() (what another process is sent)
        h = cls()
        assert public_fields_of(cls) == [] and not hasattr(h, "reserved") and repr(h) == ""
        assert runtime.sizeof(cls) == 64 and memory(h) == bytes(64)
        ctypes.memset(h.getPtr(), 0xFF, 64)
        assert memory(h) == b"\xff" * 64
        with pytest.raises(AttributeError):
            h.reserved = bytes(64)
        same = cls(h.getPtr())   # a view of those bytes
        assert same.getPtr() == h.getPtr() and memory(same) == b"\xff" * 64


# --- views, keepalive, raw memory --------------------------------------------------

def test_pointer_field_values():
    """A pointer field takes an address: anything with __int__, in range, or
    None (test_structs.py: the buffers it keeps alive)."""
    p = runtime.cudaPitchedPtr()
    for v in ("memory", runtime.cudaExtent()):   # a struct is no address, as on NVIDIA's
        with pytest.raises(TypeError, match="cudaPitchedPtr.ptr"):
            p.ptr = v
    for v in (-1, 2 ** 64):   # out of range: TypeError, as NVIDIA's
        with pytest.raises(TypeError, match="cudaPitchedPtr.ptr"):
            p.ptr = v
    for v, want in ((runtime.cudaStream_t(5), 5), (1.5, 1), (IntLike(6), 6), (None, 0)):
        p.ptr = v
        assert p.ptr == want


def test_ptr_views_raw_memory():
    mem = ctypes.create_string_buffer(24)
    e = runtime.cudaExtent(_ptr=ctypes.addressof(mem))
    e.width, e.height, e.depth = 1, 2, 3
    assert mem.raw == struct.pack("<3Q", 1, 2, 3)
    assert runtime.cudaExtent(ctypes.addressof(mem)).depth == 3
    with pytest.raises(TypeError, match=r"cudaExtent\(_ptr\) must be an int address"):
        runtime.cudaExtent(_ptr="0")


def test_bad_values_never_crash():
    """Every field of every class (private ones too) refuses values of the
    wrong kind with a TypeError, ValueError, OverflowError or IndexError
    (or takes them), never a crash; a read-only one with AttributeError."""
    odd = (None, "text", 1.5, -1, 2 ** 70, [1, 2], (1, 2), b"\0", object(), IntLike(1), [None], [object()])
    read_only = set()
    for name in ALL:
        cls = getattr(runtime, name)
        for field in fields_of(cls):
            for v in odd:
                o = new(cls)
                try:
                    setattr(o, field, v)
                except BAD + (IndexError,):
                    pass
                except AttributeError as e:
                    assert "not writable" in str(e), (name, field, e)
                    read_only.add((name, field))
                repr(o)
    assert {(n, f) for n, f in read_only if not n.startswith("CUuuid") and n != "cudaUUID_t"} == \
        {("cudaConditionalNodeParams", "phGraph_out")}
    assert ("CUuuid_st", "bytes") in read_only


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
