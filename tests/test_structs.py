"""The struct and union classes of cuda.bindings.driver and
cuda.bindings.runtime, what is the same for both: against the headers and
the reference (every struct the headers declare is a class with every
field, the reference's classes have its bases and fields, the classes of
anonymous members are numbered as the reference numbers them), and integer,
handle and pointer fields and views, each over classes of both modules.

The rest of each module's classes is in test_driver_structs.py and
test_runtime_structs.py.
"""
import functools
import gc
import importlib
import re
import sys
import weakref

import pytest
from helpers import IndexOnly, IntLike, address, header_structs, is_struct_class, public_fields_of, reference

LIBS = ("driver", "runtime")
each_lib = pytest.mark.parametrize("lib", LIBS)

# vector_types.h's structs (the runtime's headers): NVIDIA's runtime has a class of dim3 only.
VECTOR = re.compile(r"(u?(char|short|int|long|longlong)|float|double)[1-4](_16a|_32a)?")
# Structs that are handles of the runtime, classes of their own.
HANDLES = {"cudaStream_t", "cudaEvent_t"}


def module(lib):
    return importlib.import_module("cuda.bindings." + lib)


STRUCTS = {"driver": 200, "runtime": 100}   # how many the headers declare, at the least


@each_lib
def test_every_struct_of_the_headers_is_a_class_with_every_field(lib):
    mod = module(lib)
    structs = header_structs(lib)
    assert len(structs) > STRUCTS[lib]
    for name, fields in structs.items():
        if VECTOR.fullmatch(name) or name in HANDLES or not fields:
            continue   # test_vector_types_are_no_classes_but_dim3
        cls = getattr(mod, name, None)
        assert is_struct_class(cls), name
        for f in fields:
            assert hasattr(cls, f), "%s.%s" % (name, f)


def test_vector_types_are_no_classes_but_dim3():
    from cuda.bindings import runtime
    vectors = [name for name in header_structs("runtime") if VECTOR.fullmatch(name)]
    assert len(vectors) > 40
    for name in vectors:
        assert getattr(runtime, name, None) is None, name
    assert is_struct_class(runtime.dim3)
    assert not hasattr(runtime, "float4") and not hasattr(runtime, "ulonglong4_32a")


REFERENCED = {"driver": 200, "runtime": 75}   # how many of the reference's these headers declare, at the least


@each_lib
def test_reference_classes_fields_and_bases(lib):
    """Every struct class of the reference that these headers declare is
    here, with the same base chain, and with each of its fields that these
    headers declare (fields only in newer headers, e.g.
    cudaFuncAttributes.deviceNodeUpdateStatus of 13.3, are version skew)."""
    mod = module(lib)
    ref = reference(lib)["classes"]
    structs = header_structs(lib)
    checked = 0
    for name, c in ref.items():
        if name not in structs or name.startswith("anon_"):
            continue   # anon_* numbers shift with each header version's untagged members
        cls = getattr(mod, name)
        assert is_struct_class(cls), name
        for f in set(c["fields"]) & structs[name]:
            assert hasattr(cls, f), "%s.%s" % (name, f)
        assert [k.__name__ for k in cls.__mro__[1:-1]] == c["bases"], name
        checked += 1
    assert checked > REFERENCED[lib]


# How many anon_* classes the reference has, at the least, and one struct
# with an anonymous union member (`res`) of anonymous structs: its class,
# and the class of one of the union's members (CUDA 13.5 numbering).
ANONYMOUS = {"driver": (40, "CUDA_RESOURCE_DESC", "anon_union5", "linear", "anon_struct9"),
             "runtime": (30, "cudaResourceDesc", "anon_union0", "pitch2D", "anon_struct4")}


@each_lib
def test_anonymous_member_classes_numbered_like_the_reference(lib):
    """anon_struct<N>/anon_union<N> are numbered in header order, inner
    first, as the reference numbers them: each of the reference's has
    exactly its fields here (reserved padding is private, as it is not
    shown there)."""
    mod = module(lib)
    ref = reference(lib)["classes"]
    least, struct, union_class, member, member_class = ANONYMOUS[lib]
    names = [n for n in ref if n.startswith(("anon_struct", "anon_union"))]
    assert len(names) > least
    for name in names:
        cls = getattr(mod, name)
        assert set(public_fields_of(cls)) == set(ref[name]["fields"]), name
        assert not hasattr(cls, "reserved"), name
    res = getattr(mod, struct)().res
    assert type(res) is getattr(mod, union_class)
    assert type(getattr(res, member)) is getattr(mod, member_class)


# --- fields and views -------------------------------------------------------

def get(o, path):
    """o's member at a dotted path, each nested member a fresh view."""
    return functools.reduce(getattr, path.split("."), o)


def put(o, path, value):
    head, _, name = path.rpartition(".")
    setattr(get(o, head) if head else o, name, value)


FRESH = {"dim3": 1}   # NVIDIA's dim3 starts at 1, 1, 1; every other field at 0


@pytest.mark.parametrize("lib,cls,field,lo,hi", [
    ("driver", "CUDA_MEMCPY2D", "srcXInBytes", 0, 2 ** 64 - 1),       # size_t
    ("driver", "CUmemLocation", "id", -2 ** 31, 2 ** 31 - 1),          # int
    ("driver", "CUDA_ARRAY3D_DESCRIPTOR", "NumChannels", 0, 2 ** 32 - 1),
    ("driver", "CUgraphEdgeData", "from_port", 0, 255),                # unsigned char
    ("driver", "CUmemPoolProps", "usage", 0, 2 ** 16 - 1),             # unsigned short
    ("driver", "CUDA_EXTERNAL_MEMORY_HANDLE_DESC", "size", 0, 2 ** 64 - 1),  # unsigned long long
    ("runtime", "dim3", "x", 0, 2 ** 32 - 1),
    ("runtime", "cudaMemLocation", "id", -2 ** 31, 2 ** 31 - 1),
    ("runtime", "cudaFuncAttributes", "sharedSizeBytes", 0, 2 ** 64 - 1),
    ("runtime", "cudaMemPoolProps", "usage", 0, 2 ** 16 - 1),
    ("runtime", "cudaExternalMemoryHandleDesc", "size", 0, 2 ** 64 - 1),
])
def test_integer_fields_round_trip_and_check_range(lib, cls, field, lo, hi):
    """Integer fields convert as Cython's C conversion does: an int or
    anything with __int__ (a float truncates), range checked; None, str,
    bytes and __index__ only are refused."""
    from cuda.bindings import driver
    o = getattr(module(lib), cls)()
    assert getattr(o, field) == FRESH.get(cls, 0)
    for v in (lo, hi, 1, 7, True):
        setattr(o, field, v)
        assert getattr(o, field) == v and type(getattr(o, field)) is int
    for v, want in ((1.5, 1), (-0.5, 0), (IntLike(3), 3)):
        setattr(o, field, v)
        assert getattr(o, field) == want and type(getattr(o, field)) is int
    setattr(o, field, driver.CUmemorytype.CU_MEMORYTYPE_DEVICE)   # an enum member is its int
    assert getattr(o, field) == 2
    for v in (lo - 1, hi + 1, float(hi) * 2 + 2, 2 ** 200, 1e30):
        with pytest.raises(OverflowError, match=field):
            setattr(o, field, v)
    for v in (None, "1", b"1", [1], object(), IndexOnly()):
        with pytest.raises(TypeError, match=field):
            setattr(o, field, v)
    assert getattr(o, field) == 2   # a refused value changes nothing


# Handle fields: of a struct, and of a nested member (read through a fresh view each time).
HANDLE_FIELDS = {"driver": [("CUDA_MEMSET_NODE_PARAMS", "dst"), ("CUDA_RESOURCE_DESC", "res.linear.devPtr")],
                 "runtime": [("cudaMemcpy3DParms", "srcArray")]}


@each_lib
def test_a_handle_read_from_a_field_follows_it(lib):
    """NVIDIA's gives one handle object per field, a view of the struct's
    memory: it follows later changes of the field."""
    for cls, path in HANDLE_FIELDS[lib]:
        o = getattr(module(lib), cls)()
        put(o, path, 7)
        h = get(o, path)
        put(o, path, 9)
        assert h is get(o, path) and int(h) == 9, (cls, path)


def test_a_handle_field_of_a_list_items_copy_follows_it():
    """A list field's items are copies (as NVIDIA's); a handle read from one
    is a view of the copy, as of any struct (it once raised SystemError: the
    copy's keep-alive and its handle views shared one key)."""
    d = module("driver")
    o = d.CUDA_BATCH_MEM_OP_NODE_PARAMS()
    o.paramArray = [d.CUstreamBatchMemOpParams()]
    o.count = 1
    field, path = "paramArray", "waitValue.address"
    item = getattr(o, field)[0]
    h = get(item, path)
    put(item, path, 5)
    assert h is get(item, path) and int(h) == 5
    assert int(get(getattr(o, field)[0], path)) == 0   # the struct's own item: untouched
    del item
    gc.collect()
    assert int(h) == 5


# A nested member, and an integer field of it.
VIEWS = {"driver": ("CUDA_RESOURCE_DESC", "res.linear", "sizeInBytes"),
         "runtime": ("cudaMemcpy3DParms", "extent", "width")}


@each_lib
def test_a_view_keeps_its_parent_alive(lib):
    cls, member, field = VIEWS[lib]
    o = getattr(module(lib), cls)()
    put(o, member + "." + field, 77)
    view = get(o, member)
    ref = weakref.ref(o) if hasattr(type(o), "__weakrefoffset__") and type(o).__weakrefoffset__ else None
    del o
    gc.collect()
    assert getattr(view, field) == 77
    setattr(view, field, 78)
    assert getattr(view, field) == 78
    assert ref is None or ref() is not None


# A pointer field of a struct, and one of a nested member (set through a temporary view).
POINTER_FIELDS = {"driver": (("CUDA_MEMCPY2D", "srcHost"), ("CUgraphNodeParams", "kernel.kernelParams")),
                  "runtime": (("cudaPitchedPtr", "ptr"), ("cudaMemcpy3DParms", "srcPtr.ptr"))}


@each_lib
def test_pointer_fields_keep_their_target_alive(lib):
    (cls, field), (owner_cls, path) = POINTER_FIELDS[lib]
    o = getattr(module(lib), cls)()
    buf = bytearray(b"x" * 64)   # no weakrefs to a bytearray: count references
    before = sys.getrefcount(buf)
    setattr(o, field, buf)
    assert getattr(o, field) == address(buf) and sys.getrefcount(buf) > before
    setattr(o, field, 0)   # a new value releases the old target
    gc.collect()
    assert sys.getrefcount(buf) == before
    owner = getattr(module(lib), owner_cls)()
    put(owner, path, buf)   # set through a temporary view: the owner keeps it
    gc.collect()
    assert sys.getrefcount(buf) == before + 1 and get(owner, path) == address(buf)
    del owner
    gc.collect()
    assert sys.getrefcount(buf) == before
