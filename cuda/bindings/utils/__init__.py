"""Helpers beside the bindings: native handles, PTX versions, NVVM option
checks, boolean environment variables, and the check that the driver supports the CUDA major version these
bindings were built for."""
from ._envvar import envvar_bool
from ._handles import get_cuda_native_handle
from ._nvvm import check_nvvm_compiler_options
from ._ptx import get_minimal_required_cuda_ver_from_ptx_ver, get_ptx_ver
from ._version_check import warn_if_cuda_major_version_mismatch

__all__ = [
    "check_nvvm_compiler_options",
    "envvar_bool",
    "get_cuda_native_handle",
    "get_minimal_required_cuda_ver_from_ptx_ver",
    "get_ptx_ver",
    "warn_if_cuda_major_version_mismatch",
]
