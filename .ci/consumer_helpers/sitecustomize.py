"""Run at start-up where .ci/consumer_helpers is on PYTHONPATH: registers the
arch_check module cuda-core's tests import (nvml_arch_check.py), so that the
processes those tests spawn find it as the pytest process does."""
import nvml_arch_check  # noqa: F401
