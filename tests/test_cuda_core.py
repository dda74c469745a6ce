"""cuda-core (NVIDIA's pythonic layer, compiled Cython that cimports cydriver,
cynvrtc, ...) installed on top of this package, as users install it: it runs
on our modules, and pip left our distribution in place."""
import importlib.metadata
import os

import pytest
from helpers import KERNEL

import cuda.bindings

core = pytest.importorskip("cuda.core", reason="cuda-core is not installed (pip install .[test])")


def test_our_distribution_is_the_one_installed():
    dist = importlib.metadata.distribution("cuda-bindings")
    assert "plain C core" in dist.metadata["Summary"]
    files = {os.path.normpath(str(dist.locate_file(f))) for f in dist.files or ()}
    assert os.path.normpath(cuda.bindings.__file__) in files


def test_cuda_core_system_takes_our_nvml():
    """cuda.core.system turns NVML on for ours (it reads cuda.bindings._version's
    __version_tuple__ and imports cuda.bindings.nvml), as for NVIDIA's: its
    Device and events classes are there."""
    from cuda.bindings import _version
    from cuda.core import system
    assert _version.__version_tuple__ == tuple(int(p) for p in cuda.bindings.__version__.split("."))
    assert system.CUDA_BINDINGS_NVML_IS_COMPATIBLE is True
    assert hasattr(system, "Device") and hasattr(system, "register_events")


def test_program_compiles_through_nvrtc():
    from cuda.core import Program, ProgramOptions
    prog = Program(KERNEL.decode(), "c++", ProgramOptions(arch="sm_90", name="vadd"))
    cubin = prog.compile("cubin")
    assert bytes(cubin.code)[:4] == b"\x7fELF"
    with pytest.raises(Exception):
        Program("this is not C++", "c++", ProgramOptions(arch="sm_90")).compile("cubin")


@pytest.mark.gpu
def test_kernel_launch_through_cuda_core():
    import ctypes

    from cuda.core import Device, LaunchConfig, Program, ProgramOptions, launch
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    arch = "sm_%s" % "".join(str(v) for v in dev.compute_capability)
    module = Program(KERNEL.decode(), "c++", ProgramOptions(arch=arch)).compile("cubin")
    kernel = module.get_kernel("vadd")
    n = 1024
    host = [(ctypes.c_float * n)(*range(n)), (ctypes.c_float * n)(*(2.0 * i for i in range(n)))]
    bufs = [dev.memory_resource.allocate(4 * n, stream=stream) for _ in range(3)]
    from cuda.bindings import driver
    for buf, h in zip(bufs, host):
        assert driver.cuMemcpyHtoD(int(buf.handle), h, 4 * n) == (driver.CUresult.CUDA_SUCCESS,)
    launch(stream, LaunchConfig(grid=n // 256, block=256), kernel, bufs[0], bufs[1], bufs[2], ctypes.c_int(n))
    stream.sync()
    out = (ctypes.c_float * n)()
    assert driver.cuMemcpyDtoH(out, int(bufs[2].handle), 4 * n) == (driver.CUresult.CUDA_SUCCESS,)
    assert list(out) == [3.0 * i for i in range(n)]
    for buf in bufs:
        buf.close(stream)
    stream.close()
