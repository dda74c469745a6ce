"""Differential tests: NVIDIA's cuda-bindings (its own venv, see
differential/harness.py) and ours run the same cases, each in its own
processes, and what user code can observe must be the same, but for the
reviewed table of deliberate differences (differential/deliberate.py)."""
import functools

import pytest
from differential import cases, class_cases, harness, kernel_cases
from differential.deliberate import TABLE


@functools.lru_cache(maxsize=None)
def sides():
    """(NVIDIA's interpreter, what its package lists); made once per worker."""
    python = harness.nvidia_python()
    return python, cases.discover(python)


@pytest.fixture(scope="module")
def nvidia(stub_driver):
    try:
        return sides()
    except RuntimeError as e:  # no NVIDIA package to ask is a failure, not a skip
        pytest.fail(str(e))


def no_gpu(stub_driver):
    """Both sides see the toolkit's stub driver and no device."""
    return {"LD_LIBRARY_PATH": stub_driver, "CUDA_VISIBLE_DEVICES": ""}


def compare(python, case_list, env):
    theirs = harness.run_cases(python, case_list, env, nvidia=True)
    ours = harness.run_cases(harness.sys.executable, case_list, env)
    found = harness.differences(case_list, theirs, ours, TABLE)
    assert not found, harness.report(found)
    return theirs, ours


@pytest.mark.parametrize("module", cases.MODULES)
def test_enums_behave_as_nvidias(nvidia, stub_driver, module):
    python, api = nvidia
    enums = {module: api[module]}
    assert enums[module]["enums"], "NVIDIA's %s lists no enums" % module
    compare(python, cases.enum_cases(enums), no_gpu(stub_driver))


# Still differing in wrapping only: multi-line trailing comments (NVIDIA's
# keep their runs of spaces), a <br> before a link, \\ref to a group.
@pytest.mark.parametrize("module", cases.MODULES)
def test_enum_docs_are_nvidias(nvidia, stub_driver, module):
    python, api = nvidia
    compare(python, cases.enum_doc_cases({module: api[module]}), no_gpu(stub_driver))


def test_private_names_consumers_import_are_nvidias(nvidia, stub_driver):
    python, _ = nvidia
    compare(python, cases.private_cases(), no_gpu(stub_driver))


@pytest.mark.parametrize("module", cases.MODULES)
def test_functions_behave_as_nvidias(nvidia, stub_driver, module):
    python, api = nvidia
    compare(python, cases.function_cases(api, [module]), no_gpu(stub_driver))


def test_environment_variables_are_read_as_nvidias(nvidia, stub_driver):
    python, _ = nvidia
    theirs, _ = compare(python, cases.environment_cases(), no_gpu(stub_driver))
    refused = theirs["environment PTDS='true'"]
    assert "cuInit raises ValueError" in str(refused), refused   # the cases observe what they mean to


def test_kernel_arguments_are_packed_as_nvidias(nvidia, stub_driver):
    """Every value form with every type form, read back as the bytes it
    became, and every form of kernelParams itself."""
    python, _ = nvidia
    compare(python, kernel_cases.kernel_argument_cases(), no_gpu(stub_driver))


def test_handle_classes_behave_as_nvidias(nvidia, stub_driver):
    python, api = nvidia
    found = class_cases.handle_cases(api)
    assert len(found) > 90, "NVIDIA's package lists %d handle classes" % len(found)
    compare(python, found, no_gpu(stub_driver))


@pytest.mark.parametrize("module", ["driver", "runtime"])
def test_struct_classes_behave_as_nvidias(nvidia, stub_driver, module):
    python, api = nvidia
    found = [c for c in class_cases.struct_cases(api) if c["id"].startswith("struct %s." % module)]
    assert found, "NVIDIA's %s lists no struct classes" % module
    compare(python, found, no_gpu(stub_driver))
