"""Differential cases, made from what NVIDIA's package itself lists (its
modules' dir(), asked in its own venv): whatever it has, ours is asked too.

Each case is {"id": ..., "code": ...}; see observe.py for how code runs."""
import re
import json
import subprocess

from differential.harness import nvidia_env
from differential.observe import MODULES

DISCOVER = r"""
import importlib, inspect, json, re
FUNCTION_TYPES = ("cython_function_or_method", "builtin_function_or_method")


def documented_types(doc):
    # {parameter: type text} from a numpydoc Parameters or a Google Args section
    found = dict(re.findall(r"^(\w+) : (.+)$", doc.split("Parameters\n----------\n", 1)[-1].split(
        "\n\n", 1)[0], re.M)) if "Parameters\n---" in doc else {}
    if "Args:\n" in doc:
        found.update(re.findall(r"^    (\w+) \((.*?)\): ", doc.split("Args:\n", 1)[1], re.M))
    return found


def kind(obj):
    if not isinstance(obj, type):
        return None
    if issubclass(obj, int) and hasattr(obj, "__members__"):
        return "enum"
    if hasattr(obj, "getPtr"):
        return "handle" if hasattr(obj, "__int__") else "struct"
    return None


out = {}
mods = {name: importlib.import_module("cuda.bindings." + name) for name in %r}
kinds = {}
for name, mod in mods.items():
    for attr in dir(mod):
        k = kind(getattr(mod, attr))
        if k and attr not in kinds:
            kinds[attr] = [name, k]
for name, mod in mods.items():
    enums, functions = {}, {}
    for attr in dir(mod):
        obj = getattr(mod, attr)
        if kind(obj) == "enum":
            enums[attr] = list(obj.__members__)
        if type(obj).__name__ in FUNCTION_TYPES and not attr.startswith("_"):
            doc = documented_types(obj.__doc__ or "")
            functions[attr] = [[p.name, doc.get(p.name.rstrip("_"), ""), str(p.annotation)]
                               for p in inspect.signature(obj).parameters.values()]
    out[name] = {"enums": enums, "functions": functions}
out["kinds"] = kinds
# a runtime handle class of the same C type as a driver one is its subclass (cudaStream_t of CUstream)
twins = {}
for attr in dir(mods.get("runtime", None)) if "runtime" in mods else ():
    obj = getattr(mods["runtime"], attr)
    if kind(obj) == "handle" and len(obj.__mro__) > 2 and obj.__mro__[1].__module__ == "cuda.bindings.driver":
        twins[attr] = obj.__mro__[1].__name__
        twins[obj.__mro__[1].__name__] = attr
out["twins"] = twins
print(json.dumps(out))
""" % (MODULES,)


MISBEHAVING = {
    "an unhashable-raising object": "class H:\n    def __hash__(self):\n        raise RuntimeError('hash')\nobj = H()",
    "an __index__-only object": "class I:\n    def __index__(self):\n        return 1\nobj = I()",
    "a list": "obj = [1]",
    "a float": "obj = 1.0",
    "None": "obj = None",
}


def discover(python):
    """{module: {"enums": {class: [member names, aliases too]}}} as `python`'s
    package has them."""
    r = subprocess.run([python, "-P", "-c", DISCOVER], capture_output=True, text=True, cwd="/",
                       check=True, env=nvidia_env())
    return json.loads(r.stdout)


def enum_doc_cases(api):
    """Each enum class's __doc__ and each of its members' (cuda-core words
    its CUDAError messages from CUresult's)."""
    return [{"id": "enum %s.%s docs" % (mod, cls), "code": (
        "import hashlib\n"
        "E = %s.%s\n"
        "def digest(doc):   # the whole text, however long (the observer shortens what it shows)\n"
        "    return hashlib.sha256((doc or '').encode()).hexdigest()[:16]\n"
        "[E.__doc__] + [(name, m.__doc__, digest(m.__doc__)) for name, m in E.__members__.items()]"
        % (mod, cls))} for mod, facts in api.items() for cls in facts["enums"]]


def enum_cases(api):
    """Every enum class (its names, members in order, lookups that fail)
    and every member (each text form, name, value, lookup by value)."""
    cases = []
    for mod, facts in api.items():
        for cls, members in facts["enums"].items():
            e = "%s.%s" % (mod, cls)
            cases.append({"id": "enum %s" % e, "code": (
                "E = %s\n"
                "(E.__name__, E.__qualname__, E.__module__, len(E),\n"
                " [m.name for m in E], [int(m) for m in E], list(E.__members__),\n"
                " [c.__name__ for c in type(E).__mro__], [c.__name__ for c in E.__mro__])" % e)})
            cases.append({"id": "enum %s lookup of a value it lacks" % e,
                          "code": "%s(-12345)" % e})
            for what, obj in MISBEHAVING.items():  # lookups and `in` with objects that misbehave
                cases.append({"id": "enum %s lookup of %s" % (e, what), "code": "%s\n%s(obj)" % (obj, e)})
                cases.append({"id": "enum %s holds %s" % (e, what), "code": "%s\nobj in %s" % (obj, e)})
            if members:
                cases.append({"id": "enum %s lookup by name" % e,
                              "code": "%s[%r]" % (e, members[0])})
                cases.append({"id": "enum %s lookup by name string" % e,
                              "code": "%s(%r)" % (e, members[0])})
            for name in members:
                cases.append({"id": "enum %s.%s" % (e, name), "code": (
                    "E = %s\n"
                    "m = E.%s\n"
                    "(str(m), repr(m), format(m), f'{m:d}', f'{m:>12}', '%%s|%%d|%%r' %% (m, m, m),\n"
                    " m.name, m.value, type(m.value).__name__, E(m.value) is m,\n"
                    " E(int(m)).name, E.__members__[m.name] is m, hash(m) == hash(int(m)),\n"
                    " m == int(m), bool(m), m + 0, type(m + 0).__name__)" % (e, name))})
    return cases


PRIVATE_MODULES = ("cuda.bindings._internal.utils", "cuda.bindings.utils._version_check",
                   "cuda.bindings._internal._fast_enum")


def private_cases():
    """The private modules consumers import: the public names each has, what
    each is (a class by its bases, a function as callable), and the
    module-level values consumers reset or read."""
    cases = []
    for mod in PRIVATE_MODULES:
        cases.append({"id": "private %s names" % mod, "code": (
            "import importlib\n"
            "m = importlib.import_module(%r)\n"
            "def what(v):\n"
            "    if isinstance(v, type):\n"
            "        return [c.__name__ for c in v.__mro__]\n"
            "    return 'callable' if callable(v) else type(v).__name__\n"
            "sorted((n, what(getattr(m, n))) for n in dir(m) if not n.startswith('_'))" % mod)})
    cases.append({"id": "private version check flag and variable", "code": (
        "from cuda.bindings.utils import _version_check as v\n"
        "(v._DISABLE_WARNING_ENV_VAR, v._major_version_compatibility_checked, type(v._lock).__name__)")})
    for version in ("(CUresult.CUDA_SUCCESS, 12080)", "(CUresult.CUDA_ERROR_STUB_LIBRARY, 0)",
                    "(CUresult.CUDA_SUCCESS, 13000)"):
        cases.append({"id": "private version check when the driver says %s" % version, "code": (
            "import warnings\n"
            "from cuda.bindings import driver\n"
            "from cuda.bindings.driver import CUresult\n"
            "from cuda.bindings.utils import _version_check as v\n"
            "driver.cuDriverGetVersion = lambda: %s\n"
            "v._major_version_compatibility_checked = False\n"
            "def check():   # what is warned, with the stack level (a caller's caller is this case's code)\n"
            "    return v.warn_if_cuda_major_version_mismatch()\n"
            "with warnings.catch_warnings(record=True) as seen:\n"
            "    warnings.simplefilter('always')\n"
            "    try:\n"
            "        got = ('returns', check())\n"
            "    except Exception as e:\n"
            "        got = ('raises', type(e).__name__, str(e))\n"
            "(got, v._major_version_compatibility_checked,\n"
            " [(w.category.__name__, str(w.message), w.lineno) for w in seen])" % version)})
    cases.append({"id": "private get_c_compiler returns a str", "code": (
        "from cuda.bindings._internal import utils\ntype(utils.get_c_compiler()).__name__")})
    return cases


# CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM, read with int(): integers
# (spaces, a sign, underscores), zeros, and what int() refuses.
PTDS_VALUES = ("1", " 2 ", "-0", "0", "1_0", "", "  ", "true", "off", "0x1", "1__0", "+")
PTDS_CHILD = (
    "from cuda.bindings import driver, runtime\n"
    "calls = ((driver.cuInit, (0,)), (driver.cuDriverGetVersion, ()), (driver.cuGetErrorString, (1,)),\n"
    "         (runtime.cudaGetDeviceCount, ()), (runtime.cudaGetErrorString, (1,)),\n"
    "         (runtime.cudaStreamQuery, (0,)), (runtime.make_cudaExtent, (1, 2, 3)))\n"
    "for f, a in calls + calls:   # twice: a refusal is not remembered as success\n"
    "    try:\n"
    "        print(f.__name__, 'returns', type(f(*a)).__name__)\n"
    "    except Exception as e:\n"
    "        print(f.__name__, 'raises', type(e).__name__)\n")


def environment_cases():
    """Each value of the variable in a fresh interpreter of the side's own
    Python: which calls return and which raise what."""
    return [{"id": "environment PTDS=%r" % value, "code": (
        "import os, subprocess, sys\n"
        "env = dict(os.environ, CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=%r)\n"
        "subprocess.run([sys.executable, '-P', '-c', %r], env=env, capture_output=True, text=True,\n"
        "               timeout=120).stdout.splitlines()" % (value, PTDS_CHILD))}
        for value in PTDS_VALUES]


# What each kind of parameter is given: the value every other case keeps
# (a valid one), then the variants tried in its place one at a time: the
# documented alternative forms first, then values NVIDIA's package may
# refuse.  Names from observe.PRELUDE: Index (an __index__-only object),
# Clearing (an __index__ that empties the list it sits in).
INTEGER_TYPES = {"size_t", "unsigned int", "int", "unsigned long long", "unsigned short",
                 "unsigned char", "unsigned", "uint32_t", "intptr_t"}
WRONG = ["'x'", "1.5", "object()", "Index()"]
NUMBER = ["1", "True", "-1", "2**32", "2**64", "None"] + WRONG
ANY = ["None", "0", "b'x'", "bytearray(4)", "[1]", "driver.CUdeviceptr(0)"] + WRONG


def classes_of(text):
    """The classes a type text names: ':py:obj:`~.A` or :py:obj:`~.B`', 'A',
    'Optional[A]', 'Optional[tuple[A] | list[A]]'."""
    return re.findall(r"`~\.(\w+)`", text) or re.findall(r"\b(\w+)\b(?!\[)", text.replace("Optional", ""))


def parameter_kind(doc, annotation):
    """(what, [class names]) of a parameter: list, integer, float, bytes, str,
    any, or the kinds of the classes it names."""
    text = doc or ("" if "inspect._empty" in annotation else annotation)
    listy = text.startswith("list[") or "list[" in annotation
    inner = text[5:-1] if text.startswith("list[") else text
    if inner in INTEGER_TYPES:
        return ("list of integer" if listy else "integer"), []
    for plain in ("float", "bytes", "str"):
        if inner == plain:
            return ("list of " + plain if listy else plain), []
    if inner in ("Any", "object", "") or inner.startswith("tuple[Any]"):
        return ("list of any" if listy else "any"), []
    names = [n for n in classes_of(inner) if n not in ("tuple", "list", "int", "Any")]
    return ("list of class" if listy else "class"), names


def class_values(names, kinds, twins=None):
    """(baseline, variants) for a parameter that takes instances of `names`
    (a handle's twin of the other module too: runtime.cudaStream_t() for CUstream)."""
    known = [(n, kinds[n]) for n in names if n in kinds]
    if not known:
        return "0", ["None"] + NUMBER[:3] + WRONG
    (first, (mod, what)), *others = known
    ref = "%s.%s" % (mod, first)
    if what == "enum":
        other = "runtime.cudaError_t.cudaSuccess" if first == "CUresult" else "driver.CUresult.CUDA_SUCCESS"
        return ("list(%s)[0]" % ref,
                ["int(list(%s)[0])" % ref, other, "-1", "2**64", "None"] + WRONG)
    twin_of = (twins or {}).get(first)
    twins = ["%s.%s()" % (kinds[n][0], n) for n, _ in others]
    if what == "handle" and twin_of in kinds and twin_of not in names:
        twins.append("%s.%s()" % (kinds[twin_of][0], twin_of))
    if what == "handle":
        stranger = "driver.CUlinkState()" if first != "CUlinkState" else "driver.CUmodule()"
        return ("%s()" % ref, twins + ["%s(0)" % ref, "None", "0", stranger, "True", "-1", "2**64",
                                       "driver.CUDA_MEMCPY2D()"] + WRONG)
    stranger = "driver.CUDA_MEMCPY3D()" if first != "CUDA_MEMCPY3D" else "driver.CUDA_MEMCPY2D()"
    return "%s()" % ref, twins + ["None", "0", stranger, "driver.CUstream()", "[%s()]" % ref] + WRONG


def parameter_values(doc, annotation, kinds, real_library, twins=None):
    """(baseline, variants) of one parameter.  Handles of a real library
    (NVRTC, nvJitLink, NVVM, nvFatbin) are never given made-up addresses:
    the library would dereference them on either side."""
    what, names = parameter_kind(doc, annotation)
    if what == "class":
        return class_values(names, kinds, twins)
    if what.startswith("list of"):
        item = {"list of integer": "0", "list of float": "0.0", "list of bytes": "b'x'",
                "list of str": "'x'", "list of any": "0"}.get(what) or class_values(names, kinds)[0]
        return "[]", ["[%s]" % item, "[%s] * 3" % item, "(%s,)" % item, "None", "'x'", item,
                      "[None]", "[1.5]", "[Index()]", "ClearedBy(%s)" % item, "iter([%s])" % item]
    if what == "integer":
        return "0", [v for v in NUMBER if not (real_library and v in ("1", "True", "2**32", "2**64"))]
    if what == "float":
        return "0.0", ["1", "-1.5", "float('nan')", "None"] + WRONG
    if what == "bytes":   # a pythonic module wants exactly `size` bytes: b'' for the size 0
        base = "b''" if real_library else "b'x'"
        others = ["b'x'", "bytearray(b'x')", "memoryview(b'x')", "'x'", "b''", "None", "1"] + WRONG[1:]
        return base, [v for v in others if v != base]
    if what == "str":
        return "'x'", ["b'x'", "''", "None", "1"] + WRONG[1:]
    return "0", [v for v in ANY if not (real_library and v == "0")]


REAL_LIBRARIES = ("nvrtc", "nvjitlink", "nvvm", "nvfatbin")
# Functions of the real libraries whose result is a handle they just made.
MAKERS = {"nvrtcCreateProgram", "create", "create_program"}


def function_cases(api, modules=MODULES):
    """Every public function of `modules`: once with a valid value for each
    parameter, then with each parameter in turn given each variant."""
    cases = []
    for mod in modules:
        for name, params in sorted(api[mod]["functions"].items()):
            values = [parameter_values(doc, ann, api["kinds"], mod in REAL_LIBRARIES, api.get("twins"))
                      for _, doc, ann in params]
            base = [b for b, _ in values]
            call = "%s.%s" % (mod, name)
            fresh = mod in REAL_LIBRARIES and name in MAKERS
            cases.append({"id": "call %s" % call, "code": "%s(%s)" % (call, ", ".join(base)), "fresh": fresh})
            for i, ((pname, _, _), (_, variants)) in enumerate(zip(params, values)):
                for v in variants:
                    args = base[:i] + [v] + base[i + 1:]
                    cases.append({"id": "call %s %s=%s" % (call, pname, v),
                                  "code": "%s(%s)" % (call, ", ".join(args)), "fresh": fresh})
    return cases
