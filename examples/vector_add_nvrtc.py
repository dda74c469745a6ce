"""Vector add: compile CUDA C++ with NVRTC, load it with the driver API,
launch it with (values, types) kernel arguments, check the result.

    python examples/vector_add_nvrtc.py
"""
import ctypes
import struct
import sys

from cuda.bindings import driver, nvrtc

SOURCE = rb"""
extern "C" __global__ void vadd(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}
"""


def check(result):
    """Raise on a failed call; return the outputs of a (status, *outputs) tuple."""
    err, *outputs = result
    if err != 0:
        raise RuntimeError("%r" % (err,))
    return outputs[0] if len(outputs) == 1 else tuple(outputs) if outputs else None


def compile_ptx(arch):
    prog = check(nvrtc.nvrtcCreateProgram(SOURCE, b"vadd.cu", 0, [], []))
    opts = [b"--gpu-architecture=" + arch.encode()]
    err, = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        size = check(nvrtc.nvrtcGetProgramLogSize(prog))
        log = bytearray(size)
        nvrtc.nvrtcGetProgramLog(prog, log)
        raise RuntimeError(log.decode(errors="replace"))
    ptx = bytearray(check(nvrtc.nvrtcGetPTXSize(prog)))
    check(nvrtc.nvrtcGetPTX(prog, ptx))
    check(nvrtc.nvrtcDestroyProgram(prog))
    return bytes(ptx)


def main():
    check(driver.cuInit(0))
    device = check(driver.cuDeviceGet(0))
    major = check(driver.cuDeviceGetAttribute(
        driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device))
    minor = check(driver.cuDeviceGetAttribute(
        driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device))
    context = check(driver.cuDevicePrimaryCtxRetain(device))
    check(driver.cuCtxSetCurrent(context))

    module = check(driver.cuModuleLoadData(compile_ptx("compute_%d%d" % (major, minor))))
    kernel = check(driver.cuModuleGetFunction(module, b"vadd"))

    n = 1 << 20
    a = struct.pack("%df" % n, *range(n))
    b = struct.pack("%df" % n, *(2.0 * i for i in range(n)))
    nbytes = 4 * n
    d_a, d_b, d_c = (check(driver.cuMemAlloc(nbytes)) for _ in range(3))
    stream = check(driver.cuStreamCreate(0))
    check(driver.cuMemcpyHtoDAsync(d_a, a, nbytes, stream))
    check(driver.cuMemcpyHtoDAsync(d_b, b, nbytes, stream))

    # Device pointers travel as handle objects (type None); n as a C int.
    args = ((d_a, d_b, d_c, n), (None, None, None, ctypes.c_int))
    threads = 256
    check(driver.cuLaunchKernel(kernel, (n + threads - 1) // threads, 1, 1, threads, 1, 1, 0, stream, args, 0))

    c = bytearray(nbytes)
    check(driver.cuMemcpyDtoHAsync(c, d_c, nbytes, stream))
    check(driver.cuStreamSynchronize(stream))
    result = struct.unpack("%df" % n, c)
    bad = sum(1 for i in range(n) if result[i] != 3.0 * i)
    print("vadd: %d elements, %d wrong" % (n, bad))

    for d in (d_a, d_b, d_c):
        check(driver.cuMemFree(d))
    check(driver.cuStreamDestroy(stream))
    check(driver.cuModuleUnload(module))
    check(driver.cuDevicePrimaryCtxRelease(device))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
