"""The reviewed table of deliberate differences from NVIDIA's cuda-bindings:
every entry says which cases may differ, how, and why.  Any difference not
allowed here fails tests/test_differential.py.  Exception messages are never
compared (harness.comparable): ours words some more clearly, the type is the
same."""
from differential.harness import Deliberate

# Members whose __doc__ NVIDIA's 13.5.0 takes from somewhere other than the
# 13.5 headers: None for members the headers document, or text the headers
# do not have.  Ours is the header's comment.
DOCS_FROM_THE_HEADER = {
    "CU_CLUSTER_SCHEDULING_POLICY_RUBIN_DSMEM_LOCALITY",  # NVIDIA: None
    "cudaClusterSchedulingPolicyRubinDsmemLocality",      # NVIDIA: None
    "cudaErrorApiFailureBase",                            # NVIDIA: None
    "CU_TARGET_COMPUTE_121",   # NVIDIA: "Compute device class 12.1. Compute device class 9.0. ..."
}


def only_members_differ(names):
    """An enum's docs case whose differing entries are all members in `names`
    (the case's result: [class doc, (member name, doc), ...])."""
    def check(nvidia, ours):
        theirs = nvidia.get("returns", {}).get("items")
        mine = ours.get("returns", {}).get("items")
        if theirs is None or mine is None or len(theirs) != len(mine):
            return False
        for a, b in zip(theirs, mine):
            if a == b:
                continue
            name = a.get("items", [{}])[0].get("repr", "").strip("'")
            if name not in names:
                return False
        return True
    return check


def without_names(names):
    """A names case (sorted [(name, what)]) that differs only by NVIDIA's
    having `names` as well."""
    def check(nvidia, ours):
        theirs = nvidia.get("returns", {}).get("items")
        mine = ours.get("returns", {}).get("items")
        if theirs is None or mine is None:
            return False
        return [i for i in theirs if i["items"][0]["repr"].strip("'") not in names] == mine
    return check


TABLE = [
    Deliberate(r"enum (driver|runtime)\.\w+ docs", only_members_differ(DOCS_FROM_THE_HEADER),
               "member docs from the 13.5 headers where NVIDIA's are missing or garbled"),
    Deliberate(r"private cuda\.bindings\._internal\._fast_enum names", without_names({"Any", "Iterator"}),
               "NVIDIA's module has typing's Any and Iterator, which it imports; ours imports no "
               "typing (it would triple the bindings' import time)"),
]


def ours_raises(kind, words):
    """Ours raised `kind` with `words` in its message (NVIDIA did anything else)."""
    def check(nvidia, ours):
        return ours.get("raises", "").endswith(kind) and words in ours.get("message", "")
    return check


def nvidia_crashed_ours_raised(nvidia, ours):
    return "crash" in nvidia and "raises" in ours


TABLE += [
    Deliberate(r"call .*", nvidia_crashed_ours_raised,
               "NVIDIA's crashes the process (a handle of the pythonic modules given as -1, a made-up "
               "address); ours raises first"),
    Deliberate(r"call .*=1\.5", ours_raises("TypeError", "address"),
               "NVIDIA's takes a float where it takes an address (int(1.5): address 1, which the library "
               "then dereferences); ours refuses a float for a handle, a pointer or a buffer"),
    Deliberate(r"call .*", ours_raises("RuntimeError", "fewer than"),
               "a list shorter than its count: NVIDIA's checks some lists (RuntimeError, as ours) and "
               "passes others to the library as they are, which then reads past their end; ours checks "
               "every list against its count"),
]
TABLE.append(Deliberate(
    r"call nvrtc\.\w+ prog=driver\.\w+\(\)", ours_raises("TypeError", "nvrtcProgram"),
    "NVIDIA's passes int() of any handle object as a program, and NVRTC dereferences it (a CUstream(1) "
    "crashes); ours takes only an nvrtcProgram, an int or None"))
