"""The exceptions NVIDIA's private helpers define, which callers catch."""


class FunctionNotFoundError(RuntimeError):
    """A function the installed library does not have."""


class NotSupportedError(RuntimeError):
    """An operation this platform or library does not support."""
