"""Argument forms as NVIDIA's cuda-bindings 13.5.0 takes them, one test per
kind the differential tests found (tests/differential): what is refused
before the call, and what reaches the library.  Without a driver a call that
reaches it raises RuntimeError (FunctionNotFoundError is one); with one it
returns its status."""
import pytest

from cuda.bindings import driver, runtime


class IndexOnly:
    def __index__(self):
        return 0


class IntOnly:
    def __int__(self):
        return 1


def reaches_library(call):
    """Whether the arguments were taken: the call returned, or the library was missing."""
    try:
        result = call()
    except RuntimeError:
        return True
    return isinstance(result, tuple)


def test_a_pointer_to_a_handle_takes_only_its_class():
    """cuEGLStream*'s connection and stream pointers: the class, its twin, an int or None."""
    for call in (runtime.cudaEGLStreamConsumerDisconnect, driver.cuEGLStreamConsumerDisconnect):
        with pytest.raises(TypeError, match="CUlinkState"):
            call(driver.CUlinkState())
        assert reaches_library(lambda: call(None)) and reaches_library(lambda: call(0))
    assert reaches_library(lambda: runtime.cudaEGLStreamConsumerDisconnect(runtime.cudaEglStreamConnection(0)))
    assert reaches_library(lambda: runtime.cudaEGLStreamConsumerDisconnect(driver.CUeglStreamConnection(0)))
    for stream in (driver.CUstream(0), runtime.cudaStream_t(0)):   # twins
        assert reaches_library(lambda: runtime.cudaEGLStreamConsumerReleaseFrame(None, None, stream))


def test_device_pointer_lists_take_items_by_int():
    """Every item is checked, beyond the count too; an object with only __index__ is refused."""
    with pytest.raises(TypeError, match="dptrs"):
        runtime.cudaMemDiscardBatchAsync([IndexOnly()], [], 0, 0, 0)
    assert reaches_library(lambda: runtime.cudaMemDiscardBatchAsync([IntOnly(), None, 1.5], [], 0, 0, 0))


def test_option_values_take_a_str_as_its_characters():
    assert reaches_library(lambda: runtime.cudaLibraryLoadData(b"", [], "x", 0, [], [], 0))
    with pytest.raises(TypeError):
        runtime.cudaLibraryLoadData(b"", [], 5, 0, [], [], 0)


def test_a_vdpau_procedure_address_is_of_its_own_modules_class():
    with pytest.raises(TypeError, match="VdpGetProcAddress"):
        runtime.cudaVDPAUGetDevice(0, driver.VdpGetProcAddress())
    with pytest.raises(TypeError, match="VdpGetProcAddress"):   # checked before the device, as NVIDIA's
        runtime.cudaVDPAUGetDevice(-1, driver.VdpGetProcAddress())
    with pytest.raises(TypeError):
        driver.cuVDPAUGetDevice(0, driver.CUlinkState())
    assert reaches_library(lambda: runtime.cudaVDPAUGetDevice(0, runtime.VdpGetProcAddress(0)))


def test_a_launch_takes_extra_as_an_int_after_its_dimensions():
    args = [driver.CUfunction(), 1, 1, 1, 1, 1, 1, 0, driver.CUstream(), 0]
    for launch in (driver.cuLaunchKernel,):
        with pytest.raises(TypeError, match="extra"):
            launch(*args, None)
        with pytest.raises(OverflowError, match="gridDimX"):   # the dimensions first
            launch(driver.CUfunction(), -1, *args[2:], None)
        with pytest.raises(TypeError, match="extra"):   # then extra, then the function
            launch(-1, *args[1:], [])


def test_coredump_settings_are_set_by_key():
    """Booleans by truthiness, paths as bytes, flags by int(); other keys refused."""
    S = driver.CUcoredumpSettings
    for value in (True, 0, "x", object(), [1]):
        assert reaches_library(lambda: driver.cuCoredumpSetAttributeGlobal(S.CU_COREDUMP_TRIGGER_HOST, value))
    assert reaches_library(lambda: driver.cuCoredumpSetAttribute(S.CU_COREDUMP_FILE, b"/tmp/core"))
    assert reaches_library(lambda: driver.cuCoredumpSetAttribute(S.CU_COREDUMP_PIPE, bytearray(b"p")))
    for bad in ("x", 1, None):
        with pytest.raises(TypeError):
            driver.cuCoredumpSetAttribute(S.CU_COREDUMP_FILE, bad)
    with pytest.raises(ValueError, match="1023"):
        driver.cuCoredumpSetAttribute(S.CU_COREDUMP_FILE, b"x" * 1024)
    for value in (1, 1.5, IntOnly(), True, driver.CUCoredumpGenerationFlags.CU_COREDUMP_LOG_ONLY):
        assert reaches_library(lambda: driver.cuCoredumpSetAttribute(S.CU_COREDUMP_GENERATION_FLAGS, value))
    for bad in (None, IndexOnly(), b"1"):
        with pytest.raises(TypeError):
            driver.cuCoredumpSetAttribute(S.CU_COREDUMP_GENERATION_FLAGS, bad)
    with pytest.raises(TypeError, match="Unsupported attribute"):
        driver.cuCoredumpSetAttribute(S.CU_COREDUMP_MAX, 0)
    with pytest.raises(AttributeError):   # a key is an enum member, as NVIDIA's reads its .value
        driver.cuCoredumpSetAttribute(1, 0)


def test_a_border_colour_is_one_number():
    """float() of it, the first of the four the driver reads (the rest zero)."""
    for value in (0.5, 1, IndexOnly()):
        assert reaches_library(lambda: driver.cuTexRefSetBorderColor(None, value))
    for bad in (None, "1", [1.0, 0.0, 0.0, 0.0]):
        with pytest.raises(TypeError):
            driver.cuTexRefSetBorderColor(None, bad)


def test_im2col_corners_take_any_iterable_or_none():
    T = driver
    args = [list(T.CUtensorMapDataType)[0], 0, 0, [], [], None, [], 0, 0, [], list(T.CUtensorMapInterleave)[0],
            list(T.CUtensorMapSwizzle)[0], list(T.CUtensorMapL2promotion)[0], list(T.CUtensorMapFloatOOBfill)[0]]
    for corner in (None, iter([])):
        for i in (5, 6):
            given = list(args)
            given[i] = corner
            assert reaches_library(lambda: T.cuTensorMapEncodeIm2col(*given))


def test_lists_are_checked_against_a_huge_count_before_room_is_made():
    A = driver.CUmem_range_attribute.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY
    with pytest.raises(RuntimeError, match="fewer than"):
        driver.cuMemRangeGetAttributes([4], [A], 2 ** 32, 0, 0)
