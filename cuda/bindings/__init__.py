"""cuda.bindings in C: Python bindings for the CUDA host APIs with a plain C core.

A drop-in for NVIDIA's ``cuda.bindings``: the same modules (``nvrtc``,
``nvjitlink``, ...), the same Cython ``cimport`` API, and a versioned C
capsule API for C extensions (headers under :func:`get_include`).
Nothing is loaded at import: each library is found on first use.
"""
import os as _os

__version__ = "13.0.0"


def get_include():
    """Directory holding ``cuda_bindings/<lib>.h``, the C capsule headers."""
    return _os.path.join(_os.path.dirname(__file__), "include")
