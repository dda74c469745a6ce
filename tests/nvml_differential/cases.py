"""NVML differential cases: every function of cuda.bindings.nvml (as
NVIDIA's package lists it, /work/shared/api/nvml.json's names) called with
canonical arguments against the fake libnvidia-ml (tests/nvml_fake), then
with each parameter given a bad value, then with the fake returning an
error, and with the fake giving empty arrays.

What each Python parameter is comes from NVIDIA's package (its docstrings
name the argument classes and the C function, asked in its own venv by
DISCOVER) and from nvml.h (the C parameter of the same name, its type).
Canonical arguments:
- a handle: the fake's handle #0 of that type (tests/nvml_fake handle_value);
- an enum: its class's member of the C enum's first value (E(), observe_nvml);
- an int: 1 (a count or size: 4); a string: "abc";
- a struct: an instance of the class the docstring names (S()), arrays of 2;
  its address (P()) where the signature takes an intptr_t, 4096 zeroed
  bytes' (A()) where no class stands for it;
- a Python parameter with no C parameter of its name (a request struct's
  member): the docstring's type, as above."""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "nvml_fake"))
import make_fake  # noqa: E402

from differential.harness import nvidia_env  # noqa: E402

DISCOVER = r"""
import json, re
import cuda.bindings.nvml as nvml

def args_section(doc):
    out = {}
    if "Args:\n" in doc:
        body = doc.split("Args:\n", 1)[1]
        body = re.split(r"\n\S|\n\n(?! )", body, 1)[0]
        for name, typ in re.findall(r"^    (\w+) \((.*?)\):", body, re.M):
            out[name] = typ
    return out

def returns_section(doc):
    m = re.search(r"Returns:\n\s+(.*?):", doc)
    return m.group(1) if m else None

funcs = {}
for name in dir(nvml):
    obj = getattr(nvml, name)
    if name.startswith("_") or type(obj).__name__ not in ("cython_function_or_method", "builtin_function_or_method"):
        continue
    doc = obj.__doc__ or ""
    see = re.search(r"seealso:: `(\w+)`", doc)
    funcs[name] = {"args": args_section(doc), "returns": returns_section(doc),
                   "c": see.group(1) if see else None, "first_line": doc.split("\n", 1)[0]}
classes, enums = {}, {}
for name in dir(nvml):
    obj = getattr(nvml, name)
    if not isinstance(obj, type):
        continue
    if hasattr(obj, "__members__"):
        enums[name] = [[m, int(v)] for m, v in obj.__members__.items()]
        continue
    doc = obj.__doc__ or ""
    see = re.search(r"seealso:: `(\w+)`", doc)
    if hasattr(obj, "from_data") or see:
        classes[name] = {"c": see.group(1) if see else None, "array": "an array of" in doc}
print(json.dumps({"functions": funcs, "classes": classes, "enums": enums}))
"""

# Canonical arguments the rules cannot make: the binding checks their form.
VALUES = {   # function.parameter: code
    # device_get_handle_by_uuidv checks the form: ASCII, 40 bytes
    "device_get_handle_by_uuidv.type": "E('UUIDType', 1)",
    "device_get_handle_by_uuidv.uuid": 'b"GPU-12345678-1234-1234-1234-123456789abc"',
}

BAD = [("None", "None"), ("str", '"x"'), ("negative", "-1"), ("huge", "2**64"), ("float", "1.5"),
       ("wrong struct", None)]
# An error code every function can return, and each status for one function.
FORCED = 3   # NVML_ERROR_NOT_SUPPORTED


def reference_api():
    """tests/reference/nvml.json: NVIDIA's function names, parameters and signatures."""
    from helpers import reference
    return reference("nvml")


def discover(python, env=None):
    e = nvidia_env()
    e.update(env or {})
    r = subprocess.run([python, "-P", "-c", DISCOVER], capture_output=True, text=True, cwd="/", env=e)
    if r.returncode != 0:
        raise RuntimeError("could not list NVIDIA's nvml module:\n" + r.stderr[-2000:])
    return json.loads(r.stdout)


def key(name):
    return re.sub(r"[_]", "", name).lower()


class Api:
    """The facts cases are made of: nvml.json, NVIDIA's docstrings, nvml.h."""

    def __init__(self, api_json, found, header):
        self.functions = api_json["functions"]
        self.found = found
        self.h = make_fake.parse(header)
        self.types = make_fake.Types(self.h)
        self.c_by_key = {key(n[len("nvml"):]): f for n, f in self.h.functions.items()}
        self.class_by_c = {}
        for cls, info in found["classes"].items():
            if info["c"]:
                self.class_by_c.setdefault(info["c"], cls)
        self.enum_by_key = {key(n): n for n in found["enums"]}

    def c_function(self, name):
        info = self.found["functions"].get(name, {})
        if info.get("c") in self.h.functions:
            return self.h.functions[info["c"]]
        return self.c_by_key.get(key(name))

    def struct_class(self, s):
        """The Python class of C struct `s` (by its name or any typedef of it)."""
        names = {s.name} | {n for n, t in self.h.typedefs.items() if not t.ptrs and
                            t.base.replace("struct ", "") in (s.name, s.tag)}
        if s.tag:
            names.add(s.tag)
        for n in sorted(names):
            if n in self.class_by_c:
                return self.class_by_c[n]
        return None

    def enum_class(self, e, doc_type):
        if doc_type in self.found["enums"]:
            return doc_type
        stem = re.sub(r"^nvml|(_t|_enum)$", "", e.name)
        return self.enum_by_key.get(key(stem))

    def sig_types(self, fname):
        """{param: the type the signature gives it ('' where none)}."""
        sig = self.functions[fname]["signature"]
        inside = sig[sig.index("(") + 1:sig.rindex(")")]
        out = {}
        for part in filter(None, (x.strip() for x in inside.split(","))):
            part = part.split("=")[0].strip()
            m = re.match(r"(.*?)[\s*]*(\w+)$", part)
            out[m.group(2)] = part[:-len(m.group(2))].strip()
        return out

    def canonical(self, fname, pname, cfunc):
        """The code of a canonical argument for parameter `pname`."""
        doc_type = self.found["functions"].get(fname, {}).get("args", {}).get(pname.rstrip("_"), "")
        sig_type = self.sig_types(fname).get(pname, "")
        if "%s.%s" % (fname, pname) in VALUES:
            return VALUES["%s.%s" % (fname, pname)]
        if sig_type in ("bytes", "char *", "const char *"):
            return 'b"abc"'
        if sig_type == "str":
            return '"abc"'
        cparam = None
        if cfunc is not None:
            for q in cfunc.params:
                if key(q.name) == key(pname.rstrip("_")):
                    cparam = q
        if cparam is not None:
            t = cparam.type
            w = self.types.what(t) if not t.depth else None
            if w and w[0] == "handle":
                return hex(make_fake.handle_value(self.types.kinds, w[1], 0))
            if w and w[0] == "enum":
                cls = self.enum_class(w[1], doc_type)
                first = w[1].members[0].value
                return "E(%r, %d)" % (cls, first) if cls else str(first)
            if w and w[0] in ("int", "float"):
                return "4" if re.search(r"(?i)(count|size|length)$", pname) else "1"
            if t.depth == 1 and self.h.resolve(t.pointee()).base == "char":
                return 'b"abc"' if "bytes" in doc_type else '"abc"'
            if t.depth == 1 and self.types.what(t.pointee())[0] == "struct":
                cls = self.struct_class(self.types.what(t.pointee())[1])
                if sig_type == "intptr_t":   # the struct's address
                    return "P(%r)" % cls if cls else "A(4096)"
                if cls is None or sig_type in ("int", "unsigned int"):   # a value the binding puts in it
                    return self.from_doc_type(doc_type)
                return self.instance(cls)
        member = self.request_member(cfunc, pname) if cparam is None else None
        if member is not None and self.types.what(member.type)[0] == "handle":
            return hex(make_fake.handle_value(self.types.kinds, self.types.what(member.type)[1], 0))
        return self.from_doc_type(doc_type)

    def request_member(self, cfunc, pname):
        """The member of a C struct parameter that Python parameter `pname`
        fills (event_set: a request's `set`)."""
        for q in cfunc.params if cfunc is not None else ():
            if q.type.depth == 1 and self.types.what(q.type.pointee())[0] == "struct":
                for f in self.types.what(q.type.pointee())[1].fields:
                    if f.name and key(pname).endswith(key(f.name)):
                        return f
        return None

    def instance(self, cls):
        info = self.found["classes"].get(cls)
        if info is None:
            return "S(%r)" % cls
        return "S(%r, 2)" % cls if info["array"] else "S(%r)" % cls

    def from_doc_type(self, doc_type):
        if doc_type in self.types.enum_by_name:   # a C enum's name
            e = self.types.enum_by_name[doc_type]
            cls = self.enum_class(e, "")
            return "E(%r, %d)" % (cls, e.members[0].value) if cls else str(e.members[0].value)
        if doc_type in self.found["enums"]:
            return "E(%r, %d)" % (doc_type, self.found["enums"][doc_type][0][1])
        if doc_type in self.found["classes"]:
            return self.instance(doc_type)
        if doc_type in ("str",):
            return '"abc"'
        if doc_type in ("bytes",):
            return 'b"abc"'
        return "1"

    def wrong_struct(self, right):
        # an array of 1024 ProcessInfo (24 KiB): larger than any NVML struct, so
        # that a binding that takes it by its address hands the library memory
        # it may write (a smaller one is overrun, and the process's later cases
        # with it)
        return 'S("ProcessInfo", 1024)' if "ProcessInfo" not in right else 'S("FieldValue", 1024)'

    def calls(self):
        """[(function, [argument code])] for every function."""
        out = []
        for name, info in sorted(self.functions.items()):
            cfunc = self.c_function(name)
            out.append((name, [self.canonical(name, p, cfunc) for p in info["params"]]))
        return out


def call(name, args):
    return "nvml.%s(%s)" % (name, ", ".join(args))


def function_cases(api):
    cases = []
    for name, args in api.calls():
        cases.append({"id": "call %s" % name, "code": call(name, args)})
    return cases


def empty_cases(api):
    """Every function with the fake's arrays empty (count 0)."""
    return [{"id": "empty %s" % n, "code": call(n, a), "fake": {"count": 0}} for n, a in api.calls()]


def error_cases(api):
    """Every function with the fake returning NOT_SUPPORTED."""
    return [{"id": "error %s" % n, "code": call(n, a), "fake": {"return": FORCED}} for n, a in api.calls()]


STATUS_PROBE = """
try:
    nvml.device_get_count_v2()
    seen = "no raise"
except Exception as e:
    seen = [type(e).__name__, [c.__name__ for c in type(e).__mro__], str(e), repr(e), e.args,
            getattr(e, "status", "no status")]
seen
"""


def status_cases(api):
    """Each nvmlReturn_t value (and two it lacks) as device_get_count_v2's
    return: the exception class, its MRO, str, repr, args, status."""
    values = sorted({m.value for m in api.types.enum_by_name["nvmlReturn_t"].members} | {12345})
    return [{"id": "status %d" % v, "code": STATUS_PROBE, "fake": {"return": v}} for v in values] + \
        [{"id": "error_string %d" % v, "code": "nvml.error_string(%d)" % v} for v in values]


def bad_cases(api):
    """Each parameter of each function given each bad value."""
    cases = []
    for name, args in api.calls():
        for i, pname in enumerate(api.functions[name]["params"]):
            for label, bad in BAD:
                code = bad if bad is not None else api.wrong_struct(args[i])
                cases.append({"id": "bad %s %s %s" % (name, pname, label),
                              "code": call(name, args[:i] + [code] + args[i + 1:])})
    return cases


def absent_cases():
    """A few calls with no libnvidia-ml to be found."""
    return [{"id": "absent %s" % c, "code": c} for c in (
        "nvml.init_v2()", "nvml.device_get_count_v2()", "nvml.error_string(0)",
        "nvml.device_get_name(1)", "nvml.system_get_driver_version()", "nvml.shutdown()")]


def all_cases(api):
    return function_cases(api) + empty_cases(api) + error_cases(api) + status_cases(api) + bad_cases(api)
