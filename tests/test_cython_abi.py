"""__pyx_capi__ carries exactly the reference's capsule signatures (snapshot)."""
import ctypes
import json
import os

import pytest
from helpers import ROOT, header_dir

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
    # The headers the build read (helpers.header_dir).
    path = os.path.join(header_dir(lib), HEADERS[lib])
    header = open(path).read() if os.path.exists(path) else ""
    assert not [m for m in missing if m + "(" in header.replace(" (", "(")]


# Modules of the reference this package does not bind yet (their own issues).
NOT_BOUND_YET = {"cuda.bindings.cynvml", "cuda.bindings.cycufile", "cuda.bindings.cycudla"}


def test_snapshot_is_the_reference():
    """The committed snapshot is the reference's, module for module, except
    the modules named in NOT_BOUND_YET (and no other is left out)."""
    shared = os.path.join(ROOT, "..", "shared", "api", "cython_capi.json")
    if not os.path.exists(shared):
        pytest.skip("reference API lists not beside this checkout")
    ref, snap = json.load(open(shared)), json.load(open(SNAPSHOT))
    assert set(ref) - set(snap) == NOT_BOUND_YET
    assert snap == {k: v for k, v in ref.items() if k not in NOT_BOUND_YET}
