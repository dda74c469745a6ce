"""The Cython declarations of the driver and the runtime: cydriver.pxd and
driver.pxd, cyruntime.pxd and runtime.pxd.

A consumer's cimport checks two things at import: each function's capsule
signature string (Cython derives it from the .pxd and compares it with
__pyx_capi__) and each class's size.  So these tests check the .pxd against
the reference's signature strings, then build a consumer written as against
NVIDIA's .pxd files (tests/consumers/<lib>) and run it.  The runtime's
headers name most types by tag (`enum cudaLimit`) and some by macro
(cudaStreamAttrID), which the signature strings show: those are the points
tested for the runtime alone.

Each test takes `lib`: the ones written for both libraries run for each,
the others for the one they name.
"""
import ctypes
import importlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, header_dir, load_gen, reference, run_python

LIBS = ("driver", "runtime")
each_lib = pytest.mark.parametrize("lib", LIBS)


def only(lib):
    return pytest.mark.parametrize("lib", [lib])


SNAPSHOT = os.path.join(ROOT, "gen", "data", "cython_capi.json")
HEADER = {"driver": "cuda.h", "runtime": "cuda_runtime_api.h"}   # present where the headers are
RUNTIME_MANGLE = "__pyx_t_4cuda_8bindings_9cyruntime_"

# Handles whose C type is a driver handle's, but which the reference declares
# as classes of their own; ours subclass the driver's class (same layout).
OUR_TWINS = {"cudaKernel_t", "cudaLibrary_t", "cudaGraphDeviceNode_t", "cudaLogsCallbackHandle",
             "cudaDevResourceDesc_t"}


def include(lib):
    """The headers the build read (the driver's and the runtime's are one directory)."""
    return header_dir(lib)


def reference_signatures(lib):
    with open(SNAPSHOT) as f:
        return json.load(f)["cuda.bindings.cy" + lib]


def pxd_signatures(lib, include_path):
    """{function: capsule signature} as Cython derives them from
    cuda/bindings/cy<lib>.pxd found on include_path (what a consumer's
    cimport checks)."""
    try:
        from Cython.Compiler.Main import CompilationOptions, Context, default_options
        opts = CompilationOptions(default_options, include_path=list(include_path), language_level=3)
        ctx = Context.from_options(opts)
    except (ImportError, AttributeError) as e:  # an older or newer Cython
        pytest.skip("Cython's compiler API is not as expected: %s" % e)
    scope = ctx.find_module("cuda.bindings.cy" + lib, pos=None, need_pxd=True)
    return {e.name: e.type.signature_string() for e in scope.cfunc_entries}


def split_blocks(text):
    """(declarations inside `cdef extern` blocks, module-level ones)."""
    extern, own, inside = [], [], False
    for line in text.split("\n"):
        if line.startswith("cdef extern from"):
            inside = True
        elif line and not line.startswith(" "):
            inside = False
        (extern if inside else own).append(line)
    return "\n".join(extern), "\n".join(own)


# --------------------------------------------------------------------------
# The generator's output, from the toolkit's headers (no build needed)
# --------------------------------------------------------------------------

_generated = {}


@pytest.fixture
def generated(lib, tmp_path_factory):
    """(model, cy<lib>.pxd text, <lib>.pxd text, include dir holding them as
    cuda/bindings/ with the driver's, which runtime.pxd cimports), made once
    a session for each library."""
    if lib not in _generated:
        load_gen()
        from gen import emit_pxd
        from gen.libraries import LIBRARIES
        if lib not in LIBRARIES:
            pytest.skip("the generator has no %s library yet" % lib)
        if not os.path.exists(os.path.join(include(lib), HEADER[lib])):
            pytest.skip("no CUDA headers at %s" % include(lib))
        from gen.load import load_model
        root = tmp_path_factory.mktemp("pxd")
        pkg = root / "cuda" / "bindings"
        pkg.mkdir(parents=True)
        shutil.copy(os.path.join(ROOT, "cuda", "bindings", "__init__.pxd"), pkg)
        models = {name: load_model(name, include(lib)) for name in {lib, "driver"}}
        for name, model in models.items():
            (pkg / ("cy%s.pxd" % name)).write_text(emit_pxd.emit_cy(model))
            (pkg / ("%s.pxd" % name)).write_text(emit_pxd.emit_classes(model))
        _generated[lib] = (models[lib], (pkg / ("cy%s.pxd" % lib)).read_text(),
                           (pkg / ("%s.pxd" % lib)).read_text(), str(root))
    return _generated[lib]


# How many of the exported functions have the reference's signature string, at the least.
REFERENCED = {"driver": 400, "runtime": 300}


@each_lib
def test_generated_signatures_are_the_capsules(lib, generated):
    """Every function the core exports: the reference's string where it has
    one, else the one the core computes (gen.common.cython_signature)."""
    model, _, _, root = generated
    from gen import emit_pxd
    from gen.common import cython_signature
    want = reference_signatures(lib)
    got = pxd_signatures(lib, [root])
    names = emit_pxd.cython_names(model)
    exported = [b.func for b in emit_pxd.functions(model)]
    assert exported and set(got) == {f.name for f in exported}
    assert len([f for f in exported if f.name in want]) > REFERENCED[lib]
    bad = {f.name: (got[f.name], want.get(f.name) or cython_signature(f, names)) for f in exported
           if got[f.name] != (want.get(f.name) or cython_signature(f, names))}
    assert not bad


# cy<lib>.pxd's `cdef enum: NAME = value` constants: some values, and the
# names it may have that the reference's Python module does not.
CONSTANTS = {
    "driver": ({"CU_STREAM_LEGACY": "1", "CU_LAUNCH_PARAM_END": "0", "CU_DEVICE_CPU": "-1", "MAX_PLANES": "3"},
               {"CUDA_VERSION"}),   # the toolkit's value
    "runtime": ({"cudaStreamLegacy": "1", "cudaStreamPerThread": "2", "cudaCpuDeviceId": "-1",
                 "CUDA_IPC_HANDLE_SIZE": "64"},
                {"__CUDART_API_VERSION", "CUDA_VERSION"}),   # Cython-level only
}


def pxd_constants(cy):
    return dict(re.findall(r"^cdef enum: (\w+) = (-?\d+)$", cy, re.M))


@each_lib
def test_constants_are_the_reference_constants(lib, generated):
    _, cy, _, _ = generated
    values, cython_only = CONSTANTS[lib]
    got = pxd_constants(cy)
    assert {k: got.get(k) for k in values} == values
    # Newer toolkits add some.
    assert set(got) - set(reference(lib)["constants"]) <= cython_only


def reference_classes(lib):
    return {k: v for k, v in reference(lib)["classes"].items() if not k.startswith("anon_")}


def declared_classes(text):
    """{class: (base, [field declarations])} of a classes .pxd."""
    out = {}
    for m in re.finditer(r"^cdef class (\w+)(?:\(([\w.]+)\))?:\n((?:    .*\n)+)", text, re.M):
        out[m.group(1)] = (m.group(2), [x.strip() for x in m.group(3).split("\n") if x.strip()])
    return out


# <lib>.pxd: the lines it must have, the classes whose first field is their
# own value, the subclasses (and their base), and how many of the reference's
# classes these headers declare, at the least.
CLASSES = {
    "driver": dict(lines=[], own_value=["CUstream", "CUdevice", "CUdeviceptr", "cuuint64_t", "CUhostFn", "EGLint",
                                        "CUeglStreamConnection"],
                   subclasses={}, in_headers=200),
    "runtime": dict(lines=["cimport cuda.bindings.driver as driver"], own_value=["cudaArray_t"],
                    subclasses={"cudaStream_t": "driver.CUstream", "cudaStreamAttrValue": "cudaLaunchAttributeValue"},
                    in_headers=100),
}


@each_lib
def test_classes_are_the_reference_classes(lib, generated):
    """Handle and struct classes of the reference that these headers declare,
    with the reference's bases (the driver's for the runtime's twin handles),
    and the layout of our C objects."""
    model, _, classes, _ = generated
    want = CLASSES[lib]
    ref = reference_classes(lib)
    got = declared_classes(classes)
    h = model.h
    for line in want["lines"]:
        assert line + "\n" in classes
    in_headers = {n for n in ref if n in h.typedefs or n in h.structs}
    assert len(in_headers) > want["in_headers"] and in_headers - set(got) == set()
    cy = "cy" + lib
    for name, (base, fields) in got.items():
        if name in model.facts.twins:
            assert base == "driver." + model.facts.twins[name].rsplit(".", 1)[1] and fields == ["pass"], name
            if name in ref and name not in OUR_TWINS:
                assert ["driver." + b for b in ref[name]["bases"]] == [base], name
            continue
        if name in ref:   # the reference lists the chain of bases, nearest first
            assert ref[name]["bases"][:1] == ([base] if base else []), name
        if base:
            assert fields == ["pass"], name
        elif name in h.structs or ref.get(name, {}).get("fields"):
            assert fields == ["cdef %s.%s _pvt_val" % (cy, name), "cdef %s.%s* _pvt_ptr" % (cy, name),
                              "cdef object _owner", "cdef object _keepalive"], name
        else:
            assert fields == ["cdef %s.%s _pvt_val" % (cy, name), "cdef %s.%s* _pvt_ptr" % (cy, name)], name
    for name in want["own_value"]:
        assert got[name][1][0] == "cdef %s.%s _pvt_val" % (cy, name), name
    for name, base in want["subclasses"].items():
        assert got[name] == (base, ["pass"]), name


@each_lib
def test_generated_pxd_compiles_for_a_consumer(lib, generated, tmp_path):
    """The whole consumer through Cython and the C compiler, against the
    generated files (the build tests below use the installed ones)."""
    _, _, _, root = generated
    if shutil.which("cython") is None:
        pytest.skip("cython is not installed")
    import sysconfig
    for name in ("consumer_" + lib, "consumer_%s_structs" % lib):
        src = os.path.join(ROOT, "tests", "consumers", lib, name + ".pyx")
        c = tmp_path / (name + ".c")
        r = subprocess.run(["cython", "-3", "-I", root, src, "-o", str(c)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        cc = os.environ.get("CC", "cc")
        r = subprocess.run([cc, "-c", "-fPIC", "-Wall", "-Werror", "-Wno-unused-function", "-I", include(lib),
                            "-I", sysconfig.get_paths()["include"], str(c), "-o", str(tmp_path / "x.o")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


# --- the driver's alone ---------------------------------------------------

@only("driver")
def test_graphics_interop_types_are_cythons_own(lib, generated):
    """The reference's signatures name these types by Cython's mangled names,
    which Cython gives only to types it declares itself."""
    _, cy, _, _ = generated
    mangled = set()
    for sig in reference_signatures(lib).values():
        mangled |= set(re.findall(r"__pyx_t_4cuda_8bindings_8cydriver_(\w+)", sig))
    assert {"GLenum", "EGLint", "CUeglFrame", "CUeglStreamConnection", "CUGLDeviceList"} <= mangled
    extern, own = split_blocks(cy)
    for name in mangled:
        assert re.search(r"^ctypedef .*\b%s$" % name, own, re.M), name
        assert not re.search(r"\b%s$" % name, extern, re.M), name
    # cudaProfiler.h needs nothing from a graphics API: consumers include it.
    assert 'cdef extern from "cudaProfiler.h":\n    cdef enum CUoutput_mode_enum:' in cy


@only("driver")
def test_unnamed_members_are_named_as_the_reference_names_them(lib, generated):
    """The names of cuda-bindings 13.5.0, the CUDA version bound (pyproject.toml pins its headers)."""
    _, cy, _, _ = generated
    for decl in ("anon_struct0 overBudget", "anon_union2 info", "anon_struct1 clusterDim",
                 "anon_struct5 deviceUpdatableKernelNode", "anon_union5 res", "anon_struct10 pitch2D",
                 "anon_struct16 params", "anon_union16 op", "anon_union24 frame"):
        assert re.search(r"^\s+%s$" % decl, cy, re.M), decl
    # C11 anonymous members are the parent's own fields (value/value64 of waitValue).
    block = cy.split("cdef struct CUstreamMemOpWaitValueParams_st:\n", 1)[1].split("\n\n", 1)[0]
    assert "cuuint32_t value\n" in block and "cuuint64_t value64\n" in block
    # A comma written after a member's doc comment separates members.
    assert "CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE = 21" in cy and "\n        , =" not in cy


# --- the runtime's alone --------------------------------------------------

@only("runtime")
def test_our_functions_spell_types_as_cython_does(lib, generated):
    """Functions the reference lacks: their capsule strings come from
    cython_names, which must name tags with their keyword."""
    model, _, _, _ = generated
    from gen import emit_pxd
    from gen.common import cython_signature
    names = emit_pxd.cython_names(model)
    assert names["cudaLimit"] == "enum cudaLimit" and names["dim3"] == "struct dim3"
    assert names["cudaStreamAttrID"] == RUNTIME_MANGLE + "cudaStreamAttrID"
    assert names["cudaGLDeviceList"] == "enum " + RUNTIME_MANGLE + "cudaGLDeviceList"
    assert "cudaError_t" not in names and "cudaDataType" not in names
    f = model.h.functions["cudaLaunchKernel"]
    assert cython_signature(f, names) == \
        "cudaError_t (void const *, struct dim3, struct dim3, void **, size_t, cudaStream_t)"


@only("runtime")
def test_mangled_types_are_cythons_own(lib, generated):
    """The reference's signatures name macro type names (cudaStreamAttrID)
    and graphics-interop types by Cython's mangled names, which Cython gives
    only to types it declares itself; `enum X` and `struct X` are tags that
    an extern block declares."""
    model, cy, _, _ = generated
    from gen import emit_pxd
    ours = {b.name for b in emit_pxd.functions(model)}
    sigs = " ".join(s for n, s in reference_signatures(lib).items() if n in ours)
    mangled = set(re.findall(RUNTIME_MANGLE + r"(\w+)", sigs))
    assert {"cudaStreamAttrID", "cudaKernelNodeAttrValue", "GLenum", "EGLImageKHR", "VdpDevice",
            "cudaEglFrame", "cudaGLDeviceList"} <= mangled
    extern, own = split_blocks(cy)
    for name in mangled:
        assert re.search(r"^(ctypedef .*\b|cdef enum )%s:?$" % name, own, re.M), name
        assert not re.search(r"\b%s:?$" % name, extern, re.M), name
    for kind, name in set(re.findall(r"\b(enum|struct) (?!__pyx)(\w+)", sigs)):
        assert re.search(r"^    cdef %s %s:$" % (kind, name), extern, re.M), (kind, name)
    # cuda_runtime_api.h and the headers it includes are consumers' to include.
    assert 'cdef extern from "driver_types.h":\n' in cy and 'cdef extern from "cuda_gl_interop.h"' not in cy


@only("runtime")
def test_tags_are_declared_as_c_spells_them(lib, generated):
    """C names these enums `enum X` (no typedef): `ctypedef enum X` would make
    Cython write plain X, which C rejects.  An enum with a typedef of its tag
    is the tag plus a typedef, one type under two names."""
    model, cy, _, _ = generated
    for decl in ("cdef enum cudaError:", "ctypedef cudaError cudaError_t", "cdef enum cudaLimit:",
                 "cdef struct cudaChannelFormatDesc:", "cdef struct dim3:", "cdef struct cudaGraphicsResource:",
                 "ctypedef cudaGraphicsResource* cudaGraphicsResource_t", "cdef enum cudaDataType_t:",
                 "ctypedef cudaDataType_t cudaDataType", "cdef union cudaLaunchAttributeValue:"):
        assert re.search(r"^    %s$" % re.escape(decl), cy, re.M), decl
    for name, kind in model.facts.tags.items():
        assert not re.search(r"^\s*ctypedef %s %s:" % (kind, name), cy, re.M), name
    # A misread attribute is no type (vector_types.h's deprecation macro).
    assert "__attribute__" not in cy


@only("runtime")
def test_except_clauses(lib, generated):
    """As the reference declares them: the value the core returns with
    RuntimeError set, NULL for strings, a check for structs by value."""
    _, cy, _, _ = generated
    funcs = dict(re.findall(r"^cdef .*?(\w+)\(.*\) (except .*) nogil$", cy, re.M))
    assert funcs["cudaMalloc"] == "except ?cudaErrorCallRequiresNewerDriver"
    assert funcs["cudaGetErrorString"] == funcs["cudaGetErrorName"] == "except ?NULL"
    for name in ("cudaCreateChannelDesc", "make_cudaExtent", "make_cudaPitchedPtr", "make_cudaPos"):
        assert funcs[name] == "except *", name
    assert set(funcs.values()) == {"except ?cudaErrorCallRequiresNewerDriver", "except ?NULL", "except *"}


@only("runtime")
def test_api_version_is_the_runtime_version(lib, generated):
    _, cy, _, _ = generated
    got = pxd_constants(cy)
    assert got["__CUDART_API_VERSION"] == got["CUDART_VERSION"]


# --------------------------------------------------------------------------
# The installed package
# --------------------------------------------------------------------------

@pytest.fixture
def cy(lib):
    try:
        return importlib.import_module("cuda.bindings.cy" + lib)
    except ImportError:
        pytest.skip("cuda.bindings.cy%s is not built" % lib)


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get(cap).decode()


def installed_root():
    import cuda.bindings
    return os.path.dirname(os.path.dirname(os.path.dirname(cuda.bindings.__file__)))


CAPSULES = {"driver": 400, "runtime": 300}   # how many, at the least


@each_lib
def test_capsules_match_snapshot(lib, cy):
    want = reference_signatures(lib)
    got = {name: capsule_name(cap) for name, cap in cy.__pyx_capi__.items()}
    assert len(got) > CAPSULES[lib]
    assert {n: s for n, s in got.items() if n in want and want[n] != s} == {}


@each_lib
def test_installed_pxd_declares_every_capsule_with_its_signature(lib, cy):
    """What a consumer's cimport compares: the .pxd's type of each function
    against the capsule's name."""
    got = {name: capsule_name(cap) for name, cap in cy.__pyx_capi__.items()}
    declared = pxd_signatures(lib, [installed_root()])
    assert {n: (declared.get(n), s) for n, s in got.items() if declared.get(n) != s} == {}
    assert set(declared) <= set(got)


_built = {}


@pytest.fixture
def consumer(lib, cy, tmp_path_factory):
    """tests/consumers/<lib>, built (once a session) against the installed
    package: its module consumer_<lib>, with consumer_<lib>_structs
    importable beside it."""
    if lib not in _built:
        for tool in ("meson", "ninja", "cython"):
            if shutil.which(tool) is None:
                pytest.skip("%s is not installed (pip install .[test])" % tool)
        build = tmp_path_factory.mktemp(lib + "_consumers")
        setup = ["meson", "setup", str(build), os.path.join(ROOT, "tests", "consumers", lib),
                 "-Dpython=" + sys.executable, "-Dtoolkit_include=" + include(lib)]
        for cmd in (setup, ["ninja", "-C", str(build)]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr
        _built[lib] = str(build)
    sys.path.insert(0, _built[lib])
    try:
        yield importlib.import_module("consumer_" + lib)
    finally:
        sys.path.remove(_built[lib])


def consumer_script(consumer, body):
    return "import sys; sys.path.insert(0, %r)\n%s" % (os.path.dirname(consumer.__file__), body)


# The consumers' constants(): values, the module's enum members they must
# equal, and the version macro.
CONSUMER_CONSTANTS = {
    "driver": ({"CUDA_SUCCESS": 0, "CU_DEVICE_ATTRIBUTE_WARP_SIZE": 10,
                "CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE": 21, "CU_EGL_FRAME_TYPE_PITCH": 1,
                "CU_GL_DEVICE_LIST_ALL": 1, "CU_STREAM_LEGACY": 1, "CU_IPC_HANDLE_SIZE": 64},
               ["CUresult.CUDA_ERROR_NOT_FOUND"], "CUDA_VERSION"),
    "runtime": ({"cudaSuccess": 0, "cudaErrorInvalidValue": 1, "cudaMemcpyDeviceToHost": 2, "CUDA_R_32F": 0,
                 "cudaLaunchAttributePriority": 8, "cudaGLDeviceListAll": 1, "cudaEglColorFormatRGBA": 7,
                 "cudaStreamNonBlocking": 1, "cudaStreamPerThread": 2, "cudaCpuDeviceId": -1,
                 "CUDA_IPC_HANDLE_SIZE": 64, "CU_IPC_HANDLE_SIZE": 64},
                ["cudaError_t.cudaErrorCallRequiresNewerDriver", "cudaLimit.cudaLimitMallocHeapSize"],
                "CUDART_VERSION"),
}


@each_lib
def test_enums_and_macros(lib, consumer):
    values, members, version = CONSUMER_CONSTANTS[lib]
    mod = importlib.import_module("cuda.bindings." + lib)
    c = consumer.constants()
    assert {k: c[k] for k in values} == values
    for member in members:
        enum, name = member.split(".")
        assert c[name] == int(getattr(getattr(mod, enum), name)), member
    assert c[version] >= 12000


# What functions of the consumers return, reading types and structs through the .pxd.
CONSUMER_TYPES = {
    "driver": {"handle_typedefs": (3, 0xFFFFFFFF00, 1 << 40, 0x10, True, 8, 4)},   # ..., sizeof CUdeviceptr, CUdevice
    "runtime": {"handle_typedefs": (0x10, True, 1 << 40, True, 5, 8), "tagged_types": (0, 1, 1, 1, 8)},
}
CONSUMER_STRUCTS = {
    "driver": {"memcpy2d": (1, 2, 0x1000, 64, 2, True, 16 * 8),   # sizeof: sixteen 8-byte members on LP64
               "launch_config": (512, 2, 2, -1, 64),
               "kernel_node_params": (64, 256, 1024),
               "unnamed_members": (0x123456789, 0xABC, 4096)},
    "runtime": {"channel_desc": (32, 0, 2, 20),   # cudaChannelFormatKindFloat
                "memcpy3d": (64, 8, 256, 3, 1),
                "launch_attributes": (2, -1, 32, 64)},
}


@each_lib
def test_typedefs(lib, consumer):
    for func, want in CONSUMER_TYPES[lib].items():
        assert getattr(consumer, func)() == want, func


@each_lib
def test_struct_fields(lib, consumer):
    for func, want in CONSUMER_STRUCTS[lib].items():
        assert getattr(consumer, func)() == want, func


class CUeglFrame(ctypes.Structure):   # cudaEGL.h's, without EGL's headers
    _fields_ = [("frame", ctypes.c_void_p * 3)] + [(n, ctypes.c_uint) for n in (
        "width", "height", "depth", "pitch", "planeCount", "numChannels")] + \
        [(n, ctypes.c_int) for n in ("frameType", "eglColorFormat", "cuFormat")]


class cudaEglPlaneDesc(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint) for n in ("width", "height", "depth", "pitch", "numChannels")] + \
        [("channelDesc", ctypes.c_int * 5), ("reserved", ctypes.c_uint * 4)]


class cudaEglFrame(ctypes.Structure):   # cuda_egl_interop.h's, without EGL's headers
    _fields_ = [("frame", ctypes.c_void_p * 12),   # the union's pPitch[3], four words each
                ("planeDesc", cudaEglPlaneDesc * 3), ("planeCount", ctypes.c_uint),
                ("frameType", ctypes.c_int), ("eglColorFormat", ctypes.c_int)]


# consumer.interop_types(): what it reads, then the size of the EGL frame.
# EGLint is unsigned int in NVIDIA's .pxd, so the -1 the consumer stores reads back as 2**32 - 1.
INTEROP = {"driver": ((7, 2**32 - 1, 3, True, 1), CUeglFrame),
           "runtime": ((7, 0x0DE1, 2**32 - 1, 3, True, True, 1, 16, 1), cudaEglFrame)}


@each_lib
def test_graphics_interop_types(lib, consumer):
    *values, frame_size = consumer.interop_types()
    want, frame = INTEROP[lib]
    assert tuple(values) == want
    assert frame_size == ctypes.sizeof(frame)


# (consumer function, handle class, its value or None for the default, what the function reads)
HANDLE_FIELDS = {
    "driver": [("stream_fields", "CUstream", 0x1234, (0x1234, True)), ("stream_fields", "CUstream", None, (0, True)),
               ("device_fields", "CUdevice", 7, (7, True)),
               ("deviceptr_fields", "CUdeviceptr", 0xFFFF000012340000, (0xFFFF000012340000, True)),
               ("hostfn_fields", "CUhostFn", 0x42, 0x42)],
    "runtime": [("array_fields", "cudaArray_t", 0x1234, (0x1234, True)), ("array_fields", "cudaArray_t", None, (0, True)),
                ("resource_fields", "cudaGraphicsResource_t", 0x42, (0x42, True)),
                ("gluint_fields", "GLuint", 9, (9, True)),
                ("stream_fields", "cudaStream_t", 0x5678, (0x5678, True))],
}


@each_lib
def test_handle_class_fields(lib, consumer):
    mod = importlib.import_module("cuda.bindings." + lib)
    for func, cls, value, want in HANDLE_FIELDS[lib]:
        h = getattr(mod, cls)() if value is None else getattr(mod, cls)(value)
        assert getattr(consumer, func)(h) == want, (func, cls, value)


# --- the driver's consumer alone ----------------------------------------

@only("driver")
def test_struct_class_fields_of_the_driver(lib, consumer):
    from cuda.bindings import driver
    import consumer_driver_structs as cs
    m = driver.CUDA_MEMCPY2D()
    m.WidthInBytes = 256
    m.Height = 3
    m.srcMemoryType = driver.CUmemorytype.CU_MEMORYTYPE_HOST
    assert cs.memcpy2d_fields(m) == (256, 3, 1, True)
    assert cs.owns_its_value(m)
    cs.memcpy2d_set_width(m, 512)
    assert m.WidthInBytes == 512
    c = driver.CUlaunchConfig()
    c.gridDimX = 9
    assert cs.launch_config_grid(c) == (9, 0)


@only("driver")
def test_nogil_calls(lib, consumer):
    """Without a usable driver a call reports an error code or, when the
    symbol cannot be had, raises RuntimeError; with one it works."""
    try:
        err, version = consumer.driver_version()
    except RuntimeError as e:
        assert "cuDriverGetVersion" in str(e) or "libcuda" in str(e)
        return
    if err == 0:
        assert version >= 12000
    else:
        assert version == 0


@pytest.mark.gpu
@only("driver")
def test_nogil_driver_calls_on_a_gpu(lib, consumer):
    assert consumer.init(0) == 0
    err, version = consumer.driver_version()
    assert err == 0 and version >= 12000


@only("driver")
def test_stub_driver_through_cython(lib, consumer, stub_driver):
    r = run_python(consumer_script(consumer, """import consumer_driver as cy
try:
    print("INIT", cy.init(0))
except RuntimeError as e:
    print("RAISED", e)
"""), env={"LD_LIBRARY_PATH": stub_driver})
    assert "INIT 34" in r.stdout or "RAISED" in r.stdout, r.stdout + r.stderr  # CUDA_ERROR_STUB_LIBRARY


@only("driver")
def test_missing_driver_raises_through_nogil_code(lib, consumer):
    probe = run_python("from cuda.bindings._selfcheck import driver_info; print(driver_info()['path'])",
                       env={"LD_LIBRARY_PATH": ""})
    if probe.stdout.strip() not in ("None", ""):
        pytest.skip("a driver is installed where the loader looks")
    r = run_python(consumer_script(consumer, """import consumer_driver as cy
try:
    cy.init(0)
except RuntimeError as e:
    print("RAISED", e)
"""), env={"LD_LIBRARY_PATH": ""})
    assert "RAISED" in r.stdout and ("cuInit" in r.stdout or "libcuda" in r.stdout), r.stdout + r.stderr


# --- the runtime's consumer alone ----------------------------------------

# Every warning an error, but that a free-threaded CPython turns the GIL back
# on for the test's own Cython module (which does not declare itself safe).
FREE_THREADED_QUIET = "error,ignore:The global interpreter lock:RuntimeWarning"


@only("runtime")
def test_class_sizes_agree_at_import(lib, consumer):
    """Importing a consumer checks the size of every class of runtime.pxd
    and driver.pxd against ours: smaller fails, larger warns (an error here)."""
    r = run_python(consumer_script(consumer, "import consumer_runtime, consumer_runtime_structs\nprint('OK')"),
                   env={"PYTHONWARNINGS": FREE_THREADED_QUIET})
    assert r.stdout.strip() == "OK", r.stdout + r.stderr


@only("runtime")
def test_nogil_calls_without_a_gpu(lib, consumer):
    err, version = consumer.runtime_version()
    assert err == 0 and version >= 12000  # linked in: no driver needed
    from cuda.bindings import runtime
    assert runtime.cudaRuntimeGetVersion() == (runtime.cudaError_t.cudaSuccess, version)
    err, version = consumer.driver_version()
    assert err == 0 and version >= 0      # 0 without a driver
    assert consumer.error_strings(1) == ("cudaErrorInvalidValue", "invalid argument")
    assert consumer.error_strings(0)[0] == "cudaSuccess"


@only("runtime")
def test_a_driver_stream_is_no_runtime_stream(lib, consumer):
    from cuda.bindings import driver
    with pytest.raises(TypeError):
        consumer.stream_fields(driver.CUstream(1))   # the base is not the subclass


@only("runtime")
def test_struct_class_fields_of_the_runtime(lib, consumer):
    from cuda.bindings import runtime
    import consumer_runtime_structs as cs
    d = runtime.cudaChannelFormatDesc()
    d.x, d.y = 8, 16
    d.f = runtime.cudaChannelFormatKind.cudaChannelFormatKindUnsigned
    assert cs.channel_desc_fields(d) == (8, 16, 1)
    assert cs.owns_its_value(d)
    g = runtime.dim3()
    g.y = 3
    assert cs.dim3_set(g, 5) == 15 and g.x == 5
    p = runtime.cudaDeviceProp()
    assert cs.device_prop_name(p) == ("", 0)
    v = runtime.cudaStreamAttrValue()
    v.priority = -2
    assert cs.attr_value_priority(v) == (-2, True)
    assert cs.stream_as_driver_stream(runtime.cudaStream_t(0x99)) == 0x99


@only("runtime")
def test_a_missing_shared_runtime_raises_through_nogil_code(lib, consumer):
    """getLocalRuntimeVersion asks the shared libcudart found at run time:
    its version, or RuntimeError when there is none (the except clause)."""
    r = run_python(consumer_script(consumer, """
import consumer_runtime as cy
try:
    print("VERSION", cy.local_runtime_version())
except RuntimeError as e:
    print("RAISED", e)
"""))
    out = r.stdout + r.stderr
    assert "VERSION (0," in r.stdout or ("RAISED" in r.stdout and "getLocalRuntimeVersion" in r.stdout) \
        or ("RAISED" in r.stdout and "runtime" in r.stdout), out


@pytest.mark.gpu
@only("runtime")
def test_nogil_runtime_calls_on_a_gpu(lib, consumer):
    err, count = consumer.device_count()
    assert err == 0 and count >= 1
    assert consumer.roundtrip(100) == sum(range(100))


# --------------------------------------------------------------------------
# The pythonic modules' <lib>.pxd: their cpdef functions (gen/emit_cpdef.py)
# --------------------------------------------------------------------------

PYTHONIC = ("nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla")
each_pythonic = pytest.mark.parametrize("lib", PYTHONIC)
CPDEF_FACTS = os.path.join(ROOT, "gen", "data", "pythonic_cpdef.json")
_cpdef_generated = {}


def cpdef_facts(lib):
    with open(CPDEF_FACTS) as f:
        return json.load(f)["cuda.bindings." + lib]["functions"]


@pytest.fixture
def cpdef_generated(lib, tmp_path_factory):
    """(model, <lib>.pxd text, include dir holding it and cy<lib>.pxd as
    cuda/bindings/), from the generator, once a session for each library."""
    if lib not in _cpdef_generated:
        load_gen()
        from gen import emit_cpdef, emit_pxd
        from gen.load import load_model
        model = load_model(lib, header_dir(lib))
        root = tmp_path_factory.mktemp("cpdef_pxd")
        pkg = root / "cuda" / "bindings"
        pkg.mkdir(parents=True)
        shutil.copy(os.path.join(ROOT, "cuda", "bindings", "__init__.pxd"), pkg)
        (pkg / ("cy%s.pxd" % lib)).write_text(emit_pxd.emit_cy(model))
        (pkg / ("%s.pxd" % lib)).write_text(emit_cpdef.pxd_text(model))
        _cpdef_generated[lib] = (model, (pkg / ("%s.pxd" % lib)).read_text(), str(root))
    return _cpdef_generated[lib]


def cython_value(value):
    """An except value as text, from Cython's ExceptionValue or an older Cython's string."""
    return str(getattr(value, "python_value", value))


@each_pythonic
def test_cpdef_pxd_types_are_the_capsules(lib, cpdef_generated):
    """What a consumer's cimport checks and what its calls test: Cython's
    signature string of each cpdef it declares, the reference's capsule
    name; its except clause, the reference's.  It declares the functions
    the module exports: the reference's less those not bound yet."""
    from helpers import cpdef_not_exported
    model, _, root = cpdef_generated
    facts = cpdef_facts(lib)
    try:
        from Cython.Compiler.Main import CompilationOptions, Context, default_options
        ctx = Context.from_options(CompilationOptions(default_options, include_path=[root], language_level=3))
    except (ImportError, AttributeError) as e:  # an older or newer Cython
        pytest.skip("Cython's compiler API is not as expected: %s" % e)
    scope = ctx.find_module("cuda.bindings." + lib, pos=None, need_pxd=True)
    entries = {e.name: e.type for e in scope.cfunc_entries}
    assert set(entries) == set(facts) - set(cpdef_not_exported(lib, facts))
    bad = {}
    for name, t in entries.items():
        clause = facts[name]["except"]
        want = (facts[name]["capsule"], None if clause in (None, "*") else clause.lstrip("?"),
                clause is not None and (clause == "*" or clause.startswith("?")))
        got = (t.signature_string(), None if t.exception_value is None else cython_value(t.exception_value),
               bool(t.exception_check))
        if got != want:
            bad[name] = (got, want)
    assert bad == {}


@pytest.fixture(scope="module")
def reference_pxd_dir():
    """cuda/bindings/ of NVIDIA's package (its .pxd files), asked from its interpreter."""
    from differential import harness
    try:
        python = harness.nvidia_python()
    except RuntimeError as e:   # no NVIDIA package to ask is a failure, not a skip
        pytest.fail(str(e))
    r = run_python("import importlib.util; print(importlib.util.find_spec('cuda.bindings')"
                   ".submodule_search_locations[0])", python=python, env=harness.nvidia_env())
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def declarations(text):
    """(ctypedef lines, {function: cpdef line}) of a <lib>.pxd."""
    lines = text.splitlines()
    return ({x for x in lines if x.startswith("ctypedef ")},
            {re.match(r"cpdef (?:\w+ )*(\w+)\(", x).group(1): x for x in lines if x.startswith("cpdef ")})


@each_pythonic
def test_cpdef_pxd_is_the_references(lib, cpdef_generated, reference_pxd_dir):
    """Line for line what NVIDIA's <lib>.pxd declares: its ctypedefs, and
    the cpdef declaration (names, types, except clause) of each function
    the module exports."""
    from helpers import cpdef_not_exported
    _, ours, _ = cpdef_generated
    with open(os.path.join(reference_pxd_dir, lib + ".pxd")) as f:
        their_types, theirs = declarations(f.read())
    our_types, ours = declarations(ours)
    assert our_types == their_types
    assert {name: (line, theirs.get(name)) for name, line in ours.items() if theirs.get(name) != line} == {}
    assert sorted(set(theirs) - set(ours)) == sorted(cpdef_not_exported(lib, theirs))


def test_pythonic_consumer_compiles_against_the_references_pxd(reference_pxd_dir, tmp_path):
    """tests/consumers/consumer_pythonic.pyx is written as against NVIDIA's
    .pxd files (the build tests compile it against ours): Cython takes it
    with theirs alone on the include path."""
    if shutil.which("cython") is None:
        pytest.skip("cython is not installed")
    pkg = tmp_path / "cuda" / "bindings"
    pkg.mkdir(parents=True)
    for name in os.listdir(reference_pxd_dir):
        if name.endswith(".pxd"):
            shutil.copy(os.path.join(reference_pxd_dir, name), pkg)
    src = os.path.join(ROOT, "tests", "consumers", "consumer_pythonic.pyx")
    r = subprocess.run(["cython", "-3", "-I", str(tmp_path), src, "-o", str(tmp_path / "consumer.c")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
