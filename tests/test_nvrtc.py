"""cuda.bindings.nvrtc: compile, logs, name expressions, errors, handles."""
import inspect
import pickle

import pytest
from helpers import KERNEL

from cuda.bindings import driver, nvrtc

OK = nvrtc.nvrtcResult.NVRTC_SUCCESS


def create(src=KERNEL, name=b"k.cu", headers=(), names=()):
    err, prog = nvrtc.nvrtcCreateProgram(src, name, len(headers), list(headers), list(names))
    assert err == OK
    return prog


def log_of(prog):
    err, size = nvrtc.nvrtcGetProgramLogSize(prog)
    assert err == OK
    log = bytearray(size)
    assert nvrtc.nvrtcGetProgramLog(prog, log) == (OK,)
    return bytes(log).rstrip(b"\0").decode()


def test_version_and_archs():
    err, major, minor = nvrtc.nvrtcVersion()
    assert err == OK and major >= 12 and minor >= 0
    err, n = nvrtc.nvrtcGetNumSupportedArchs()
    assert err == OK and n > 0
    err, archs = nvrtc.nvrtcGetSupportedArchs()
    assert err == OK and len(archs) == n and 90 in archs and archs == sorted(archs)


def test_compile_ptx_into_bytes_and_bytearray():
    prog = create()
    assert nvrtc.nvrtcCompileProgram(prog, 2, [b"-arch=compute_90", b"-default-device"]) == (OK,)
    err, size = nvrtc.nvrtcGetPTXSize(prog)
    assert err == OK and size > 100
    as_bytes = b" " * size          # NVIDIA's documented pattern
    assert nvrtc.nvrtcGetPTX(prog, as_bytes) == (OK,)
    as_array = bytearray(size)
    assert nvrtc.nvrtcGetPTX(prog, as_array) == (OK,)
    assert as_bytes == bytes(as_array)
    assert b".entry vadd" in as_array and as_array[-1] == 0
    assert nvrtc.nvrtcDestroyProgram(prog) == (OK,)


def test_compile_cubin_and_ltoir():
    prog = create()
    assert nvrtc.nvrtcCompileProgram(prog, 1, (b"-arch=sm_90",)) == (OK,)
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    cubin = bytearray(size)
    assert nvrtc.nvrtcGetCUBIN(prog, cubin) == (OK,)
    assert cubin[:4] == b"\x7fELF"
    nvrtc.nvrtcDestroyProgram(prog)
    prog = create()
    assert nvrtc.nvrtcCompileProgram(prog, 2, [b"-arch=sm_90", b"-dlto"]) == (OK,)
    err, size = nvrtc.nvrtcGetLTOIRSize(prog)
    assert err == OK and size > 0
    ltoir = bytearray(size)
    assert nvrtc.nvrtcGetLTOIR(prog, ltoir) == (OK,)
    nvrtc.nvrtcDestroyProgram(prog)


def test_headers_are_passed():
    src = b'#include "twice.h"\nextern "C" __global__ void k(int *x) { *x = TWICE(21); }'
    prog = create(src, b"h.cu", [b"#define TWICE(v) (2 * (v))\n"], [b"twice.h"])
    assert nvrtc.nvrtcCompileProgram(prog, 0, None) == (OK,)
    nvrtc.nvrtcDestroyProgram(prog)


def test_compile_error_and_log():
    prog = create(b"__global__ void k() { this is not cuda; }")
    err, = nvrtc.nvrtcCompileProgram(prog, 0, [])
    assert err == nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION
    assert "error" in log_of(prog)
    nvrtc.nvrtcDestroyProgram(prog)


def test_invalid_option_is_a_status_not_an_exception():
    prog = create()
    err, = nvrtc.nvrtcCompileProgram(prog, 1, [b"--no-such-option"])
    assert err == nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_OPTION
    nvrtc.nvrtcDestroyProgram(prog)


def test_name_expressions_and_lowered_names():
    src = b"template <typename T> __global__ void f(T *x) { *x = T(1); }"
    prog = create(src, b"t.cu")
    exprs = [b"f<float>", b"f<int>"]
    for e in exprs:
        assert nvrtc.nvrtcAddNameExpression(prog, e) == (OK,)
    err, lowered = nvrtc.nvrtcGetLoweredName(prog, exprs[0])
    assert err == nvrtc.nvrtcResult.NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION and lowered is None
    assert nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"]) == (OK,)
    names = {}
    for e in exprs:
        err, names[e] = nvrtc.nvrtcGetLoweredName(prog, e)
        assert err == OK
    assert names[b"f<float>"] == b"_Z1fIfEvPT_" and names[b"f<int>"] == b"_Z1fIiEvPT_"
    err, lowered = nvrtc.nvrtcGetLoweredName(prog, b"f<double>")
    assert err == nvrtc.nvrtcResult.NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID and lowered is None
    assert nvrtc.nvrtcAddNameExpression(prog, b"f<char>") == (
        nvrtc.nvrtcResult.NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION,)
    nvrtc.nvrtcDestroyProgram(prog)


def test_destroy_clears_the_handle_and_twice_is_an_error():
    prog = create()
    assert int(prog) != 0
    assert nvrtc.nvrtcDestroyProgram(prog) == (OK,)
    assert int(prog) == 0
    assert nvrtc.nvrtcDestroyProgram(prog) == (nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_PROGRAM,)
    err, size = nvrtc.nvrtcGetPTXSize(prog)
    assert err == nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_PROGRAM and size is None


def test_handle_given_as_int_address():
    prog = create()
    err, size = nvrtc.nvrtcGetProgramLogSize(int(prog))
    assert err == OK and size >= 1
    nvrtc.nvrtcDestroyProgram(prog)


def test_error_string():
    assert nvrtc.nvrtcGetErrorString(nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION) == (
        OK, b"NVRTC_ERROR_COMPILATION")
    assert nvrtc.nvrtcGetErrorString(6) == (OK, b"NVRTC_ERROR_COMPILATION")


def test_pch_heap_size_roundtrip():
    err, before = nvrtc.nvrtcGetPCHHeapSize()
    assert err == OK
    assert nvrtc.nvrtcSetPCHHeapSize(before) == (OK,)
    assert nvrtc.nvrtcGetPCHHeapSize() == (OK, before)


def test_keywords_and_signatures():
    err, prog = nvrtc.nvrtcCreateProgram(src=KERNEL, name=b"k.cu", numHeaders=0, headers=None,
                                         includeNames=None)
    assert err == OK
    assert nvrtc.nvrtcCompileProgram(prog, options=[b"-arch=sm_90"], numOptions=1) == (OK,)
    nvrtc.nvrtcDestroyProgram(prog=prog)
    params = list(inspect.signature(nvrtc.nvrtcCreateProgram).parameters)
    assert params == ["src", "name", "numHeaders", "headers", "includeNames"]
    assert "nvrtcCreateProgram creates an instance" in nvrtc.nvrtcCreateProgram.__doc__


def test_enums_are_fast_enums():
    from cuda.bindings._internal._fast_enum import FastEnum, FastEnumMetaclass
    r = nvrtc.nvrtcResult
    assert issubclass(r, FastEnum) and type(r) is FastEnumMetaclass and nvrtc._FastEnum is FastEnum
    assert r(6) is r.NVRTC_ERROR_COMPILATION and r.NVRTC_ERROR_COMPILATION == 6
    assert r.NVRTC_SUCCESS.name == "NVRTC_SUCCESS" and r.NVRTC_SUCCESS.value == 0
    assert isinstance(r.NVRTC_SUCCESS, int) and len(r) == len(list(r)) == 19  # CUDA 13.3 added NVRTC_ERROR_BUSY
    assert r.NVRTC_ERROR_BUSY == 18 and 18 in r and 99 not in r
    with pytest.raises(TypeError):
        [] in r                     # unhashable, as NVIDIA's
    assert pickle.loads(pickle.dumps(r.NVRTC_ERROR_COMPILATION)) is r.NVRTC_ERROR_COMPILATION
    assert "nvrtcResult" in dir(nvrtc) and "_FastEnum" in dir(nvrtc)
    assert nvrtc.nvrtcVersion()[0] is r.NVRTC_SUCCESS
    m = r.NVRTC_ERROR_COMPILATION
    assert str(m) == repr(m) == format(m) == "%s" % m == "<nvrtcResult.NVRTC_ERROR_COMPILATION: 6>"
    assert f"{m:d}|{m:>3}|{m:x}" == "6|  6|6" and "%d" % m == "6" and repr(r) == "<enum 'nvrtcResult'>"
    assert m.__doc__ is None  # nvrtc.h documents no member (NVIDIA's is None too)
    for bad in (-1, 99, None, "NVRTC_SUCCESS", 2 ** 70):
        with pytest.raises(ValueError, match="is not a valid nvrtcResult"):
            r(bad)
    with pytest.raises(TypeError):
        r([])                       # unhashable, as NVIDIA's
    with pytest.raises(TypeError):
        r["NVRTC_SUCCESS"]          # not subscriptable, as NVIDIA's
    with pytest.raises(AttributeError):
        m.name = "x"


def test_fast_enum_class_statement():
    # cuda-core defines enums of its own on FastEnum (DeviceArch)
    from cuda.bindings._internal._fast_enum import FastEnum

    class Arch(FastEnum):
        """Architectures."""
        KEPLER = 30
        AMPERE = 80, "the doc of AMPERE"
        AMPERE_ALIAS = 80
        label = "not a member"

        def major(self):
            return int(self) // 10

    assert list(Arch) == [Arch.KEPLER, Arch.AMPERE] and len(Arch) == 2
    assert Arch.AMPERE_ALIAS is Arch.AMPERE and Arch.AMPERE.name == "AMPERE"
    assert list(Arch.__members__) == ["KEPLER", "AMPERE", "AMPERE_ALIAS"]
    assert Arch(80).major() == 8 and Arch.label == "not a member" and Arch.__doc__ == "Architectures."
    assert Arch.AMPERE.__doc__ == "the doc of AMPERE" and Arch.KEPLER.__doc__ is None
    assert Arch.KEPLER < Arch.AMPERE and Arch.KEPLER + 1 == 31 and type(Arch.KEPLER + 1) is int
    with pytest.raises(ValueError):
        Arch(31)


def test_program_handle_class():
    P = nvrtc.nvrtcProgram
    a, b = P(0x1234), P(0x1234)
    assert int(a) == 0x1234 and a == b and hash(a) == hash(b) and a != P(0x99)
    assert repr(a) == "<nvrtcProgram 0x1234>"
    assert int(P()) == 0
    with pytest.raises(TypeError):   # as NVIDIA's: init_value is an integer
        P(None)
    import ctypes
    assert ctypes.c_void_p.from_address(a.getPtr()).value == 0x1234
    # A handle viewing foreign memory reads and writes through it.
    slot = ctypes.c_void_p(0x42)
    view = P(_ptr=ctypes.addressof(slot))
    assert int(view) == 0x42 and view.getPtr() == ctypes.addressof(slot)
    assert nvrtc.sizeof(P) == ctypes.sizeof(ctypes.c_void_p)
    assert nvrtc.sizeof(nvrtc.nvrtcResult) == ctypes.sizeof(ctypes.c_int)
    with pytest.raises(TypeError):
        nvrtc.sizeof(int)
    assert P(1.5) == P(1)   # as NVIDIA's: init_value is int() of anything with __int__
    with pytest.raises(TypeError):   # a program is an nvrtcProgram: NVRTC reads it unchecked
        nvrtc.nvrtcGetPTXSize(driver.CUstream(1))
    assert a != 0x1234  # equality is between handles, as in NVIDIA's classes


def test_concurrent_compiles_release_the_gil():
    import threading
    results = []

    def work():
        prog = create()
        results.append(nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"]))
        nvrtc.nvrtcDestroyProgram(prog)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(OK,)] * 4


def nvrtc_has(name):
    """Whether the NVRTC loaded here has `name` (CUDA 13.3 added some)."""
    from cuda.bindings._internal import nvrtc as inspect_nvrtc
    return inspect_nvrtc._inspect_function_pointer("__" + name) != 0


def test_bundled_headers_info_install_and_remove(tmp_path):
    """CUDA 13.3: the headers NVRTC carries, described, written to a folder
    and removed again; results shaped as NVIDIA's (a struct, then None)."""
    if not nvrtc_has("nvrtcGetBundledHeadersInfo"):
        from cuda.bindings._internal.utils import FunctionNotFoundError
        with pytest.raises(FunctionNotFoundError, match="nvrtcGetBundledHeadersInfo"):
            nvrtc.nvrtcGetBundledHeadersInfo()
        pytest.skip("NVRTC %d.%d predates bundled headers" % nvrtc.nvrtcVersion()[1:])
    err, info, log = nvrtc.nvrtcGetBundledHeadersInfo()
    assert err == OK and log is None and isinstance(info, nvrtc.nvrtcBundledHeadersInfo)
    assert (info.cudaVersionMajor, info.cudaVersionMinor) == nvrtc.nvrtcVersion()[1:]
    assert info.available == 1 and info.numFiles > 100 and info.uncompressedSize > info.compressedSize > 0
    where = tmp_path / "headers"
    assert nvrtc.nvrtcInstallBundledHeaders(str(where).encode(), nvrtc.NVRTC_INSTALL_HEADERS_SKIP_IF_EXISTS) \
        == (OK, None)
    assert (where / "cooperative_groups.h").is_file() and len(list(where.rglob("*.h"))) > 100
    assert nvrtc.nvrtcRemoveBundledHeaders(str(where).encode()) == (OK, None)
    assert not where.exists()
    assert (nvrtc.NVRTC_INSTALL_HEADERS_SKIP_IF_EXISTS, nvrtc.NVRTC_INSTALL_HEADERS_FORCE_OVERWRITE,
            nvrtc.NVRTC_INSTALL_HEADERS_NO_WAIT) == (0, 1, 2)
    with pytest.raises(TypeError, match="installPath"):
        nvrtc.nvrtcInstallBundledHeaders(str(where), 0)


def test_tile_ir_of_a_program_without_tile_code():
    """CUDA 13.3: nvrtcGetTileIRSize/nvrtcGetTileIR; a program with no
    cuda_tile code has none (size 0), as NVIDIA's reports."""
    prog = create()
    assert nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"]) == (OK,)
    try:
        if not nvrtc_has("nvrtcGetTileIRSize"):
            pytest.skip("NVRTC %d.%d predates cuda_tile IR" % nvrtc.nvrtcVersion()[1:])
        assert nvrtc.nvrtcGetTileIRSize(prog) == (OK, 0)
        assert nvrtc.nvrtcGetTileIR(prog, bytearray(16)) == (OK,)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)
