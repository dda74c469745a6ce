"""Shared test setup: the `gpu` marker skips cleanly when there is no GPU."""
import functools

import pytest


@functools.lru_cache(maxsize=None)
def gpu_devices():
    """Names of the CUDA devices a real driver reports; [] without one."""
    from cuda.bindings import _driver_probe
    try:
        info = _driver_probe.info()
    except Exception:  # noqa: BLE001 - no driver means no GPU tests
        return []
    if info.get("path") is None or info.get("stub"):
        return []
    return list(info.get("devices", []))


def pytest_collection_modifyitems(config, items):
    if gpu_devices():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU/driver on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
