"""cuda.bindings.nvml on a real GPU and its driver's libnvidia-ml.so.1: the
queries of the issue, asserting what the GPU must report.  NVIDIA's package
answers the same queries in tests/gpu_differential/probe_nvml.py (compared
line by line by .ci/gpu-differential)."""
import os
import time

import pytest

pytestmark = pytest.mark.gpu

nvml = pytest.importorskip("cuda.bindings.nvml")


@pytest.fixture(scope="module")
def device():
    nvml.init_v2()
    yield nvml.device_get_handle_by_index_v2(0)
    nvml.shutdown()


def test_versions_and_count(device):
    assert nvml.system_get_driver_version().split(".")[0].isdigit()
    assert nvml.system_get_nvml_version().split(".")[0].isdigit()
    assert nvml.device_get_count_v2() >= 1


def test_identity(device):
    uuid = nvml.device_get_uuid(device)
    assert uuid.startswith("GPU-")
    assert nvml.device_get_handle_by_uuid(uuid) == device
    pci = nvml.device_get_pci_info_v3(device)
    assert nvml.device_get_handle_by_pci_bus_id_v2(pci.bus_id) == device
    assert nvml.device_get_name(device)
    assert isinstance(nvml.device_get_brand(device), int)
    assert nvml.device_get_architecture(device) > 0
    with _maybe():
        assert nvml.device_get_serial(device)


class _maybe:
    """A query a GPU may not support: it returns or raises an NvmlError subclass."""

    def __enter__(self):
        return self

    def __exit__(self, t, e, tb):
        return t is None or issubclass(t, nvml.NvmlError)


def test_memory(device):
    m = nvml.device_get_memory_info_v2(device)
    assert m.total > 0 and m.used <= m.total
    bar1 = nvml.device_get_bar1_memory_info(device)
    assert bar1.bar1_total > 0


def test_utilization_clocks_temperature_power(device):
    u = nvml.device_get_utilization_rates(device)
    assert 0 <= u.gpu <= 100 and 0 <= u.memory <= 100
    for clock in (nvml.ClockType.CLOCK_GRAPHICS, nvml.ClockType.CLOCK_SM, nvml.ClockType.CLOCK_MEM):
        assert nvml.device_get_max_clock_info(device, clock) >= nvml.device_get_clock_info(device, clock) >= 0
    t = nvml.device_get_temperature_v(device, nvml.TemperatureSensors.TEMPERATURE_GPU)
    assert 0 < t < 120
    with _maybe():
        assert nvml.device_get_temperature_threshold(device, nvml.TemperatureThresholds.TEMPERATURE_THRESHOLD_SHUTDOWN) > t
    assert nvml.device_get_power_usage(device) > 0
    assert nvml.device_get_power_management_limit(device) > 0


def test_pci_modes_processes(device):
    with _maybe():
        assert nvml.device_get_pcie_throughput(device, nvml.PcieUtilCounter.PCIE_UTIL_TX_BYTES) >= 0
    current, pending = nvml.device_get_ecc_mode(device)
    assert current in (0, 1) and pending in (0, 1)
    assert nvml.device_get_compute_mode(device) in set(nvml.ComputeMode)
    with _maybe():
        assert nvml.device_get_persistence_mode(device) in (0, 1)
    procs = nvml.device_get_compute_running_processes_v3(device)
    assert len(procs) >= 0


def test_nvlink_mig_field_values(device):
    with _maybe():
        nvml.device_get_nvlink_state(device, 0)
    with _maybe():
        current, pending = nvml.device_get_mig_mode(device)
        assert current in (0, 1)
    values = nvml.device_get_field_values(device, [nvml.FieldId.DEV_MEMORY_TEMP, (nvml.FieldId.DEV_NVLINK_LINK_COUNT, 0)])
    assert len(values) == 2
    assert list(values.field_id) == [nvml.FieldId.DEV_MEMORY_TEMP, nvml.FieldId.DEV_NVLINK_LINK_COUNT]


def test_event_set_timed_wait(device):
    es = nvml.event_set_create()
    try:
        with _maybe():
            nvml.device_register_events(device, nvml.EventType.XID_CRITICAL_ERROR, es)
        start = time.monotonic()
        with pytest.raises(nvml.TimeoutError):
            nvml.event_set_wait_v2(es, 50)
        assert time.monotonic() - start < 5
    finally:
        nvml.event_set_free(es)


def test_own_process_name(device):
    assert nvml.system_get_process_name(os.getpid())
