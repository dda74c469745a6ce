"""The driver's Cython declarations: cydriver.pxd and driver.pxd.

A consumer's cimport checks two things at import: each function's capsule
signature string (Cython derives it from the .pxd and compares it with
__pyx_capi__) and each class's size.  So these tests check the .pxd against
the reference's signature strings, then build a consumer written as against
NVIDIA's .pxd files and run it.
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
INCLUDE = header_dir("driver")  # the driver's and the runtime's are one directory


def reference_signatures():
    with open(SNAPSHOT) as f:
        return json.load(f)["cuda.bindings.cydriver"]


def pxd_signatures(include_path):
    """{function: capsule signature} as Cython derives them from
    cuda/bindings/cydriver.pxd found on include_path (what a consumer's
    cimport checks)."""
    try:
        from Cython.Compiler.Main import CompilationOptions, Context, default_options
        opts = CompilationOptions(default_options, include_path=list(include_path), language_level=3)
        ctx = Context.from_options(opts)
    except (ImportError, AttributeError) as e:  # an older or newer Cython
        pytest.skip("Cython's compiler API is not as expected: %s" % e)
    scope = ctx.find_module("cuda.bindings.cydriver", pos=None, need_pxd=True)
    return {e.name: e.type.signature_string() for e in scope.cfunc_entries}


# --------------------------------------------------------------------------
# The generator's output, from the toolkit's headers (no build needed)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(model, cydriver.pxd text, driver.pxd text, include dir holding them as cuda/bindings/)."""
    load_gen()
    from gen import emit_pxd
    from gen.libraries import LIBRARIES
    if "driver" not in LIBRARIES:
        pytest.skip("the generator has no driver library yet")
    if not os.path.exists(os.path.join(INCLUDE, "cuda.h")):
        pytest.skip("no CUDA headers at %s" % INCLUDE)
    from gen.load import load_model
    model = load_model("driver", INCLUDE)
    cy, classes = emit_pxd.emit_cy(model), emit_pxd.emit_classes(model)
    root = tmp_path_factory.mktemp("pxd")
    pkg = root / "cuda" / "bindings"
    pkg.mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "cuda", "bindings", "__init__.pxd"), pkg)
    (pkg / "cydriver.pxd").write_text(cy)
    (pkg / "driver.pxd").write_text(classes)
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
    bad = {f.name: (got[f.name], want.get(f.name) or cython_signature(f, names)) for f in exported
           if got[f.name] != (want.get(f.name) or cython_signature(f, names))}
    assert not bad


def test_graphics_interop_types_are_cythons_own(generated):
    """The reference's signatures name these types by Cython's mangled names,
    which Cython gives only to types it declares itself."""
    _, cy, _, _ = generated
    mangled = set()
    for sig in reference_signatures().values():
        mangled |= set(re.findall(r"__pyx_t_4cuda_8bindings_8cydriver_(\w+)", sig))
    assert {"GLenum", "EGLint", "CUeglFrame", "CUeglStreamConnection", "CUGLDeviceList"} <= mangled
    extern, own = split_blocks(cy)
    for name in mangled:
        assert re.search(r"^ctypedef .*\b%s$" % name, own, re.M), name
        assert not re.search(r"\b%s$" % name, extern, re.M), name
    # cudaProfiler.h needs nothing from a graphics API: consumers include it.
    assert 'cdef extern from "cudaProfiler.h":\n    cdef enum CUoutput_mode_enum:' in cy


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


def test_unnamed_members_are_named_as_the_reference_names_them(generated):
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


def test_constants_are_the_reference_constants(generated):
    model, cy, _, _ = generated
    got = dict(re.findall(r"^cdef enum: (\w+) = (-?\d+)$", cy, re.M))
    assert got["CU_STREAM_LEGACY"] == "1" and got["CU_LAUNCH_PARAM_END"] == "0"
    assert got["CU_DEVICE_CPU"] == "-1" and got["MAX_PLANES"] == "3"
    # Newer toolkits add some; the value of CUDA_VERSION is the toolkit's.
    assert {k for k in got if k != "CUDA_VERSION"} <= set(reference("driver")["constants"])


def reference_classes():
    classes = reference("driver")["classes"]
    return {k: v for k, v in classes.items() if k not in ("Any", "cudaBindingsDriverGlobal")
            and not k.startswith("anon_") and "FastEnum" not in v["bases"]}


def declared_classes(text):
    """{class: (base, [field declarations])} of a classes .pxd."""
    out = {}
    for m in re.finditer(r"^cdef class (\w+)(?:\((\w+)\))?:\n((?:    .*\n)+)", text, re.M):
        out[m.group(1)] = (m.group(2), [x.strip() for x in m.group(3).split("\n") if x.strip()])
    return out


def test_classes_are_the_reference_classes(generated):
    """Handle and struct classes of the reference that these headers declare,
    with the reference's bases, and the layout of our C objects."""
    model, _, classes, _ = generated
    ref = reference_classes()
    got = declared_classes(classes)
    h = model.h
    in_headers = {n for n in ref if n in h.typedefs or n in h.structs}
    assert in_headers - set(got) == set()
    for name, (base, fields) in got.items():
        if name in ref:
            assert (base is None) == (not ref[name]["bases"]), name
            if base:
                assert ref[name]["bases"][0] == base, name
        if base:
            assert fields == ["pass"], name
        elif ref.get(name, {}).get("fields") or name in h.structs:
            assert fields == ["cdef cydriver.%s _pvt_val" % name, "cdef cydriver.%s* _pvt_ptr" % name,
                              "cdef object _owner", "cdef object _keepalive"], name
        else:
            assert fields == ["cdef cydriver.%s _pvt_val" % name, "cdef cydriver.%s* _pvt_ptr" % name], name
    for name in ("CUstream", "CUdevice", "CUdeviceptr", "cuuint64_t", "CUhostFn", "EGLint",
                 "CUeglStreamConnection"):
        assert got[name][1][0] == "cdef cydriver.%s _pvt_val" % name


def test_generated_pxd_compiles_for_a_consumer(generated, tmp_path):
    """The whole consumer through Cython and the C compiler, against the
    generated files (the build test below uses the installed ones)."""
    _, _, _, root = generated
    if shutil.which("cython") is None:
        pytest.skip("cython is not installed")
    import sysconfig
    for name in ("consumer_driver", "consumer_driver_structs"):
        src = os.path.join(ROOT, "tests", "consumers", "driver", name + ".pyx")
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
def cydriver():
    try:
        from cuda.bindings import cydriver
    except ImportError:
        pytest.skip("cuda.bindings.cydriver is not built")
    return cydriver


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get(cap).decode()


def installed_root():
    import cuda.bindings
    return os.path.dirname(os.path.dirname(os.path.dirname(cuda.bindings.__file__)))


def test_capsules_match_snapshot(cydriver):
    want = reference_signatures()
    got = {name: capsule_name(cap) for name, cap in cydriver.__pyx_capi__.items()}
    assert len(got) > 400
    assert {n: s for n, s in got.items() if n in want and want[n] != s} == {}


def test_installed_pxd_declares_every_capsule_with_its_signature(cydriver):
    """What a consumer's cimport compares: the .pxd's type of each function
    against the capsule's name."""
    got = {name: capsule_name(cap) for name, cap in cydriver.__pyx_capi__.items()}
    declared = pxd_signatures([installed_root()])
    assert {n: (declared.get(n), s) for n, s in got.items() if declared.get(n) != s} == {}
    assert set(declared) <= set(got)


@pytest.fixture(scope="module")
def consumer(tmp_path_factory, cydriver):
    """tests/consumers/driver, built against the installed package."""
    for tool in ("meson", "ninja", "cython"):
        if shutil.which(tool) is None:
            pytest.skip("%s is not installed (pip install .[test])" % tool)
    build = tmp_path_factory.mktemp("driver_consumers")
    setup = ["meson", "setup", str(build), os.path.join(ROOT, "tests", "consumers", "driver"),
             "-Dpython=" + sys.executable, "-Dtoolkit_include=" + INCLUDE]
    for cmd in (setup, ["ninja", "-C", str(build)]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    sys.path.insert(0, str(build))
    try:
        import consumer_driver
        yield consumer_driver
    finally:
        sys.path.remove(str(build))


def test_enums_and_macros(consumer):
    from cuda.bindings import driver
    c = consumer.constants()
    assert c["CUDA_SUCCESS"] == 0 and c["CUDA_ERROR_NOT_FOUND"] == int(driver.CUresult.CUDA_ERROR_NOT_FOUND)
    assert c["CU_DEVICE_ATTRIBUTE_WARP_SIZE"] == 10
    assert c["CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE"] == 21
    assert c["CU_EGL_FRAME_TYPE_PITCH"] == 1 and c["CU_GL_DEVICE_LIST_ALL"] == 1
    assert c["CU_STREAM_LEGACY"] == 1 and c["CU_IPC_HANDLE_SIZE"] == 64
    assert c["CUDA_VERSION"] >= 12000


def test_struct_fields(consumer):
    src, dst, dptr, width, height, host_ok, size = consumer.memcpy2d()
    assert (src, dst, dptr, width, height, host_ok) == (1, 2, 0x1000, 64, 2, True)
    assert size == 16 * 8  # sixteen 8-byte members on LP64
    threads, nattrs, cluster_x, priority, value_size = consumer.launch_config()
    assert (threads, nattrs, cluster_x, priority, value_size) == (512, 2, 2, -1, 64)
    assert consumer.kernel_node_params() == (64, 256, 1024)
    assert consumer.unnamed_members() == (0x123456789, 0xABC, 4096)


def test_graphics_interop_types(consumer):
    buffer, width, vdp, null_conn, planes, frame_size = consumer.interop_types()
    # EGLint is unsigned int in NVIDIA's .pxd, so the -1 the consumer stores reads back as 2**32 - 1
    assert (buffer, width, vdp, null_conn, planes) == (7, 2**32 - 1, 3, True, 1)

    class Frame(ctypes.Structure):   # cudaEGL.h's CUeglFrame, without EGL's headers
        _fields_ = [("frame", ctypes.c_void_p * 3)] + [(n, ctypes.c_uint) for n in (
            "width", "height", "depth", "pitch", "planeCount", "numChannels")] + \
            [(n, ctypes.c_int) for n in ("frameType", "eglColorFormat", "cuFormat")]
    assert frame_size == ctypes.sizeof(Frame)


def test_handle_typedefs(consumer):
    dev, dptr, big, stream, null_fn, dptr_size, dev_size = consumer.handle_typedefs()
    assert (dev, dptr, big, stream, null_fn) == (3, 0xFFFFFFFF00, 1 << 40, 0x10, True)
    assert (dptr_size, dev_size) == (8, 4)


def test_handle_class_fields(consumer):
    from cuda.bindings import driver
    assert consumer.stream_fields(driver.CUstream(0x1234)) == (0x1234, True)
    assert consumer.stream_fields(driver.CUstream()) == (0, True)
    assert consumer.device_fields(driver.CUdevice(7)) == (7, True)
    assert consumer.deviceptr_fields(driver.CUdeviceptr(0xFFFF000012340000)) == (0xFFFF000012340000, True)
    assert consumer.hostfn_fields(driver.CUhostFn(0x42)) == 0x42


def test_struct_class_fields(consumer):
    from cuda.bindings import driver
    if not hasattr(driver, "CUDA_MEMCPY2D"):
        pytest.skip("cuda.bindings.driver has no struct classes yet")
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


def test_nogil_calls(consumer):
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
def test_nogil_calls_on_a_gpu(consumer):
    assert consumer.init(0) == 0
    err, version = consumer.driver_version()
    assert err == 0 and version >= 12000


def consumer_script(consumer, body):
    return "import sys; sys.path.insert(0, %r)\nimport consumer_driver as cy\n%s" % (
        os.path.dirname(consumer.__file__), body)


def test_stub_driver_through_cython(consumer, stub_driver):
    r = run_python(consumer_script(consumer, """
try:
    print("INIT", cy.init(0))
except RuntimeError as e:
    print("RAISED", e)
"""), env={"LD_LIBRARY_PATH": stub_driver})
    assert "INIT 34" in r.stdout or "RAISED" in r.stdout, r.stdout + r.stderr  # CUDA_ERROR_STUB_LIBRARY


def test_missing_driver_raises_through_nogil_code(consumer):
    probe = run_python("from cuda.bindings._selfcheck import driver_info; print(driver_info()['path'])",
                       env={"LD_LIBRARY_PATH": ""})
    if probe.stdout.strip() not in ("None", ""):
        pytest.skip("a driver is installed where the loader looks")
    r = run_python(consumer_script(consumer, """
try:
    cy.init(0)
except RuntimeError as e:
    print("RAISED", e)
"""), env={"LD_LIBRARY_PATH": ""})
    assert "RAISED" in r.stdout and ("cuInit" in r.stdout or "libcuda" in r.stdout), r.stdout + r.stderr
