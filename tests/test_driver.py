"""cuda.bindings.driver without a GPU: the module, its enums, handle
classes and constants as the headers define them, the tuple contract, and
what a stub or absent driver does to a call."""
import inspect
import os
import operator
import pickle

import pytest
from helpers import header_dir, load_gen, run_python
from test_loader import run_without_ld_cache

from cuda.bindings import cydriver, driver

INCLUDE = header_dir("driver")


@pytest.fixture(scope="module")
def header():
    """The driver headers as our generator reads them (the facts to hold the module to)."""
    load_gen()
    from gen.load import load_model
    return load_model("driver", INCLUDE)


def test_every_enum_has_the_headers_members(header):
    checked = 0
    for cname, pyname, members, _ in header.py_enums():
        cls = getattr(driver, pyname)
        for mname, value, _ in members:
            assert int(getattr(cls, mname)) == value, (pyname, mname)
            checked += 1
    assert checked > 1000


def test_enum_behaves_like_intenum():
    r = driver.CUresult.CUDA_ERROR_INVALID_VALUE
    assert r == 1 and isinstance(r, int) and r.name == "CUDA_ERROR_INVALID_VALUE" and r.value == 1
    assert driver.CUresult(1) is r
    assert driver.CUresult.CUDA_SUCCESS in list(driver.CUresult)
    assert pickle.loads(pickle.dumps(r)) is r
    # an alias typedef of an enum is a class with the same members
    assert driver.CUkernelNodeAttrID.CU_LAUNCH_ATTRIBUTE_PRIORITY == \
        driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY


def test_constants_match_the_headers(header):
    for name, value in header.constants():
        assert getattr(driver, name) == value, name
    assert driver.CU_STREAM_LEGACY == 1 and driver.CU_STREAM_PER_THREAD == 2
    assert driver.CU_DEVICE_CPU == -1 and driver.CU_LAUNCH_PARAM_END == 0


@pytest.mark.parametrize("cls, value, text", [
    ("CUstream", 0x1234, "<CUstream 0x1234>"),
    ("CUcontext", 0, "<CUcontext 0x0>"),
    ("CUdevice", -1, "<CUdevice -1>"),
    ("CUdeviceptr", 2 ** 64 - 1, "<CUdeviceptr 18446744073709551615>"),
    ("cuuint32_t", 2 ** 32 - 1, "<cuuint32_t 4294967295>"),
    ("CUmemGenericAllocationHandle", 7, "<CUmemGenericAllocationHandle 7>"),
])
def test_handle_classes(cls, value, text):
    """As NVIDIA's: opaque pointers compare by value and are indexes; the
    integer handles have only __int__ and compare by identity."""
    H = getattr(driver, cls)
    h = H(value)
    assert int(h) == value and repr(h) == text
    assert isinstance(h.getPtr(), int) and h.getPtr() != 0
    assert driver.sizeof(H) in (4, 8)
    if cls in ("CUstream", "CUcontext"):
        assert h == H(value) and hash(h) == hash(H(value)) and h != H(value + 1)
        assert H() == H(0) and operator.index(h) == value
    else:
        assert h != H(value) and h == h and not hasattr(h, "__index__")
        with pytest.raises(TypeError):
            operator.index(h)


def test_handle_views_foreign_memory():
    import ctypes
    cell = ctypes.c_uint64(0xABCD)
    h = driver.CUdeviceptr(_ptr=ctypes.addressof(cell))
    assert int(h) == 0xABCD
    cell.value = 5
    assert int(h) == 5 and h.getPtr() == ctypes.addressof(cell)


def test_signatures_and_docstrings():
    sig = inspect.signature(driver.cuCtxCreate)
    assert list(sig.parameters) == ["ctxCreateParams", "flags", "dev"]
    assert list(inspect.signature(driver.cuGraphGetNodes).parameters) == ["hGraph", "numNodes"]
    assert "Parameters" in driver.cuMemAlloc.__doc__ and "bytesize" in driver.cuMemAlloc.__doc__
    assert "CUdeviceptr" in driver.cuMemAlloc.__doc__


def test_every_function_has_a_text_signature():
    funcs = [getattr(driver, n) for n in dir(driver) if n.startswith("cu") and callable(getattr(driver, n))
             and not isinstance(getattr(driver, n), type)]
    assert len(funcs) >= 450
    for f in funcs:
        inspect.signature(f)
        assert f.__doc__


def test_capsules_are_exported():
    assert "cuInit" in cydriver.__pyx_capi__
    assert len(cydriver.__pyx_capi__) >= 450


def test_no_driver_raises_runtime_error_naming_it():
    code = """
from cuda.bindings import driver
try:
    driver.cuInit(0)
except RuntimeError as e:
    print("RAISED", e)
"""
    r = run_without_ld_cache(code, {})
    if "RAISED" not in r.stdout:
        pytest.skip("a driver is installed system-wide: %s" % (r.stdout + r.stderr)[-200:])
    assert "libcuda.so.1" in r.stdout and "cuInit" in r.stdout


def test_stub_driver_resolves_no_function(stub_driver):
    """The toolkit's stub answers cuGetProcAddress with CUDA_ERROR_STUB_LIBRARY:
    no function resolves, and a call raises FunctionNotFoundError (a
    RuntimeError), as NVIDIA's does."""
    code = """
from cuda.bindings import driver
for call in (lambda: driver.cuInit(0), driver.cuDeviceGetCount):
    try:
        call()
    except RuntimeError as e:
        print(type(e).__name__)
"""
    r = run_python(code, env={"LD_LIBRARY_PATH": stub_driver})
    lines = r.stdout.splitlines()
    assert lines == ["FunctionNotFoundError"] * 2, r.stdout + r.stderr


def test_kernel_params_forms_are_checked_before_the_call():
    f = driver.CUfunction()
    for bad in [([1, 2], [None]), ([object()], [None]), ("ab", "cd"), ([1], [int])]:
        with pytest.raises((TypeError, ValueError)):
            driver.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, None, bad, 0)


def test_arrays_must_match_their_count():
    with pytest.raises(RuntimeError, match="numDependencies"):   # fewer items than the count
        driver.cuGraphAddEmptyNode(None, [driver.CUgraphNode()], 2)
    with pytest.raises(TypeError, match="CUgraphNode"):
        driver.cuGraphAddEmptyNode(None, [driver.CUstream()], 1)


def test_typing_stub_names_every_type_it_uses():
    """driver.pyi parses and defines each name its annotations use, so type
    checkers resolve CUDA_MEMCPY2D, CUstream, CUresult... in signatures."""
    import ast
    import builtins
    stub = os.path.join(os.path.dirname(driver.__file__), "driver.pyi")
    tree = ast.parse(open(stub).read())
    defined = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    defined |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert used - defined - set(dir(builtins)) == set()
    assert {"CUDA_MEMCPY2D", "CUstream", "CUresult", "cuMemcpy2D"} <= defined


def test_a_cukernel_goes_where_a_cufunction_is_taken():
    """cuda.h: a context-less CUkernel may be passed cast to CUfunction (launches, occupancy)."""
    for call in (lambda f: driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(f, 32, 0),
                 lambda f: driver.cuFuncGetAttribute(driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, f)):
        for ok in (driver.CUkernel(0), driver.CUfunction(0), 0, None):
            try:
                call(ok)
            except RuntimeError:   # converted; no driver here
                pass
        with pytest.raises(TypeError, match="func"):   # not an integer
            call("f")


def test_enum_member_docs_render_the_headers_references():
    """The header's doxygen as NVIDIA renders it: a \\ref to a group is its
    title, a \\ref with words links them, two trailing comments of one member
    are one doc, code in backticks keeps its underscores, and a macro naming
    a type is no link (cuda-core words its errors from these docs)."""
    from cuda.bindings import runtime
    A = driver.CUdevice_attribute
    assert "See :py:obj:`~.Stream Memory Operations` for" in A.CU_DEVICE_ATTRIBUTE_CAN_FLUSH_REMOTE_WRITES.__doc__
    assert driver.CUjit_target.CU_TARGET_COMPUTE_121.__doc__ == (
        "Compute device class 12.1. Compute device class 9.0. with accelerated\nfeatures.\n")
    assert "the kernel's `__launch_bounds__`." in \
        driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PREFERRED_CLUSTER_DIMENSION.__doc__
    E = runtime.cudaError_t
    assert "see the device attribute\n:py:obj:`~.cudaDevAttrKernelExecTimeout` for" in E.cudaErrorLaunchTimeout.__doc__
    assert "Please see\n:py:obj:`~.Interactions with the CUDA Driver API` for" in \
        E.cudaErrorIncompatibleDriverContext.__doc__
    assert runtime.cudaGraphDebugDotFlags.cudaGraphDebugDotFlagsKernelNodeAttributes.__doc__ == \
        "Adds cudaKernelNodeAttrID values to output\n"
    assert "\n:py:obj:`~.cudaLaunchAttributeValue.deviceUpdatableKernelNode.deviceUpdatable`\ncan only" in \
        runtime.cudaLaunchAttributeID.cudaLaunchAttributeDeviceUpdatableKernelNode.__doc__
    assert runtime.cudaSharedMemConfig.__doc__ == "\n    CUDA shared memory configuration [Deprecated]\n    "
