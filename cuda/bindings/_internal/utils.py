"""What NVIDIA's private helpers module has and callers use: its exceptions,
and the compiler the package was built with."""


def get_c_compiler() -> str:
    """Returns a string describing the C compiler used to build cuda.bindings
    ("GCC 12.2.0")."""
    from .._version import _c_compiler
    return _c_compiler


class FunctionNotFoundError(RuntimeError):
    """A function the installed library does not have."""


class NotSupportedError(RuntimeError):
    """An operation this platform or library does not support."""
