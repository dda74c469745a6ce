"""The runtime's Cython declarations: cyruntime.pxd and runtime.pxd.

As for the driver (test_driver_pxd.py): a consumer's cimport checks each
function's capsule signature string and each class's size, so the .pxd is
checked against the reference's signature strings, then a consumer written
as against NVIDIA's .pxd files is built and run.  The runtime's headers name
most types by tag (`enum cudaLimit`) and some by macro (cudaStreamAttrID),
which the signature strings show: those are the points tested here.
"""
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, header_dir, load_gen, reference, run_python

SNAPSHOT = os.path.join(ROOT, "gen", "data", "cython_capi.json")
INCLUDE = header_dir("runtime")  # the driver's and the runtime's are one directory
MANGLE = "__pyx_t_4cuda_8bindings_9cyruntime_"

# Handles whose C type is a driver handle's, but which the reference declares
# as classes of their own; ours subclass the driver's class (same layout).
OUR_TWINS = {"cudaKernel_t", "cudaLibrary_t", "cudaGraphDeviceNode_t", "cudaLogsCallbackHandle",
             "cudaDevResourceDesc_t"}


def reference_signatures():
    with open(SNAPSHOT) as f:
        return json.load(f)["cuda.bindings.cyruntime"]


def pxd_signatures(include_path):
    """{function: capsule signature} as Cython derives them from
    cuda/bindings/cyruntime.pxd found on include_path."""
    try:
        from Cython.Compiler.Main import CompilationOptions, Context, default_options
        opts = CompilationOptions(default_options, include_path=list(include_path), language_level=3)
        ctx = Context.from_options(opts)
    except (ImportError, AttributeError) as e:  # an older or newer Cython
        pytest.skip("Cython's compiler API is not as expected: %s" % e)
    scope = ctx.find_module("cuda.bindings.cyruntime", pos=None, need_pxd=True)
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

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(model, cyruntime.pxd, runtime.pxd, include dir holding them and the
    driver's, which runtime.pxd cimports, as cuda/bindings/)."""
    load_gen()
    from gen import emit_pxd
    from gen.libraries import LIBRARIES
    if "runtime" not in LIBRARIES:
        pytest.skip("the generator has no runtime library yet")
    if not os.path.exists(os.path.join(INCLUDE, "cuda_runtime_api.h")):
        pytest.skip("no CUDA headers at %s" % INCLUDE)
    from gen.load import load_model
    model = load_model("runtime", INCLUDE)
    driver = load_model("driver", INCLUDE)
    cy, classes = emit_pxd.emit_cy(model), emit_pxd.emit_classes(model)
    root = tmp_path_factory.mktemp("pxd")
    pkg = root / "cuda" / "bindings"
    pkg.mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "cuda", "bindings", "__init__.pxd"), pkg)
    (pkg / "cyruntime.pxd").write_text(cy)
    (pkg / "runtime.pxd").write_text(classes)
    (pkg / "cydriver.pxd").write_text(emit_pxd.emit_cy(driver))
    (pkg / "driver.pxd").write_text(emit_pxd.emit_classes(driver))
    return model, cy, classes, str(root)


def test_generated_signatures_are_the_capsules(generated):
    """Every function the core exports: the reference's string where it has
    one, else the one the core computes (gen.common.cython_signature)."""
    model, _, _, root = generated
    from gen import emit_pxd
    from gen.common import cython_signature
    want = reference_signatures()
    got = pxd_signatures([root])
    names = emit_pxd.cython_names(model)
    exported = [b.func for b in emit_pxd.functions(model)]
    assert exported and set(got) == {f.name for f in exported}
    assert len([f for f in exported if f.name in want]) > 300
    bad = {f.name: (got[f.name], want.get(f.name) or cython_signature(f, names)) for f in exported
           if got[f.name] != (want.get(f.name) or cython_signature(f, names))}
    assert not bad


def test_our_functions_spell_types_as_cython_does(generated):
    """Functions the reference lacks: their capsule strings come from
    cython_names, which must name tags with their keyword."""
    model, _, _, _ = generated
    from gen import emit_pxd
    from gen.common import cython_signature
    names = emit_pxd.cython_names(model)
    assert names["cudaLimit"] == "enum cudaLimit" and names["dim3"] == "struct dim3"
    assert names["cudaStreamAttrID"] == MANGLE + "cudaStreamAttrID"
    assert names["cudaGLDeviceList"] == "enum " + MANGLE + "cudaGLDeviceList"
    assert "cudaError_t" not in names and "cudaDataType" not in names
    f = model.h.functions["cudaLaunchKernel"]
    assert cython_signature(f, names) == \
        "cudaError_t (void const *, struct dim3, struct dim3, void **, size_t, cudaStream_t)"


def test_mangled_types_are_cythons_own(generated):
    """The reference's signatures name macro type names (cudaStreamAttrID)
    and graphics-interop types by Cython's mangled names, which Cython gives
    only to types it declares itself; `enum X` and `struct X` are tags that
    an extern block declares."""
    model, cy, _, _ = generated
    from gen import emit_pxd
    ours = {b.name for b in emit_pxd.functions(model)}
    sigs = " ".join(s for n, s in reference_signatures().items() if n in ours)
    mangled = set(re.findall(MANGLE + r"(\w+)", sigs))
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


def test_tags_are_declared_as_c_spells_them(generated):
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


def test_except_clauses(generated):
    """As the reference declares them: the value the core returns with
    RuntimeError set, NULL for strings, a check for structs by value."""
    _, cy, _, _ = generated
    funcs = dict(re.findall(r"^cdef .*?(\w+)\(.*\) (except .*) nogil$", cy, re.M))
    assert funcs["cudaMalloc"] == "except ?cudaErrorCallRequiresNewerDriver"
    assert funcs["cudaGetErrorString"] == funcs["cudaGetErrorName"] == "except ?NULL"
    for name in ("cudaCreateChannelDesc", "make_cudaExtent", "make_cudaPitchedPtr", "make_cudaPos"):
        assert funcs[name] == "except *", name
    assert set(funcs.values()) == {"except ?cudaErrorCallRequiresNewerDriver", "except ?NULL", "except *"}


def test_constants_are_the_reference_constants(generated):
    _, cy, _, _ = generated
    got = dict(re.findall(r"^cdef enum: (\w+) = (-?\d+)$", cy, re.M))
    assert got["cudaStreamLegacy"] == "1" and got["cudaStreamPerThread"] == "2"
    assert got["cudaCpuDeviceId"] == "-1" and got["CUDA_IPC_HANDLE_SIZE"] == "64"
    assert got["__CUDART_API_VERSION"] == got["CUDART_VERSION"]
    # Cython-level only: the API version macro, and cuda.h's CUDA_VERSION.
    assert set(got) - set(reference("runtime")["constants"]) <= {"__CUDART_API_VERSION", "CUDA_VERSION"}


def reference_classes():
    classes = reference("runtime")["classes"]
    return {k: v for k, v in classes.items() if not k.startswith("anon_") and "FastEnum" not in v["bases"]}


def declared_classes(text):
    """{class: (base, [field declarations])} of a classes .pxd."""
    out = {}
    for m in re.finditer(r"^cdef class (\w+)(?:\(([\w.]+)\))?:\n((?:    .*\n)+)", text, re.M):
        out[m.group(1)] = (m.group(2), [x.strip() for x in m.group(3).split("\n") if x.strip()])
    return out


def test_classes_are_the_reference_classes(generated):
    """Handle and struct classes of the reference that these headers declare,
    with the reference's bases (the driver's for twin handles), and the
    layout of our C objects."""
    model, _, classes, _ = generated
    ref = reference_classes()
    got = declared_classes(classes)
    h = model.h
    assert "cimport cuda.bindings.driver as driver\n" in classes
    in_headers = {n for n in ref if n in h.typedefs or n in h.structs}
    assert len(in_headers) > 100 and in_headers - set(got) == set()
    for name, (base, fields) in got.items():
        if name in model.facts.twins:
            assert base == "driver." + model.facts.twins[name].rsplit(".", 1)[1] and fields == ["pass"], name
            if name in ref and name not in OUR_TWINS:
                assert ["driver." + b for b in ref[name]["bases"]] == [base], name
            continue
        if name in ref:
            assert [base] == (ref[name]["bases"] or [None]), name
        if base:
            assert fields == ["pass"], name
        elif name in h.structs or ref.get(name, {}).get("fields"):
            assert fields == ["cdef cyruntime.%s _pvt_val" % name, "cdef cyruntime.%s* _pvt_ptr" % name,
                              "cdef object _owner", "cdef object _keepalive"], name
        else:
            assert fields == ["cdef cyruntime.%s _pvt_val" % name, "cdef cyruntime.%s* _pvt_ptr" % name], name
    assert got["cudaStream_t"] == ("driver.CUstream", ["pass"])
    assert got["cudaStreamAttrValue"] == ("cudaLaunchAttributeValue", ["pass"])
    assert got["cudaArray_t"][1][0] == "cdef cyruntime.cudaArray_t _pvt_val"


def test_generated_pxd_compiles_for_a_consumer(generated, tmp_path):
    """The whole consumer through Cython and the C compiler, against the
    generated files (the build test below uses the installed ones)."""
    _, _, _, root = generated
    if shutil.which("cython") is None:
        pytest.skip("cython is not installed")
    import sysconfig
    for name in ("consumer_runtime", "consumer_runtime_structs"):
        src = os.path.join(ROOT, "tests", "consumers", "runtime", name + ".pyx")
        c = tmp_path / (name + ".c")
        r = subprocess.run(["cython", "-3", "-I", root, src, "-o", str(c)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        cc = os.environ.get("CC", "cc")
        r = subprocess.run([cc, "-c", "-fPIC", "-Wall", "-Werror", "-Wno-unused-function", "-I", INCLUDE,
                            "-I", sysconfig.get_paths()["include"], str(c), "-o", str(tmp_path / "x.o")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------
# The installed package
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cyruntime():
    try:
        from cuda.bindings import cyruntime
    except ImportError:
        pytest.skip("cuda.bindings.cyruntime is not built")
    return cyruntime


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get(cap).decode()


def installed_root():
    import cuda.bindings
    return os.path.dirname(os.path.dirname(os.path.dirname(cuda.bindings.__file__)))


def test_capsules_match_snapshot(cyruntime):
    want = reference_signatures()
    got = {name: capsule_name(cap) for name, cap in cyruntime.__pyx_capi__.items()}
    assert len(got) > 300
    assert {n: s for n, s in got.items() if n in want and want[n] != s} == {}


def test_installed_pxd_declares_every_capsule_with_its_signature(cyruntime):
    got = {name: capsule_name(cap) for name, cap in cyruntime.__pyx_capi__.items()}
    declared = pxd_signatures([installed_root()])
    assert {n: (declared.get(n), s) for n, s in got.items() if declared.get(n) != s} == {}
    assert set(declared) <= set(got)


@pytest.fixture(scope="module")
def consumer(tmp_path_factory, cyruntime):
    """tests/consumers/runtime, built against the installed package."""
    for tool in ("meson", "ninja", "cython"):
        if shutil.which(tool) is None:
            pytest.skip("%s is not installed (pip install .[test])" % tool)
    build = tmp_path_factory.mktemp("runtime_consumers")
    setup = ["meson", "setup", str(build), os.path.join(ROOT, "tests", "consumers", "runtime"),
             "-Dpython=" + sys.executable, "-Dtoolkit_include=" + INCLUDE]
    for cmd in (setup, ["ninja", "-C", str(build)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    sys.path.insert(0, str(build))
    try:
        import consumer_runtime
        yield consumer_runtime
    finally:
        sys.path.remove(str(build))


def consumer_script(consumer, body):
    return "import sys; sys.path.insert(0, %r)\n%s" % (os.path.dirname(consumer.__file__), body)


# Every warning an error, but that a free-threaded CPython turns the GIL back
# on for the test's own Cython module (which does not declare itself safe).
FREE_THREADED_QUIET = "error,ignore:The global interpreter lock:RuntimeWarning"


def test_class_sizes_agree_at_import(consumer):
    """Importing a consumer checks the size of every class of runtime.pxd
    and driver.pxd against ours: smaller fails, larger warns (an error here)."""
    r = run_python(consumer_script(consumer, "import consumer_runtime, consumer_runtime_structs\nprint('OK')"),
                   env={"PYTHONWARNINGS": FREE_THREADED_QUIET})
    assert r.stdout.strip() == "OK", r.stdout + r.stderr


def test_nogil_calls_without_a_gpu(consumer):
    err, version = consumer.runtime_version()
    assert err == 0 and version >= 12000  # linked in: no driver needed
    from cuda.bindings import runtime
    assert runtime.cudaRuntimeGetVersion() == (runtime.cudaError_t.cudaSuccess, version)
    err, version = consumer.driver_version()
    assert err == 0 and version >= 0      # 0 without a driver
    assert consumer.error_strings(1) == ("cudaErrorInvalidValue", "invalid argument")
    assert consumer.error_strings(0)[0] == "cudaSuccess"


def test_enums_and_macros(consumer):
    from cuda.bindings import runtime
    c = consumer.constants()
    assert c["cudaSuccess"] == 0 and c["cudaErrorInvalidValue"] == 1
    assert c["cudaErrorCallRequiresNewerDriver"] == int(runtime.cudaError_t.cudaErrorCallRequiresNewerDriver)
    assert c["cudaLimitMallocHeapSize"] == int(runtime.cudaLimit.cudaLimitMallocHeapSize)
    assert c["cudaMemcpyDeviceToHost"] == 2 and c["CUDA_R_32F"] == 0
    assert c["cudaLaunchAttributePriority"] == 8 and c["cudaGLDeviceListAll"] == 1
    assert c["cudaEglColorFormatRGBA"] == 7 and c["cudaStreamNonBlocking"] == 1
    assert c["cudaStreamPerThread"] == 2 and c["cudaCpuDeviceId"] == -1
    assert c["CUDA_IPC_HANDLE_SIZE"] == c["CU_IPC_HANDLE_SIZE"] == 64
    assert c["CUDART_VERSION"] >= 12000


def test_tagged_and_macro_types(consumer):
    assert consumer.tagged_types() == (0, 1, 1, 1, 8)


def test_structs(consumer):
    assert consumer.channel_desc() == (32, 0, 2, 20)   # cudaChannelFormatKindFloat
    assert consumer.memcpy3d() == (64, 8, 256, 3, 1)
    assert consumer.launch_attributes() == (2, -1, 32, 64)


def test_graphics_interop_types(consumer):
    buffer, target, width, vdp, null_conn, null_res, which, plane_width, planes, size = consumer.interop_types()
    assert (buffer, target, width, vdp, null_conn, null_res, which, plane_width, planes) == \
        (7, 0x0DE1, 2**32 - 1, 3, True, True, 1, 16, 1)   # EGLint is unsigned, as NVIDIA's .pxd

    class Plane(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint) for n in ("width", "height", "depth", "pitch", "numChannels")] + \
            [("channelDesc", ctypes.c_int * 5), ("reserved", ctypes.c_uint * 4)]

    class Frame(ctypes.Structure):   # cuda_egl_interop.h's cudaEglFrame, without EGL's headers
        _fields_ = [("frame", ctypes.c_void_p * 12),   # the union's pPitch[3], four words each
                    ("planeDesc", Plane * 3), ("planeCount", ctypes.c_uint),
                    ("frameType", ctypes.c_int), ("eglColorFormat", ctypes.c_int)]
    assert size == ctypes.sizeof(Frame)


def test_handle_typedefs(consumer):
    assert consumer.handle_typedefs() == (0x10, True, 1 << 40, True, 5, 8)


def test_handle_class_fields(consumer):
    from cuda.bindings import driver, runtime
    assert consumer.array_fields(runtime.cudaArray_t(0x1234)) == (0x1234, True)
    assert consumer.array_fields(runtime.cudaArray_t()) == (0, True)
    assert consumer.resource_fields(runtime.cudaGraphicsResource_t(0x42)) == (0x42, True)
    assert consumer.gluint_fields(runtime.GLuint(9)) == (9, True)
    assert consumer.stream_fields(runtime.cudaStream_t(0x5678)) == (0x5678, True)
    with pytest.raises(TypeError):
        consumer.stream_fields(driver.CUstream(1))   # the base is not the subclass


def test_struct_class_fields(consumer):
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


def test_a_missing_shared_runtime_raises_through_nogil_code(consumer):
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
def test_nogil_calls_on_a_gpu(consumer):
    err, count = consumer.device_count()
    assert err == 0 and count >= 1
    assert consumer.roundtrip(100) == sum(range(100))
