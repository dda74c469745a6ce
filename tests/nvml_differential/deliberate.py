"""The reviewed table of NVML cases that may differ from NVIDIA's, each with
its reason (see differential/deliberate.py for the driver's).  Exception
messages are never compared (differential.harness.comparable)."""
from differential.harness import Deliberate


def only_the_log_differs(nvidia, ours):
    strip = ("log", "message")
    return {k: v for k, v in nvidia.items() if k not in strip} == {k: v for k, v in ours.items() if k not in strip}


TABLE = [
    # NVIDIA's hands the library a struct it did not fill: the fake logs
    # whatever that memory held (it differs from run to run).
    Deliberate(r"(call|empty|error|bad) device_set_nvlink_device_low_power_threshold( .*)?", only_the_log_differs,
               "NVIDIA's leaves nvmlNvLinkPowerThres_t.lowPwrThreshold uninitialised (the threshold is not copied)"),
    Deliberate(r"(call|empty|error|bad) device_set_hostname_v1( .*)?", only_the_log_differs,
               "NVIDIA's copies the hostname without its NUL into an uninitialised nvmlHostname_v1_t"),
    Deliberate(r"bad .* wrong struct", only_the_log_differs,
               "NVIDIA's takes any struct object by its address: the library reads what it holds"),
]
