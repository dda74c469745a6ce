"""cuda.bindings._internal: the private helpers of NVIDIA's package that
cuda-core and numba-cuda call to ask whether NVVM / nvJitLink are installed."""
import ctypes

import pytest
from test_loader import NO_PATHFINDER, run_without_ld_cache

from cuda.bindings._internal import nvfatbin, nvjitlink, nvrtc, nvvm, utils

MODULES = {"nvjitlink": nvjitlink, "nvvm": nvvm, "nvfatbin": nvfatbin, "nvrtc": nvrtc}


@pytest.mark.parametrize("lib", sorted(MODULES))
def test_addresses_are_the_loaded_library_symbols(lib):
    import importlib
    core = importlib.import_module("cuda.bindings.cy" + lib)
    path = core._library_info()["path"]
    if path is None:
        pytest.skip("%s is not installed" % lib)
    loaded = ctypes.CDLL(path)
    pointers = MODULES[lib]._inspect_function_pointers()
    assert set(pointers) == {"__" + name for name in core.__pyx_capi__}
    for key, address in pointers.items():
        symbol = getattr(loaded, key[2:], None)
        assert address == (ctypes.cast(symbol, ctypes.c_void_p).value if symbol is not None else 0), key
        assert MODULES[lib]._inspect_function_pointer(key) == address


def test_the_questions_consumers_ask():
    assert nvjitlink._inspect_function_pointer("__nvJitLinkVersion") != 0   # nvJitLink >= 12.3
    with pytest.raises(KeyError):
        nvjitlink._inspect_function_pointer("nvJitLinkVersion")   # keys are "__<function>"
    with pytest.raises(TypeError):
        nvvm._inspect_function_pointer()
    assert issubclass(utils.NotSupportedError, RuntimeError)
    assert issubclass(utils.FunctionNotFoundError, RuntimeError)


def test_a_missing_library_raises_runtime_error():
    code = NO_PATHFINDER + """
from cuda.bindings._internal import nvjitlink
try:
    nvjitlink._inspect_function_pointer("__nvJitLinkVersion")
except RuntimeError as e:
    print("RAISED", e)
"""
    r = run_without_ld_cache(code, {"CUDA_HOME": "/nonexistent-cuda", "CUDA_PATH": ""})
    assert "RAISED the nvJitLink library could not be loaded" in r.stdout, r.stdout + r.stderr
