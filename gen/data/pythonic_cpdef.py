"""Refreshes pythonic_cpdef.json, facts of the reference for the pythonic
modules' Cython surface (gen/emit_cpdef.py): the capsule names of their
__pyx_capi__, asked from the installed modules, and per function the return
type (one word or several: `unsigned long long`) and except clause (`except
-1`, `except? 0`, `except *`; "clause" as the .pxd spells it, `except*` too)
its cpdef declares, its parameters as declared (`unsigned nr`, `bint poll`,
an untyped `iocbp`), with the .pxd's ctypedefs.
Every capsule must have its declaration, and every declaration its capsule.

    <python with NVIDIA's cuda-bindings> gen/data/pythonic_cpdef.py > gen/data/pythonic_cpdef.json
"""
import ctypes, importlib, json, os, re, sys
get = ctypes.pythonapi.PyCapsule_GetName
get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
out = {"source": "cuda-bindings 13.5.0: capsule names of nvjitlink/nvvm/nvfatbin/nvml/cufile/cudla __pyx_capi__, "
                 "with the return type, except clause and ctypedefs their .pxd declares"}
for key in ("nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla"):
    m = importlib.import_module("cuda.bindings." + key)
    pxd = open(os.path.join(os.path.dirname(m.__file__), key + ".pxd")).read()
    ctypedefs = [line for line in pxd.splitlines() if line.startswith("ctypedef ")]
    typedefs = dict(reversed(re.fullmatch(r"ctypedef (\w+) (\w+)", line).groups()) for line in ctypedefs)
    assert len(typedefs) == len(ctypedefs), key
    funcs = {}
    cpdefs = [line for line in pxd.splitlines() if line.startswith("cpdef ")]
    for line in cpdefs:
        ret, name, params, clause, q, exc = re.fullmatch(
            r"cpdef ((?:\w+ )*)(\w+)\((.*)\)(?: (except(\??) ?(.+)))?", line).groups()
        assert name not in funcs, (key, name)
        funcs[name] = {"capsule": get(m.__pyx_capi__[name]).decode(), "returns": ret.strip() or None,
                       "except": (q + exc) if exc else None, "clause": clause,
                       "params": [p.strip() for p in params.split(",")] if params.strip() else []}
    assert len(funcs) == len(cpdefs) and set(funcs) == set(m.__pyx_capi__), (key, set(m.__pyx_capi__) ^ set(funcs))
    out["cuda.bindings." + key] = {"typedefs": typedefs, "functions": funcs}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
