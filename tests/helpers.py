"""Helpers shared by the tests (tests/ is on sys.path via pytest's `pythonpath`)."""
import functools
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CUDA_HOME = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"

# Modules of the reference this package does not bind yet (their own issues).
NOT_BOUND_YET = {"cuda.bindings.cynvml", "cuda.bindings.cycufile", "cuda.bindings.cycudla"}


@functools.lru_cache(maxsize=None)
def reference(name):
    """tests/reference/<name>.json: the facts of NVIDIA's cuda-bindings 13.5.0
    that the tests read (tests/reference/README.md)."""
    with open(os.path.join(ROOT, "tests", "reference", name + ".json")) as f:
        return json.load(f)


def json_digest(value):
    """sha256 of value as canonical JSON (keys sorted, no spaces)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load_gen():
    """The generator package gen/ from the source tree, importable as `gen`
    without putting the tree (and its uninstalled cuda/ folder) on sys.path."""
    if "gen" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "gen", os.path.join(ROOT, "gen", "__init__.py"),
            submodule_search_locations=[os.path.join(ROOT, "gen")])
        mod = importlib.util.module_from_spec(spec)
        sys.modules["gen"] = mod
        spec.loader.exec_module(mod)
    return sys.modules["gen"]


def run_python(code, env=None, python=None, cwd=None):
    """Run code in a fresh interpreter; returns CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([python or sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, cwd=cwd or "/", timeout=300)


KERNEL = rb"""
extern "C" __global__ void vadd(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}
"""


def nvrtc_ptx(source, options=()):
    """PTX of CUDA C++ `source` (bytes) from NVRTC, as bytes without the NUL, and its size."""
    out = nvrtc_output(source, options, "PTX")
    return out[:out.index(b"\0")], len(out)


def library_installed(lib):
    """Whether the loader finds `lib` ("nvvm", "nvfatbin", ...) here."""
    import importlib
    return importlib.import_module("cuda.bindings.cy" + lib)._library_info()["path"] is not None


def built_header_dir(lib):
    """The directory the installed build read `lib`'s headers from, or None
    when it is gone (an isolated build's temporary environment)."""
    import importlib
    d = importlib.import_module("cuda.bindings.cy" + lib)._header_dir
    return d if os.path.isdir(d) else None


def header_dir(lib):
    """The headers the installed build bound for `lib`: the directory it
    recorded while that is still there (a build in place, or without build
    isolation), else where a build here takes them from (gen/find_header.py),
    which after an isolated build are the same pinned NVIDIA wheels, installed
    by the test extras; the toolkit's include when neither has them."""
    built = built_header_dir(lib)
    if built:
        return built
    gen = load_gen()
    import gen.find_header as find
    from cuda.bindings import _version
    assert gen is not None
    return find.find(lib, CUDA_HOME, _version._cuda_release) or os.path.join(CUDA_HOME, "include")


def nvrtc_output(source, options, kind):
    """NVRTC output of CUDA C++ `source` (bytes): kind is 'PTX', 'CUBIN' or 'LTOIR'."""
    from cuda.bindings import nvrtc
    ok = nvrtc.nvrtcResult.NVRTC_SUCCESS
    err, prog = nvrtc.nvrtcCreateProgram(source, b"k.cu", 0, [], [])
    try:
        err, = nvrtc.nvrtcCompileProgram(prog, len(options), list(options))
        assert err == ok, err
        err, size = getattr(nvrtc, "nvrtcGet%sSize" % kind)(prog)
        out = bytearray(size)
        err, = getattr(nvrtc, "nvrtcGet" + kind)(prog, out)
        assert err == ok, err
    finally:
        nvrtc.nvrtcDestroyProgram(prog)
    return bytes(out)


def params_of(func):
    """[(name, type text)] of a generated function, from its numpydoc
    Parameters section."""
    doc = func.__doc__ or ""
    if "Parameters\n----------" not in doc:
        return []
    section = doc.split("Parameters\n----------\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^(\w+) : (.+)$", section, re.M)


def public_functions(modules):
    """(module, name, function) for every public function of the modules."""
    for mod in modules:
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if type(obj).__name__ == "builtin_function_or_method" and not name.startswith("_") \
                    and name != "sizeof":
                yield mod, name, obj


def shown_field(name, kind):
    """The attribute a struct member is under, as NVIDIA's classes show them:
    reserved and unused members of every struct and union, and the padding
    of structs, are not shown (ours keeps them as private `_name`)."""
    if re.fullmatch(r"reserved\d*|unused", name) or kind == "struct" and re.fullmatch(r"pad(ding)?\d*", name):
        return "_" + name
    return name
