"""Differential probe, NVML: the same queries on NVIDIA's cuda.bindings.nvml
and on ours (.ci/gpu-differential runs it under both and diffs the outputs).

What the GPU reports steadily (names, ids, limits, modes, totals) is printed
as a value; what moves from one run to the next (temperatures, clocks,
utilization, power draw, used memory, throughput) as its type alone, and a
struct as its class and fields.  A call that raises prints the exception's
class (NVLink queries on a GPU without NVLink, MIG on one without it, ...)."""
import os
import sys
import time

from cuda.bindings import nvml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # run with -P


def render(x, steady):
    if isinstance(x, (list, tuple)):
        return "%s[%s]" % (type(x).__name__, ", ".join(render(i, steady) for i in x))
    if x is None or type(x) in (bool, int, str, bytes, float):
        if not steady:
            return type(x).__name__
        if type(x) is int and abs(x) >= 1 << 40:   # a handle or an address
            return "int:address"
        return "%s:%r" % (type(x).__name__, x)
    if hasattr(type(x), "__members__"):
        return repr(x)
    if "memoryview" in type(x).__name__:   # a memoryview, or a Cython memoryview slice: what it holds
        return "array[%d] of %r" % (len(x), memoryview(x).format)
    fields = sorted(n for n in dir(type(x)) if not n.startswith("_") and n not in ("ptr", "from_buffer",
                                                                                   "from_data", "from_ptr"))
    try:
        n = len(x)
    except TypeError:
        n = None
    if n is not None and n != 1:
        return "<%s len %d: %s>" % (type(x).__name__, n, " ".join(fields))
    return "<%s %s>" % (type(x).__name__, " ".join(
        "%s=%s" % (f, render(getattr(x, f), steady)) for f in fields))


def show(label, f, *args, steady=True):
    try:
        r = f(*args)
    except Exception as e:   # noqa: BLE001 - the class is what is compared
        print(label, "RAISES", type(e).__name__)
        return None
    print(label, "->", render(r, steady))
    return r


show("init_v2", nvml.init_v2)
count = show("device_get_count_v2", nvml.device_get_count_v2)
show("system_get_driver_version", nvml.system_get_driver_version)
show("system_get_nvml_version", nvml.system_get_nvml_version)
show("system_get_cuda_driver_version", nvml.system_get_cuda_driver_version)
# NVML names a process by its argv[0], and the two sides start the probe from different paths
with open("/proc/self/cmdline", "rb") as f:
    argv0 = f.read().split(b"\0")[0].decode()
show("system_get_process_name(own pid) == argv[0]", lambda: nvml.system_get_process_name(os.getpid()) == argv0)
for i in range(min(count or 0, 8)):   # a machine has at most 8 (the fake says any number)
    h = show("device_get_handle_by_index_v2(%d)" % i, nvml.device_get_handle_by_index_v2, i)
    uuid = show("device_get_uuid", nvml.device_get_uuid, h)
    show("handle by uuid is the same", lambda: nvml.device_get_handle_by_uuid(uuid) == h)
    pci = show("device_get_pci_info_v3", nvml.device_get_pci_info_v3, h)
    if pci is not None:
        show("handle by pci bus id is the same", lambda: nvml.device_get_handle_by_pci_bus_id_v2(pci.bus_id) == h)
    show("device_get_serial", nvml.device_get_serial, h)
    show("device_get_name", nvml.device_get_name, h)
    show("device_get_brand", nvml.device_get_brand, h)
    show("device_get_architecture", nvml.device_get_architecture, h)
    show("device_get_index", nvml.device_get_index, h)
    show("device_get_minor_number", nvml.device_get_minor_number, h)
    show("device_get_cuda_compute_capability", nvml.device_get_cuda_compute_capability, h)
    mem = show("device_get_memory_info_v2", nvml.device_get_memory_info_v2, h, steady=False)
    if mem is not None:
        show("memory total", lambda: mem.total)
        show("memory version", lambda: mem.version)
    show("device_get_bar1_memory_info", nvml.device_get_bar1_memory_info, h, steady=False)
    show("device_get_utilization_rates", nvml.device_get_utilization_rates, h, steady=False)
    for clock in (nvml.ClockType.CLOCK_GRAPHICS, nvml.ClockType.CLOCK_SM, nvml.ClockType.CLOCK_MEM):
        show("device_get_clock_info(%s)" % clock.name, nvml.device_get_clock_info, h, clock, steady=False)
        show("device_get_max_clock_info(%s)" % clock.name, nvml.device_get_max_clock_info, h, clock)
    show("device_get_supported_memory_clocks", nvml.device_get_supported_memory_clocks, h)
    show("device_get_temperature_v(GPU)", nvml.device_get_temperature_v, h, nvml.TemperatureSensors.TEMPERATURE_GPU,
         steady=False)
    for t in (nvml.TemperatureThresholds.TEMPERATURE_THRESHOLD_SHUTDOWN,
              nvml.TemperatureThresholds.TEMPERATURE_THRESHOLD_SLOWDOWN):
        show("device_get_temperature_threshold(%s)" % t.name, nvml.device_get_temperature_threshold, h, t)
    show("device_get_power_usage", nvml.device_get_power_usage, h, steady=False)
    show("device_get_power_management_limit", nvml.device_get_power_management_limit, h)
    show("device_get_power_management_limit_constraints", nvml.device_get_power_management_limit_constraints, h)
    show("device_get_enforced_power_limit", nvml.device_get_enforced_power_limit, h)
    show("device_get_total_energy_consumption", nvml.device_get_total_energy_consumption, h, steady=False)
    show("device_get_pcie_throughput(TX)", nvml.device_get_pcie_throughput, h, nvml.PcieUtilCounter.PCIE_UTIL_TX_BYTES,
         steady=False)
    show("device_get_max_pcie_link_generation", nvml.device_get_max_pcie_link_generation, h)
    show("device_get_max_pcie_link_width", nvml.device_get_max_pcie_link_width, h)
    show("device_get_ecc_mode", nvml.device_get_ecc_mode, h)
    show("device_get_compute_mode", nvml.device_get_compute_mode, h)
    show("device_get_persistence_mode", nvml.device_get_persistence_mode, h)
    show("device_get_performance_state", nvml.device_get_performance_state, h, steady=False)
    show("device_get_compute_running_processes_v3", nvml.device_get_compute_running_processes_v3, h,
         steady=False)
    show("device_get_graphics_running_processes_v3", nvml.device_get_graphics_running_processes_v3, h,
         steady=False)
    for link in (0, 1):
        show("device_get_nvlink_state(%d)" % link, nvml.device_get_nvlink_state, h, link)
        show("device_get_nvlink_version(%d)" % link, nvml.device_get_nvlink_version, h, link)
        show("device_get_nvlink_remote_pci_info_v2(%d)" % link, nvml.device_get_nvlink_remote_pci_info_v2, h, link)
    show("device_get_mig_mode", nvml.device_get_mig_mode, h)
    show("device_get_max_mig_device_count", nvml.device_get_max_mig_device_count, h)
    fields = nvml.FieldValue(3)
    fields.field_id = [nvml.FieldId.DEV_TOTAL_ENERGY_CONSUMPTION, nvml.FieldId.DEV_PCIE_REPLAY_COUNTER,
                       nvml.FieldId.DEV_PERF_POLICY_TOTAL_BASE_CLOCKS]
    got = show("device_get_field_values", nvml.device_get_field_values, h, fields, steady=False)
    if got is not None:
        show("field returns", lambda: [int(v) for v in fields.nvml_return])
        show("field ids", lambda: [int(v) for v in fields.field_id])
    show("device_get_supported_event_types", nvml.device_get_supported_event_types, h)
    events = show("event_set_create", nvml.event_set_create, steady=False)
    if events is not None:
        show("device_register_events", nvml.device_register_events, h, nvml.EventType.PSTATE, events)
        t0 = time.monotonic()
        event = show("event_set_wait_v2(100 ms)", nvml.event_set_wait_v2, events, 100, steady=False)
        show("waited at least 50 ms or got an event",
             lambda: True if event is not None or time.monotonic() - t0 >= 0.05 else "early")
        show("event_set_free", nvml.event_set_free, events)
show("device_get_handle_by_index_v2(count)", nvml.device_get_handle_by_index_v2, count or 0)
show("device_get_name(0)", nvml.device_get_name, 0)
show("shutdown", nvml.shutdown)
show("device_get_count_v2 after shutdown", nvml.device_get_count_v2)
print("probe finished")   # a probe that stops early on both sides must not compare equal
