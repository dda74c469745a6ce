"""__pyx_capi__ carries exactly the reference's capsule signatures (snapshot):
the cy<lib> modules' C functions (gen/data/cython_capi.json) and the
pythonic modules' cpdef functions (gen/data/pythonic_cpdef.json)."""
import ctypes
import json
import os

import pytest
from helpers import NOT_BOUND_YET, ROOT, cpdef_not_exported, header_dir, json_digest, reference

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


def test_cynvml_capsules_cover_the_snapshot():
    """cynvml exports each of the reference's C functions under its
    signature; the others it exports are functions of nvml.h that the
    reference leaves out (the deprecated ones, GPM, ...)."""
    from cuda.bindings import cynvml
    with open(SNAPSHOT) as f:
        want = json.load(f)["cuda.bindings.cynvml"]
    got = {name: capsule_name(cap) for name, cap in cynvml.__pyx_capi__.items()}
    assert {name: got.get(name) for name in want if got.get(name) != want[name]} == {}
    header = open(os.path.join(header_dir("nvml"), "nvml.h")).read().replace(" (", "(")
    assert [name for name in set(got) - set(want) if name + "(" not in header] == []


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


CPDEF = os.path.join(ROOT, "gen", "data", "pythonic_cpdef.json")
# How many cpdef functions the reference's modules export.
CPDEF_COUNTS = {"nvjitlink": 15, "nvvm": 13, "nvfatbin": 10, "nvml": 315}


@pytest.mark.parametrize("lib", sorted(CPDEF_COUNTS))
def test_cpdef_capsules_match_snapshot(lib):
    """Every cpdef function the module exports under the reference's
    capsule name; of the reference's, only the ones whose C function the
    generator does not bind yet are absent (helpers.cpdef_not_exported
    computes them from the model and names them on failure)."""
    import importlib
    mod = importlib.import_module("cuda.bindings." + lib)
    with open(CPDEF) as f:
        want = {name: fact["capsule"] for name, fact in json.load(f)["cuda.bindings." + lib]["functions"].items()}
    assert len(want) == CPDEF_COUNTS[lib]
    got = {name: capsule_name(cap) for name, cap in mod.__pyx_capi__.items()}
    assert {name: sig for name, sig in got.items() if want.get(name) != sig} == {}
    missing = cpdef_not_exported(lib, want)
    assert sorted(set(want) - set(got)) == sorted(missing), missing
