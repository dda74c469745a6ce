"""Runs NVML differential cases inside one side's interpreter (NVIDIA's
package or ours; stdlib only, so either can run it) against the fake
libnvidia-ml.so.1 (tests/nvml_fake), printing one JSON line per case, as
differential/observe.py does:

    python -P observe_nvml.py CASES.json FIRST

A case is {"id", "code", "fake": {"return": code, "count": n}}: "fake"
sets the fake's forced return code and array length for that case only.
Its code runs in a namespace holding `nvml` (cuda.bindings.nvml) and the
prelude's helpers; its last line, if an expression, is the result.  The
observation is the result normalised (see norm) or the exception (type,
str, status), and the fake's log of the C calls the case made.  The fake's
own functions are reached through ctypes under the soname the package loads,
so the case fails loudly ("library") where another libnvidia-ml is mapped."""
import ctypes
import json
import os
import sys

# the driver's observer (stdlib only too): how a case runs, how a type is named
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "differential"))
from observe import run, type_name  # noqa: E402

TEXT_MAX = 2000

PRELUDE = """
def E(cls, value):
    # a member of enum class `cls` of the module, or the value where it has no such class
    c = getattr(nvml, cls, None)
    return c(value) if c is not None else value

KEPT = []   # what S() made in this case: the observer masks their addresses

def S(cls, *args):
    # an instance of struct class `cls`
    KEPT.append(getattr(nvml, cls)(*args))
    return KEPT[-1]

def P(cls, *args):
    # the address of an instance of struct class `cls`, kept alive
    return S(cls, *args).ptr

class _Buffer:
    def __init__(self, size):
        import ctypes
        self.raw = ctypes.create_string_buffer(size)
        self.ptr = ctypes.addressof(self.raw)

def A(size):
    # the address of `size` zeroed bytes, kept alive: a struct no class stands for
    KEPT.append(_Buffer(size))
    return KEPT[-1].ptr
"""


def mask(seen, addresses):
    """`seen` with the addresses of the case's own structs (which differ from
    process to process) named "<address>" wherever they show: as ints, and
    in the fake's log as decimal or hex."""
    if not addresses:
        return seen
    if isinstance(seen, dict):
        if seen.get("type") in ("int",) and seen.get("value") in addresses:
            return dict(seen, value="<address>")
        return {k: mask(v, addresses) for k, v in seen.items()}
    if isinstance(seen, list):
        return [mask(v, addresses) for v in seen]
    if isinstance(seen, str):
        for a in addresses:
            seen = seen.replace(str(a), "<address>").replace("0x%x" % a, "<address>")
        return seen
    return seen


def plain(v):
    """numpy's tolist() output, with tuples and bytes made JSON-able."""
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, float) and v != v:
        return "nan"
    return v


def public_attrs(value):
    names = []
    for name in dir(type(value)):
        if name.startswith("_") or name == "ptr":
            continue
        attr = getattr(type(value), name, None)
        if callable(attr) and not isinstance(attr, property):
            continue
        names.append(name)
    return names


def norm(value, depth=0):
    """What a user can tell of a value, as JSON."""
    if value is None or isinstance(value, (bool, str, float)):
        return {"type": type_name(value), "value": value}
    if isinstance(value, (bytes, bytearray)):
        return {"type": type_name(value), "value": bytes(value).hex()}
    if isinstance(value, int):
        d = {"type": type_name(value), "value": int(value)}
        if hasattr(type(value), "__members__"):
            d["name"] = getattr(value, "name", None)
        return d
    if type(value).__module__ == "numpy" or type_name(value) == "numpy.ndarray":
        if hasattr(value, "dtype"):
            return {"type": type_name(value), "dtype": str(value.dtype),
                    "shape": list(getattr(value, "shape", ())), "value": plain(value.tolist())}
    if "memoryview" in type(value).__name__ and not isinstance(value, memoryview):
        value = memoryview(value)   # Cython's memoryview slice: what its buffer holds
    if isinstance(value, memoryview):
        return {"type": "memoryview", "format": value.format, "shape": list(value.shape),
                "value": plain(value.tolist())}
    if isinstance(value, (tuple, list)):
        return {"type": type_name(value), "items": [norm(v, depth + 1) for v in value[:64]], "len": len(value)}
    if depth > 6:
        return {"type": type_name(value), "depth": "cut"}
    d = {"type": type_name(value)}
    if type(value).__module__.startswith("cuda.bindings"):
        try:
            d["len"] = len(value)
        except Exception:
            pass
        fields = {}
        for name in public_attrs(value):
            try:
                fields[name] = norm(getattr(value, name), depth + 1)
            except Exception as e:
                fields[name] = {"raises": type_name(e), "message": str(e)[:200]}
        d["fields"] = fields
        if d.get("len", 1) > 1:
            items = []
            for i in range(min(d["len"], 8)):
                try:
                    items.append(norm(value[i], depth + 1))
                except Exception as e:
                    items.append({"raises": type_name(e), "message": str(e)[:200]})
            d["items"] = items
        return d
    d["repr"] = repr(value)[:TEXT_MAX]
    return d


def nvml_libraries():
    """The paths of every libnvidia-ml mapped into this process."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split(None, 5)[-1].strip() for line in f if "libnvidia-ml" in line})
    except OSError:
        return []


def main():
    cases = json.load(open(sys.argv[1]))
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    try:
        fake = ctypes.CDLL("libnvidia-ml.so.1")
        fake.fakenvml_log.restype = ctypes.c_char_p
        fake.fakenvml_log
    except (OSError, AttributeError):
        fake = None   # no fake on the path: the cases observe the library's absence
    base = {}
    try:
        import cuda.bindings.nvml as nvml
        base["nvml"] = nvml
    except ImportError as e:
        base["nvml_import_error"] = str(e)
    exec(PRELUDE, base)
    fake_path = nvml_libraries()
    out = sys.stdout
    for case in cases[first:]:
        ns = dict(base)
        settings = case.get("fake", {})
        if fake is not None:
            fake.fakenvml_log_clear()
            fake.fakenvml_set_return(settings.get("return", -1))
            fake.fakenvml_set_count(settings.get("count", -1))
        try:
            got = {"returns": norm(run(case["code"], ns))}
        except BaseException as e:  # SystemExit and KeyboardInterrupt are results too
            got = {"raises": type_name(e), "message": str(e)[:300]}
            if hasattr(e, "status"):
                got["status"] = norm(e.status)
        if fake is not None:
            fake.fakenvml_set_return(-1)
            fake.fakenvml_set_count(-1)
            got["log"] = fake.fakenvml_log().decode(errors="replace").splitlines()
            libs = nvml_libraries()
            if libs != fake_path:
                got["library"] = libs
        addresses = set()
        for obj in base["KEPT"]:
            try:
                addresses.add(int(obj.ptr))
            except Exception:
                pass
        base["KEPT"].clear()
        got = mask(got, addresses)
        del ns
        got["id"] = case["id"]
        out.write(json.dumps(got) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
