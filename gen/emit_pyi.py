"""Typing stubs: <lib>.pyi and cy<lib>.pyi."""
import re

from . import emit_structs, overrides
from .emit_pymod import optional_count
from .common import banner, cuda_version
from .pytypes import arg_type, result_type

# Buffers as the docs spell them, and as a type checker should see them: any
# object with the buffer protocol (a ctypes array, a NumPy array, ...).
BUFFER_SPELLINGS = ("bytearray | bytes | memoryview", "bytes | bytearray | memoryview")


def stub_type(text):
    for spelled in BUFFER_SPELLINGS:
        text = text.replace(spelled, "Buffer")
    return text


def struct_classes(model):
    """Stub classes of the struct/union classes: fields as Any (their Python
    types vary by kind), typedef aliases as subclasses, bases first."""
    out = []
    for c in emit_structs.structs(model).ordered:
        if c.base is not None:
            out.append("class %s(%s): ...\n\n" % (c.name, c.base))
            continue
        out.append("class %s:\n    def __init__(self, _ptr: int = 0) -> None: ...\n" % c.name)
        out.append("    def getPtr(self) -> int: ...\n")
        if c.name in overrides.PAIRED_LISTS:
            out.append("    def set_%s_%s(self, %s: Any, %s: Any) -> None: ...\n" % (overrides.PAIRED_LISTS[c.name] * 2))
        out += ["    %s: Any\n" % f.name for f in c.fields]
        out.append("\n")
    return out


def emit(model):
    lib = model.lib
    out = [banner(lib, "#", "", cuda_version(model.h))]
    out.append("from collections.abc import Callable, Iterable, Sequence\nfrom typing import Any, ClassVar\n\n"
               "from cuda.bindings._internal._fast_enum import FastEnum\n"
               "from typing_extensions import Buffer\n\n")
    if lib.enum_base:   # cuDLA's: the standard library's, which mypy knows
        out.append("from %s import %s\n\n" % tuple(lib.enum_base.rsplit(".", 1)))
    twins = model.facts.twins
    if twins:  # handle classes of the twin module's C types subclass its classes
        module = next(iter(twins.values())).rsplit(".", 1)[0]
        out.append("import %s\n\n" % module)
    for _, pyname, members, _ in model.py_enums():
        base = lib.enum_base.rsplit(".", 1)[-1] if lib.enum_base else "FastEnum"
        out.append("class %s(%s):\n" % (pyname, base))
        for name, value, _ in members:  # members typed as such: mypy knows no FastEnum plugin
            out.append("    %s = %d\n" % (name, value) if lib.enum_base else
                       "    %s: ClassVar[%s]  # = %d\n" % (name, pyname, value))
        out.append("\n")
    if lib.style == "tuple":
        for h in model.handles():
            base = twins.get(h)
            out.append("class %s%s:\n" % (h, "(%s)" % base if base else ""))
            out.append("    def __init__(self, init_value: int = 0, _ptr: int = 0) -> None: ...\n")
            out.append("    def __int__(self) -> int: ...\n")
            if model.handle_class_kind(h) in ("pointer", "function"):
                out.append("    def __index__(self) -> int: ...\n")
            if h in overrides.STREAM_PROTOCOL:
                out.append("    def __cuda_stream__(self) -> tuple[int, int]: ...\n")
            out.append("    def getPtr(self) -> int: ...\n\n")
        out += struct_classes(model)
        out.append("def sizeof(objType: type, /) -> int: ...\n\n")
        if lib.global_class:
            out.append("class %s: ...\n\n" % lib.global_class)
    else:
        out.append("class %s(Exception):\n    status: int\n    def __init__(self, status: int) -> None: ...\n\n"
                   % lib.error_class)
        if model.py_facts:
            out.append(model.rules.pyi_extras(model))
    for name, value in model.constants():
        out.append("%s: int\n" % name)
    for b in model.bindings:
        first_optional = len(b.inputs) - optional_count(b)
        params = ", ".join("%s: %s%s" % (a.pyname, stub_type(arg_type(model, a)), " = ..." if i >= first_optional else "")
                           for i, a in enumerate(b.inputs))
        out.append("def %s(%s) -> %s: ...\n" % (b.pyname, params, stub_type(result_type(model, b))))
    text = "".join(out)
    # what a star import gives, as the module's own __all__ says: every public name defined here
    names = sorted({a or b for a, b in re.findall(r"^(?:class|def) ([A-Za-z]\w*)|^([A-Za-z]\w*)(?::| =) ", text, re.M)})
    return text + "\n__all__ = [\n%s]\n" % "".join('    "%s",\n' % n for n in names)


def emit_cy(model):
    from .emit_core import inspectable
    text = banner(model.lib, "#", "", cuda_version(model.h)) + (
        "from typing import Any\n\n__pyx_capi__: dict[str, Any]\n_C_API: Any\n_header_dir: str\n\n"
        "def _library_info() -> dict[str, str | None]: ...\n")
    if inspectable(model.lib):
        text += ("def _inspect_function_pointers() -> dict[str, int]: ...\n"
                 "def _inspect_function_pointer(name: str, /) -> int: ...\n")
    return text
