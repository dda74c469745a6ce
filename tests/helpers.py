"""Helpers shared by the tests (tests/ is on sys.path via pytest's `pythonpath`)."""
import ctypes
import functools
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CUDA_HOME = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"

# Modules of the reference this package does not bind yet (their own issues).
NOT_BOUND_YET = set()


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


def cpdef_not_exported(lib, reference_names):
    """{Python name: why} of the reference's cpdef functions (of
    `reference_names`) that our cuda.bindings.<lib> cannot export yet: those
    whose C function the generator skips (model.skipped, "name: why"), by
    the reference's Python name for it (the module's py_facts)."""
    load_gen()
    from gen.load import load_model
    model = load_model(lib, header_dir(lib))
    skipped = dict(reason.split(": ", 1) for reason in model.skipped)
    functions = (model.py_facts or {}).get("functions", {})
    return {functions[c]["py"]: why for c, why in skipped.items()
            if c in functions and functions[c]["py"] in reference_names}


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


@functools.lru_cache(maxsize=None)
def header_model(lib):
    """The generator's model of `lib` ("driver", "runtime"): the headers the
    build bound, parsed as the build parses them."""
    load_gen()
    from gen.load import load_model
    return load_model(lib, header_dir(lib))


@functools.lru_cache(maxsize=None)
def header_structs(lib):
    """{class name: field names} for every struct/union `lib`'s headers
    declare (by tag and by each typedef name), anonymous members' fields
    included, each field under the name NVIDIA's classes show it by."""
    h = header_model(lib).h

    def names(s):
        out = set()
        for f in s.fields:
            out |= names(f.nested) if f.nested is not None and not f.name else {shown_field(f.name, s.kind)}
        return out
    out = {k: names(s) for k, s in h.structs.items() if s.fields}
    grew = True
    while grew:   # typedef chains and macro aliases: CUDA_MEMCPY2D -> CUDA_MEMCPY2D_v2, cudaKernelNodeAttrValue -> ...
        grew = False
        for n, t in h.typedefs.items():
            base = t.base.split(" ")[-1]
            if n not in out and not t.ptrs and t.func is None and not t.array and base in out:
                out[n] = out[base]
                grew = True
    return out


GETSET = types.GetSetDescriptorType   # the type of a struct class's field descriptors


def is_struct_class(c):
    """One of ours: a root class with field descriptors, or a subclass of one."""
    return isinstance(c, type) and any(
        any(isinstance(v, GETSET) for v in vars(k).values()) and hasattr(k, "getPtr") for k in c.__mro__[:-1])


def fields_of(cls):
    """The names of a struct class's fields, its bases' too, private ones included."""
    return sorted(n for k in cls.__mro__[:-1] for n, v in vars(k).items() if isinstance(v, GETSET))


HIDDEN = re.compile(r"_(reserved\d*|unused|pad(ding)?\d*)")   # kept private: NVIDIA's classes do not show them


def public_fields_of(cls):
    """The fields NVIDIA's class of that name shows."""
    return [n for n in fields_of(cls) if not HIDDEN.fullmatch(n)]


def struct_classes(mod):
    """The names of a module's struct and union classes (dir() names the classes not made yet)."""
    return sorted(n for n in dir(mod) if is_struct_class(getattr(mod, n)))


class IntLike:
    """An object with __int__ only."""
    def __init__(self, v):
        self.v = v

    def __int__(self):
        return self.v


class IndexOnly:
    """An object with __index__ only (which C integer conversion does not take)."""
    def __index__(self):
        return 3


class Recorder:
    """A callable object (not a function) that records what it is called
    with; a weakref to it tells whether the bindings have let it go."""
    def __init__(self):
        self.calls = []

    def __call__(self, data):
        self.calls.append(data)


def address(buf):
    """The address of a writable buffer's memory."""
    return ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))


def shown_field(name, kind):
    """The attribute a struct member is under, as NVIDIA's classes show them:
    reserved and unused members of every struct and union, and the padding
    of structs, are not shown (ours keeps them as private `_name`)."""
    if re.fullmatch(r"reserved\d*|unused", name) or kind == "struct" and re.fullmatch(r"pad(ding)?\d*", name):
        return "_" + name
    return name


def memcpy2d(drv, src, dst, width, height, cls=None):
    """A CUDA_MEMCPY2D (or `cls`) copying width x height bytes from `src` to
    `dst`, each (memory type "HOST" or "DEVICE", pointer or buffer, pitch)."""
    m = (cls or drv.CUDA_MEMCPY2D)()
    for side, (where, ptr, pitch) in (("src", src), ("dst", dst)):
        setattr(m, side + "MemoryType", getattr(drv.CUmemorytype, "CU_MEMORYTYPE_" + where))
        setattr(m, side + ("Host" if where == "HOST" else "Device"), ptr)
        setattr(m, side + "Pitch", pitch)
    m.WidthInBytes, m.Height = width, height
    return m


def pinned_device_prop(drv, dev):
    """A CUmemAllocationProp of pinned memory on device `dev`."""
    prop = drv.CUmemAllocationProp()
    prop.type = drv.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED
    prop.location.type = drv.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
    prop.location.id = int(dev)
    return prop
