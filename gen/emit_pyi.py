"""Typing stubs: <lib>.pyi and cy<lib>.pyi."""
from . import emit_structs
from .common import banner, cuda_version
from .pytypes import arg_type, result_type


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
        out += ["    %s: Any\n" % f.name for f in c.fields]
        out.append("\n")
    return out


def emit(model):
    lib = model.lib
    out = [banner(lib, "#", "", cuda_version(model.h))]
    out.append("from collections.abc import Callable, Sequence\nfrom enum import IntEnum\nfrom typing import Any\n\n")
    for _, pyname, members, _ in model.py_enums():
        out.append("class %s(IntEnum):\n" % pyname)
        for name, value, _ in members:
            out.append("    %s = %d\n" % (name, value))
        out.append("\n")
    if lib.style == "tuple":
        for h in model.handles():
            out.append("class %s:\n" % h)
            out.append("    def __init__(self, init_value: int = 0, _ptr: int = 0) -> None: ...\n")
            out.append("    def __int__(self) -> int: ...\n    def __index__(self) -> int: ...\n")
            out.append("    def getPtr(self) -> int: ...\n\n")
        out += struct_classes(model)
        out.append("def sizeof(objType: type) -> int: ...\n\n")
    else:
        out.append("class %s(Exception):\n    status: int\n    def __init__(self, status: int) -> None: ...\n\n"
                   % lib.error_class)
    for name, value in model.constants():
        out.append("%s: int\n" % name)
    for b in model.bindings:
        params = ", ".join("%s: %s" % (a.pyname, arg_type(model, a)) for a in b.inputs)
        out.append("def %s(%s) -> %s: ...\n" % (b.pyname, params, result_type(model, b)))
    return "".join(out)


def emit_cy(model):
    return banner(model.lib, "#", "", cuda_version(model.h)) + \
        "from typing import Any\n\n__pyx_capi__: dict[str, Any]\n_C_API: Any\n\ndef _library_info() -> dict[str, str | None]: ...\n"
