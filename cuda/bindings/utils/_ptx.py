"""PTX ISA versions and the CUDA releases that introduced them."""
import re

# PTX ISA version -> the CUDA release that introduced it (the PTX ISA
# manual's release history).  A driver, nvPTXCompiler or nvJitLink of at
# least that release is needed to load PTX of that ISA version.
_CUDA_OF_PTX_ISA = {
    "1.0": (1, 0), "1.1": (1, 1), "1.2": (2, 0), "1.3": (2, 1), "1.4": (2, 2),
    "2.0": (3, 0), "2.1": (3, 1), "2.2": (3, 2), "2.3": (4, 0),
    "3.0": (4, 1), "3.1": (5, 0), "3.2": (5, 5),
    "4.0": (6, 0), "4.1": (6, 5), "4.2": (7, 0), "4.3": (7, 5),
    "5.0": (8, 0),
    "6.0": (9, 0), "6.1": (9, 1), "6.2": (9, 2), "6.3": (10, 0), "6.4": (10, 1), "6.5": (10, 2),
    "7.0": (11, 0), "7.1": (11, 1), "7.2": (11, 2), "7.3": (11, 3), "7.4": (11, 4),
    "7.5": (11, 5), "7.6": (11, 6), "7.7": (11, 7), "7.8": (11, 8),
    "8.0": (12, 0), "8.1": (12, 1), "8.2": (12, 2), "8.3": (12, 3), "8.4": (12, 4),
    "8.5": (12, 5), "8.6": (12, 7), "8.7": (12, 8), "8.8": (12, 9),
    "9.0": (13, 0), "9.1": (13, 1), "9.2": (13, 2), "9.3": (13, 3), "9.4": (13, 4), "9.5": (13, 5),
}

# the ".version X.Y" directive, at the start of a line
_VERSION_DIRECTIVE = re.compile(r"^[ \t]*\.version[ \t]+(\d+\.\d+)", re.MULTILINE)


def get_minimal_required_cuda_ver_from_ptx_ver(ptx_version: str) -> int:
    """The oldest CUDA (driver, nvPTXCompiler or nvJitLink) that loads PTX of
    ISA version `ptx_version` (the "X.Y" of its ``.version`` directive), as
    1000 * major + 10 * minor.

    >>> get_minimal_required_cuda_ver_from_ptx_ver("8.8")
    12090
    >>> get_minimal_required_cuda_ver_from_ptx_ver("7.0")
    11000

    Raises ``ValueError`` for a version not in the table.
    """
    try:
        major, minor = _CUDA_OF_PTX_ISA[ptx_version]
    except (KeyError, TypeError):
        raise ValueError("Unknown or unsupported PTX ISA version: %s" % (ptx_version,)) from None
    return 1000 * major + 10 * minor


def get_ptx_ver(ptx: str) -> str:
    """The PTX ISA version ("X.Y") that PTX source text declares.

    >>> get_ptx_ver(".version 8.4\\n.target sm_90\\n")
    '8.4'

    Raises ``ValueError`` when the text has no ``.version`` directive.
    """
    found = _VERSION_DIRECTIVE.search(ptx)
    if found is None:
        raise ValueError("No .version directive found in PTX source. Is it a valid PTX?")
    return found.group(1)
