"""get_cuda_native_handle: the address inside an opaque CUDA handle object."""
from typing import Any

_KIND_ATTR = "_cb_handle_kind"   # set by csrc/cb_handle.c on each handle class it makes
_POINTER_KIND = 0                # CB_HANDLE_POINTER: an opaque pointer (CUstream, cudaEvent_t, ...)
_MODULES = ("cuda.bindings.driver", "cuda.bindings.runtime")


def get_cuda_native_handle(obj: Any) -> int:
    """Return the address held by a driver or runtime handle object, as an int.

    The object must be an instance of one of the opaque handle classes of
    ``cuda.bindings.driver`` or ``cuda.bindings.runtime`` (``CUstream``,
    ``CUcontext``, ``cudaEvent_t``, ...) itself, not of a subclass; value
    types such as ``CUdeviceptr`` or ``CUdevice`` are not handles and raise
    ``TypeError``, like anything else.
    """
    cls = type(obj)
    # the class's own attribute: a Python subclass does not count
    if cls.__module__ in _MODULES and cls.__dict__.get(_KIND_ATTR) == _POINTER_KIND:
        return int(obj)
    raise TypeError("Unknown type: " + str(cls))
