"""cuda.bindings.nvfatbin: fat binaries of NVRTC's PTX, cubin and LTO-IR, errors as nvFatbinError."""
import ctypes
import pickle

import pytest
from helpers import KERNEL, library_installed, nvrtc_output

from cuda.bindings import nvfatbin

FATBIN_MAGIC = (0xBA55ED50).to_bytes(4, "little")


pytestmark = pytest.mark.skipif(not library_installed("nvfatbin"), reason="libnvfatbin is not installed")


def fatbin_of(handle):
    out = bytearray(nvfatbin.size(handle))
    assert nvfatbin.get(handle, out) is None
    return bytes(out)


def test_version():
    major, minor = nvfatbin.version()
    assert major >= 12 and minor >= 0


def test_ptx_cubin_and_ltoir_in_one_fatbin():
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
    cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
    ltoir = nvrtc_output(KERNEL, [b"-arch=sm_90", b"-dlto"], "LTOIR")
    handle = nvfatbin.create(["-64", "-compress=false"], 2)
    assert isinstance(handle, int) and handle != 0
    try:
        nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "vadd.ptx", "")
        with pytest.raises(TypeError):   # names are str, as NVIDIA's (it refuses bytes)
            nvfatbin.add_cubin(handle, cubin, len(cubin), "90", b"vadd.cubin")
        nvfatbin.add_cubin(handle, cubin, len(cubin), "90", "vadd.cubin")
        nvfatbin.add_ltoir(handle, ltoir, len(ltoir), "90", "vadd.ltoir", "")
        image = fatbin_of(handle)
    finally:
        nvfatbin.destroy(handle)
    assert image[:4] == FATBIN_MAGIC
    assert len(image) > len(cubin)                 # uncompressed: the cubin is inside
    assert cubin[:64] in image


def test_options_as_bytes_tuple_or_none():
    with pytest.raises(TypeError, match="options"):   # None is refused, as NVIDIA's
        nvfatbin.create(None, 0)
    for options, count in ((0, 0), ((), 0), ((b"-64",), 1), ([b"-64", "-compress=true"], 2)):
        handle = nvfatbin.create(options, count)
        nvfatbin.destroy(handle)


def test_errors_are_exceptions_with_status():
    with pytest.raises(nvfatbin.nvFatbinError) as e:
        nvfatbin.create(["-no-such-option"], 1)
    assert e.value.status == nvfatbin.Result.ERROR_UNRECOGNIZED_OPTION
    assert str(e.value) == "ERROR_UNRECOGNIZED_OPTION (8)"
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is nvfatbin.nvFatbinError and again.status == e.value.status
    handle = nvfatbin.create([], 0)
    try:
        cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
        with pytest.raises(nvfatbin.nvFatbinError) as e:   # the cubin is for sm_90
            nvfatbin.add_cubin(handle, cubin, len(cubin), "80", "wrong-arch")
        assert e.value.status == nvfatbin.Result.ERROR_ELF_ARCH_MISMATCH
        with pytest.raises(nvfatbin.nvFatbinError):
            nvfatbin.add_cubin(handle, b"not an ELF", 10, "90", "junk")
    finally:
        nvfatbin.destroy(handle)


def test_result_enum_and_error_strings():
    assert nvfatbin.Result.SUCCESS == 0 and nvfatbin.Result(8) is nvfatbin.Result.ERROR_UNRECOGNIZED_OPTION
    assert nvfatbin.get_error_string(nvfatbin.Result.SUCCESS) == ""   # the library returns NULL: '', as NVIDIA's
    for r in list(nvfatbin.Result)[1:]:
        text = nvfatbin.get_error_string(r)
        assert isinstance(text, str) and text


def test_buffers_and_counts_are_checked():
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
    with pytest.raises(RuntimeError, match="options_count"):   # fewer options than the count
        nvfatbin.create(["-64"], 2)
    with pytest.raises(TypeError):
        nvfatbin.create([64], 1)
    handle = nvfatbin.create([], 0)
    try:
        with pytest.raises(ValueError, match="size"):
            nvfatbin.add_ptx(handle, ptx, len(ptx) + 1, "90", "k", "")
        with pytest.raises(TypeError):
            nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "k", None)   # options are a string, as NVIDIA's
        nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "k", "")
        size = nvfatbin.size(handle)
        with pytest.raises(ValueError, match="nvFatbinSize"):
            nvfatbin.get(handle, bytearray(size - 1))
        out = ctypes.create_string_buffer(size)
        nvfatbin.get(handle, ctypes.addressof(out))   # an address is trusted, as in C
        assert out.raw[:4] == FATBIN_MAGIC
    finally:
        nvfatbin.destroy(handle)


@pytest.mark.gpu
def test_fatbin_loads_and_runs_on_the_gpu():
    from cuda.bindings._selfcheck import run_vector_add
    ptx = nvrtc_output(KERNEL, [b"-arch=compute_90"], "PTX")
    cubin = nvrtc_output(KERNEL, [b"-arch=sm_90"], "CUBIN")
    handle = nvfatbin.create([], 0)
    try:
        nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "vadd.ptx", "")
        nvfatbin.add_cubin(handle, cubin, len(cubin), "90", "vadd.cubin")
        image = fatbin_of(handle)
    finally:
        nvfatbin.destroy(handle)
    assert run_vector_add(image, 4096) == 0.0   # the sm_90 cubin, or the PTX JIT-compiled
