"""The reviewed table of deliberate differences from NVIDIA's cuda-bindings:
every entry says which cases may differ, how, and why.  Any difference not
allowed here fails tests/test_differential.py.  Exception messages are never
compared (harness.comparable): ours words some more clearly, the type is the
same."""
import re

from differential.harness import Deliberate

# Members whose __doc__ NVIDIA's 13.5.0 takes from somewhere other than the
# 13.5 headers, or garbles: None for members the headers document, text the
# headers do not have, or the header's alignment spaces kept.  Ours is the
# header's comment, rendered as NVIDIA renders the rest.
DOCS_FROM_THE_HEADER = {
    "CU_CLUSTER_SCHEDULING_POLICY_RUBIN_DSMEM_LOCALITY",  # NVIDIA: None (a leading-comma member)
    "cudaClusterSchedulingPolicyRubinDsmemLocality",      # NVIDIA: None (a leading-comma member)
    "cudaErrorApiFailureBase",                            # NVIDIA: None (a leading-comma member)
    "CU_GRAPH_NODE_TYPE_CONDITIONAL",          # NVIDIA: the comment's column alignment as spaces
    "cudaGraphNodeTypeConditional",            # NVIDIA: the comment's column alignment as spaces
    "cudaGraphInstantiateFlagUpload",          # NVIDIA: lines started with a space
    "cudaGraphInstantiateFlagDeviceLaunch",    # NVIDIA: lines started with a space
    "CU_LAUNCH_ATTRIBUTE_LAUNCH_COMPLETION_EVENT",   # NVIDIA: the runtime header's \c markup
}
def only_members_differ(names, class_doc=False):
    """An enum's docs case whose differing entries are all members in `names`
    (the case's result: [class doc, (member name, doc, digest), ...]), and
    the class doc too if `class_doc`."""
    def check(nvidia, ours):
        theirs = nvidia.get("returns", {}).get("items")
        mine = ours.get("returns", {}).get("items")
        if theirs is None or mine is None or len(theirs) != len(mine):
            return False
        if theirs[0] != mine[0] and not class_doc:
            return False
        for a, b in zip(theirs[1:], mine[1:]):
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
    Deliberate(r"enum runtime\.cudaError_t docs", only_members_differ(DOCS_FROM_THE_HEADER, class_doc=True),
               "cudaError_t's class doc is driver_types.h's \"CUDA error types\"; NVIDIA's reads "
               "\"impl_private CUDA error types\""),
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


def field_observations(seen):
    """{field: observation} of a case that sets every field of a struct."""
    items = seen.get("returns", {}).get("items")
    if items is None or any(i.get("type") != "tuple" for i in items):
        return None
    return {i["items"][0]["repr"]: i["items"][1] for i in items}


def fields_differ_only_where(allowed):
    """A struct case whose fields that differ all differ as allowed(nvidia's, ours) says."""
    def check(nvidia, ours):
        a, b = field_observations(nvidia), field_observations(ours)
        if a is None or b is None or a.keys() != b.keys():
            return False
        return all(a[f] == b[f] or allowed(a[f], b[f]) for f in a)
    return check


def struct_list_from_any_item(nvidia_field, our_field):
    return nvidia_field.get("type") == "list" and our_field.get("repr") == "'raises TypeError'"


def same_but_texts(a, b, pattern):
    """a and b alike, but that where a's str or repr text matches `pattern`,
    b's may be any (and so may b itself where that is a's whole observation
    of a value: no items)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if "items" not in a and any(isinstance(a.get(k), str) and pattern.search(a[k]) for k in ("str", "repr")):
            return True
        return a.keys() == b.keys() and all(
            (k in ("str", "repr") and isinstance(a[k], str) and pattern.search(a[k])) or
            same_but_texts(a[k], b[k], pattern) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_but_texts(x, y, pattern) for x, y in zip(a, b))
    return a == b


def texts_differ_only(nvidia_text):
    """Cases alike but for the str/repr texts of NVIDIA's that match `nvidia_text`."""
    pattern = re.compile(nvidia_text)
    return lambda nvidia, ours: same_but_texts(nvidia, ours, pattern)


def nvidia_crashed(nvidia, ours):
    return "crash" in nvidia and "crash" not in ours


TABLE += [
    Deliberate(r"struct .*", nvidia_crashed,
               "NVIDIA's crashes the process setting a struct field from these values (a str, bytes or a list "
               "of ints for a list of structs or handles); ours raises, or takes the value"),
    Deliberate(r"struct .* fields = (\[0\]|\[0, 0\]|\(0,\)|b'x'|bytearray\(b'x'\))",
               fields_differ_only_where(struct_list_from_any_item),
               "a list of structs given items that are not structs: NVIDIA's copies whatever memory an int item "
               "names, or the object's own, as a struct (garbage, or the crash above); ours raises TypeError"),
    Deliberate(r"struct driver\.CUeglFrame(_st|_v1)?( fields = (HELD|FRESH))?",
               texts_differ_only(r"raised TypeError>|'raises TypeError'"),
               "NVIDIA's str and repr of CUeglFrame and its frame union raise TypeError; ours show the fields"),
    Deliberate(r"struct driver\.CUDA_MEMCPY_BATCH_NODE_PARAMS(_V1|_V1_st)?( fields = .*)?",
               texts_differ_only(r"<bound method \w+\.set_dsts_srcs"),
               "set_dsts_srcs is a Cython method on NVIDIA's (repr '<bound method ...>'), a built-in one on ours"),
]


def handle_of_a_freed_struct(nvidia_field, our_field):
    """NVIDIA's handle read from a struct since freed shows what its memory now holds; ours, the value
    it last read (the fresh field's 0)."""
    return (nvidia_field.get("type") == our_field.get("type") and "int" not in our_field and
            re.fullmatch(r"<\w+ 0(x0)?>", our_field.get("repr", "")) is not None)


TABLE += [
    Deliberate(r"struct .* fields = HELD", fields_differ_only_where(handle_of_a_freed_struct),
               "a handle read from a struct that is then freed: NVIDIA's is a view of the freed memory (it then "
               "reads whatever is there); ours, a view while the struct lives, keeps the value it last read"),
]

TABLE += [
    Deliberate(r"call (nvjitlink|nvvm|nvfatbin)\.\w+ options=(\[1\]|b'x'|bytearray\(4\))",
               ours_raises("TypeError", "options"),
               "a list of options holding ints (bytes and bytearray iterate as ints): NVIDIA's passes each as the "
               "address of a C string (the library reads it when the count reaches it: a crash); ours takes "
               "str and bytes items only"),
    Deliberate(r"call (nvjitlink|nvvm|nvfatbin)\.\w+ (handle|prog)=-1", ours_raises("OverflowError", ""),
               "a handle of the pythonic modules given as -1: NVIDIA's passes it to the library, which "
               "dereferences it (nvvm.compile_program crashes) or refuses it; ours refuses a negative handle"),
]

TABLE += [
    Deliberate(r"call nvrtc\.nvrtcSetFlowCallback callback=(b'x'|bytearray\(4\))", ours_raises("TypeError", ""),
               "a buffer given as a callback: NVIDIA's takes its address as the function NVRTC calls (running "
               "the buffer's bytes); ours takes a callable, a function-pointer handle, an int address or None"),
]

TABLE += [
    Deliberate(r"call (driver\.cuMemBatchDecompressAsync paramsArray|(driver\.cuGraphics|runtime\.cudaGraphics)"
               r"(Map|Unmap)Resources resources)=\[.*\]",
               lambda nvidia, ours: nvidia.get("raises", "").endswith("TypeError") and "raises" not in ours
               or ours.get("raises", "").endswith("FunctionNotFoundError"),
               "NVIDIA's takes one struct or handle where the C call takes an array of `count`; ours takes "
               "that, or a list of them"),
]

TABLE += [
    Deliberate(r"call runtime\.make_cudaPitchedPtr d=(b'x'|bytearray\(4\))", texts_differ_only(r"ptr : 0x[0-9a-f]+"),
               "not a difference: the struct holds the buffer's address, which differs from process to process"),
]

TABLE += [
    Deliberate(r"call (driver\.cuDeviceGetName|driver\.cuDeviceGetPCIBusId|runtime\.cudaDeviceGetPCIBusId) length=-1",
               ours_raises("ValueError", "length"),
               "a negative length for the text the call writes: NVIDIA's passes it to the library with an empty "
               "buffer (which the library may write past); ours refuses it"),
    Deliberate(r"call (driver\.cuMemGetLocationInfo|runtime\.cudaMemGetLocationInfo) location_out=\[.*\]",
               lambda nvidia, ours: nvidia.get("raises", "").endswith("TypeError") and "raises" not in ours
               or ours.get("raises", "").endswith("FunctionNotFoundError"),
               "NVIDIA's takes one location struct and lets the driver write one per region of the range into "
               "it (past its end); ours takes that, or a list of as many (README)"),
    Deliberate(r"call runtime\.(getLocalRuntimeVersion|cudaVDPAUSetVDPAUDevice vdpGetProcAddress=(None|0|True))",
               lambda nvidia, ours: "returns" in nvidia and "returns" in ours,
               "the runtime linked in: ours is the release bound (13.5, 13050), NVIDIA's 13.5.0 links 13.0's "
               "(13000), whose cudaVDPAUSetVDPAUDevice refuses a NULL procedure address first"),
]
