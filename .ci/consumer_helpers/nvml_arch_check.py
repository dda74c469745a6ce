"""The `cuda.bindings._test_helpers.arch_check` that cuda-core's system/
tests import, which lives in NVIDIA's source tree and in neither package's
wheel; sitecustomize.py beside it registers it in every interpreter started
with this folder on PYTHONPATH (the tests' spawned processes too).  Ours, the same
for both sides: NVML counts as supported where the driver branch query
answers; a query a GPU architecture may lack is skipped when it says it is
not supported."""
import contextlib
import functools
import sys
import types


@functools.cache
def hardware_supports_nvml():
    from cuda.bindings import nvml
    nvml.init_v2()
    try:
        nvml.system_get_driver_branch()
        return True
    except (nvml.NotSupportedError, nvml.UnknownError):
        return False
    finally:
        nvml.shutdown()


@contextlib.contextmanager
def unsupported_before(device, expected_device_arch):
    import pytest
    from cuda.bindings import nvml
    from cuda.bindings._internal.utils import FunctionNotFoundError
    handle = getattr(device, "_handle", device)
    arch = int(nvml.device_get_architecture(handle))
    wanted = int(expected_device_arch) if isinstance(expected_device_arch, nvml.DeviceArch) else None
    if wanted is not None and arch != int(nvml.DeviceArch.UNKNOWN) and arch < wanted:
        with pytest.raises(nvml.NotSupportedError):
            yield
        pytest.skip("not supported before %s" % expected_device_arch.name)
        return
    try:
        yield
    except (nvml.NotSupportedError, nvml.FunctionNotFoundError, FunctionNotFoundError):
        pytest.skip("not supported on %s" % nvml.device_get_name(handle))


package = types.ModuleType("cuda.bindings._test_helpers")
package.__path__ = []
arch_check = types.ModuleType("cuda.bindings._test_helpers.arch_check")
arch_check.hardware_supports_nvml = hardware_supports_nvml
arch_check.unsupported_before = unsupported_before
package.arch_check = arch_check
sys.modules.setdefault("cuda.bindings._test_helpers", package)
sys.modules.setdefault("cuda.bindings._test_helpers.arch_check", arch_check)
