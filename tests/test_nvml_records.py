"""The struct classes of cuda.bindings.nvml (csrc/cb_record_*, tables from
gen/emit_records.py): the generator against the reference's facts, the built
classes against NVIDIA's cuda-bindings 13.5.0 run beside them (every class,
every field set from many values: differential/record_cases.py), and what
ours does where NVIDIA's crashes, reads freed memory or writes read-only
memory (the DELIBERATE rules below, each proven by a test of its own)."""
import functools
import json
import re

import pytest
from differential import harness, record_cases
from helpers import header_dir, load_gen, reference, run_python

load_gen()
from gen import emit_records  # noqa: E402
from gen import records_overrides as overrides  # noqa: E402
from gen.load import load_model  # noqa: E402


@functools.lru_cache(maxsize=None)
def model():
    return load_model("nvml", header_dir("nvml"))


@functools.lru_cache(maxsize=None)
def records():
    return emit_records.records(model().h)


def facts():
    return reference("nvml_records")


# ---- the generator against the reference's facts -------------------------------

def test_every_class_and_field_is_the_references():
    """The emitter makes exactly NVIDIA's struct classes (plus its private
    _py_anon_pod<N>), each with exactly its fields."""
    ours = {r.name: sorted([m.name for m in r.members if not m.hidden] + ["ptr"]) for r in records()}
    public = {k: v for k, v in ours.items() if not k.startswith("_")}
    assert public == facts()["classes"]
    assert sorted(k for k in ours if k.startswith("_")) == ["_py_anon_pod%d" % i for i in (0, 1, 2, 3, 4, 5, 8)]


def test_every_dtype_is_the_references():
    """Every module-level dtype: its name, its fields in order (the count
    and reserved members too)."""
    ours = {emit_records.dtype_name(r.name): [m.name for m in r.members] for r in records()}
    theirs = {name: d["fields"] for name, d in facts()["dtypes"].items()}
    assert {k: v for k, v in ours.items() if not k.startswith("_")} == theirs


def test_snake_case_is_nvidias():
    assert emit_records.snake("memorySizeMB") == "memory_size_mb"
    assert emit_records.snake("enableARRMode") == "enable_arr_mode"
    assert emit_records.snake("clockOffsetMHz") == "clock_offset_m_hz"
    assert emit_records.snake("BAR1Memory") == "ba_r1memory"
    assert emit_records.snake("VgpuTypeBar1Info_v1") == "vgpu_type_bar1info_v1"
    assert emit_records.py_field_name("nvmlPciInfo_t", "device") == "device_"


def test_the_tables_are_c_of_sizeof_and_offsetof():
    text = emit_records.emit(model())
    assert "enum {\n    RECORD_nvmlPciInfoExt_v1_t,\n    RECORD_nvmlPciInfo_t," in text
    assert 'offsetof(nvmlMemory_v2_t, total)' in text
    assert '(unsigned int)(nvmlMemory_v2)' in text        # the version macro
    assert "sizeof(((nvmlGpuThermalSettings_t *)0)->sensor[0])" in text   # an anonymous member's record


# Every overrides entry names what nvml.h declares, and taking it out changes
# what the emitter writes.
def _entries():
    out = []
    for name in ("NO_CLASS", "ARRAY_CLASSES", "NDARRAY_ATTRIBUTES"):
        out += [(name, e) for e in sorted(getattr(overrides, name), key=str)]
    out += [("COUNTS", (s, a)) for s, d in sorted(overrides.COUNTS.items()) for a in sorted(d)]
    out += [("ANON_NUMBERS", k) for k in overrides.ANON_NUMBERS]
    out += [("NAMES", k) for k in overrides.NAMES]
    return out


@pytest.mark.parametrize("table,entry", _entries(), ids=str)
def test_override_entry_names_the_header_and_changes_the_tables(table, entry, monkeypatch):
    h = model().h
    members = {(n, f.name) for n, s in h.structs.items() for f in s.fields}
    if table in ("NO_CLASS",):
        assert entry in h.structs
    elif table == "ARRAY_CLASSES":
        assert entry in h.structs or entry in members
    elif table == "NDARRAY_ATTRIBUTES":
        assert any(emit_records.snake(m) == entry for _, m in members), "no member is named %s" % entry
    elif table == "COUNTS":
        assert entry in members and (entry[0], overrides.COUNTS[entry[0]][entry[1]]) in members
    else:
        assert entry in members
    before = emit_records.emit(model())
    value = getattr(overrides, table)
    rule = table.lower()   # the table as NVML's rules hold it (records_overrides.NVML)
    if isinstance(value, set):
        monkeypatch.setattr(overrides.NVML, rule, value - {entry})
    elif table == "COUNTS":
        inner = {k: v for k, v in value[entry[0]].items() if k != entry[1]}
        monkeypatch.setattr(overrides.NVML, rule, {**value, entry[0]: inner})
    else:
        monkeypatch.setattr(overrides.NVML, rule, {k: v for k, v in value.items() if k != entry})
    try:
        after = emit_records.emit(model())
    except Exception as e:   # the emitter cannot do without it (a class whose member's class it names)
        after = "fails: %r" % e
    assert after != before


# ---- the built module ----------------------------------------------------------

def test_the_dtypes_are_the_references():
    from cuda.bindings import nvml
    for name, d in facts()["dtypes"].items():
        dt = getattr(nvml, name)
        assert list(dt.names) == d["fields"], name
        assert dt.itemsize == d["itemsize"], name
    names = {n for n in dir(nvml) if n.endswith("_dtype") and not n.startswith("_")}
    assert names == set(facts()["dtypes"])


def test_importing_the_module_imports_no_numpy():
    """A plain class is used without numpy; a dtype, or an array class, imports it."""
    r = run_python(
        "import sys\n"
        "import cuda.bindings.nvml as n\n"
        "print('numpy' in sys.modules)\n"
        "m = n.Memory_v2(); m.total = 5; p = n.PciInfo(); p.bus_id = 'x'; e = n.ExcludedDeviceInfo()\n"
        "e.pci_info.domain = 3; v = n.Value(); v.d_val = 1.5\n"
        "print('numpy' in sys.modules, m.total, p.bus_id, e.pci_info.domain, v.d_val, 'memory_dtype' in dir(n))\n"
        "n.memory_v2_dtype\n"
        "print('numpy' in sys.modules)\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:3] == ["False", "False 5 x 3 1.5 True", "True"]
    r = run_python("import sys, cuda.bindings.nvml as n\nn.ProcessInfo(2)\nprint('numpy' in sys.modules)")
    assert r.stdout.strip() == "True", r.stderr


def test_integer_fields_convert_as_cython_says():
    from cuda.bindings import nvml
    m = nvml.Memory_v2()
    cases = [("total", -1, OverflowError, "can't convert negative value to unsigned PY_LONG_LONG"),
             ("total", 2 ** 64, OverflowError, "Python int too large to convert to C unsigned long"),
             ("total", "a", TypeError, "an integer is required"),
             ("version", 2 ** 32, OverflowError, "value too large to convert to unsigned int")]
    for field, value, exc, text in cases:
        with pytest.raises(exc, match=re.escape(text)):
            setattr(m, field, value)
    m.total = 2.9
    assert m.total == 2
    with pytest.raises(TypeError, match="an integer is required"):
        nvml.EventData().device_ = 1.5       # an intptr_t takes ints only
    p = nvml.PciInfo()
    with pytest.raises(ValueError, match="String too long for field bus_id, max length is 31"):
        p.bus_id = "a" * 32
    with pytest.raises(AttributeError):
        p.bus_id = b"x"
    with pytest.raises(ValueError, match="buffer length must be 40 bytes"):
        nvml.Memory_v2.from_buffer(bytearray(41))


def test_pointer_members_read_what_was_set_and_keep_it_alive():
    """NVIDIA's reads an integer array set into a pointer member from memory
    that is gone (DELIBERATE 'freed memory'): ours reads the values set, kept
    alive by the struct; a struct array and a C string likewise."""
    import gc
    from cuda.bindings import nvml
    v = nvml.VgpuTypeIdInfo_v1()
    v.vgpu_type_ids = [5, 6, 7]
    gc.collect()
    assert v.vgpu_type_ids.tolist() == [5, 6, 7]
    lst = nvml.ProcessDetailList_v1()
    d = nvml.ProcessDetail_v1(3)
    d.pid = [1, 2, 3]
    lst.proc_array = d
    del d
    gc.collect()
    assert lst.proc_array.pid.tolist() == [1, 2, 3]
    g = nvml.GetMemoryLimits_v1()
    g.name_space = "x" * 1000
    gc.collect()
    assert g.name_space == "x" * 1000
    with pytest.raises(ValueError, match=re.escape("Invalid shape in axis 0: 0.")):
        v.vgpu_type_ids = []


def test_arrays_of_a_struct_keep_it_alive():
    """A numpy array read from a struct keeps it alive (NVIDIA's does not: it
    then reads freed memory, DELIBERATE 'freed memory')."""
    import gc
    from cuda.bindings import nvml
    p = nvml.PlatformInfo_v1()
    p.ib_guid = list(range(16))
    a = p.ib_guid
    del p
    gc.collect()
    nvml.PlatformInfo_v1()     # would reuse the freed memory
    assert a.tolist() == list(range(16))
    a[0] = 99                 # a view: writes go to the struct's memory


def test_read_only_memory_stays_read_only():
    """A struct over bytes (immutable) reads its arrays read-only (NVIDIA's
    gives writable arrays over the bytes object: DELIBERATE 'read-only')."""
    from cuda.bindings import nvml
    b = bytes(nvml.platform_info_v1_dtype.itemsize)
    p = nvml.PlatformInfo_v1.from_buffer(b)
    with pytest.raises(ValueError):
        p.ib_guid[0] = 1
    with pytest.raises(ValueError, match="This PlatformInfo_v1 instance is read-only"):
        p.version = 1
    assert b == bytes(len(b))


def test_char_arrays_stop_at_their_end():
    """A char array with no NUL reads as its whole room, not on into the next
    members (NVIDIA's reads on, and raises UnicodeDecodeError or gives the
    next members' text; the cases do not observe it: their memory is zeros)."""
    from cuda.bindings import nvml
    b = bytearray(nvml.pci_info_dtype.itemsize)
    b[:len(b)] = b"a" * len(b)
    assert nvml.PciInfo.from_buffer(b).bus_id_legacy == "a" * 16


def test_struct_and_buffer_memory_is_held():
    """from_buffer holds the buffer's export (a bytearray cannot be resized
    under the struct), from_ptr with an owner keeps it alive."""
    import gc
    from cuda.bindings import nvml
    b = bytearray(nvml.memory_dtype.itemsize)
    m = nvml.Memory.from_buffer(b)
    m.total = 7
    with pytest.raises(BufferError):
        b.extend(b"x")
    assert int.from_bytes(b[:8], "little") == 7
    owner = nvml.Memory()
    owner.free = 9
    view = nvml.Memory.from_ptr(owner.ptr, owner=owner)
    del owner
    gc.collect()
    nvml.Memory()
    assert view.free == 9


def test_negative_addresses_are_refused():
    from cuda.bindings import nvml
    with pytest.raises(ValueError, match="must not be negative"):
        nvml.Memory.from_ptr(-1)
    with pytest.raises(ValueError, match=re.escape("ptr must not be null (0)")):
        nvml.ProcessInfo.from_ptr(0)


def test_array_classes_pickle():
    import pickle
    from cuda.bindings import nvml
    p = nvml.ProcessInfo(3)
    p.pid = [4, 5, 6]
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is nvml.ProcessInfo and q == p and q.ptr != p.ptr
    with pytest.raises(TypeError, match="pickling"):
        pickle.dumps(nvml.Memory())


# Every field of every class, plain and array, given values that misbehave:
# Python exceptions only (a crash fails the run, and names no value).
BAD_VALUES = r'''
import gc, sys
import numpy as np
import cuda.bindings.nvml as n

class Raises:
    def __index__(self): raise RuntimeError("index")
    def __int__(self): raise RuntimeError("int")
    def __float__(self): raise RuntimeError("float")
    def __len__(self): raise RuntimeError("len")
    def __iter__(self): raise RuntimeError("iter")
    def encode(self): raise RuntimeError("encode")
class Huge:
    def __int__(self): return 2 ** 200
    def __len__(self): return 2 ** 62
class Liar(list):
    def __len__(self): return 10 ** 6
class BadEncode:
    def encode(self): return 5
class NotInt:
    def __int__(self): return "x"
values = [None, -1, -2 ** 63, 2 ** 64, 10 ** 30, float("nan"), float("inf"), -0.5, "x", "\udc80", "a" * 100000,
          b"\xff" * 300, [None], [[1, 2]], [Raises()], Raises(), Huge(), Liar([1]), BadEncode(), NotInt(),
          np.zeros(3), np.zeros((2, 2)), object(), n.Memory(), n.ProcessInfo(0), n.ProcessInfo(300),
          n.ProcessInfo.from_data(np.zeros(4, n.process_info_dtype)[::-1]), range(5), iter([1, 2])]
count = 0
for k, dtype in DTYPES.items():
    S = getattr(n, k)
    size = getattr(n, dtype).itemsize
    fields = [f for f in dir(S) if not f.startswith("__") and f not in ("from_ptr", "from_buffer", "from_data")]
    if hasattr(S, "__len__"):
        keep = S(2)   # from_ptr trusts the pointer: its memory must outlive the view
        made = [S(), S(2), S(0), S.from_ptr(keep.ptr, 2, readonly=True), S.from_buffer(bytes(2 * size))]
    else:
        keep = S()
        made = [S(), S.from_ptr(keep.ptr, readonly=True), S.from_ptr(keep.ptr, owner=keep),
                S.from_buffer(bytes(size)), S.from_buffer(bytearray(size))]
    for s in made:
        for f in fields:
            for v in values + [getattr(S(), f, None)]:
                try:
                    setattr(s, f, v)
                except Exception:
                    pass
                try:
                    x = getattr(s, f)
                    repr(x)
                except Exception:
                    pass
                count += 1
        for v in values:
            for call in (lambda: S.from_ptr(v), lambda: S.from_buffer(v), lambda: S.from_data(v),
                         lambda: s.__setitem__(v, v), lambda: s[v], lambda: s == v, lambda: S(v),
                         lambda: S.from_ptr(s.ptr, v), lambda: S.from_ptr(s.ptr, owner=v, readonly=v)):
                try:
                    call()
                except Exception:
                    pass
    gc.collect()
print("ok", count)
'''


def test_bad_values_never_crash():
    dtypes = {r.name: emit_records.dtype_name(r.name) for r in records()}
    r = run_python("DTYPES = %r\n" % dtypes + BAD_VALUES)
    assert r.returncode == 0 and r.stdout.startswith("ok"), (r.returncode, r.stderr[-3000:])


# ---- against NVIDIA's ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def nvidia():
    return harness.nvidia_python()


@pytest.fixture(scope="module")
def nvidia_python():
    try:
        return nvidia()
    except RuntimeError as e:   # no NVIDIA package to ask is a failure, not a skip
        pytest.fail(str(e))


def _obs(seen):
    """The (expression or field, observation) items of a case's result."""
    items = seen.get("returns", {}).get("items") if isinstance(seen, dict) else None
    return [json.loads(json.dumps(i)) for i in items] if items is not None else None


def _pairs(item):
    """An item's text form, parsed back: (label, observation text)."""
    return item.get("repr", "")


# Where ours differs from NVIDIA's on purpose, by what the observation is:
# (name, test(case id, nvidia's text, ours)).  Each has its own test above.
DELIBERATE = [
    # NVIDIA's crashes (None for a nested struct or a struct pointer, a
    # negative address to from_ptr): ours raises.
    ("crash", lambda cid, a, b: a.endswith("'crash')") and "raises " in b),
    # an array NVIDIA's reads from freed memory (an integer array set into a
    # pointer member; an array member of a struct gone since): the same
    # shape, other values
    ("freed memory", lambda cid, a, b: " = " in cid and re.sub(r"\]\[[^]]*\]", "]", a) == re.sub(r"\]\[[^]]*\]", "]", b)
     and "ndarray[" in a),
    # NVIDIA's numpy views of read-only memory (a struct over bytes) are writable
    ("read-only", lambda cid, a, b: "from_buffer(b'" in a and a == b.replace("w=0]", "w=1]")),
]


def compare(case_list, theirs, ours):
    """[(case id, nvidia's item, ours)] for items that differ and no DELIBERATE rule allows."""
    found = []
    for case in case_list:
        a, b = theirs.get(case["id"]), ours.get(case["id"])
        if a == b:
            continue
        ia, ib = _obs(a), _obs(b)
        if ia is None or ib is None or len(ia) != len(ib):
            found.append((case["id"], a, b))
            continue
        for x, y in zip(ia, ib):
            if x == y:
                continue
            ta, tb = _pairs(x), _pairs(y)
            if not any(rule(case["id"], ta, tb) for _, rule in DELIBERATE):
                found.append((case["id"], ta, tb))
    return found


def class_table():
    return {r.name: (emit_records.dtype_name(r.name), r.array) for r in records()}


@pytest.mark.parametrize("cls", sorted(class_table()))
def test_class_behaves_as_nvidias(nvidia_python, cls):
    cases = record_cases.class_cases({cls: class_table()[cls]})
    theirs = harness.run_cases(nvidia_python, cases, nvidia=True)
    ours = harness.run_cases(harness.sys.executable, cases)
    found = compare(cases, theirs, ours)
    assert not found, "\n".join("%s:\n  NVIDIA: %s\n  ours:   %s" % (c, str(a)[:800], str(b)[:800])
                                for c, a, b in found[:20])


def test_module_names_are_nvidias(nvidia_python):
    cases = record_cases.module_cases([emit_records.dtype_name(r.name) for r in records()])
    theirs = harness.run_cases(nvidia_python, cases, nvidia=True)
    ours = harness.run_cases(harness.sys.executable, cases)
    assert theirs == ours


def test_the_rules_allow_only_what_they_say():
    """Each DELIBERATE rule refuses a difference of another kind."""
    rules = dict(DELIBERATE)
    assert rules["crash"]("c", "('x', 'crash')", "('x', 'raises TypeError: y')")
    assert not rules["crash"]("c", "('x', 'crash')", "('x', 'int:1')")
    assert rules["freed memory"]("c = 1", "('f', 'ndarray[uint32 (2,) w=1][7, 8]')", "('f', 'ndarray[uint32 (2,) w=1][1, 2]')")
    assert not rules["freed memory"]("c = 1", "('f', 'ndarray[uint32 (2,) w=1][7, 8]')", "('f', 'ndarray[uint32 (3,) w=1][1, 2, 3]')")
    assert not rules["read-only"]("c", "(\"S.from_buffer(b'\", 'int:1')", "(\"S.from_buffer(b'\", 'int:2')")


def test_the_classes_are_made_on_first_use_and_listed_before():
    """An import makes no struct class (most programs use a few of the
    hundreds); each is listed by dir() and __all__, made when first asked
    for, once, and then a plain module attribute; a call that returns one
    makes it too."""
    r = run_python(
        "import cuda.bindings.nvml as n\n"
        "print('PciInfo' in vars(n), 'PciInfo' in dir(n), 'PciInfo' in n.__all__, 'pci_info_dtype' in dir(n))\n"
        "t = n.PciInfo\n"
        "print('PciInfo' in vars(n), n.PciInfo is t, t.__module__, t.__name__)\n"
        "print(n.Memory_v2 is vars(n)['Memory_v2'], n.ExcludedDeviceInfo().ptr != 0)\n"
        "print(sum(isinstance(v, type) and hasattr(v, 'from_ptr') for v in vars(n).values()))\n")
    assert r.stdout.split("\n")[:4] == ["False True True True", "True True cuda.bindings.nvml PciInfo",
                                        "True True", "3"], r.stdout + r.stderr
