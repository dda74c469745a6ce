"""cuda.bindings.nvvm: NVVM IR compiled to PTX, errors raised as nvvmError."""
import ctypes
import pickle

import pytest
from helpers import library_installed

from cuda.bindings import nvvm

pytestmark = pytest.mark.skipif(not library_installed("nvvm"), reason="libnvvm is not installed")

# A kernel storing 42 through its pointer argument (NVVM IR in text form, the
# typed-pointer dialect every NVVM release accepts).
KERNEL_BODY = """target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-i128:128:128-f32:32:32-f64:64:64-v16:16:16-v32:32:32-v64:64:64-v128:128:128-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

define void @store42(i32* %p) {
  store i32 42, i32* %p
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (i32*)* @store42, !"kernel", i32 1}
"""


def kernel_ir():
    major, minor, dbg_major, dbg_minor = nvvm.ir_version()
    return (KERNEL_BODY + "!nvvmir.version = !{!1}\n!1 = !{i32 %d, i32 %d, i32 %d, i32 %d}\n"
            % (major, minor, dbg_major, dbg_minor)).encode()


def program_log(prog):
    log = bytearray(nvvm.get_program_log_size(prog))
    nvvm.get_program_log(prog, log)
    return bytes(log).rstrip(b"\0").decode()


def compile_ir(ir, options=("-arch=compute_90",)):
    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, ir, len(ir), "store42")
        nvvm.compile_program(prog, len(options), list(options))
        ptx = bytearray(nvvm.get_compiled_result_size(prog))
        assert nvvm.get_compiled_result(prog, ptx) is None
        return bytes(ptx).rstrip(b"\0")
    finally:
        nvvm.destroy_program(prog)


def test_versions():
    major, minor = nvvm.version()
    assert (major, minor) >= (1, 0)
    ir = nvvm.ir_version()
    assert len(ir) == 4 and all(isinstance(v, int) for v in ir) and ir[0] >= 1


def test_compile_ir_to_ptx():
    ptx = compile_ir(kernel_ir())
    assert b".target sm_90" in ptx and b".entry store42" in ptx and b"42" in ptx


def libdevice():
    """The toolkit's libdevice bitcode (cuda-pathfinder finds it), or None."""
    try:
        from cuda.pathfinder import find_bitcode_lib
        with open(find_bitcode_lib("device"), "rb") as f:
            return f.read()
    except Exception:  # noqa: BLE001 - no pathfinder, or no libdevice: the test skips
        return None


def test_options_as_bytes_and_a_lazily_added_module():
    ir, lib = kernel_ir(), libdevice()
    if lib is None:
        pytest.skip("no libdevice bitcode found")
    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, ir, len(ir), "m")
        # a bitcode library: only what the program uses of it is kept
        nvvm.lazy_add_module_to_program(prog, lib, len(lib), "libdevice")
        nvvm.verify_program(prog, 1, [b"-arch=compute_90"])
        nvvm.compile_program(prog, 2, [b"-arch=compute_90", b"-opt=3"])
        ptx = bytearray(nvvm.get_compiled_result_size(prog))
        nvvm.get_compiled_result(prog, ptx)
        assert b".entry store42" in ptx and b"__nv_" not in ptx
    finally:
        nvvm.destroy_program(prog)


def test_bad_ir_raises_with_a_log():
    prog = nvvm.create_program()
    try:
        junk = b"this is not NVVM IR"
        nvvm.add_module_to_program(prog, junk, len(junk), "junk")
        with pytest.raises(nvvm.nvvmError) as e:
            nvvm.compile_program(prog, 0, [])
        assert e.value.status in (nvvm.Result.ERROR_COMPILATION, nvvm.Result.ERROR_INVALID_IR)
        assert str(e.value) == "%s (%d)" % (nvvm.Result(e.value.status).name, e.value.status)
        assert program_log(prog)
    finally:
        nvvm.destroy_program(prog)


def test_errors_are_exceptions_with_status():
    prog = nvvm.create_program()
    try:
        with pytest.raises(nvvm.nvvmError) as e:
            nvvm.compile_program(prog, 0, [])
        assert e.value.status == nvvm.Result.ERROR_NO_MODULE_IN_PROGRAM
        with pytest.raises(nvvm.nvvmError) as e:
            nvvm.compile_program(prog, 1, ["-no-such-option"])
        assert e.value.status in (nvvm.Result.ERROR_INVALID_OPTION, nvvm.Result.ERROR_NO_MODULE_IN_PROGRAM)
    finally:
        nvvm.destroy_program(prog)
    assert isinstance(e.value, Exception)
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is nvvm.nvvmError and again.status == e.value.status


def test_result_enum_and_error_strings():
    assert nvvm.Result.SUCCESS == 0 and nvvm.Result(9) is nvvm.Result.ERROR_COMPILATION
    for r in nvvm.Result:
        text = nvvm.get_error_string(r)
        assert isinstance(text, str) and text.startswith("NVVM_")
    assert nvvm.get_error_string(nvvm.Result.ERROR_INVALID_IR) == "NVVM_ERROR_INVALID_IR"


def test_llvm_version_or_a_clear_error_on_an_older_library():
    from cuda.bindings import cynvvm
    if "nvvmLLVMVersion" not in cynvvm.__pyx_capi__:
        assert not hasattr(nvvm, "llvm_version")
        pytest.skip("built from an nvvm.h without nvvmLLVMVersion (%s)" % cynvvm._header_dir)
    try:
        v = nvvm.llvm_version("compute_90")
    except RuntimeError as e:  # libnvvm older than the header the build bound
        assert "nvvmLLVMVersion" in str(e) and "NVVM" in str(e)
    else:
        assert isinstance(v, int) and v >= 7


def test_buffers_are_checked():
    ir = kernel_ir()
    prog = nvvm.create_program()
    try:
        with pytest.raises(ValueError, match="size"):
            nvvm.add_module_to_program(prog, ir, len(ir) + 1, "m")   # longer than the buffer
        nvvm.add_module_to_program(prog, ir, len(ir), "m")
        nvvm.compile_program(prog, 1, ["-arch=compute_90"])
        size = nvvm.get_compiled_result_size(prog)
        with pytest.raises(ValueError, match="nvvmGetCompiledResultSize"):
            nvvm.get_compiled_result(prog, bytearray(size - 1))
        with pytest.raises(RuntimeError, match="num_options"):   # fewer options than the count
            nvvm.compile_program(prog, 2, ["-arch=compute_90"])
        with pytest.raises(TypeError):
            nvvm.compile_program(prog, 1, [1])
        out = ctypes.create_string_buffer(size)
        nvvm.get_compiled_result(prog, ctypes.addressof(out))   # an address is trusted, as in C
        assert b".entry store42" in out.raw
    finally:
        nvvm.destroy_program(prog)


def test_destroy_of_null_raises():
    with pytest.raises(nvvm.nvvmError) as e:
        nvvm.destroy_program(0)
    assert e.value.status == nvvm.Result.ERROR_INVALID_PROGRAM


@pytest.mark.gpu
def test_nvvm_ptx_runs_on_the_gpu():
    from cuda.bindings import driver as cu
    ptx = compile_ir(kernel_ir())
    ok = cu.CUresult.CUDA_SUCCESS
    assert cu.cuInit(0) == (ok,)
    err, dev = cu.cuDeviceGet(0)
    err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
    cu.cuCtxSetCurrent(ctx)
    err, module = cu.cuModuleLoadData(ptx + b"\0")
    assert err == ok
    err, func = cu.cuModuleGetFunction(module, b"store42")
    err, dptr = cu.cuMemAlloc(4)
    assert cu.cuMemsetD32(dptr, 0, 1) == (ok,)
    assert cu.cuLaunchKernel(func, 1, 1, 1, 1, 1, 1, 0, None, ((dptr,), (None,)), 0) == (ok,)
    out = ctypes.c_int()
    assert cu.cuMemcpyDtoH(ctypes.addressof(out), dptr, 4) == (ok,)
    assert out.value == 42
    cu.cuMemFree(dptr)
    cu.cuModuleUnload(module)
    cu.cuDevicePrimaryCtxRelease(dev)
