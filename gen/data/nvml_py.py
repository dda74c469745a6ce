"""Refreshes nvml_py.json, facts of the reference's cuda.bindings.nvml that
the header cannot say: which C function each Python function binds, which
parameters it takes (the rest are outputs, or filled from what it takes),
the C integer type it declares each of them,
its return annotation, and the Python enums with their members (NVIDIA's
own grouping of nvml.h's enums and #define families, with short aliases).

    <python with NVIDIA's cuda-bindings> gen/data/nvml_py.py [../shared/api] > gen/data/nvml_py.json

Read from the reference's facts (../shared/api/nvml.json and
cython_capi.json), and, for the order of each enum's names (aliases beside
their member, the member first), from the installed reference module's
classes, asked at run time; never from its sources.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Where NVIDIA's snake_case of a C name is not the plain rule's (NvLink is one word).
SPELLINGS = (("nv_link", "nvlink"), ("p2_p", "p2p"))


def snake(name, respell=True):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = s.lower()
    for a, b in SPELLINGS if respell else ():
        s = s.replace(a, b)
    return s


def ordered(name, members):
    """[[name, value], ...] in the reference class's own order."""
    import cuda.bindings.nvml as reference
    cls = getattr(reference, name)
    got = [[n, int(v)] for n, v in cls.__members__.items()]
    assert {n: v for n, v in got} == members, name
    return got


def int_params(f):
    """{parameter: C integer type} as the signature declares them (converted
    as that type, whatever the member they fill holds: NVIDIA's assigns it
    with C's cast)."""
    inputs = f["signature"].split(" -> ")[0]
    return dict((p, t) for t, p in re.findall(r"[(,] ?((?:unsigned )?(?:int|long long|long|short|char)) (\w+)", inputs))


def main(api_dir):
    with open(os.path.join(api_dir, "nvml.json")) as f:
        api = json.load(f)
    with open(os.path.join(api_dir, "cython_capi.json")) as f:
        capsules = json.load(f)["cuda.bindings.cynvml"]
    functions = {}
    for c in sorted(capsules):
        py = snake(c[len("nvml"):])
        if py not in api["functions"]:   # not respelled everywhere (..._nv_link_telemetry_samples_v1)
            py = snake(c[len("nvml"):], respell=False)
        if py not in api["functions"]:
            continue   # bound in cynvml only
        f = api["functions"][py]
        ret = f["signature"].split(" -> ")[1] if " -> " in f["signature"] else None
        functions[c] = {"py": py, "params": f["params"], "returns": ret, "int_params": int_params(f)}
    out = {"source": "cuda-bindings 13.5.0 (%s): cuda.bindings.nvml's functions and enums" % api["source"],
           "functions": functions,
           "python_only": sorted(set(api["functions"]) - {v["py"] for v in functions.values()}),
           "enums": {name: ordered(name, members) for name, members in api["enums"].items()},
           "constants": api["constants"]}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "api"))
