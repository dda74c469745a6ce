"""Warn when the driver is older than the CUDA major version of the bindings."""
import threading
import warnings

from ._envvar import envvar_bool

# The module-level names NVIDIA's has (consumers' tests reset the flag)
_DISABLE_WARNING_ENV_VAR = "CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING"
_major_version_compatibility_checked = False
_lock = threading.Lock()


def warn_if_cuda_major_version_mismatch() -> None:
    """Warn (``UserWarning``, once per process) when the installed driver
    supports an older CUDA major version than these bindings were built for.

    Set ``CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING`` to a true value
    (``1``, ``yes``: envvar_bool) to skip the check.
    Raises ``RuntimeError`` when the driver cannot be asked its version.
    """
    global _major_version_compatibility_checked
    if _major_version_compatibility_checked or envvar_bool(_DISABLE_WARNING_ENV_VAR):
        return
    with _lock:  # once per process, whichever thread asks first
        if _major_version_compatibility_checked:
            return
        from cuda.bindings import driver

        _major_version_compatibility_checked = True   # asked once, even when asking fails (as NVIDIA's)
        err, version = driver.cuDriverGetVersion()
        if err != driver.CUresult.CUDA_SUCCESS or version is None:
            raise RuntimeError("Failed to query CUDA driver version: %r" % (err,))
    built_for, supported = driver.CUDA_VERSION // 1000, version // 1000
    if built_for > supported:
        # NVIDIA's words (tests match them) and its stacklevel: the caller's caller
        warnings.warn(
            "cuda-bindings was built for CUDA major version %d, but the NVIDIA driver only supports "
            "up to CUDA %d. Some cuda-bindings features may not work correctly. Consider updating "
            "your NVIDIA driver, or using a cuda-bindings version built for CUDA %d. (Set "
            "%s=1 to suppress this warning.)" % (built_for, supported, supported, _DISABLE_WARNING_ENV_VAR),
            UserWarning, stacklevel=3)
