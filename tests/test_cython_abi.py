"""__pyx_capi__ carries exactly the reference's capsule signatures (snapshot)."""
import ctypes
import json
import os

import pytest
from helpers import NOT_BOUND_YET, ROOT, header_dir, json_digest, reference

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


def test_snapshot_is_the_reference():
    """The committed snapshot is the reference's, module for module, except
    the modules named in NOT_BOUND_YET (and no other is left out): each
    module's signatures have the digest of the reference's (kept in
    tests/reference/cython_capi.json; `tests/reference/refresh.py --check`
    names the entries that differ)."""
    ref, snap = reference("cython_capi"), json.load(open(SNAPSHOT))
    assert snap.pop("source") == ref["source"]
    assert set(ref["digests"]) - set(snap) == NOT_BOUND_YET
    assert {k: json_digest(v) for k, v in snap.items()} == \
        {k: v for k, v in ref["digests"].items() if k not in NOT_BOUND_YET}
