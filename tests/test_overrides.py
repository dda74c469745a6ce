"""gen/overrides.py is checked data: every entry names what the headers
declare, and taking it out changes what the generator emits."""
import functools
import operator
import re

import pytest
from helpers import header_dir, load_gen

load_gen()
from gen import emit_capi, emit_structs, overrides  # noqa: E402
from gen.emit_pymod import Shim, method_doc  # noqa: E402
from gen.load import load_model  # noqa: E402
from gen.model import UnsupportedParam  # noqa: E402

LIBS = ("nvrtc", "nvjitlink", "nvvm", "nvfatbin", "driver", "runtime")

# Function-keyed tables, by what their entries name: "params" a set of
# parameters or a dict keyed by them; "param" one parameter; "params tuple"
# a tuple of parameters (the first `n` of it); "order"/"macro" no parameter.
FUNCTION_TABLES = {
    "OUT_ARRAYS": "params", "BUFFER_SIZE_QUERIES": "query", "BUFFER_SIZE_ARGS": ("params tuple", 2),
    "OUT_POINTERS": "params", "PYTHONIC_NAMES": "params", "NOT_NULLABLE_STRINGS": "params",
    "KEEP_GIL": "function", "ARRAY_COUNTS": "params",
    "ADDRESS_OF_CLASS": "params", "FLOAT_FIRST_OF": "params", "DEVICE_POINTER_LISTS": "params",
    "ANY_ITERABLE_LISTS": "params", "IN_POINTERS": "params", "ADDRESS_PARAMS": "params",
    "OUT_ADDRESS_PARAMS": "params", "KERNEL_PARAMS": "param", "HANDLE_OBJECTS_ONLY": "params",
    "ONE_OR_ARRAY": "param", "FIXED_LENGTHS": "params", "TYPED_VALUES": ("params tuple", 2),
    "TYPED_KEY_ORDER": "order", "TYPED_SIZES": "params", "INOUT": "params", "SIZE_OF": "params",
    "CAPI_TYPED_IF_DEFINED": "macro", "REGION_ARRAYS": "params",
}
# Dict values that name parameters too (a count, a size, a region's two).
VALUES_NAME_PARAMS = {"ARRAY_COUNTS", "TYPED_SIZES", "SIZE_OF", "REGION_ARRAYS"}
# Struct-keyed tables: class -> members, or (class, member) pairs.
STRUCT_TABLES = ("STRUCT_ARRAY_COUNTS", "FRESH_VALUES", "PAIRED_LISTS")
FIELD_PAIRS = ("READ_ONLY_FIELDS", "HEX_FIELDS", "POINTEE_FIELDS", "KERNEL_PARAMS_FIELDS")


@functools.lru_cache(maxsize=None)
def models():
    return {lib: load_model(lib, header_dir(lib)) for lib in LIBS}


def model_of(function):
    found = [m for m in models().values() if function in m.h.functions]
    assert found, "%s: no header declares it" % function
    return found[0]


def emitted(m, name):
    """All the generator writes for one function: its shim, docstring and stub types."""
    try:
        b = m.bind(m.h.functions[name])
        return Shim(m, b).text() + method_doc(m, b)
    except UnsupportedParam as e:
        return "not bound: %s" % e
    except Exception as e:   # the generator cannot do without the entry
        return "fails: %r" % e


def with_and_without(monkeypatch, table, reduced, render):
    before = render()
    monkeypatch.setattr(overrides, table, reduced)
    after = render()
    monkeypatch.undo()
    return before, after


def function_entries():
    for table, how in FUNCTION_TABLES.items():
        data = getattr(overrides, table)
        for function in sorted(data):
            yield table, function


@pytest.mark.parametrize("table, function", list(function_entries()))
def test_function_entry_names_what_the_headers_declare(table, function):
    m = model_of(function)
    f = m.h.functions[function]
    params = {p.name for p in f.params}
    how = FUNCTION_TABLES[table]
    entry = getattr(overrides, table)[function] if isinstance(getattr(overrides, table), dict) else None
    named = set()
    if how == "params":
        named = set(entry)
        if table in VALUES_NAME_PARAMS:
            for v in entry.values():
                named |= set(v) if isinstance(v, tuple) else {v.split(" ")[0]} if isinstance(v, str) else set()
    elif how == "param":
        named = {entry}
    elif isinstance(how, tuple):
        named = set(entry[:how[1]])
    elif how == "query":
        assert entry in m.h.functions, (table, function, entry)
    elif how == "macro":
        assert entry in m.h.defines, (table, function, entry)
    assert named <= params, (table, function, sorted(named - params))


def units(table, function):
    """The entry's removable parts: (description, the table without it)."""
    data = getattr(overrides, table)
    if isinstance(data, (set, frozenset)):
        return [(function, data - {function})]
    entry = data[function]
    if FUNCTION_TABLES.get(table) == "params" and len(entry) > 1:
        out = []
        for key in sorted(entry):
            part = {k: v for k, v in entry.items() if k != key} if isinstance(entry, dict) else entry - {key}
            out.append((key, dict(data, **{function: part})))
        return out
    return [(None, {k: v for k, v in data.items() if k != function})]


@pytest.mark.parametrize("table, function", list(function_entries()))
def test_function_entry_changes_what_is_emitted(table, function, monkeypatch):
    m = model_of(function)
    twin = models()["runtime"] if m.lib.key == "driver" else None
    twin_name = "cuda" + function[2:]

    def render():
        if table == "CAPI_TYPED_IF_DEFINED":
            return emit_capi.emit(m)
        text = emitted(m, function)
        if twin is not None and twin_name in twin.h.functions:   # a runtime twin may take it too
            text += emitted(twin, twin_name)
        return text
    idle = [part for part, reduced in units(table, function)
            if operator.eq(*with_and_without(monkeypatch, table, reduced, render))]
    assert not idle, "%s[%r] %s: changes nothing the generator emits" % (table, function, idle)


def struct_entries():
    for table in STRUCT_TABLES:
        for cls in sorted(getattr(overrides, table)):
            yield table, cls
    for table in FIELD_PAIRS:
        for pair in sorted(getattr(overrides, table)):
            yield table, pair


def class_of(name):
    for lib in ("driver", "runtime"):
        m = models()[lib]
        c = emit_structs.structs(m).classes.get(name)
        if c is not None:
            return m, c
    raise AssertionError("%s: no struct class of that name" % name)


@pytest.mark.parametrize("table, key", list(struct_entries()))
def test_struct_entry_names_a_member_and_changes_the_tables(table, key, monkeypatch):
    cls, members = (key if isinstance(key, tuple) else (key, getattr(overrides, table)[key]))
    if isinstance(members, str):
        members = [members]
    m, c = class_of(cls)
    fields = {r.name.lstrip("_") for r in c.fields}
    for member in members:
        assert member.split(".")[0] in fields, (table, cls, member)
    data = getattr(overrides, table)
    reduced = data - {key} if isinstance(data, (set, frozenset)) else {k: v for k, v in data.items() if k != key}

    def render():
        emit_structs.structs.cache_clear()
        return emit_structs.tables(m)
    before, after = with_and_without(monkeypatch, table, reduced, render)
    emit_structs.structs.cache_clear()
    assert before != after, "%s %r changes nothing the generator emits" % (table, key)


def test_type_tables_name_typedefs_of_the_headers():
    typedefs = set().union(*(set(m.h.typedefs) for m in models().values()))
    for table in ("CALLBACKS", "HANDLE_ALSO", "STREAM_PROTOCOL", "STANDALONE_HANDLES"):
        data = getattr(overrides, table)
        names = set(data) | (set(data.values()) - set(overrides.CALLBACKS.values()) if isinstance(data, dict) else set())
        assert names <= typedefs, (table, sorted(names - typedefs))
    params = {p.name for m in models().values() for f in m.h.functions.values() for p in f.params}
    assert set(overrides.PY_NAMES) <= params and set(overrides.CALLBACK_DATA) <= params
    assert set(overrides.SIGNED_ENUM_LIBS) <= set(LIBS)


def test_every_table_says_why():
    """Each table of overrides.py has a comment above it."""
    lines = open(overrides.__file__).read().split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z_0-9]* = ", line):
            j = i - 1
            while j >= 0 and re.match(r"^[A-Z][A-Z_0-9]* = ", lines[j]):   # tables of one comment
                j -= 1
            assert j >= 0 and lines[j].startswith("#"), "%s has no comment saying why" % line.split(" ")[0]
