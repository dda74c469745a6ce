"""Refreshes <key>_py.json (cufile, cudla): facts of the reference's
cuda.bindings.<key> that the header cannot say, for gen/addressed.py.

    <python with NVIDIA's cuda-bindings> gen/data/addressed_py.py cufile [../shared/api] > gen/data/cufile_py.json

Per Python function: the C function it binds (its name in snake case less
the prefix), its parameters in order with the type its signature declares
(`intptr_t`, `size_t`, a class such as `IOVec`, or null where it declares
none: any object, passed as int() of it), and its return annotation.  Per
Python enum: its members with their values in the reference class's own
order (aliases after their member), asked of the installed reference module
at run time.  Read from the reference's facts (../shared/api/<key>.json and
cython_capi.json) and its module's classes; never from its sources.
"""
import importlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = {"cufile": "cuFile", "cudla": "cudla"}


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def params_of(signature):
    """[(name, declared type or None, default or None)] of `f(intptr_t a, b, unsigned int c=0) -> T`."""
    inner = signature[signature.index("(") + 1:signature.rindex(")")]
    out = []
    for part in filter(None, (p.strip() for p in inner.split(","))):
        decl, _, default = part.partition("=")
        words = decl.split()
        out.append((words[-1], " ".join(words[:-1]) or None, default.strip() or None))
    return out


def main(key, api_dir):
    with open(os.path.join(api_dir, key + ".json")) as f:
        api = json.load(f)
    with open(os.path.join(api_dir, "cython_capi.json")) as f:
        capsules = json.load(f)["cuda.bindings.cy" + key]
    by_py = {snake(c[len(PREFIX[key]):]): c for c in sorted(capsules) if not re.search(r"_v\d+$", c)}
    functions = {}
    for py, f in sorted(api["functions"].items()):
        c = by_py.get(py)
        if c is None:    # the reference's own helpers (cudla.check_status): no C function
            continue
        sig = f["signature"]
        ret = sig.split(" -> ")[1].strip() if " -> " in sig else None
        functions[c] = {"py": py, "params": [[n, t, d] for n, t, d in params_of(sig)], "returns": ret}
    reference = importlib.import_module("cuda.bindings." + key)
    enums = {}
    for name, members in sorted(api["enums"].items()):
        got = [[n, int(v)] for n, v in getattr(reference, name).__members__.items()]
        assert {n: v for n, v in got} == members, name
        enums[name] = got
    out = {"source": "cuda-bindings 13.5.0 (../shared/api/%s.json, cython_capi.json; the enums' order "
                     "from cuda.bindings.%s)" % (key, key),
           "functions": functions, "enums": enums, "helpers": sorted(set(api["functions"]) - set(by_py))}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "..", "shared", "api"))
