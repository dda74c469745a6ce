"""Write tests/reference/*.json, the part of NVIDIA's API facts the tests
read, from the full lists in ../shared/api (cuda-bindings 13.5.0 as
introspected; see README.md here).

    python tests/reference/refresh.py            # rewrite the subset
    python tests/reference/refresh.py --check    # exit 1 if it, or gen/data/cython_capi.json, is not the reference's

--check also compares the generator's capsule snapshot, gen/data/cython_capi.json,
with the reference's capsule list entry by entry (the tests compare it with
the digests kept here, which say only which module differs).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from helpers import NOT_BOUND_YET, ROOT, json_digest  # noqa: E402

SNAPSHOT = os.path.join(ROOT, "gen", "data", "cython_capi.json")


def module_facts(api):
    """What the tests read of driver.json or runtime.json: the names of the
    constants, and each class's bases and fields."""
    return {"source": api["source"],
            "constants": sorted(api["constants"]),
            "classes": {name: {"bases": c["bases"], "fields": c["fields"]} for name, c in sorted(api["classes"].items())}}


def function_facts(api):
    """What the NVML differential cases read of nvml.json: each function's
    parameter names and signature text."""
    return {"source": api["source"],
            "functions": {name: {"params": f["params"], "signature": f["signature"]}
                          for name, f in sorted(api["functions"].items())}}


def capsule_digests(capi):
    """The digest of each module's capsule signatures (helpers.json_digest)."""
    return {"source": capi["source"],
            "digests": {name: json_digest(v) for name, v in sorted(capi.items()) if name != "source"}}


def dump(facts):
    """Compact JSON, one entry of each top-level dict on a line (readable diffs)."""
    def compact(v):
        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    lines = []
    for key, value in facts.items():
        if isinstance(value, dict):
            inner = ",\n".join("%s:%s" % (compact(k), compact(v)) for k, v in value.items())
            lines.append("%s:{\n%s\n}" % (compact(key), inner))
        else:
            lines.append("%s:%s" % (compact(key), compact(value)))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def subset(api_dir):
    """{file name here: its text} from the full lists in api_dir."""
    def load(name):
        with open(os.path.join(api_dir, name)) as f:
            return json.load(f)
    return {"driver.json": dump(module_facts(load("driver.json"))),
            "runtime.json": dump(module_facts(load("runtime.json"))),
            "nvml.json": dump(function_facts(load("nvml.json"))),
            "cython_capi.json": dump(capsule_digests(load("cython_capi.json")))}


def snapshot_differences(api_dir):
    """Where gen/data/cython_capi.json is not the reference's capsule list,
    but for the modules this package does not bind yet."""
    with open(os.path.join(api_dir, "cython_capi.json")) as f:
        ref = json.load(f)
    with open(SNAPSHOT) as f:
        snap = json.load(f)
    out = []
    if set(ref) - set(snap) != NOT_BOUND_YET:
        out.append("modules of the reference not in the snapshot: %s (expected %s)"
                   % (sorted(set(ref) - set(snap)), sorted(NOT_BOUND_YET)))
    out += ["module %s is not the reference's" % k for k in sorted(set(snap) - set(ref))]
    for module in sorted(set(snap) & set(ref)):
        if not isinstance(ref[module], dict):
            if snap[module] != ref[module]:
                out.append("%s: %r, the reference %r" % (module, snap[module], ref[module]))
            continue
        for name in sorted(set(snap[module]) | set(ref[module])):
            if snap[module].get(name) != ref[module].get(name):
                out.append("%s.%s: %r, the reference %r" % (module, name, snap[module].get(name), ref[module].get(name)))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default=os.path.join(ROOT, "..", "shared", "api"),
                        help="the full reference lists (default: ../shared/api beside the checkout)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 where the files here or the capsule snapshot differ")
    args = parser.parse_args(argv)
    wanted = subset(args.api)
    stale = []
    for name, text in wanted.items():
        path = os.path.join(HERE, name)
        current = open(path).read() if os.path.exists(path) else None
        if current == text:
            continue
        if args.check:
            stale.append("tests/reference/%s is not what %s gives" % (name, args.api))
        else:
            with open(path, "w") as f:
                f.write(text)
            print("wrote tests/reference/%s (%d bytes)" % (name, len(text)))
    if args.check:
        problems = stale + snapshot_differences(args.api)
        for line in problems:
            print(line)
        if problems:
            return 1
        print("tests/reference and gen/data/cython_capi.json are the reference's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
