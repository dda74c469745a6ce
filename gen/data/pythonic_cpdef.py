"""Refreshes pythonic_cpdef.json, facts of the reference for the pythonic
modules' Cython surface (gen/emit_cpdef.py): the capsule names of their
__pyx_capi__, asked from the installed modules, and per function the return
type and except clause its cpdef declares, with the .pxd's ctypedefs.

    <python with NVIDIA's cuda-bindings> gen/data/pythonic_cpdef.py > gen/data/pythonic_cpdef.json
"""
import ctypes, importlib, json, os, re, sys
get = ctypes.pythonapi.PyCapsule_GetName
get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
out = {"source": "cuda-bindings 13.5.0: capsule names of nvjitlink/nvvm/nvfatbin __pyx_capi__, "
                 "with the return type, except clause and ctypedefs their .pxd declares"}
for key in ("nvjitlink", "nvvm", "nvfatbin"):
    m = importlib.import_module("cuda.bindings." + key)
    pxd = open(os.path.join(os.path.dirname(m.__file__), key + ".pxd")).read()
    typedefs = dict((b, a) for a, b in re.findall(r"^ctypedef (\w+) (\w+)$", pxd, re.M))
    funcs = {}
    for ret, name, params, q, exc in re.findall(r"^cpdef (?:(\w+) )?(\w+)\((.*)\)(?: except(\??) (.+))?$",
                                                pxd, re.M):
        funcs[name] = {"capsule": get(m.__pyx_capi__[name]).decode(), "returns": ret or None,
                       "except": (q + exc) if exc else None}
    assert set(funcs) == set(m.__pyx_capi__), (key, set(m.__pyx_capi__) ^ set(funcs))
    out["cuda.bindings." + key] = {"typedefs": typedefs, "functions": funcs}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
