"""cuda.bindings.utils and the package's version: what the reference
package offers beside the bindings, with the same results and errors."""
import importlib.metadata
import warnings

import pytest
from helpers import library_installed, nvrtc_ptx

import cuda.bindings
from cuda.bindings import driver, nvrtc, runtime, utils
from cuda.bindings.utils import _version_check


def test_version_is_the_installed_distribution_version():
    assert cuda.bindings.__version__ == importlib.metadata.version("cuda-bindings")
    assert cuda.bindings.__version__.split(".")[0] == str(driver.CUDA_VERSION // 1000)


def test_utils_is_reachable_from_the_package():
    assert cuda.bindings.utils is utils
    with pytest.raises(AttributeError):
        cuda.bindings.no_such_thing


@pytest.mark.parametrize("make", [driver.CUstream, driver.CUcontext, driver.CUevent, driver.CUmodule,
                                  driver.CUgraphExec, runtime.cudaStream_t, runtime.cudaEvent_t])
def test_native_handle_of_opaque_handles(make):
    assert utils.get_cuda_native_handle(make(0x1234)) == 0x1234
    assert utils.get_cuda_native_handle(make()) == 0


class MyStream(driver.CUstream):
    pass


@pytest.mark.parametrize("obj", [driver.CUdeviceptr(9), driver.CUdevice(0), 5, None, "0x10", 1.5,
                                 MyStream(3), driver.CUresult.CUDA_SUCCESS, object()])
def test_native_handle_refuses_what_is_not_a_handle(obj):
    with pytest.raises(TypeError, match="Unknown type"):
        utils.get_cuda_native_handle(obj)


def test_ptx_version_of_nvrtc_output_needs_at_most_this_cuda():
    ptx, size = nvrtc_ptx(b'extern "C" __global__ void k(int *p) { *p = 1; }')
    version = utils.get_ptx_ver(ptx.decode())
    err, major, minor = nvrtc.nvrtcVersion()
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver(version) <= 1000 * major + 10 * minor


@pytest.mark.parametrize("ptx, version", [
    (".version 8.4\n.target sm_90\n", "8.4"),
    ("//\n// comment\n//\n\n.version 9.0 \n.target sm_100", "9.0"),
    ("\t.version\t7.8\n", "7.8"),
])
def test_ptx_version_directive(ptx, version):
    assert utils.get_ptx_ver(ptx) == version


@pytest.mark.parametrize("ptx, exc", [("", ValueError), (".target sm_90\n", ValueError),
                                      ("// .version 8.0 in a comment", ValueError),
                                      (None, TypeError), (b".version 8.0", TypeError), (80, TypeError)])
def test_ptx_version_of_bad_input(ptx, exc):
    with pytest.raises(exc):
        utils.get_ptx_ver(ptx)


@pytest.mark.parametrize("ptx_version, cuda", [("1.0", 1000), ("7.0", 11000), ("8.5", 12050),
                                               ("8.6", 12070), ("8.8", 12090), ("9.0", 13000)])
def test_cuda_version_of_ptx_isa(ptx_version, cuda):
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver(ptx_version) == cuda


@pytest.mark.parametrize("bad", ["9.9", "x", "", "8.8 ", 8.8, None, ["8.8"]])
def test_cuda_version_of_unknown_ptx_isa(bad):
    with pytest.raises(ValueError, match="PTX ISA version"):
        utils.get_minimal_required_cuda_ver_from_ptx_ver(bad)


@pytest.fixture
def driver_version(monkeypatch):
    """Make the driver report a CUDA version; the check runs afresh."""
    monkeypatch.setattr(_version_check, "_major_version_compatibility_checked", False)
    monkeypatch.delenv(_version_check._DISABLE_WARNING_ENV_VAR, raising=False)

    def report(version, status=driver.CUresult.CUDA_SUCCESS):
        monkeypatch.setattr(driver, "cuDriverGetVersion", lambda: (status, version))
    return report


def test_major_version_warning_for_an_older_driver(driver_version):
    driver_version((driver.CUDA_VERSION // 1000 - 1) * 1000 + 80)
    with pytest.warns(UserWarning, match="built for CUDA major version %d, but the NVIDIA driver only supports up to "
                      "CUDA %d" % (driver.CUDA_VERSION // 1000, driver.CUDA_VERSION // 1000 - 1)):
        utils.warn_if_cuda_major_version_mismatch()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        utils.warn_if_cuda_major_version_mismatch()   # once per process


@pytest.mark.parametrize("newer", [0, 1])
def test_no_major_version_warning_for_a_driver_as_new(driver_version, newer):
    driver_version((driver.CUDA_VERSION // 1000 + newer) * 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        utils.warn_if_cuda_major_version_mismatch()


def test_major_version_warning_can_be_turned_off(driver_version, monkeypatch):
    driver_version(1000)
    monkeypatch.setenv(_version_check._DISABLE_WARNING_ENV_VAR, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        utils.warn_if_cuda_major_version_mismatch()


def test_major_version_check_without_a_working_driver(driver_version):
    driver_version(0, driver.CUresult.CUDA_ERROR_STUB_LIBRARY)
    with pytest.raises(RuntimeError, match="Failed to query CUDA driver version: .*CUDA_ERROR_STUB_LIBRARY"):
        utils.warn_if_cuda_major_version_mismatch()
    utils.warn_if_cuda_major_version_mismatch()   # asked once: no second RuntimeError


@pytest.mark.skipif(not library_installed("nvvm"), reason="libnvvm is not installed")
def test_check_nvvm_compiler_options():
    assert utils.check_nvvm_compiler_options([]) is True
    assert utils.check_nvvm_compiler_options(["-arch=compute_90", "-opt=3"]) is True
    assert utils.check_nvvm_compiler_options((b"-arch=compute_90",)) is True
    assert utils.check_nvvm_compiler_options(["-arch=compute_90", "-no-such-option"]) is False
    assert utils.check_nvvm_compiler_options(["-arch=compute_1"]) is False
    for bad in ("-arch=compute_90", b"-opt=3", [1], None, 5):
        with pytest.raises(TypeError):
            utils.check_nvvm_compiler_options(bad)


# What NVIDIA's envvar_bool returns, asked directly (cuda-bindings 13.5.0),
# for (value set, default False) and (value set, default True); None: unset.
ENVVAR_BOOL = [(None, False, True), ("", False, True), ("   ", False, True), ("0", False, False),
               ("1", True, True), ("true", True, True), ("TRUE", True, True), ("false", False, False),
               ("yes", True, True), ("no", False, False), ("on", True, True), ("off", False, False),
               (" 1 ", True, True), ("2", True, True), ("-1", True, True), ("00", False, False),
               ("-0", False, False), ("01", True, True), ("abc", True, True), ("y", True, True),
               ("n", True, True), ("f", True, True)]


@pytest.mark.parametrize("value, unset_false, unset_true", ENVVAR_BOOL)
def test_envvar_bool(monkeypatch, value, unset_false, unset_true):
    if value is None:
        monkeypatch.delenv("CB_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("CB_TEST_FLAG", value)
    assert utils.envvar_bool("CB_TEST_FLAG") is unset_false
    assert utils.envvar_bool("CB_TEST_FLAG", False) is unset_false
    assert utils.envvar_bool("CB_TEST_FLAG", default=True) is unset_true


@pytest.mark.parametrize("bad", [1, None, b"CB_TEST_FLAG"])
def test_envvar_bool_takes_a_str_name(bad):
    with pytest.raises(TypeError, match="str expected"):
        utils.envvar_bool(bad)


@pytest.mark.parametrize("value, silent", [("0", False), ("false", False), ("1", True), ("yes", True)])
def test_major_version_warning_switch_is_a_bool(driver_version, monkeypatch, value, silent):
    """As NVIDIA's: "0" and "false" leave the warning on (envvar_bool)."""
    driver_version(1000)
    monkeypatch.setenv(_version_check._DISABLE_WARNING_ENV_VAR, value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        utils.warn_if_cuda_major_version_mismatch()
    assert (not caught) is silent
