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

        err, version = driver.cuDriverGetVersion()
        if err != driver.CUresult.CUDA_SUCCESS or version is None:
            raise RuntimeError("cuDriverGetVersion() failed: %r" % (err,))
        _major_version_compatibility_checked = True
    built_for, supported = driver.CUDA_VERSION // 1000, version // 1000
    if built_for > supported:
        warnings.warn(
            "cuda.bindings was built for CUDA %d, but the installed NVIDIA driver supports "
            "CUDA %d at most: calls new in CUDA %d will fail. Update the driver, or install "
            "cuda.bindings for CUDA %d." % (built_for, supported, built_for, supported),
            UserWarning, stacklevel=2)
