"""Boolean environment variables, read as NVIDIA's envvar_bool reads them
(CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING).  NVIDIA's package reads
CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM as an integer instead, and so
does the C core here (cb_ptds_setting)."""
import os

_TRUE = frozenset(("1", "true", "yes", "on"))
_FALSE = frozenset(("0", "false", "no", "off"))


def envvar_bool(name: str, default: bool = False) -> bool:
    """Read a bool-like environment variable.

    Unset, empty or only whitespace gives ``default``; ``1``, ``true``,
    ``yes``, ``on`` and ``0``, ``false``, ``no``, ``off`` are read without
    regard to case; another integer is true unless it is zero (``2``,
    ``-1``; ``00``, ``-0`` are false); any other text is true, so that a
    variable that is set but misspelt still switches its feature on rather
    than failing the import that reads it.
    """
    if not isinstance(name, str):
        raise TypeError("str expected, not %s" % type(name).__name__)
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    try:
        return int(word) != 0
    except ValueError:
        return True
