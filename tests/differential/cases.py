"""Differential cases, made from what NVIDIA's package itself lists (its
modules' dir(), asked in its own venv): whatever it has, ours is asked too.

Each case is {"id": ..., "code": ...}; see observe.py for how code runs."""
import json
import subprocess

from differential.harness import nvidia_env
from differential.observe import MODULES

DISCOVER = r"""
import importlib, json
out = {}
for name in %r:
    mod = importlib.import_module("cuda.bindings." + name)
    enums = {}
    for attr in dir(mod):
        obj = getattr(mod, attr)
        if isinstance(obj, type) and issubclass(obj, int) and hasattr(obj, "__members__"):
            enums[attr] = list(obj.__members__)
    out[name] = {"enums": enums}
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
        "E = %s.%s\n[E.__doc__] + [(name, m.__doc__) for name, m in E.__members__.items()]"
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
    cases.append({"id": "private get_c_compiler returns a str", "code": (
        "from cuda.bindings._internal import utils\ntype(utils.get_c_compiler()).__name__")})
    return cases
