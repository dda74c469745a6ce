"""cuda.bindings.nvjitlink: linking NVRTC output into cubins, errors as nvJitLinkError."""
import pickle

import pytest
from helpers import KERNEL

from cuda.bindings import nvjitlink, nvrtc

OK = nvrtc.nvrtcResult.NVRTC_SUCCESS


def compile_kernel(options):
    err, prog = nvrtc.nvrtcCreateProgram(KERNEL, b"vadd.cu", 0, None, None)
    assert err == OK
    assert nvrtc.nvrtcCompileProgram(prog, len(options), options) == (OK,)
    lto = b"-dlto" in options
    size_fn, get_fn = ((nvrtc.nvrtcGetLTOIRSize, nvrtc.nvrtcGetLTOIR) if lto
                       else (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX))
    _, size = size_fn(prog)
    out = bytearray(size)
    assert get_fn(prog, out) == (OK,)
    nvrtc.nvrtcDestroyProgram(prog)
    return bytes(out)


def link(image, input_type, options):
    handle = nvjitlink.create(len(options), options)
    assert isinstance(handle, int) and handle != 0
    try:
        nvjitlink.add_data(handle, input_type, image, len(image), "vadd")
        nvjitlink.complete(handle)
        cubin = bytearray(nvjitlink.get_linked_cubin_size(handle))
        assert nvjitlink.get_linked_cubin(handle, cubin) is None
        info = bytearray(nvjitlink.get_info_log_size(handle))
        nvjitlink.get_info_log(handle, info)
        return bytes(cubin)
    finally:
        nvjitlink.destroy(handle)


def test_version():
    major, minor = nvjitlink.version()
    assert major >= 12 and minor >= 0


def test_link_ltoir_from_nvrtc_to_sm90_cubin():
    ltoir = compile_kernel([b"-arch=sm_90", b"-dlto"])
    cubin = link(ltoir, nvjitlink.InputType.LTOIR, ["-arch=sm_90", "-lto"])
    assert cubin[:4] == b"\x7fELF"


def test_link_ptx_to_sm90_cubin_with_bytes_options():
    ptx = compile_kernel([b"-arch=compute_90"])
    cubin = link(ptx, nvjitlink.InputType.PTX, [b"-arch=sm_90"])
    assert cubin[:4] == b"\x7fELF"


def test_lto_to_ptx():
    ltoir = compile_kernel([b"-arch=sm_90", b"-dlto"])
    handle = nvjitlink.create(3, ["-arch=sm_90", "-lto", "-ptx"])
    try:
        nvjitlink.add_data(handle, int(nvjitlink.InputType.LTOIR), ltoir, len(ltoir), "lto")
        nvjitlink.complete(handle)
        ptx = bytearray(nvjitlink.get_linked_ptx_size(handle))
        nvjitlink.get_linked_ptx(handle, ptx)
        assert b".entry vadd" in ptx
    finally:
        nvjitlink.destroy(handle)


def test_add_file(tmp_path):
    path = tmp_path / "vadd.ptx"
    path.write_bytes(compile_kernel([b"-arch=compute_90"]).rstrip(b"\0"))
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    try:
        nvjitlink.add_file(handle, nvjitlink.InputType.PTX, str(path))
        nvjitlink.complete(handle)
        assert nvjitlink.get_linked_cubin_size(handle) > 0
    finally:
        nvjitlink.destroy(handle)


def test_errors_raise_with_status_and_log():
    with pytest.raises(nvjitlink.nvJitLinkError) as exc:
        nvjitlink.create(1, ["-no-such-option"])
    assert exc.value.status == nvjitlink.Result.ERROR_UNRECOGNIZED_OPTION
    assert str(exc.value) == "ERROR_UNRECOGNIZED_OPTION (1)"
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    try:
        bad = b".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k() { not_an_op; }\n\0"
        with pytest.raises(nvjitlink.nvJitLinkError) as exc:
            nvjitlink.add_data(handle, nvjitlink.InputType.PTX, bad, len(bad), "bad")
            nvjitlink.complete(handle)
        assert exc.value.status == nvjitlink.Result.ERROR_PTX_COMPILE
        log = bytearray(nvjitlink.get_error_log_size(handle))
        nvjitlink.get_error_log(handle, log)
        assert b"error" in log.lower()
    finally:
        nvjitlink.destroy(handle)


def test_error_class_pickles():
    e = nvjitlink.nvJitLinkError(2)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is nvjitlink.nvJitLinkError and back.status == 2 and str(back) == str(e)
    assert issubclass(nvjitlink.nvJitLinkError, Exception)


def test_enums():
    assert nvjitlink.InputType.ANY == 10 and nvjitlink.InputType(3) is nvjitlink.InputType.LTOIR
    assert nvjitlink.Result.SUCCESS == 0 and nvjitlink.Result.ERROR_LTO_NOT_ENABLED == 18


def test_buffers_are_checked_against_reported_sizes():
    ptx = compile_kernel([b"-arch=compute_90"])
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    try:
        with pytest.raises(ValueError, match="size"):
            nvjitlink.add_data(handle, nvjitlink.InputType.PTX, ptx, len(ptx) + 1, "x")
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, ptx, len(ptx), "x")
        nvjitlink.complete(handle)
        with pytest.raises(ValueError, match="get_linked_cubin_size|nvJitLinkGetLinkedCubinSize"):
            nvjitlink.get_linked_cubin(handle, bytearray(8))
        for readonly in (memoryview(b"readonly" * 1000), b"readonly" * 1000):   # ValueError, as NVIDIA's
            with pytest.raises(ValueError, match="writable"):
                nvjitlink.get_linked_cubin(handle, readonly)
    finally:
        nvjitlink.destroy(handle)


def resident_kb():
    """Current resident set size (ru_maxrss is a peak and would hide growth)."""
    import os
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_failed_create_frees_what_it_made():
    """nvJitLinkCreate makes a handle even when it fails; the raise must not leak it."""
    if "libasan" in open("/proc/self/maps").read():
        pytest.skip("AddressSanitizer keeps freed memory in quarantine: RSS says nothing")
    def failed_creates(n):
        for _ in range(n):
            with pytest.raises(nvjitlink.nvJitLinkError):
                nvjitlink.create(1, ["-no-such-option"])
    failed_creates(2000)
    before = resident_kb()
    failed_creates(20000)   # leaking, this grew the process by about 24 MB
    grown_kb = resident_kb() - before
    assert grown_kb < 4096, grown_kb


def test_linked_ltoir_of_an_lto_link():
    """CUDA 13.5: the linked LTO-IR (an LTO-IR container) of an -lto link; a
    buffer smaller than the reported size raises (NVIDIA's writes past it)."""
    from cuda.bindings._internal.utils import FunctionNotFoundError
    ltoir = compile_kernel([b"-arch=sm_90", b"-dlto"])
    handle = nvjitlink.create(2, ["-arch=sm_90", "-lto"])
    try:
        nvjitlink.add_data(handle, nvjitlink.InputType.LTOIR, ltoir, len(ltoir), "vadd")
        nvjitlink.complete(handle)
        try:
            size = nvjitlink.get_linked_ltoir_size(handle)
        except FunctionNotFoundError as e:   # a library older than 13.5
            assert "nvJitLinkGetLinkedLTOIRSize" in str(e) and nvjitlink.version() < (13, 5)
            return
        assert isinstance(size, int) and size > 0
        out = bytearray(size)
        assert nvjitlink.get_linked_ltoir(handle, out) is None
        assert bytes(out[:4]) == b"\xedCN\x7f"   # the LTO-IR container's magic, as nvrtcGetLTOIR's
        assert bytes(out[:4]) == ltoir[:4]
        with pytest.raises(ValueError, match="get_linked_ltoir.*ltoir"):
            nvjitlink.get_linked_ltoir(handle, bytearray(size - 1))
        with pytest.raises(nvjitlink.nvJitLinkError):   # None is NULL, as NVIDIA's: the library refuses it
            nvjitlink.get_linked_ltoir(handle, None)
    finally:
        nvjitlink.destroy(handle)


@pytest.mark.parametrize("module,call", [("nvjitlink", "get_error_log_size"), ("nvvm", "get_program_log_size"),
                                         ("nvml", "device_get_minor_number")])
def test_a_handle_is_an_int_and_nothing_else(module, call):
    """As NVIDIA's: a float, an object with __index__ or __int__, a handle object
    of the tuple-style modules are refused before the library sees them (ours
    took int() of an __int__ object, and nvJitLink crashed on the address)."""
    import importlib
    f = getattr(importlib.import_module("cuda.bindings." + module), call)

    class Index:
        def __index__(self):
            return 5

    class Int:
        def __int__(self):
            return 5

    from cuda.bindings import driver
    for bad in (1.5, Index(), Int(), driver.CUstream(5), "5"):
        with pytest.raises(TypeError):
            f(bad)
