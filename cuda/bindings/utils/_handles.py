"""get_cuda_native_handle: the address inside an opaque CUDA handle object."""
import sys
from typing import Any

_POINTER_KIND = 0                # CB_HANDLE_POINTER: an opaque pointer (CUstream, cudaEvent_t, ...)
_MODULES = ("cuda.bindings.driver", "cuda.bindings.runtime")


def get_cuda_native_handle(obj: Any) -> int:
    """Return the address held by a driver or runtime handle object, as an int.

    The object must be an instance of one of the opaque handle classes of
    ``cuda.bindings.driver`` or ``cuda.bindings.runtime`` (``CUstream``,
    ``CUcontext``, ``cudaEvent_t``, ...) itself, not of a subclass; value
    types such as ``CUdeviceptr`` or ``CUdevice`` and function pointers such
    as ``CUhostFn`` are not handles and raise ``TypeError``, like anything else.
    """
    cls = type(obj)
    # the module that made the class answers for it (a Python subclass is not one)
    module = sys.modules.get(cls.__module__) if cls.__module__ in _MODULES else None
    if module is not None and module._handle_kind(cls) == _POINTER_KIND:
        return int(obj)
    raise TypeError("Unknown type: " + str(cls))
