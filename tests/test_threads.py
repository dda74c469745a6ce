"""Many threads at once: 16 threads calling a mix of the bindings, checking
every result.  The CPU mix (NVRTC compiles, handles, structs, enums, bad
arguments) runs everywhere; the GPU mix (streams, events, allocations,
copies, launches, host callbacks, compiles) needs a GPU.  CB_STRESS_SECONDS
sets how long each runs (a few seconds by default; a minute for the stress
run of .ci/gpu-run)."""
import ctypes
import os
import struct
import threading
import time

import pytest
from helpers import KERNEL, nvrtc_output

from cuda.bindings import driver, nvrtc, runtime

THREADS = 16
SECONDS = float(os.environ.get("CB_STRESS_SECONDS", "3"))


def run_threads(work):
    """work(index, deadline) in THREADS threads; re-raise the first failure."""
    errors = []
    deadline = time.monotonic() + SECONDS
    start = threading.Barrier(THREADS)

    def body(i):
        try:
            start.wait()
            work(i, deadline)
        except BaseException as e:  # noqa: BLE001 - collected and re-raised below
            errors.append(e)
    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_cpu_mix_from_many_threads():
    rounds = [0] * THREADS

    def work(i, deadline):
        while time.monotonic() < deadline:
            n = rounds[i]
            if n % 8 == 0:   # a compile: seconds of NVRTC work with the GIL released
                cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
                assert cubin[:4] == b"\x7fELF"
            s = driver.CUstream(i * 1000 + n)
            assert int(s) == i * 1000 + n and runtime.cudaStream_t(s) == s
            m = driver.CUDA_MEMCPY2D()
            m.WidthInBytes = n
            assert m.WidthInBytes == n
            err, text = nvrtc.nvrtcGetErrorString(nvrtc.nvrtcResult(n % 8))
            assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS and text.startswith(b"NVRTC_")
            with pytest.raises(TypeError):
                driver.cuMemAlloc("bad")
            rounds[i] += 1
    run_threads(work)
    assert all(r > 0 for r in rounds)


@pytest.mark.gpu
def test_gpu_mix_from_many_threads():
    ok = driver.CUresult.CUDA_SUCCESS

    def check(result):
        assert result[0] == ok, result
        return result[1] if len(result) > 1 else None
    check(driver.cuInit(0))
    dev = check(driver.cuDeviceGet(0))
    ctx = check(driver.cuDevicePrimaryCtxRetain(dev))
    check(driver.cuCtxSetCurrent(ctx))
    cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
    module = check(driver.cuModuleLoadData(cubin))
    vadd = check(driver.cuModuleGetFunction(module, b"vadd"))
    rounds = [0] * THREADS
    callbacks = [0] * THREADS

    def work(i, deadline):
        assert driver.cuCtxSetCurrent(ctx) == (ok,)
        stream = check(driver.cuStreamCreate(driver.CUstream_flags.CU_STREAM_NON_BLOCKING))
        event = check(driver.cuEventCreate(0))
        n = 4096
        a = struct.pack("<%df" % n, *(float(i) for _ in range(n)))
        b = struct.pack("<%df" % n, *(float(k) for k in range(n)))
        want = struct.pack("<%df" % n, *(float(i + k) for k in range(n)))
        while time.monotonic() < deadline:
            bufs = [check(driver.cuMemAlloc(4 * n)) for _ in range(3)]
            check(driver.cuMemcpyHtoDAsync(bufs[0], a, 4 * n, stream))
            check(driver.cuMemcpyHtoDAsync(bufs[1], b, 4 * n, stream))
            args = ((bufs[0], bufs[1], bufs[2], n), (None, None, None, ctypes.c_int))
            check(driver.cuLaunchKernel(vadd, n // 256, 1, 1, 256, 1, 1, 0, stream, args, 0))
            check(driver.cuLaunchHostFunc(stream, lambda k: callbacks.__setitem__(k, callbacks[k] + 1), i))
            check(driver.cuEventRecord(event, stream))
            out = bytearray(4 * n)
            check(driver.cuMemcpyDtoHAsync(out, bufs[2], 4 * n, stream))
            check(driver.cuStreamSynchronize(stream))
            assert driver.cuEventQuery(event) == (ok,)
            assert out == want
            for d in bufs:
                check(driver.cuMemFree(d))
            if rounds[i] % 16 == 0:
                err, rt_stream = runtime.cudaStreamCreate()
                assert err == runtime.cudaError_t.cudaSuccess
                assert runtime.cudaStreamSynchronize(rt_stream) == (runtime.cudaError_t.cudaSuccess,)
                runtime.cudaStreamDestroy(rt_stream)
                assert nvrtc_output(KERNEL, [b"-arch=sm_90"], "PTX")
            rounds[i] += 1
        check(driver.cuEventDestroy(event))
        check(driver.cuStreamDestroy(stream))
    run_threads(work)
    print("GPU mix: %d threads, %d rounds (launches checked), %d host callbacks, %.0f s"
          % (THREADS, sum(rounds), sum(callbacks), SECONDS))
    assert all(r > 0 for r in rounds) and callbacks == rounds
    driver.cuModuleUnload(module)
    driver.cuDevicePrimaryCtxRelease(dev)
