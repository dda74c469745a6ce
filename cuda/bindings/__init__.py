"""cuda.bindings in C: Python bindings for the CUDA host APIs with a plain C core.

A drop-in for NVIDIA's ``cuda.bindings``: the same modules (``nvrtc``,
``nvjitlink``, ...), the same Cython ``cimport`` API, and a versioned C
capsule API for C extensions (headers under :func:`get_include`).
Nothing is loaded at import: each library is found on first use.
"""
import os as _os

from ._version import __version__ as __version__


# No typing import here: with re and collections it tripled the package's
# import time.
def __getattr__(name: str) -> object:
    # cuda.bindings.utils without importing it (and re) with the package
    if name == "utils":
        import importlib
        return importlib.import_module(".utils", __name__)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def get_include() -> str:
    """Directory holding ``cuda_bindings/<lib>.h``, the C capsule headers."""
    return _os.path.join(_os.path.dirname(__file__), "include")
