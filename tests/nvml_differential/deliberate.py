"""The reviewed table of NVML cases that may differ from NVIDIA's, each with
its reason (see differential/deliberate.py for the driver's).  Exception
messages are never compared (differential.harness.comparable)."""
import json
import re

from differential.harness import Deliberate
from helpers import reference


def only_the_log_differs(nvidia, ours):
    strip = ("log", "message")
    return {k: v for k, v in nvidia.items() if k not in strip} == {k: v for k, v in ours.items() if k not in strip}


def handle_params():
    """(function, parameter) of every handle the reference takes (intptr_t)."""
    out = []
    for name, f in reference("nvml")["functions"].items():
        out += [(name, p) for p in re.findall(r"intptr_t (\w+)", f["signature"].split(" -> ")[0])]
    return out


def ours_refuses(nvidia, ours):
    return ours.get("raises") == "OverflowError" and ours.get("log") == [] and "crash" not in ours


def ours_refuses_other_class(nvidia, ours):
    return ours.get("raises") == "TypeError" and ours.get("log") == [] and "crash" not in ours


def nvidia_crashed_ours_raised(nvidia, ours):
    return "crash" in nvidia and "raises" in ours and ours.get("log") == []


def memoryview_of_the_same_items(nvidia, ours):
    """NVIDIA's Cython array (its memview) against ours, a memoryview."""
    theirs, mine = nvidia.get("returns", {}), ours.get("returns", {})
    return (theirs.get("type") == "cuda.bindings.nvml.array" and mine.get("type") == "memoryview"
            and theirs["fields"]["memview"] == mine and nvidia.get("log") == ours.get("log"))


def mode_passed(nvidia, ours):
    """As NVIDIA's once the mode it drops is put back: in the log and the struct."""
    def dropped(o):
        o = json.loads(json.dumps(o).replace("mode=1}", "mode=0}"))
        fields = o.get("returns", {}).get("fields", {})
        if "mode" in fields:
            fields["mode"]["value"] = 0
        return o
    return dropped(ours) == nvidia


def prm_status_unwritten(nvidia, ours):
    """The fake writes no PRM status: the first item is what each side's struct held."""
    theirs, mine = nvidia.get("returns", {}), ours.get("returns", {})
    return (theirs.get("type") == mine.get("type") == "tuple" and theirs["items"][1:] == mine["items"][1:]
            and mine["items"][0] == {"type": "int", "value": 0} and nvidia.get("log") == ours.get("log"))


TABLE = [
    Deliberate(r"bad (%s) negative" % "|".join("%s %s" % fp for fp in handle_params()), ours_refuses,
               "a negative handle is refused (OverflowError), as nvJitLink's, NVVM's and nvFatbin's are: "
               "NVIDIA's passes it to the library, which dereferences it"),
    Deliberate(r"(call|empty|bad) device_get_supported_performance_states( .*)?", memoryview_of_the_same_items,
               "a memoryview of the 16 states ('I'), where NVIDIA's returns a Cython array (its .memview the same)"),
    Deliberate(r"(call|empty|error|bad) device_get_vgpu_type_supported_placements( .*)?", mode_passed,
               "ours passes the mode it is given in nvmlVgpuPlacementList_v2_t; NVIDIA's drops it (0)"),
    Deliberate(r"(call|empty|bad) device_read_write_prm_v1( .*)?", prm_status_unwritten,
               "the fake leaves nvmlPRMTLV_v1_t.status unwritten: ours returns the 0 its zeroed struct held, "
               "NVIDIA's another value its struct held"),
    Deliberate(r"(call|empty|error|bad) (device_get_gpu_instances|gpu_instance_get_compute_instances)( .*)?",
               only_the_log_differs,
               "NVIDIA's sizes the array by asking the *PossiblePlacements function; ours asks the function itself"),
    # NVIDIA's hands the library a struct it did not fill: the fake logs
    # whatever that memory held (it differs from run to run).
    Deliberate(r"(call|empty|error|bad) device_set_nvlink_device_low_power_threshold( .*)?", only_the_log_differs,
               "NVIDIA's leaves nvmlNvLinkPowerThres_t.lowPwrThreshold uninitialised (the threshold is not copied)"),
    Deliberate(r"(call|empty|error|bad) device_set_hostname_v1( .*)?", only_the_log_differs,
               "NVIDIA's copies the hostname without its NUL into an uninitialised nvmlHostname_v1_t"),
    Deliberate(r"bad .* wrong struct", ours_refuses_other_class,
               "NVIDIA's takes a struct object of any class by its address (the library reads and writes past "
               "a smaller one); ours takes only the parameter's class (TypeError)"),
    Deliberate(r"bad .* (negative|float)", nvidia_crashed_ours_raised,
               "NVIDIA's passes int() of it to the library as the struct's address, which crashes the process; "
               "ours refuses a negative address (OverflowError) and a float (TypeError)"),
    Deliberate(r"bad get_vgpu_compatibility \w+ None", nvidia_crashed_ours_raised,
               "NVIDIA's takes None for its typed struct arguments and crashes; ours raises TypeError"),
]
