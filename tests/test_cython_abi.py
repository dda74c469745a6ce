"""__pyx_capi__ carries exactly the reference's capsule signatures (snapshot)."""
import ctypes
import json
import os

import pytest
from helpers import ROOT, built_header_dir

SNAPSHOT = os.path.join(ROOT, "gen", "data", "cython_capi.json")


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get(cap).decode()


HEADERS = {"nvrtc": "nvrtc.h", "nvjitlink": "nvJitLink.h", "nvvm": "nvvm.h", "nvfatbin": "nvFatbin.h"}


@pytest.mark.parametrize("lib", sorted(HEADERS))
def test_capsules_match_snapshot(lib):
    import importlib
    mod = importlib.import_module("cuda.bindings.cy" + lib)
    with open(SNAPSHOT) as f:
        want = json.load(f)["cuda.bindings.cy" + lib]
    got = {name: capsule_name(cap) for name, cap in mod.__pyx_capi__.items()}
    for name, sig in got.items():
        assert want[name] == sig, name
    # Only functions the toolkit headers lack may be absent.
    missing = set(want) - set(got)
    # The headers the build read; when they are gone (an isolated build), the
    # toolkit's, which a build from newer wheel headers covers too.
    home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    dirs = [built_header_dir(lib)] if built_header_dir(lib) else [os.path.join(home, "include"),
                                                                   os.path.join(home, lib, "include")]
    header = "".join(open(os.path.join(d, HEADERS[lib])).read() for d in dirs
                     if os.path.exists(os.path.join(d, HEADERS[lib])))
    assert not [m for m in missing if m + "(" in header.replace(" (", "(")]


def test_snapshot_is_the_reference():
    shared = os.path.join(ROOT, "..", "shared", "api", "cython_capi.json")
    if not os.path.exists(shared):
        pytest.skip("reference API lists not beside this checkout")
    assert json.load(open(shared)) == json.load(open(SNAPSHOT))
