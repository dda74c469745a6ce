"""A program using every module, for mypy (tests/test_typing.py): it is
type-checked, never run."""
import ctypes

import cuda.bindings
from cuda.bindings import driver, nvfatbin, nvjitlink, nvrtc, nvvm, runtime, utils


def compile_ptx(source: bytes) -> bytes:
    err, prog = nvrtc.nvrtcCreateProgram(source, b"k.cu", 0, [], [])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS and prog is not None
    err, = nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=compute_90"])
    err, size = nvrtc.nvrtcGetPTXSize(prog)
    ptx = bytearray(size or 0)
    err, = nvrtc.nvrtcGetPTX(prog, ptx)
    nvrtc.nvrtcDestroyProgram(prog)
    return bytes(ptx)


def link(ptx: bytes) -> bytes:
    handle: int = nvjitlink.create(1, ["-arch=sm_90"])
    nvjitlink.add_data(handle, nvjitlink.InputType.PTX, ptx, len(ptx), "k")
    nvjitlink.complete(handle)
    cubin = bytearray(nvjitlink.get_linked_cubin_size(handle))
    nvjitlink.get_linked_cubin(handle, cubin)
    nvjitlink.destroy(handle)
    return bytes(cubin)


def nvvm_ptx(ir: bytes) -> bytes:
    major, minor, dbg_major, dbg_minor = nvvm.ir_version()
    prog: int = nvvm.create_program()
    nvvm.add_module_to_program(prog, ir, len(ir), "m")
    nvvm.compile_program(prog, 1, ["-arch=compute_90"])
    out = bytearray(nvvm.get_compiled_result_size(prog))
    nvvm.get_compiled_result(prog, out)
    nvvm.destroy_program(prog)
    text: str | None = nvvm.get_error_string(nvvm.Result.ERROR_COMPILATION)
    return bytes(out) if text else b""


def fatbin(ptx: bytes, cubin: bytes) -> bytes:
    handle = nvfatbin.create(["-64"], 1)
    nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "k", "")
    nvfatbin.add_cubin(handle, cubin, len(cubin), "90", "k")
    out = bytearray(nvfatbin.size(handle))
    nvfatbin.get(handle, out)
    nvfatbin.destroy(handle)
    major, minor = nvfatbin.version()
    return bytes(out)


def run(image: bytes) -> list[float]:
    err, = driver.cuInit(0)
    err, dev = driver.cuDeviceGet(0)
    err, ctx = driver.cuDevicePrimaryCtxRetain(dev)
    driver.cuCtxSetCurrent(ctx)
    err, stream = driver.cuStreamCreate(0)
    err, module = driver.cuModuleLoadData(image)
    err, func = driver.cuModuleGetFunction(module, b"k")
    err, dptr = driver.cuMemAlloc(4 * 32)
    args = ((dptr, 32), (None, ctypes.c_int))
    err, = driver.cuLaunchKernel(func, 1, 1, 1, 32, 1, 1, 0, stream, args, 0)
    out = (ctypes.c_float * 32)()
    driver.cuMemcpyDtoHAsync(out, dptr, 4 * 32, stream)
    driver.cuStreamSynchronize(stream)
    copy = driver.CUDA_MEMCPY2D()
    copy.WidthInBytes = 16
    if err != driver.CUresult.CUDA_SUCCESS:
        name: str = err.name
        raise RuntimeError(name)
    return list(out)


def runtime_side() -> int:
    err, prop = runtime.cudaGetDeviceProperties(0)
    err, dptr = runtime.cudaMalloc(1 << 20)
    err, stream = runtime.cudaStreamCreate()
    driver.cuStreamSynchronize(stream)   # a runtime stream is a driver stream
    runtime.cudaFree(dptr)
    grid = runtime.dim3()
    grid.x = 1
    assert prop is not None
    return int(prop.major) * 10 + int(prop.minor)


def helpers() -> str:
    handle: int = utils.get_cuda_native_handle(driver.CUstream(0))
    ptx_version: str = utils.get_ptx_ver(".version 8.8\n")
    needed: int = utils.get_minimal_required_cuda_ver_from_ptx_ver(ptx_version)
    ok: bool = utils.check_nvvm_compiler_options(["-arch=compute_90"])
    utils.warn_if_cuda_major_version_mismatch()
    include: str = cuda.bindings.get_include()
    return "%s %d %d %s %s %s" % (cuda.bindings.__version__, handle, needed, ok, include, runtime_side())
