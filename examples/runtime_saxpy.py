"""SAXPY with the runtime API: compile CUDA C++ with NVRTC, load it as a
runtime library, launch it with cudaLaunchKernel, time it with events, and
hand the runtime's stream to a driver call.

    python examples/runtime_saxpy.py
"""
import ctypes
import struct
import sys

from cuda.bindings import driver, nvrtc, runtime

SOURCE = rb"""
extern "C" __global__ void saxpy(float a, const float *x, float *y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = a * x[i] + y[i];
}
"""


def check(result):
    """Raise on a failed call; return the outputs of a (status, *outputs) tuple."""
    err, *outputs = result
    if err != 0:
        raise RuntimeError("%r" % (err,))
    return outputs[0] if len(outputs) == 1 else tuple(outputs) if outputs else None


def compile_cubin(major, minor):
    prog = check(nvrtc.nvrtcCreateProgram(SOURCE, b"saxpy.cu", 0, [], []))
    arch = b"--gpu-architecture=sm_%d%d" % (major, minor)
    if nvrtc.nvrtcCompileProgram(prog, 1, [arch])[0] != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        size = check(nvrtc.nvrtcGetProgramLogSize(prog))
        log = bytearray(size)
        nvrtc.nvrtcGetProgramLog(prog, log)
        raise RuntimeError(log.decode(errors="replace"))
    cubin = bytearray(check(nvrtc.nvrtcGetCUBINSize(prog)))
    check(nvrtc.nvrtcGetCUBIN(prog, cubin))
    check(nvrtc.nvrtcDestroyProgram(prog))
    return bytes(cubin)


def main():
    n, a = 1 << 20, 2.5
    check(runtime.cudaSetDevice(0))
    prop = check(runtime.cudaGetDeviceProperties(0))
    library = check(runtime.cudaLibraryLoadData(compile_cubin(prop.major, prop.minor), None, None, 0, None, None, 0))
    saxpy = check(runtime.cudaLibraryGetKernel(library, b"saxpy"))

    x_host = struct.pack("%df" % n, *range(n))
    y_host = struct.pack("%df" % n, *([1.0] * n))
    x, y = check(runtime.cudaMalloc(4 * n)), check(runtime.cudaMalloc(4 * n))
    stream = check(runtime.cudaStreamCreate())
    start, stop = check(runtime.cudaEventCreate()), check(runtime.cudaEventCreate())
    H2D, D2H = runtime.cudaMemcpyKind.cudaMemcpyHostToDevice, runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost
    check(runtime.cudaMemcpyAsync(x, x_host, 4 * n, H2D, stream))
    check(runtime.cudaMemcpyAsync(y, y_host, 4 * n, H2D, stream))

    grid, block = runtime.dim3(), runtime.dim3()   # zeroed, as the C struct: set all three
    grid.x, grid.y, grid.z = (n + 255) // 256, 1, 1
    block.x, block.y, block.z = 256, 1, 1
    args = ((a, x, y, n), (ctypes.c_float, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int))
    check(runtime.cudaEventRecord(start, stream))
    check(runtime.cudaLaunchKernel(saxpy, grid, block, args, 0, stream))
    check(runtime.cudaEventRecord(stop, stream))

    out = bytearray(4 * n)
    check(runtime.cudaMemcpyAsync(out, y, 4 * n, D2H, stream))
    # A runtime stream is a driver CUstream: the driver waits on it here.
    check(driver.cuStreamSynchronize(stream))
    ms = check(runtime.cudaEventElapsedTime(start, stop))

    y_out = struct.unpack("%df" % n, bytes(out))
    wrong = sum(1 for i in range(n) if y_out[i] != a * i + 1.0)
    print("saxpy of %d floats on %s in %.3f ms: %d wrong" % (n, prop.name.decode() if isinstance(
        prop.name, bytes) else prop.name, ms, wrong))

    for e in (start, stop):
        check(runtime.cudaEventDestroy(e))
    check(runtime.cudaStreamDestroy(stream))
    check(runtime.cudaFree(x))
    check(runtime.cudaFree(y))
    check(runtime.cudaLibraryUnload(library))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
